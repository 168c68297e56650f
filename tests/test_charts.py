"""Charts: every chart has an SVG, a summary, a table and downloads that equal what it plots."""

import csv
import hashlib
import json
import re
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup

from generator.build import build_site, prepare
from generator.chart_templates import KINDS, fill
from generator.charts import all_charts
from generator.downloads import chart_files
from sitefactory import CONFIG, build_with_fines_named, standard_files, write_site



@pytest.fixture(scope="module")
def example_site(tmp_path_factory, example_config):
    out = tmp_path_factory.mktemp("example") / "site"
    build_site(example_config, out)
    return out


@pytest.fixture(scope="module")
def fixture_model(tmp_path_factory):
    return prepare(write_site(tmp_path_factory.mktemp("charts"), standard_files())).model


def test_templates_validate_against_the_vega_lite_schema():
    import altair as alt

    schema = alt.vegalite.v6.schema.core.load_schema()
    row = {"start": "2024-01-01", "end": "2024-01-31", "period": "January 2024", "value": 5.0,
           "series": "Online", "last": True, "window": "2024", "label": "5"}
    for kind in KINDS:
        spec = fill(kind, {"table": [row], "annotations": [
            {"date": "2024-01-15", "label": "15 January 2024", "text": "x", "number": "1"}]}, "A description")
        jsonschema.validate(spec, schema)


def test_channel_shares_are_drawn_stacked_by_vega(fixture_model):
    """Vega-Lite does not stack bars spanning start to end: the interactive chart drew each share as
    a 5-pixel tick at its own height (the static SVG, drawn here, was right). Drawn by Vega itself,
    each period's bars now fill the plot from 0% to 100%: heights add up to the plot's 280 pixels."""
    import re

    import vl_convert

    permits = next(s for s in fixture_model.services if s.slug == "permits")
    chart = {c.id: c for c in permits.charts}["channel-shares"]
    svg = vl_convert.vegalite_to_svg(chart.spec)
    bars = re.findall(r'<path[^>]*aria-roledescription="bar"[^>]*d="M([\d.]+),[-\d.e]+h[\d.]+v([\d.]+)', svg)
    heights: dict[str, float] = {}
    for x, height in bars:
        heights[x] = heights.get(x, 0.0) + float(height)
    assert len(heights) == 24 and all(abs(total - 280) < 1 for total in heights.values()), heights


def test_the_channel_shares_legend_lists_the_channels_in_the_stacks_order(tmp_path):
    """Three to a row, Vega filled the legend's columns first: under a stack of Online, Phone, Face to
    face, Post (as the table and the static chart list them) it read Online, Face to face, Phone,
    Post. Drawn by Vega itself, the legend's labels now go in the stack's order, row by row."""
    import vl_convert

    files = standard_files()
    files["config.yaml"] = CONFIG.replace("  - id: post\n", "  - id: face_to_face\n    label: Face to face\n"
                                          "    unit_cost: 8.00\n  - id: post\n")
    files["data/permits.csv"] = "period,channel,transactions\n" + "".join(
        f"2024-0{month},{channel},{count}\n" for month in (1, 2)
        for channel, count in (("online", 50), ("phone", 30), ("face_to_face", 15), ("post", 5)))
    permits = next(s for s in prepare(write_site(tmp_path, files)).model.services if s.slug == "permits")
    chart = {c.id: c for c in permits.charts}["channel-shares"]
    assert [row["series"] for row in chart.rows[:4]] == ["Online", "Phone", "Face to face", "Post"]
    svg = vl_convert.vegalite_to_svg(chart.spec)
    legend = svg[svg.index("role-legend"):]
    # Each entry: a group placed at (x, y) holding its swatch, then its label.
    placed = re.findall(r'<g transform="translate\(([\d.]+),([\d.]+)\)"><path class="background"[^>]*/><g>'
                        r'<g class="mark-symbol role-legend-symbol".*?<text[^>]*>([^<]+)</text>', legend, re.S)
    in_reading_order = [name for x, y, name in sorted(placed, key=lambda p: (float(p[1]), float(p[0])))]
    assert in_reading_order == ["Online", "Phone", "Face to face", "Post"], placed


def test_take_up_over_100_percent_is_said_in_the_summary_and_on_the_card(tmp_path):
    """A Transactions Explorer service published 457% for 2015 between two years of 100%: the chart
    showed the spike, its summary (a screen reader's text for the chart) said 'was 100.0% in both'.
    2024-02: 300 digital of 200 = 150%; the latest, 2024-03: 80 of 100 = 80%."""
    files = standard_files()
    files["data/permits.csv"] = ("period,transactions,digital_transactions\n2024-01,100,50\n2024-02,200,300\n"
                                 "2024-03,100,80\n")
    permits = next(s for s in prepare(write_site(tmp_path, files)).model.services if s.slug == "permits")
    chart = {c.id: c for c in permits.charts}["digital-take-up"]
    assert chart.summary.startswith("Digital take-up rose from 50.0% in January 2024 to 80.0% in March 2024. "
                                    "Digital take-up was over 100% once, 150.0% in February 2024: ")
    assert permits.kpis["digital_take_up"].note is None  # the latest is 80%
    files["data/permits.csv"] += "2024-04,100,120\n"
    permits = next(s for s in prepare(write_site(tmp_path / "b", files)).model.services if s.slug == "permits")
    assert permits.kpis["digital_take_up"].note == "Over 100%: the published figures it is worked out from do not agree"


def test_a_digital_count_published_without_a_total_is_kept_everywhere(tmp_path):
    """Transactions Explorer: 13,246 digital transactions with the total left blank were in the
    chart's table and the service's CSV, but blank in data/services.csv, told as 'no channel has
    data' in the figures table, and the service was not counted as one with published data."""
    from generator.build import build_site

    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    files["data/permits.csv"] = "period,transactions,digital_transactions\n2024-01,100,50\n2024-02,,13246\n"
    site = tmp_path / "site"
    build_site(write_site(tmp_path, files), site)
    with open(site / "data/services.csv", newline="", encoding="utf-8") as f:
        rows = {r["period"]: r for r in csv.DictReader(f) if r["service"] == "permits"}
    assert (rows["2024-02"]["transactions"], rows["2024-02"]["digital_transactions"]) == ("", "13246")
    assert rows["2024-01"]["digital_transactions"] == "50"
    page = BeautifulSoup((site / "services/permits/index.html").read_text(), "html.parser")
    headers = [th.get_text(" ", strip=True) for th in page.select("tbody th[scope=row]")]
    assert "February 2024 13,246 digital transactions; no total" in headers
    digital_only = standard_files()  # permits has a digital count alone
    digital_only["config.yaml"] += "charts:\n  static_svg: false\n"
    digital_only["data/permits.csv"] = "period,transactions,digital_transactions\n2024-02,,13246\n"
    build_site(write_site(tmp_path / "b", digital_only), tmp_path / "b/site")
    home = (tmp_path / "b/site/index.html").read_text()
    assert re.search(r"2 with published data", home)


def test_an_organisations_take_up_chart_names_the_period_its_services_share(fixture_model):
    """Beside a total for 12 months, a chart of each service's latest period read as a second figure for
    the same thing: when every service's figure is for one period, the chart names it. Department A has
    fines alone, whose latest take-up is for February 2024 (March's phone count is blank)."""
    dept = next(o for o in fixture_model.organisations if o.slug == "dept-a")
    chart = {c.id: c for c in dept.charts}["take-up-by-service"]
    assert chart.summary.endswith("Each service's figure is for February 2024, its latest period with data.")


def test_a_chart_of_yearly_figures_labels_each_year_not_months(tmp_path):
    """LibrariesWest's financial years were points at 'Apr 2020' and 'Apr 2021' on an axis of months,
    read as April's figures. A chart of years has a tick at each, named as the year, drawn by Vega
    and in the static picture alike; a chart of months keeps its months."""
    import re

    import vl_convert

    from generator import svg_charts

    files = standard_files()
    files["data/permits.csv"] = "period,channel,transactions\n2021/22,online,10\n2021/22,phone,30\n" \
        "2022/23,online,20\n2022/23,phone,30\n2023/24,online,30\n2023/24,phone,20\n"
    model = prepare(write_site(tmp_path, files)).model
    permits = next(s for s in model.services if s.slug == "permits")
    for chart_id in ("transactions", "digital-take-up", "channel-shares"):
        chart = {c.id: c for c in permits.charts}[chart_id]
        drawn = vl_convert.vegalite_to_svg(chart.spec)
        assert re.findall(r">(20\d\d/\d\d)<", drawn) == ["2021/22", "2022/23", "2023/24"], chart_id
        assert not re.search(r">[A-Z][a-z]{2} 20\d\d<", drawn)
        assert re.findall(r">(20\d\d/\d\d)<", svg_charts.draw(chart.spec)) == ["2021/22", "2022/23", "2023/24"]
    fines = next(s for s in model.services if s.slug == "fines")  # months: as before
    drawn = svg_charts.draw({c.id: c for c in fines.charts}["transactions"].spec)
    assert "Jan 2024" in drawn and "/2" not in re.sub(r"<[^>]+>", " ", drawn).replace("http://www.w3.org/2000/svg", "")


def test_rolling_years_a_quarter_apart_keep_an_axis_of_months():
    """The Transactions Explorer's years ending in March, June, September and December would each be
    named '2013/14': the axis read '2013/14, 2013/14, 2014/15, 2014/15' (a tester). Years whose names
    repeat keep the axis of months; years with a name each are named."""
    rolling = [{"start": f"{y}-{m:02d}-01", "end": f"{y + 1}-{m - 1:02d}-{30 if m - 1 in (6, 9) else 31}",
                "period": "", "value": 10.0} for y, m in ((2013, 4), (2013, 7), (2013, 10), (2014, 4))]
    spec = fill("line-count", {"table": rolling}, "d")
    assert "years" not in spec["usermeta"] and "utcFormat" not in json.dumps(spec)
    yearly = [dict(row) for row in rolling if row["start"].endswith("-04-01")]
    assert fill("line-count", {"table": yearly}, "d")["usermeta"]["years"] == [["2013-04-01", "2013/14"],
                                                                          ["2014-04-01", "2014/15"]]


def test_summary_sentences_are_computed_from_the_data(fixture_model):
    fines = next(s for s in fixture_model.services if s.slug == "fines")
    charts = {c.id: c for c in fines.charts}
    # Take-up: November 80/200 = 40%, then 45%, 50%, February 120/200 = 60%; March unknown.
    assert charts["digital-take-up"].summary == (
        "Digital take-up rose from 40.0% in November 2023 to 60.0% in February 2024. "
        "The target, drawn as a dashed line, is 75.0%.")
    assert charts["completion-rate"].summary == "Completion rate fell from 80.0% in January 2024 to 75.0% in March 2024."
    # March's phone count is blank: its 180 is a partial total, so the sentence ends at February.
    assert charts["transactions"].summary == (
        "Transactions went from 200 in November 2023 to 200 in February 2024. "
        "Online was the most used channel in February 2024. "
        "March 2024 is left out: some channels have no figures for it.")
    permits = next(s for s in fixture_model.services if s.slug == "permits")
    split = {c.id: c for c in permits.charts}["channel-split"]
    assert split.summary == ("From January to December 2024, Online accounted for 64.9% of transactions, "
                             "compared with 39.4% in January to December 2023.")
    cost = {c.id: c for c in permits.charts}["cost-per-transaction"]
    assert "estimates from channel unit costs" in cost.summary


def test_chart_rows_are_the_spec_data(fixture_model):
    for chart in all_charts(fixture_model):
        assert chart.spec["datasets"]["table"] == chart.rows
        json.dumps(chart.spec, allow_nan=False)  # NaN would not be valid JSON for Vega


def test_the_json_download_holds_every_field_the_chart_draws(fixture_model):
    """The page's script puts the download's rows back into the spec: they must be the spec's rows."""
    kinds = set()
    for chart in all_charts(fixture_model):
        _, body = chart_files(chart)
        download = json.loads(body)
        keys = [f["name"] for f in download["fields"]]
        assert download["data"] == [{k: row.get(k) for k in keys} for row in chart.rows]
        assert all(set(row) <= set(keys) for row in chart.rows), chart.download_base
        page_spec = chart.spec_for_page
        assert page_spec["datasets"]["table"] == []
        rebuilt = {**page_spec, "datasets": {**page_spec["datasets"], "table": download["data"]}}  # as charts.js does
        assert rebuilt == {**chart.spec, "datasets": {**chart.spec["datasets"], "table": download["data"]}}
        kinds.add(chart.spec["usermeta"]["kind"])
    assert {"split-bars", "stacked-shares", "lines-by-channel"} <= kinds  # kinds with fields beyond the table's
    units = {f["name"]: f["unit"] for f in json.loads(chart_files(next(
        c for c in all_charts(fixture_model) if c.spec["usermeta"]["kind"] == "split-bars"))[1])["fields"]}
    assert units["label"] == "text" and units["value"] == "percent"


def test_every_chart_on_the_example_site_is_complete(example_site):
    pages = list(example_site.rglob("*.html"))
    charts_seen = series_tables = 0
    for page in pages:
        tree = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for chart in tree.select("section.chart"):
            charts_seen += 1
            where = f"{page.relative_to(example_site)}#{chart.get('id')}"
            svg = chart.select_one(".chart__static svg")
            assert svg is not None and svg.get("role") == "img", where
            # Named by its title; the summary describes the chart's box, not the image's name again.
            assert svg.find("title") and not svg.find("desc"), where
            assert svg["aria-labelledby"] == svg.find("title")["id"], where
            assert chart.select_one(".chart__static")["aria-describedby"] == chart.select_one(".chart__summary")["id"]
            assert chart.select_one(".chart__summary").get_text(strip=True), where
            table = chart.select_one("details table")
            assert table.caption and table.select("th[scope=col]"), where
            links = [a["href"] for a in chart.select(".chart__downloads a")]
            assert [h.rsplit(".", 1)[-1] for h in links] == ["csv", "json"], where
            for href in links:
                assert (page.parent / href).resolve().is_file(), f"{where}: {href}"
            spec = json.loads(chart.select_one('script[type="application/json"]').string)
            # The page's spec leaves its rows to the JSON download, which the script fetches.
            assert spec["datasets"]["table"] == [], where
            body = (page.parent / links[1]).resolve().read_bytes()
            # ?v= names the download's bytes, so a browser never draws with an older cached copy
            assert chart.select_one("figure")["data-chart-data"] == \
                f"{links[1]}?v={hashlib.sha256(body).hexdigest()[:12]}", where
            plotted = json.loads(body)["data"]
            with open((page.parent / links[0]).resolve(), newline="", encoding="utf-8") as f:
                downloaded = list(csv.DictReader(f))
            assert len(downloaded) == len(plotted), where
            for got, want in zip(downloaded, plotted):
                if want["value"] is None:  # a gap: the line breaks, the table says "no data"
                    assert got["value"] == "", where
                else:
                    assert float(got["value"]) == pytest.approx(want["value"]), where
                if "period" in want:
                    assert got["period"] == want["period"]
            _assert_table_holds(table, plotted, where)
            series_tables += "series" in plotted[0] and [th.get_text(strip=True) for th in table.select(
                "thead th")][1:] == list(dict.fromkeys(p["series"] for p in plotted))
    services = len(list((example_site / "services").glob("*/index.html"))) - 1
    assert charts_seen >= services * 3
    assert series_tables >= services  # transactions by channel, at least, on every service page


def _assert_table_holds(table, plotted: list[dict], where: str) -> None:
    """The chart's table shows every plotted value: a row per plotted row or, for several series
    over time, a row per period and a column per series, each cell its value or 'no data'."""
    heads = [th.get_text(strip=True) for th in table.select("thead th")]
    rows = [[cell.get_text(strip=True) for cell in tr.find_all(["th", "td"])] for tr in table.select("tbody tr")]
    names = list(dict.fromkeys(p["series"] for p in plotted)) if "series" in plotted[0] else None
    if names is None or heads[1:] != names:
        assert len(rows) == len(plotted), where
        return
    periods = list(dict.fromkeys(p["period"] for p in sorted(plotted, key=lambda p: p["start"])))
    assert [r[0] for r in rows] == periods, where
    by_cell = {(r[0], head): text for r in rows for head, text in zip(heads[1:], r[1:])}
    for p in plotted:
        shown = by_cell[p["period"], p["series"]]
        if p["value"] is None:
            assert shown == "no data", where
        else:
            assert float(re.sub(r"[^0-9.\-]", "", shown)) == pytest.approx(p["value"], rel=1e-3, abs=0.06), where


def test_no_url_in_the_built_site_loads_from_another_host(example_site):
    for page in example_site.rglob("*.html"):
        tree = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in tree.find_all(src=True):
            assert not re.match(r"^(https?:)?//", tag["src"]), f"{page}: {tag}"
        for tag in tree.find_all("link", href=True):
            assert not re.match(r"^(https?:)?//", tag["href"]), f"{page}: {tag}"
        for svg in tree.find_all("svg"):
            assert not re.search(r"(href|src)=\"(https?:)?//", str(svg)), page
    for css in example_site.rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css.read_text()), css
    bundles = list((example_site / "static/js").glob("vega.*.js"))
    assert len(bundles) == 1 and re.match(r"vega\.[0-9a-f]{12}\.js", bundles[0].name)


def test_the_shipped_vega_runtime_is_vl_converts_own():
    """A clean clone's build serves the runtime shipped with the package rather than asking vl-convert
    for it (1.5 s of processor time): it must be, byte for byte, what the installed vl-convert gives."""
    import vl_convert

    from generator.static_charts import shipped_bundle

    assert shipped_bundle(vl_convert.__version__) == vl_convert.javascript_bundle().encode("utf-8"), \
        "the shipped Vega runtime is out of date: run `python -m generator.static_charts`"


def test_a_build_takes_the_runtime_from_the_package_or_else_from_vl_convert(tmp_path, monkeypatch):
    import vl_convert

    from generator import static_charts

    shipped = static_charts.shipped_bundle(vl_convert.__version__)
    asked = []
    monkeypatch.setattr(vl_convert, "javascript_bundle", lambda: asked.append(1) or "/* from vl-convert */")
    root = write_site(tmp_path / "a", standard_files()).parent
    build_site(root / "config.yaml", root / "site", jobs=1)
    (bundle,) = (root / "site/static/js").glob("vega.*.js")
    assert bundle.read_bytes() == shipped and asked == []
    assert not list((root / ".perfpages-cache").glob("vega-bundle-*"))  # nothing copied for nothing
    # A vl-convert the package has no runtime for (a newer release): asked, and its answer kept.
    monkeypatch.setattr(static_charts, "SHIPPED_FOLDER", tmp_path / "nothing shipped")
    root = write_site(tmp_path / "b", standard_files()).parent
    build_site(root / "config.yaml", root / "site", jobs=1)
    (bundle,) = (root / "site/static/js").glob("vega.*.js")
    assert bundle.read_bytes() == b"/* from vl-convert */" and asked == [1]
    assert list((root / ".perfpages-cache").glob("vega-bundle-*"))


def test_json_in_html_cannot_close_the_script(tmp_path):
    site = build_with_fines_named(tmp_path, "Pay a fine </script><script>alert(1)</script>")
    html = (site / "organisations/dept-a/index.html").read_text()
    assert "</script><script>alert(1)" not in html
    tree = BeautifulSoup(html, "html.parser")
    assert not [s for s in tree.find_all("script") if "alert" in (s.string or "") and s.get("type") != "application/json"]
    spec = json.loads(tree.select_one('script[type="application/json"]').string)
    assert spec["description"].startswith("Pay a fine </script>")


def _contrast_with_white(colour: str) -> float:
    def channel(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_chart_colours_have_at_least_3_to_1_contrast_and_distinct_dashes():
    from generator.chart_templates import BAND_EDGE, DASHES, PALETTE

    for colour in [*PALETTE, BAND_EDGE]:
        assert _contrast_with_white(colour) >= 3.0, colour
    assert len(set(map(tuple, DASHES))) == len(DASHES) == len(PALETTE)


def test_pages_embed_no_url_of_another_host(example_site):
    page = (example_site / "services/council-tax/index.html").read_text()
    # A link the reader may follow (a peer council's site) loads nothing: only other URLs count.
    page = re.sub(r'<a\s[^>]*href="https?://[^"]*"', "<a", page)
    for url in re.findall(r"https?://[^\s\"'<>)]+", page):
        assert url.startswith(("https://www.example.gov.uk", "http://www.w3.org/")), url


def test_gaps_break_lines_and_are_listed(tmp_path):
    files = standard_files()
    lines = files["data/permits.csv"].splitlines(keepends=True)
    files["data/permits.csv"] = "".join(l for l in lines if not l.startswith(("2024-03", "2024-04")))
    model = prepare(write_site(tmp_path, files)).model
    permits = next(s for s in model.services if s.slug == "permits")
    take_up = {c.id: c for c in permits.charts}["digital-take-up"]
    gap = [r for r in take_up.rows if r["value"] is None]
    assert [(r["period"], r["start"], r["end"]) for r in gap] == [("March to April 2024", "2024-03-01", "2024-04-30")]
    assert take_up.spec["layer"][0]["mark"]["invalid"] == "break-paths-show-domains"
    transactions = {c.id: c for c in permits.charts}["transactions"]
    assert sum(r["value"] is None for r in transactions.rows) == 2  # one gap row per channel


def test_pages_have_no_duplicate_attributes_or_ids(example_site):
    """Checks an HTML parser would otherwise hide: BeautifulSoup silently drops repeated attributes."""
    from html.parser import HTMLParser

    class Checker(HTMLParser):
        def __init__(self):
            super().__init__()
            self.problems, self.ids = [], set()

        def handle_starttag(self, tag, attrs):
            names = [name for name, _ in attrs]
            if len(names) != len(set(names)):
                self.problems.append(f"<{tag}> repeats an attribute: {names}")
            for name, value in attrs:
                if name == "id":
                    if value in self.ids:
                        self.problems.append(f"id '{value}' used twice")
                    self.ids.add(value)

    for page in example_site.rglob("*.html"):
        checker = Checker()
        checker.feed(page.read_text(encoding="utf-8"))
        assert checker.problems == [], page


def test_shipped_chart_templates_are_up_to_date():
    """A clean clone's first build uses generator/chart_templates.json instead of importing Altair."""
    from generator.chart_templates import SHIPPED, shipped_templates

    assert SHIPPED.read_text(encoding="utf-8") == shipped_templates(), \
        "chart_templates.json is out of date: run `python -m generator.chart_templates`"


def test_a_ranked_charts_summary_never_names_one_of_several_as_the_highest():
    """Ties are judged as the figures are shown (99.97% and 99.96% both read 'more than 99.9%'): the
    summary names every one that shares the top (or counts them), and says so when all are the same.
    100.0% is all: 99.96%, short of it, is not shown as 100.0%, so does not share it."""
    from generator.charts import _ranked_chart

    def summary(items, limit=None):
        return _ranked_chart("x", "Take-up", items, "percent", "ranked-percent", "b", "£", "digital take-up",
                             limit).summary

    assert summary([("A", 99.97), ("B", 99.96), ("C", 50.0)]) == (
        "A and B have the highest digital take-up (more than 99.9%) and C the lowest (50.0%).")
    assert summary([("A", 100.0), ("B", 99.96), ("C", 50.0)]) == (
        "A has the highest digital take-up (100.0%) and C the lowest (50.0%).")
    assert summary([("A", 100.0), ("B", 100.0)]) == "Both services have the same digital take-up (100.0%)."
    assert summary([("A", 90.0), ("B", 90.0), ("C", 90.0)]) == "All 3 services have the same digital take-up (90.0%)."
    assert summary([("A", 93.5)]) == "A is the only service with a figure: 93.5%."  # not 'has the highest
    assert summary([("A", 90.0), ("B", 50.0), ("C", 50.0)]) == (
        "A has the highest digital take-up (90.0%); B and C have the lowest (50.0%).")
    assert summary([(f"S{i}", 100.0) for i in range(17)] + [("Z", 3.0)]) == (
        "17 services have the highest digital take-up (100.0%) and Z the lowest (3.0%).")
    assert summary([("A", 90.0), ("B", 60.0), ("C", 50.0)]) == (
        "A has the highest digital take-up (90.0%) and C the lowest (50.0%).")


def _yearly_csv(online: int, phone: int) -> str:
    """12 months of 2024 with the same counts each month: a year is 12 times each."""
    return "period,channel,transactions\n" + "".join(
        f"2024-{m:02d},online,{online}\n2024-{m:02d},phone,{phone}\n" for m in range(1, 13))


def _organisation_tree_site(root: Path, council_runs_one: bool) -> dict:
    """A council; under it directorate A (runs a) and directorate B, which has agency C (runs c),
    and, if asked, a service the council runs itself (d). Returns the home page's bars by name."""
    files = {
        "config.yaml": CONFIG + "charts:\n  static_svg: false\n",
        "content/organisations/council.yaml": "name: Council\nkind: council\n",
        "content/organisations/dir-a.yaml": "name: Directorate A\nparent: council\n",
        "content/organisations/dir-b.yaml": "name: Directorate B\nparent: council\n",
        "content/organisations/agency-c.yaml": "name: Agency C\nparent: dir-b\n",
        "content/services/a.yaml": "name: Service A\norganisation: dir-a\ndescription: A service.\ndata: a.csv\n",
        "content/services/c.yaml": "name: Service C\norganisation: agency-c\ndescription: A service.\ndata: c.csv\n",
        "data/a.csv": _yearly_csv(30, 10),  # 480 a year, 360 online
        "data/c.csv": _yearly_csv(5, 15),  # 240 a year, 60 online
    }
    if council_runs_one:
        files["content/services/d.yaml"] = "name: Service D\norganisation: council\ndescription: A service.\ndata: d.csv\n"
        files["data/d.csv"] = _yearly_csv(1, 1)  # 24 a year, 12 online
    prepared = prepare(write_site(root, files))
    charts = {c.id: c for c in prepared.model.home_charts}
    bars = {row["series"]: row["value"] for row in charts["transactions-by-organisation"].rows}
    take_up = {row["series"]: row["value"] for row in charts["take-up-by-organisation"].rows}
    return {"bars": bars, "take_up": take_up, "total": prepared.model.totals.transactions_per_year,
            "summary": charts["transactions-by-organisation"].summary}


def test_the_home_pages_organisation_charts_count_each_service_once(tmp_path):
    """An organisation's totals include those of the organisations under it, so a directorate
    charted beside its own agency would count the agency twice. The single top-level council
    gives way to its directorates (B with its agency's services, as on B's page), plus a bar for
    what the council runs itself; the bars add up to the home page's total."""
    found = _organisation_tree_site(tmp_path / "own", council_runs_one=True)
    assert found["bars"] == {"Directorate A": 480, "Directorate B": 240,
                             "Council (services it runs itself)": 24}
    assert sum(found["bars"].values()) == found["total"] == 744
    assert found["take_up"] == {"Directorate A": 75.0, "Directorate B": 25.0,
                                "Council (services it runs itself)": 50.0}
    assert found["summary"].endswith("so every service is counted once.")  # B's bar includes C's

    found = _organisation_tree_site(tmp_path / "none", council_runs_one=False)
    assert found["bars"] == {"Directorate A": 480, "Directorate B": 240}
    assert sum(found["bars"].values()) == found["total"]


def test_a_chart_with_no_annotations_or_target_has_no_layers_for_them():
    """Vega warns of an infinite extent for a layer whose dataset is empty; the layers that draw
    annotations and targets are there only when the chart has some."""
    rows = [{"period": "May 2024", "start": "2024-05-01", "end": "2024-05-31", "value": 3.0}]
    names = lambda spec: [layer.get("data", {}).get("name") for layer in spec["layer"]]  # noqa: E731
    assert names(fill("line-percent", {"table": rows}, "d")) == ["table"]
    note = [{"date": "2024-05-01", "label": "New form", "value": 3.0}]
    assert names(fill("line-percent", {"table": rows, "annotations": note}, "d")) == [
        "table", "annotations", "annotations"]
    assert names(fill("line-percent", {"table": rows, "target": [{"value": 75}]}, "d")) == ["table", "target"]
    assert len(fill("line-percent", {"table": rows}, "d")["layer"]) < len(fill("line-percent", {
        "table": rows, "annotations": note, "target": [{"value": 75}]}, "d")["layer"]) == 4


def test_a_one_day_gap_in_a_line_is_named_as_that_day():
    """Los Angeles 311 requests by day: a day with a channel's count missing was a gap row named
    '28 December 2017 to 28 December 2017' in the chart's table and download."""
    from datetime import date

    from generator.charts import _with_gaps
    from generator.periods import Period

    day = lambda d: Period(date(2017, 12, d), date(2017, 12, d), "day")  # noqa: E731
    rows = _with_gaps([(day(27), 5, {}), (day(29), 6, {})])
    assert [(r["period"], r["value"]) for r in rows] == [
        ("27 December 2017", 5), ("28 December 2017", None), ("29 December 2017", 6)]


def test_no_period_is_made_up_between_rolling_windows():
    """Transactions Explorer: 12-month windows every quarter, two of them blank, left a gap of 3
    months between the windows with figures, which the chart's table and download published as a
    period, 'April to June 2012', that no source has. A missing month or quarter is still named."""
    from datetime import date

    from generator.charts import _with_gaps
    from generator.periods import Period

    def window(y, m):  # 12 months from the first of month m of year y
        end = date(y + 1, m, 1).toordinal() - 1
        return Period(date(y, m, 1), date.fromordinal(end), "range")

    rows = _with_gaps([(window(2011, 4), 55432, {}), (window(2012, 7), 48362, {}), (window(2012, 10), 47561, {})])
    assert [(r["start"], r["value"]) for r in rows] == [
        ("2011-04-01", 55432), ("2012-07-01", 48362), ("2012-10-01", 47561)]
    month = lambda m, days: Period(date(2024, m, 1), date(2024, m, days), "month")  # noqa: E731
    rows = _with_gaps([(month(1, 31), 5, {}), (month(3, 31), 6, {})])  # February (29 days) missing
    assert [(r["period"], r["value"]) for r in rows] == [("January 2024", 5), ("February 2024", None),
                                                         ("March 2024", 6)]
    quarter = lambda m, end: Period(date(2024, m, 1), end, "quarter")  # noqa: E731
    rows = _with_gaps([(quarter(1, date(2024, 3, 31)), 5, {}), (quarter(7, date(2024, 9, 30)), 6, {})])
    assert [r["value"] for r in rows] == [5, None, 6]


def test_vl_convert_charts_are_the_same_bytes_in_every_time_zone(tmp_path):
    """A security tester built with static_renderer: vl-convert under four TZ settings: time axes'
    ticks moved a pixel, so a UK laptop and a UTC runner wrote different pages. Drawn in UTC now."""
    import os
    import shutil
    import subprocess
    import sys

    files = standard_files()
    files["config.yaml"] += "charts:\n  static_renderer: vl-convert\n"
    del files["content/services/permits.yaml"]  # fewer charts to draw
    config = write_site(tmp_path, files)
    built = {}
    for zone in ("UTC", "Asia/Tokyo"):
        shutil.rmtree(tmp_path / ".perfpages-cache", ignore_errors=True)  # drawn afresh in each zone
        out = tmp_path / f"site-{zone.replace('/', '-')}"
        done = subprocess.run([sys.executable, "-m", "generator", "build", "--config", str(config), "--output",
                               str(out)], capture_output=True, text=True, env={**os.environ, "TZ": zone})
        assert done.returncode == 0, done.stderr
        built[zone] = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
                       if p.is_file() and p.name != ".perfpages-manifest.json"}
    assert any(b"<svg" in body for body in built["UTC"].values())
    assert built["UTC"] == built["Asia/Tokyo"]


def test_the_first_five_chart_colours_stay_apart_for_colour_blind_readers():
    """Stacked channel shares tell channels apart by colour (and a legend): an accessibility tester
    found the fifth, an olive (#8A6A00), next to indistinguishable from the second (#C04F00) with
    protanopia (colour difference 4). Each pair of the first five, as seen with protanopia or
    deuteranopia (Machado, Oliveira and Fernandes' matrices), differs by at least 12 (CIE76)."""
    from itertools import combinations

    from generator.chart_templates import PALETTE

    def linear(colour):
        rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]

    def lab(rgb):
        xyz = [sum(m * c for m, c in zip(row, rgb)) / white for row, white in zip(
            ((0.4124, 0.3576, 0.1805), (0.2126, 0.7152, 0.0722), (0.0193, 0.1192, 0.9505)), (0.95047, 1, 1.08883))]
        f = [v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116 for v in xyz]
        return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])

    def seen(colour, matrix):
        rgb = linear(colour)
        return lab([min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb)))) for row in matrix])

    protanopia = ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998))
    deuteranopia = ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881))
    for matrix in (protanopia, deuteranopia):
        for a, b in combinations(PALETTE[:5], 2):
            difference = sum((x - y) ** 2 for x, y in zip(seen(a, matrix), seen(b, matrix))) ** 0.5
            assert difference >= 12, (a, b, round(difference, 1))


def test_the_transactions_sentence_compares_whole_periods_not_one_with_a_channel_blank(tmp_path):
    """A tester's missed-bin file left the phone count of June blank: the sentence said transactions
    'went from 1,570 in January to 1,270 in June', a fall that was only the missing count. It now
    stops at the last month with every channel's count and names the month it leaves out."""
    files = standard_files()
    files["data/permits.csv"] = (
        "period,channel,transactions\n"
        "2025-01,online,820\n2025-01,phone,750\n"
        "2025-02,online,900\n2025-02,phone,700\n"
        "2025-03,online,1010\n2025-03,phone,\n")
    model = prepare(write_site(tmp_path, files)).model
    permits = next(s for s in model.services if s.slug == "permits")
    summary = {c.id: c for c in permits.charts}["transactions"].summary
    # January 820 + 750 = 1,570; February 900 + 700 = 1,600 (whole); March 1,010 is online only.
    assert summary == ("Transactions went from 1,570 in January 2025 to 1,600 in February 2025. "
                       "Online was the most used channel in February 2025. "
                       "March 2025 is left out: some channels have no figures for it.")
    files["data/permits.csv"] += "2025-04,online,1020\n2025-04,phone,\n"
    model = prepare(write_site(tmp_path / "two", files)).model
    permits = next(s for s in model.services if s.slug == "permits")
    assert {c.id: c for c in permits.charts}["transactions"].summary.endswith(
        " The last 2 periods (March 2025 and April 2025) are left out: some channels have no figures for them.")
    files["data/permits.csv"] += "2025-05,online,1030\n2025-05,phone,\n"
    model = prepare(write_site(tmp_path / "three", files)).model
    permits = next(s for s in model.services if s.slug == "permits")
    assert {c.id: c for c in permits.charts}["transactions"].summary.endswith(
        " The last 3 periods (from March 2025 on) are left out: some channels have no figures for them.")


def test_what_an_accessibility_tester_found_in_the_example_sites_tables(example_site):
    """Each chart's 'Show the data' names its chart to a screen reader (a service page had up to 20
    of one name); an 'Estimated' cell is never empty ('no' beside a figure of the service's own,
    'not applicable' beside none); and two peer councils are 'A and B', not 'A, B'."""
    page = BeautifulSoup((example_site / "services/library-renewals/index.html").read_text(), "html.parser")
    names = [s.get_text() for s in page.select("details.chart__data > summary")]
    assert "Show the data for this chart: Cost per transaction" in names and len(set(names)) == len(names)
    cost = page.find(id="chart-cost-per-transaction").find("table")
    rows = {tr.th.get_text(): [td.get_text() for td in tr.find_all("td")] for tr in cost.tbody.find_all("tr")}
    assert rows["February 2025"] == ["no data", "not applicable"] and rows["April 2022"] == ["£2.24", "yes"]
    assert not [td for td in page.find_all("td") if not td.get_text(strip=True)]
    council_tax = (example_site / "services/council-tax/index.html").read_text()
    assert "<p>Against Northtown Borough Council and Southvale District Council, for the same service" in council_tax


def test_only_pages_that_draw_charts_load_the_vega_runtime(example_site):
    """900 KB of script (305 KB compressed) had loaded on the About page, the table of services and
    the 404 page too, which draw no chart: a phone's data for nothing."""
    for rel, charts in (("index.html", True), ("services/council-tax/index.html", True), ("savings/index.html", True),
                        ("costs/index.html", True), ("organisations/example-borough-council/index.html", True),
                        ("about/index.html", False), ("services/index.html", False), ("404.html", False),
                        ("organisations/index.html", False)):
        page = BeautifulSoup((example_site / rel).read_text(), "html.parser")
        scripts = [s["src"].rsplit("/", 1)[-1].partition("?v=")[0] for s in page.find_all("script", src=True)]
        # charts.js fetches the runtime, named in its data-runtime, as the first chart nears the screen
        runtime = [s["data-runtime"].rsplit("/", 1)[-1] for s in page.find_all("script", src=True)
                   if s.get("data-runtime")]
        loads = any(name.startswith("vega.") for name in runtime)
        assert loads is charts and ("charts.js" in scripts) is charts, rel
        assert not any(name.startswith("vega.") for name in scripts), rel
        assert "scroll-hints.js" in scripts, rel  # wide tables are everywhere
        assert bool(page.select("[data-chart-spec]")) is charts, rel


def test_the_transactions_sentence_over_years_gives_the_year_as_its_key_figure_does(tmp_path):
    """First against last month said a garden waste service's transactions 'went from 4,655 in April
    2022 to 791 in September 2026' (a spring peak against an autumn low) beside a key figure of 28,548
    a year, up 6.5% (an accessibility review). Over more than a year, the sentence gives the latest
    year as the key figure does, and the busiest and quietest months."""
    files = standard_files()
    rows = ["period,channel,transactions"]
    for year, usual, march in ((2024, 100, 500), (2025, 110, 600)):
        for month in range(1, 13):
            count = march if month == 3 else 50 if (year, month) == (2025, 12) else usual
            rows.append(f"{year}-{month:02d},online,{count}")
    files["data/permits.csv"] = "\n".join(rows) + "\n"
    model = prepare(write_site(tmp_path, files)).model
    permits = next(s for s in model.services if s.slug == "permits")
    summary = {c.id: c for c in permits.charts}["transactions"].summary
    # 2024: 11 x 100 + 500 = 1,600. 2025: 10 x 110 + 600 + 50 = 1,750, up 150 / 1,600 = 9.375%.
    assert summary == ("From January to December 2025, there were 1,750 transactions, up 9.4% from 1,600 (January "
                       "to December 2024). Of the 24 months shown, the busiest was March 2025, with 600, and the "
                       "quietest December 2025, with 50."), summary  # (no 'most used channel': it has one)
    assert permits.kpis["transactions_per_year"].value == 1750  # the key figure says the same
    # Quarters are ranges themselves: no 'from January to March 2024 to ...' around them (a review).
    rows = ["period,channel,transactions"] + [f"{year}-Q{q},online,{100 * q + (year - 2023) * 10}"
                                              for year in (2023, 2024, 2025) for q in (1, 2, 3, 4)]
    files["data/permits.csv"] = "\n".join(rows) + "\n"
    model = prepare(write_site(tmp_path / "quarters", files)).model
    permits = next(s for s in model.services if s.slug == "permits")
    summary = {c.id: c for c in permits.charts}["transactions"].summary
    # 2025: 120 + 220 + 320 + 420 = 1,080; 2024: 110 + 210 + 310 + 410 = 1,040, up 40 / 1,040 = 3.8%.
    assert summary.startswith("From January to December 2025, there were 1,080 transactions, up 3.8% from 1,040 "
                              "(January to December 2024). Of the 12 quarters shown, the busiest was October to "
                              "December 2025, with 420, and the quietest January to March 2023, with 100."), summary


def test_digital_against_other_is_set_against_the_period_a_year_before():
    """Over more than a year the latest period is set against the one starting nearest a year before
    it (52 weeks, for weeks, which never start on the same date), and against none, the latest told
    alone, where no period starts within days of that: first against last had set a spring peak
    against an autumn low (a review)."""
    from datetime import date, timedelta

    from generator.charts import _a_year_apart
    from generator.periods import Period

    weeks = [(Period(date(2024, 1, 1) + timedelta(weeks=i), date(2024, 1, 7) + timedelta(weeks=i), "week"), i)
             for i in range(70)]
    earlier, last = _a_year_apart(weeks)
    assert last is weeks[-1] and earlier is weeks[-53]  # 52 weeks (364 days) before week 69
    months = [(Period(date(2022 + (i + 3) // 12, (i + 3) % 12 + 1, 1), date(2022 + (i + 3) // 12, (i + 3) % 12 + 1, 28),
                      "month"), i) for i in range(30)]  # April 2022 to September 2024
    earlier, last = _a_year_apart(months)
    assert earlier[0].start == date(2023, 9, 1) and last[0].start == date(2024, 9, 1)
    gap = [m for m in months if m[0].start != date(2023, 9, 1)]  # September 2023 missing
    assert _a_year_apart(gap) == (None, gap[-1])
    assert _a_year_apart(months[:12]) == (months[0], months[11])  # a year or less: first against last


def test_the_channel_shares_chart_draws_the_notes_it_lists():
    """The notes under 'Channel shares over time' (1, 2, 3) were drawn on no chart: its template had
    no layer for them, nor its data the rows. Both drawings now mark each note's date."""
    from generator.svg_charts import draw

    rows = [{"period": p, "start": s, "end": e, "series": ch, "order": o, "value": v}
            for p, s, e in (("May 2024", "2024-05-01", "2024-05-31"), ("June 2024", "2024-06-01", "2024-06-30"))
            for o, (ch, v) in enumerate((("Online", 60.0), ("Phone", 40.0)))]
    note = [{"date": "2024-06-01", "label": "1 June 2024", "text": "New form", "number": "1"}]
    spec = fill("stacked-shares", {"table": rows, "annotations": note}, "d")
    assert [layer.get("data", {}).get("name") for layer in spec["layer"]].count("annotations") == 2
    assert spec["datasets"]["annotations"] == note
    assert 'stroke-dasharray="4,3"' in draw(spec) and ">1</text>" in draw(spec)
    assert ">1</text>" not in draw(fill("stacked-shares", {"table": rows}, "d"))


def test_a_digital_share_of_none_then_a_little_is_told_as_a_rise(tmp_path):
    """A tester's GP practices had no video appointments in March 2019 and 59 of 208,837 (0.028%) in August
    2021: both rounded to 0.0, and the channel shares chart said 'was 0.0% in both'."""
    files = standard_files()
    files["data/permits.csv"] = "period,channel,transactions\n2024-01,online,0\n2024-01,phone,5000\n" \
                                "2024-02,online,1\n2024-02,phone,4999\n"
    model = prepare(write_site(tmp_path, files)).model
    permits = next(s for s in model.services if s.slug == "permits")
    charts = {c.id: c for c in permits.charts}
    # February: 1 of 5,000 is 0.02%.
    assert charts["channel-shares"].summary.endswith(
        " The digital channels' share rose from 0.0% in January 2024 to less than 0.1% in February 2024.")
    assert charts["digital-take-up"].summary == (
        "Digital take-up rose from 0.0% in January 2024 to less than 0.1% in February 2024.")
    assert [row["label"] for row in charts["channel-split"].rows if row["series"] == "Online"] == ["less than 0.1%"]


def test_the_months_the_busiest_and_quietest_are_not_chosen_from_are_counted_as_shown_and_named(tmp_path):
    """A tester's GP appointments had no Video/Online row for June 2020: the sentence said 'Of the 29
    months shown' above a table of 30, counting only the months with every channel's figure."""
    files = standard_files()
    rows = ["period,channel,transactions"]
    for year in (2024, 2025):
        for month in range(1, 13):
            online = 600 if (year, month) == (2025, 3) else 10 if (year, month) == (2025, 12) else 100
            if (year, month) == (2024, 9):  # rows, but no figures: 'no data' in every column
                rows += ["2024-09,online,", "2024-09,phone,"]
                continue
            rows.append(f"{year}-{month:02d},online,{online}")
            if (year, month) != (2024, 6):  # no row at all: June 2024's 100 leaves the phone out
                rows.append(f"{year}-{month:02d},phone,50")
    files["data/permits.csv"] = "\n".join(rows) + "\n"
    model = prepare(write_site(tmp_path, files)).model
    permits = next(s for s in model.services if s.slug == "permits")
    chart = {c.id: c for c in permits.charts}["transactions"]
    assert len({row["period"] for row in chart.rows}) == 24  # the table's rows
    # 2025: 10 x 150 + 650 + 60 = 2,210. 2024 has 10 whole months: no comparison. December: phone 50, online 10.
    assert chart.summary == ("From January to December 2025, there were 2,210 transactions. Of the 24 months shown, "
                             "the busiest was March 2025, with 650, and the quietest December 2025, with 60. "
                             "June 2024 is left out: some channels have no figures for it. September 2024 has no "
                             "figures. Phone was the most used channel in December 2025."), chart.summary


def test_a_summary_whose_first_and_last_figures_match_says_what_lay_between():
    """'Digital take-up was 100.0% in both A and B' had been written of a take-up that fell to 52.0%
    between them, and of one that never moved from 0.0% over seven periods (a tester's)."""
    from generator import model as m
    from generator.charts import _over_100, _trend

    def rows(*values):
        labels = ["April 2011 to March 2012", "April 2012 to March 2013", "April 2013 to March 2014", "May 2014"]
        return [{"value": v, "period": p} for v, p in zip(values, labels)]

    assert _trend("Digital take-up", rows(100.0, 52.0, 58.5, 100.0), m.PERCENT, "£") == (
        "Digital take-up was 100.0% at the start (April 2011 to March 2012) and at the end in May 2014; "
        "between them it ranged from 52.0% (April 2012 to March 2013) to 58.5% (April 2013 to March 2014).")
    assert _trend("Digital take-up", rows(0.0, 25.0, 0.0), m.PERCENT, "£") == (
        "Digital take-up was 0.0% at the start (April 2011 to March 2012) and at the end (April 2013 to "
        "March 2014); between them it was 25.0% (April 2012 to March 2013).")
    # Two periods between, shown alike: no one period is named as if it were the only one (a review).
    assert _trend("Digital take-up", rows(50.0, 40.01, 40.04, 50.0), m.PERCENT, "£").endswith(
        "; between them it was 40.0%.")
    assert _trend("Digital take-up", rows(0.0, 0.0, 0.0), m.PERCENT, "£") == (
        "Digital take-up was 0.0% in each of the 3 periods with data, from the first (April 2011 to "
        "March 2012) to the last (April 2013 to March 2014).")
    assert _trend("Cost per transaction", rows(2.0, 2.0), m.MONEY, "£") == (
        "Cost per transaction was £2.00 in both April 2011 to March 2012 and April 2012 to March 2013.")
    assert _trend("Digital take-up", rows(41.0, 63.0), m.PERCENT, "£") == (
        "Digital take-up rose from 41.0% (April 2011 to March 2012) to 63.0% (April 2012 to March 2013).")
    # One period over 100% is named, not called the highest of one.
    assert _over_100("Digital take-up", rows(100.0, 457.0, 100.0), m.PERCENT) == (
        " Digital take-up was over 100% once, 457.0% (April 2012 to March 2013): the published figures it "
        "is worked out from do not agree there.")
