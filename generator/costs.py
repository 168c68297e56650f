"""The transaction cost report: total cost and cost per transaction for one financial year. No I/O.

Read off the same period rows as the service pages: a service's cost in a
period is its cost per transaction times its transactions (estimated from
channel unit costs where it publishes no costs, and marked so). A year's
cost per transaction is its cost over the transactions of the periods that
have a cost, as the KPI is defined. Only periods wholly inside the year
count. Organisations add up their services (including those of the
organisations within them); channels add up transactions by channel and
cost them at their unit costs, so the channel table is an estimate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from generator import model as m
from generator.periods import Period

COMPLETE_YEAR = 11.5  # months of data for a year to count as whole


@dataclass
class CostLine:
    """One row of a cost table: a service, an organisation or a channel."""

    name: str
    slug: str
    url: str | None
    organisation: m.OrgRef | None
    transactions: float | None
    cost: float | None
    cost_per_transaction: float | None
    estimated: bool = False
    months: float = 0.0  # months of the year with transactions (services)
    cost_months: float = 0.0  # months of those with a cost (services): fewer, and the cost is part of it
    costed_transactions: float | None = None  # the transactions the cost is of: fewer, and it is part of it
    not_requested: bool = False  # no cost is collected (cost per transaction not requested): not "no data"
    unpaired_cost: float | None = None  # a service's cost for the year its counts do not wholly cover: in no sum
    uncounted: tuple[str, ...] = ()  # a service's channels marked not requested, so in none of its figures

    @property
    def partly_costed(self) -> bool:
        return _partly(self.cost, self.costed_transactions, self.transactions)


@dataclass
class YearSums:
    """One service's figures for one financial year: what its cost-report lines are made of.

    Worked out with the service's figures and kept with them, so a build that reuses the
    service sums years without reading its period rows again.
    """

    transactions: float | None  # over periods with a transactions figure
    cost: float | None  # over the periods of those with a cost per transaction
    costed_transactions: float
    estimated: bool
    months: float
    channels: list[float]  # volumes by channel, over every period of the year
    cost_months: float = 0.0  # months of the periods with a cost per transaction
    not_requested: bool = False  # no cost in the year, and its data marks the cost not requested (***)
    unpaired_cost: float | None = None  # the year's own cost, with no cost paired: see PeriodRow.unpaired_cost
    last_end: date | None = None  # the end of its latest period with transactions in the year


def year_sums(rows: list[m.PeriodRow], start_month: int) -> dict[int, YearSums]:
    """Sums by financial year (its starting calendar year) over the periods wholly inside each year."""
    by_year: dict[int, list[m.PeriodRow]] = {}
    for row in rows:
        year = financial_year(row.period.start, start_month)
        if financial_year(row.period.end, start_month) == year:
            by_year.setdefault(year, []).append(row)
    out = {}
    for year, inside in by_year.items():
        counted = [r for r in inside if r.transactions is not None]
        costed = [(r, r.transactions) for r in counted if r.cost_per_transaction is not None]
        over_months = not costed
        if over_months:  # a cost of its own for a longer period (the year) over the counts of its months
            costed = _costs_over_their_months(inside, counted)
        # A cost with no transactions (0 in every channel) counts in the year's cost, and its month as
        # costed; not where the year has a cost of its own for a longer period, paired or not: that is
        # the cost of its months (and an unpaired one is shown as it is, in no total).
        spans = any(r.transactions is None and (r.cost_per_transaction is not None or r.unpaired_cost is not None)
                    for r in inside)
        idle = [] if over_months and (costed or spans) else [
            r for r in counted if r.cost_per_transaction is None and r.idle_cost is not None]
        channels = [0.0] * (len(inside[0].by_channel) if inside else 0)
        for r in inside:
            for i, volume in enumerate(r.by_channel):
                if volume:
                    channels[i] += volume
        out[year] = YearSums(
            sum(r.transactions for r in counted) if counted else None,
            sum(r.cost_per_transaction * count for r, count in costed) + sum(r.idle_cost for r in idle)
            if costed or idle else None,
            sum(count for _, count in costed), any(r.cost_estimated for r, _ in costed),
            sum(r.period.months for r in counted), channels,
            sum(r.period.months for r, _ in costed) + sum(r.period.months for r in idle),
            not costed and any(m.COST_PER_TRANSACTION in r.not_requested for r in inside),
            None if costed else _unpaired_cost(inside), max((r.period.end for r in counted), default=None))
    return out


def _costs_over_their_months(inside: list[m.PeriodRow], counted: list[m.PeriodRow]) -> list[tuple]:
    """(row, transactions) for periods with a cost per transaction and no count of their own (a
    finance file's year beside monthly counts), each over the counts of the periods that make it
    up exactly, every channel counted; longest first, and none overlapping one taken already (a
    year's cost and its quarters' would be the year's cost twice)."""
    out, taken = [], []
    spans = [r for r in inside if r.transactions is None and r.cost_per_transaction is not None]
    for row in sorted(spans, key=lambda r: (r.period.start - r.period.end, r.period.start)):
        start, end = row.period.start, row.period.end
        if any(start <= other.end and other.start <= end for other in taken):
            continue
        within = [c for c in counted if start <= c.period.start and c.period.end <= end]
        days = sum((c.period.end - c.period.start).days + 1 for c in within)
        if within and days == (end - start).days + 1 and len({c.period.start for c in within}) == len(within) \
                and all(c.complete for c in within):
            out.append((row, sum(c.transactions for c in within)))
            taken.append(row.period)
    return out


def _unpaired_cost(inside: list[m.PeriodRow]) -> float | None:
    """The costs of the year's periods that no counts could be paired with, longest first and none
    overlapping one taken (a year's and its quarters' would be the year's twice), or None."""
    out, taken = [], []
    spans = [r for r in inside if r.unpaired_cost is not None]
    for row in sorted(spans, key=lambda r: (r.period.start - r.period.end, r.period.start)):
        if not any(row.period.start <= other.end and other.start <= row.period.end for other in taken):
            out.append(row.unpaired_cost)
            taken.append(row.period)
    return sum(out) if out else None


@dataclass
class CostReport:
    key: str  # "2025/26"
    slug: str  # "2025-26", for URLs and file names
    label: str  # "April 2025 to March 2026"
    services: list[CostLine]
    organisations: list[CostLine]
    channels: list[CostLine]
    transactions: float | None
    cost: float | None
    charts: list = field(default_factory=list)  # model.Chart, added by the chart stage
    costed_transactions: float | None = None  # the transactions the total cost is of
    # The months the figures cover ("April to September 2026") where no service's data reaches the
    # year's end: the year so far, which its totals must not be read as (beside last year's whole one).
    covered: str | None = None

    @property
    def partly_costed(self) -> bool:
        return _partly(self.cost, self.costed_transactions, self.transactions)


def _partly(cost, costed, transactions) -> bool:
    """Whether a cost is of noticeably fewer transactions than the line shows (services without
    costs, or periods without them): then cost / transactions is not the cost per transaction."""
    return cost is not None and costed is not None and bool(transactions) and costed < transactions - 0.5


def financial_year(d: date, start_month: int) -> int:
    """The calendar year in which the financial year containing ``d`` starts."""
    return d.year if d.month >= start_month else d.year - 1


def _bounds(year: int, start_month: int) -> tuple[date, date]:
    start = date(year, start_month, 1)
    end = date(year + 1, start_month, 1) - timedelta(days=1)
    return start, end


def years_with_data(services: list[m.ServiceView]) -> list[int]:
    """Financial years (by starting calendar year) holding any service's period, newest first."""
    found = {year for s in services for year, sums in s.year_sums.items() if sums.transactions is not None}
    return sorted(found, reverse=True)


def _service_line(service: m.ServiceView, year: int, bounds: tuple) -> CostLine | None:
    sums = service.year_sums.get(year)
    if sums is None or sums.transactions is None:
        return None
    cost, costed_tx = sums.cost, sums.costed_transactions
    return CostLine(service.name, service.slug, service.url, service.organisation, sums.transactions, cost,
                    cost / costed_tx if cost is not None and costed_tx > 0 else None,
                    sums.estimated, sums.months, sums.cost_months if cost is not None else 0.0,
                    costed_tx if cost is not None else None,
                    service.kpis[m.COST_PER_TRANSACTION].status == m.NOT_REQUESTED or sums.not_requested,
                    sums.unpaired_cost if cost is None else None, tuple(service.uncounted_between(*bounds)))


def _sum_lines(name, slug, url, lines: list[CostLine]) -> CostLine:
    costed = [x for x in lines if x.cost is not None]
    cost = sum(x.cost for x in costed) if costed else None
    costed_tx = sum(x.costed_transactions or 0.0 for x in costed)  # a service costing £0 counts too
    tx = sum(x.transactions for x in lines if x.transactions is not None) if lines else None
    return CostLine(name, slug, url, None, tx, cost, cost / costed_tx if cost is not None and costed_tx else None,
                    any(x.estimated for x in costed), costed_transactions=costed_tx if cost is not None else None,
                    not_requested=bool(lines) and all(x.not_requested for x in lines))


def cost_report(site: m.SiteModel, year: int, start_month: int, channels: list[m.ChannelInfo]) -> CostReport:
    start, end = _bounds(year, start_month)
    services = [line for s in site.services if (line := _service_line(s, year, (start, end))) is not None]
    by_slug = {line.slug: line for line in services}
    organisations = []
    for org in site.organisations:
        lines = [by_slug[s.slug] for s in org.services if s.slug in by_slug]
        if lines:
            organisations.append(_sum_lines(org.name, org.slug, org.url, lines))
    channel_lines = []
    for i, ch in enumerate(channels):
        volume, cost, known = 0.0, 0.0, True
        for s in site.services:
            sums = s.year_sums.get(year)
            if sums is not None and sums.channels[i]:
                volume += sums.channels[i]
                unit = s.unit_costs.get(ch.id, ch.unit_cost)
                if unit is None:
                    known = False
                else:
                    cost += sums.channels[i] * unit
        if volume:
            channel_lines.append(CostLine(ch.label, ch.id, None, None, volume, cost if known else None,
                                          cost / volume if known else None, True,
                                          costed_transactions=volume if known else None))
    total = _sum_lines("All services", "all", None, services)
    last = max((sums.last_end for s in site.services if (sums := s.year_sums.get(year)) is not None
                and sums.transactions is not None and sums.last_end is not None), default=None)
    covered = Period(start, last, "range").label if last is not None and last < end else None
    first_year = str(year)
    key = f"{first_year}/{(year + 1) % 100:02d}" if start_month != 1 else first_year
    return CostReport(key, key.replace("/", "-"), Period(start, end, "range").label, services, organisations,
                      channel_lines, total.transactions, total.cost, costed_transactions=total.costed_transactions,
                      covered=covered)


def cost_reports(site: m.SiteModel, start_month: int, declared: set[str] = frozenset()) -> list[CostReport]:
    """A report for every financial year with data and some cost, newest first: a service's own,
    one estimated from channels' unit costs, one published for a year its counts do not wholly
    cover, or one the data marks not requested. A year with none would be a table of 'no data' in
    every row (a tester's thousand services of a yearly inventory that publishes no costs), or of
    'not requested' where every service says it collects none (``declared``: the slugs of those with
    not_requested: in their YAML or their source's services:; a tester's FOI statistics had a report a
    year, 'Total cost: no data')."""
    reports = (cost_report(site, year, start_month, site.channels) for year in years_with_data(site.services))
    return [report for report in reports if report.cost is not None  # or a cost as published, or one marked
            or any(line.unpaired_cost is not None or line.not_requested and line.slug not in declared
                   for line in report.services)]
