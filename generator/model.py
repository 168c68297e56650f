"""The computed site model: everything templates receive, already worked out.

This module is the contract between the compute stage (``metrics.py``) and
the render stage (``render.py``/templates). Templates only *format* these
values (with the filters in ``render.py``); they never add, divide or compare
figures. Every page that shows a figure reads it from here, which is how
organisation and home totals are guaranteed to agree with service pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from generator.periods import Period

# Units a figure can have; the ``fmt`` template filter formats by unit.
COUNT = "count"  # 1,234
PERCENT = "percent"  # 63.2% (stored as 0-100, not 0-1)
MONEY = "money"  # £3.41
MONEY_WHOLE = "money_whole"  # £32,087: a year's cost or saving, in whole pounds down a column (not £32,087.14)
SECONDS = "seconds"  # 45 seconds (measures declared in config.yaml)
NUMBER = "number"  # 3.25 (a plain number, to two places)

# Status of a figure: present, genuinely missing, or deliberately not collected.
OK = "ok"
NO_DATA = "no_data"
NOT_REQUESTED = "not_requested"

# KPI keys, in the order cards and table columns appear.
TRANSACTIONS_PER_YEAR = "transactions_per_year"
DIGITAL_TAKE_UP = "digital_take_up"
COST_PER_TRANSACTION = "cost_per_transaction"
COMPLETION_RATE = "completion_rate"
USER_SATISFACTION = "user_satisfaction"
KPI_KEYS = (
    TRANSACTIONS_PER_YEAR,
    DIGITAL_TAKE_UP,
    COST_PER_TRANSACTION,
    COMPLETION_RATE,
    USER_SATISFACTION,
)


@dataclass(frozen=True)
class KpiInfo:
    """What a KPI is: shown in table headers, card titles and definitions."""

    key: str
    label: str
    unit: str
    higher_is_better: bool | None  # None: neither (more transactions is not better or worse)
    definition: str


@dataclass
class Figure:
    """One KPI for one service (or organisation) as a card shows it.

    ``value`` is for ``period``, the latest period with data for this KPI;
    ``previous_value`` is for ``previous_period``, the latest earlier period
    with data (gaps are skipped, as the Transactions Explorer did).
    """

    info: KpiInfo
    value: float | None = None
    period_label: str | None = None  # e.g. "March 2025" or "April 2024 to March 2025"
    previous_value: float | None = None
    previous_period_label: str | None = None
    change: float | None = None  # value - previous_value (percentage points for PERCENT)
    change_percent: float | None = None  # relative change, for COUNT and MONEY
    direction: str | None = None  # "up", "down", "same" or None
    assessment: str | None = None  # "better", "worse", "same" or None
    estimated: bool = False  # cost from channel unit costs, not cost data
    status: str = NO_DATA  # OK, NO_DATA or NOT_REQUESTED
    target: float | None = None
    meets_target: bool | None = None
    note: str | None = None  # e.g. "11 of 12 months have data"
    stale: bool = False  # for an earlier period than the service's latest data
    dated: bool = False  # for a period ending a year or more before the service's latest data
    no_comparison: str | None = None  # why there is no change, when an earlier period exists but is not used
    # Transactions per year: its year has fewer than 12 months (or quarters) of complete figures, which
    # a table cell says. Not any note: 'only a digital count was published for a later period' is not
    # that, and a table had said it of one whole year's published total (a tester's).
    partial_year: bool = False

    @property
    def key(self) -> str:
        return self.info.key

    @property
    def label(self) -> str:
        return self.info.label

    @property
    def unit(self) -> str:
        return self.info.unit


@dataclass
class ChannelInfo:
    id: str
    label: str
    digital: bool
    unit_cost: float | None


@dataclass
class ChannelShare:
    """A channel's transactions and share in the split window."""

    channel: ChannelInfo
    transactions: float | None
    share: float | None  # percent of all transactions in the window
    previous_share: float | None  # percent in the 12 months before, if data
    previous_transactions: float | None = None  # in the 12 months before, if they are a whole year
    gaps: int = 0  # periods in the window this channel has no figure for (so its share is of the rest)
    # Its last period with a figure, where that is before the service's latest and no period after it
    # lacks one (a channel that closed, written '-', or whose rows stop): it counts as none since.
    last_label: str | None = None


@dataclass
class PeriodRow:
    """One row of a service's table of figures per period."""

    period: Period
    transactions: float | None
    digital_transactions: float | None
    digital_take_up: float | None
    cost_per_transaction: float | None
    cost_estimated: bool
    completion_rate: float | None
    user_satisfaction: float | None
    by_channel: list[float | None]  # aligned with SiteModel.channels
    complete: bool = True  # False when a channel's count is blank in this period
    not_requested: frozenset = frozenset()  # KPIs whose cells say "not requested" in this period
    # A cost given for this period (a finance file's year) that the counts of its months could not be
    # paired with (one missing): in no cost per transaction and no sum, but shown on the cost report.
    unpaired_cost: float | None = None
    # A cost given for a period with no transactions (0 in every channel): it has no cost per
    # transaction, but it is part of its year's total cost (costs.year_sums).
    idle_cost: float | None = None

    @property
    def has_figures(self) -> bool:
        """Whether it gives a figure: a KPI, or a digital count with no total (that is published
        too) unless that count is 0, the Transactions Explorer's way of writing nothing for a service
        that had ended. Such rows had made 'the latest figures' years later than any a page showed:
        cards of a service's last year said they were 'a year or more before the latest figures', and
        the services table and the home page named periods with nothing in them (a tester's)."""
        return self.transactions is not None or self.digital_take_up is not None \
            or self.cost_per_transaction is not None or self.completion_rate is not None \
            or self.user_satisfaction is not None or bool(self.digital_transactions)

    @property
    def a_zero_digital_count_alone(self) -> bool:
        """Whether its only figure is a digital count of 0 with no total (see has_figures)."""
        return self.digital_transactions == 0 and not self.has_figures and not self.not_requested

    def of_no_transactions(self, kpi: str) -> bool:
        """Whether this period has no ``kpi`` because it had no transactions (0 in every channel): a
        share or cost of none, which its tables and downloads say, as it is not missing data."""
        return self.transactions == 0 and kpi in (DIGITAL_TAKE_UP, COST_PER_TRANSACTION) and getattr(self, kpi) is None


@dataclass
class Annotation:
    date: date
    text: str

    @property
    def label(self) -> str:
        return f"{self.date.day} {self.date:%B %Y}"


@dataclass
class ChartColumn:
    key: str  # key in each row
    label: str  # column header
    unit: str  # "text", COUNT, PERCENT or MONEY
    # What a cell with no value says, where that is not "no data": a past month's forecast is
    # not missing, there is none to have. In a text column, what it says in a row with a value
    # (render._text_blank).
    blank: str | None = None
    # (another column's key, text): what a cell with no value says in a row where that column has
    # one. A month to come has a forecast and no count yet, which is not missing either.
    blank_beside: tuple[str, str] | None = None


@dataclass
class Chart:
    """One chart and everything that goes with it: summary, table and downloads.

    ``rows`` are exactly the values plotted (and downloaded); ``spec`` is the
    filled Vega-Lite spec; ``svg`` is its static rendering, added at build time:
    held as text, or (``svg_file``) read from the chart cache, or (``svg_drawer``)
    drawn from the spec, only when a page is rendered, so thousands of drawn
    charts are never all in memory at once.
    """

    id: str  # unique within its page, e.g. "digital-take-up"
    title: str
    summary: str  # one plain-English sentence computed from the data
    columns: list[ChartColumn]
    rows: list[dict]
    spec: dict
    download_base: str  # site-relative path without extension, e.g. "data/charts/services/x/digital-take-up"
    annotations: list[Annotation] = field(default_factory=list)
    svg_text: str | None = None
    svg_file: str | None = None
    svg_drawer: object = None  # spec -> SVG text (generator.svg_charts.draw)
    data_version: str = ""  # a hash of the JSON download, so a page never draws with a cached older one

    @property
    def svg(self) -> str | None:
        if self.svg_text is not None:
            return self.svg_text
        if self.svg_file is not None:
            with open(self.svg_file, encoding="utf-8") as handle:
                return handle.read()
        if self.svg_drawer is not None:
            return self.svg_drawer(self.spec)
        return None

    @property
    def has_svg(self) -> bool:
        """Whether there is a static SVG, without reading or drawing it."""
        return self.svg_text is not None or self.svg_file is not None or self.svg_drawer is not None

    @svg.setter
    def svg(self, text: str | None) -> None:
        self.svg_text, self.svg_file = text, None

    @property
    def spec_for_page(self) -> dict:
        """The spec as a page embeds it: without its main dataset, which the page's script
        fetches from the JSON download (``json_url``, the same rows). Embedding both made
        service pages nearly twice the size, for phones to download and builds to write."""
        return {**self.spec, "datasets": {**self.spec.get("datasets", {}), "table": []}}

    @property
    def csv_url(self) -> str:
        return self.download_base + ".csv"

    @property
    def json_url(self) -> str:
        return self.download_base + ".json"


@dataclass
class OrgRef:
    slug: str
    name: str
    url: str  # site-relative output path, e.g. "organisations/resources/"


@dataclass
class ServiceView:
    slug: str
    name: str
    url: str  # "services/<slug>/"
    description: str
    organisation: OrgRef
    category: str | None
    lgsl: str | None
    service_url: str | None  # the service itself, on the council's site
    source: str | None  # where the data comes from
    notes_html: str | None  # Markdown notes rendered to safe HTML
    annotations: list[Annotation]
    last_updated: date | None
    kpis: dict[str, Figure]  # keyed by KPI_KEYS, always all five present
    channel_split: list[ChannelShare]
    split_period_label: str | None  # e.g. "April 2024 to March 2025"
    split_previous_label: str | None  # e.g. "April 2023 to March 2024"
    periods: list[PeriodRow]  # oldest first
    data_period_label: str | None  # "April 2022 to March 2025"
    data_file: str | None  # site-relative path to this service's tidy CSV download
    has_data: bool = True
    # Made from a file's rows, all of them without a figure (a body that closed, '-' throughout): its
    # page says so, not that figures will appear 'once' they are published (a tester's).
    rows_without_figures: bool = False
    source_path: str = ""  # the YAML file it came from (for error messages)
    not_requested: tuple[str, ...] = ()  # KPI keys this service does not collect
    measures: list = field(default_factory=list)  # custom_measures.MeasureFigures: declared measures
    migration: object = None  # segmentation.Migration: channels that gained or lost share
    unit_costs: dict = field(default_factory=dict)  # channel id -> this service's own unit cost
    savings: object = None  # savings.Savings: what more digital take-up would save
    # Seasons and the year ahead: a Seasons, or a packed one (units.Packed) that only the
    # service's own page unpacks, through the properties below.
    seasons: object = None
    comparisons: list = field(default_factory=list)  # comparison.Comparison per KPI, against like services
    peer_services: list = field(default_factory=list)  # comparison.PeerService: who it is compared with
    dated_peers: list = field(default_factory=list)  # of those, councils whose figures are a year or more older
    unranked_estimates: list = field(default_factory=list)  # councils (this one too) whose estimated cost is not ranked
    council: str | None = None  # the council it belongs to (its top-level organisation, or the publisher)
    charts: list[Chart] = field(default_factory=list)
    channels_used: list[int] = field(default_factory=list)  # indexes into SiteModel.channels with data
    # Kept with the figures so that pages summing many services need none of their period rows:
    year_sums: dict = field(default_factory=dict)  # financial year -> costs.YearSums
    channel_rows: list = field(default_factory=list)  # segmentation.channel_rows
    # Its latest period with any figure ("September 2026"): a services table names it beside the
    # service, and names a figure's own period only where it is earlier (Figure.stale).
    latest_label: str | None = None
    cost_spans: list = field(default_factory=list)  # figures.ServiceFigures.cost_spans: years of cost beside months
    uncounted_channels: list[str] = field(default_factory=list)  # figures.ServiceFigures.uncounted_channels

    uncounted_spans: dict = field(default_factory=dict)  # figures.ServiceFigures.uncounted_spans
    split_start: object = None  # the days its latest 12 months (split_period_label) run from, a datetime.date
    split_end: object = None

    def uncounted_between(self, start, end) -> list[str]:
        """The channels marked not requested in some period overlapping ``start`` to ``end`` (dates):
        what a year's savings or costs leave out. Said of every year, one marked so in 3 months of
        24 had been said of a year that counted it; said of none but those never counted, one marked
        so in October to December went unsaid of that year (two reviews)."""
        if start is None or end is None:
            return []
        return [label for label, spans in self.uncounted_spans.items()
                if any(first <= end and start <= last for first, last in spans)]
    # Where its transactions end a year or more before the site's latest data (a service that stopped,
    # or stopped publishing), the label of its last period with them ("June 2023"), else None: not
    # counted in totals or organisation charts, and its page says so; no forecast (its 'next 12
    # months' are past) and no savings.
    ended: str | None = None
    ended_figures: str = "transactions"  # what ended ends with: "figures" for a service with no transactions

    def _seasons(self) -> "Seasons":
        if self.seasons is None:
            return NO_SEASONS
        if not isinstance(self.seasons, Seasons):
            self.seasons = self.seasons.unpack()
        return self.seasons

    # Any transactions, in all or by channel: a service of rates alone (planning applications decided
    # in time) had a table of transactions by channel and period with 'no data' in every cell.
    has_transactions = property(lambda self: any(
        row.transactions is not None or any(v is not None for v in row.by_channel) for row in self.periods))
    forecast = property(lambda self: None if self.ended else self._seasons().forecast)
    # Whether it would have a forecast but for having ended: its page says it has none only then (a
    # page of rolling years, of which no service has one, had said so of 133 services: a tester's).
    forecast_withheld = property(lambda self: bool(self.ended) and self._seasons().forecast is not None)
    # The day its latest period ends (benchmarks: a peer's figures a year older are said to be).
    latest_end = property(lambda self: self.periods[-1].period.end if self.periods else None)
    month_profile = property(lambda self: self._seasons().month_profile)
    same_month = property(lambda self: self._seasons().same_month)
    unusual = property(lambda self: self._seasons().unusual)


@dataclass(frozen=True)
class Seasons:
    """A monthly service's seasons and year ahead (generator.seasonality, generator.forecast).

    Only its own page shows them, so a reused service keeps them packed: unpickling
    hundreds of forecasts that no page of a one-service rebuild reads cost a tenth of it.
    """

    forecast: object = None  # forecast.Forecast of transactions, for 24 months of monthly data or more
    month_profile: tuple = ()  # seasonality.MonthProfile, January to December
    same_month: object = None  # seasonality.SameMonthLastYear
    unusual: object = None  # seasonality.Unusualness of the latest month


NO_SEASONS = Seasons()


@dataclass
class Totals:
    """Sums over a set of services, from the figures on their own pages."""

    services: int
    services_with_data: int
    transactions_per_year: float | None
    digital_transactions_per_year: float | None
    digital_take_up: float | None  # digital / transactions over the same windows
    known_split_transactions: float | None = None  # the transactions take-up is worked out over
    older: int = 0  # services with data whose latest ends well before the latest of them all
    latest_label: str | None = None  # the month the latest of them ends in, e.g. "September 2017"
    not_requested: frozenset = frozenset()  # KPI keys none of the services collects: "not requested"
    left_out: int = 0  # services with data whose figures end a year or more before the latest: not summed
    counted_from: str | None = None  # the month a service's figures must end in or after to be summed
    with_figures: int = 0  # services with any figure published (declared measures alone, too)
    older_names: tuple = ()  # the names of those ``older`` counts, when three or fewer: the home page names them
    partial: int = 0  # services counted whose latest 12 months are not whole (a few weeks of figures, say)
    partial_names: tuple = ()  # their names, when three or fewer: the home page names them
    ends_in: str | None = None  # the month every counted service's latest 12 months end in, if one ("May 2025")
    published: tuple = ()  # KPI keys some service has a figure for, sorted: what the home page promises


@dataclass
class OrganisationView:
    slug: str
    name: str
    url: str
    kind: str | None  # council, department, agency, directorate...
    description: str | None
    website: str | None
    parent: OrgRef | None
    children: list[OrgRef]
    services: list[ServiceView]  # this organisation's own services and its children's
    totals: Totals
    source_path: str = ""
    measures: list = field(default_factory=list)  # declared measures over its services' latest 12 months
    migration: object = None  # segmentation.Migration: channels that gained or lost share
    charts: list[Chart] = field(default_factory=list)


@dataclass
class OrganisationShare:
    """One bar of the home page's by-organisation charts: an organisation's totals, or those of the
    services it runs itself (``own``), when the organisations under it have bars of their own."""

    name: str
    totals: Totals
    includes_others: bool  # counts the services of organisations under it


@dataclass
class SortOption:
    """One pre-sorted static version of a services table."""

    key: str  # "name", "organisation", or a KPI key
    label: str
    descending: bool
    url: str


@dataclass
class ServicesTable:
    """The all-services table in one sort order."""

    sort: SortOption
    options: list[SortOption]  # all sort orders, for header links
    rows: list[ServiceView]


@dataclass
class MarkdownPage:
    slug: str
    title: str
    url: str
    html: str  # rendered Markdown (raw HTML in the source is escaped)
    description: str | None
    nav_order: int | None  # shown in the header navigation when set
    source_path: str
    language: str | None = None  # lang= on its text and on links to it: set where it is not the site's
    slug_at: tuple[int | None, int | None] = (None, None)  # (line, column) of its slug: in its file


@dataclass
class SiteInfo:
    title: str
    organisation: str  # publisher name
    base_url: str
    base_path: str  # path part of base_url, e.g. "/" or "/repo-name/"
    language: str
    currency_symbol: str
    phase_banner: str | None
    footer_text: str | None
    financial_year_start: int = 4  # month
    currency: str = "GBP"  # its code, which the data package names (a symbol such as $ is several currencies')


@dataclass
class SiteModel:
    site: SiteInfo
    channels: list[ChannelInfo]
    kpis: list[KpiInfo]
    services: list[ServiceView]  # sorted by name
    organisations: list[OrganisationView]  # sorted by name
    pages: list[MarkdownPage]
    totals: Totals
    latest_period_label: str | None
    organisation_shares: list[OrganisationShare] = field(default_factory=list)  # each service in one
    home_charts: list[Chart] = field(default_factory=list)
    cost_reports: list = field(default_factory=list)  # costs.CostReport per financial year, newest first
    savings_charts: list[Chart] = field(default_factory=list)  # on the savings ranking pages
    no_savings_reason: str = ""  # what the savings page says where no service has savings (savings.no_savings_reason)
    vega_bundle: str | None = None  # site-relative path of the Vega runtime, when charts are interactive
    asset_versions: dict = field(default_factory=dict)  # static file ('css/site.css') -> digest of its content
    chart_setup: list = field(default_factory=list)  # applied to each chart made later, with its page (charts.LazyCharts)
    markdown_links: list = field(default_factory=list)  # markdown_text.SiteLink and MarkdownSlip: to check, and tell


def with_cost_spans(periods: list[PeriodRow], spans: list[PeriodRow]) -> list[PeriodRow]:
    """A service's periods with its cost spans (see ServiceView.cost_spans), in order: what the cost
    chart, the cost report and the open data read."""
    return sorted([*periods, *spans], key=lambda row: (row.period.start, row.period.end)) if spans else periods


def counted_rows(periods: list[PeriodRow]) -> list[PeriodRow]:
    """A service's periods without those of another kind that hold no count: what its tables and
    charts of transactions read. A survey's own periods (three years together, or quarters beside
    months of counts) each stood in the transactions table and chart as a period of 'no data',
    breaking every line; they stay in the table of figures by period, with the figure they hold."""
    def counts(row: PeriodRow) -> bool:
        return row.transactions is not None or row.digital_transactions is not None or \
            any(value is not None for value in row.by_channel)

    kinds = {row.period.kind for row in periods if counts(row)}
    if len(kinds) != 1 or all(row.period.kind in kinds for row in periods):
        return periods
    return [row for row in periods if row.period.kind in kinds or counts(row)]

