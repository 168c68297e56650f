"""Seasonal patterns in monthly volumes: the typical year, this month against last year, unusual months.

Council services are strongly seasonal (council tax bills in April, garden
waste in spring, missed bins after Christmas), so "up 30% on last month" often
says nothing. These functions compare like with like: a month with the same
calendar month in earlier years.

Every function takes a monthly series, ``list[tuple[Period, float | None]]``
in time order, and returns ``None`` when the series cannot answer honestly
(too short, not monthly). Months that are ``None``, not a number, negative or
absent from the list altogether are treated as missing. Pure computation: no
I/O, no randomness. The methodology is written up for readers in
``docs/forecast-and-seasonality.md``.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from statistics import median

from generator.formatting import format_value
from generator.periods import Period, month_span

MIN_MONTHS = 24  # two full years: the least that shows a pattern repeating
MONTH_NAMES = tuple(calendar.month_name[1:])  # ("January", ..., "December")

# Unusualness: a month is "unusual" when it is at least UNUSUAL_SCORE times the
# series' usual variation away from what earlier years suggest, "very unusual"
# at VERY_UNUSUAL_SCORE. With normally distributed noise these are about 1 month
# in 20 and 1 in 370; in real, lumpier series somewhat more often.
UNUSUAL_SCORE = 2.0
VERY_UNUSUAL_SCORE = 3.0
# The usual variation is never taken as less than 5% (on the log scale), so a
# series that has been almost perfectly regular is not called unusual for a
# difference of a few per cent that no reader would notice.
MIN_SCALE = 0.05
MAD_TO_SD = 1.4826  # median absolute deviation x this = standard deviation, for normal noise
EARLIER_YEARS_USED = 3  # the latest three earlier years with a value; older ones say little about now
MIN_PAST_DEVIATIONS = 6  # fewer than this, and "the usual variation" cannot be judged
MIN_GROWTH_PAIRS = 6  # a year's growth measured from fewer pairs of months is too shaky to chain


# --- Shared helpers (forecast.py uses these too) ---------------------------


def month_number(period: Period) -> int:
    """A month as a single integer (year * 12 + month - 1), so 'a year earlier' is just ``- 12``."""
    return period.start.year * 12 + period.start.month - 1


def month_period(number: int) -> Period:
    """The Period for a :func:`month_number`, exactly as the parser makes monthly periods."""
    return month_span(number // 12, number % 12 + 1, 1, "month")


def monthly_values(series) -> dict[int, float] | None:
    """The usable values of a monthly series, keyed by :func:`month_number`.

    Non-month periods are ignored, and ``None`` is returned when nothing monthly
    is left, so quarterly or yearly series are refused rather than misread.
    Missing, non-finite and negative values (volumes cannot be negative, and the
    methods work on a log scale) are left out; a month listed twice keeps its
    last value, as later rows in a file correct earlier ones.
    """
    monthly = [(p, v) for p, v in series if getattr(p, "kind", None) == "month"]
    if not monthly:
        return None
    values: dict[int, float] = {}
    for period, value in monthly:
        number = month_number(period)
        if value is None or not math.isfinite(value) or value < 0:
            values.pop(number, None)
            continue
        values[number] = float(value)
    return values


def trailing_growth(values: dict[int, float], end: int) -> tuple[float, int]:
    """Year-on-year growth of the 12 months ending at ``end``, and how many months it rests on.

    It is the total of those months over the total of the same months a year
    earlier, using only months with a value in both years, so a gap does not
    look like a fall. Totals rather than an average of monthly ratios, so a
    small month cannot swing it. With no such pair (or totals of zero) growth
    is taken as 1: no evidence of change is treated as no change.
    """
    now = before = 0.0
    pairs = 0
    for month in range(end - 11, end + 1):
        if month in values and month - 12 in values:
            now += values[month]
            before += values[month - 12]
            pairs += 1
    if now <= 0 or before <= 0:
        return 1.0, pairs
    return now / before, pairs


class Growths(dict):
    """``trailing_growth`` of one series by end month, each worked out once when first asked for.

    Judging the latest month asks for every earlier month's expectation, and each of those for the
    growth of up to four years back; the forecast's backtest asks for the growth at every month:
    the same few dozen windows, asked for thousands of times. ``values`` is the series'
    ``monthly_values``, which the forecast and the check then share too (build.add_summaries)."""

    def __init__(self, values: dict[int, float]):
        super().__init__()
        self.values = values

    def __missing__(self, end: int) -> tuple[float, int]:
        self[end] = found = trailing_growth(self.values, end)
        return found


def log_volume(value: float) -> float:
    """Volumes are compared as ratios (a log scale); adding one first lets a month with none count."""
    return math.log1p(value)


# --- The typical year -------------------------------------------------------


@dataclass(frozen=True)
class MonthProfile:
    """One calendar month in the typical year."""

    month: int  # 1-12
    name: str  # "January"
    mean: float  # average value of this calendar month over the years with data
    index: float  # mean / average of the 12 monthly means * 100 (100 = an average month)
    years: int  # how many values the mean is over


def month_profile(series) -> list[MonthProfile] | None:
    """The average of each calendar month, and how busy it is against an average month (index 100).

    Needs two years of values and at least one value for every calendar month,
    otherwise a missing month would make the others look busier than they are.
    Plain averages, not trend-adjusted: the profile is for "which months are
    busy", where a gentle trend barely matters, and plain averages can be
    checked by hand against the published table.
    """
    values = monthly_values(series)
    if values is None or len(values) < MIN_MONTHS:
        return None
    by_month: dict[int, list[float]] = {m: [] for m in range(1, 13)}
    for number, value in values.items():
        by_month[number % 12 + 1].append(value)
    if any(not v for v in by_month.values()):
        return None
    means = {m: sum(v) / len(v) for m, v in by_month.items()}
    average = sum(means.values()) / 12
    if average <= 0:
        return None  # a series of zeros has no shape to describe
    return [
        MonthProfile(m, MONTH_NAMES[m - 1], means[m], means[m] / average * 100, len(by_month[m]))
        for m in range(1, 13)
    ]


# --- This month against the same month last year --------------------------


@dataclass(frozen=True)
class SameMonthLastYear:
    """The latest month against the same month a year before."""

    period: Period
    value: float
    previous_period: Period
    previous_value: float
    change: float  # per cent, (value - previous_value) / previous_value * 100


def same_month_last_year(series) -> SameMonthLastYear | None:
    """The latest month with a value against the same month a year earlier.

    The fair comparison for a seasonal service: last month is a different
    season, a year ago is the same one. ``None`` when the month a year earlier
    has no value, or was zero (a percentage change from zero means nothing).
    """
    values = monthly_values(series)
    if not values:
        return None
    latest = max(values)
    previous = values.get(latest - 12)
    if previous is None or previous == 0:
        return None
    value = values[latest]
    return SameMonthLastYear(
        period=month_period(latest),
        value=value,
        previous_period=month_period(latest - 12),
        previous_value=previous,
        change=(value - previous) / previous * 100,
    )


# --- Is the latest month unusual? ------------------------------------------


@dataclass(frozen=True)
class Unusualness:
    """How the latest month compares with what earlier years suggested."""

    period: Period
    value: float
    expected: float  # median of the same month in (up to 3) earlier years, each grown by the growth since
    score: float  # (log value - log expected) / usual variation; positive = higher than expected
    level: str  # "usual", "unusually high", "unusually low", "very unusually high", "very unusually low"
    sentence: str  # plain English, for the page


def expected_value(values: dict[int, float], month: int, growths: Growths | None = None) -> tuple[float, int] | None:
    """What earlier years suggest for ``month``, and how many earlier years that rests on.

    Each of the latest three earlier years with a value for this calendar month
    gives an estimate: its value, grown by each year's growth since (the total
    of the 12 months before ``month`` over the 12 before those, then the same a
    year further back, and so on). A year whose growth cannot be measured from
    at least six pairs of months takes the growth of the year after it. The
    median of the estimates is taken, so one odd year cannot decide it. The
    month itself is left out of the growth, so a spike cannot raise its own
    expectation. ``None`` when no earlier year has this calendar month.
    """
    growths = Growths(values) if growths is None else growths
    growth, _ = growths[month - 1]
    factor, estimates = 1.0, []
    years_back, first = 1, min(values)
    while len(estimates) < EARLIER_YEARS_USED and month - 12 * years_back >= first:
        if years_back > 1:
            measured, pairs = growths[month - 1 - 12 * (years_back - 1)]
            growth = measured if pairs >= MIN_GROWTH_PAIRS else growth
        factor *= growth
        earlier = values.get(month - 12 * years_back)
        if earlier is not None:
            estimates.append(earlier * factor)
        years_back += 1
    if not estimates:
        return None
    return median(estimates), len(estimates)


def _deviation(value: float, expected: float) -> float:
    """How far off, as a log ratio, so 20% over and 20% under a big or small month weigh alike."""
    return log_volume(value) - log_volume(expected)


def _past_deviations(values: dict[int, float], before: int, growths: Growths) -> list[float]:
    """Every earlier month's deviation from its own expectation, worked out the same way.

    Earlier months may rest on just one earlier year (and on little growth
    evidence), so their deviations are if anything larger than the latest
    month's: that errs towards calling months usual.
    """
    deviations = []
    for month in sorted(values):
        if month >= before:
            break
        expected = expected_value(values, month, growths)
        if expected is not None:
            deviations.append(_deviation(values[month], expected[0]))
    return deviations


def _level(score: float) -> str:
    size = abs(score)
    if size < UNUSUAL_SCORE:
        return "usual"
    direction = "high" if score > 0 else "low"
    return f"very unusually {direction}" if size >= VERY_UNUSUAL_SCORE else f"unusually {direction}"


def _about(value: float) -> str:
    """An expectation is an estimate: three significant figures for big numbers, whole numbers for small."""
    if value >= 1000:
        digits = 3 - int(math.floor(math.log10(value))) - 1
        value = round(value, digits)
    return format_value(round(value), "count")


def _sentence(period: Period, value: float, expected: float, level: str, bigger: int, compared: int) -> str:
    month = MONTH_NAMES[period.start.month - 1]
    figures = f"{format_value(value, 'count')} against about {_about(expected)} expected from earlier years"
    if level == "usual":
        return f"{period.label} was within the usual range for a {month}: {figures}."
    if bigger == compared:
        how_often = f"a bigger difference than in any of the {compared} earlier months that could be compared"
    else:
        how_often = f"a bigger difference than in {bigger} of the {compared} earlier months that could be compared"
    return f"{period.label} was {level} for a {month}: {figures}, {how_often}."


def unusual_latest(series, *, growths: Growths | None = None) -> Unusualness | None:
    """Whether the latest month is out of line with the same month in earlier years.

    The expectation (:func:`expected_value`) needs the same calendar month in at
    least two earlier years. The score divides the latest month's deviation by
    the series' usual variation: the median size of every earlier month's
    deviation (a robust measure, so one past spike does not make everything
    look usual), converted to a standard-deviation scale and never below 5%.
    ``None`` when the latest month lacks two earlier years, or fewer than six
    earlier months could be compared.
    """
    values = monthly_values(series) if growths is None else growths.values
    if not values:
        return None
    latest = max(values)
    growths = Growths(values) if growths is None else growths
    expected = expected_value(values, latest, growths)
    if expected is None or expected[1] < 2:
        return None
    past = _past_deviations(values, latest, growths)
    if len(past) < MIN_PAST_DEVIATIONS:
        return None
    scale = max(MAD_TO_SD * median(abs(d) for d in past), MIN_SCALE)
    deviation = _deviation(values[latest], expected[0])
    score = deviation / scale
    level = _level(score)
    bigger = sum(abs(d) < abs(deviation) for d in past)
    period = month_period(latest)
    return Unusualness(
        period=period,
        value=values[latest],
        expected=expected[0],
        score=score,
        level=level,
        sentence=_sentence(period, values[latest], expected[0], level, bigger, len(past)),
    )
