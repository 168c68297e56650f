"""Figures for the measures config.yaml declares (calls answered, complaints, income...). No I/O.

A declared measure is read from data files like a built-in one (a column
named by its id, or mapped in a source). Here each service's rows become a
series per period, a card (the latest period with a value, compared with
the last earlier period that has one, as the built-in KPIs are), and a
figure for the latest 12 months made as the measure says (``over_time``:
sum, mean or latest; a mean may be weighted by another measure, e.g. an
abandonment rate by calls offered). Organisations combine their services'
yearly figures as ``across_services`` says.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from generator import model as m
from generator.config import Config, Measure
from generator.figures import COMPLETE_YEAR, make_figure
from generator.formatting import named_list
from generator.periods import Period

if TYPE_CHECKING:  # (pandas is imported by whoever passes a frame: see generator.figures)
    import pandas as pd


@dataclass
class MeasureFigures:
    """One declared measure for one service (or organisation)."""

    measure: Measure
    info: m.KpiInfo
    points: list[tuple[Period, float | None]]  # per period, in time order (empty for organisations)
    card: m.Figure  # the latest period with a value, and its change
    year: m.Figure  # the latest 12 months, and the 12 before (a sum only over a whole year)
    year_weight: float | None = None  # the weighting measure over the same 12 months, for combining
    previous_weight: float | None = None  # and over the 12 before: the earlier year is combined by its own


def info_of(measure: Measure) -> m.KpiInfo:
    return m.KpiInfo(measure.id, measure.label, measure.unit, measure.higher_is_better,
                     measure.description or "")


def _year_info(measure: Measure, info: m.KpiInfo, summed: bool) -> m.KpiInfo:
    """A year's money (12 months summed, or a yearly period's sum) is shown in whole pounds, as a
    year's cost is: £6,750, not £6,750.00. An average (a fee of £3.57) keeps its pence."""
    return dataclasses.replace(info, unit=m.MONEY_WHOLE) if summed and measure.unit == m.MONEY else info


def _value(x) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(x)


def _combine(values: list[float], weights: list[float | None], how: str) -> float | None:
    """Sum, or mean (weighted where every value has a weight); None for nothing."""
    if not values:
        return None
    if how == "sum":
        return float(sum(values))
    if how == "latest":
        return values[-1]
    if weights and all(w is not None for w in weights) and sum(weights) > 0:
        return sum(v * w for v, w in zip(values, weights)) / sum(weights)
    return sum(values) / len(values)


def _per_period(rows: pd.DataFrame, measure: Measure) -> list[tuple[Period, float | None, float | None]]:
    """(period, value, weight) per period. A row for all channels wins; otherwise the channels' rows
    are combined (summed for a sum, averaged for a mean)."""
    weight_col = measure.weighted_by if measure.weighted_by in rows else None
    how = "sum" if measure.over_time == "sum" else "mean"
    # Over plain lists, not a pandas group per period: a few dozen small frames cost a third of
    # the dev server's rebuild after a one-CSV edit.
    periods, channels = rows["period"].tolist(), rows["channel"].tolist()
    values = [_value(v) for v in rows[measure.id].tolist()]
    weights = [_value(w) for w in rows[weight_col].tolist()] if weight_col else None
    groups: dict[tuple, list[int]] = {}
    for i, period in enumerate(periods):
        groups.setdefault((period.start, period.end), []).append(i)
    out = []
    for key in sorted(groups):
        rows_of = groups[key]
        total = [i for i in rows_of if channels[i] == ""]
        use = total if any(values[i] is not None for i in total) else rows_of
        use = [i for i in use if values[i] is not None]
        used = [weights[i] for i in use] if weights is not None else []
        weight = sum(w for w in used if w is not None) if any(w is not None for w in used) else None
        out.append((periods[rows_of[0]], _combine([values[i] for i in use], used, how), weight))
    return out


def _windows(points: list[tuple[Period, float | None, float | None]]):
    """The points in the latest 12 months ending at the last value, and in the 12 months before."""
    known = [p for p in points if p[1] is not None]
    if not known:
        return [], [], None, None
    end = known[-1][0].end
    start = _year_before(end)
    previous_start = _year_before(start - timedelta(days=1))
    latest = [p for p in known if p[0].start >= start]
    earlier = [p for p in known if previous_start <= p[0].start < start]
    return latest, earlier, start, previous_start


def _year_before(end):
    """The first day of the 12 months that end on ``end``."""
    nxt = end + timedelta(days=1)
    try:
        return nxt.replace(year=nxt.year - 1)
    except ValueError:  # 29 February
        return nxt.replace(year=nxt.year - 1, day=28)


def _year_value(points, measure: Measure) -> tuple[float | None, float | None, str | None]:
    """(value, weight, label) for a window's points; a sum needs a (nearly) whole year of data."""
    if not points:
        return None, None, None
    months = sum(p[0].months for p in points)
    label = Period(points[0][0].start, points[-1][0].end, "range").label
    if measure.over_time == "sum" and months < COMPLETE_YEAR:
        return None, None, label
    weights = [p[2] for p in points]
    value = _combine([p[1] for p in points], weights, measure.over_time)
    weight = sum(w for w in weights if w is not None) if any(w is not None for w in weights) else None
    return value, weight, label


def _too_short(points) -> str | None:
    """Why a sum over the 12 months before is not compared with, where there are months in them: a
    tester's new accounts had read 'No earlier period to compare with' beside nine earlier months."""
    if not points:
        return None
    label = Period(points[0][0].start, points[-1][0].end, "range").label
    kinds = {p[0].kind for p in points}
    if kinds <= {"day", "week"} or sum(p[0].months for p in points) < 1:  # days or weeks, said as such
        unit, count = ("week", len(points)) if kinds == {"week"} else \
            ("day", sum((p[0].end - p[0].start).days + 1 for p in points))
    else:
        unit, count = "month", round(sum(p[0].months for p in points))
    return f"No comparison with {label}, which has only {count:,} {unit}{'' if count == 1 else 's'} of data"


def service_measures(rows: pd.DataFrame, config: Config, not_requested: tuple[str, ...] = ()) -> list[MeasureFigures]:
    """Every declared measure that the service's rows carry, in config order."""
    out = []
    for measure in config.measures:
        if measure.id not in rows or not rows[measure.id].notna().any():
            continue
        info = info_of(measure)
        points3 = _per_period(rows, measure)
        known = [p for p in points3 if p[1] is not None]
        last = known[-1]
        before = known[-2] if len(known) > 1 else None
        card = make_figure(measure.id, last[1], last[0].label, before[1] if before else None,
                           before[0].label if before else None,
                           info=_year_info(measure, info, measure.over_time == "sum" and last[0].months >= 12))
        latest, earlier, _, _ = _windows(points3)
        value, weight, label = _year_value(latest, measure)
        prev_value, prev_weight, prev_label = _year_value(earlier, measure)
        year = make_figure(measure.id, value, label, prev_value, prev_label,
                           info=_year_info(measure, info, measure.over_time == "sum"),
                           note=None if value is not None or not latest else "less than 12 months of data",
                           no_comparison=_too_short(earlier) if prev_value is None else None)
        out.append(MeasureFigures(measure, info, [(p, v) for p, v, _ in points3], card, year, weight, prev_weight))
    return out


def organisation_measures(services: list[tuple[str, list[MeasureFigures]]], config: Config) -> list[MeasureFigures]:
    """Declared measures combined over an organisation's services (their latest 12 months each),
    given as (name, figures). A service with no 12 months' figure (a sum over less than a year) is
    left out, and named: a tester's department's counts had silently lacked a new office's six months."""
    out = []
    for measure in config.measures:
        if measure.across_services == "none":
            continue
        named = [(name, f) for name, figures in services for f in figures if f.measure.id == measure.id]
        parts = [f for _, f in named if f.year.value is not None]
        short = [name for name, f in named if f.year.value is None]
        if not parts:
            continue
        how = "sum" if measure.across_services == "sum" else "mean"
        weights = [f.year_weight for f in parts] if measure.weighted_by else []
        value = _combine([f.year.value for f in parts], weights, how)
        prev_parts = [f for f in parts if f.year.previous_value is not None]
        previous = None
        without = [name for name, f in named if f.year.value is not None and f.year.previous_value is None]
        if len(prev_parts) == len(parts):  # compare like with like: every service has an earlier year
            # Weighted by the earlier year's own weights: this year's had made 2023's mean of 100 s over
            # 100 events and 400 s over 300, 250 s, not 325 (a tester's published figures were off).
            previous = _combine([f.year.previous_value for f in parts],
                                [f.previous_weight for f in parts] if measure.weighted_by else [], how)
        labels = sorted({f.year.period_label for f in parts})
        info = info_of(measure)
        label = labels[0] if len(labels) == 1 else "the latest 12 months of each service's data"
        prev_labels = sorted({f.year.previous_period_label for f in prev_parts})
        prev_label = prev_labels[0] if len(prev_labels) == 1 else "the 12 months before"
        year = make_figure(measure.id, value, label, previous, prev_label,
                           info=_year_info(measure, info, measure.over_time == "sum" and how == "sum"),
                           note=f"leaves out {named_list(short, 'service')}, with less than 12 months of data" if short else None,
                           no_comparison=f"No comparison: {named_list(without, 'service')} {'has' if len(without) == 1 else 'have'} "
                                         "no figure for the whole 12 months before" if without else None)
        out.append(MeasureFigures(measure, info, [], year, year, sum(w for w in weights if w) or None))
    return out
