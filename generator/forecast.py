"""Forecasts of monthly volumes for the next year, with honest ranges and a backtest.

The method is deliberately simple, because a council has to be able to explain
it on a methodology page and check it by hand:

* **Central forecast.** A month is forecast as the same month a year earlier,
  times the year-on-year growth of the latest 12 months (their total over the
  total of the same months a year before). Council service volumes have a
  strong yearly pattern, a gentle trend and a lot of noise; "same month last
  year, adjusted for growth" captures the pattern exactly (however odd its
  shape), follows the trend, and has no fitted parameters to overfit on the
  two to five years of data councils usually hold. Forecasts more than 12
  months ahead apply the growth once per year (the forecast for a year ahead,
  grown again).
* **Ranges.** The method is rerun at every earlier month it could have been
  used ("in-sample", but each forecast only sees the data before it), and its
  misses are measured on a log scale (as ratios, so a 10% miss counts the same
  in a busy and a quiet month). The typical size of those misses sets the
  width of the 80% and 95% ranges, with Student's t multipliers so that a
  short history gives wider ranges. Forecasts two years ahead rest on two
  uncertain years, so their ranges are widened by the square root of the
  number of years stepped.
* **Backtest.** The whole procedure is repeated with the last 12 months held
  back, and its forecasts are compared with what happened: the mean absolute
  percentage error, and how often the actual value fell inside each range.

On synthetic seasonal series with 10% noise, and on the example council's
data, the 80% and 95% ranges cover close to 80% and 95% of held-out months
(see ``tests/test_forecast.py``). The methodology is written up for readers
in ``docs/forecast-and-seasonality.md``. Pure computation: no I/O, no
randomness.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

from generator.periods import Period
from generator.seasonality import Growths, log_volume, month_period, monthly_values, trailing_growth

MIN_MONTHS = 24  # two years: one to see the seasonal pattern, one to see it change
HOLDOUT = 12  # the backtest hides the last year
# An earlier month's forecast counts towards the ranges only if its growth rests
# on at least half a year of year-on-year pairs, as the published forecast's does
# once two years of data exist; fewer, and the misses say little about today.
MIN_GROWTH_PAIRS = 6
# At least this many earlier months must have been forecast (and checked) to
# measure how far off the method usually is; with fewer, no ranges can be given.
MIN_CHECKED_MONTHS = 3

METHOD = (
    "Each month is forecast as the same month a year earlier, scaled by how much the latest 12 months "
    "grew on the 12 before them, and the ranges show how far such forecasts have missed in the past."
)


@dataclass(frozen=True)
class ForecastPoint:
    """One forecast month with its 80% and 95% prediction ranges (never below 0)."""

    period: Period  # a future (or held-out) month
    value: float  # central forecast
    low80: float
    high80: float
    low95: float
    high95: float


@dataclass(frozen=True)
class Backtest:
    """How the method would have done a year ago, forecasting the year since."""

    points: list[tuple[ForecastPoint, float]]  # forecast made without the last 12 months, and the actual value
    mape: float | None  # mean absolute percentage error, per cent, over months with actual > 0
    coverage80: float  # share (0-1) of held-out months inside the 80% range
    coverage95: float


@dataclass(frozen=True)
class Forecast:
    points: list[ForecastPoint]  # the next `horizon` months after the last month with data
    backtest: Backtest | None  # None when there is too little data to hold out a year
    method: str  # one-sentence plain-English description of the method used


@dataclass(frozen=True)
class _Fit:
    """What the method learns from a history: the latest growth and how big its misses are."""

    origin: int  # the last month with data (a month number)
    growth: float
    spread: float  # root mean square of past log misses, one year ahead
    checked_months: int  # how many distinct earlier months those misses cover


def forecast_months(series, horizon: int = 12, *, growths: Growths | None = None) -> Forecast | None:
    """Forecast the ``horizon`` months after the latest month with data.

    ``None`` when the series is not monthly, has fewer than 24 months with
    values, or (with many gaps) too few earlier months could be forecast and
    checked to say how uncertain the forecast is. The backtest needs 24 months
    with values before the held-back year, so 36 months in all; it is ``None``
    for shorter series rather than testing a different, weaker method.

    ``growths``: the series' ``monthly_values`` with their year-on-year growths, when the caller
    also judges the latest month with them (:func:`generator.seasonality.unusual_latest`).
    """
    if horizon < 1:
        raise ValueError("horizon must be at least 1 month")
    values = monthly_values(series) if growths is None else growths.values
    if values and growths is None:
        growths = Growths(values)
    misses = _past_misses(values, growths) if values and len(values) >= MIN_MONTHS else None
    fit = _fit(values, misses, growths) if values else None
    if fit is None:
        return None
    points = [_point(values, fit, fit.origin + step) for step in range(1, horizon + 1)]
    return Forecast(points=points, backtest=_backtest(values, misses), method=METHOD)


def _fit(values: dict[int, float], misses: dict[int, list[float]] | None = None,
         growths: Growths | None = None) -> _Fit | None:
    """Learn the latest growth and the typical miss; ``None`` if the history cannot support a forecast.

    ``misses``: ``_past_misses(values)``, if already worked out; ``growths``: ``Growths(values)``."""
    if len(values) < MIN_MONTHS:
        return None
    misses = _past_misses(values) if misses is None else misses
    if len(misses) < MIN_CHECKED_MONTHS:
        return None
    squares = [m * m for month_misses in misses.values() for m in month_misses]
    origin = max(values)
    growth, _ = trailing_growth(values, origin) if growths is None else growths[origin]
    return _Fit(origin, growth, math.sqrt(sum(squares) / len(squares)), len(misses))


def _central(values: dict[int, float], origin: int, target: int, growth: float) -> tuple[float, int]:
    """The central forecast for ``target`` made at ``origin``, and how many years it steps forward.

    The latest same calendar month at or before the origin, grown once per
    year between. If that month has no value the year before is used, grown
    once more. If the calendar month has never had a value (possible only with
    gaps), the average month of the latest year, grown, is the last resort,
    counted as two years of uncertainty because it ignores the season.
    """
    years = 1
    while target - 12 * years > origin:
        years += 1
    first = min(values)
    while target - 12 * years >= first:
        earlier = values.get(target - 12 * years)
        if earlier is not None:
            return earlier * growth**years, years
        years += 1
    recent = [values[m] for m in range(origin - 11, origin + 1) if m in values]
    return sum(recent) / len(recent) * growth, 2


def _past_misses(values: dict[int, float], growths: Growths | None = None) -> dict[int, list[float]]:
    """The log misses of the method at every earlier month it could have been used, by target month.

    Each forecast uses only data up to its origin, so these are genuine
    out-of-sample misses. Only forecasts that stepped exactly one year (from
    the same month a year earlier) count, as that is what ranges are built
    from; longer steps are widened from them.
    """
    misses: dict[int, list[float]] = {}
    last = max(values)
    logs = {month: log_volume(value) for month, value in values.items()}  # each month is a target up to 12 times
    growths = Growths(values) if growths is None else growths
    for origin in sorted(values):
        growth, pairs = growths[origin]
        if pairs < MIN_GROWTH_PAIRS:
            continue
        for target in range(origin + 1, min(origin + 12, last) + 1):
            if target not in values or target - 12 not in values:
                continue
            # _central(values, origin, target, growth), which for a target within a year of the
            # origin whose month a year before has a value is just that value grown once:
            # written out, as this runs for every month of every service.
            forecast = values[target - 12] * growth
            misses.setdefault(target, []).append(logs[target] - log_volume(forecast))
    return misses


def _point(values: dict[int, float], fit: _Fit, target: int) -> ForecastPoint:
    """A forecast month with ranges: the typical log miss times a t multiplier, either side of the centre.

    Symmetric on the log scale, so the ranges stretch further above the forecast
    than below it and never go below zero, as volumes do.
    """
    value, years = _central(values, fit.origin, target, fit.growth)
    spread = fit.spread * math.sqrt(years)
    low80, high80 = _range(value, t_quantile(0.90, fit.checked_months - 1) * spread)
    low95, high95 = _range(value, t_quantile(0.975, fit.checked_months - 1) * spread)
    return ForecastPoint(month_period(target), value, low80, high80, min(low95, low80), max(high95, high80))


def _range(value: float, width: float) -> tuple[float, float]:
    """``value`` divided and multiplied by e^width (on the log1p scale); clamped so rounding cannot exclude it."""
    centre = log_volume(value)
    return min(max(math.expm1(centre - width), 0.0), value), max(math.expm1(centre + width), value)


@lru_cache(maxsize=1024)  # the same few (p, degrees) for every month of every service's forecast
def t_quantile(p: float, degrees: int) -> float:
    """Student's t quantile by the Cornish-Fisher expansion (stdlib only; within 3% for 2+ degrees).

    The t distribution rather than the normal, because the typical miss is
    itself estimated from a handful of months; its heavier tails widen the
    ranges for short histories, which is what keeps them honest.
    """
    z = NormalDist().inv_cdf(p)
    v = max(degrees, 2)
    return (
        z
        + (z**3 + z) / (4 * v)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
    )


def _backtest(values: dict[int, float], misses: dict[int, list[float]] | None = None) -> Backtest | None:
    """Refit on everything but the last 12 months and score the forecasts against what happened.

    The held-back year ends at the latest month with data. ``None`` when what
    is left would not support a forecast by the same rules (fewer than 24
    months with values), so the backtest always tests the published method.
    """
    last = max(values)
    history = {m: v for m, v in values.items() if m <= last - HOLDOUT}
    earlier = None
    if history and misses is not None:
        # The history's own misses are those of the whole series up to its end: each used only
        # the months before its target, and targets stop at the series' end. Not worked out again.
        end = max(history)
        earlier = {target: found for target, found in misses.items() if target <= end}
    fit = _fit(history, earlier) if history else None
    if fit is None:
        return None
    points = [
        (_point(history, fit, target), values[target])
        for target in range(fit.origin + 1, last + 1)
        if target > last - HOLDOUT and target in values
    ]
    return score_backtest(points)


def score_backtest(points: list[tuple[ForecastPoint, float]]) -> Backtest:
    """Mean absolute percentage error (over months with an actual above 0) and range coverage."""
    errors = [abs(p.value - actual) / actual * 100 for p, actual in points if actual > 0]
    inside80 = sum(p.low80 <= actual <= p.high80 for p, actual in points)
    inside95 = sum(p.low95 <= actual <= p.high95 for p, actual in points)
    return Backtest(
        points=points,
        mape=sum(errors) / len(errors) if errors else None,
        coverage80=inside80 / len(points),
        coverage95=inside95 / len(points),
    )
