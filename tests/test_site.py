"""A fixture site built end to end, then read back with an HTML parser."""

import hashlib
import re

import pytest
from bs4 import BeautifulSoup

from generator.build import build_site
from sitefactory import FINES_CSV, standard_files, write_site


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    files = standard_files()
    files["content/services/permits.yaml"] = files["content/services/permits.yaml"].replace(
        "name: Renew a permit",
        "name: Renew a permit <script>alert(1)</script>").replace(
        "description: Renew a residents' parking permit.",
        "description: '\"><img src=x onerror=alert(1)> & friends'")
    config = write_site(root, files)
    build_site(config, root / "site")
    return root / "site"


def soup(site, rel):
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


def card_value(page, kpi):
    card = page.select_one(f'[data-kpi="{kpi}"]')
    assert card is not None, f"no card for {kpi}"
    return card.select_one(".kpi-card__value").get_text(" ", strip=True)


def test_service_page_shows_hand_computed_figures(built):
    page = soup(built, "services/fines/index.html")
    assert page.h1.get_text(strip=True) == "Pay a fine"
    assert card_value(page, "digital_take_up") == "60.0%"  # 120 / 200, February 2024
    assert card_value(page, "cost_per_transaction") == "£3.35"  # January 2024
    assert card_value(page, "completion_rate") == "75.0%"  # 150 / 200
    assert card_value(page, "user_satisfaction") == "80.0%"  # mean 4.2 of 5
    assert card_value(page, "transactions_per_year") == "980"
    take_up = page.select_one('[data-kpi="digital_take_up"]').get_text(" ", strip=True)
    assert "February 2024" in take_up and "January 2024" in take_up
    assert "Up 10.0 percentage points" in take_up


def test_estimates_and_not_requested_are_labelled(built):
    page = soup(built, "services/permits/index.html")
    cost = page.select_one('[data-kpi="cost_per_transaction"]').get_text(" ", strip=True)
    assert "£0.73" in cost and "estimate" in cost
    assert card_value(page, "completion_rate") == "not requested"
    assert card_value(page, "user_satisfaction") == "no data"
    # Each says what it means in words (a review: only 'not requested' had a sentence).
    def said(kpi):
        return page.select_one(f'[data-kpi="{kpi}"] .kpi-card__period').get_text(strip=True)
    assert said("completion_rate") == "This service does not collect this figure."
    assert said("user_satisfaction") == "No figure has been published for this."


def test_organisation_totals_equal_sum_of_service_pages(built):
    def number(text):
        return float(re.sub(r"[^\d.]", "", text))

    org = soup(built, "organisations/test-council/index.html")
    total = org.select_one('[data-total="transactions_per_year"]').get_text(strip=True)
    services = [soup(built, f"services/{slug}/index.html") for slug in ("fines", "permits")]
    assert number(total) == sum(number(card_value(p, "transactions_per_year")) for p in services) == 4400
    home = soup(built, "index.html")
    assert number(home.select_one('[data-total="transactions_per_year"]').get_text(strip=True)) == 4400


def test_hostile_text_is_escaped(built):
    html = (built / "services/permits/index.html").read_text()
    page = BeautifulSoup(html, "html.parser")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert page.find("img", src="x") is None
    assert not [s for s in page.find_all("script") if "alert" in (s.string or "")]
    listing = (built / "services/index.html").read_text()
    assert "<script>alert(1)</script>" not in listing


def test_every_sort_order_is_a_static_page(built):
    by_take_up = soup(built, "services/sort/digital-take-up-desc/index.html")
    names = [a.get_text(strip=True) for a in by_take_up.select("tbody th a")]
    assert names[0] == "Renew a permit <script>alert(1)</script>"  # 70.6% before 60.0%
    header = by_take_up.select_one('th[aria-sort="descending"]')
    assert header is not None and "Digital take-up" in header.get_text()


def test_internal_links_resolve(built):
    """Every internal link finds its file, and a link to a part of a page (a sort link's
    ``#costs-table``, say) finds an element with that id there."""
    missing = []
    ids: dict = {}

    def ids_of(path):
        if path not in ids:
            ids[path] = {tag["id"] for tag in BeautifulSoup(path.read_text(), "html.parser").find_all(id=True)}
        return ids[path]

    sort_links = 0
    for page in built.rglob("*.html"):
        if page.name == "404.html":
            continue
        for tag in BeautifulSoup(page.read_text(), "html.parser").find_all(["a", "link", "script", "img"]):
            ref = tag.get("href") or tag.get("src")
            if not ref or re.match(r"^(https?:|mailto:|data:)", ref):
                continue
            path, _, fragment = ref.partition("#")
            path = path.partition("?")[0]  # a stylesheet's ?v=<digest of its content>
            target = (page.parent / path).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                missing.append(f"{page.relative_to(built)} -> {ref}")
            elif fragment and target.suffix == ".html" and fragment not in ids_of(target):
                missing.append(f"{page.relative_to(built)} -> {ref} (no id {fragment!r} there)")
            sort_links += "sort-link" in (tag.get("class") or [])
    assert missing == []
    assert sort_links > 100  # the services, costs and savings tables' headers among them


def test_nothing_loads_from_another_host(built):
    for page in built.rglob("*.html"):
        tree = BeautifulSoup(page.read_text(), "html.parser")
        for tag in tree.find_all(["script", "link", "img", "iframe", "source"]):
            ref = tag.get("src") or tag.get("href") or ""
            if tag.name == "link" and tag.get("rel") == ["canonical"]:
                continue
            assert not re.match(r"^(https?:)?//", ref), f"{page}: {tag}"


def test_markdown_page_and_404(built):
    about = soup(built, "about/index.html")
    assert about.h1.get_text(strip=True) == "About"
    assert about.find("h2").get_text(strip=True) == "Who we are"
    assert (built / "404.html").is_file()


def tree_digest(folder):
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def test_builds_are_byte_identical(tmp_path):
    import shutil

    config = write_site(tmp_path, standard_files())
    build_site(config, tmp_path / "one")
    shutil.rmtree(tmp_path / ".perfpages-cache")  # draw every SVG again, not from the cache
    build_site(config, tmp_path / "two")
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


def test_subpath_base_url_keeps_links_working(tmp_path):
    files = standard_files()
    files["config.yaml"] = files["config.yaml"].replace("base_url: /", "base_url: https://x.github.io/perf/")
    config = write_site(tmp_path, files)
    build_site(config, tmp_path / "site")
    not_found = (tmp_path / "site/404.html").read_text()
    assert 'href="/perf/' in not_found
    page = (tmp_path / "site/services/fines/index.html").read_text()
    assert 'href="/' not in page  # relative links work at any mount point
    # Every internal link and asset on every page resolves when the site is served under /perf/.
    from urllib.parse import unquote, urljoin, urlsplit

    site, checked = tmp_path / "site", 0
    for html in site.rglob("*.html"):
        rel = html.relative_to(site).as_posix()
        page_url = "https://x.github.io/perf/" + rel
        for tag in BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").find_all(["a", "link", "script", "img"]):
            ref = tag.get("href") or tag.get("src")
            if not ref or ref.startswith(("#", "mailto:", "data:")) or (
                    ref.startswith("http") and not ref.startswith("https://x.github.io/")):
                continue
            path = unquote(urlsplit(urljoin(page_url, ref)).path)
            assert path.startswith("/perf/"), (rel, ref)
            target = site / path[len("/perf/"):]
            if path.endswith("/"):
                target = target / "index.html"
            assert target.is_file(), (rel, ref)
            checked += 1
    assert checked > 100


def test_open_data_equals_what_the_pages_show(built):
    import csv
    import json

    with open(built / "data/services.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fines = {r["period"]: r for r in rows if r["service"] == "fines"}
    assert float(fines["2024-02"]["digital_take_up"]) == 60.0  # the card's figure
    assert fines["2024-03"]["digital_take_up"] == "" and fines["2024-03"]["complete"] == "false"
    assert float(fines["2024-01"]["cost_per_transaction"]) == 3.35
    assert float(fines["2024-03"]["user_satisfaction"]) == 80.0
    # 'Not requested' is told apart from missing, as on the pages: permits does not collect completion.
    permits = [r for r in rows if r["service"] == "permits"]
    assert permits and all(r["not_requested"] == "completion_rate" and r["completion_rate"] == "" for r in permits)
    assert all(r["not_requested"] == "" for r in fines.values())
    page = BeautifulSoup((built / "services/fines/index.html").read_text(), "html.parser")
    shown = {tr.th.get_text(" ", strip=True).split(" some")[0]: [td.get_text(strip=True) for td in tr.find_all("td")]
             for tr in page.select("#periods-heading ~ div table tbody tr")}
    assert shown["February 2024"][1] == "60.0%"
    package = json.loads((built / "data/datapackage.json").read_text())
    fields = [f["name"] for f in package["resources"][0]["schema"]["fields"]]
    assert fields == list(rows[0].keys())
    money = next(f for f in package["resources"][0]["schema"]["fields"] if f["name"] == "cost_per_transaction")
    assert money["description"] == "Cost per transaction, in GBP (£)"  # the code: '$' is several currencies'
    data = json.loads((built / "data/services.json").read_text())["data"]
    assert len(data) == len(rows)
    home = (built / "index.html").read_text()
    assert 'href="./data/services.csv"' in home and "datapackage.json" in home


def test_base_url_from_the_command_line_replaces_the_configs(tmp_path):
    """CI knows where it deploys (GitHub's configure-pages says so): ``--base-url`` stands in for
    config.yaml's. Only the 404 page (served at any path, so it links absolutely) depends on it;
    changing it again is a new build, not a stale 404 page kept from the last one."""
    from click.testing import CliRunner

    from generator.cli import main

    config = write_site(tmp_path, standard_files())  # base_url: /
    out = tmp_path / "site"

    def build(*extra):
        result = CliRunner().invoke(main, ["build", "--config", str(config), "--output", str(out), *extra])
        assert result.exit_code == 0, result.output
        return BeautifulSoup((out / "404.html").read_text(encoding="utf-8"), "html.parser")

    def stylesheet(page):
        return page.find("link", rel="stylesheet")["href"].partition("?v=")[0]  # (its content's digest)

    assert stylesheet(build()) == "/static/css/site.css"
    service_page = (out / "services/fines/index.html").read_bytes()
    assert stylesheet(build("--base-url", "https://council.github.io/performance")) == \
        "/performance/static/css/site.css"
    assert (out / "services/fines/index.html").read_bytes() == service_page  # relative links throughout
    assert stylesheet(build("--base-url", "/perf/")) == "/perf/static/css/site.css"
    assert stylesheet(build()) == "/static/css/site.css"  # config.yaml's again


def test_a_base_url_with_a_space_is_percent_encoded_in_links(tmp_path):
    """'https://example.github.io/repo name/' was written into every link as '/repo name/'."""
    from click.testing import CliRunner

    from generator.cli import main

    config = write_site(tmp_path, standard_files())
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--config", str(config), "--output", str(out),
                                       "--base-url", "https://example.github.io/repo name/"])
    assert result.exit_code == 0, result.output
    page = BeautifulSoup((out / "404.html").read_text(encoding="utf-8"), "html.parser")
    assert page.find("link", rel="stylesheet")["href"].partition("?v=")[0] == "/repo%20name/static/css/site.css"


def test_a_total_of_years_ending_at_different_times_says_so(built):
    """Transactions per year on the home page add up each service's latest 12 months: fines' end in
    March 2024, permits' in December 2024. Said, so the sum is not read as one year's; Department A,
    with fines alone, says the same against the site's latest data (every total counts as of it)."""
    home = soup(built, "index.html").find("dl", class_="headline-figures").get_text(" ", strip=True)
    # named, as few are (a tester: 'for 1 of the 3 services' left the reader to find which)
    assert ("each service's latest 12 months: for 1 of the 2 services (Pay a fine), those end before "
            "December 2024") in home
    assert "not counted" not in home
    dept = soup(built, "organisations/dept-a/index.html").find("dl", class_="headline-figures")
    assert "for the only service (Pay a fine), those end before December 2024" in \
        dept.get_text(" ", strip=True)


def test_a_service_whose_figures_ended_years_ago_is_not_counted_in_totals(tmp_path):
    """A Belfast emergency department closed in 2011: its year to October 2011 was added to the
    trust's year to March 2022 as one 'transactions per year'. A service whose figures end a year
    or more before the site's latest is left out of every total, and the totals say so."""
    from generator.build import prepare

    files = standard_files()
    files["data/fines.csv"] = FINES_CSV.replace("2023-", "2021-").replace("2024-", "2022-")  # Nov 2021 to Mar 2022
    prepared = prepare(write_site(tmp_path, files))
    # Permits alone: 2024, online 10 x 13..24 = 2,220 and phone 12 x 100 = 1,200.
    assert prepared.model.totals.transactions_per_year == 3420 and prepared.model.totals.left_out == 1
    assert prepared.model.totals.counted_from == "January 2024"
    dept = next(o for o in prepared.model.organisations if o.slug == "dept-a")
    assert dept.totals.transactions_per_year is None and dept.totals.left_out == 1
    build_site(tmp_path / "config.yaml", tmp_path / "site")
    home = BeautifulSoup((tmp_path / "site/index.html").read_text(encoding="utf-8"), "html.parser")
    text = home.find("dl", class_="headline-figures").get_text(" ", strip=True)
    assert "Transactions per year 3,420" in text and "not counted: 1 service whose transactions end before January 2024" in text


def test_markdown_links_from_the_sites_root_work_under_a_subpath(tmp_path):
    """[About](/about/) and ![Logo](/static/...) are how people link within a site: they were
    dropped (an <a> with no href); now each is made relative to its page, so it works at / and
    under a GitHub Pages project's subpath. Other hosts and mailto: are left as written."""
    files = standard_files()
    files["config.yaml"] = files["config.yaml"].replace("base_url: /", "base_url: https://x.github.io/perf/")
    files["static/img/logo.svg"] = "<svg xmlns='http://www.w3.org/2000/svg'/>"
    files["content/pages/contact.md"] = (
        "---\ntitle: Contact\n---\nRead [about us](/about/#who), [fines](/services/fines/) and "
        "[the council](https://www.example.gov.uk/) or [write](mailto:perf@example.gov.uk).\n\n"
        "![Council logo](/static/img/logo.svg)\n")
    files["content/services/fines.yaml"] += "notes: See [all services](/services/).\n"
    build_site(write_site(tmp_path, files), tmp_path / "site", strict=True)
    contact = soup(tmp_path / "site", "contact/index.html").select_one(".prose")
    assert [a["href"] for a in contact.find_all("a")] == [
        "../about/#who", "../services/fines/", "https://www.example.gov.uk/", "mailto:perf@example.gov.uk"]
    assert contact.img["src"] == "../static/img/logo.svg"
    notes = soup(tmp_path / "site", "services/fines/index.html").find("a", string="all services")
    assert notes["href"] == "../../services/"


def test_the_readmes_branding_example_builds_as_it_says(tmp_path):
    """README's Branding section is what a council follows to add its colours, fonts and logo: its
    table names every custom property site.css uses, and its example, done on a site, builds
    with --strict into pages that load the stylesheet, fonts and logo from the site itself."""
    from pathlib import Path

    root = Path(__file__).parents[1]
    readme = root / "README.md"
    section = readme.read_text(encoding="utf-8").split("### Branding", 1)[1].split("\n## ", 1)[0]
    used = set(re.findall(r"var\((--[a-z-]+)", (root / "themes/default/static/css/site.css").read_text()))
    assert used and all(f"`{name}`" in section for name in used)
    css = re.search(r"```css\n(.*?)```", section, re.S).group(1)
    files = standard_files()
    files["config.yaml"] = files["config.yaml"].replace("base_url: /", "base_url: https://x.github.io/perf/")
    files["static/css/brand.css"] = css
    files["templates/base.html"] = re.search(r"```jinja\n(.*?)```", section, re.S).group(1)
    files["static/img/logo.svg"] = "<svg xmlns='http://www.w3.org/2000/svg'/>"
    for font in re.findall(r'url\("\.\./(fonts/[^"]+)"\)', css):
        files[f"static/{font}"] = "wOF2"  # stands for the font file
    assert len(re.findall(r"@font-face", css)) == 2 and "https:" not in css
    result = build_site(write_site(tmp_path, files), tmp_path / "site", strict=True)
    assert not result.problems.warnings
    page = soup(tmp_path / "site", "services/fines/index.html")
    bare = lambda ref: ref.partition("?v=")[0]  # noqa: E731 (each asset is named with its content's digest)
    assert [bare(link["href"]) for link in page.select('link[rel="stylesheet"]')] == [
        "../../static/css/site.css", "../../static/css/brand.css"]
    assert bare(page.select_one(".header__title img.header__logo")["src"]) == "../../static/img/logo.svg"
    assert [bare(link["href"]) for link in page.select('link[rel="icon"]')] == ["../../static/img/logo.svg"]  # one icon
    assert (tmp_path / "site/static/fonts/open-sans-regular.woff2").is_file()


def test_a_total_says_how_many_services_have_less_than_a_whole_year(tmp_path):
    """A service with one week of figures adds that week to 'transactions per year', as its own card
    shows it (with a note): the total says how many of its services' years are not whole. Fines has
    November 2023 to March 2024 (5 months), permits the whole of 2024."""
    from generator.build import prepare

    prepared = prepare(write_site(tmp_path, standard_files()))
    assert prepared.model.totals.partial == 1 and prepared.model.totals.transactions_per_year is not None
    dept = next(o for o in prepared.model.organisations if o.slug == "dept-a")  # fines alone
    assert dept.totals.partial == 1
    files = standard_files()
    del files["content/services/fines.yaml"]
    assert prepare(write_site(tmp_path / "permits", files)).model.totals.partial == 0  # a whole year
    build_site(tmp_path / "config.yaml", tmp_path / "site")
    home = BeautifulSoup((tmp_path / "site/index.html").read_text(encoding="utf-8"), "html.parser")
    text = home.find("dl", class_="headline-figures").get_text(" ", strip=True)
    # Named, as three or fewer are (a tester's '1 of the 6 services' left them to be found).
    assert ("for 1 of the 2 services (Pay a fine), the latest year's figures are incomplete (see its page)") in text
    fines = BeautifulSoup((tmp_path / "site/services/fines/index.html").read_text(encoding="utf-8"), "html.parser")
    assert ("less than a year of figures: the first is for November 2023; 4 of the 5 months since have complete "
            "data") in fines.get_text(" ", strip=True)  # March lacks post
    # The services table says so in the row too, and names each service's latest month: a figure
    # with no month of its own beside it is for that month (a tester could not tell a year from a quarter).
    table = BeautifulSoup((tmp_path / "site/services/index.html").read_text(encoding="utf-8"), "html.parser")
    rows = {r.th.a.get_text(): r for r in table.select("table.table--services tbody tr")}
    assert rows["Pay a fine"].th.select_one(".table__period").get_text() == "latest data: March 2024"
    assert rows["Pay a fine"].td.find_next_sibling("td").get_text(" ", strip=True) == (
        "980 not a whole year of complete figures")  # as its card: November 2023 to March 2024
    assert rows["Renew a permit"].th.select_one(".table__period").get_text() == "latest data: December 2024"
    assert "not a whole year" not in rows["Renew a permit"].get_text()
    build_site(tmp_path / "permits/config.yaml", tmp_path / "permits/site")  # one year, ending December 2024
    home = BeautifulSoup((tmp_path / "permits/site/index.html").read_text(encoding="utf-8"), "html.parser")
    assert "Transactions per year 3,420 the 12 months to December 2024" in home.find(
        "dl", class_="headline-figures").get_text(" ", strip=True)
    # Where most rows' latest data is for one month, it is said once above the table, not on each
    # row (rows 130 px tall on a phone, a review found); two services of two months keep theirs above.
    table = BeautifulSoup((tmp_path / "permits/site/services/index.html").read_text(encoding="utf-8"), "html.parser")
    caption = table.select_one("table.table--services caption")
    assert caption.select_one(".table__period").get_text() == "Latest data: December 2024."
    assert table.select("table.table--services tbody .table__period") == []
    both = BeautifulSoup((tmp_path / "site/services/index.html").read_text(encoding="utf-8"), "html.parser")
    assert "Latest data" not in both.select_one("table.table--services caption").get_text()


def test_a_card_a_year_or_more_older_than_the_latest_figures_says_so(tmp_path):
    """A Transactions Explorer service's digital take-up '100.0%' was for 2012, beside transactions for
    2016/17, with only its period to tell them apart. Cost here is for January 2022 alone; the latest
    figures are for January 2024: its card says it is a year or more before them; transactions' is not."""
    files = standard_files()
    files["data/permits.csv"] = ("period,channel,transactions,cost\n2022-01,online,10,20\n2022-01,phone,5,10\n"
                                 "2023-06,online,10,\n2023-06,phone,5,\n2024-01,online,10,\n2024-01,phone,5,\n")
    build_site(write_site(tmp_path, files), tmp_path / "site")
    page = BeautifulSoup((tmp_path / "site/services/permits/index.html").read_text(encoding="utf-8"), "html.parser")
    cost = page.find(attrs={"data-kpi": "cost_per_transaction"}).get_text(" ", strip=True)
    assert "January 2022 a year or more before the latest figures" in cost
    take_up = page.find(attrs={"data-kpi": "digital_take_up"}).get_text(" ", strip=True)
    assert "January 2024" in take_up and "a year or more before" not in take_up  # the latest: not marked


def test_the_services_page_links_to_savings_only_where_there_are_some(tmp_path):
    """With no unit costs no saving can be estimated, and the link led to a page of 'no data'."""
    import re

    files = standard_files()
    build_site(write_site(tmp_path / "a", files), tmp_path / "a/site")
    assert 'href="../savings/"' in (tmp_path / "a/site/services/index.html").read_text(encoding="utf-8")
    files["config.yaml"] = re.sub(r"\n    unit_cost: [\d.]+", "", files["config.yaml"])
    build_site(write_site(tmp_path / "b", files), tmp_path / "b/site")
    page = (tmp_path / "b/site/services/index.html").read_text(encoding="utf-8")
    assert "savings/" not in page and 'href="../costs/"' in page  # fines publishes its costs


def test_the_build_command_leaves_the_collector_on_with_the_builds_objects_set_aside(tmp_path, monkeypatch):
    """``perfpages build`` keeps Python's cycle collector off to its end: turned back on, its first
    pass scanned every object the build left (1.1 s at GOV.UK scale) in a process about to exit.
    They are frozen first (set aside from the collector; reference counting still frees them), so
    a caller in the same process gets the collector back at once."""
    import gc

    from click.testing import CliRunner

    from generator.cli import main

    config = write_site(tmp_path, standard_files())
    calls = []
    for name in ("freeze", "enable", "disable"):
        monkeypatch.setattr(gc, name, lambda real=getattr(gc, name), name=name: calls.append(name) or real())
    result = CliRunner().invoke(main, ["build", "--config", str(config), "--output", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert gc.isenabled()
    assert calls[-2:] == ["freeze", "enable"]  # not the collector on, with every object still in sight
    monkeypatch.undo()
    gc.unfreeze()  # the rest of the tests as before


def test_a_page_in_another_language_is_marked_so_where_it_is_shown_and_linked(tmp_path):
    """WCAG 3.1.2 (language of parts): a Welsh page on an English site says lang="cy" on its text and
    on the links to it, so a screen reader reads them in Welsh; the theme's own words stay English.
    A page in the site's own language needs no mark."""
    files = standard_files()
    files["content/pages/amdanom.md"] = ("---\ntitle: Amdanom ni\ndescription: Pwy ydym ni.\nnav_order: 2\n"
                                         "language: cy\n---\nMae'r wefan hon yn dangos perfformiad.\n")
    files["content/pages/about.md"] = files["content/pages/about.md"].replace("nav_order: 1", "nav_order: 1\nlanguage: EN-gb")
    config = write_site(tmp_path, files)
    build_site(config, tmp_path / "site")
    welsh = soup(tmp_path / "site", "amdanom/index.html")
    assert welsh.html["lang"] == "en-GB"
    main = welsh.find("main")
    assert [(tag.name, tag.get_text(strip=True)) for tag in main.select('[lang="cy"]')] == [
        ("h1", "Amdanom ni"), ("p", "Pwy ydym ni."), ("div", "Mae'r wefan hon yn dangos perfformiad.")]
    home = soup(tmp_path / "site", "index.html")
    assert {a.get_text(strip=True) for a in home.select('a[lang="cy"]')} == {"Amdanom ni"}
    assert len(home.select('a[lang="cy"]')) == 2  # in the header's navigation and in the footer
    assert not soup(tmp_path / "site", "about/index.html").select("main [lang]")  # the site's own language


def test_the_home_pages_latest_data_names_the_period_as_the_services_table_does(tmp_path):
    """A tester's Canada Service Inventory, of financial years, said 'Latest data: March 2024' on its
    home page (the month its latest year ends in) above a table captioned 'Latest data: April 2023 to
    March 2024'. The home page names the latest period by its label, as the table does."""
    files = standard_files()
    files["data/permits.csv"] = "period,channel,transactions\n2022/23,online,300\n2022/23,phone,700\n" \
                                "2023/24,online,400\n2023/24,phone,600\n"
    files["data/fines.csv"] = files["data/permits.csv"]
    build_site(write_site(tmp_path, files), tmp_path / "site")
    home = soup(tmp_path / "site", "index.html")
    assert home.select_one("p.caption").get_text() == "Latest data: April 2023 to March 2024"
    assert home.select_one("table.table--services caption .table__period").get_text() == (
        "Latest data: April 2023 to March 2024.")
    # Quarters: named as quarters.
    files["data/permits.csv"] = "period,channel,transactions\n2024-Q1,online,40\n2024-Q2,online,50\n"
    files["data/fines.csv"] = files["data/permits.csv"]
    build_site(write_site(tmp_path / "quarters", files), tmp_path / "quarters/site")
    assert soup(tmp_path / "quarters/site", "index.html").select_one("p.caption").get_text() == (
        "Latest data: April to June 2024")
    # A month and the year it closes both end on 31 March 2024: the month is the newest data.
    files["data/fines.csv"] = "period,channel,transactions\n2024-02,online,40\n2024-03,online,50\n"
    files["data/permits.csv"] = "period,channel,transactions\n2023/24,online,400\n"
    build_site(write_site(tmp_path / "mixed", files), tmp_path / "mixed/site")
    assert soup(tmp_path / "mixed/site", "index.html").select_one("p.caption").get_text() == (
        "Latest data: March 2024")


def test_take_up_with_a_channel_unknown_says_why_and_the_busiest_channel_is_of_those_known(tmp_path):
    """A tester's Canada service had Online 1,433 and four of its seven channels 'ND': its take-up card
    said 'No figure has been published for this', and its chart 'Online was the most used channel'."""
    files = standard_files()
    files["data/permits.csv"] = "period,channel,transactions\n2023/24,online,1433\n2023/24,phone,\n2023/24,post,0\n"
    build_site(write_site(tmp_path, files), tmp_path / "site")
    page = soup(tmp_path / "site", "services/permits/index.html")
    card = page.select_one('[data-kpi="digital_take_up"]')
    assert card.select_one(".kpi-card__value").get_text(strip=True) == "no data"
    assert card.select_one(".kpi-card__period") is None  # not 'No figure has been published for this.'
    assert card.select_one(".kpi-card__note").get_text(strip=True) == (
        "Not every channel has a figure for April 2023 to March 2024, so take-up cannot be worked out")
    summary = page.select_one("#chart-transactions").get_text(" ", strip=True)
    assert "There were 1,433 transactions (April 2023 to March 2024). Online was the most used of the " \
           "channels with figures in April 2023 to March 2024." in summary
    table = soup(tmp_path / "site", "services/index.html")
    row = next(r for r in table.select("table.table--services tbody tr") if r.th.a.get_text() == "Renew a permit")
    assert row.find_all("td")[2].get_text(" ", strip=True) == "no data not every channel has a figure"
    # With every channel's count (phone 567), take-up is 1,433 / 2,000 = 71.65%, the card has no note,
    # and the busiest channel is said plainly.
    files["data/permits.csv"] = files["data/permits.csv"].replace("phone,\n", "phone,567\n")
    build_site(write_site(tmp_path / "whole", files), tmp_path / "whole/site")
    page = soup(tmp_path / "whole/site", "services/permits/index.html")
    assert card_value(page, "digital_take_up") == "71.7%"
    assert page.select_one('[data-kpi="digital_take_up"] .kpi-card__note') is None
    assert "Online was the most used channel in April 2023 to March 2024." in page.select_one(
        "#chart-transactions").get_text(" ", strip=True)


def test_a_site_in_australian_dollars_writes_dollars_and_names_the_currency(tmp_path):
    """A tester's Australian dashboards: 'currency must be one of GBP, EUR, USD, not AUD' (did you mean
    USD?). Australian, Canadian and New Zealand dollars are written '$', as their governments write
    them, and the data package names the code."""
    import json

    files = standard_files()
    files["config.yaml"] += "currency: AUD\n"
    build_site(write_site(tmp_path, files), tmp_path / "site")
    page = (tmp_path / "site/services/fines/index.html").read_text(encoding="utf-8")
    assert "$3.35" in page and "£" not in page
    package = json.loads((tmp_path / "site/data/datapackage.json").read_text())
    money = next(f for f in package["resources"][0]["schema"]["fields"] if f["name"] == "cost_per_transaction")
    assert money["description"] == "Cost per transaction, in AUD ($)"


def test_the_home_pages_opening_names_only_what_some_service_collects(tmp_path):
    """A tester's FOI site, where no service collects take-up, cost or satisfaction: its home page
    had promised 'how many happen online, what each costs ... and how satisfied they are'."""
    files = standard_files()
    for name in ("fines", "permits"):
        path = f"content/services/{name}.yaml"
        files[path] = files[path].replace("not_requested: [completion_rate]\n", "") + \
            "not_requested: [digital_take_up, cost_per_transaction, user_satisfaction]\n"
    build_site(write_site(tmp_path, files), tmp_path / "site")
    home = BeautifulSoup((tmp_path / "site/index.html").read_text(encoding="utf-8"), "html.parser")
    assert home.find("p", class_="lead").get_text() == ("How services from Test Council are used and how well they "
                                                        "work: how many transactions each handles and how many "
                                                        "people finish.")


def test_a_total_of_no_whole_year_does_not_say_it_is_of_12_months(tmp_path):
    """A tester's site of five days of 311 requests read 'Transactions per year 9,999, the 12 months
    to December 2017': with no counted service's latest 12 months complete, the total says so."""
    files = standard_files()
    del files["content/services/permits.yaml"]  # fines alone: November 2023 to March 2024
    build_site(write_site(tmp_path, files), tmp_path / "site")
    home = BeautifulSoup((tmp_path / "site/index.html").read_text(encoding="utf-8"), "html.parser")
    text = home.find("dl", class_="headline-figures").get_text(" ", strip=True)
    assert "up to March 2024 for the only service (Pay a fine), the latest year's figures are incomplete" in text
    assert "the 12 months to" not in text
