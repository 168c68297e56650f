"""The transaction cost report, against sums done by hand.

Permits: January 2023 (i = 1) to December 2024 (i = 24), online 10 i and phone 100 a month, no cost data,
so costs are estimated from the test config's unit costs: online £0.20, phone £2.00.
Financial year 2023/24 (April 2023 to March 2024) is i = 4..15: online 10 x (4 + ... + 15) = 1,140,
phone 1,200; cost 1,140 x 0.20 + 1,200 x 2.00 = 228 + 2,400 = £2,628 for 2,340 transactions (£1.1231 each).
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from sitefactory import build_standard_site


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return build_standard_site(tmp_path_factory.mktemp("site"))


def test_a_services_year_is_added_up_from_its_periods(out):
    lines = (out / "data/costs-2023-24.csv").read_text().splitlines()
    permits = next(line for line in lines if line.startswith("service,permits,"))
    # Cost per transaction unrounded (2,628 / 2,340): rounded to 4 places, 3.23497 had read 3.235, which
    # re-rounds to £3.24 beside a page's £3.23.
    assert permits == ("service,permits,Renew a permit,test-council,2023/24,2340,2628,1.12307692307692,true,12,12,"
                       "false,2340,")
    # A channel's line is costed over all its transactions (at its unit cost): online 1,680 x £0.20.
    assert "channel,online,Online,,2023/24,1680,336,0.2,true,,,false,1680," in lines


def test_a_years_costs_are_whole_pounds_down_the_column_and_costs_per_transaction_in_pence(out):
    """'£432,567' sat above '£32,087.14' in one column (pence from £100,000 on are false precision):
    a year's cost is in whole pounds throughout; a cost per transaction keeps its pence."""
    page = BeautifulSoup((out / "costs/2023-24/index.html").read_text(), "html.parser")
    permits = next(tr for tr in page.find("tbody").find_all("tr") if "Renew a permit" in tr.th.get_text())
    cells = [td.get_text(" ", strip=True) for td in permits.find_all("td")]
    assert cells == ["Test Council", "2,340", "£2,628 (estimate)", "£1.12 (estimate)"]  # 2,628 / 2,340 = £1.1231
    # The year's total says it holds estimates, as the rows do (a review: it was unmarked above them).
    rows = page.find("tbody").find_all("tr")
    marked = sum("(estimate)" in tr.get_text() for tr in rows)
    detail = [d.get_text(" ", strip=True) for d in page.select(".headline-figures__detail")]
    assert marked >= 1 and f"including estimates for {marked} of the {len(rows)} services (marked “estimate” " \
                           "below)" in detail, detail
    # The chart of total costs too: its summary and its table mixed '£172,759' and '£1,765.00'.
    chart = page.find(id="chart-cost-by-service")
    assert "(£2,628)" in chart.find(class_="chart__summary").get_text() and "£2,628.00" not in chart.get_text()
    # Its table is headed by what a row is and what its figure is, not 'Name' and the chart's title.
    assert [th.get_text() for th in chart.select("thead th")] == ["Service", "Total cost in 2023/24"]


def test_a_cost_of_fewer_months_than_the_transactions_says_so(out):
    """Fines, November 2023 to March 2024: costs only in November (16 + 150 + 600 = 766) and January
    (20 + 150 + 500 = 670), as March's phone count is missing: £1,436 over 2 of the 5 months, which
    the row says, rather than sitting beside 5 months' transactions (980) as if it were theirs."""
    lines = (out / "data/costs-2023-24.csv").read_text().splitlines()
    fines = next(line for line in lines if line.startswith("service,fines,"))
    assert fines == "service,fines,Pay a fine,dept-a,2023/24,980,1436,3.59,false,5,2,false,400,"
    page = BeautifulSoup((out / "costs/index.html").read_text(), "html.parser")
    row = next(tr for tr in page.find(id="costs-table").tbody.find_all("tr") if "Pay a fine" in tr.th.get_text())
    assert "part year: 5 months" in row.th.get_text() and "cost for 2 of 5 months" in row.th.get_text()
    permits = next(tr for tr in page.find(id="costs-table").tbody.find_all("tr") if "Renew" in tr.th.get_text())
    assert "cost for" not in permits.th.get_text()


def test_the_report_opens_on_the_newest_whole_year_and_sorts_without_javascript(out):
    # 2024/25 holds only April to December 2024 of permits (9 months), so costs/ shows 2023/24.
    page = BeautifulSoup((out / "costs/index.html").read_text(), "html.parser")
    assert page.h1.get_text(strip=True) == "Transaction costs, 2023/24"
    rows = [tr.th.get_text(" ", strip=True) for tr in page.find(id="costs-table").tbody.find_all("tr")]
    assert rows[0].startswith("Renew a permit")  # £2,628 is the larger total cost
    cheapest = BeautifulSoup((out / "costs/sort/cost-per-transaction-asc/index.html").read_text(), "html.parser")
    assert cheapest.find("caption").get_text(strip=True).endswith("sorted by cost per transaction, lowest first")
    later = BeautifulSoup((out / "costs/2024-25/index.html").read_text(), "html.parser")
    assert "part year: 9 months" in later.get_text()


def test_the_other_years_are_listed_without_a_stray_comma(out):
    """The oldest year's page listed the others as '2024/25, 2023/24,' (the last in the loop was itself)."""
    for page in sorted(out.glob("costs/*/index.html")):
        nav = BeautifulSoup(page.read_text(), "html.parser").find("nav", attrs={"aria-label": "Financial years"})
        if nav is not None:
            text = nav.get_text(" ", strip=True)
            assert not text.endswith(","), f"{page}: {text}"
            assert page.parent.name.replace("-", "/") not in text  # not its own year


def test_a_cost_of_fewer_transactions_than_the_line_shows_says_of_how_many(out):
    """Organisations and the headline add up transactions of every service and period, but cost
    only where there is one: Department A's £1,436 is of fines' November and January (200 + 200 =
    400) of its 980 transactions; the council's of 2,340 (permits) + 400 = 2,740 of 3,320. Said,
    so that cost / transactions is not taken for the cost per transaction."""
    page = BeautifulSoup((out / "costs/index.html").read_text(), "html.parser")
    headline = page.find("dl", class_="headline-figures").get_text(" ", strip=True)
    assert "of 2,740 transactions: not every service or period has a cost" in headline
    rows = {tr.th.a.get_text(strip=True): tr.th.get_text(" ", strip=True)
            for tr in page.find("caption", string=lambda s: s and s.startswith("Costs by organisation"))
            .find_parent("table").tbody.find_all("tr")}
    assert rows["Department A"].endswith("cost of 400 of these transactions")
    assert rows["Test Council"].endswith("cost of 2,740 of these transactions")


def test_a_service_costing_nothing_still_counts_its_transactions_in_an_organisations_cost():
    """£1,400 over 2,200 transactions and £0 over 20: the organisation's cost is of all 2,220
    (£0.6306 each); the £0 service dropped out of the count, as if its cost were unknown."""
    from generator.costs import CostLine, _sum_lines

    lines = [CostLine("A", "a", None, None, 2200, 1400.0, 1400 / 2200, costed_transactions=2200),
             CostLine("B", "b", None, None, 20, 0.0, 0.0, costed_transactions=20)]
    total = _sum_lines("Org", "org", None, lines)
    assert total.costed_transactions == 2220 and not total.partly_costed
    assert total.cost_per_transaction == pytest.approx(1400 / 2220)


def test_a_service_that_does_not_collect_costs_says_not_requested(tmp_path):
    """Permits marked not_requested: [cost_per_transaction]: its cost was 'no data' in the report,
    as if a figure were missing, while its card says 'not requested'. The report and its CSV say so."""
    from sitefactory import standard_files, write_site
    from generator.build import build_site

    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    files["content/services/permits.yaml"] = files["content/services/permits.yaml"].replace(
        "[completion_rate]", "[completion_rate, cost_per_transaction]")
    site = tmp_path / "site"
    build_site(write_site(tmp_path, files), site)
    lines = (site / "data/costs-2023-24.csv").read_text().splitlines()
    assert lines[0].endswith(",cost_months,not_requested,costed_transactions,cost_not_in_totals")
    assert "service,permits,Renew a permit,test-council,2023/24,2340,,,false,12,,true,," in lines
    page = BeautifulSoup((site / "costs/index.html").read_text(), "html.parser")
    row = next(tr for tr in page.find(id="costs-table").tbody.find_all("tr") if "Renew" in tr.th.get_text())
    assert [td.get_text() for td in row.find_all("td")][-2:] == ["not requested", "not requested"]
    fines = next(tr for tr in page.find(id="costs-table").tbody.find_all("tr") if "Pay a fine" in tr.th.get_text())
    assert "not requested" not in fines.get_text()


def test_a_channel_without_a_unit_cost_that_blocks_estimates_is_a_warning_at_its_service(tmp_path):
    """A council gave phone and face to face unit costs but not email: every month with an email
    contact had no estimate, and the card took the odd month without one, with no word of why. Said
    at the service (whose unit_costs: can fix it), and not again once fixed, in a build reusing others."""
    from click.testing import CliRunner

    from generator.build import build_site
    from generator.cli import main
    from sitefactory import CONFIG, FINES_CSV, FINES_YAML, ORGS, PERMIT_YAML, write_site

    config = CONFIG + "  - id: email\n    label: Email\ncharts:\n  static_svg: false\n"
    csv = "period,channel,transactions\n2024-01,online,10\n2024-01,email,5\n2024-02,online,12\n2024-02,email,0\n"
    path = write_site(tmp_path, {"config.yaml": config, **ORGS, "content/services/permits.yaml": PERMIT_YAML,
                                 "data/permits.csv": csv, "content/services/fines.yaml": FINES_YAML,
                                 "data/fines.csv": FINES_CSV})
    out = CliRunner().invoke(main, ["build", "--strict", "--config", str(path)]).output
    assert ("content/services/permits.yaml:1:1: warning: service 'permits' gets no cost estimate for a period "
            "with email transactions: channel 'email' has no unit cost") in out
    assert "'fines'" not in out  # it publishes costs of its own
    build_site(path, tmp_path / "site")
    own = PERMIT_YAML + "unit_costs:\n  email: 1.50\n"
    path = write_site(tmp_path, {"content/services/permits.yaml": own})
    result = build_site(path, tmp_path / "site")
    assert result.reused_services == 1 and not result.problems.warnings


def test_a_service_with_no_unit_cost_for_any_channel_it_uses_is_not_warned_of(tmp_path):
    """With the default channels (no unit costs) and one service's own unit costs, another service
    that was never estimated is not told a channel 'stopped' its estimate."""
    from generator.build import prepare
    from sitefactory import ORGS, PERMIT_YAML, write_site

    files = {"config.yaml": "title: T\norganisation: T\ncharts:\n  static_svg: false\n", **ORGS,
             "content/services/permits.yaml": PERMIT_YAML + "unit_costs: {online: 0.1, phone: 2}\n",
             "data/permits.csv": "period,channel,transactions\n2024-01,online,10\n2024-01,phone,5\n",
             "content/services/other.yaml": "name: Other\norganisation: dept-a\ndescription: x.\ndata: other.csv\n",
             "data/other.csv": "period,channel,transactions\n2024-01,online,10\n2024-01,email,5\n"}
    assert not prepare(write_site(tmp_path, files)).problems.warnings


def test_a_year_of_weeks_is_written_as_months_to_two_places():
    """52 weeks were 11.958932238193029 months in the cost report's download."""
    from generator.costs import CostLine, CostReport
    from generator.downloads import costs_csv

    week_months = 7 / (365.25 / 12)
    line = CostLine("Weekly", "weekly", None, None, 520, 1040.0, 2.0, months=52 * week_months,
                    cost_months=52 * week_months, costed_transactions=520)
    report = CostReport("2024/25", "2024-25", "April 2024 to March 2025", [line], [], [], 520, 1040.0)
    assert costs_csv(report).decode().splitlines()[1] == \
        "service,weekly,Weekly,,2024/25,520,1040,2,false,11.96,11.96,false,520,"


def test_a_cost_in_months_with_no_transactions_is_in_the_years_total_cost(tmp_path):
    """A council tester: £250 spent in November with no transactions (an office shut for a month)
    had vanished from the year's total, with no warning. Fines, October 2024 to January 2025:
    October 18.00 + 84.90, November 0 + 250.00, December 0 + 0, January 21.00 + 70.75: £444.65
    for 120 + 30 + 140 + 25 = 315 transactions, £1.4116 each, and a cost for all 4 months. November
    and December have no take-up and no cost per transaction of their own: 'no transactions',
    which is not 'no data'."""
    from sitefactory import standard_files, write_site
    from generator.build import build_site

    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    files["data/fines.csv"] = ("period,channel,transactions,cost\n2024-10,online,120,18.00\n2024-10,phone,30,84.90\n"
                               "2024-11,online,0,0\n2024-11,phone,0,250.00\n2024-12,online,0,0\n2024-12,phone,0,0\n"
                               "2025-01,online,140,21.00\n2025-01,phone,25,70.75\n")
    site = tmp_path / "site"
    build_site(write_site(tmp_path, files), site)
    lines = (site / "data/costs-2024-25.csv").read_text().splitlines()
    fines = next(line for line in lines if line.startswith("service,fines,"))
    assert fines == "service,fines,Pay a fine,dept-a,2024/25,315,444.65,1.4115873015873,false,4,4,false,315,"
    page = BeautifulSoup((site / "services/fines/index.html").read_text(), "html.parser")
    by_period = next(t for t in page.find_all("table") if "figures by period" in t.caption.get_text())
    november = next(tr for tr in by_period.tbody.find_all("tr") if "November 2024" in tr.th.get_text())
    assert [td.get_text() for td in november.find_all("td")][:3] == ["0", "no transactions", "no transactions"]
    cost_chart = page.find(id="chart-cost-per-transaction")
    december = next(tr for tr in cost_chart.find_all("tr") if "December 2024" in tr.get_text())
    assert december.td.get_text() == "no transactions"
    assert "2024-12-01,2024-12-31,,no transactions" in (
        site / "data/charts/services/fines/cost-per-transaction.csv").read_text()


def _fines_costs(tmp_path, name: str, fines_csv: str, yaml_extra: str = "", finance: str | None = None) -> str:
    """Fines' line of the 2024/25 cost report, built from ``fines_csv`` (and a finance file)."""
    from sitefactory import standard_files, write_site
    from generator.build import build_site

    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    files["content/services/fines.yaml"] += yaml_extra
    files["data/fines.csv"] = fines_csv
    if finance is not None:
        files["content/services/fines.yaml"] = files["content/services/fines.yaml"].replace(
            "data: fines.csv", "data:\n  - file: fines.csv\n  - file: finance.csv")
        files["data/finance.csv"] = finance
    site = tmp_path / name / "site"
    build_site(write_site(tmp_path / name, files), site)
    return next(line for line in (site / "data/costs-2024-25.csv").read_text().splitlines()
                if line.startswith("service,fines,"))


def test_a_cost_of_no_transactions_is_counted_once_and_only_where_costs_are_published(tmp_path):
    """A reviewer, on the cost of a month with no transactions: April 2024 to March 2025, online 100
    and phone 50 a month, June 0 of each. (1) The service's YAML says its cost is not requested: June's
    £250 is not published either. (2) A finance file's £100,000 for the year, which a missing March
    phone count leaves unpaired: the year's cost is shown as it is, in no total, and June's £250
    (part of that year's cost) is not counted beside it. (3) A finance file's £100 a month beside
    the counts: June's £100 is the year's too, £1,200 over all 12 months (1,650 transactions)."""
    months = "".join(f"{y}-{m:02d},online,100,\n{y}-{m:02d},phone,50,\n" for y, m in (
        *((2024, m) for m in range(4, 13)), *((2025, m) for m in range(1, 4))))
    june = months.replace("2024-06,online,100,", "2024-06,online,0,250").replace("2024-06,phone,50,", "2024-06,phone,0,")
    heading = "period,channel,transactions,cost\n"
    assert _fines_costs(tmp_path, "nr", heading + june, "not_requested: [cost_per_transaction]\n") == \
        "service,fines,Pay a fine,dept-a,2024/25,1650,,,false,12,,true,,"
    assert _fines_costs(tmp_path, "year", heading + june.replace("2025-03,phone,50,\n", ""), "",
                        "period,cost\n2024/25,100000\n") == "service,fines,Pay a fine,dept-a,2024/25,1600,,,false,12,,false,,100000"
    counts = "period,channel,transactions\n" + months.replace(",\n", "\n").replace(
        "2024-06,online,100", "2024-06,online,0").replace("2024-06,phone,50", "2024-06,phone,0")
    monthly = "period,cost\n" + "".join(f"{y}-{m:02d},100\n" for y, m in (
        *((2024, m) for m in range(4, 13)), *((2025, m) for m in range(1, 4))))
    assert _fines_costs(tmp_path, "monthly", counts, "", monthly) == \
        "service,fines,Pay a fine,dept-a,2024/25,1650,1200,0.727272727272727,false,12,12,false,1650,"


def test_a_year_the_data_has_not_reached_the_end_of_is_named_as_the_year_so_far(out):
    """An accessibility tester read 2026/27's six months of totals beside 2025/26's twelve as a halving:
    only each row's 'part year' said otherwise. Permits run to December 2024, so 2024/25 is April to
    December: online 10 x (16 + ... + 24) = 1,800 and phone 9 x 100 = 900, 2,700 transactions."""
    page = BeautifulSoup((out / "costs/2024-25/index.html").read_text(), "html.parser")
    assert ("in the financial year 2024/25 so far, by organisation and by channel. The figures cover April to "
            "December 2024, not the whole year (April 2024 to March 2025).") in page.find(class_="lead").get_text()
    labels = [dt.get_text() for dt in page.select(".headline-figures__label")]
    assert labels == ["Transactions, April to December 2024", "Total cost, April to December 2024"]
    assert page.select_one(".headline-figures__value").get_text() == "2,700"
    assert "Costs by service, 2024/25 so far (April to December 2024), sorted" in page.find("caption").get_text()
    chart = page.find(id="chart-cost-by-service")
    assert chart.h3.get_text() == "Total cost by service, 2024/25 so far (April to December 2024)"
    # One service has a cost that year, so its summary names no period; the example site's 2026/27 says
    # "the highest total cost in April to September 2026".
    assert chart.find(class_="chart__summary").get_text() == "Renew a permit is the only service with a figure: £2,160."
    whole = BeautifulSoup((out / "costs/2023-24/index.html").read_text(), "html.parser")
    assert "so far" not in whole.get_text() and whole.select_one(".headline-figures__label").get_text() == "Transactions"


def test_downloads_carry_no_binary_noise(tmp_path):
    """A tester's costs download: a face-to-face unit cost of £8.62 came out as 8.619999999999997 a
    transaction (8.62 x 491 / 491 in binary), and rates such as 55.00000000000001% were in the chart
    and open-data downloads, CSV and JSON. They are written to 15 significant digits: 8.62, 55.0."""
    import json

    from generator.build import build_site
    from sitefactory import ORGS, PERMIT_YAML, write_site

    # 491 face-to-face transactions in April 2024 at £8.62; 11 of 20 online in May 2024 (55% take-up,
    # which 11 / 20 * 100 gives as 55.00000000000001).
    files = {"config.yaml": "title: T\norganisation: T\ncharts:\n  static_svg: false\nchannels:\n"
                            "  - {id: online, label: Online, digital: true, unit_cost: 0.15}\n"
                            "  - {id: face_to_face, label: Face to face, unit_cost: 8.62}\n", **ORGS,
             "content/services/permits.yaml": PERMIT_YAML,
             "data/permits.csv": "period,channel,transactions\n2024-04,face_to_face,491\n2024-04,online,0\n"
                                 "2024-05,online,11\n2024-05,face_to_face,9\n"}
    assert repr(8.62 * 491 / 491) == "8.619999999999997" and repr(11 / 20 * 100) == "55.00000000000001"
    site = tmp_path / "site"
    build_site(write_site(tmp_path, files), site)
    costs = (site / "data/costs-2024-25.csv").read_text().splitlines()
    face = next(line for line in costs if line.startswith("channel,face_to_face,"))
    assert face.split(",")[7] == "8.62", face  # cost_per_transaction: (491 + 9) x 8.62 / 500
    texts = [p.read_text() for p in site.rglob("*") if p.suffix in (".csv", ".json")]
    assert not [t for t in texts if "0000000000" in t or "9999999999" in t]
    take_up = json.loads((site / "data/charts/services/permits/digital-take-up.json").read_text())["data"]
    assert [row["value"] for row in take_up if row["period"] == "May 2024"] == [55.0]


def test_no_cost_report_without_a_cost_anywhere(tmp_path):
    """A thousand services of a yearly inventory that publishes no costs, and channels with no unit
    costs, had a cost report of 'no data' in every row, linked from the services page."""
    from sitefactory import write_site

    from generator.build import build_site

    config = write_site(tmp_path, {
        "config.yaml": "title: T\norganisation: T\nchannels:\n  - {id: online, label: Online, digital: true}\n"
                       "  - {id: phone, label: Phone}\ncharts: {static_svg: false}\n",
        "content/organisations/t.yaml": "name: T\n",
        "content/services/permits.yaml": "name: Permits\norganisation: t\ndescription: P.\ndata: permits.csv\n",
        "data/permits.csv": "period,channel,transactions\n2024-04,online,10\n2024-04,phone,5\n"})
    build_site(config, tmp_path / "site")
    assert not (tmp_path / "site/costs").exists()
    assert not list((tmp_path / "site/data").glob("costs-*.csv"))
    assert "costs/" not in (tmp_path / "site/services/index.html").read_text()
    # With a cost, the year has its report.
    (tmp_path / "data/permits.csv").write_text("period,channel,transactions,cost\n2024-04,online,10,2\n"
                                               "2024-04,phone,5,10\n")
    build_site(config, tmp_path / "site")
    assert (tmp_path / "site/costs/2024-25/index.html").exists()
