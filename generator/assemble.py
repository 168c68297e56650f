"""Put loaded content and computed figures together into the SiteModel templates receive.

Organisation and home totals are sums of the very figures shown on service
pages (``ServiceView.kpis`` and the year window), so an index page can never
disagree with the pages it summarises.
"""

from __future__ import annotations

import datetime as dt
import os

from generator import model as m
from generator.config import Config
from generator.comparison import lgsl_key, service_comparisons
from generator.content import Content
from generator.costs import cost_reports
from generator.custom_measures import organisation_measures
from generator.markdown_text import render_markdown
from generator.savings import no_savings_reason, service_savings
from generator.segmentation import organisation_migration, service_migration
from generator.figures import COMPLETE_YEAR, KPI_INFO, ServiceFigures
from generator.paths import resolved


def site_info(config: Config) -> m.SiteInfo:
    return m.SiteInfo(
        title=config.title,
        organisation=config.organisation,
        base_url=config.base_url,
        base_path=config.base_path,
        language=config.language,
        currency_symbol=config.currency_symbol,
        phase_banner=config.phase_banner,
        footer_text=config.footer_text,
        financial_year_start=config.financial_year_start,
        currency=config.currency,
    )


def counted(services: list[m.ServiceView], as_of: dt.date | None, last: dict | None = None) -> list[m.ServiceView]:
    """The services with a year of transactions that reaches the year to ``as_of`` (see totals)."""
    last = last if last is not None else {s.slug: _last_transactions(s) for s in services}
    return [s for s in services if s.kpis[m.TRANSACTIONS_PER_YEAR].value is not None and
            not _ended_before(last[s.slug], as_of)]


def totals(services: list[m.ServiceView], years: dict[str, tuple], as_of: dt.date | None = None,
           last: dict | None = None) -> m.Totals:
    """Sum services' yearly figures; take-up over the periods where it is known.

    Each service's figure is its latest 12 months. A service whose figures end a year or more
    before ``as_of`` (the site's latest data) is not counted: its year is not this one, and a
    sum of years ten years apart is nobody's 'transactions per year'. Every total on the site
    uses the same ``as_of``, so an organisation's bars add up to the site's total."""
    with_data = [s for s in services if s.kpis[m.TRANSACTIONS_PER_YEAR].value is not None]
    ends = last if last is not None else {s.slug: _last_transactions(s) for s in with_data}
    latest = as_of or max((ends[s.slug] for s in with_data if ends[s.slug] is not None), default=None)
    current = counted(with_data, latest, ends)
    tx = sum(s.kpis[m.TRANSACTIONS_PER_YEAR].value for s in current) if current else None
    digital_parts = [years[s.slug][:2] for s in current if years.get(s.slug) and years[s.slug][0] is not None]
    digital = sum(d for d, _ in digital_parts) if digital_parts else None
    known = sum(k for _, k in digital_parts) if digital_parts else None
    take_up = digital / known * 100 if digital is not None and known else None
    # The latest 12 months of services that stopped publishing in the last year end earlier than
    # the others': say how many, so the sum is not read as one year's.
    older = [s.name for s in current if ends[s.slug] is not None and (latest - ends[s.slug]).days > 31]
    # A service with a few weeks of figures adds those weeks, as its own page shows: say how many.
    partial = [s.name for s in current if s.slug in years and not years[s.slug][2]]
    months = {(ends[s.slug].year, ends[s.slug].month) for s in current if ends[s.slug] is not None}
    ends_in = dt.date(*next(iter(months)), 1) if len(months) == 1 else None
    return m.Totals(len(services), len(with_data), tx, digital, take_up, known, len(older),
                    f"{latest:%B %Y}" if latest else None, _none_collect(services),
                    left_out=len(with_data) - len(current),
                    with_figures=sum(1 for s in services if s.measures or _last_figures(s) is not None),
                    counted_from=f"{latest - dt.timedelta(days=364):%B %Y}" if latest else None,
                    older_names=tuple(older) if len(older) <= 3 else (),
                    partial=len(partial), partial_names=tuple(partial) if len(partial) <= 3 else (),
                    ends_in=f"{ends_in:%B %Y}" if ends_in else None,
                    published=tuple(sorted({k for s in services for k, f in s.kpis.items() if f.value is not None})))


def ended_services(figures: dict[str, ServiceFigures]) -> frozenset[str]:
    """The services whose figures end a year or more before the site's latest (ServiceView.ended),
    from their figures: what a build checks a reused service's page against (see build.prepare)."""
    last, as_of = service_ends(figures)
    return frozenset(slug for slug, end in last.items() if _ended_before(end, as_of))


def service_ends(services: dict) -> tuple[dict[str, dt.date | None], dt.date | None]:
    """(each service's end, the site's latest) for whether a service has ended (``_ended_before``).

    A service's end is that of its latest transactions, if it publishes any: a later satisfaction
    figure does not make a year of transactions current, and the totals count transactions. A
    service with none (a survey's rates, a declared measure) ends with its latest figure of any
    kind: a tester's services of rates alone, two years old, had stood in an organisation's chart
    of take-up beside one left out as ended for transactions a year newer, and a declared measure
    of 2016 in a total of 2018. The site's latest is that of the latest transactions, where any
    service has them (as before: a later survey does not end every service counting transactions)."""
    last, counts = {}, []
    for slug, service in services.items():  # (figures or views, by slug)
        end = _last_transactions(service)
        if end is not None:
            counts.append(end)
        else:
            points = [period.end for f in getattr(service, "measures", None) or () for period, value in f.points
                      if value is not None]
            end = max(filter(None, [_last_where(service, _HAS_FIGURES), *points]), default=None)
        last[slug] = end
    return last, max(counts, default=None) or max(filter(None, last.values()), default=None)


def category_key(category: str | None) -> str:
    """The category services are compared within (savings' best comparable service): '' for none."""
    return (category or "").strip().lower()


def best_comparables(services, figures: dict[str, ServiceFigures]) -> dict[str, tuple[float, str] | None]:
    """Each categorised service's best comparable service (savings.best_comparable), from the figures
    alone: other services' figures change it, so a build checks a reused service's page against it."""
    from generator.savings import best_comparable, comparable_take_up

    ended = ended_services(figures)
    by_category: dict[str, list[tuple[str, str, float | None]]] = {}
    for svc in services:
        if category_key(svc.category) and svc.slug in figures:  # (not if its data had errors)
            by_category.setdefault(category_key(svc.category), []).append(
                (svc.slug, svc.name, comparable_take_up(figures[svc.slug], svc.slug in ended)))
    return {svc.slug: best_comparable(svc.slug, by_category[category_key(svc.category)])
            for svc in services if category_key(svc.category) and svc.slug in figures}


_HAS_FIGURES = m.PeriodRow.has_figures.fget  # a period row with a figure (a digital count alone too, but for 0)


def _ended_before(end: dt.date | None, as_of: dt.date | None) -> bool:
    """Whether a service's transactions end a year or more before the site's latest data."""
    return end is not None and as_of is not None and (as_of - end).days >= 365


def _ended_label(view: m.ServiceView) -> tuple[str, str]:
    """(the period an ended service's figures end with, which figures those are): see service_ends."""
    row = _last_row_where(view, lambda row: row.transactions is not None)
    if row is not None:
        return row.period.label, "transactions"
    row = _last_row_where(view, _HAS_FIGURES)
    points = [period for f in view.measures for period, value in f.points if value is not None]
    latest = max([*points, *([row.period] if row is not None else [])], key=lambda p: (p.end, p.start))
    return latest.label, "figures"


def _last_figures(service: m.ServiceView) -> dt.date | None:
    """The end of a service's latest period with any figure (an export's last row may be all blanks)."""
    return _last_where(service, _HAS_FIGURES)


def latest_period_label(services: list[m.ServiceView]) -> str | None:
    """The home page's 'Latest data': the label of the latest period any service has a figure for,
    named as the services table names periods. Its month alone had read 'Latest data: March 2024'
    for a site of financial years, whose latest is April 2023 to March 2024. Of periods ending the
    same day (a month and the year it closes), the shortest: the newest figures are for it."""
    latest = [row.period for s in services if (row := _last_row_where(s, _HAS_FIGURES)) is not None]
    return max(latest, key=lambda p: (p.end, p.start)).label if latest else None


def _last_transactions(service: m.ServiceView | ServiceFigures) -> dt.date | None:
    """The end of a service's latest period with transactions (a later row may hold none)."""
    return _last_where(service, lambda row: row.transactions is not None)


def _last_where(service: m.ServiceView | ServiceFigures, wanted) -> dt.date | None:
    """The end of a service's last period that is ``wanted``."""
    row = _last_row_where(service, wanted)
    return row.period.end if row is not None else None


def _last_row_where(service: m.ServiceView | ServiceFigures, wanted) -> m.PeriodRow | None:
    """The last row first: a reused service's rows are stored packed, and only its last is kept
    unpacked (units.StoredRows), so the usual case reads none of the others."""
    periods = service.periods
    if not periods:
        return None
    if wanted(periods[-1]):
        return periods[-1]
    return next((row for row in reversed(periods) if wanted(row)), None)


def _none_collect(services: list[m.ServiceView]) -> frozenset:
    """The KPIs that no service of a set collects: their total is "not requested", as each
    service's card says, rather than "no data", which would read as figures not yet published."""
    if not services:
        return frozenset()
    return frozenset.intersection(*(frozenset(k for k, f in s.kpis.items() if f.status == m.NOT_REQUESTED)
                                    for s in services))


def councils_of(content: Content, publisher: str) -> dict[str, str]:
    """Organisation slug -> the council it belongs to.

    A site hosting several councils (a shared service or a partnership) has more than one
    organisation with ``kind: council`` running services: each organisation belongs to its
    nearest council (itself or an ancestor). Otherwise everything belongs to the publisher, so a
    government site's departments are not mistaken for councils to compare.
    """
    by_slug = {o.slug: o for o in content.organisations}

    def council(slug: str) -> str | None:
        seen = set()
        while slug in by_slug and slug not in seen:
            seen.add(slug)
            if (by_slug[slug].kind or "").strip().lower() == "council":
                return by_slug[slug].name
            slug = by_slug[slug].parent
        return None

    found = {o.slug: council(o.slug) for o in content.organisations}
    running = {found.get(s.organisation) for s in content.services} - {None}
    if len(running) < 2:
        return {o.slug: publisher for o in content.organisations}
    return {slug: name or publisher for slug, name in found.items()}


def shared_lgsl_across_councils(content: Content, council_of: dict[str, str]) -> bool:
    """True if one LGSL service is run by two councils on this site (so their pages compare them)."""
    seen: dict[str, str] = {}
    for s in content.services:
        if s.lgsl in (None, ""):
            continue
        code, council = lgsl_key(s.lgsl), council_of.get(s.organisation)
        if seen.setdefault(code, council) != council:
            return True
    return False


def assemble(config: Config, content: Content, figures: dict[str, ServiceFigures],
             data_files: dict[str, str], peers: list | None = None) -> m.SiteModel:
    org_refs = {o.slug: m.OrgRef(o.slug, o.name, f"organisations/{o.slug}/") for o in content.organisations}
    services: list[m.ServiceView] = []
    years: dict[str, tuple] = {}
    links: list = []  # Markdown links within the site, checked once the site's files are known
    for svc in content.services:
        fig = figures[svc.slug]
        # The last: whether its latest 12 months are whole (as its own card says when they are not).
        years[svc.slug] = (fig.year.digital, fig.year.transactions_known_split,
                           fig.year.months_with_data >= COMPLETE_YEAR)
        services.append(m.ServiceView(
            slug=svc.slug,
            name=svc.name,
            url=f"services/{svc.slug}/",
            description=svc.description,
            organisation=org_refs[svc.organisation],
            category=svc.category,
            lgsl=svc.lgsl,
            service_url=svc.url,
            source=svc.source,
            notes_html=render_markdown(svc.notes, shift_headings=2, page_url=f"services/{svc.slug}/",
                                       source=svc.path, links=links) if svc.notes else None,
            annotations=list(svc.annotations),
            last_updated=svc.last_updated,
            kpis=fig.kpis,
            channel_split=fig.channel_split,
            split_period_label=fig.year.label,
            split_previous_label=fig.year.previous_label,
            periods=fig.periods,
            data_period_label=fig.data_period_label,
            latest_label=fig.latest_label,
            cost_spans=list(fig.cost_spans),
            uncounted_channels=list(fig.uncounted_channels),
            uncounted_spans=dict(fig.uncounted_spans),
            split_start=fig.year.start,
            split_end=fig.year.end,
            data_file=data_files.get(svc.slug),
            has_data=bool(fig.periods),
            rows_without_figures=not (fig.periods or fig.measures or fig.cost_spans or fig.unpaired_costs)
            and bool(svc.data) and all(ref.generated for ref in svc.data),
            source_path=_display_path(config, svc.path),
            not_requested=fig.not_requested,
            channels_used=list(fig.channels_used),
            measures=list(fig.measures),
            unit_costs=dict(svc.unit_costs),
        ))
    services.sort(key=lambda s: (s.name.lower(), s.slug))
    council_of = councils_of(content, config.organisation)
    for view in services:
        view.council = council_of.get(view.organisation.slug, config.organisation)
    service_comparisons(services, list(KPI_INFO.values()), lambda s: s.council, peers or [])
    # The site's latest data: every total counts the services whose figures reach the year to it.
    last, as_of = service_ends({view.slug: view for view in services})
    for view in services:
        if _ended_before(last[view.slug], as_of):
            view.ended, view.ended_figures = _ended_label(view)
    site_costs = {c.id: c.unit_cost for c in config.channels}
    by_category: dict[str, list[m.ServiceView]] = {}
    for view in services:
        if category_key(view.category):  # as best_comparables groups them
            by_category.setdefault(category_key(view.category), []).append(view)
    for view in services:
        view.migration = service_migration(view)
        fig = figures[view.slug]
        view.seasons, view.year_sums, view.channel_rows = fig.seasons, fig.year_sums, fig.channel_rows
        category = by_category.get(category_key(view.category), []) if category_key(view.category) else []
        # Savings are about raising digital take-up and what it costs: not for a service that does
        # not collect its take-up, nor one that does not publish its cost (an estimate would). Nor
        # for one whose latest 12 months are not whole: three months' cost had been called 'yearly'
        # and ranked beside whole years' on the savings pages.
        view.savings = None if view.ended or not years[view.slug][2] or {
            m.DIGITAL_TAKE_UP, m.COST_PER_TRANSACTION} & set(view.not_requested) else service_savings(
            view, site_costs, category)

    children: dict[str, list[str]] = {}
    for o in content.organisations:
        if o.parent:
            children.setdefault(o.parent, []).append(o.slug)

    def descendants(slug: str) -> set[str]:
        found = {slug}
        for child in children.get(slug, []):
            found |= descendants(child)
        return found

    organisations = []
    for o in content.organisations:
        family = descendants(o.slug)
        own = [s for s in services if s.organisation.slug in family]
        organisations.append(m.OrganisationView(
            slug=o.slug,
            name=o.name,
            url=org_refs[o.slug].url,
            kind=o.kind,
            description=o.description,
            website=o.url,
            parent=org_refs.get(o.parent) if o.parent else None,
            children=sorted((org_refs[c] for c in children.get(o.slug, [])), key=lambda r: r.name.lower()),
            services=own,
            totals=totals(own, years, as_of, last),
            # Declared measures too leave out a service whose figures ended a year before the site's.
            measures=organisation_measures(
                [(s.name, s.measures) for s in own if not _ended_before(last[s.slug], as_of)], config),
            migration=organisation_migration([s for s in own if not s.ended]),
            source_path=_display_path(config, o.path),
        ))
    organisations.sort(key=lambda o: (o.name.lower(), o.slug))

    pages = [
        m.MarkdownPage(p.slug, p.title, f"{p.slug}/",
                       render_markdown(p.body, shift_headings=_shift(p.body), page_url=f"{p.slug}/", source=p.path,
                                       links=links),
                       p.description, p.nav_order, _display_path(config, p.path),
                       p.language if p.language and p.language.lower() != config.language.lower() else None,
                       p.slug_at)
        for p in sorted(content.pages, key=lambda p: p.slug)
    ]
    site = m.SiteModel(
        site=site_info(config),
        channels=[m.ChannelInfo(c.id, c.label, c.digital, c.unit_cost) for c in config.channels],
        kpis=list(KPI_INFO.values()),
        services=services,
        organisations=organisations,
        pages=pages,
        totals=totals(services, years, as_of, last),
        latest_period_label=latest_period_label(services),
    )
    site.markdown_links = links
    site.no_savings_reason = no_savings_reason(services, site.channels,
                                               frozenset(slug for slug, year in years.items() if year[2]))
    site.organisation_shares = organisation_shares(organisations, years, as_of, last)
    site.cost_reports = cost_reports(site, config.financial_year_start,
                                     {svc.slug for svc in content.services if m.COST_PER_TRANSACTION in svc.not_requested})
    return site


def organisation_shares(organisations: list[m.OrganisationView], years: dict[str, tuple],
                        as_of: dt.date | None = None, last: dict | None = None) -> list[m.OrganisationShare]:
    """What the home page's by-organisation charts compare: each service counted in exactly one.

    An organisation's totals include the services of the organisations under it (as its page
    says), so a department charted beside its own agency would count the agency's services
    twice, and the bars would add up to more than the site's total. So the top-level
    organisations are charted; a single one (a council with its directorates, say) gives way
    to the organisations under it, with a bar of its own for the services it runs itself.
    """
    by_slug = {o.slug: o for o in organisations}
    level = [o for o in organisations if o.parent is None and o.services]
    own: list[m.ServiceView] = []
    while len(level) == 1 and not own:
        only = level[0]
        under = [by_slug[c.slug] for c in only.children if by_slug[c.slug].services]
        if not under:
            break
        own = [s for s in only.services if s.organisation.slug == only.slug]
        level = under
    shares = [m.OrganisationShare(o.name, o.totals, any(s.organisation.slug != o.slug for s in o.services))
              for o in level]
    if own:
        shares.append(m.OrganisationShare(f"{only.name} (services it runs itself)", totals(own, years, as_of, last), False))
    return shares


def _display_path(config: Config, path) -> str:
    # As found under the site, without resolving, and told from its text: pathlib's parts and
    # relative_to took a tenth of a second for the benchmark's 783 files, in the build's serial stretch.
    text, root = str(path), str(config.root)
    under = root if root.endswith(os.sep) else root + os.sep  # (the root of a disk ends with one)
    if text.startswith(under) and path.is_absolute() and ".." not in text.split(os.sep):
        return text[len(under):]
    path = resolved(path)
    return str(path.relative_to(config.root)) if path.is_relative_to(config.root) else str(path)


def _shift(body: str) -> int:
    """Demote a page's headings so its own title stays the only h1."""
    lines = [ln for ln in body.splitlines() if ln.startswith("#")]
    top = min((len(ln) - len(ln.lstrip("#")) for ln in lines), default=2)
    return max(0, 2 - top)
