"""Benchmarking against like authorities: ranks, medians and quartiles worked out by hand."""

from __future__ import annotations

import re


import pytest
from bs4 import BeautifulSoup

from generator import model as m
from generator.build import BuildFailed, build_site, prepare
from generator.comparison import PeerService, compare, fetch, read_peer_csv
from generator.errors import Problems
from generator.figures import KPI_INFO
from sitefactory import standard_files, write_site

HEADER = ("service,service_name,organisation,organisation_name,lgsl,period,period_start,period_end,transactions,"
          "digital_transactions,digital_take_up,cost_per_transaction,cost_estimated,completion_rate,"
          "user_satisfaction,complete")


def peer(council, **figures):
    return PeerService(council, None, "Pay a fine", "101", figures)


def test_ranks_median_and_quartiles():
    cost = KPI_INFO[m.COST_PER_TRANSACTION]  # lower is better
    others = [peer("A", cost_per_transaction=2.0), peer("B", cost_per_transaction=4.0),
              peer("C", cost_per_transaction=1.0), peer("D", cost_per_transaction=None)]
    c = compare(cost, "Us", "Pay a fine", m.Figure(cost, 3.0), others)
    # Values 1, 2, 3, 4 (D has none): we are third cheapest of four. Inclusive quartiles of 1, 2, 3, 4:
    # Q1 = 1 + 0.75 x (2 - 1) = 1.75, median 2.5, Q3 = 3 + 0.25 x (4 - 3) = 3.25.
    assert (c.rank, c.of) == (3, 4)
    assert (c.lower_quartile, c.median, c.upper_quartile) == (1.75, 2.5, 3.25)
    assert [r.council for r in c.ranked] == ["C", "A", "Us", "B"]
    take_up = KPI_INFO[m.DIGITAL_TAKE_UP]  # higher is better; a tie shares the better rank
    c = compare(take_up, "Us", "Pay a fine", m.Figure(take_up, 60.0),
                [peer("A", digital_take_up=60.0), peer("B", digital_take_up=70.0)])
    assert [(r.council, r.rank) for r in c.ranked] == [("B", 1), ("A", 2), ("Us", 2)]
    # No figure of our own: the others are still ranked, and we are not.
    c = compare(take_up, "Us", "Pay a fine", m.Figure(take_up), [peer("A", digital_take_up=60.0),
                                                                  peer("B", digital_take_up=70.0)])
    assert c.rank is None and c.of == 2 and c.median == 65.0


def test_figures_shown_alike_share_a_rank():
    """A tester's take-up of 74.98% and a peer's 75.0 were both shown as 75.0% but ranked 3 and 2:
    ranks go by the figures as shown, as changes do; the median is still of the figures."""
    take_up = KPI_INFO[m.DIGITAL_TAKE_UP]
    c = compare(take_up, "Us", "Pay a fine", m.Figure(take_up, 74.98),
                [peer("A", digital_take_up=75.0), peer("B", digital_take_up=80.0)])
    assert [(r.council, r.rank) for r in c.ranked] == [("B", 1), ("A", 2), ("Us", 2)]
    assert c.median == 75.0 and c.lower_quartile == (74.98 + 75.0) / 2


def test_an_estimated_cost_is_not_ranked_against_published_ones():
    """The methodology says an estimate is never compared with a real cost: a tester's estimate of
    £1.73 had been ranked '4 of 4' against three published costs, and a peer's estimate (its file's
    cost_estimated column) ranked and counted in the quartiles as if published."""
    cost = KPI_INFO[m.COST_PER_TRANSACTION]
    estimated_peer = peer("E", cost_per_transaction=0.5)
    estimated_peer.estimated = frozenset({m.COST_PER_TRANSACTION})
    others = [peer("A", cost_per_transaction=2.0), peer("B", cost_per_transaction=4.0), estimated_peer]
    c = compare(cost, "Us", "Pay a fine", m.Figure(cost, 1.0, estimated=True), others)
    # Ranked: A's £2.00 and B's £4.00 alone; median (2 + 4) / 2 = 3.
    assert c.own_estimate and c.rank is None and (c.of, c.median) == (2, 3.0)
    assert [r.council for r in c.ranked] == ["A", "B"]
    published = compare(cost, "Us", "Pay a fine", m.Figure(cost, 1.0), others)
    assert not published.own_estimate and (published.rank, published.of) == (1, 3)


def test_a_page_whose_cost_is_an_estimate_says_it_is_not_ranked(tmp_path):
    """Permits' cost is an estimate from unit costs; two councils publish theirs: its row in the ranks
    says why it has no rank, and the quartiles are of the two published costs."""
    files, section, text = _permits_against_north(tmp_path, 2024, 12)
    files["config.yaml"] += "  - name: East Council\n    file: peers/east.csv\n"
    files["data/peers/east.csv"] = files["data/peers/north.csv"].replace("North Council", "East Council") \
        .replace(",1.00,false", ",3.00,false")
    out = tmp_path / "both"
    build_site(write_site(tmp_path / "both-site", files), out)
    page = BeautifulSoup((out / "services/permits/index.html").read_text(), "html.parser")
    text = " ".join(page.find(id="compare-heading").parent.get_text(" ", strip=True).split())
    # Lower quartile, median and upper of £1.00 and £3.00 (inclusive): £1.50, £2.00, £2.50.
    assert "Cost per transaction £0.73 (estimate) not ranked: an estimate, beside 2 published £1.50 £2.00 £2.50" in text


def test_a_peer_file_is_read_as_the_cards_are(tmp_path):
    lines = [HEADER]
    for month in range(1, 13):  # 2024: 100 transactions a month; take-up known only until November
        take_up = f"{50 + month}.0" if month < 12 else ""
        lines.append(f"fines,Pay a fine,north,North,0101,2024-{month:02d},2024-{month:02d}-01,"
                     f"2024-{month:02d}-{28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31},"
                     f"100,,{take_up},2.50,false,,,true")
    problems = Problems(root=tmp_path)
    (service,) = read_peer_csv("\n".join(lines).encode(), tmp_path / "north.csv", "North", None, problems)
    assert not problems.items
    assert service.lgsl == "101"  # compared with LGSL 101 however it is written
    # Transactions per year: 12 x 100. Take-up: its latest period with a value, November (50 + 11).
    assert service.figures[m.TRANSACTIONS_PER_YEAR] == 1200
    assert service.figures[m.DIGITAL_TAKE_UP] == 61.0 and service.labels[m.DIGITAL_TAKE_UP] == "November 2024"
    assert service.labels[m.TRANSACTIONS_PER_YEAR] == "January to December 2024"  # as this site names its own
    assert service.figures[m.COMPLETION_RATE] is None


def test_a_bad_peer_file_is_located(tmp_path):
    problems = Problems(root=tmp_path)
    read_peer_csv(b"service,period\nfines,2024-01\n", tmp_path / "p.csv", "P", None, problems)
    assert problems.errors[0].line == 1 and "missing column(s)" in problems.errors[0].message
    problems = Problems(root=tmp_path)
    row = "fines,Pay a fine,p,P,101,2024-01,2024-01-01,2024-01-31,lots,,,,,,,true"
    read_peer_csv(f"{HEADER}\n{row}\n".encode(), tmp_path / "p.csv", "P", None, problems)
    (error,) = problems.errors
    assert (error.line, error.column) == (2, 9) and "'lots' is not a number" in error.message


def test_an_unreachable_peer_is_an_error_unless_a_copy_was_kept(tmp_path):
    url = "http://127.0.0.1:9/services.csv"  # the discard port: nothing answers
    problems = Problems(root=tmp_path)
    assert fetch(url, tmp_path / "cache", problems, (3, 5), tmp_path / "config.yaml") is None
    (error,) = problems.errors
    assert error.message.startswith(f"cannot fetch {url}") and "file:" in error.hint and error.line == 3
    copy = tmp_path / "cache/peers"
    copy.mkdir(parents=True)
    import hashlib

    (copy / f"{hashlib.sha256(url.encode()).hexdigest()[:24]}.csv").write_bytes(b"kept")
    problems = Problems(root=tmp_path)
    assert fetch(url, tmp_path / "cache", problems, (3, 5), tmp_path / "config.yaml") == b"kept"
    assert not problems.errors and "using the copy fetched on" in problems.warnings[0].message
    assert re.search(r"fetched on [1-9]\d? [A-Z][a-z]+ \d{4}$", problems.warnings[0].message)  # '2 December', not '02'


def _permits_against_north(tmp_path, year: int, month: int):
    """The standard site with permits (LGSL 1000, January 2023 to December 2024) compared with North
    Council's one row for that month: (files, the comparison section, its text)."""
    import calendar

    files = standard_files()
    files["config.yaml"] += ("charts:\n  static_svg: false\npeers:\n  - name: North Council\n"
                             "    file: peers/north.csv\n    site: https://north.example/\n")
    files["content/services/permits.yaml"] += "lgsl: 1000\n"
    files["data/peers/north.csv"] = (HEADER + f"\npermits,Parking permits,north,North Council,1000,{year}-{month:02d},"
                                     f"{year}-{month:02d}-01,{year}-{month:02d}-{calendar.monthrange(year, month)[1]},"
                                     "500,450,90.0,1.00,false,,,true\n")
    out = tmp_path / "site"
    build_site(write_site(tmp_path, files), out)
    page = BeautifulSoup((out / "services/permits/index.html").read_text(), "html.parser")
    section = page.find(id="compare-heading").parent
    return files, section, " ".join(section.get_text(" ", strip=True).split())


def test_service_pages_compare_with_peers_and_with_other_councils_on_the_site(tmp_path):
    files, section, text = _permits_against_north(tmp_path, 2024, 12)
    # Permits' digital take-up is December 2024: 240 / 340 = 70.6%, second to North's 90.0%.
    assert "Digital take-up 70.6% 2 of 2" in text
    # Its cost is an estimate from unit costs ((240 x £0.20 + 100 x £2.00) / 340 = £0.73): not ranked
    # against North's published £1.00 (no row for cost, then), and the page says why.
    assert "Cost per transaction £0.73" not in text
    assert ("A cost per transaction estimated from typical costs per channel is not ranked against costs a "
            "council published: Test Council has such an estimate, left out of the ranks and quartiles.") in text
    # Each figure names its period; North's, for December 2024 as permits' own latest, is not a year behind.
    assert "90.0% December 2024" in text and "a year or more before" not in text
    assert section.find("a", href="https://north.example/").get_text() == "North Council"

    # A second council on the same site running the same LGSL service is compared too.
    files["config.yaml"] = files["config.yaml"].split("peers:")[0]
    files["content/organisations/other.yaml"] = "name: Other Council\nkind: council\n"
    files["content/services/other-permits.yaml"] = ("name: Other permits\norganisation: other\ndescription: x.\n"
                                                    "lgsl: 1000\ndata: permits.csv\n")
    model = prepare(write_site(tmp_path / "two", files)).model
    permits = next(s for s in model.services if s.slug == "permits")
    assert permits.council == "Test Council"
    assert [p.council for p in permits.peer_services] == ["Other Council"]


def test_a_peer_needs_a_file_or_a_url(tmp_path):
    files = standard_files()
    files["config.yaml"] += "peers:\n  - name: Nobody\n"
    with pytest.raises(BuildFailed) as failure:
        prepare(write_site(tmp_path, files))
    assert "needs either file: or url:" in failure.value.problems.errors[0].message


def test_departments_are_not_councils_and_keep_incremental_reuse(tmp_path):
    """Only organisations with kind: council are compared with each other; a government site's
    departments are not, and its unchanged services are still reused between builds."""
    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    files["content/organisations/test-council.yaml"] = "name: Department One\nkind: department\n"
    files["content/organisations/other.yaml"] = "name: Department Two\nkind: department\n"
    files["content/services/permits.yaml"] += "lgsl: 1000\n"
    files["content/services/other-permits.yaml"] = ("name: Other permits\norganisation: other\ndescription: x.\n"
                                                    "lgsl: 1000\ndata: permits.csv\n")
    config = write_site(tmp_path, files)
    model = prepare(config).model
    assert all(not s.peer_services for s in model.services)
    build_site(config, tmp_path / "site")
    (tmp_path / "data/fines.csv").write_text((tmp_path / "data/fines.csv").read_text().replace(",80,", ",81,", 1))
    assert build_site(config, tmp_path / "site").reused_services == 2  # permits and other-permits, one unit


def two_councils(lgsl: str, other_lgsl: str) -> dict[str, str]:
    """Permits (Test Council) and Other permits (Other Council) with these LGSL codes."""
    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    files["content/services/permits.yaml"] += f"lgsl: {lgsl}\n"
    files["content/organisations/other.yaml"] = "name: Other Council\nkind: council\n"
    files["content/services/other-permits.yaml"] = ("name: Other permits\norganisation: other\ndescription: x.\n"
                                                    f"lgsl: {other_lgsl}\ndata: other.csv\n")
    files["data/other.csv"] = "period,channel,transactions\n2024-12,online,5\n"
    return files


def test_councils_comparing_each_other_turn_reuse_off(tmp_path):
    config = write_site(tmp_path, two_councils("1000", "1000"))
    build_site(config, tmp_path / "site")
    (tmp_path / "data/fines.csv").write_text((tmp_path / "data/fines.csv").read_text().replace(",80,", ",81,", 1))
    # Permits' page shows Other Council's figures: had Other's data changed, a reused page would be stale.
    assert build_site(config, tmp_path / "site").reused_services == 0


def test_a_figure_not_requested_is_not_called_missing_in_the_comparison(tmp_path):
    """Permits does not collect completion rate, and North's file marks its user satisfaction not
    requested: the tables said 'no data' for both while the cards said 'not requested'."""
    files = standard_files()
    files["config.yaml"] += ("charts:\n  static_svg: false\npeers:\n  - name: North Council\n    file: peers/north.csv\n"
                             "  - name: East Council\n    file: peers/east.csv\n")
    files["content/services/permits.yaml"] += "lgsl: 1000\n"
    for name, completion in (("north", "80.0"), ("east", "70.0")):
        files[f"data/peers/{name}.csv"] = (
            HEADER + f",not_requested\npermits,Parking permits,{name},{name},1000,2024-12,"
            f"2024-12-01,2024-12-31,500,450,90.0,1.00,false,{completion},,true,user_satisfaction\n")
    out = tmp_path / "site"
    build_site(write_site(tmp_path, files), out)
    page = BeautifulSoup((out / "services/permits/index.html").read_text(), "html.parser")
    section = page.find(id="compare-heading").parent
    figures, by_council = section.find_all("table")[:2]  # then the charts compared, with their tables
    rows = {tr.th.get_text(" ", strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in by_council.tbody.find_all("tr")}
    # Columns: their service, transactions per year, take-up, cost, completion rate, satisfaction.
    assert rows["Test Council (this service)"][4] == "not requested"
    assert rows["Test Council (this service)"][5] == "no data"  # collected, but none published
    assert rows["North Council"][4:] == ["80.0% December 2024", "not requested"]
    completion = next(tr for tr in figures.tbody.find_all("tr") if tr.th.get_text() == "Completion rate")
    assert [td.get_text() for td in completion.find_all("td")][:2] == ["not requested", "not requested, of 2"]


def test_councils_on_one_site_and_their_totals_say_not_requested(tmp_path):
    """Two councils on one site, each with an FOI service that collects no digital take-up: the
    comparison, the organisation pages' totals and the organisations table said 'no data'."""
    foi = "name: {name} FOI\norganisation: {org}\ndescription: FOI.\nlgsl: 1350\ndata: {org}.csv\n" \
          "not_requested: [digital_take_up, cost_per_transaction, user_satisfaction]\n"
    files = {"config.yaml": "title: FOI\norganisation: North\ncharts:\n  static_svg: false\n"}
    for org, name in (("north", "North"), ("south", "South")):
        files[f"content/organisations/{org}.yaml"] = f"name: {name} Council\nkind: council\n"
        files[f"content/services/{org}-foi.yaml"] = foi.format(name=name, org=org)
        files[f"data/{org}.csv"] = "period,transactions\n2017,728\n"
    out = tmp_path / "site"
    build_site(write_site(tmp_path, files), out)
    page = BeautifulSoup((out / "services/north-foi/index.html").read_text(), "html.parser")
    by_council = page.find(id="compare-heading").parent.find_all("table")[-1]
    south = next(tr for tr in by_council.tbody.find_all("tr") if tr.th.get_text(strip=True) == "South Council")
    assert [td.get_text() for td in south.find_all("td")][2:4] == ["not requested", "not requested"]
    org = BeautifulSoup((out / "organisations/north/index.html").read_text(), "html.parser")
    assert org.find("dd", attrs={"data-total": "digital_take_up"}).get_text() == "not requested"
    listing = BeautifulSoup((out / "organisations/index.html").read_text(), "html.parser")
    assert [td.get_text() for td in listing.tbody.tr.find_all("td")][-1] == "not requested"


def test_a_peer_given_by_url_is_fetched_again_by_a_build_that_changes_nothing_else(tmp_path):
    """A build whose own files had not changed said 'Nothing has changed' and kept a peer's old
    figures, though the peer had published new ones: fetching is the only way to know. Hand
    check: North's take-up 90.0% is first of 2; after it publishes 50.0%, permits' 70.6% is."""
    import functools
    import http.server
    import threading

    served = tmp_path / "served"
    served.mkdir()
    row = "permits,Parking permits,north,North Council,1000,2024-12,2024-12-01,2024-12-31,500,{},{},1.00,false,,,true\n"
    (served / "services.csv").write_text(HEADER + "\n" + row.format(450, "90.0"))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        files = standard_files()
        files["config.yaml"] += (f"charts:\n  static_svg: false\npeers:\n  - name: North Council\n"
                                 f"    url: http://127.0.0.1:{server.server_address[1]}/services.csv\n")
        files["content/services/permits.yaml"] += "lgsl: 1000\n"
        config = write_site(tmp_path / "site-in", files)
        out = tmp_path / "site"

        def take_up_rank() -> str:
            page = BeautifulSoup((out / "services/permits/index.html").read_text(), "html.parser")
            text = " ".join(page.find(id="compare-heading").parent.get_text(" ", strip=True).split())
            return text[text.index("Digital take-up"):][:30]

        build_site(config, out)
        assert take_up_rank().startswith("Digital take-up 70.6% 2 of 2")
        (served / "services.csv").write_text(HEADER + "\n" + row.format(250, "50.0"))
        result = build_site(config, out)
        assert not result.up_to_date and take_up_rank().startswith("Digital take-up 70.6% 1 of 2")
    finally:
        server.shutdown()


def test_a_second_council_running_a_service_renames_every_services_council_in_an_incremental_build(tmp_path):
    """A fuzz test of incremental builds: moving one service to a second council made every
    organisation its own council's (assemble.councils_of), so the other services' comparisons were
    headed 'How Test Council compares', not the publisher's name; but their units were reused, and
    kept 'How Publisher compares'. The keys now name every organisation's council."""
    import filecmp

    files = standard_files()
    files["config.yaml"] = files["config.yaml"].replace("organisation: Test Council", "organisation: Publisher") + (
        "charts:\n  static_svg: false\npeers:\n  - name: North Council\n    file: peers/north.csv\n")
    files["content/services/permits.yaml"] += "lgsl: 1000\n"
    files["data/peers/north.csv"] = (HEADER + "\npermits,Parking permits,north,North Council,1000,2024-12,"
                                     "2024-12-01,2024-12-31,500,450,90.0,1.00,false,,,true\n")
    files["content/organisations/other.yaml"] = "name: Other Council\nkind: council\n"
    config = write_site(tmp_path, files)
    build_site(config, tmp_path / "site")
    page = tmp_path / "site/services/permits/index.html"
    assert "How Publisher compares" in page.read_text(encoding="utf-8")
    fines = tmp_path / "content/services/fines.yaml"
    fines.write_text(fines.read_text(encoding="utf-8").replace("organisation: dept-a", "organisation: other"),
                     encoding="utf-8")
    build_site(config, tmp_path / "site")
    assert "How Test Council compares" in page.read_text(encoding="utf-8")
    fresh = write_site(tmp_path / "fresh", {**files, "content/services/fines.yaml": fines.read_text(encoding="utf-8")})
    build_site(fresh, tmp_path / "fresh/site")  # a clean build of the same inputs: the same bytes

    def files_of(root):
        return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    assert files_of(tmp_path / "site") == files_of(tmp_path / "fresh/site")


def test_one_rule_for_lgsl_codes_in_comparisons_and_in_what_a_reused_page_covers(tmp_path):
    """A fuzz test: 'lgsl: 524' beside full-width '５２４' compared the two services (int() reads
    both as 524) but did not count as shared in the incremental build's keys (which stripped zeros
    alone), so one service's page kept the other's old figures. And '5²', a digit to Python that
    int() cannot read, stopped every build with a traceback."""
    from generator.comparison import lgsl_key

    assert lgsl_key("0524") == lgsl_key("５２４") == lgsl_key(524) == "524" and lgsl_key("5²") == "5²"
    files = two_councils("'524'", "'５２４'")
    config = write_site(tmp_path, files)
    build_site(config, tmp_path / "site")
    permits = tmp_path / "data/permits.csv"
    permits.write_text(permits.read_text().replace("2024-12,online,", "2024-12,online,9", 1))
    assert build_site(config, tmp_path / "site").reused_services == 0  # each page shows the other's figures
    weird = write_site(tmp_path / "weird", {**files, "content/services/other-permits.yaml":
                                            files["content/services/other-permits.yaml"].replace("５２４", "5²")})
    prepare(weird)  # no traceback


def test_a_peer_whose_figures_are_a_year_older_is_said_to_be(tmp_path):
    """The example site's peers' figures were for March 2025, ranked beside its own for September
    2026 without a word (a tester): the page names the council whose latest figures end a year or
    more before this service's, and each figure's period."""
    _, _, text = _permits_against_north(tmp_path, 2023, 11)
    # Permits' figures run to December 2024; North's end in November 2023, 13 months before.
    assert ("North Council’s latest figures end a year or more before this council’s (December 2024): the ranks "
            "set figures of different years side by side.") in text
    assert "Digital take-up 70.6% 2 of 2" in text and "90.0% November 2023" in text


def test_a_bad_cell_in_a_peers_file_is_a_warning_and_a_good_copy_is_kept(tmp_path):
    """Another council's published file with 'n/a' for a cost had stopped this council's site from
    publishing, and the fetched file had replaced the last good copy in the cache, so a build offline
    failed too (a tester). Now the cell is a warning, located, and its value left out; a fetched file
    with a problem gives way to the last copy read without one."""
    import functools
    import http.server
    import threading

    served = tmp_path / "served"
    served.mkdir()
    good = (HEADER + "\npermits,Parking permits,north,North Council,1000,2024-11,2024-11-01,2024-11-30,500,400,"
            "80.0,1.20,false,,,true\npermits,Parking permits,north,North Council,1000,2024-12,2024-12-01,"
            "2024-12-31,500,450,90.0,1.00,false,,,true\n")
    (served / "north.csv").write_text(good)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/north.csv"
    try:
        files = standard_files()
        files["config.yaml"] += f"charts:\n  static_svg: false\npeers:\n  - name: North Council\n    url: {url}\n"
        files["content/services/permits.yaml"] += "lgsl: 1000\n"
        config = write_site(tmp_path / "site", files)
        cost = lambda prepared: next(s for s in prepared.model.services if s.slug == "permits") \
            .peer_services[0].figures[m.COST_PER_TRANSACTION]  # noqa: E731
        first = prepare(config)
        assert cost(first) == 1.00 and not first.problems.warnings
        (served / "north.csv").write_text(good.replace("2024-12-31,500,450,90.0,1.00", "2024-12-31,500,450,90.0,n/a"))
        second = prepare(config)  # the fetched file has a bad cell: the good copy is used, and said to be
        (warning,) = [w for w in second.problems.warnings if "north.csv" in w.message]
        assert warning.message == (f"the file fetched from {url} has problems ({url}:3:12: 'n/a' is not a "
                                   "number); using the copy kept from an earlier build")
        assert cost(second) == 1.00
        (tmp_path / "site/.perfpages-cache/peers").rename(tmp_path / "old-cache")  # no good copy: the rest is used
        third = prepare(config)
        (warning,) = [w for w in third.problems.warnings if w.path == url]
        assert (warning.line, warning.column) == (3, 12) and "(in North Council's figures, which leave it out)" in \
            warning.message
        assert cost(third) == 1.20  # December's cost unread: November's is its latest
        # With no good copy, the one with the bad cell is kept: a build that cannot fetch it still has it.
        server.shutdown()
        server.server_close()  # refused at once, not waited for
        offline = prepare(config)
        assert cost(offline) == 1.20 and any("cannot fetch" in w.message for w in offline.problems.warnings)
        # A web page served in the file's place is not kept over a copy that can be read, even in part.
        server = http.server.ThreadingHTTPServer(("127.0.0.1", server.server_port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        (served / "north.csv").write_text("<!doctype html><title>Not found</title>")
        page = prepare(config)
        assert cost(page) == 1.20 and any("using the copy kept" in w.message for w in page.problems.warnings)
        assert b"n/a" in next((tmp_path / "site/.perfpages-cache/peers").glob("*.csv")).read_bytes()
        # A file none of which can be read (another file named, or a web page served) is an error still.
        files["data/peers/other.csv"] = "period,channel,transactions\n2024-01,online,5\n"
        files["config.yaml"] = files["config.yaml"].replace(f"url: {url}", "file: peers/other.csv")
        with pytest.raises(BuildFailed) as failed:
            prepare(write_site(tmp_path / "other", files))
        (error,) = failed.value.problems.errors
        assert error.path == "data/peers/other.csv" and error.message.startswith("missing column(s): service,")
    finally:
        server.shutdown()
        server.server_close()
