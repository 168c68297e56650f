"""A service's figures as the pages read them, and how a card's figure and its change are made.

Apart from :mod:`generator.metrics` (which works the figures out with pandas) so that a build
reusing every service but one reads, assembles and renders the site without importing pandas:
the one service's figures are worked out in a process that imports it (see
:mod:`generator.head_start`), and pandas' import was a fifth of a one-CSV rebuild.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from generator import model as m
from generator.formatting import money_places, round_half_up

KPI_INFO = {
    m.TRANSACTIONS_PER_YEAR: m.KpiInfo(
        m.TRANSACTIONS_PER_YEAR, "Transactions per year", m.COUNT, None,
        "Transactions in the latest 12 months of data, through all channels."),
    m.DIGITAL_TAKE_UP: m.KpiInfo(
        m.DIGITAL_TAKE_UP, "Digital take-up", m.PERCENT, True,
        "Share of transactions made through digital channels."),
    m.COST_PER_TRANSACTION: m.KpiInfo(
        m.COST_PER_TRANSACTION, "Cost per transaction", m.MONEY, False,
        "Total cost divided by the number of transactions."),
    m.COMPLETION_RATE: m.KpiInfo(
        m.COMPLETION_RATE, "Completion rate", m.PERCENT, True,
        "Share of started transactions that were completed."),
    m.USER_SATISFACTION: m.KpiInfo(
        m.USER_SATISFACTION, "User satisfaction", m.PERCENT, True,
        "How satisfied users were: the percentage the service publishes, or else the average of its "
        "ratings on a 1 to 5 scale, shown as 0% (very dissatisfied) to 100% (very satisfied)."),
}

# On a card whose take-up is over 100% (a published digital count larger than the total): said to
# citizens as well as warned of to the publisher, who may not be able to correct another's figures.
OVER_100 = "Over 100%: the published figures it is worked out from do not agree"
COMPLETE_YEAR = 11.5  # months of complete data for a 12-month window to count as a whole year
PERIOD_KPIS = (m.DIGITAL_TAKE_UP, m.COST_PER_TRANSACTION, m.COMPLETION_RATE, m.USER_SATISFACTION)
_PRECISION = {m.COUNT: 0, m.PERCENT: 1, m.MONEY: 2, m.MONEY_WHOLE: 0, m.SECONDS: 0, m.NUMBER: 2}


@dataclass
class YearWindow:
    """The latest 12 months of a service's data and the 12 before them."""

    label: str | None
    previous_label: str | None
    transactions: float | None
    previous_transactions: float | None
    digital: float | None  # digital transactions in periods where take-up is known
    transactions_known_split: float | None  # all transactions in those same periods
    months_with_data: float
    previous_months_with_data: float
    start: object = None  # the first day of the latest 12 months (as labelled), a datetime.date
    end: object = None  # and their last


@dataclass
class ServiceFigures:
    kpis: dict[str, m.Figure]
    year: YearWindow
    channel_split: list[m.ChannelShare]
    periods: list[m.PeriodRow]
    data_period_label: str | None
    not_requested: tuple[str, ...] = ()  # KPIs not collected: from the YAML or marked so in every period
    channels_used: tuple[int, ...] = ()  # indexes of the configured channels with a figure in some period
    measures: list = field(default_factory=list)  # custom_measures.MeasureFigures, in config order
    seasons: object = None  # model.Seasons for monthly data (or a units.Packed one), see build.add_summaries
    # Sums for pages that add up many services (build.add_summaries).
    year_sums: dict = field(default_factory=dict)
    channel_rows: list = field(default_factory=list)
    latest_label: str | None = None  # the latest period with any figure: what a figure not 'stale' is for
    # Periods with a cost and no count of their own whose months' counts do not make them up (a
    # year's cost beside eight months of counts): in no cost per transaction, so the build says so.
    unpaired_costs: tuple[tuple[str, str], ...] = ()  # (period label, 'months' or 'channels')
    # Longer periods with only a cost (a finance file's years beside monthly counts): kept out of
    # ``periods``, which every chart over time, table and forecast reads, so they do not break a
    # monthly line or read as a year of counts missing; the cost chart, report and open data add them.
    cost_spans: list = field(default_factory=list)
    # Channels whose count the data marks not requested beside other channels' counts: the figures
    # are of the channels it counts, and the page says which it does not (metrics.prepare).
    uncounted_channels: tuple[str, ...] = ()
    # By channel label, the (start, end) days of the periods it is marked not requested in.
    uncounted_spans: dict = field(default_factory=dict)
    # Periods whose published take-up the counts beside it do not give (metrics.per_period):
    # (period label, published %, % from the counts, digital count, transactions), for a warning.
    take_up_disagrees: tuple[tuple, ...] = ()


def _nan_to_none(value):
    if value is None:
        return None
    try:
        if math.isnan(value):
            return None
    except (TypeError, OverflowError):  # (not a number; an int too large for a float)
        return value
    return float(value)


def as_shown(value: float, unit: str) -> float:
    """The value rounded as format_value shows it (money in whole pounds from £100,000)."""
    places = money_places(value) if unit == m.MONEY else _PRECISION[unit]
    return float(round_half_up(value, places))


def make_figure(kpi: str, value, period_label, prev_value, prev_label, *, estimated=False,
                status=m.OK, target=None, note=None, info: m.KpiInfo | None = None,
                no_comparison: str | None = None) -> m.Figure:
    """A card's figure with its change, direction and judgement worked out.

    ``info`` describes a measure declared in config.yaml; built-in KPIs are known by ``kpi``.
    """
    info = info or KPI_INFO[kpi]
    value, prev_value = _nan_to_none(value), _nan_to_none(prev_value)
    if status == m.NOT_REQUESTED:
        return m.Figure(info, status=m.NOT_REQUESTED, target=target)
    if value is None:
        return m.Figure(info, status=status if status != m.OK else m.NO_DATA, target=target, note=note)
    fig = m.Figure(info, value=value, period_label=period_label, estimated=bool(estimated),
                   status=m.OK, target=target, note=note, no_comparison=no_comparison)
    if prev_value is not None:
        fig.previous_value = prev_value
        fig.previous_period_label = prev_label
        # A change is worked out from the values as shown, so "up 1.2 points" always matches
        # the two figures a reader sees; a percentage change from the values themselves: of
        # 0.431 and 0.424, shown as 0.43 and 0.42, the change is 1.6%, not the rounding's 2.3%.
        shown_previous = as_shown(prev_value, info.unit)
        fig.change = as_shown(value, info.unit) - shown_previous
        if info.unit != m.PERCENT and shown_previous != 0:  # not "up 1,900% from £0.00"
            fig.change_percent = 0.0 if fig.change == 0 else (value - prev_value) / prev_value * 100
        fig.direction = "same" if fig.change == 0 else ("up" if fig.change > 0 else "down")
        if fig.direction == "same":
            fig.assessment = "same"
        elif info.higher_is_better is not None:
            fig.assessment = "better" if (fig.direction == "up") == info.higher_is_better else "worse"
    if target is not None and info.higher_is_better is not None:
        fig.meets_target = value >= target if info.higher_is_better else value <= target
    return fig
