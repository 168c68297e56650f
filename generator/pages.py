"""Decide which pages the site has, where each is written and which template draws it.

Pages are planned from the finished model before anything is rendered, so two
inputs that would write the same output path are caught (naming both) before
a single file is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator import model as m
from generator.errors import Problems
from generator.write import LONGEST_NAME

# Sort orders offered on the all-services table: (key, label, default descending).
SORT_COLUMNS = [
    ("name", "Service", False),
    ("organisation", "Organisation", False),
    (m.TRANSACTIONS_PER_YEAR, "Transactions per year", True),
    (m.DIGITAL_TAKE_UP, "Digital take-up", True),
    (m.COST_PER_TRANSACTION, "Cost per transaction", False),
    (m.COMPLETION_RATE, "Completion rate", True),
    (m.USER_SATISFACTION, "User satisfaction", True),
]


@dataclass
class Crumb:
    label: str
    url: str | None  # None for the current page


@dataclass
class PageSpec:
    """One output file: where it goes, which templates may draw it, and with what."""

    path: str  # relative to the output folder, e.g. "services/council-tax/index.html"
    templates: list[str]  # tried in order; the most specific name first
    title: str
    source: str  # the input that produced it, for collision errors
    kind: str  # home, services, service, organisations, organisation, page, not_found
    breadcrumbs: list[Crumb] = field(default_factory=list)
    context: dict = field(default_factory=dict)
    reuse: tuple[str, int] | None = None  # (sha256, size) of the previous build's file, kept as it is
    where: tuple[int | None, int | None] = (None, None)  # (line, column) in source that decides its path

    @property
    def url(self) -> str:
        """Site-relative URL (folder form): "services/council-tax/"."""
        return self.path[: -len("index.html")] if self.path.endswith("index.html") else self.path


def sort_url(key: str, descending: bool, default: bool) -> str:
    if default:
        return "services/"
    return f"services/sort/{key.replace('_', '-')}-{'desc' if descending else 'asc'}/"


def _sort_rows(services: list[m.ServiceView], key: str, descending: bool) -> list[m.ServiceView]:
    """Sort rows by one column; services with no value always come last."""
    if key == "name":
        return sorted(services, key=lambda s: (s.name.lower(), s.slug), reverse=descending)
    if key == "organisation":
        ordered = sorted(services, key=lambda s: (s.name.lower(), s.slug))
        return sorted(ordered, key=lambda s: s.organisation.name.lower(), reverse=descending)
    present = [s for s in services if s.kpis[key].value is not None]
    missing = [s for s in services if s.kpis[key].value is None]
    present = sorted(present, key=lambda s: (s.name.lower(), s.slug))
    present = sorted(present, key=lambda s: s.kpis[key].value, reverse=descending)
    return present + sorted(missing, key=lambda s: (s.name.lower(), s.slug))


def services_tables(services: list[m.ServiceView]) -> list[m.ServicesTable]:
    """Every sort order of the all-services table as its own static page."""
    options = []
    for key, label, default_desc in SORT_COLUMNS:
        for descending in (default_desc, not default_desc):
            is_default = key == "name" and not descending
            options.append(m.SortOption(key, label, descending, sort_url(key, descending, is_default)))
    return [m.ServicesTable(opt, options, _sort_rows(services, opt.key, opt.descending)) for opt in options]


# The channel-shift savings ranking: (key, label, descending first, value of a service).
SAVINGS_COLUMNS = [
    ("name", "Service", False, None),
    ("organisation", "Organisation", False, None),
    ("take_up", "Digital take-up", True, lambda s: s.savings.take_up),
    ("cost", "Estimated yearly cost", True, lambda s: s.savings.cost),
    ("saving", "Saving at 10 points higher", True,
     lambda s: s.savings.scenario("points").saving if s.savings.scenario("points") else None),
    ("saving_best", "Saving at the best comparable take-up", True,
     lambda s: s.savings.scenario("best").saving if s.savings.scenario("best") else None),
    ("saving_target", "Saving at target", True,
     lambda s: s.savings.scenario("target").saving if s.savings.scenario("target") else None),
]
SAVINGS_DEFAULT = ("saving", True)


def sorted_tables(rows: list, columns: list[tuple], url_of, default: tuple[str, bool]) -> list[m.ServicesTable]:
    """A table in every sort order, each its own page (sortable without JavaScript).

    ``columns`` are (key, label, descending first, value of a row or None for name/organisation);
    rows have ``name``, ``slug`` and ``organisation``. Rows with no value for the column come last.
    """
    options = []
    for key, label, default_desc, _ in columns:
        for descending in (default_desc, not default_desc):
            options.append(m.SortOption(key, label, descending, url_of(key, descending,
                                                                       (key, descending) == default)))
    values = {key: value for key, _, _, value in columns}
    by_name = sorted(rows, key=lambda r: (r.name.lower(), r.slug))
    tables = []
    for option in options:
        if option.key == "name":
            ordered = sorted(by_name, key=lambda r: (r.name.lower(), r.slug), reverse=option.descending)
        elif option.key == "organisation":
            ordered = sorted(by_name, key=lambda r: r.organisation.name.lower() if r.organisation else "",
                             reverse=option.descending)
        else:
            get = values[option.key]
            present = sorted([r for r in by_name if get(r) is not None], key=get, reverse=option.descending)
            ordered = present + [r for r in by_name if get(r) is None]
        tables.append(m.ServicesTable(option, options, ordered))
    return tables


def _sorted_url(folder: str):
    def url_of(key: str, descending: bool, default: bool) -> str:
        return folder if default else f"{folder}sort/{key.replace('_', '-')}-{'desc' if descending else 'asc'}/"
    return url_of


def savings_tables(services: list[m.ServiceView]) -> list[m.ServicesTable]:
    """The savings ranking in every sort order; largest saving first at savings/."""
    return sorted_tables([s for s in services if s.savings is not None], SAVINGS_COLUMNS,
                         _sorted_url("savings/"), SAVINGS_DEFAULT)


COST_COLUMNS = [
    ("name", "Service", False, None),
    ("organisation", "Organisation", False, None),
    ("transactions", "Transactions", True, lambda r: r.transactions),
    ("cost", "Total cost", True, lambda r: r.cost),
    ("cost_per_transaction", "Cost per transaction", True, lambda r: r.cost_per_transaction),
]
COST_DEFAULT = ("cost", True)


def cost_pages(site: m.SiteModel, start_month: int) -> list[tuple[m.ServicesTable, object, list]]:
    """(table, report, every year's report) for each financial year and sort order.

    Each year is at costs/<2025-26>/; the newest whole year (one in which some service has
    12 months of data; else the newest) is also at costs/.
    """
    reports = site.cost_reports
    whole = [r for r in reports if any(line.months >= 11.5 for line in r.services)]
    main = (whole or reports or [None])[0]
    out = []
    for report in reports:
        folders = [f"costs/{report.slug}/"] + (["costs/"] if report is main else [])
        for folder in folders:
            for table in sorted_tables(report.services, COST_COLUMNS, _sorted_url(folder), COST_DEFAULT):
                out.append((table, report, reports))
    return out


def plan_pages(site: m.SiteModel) -> list[PageSpec]:
    """Every page of the site, in a stable order."""
    home = Crumb("Home", "")
    pages = [PageSpec("index.html", ["home.html"], site.site.title, "config.yaml", "home")]
    services_crumb = Crumb("Services", "services/")
    for table in services_tables(site.services):
        pages.append(
            PageSpec(
                table.sort.url + "index.html",
                ["services.html"],
                "All services",
                "(services table)",
                "services",
                [home, Crumb("Services", None)],
                {"table": table},
            )
        )
    for service in site.services:
        crumbs = [home, services_crumb, Crumb(service.name, None)]
        pages.append(
            PageSpec(
                service.url + "index.html",
                [f"service-{service.slug}.html", "service.html"],
                service.name,
                service.source_path,
                "service",
                crumbs,
                {"service": service},
            )
        )
    for table in savings_tables(site.services):
        pages.append(PageSpec(table.sort.url + "index.html", ["savings.html"], "Channel-shift savings",
                              "(savings table)", "savings", [home, Crumb("Channel-shift savings", None)],
                              {"table": table}))
    for table, report, reports in cost_pages(site, site.site.financial_year_start):
        pages.append(PageSpec(table.sort.url + "index.html", ["costs.html"], f"Transaction costs {report.key}",
                              "(cost report)", "costs", [home, Crumb("Transaction costs", None)],
                              {"table": table, "report": report, "reports": reports}))
    orgs_crumb = Crumb("Organisations", "organisations/")
    pages.append(
        PageSpec(
            "organisations/index.html",
            ["organisations.html"],
            "Organisations",
            "(organisations list)",
            "organisations",
            [home, Crumb("Organisations", None)],
        )
    )
    for org in site.organisations:
        pages.append(
            PageSpec(
                org.url + "index.html",
                [f"organisation-{org.slug}.html", "organisation.html"],
                org.name,
                org.source_path,
                "organisation",
                [home, orgs_crumb, Crumb(org.name, None)],
                {"organisation": org},
            )
        )
    for page in site.pages:
        pages.append(
            PageSpec(
                page.url + "index.html",
                [f"page-{page.slug}.html", "page.html"],
                page.title,
                page.source_path,
                "page",
                [home, Crumb(page.title, None)],
                {"content": page},
                where=page.slug_at,
            )
        )
    pages.append(PageSpec("404.html", ["404.html"], "Page not found", "(404 page)", "not_found"))
    return pages



def check_collisions(pages: list[PageSpec], problems: Problems, reserved: dict[str, str]) -> None:
    """Two inputs writing one output path is an error naming both.

    ``reserved`` maps other output paths (static files, downloads) to their source.
    """
    seen: dict[str, str] = {}
    for path, source in reserved.items():
        seen[path.lower()] = source
    for page in pages:
        if any(len(part.encode("utf-8")) > LONGEST_NAME for part in page.path.split("/")):
            # A 300-letter slug: 'File name too long' as the site was written, after check had passed.
            problems.error(page.source, f"the web address {page.path[:60]}... is too long for a file name",
                           hint=f"give it a slug: of at most {LONGEST_NAME} letters")
            continue
        key = page.path.lower()
        if key in seen:
            other = seen[key]
            own = other.startswith("(")  # one of the site's own pages, such as "(services table)"
            problems.error(
                page.source,
                f"writes {page.path}, which " + (f"the site's own {other.strip('()')}" if own else other)
                + " also writes", *page.where,
                hint="give it another slug (the site's own pages use services, organisations, savings and costs)"
                if own else "give one of them a different slug",
            )
        else:
            seen[key] = page.source
