"""The render stage and default theme, on a small site model built by hand."""

from __future__ import annotations

import posixpath
import re
from datetime import date

import jinja2
import pytest
from bs4 import BeautifulSoup
from jinja2 import meta

from generator import model as m
from generator.pages import plan_pages
from generator.periods import month_span
from generator.render import (
    BUILTIN_THEME,
    COMMON_CONTEXT,
    TEMPLATE_CONTEXT,
    build_nav,
    change_text,
    date_label,
    format_figure,
    format_value,
    make_environment,
    relative_url,
    render_page,
    static_files,
    static_search_path,
    template_search_path,
)

HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_DESCRIPTION = '"><img src=x onerror=alert(1)>'

KPIS = [
    m.KpiInfo(m.TRANSACTIONS_PER_YEAR, "Transactions per year", m.COUNT, True,
              "How many times the service was used in a year, through every channel."),
    m.KpiInfo(m.DIGITAL_TAKE_UP, "Digital take-up", m.PERCENT, True,
              "The share of transactions completed through digital channels."),
    m.KpiInfo(m.COST_PER_TRANSACTION, "Cost per transaction", m.MONEY, False,
              "The average cost of one transaction."),
    m.KpiInfo(m.COMPLETION_RATE, "Completion rate", m.PERCENT, True,
              "The share of people who started a transaction and finished it."),
    m.KpiInfo(m.USER_SATISFACTION, "User satisfaction", m.PERCENT, True,
              "The share of people satisfied or very satisfied with the service."),
]
INFO = {k.key: k for k in KPIS}


def fig(key, **kwargs) -> m.Figure:
    return m.Figure(INFO[key], **kwargs)


def sample_site(base_path: str = "/") -> m.SiteModel:
    """Two services (one with data, one hostile and empty), two organisations, one page."""
    channels = [
        m.ChannelInfo("online", "Online", True, 0.15),
        m.ChannelInfo("phone", "Phone", False, 2.83),
        m.ChannelInfo("face_to_face", "Face to face", False, 8.62),
    ]
    council = m.OrgRef("example-council", "Example Borough Council", "organisations/example-council/")
    revenues = m.OrgRef("revenues", "Revenues & Benefits", "organisations/revenues/")
    kpis = {
        m.TRANSACTIONS_PER_YEAR: fig(
            m.TRANSACTIONS_PER_YEAR, value=11974.65, period_label="April 2024 to March 2025",
            previous_value=12345, previous_period_label="April 2023 to March 2024", change=-370.35,
            change_percent=-3.0, direction="down", assessment=None, status=m.OK),
        m.DIGITAL_TAKE_UP: fig(
            m.DIGITAL_TAKE_UP, value=63.0, period_label="March 2025", previous_value=58.9,
            previous_period_label="February 2025", change=4.1, direction="up", assessment="better",
            status=m.OK, target=70.0, meets_target=False),
        m.COST_PER_TRANSACTION: fig(
            m.COST_PER_TRANSACTION, value=2.31, period_label="April 2024 to March 2025",
            previous_value=2.5, previous_period_label="April 2023 to March 2024", change=-0.19,
            change_percent=-7.6, direction="down", assessment="better", estimated=True, status=m.OK),
        m.COMPLETION_RATE: fig(
            m.COMPLETION_RATE, value=81.25, period_label="March 2025", status=m.OK,
            note="11 of 12 months have data"),
        m.USER_SATISFACTION: fig(m.USER_SATISFACTION, status=m.NOT_REQUESTED),
    }
    periods = [
        m.PeriodRow(month_span(2025, mo, 1, "month"), t, d, d / t * 100, c, True, cr, None, [d, p, t - d - p])
        for mo, t, d, p, c, cr in [
            (1, 1000, 600, 300, 2.40, 80.0),
            (2, 950, 560, 290, 2.35, None),
            (3, 1010, 636, 280, 2.31, 81.25),
        ]
    ]
    council_tax = m.ServiceView(
        slug="council-tax", name="Pay your Council Tax", url="services/council-tax/",
        description="Pay Council Tax online, by phone or in person.", organisation=revenues,
        category="Council Tax", lgsl="57", service_url="https://example.org/council-tax",
        source="Payments system export", notes_html="<p>Figures exclude direct debits.</p>",
        annotations=[m.Annotation(date(2025, 2, 3), "New online form launched")],
        last_updated=date(2026, 10, 14), kpis=kpis,
        channel_split=[
            m.ChannelShare(channels[0], 7600, 63.0, 58.9),
            m.ChannelShare(channels[1], 3500, 29.1, 31.0),
            m.ChannelShare(channels[2], 900, 7.9, None),
        ],
        split_period_label="April 2024 to March 2025", split_previous_label="April 2023 to March 2024",
        periods=periods, data_period_label="January to March 2025", data_file="data/council-tax.csv",
        source_path="content/services/council-tax.yaml", channels_used=[0, 1, 2],
    )
    hostile = m.ServiceView(
        slug="hostile", name=HOSTILE_NAME, url="services/hostile/", description=HOSTILE_DESCRIPTION,
        organisation=council, category=None, lgsl=None, service_url=None, source=None, notes_html=None,
        annotations=[], last_updated=None,
        kpis={k.key: fig(k.key) for k in KPIS}, channel_split=[], split_period_label=None,
        split_previous_label=None, periods=[], data_period_label=None, data_file=None, has_data=False,
        source_path="content/services/hostile.yaml",
    )
    services = sorted([council_tax, hostile], key=lambda s: s.name.lower())
    rev_totals = m.Totals(1, 1, 11974.65, 7544.0, 63.0)
    all_totals = m.Totals(2, 1, 11974.65, 7544.0, 63.0)
    organisations = [
        m.OrganisationView("example-council", "Example Borough Council", council.url, "council",
                           "A fictional council.", "https://example.org", None, [revenues],
                           [hostile, council_tax], all_totals),
        m.OrganisationView("revenues", "Revenues & Benefits", revenues.url, "directorate", None, None,
                           council, [], [council_tax], rev_totals),
    ]
    pages = [m.MarkdownPage("about", "About these figures", "about/",
                            "<p>How we count.</p><h2>Sources</h2><p>Our systems.</p>",
                            "How the figures are worked out.", 1, "content/pages/about.md")]
    site = m.SiteInfo("Example performance", "Example Borough Council", "https://example.org" + base_path,
                      base_path, "en-GB", "£", "This is an example site.", "Open Government Licence v3.0.")
    return m.SiteModel(site, channels, KPIS, services, organisations, pages, all_totals, "March 2025")


def render_all(site: m.SiteModel, env: jinja2.Environment | None = None) -> dict[str, str]:
    env = env or make_environment([BUILTIN_THEME / "templates"])
    return {spec.path: render_page(env, spec, site, build_nav(site, spec)) for spec in plan_pages(site)}


@pytest.fixture(scope="module")
def site() -> m.SiteModel:
    return sample_site()


@pytest.fixture(scope="module")
def rendered(site) -> dict[str, BeautifulSoup]:
    return {path: BeautifulSoup(html, "html.parser") for path, html in render_all(site).items()}


# ----------------------------------------------------------------- filters


def test_fmt():
    assert format_value(1234.4, m.COUNT) == "1,234"
    assert format_value(1234.5, m.COUNT) == "1,235"
    assert format_value(63.25, m.PERCENT) == "63.3%"
    assert format_value(63.2, m.PERCENT) == "63.2%"
    assert format_value(100, m.PERCENT) == "100.0%"
    assert format_value(3.405, m.MONEY) == "£3.41"
    assert format_value(1234.5, m.MONEY, "€") == "€1,234.50"
    assert format_value(None, m.MONEY) == "no data"


def test_fmt_filter_uses_site_currency(site):
    env = make_environment([BUILTIN_THEME / "templates"])
    template = env.from_string("{{ 3.4|fmt('money') }} {{ none|fmt('count') }} {{ 2|fmt('count') }}")
    euro = m.SiteInfo(**{**site.site.__dict__, "currency_symbol": "€"})
    assert template.render(site=euro) == "€3.40 no data 2"
    assert template.render() == "£3.40 no data 2"


def test_figure_status():
    assert format_figure(fig(m.DIGITAL_TAKE_UP, value=63.2, status=m.OK)) == "63.2%"
    assert format_figure(fig(m.DIGITAL_TAKE_UP)) == "no data"
    assert format_figure(fig(m.USER_SATISFACTION, status=m.NOT_REQUESTED)) == "not requested"


def test_change_text(site):
    kpis = site.services[1].kpis
    assert change_text(kpis[m.DIGITAL_TAKE_UP]) == "Up 4.1 percentage points from 58.9% in February 2025"
    # A range in brackets: "from 12,345 in April 2023 to March 2024" read as a range of change (a review).
    assert change_text(kpis[m.TRANSACTIONS_PER_YEAR]) == "Down 3.0% from 12,345 (April 2023 to March 2024)"
    assert change_text(kpis[m.COST_PER_TRANSACTION]) == "Down 7.6% from £2.50 (April 2023 to March 2024)"
    assert change_text(kpis[m.COMPLETION_RATE]) == "No earlier period to compare with"
    assert change_text(kpis[m.USER_SATISFACTION]) == ""
    assert change_text(fig(m.DIGITAL_TAKE_UP)) == ""
    same = fig(m.COMPLETION_RATE, value=80, status=m.OK, previous_value=80, previous_period_label="May 2024",
               change=0, direction="same", assessment="same")
    assert change_text(same) == "No change from 80.0% in May 2024"
    tiny = fig(m.COMPLETION_RATE, value=80.04, status=m.OK, previous_value=80, previous_period_label="May 2024",
               change=0.04, direction="up")
    assert change_text(tiny) == "Up less than 0.1 percentage points from 80.0% in May 2024"
    # A week's label begins with a capital on its own, not inside a sentence.
    weekly = fig(m.DIGITAL_TAKE_UP, value=54.9, status=m.OK, previous_value=63.8, change=-8.9, direction="down",
                 previous_period_label="Week starting 17 March 2025")
    assert change_text(weekly) == "Down 8.9 percentage points from 63.8% in week starting 17 March 2025"


def test_date_label():
    assert date_label(date(2026, 10, 14)) == "14 October 2026"
    assert date_label(date(2025, 3, 1)) == "1 March 2025"


# ----------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    "from_path, target, expected",
    [
        ("services/council-tax/index.html", "", "../../"),
        ("services/council-tax/index.html", "services/", "../../services/"),
        ("services/council-tax/index.html", "services/council-tax/", "./"),
        ("services/council-tax/index.html", "static/css/site.css", "../../static/css/site.css"),
        ("services/council-tax/index.html", "data/council-tax.csv", "../../data/council-tax.csv"),
        ("services/sort/name-desc/index.html", "services/", "../../../services/"),
        ("index.html", "", "./"),
        ("index.html", "services/", "./services/"),
        ("about/index.html", "about/", "./"),
        ("index.html", "https://example.org/x", "https://example.org/x"),
        ("index.html", "javascript:alert(1)", "./javascript:alert(1)"),
        ("404.html", "", "/"),
        ("404.html", "static/css/site.css", "/static/css/site.css"),
    ],
)
def test_relative_url(from_path, target, expected):
    assert relative_url(from_path, target) == expected


def test_relative_url_resolves_back_to_target():
    for from_path in ["index.html", "about/index.html", "services/sort/cost-per-transaction-asc/index.html"]:
        for target in ["", "services/", "organisations/revenues/", "static/css/site.css"]:
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(from_path), relative_url(from_path, target)))
            assert resolved == (posixpath.normpath(target) if target else ".")


def test_404_uses_absolute_urls_with_base_path():
    pages = render_all(sample_site("/perf/"))
    soup = BeautifulSoup(pages["404.html"], "html.parser")
    assert soup.find("link", rel="stylesheet")["href"] == "/perf/static/css/site.css"
    hrefs = [a["href"] for a in soup.find_all("a") if not a["href"].startswith("#")]
    assert hrefs and all(h.startswith("/perf/") for h in hrefs), hrefs
    assert "/perf/services/" in hrefs
    assert soup.find("nav", attrs={"aria-label": "Breadcrumb"}) is None


# ----------------------------------------------------------------- structure of every page


def test_every_page_rendered(rendered, site):
    assert set(rendered) == {spec.path for spec in plan_pages(site)}


def test_one_h1_and_headings_in_order(rendered):
    for path, soup in rendered.items():
        levels = [int(h.name[1]) for h in soup.find_all(re.compile(r"^h[1-6]$"))]
        assert levels.count(1) == 1, path
        assert levels[0] == 1, path
        for before, after in zip(levels, levels[1:]):
            assert after <= before + 1, f"{path}: h{before} then h{after}"


def test_landmarks_and_skip_link(rendered, site):
    for path, soup in rendered.items():
        assert soup.html["lang"] == "en-GB"
        first = soup.body.find(["a", "button", "input", "select", "textarea"])
        assert first["href"] == "#main-content", path
        assert soup.find("main", id="main-content"), path
        nav = soup.find("nav", attrs={"aria-label": "Main"})
        assert [a.get_text(strip=True) for a in nav.find_all("a")] == [
            "Home", "Services", "Organisations", "About these figures"]
        breadcrumb = soup.find("nav", attrs={"aria-label": "Breadcrumb"})
        assert (breadcrumb is None) == (path in ("index.html", "404.html")), path
        if breadcrumb:
            assert breadcrumb.find("ol")
    home_nav = rendered["index.html"].find("nav", attrs={"aria-label": "Main"})
    assert home_nav.find("a", attrs={"aria-current": "page"}).get_text() == "Home"
    services_nav = rendered["services/index.html"].find("nav", attrs={"aria-label": "Main"})
    assert services_nav.find("a", attrs={"aria-current": "page"}).get_text() == "Services"
    about_nav = rendered["about/index.html"].find("nav", attrs={"aria-label": "Main"})
    assert about_nav.find("a", attrs={"aria-current": "page"}).get_text() == "About these figures"


def test_tables_have_captions_scoped_headers_and_scroll_regions(rendered):
    count = 0
    for path, soup in rendered.items():
        for table in soup.find_all("table"):
            count += 1
            assert table.find("caption") and table.caption.get_text(strip=True), path
            for th in table.find_all("th"):
                assert th.get("scope") in ("col", "row"), (path, th)
            wrap = table.parent
            assert "table-wrap" in wrap["class"] and wrap["tabindex"] == "0" and wrap["role"] == "region"
            assert wrap["aria-label"], path
    assert count > 10


def test_nothing_loads_from_elsewhere_and_no_scripts(rendered):
    for path, soup in rendered.items():
        assert soup.find_all("script") == [], path
        assert soup.find_all("img") == [], path
        for link in soup.find_all("link"):
            assert not re.match(r"^(https?:)?//", link["href"]), path
        for tag in soup.find_all(True):
            assert not [a for a in tag.attrs if a.lower().startswith("on")], (path, tag.name)


def test_internal_links_resolve(rendered, site):
    _assert_links_resolve(rendered)


def test_rows_made_once_link_right_from_every_depth(site):
    """A services-table row is made once (memo) and shown on pages at several depths: rendered
    deepest page first, then the reverse, each page's links still lead from where it is."""
    for deepest_first in (True, False):
        env = make_environment([BUILTIN_THEME / "templates"])
        specs = sorted(plan_pages(site), key=lambda spec: spec.path.count("/"), reverse=deepest_first)
        rendered = {spec.path: BeautifulSoup(render_page(env, spec, site, build_nav(site, spec)), "html.parser")
                    for spec in specs}
        _assert_links_resolve(rendered)
        rows = [soup.select_one("table.table--services tbody tr th a")["href"]
                for path, soup in rendered.items() if soup.select_one("table.table--services tbody tr th a")]
        assert len(set(rows)) >= 3, rows  # one row, seen from three depths at least


def _assert_links_resolve(rendered):
    targets = set(rendered) | set(static_files([BUILTIN_THEME / "static"])) | {"data/council-tax.csv", "data/services.csv", "data/services.json", "data/datapackage.json"}
    targets |= {"data/savings.csv"} | {f"data/costs-{p.split('/')[1]}.csv" for p in rendered if p.startswith("costs/20")}
    for path, soup in rendered.items():
        if path == "404.html":
            continue
        for tag in soup.find_all(["a", "link"]):
            href = tag["href"].split("#")[0]
            if not href or re.match(r"^[a-z]+:", href):
                continue
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), href))
            if href.endswith("/") or resolved == ".":
                resolved = posixpath.normpath(resolved + "/index.html")
            assert resolved in targets, f"{path}: {tag['href']} -> {resolved}"


# ----------------------------------------------------------------- escaping


def test_hostile_text_is_escaped(rendered, site):
    html = render_all(site)
    for path, text in html.items():
        assert "<script>" not in text, path
        assert "<img src=x" not in text, path
    page = rendered["services/hostile/index.html"]
    assert page.h1.get_text() == HOSTILE_NAME
    assert page.find("p", class_="lead").get_text() == HOSTILE_DESCRIPTION
    assert page.find("meta", attrs={"name": "description"})["content"] == HOSTILE_DESCRIPTION
    home_row = rendered["index.html"].find("a", string=HOSTILE_NAME)
    assert home_row is not None


# ----------------------------------------------------------------- page content


def test_home_page(rendered):
    soup = rendered["index.html"]
    text = soup.get_text(" ", strip=True)
    assert "Latest data: March 2025" in text
    values = [dd.get_text(strip=True) for dd in soup.select(".headline-figures__value")]
    assert values == ["2", "11,975", "63.0%"]
    assert soup.select_one('[data-total="transactions_per_year"]').get_text() == "11,975"
    rows = soup.select("table tbody tr")
    assert [r.th.get_text(strip=True) for r in rows] == [HOSTILE_NAME, "Pay your Council Tax"]
    links = [a["href"] for a in soup.find_all("a")]
    assert "./services/" in links and "./organisations/" in links


def test_services_table_sorting_without_javascript(rendered):
    soup = rendered["services/index.html"]
    headers = soup.select("table thead th")
    assert [h.find("a").contents[0].strip() for h in headers] == [
        "Service", "Organisation", "Transactions per year", "Digital take-up", "Cost per transaction",
        "Completion rate", "User satisfaction"]
    # Each column is each service's own latest, not the same months as an organisation's 12-month figures.
    assert [h.select_one(".table__period").get_text() for h in headers[2:]] == [
        "latest year"] + ["latest period"] * 4
    current = soup.find("th", attrs={"aria-sort": True})
    assert current["aria-sort"] == "ascending"
    assert "A to Z" in current.get_text() and "▲" in current.get_text()
    assert current.a["href"] == "../services/sort/name-desc/#services-table"
    cost = headers[4].a["href"]
    assert cost == "../services/sort/cost-per-transaction-asc/#services-table"
    row = [r for r in soup.select("tbody tr") if "Council Tax" in r.th.get_text()][0]
    cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
    assert cells == ["Revenues & Benefits", "11,975", "63.0%", "£2.31 (estimate)", "81.3%", "not requested"]
    hostile = [r for r in soup.select("tbody tr") if r.th.get_text() == HOSTILE_NAME][0]
    assert [td.get_text(strip=True) for td in hostile.find_all("td")][1:] == ["no data"] * 5

    desc = rendered["services/sort/digital-take-up-desc/index.html"]
    current = desc.find("th", attrs={"aria-sort": True})
    assert current["aria-sort"] == "descending" and "highest first" in current.get_text()
    assert current.a["href"] == "../../../services/sort/digital-take-up-asc/#services-table"
    assert desc.title.get_text().startswith("All services, sorted by digital take-up (highest first)")
    assert "sorted by service name, A to Z" in soup.caption.get_text()


def test_service_dashboard(rendered):
    soup = rendered["services/council-tax/index.html"]
    text = soup.get_text(" ", strip=True)
    assert soup.h1.get_text() == "Pay your Council Tax"
    for expected in ["Revenues & Benefits", "LGSL code 57", "Payments system export",
                     "January to March 2025", "14 October 2026", "Figures exclude direct debits.",
                     "3 February 2025 New online form launched"]:
        assert expected in text, expected
    assert soup.find("a", href="https://example.org/council-tax")
    assert soup.find("a", href="../../data/council-tax.csv")
    cards = soup.select(".kpi-card")
    assert [c.h3.get_text() for c in cards] == [k.label for k in KPIS]
    assert [c["data-kpi"] for c in cards] == [k.key for k in KPIS]  # stable hooks for end-to-end tests
    assert soup.select_one('[data-kpi="digital_take_up"] .kpi-card__value').get_text(strip=True) == "63.0%"
    take_up = cards[1].get_text(" ", strip=True)
    assert "63.0%" in take_up and "March 2025" in take_up
    assert "Up 4.1 percentage points from 58.9% in February 2025 better" in take_up
    assert "Target: 70.0% – not met" in take_up
    assert "estimate" in cards[2].get_text()
    assert "11 of 12 months have data" in cards[3].get_text()
    assert "not requested" in cards[4].get_text()
    split = soup.find("caption", string=re.compile("Transactions by channel, April 2024")).parent
    assert [th.get_text(" ", strip=True) for th in split.thead.find_all("th")][-1] == (
        "Share of transactions April 2023 to March 2024")
    online = split.tbody.tr
    assert [c.get_text(strip=True) for c in online.find_all(["th", "td"])] == [
        "Online", "Yes", "7,600", "63.0%", "58.9%"]
    by_period = soup.find("caption", string=re.compile("figures by period")).parent
    first = by_period.tbody.tr
    assert first.th.get_text() == "March 2025"
    assert [td.get_text(" ", strip=True) for td in first.find_all("td")] == [
        "1,010", "63.0%", "£2.31 (estimate)", "81.3%", "no data"]
    by_channel = soup.find("caption", string=re.compile("transactions by channel and period")).parent
    assert [th.get_text(" ", strip=True) for th in by_channel.thead.find_all("th")] == [
        "Period", "Online digital", "Phone", "Face to face", "All channels"]
    assert [td.get_text() for td in by_channel.tbody.tr.find_all("td")] == ["636", "280", "94", "1,010"]


def test_service_without_data(rendered):
    soup = rendered["services/hostile/index.html"]
    assert "No data has been published for this service yet" in soup.get_text()
    assert soup.find("table") is None
    assert not soup.select(".kpi-card")


def test_organisation_pages(rendered):
    soup = rendered["organisations/example-council/index.html"]
    text = soup.get_text(" ", strip=True)
    assert "sum of the figures for the services listed below" in text
    assert soup.find("a", href="../../organisations/revenues/", string="Revenues & Benefits")
    assert [d.get_text() for d in soup.select(".headline-figures__value")] == ["2", "11,975", "63.0%"]
    child = rendered["organisations/revenues/index.html"]
    assert "Part of" in child.get_text()
    listing = rendered["organisations/index.html"]
    rows = listing.select("tbody tr")
    assert [r.th.a.get_text() for r in rows] == ["Example Borough Council", "Revenues & Benefits"]
    assert [td.get_text(strip=True) for td in rows[1].find_all("td")] == [
        "Example Borough Council", "1", "11,975", "63.0%"]
    # Which period the take-up is for, and a council part of nothing said in words, not a bare dash (a review).
    assert [th.get_text() for th in listing.select("thead th")][-1] == "Digital take-up, latest 12 months"
    assert rows[0].find_all("td")[0].get_text(" ", strip=True) == "– none"
    assert rows[0].find_all("td")[0].select_one(".visually-hidden").get_text() == "none"


def test_markdown_page_and_footer(rendered):
    soup = rendered["about/index.html"]
    assert soup.h1.get_text() == "About these figures"
    assert soup.select_one(".prose h2").get_text() == "Sources"
    footer = rendered["services/council-tax/index.html"].footer
    assert footer.find("a", href="../../about/", string="About these figures")
    assert "Open Government Licence v3.0." in footer.get_text()


# ----------------------------------------------------------------- template context contract


def _template_names():
    return sorted(p.name for p in (BUILTIN_THEME / "templates").glob("*.html"))


KIND_OF_TEMPLATE = {"home.html": "home", "services.html": "services", "service.html": "service",
                    "savings.html": "savings", "costs.html": "costs",
                    "organisations.html": "organisations", "organisation.html": "organisation",
                    "page.html": "page", "404.html": "not_found"}


@pytest.mark.parametrize("name", _template_names())
def test_templates_use_only_documented_context(name):
    env = make_environment([BUILTIN_THEME / "templates"])
    source = (BUILTIN_THEME / "templates" / name).read_text()
    tree = env.parse(source)
    imported = {node.target for node in tree.find_all(jinja2.nodes.Import)}
    imported |= {n.target.name for n in tree.find_all(jinja2.nodes.Assign)}  # {% set %}, in a block too
    imported |= {n.name for n in tree.find_all(jinja2.nodes.Macro)}  # the template's own macros
    used = meta.find_undeclared_variables(tree) - imported
    allowed = set(COMMON_CONTEXT) | set(TEMPLATE_CONTEXT.get(KIND_OF_TEMPLATE.get(name, ""), ()))
    allowed |= {"value_td", "memo", "cost_rows", "savings_rows", "charts_by_topic"}  # the documented globals
    assert used <= allowed, f"{name} uses undocumented {sorted(used - allowed)}"


def test_every_kind_is_documented_and_rendered_strictly(site):
    specs = plan_pages(site)
    kinds = {s.kind for s in specs}
    assert kinds <= set(TEMPLATE_CONTEXT) and set(TEMPLATE_CONTEXT) - kinds <= {"costs"}  # no periods, no report
    for spec in specs:
        assert set(spec.context) <= set(TEMPLATE_CONTEXT[spec.kind]), spec.kind
    env = make_environment([BUILTIN_THEME / "templates"])
    spec = next(s for s in specs if s.kind == "service")
    spec.context = {}
    with pytest.raises(jinja2.UndefinedError):
        render_page(env, spec, site, build_nav(site, spec))


# ----------------------------------------------------------------- search path and overrides


def test_search_paths(tmp_path):
    assert template_search_path(tmp_path, "default") == [BUILTIN_THEME / "templates"]
    (tmp_path / "templates").mkdir()
    (tmp_path / "themes" / "civic" / "templates").mkdir(parents=True)
    (tmp_path / "themes" / "civic" / "static" / "css").mkdir(parents=True)
    assert template_search_path(tmp_path, "civic") == [
        tmp_path / "templates", tmp_path / "themes" / "civic" / "templates", BUILTIN_THEME / "templates"]
    (tmp_path / "themes" / "civic" / "static" / "css" / "site.css").write_text("body{}")
    paths = static_search_path(tmp_path, "civic")
    assert paths == [tmp_path / "themes" / "civic" / "static", BUILTIN_THEME / "static"]
    files = static_files(paths)
    assert files["static/css/site.css"] == tmp_path / "themes" / "civic" / "static" / "css" / "site.css"


def _service_spec(site):
    return next(s for s in plan_pages(site) if s.kind == "service" and s.context["service"].has_data)


def test_site_override_wins_and_can_extend_default(tmp_path, site):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "service.html").write_text(
        '{% extends "default:service.html" %}'
        '{% block content %}<p class="local-banner">Local note</p>{{ super() }}{% endblock %}'
    )
    env = make_environment(template_search_path(tmp_path, "default"))
    spec = _service_spec(site)
    soup = BeautifulSoup(render_page(env, spec, site, build_nav(site, spec)), "html.parser")
    assert soup.find("p", class_="local-banner").get_text() == "Local note"
    assert soup.h1.get_text() == "Pay your Council Tax"
    assert soup.select(".kpi-card")


def test_theme_and_slug_specific_overrides(tmp_path, site):
    theme = tmp_path / "themes" / "civic" / "templates"
    theme.mkdir(parents=True)
    (theme / "service.html").write_text("theme {{ service.name }}")
    env = make_environment(template_search_path(tmp_path, "civic"))
    spec = _service_spec(site)
    assert render_page(env, spec, site, []) == "theme Pay your Council Tax"
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "service.html").write_text("site {{ service.name }}")
    env = make_environment(template_search_path(tmp_path, "civic"))
    assert render_page(env, spec, site, []) == "site Pay your Council Tax"
    (theme / "service-council-tax.html").write_text("slug {{ service.slug }}")
    env = make_environment(template_search_path(tmp_path, "civic"))
    assert render_page(env, spec, site, []) == "slug council-tax"


def test_autoescape_in_overrides(tmp_path, site):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "service.html").write_text("{{ service.name }}")
    env = make_environment(template_search_path(tmp_path, "default"))
    spec = next(s for s in plan_pages(site) if s.kind == "service" and not s.context["service"].has_data)
    assert render_page(env, spec, site, []) == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_a_memo_link_changed_before_it_is_written_stops_the_build(tmp_path, site):
    """url() in a memo body stands for a link from the site's root until the page puts it
    relative to itself: a theme that filters it (or carries it out of the body) must not
    publish the stand-in, so the page fails with a message instead."""
    (tmp_path / "templates").mkdir()
    template = tmp_path / "templates" / "service.html"
    spec = _service_spec(site)
    template.write_text('{% call memo("x", 1) %}<a href="{{ url("services/") }}">ok</a>{% endcall %}')
    assert render_page(make_environment(template_search_path(tmp_path, "default")), spec, site, []) \
        == '<a href="../../services/">ok</a>'
    for changed in ('{{ url("services/")|urlencode }}', '{{ url("services/")|tojson }}'):
        template.write_text('{% call memo("y", 1) %}<a href="' + changed + '">x</a>{% endcall %}')
        with pytest.raises(jinja2.TemplateRuntimeError, match="memo"):
            render_page(make_environment(template_search_path(tmp_path, "default")), spec, site, [])


BASE_BLOCKS = ("header", "brand", "navigation", "phase_banner", "footer", "footer_links", "footer_text", "scripts")


def test_base_has_blocks_for_header_navigation_banner_and_footer(tmp_path, site):
    """A council brands the header and rewrites the footer by extending default:base.html: the
    blocks must exist (an unknown block is silently ignored) and, left alone, change nothing."""
    source = (BUILTIN_THEME / "templates" / "base.html").read_text()
    for name in BASE_BLOCKS:
        assert "{% block " + name + " %}" in source
    spec = _service_spec(site)
    plain = render_page(make_environment([BUILTIN_THEME / "templates"]), spec, site, build_nav(site, spec))
    (tmp_path / "templates").mkdir()
    base = tmp_path / "templates" / "base.html"
    base.write_text('{% extends "default:base.html" %}'
                    + "".join("{% block " + name + " %}{{ super() }}{% endblock %}" for name in BASE_BLOCKS))
    env = make_environment(template_search_path(tmp_path, "default"))
    assert render_page(env, spec, site, build_nav(site, spec)) == plain  # byte for byte
    base.write_text('{% extends "default:base.html" %}'
                    '{% block brand %}<a href="{{ url(\'\') }}" class="header__title">'
                    '<img src="{{ asset(\'img/logo.svg\') }}" alt="Peerton Borough Council"></a>{% endblock %}'
                    '{% block footer_text %}<p class="footer__text">Town Hall, Peerton</p>{% endblock %}')
    env = make_environment(template_search_path(tmp_path, "default"))
    soup = BeautifulSoup(render_page(env, spec, site, build_nav(site, spec)), "html.parser")
    assert soup.select_one("header.header img")["src"] == "../../static/img/logo.svg"
    assert [p.get_text() for p in soup.select("footer .footer__text")] == ["Town Hall, Peerton"]
    assert soup.select(".footer__links a")[0].get_text() == "About these figures"  # the rest is kept
    assert soup.select("nav.main-nav a") and soup.select_one(".phase-banner")
