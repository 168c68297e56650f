"""Measures declared in config.yaml: read like built-in ones, with cards, yearly figures, organisation
figures, charts and downloads. Every expected value is worked out by hand in a comment."""

from __future__ import annotations


import pytest
from bs4 import BeautifulSoup

from generator.build import BuildFailed, build_site, prepare
from generator.formatting import change_text
from sitefactory import CONFIG, standard_files, write_site

MEASURES = """\
measures:
  - id: calls_offered
    label: Calls offered
    unit: count
  - id: abandonment_rate
    label: Abandonment rate
    unit: percent
    higher_is_better: false
    over_time: mean
    weighted_by: calls_offered
  - id: income
    label: Income
    unit: money
charts:
  static_svg: false
"""


def calls_csv(scale: int = 1) -> str:
    """13 months, January 2024 (i = 1) to January 2025 (i = 13): calls offered 100 i, abandonment i%."""
    lines = ["period,channel,transactions,calls_offered,abandonment_rate"]
    for i in range(1, 14):
        year, month = 2024 + (i - 1) // 12, (i - 1) % 12 + 1
        lines.append(f"{year}-{month:02d},phone,{10 * i},{100 * i * scale},{i}%")
    return "\n".join(lines) + "\n"


def site_files(**extra: str) -> dict[str, str]:
    files = standard_files()
    files["config.yaml"] = CONFIG + MEASURES
    files["content/services/calls.yaml"] = "name: Contact centre\norganisation: dept-a\ndescription: Calls.\ndata: calls.csv\n"
    files["data/calls.csv"] = calls_csv()
    files.update(extra)
    return files


def service(prepared, slug):
    return next(s for s in prepared.model.services if s.slug == slug)


def test_a_declared_measure_gets_a_card_a_yearly_figure_and_a_chart(tmp_path):
    prepared = prepare(write_site(tmp_path, site_files()))
    calls = service(prepared, "calls")
    offered, abandonment = calls.measures  # in config order; income has no data here
    # Card: January 2025 (1,300) against December 2024 (1,200): up 100 / 1,200 = 8.3%.
    assert offered.card.value == 1300 and offered.card.period_label == "January 2025"
    assert offered.card.previous_value == 1200 and offered.card.previous_period_label == "December 2024"
    assert round(offered.card.change_percent, 1) == 8.3
    # Latest 12 months: February 2024 to January 2025, i = 2..13: 100 x (2 + ... + 13) = 100 x 90 = 9,000.
    assert offered.year.value == 9000 and offered.year.period_label == "February 2024 to January 2025"
    # The 12 months before hold only January 2024: not a whole year, so no sum to compare with,
    # and the table says why ('No earlier period to compare with' had stood beside nine months).
    assert offered.year.previous_value is None
    assert change_text(offered.year) == "No comparison with January 2024, which has only 1 month of data"
    # Abandonment weighted by calls offered: sum(i x 100 i) / sum(100 i) = (819 - 1) / (91 - 1) = 9.0889%.
    assert abandonment.year.value == pytest.approx(818 / 90)
    # Its rule names the weight by its label, not its id (a tester read 'weighted by resolvable').
    from generator.render import measure_rule

    assert "averaged over the 12 months, weighted by calls offered;" in measure_rule(abandonment.measure)
    files = site_files()
    files["config.yaml"] = files["config.yaml"].replace("label: Calls offered", "label: Resolvable requests")
    renamed = service(prepare(write_site(tmp_path / "renamed", files)), "calls").measures[1]
    assert "weighted by resolvable requests;" in measure_rule(renamed.measure)
    # Lower is better: abandonment rose from 12% to 13%, which is worse.
    assert abandonment.card.value == 13 and abandonment.card.assessment == "worse"
    chart = next(c for c in calls.charts if c.id == "measure-calls-offered")
    assert [r["value"] for r in chart.rows][-2:] == [1200, 1300]
    assert "rose from 100 in January 2024 to 1,300 in January 2025" in chart.summary


def test_organisations_combine_their_services_as_each_measure_says(tmp_path):
    files = site_files(**{
        "content/services/calls-two.yaml": "name: Second line\norganisation: dept-a\ndescription: Calls.\ndata: calls-two.csv\n",
        "data/calls-two.csv": calls_csv(scale=3)})
    prepared = prepare(write_site(tmp_path, files))
    org = next(o for o in prepared.model.organisations if o.slug == "dept-a")
    offered, abandonment = org.measures
    # Sum across services: 9,000 + 27,000.
    assert offered.year.value == 36000
    # Each service's rate is 818/90 and their weights are 9,000 and 27,000: the weighted mean is 818/90.
    assert abandonment.year.value == pytest.approx(818 / 90)
    test_council = next(o for o in prepared.model.organisations if o.slug == "test-council")
    assert test_council.measures[0].year.value == 36000  # it includes Department A


def test_an_organisations_measures_name_the_services_they_leave_out(tmp_path):
    """A tester's department: a new office with six months of late responses was left out of the
    department's sum (it has no 12 months' figure) without a word, beside a transactions total that
    counted it; and its having no earlier year took away the comparison of the others' weighted mean,
    'No earlier period to compare with'. Both are said. Calls has January 2024 to January 2025; the
    new line August 2024 to January 2025."""
    new = "\n".join(["period,channel,transactions,calls_offered,abandonment_rate"] + [
        f"2024-{m:02d},phone,10,100,5%" for m in range(8, 13)] + ["2025-01,phone,10,100,5%"]) + "\n"
    files = site_files(**{
        "content/services/calls-new.yaml": "name: New line\norganisation: dept-a\ndescription: Calls.\ndata: calls-new.csv\n",
        "data/calls-new.csv": new})
    org = next(o for o in prepare(write_site(tmp_path, files)).model.organisations if o.slug == "dept-a")
    offered, abandonment = org.measures
    assert offered.year.value == 9000 and offered.year.note == "leaves out New line, with less than 12 months of data"
    # The mean has both services' latest 12 months, but New line has no 12 months before.
    assert abandonment.year.previous_value is None
    assert change_text(abandonment.year) == "No comparison: New line has no figure for the whole 12 months before"
    build_site(tmp_path / "config.yaml", tmp_path / "site")
    page = BeautifulSoup((tmp_path / "site/organisations/dept-a/index.html").read_text(encoding="utf-8"),
                         "html.parser")
    row = next(tr for tr in page.find_all("tr") if tr.th and tr.th.get_text(strip=True) == "Calls offered")
    assert row.find_all("td")[-1].get_text(strip=True).endswith(
        "; leaves out New line, with less than 12 months of data")


def test_an_organisations_earlier_year_is_weighted_by_that_years_own_weights(tmp_path):
    """A tester's response times: area A 100 s over 100 events in both years; area B 400 s over 300
    events in 2023 and over 100 in 2024. 2024: (100 x 100 + 400 x 100) / 200 = 250 s. 2023: (100 x 100
    + 400 x 300) / 400 = 325 s; with 2024's weights it had read 250 s, and 'no change'."""
    measures = ("measures:\n  - id: events\n    label: Events\n    unit: count\n  - id: median_seconds\n"
                "    label: Median response time\n    unit: seconds\n    higher_is_better: false\n"
                "    over_time: mean\n    weighted_by: events\n    across_services: mean\n"
                "charts:\n  static_svg: false\n")
    files = standard_files()
    files["config.yaml"] = CONFIG + measures
    for area, before, now in (("a", 100, 100), ("b", 300, 100)):
        seconds = 100 if area == "a" else 400
        files[f"content/services/{area}.yaml"] = (f"name: Area {area}\norganisation: dept-a\ndescription: x.\n"
                                                  f"data: {area}.csv\n")
        files[f"data/{area}.csv"] = (f"period,transactions,events,median_seconds\n2023,{before},{before},{seconds}\n"
                                     f"2024,{now},{now},{seconds}\n")
    prepared = prepare(write_site(tmp_path, files))
    org = next(o for o in prepared.model.organisations if o.slug == "dept-a")
    seconds = next(f for f in org.measures if f.measure.id == "median_seconds")
    assert seconds.year.value == pytest.approx(250) and seconds.year.previous_value == pytest.approx(325)
    assert seconds.year.direction == "down" and seconds.year.assessment == "better"


def test_a_source_can_map_a_declared_measure_and_the_download_carries_it(tmp_path):
    files = site_files()
    files["config.yaml"] += """\
sources:
  - file: fees.csv
    columns:
      period: Month
      income: Fees received (£)
"""
    files["data/fees.csv"] = 'Month,Fees received (£)\n2024-11,"£1,200.50"\n2024-12,"£1,300.00"\n'
    files["content/services/calls.yaml"] = ("name: Contact centre\norganisation: dept-a\ndescription: Calls.\n"
                                           "data: [calls.csv, fees.csv]\n")
    out = tmp_path / "site"
    build_site(write_site(tmp_path, files), out)
    page = BeautifulSoup((out / "services/calls/index.html").read_text(), "html.parser")
    section = page.find(id="measures-heading").parent.get_text(" ", strip=True)
    assert "Income £1,300.00 December 2024" in section
    assert "Up 8.3% from £1,200.50 in November 2024" in section  # 99.50 / 1,200.50 = 8.29%
    download = (out / "data/services/calls.csv").read_text().splitlines()
    assert download[0].endswith("calls_offered,abandonment_rate,income")
    assert "2024-12,2024-12-01,2024-12-31,all,,,,1300" in download


def test_declared_measures_are_checked(tmp_path):
    files = site_files()
    files["config.yaml"] = CONFIG + """\
measures:
  - id: transactions
    label: Transactions again
  - id: wait
    label: Wait
    unit: minutes
  - id: rate
    label: Rate
    unit: percent
    weighted_by: callz
"""
    with pytest.raises(BuildFailed) as failure:
        prepare(write_site(tmp_path, files))
    messages = [(p.line, p.message) for p in failure.value.problems.errors]
    assert any("'transactions' is a built-in field" in m for _, m in messages)
    assert any("one of count, percent, money, seconds, number" in m for _, m in messages)
    assert any("weighted by 'callz', which is not a measure" in m for _, m in messages)
    assert all(line is not None for line, _ in messages)


def test_a_percentage_measure_over_100_is_flagged_and_a_count_with_a_pound_sign_is_an_error(tmp_path):
    files = site_files()
    files["data/calls.csv"] = calls_csv().replace("2024-03,phone,30,300,3%", "2024-03,phone,30,£300,3%")
    with pytest.raises(BuildFailed) as failure:
        prepare(write_site(tmp_path, files))
    (problem,) = failure.value.problems.errors
    assert problem.path.endswith("calls.csv") and problem.line == 4
    assert "count, not money" in problem.message


def test_income_is_set_against_the_cost_of_the_service(tmp_path):
    files = site_files()
    files["data/permit-fees.csv"] = "period,income\n2024-11,400\n2024-12,500\n"
    files["content/services/permits.yaml"] = files["content/services/permits.yaml"].replace(
        "data: permits.csv", "data: [permits.csv, permit-fees.csv]")
    permits = service(prepare(write_site(tmp_path, files)), "permits")
    chart = next(c for c in permits.charts if c.id == "income-and-cost")
    december = {r["series"]: r["value"] for r in chart.rows if r["period"] == "December 2024"}
    # Permits publish no costs, so cost is estimated from unit costs: 240 online x £0.20 + 100 by phone
    # x £2.00 = £248; the net is £500 - £248 = £252.
    assert december["Income"] == 500 and december["Cost"] == pytest.approx(248)
    assert december["Net (income less cost)"] == pytest.approx(252)
    # In pence, without float noise (13025.000000000002 was in a download): exact to the penny.
    assert all(r["value"] == round(r["value"], 2) for r in chart.rows if r["value"] is not None)
    # November: 230 x 0.20 + 100 x 2.00 = £246. Both months: income £900, cost £494, surplus £406.
    # Sums over months in whole pounds, as a year's cost is shown; the months as one range.
    assert "Over November to December 2024 income was £900 against costs of £494: a net surplus of £406." \
        in chart.summary
    assert "In December 2024 the service brought in £500.00 and cost £248.00." in chart.summary


def test_a_years_money_is_shown_in_whole_pounds_and_year_ranges_do_not_run_together(tmp_path):
    """LibrariesWest publish fines by financial year: '£6,750.00' and 'Over April 2020 to March 2021 to
    April 2021 to March 2022', as a tester found. A yearly period's money is in whole pounds (card,
    table, income chart), and a sentence puts each year's range in brackets."""
    files = site_files()
    files["data/permits.csv"] = "period,channel,transactions\n2022/23,online,1000\n2022/23,phone,500\n" \
        "2023/24,online,1500\n2023/24,phone,400\n"
    files["data/permit-fees.csv"] = "period,income\n2022/23,4810\n2023/24,6750\n"
    files["content/services/permits.yaml"] = files["content/services/permits.yaml"].replace(
        "data: permits.csv", "data: [permits.csv, permit-fees.csv]")
    permits = service(prepare(write_site(tmp_path, files)), "permits")
    income = next(f for f in permits.measures if f.measure.id == "income")
    assert income.card.unit == "money_whole" and income.year.unit == "money_whole"
    chart = next(c for c in permits.charts if c.id == "income-and-cost")
    # 2023/24: 1,500 online x £0.20 + 400 by phone x £2.00 = £1,100; 2022/23: £200 + £1,000 = £1,200.
    assert chart.summary.startswith("From April 2023 to March 2024 the service brought in £6,750 and cost £1,100. "
                                    "Over April 2022 to March 2024 income was £11,560 against costs of £2,300")
    line = next(c for c in permits.charts if c.id == "measure-income")
    assert line.summary == "Income rose from £4,810 (April 2022 to March 2023) to £6,750 (April 2023 to March 2024)."
    transactions = next(c for c in permits.charts if c.id == "transactions")
    assert transactions.summary.startswith(
        "Transactions went from 1,500 (April 2022 to March 2023) to 1,900 (April 2023 to March 2024).")
    build_site(tmp_path / "config.yaml", tmp_path / "site")
    page = BeautifulSoup((tmp_path / "site/services/permits/index.html").read_text(encoding="utf-8"), "html.parser")
    table = next(t for t in page.find_all("table") if "other measures" in t.caption.get_text())
    assert "£6,750 April 2022 to March 2023 £4,810 Up 40.3% from £4,810" in table.get_text(" ", strip=True)


def test_a_yearly_average_of_money_keeps_its_pence_and_a_percentage_over_100_is_not_a_disagreement(tmp_path):
    """A reviewer's fee (money, averaged over time) of £3.57, £3.62, £3.71 a year showed '£4' and 'was
    £4 in both', and a bed occupancy of 104% was said to come from figures that 'do not agree'."""
    files = site_files()
    files["config.yaml"] = CONFIG + ("measures:\n  - id: fee\n    label: Average fee\n    unit: money\n"
                                     "    over_time: mean\n  - id: occupancy\n    label: Occupancy\n"
                                     "    unit: percent\n    over_time: mean\ncharts:\n  static_svg: false\n")
    files["data/calls.csv"] = ("period,channel,transactions,fee,occupancy\n2021/22,phone,10,3.57,96\n"
                               "2022/23,phone,10,3.62,101\n2023/24,phone,10,3.71,104\n")
    calls = service(prepare(write_site(tmp_path, files)), "calls")
    fee = next(f for f in calls.measures if f.measure.id == "fee")
    assert fee.card.unit == "money" and fee.year.unit == "money"
    chart = {c.id: c for c in calls.charts}
    assert chart["measure-fee"].summary.startswith("Average fee rose from £3.57 (April 2021 to March 2022) to £3.71")
    assert "do not agree" not in chart["measure-occupancy"].summary


def test_a_seconds_measure_reads_clock_times(tmp_path):
    """Contact-centre exports write handling times as clock times: '00:04:48' (h:mm:ss) is 288 s,
    '4:48' (m:ss) 288 s, '1:02:03' 3,723 s; a plain number is seconds as before. They were each an
    error, 103 times over in one export."""
    files = site_files()
    files["config.yaml"] = CONFIG + "measures:\n  - id: handling_time\n    label: Handling time\n    unit: seconds\n" \
        "    over_time: mean\ncharts:\n  static_svg: false\n"
    files["data/calls.csv"] = ("period,channel,transactions,handling_time\n2024-01,phone,10,00:04:48\n"
                               "2024-02,phone,10,4:48\n2024-03,phone,10,1:02:03\n2024-04,phone,10,300\n")
    prepared = prepare(write_site(tmp_path, files))
    measure = service(prepared, "calls").measures[0]
    assert [value for _, value in measure.points] == [288, 288, 3723, 300]
    files["data/calls.csv"] = "period,channel,transactions,handling_time\n2024-01,phone,10,4:75\n"
    with pytest.raises(BuildFailed) as failed:
        prepare(write_site(tmp_path / "bad", files))
    assert any("'handling_time' is not a number: '4:75'" in p.message for p in failed.value.problems.items)


def test_a_measure_without_a_definition_is_published_by_the_organisation_as_it_is(tmp_path):
    """A measure with no definition said "A measure this council publishes." on every page, a
    department's too: an organisation's page names its kind, a service's page says organisation."""
    files = site_files(**{"content/organisations/test-council.yaml": "name: Home Office\nkind: Department\n"})
    out = tmp_path / "site"
    build_site(write_site(tmp_path, files), out)

    def definition(page, label):
        soup = BeautifulSoup((out / page).read_text(), "html.parser")
        return soup.find("dt", string=label).find_next_sibling("dd").get_text(" ", strip=True)

    assert definition("organisations/test-council/index.html", "Calls offered").startswith(
        "A measure this department publishes. ")
    assert definition("organisations/dept-a/index.html", "Calls offered").startswith(
        "A measure this directorate publishes. ")
    assert definition("services/calls/index.html", "Calls offered").startswith(
        "A measure this organisation publishes. ")
    assert not any("council publishes" in p.read_text() for p in out.rglob("*.html"))


def test_a_service_with_declared_measures_alone_counts_as_having_published_data(tmp_path):
    """Oflog's indicators are declared measures with no transactions: the organisation said '0 with
    published data' above services whose pages were full of figures."""
    files = standard_files()
    files["config.yaml"] = CONFIG + MEASURES
    files["content/services/calls.yaml"] = "name: Calls\norganisation: dept-a\ndescription: x.\ndata: calls.csv\n"
    files["data/calls.csv"] = "period,calls_offered\n2024-01,100\n2024-02,120\n"
    prepared = prepare(write_site(tmp_path, files))
    dept = next(o for o in prepared.model.organisations if o.slug == "dept-a")
    # fines has transactions; calls has only calls offered: both have published data.
    assert dept.totals.services_with_data == 1 and dept.totals.with_figures == 2
    build_site(tmp_path / "config.yaml", tmp_path / "site")
    page = BeautifulSoup((tmp_path / "site/organisations/dept-a/index.html").read_text(), "html.parser")
    assert "2 with published data" in page.find("dl", class_="headline-figures").get_text(" ", strip=True)


def test_a_percent_measure_over_100_is_one_warning_for_the_column(tmp_path):
    """A court's clearance rate rightly passes 100%: one warning a cell (3,931) filled the problems
    shown and hid the rest. One for the column, at its first cell, with how many more."""
    files = standard_files()
    files["config.yaml"] = CONFIG + MEASURES
    rows = "".join(f"2024-{m:02d},phone,10,100,{100 + m}%\n" for m in range(1, 7))
    files["data/calls.csv"] = "period,channel,transactions,calls_offered,abandonment_rate\n" + rows
    files["content/services/calls.yaml"] = "name: Calls\norganisation: dept-a\ndescription: x.\ndata: calls.csv\n"
    problems = prepare(write_site(tmp_path, files)).problems
    over = [p for p in problems.warnings if "over 100%" in p.message]
    assert [(p.path, p.line, p.column) for p in over] == [("data/calls.csv", 2, 5)]
    assert over[0].message == "'abandonment_rate' is over 100%: '101%' (and 5 more in this column)"


def test_a_sum_of_days_not_compared_says_how_many_days_it_has(tmp_path):
    """A measure counted by day whose 12 months before hold ten December days had read 'which has only
    0 months of data' (a review): days and weeks are counted as such."""
    from datetime import date, timedelta

    year = [date(2024, 1, 1) + timedelta(days=n) for n in range(366)]  # every day of 2024
    days = ["period,channel,transactions,calls_offered"] + [f"2023-12-{d:02d},phone,1,5" for d in range(22, 32)] + \
        [f"{day:%Y-%m-%d},phone,1,5" for day in year]
    prepared = prepare(write_site(tmp_path, site_files(**{"data/calls.csv": "\n".join(days) + "\n"})))
    offered = service(prepared, "calls").measures[0]
    assert change_text(offered.year) == ("No comparison with 22 to 31 December 2023, which has only "
                                         "10 days of data")


def test_a_declared_measure_running_past_the_counts_is_the_latest_data(tmp_path):
    """Counts to January 2024, calls offered to January 2025: the latest data is January 2025, which
    the services table names, and a cost of January 2024 is a year or more before it. A review found
    a change meant for rows of a digital count of 0 had made such rows count for nothing."""
    lines = ["period,channel,transactions,cost,calls_offered", "2024-01,phone,10,20,100"]
    lines += [f"2024-{m:02d},phone,,,{100 + m}" for m in range(2, 13)] + ["2025-01,phone,,,200"]
    prepared = prepare(write_site(tmp_path, site_files(**{"data/calls.csv": "\n".join(lines) + "\n"})))
    calls = service(prepared, "calls")
    assert calls.latest_label == "January 2025"
    cost = calls.kpis["cost_per_transaction"]
    assert cost.period_label == "January 2024" and cost.dated and cost.stale
