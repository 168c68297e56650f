"""Real-world exports published with configuration alone: one test per mapping form.

Each fixture is small data written here in the shape real exports take
(titles above the headings, Windows-1252, semicolons, channels or periods
across columns, a key column for many services). Expected figures are worked
out by hand in the comments.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from generator.build import build_site, prepare
from generator.cli import main
from generator.errors import BuildFailed
from sitefactory import write_site

CHANNELS = """\
title: Test Council performance
organisation: Test Council
channels:
  - id: online
    label: Online
    digital: true
  - id: phone
    label: Phone
  - id: face_to_face
    label: Face to face
charts:
  static_svg: false
"""

COUNCIL = {"content/organisations/council.yaml": "name: Test Council\nkind: council\n"}


def site(tmp_path, config_extra: str, files: dict[str, str | bytes]) -> object:
    texts = {k: v for k, v in files.items() if isinstance(v, str)}
    config = write_site(tmp_path, {"config.yaml": CHANNELS + config_extra, **COUNCIL, **texts})
    for rel, data in files.items():
        if isinstance(data, bytes):
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / rel).write_bytes(data)
    return config


def services(config) -> dict:
    return {s.slug: s for s in prepare(config).model.services}


def run(config, *args):
    result = CliRunner().invoke(main, [*args, "--config", str(config)])
    return result.exit_code, result.output


# -- channels across columns, Windows-1252, semicolons, titles above the headings -------------------

def _cc() -> bytes:
    text = (
        "Contact centre report;;;;;;\r\n"
        "Exported 01/04/2024 09:00;;;;;;\r\n"
        "Month;Online;Telephone;Face-to-face;Total;Cost (£);Satisfaction\r\n"
        "Jan 2024;\"1,200\";300;50;\"1,550\";\"£4,650.00\";81%\r\n"
        "Feb 2024;\"1,300\";280;;\"1,580\";\"£4,740.00\";\r\n"
        "Mar 2024;\"1,500\";250;50;\"1,800\";\"£4,500.00\";***\r\n"
    )
    return text.encode("windows-1252")


CC_SOURCE = """\
sources:
  - file: contact-centre.csv
    encoding: windows-1252
    delimiter: ";"
    header_row: 3
    columns:
      period: Month
      cost: Cost (£)
      satisfaction: Satisfaction
    wide:
      columns: "{channel}"
      measure: transactions
      channels:
        Telephone: phone
"""

CC_SERVICE = ("name: Contact centre\norganisation: council\ndescription: Calls and visits.\n"
              "data: contact-centre.csv\n")


def test_channels_across_columns_in_a_windows_excel_export(tmp_path):
    config = site(tmp_path, CC_SOURCE, {"data/contact-centre.csv": _cc(),
                                        "content/services/contact.yaml": CC_SERVICE})
    svc = services(config)["contact"]
    jan, feb, mar = svc.periods
    # January: 1,200 online of 1,550 (the Total column is not a channel, so not counted twice).
    assert jan.transactions == 1550 and jan.by_channel == [1200, 300, 50]
    assert jan.digital_take_up == pytest.approx(1200 / 1550 * 100)
    # Cost is £4,650 for 1,550 transactions: £3.00 each.
    assert jan.cost_per_transaction == pytest.approx(3.0)
    assert jan.user_satisfaction == pytest.approx(81.0)
    # February's face-to-face cell is blank: take-up and cost are unknown, not guessed.
    assert feb.transactions == 1580 and not feb.complete and feb.digital_take_up is None
    # March: satisfaction was not requested (***), which differs from February's blank.
    assert "user_satisfaction" in mar.not_requested and "user_satisfaction" not in feb.not_requested
    assert svc.kpis["cost_per_transaction"].value == pytest.approx(4500 / 1800)


def test_not_requested_and_no_data_read_differently_on_the_page(tmp_path):
    config = site(tmp_path, CC_SOURCE, {"data/contact-centre.csv": _cc(),
                                        "content/services/contact.yaml": CC_SERVICE})
    build_site(config, tmp_path / "site")
    html = (tmp_path / "site/services/contact/index.html").read_text(encoding="utf-8")
    table = html[html.index("figures by period"):]
    march, february = table.split("<tr>")[2], table.split("<tr>")[3]
    assert "March 2024" in march and "not requested" in march
    assert "February 2024" in february and "not requested" not in february and "no data" in february


def test_windows_file_read_as_utf8_says_how_to_fix_it(tmp_path):
    config = site(tmp_path, "", {"data/contact-centre.csv": _cc(),
                                 "content/services/contact.yaml": CC_SERVICE})
    code, out = run(config, "check")
    assert code == 1
    # Read without a source, the file's delimiter is a comma: the semicolon-separated line is one cell.
    # Both are told in one run (the encoding's error had hidden the delimiter's until it was fixed).
    assert "data/contact-centre.csv:1: error: the file is read as a single column" in out
    assert ("data/contact-centre.csv:3:1: error: not utf-8 text (byte b'\\xa3', which is '£' in windows-1252); "
            "so are lines 4, 5 and 6\n"
            "    hint: it may be a Windows (Excel) file: add it to config.yaml as sources: "
            "[{file: contact-centre.csv, encoding: windows-1252}], or save it as 'CSV UTF-8' in Excel") in out


def test_a_utf8_file_under_a_windows_source_is_read_as_utf8(tmp_path):
    """One month's export saved as 'CSV UTF-8' among Windows ones: read as Windows-1252 its '£' was
    'Â£' and 'Café' 'CafÃ©' (a second service). A file valid as UTF-8 is read as UTF-8."""
    utf8 = _cc().decode("windows-1252").encode("utf-8")
    assert utf8 != _cc()
    config = site(tmp_path, CC_SOURCE, {"data/contact-centre.csv": utf8, "content/services/contact.yaml": CC_SERVICE})
    windows = site(tmp_path / "w", CC_SOURCE, {"data/contact-centre.csv": _cc(),
                                               "content/services/contact.yaml": CC_SERVICE})
    assert run(config, "check")[0] == 0
    as_utf8, as_windows = services(config)["contact"], services(windows)["contact"]
    assert [r.cost_per_transaction for r in as_utf8.periods] == [r.cost_per_transaction for r in as_windows.periods]
    assert as_utf8.periods[0].cost_per_transaction == pytest.approx(4650 / 1550)


def test_undecodable_byte_is_at_its_spreadsheet_column_and_the_hint_names_the_source(tmp_path):
    """The column was a byte offset (44 for the £ in the fourth heading), and the hint for a file
    with a source did not say what to write."""
    data = "Date,Year,TD Raised,TD Despatched (£ cost)\n2010-06-30,2010,\"6,770\",3768\n".encode("windows-1252")
    config = site(tmp_path, "sources:\n  - file: travel.csv\n    columns: {period: Date, started: TD Raised, "
                  "completed: \"TD Despatched (£ cost)\"}\n",
                  {"data/travel.csv": data, "content/services/travel.yaml": CC_SERVICE.replace(
                      "contact-centre.csv", "travel.csv")})
    code, out = run(config, "check")
    assert code == 1
    assert ("data/travel.csv:1:4: error: not utf-8 text (byte b'\\xa3', which is '£' in windows-1252)\n"
            "    hint: it may be a Windows (Excel) file: add encoding: windows-1252 to the sources: entry for "
            "travel.csv in config.yaml, or save it as 'CSV UTF-8' in Excel") in out
    late = "Date,Year,TD Raised,Cost\n2010-06-30,2010,\"6,770\",£3768\n".encode("windows-1252")
    (tmp_path / "data/travel.csv").write_bytes(late)  # a quoted comma is not a delimiter
    assert "data/travel.csv:2:4: error: not utf-8 text" in run(config, "check")[1]


# -- periods and measures across columns; services and organisations made from rows ----------------

FINANCE = """\
Directorate,Service,Description,Web page,2022/23: volume,2022/23: online volume,2022/23: cost per transaction (£),2023/24: volume,2023/24: online volume,2023/24: cost per transaction (£),Notes
Environment,Missed bins,Report a missed bin.,https://example.gov.uk/bins,"12,000","9,000",£2.50,"10,000","8,000",£2.00,
Environment,Bulky waste,Book a bulky waste collection.,,800,200,***,900,450,£12.40,cost not collected in 2022/23
Resources,Council tax direct debit,Set up a direct debit.,,"4,000",,£1.10,"5,000","4,900",£0.90,
Resources,Blue badges,Apply for a blue badge.,,,,,,,,no figures yet
"""

FINANCE_SOURCE = """\
sources:
  - file: finance.csv
    columns:
      service: Service
    wide:
      columns: "{period}: {measure}"
      measures:
        volume: transactions
        online volume: digital_transactions
        cost per transaction (£): cost_per_transaction
    services:
      name: "{Service}"
      organisation: "{Directorate}"
      description: "{Description}"
      url: "{Web page}"
    organisations:
      - name: "{Directorate}"
        parent: council
        kind: directorate
"""


def test_periods_across_columns_make_services_and_organisations(tmp_path):
    config = site(tmp_path, FINANCE_SOURCE, {"data/finance.csv": FINANCE})
    prepared = prepare(config)
    svcs = {s.slug: s for s in prepared.model.services}
    orgs = {o.slug: o for o in prepared.model.organisations}
    assert set(svcs) == {"missed-bins", "bulky-waste", "council-tax-direct-debit", "blue-badges"}
    assert {"environment", "resources"} <= set(orgs)
    bins = svcs["missed-bins"]
    assert bins.organisation.slug == "environment" and bins.service_url == "https://example.gov.uk/bins"
    assert bins.description == "Report a missed bin."
    # 2023/24: 8,000 of 10,000 online = 80.0%, up 5 points from 9,000 / 12,000 = 75.0%.
    take_up = bins.kpis["digital_take_up"]
    assert take_up.value == pytest.approx(80.0) and take_up.previous_value == pytest.approx(75.0)
    assert take_up.period_label == "April 2023 to March 2024"
    assert bins.kpis["cost_per_transaction"].value == pytest.approx(2.0)
    assert bins.kpis["cost_per_transaction"].previous_value == pytest.approx(2.5)
    assert bins.kpis["transactions_per_year"].value == 10000
    # Bulky waste's 2022/23 cost was not requested (***): the table says so for that year only.
    bulky = svcs["bulky-waste"]
    first = bulky.periods[0]
    assert first.cost_per_transaction is None and "cost_per_transaction" in first.not_requested
    assert bulky.kpis["cost_per_transaction"].value == pytest.approx(12.4)
    # Council tax 2022/23 has no online volume: take-up unknown that year, known the next.
    ctax = svcs["council-tax-direct-debit"]
    assert ctax.periods[0].digital_take_up is None
    assert ctax.periods[1].digital_take_up == pytest.approx(98.0)
    # A service whose every figure is blank still gets a page, with no data.
    assert not svcs["blue-badges"].has_data
    # The organisation's totals are the sum of its services' figures.
    env = orgs["environment"]
    assert env.totals.transactions_per_year == 10000 + 900


def test_a_yaml_file_overrides_one_generated_service(tmp_path):
    override = ("name: Report a missed bin collection\norganisation: environment\n"
                "description: Tell us we missed your bin.\ntargets:\n  digital_take_up: 85\n")
    config = site(tmp_path, FINANCE_SOURCE, {"data/finance.csv": FINANCE,
                                             "content/services/missed-bins.yaml": override})
    bins = services(config)["missed-bins"]
    assert bins.name == "Report a missed bin collection"
    assert bins.kpis["digital_take_up"].target == 85
    assert bins.kpis["digital_take_up"].value == pytest.approx(80.0)  # data still from finance.csv


def test_a_yaml_file_reading_a_generated_service_rows_is_that_service(tmp_path):
    """A YAML service that reads a generated service's rows under a slug of its own replaces it, as
    one with its slug does: both had been published, and the organisation counted the rows twice
    (a tester's 140 for 80)."""
    own = ("name: Report a missed bin\norganisation: environment\ndescription: Tell us.\n"
           "data: {source: finance, service: Missed bins}\n")
    config = site(tmp_path, FINANCE_SOURCE, {"data/finance.csv": FINANCE,
                                             "content/services/report-a-missed-bin.yaml": own})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    prepared = prepare(config)
    found = {s.slug: s for s in prepared.model.services}
    assert "missed-bins" not in found and found["report-a-missed-bin"].kpis["transactions_per_year"].value == 10000
    env = {o.slug: o for o in prepared.model.organisations}["environment"]
    assert env.totals.transactions_per_year == 10000 + 900
    # Named by its file, it reads through the same source: the same service (a review).
    (tmp_path / "content/services/report-a-missed-bin.yaml").write_text(
        own.replace("{source: finance,", "{file: finance.csv,"), encoding="utf-8")
    found = services(config)
    assert "missed-bins" not in found and found["report-a-missed-bin"].kpis["transactions_per_year"].value == 10000


def test_bad_cell_in_a_wide_file_is_located_by_line_and_column(tmp_path):
    broken = FINANCE.replace('"10,000","8,000"', '"10,000","8,0O0"').replace("800,200,***", "-800,200,***")
    config = site(tmp_path, FINANCE_SOURCE, {"data/finance.csv": broken})
    code, out = run(config, "check")
    assert code == 1
    # Line 2, column 9 ("2023/24: online volume"); line 3, column 5 ("2022/23: volume").
    assert ("data/finance.csv:2:9: error: 'digital_transactions' (column '2023/24: online volume') "
            "is not a number: '8,0O0'") in out
    assert "data/finance.csv:3:5: error: 'transactions' (column '2022/23: volume') cannot be negative: '-800'" in out


def test_misspelt_heading_in_the_mapping_points_at_config_with_a_suggestion(tmp_path):
    config = site(tmp_path, FINANCE_SOURCE.replace("service: Service\n", "service: Servce\n"),
                  {"data/finance.csv": FINANCE})
    code, out = run(config, "check")
    assert code == 1
    assert "config.yaml:16:16: error: column 'Servce' is not in finance.csv" in out
    assert "did you mean 'Service'" in out


def test_a_heading_with_its_words_in_another_order_is_the_one_suggested(tmp_path):
    """'events-total' renamed 'total-events': spelling alone offered 'events-orange' (another figure,
    which followed would be published as the total), and never the renamed column."""
    source = "sources:\n  - file: permits.csv\n    columns: {period: year, transactions: events-total}\n"
    config = site(tmp_path, source, {"data/permits.csv": "year,events-orange,events-red,total-events\n2024,1,2,3\n",
                                     "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 1 and "hint: did you mean 'total-events'?" in out, out


def test_digital_volume_over_volume_is_a_warning_and_strict_makes_it_fail(tmp_path):
    config = site(tmp_path, FINANCE_SOURCE, {"data/finance.csv": FINANCE.replace('"4,000",,', '"4,000","4,100",')})
    code, out = run(config, "check")
    assert code == 0
    assert "data/finance.csv:4:6: warning: more digital transactions (4,100) than transactions (4,000)" in out
    code, out = run(config, "check", "--strict")
    assert code == 1


def test_a_channel_blank_for_many_services_of_a_file_is_one_warning(tmp_path):
    """The Canada Service Inventory writes NA under each channel a service does not offer: 3,299
    warnings, one per service and channel, each saying 'write 0'. More than five services of a
    file are one warning a channel, naming the first two and how many, with replace: in its hint;
    five or fewer are told one by one. The replace: makes NA 0, and the warning goes."""
    lines = "".join(f"S{n},2023-24,{100 + n},NA,{n}\n" for n in range(7))
    source = ("sources:\n  - file: inventory.csv\n    columns: {service: Service, period: Year}\n"
              "    wide: {columns: '{channel}', measure: transactions}\n"
              "    services: {name: '{Service}', organisation: council}\n")
    config = site(tmp_path, source, {"data/inventory.csv": "Service,Year,Online,Phone,Face to face\n" + lines})
    code, out = run(config, "check")
    assert code == 0 and out.count("has no figure in any period") == 1
    assert ("data/inventory.csv:2:4: warning: Phone has no figure in any period for 7 services ('S0', 'S1', ...), "
            "so their digital take-up and cost per transaction are no data throughout\n    hint: if these services "
            "have no phone transactions, write 0 in those cells (if they hold a marker such as NA for 'not "
            "applicable', replace: {transactions: {NA: '0'}} in the file's source reads it as 0)") in out
    (tmp_path / "data/inventory.csv").write_text("Service,Year,Online,Phone,Face to face\n" + "".join(lines.splitlines(True)[:5]))
    out = run(config, "check")[1]
    assert out.count("has no figure in any period") == 5 and "Phone has no figure in any period for 'S4', so its" in out
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text()
                                          + "    replace: {transactions: {NA: '0'}}\n")
    assert "has no figure" not in run(config, "check")[1]
    assert services(config)["s3"].kpis["digital_take_up"].value == pytest.approx(100 * 103 / 106)


def test_a_typo_in_a_rolling_period_is_flagged_and_fixed_by_replace(tmp_path):
    rolling = ("Service,April 2022 to March 2023: volume,July 2022 to June 2024: volume,"
               "October 2022 to September 2023: volume\nBins,100,110,120\n")
    source = ("sources:\n  - file: rolling.csv\n    columns: {service: Service}\n"
              "    wide: {columns: '{period}: {measure}', measures: {volume: transactions}}\n"
              "    services: {name: '{Service}', organisation: council}\n")
    config = site(tmp_path, source, {"data/rolling.csv": rolling})
    code, out = run(config, "check")
    assert "data/rolling.csv:1:3: warning: period 'July 2022 to June 2024' covers 24 months, " \
           "but most periods here cover 12" in out
    fixed = source.replace("    services:", "    replace:\n      period: {July 2022 to June 2024: July 2022 to June 2023}\n"
                                            "    services:")
    config = site(tmp_path, fixed, {"data/rolling.csv": rolling})
    code, out = run(config, "check", "--strict")
    assert code == 0, out
    bins = services(config)["bins"]
    assert [p.period.label for p in bins.periods] == [
        "April 2022 to March 2023", "July 2022 to June 2023", "October 2022 to September 2023"]


# -- one long file feeding many services: key column, templates, filters ---------------------------

LONG = """\
Service name,Year,Month,Channel,Count,Region
Missed bins,2024,1,Online,100,North
Missed bins,2024,1,Online,999,South
Missed bins,2024,1,Phone,50,North
Missed bins,2024,2,Online,120,North
Missed bins,2024,2,Phone,30,North
Missed bins,2024,2,Total,150,North
Parking permits,2024,1,In person,20,North
Parking permits,2024,2,In person,25,North
"""

LONG_SOURCE = """\
sources:
  - file: long.csv
    columns:
      service: Service name
      period: "{Year}-{Month}"
      channel: Channel
      transactions: Count
    filter:
      Region: North
    exclude:
      Channel: Total
"""


def test_one_long_file_feeds_many_services_with_filters(tmp_path):
    files = {
        "data/long.csv": LONG,
        "content/services/bins.yaml": "name: Missed bins\norganisation: council\ndescription: Bins.\n"
                                      "data: {file: long.csv, service: Missed bins}\n",
        "content/services/permits.yaml": "name: Permits\norganisation: council\ndescription: Permits.\n"
                                         "data: {file: long.csv, service: Parking permits}\n",
    }
    config = site(tmp_path, LONG_SOURCE.replace("channels:", "channels:"), files)
    config.write_text(config.read_text().replace(
        "  - id: face_to_face\n    label: Face to face\n",
        "  - id: face_to_face\n    label: Face to face\n    aliases: [In person]\n"))
    svcs = services(config)
    bins = svcs["bins"]
    # South's 999 is filtered out and the Total row excluded: January is 100 + 50.
    assert [p.transactions for p in bins.periods] == [150, 150]
    assert bins.periods[1].digital_take_up == pytest.approx(80.0)
    assert [p.transactions for p in svcs["permits"].periods] == [20, 25]


def test_total_rows_alongside_channel_rows_are_an_error_with_a_fix(tmp_path):
    files = {"data/long.csv": LONG,
             "content/services/bins.yaml": "name: Missed bins\norganisation: council\ndescription: Bins.\n"
                                           "data: {file: long.csv, service: Missed bins}\n"}
    config = site(tmp_path, LONG_SOURCE.replace("    exclude:\n      Channel: Total\n", ""), files)
    code, out = run(config, "check")
    assert code == 1
    assert "data/long.csv:7: error: service 'bins' has rows per channel and also rows for all channels" in out
    assert "exclude: {Channel: Total}" in out


# -- published KPI rates alongside counts, from a second file --------------------------------------

def test_published_rates_from_a_second_file_sit_alongside_counts(tmp_path):
    counts = "period,channel,transactions\n2024-01,online,80\n2024-01,phone,20\n2024-02,online,90\n2024-02,phone,10\n"
    rates = ("Reporting month,Completion %,Satisfied %\n"
             "01/01/2024,91.5%,70%\n"
             "01/02/2024,93%,x\n")
    source = ("sources:\n  - file: rates.csv\n    period_type: month\n"
              "    columns: {period: Reporting month, completion_rate: Completion %, satisfaction: Satisfied %}\n")
    service = ("name: Permits\norganisation: council\ndescription: Permits.\n"
               "data: [counts.csv, rates.csv]\n")
    config = site(tmp_path, source, {"data/counts.csv": counts, "data/rates.csv": rates,
                                     "content/services/permits.yaml": service})
    permits = services(config)["permits"]
    jan, feb = permits.periods
    assert (jan.transactions, feb.transactions) == (100, 100)
    assert jan.completion_rate == pytest.approx(91.5) and feb.completion_rate == pytest.approx(93.0)
    assert jan.user_satisfaction == pytest.approx(70.0) and feb.user_satisfaction is None
    assert feb.digital_take_up == pytest.approx(90.0)
    assert permits.kpis["completion_rate"].change == pytest.approx(1.5)


def test_fractions_for_rates_when_the_source_says_so(tmp_path):
    rates = "Period,Digital take-up\n2024-Q1,0.45\n2024-Q2,0.5\n"
    source = ("sources:\n  - file: rates.csv\n    percentages: fraction\n"
              "    columns: {period: Period, digital_take_up: Digital take-up}\n")
    service = "name: Permits\norganisation: council\ndescription: Permits.\ndata: rates.csv\n"
    config = site(tmp_path, source, {"data/rates.csv": rates, "content/services/permits.yaml": service})
    permits = services(config)["permits"]
    assert [p.digital_take_up for p in permits.periods] == [pytest.approx(45.0), pytest.approx(50.0)]



def test_percentages_read_as_fractions_by_mistake_are_an_error(tmp_path):
    """percentages: fraction over a column of percentages (100, 89.9): each was multiplied by 100, and
    a tester's completion rate published as 8,990.5% behind a warning among many. One value over 1
    among fractions (a slip) is still published as it is, with the over-100% warning."""
    rates = "Period,Digital take-up\n2024-Q1,45\n2024-Q2,0.5\n2024-Q3,50\n"
    source = ("sources:\n  - file: rates.csv\n    percentages: fraction\n"
              "    columns: {period: Period, digital_take_up: Digital take-up}\n")
    service = "name: Permits\norganisation: council\ndescription: Permits.\ndata: rates.csv\n"
    config = site(tmp_path, source, {"data/rates.csv": rates, "content/services/permits.yaml": service})
    code, out = run(config, "check")
    assert code == 1
    assert ("data/rates.csv:2:2: error: 'digital_take_up' (column 'Digital take-up') is read as a fraction (percentages: fraction), but '45' is "
            "over 1 (and 1 more in this column)\n"
            "    hint: the figures look like percentages already (72 for 72 per cent): take percentages: fraction out "
            "of the file's source in config.yaml\n") in out
    (tmp_path / "data/rates.csv").write_text("Period,Digital take-up\n2024-Q1,0.45\n2024-Q2,1.5\n2024-Q3,0.5\n",
                                             encoding="utf-8")
    code, out = run(config, "check")
    assert code == 0 and "is over 100%: '1.5'" in out


def test_rates_written_as_fractions_without_saying_so_are_a_warning(tmp_path):
    """0.87 read as a percentage is published as 0.9%: a file whose satisfaction is all between 0.2
    and 1 is warned about (once per column, at its first value), and --strict fails; a file that
    writes 87% or 87, or a take-up that really is under 1% (0.05, 0.1), is not."""
    out = _told_once_then_quiet(
        tmp_path, "period,transactions,satisfaction\n2024-10,100,0.87\n2024-11,110,0.85\n2024-12,105,0.9\n",
        "data/permits.csv:2:3: warning: 'satisfaction' looks like fractions: every value is between 0 and 1 "
        "(e.g. '0.87'), so it would be read as 0.87%",
        {"percent": "period,transactions,satisfaction\n2024-10,100,87%\n2024-11,110,85%\n",
         "whole": "period,transactions,satisfaction\n2024-10,100,87\n2024-11,110,0.5\n",
         "small": "period,transactions,digital_take_up\n2024-10,100,0.05\n2024-11,110,0.1\n"})
    assert "percentages: fraction" in out


def _told_once_then_quiet(tmp_path, bad: str, warning: str, quiet: dict[str, str]) -> str:
    """Check of a service reading ``bad``: ``warning`` once, exit 0, and 1 with --strict; each of
    ``quiet`` passes --strict with nothing said. Returns the first check's output."""
    service = "name: Permits\norganisation: council\ndescription: Permits.\ndata: permits.csv\n"
    config = site(tmp_path / "told", "", {"data/permits.csv": bad, "content/services/permits.yaml": service})
    code, out = run(config, "check")
    assert code == 0 and out.count(warning.split(": ", 3)[-1][:30]) == 1 and warning in out, out
    assert run(config, "check", "--strict")[0] == 1
    for name, text in quiet.items():
        config = site(tmp_path / name, "", {"data/permits.csv": text, "content/services/permits.yaml": service})
        assert run(config, "check", "--strict") == (0, "No errors found.\n"), name
    return out


def test_satisfaction_written_as_an_average_rating_is_a_warning(tmp_path):
    """A survey export's average rating out of 5 (4.1, 4.3) read as a percentage was published as
    'User satisfaction 4.3%' without a word (a tester). Every value between 1 and 5 with a fraction
    among them is warned about, once, with how to give it; whole small percentages are not."""
    out = _told_once_then_quiet(
        tmp_path, "period,transactions,satisfaction\n2022/23,1000,4.1\n2023/24,1200,4.3\n",
        "data/permits.csv:2:3: warning: 'satisfaction' looks like an average rating out of 5: every value is "
        "between 1 and 5 (e.g. '4.1'), so it would be read as 4.1%",
        {"percent": "period,transactions,satisfaction\n2024-10,100,4.1%\n2024-11,110,4.3%\n",
         "whole": "period,transactions,satisfaction\n2024-10,100,4\n2024-11,110,3\n",
         "wider": "period,transactions,satisfaction\n2024-10,100,4.5\n2024-11,110,71.5\n"})
    assert "satisfaction_1 to satisfaction_5" in out
    # Each service of a file on its own: another's percentages had hidden them (a review).
    many = site(tmp_path / "many", "sources:\n  - file: all.csv\n    services: {name: '{service}', organisation: "
                "council}\n", {"data/all.csv": "service,period,transactions,satisfaction\nPermits,2023/24,1000,4.1\n"
                                                 "Permits,2024/25,1100,4.3\nParking,2023/24,5000,78.5\n"
                                                 "Parking,2024/25,5200,80.1\n"})
    code, out = run(many, "check")
    assert out.count("looks like an average rating") == 1 and "data/all.csv:2:4: warning" in out, out


# -- gaps and caps ----------------------------------------------------------------------------------

def test_a_gap_in_monthly_data_is_a_warning(tmp_path):
    csv_text = "period,channel,transactions\n2024-01,online,1\n2024-02,online,1\n2024-05,online,1\n"
    service = "name: Permits\norganisation: council\ndescription: Permits.\ndata: permits.csv\n"
    config = site(tmp_path, "", {"data/permits.csv": csv_text, "content/services/permits.yaml": service})
    code, out = run(config, "check")
    assert code == 0
    assert "data/permits.csv:4: warning: service 'permits' has no rows for March 2024, April 2024" in out
    assert run(config, "check", "--strict")[0] == 1


def test_thousands_of_bad_cells_are_all_counted_but_the_list_is_capped(tmp_path):
    lines = ["period,channel,transactions"] + [f"{1990 + i // 12}-{i % 12 + 1:02d},online,bad{i}"
                                                for i in range(500)]
    service = "name: Permits\norganisation: council\ndescription: Permits.\ndata: permits.csv\n"
    config = site(tmp_path, "", {"data/permits.csv": "\n".join(lines) + "\n",
                                 "content/services/permits.yaml": service})
    code, out = run(config, "check")
    assert code == 1
    assert out.count("error: 'transactions' is not a number") == 200
    # The rest are counted by kind: a tester with 771 warnings could not see what the 571 were about.
    assert ("... and 300 more problem(s) not shown (--all lists them), of these kinds:\n"
            "    300 × error: … is not a number: …\n") in out
    assert "500 error(s)" in out
    code, out = run(config, "check", "--all")
    assert code == 1 and out.count("is not a number") == 500 and "not shown" not in out


def test_failed_mapped_build_keeps_the_previous_site(tmp_path):
    config = site(tmp_path, FINANCE_SOURCE, {"data/finance.csv": FINANCE})
    build_site(config, tmp_path / "site")
    before = {p: p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    (tmp_path / "data/finance.csv").write_text(FINANCE.replace("£2.50", "two pounds fifty"))
    with pytest.raises(BuildFailed):
        build_site(config, tmp_path / "site")
    after = {p: p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    assert after == before


def test_months_across_columns_with_a_notes_column(tmp_path):
    # One row per service and channel, a column per month, and a Notes column that is not a month.
    export = ("Service,Channel,Apr 2024,May 2024,Jun 2024,Notes\n"
              "Bins,Online,\"1,000\",\"1,100\",..,new form in May\n"
              "Bins,Phone,500,400,300,\n")
    source = ("sources:\n  - file: months.csv\n    columns: {service: Service, channel: Channel}\n"
              "    wide: {columns: '{period}'}\n"
              "    services: {name: '{Service}', organisation: council}\n")
    config = site(tmp_path, source, {"data/months.csv": export})
    code, out = run(config, "check")
    assert code == 0, out
    assert "months.csv:1:6: warning: column 'Notes' matches '{period}' but 'Notes' is not a period" in out
    bins = services(config)["bins"]
    assert [p.transactions for p in bins.periods] == [1500, 1500, 300]
    # June's online cell is '..' (no data): June is incomplete, so its take-up is unknown.
    assert bins.periods[1].digital_take_up == pytest.approx(1100 / 1500 * 100)
    assert bins.periods[2].digital_take_up is None and not bins.periods[2].complete


def test_rows_that_no_service_reads_are_reported(tmp_path):
    typo = LONG + "Misssed bins,2024,2,Online,7,North\n,2024,2,Online,3,North\n"
    files = {"data/long.csv": typo,
             "content/services/bins.yaml": "name: Missed bins\norganisation: council\ndescription: Bins.\n"
                                           "data: {file: long.csv, service: Missed bins}\n"}
    config = site(tmp_path, LONG_SOURCE, files)
    code, out = run(config, "check")
    assert "data/long.csv:10:1: warning: no service reads the rows for 'Misssed bins' (1 row(s))" in out
    assert "is it a misspelling of 'Missed bins'?" in out
    assert "data/long.csv:11:1: warning: 1 row(s) have no service, so they are not read" in out


def test_excel_datetimes_and_a_footer_note_in_a_long_export(tmp_path):
    export = ("Month,Channel,Applications\n"
              "2024-04-01 00:00:00,Online,\"1,000\"\n"
              "2024-04-01 00:00:00,Phone,250\n"
              "2024-05-01 00:00:00,Online,\"1,100\"\n"
              "2024-05-01 00:00:00,Phone,200\n"
              "\n"
              "Source: contact centre system,,\n")
    source = ("sources:\n  - file: export.csv\n    period_type: month\n"
              "    columns: {period: Month, channel: Channel, transactions: Applications}\n")
    service = "name: Permits\norganisation: council\ndescription: Permits.\ndata: export.csv\n"
    config = site(tmp_path, source, {"data/export.csv": export, "content/services/permits.yaml": service})
    code, out = run(config, "check")
    assert code == 0, out
    assert ("data/export.csv:7:1: warning: row is not read: it has no figures, and 'Source: contact centre "
            "system' is not a period") in out
    permits = services(config)["permits"]
    assert [(p.period.label, p.transactions) for p in permits.periods] == [("April 2024", 1250), ("May 2024", 1300)]
    assert permits.kpis["digital_take_up"].value == pytest.approx(1100 / 1300 * 100)


def test_tab_separated_with_a_bom_channel_and_measure_headings_and_a_composite_key(tmp_path):
    export = ("\ufeffReport\tgenerated\n\nMonth\tDepartment\tService\tOnline volume\tOnline cost\tPhone volume\t"
              "Phone cost\n2024-01\tHousing\tRepairs\t100\t15.00\t50\t140.00\n"
              "2024-01\tLibraries\tRepairs\t10\t1.00\t5\t14.00\n")
    source = ("sources:\n  - file: x.tsv\n    delimiter: tab\n    header_row: 3\n"
              "    columns: {period: Month, service: \"{Service}\"}\n"
              "    wide: {columns: '{channel} {measure}', measures: {volume: transactions, cost: cost}}\n"
              "    services: {name: '{Service}', organisation: '{Department}'}\n"
              "    organisations: [{name: '{Department}', parent: council}]\n")
    config = site(tmp_path, source, {"data/x.tsv": export})
    code, out = run(config, "check")
    # Two departments each have a service called Repairs: one key for both is an error with a fix.
    assert code == 1 and ("data/x.tsv:5:4: error: service 'Repairs' has two rows for January 2024 and 'online' "
                          "with different figures: 'transactions' is 10 on line 5 and 100 on line 4\n") in out
    # ... and, before that, the key is said to be in rows of two organisations (the cause).
    assert ("data/x.tsv:5: warning: a service key is in rows of more than one organisation, each read as one "
            "service (of its latest row's organisation): 'Repairs' in 'Housing' (line 4), 'Libraries' (line 5)") in out
    assert 'columns: {service: "{Department} {Service}"}' in out
    config.write_text(config.read_text().replace('service: "{Service}"', 'service: "{Department} {Service}"'))
    svcs = services(config)
    # Housing: (£15 + £140) / (100 + 50) = £1.0333...; Libraries: (£1 + £14) / 15 = £1.00.
    assert svcs["housing-repairs"].kpis["cost_per_transaction"].value == pytest.approx(155 / 150)
    assert svcs["libraries-repairs"].kpis["cost_per_transaction"].value == pytest.approx(1.0)
    assert svcs["libraries-repairs"].organisation.slug == "libraries"


def one_file_site(tmp_path, csv: str, config_extra: str = ""):
    """A site with one service whose data is ``csv`` (data/contact.csv)."""
    return site(tmp_path, config_extra, {"data/contact.csv": csv, "content/services/contact.yaml":
                                         CC_SERVICE.replace("contact-centre.csv", "contact.csv")})


def test_a_typo_in_a_wide_measure_heading_is_an_error_not_silence(tmp_path):
    """'2023/24: onlin volume' is one letter from a measure: left unread, it would drop that year's
    online figures without a word; over figures it is an error saying what it meant (as a channel's
    heading a letter out is)."""
    typo = FINANCE.replace("2023/24: online volume", "2023/24: onlin volume")
    config = site(tmp_path, FINANCE_SOURCE, {"data/finance.csv": typo})
    code, out = run(config, "check")
    assert code == 1
    assert ("data/finance.csv:1:9: error: column '2023/24: onlin volume' matches '{period}: {measure}' but "
            "'onlin volume' is not one of its measures, so it is not read") in out
    assert "did you mean 'online volume'?" in out
    assert "Notes" not in out  # the Notes column, of no measure's shape, is not mentioned


def test_sibling_indicator_codes_are_not_typos_and_ignore_takes_wildcards(tmp_path):
    """A benchmarking export publishes a family of indicators side by side: 'C&L5b' beside the mapped
    'C&L5a' is another indicator, not a slip (a tester's 48 'did you mean C&L5a?' errors). A heading a
    letter from a word measure is still told, and its hint names ignore: with a wildcard; ignore:
    'C&L5b *' leaves out every column of that indicator, and a pattern matching none is told."""
    csv = ("Authority,C&L5a 2022/23,C&L5b 2022/23,C&L5c 2022/23,Visits 2022/23,Visitz 2022/23,CHN1 2022/23,"
           "CHN10 2022/23\nFife,75,80,70,\"1,200\",5,30,40\n")
    source = ("sources:\n  - file: lgbf.csv\n    columns: {service: Authority}\n"
              "    wide: {columns: '{measure} {period}', measures: {C&L5a: satisfaction, Visits: transactions, "
              "CHN1: cost}}\n"
              "    services: {name: '{Authority}', organisation: council}\n")
    config = site(tmp_path, source, {"data/lgbf.csv": csv})
    code, out = run(config, "check")
    assert code == 1 and "C&L5b" not in out and "C&L5c" not in out and "CHN10" not in out
    assert ("data/lgbf.csv:1:6: error: column 'Visitz 2022/23' matches '{measure} {period}' but 'Visitz' is not "
            "one of its measures, so it is not read\n    hint: did you mean 'visits'? Correct the heading, or add it "
            "to wide: measures:; if it is another figure, list it under ignore: in the source, e.g. ignore: "
            "[\"Visitz *\"] (a * stands for any text)") in out
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text()
                                          + "    ignore: ['visitz *', 'C&L9? *']\n")
    code, out = run(config, "check")
    assert code == 0 and "Visitz" not in out
    assert "config.yaml:18:26: warning: no column of lgbf.csv matches 'C&L9? *'" in out
    fife = services(config)["fife"]
    assert fife.periods[-1].transactions == 1200 and fife.periods[-1].user_satisfaction == 75


def test_a_total_row_made_from_rows_is_left_out_with_a_warning(tmp_path):
    """A spreadsheet's total row ('Total' in the service column) would be counted twice: it is not made
    into a service (nor its 'Total' directorate into an organisation), and the warning says how to say so."""
    total = FINANCE + 'Total,Total,,,"16,800","9,200",,"15,900","13,350",,\n'
    config = site(tmp_path, FINANCE_SOURCE, {"data/finance.csv": total})
    code, out = run(config, "check")
    assert code == 0
    assert ("data/finance.csv:6: warning: 'Total' looks like a total row, not a service, so it is left out "
            "(its figures would be counted twice)") in out and "exclude: {Service: 'Total'}" in out
    assert "data/finance.csv:6: warning: organisation 'Total' looks like a total row's" in out
    prepared = prepare(config)
    assert "total" not in {s.slug for s in prepared.model.services}
    assert "total" not in {o.slug for o in prepared.model.organisations}
    assert prepared.model.totals.transactions_per_year == 10000 + 900 + 5000  # as without the row


def test_a_total_row_named_for_its_rows_is_left_out_too(tmp_path):
    """The Home Office's referral tables end each block with 'Government agency total': read as a
    service, it doubled the organisation's figures with no word. A name ending in 'total' (or a
    'Sub-total') is a total row, told once; 'Total Fitness' is a name, and stays a service."""
    rows = (FINANCE + 'Environment,Environment total,,,"12,800","9,200",,"10,900","8,450",,\n'
            + 'Environment,Total Fitness,Book a class.,,40,40,,50,50,,\n')
    config = site(tmp_path, FINANCE_SOURCE, {"data/finance.csv": rows})
    code, out = run(config, "check")
    assert code == 0 and out.count(": warning:") == 1
    assert ("data/finance.csv:6: warning: 'Environment total' looks like a total row, not a service, so it is "
            "left out") in out and "exclude: {Service: 'Environment total'}" in out
    prepared = prepare(config)
    assert {s.slug for s in prepared.model.services} == {
        "missed-bins", "bulky-waste", "council-tax-direct-debit", "blue-badges", "total-fitness"}
    # 2023/24: 10,000 + 900 + 5,000 as without the total row, and Total Fitness's 50.
    assert prepared.model.totals.transactions_per_year == 10000 + 900 + 5000 + 50


def test_a_total_row_with_no_organisation_says_so(tmp_path):
    """Only the service column says 'Grand total' in a file whose organisations come from another
    column: the row is left out as a total; a real service with its organisation cell empty is an
    error that says so (not "organisation '' does not exist")."""
    rows = FINANCE + ',Grand total,,,"16,800",,,,,,\n' + ',Pest control,Book a visit.,,10,,,,,,\n'
    config = site(tmp_path, FINANCE_SOURCE, {"data/finance.csv": rows})
    code, out = run(config, "check")
    assert code == 1
    assert "'Grand total' looks like a total row" in out
    assert "data/finance.csv:7: error: service 'Pest control' has no organisation" in out
    assert "organisation '' does not exist" not in out


def test_a_total_period_row_gets_a_hint_to_leave_it_out(tmp_path):
    csv = "period,channel,transactions\n2024-01,online,10\n2024-02,online,12\nTotal,online,22\n"
    config = one_file_site(tmp_path, csv)
    code, out = run(config, "check")
    assert code == 1
    assert "data/contact.csv:4:1: error: 'period' is not a period I recognise: 'Total'" in out
    # The example names the file's own heading and text (it had said Quarter under a heading Month).
    # A tidy file has no source yet: the hint writes one, naming the file as file: names it.
    assert ("a total or summary row? Leave it out with a source for the file in config.yaml: sources: "
            "[{file: contact.csv, exclude: {period: Total}}]") in out
    sub = site(tmp_path / "sub", "", {"data/calls/contact.csv": csv, "content/services/contact.yaml":
                                      CC_SERVICE.replace("contact-centre.csv", "calls/contact.csv")})
    assert 'sources: [{file: "calls/contact.csv", exclude: {period: Total}}]' in run(sub, "check")[1]
    config = one_file_site(tmp_path, csv.replace("period,", "Month ending,").replace("Total,", "Year total,"),
                           "sources:\n  - file: contact.csv\n    columns: {period: Month ending}\n")
    assert "Leave it out with exclude: {Month ending: Year total} in the file's source" in run(config, "check")[1]


def test_a_total_row_in_a_period_made_of_two_columns_points_at_the_total(tmp_path):
    """'{Year} {Quarter}' makes '2016 Total' of a year's total row: the error points at the Quarter
    cell, the one to name in exclude:, not at the Year column."""
    csv = "Year,Quarter,People\n2016,Total,30\n2016,Q1,10\n2016,Q2,20\n"
    config = one_file_site(tmp_path, csv, "sources:\n  - file: contact.csv\n    columns: "
                                          "{period: '{Year} {Quarter}', transactions: People}\n")
    code, out = run(config, "check")
    assert code == 1
    assert "data/contact.csv:2:2: error: 'period' is not a period I recognise: '2016 Total'" in out
    assert "naming the heading of column 2 and the text in that cell" in out


MONTH_STARTS = "".join(f"01/{m:02d}/{2023 + (m < 4)},online,{100 + m}\n" for m in [*range(4, 13), 1, 2, 3])
WEEK_STARTS = "".join(f"{d:02d}/04/2023,phone,{100 + d}\n" for d in (3, 10, 17, 24))


@pytest.mark.parametrize("days, apart, kind", [(MONTH_STARTS, "a month apart (2023-04-01 to 2024-03-01)", "month"),
                                               (WEEK_STARTS, "a week apart (2023-04-03 to 2023-04-24)", "week")])
def test_dates_a_month_or_a_week_apart_read_as_days_are_a_warning(tmp_path, days, apart, kind):
    """An export dating each month by its first day (01/04/2023, 01/05/2023, ...), or a contact
    centre's 'week commencing' dates, without period_type would be read as single days (a week's
    figures as one day's, a year of 53 weeks): that is said, with the fix."""
    config = one_file_site(tmp_path, "period,channel,transactions\n" + days)
    code, out = run(config, "check")
    assert code == 0
    assert (f"data/contact.csv:2: warning: the periods are single days {apart}, "
            "so each row is read as that one day") in out and f"period_type: {kind}" in out
    config = one_file_site(tmp_path / "fixed", "period,channel,transactions\n" + days,
                           f"sources:\n  - file: contact.csv\n    period_type: {kind}\n")
    code, out = run(config, "check")
    assert code == 0 and "apart" not in out
    daily = "".join(f"2023-04-{d:02d},phone,{d}\n" for d in range(3, 10))  # every day: days they are
    assert "apart" not in run(one_file_site(tmp_path / "daily", "period,channel,transactions\n" + daily), "check")[1]


def test_a_misspelt_channel_heading_is_named_in_the_hints(tmp_path):
    csv = "period,chanel,transactions\n2024-01,online,10\n2024-01,phone,5\n"
    config = one_file_site(tmp_path, csv)
    code, out = run(config, "check")
    assert code == 1
    assert "data/contact.csv:1:2: warning: unknown column 'chanel' is ignored\n    hint: did you mean 'channel'?" in out
    assert "no row names a channel: should the file have a channel column (is its heading misspelt?)" in out


def test_a_tidy_heading_with_its_unit_is_an_error_whose_fix_works(tmp_path):
    """'Cost (£)' in a tidy file was 'unknown column, ignored': a warning, so without --strict the
    council's costs were left out of its site. It is an error naming the field, and the hint's
    mapping reads it; a heading in thousands gets multiply: too."""
    csv = ("period,channel,Transactions (000s),Cost (£),Satisfaction %,Cost (net)\n"
           '2024-01,online,1.5,"£1,200.00",80%,1\n2024-01,phone,0.5,£800.00,,2\n')
    code, out = run(one_file_site(tmp_path, csv), "check")
    assert code == 1
    assert ("data/contact.csv:1:4: error: column 'Cost (£)' is headed with its unit: the tidy format reads a "
            "column headed 'cost'\n    hint: rename the heading to cost (its cells may keep their £ signs, % signs "
            "and commas), or describe the file in config.yaml: sources: [{file: contact.csv, "
            'columns: {cost: "Cost (£)"}}]') in out
    assert "data/contact.csv:1:5: error: column 'Satisfaction %' is headed with its unit" in out
    assert ("data/contact.csv:1:3: error: column 'Transactions (000s)' is transactions in 1,000s: the tidy format "
            "reads a column headed 'transactions' of whole figures\n    hint: describe the file in config.yaml: "
            'sources: [{file: contact.csv, columns: {transactions: "Transactions (000s)"}, '
            "multiply: {transactions: 1000}}]") in out
    assert "data/contact.csv:1:6: warning: unknown column 'Cost (net)' is ignored" in out  # not a unit
    # The hints' mappings, together, read the file: 2,000 transactions costing £2,000, £1.00 each.
    fixed = one_file_site(tmp_path / "fixed", csv, (
        "sources:\n  - {file: contact.csv, columns: {transactions: 'Transactions (000s)', cost: 'Cost (£)', "
        "satisfaction: 'Satisfaction %'}, multiply: {transactions: 1000}, ignore: [Cost (net)]}\n"))
    (jan,) = services(fixed)["contact"].periods
    assert jan.transactions == 2000 and jan.by_channel == [1500, 500, None]
    assert jan.cost_per_transaction == pytest.approx(1.0) and jan.user_satisfaction == pytest.approx(80.0)


def test_a_row_with_figures_but_no_period_is_not_called_a_total(tmp_path):
    csv = "period,channel,transactions\n2024-01,online,10\n,online,12\n"
    config = one_file_site(tmp_path, csv)
    code, out = run(config, "check")
    assert code == 1 and "the row has figures but no period: fill it in" in out and "total or summary" not in out
    assert "data/contact.csv:3:1: error: the period is blank" in out  # not "not a period I recognise: ''"


def test_a_range_of_two_periods_is_read_and_running_totals_are_one_error(tmp_path):
    """OHID Fingertips writes '2021/22 Q1 - 2021/22 Q2': each half a form read on its own, the whole
    an error 18 times over. Read as April to September 2021; a file of running totals from one
    start (Q1 - Q2, Q1 - Q3, Q1 - Q4...) is one error, not 51 warnings about the ranges' lengths."""
    from generator.periods import PeriodError, parse_period

    period = parse_period("2021/22 Q1 - 2021/22 Q2")
    assert (period.start.isoformat(), period.end.isoformat()) == ("2021-04-01", "2021-09-30")
    assert parse_period("Jan 2024 to Mar 2024").label == "January to March 2024"
    assert parse_period("2021/22 Q1 - 2021/22 Q2 [p]").label == "April to September 2021"  # a mark after it
    # GOV.UK's way of writing a financial year, as '2023 - 2024' is read: not two calendar years.
    assert (parse_period("2023 to 2024").kind, parse_period("2023 to 2024").label) == \
        ("financial_year", "April 2023 to March 2024")
    with pytest.raises(PeriodError):  # each end's months must agree with its quarter, as alone
        parse_period("Q1 (Oct-Dec) 2024 to Q2 (Jan-Mar) 2024")
    running = "".join(f"2021/22 Q1 - {year} Q{q},online,{n}\n" for n, (year, q) in enumerate(
        [("2021/22", 2), ("2021/22", 3), ("2021/22", 4), ("2022/23", 1)], start=1))
    config = one_file_site(tmp_path, "period,channel,transactions\n" + running)
    code, out = run(config, "check")
    assert code == 1 and out.count("error:") == 1 and "warning:" not in out
    assert ("data/contact.csv:5:1: error: the periods here are running totals: each runs from 1 April 2021 to a "
            "later date ('April 2021 to June 2022'), so each figure counts the ones before it again") in out


def test_a_cost_with_no_transactions_is_told(tmp_path):
    """Trafford's parking account maps cost and income, and no count: its £1,266,255 of costs was in
    no card, chart or report, and check said nothing. With a count beside it, nothing is said."""
    config = one_file_site(tmp_path, "period,cost\n2023/24,1266255\n2024/25,1300000\n")
    code, out = run(config, "check")
    assert code == 0 and ("warning: service 'contact' has costs but no transactions, so its cost is shown "
                          "nowhere: a cost per transaction needs the transactions") in out
    (tmp_path / "data/contact.csv").write_text("period,cost,transactions\n2023/24,1266255,900\n2024/25,1300000,950\n")
    code, out = run(config, "check", "--strict")
    assert code == 0, out
    # Services made from one file's rows: one warning for the file, not one for each of its services.
    source = ("sources:\n  - file: parking.csv\n    columns: {service: Site, period: Year, cost: Costs}\n"
              "    services:\n      name: '{Site} parking'\n      organisation: council\n")
    config = site(tmp_path / "rows", source, {"data/parking.csv": "Site,Year,Costs\nNorth,2023/24,10\nSouth,2023/24,20\n"})
    code, out = run(config, "check")
    assert out.count("has costs but no transactions") == 1 and "(and 1 more service reading its file)" in out


def test_a_wrong_period_is_not_told_again_as_a_gap(tmp_path):
    """'2019-02-30' was an error at its cell, and then a warning that the series had no row for
    February 2019: a second problem to look for, which is the first one again."""
    config = one_file_site(tmp_path, "period,channel,transactions\n2019-01,online,5\n2019-02-30,online,6\n"
                                     "2019-03,online,7\n")
    code, out = run(config, "check")
    assert code == 1 and "data/contact.csv:3:1: error: '2019-02-30' is not a date" in out
    assert "no rows for" not in out and "0 warning(s)" in out
    # Another error in the file (a figure, not a period) does not hide a real gap.
    (tmp_path / "data/contact.csv").write_text("period,channel,transactions\n2019-01,online,5\n2019-02,online,forty\n"
                                               "2019-04,online,7\n")
    code, out = run(config, "check")
    assert "is not a number: 'forty'" in out and "warning: service 'contact' has no rows for March 2019" in out


def test_a_year_among_dates_read_by_period_type_is_an_error_not_its_first_quarter(tmp_path):
    """Trafford's funerals file has '2017' in its Date column on one row: with period_type: quarter
    it was read as January to March 2017, adding a year's £812 to that quarter with no word."""
    rows = "Date,Cost\n2017-02-10,1000\n2017-03-01,1138.22\n2017,812\n2017-05-02,900\n"
    source = ("sources:\n  - file: funerals.csv\n    period_type: quarter\n    combine: sum\n"
              "    columns: {period: Date, cost: Cost}\n    constants: {transactions: 1}\n")
    config = site(tmp_path, source, {"data/funerals.csv": rows, "content/services/funerals.yaml":
                                     "name: Funerals\norganisation: council\ndescription: x\ndata: funerals.csv\n"})
    code, out = run(config, "check")
    assert code == 1 and ("data/funerals.csv:4:1: error: '2017' is a year, longer than a quarter: period_type: "
                          "quarter reads each row's date as the quarter it falls in") in out
    (tmp_path / "data/funerals.csv").write_text(rows.replace("2017,812", "2017-W13,812"))  # 27 March to 2 April
    code, out = run(config, "check")
    assert "error: '2017-W13' runs across two quarters: period_type: quarter reads each row's date" in out
    (tmp_path / "data/funerals.csv").write_text(rows.replace("2017,812", "2017-01-20,812"))
    code, out = run(config, "check", "--strict")
    assert code == 0, out  # a date is read as its quarter, as before


def test_month_end_dates_a_month_apart_are_a_warning_too(tmp_path):
    days = "2023-01-31,online,1\n2023-02-28,online,2\n2023-03-31,online,3\n2023-04-30,online,4\n"
    config = one_file_site(tmp_path, "period,channel,transactions\n" + days)
    assert "single days a month apart (2023-01-31 to 2023-04-30)" in run(config, "check")[1]


def test_a_channel_column_that_starts_partway_is_not_missing_before_it(tmp_path):
    """Online and phone from December, face to face added in March (three blanks before it began):
    December to February are whole months of the channels there were, not months with a channel
    missing. A blank after face to face began (May) is missing data, as ever."""
    csv_text = ("Month,Online,Phone,Face to face\nDecember 2023,85,15,\nJanuary 2024,80,20,\nFebruary 2024,90,10,\n"
                "March 2024,60,20,20\nApril 2024,70,20,10\nMay 2024,75,15,\n")
    source = "sources:\n  - file: contact.csv\n    columns: {period: Month}\n    wide:\n      columns: \"{channel}\"\n"
    config = one_file_site(tmp_path, csv_text, source)
    assert run(config, "check", "--strict")[0] == 0
    periods = services(config)["contact"].periods
    take_up = [p.digital_take_up for p in periods]
    assert take_up[:5] == [pytest.approx(85.0), pytest.approx(80.0), pytest.approx(90.0), pytest.approx(60.0),
                           pytest.approx(70.0)]
    assert take_up[5] is None and not periods[5].complete  # May: face to face blank after it began
    # One blank before a channel's first figure is more likely a figure missing than a late start.
    config = one_file_site(tmp_path / "first", "Month,Online,Phone\nJan 2025,1000,\nFeb 2025,1000,500\n", source)
    assert [p.digital_take_up for p in services(config)["contact"].periods] == [None, pytest.approx(1000 / 1500 * 100)]


def test_months_across_columns_blank_between_figures_is_missing_not_a_gap(tmp_path):
    """A blank month between a service's figures is missing data, shown as such; it used to be a
    gap warning whose hint ('add the missing periods, with blank cells') could not be followed, so
    --strict could never pass. Blanks before a service began are not reported, and a Total or
    YTD column beside the months is skipped as a channel file's Total is."""
    export = ("Service,Jan-24,Feb-24,Mar-24,Apr-24,YTD,Grand total,Annual total\n"
              "Bins,100,,120,130,350,350,350\n"
              "Tips,,,40,50,90,90,90\n")
    source = ("sources:\n  - file: months.csv\n    columns: {service: Service}\n    wide: {columns: '{period}'}\n"
              "    services: {name: '{Service}', organisation: council}\n")
    config = site(tmp_path, source, {"data/months.csv": export})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    found = services(config)
    assert [(p.period.label, p.transactions) for p in found["bins"].periods] == [
        ("January 2024", 100), ("February 2024", None), ("March 2024", 120), ("April 2024", 130)]
    assert [p.period.label for p in found["tips"].periods] == ["March 2024", "April 2024"]


def test_two_ways_of_writing_one_quarter_are_named_as_such(tmp_path):
    """'Q1 2024/25' (financial) and '2024 Q2' (calendar) are both April to June 2024: the error
    names the period in words and the line of the first, not a key and a hint about service names."""
    csv_text = "period,channel,transactions\nQ1 2024/25,online,10\n2024 Q2,online,11\n"
    code, out = run(one_file_site(tmp_path, csv_text), "check")
    assert code == 1
    assert ("data/contact.csv:3:1: error: service 'contact' has a second, different row for April to June 2024 "
            "and 'online' (the first is on line 2: two ways of writing the same period?)") in out


def test_a_repeated_row_whose_figures_changed_is_shown_at_the_cell_that_differs(tmp_path):
    """The period written the same way twice, one figure different: the error pointed at the period
    and asked about two ways of writing it, with a hint about a channel column."""
    csv_text = "period,transactions,completed\n2017/18,1145,871\n2017/18,1150,871\n"
    code, out = run(one_file_site(tmp_path, csv_text), "check")
    assert code == 1
    assert ("data/contact.csv:3:2: error: service 'contact' has two rows for April 2017 to March 2018 and "
            "'all channels' with different figures: 'transactions' is 1150 on line 3 and 1145 on line 2 "
            "(a repeated row whose figures changed?)\n"
            "    hint: the period is written the same way in both rows and some of their figures agree: keep the "
            "row with the right figures and delete the other\n") in out
    assert "channel column" not in out and "two ways of writing" not in out


def _aliased_site(tmp_path, csv_text: str):
    """One service whose phone channel has two other spellings, as a contact-centre export writes them."""
    config = one_file_site(tmp_path, csv_text)
    text = config.read_text(encoding="utf-8").replace("  - id: phone\n    label: Phone\n",
                                                       "  - id: phone\n    label: Phone\n    aliases: [Letter, Fax]\n")
    config.write_text(text, encoding="utf-8")
    return config


def test_two_spellings_of_one_channel_in_a_period_are_added_up(tmp_path):
    """'Letter' and 'Fax', both aliases of phone, are parts of it: their counts are added. With equal
    counts they had been taken for a repeated row and read once (a tester's October: 60 published for
    61); with different counts, the build had failed asking about two ways of writing the period."""
    config = _aliased_site(tmp_path, "period,channel,transactions,cost\n2024-01,Online,5,10\n"
                                     "2024-01,Letter,1,4\n2024-01,Fax,1,3\n2024-02,Online,6,\n"
                                     "2024-02,Letter,2,\n2024-02,Fax,3,\n")
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    found = services(config)["contact"]
    assert [p.transactions for p in found.periods] == [7, 11]  # 5 + 1 + 1; 6 + 2 + 3
    assert found.periods[0].digital_take_up == pytest.approx(100 * 5 / 7)
    assert found.periods[0].cost_per_transaction == pytest.approx(17 / 7)  # (10 + 4 + 3) / 7
    assert found.periods[0].by_channel[:2] == [5, 2]


def test_a_rate_on_two_spellings_of_one_channel_is_an_error_naming_them(tmp_path):
    config = _aliased_site(tmp_path, "period,channel,transactions,satisfaction\n2024-01,Letter,1,80%\n"
                                     "2024-01,Fax,1,70%\n")
    code, out = run(config, "check")
    assert code == 1
    assert ("error: 'satisfaction' cannot be added up over the rows of channel 'phone' for January 2024 (spelt "
            "'letter' and 'fax', each one of its aliases in config.yaml): it is a rate or an average\n"
            "    hint: give each spelling its own channel in config.yaml, or map the rate for one of them only") in out


def test_one_spelling_repeated_beside_another_is_still_told(tmp_path):
    """A row repeated as it was is read once, with the usual warning, and Fax beside it is still a
    part of the channel (an export that repeats every row had failed once aliases were set: a
    review). A rate on one spelling alone is that spelling's; on two, it is the error above."""
    config = _aliased_site(tmp_path, "period,channel,transactions,satisfaction\n2024-01,Online,5,\n"
                                     "2024-01,Letter,1,80%\n2024-01,Letter,1,80%\n2024-01,Fax,1,\n")
    code, out = run(config, "check")
    assert code == 0 and "data/contact.csv:4: warning: repeated row for January 2024 'phone' is ignored" in out
    found = services(config)["contact"]
    assert found.periods[0].by_channel[:2] == [5, 2] and found.kpis["user_satisfaction"].value == 80
    config = _aliased_site(tmp_path, "period,channel,transactions\n2024-01,Online,5\n2024-01,Letter,1\n"
                                     "2024-01,Letter,1\n")
    code, out = run(config, "check")
    assert code == 0 and [p.transactions for p in services(config)["contact"].periods] == [6]


def test_rows_that_differ_in_every_figure_still_ask_about_a_channel_column(tmp_path):
    csv_text = "period,transactions,completed\n2024-01,100,90\n2024-01,50,40\n"
    code, out = run(one_file_site(tmp_path, csv_text), "check")
    assert code == 1
    assert ("data/contact.csv:3:2: error: service 'contact' has two rows for January 2024 and 'all channels' with "
            "different figures: 'transactions' is 50 on line 3 and 100 on line 2\n"
            "    hint: if one row repeats the other with corrected figures, keep one; otherwise keep one row per "
            "period and channel") in out
    assert "should the file have a channel column (is its heading misspelt?)" in out


def test_a_total_heading_that_names_a_period_is_asked_about_not_dropped(tmp_path):
    """'2024/25 YTD' beside whole years is that year so far, not a sum of the columns beside it:
    dropping it without a word lost the latest year. It is a warning, with both ways out."""
    export = "Service,2022/23,2023/24,2024/25 YTD\nBins,100,120,50\n"
    source = ("sources:\n  - file: years.csv\n    columns: {service: Service}\n    wide: {columns: '{period}'}\n"
              "    services: {name: '{Service}', organisation: council}\n")
    config = site(tmp_path, source, {"data/years.csv": export})
    code, out = run(config, "check", "--strict")
    assert code == 1 and "column '2024/25 YTD' matches '{period}' but '2024/25 YTD' is not a period" in out
    assert ("hint: if it is a year so far, leave it out until the year is complete with ignore: [\"2024/25 YTD\"] in the "
            "source; if it adds up the columns beside it, head it just 'Total', which is skipped") in out
    config.write_text(config.read_text(encoding="utf-8").replace("    services:", "    ignore: [\"2024/25 YTD\"]\n"
                                                                 "    services:"), encoding="utf-8")
    assert run(config, "check", "--strict") == (0, "No errors found.\n")


def test_a_year_column_beside_months_is_named_where_it_is(tmp_path):
    """'2024/25' beside Apr 2024 to Jun 2024 made 'mixes periods of different kinds' at the first
    row, with a hint about '2010-11'; the error now names the odd one out and where its heading is."""
    export = "Service,Apr 2024,May 2024,Jun 2024,2024/25\nBins,100,110,120,330\n"
    source = ("sources:\n  - file: months.csv\n    columns: {service: Service}\n    wide: {columns: '{period}'}\n"
              "    services: {name: '{Service}', organisation: council}\n")
    code, out = run(site(tmp_path, source, {"data/months.csv": export}), "check")
    assert code == 1
    assert ("data/months.csv:1:5: error: service 'Bins' mixes periods of different kinds (financial_year, month): "
            "financial year 'April 2024 to March 2025' among months") in out
    assert "head it just 'Total' to skip it" in out


# -- forms of official statistics -------------------------------------------------------------------

def test_quarters_written_as_their_months_are_quarters(tmp_path):
    """'Jan-Mar 2024' and its like are read as quarters when every range in the file is one: so a
    missing quarter is a gap, and the tidy download writes 2024-Q1. Hand check: take-up in
    October to December 2024 is 90 / (90 + 30) = 75.0%."""
    csv_text = ("Quarter,Channel,Transactions\nJan-Mar 2024,online,80\nJan-Mar 2024,phone,40\n"
                "Apr-Jun 2024,online,85\nApr-Jun 2024,phone,35\nOct-Dec 2024,online,90\nOct-Dec 2024,phone,30\n")
    source = "sources:\n  - file: permits.csv\n    columns: {period: Quarter}\n"
    service = "name: Permits\norganisation: council\ndescription: Permits.\ndata: permits.csv\n"
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": service})
    code, out = run(config, "check")
    assert code == 0, out
    assert "data/permits.csv:6: warning: service 'permits' has no rows for July to September 2024" in out
    permits = services(config)["permits"]
    assert permits.kpis["digital_take_up"].value == 75.0
    assert permits.kpis["digital_take_up"].period_label == "October to December 2024"
    build_site(config, tmp_path / "site")
    tidy = (tmp_path / "site/data/services/permits.csv").read_text()
    assert "\n2024-Q1," in tidy and "\n2024-Q4," in tidy


def test_rolling_three_months_stay_ranges(tmp_path):
    """ONS-style rolling periods ('Nov-Jan 2024' is November 2023 to January 2024) overlap, so they
    are not quarters, even where one of them ('Jan-Mar 2024') is a whole quarter."""
    csv_text = ("period,channel,transactions\nNov-Jan 2024,online,30\nDec-Feb 2024,online,33\n"
                "Jan-Mar 2024,online,36\n")
    service = "name: Permits\norganisation: council\ndescription: Permits.\ndata: permits.csv\n"
    config = site(tmp_path, "", {"data/permits.csv": csv_text, "content/services/permits.yaml": service})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    permits = services(config)["permits"]
    assert permits.kpis["digital_take_up"].period_label == "January to March 2024"
    # Each overlaps the one before it: no change is worked out between them, and the card says why.
    assert permits.kpis["digital_take_up"].previous_period_label is None
    assert permits.kpis["digital_take_up"].no_comparison == (
        "No comparison with December 2023 to February 2024, which overlaps this period")


def test_marks_of_official_statistics_and_spreadsheet_errors_in_a_file(tmp_path):
    """GSS shorthand ([c], [x], '[r]' after a figure), footnotes on periods and a spreadsheet's
    #DIV/0! publish without edits; the error is a located warning. Hand check: take-up in
    2023/24 is 1,234 / (1,234 + 400) = 75.5%; 2022/23 has no phone figure ([c]), so no take-up."""
    csv_text = ("Year,Online,Phone,Cost per transaction\n"
                "2021/22,900,500,#DIV/0!\n"
                "2022-23 [note 2],\"1,100\",[c],£2.10\n"
                "2023/24 [p],\"1,234 [r]\",400,£1.95 [r]\n")
    source = ("sources:\n  - file: permits.csv\n    columns: {period: Year, cost_per_transaction: Cost per transaction}\n"
              "    wide:\n      columns: '{channel}'\n      measure: transactions\n")
    service = "name: Permits\norganisation: council\ndescription: Permits.\ndata: permits.csv\n"
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": service})
    code, out = run(config, "check")
    assert code == 0, out
    assert ("data/permits.csv:2:4: warning: 'cost_per_transaction' (column 'Cost per transaction') holds a "
            "spreadsheet error: '#DIV/0!', read as no data") in out
    permits = services(config)["permits"]
    take_up = permits.kpis["digital_take_up"]
    assert (take_up.value, take_up.period_label) == (pytest.approx(1234 / 1634 * 100), "April 2023 to March 2024")
    assert take_up.previous_period_label == "April 2021 to March 2022"  # 2022/23 has no take-up


def test_an_excel_date_number_as_a_period_says_how_to_fix_it(tmp_path):
    """A date column saved as General writes 45017 for 1 April 2023."""
    csv_text = "period,channel,transactions\n45017,online,5\n"
    service = "name: Permits\norganisation: council\ndescription: Permits.\ndata: permits.csv\n"
    config = site(tmp_path, "", {"data/permits.csv": csv_text, "content/services/permits.yaml": service})
    code, out = run(config, "check")
    assert code == 1
    assert "data/permits.csv:2:1: error: 'period' is not a period I recognise: '45017'" in out
    assert "this looks like a date as Excel stores it (45017 is 1 April 2023)" in out
    # One end of a range made from two columns too (a tester's TfL file had the generic hint).
    source = "sources:\n  - file: permits.csv\n    columns: {period: '{From} to {To}', transactions: Journeys}\n"
    config = site(tmp_path / "range", source, {"data/permits.csv": "From,To,Journeys\n45410,25-May-24,5\n",
                                               "content/services/permits.yaml": service})
    code, out = run(config, "check")
    assert code == 1 and "this looks like a date as Excel stores it (45410 is 28 April 2024)" in out, out


# -- the shape of real exports ------------------------------------------------------------------------

PERMITS = "name: Permits\norganisation: council\ndescription: Permits.\ndata: permits.csv\n"


WIDE_CHANNELS = "sources:\n  - file: permits.csv\n    wide:\n      columns: '{channel}'\n      measure: transactions\n"


def wide_permits(tmp_path, csv_text: str):
    """The permits service read from a file with a column of transactions per channel."""
    return site(tmp_path, WIDE_CHANNELS, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})


def test_empty_columns_after_the_table_are_dropped(tmp_path):
    """Excel saves 'a,b,,' when cells beside the table were once used: not a repeated heading."""
    csv_text = "period,channel,transactions,,\n2024-01,online,5,,\n2024-01,phone,5,,\n"
    config = site(tmp_path, "", {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")


def test_a_repeated_heading_matters_only_if_the_mapping_reads_it(tmp_path):
    csv_text = "Month,Online calls,Phone calls,Notes,Notes\n2024-01,5,5,a,b\n2024-02,6,4,,\n"
    source = ("sources:\n  - file: permits.csv\n    columns: {period: Month}\n"
              "    wide:\n      columns: '{channel} calls'\n      measure: transactions\n")
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert services(config)["permits"].kpis["digital_take_up"].value == 60.0  # 6 / (6 + 4)
    (tmp_path / "data/permits.csv").write_text(csv_text.replace("Notes,Notes", "Month,Notes"))
    code, out = run(config, "check")
    assert code == 1
    assert ("data/permits.csv:1:4: error: column 'Month' appears twice (as column 1 and 4), and the "
            "mapping reads it") in out
    assert "map 'Month (column 1)' to read the first, or 'Month (column 4)' to read the second" in out
    # StatsWales heads several columns '.': the first is named by its place, as messages name the rest.
    config = site(tmp_path, source.replace("{period: Month}", "{period: 'Month (column 1)'}"),
                  {"data/permits.csv": csv_text.replace("Notes,Notes", "Month,Notes")})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert services(config)["permits"].kpis["digital_take_up"].value == 60.0
    # A repeated heading named in ignore: is passed over, not read: a tester's Cabinet Office file had
    # been refused ('the mapping reads it') for the very column ignore: named.
    notes = csv_text.replace("2024-01,5,5,a,b", "2024-01,5,5,1,2").replace("2024-02,6,4,,", "2024-02,6,4,3,4")
    for ignored in ("Notes", "Not*"):
        config = site(tmp_path / ignored.strip("*"), source + f"    ignore: ['{ignored}']\n",
                      {"data/permits.csv": notes, "content/services/permits.yaml": PERMITS})
        assert run(config, "check", "--strict") == (0, "No errors found.\n"), ignored


def test_statswales_marks_read_as_no_data_and_footnotes(tmp_path):
    """StatsWales writes '.' in an empty cell and numbers footnotes after a period ('Dec-2011 (1)');
    a mark of the publisher's own gets a hint to declare it."""
    csv_text = "period,channel,transactions\nDec-2011 (1),online,5\nJan-2012,online,.\nFeb-2012,online,-.\n"
    config = site(tmp_path, "", {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 1 and "1 error(s)" in out
    assert "data/permits.csv:4:3: error: 'transactions' is not a number: '-.'" in out
    assert ("if '-.' means no data in this file, add missing: [\"-.\"] in a source for it in config.yaml: sources: "
            "[{file: permits.csv, missing: [\"-.\"]}]") in out  # a tester's file had none
    csv_text = csv_text.replace("-.", "6")
    config = site(tmp_path, "", {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    assert run(config, "check", "--strict")[0] == 0
    periods = {row.period.key: row.transactions for row in services(config)["permits"].periods}
    assert periods == {"2011-12": 5, "2012-01": None, "2012-02": 6}


def test_a_row_with_too_few_cells_is_a_located_warning(tmp_path):
    """A row cut short loses figures: its missing cells are no data, and that is said."""
    csv_text = "period,online,phone,post\n2024-01,5,4,1\n2024-02,6\n2024-03,7,3\n"
    config = wide_permits(tmp_path, csv_text.replace("post", "face to face"))
    code, out = run(config, "check")
    assert ("data/permits.csv:3:3: warning: row has 2 cells but the header has 4: the last 2 are read as "
            "blank (and 1 more row with too few cells)") in out
    assert run(config, "check", "--strict")[0] == 1


def test_a_file_that_stops_partway_through_its_last_row_is_an_error(tmp_path):
    """A tester's real file cut short ('...,20' became ',2', with the row's last cells gone) published
    2 with a warning. A short last row with no line end after it is an error; with one, a warning."""
    csv_text = "period,online,phone,post\n2024-01,5,4,1\n2024-02,6,3,2\n2024-03,7,2"
    config = wide_permits(tmp_path, csv_text.replace("post", "face to face"))
    code, out = run(config, "check")
    assert code == 1 and ("data/permits.csv:4:3: error: the file ends partway through a row: line 4 has 3 of the 4 "
                          "cells, and no line end after it\n    hint: the export was cut short") in out
    (tmp_path / "data/permits.csv").write_text(csv_text.replace("post", "face to face") + "\n")
    code, out = run(config, "check")
    assert code == 0 and "warning: row has 3 cells but the header has 4" in out
    # An export whose every row leaves out its empty last cell, with no line end at the end: its last
    # row is as short as the rest, its shape, not a cut (found in review); and a short last row
    # followed by a blank row of commas has its line end.
    every = "period,online,phone,face to face\n2024-01,5,4\n2024-02,6,3\n2024-03,7,2"
    (tmp_path / "data/permits.csv").write_text(every)
    assert run(config, "check")[0] == 0
    (tmp_path / "data/permits.csv").write_text(csv_text.replace("post", "face to face") + "\n,,,")
    assert run(config, "check")[0] == 0


def test_a_channel_blank_in_every_period_is_no_data_not_zero(tmp_path):
    """Blank e-book loans all year are not collected, not none: take-up is no data, with a warning
    saying how to write zero. A channel that begins partway (three blanks first) still begins, once
    it has two figures: a lone figure after the blanks is told, as it may be their total."""
    csv_text = ("period,online,phone,face to face\n2024-01,,40,10\n2024-02,,42,9\n2024-03,,45,8\n2024-04,,44,8\n")
    config = wide_permits(tmp_path, csv_text)
    code, out = run(config, "check")
    assert code == 0
    assert ("data/permits.csv:2:2: warning: Online has no figure in any period, so its digital take-up and "
            "cost per transaction are no data throughout") in out
    assert "write 0 in those cells" in out
    permits = services(config)["permits"]
    assert permits.kpis["digital_take_up"].value is None
    (tmp_path / "data/permits.csv").write_text(csv_text.replace("2024-04,,", "2024-04,11,"))
    permits = services(config)["permits"]
    assert permits.kpis["digital_take_up"].value == pytest.approx(11 / 63 * 100)  # 11 / (11 + 44 + 8)
    code, out = run(config, "check", "--strict")
    assert code == 1 and ("data/permits.csv:5:2: warning: Online is blank in 3 periods before its first figure, in "
                          "April 2024, and has only 1 figure: the blanks are read as missing") in out
    assert [p.digital_take_up for p in permits.periods][:3] == [None, None, None]
    (tmp_path / "data/permits.csv").write_text(csv_text.replace("2024-04,,", "2024-04,11,") + "2024-05,12,40,8\n")
    permits = services(config)["permits"]
    assert [p.digital_take_up for p in permits.periods][:3] == [0.0, 0.0, 0.0]  # before online began
    assert run(config, "check", "--strict")[0] == 0


def test_a_cost_column_blank_for_one_service_is_not_a_channel_without_figures(tmp_path):
    """A wide file's cost column, for all channels, blank for one service: it publishes no cost of
    its own (its estimate stands). A tester met 'warning:  has no figure in any period' (a blank
    channel's name) saying take-up was no data, beside a page showing it."""
    csv_text = ("Month,Service,Online,Phone,Cost\n2024-01,A,100,50,400\n2024-02,A,110,40,420\n"
                "2024-01,B,100,50,\n2024-02,B,110,40,\n")
    source = ("sources:\n  - file: permits.csv\n    columns: {service: Service, period: Month, cost: Cost}\n"
              "    wide: {columns: '{channel}'}\n")
    files = {"data/permits.csv": csv_text}
    for name in "AB":
        files[f"content/services/{name.lower()}.yaml"] = PERMITS.replace("Permits", name).replace(
            "data: permits.csv", f"data: {{file: permits.csv, service: {name}}}")
    config = site(tmp_path, source, files)
    code, out = run(config, "check", "--strict")
    assert code == 0 and "has no figure" not in out, out
    b = services(config)["b"]
    assert b.kpis["digital_take_up"].value == pytest.approx(110 / 150 * 100)
    assert [p.cost_per_transaction for p in services(config)["a"].periods] == [400 / 150, 420 / 150]


def test_a_withheld_figure_at_the_end_of_a_series_is_a_period_without_data(tmp_path):
    """'[c]' in the latest quarter is a figure withheld: the quarter is there, with no data, not
    left out as if the service had stopped."""
    csv_text = "Service,Q1 2024,Q2 2024,Q3 2024\nPermits,100,110,[c]\nLicences,50,55,60\n"
    source = ("sources:\n  - file: permits.csv\n    columns: {service: Service}\n"
              "    wide:\n      columns: '{period}'\n      measure: transactions\n")
    licences = PERMITS.replace("Permits", "Licences").replace("data: permits.csv",
                                                            "data: {file: permits.csv, service: Licences}")
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/licences.yaml": licences,
                                     "content/services/permits.yaml": PERMITS.replace(
                                         "data: permits.csv", "data: {file: permits.csv, service: Permits}")})
    build_site(config, tmp_path / "site")
    tidy = (tmp_path / "site/data/services/permits.csv").read_text()
    assert "\n2024-Q3," in tidy
    assert "\n2024-Q3,Q3 2024," in tidy or "\n2024-Q3," in tidy
    card = services(config)["permits"].kpis["transactions_per_year"]  # up to the last quarter with data
    assert card.value == 210 and card.period_label == "January to June 2024"  # from its first quarter
    (tmp_path / "data/permits.csv").write_text(csv_text.replace("[c]", ""))  # blank: the service stopped
    build_site(config, tmp_path / "site")
    assert "\n2024-Q3," not in (tmp_path / "site/data/services/permits.csv").read_text()


def test_footnotes_under_a_table_are_not_services(tmp_path):
    csv_text = ("Service,Q1 2024,Q2 2024\nPermits,100,110\nLicences,,\n"
                "[x] = not available; [c] = confidential\nSource: Test Council contact centre\n")
    source = ("sources:\n  - file: services.csv\n    columns: {service: Service}\n"
              "    wide:\n      columns: '{period}'\n      measure: transactions\n"
              "    services:\n      name: '{Service}'\n      organisation: council\n")
    config = site(tmp_path, source, {"data/services.csv": csv_text})
    code, out = run(config, "check")
    assert code == 0, out
    assert ("data/services.csv:4: warning: row is not read: it has no figures, and '[x] = not available; "
            "[c] = confidential' looks like a note or a footer, not a service") in out
    assert "data/services.csv:5: warning: row is not read" in out
    assert sorted(services(config)) == ["licences", "permits"]  # a service with no figures yet is still one


def test_a_mistyped_organisation_for_every_generated_service_is_one_error_in_config(tmp_path):
    csv_text = "Service,Q1 2024\nPermits,100\nLicences,50\nParking,70\n"
    source = ("sources:\n  - file: services.csv\n    columns: {service: Service}\n"
              "    wide:\n      columns: '{period}'\n      measure: transactions\n"
              "    services:\n      name: '{Service}'\n      organisation: councl\n")
    config = site(tmp_path, source, {"data/services.csv": csv_text})
    code, out = run(config, "check")
    assert code == 1
    assert out.count("does not exist") == 1
    assert "config.yaml:21:21: error: organisation 'councl' does not exist\n    hint: did you mean 'council'?" in out


def test_a_source_no_service_reads_is_a_warning(tmp_path):
    source = "sources:\n  - id: rates\n    file: rates.csv\n    columns: {period: Month}\n"
    config = site(tmp_path, source, {"data/rates.csv": "Month,transactions\n2024-01,5\n",
                                     "data/permits.csv": "period,channel,transactions\n2024-01,online,5\n",
                                     "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 0
    assert "config.yaml:14:5: warning: no service reads the source for rates.csv ('rates')" in out


def test_a_mistyped_period_heading_over_figures_is_an_error(tmp_path):
    """With periods across columns, a heading that is no period is passed over as another column
    (Notes); over a column of figures it is a period mistyped, and dropping it would lose them."""
    csv_text = "Service,Q1 2024,Q2 2O24,Notes\nPermits,100,110,new form in May\n"
    source = ("sources:\n  - file: services.csv\n    columns: {service: Service}\n"
              "    wide:\n      columns: '{period}'\n      measure: transactions\n"
              "    services:\n      name: '{Service}'\n      organisation: council\n")
    config = site(tmp_path, source, {"data/services.csv": csv_text})
    code, out = run(config, "check")
    assert code == 1
    assert "data/services.csv:1:3: error: column 'Q2 2O24' matches '{period}' but 'Q2 2O24' is not a period" in out
    assert "data/services.csv:1:4: warning: column 'Notes' matches '{period}'" in out


def test_combine_sum_adds_up_a_breakdown(tmp_path):
    """Loans by item type, added up per library and month. Hand check: January is 100 + 50 = 150
    loans; February's DVD count is blank, so February's total is no data, not 120."""
    csv_text = ("month,library,item,loans\n2024-01,Central,Books,100\n2024-01,Central,DVD,50\n"
                "2024-02,Central,Books,120\n2024-02,Central,DVD,\n")
    source = ("sources:\n  - file: loans.csv\n    combine: sum\n"
              "    columns: {period: month, service: library, transactions: loans}\n"
              "    services:\n      name: '{library} loans'\n      organisation: council\n")
    config = site(tmp_path, source, {"data/loans.csv": csv_text})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    build_site(config, tmp_path / "site")
    tidy = (tmp_path / "site/data/services/central.csv").read_text().splitlines()
    assert tidy[1].startswith("2024-01,") and ",150" in tidy[1]
    assert tidy[2].startswith("2024-02,") and ",120" not in tidy[2]
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text().replace("    combine: sum\n", ""))
    code, out = run(config, "check")
    assert code == 1 and "add combine: sum to the file's source" in out


def test_combine_sum_refuses_to_add_rates(tmp_path):
    csv_text = "month,library,item,loans,satisfaction\n2024-01,Central,Books,100,80\n2024-01,Central,DVD,50,90\n"
    source = ("sources:\n  - file: loans.csv\n    combine: sum\n"
              "    columns: {period: month, service: library, transactions: loans}\n"
              "    services:\n      name: '{library} loans'\n      organisation: council\n")
    config = site(tmp_path, source, {"data/loans.csv": csv_text})
    code, out = run(config, "check")
    assert code == 1
    assert ("data/loans.csv:2: error: 'satisfaction' cannot be added up over rows for the same period "
            "(January 2024): it is a rate or an average") in out


def test_filter_and_exclude_take_spreadsheet_wildcards(tmp_path):
    """A file of quarters with a year's total row each year: '????' drops the four-character years."""
    csv_text = ("Quarter,Requests\nQ1 2023,10\nQ2 2023,11\nQ3 2023,12\nQ4 2023,13\n2023,46\n"
                "Q1 2024,14\n2024,14\n")
    source = ("sources:\n  - file: foi.csv\n    columns: {period: Quarter, transactions: Requests}\n"
              "    exclude: {Quarter: '????'}\n")
    foi = PERMITS.replace("permits.csv", "foi.csv")
    config = site(tmp_path, source, {"data/foi.csv": csv_text, "content/services/permits.yaml": foi})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    card = services(config)["permits"].kpis["transactions_per_year"]
    assert card.value == 11 + 12 + 13 + 14  # April 2023 to March 2024


LG_INFORM = ("Area,Period,Indicator,Value\n"
             "Testshire,2024-01,Claims received,200\n"
             "Testshire,2024-01,Claims made online,150\n"
             "Testshire,2024-01,Population,9000\n"
             "Testshire,2024-02,Claims received,210\n"
             "Testshire,2024-02,Claims made online,x7\n"
             "Otherton,2024-01,Claims received,100\n"
             "Otherton,2024-01,Claims made online,25\n")
LG_SOURCE = ("sources:\n  - file: lginform.csv\n    columns: {service: Area, period: Period}\n"
             "    measures_in_rows:\n      column: Indicator\n      value: Value\n"
             "      measures:\n        Claims received: transactions\n        Claims made online: digital_transactions\n"
             "    services:\n      name: '{Area} benefit claims'\n      organisation: council\n")


def test_a_row_per_measure_is_read_as_one_row_per_period(tmp_path):
    """LG Inform's shape (Area, Period, Indicator, Value): each bad value is located at its own line.
    Hand check once fixed: Testshire's take-up in February is 168 / 210 = 80.0%; Otherton's in
    January 25 / 100 = 25.0%. Population is another indicator, not read."""
    config = site(tmp_path, LG_SOURCE, {"data/lginform.csv": LG_INFORM})
    code, out = run(config, "check")
    assert code == 1
    assert ("data/lginform.csv:6:4: error: 'digital_transactions' (column 'Value') is not a number: 'x7'") in out
    (tmp_path / "data/lginform.csv").write_text(LG_INFORM.replace("x7", "168"))
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    found = services(config)
    assert found["testshire"].kpis["digital_take_up"].value == 80.0
    assert found["testshire"].kpis["digital_take_up"].previous_value == 75.0  # 150 / 200
    assert found["otherton"].kpis["digital_take_up"].value == 25.0


def test_a_row_per_measure_mapping_slips_are_told(tmp_path):
    config = site(tmp_path, LG_SOURCE.replace("Claims made online: digital", "Claims made onlin: digital"),
                  {"data/lginform.csv": LG_INFORM.replace("x7", "168")})
    code, out = run(config, "check")
    assert ("data/lginform.csv:3:3: warning: 'Claims made online' is not one of measures_in_rows: measures, "
            "so its rows are not read") in out
    assert "if it is another, leave its rows out with exclude:" in out
    # A mapped name with words added is another indicator (a running total), not a slip: a tester who
    # added 'total-number-of-newborns-enrolled' as the warning suggested then had two figures a month.
    totals = LG_INFORM.replace("x7", "168") + "Testshire,2024-02,Claims made online total,410\n"
    config = site(tmp_path / "totals", LG_SOURCE, {"data/lginform.csv": totals})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    # But a revision's mark or a footnote's number added is a slip, and so is a mapping with a word
    # too many, whose own rows are nowhere (a review: a whole measure had gone unread in silence).
    for name, mapped in (("Claims made online (r)", "Claims made online"), ("Claims made online 2", "Claims made online"),
                         ("Claims made online", "Claims made online total")):
        slip = LG_INFORM.replace("x7", "168").replace("Claims made online,", f"{name},")
        config = site(tmp_path / f"slip{len(name)}{len(mapped)}",
                      LG_SOURCE.replace("Claims made online: digital", f"{mapped}: digital"),
                      {"data/lginform.csv": slip})
        code, out = run(config, "check")
        assert f"warning: '{name}' is not one of measures_in_rows: measures" in out, (name, mapped)
    repeated = LG_INFORM.replace("x7", "168") + "Testshire,2024-02,Claims received,211\n"
    config = site(tmp_path / "again", LG_SOURCE, {"data/lginform.csv": repeated})
    code, out = run(config, "check")
    assert code == 1 and "data/lginform.csv:9:4: error: a second row for transactions in the same period" in out
    # A row repeated in full is read once, with a warning; and neither stops the rest being read: a
    # bad cell elsewhere is told in the same run (one repeated row hid every other mistake).
    again = LG_INFORM + "Testshire,2024-02,Claims received,211\n" + LG_INFORM.splitlines(keepends=True)[-1]
    config = site(tmp_path / "third", LG_SOURCE, {"data/lginform.csv": again})
    code, out = run(config, "check")
    assert code == 1 and "is not a number: 'x7'" in out and "a second row for transactions" in out
    assert "warning: row repeats line 8" in out
    # Its line is the row it repeats, not the first for that measure and period (values 210, 211, 211).
    twice = LG_INFORM.replace("x7", "168") + "Testshire,2024-02,Claims received,211\n" * 2
    code, out = run(site(tmp_path / "fourth", LG_SOURCE, {"data/lginform.csv": twice}), "check")
    assert "data/lginform.csv:10: warning: row repeats line 9" in out


def test_missing_rows_zero_for_exports_that_leave_out_zeros(tmp_path):
    """No row for March (the library was closed) and no e-book row in February: with missing_rows:
    zero both are 0, so there is no gap warning, and February's take-up is 0 / 110 = 0.0%.
    Hand check for the year: 30 + 0 + 0 + 40 = 70 of 100 + 110 + 0 + 30 + 120 + 40 = 400 transactions."""
    csv_text = ("month,channel,loans\n2024-01,phone,100\n2024-01,online,30\n2024-02,phone,110\n"
                "2024-04,phone,120\n2024-04,online,40\n")
    source = "sources:\n  - file: permits.csv\n    missing_rows: zero\n    columns: {period: month, transactions: loans}\n"
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    permits = services(config)["permits"]
    build_site(config, tmp_path / "site")
    tidy = (tmp_path / "site/data/services/permits.csv").read_text()
    assert "\n2024-03," in tidy
    take_up = permits.kpis["digital_take_up"]
    assert (take_up.value, take_up.period_label) == (pytest.approx(40 / 160 * 100), "April 2024")
    rows = {line.split(",")[0]: line for line in tidy.splitlines()[1:]}
    assert rows["2024-02"].split(",")[1:3] == ["2024-02-01", "2024-02-29"]
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text().replace("    missing_rows: zero\n", ""))
    code, out = run(config, "check", "--strict")
    assert code == 1 and "has no rows for March 2024" in out


def test_a_bad_period_in_constants_is_one_error_in_config(tmp_path):
    csv_text = "Trust,Attendances\nNorth,100\nSouth,200\n"
    source = ("sources:\n  - file: ae.csv\n    constants: {period: Marhc 2026}\n"
              "    columns: {service: Trust, transactions: Attendances}\n"
              "    services:\n      name: '{Trust} A&E'\n      organisation: council\n")
    config = site(tmp_path, source, {"data/ae.csv": csv_text})
    code, out = run(config, "check")
    assert code == 1 and out.count("is not a period") == 1
    assert "config.yaml:15:25: error: 'period' is not a period I recognise: 'Marhc 2026'" in out


def test_numbers_that_lost_digits_or_carry_two_figures_are_errors(tmp_path):
    """Excel's 1.23E+06 (a column too narrow) has lost digits; '1 7967' is not 17,967."""
    csv_text = "period,channel,transactions,cost_per_transaction\n2024-01,online,1.23E+06,\n2024-02,online,1 7967,\n" \
               "2024-03,online,1 234 567,-1.10\n2024-04,online,1000,\n"
    config = site(tmp_path, "", {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 1
    assert "data/permits.csv:2:3: error: 'transactions' is written in scientific notation: '1.23E+06'" in out
    assert "data/permits.csv:3:3: error: 'transactions' is not a number: '1 7967'" in out
    assert "data/permits.csv:4:4: error: 'cost_per_transaction' is negative: '-1.10'" in out
    assert out.count("error:") == 3  # 1 234 567 and a round 1000 are fine


def test_a_published_completion_rate_of_zero_is_shown(tmp_path):
    csv_text = "period,transactions,completion_rate\n2024-01,100,0\n2024-02,100,50\n2024-03,100,0\n"
    config = site(tmp_path, "", {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    card = services(config)["permits"].kpis["completion_rate"]
    assert (card.value, card.period_label, card.previous_value) == (0.0, "March 2024", 50.0)


def test_wide_headings_match_whatever_their_spacing(tmp_path):
    """Spreadsheets wrap headings ('Total transactions' and 'Jul - Sep 2012' on two lines in one
    cell); one typed with a space instead of the break is the same heading. The measure is matched
    by its whole text, so 'Digital transactions Oct - Dec 2012' splits after 'transactions'.
    Hand check: take-up in October to December 2012 is 30 / 120 = 25.0%."""
    csv_text = ('Service,"Total transactions\nJul - Sep 2012","Digital transactions\nJul - Sep 2012",'
                '"Total transactions\nOct - Dec 2012",Digital transactions  Oct - Dec 2012\n'
                "Permits,100,20,120,30\n")
    source = ("sources:\n  - file: services.csv\n    columns: {service: Service}\n"
              "    wide:\n      columns: \"{measure}\\n{period}\"\n"
              "      measures: {Total transactions: transactions, Digital transactions: digital_transactions}\n"
              "    services:\n      name: '{Service}'\n      organisation: council\n")
    config = site(tmp_path, source.replace("  - id: online", "  - id: online"), {"data/services.csv": csv_text})
    code, out = run(config, "check", "--strict")
    assert code == 0, out
    take_up = services(config)["permits"].kpis["digital_take_up"]
    assert (take_up.value, take_up.period_label, take_up.previous_value) == (25.0, "October to December 2012", 20.0)


def test_a_heading_with_a_line_break_is_shown_on_one_line_in_messages(tmp_path):
    csv_text = 'Service,"Total transactions\nJul - Sep 2012"\nPermits,1O0\n'
    source = ("sources:\n  - file: services.csv\n    columns: {service: Service}\n"
              "    wide:\n      columns: \"{measure}\\n{period}\"\n      measures: {Total transactions: transactions}\n"
              "    services:\n      name: '{Service}'\n      organisation: council\n")
    config = site(tmp_path, source, {"data/services.csv": csv_text})
    code, out = run(config, "check")
    assert code == 1
    assert ("data/services.csv:3:2: error: 'transactions' (column 'Total transactions↵Jul - Sep 2012') is not a "
            "number: '1O0'\n") in out
    # A stray NUL is shown, not left unseen in the message (found in review).
    (tmp_path / "data/services.csv").write_text(csv_text.replace("1O0", "33\x001"))
    assert "is not a number: '33\\x001'\n" in run(config, "check")[1]


def test_a_file_per_month_read_as_one_with_the_period_from_each_name(tmp_path):
    """NHS England's A&E files: one per month, the month only in the file's name. Hand check:
    North's completion (within 4 hours) in February 2026 is 99 / 110 = 90.0%, against 80 / 100
    in January; a bad cell is located in its own file."""
    source = ("sources:\n  - file: ae/*.csv\n"
              "    columns: {service: Trust, period: '{file period}', started: Attendances, "
              "completed: Within 4 hours, transactions: Attendances}\n"
              "    services:\n      name: '{Trust} A&E'\n      organisation: council\n")
    files = {"data/ae/MSitAE-JANUARY-2026.csv": "Trust,Attendances,Within 4 hours\nNorth,100,80\nSouth,200,150\n",
             "data/ae/MSitAE-FEBRUARY-2026.csv": "Trust,Attendances,Within 4 hours\nNorth,110,99\nSouth,210,1x0\n"}
    config = site(tmp_path, source, files)
    code, out = run(config, "check")
    assert code == 1
    assert "data/ae/MSitAE-FEBRUARY-2026.csv:3:3: error: 'completed' (column 'Within 4 hours') is not a number" in out
    (tmp_path / "data/ae/MSitAE-FEBRUARY-2026.csv").write_text(files["data/ae/MSitAE-FEBRUARY-2026.csv"]
                                                               .replace("1x0", "168"))
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    found = services(config)
    assert sorted(found) == ["north", "south"]
    card = found["north"].kpis["completion_rate"]
    assert (card.value, card.period_label, card.previous_value) == (90.0, "February 2026", 80.0)
    build_site(config, tmp_path / "site")
    (tmp_path / "data/ae/MSitAE-MARCH-2026.csv").write_text("Trust,Attendances,Within 4 hours\nNorth,120,90\n")
    build_site(config, tmp_path / "site")  # a new month's file is read, not a stale record reused
    assert services(config)["north"].kpis["completion_rate"].period_label == "March 2026"
    assert "75.0%" in (tmp_path / "site/services/north/index.html").read_text()


def test_a_pattern_that_matches_no_file_is_an_error(tmp_path):
    source = ("sources:\n  - file: ae/*.csv\n    columns: {service: Trust, period: '{file period}'}\n"
              "    services:\n      name: '{Trust} A&E'\n      organisation: council\n")
    config = site(tmp_path, source, {"data/other.csv": "Trust\nNorth\n"})
    code, out = run(config, "check")
    assert code == 1 and "config.yaml:14:11: error: no file in data/ matches 'ae/*.csv'" in out
    # A month's file linked in from elsewhere is not read, and is told as a link at the same place.
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared/MSitAE-MAY-2026.csv").write_text("Trust,Attendances,Within 4 hours\nNorth,120,90\n")
    (tmp_path / "data/ae").mkdir()
    (tmp_path / "data/ae/MSitAE-MAY-2026.csv").symlink_to(tmp_path / "shared/MSitAE-MAY-2026.csv")
    code, out = run(config, "check")
    assert code == 1 and ("config.yaml:14:11: error: 'ae/MSitAE-MAY-2026.csv', matched by 'ae/*.csv', is a link "
                          "to a file outside the data folder, so it is not read") in out


def test_generated_services_can_say_which_kpis_they_do_not_collect(tmp_path):
    csv_text = "Body,Q1 2024,Q2 2024\nCabinet Office,525,528\n"
    source = ("sources:\n  - file: foi.csv\n    columns: {service: Body}\n"
              "    wide:\n      columns: '{period}'\n      measure: transactions\n"
              "    services:\n      name: '{Body} FOI requests'\n      organisation: council\n"
              "      not_requested: [cost_per_transaction, user_satisfaction]\n")
    config = site(tmp_path, source, {"data/foi.csv": csv_text})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    kpis = services(config)["cabinet-office"].kpis
    assert kpis["cost_per_transaction"].status == "not_requested" == kpis["user_satisfaction"].status
    assert kpis["completion_rate"].status == "no_data"


# -- a cold review's cases ------------------------------------------------------------------------------

def test_missing_rows_zero_leaves_other_measures_blank(tmp_path):
    """Declared measures of an added row are not copied from the row before it: calls offered in
    February is the phone line's 90, not 90 + online's 100."""
    config_extra = ("measures:\n  - id: calls_offered\n    label: Calls offered\n    unit: count\n"
                    "sources:\n  - file: permits.csv\n    missing_rows: zero\n")
    csv_text = ("period,channel,transactions,calls_offered\n2024-01,online,5,\n2024-01,phone,5,100\n"
                "2024-02,phone,3,90\n2024-03,online,4,\n2024-03,phone,4,70\n")
    config = site(tmp_path, config_extra, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    assert run(config, "check", "--strict")[0] == 0
    build_site(config, tmp_path / "site")
    rows = (tmp_path / "site/data/services/permits.csv").read_text().splitlines()
    header = rows[0].split(",")
    feb_online = next(r.split(",") for r in rows if r.startswith("2024-02,") and ",online," in r)
    assert feb_online[header.index("transactions")] == "0" and feb_online[header.index("calls_offered")] == ""


def test_a_dash_before_a_channel_began_is_not_a_withheld_figure(tmp_path):
    """'-' for the months before webchat began is nothing happening, as a blank is: the months keep
    their take-up. Hand check: take-up in July 2024 is 50 / (50 + 40) = 55.6%."""
    lines = ["Month,Online,Phone"] + [f"2024-{m:02d},-,40" for m in range(1, 7)] + ["2024-07,50,40"]
    source = "sources:\n  - file: permits.csv\n    columns: {period: Month}\n    wide:\n      columns: '{channel}'\n"
    config = site(tmp_path, source, {"data/permits.csv": "\n".join(lines) + "\n",
                                     "content/services/permits.yaml": PERMITS})
    permits = services(config)["permits"]
    take_up = permits.kpis["digital_take_up"]
    assert take_up.value == pytest.approx(50 / 90 * 100) and take_up.previous_value == 0.0


def test_a_star_alone_in_exclude_is_the_marker_not_anything(tmp_path):
    csv_text = "period,channel,transactions,flag\n2024-01,online,5,\n2024-02,online,6,*\n2024-03,online,7,\n"
    source = "sources:\n  - file: permits.csv\n    exclude: {flag: '*'}\n"
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    card = services(config)["permits"].kpis["transactions_per_year"]
    assert card.value == 12  # January and March; February's flagged row left out


# A file a month, its services made from the rows, its period from the file's name.
AE_PATTERN = ("sources:\n  - file: ae/*.csv\n    columns: {service: Trust, period: '{file period}', "
              "transactions: Attendances}\n    services:\n      name: '{Trust}'\n      organisation: council\n")


def test_files_of_a_pattern_with_different_headings_are_told(tmp_path):
    source = AE_PATTERN
    files = {"data/ae/ae-2026-01.csv": "Trust,Attendances\nNorth,100\n",
             "data/ae/ae-2026-02.csv": "Trust,Total attendances\nNorth,110\n"}
    config = site(tmp_path, source, files)
    code, out = run(config, "check")
    assert code == 1
    assert ("data/ae/ae-2026-02.csv:1:2: error: this file has no column 'Attendances', which the source reads and "
            "other files of the pattern have") in out and "its column 2 is headed 'Total attendances'" in out
    assert "1 error(s)" in out  # its rows are not read as well, to fail again as rows with no figures
    (tmp_path / "data/ae/ae-2026-02.csv").write_text("Trust,Attendances,Notes\nNorth,110,new form\n")
    assert run(config, "check", "--strict") == (0, "No errors found.\n")  # a column nobody reads may come and go
    # The renamed column is the one holding the heading's words, not the closest spelt (a tester's
    # 'FOISA requests' was pointed at 'EIR requests'); and the gaps the unread file leaves in every
    # service are not told one by one (510 warnings in the tester's real files).
    config.write_text(config.read_text().replace("transactions: Attendances", "transactions: Type 1 attendances"))
    (tmp_path / "data/ae/ae-2026-03.csv").write_text("Trust,Type 1 attendances\nNorth,120\nSouth,5\n")
    (tmp_path / "data/ae/ae-2026-01.csv").write_text("Trust,Type 1 attendances\nNorth,100\nSouth,4\n")
    (tmp_path / "data/ae/ae-2026-02.csv").write_text("Trust,Type 2 attendances,Type 1 attendances received\n"
                                                     "North,9,110\n")
    code, out = run(config, "check")
    assert code == 1 and "its column 3 is headed 'Type 1 attendances received'" in out, out
    assert "has no rows for" not in out and "0 warning(s)" in out, out
    # But another service's gap, in a file of its own, is still told: one unread file had hidden every
    # service's gaps, and a build that reused a service's record told one a clean build did not.
    (tmp_path / "data/permits.csv").write_text("period,channel,transactions\n2024-01,online,5\n2024-03,online,7\n")
    (tmp_path / "content/services").mkdir(parents=True, exist_ok=True)
    (tmp_path / "content/services/permits.yaml").write_text(PERMITS)
    code, out = run(config, "check")
    assert code == 1 and "warning: service 'permits' has no rows for February 2024" in out, out
    assert "service 'South' has no rows" not in out, out


def test_a_heading_spelt_another_way_in_one_file_of_a_pattern_is_the_same_column(tmp_path):
    """Oxford's spending files head a column 'Paid Date' some quarters and 'paid_date' (one column
    further left) others: as within one file, spelling does not matter; every row was 'no period'
    before, reported at the column it has in the other file. A bad cell is at its own file's column."""
    source = ("sources:\n  - file: spend/*.csv\n    columns: {service: Unit, period: Paid Date, cost: Amount}\n"
              "    constants: {transactions: 1}\n    combine: sum\n    period_type: month\n"
              "    services: {name: '{Unit}', organisation: council}\n")
    files = {"data/spend/a.csv": "Body,Unit,Category,Paid Date,Amount\nOCC,Finance,Grants,03/07/2015,100\n"
                                 "OCC,Finance,Grants,04/07/2015,200\n",
             "data/spend/b.csv": "body,unit,paid_date,amount\nOCC,Finance,05/08/2015,300\nOCC,Finance,06/08/2015,ten\n"}
    config = site(tmp_path, source, files)
    code, out = run(config, "check")
    assert code == 1 and "1 error(s)" in out
    assert "data/spend/b.csv:3:4: error: 'cost' (column 'Amount') is not a number: 'ten'" in out
    (tmp_path / "data/spend/b.csv").write_text(files["data/spend/b.csv"].replace(",ten", ",400"))
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    periods = {row.period.key: (row.transactions, row.cost_per_transaction)
               for row in services(config)["finance"].periods}
    assert periods == {"2015-07": (2, 150.0), "2015-08": (2, 350.0)}


def test_a_file_name_with_no_period_is_one_error_per_file(tmp_path):
    source = AE_PATTERN
    config = site(tmp_path, source, {"data/ae/latest.csv": "Trust,Attendances\nNorth,100\nSouth,50\n"})
    code, out = run(config, "check")
    assert code == 1 and out.count("is not a period I recognise: 'latest'") == 1
    assert "it comes from the file's name ({file period})" in out


def test_each_file_decides_whether_its_ranges_are_quarters(tmp_path):
    """Two files of one layout are read together; one of quarters written as ranges, one of
    rolling years. The first's are quarters (a missing one is a gap), the second's stay ranges."""
    quarters = "period,transactions\nJan 2024 to Mar 2024,10\nApr 2024 to Jun 2024,11\nOct 2024 to Dec 2024,12\n"
    rolling = "period,transactions\nJan 2023 to Dec 2023,40\nApr 2023 to Mar 2024,44\n"
    other = PERMITS.replace("Permits", "Licences").replace("permits.csv", "licences.csv")
    config = site(tmp_path, "", {"data/permits.csv": quarters, "data/licences.csv": rolling,
                                 "content/services/permits.yaml": PERMITS, "content/services/licences.yaml": other})
    code, out = run(config, "check")
    assert "service 'permits' has no rows for July to September 2024" in out
    build_site(config, tmp_path / "site")
    assert "\n2024-Q1," in (tmp_path / "site/data/services/permits.csv").read_text()


def test_scientific_notation_is_caught_below_a_hundred_thousand_too(tmp_path):
    csv_text = "period,channel,transactions\n2024-01,online,1.23E+04\n2024-02,online,12345\n2024-03,online,12300\n"
    config = site(tmp_path, "", {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 1 and out.count("scientific notation") == 1 and "permits.csv:2:3:" in out


def test_a_spacer_column_in_a_file_of_periods_is_passed_over(tmp_path):
    csv_text = "Service,Q1 2024,,Q2 2024\nPermits,100,,110\n"
    source = ("sources:\n  - file: services.csv\n    columns: {service: Service}\n"
              "    wide:\n      columns: '{period}'\n      measure: transactions\n"
              "    services:\n      name: '{Service}'\n      organisation: council\n")
    config = site(tmp_path, source, {"data/services.csv": csv_text})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")


def test_measures_in_rows_that_match_nothing_say_what_the_column_holds(tmp_path):
    config = site(tmp_path, LG_SOURCE.replace("Claims received: transactions", "Claims: transactions")
                  .replace("Claims made online: digital_transactions", "Online: digital_transactions"),
                  {"data/lginform.csv": LG_INFORM})
    code, out = run(config, "check")
    assert code == 1 and "no row of lginform.csv holds one of measures_in_rows: measures" in out
    assert "its 'Indicator' column holds 'Claims received', 'Claims made online', 'Population'" in out


def test_a_service_may_read_a_pattern_of_tidy_files(tmp_path):
    """A file a month in the tidy format, read through one pattern. Hand check: February's take-up is
    40 / (40 + 20) = 66.7%; a bad cell is located in its own file."""
    service = PERMITS.replace("data: permits.csv", "data: calls/*.csv")
    config = site(tmp_path, "", {"content/services/permits.yaml": service,
                                 "data/calls/2024-01.csv": "period,channel,transactions\n2024-01,online,30\n2024-01,phone,10\n",
                                 "data/calls/2024-02.csv": "period,channel,transactions\n2024-02,online,40\n2024-02,phone,2O\n"})
    code, out = run(config, "check")
    assert code == 1 and "data/calls/2024-02.csv:3:3: error: 'transactions' is not a number: '2O'" in out
    (tmp_path / "data/calls/2024-02.csv").write_text("period,channel,transactions\n2024-02,online,40\n2024-02,phone,20\n")
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert services(config)["permits"].kpis["digital_take_up"].value == pytest.approx(40 / 60 * 100)


def test_one_file_of_a_pattern_with_a_title_above_its_table_is_read_from_its_headings(tmp_path):
    """The Isle of Man's yearly planning files: three of thirteen have a title line. The hint said to
    add header_row: 2, which was wrong for the other ten ('no column ...' in each). Each file of a
    pattern is read from its own headings; a single file with a title is still told to say so."""
    service = PERMITS.replace("data: permits.csv", "data: calls/*.csv")
    config = site(tmp_path, "", {"content/services/permits.yaml": service,
                                 "data/calls/2024-01.csv": "period,channel,transactions\n2024-01,online,30\n2024-01,phone,10\n",
                                 "data/calls/2024-02.csv": "Calls in February 2024,,\nperiod,channel,transactions\n"
                                                           "2024-02,online,40\n2024-02,phone,2O\n"})
    code, out = run(config, "check")  # its lines keep their numbers: the bad cell is on line 4
    assert code == 1 and "data/calls/2024-02.csv:4:3: error: 'transactions' is not a number: '2O'" in out
    (tmp_path / "data/calls/2024-02.csv").write_text((tmp_path / "data/calls/2024-02.csv").read_text().replace("2O", "20"))
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert [p.transactions for p in services(config)["permits"].periods] == [40, 60]
    (tmp_path / "content/services/permits.yaml").write_text(service.replace("calls/*.csv", "calls/2024-02.csv"))
    code, out = run(config, "check")
    assert code == 1 and "line 1 ('Calls in February 2024') looks like a title above the table" in out


def test_an_unmapped_measure_beside_a_mapped_one_is_not_a_bad_period(tmp_path):
    """'2012-Q4 Digital CPT (£)' is 2012-Q4 and a measure nobody mapped, not the period '2012-Q4 Digital'
    and the mapped 'CPT (£)'."""
    csv_text = "Service,2012-Q4 Vol.,2012-Q4 CPT (£),2012-Q4 Digital CPT (£)\nPermits,100,£2.00,£0.50\n"
    source = ("sources:\n  - file: services.csv\n    columns: {service: Service}\n"
              "    wide:\n      columns: '{period} {measure}'\n"
              "      measures: {Vol.: transactions, CPT (£): cost_per_transaction}\n"
              "    services:\n      name: '{Service}'\n      organisation: council\n")
    config = site(tmp_path, source, {"data/services.csv": csv_text})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert services(config)["permits"].kpis["cost_per_transaction"].value == 2.0


def test_a_channel_heading_a_letter_out_over_figures_is_an_error(tmp_path):
    """'Phnoe' over figures is a typo (an error); 'Notes' (text) is a label, passed over; 'Days' (figures,
    nothing like a channel) is a warning, silenced with ignore:."""
    csv_text = "Month,Online,Phnoe,Face to fcae,Notes,Days\n2024-01,5,4,3,text,31\n"
    source = "sources:\n  - file: permits.csv\n    columns: {period: Month}\n    wide:\n      columns: '{channel}'\n"
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 1
    assert "data/permits.csv:1:3: error: column 'Phnoe' matches '{channel}' but 'Phnoe' is not a channel" in out
    assert "did you mean 'phone'?" in out
    assert "did you mean 'face_to_face'?" in out  # the channel config.yaml names, not 'facetoface'
    assert "'Notes'" not in out
    assert "data/permits.csv:1:6: warning: column 'Days' matches '{channel}'" in out
    (tmp_path / "data/permits.csv").write_text(csv_text.replace("Phnoe", "Phone").replace("fcae", "face"))
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text().replace(
        "    columns: {period: Month}\n", "    columns: {period: Month}\n    ignore: [Days]\n"))
    assert run(config, "check", "--strict") == (0, "No errors found.\n")


def test_combine_sum_adds_up_the_files_of_a_pattern(tmp_path):
    """A file per ward: Permits in March 2024 is 12 + 7 = 19."""
    source = ("sources:\n  - file: wards/*.csv\n    combine: sum\n"
              "    columns: {service: Service, period: '{file period}', transactions: Count}\n"
              "    services:\n      name: '{Service}'\n      organisation: council\n")
    config = site(tmp_path, source, {"data/wards/ward_12_2024_03.csv": "Service,Count\nPermits,12\n",
                                     "data/wards/ward_7_2024_03.csv": "Service,Count\nPermits,7\n"})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert services(config)["permits"].kpis["transactions_per_year"].value == 19


def test_rows_no_service_reads_in_a_pattern_are_told_at_their_own_file_and_source(tmp_path):
    """Boston's 311 export has a file per request type, read by two sources (every request, and those
    closed on time). Rows the second left unread were told at 'data/req/*.csv:2:1', which is no
    file, and line 2 of any of them: now at the row's own file, naming the source."""
    source = ("sources:\n  - id: all\n    file: req/*.csv\n    columns: {service: Type, period: Month, transactions: Count}\n"
              "    services:\n      name: '{Type}'\n      organisation: council\n"
              "  - id: ontime\n    file: req/*.csv\n    columns: {service: Type, period: Month, completed: Count}\n")
    bins = ("name: Bins\norganisation: council\ndescription: Bins.\n"
            "data:\n  - {source: all, service: Bins}\n  - {source: ontime, service: Bins}\n")
    config = site(tmp_path, source, {"data/req/bins.csv": "Type,Month,Count\nBins,2024-01,10\n",
                                     "data/req/signs.csv": "Type,Month,Count\nSigns,2024-01,5\nSigns,2024-02,6\n",
                                     "content/services/bins.yaml": bins})
    code, out = run(config, "check")
    assert ("data/req/signs.csv:2:1: warning: no service reads the rows for 'Signs' (2 row(s)) "
            "through source 'ontime'") in out
    assert "*.csv:" not in out


def test_an_organisation_a_source_could_not_make_is_not_blamed_on_a_missing_yaml_file(tmp_path):
    """A pattern that matched no file left the organisations its rows make unmade, and each YAML
    service naming one was told to add content/organisations/<slug>.yaml: the wrong way to look."""
    source = ("sources:\n  - id: all\n    file: requests/*.csv\n"
              "    columns: {service: Type, period: Month, transactions: Count}\n"
              "    organisations: [{name: '{Department}', parent: council}]\n"
              "    services:\n      name: '{Type}'\n      organisation: '{Department}'\n")
    signs = "name: Signs\norganisation: traffic\ndescription: Signs.\ndata: signs.csv\n"
    config = site(tmp_path, source, {"data/req/a.csv": "Type,Month,Count,Department\nBins,2024-01,10,Traffic\n",
                                     "data/signs.csv": "period,transactions\n2024-01,5\n",
                                     "content/services/signs.yaml": signs})
    code, out = run(config, "check")
    assert code == 1 and "no file in data/ matches 'requests/*.csv'" in out
    assert ("content/services/signs.yaml:2:15: error: organisation 'traffic' does not exist\n    hint: if source "
            "'all' makes it from its rows, this follows from that source's file not being read") in out
    assert "add content/organisations/traffic.yaml" not in out


def test_a_channel_whose_rows_stop_while_the_others_go_on_is_told(tmp_path):
    """Boston's 311 export has a row per request: Missing Sign had no online request from July, so
    no online row, and the channel counted as closed: its months read 'no data' beside a take-up
    of 0.0%, with no word. Told at its last row, with the fix; with missing_rows: zero, no warning."""
    lines = ["Opened,Source,Type"]
    lines += [f"2015-0{m}-10,Self Service,Sign" for m in (1, 2, 3)]
    lines += [f"2015-0{m}-1{d},Phone,Sign" for m in range(1, 8) for d in (1, 2)]
    source = ("sources:\n  - file: requests.csv\n    period_type: month\n    combine: sum\n"
              "    columns: {service: Type, period: Opened, channel: Source}\n    constants: {transactions: 1}\n"
              "    services:\n      name: '{Type}'\n      organisation: council\n")
    config = site(tmp_path, source, {"data/requests.csv": "\n".join(lines) + "\n"})
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text().replace(
        "label: Online\n", "label: Online\n    aliases: [Self Service]\n"))
    code, out = run(config, "check")
    # Line 4 is the last Self Service row (March); phone goes on to July: four months after.
    assert ("data/requests.csv:4: warning: Online has no rows after March 2015 for 'sign', though its other "
            "channels go on to July 2015: from then on, its take-up counts Online as closed, not as missing") in out
    assert "add missing_rows: zero to its source" in out
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text().replace(
        "    combine: sum\n", "    combine: sum\n    missing_rows: zero\n"))
    code, out = run(config, "check", "--strict")
    assert code == 0, out
    sign = services(config)["sign"]
    june = next(row for row in sign.periods if row.period.label == "June 2015")
    assert june.by_channel[:2] == [0, 2] and june.digital_take_up == 0.0  # 0 online of 2


def test_a_channel_that_stops_in_a_file_of_one_service_is_told_too(tmp_path):
    """A file with no service column (one service's requests) has '' for every row's service: the
    check matched no service there, and said nothing."""
    lines = ["Opened,Source"] + [f"2015-0{m}-10,online" for m in (1, 2, 3)] + \
        [f"2015-0{m}-1{d},phone" for m in range(1, 8) for d in (1, 2)]
    source = ("sources:\n  - file: contact.csv\n    period_type: month\n    combine: sum\n"
              "    columns: {period: Opened, channel: Source}\n    constants: {transactions: 1}\n")
    config = one_file_site(tmp_path, "\n".join(lines) + "\n", source)
    code, out = run(config, "check")
    assert "data/contact.csv:4: warning: Online has no rows after March 2015 for 'contact'" in out


def test_two_sources_making_the_same_services_make_each_once_with_both_files(tmp_path):
    """Boston's 311 requests: one source counts every request (transactions, started), another the
    ones closed on time (completed). Each made 'graffiti' and 'graffiti-2'; a service made again,
    with the same name and organisation, now reads both. Graffiti: 4 requests in January 2015,
    3 on time: completion 75%. Signs: 2 requests, 2 on time: 100%."""
    rows = ("Opened,Type,OnTime\n2015-01-03,Graffiti,ONTIME\n2015-01-04,Graffiti,ONTIME\n"
            "2015-01-05,Graffiti,OVERDUE\n2015-01-06,Graffiti,ONTIME\n2015-01-07,Signs,ONTIME\n2015-01-08,Signs,ONTIME\n")
    made = "    services:\n      name: '{Type}'\n      organisation: council\n"
    source = ("sources:\n  - id: all\n    file: requests.csv\n    period_type: month\n    combine: sum\n"
              "    columns: {service: Type, period: Opened}\n    constants: {transactions: 1, started: 1}\n" + made +
              "  - id: ontime\n    file: requests.csv\n    period_type: month\n    combine: sum\n"
              "    filter: {OnTime: ONTIME}\n    columns: {service: Type, period: Opened}\n"
              "    constants: {completed: 1}\n" + made)
    config = site(tmp_path, source, {"data/requests.csv": rows})
    code, out = run(config, "check", "--strict")
    assert code == 0, out
    made_services = services(config)
    assert sorted(made_services) == ["graffiti", "signs"]
    assert made_services["graffiti"].kpis["completion_rate"].value == 75.0
    assert made_services["signs"].kpis["completion_rate"].value == 100.0
    assert made_services["graffiti"].kpis["transactions_per_year"].value == 4
    # A wrong organisation in both is one error at config.yaml, not one for each service made twice.
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text().replace(
        "organisation: council", "organisation: councl"))
    code, out = run(config, "check")
    assert code == 1 and out.count("error:") == 1 and "config.yaml:" in out and "did you mean 'council'?" in out


def test_a_mistyped_month_in_a_file_name_is_one_error_for_that_file(tmp_path):
    source = AE_PATTERN
    config = site(tmp_path, source, {"data/ae/January-2026-AE.csv": "Trust,Attendances\nNorth,100\nSouth,5\n",
                                     "data/ae/Febuary-2026-AE.csv": "Trust,Attendances\nNorth,110\nSouth,6\n"})
    code, out = run(config, "check")
    assert code == 1 and out.count("error:") == 1
    assert "data/ae/Febuary-2026-AE.csv: error: 'period' is not a period I recognise: 'Febuary-2026-AE'" in out


def test_a_published_satisfaction_wins_over_rating_counts(tmp_path):
    """Counts give (4.18 - 1) / 4; the service's own 82% is what it publishes, in every month."""
    csv_text = ("period,transactions,satisfaction,satisfaction_1,satisfaction_2,satisfaction_3,satisfaction_4,"
                "satisfaction_5\n2026-05,100,86,1,1,1,1,6\n2026-06,100,82,23,30,141,428,467\n")
    config = site(tmp_path, "", {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    card = services(config)["permits"].kpis["user_satisfaction"]
    assert (card.value, card.previous_value) == (82.0, 86.0)


def test_a_filter_value_no_row_has_is_told(tmp_path):
    csv_text = "Code,period,transactions\nC&L 01,2024-01,5\nC&L 02,2024-01,6\n"
    source = "sources:\n  - file: permits.csv\n    filter: {Code: [C&L 2]}\n"
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert "warning: no row of permits.csv has 'C&L 2' in column 'Code', so filter: keeps none for it" in out
    assert "did you mean 'C&L 02'?" in out


def test_an_exclude_value_that_nearly_matches_a_row_is_told(tmp_path):
    """exclude: {area_name: Englnd} left the national figures in as a 'council' with no word (a
    filter: slip is told). A near miss is told; a value for rows that may come one day is not."""
    csv_text = "Area,period,transactions\nEngland,2024-01,500\nTrafford,2024-01,6\n"
    source = ("sources:\n  - file: permits.csv\n    columns: {service: Area}\n    exclude: {Area: [Englnd, Total]}\n"
              "    services:\n      name: '{Area} permits'\n      organisation: council\n")
    config = site(tmp_path, source, {"data/permits.csv": csv_text})
    code, out = run(config, "check")
    assert ("warning: no row of permits.csv has 'Englnd' in column 'Area', so exclude: leaves out nothing for it\n"
            "    hint: did you mean 'England'?") in out
    assert "'Total'" not in out and out.count("warning:") == 2  # and England's row, told as a country's:
    assert "data/permits.csv:2: warning: service 'England permits' looks like a whole country's" in out
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text().replace(
        "[Englnd, Total]", "[England, Englnd]"))  # both spellings listed, on purpose
    code, out = run(config, "check")
    assert "exclude: leaves out nothing" not in out


def test_a_template_with_a_brace_missing_is_an_error(tmp_path):
    """name: 'Planning ({area)' was published as the title of 16 pages."""
    csv_text = "area_code,area_name,period,transactions\nE1,Trafford,2024-01,6\n"
    source = ("sources:\n  - file: permits.csv\n    columns: {service: area_code}\n"
              "    services:\n      name: 'Planning ({area)'\n      organisation: council\n")
    config = site(tmp_path, source, {"data/permits.csv": csv_text})
    code, out = run(config, "check")
    assert code == 1 and "error: 'Planning ({area)' has a brace without its pair" in out
    assert "hint: did you mean '{area_code}' or '{area_name}'?" in out


def test_a_filter_value_with_nothing_close_lists_the_values_the_column_has(tmp_path):
    """The hint was 'check the value against the file': now it gives values to copy."""
    ages = ["Adult (18 or over)", "Child (17 or under)", "Adult (18 or over)", "Age not specified"]
    csv_text = "Age,period,transactions\n" + "".join(f"{age},2024-0{i + 1},5\n" for i, age in enumerate(ages))
    source = "sources:\n  - file: permits.csv\n    filter: {Age: Total}\n"
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert ("warning: no row of permits.csv has 'Total' in column 'Age', so filter: keeps none for it\n"
            "    hint: the column has 'Adult (18 or over)', 'Child (17 or under)', 'Age not specified'; "
            "copy the one meant") in out
    many = "Code,period,transactions\n" + "".join(f"Ward {n},2024-01,5\n" for n in range(1, 14))
    (tmp_path / "data/permits.csv").write_text(many)
    config.write_text(config.read_text().replace("filter: {Age: Total}", "filter: {Code: Total}"))
    out = run(config, "check")[1]
    assert ("hint: the column has " + ", ".join(f"'Ward {n}'" for n in range(1, 11)) + " and 3 more; copy the one meant"
            ) in out


def test_a_filter_that_keeps_no_row_is_an_error_and_the_site_is_kept(tmp_path):
    """'18 plus' for '18plus': a warning, exit 0, and a site of 14 services replaced by one with none
    (a tester's Public Health Scotland file). A filter leaving no row is an error."""
    csv_text = "Board,Age,period,transactions\nLothian,18plus,2024-01,5\nLothian,18-44,2024-01,2\n"
    source = ("sources:\n  - file: permits.csv\n    columns: {service: Board}\n    filter: {Age: 18plus}\n"
              "    services: {name: '{Board}', organisation: council}\n")
    config = site(tmp_path, source, {"data/permits.csv": csv_text})
    assert run(config, "build", "--output", str(tmp_path / "site"))[0] == 0
    before = {p: p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    config.write_text(config.read_text().replace("{Age: 18plus}", "{Age: 18 plus}"))
    code, out = run(config, "build", "--output", str(tmp_path / "site"))
    assert code == 1 and "error: filter: and exclude: leave no row of permits.csv, so it would publish nothing" in out
    assert "hint: did you mean '18plus'?" in out
    assert {p: p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()} == before
    # One of several sources feeding a service may rightly keep none (paper forms withdrawn): a warning.
    paper = "sources:\n  - file: permits.csv\n    filter: {Age: 18 plus}\n"
    config = site(tmp_path / "paper", paper, {"data/permits.csv": csv_text.replace("Board,", "Site,"),
                                               "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 0 and "so filter: keeps none for it" in out and "publish nothing" not in out, out
    assert "warning: filter: and exclude: leave no row of permits.csv, so it adds nothing" in out


def test_no_digital_channel_means_no_take_up_not_zero(tmp_path):
    config_text = "title: Transport\norganisation: Council\nchannels:\n  - id: bus\n    label: Bus\n  - id: tram\n" \
                  "    label: Tram\ncharts:\n  static_svg: false\n"
    config = write_site(tmp_path, {"config.yaml": config_text, **COUNCIL, "content/services/permits.yaml": PERMITS,
                                   "data/permits.csv": "period,channel,transactions\n2024-01,bus,5\n2024-01,tram,4\n"})
    take_up = services(config)["permits"].kpis["digital_take_up"]
    assert take_up.value is None and take_up.status == "no_data"


def test_errors_are_shown_before_warnings_when_the_list_is_full(tmp_path):
    """300 cells with a warning (a fraction in a count) and one bad value at the end: the warnings are
    one for the column, with its count (3,931 of them once filled the list), and the error is listed."""
    lines = ["period,channel,transactions"] + [f"{2000 + i // 12}-{i % 12 + 1:02d},online,1.5" for i in range(300)]
    lines.append("2026-01,online,x1")
    config = site(tmp_path, "", {"data/permits.csv": "\n".join(lines) + "\n", "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 1
    assert "data/permits.csv:302:3: error: 'transactions' is not a number: 'x1'" in out
    assert ("data/permits.csv:2:3: warning: 'transactions' is a count but has a fraction: '1.5' "
            "(and 299 more in this column)") in out
    # Where the problems are more than are shown, the errors come first.
    from generator.errors import Problems

    problems = Problems()
    for line in range(2, 302):
        problems.warning("data/a.csv", "a warning", line)
    problems.error("data/z.csv", "the error", 1)
    shown = problems.first(200)
    assert len(shown) == 200 and shown[-1].message == "the error"


def test_multiply_reads_a_column_of_millions(tmp_path):
    """TfL's 'Bus journeys (m)': 145.9 is 145,900,000 journeys, a whole count (no fraction warnings)."""
    csv_text = "Period,Bus journeys (m),Tube journeys (m)\n2024-01,145.9,90.2\n2024-02,140.1,88.0\n"
    source = ("sources:\n  - file: permits.csv\n    columns: {period: Period}\n    multiply: {transactions: 1000000}\n"
              "    wide:\n      columns: '{channel} journeys (m)'\n      channels: {Bus: phone, Tube: face_to_face}\n")
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    build_site(config, tmp_path / "site")
    assert "\n2024-01,2024-01-01,2024-01-31,phone,145900000\n" in (tmp_path / "site/data/services/permits.csv").read_text()
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text().replace(
        "multiply: {transactions: 1000000}", "multiply: {journeys: 1000000}"))
    code, out = run(config, "check")
    assert code == 1 and "error: 'journeys' is not a measure" in out


def test_a_json_file_is_told_to_be_json(tmp_path):
    service = PERMITS.replace("data: permits.csv", "data: permits.json")
    config = site(tmp_path, "", {"data/permits.json": '[{"period": "2024-01", "transactions": 5}]\n',
                                 "content/services/permits.yaml": service})
    code, out = run(config, "check")
    assert code == 1 and "data/permits.json:1: error: this is JSON, not a CSV file" in out


def test_a_bad_cell_read_for_two_fields_is_told_once(tmp_path):
    csv_text = "Month,Attendances,Within 4 hours\n2024-01,100,80\n2024-02,1x0,90\n"
    source = ("sources:\n  - file: permits.csv\n"
              "    columns: {period: Month, started: Attendances, transactions: Attendances, completed: Within 4 hours}\n")
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 1 and out.count("error:") == 1 and "data/permits.csv:3:2: error:" in out


def test_a_mistyped_measure_heading_does_not_hide_bad_cells_elsewhere(tmp_path):
    csv_text = "Month,Calls,Cost\n2024-01,100,£50\n2024-02,1x0,£60\n"
    source = "sources:\n  - file: permits.csv\n    columns: {period: Month, transactions: Calls, cost: Cots}\n"
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 1
    assert "error: column 'Cots' is not in permits.csv" in out and "did you mean 'Cost'?" in out
    assert "data/permits.csv:3:2: error: 'transactions' (column 'Calls') is not a number: '1x0'" in out


def test_a_column_named_like_a_field_is_not_read_when_ignored(tmp_path):
    csv_text = "Month,Count,cost\n2024-01,100,50\n"
    source = "sources:\n  - file: permits.csv\n    columns: {period: Month, transactions: Count}\n    ignore: [cost]\n"
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    cpt = services(config)["permits"].kpis["cost_per_transaction"]
    assert cpt.value is None or cpt.estimated  # not £0.50 from the ignored column


def test_a_period_whose_every_count_is_zero_has_no_share(tmp_path):
    csv_text = "period,channel,transactions\n2023-24,online,0\n2023-24,phone,0\n2024-25,online,5\n2024-25,phone,10\n"
    config = site(tmp_path, "", {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    build_site(config, tmp_path / "site")  # no ZeroDivisionError in the channel shares chart
    page = (tmp_path / "site/services/permits/index.html").read_text()
    assert "33.3%" in page  # 5 of 15 online in 2024/25


def test_a_slip_in_wide_channels_is_told_in_config(tmp_path):
    """'calls_recieved' in wide: channels: is no heading's text: said at its line in config.yaml, and the
    heading it missed is not blamed with a hint to misspell it."""
    csv_text = "Month,calls_received,online_applications\n2024-01,40,60\n"
    source = ("sources:\n  - file: permits.csv\n    columns: {period: Month}\n    wide:\n      columns: '{channel}'\n"
              "      channels: {calls_recieved: phone, online_applications: online}\n")
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert "config.yaml:18:18: warning: no heading in permits.csv has the channel text 'calls_recieved'" in out
    assert "(one is 'calls_received')" in out
    assert "it is a letter or two from 'calls_recieved' in wide: channels: in config.yaml; correct whichever" in out


def test_month_headings_with_the_year_in_a_column(tmp_path):
    """A row per service and financial year, a column per month ('april' ... 'march'): the period is
    the heading's month in the row's year. March of 2023/24 is March 2024 (30 loans); April of
    2024/25 is April 2024 (40); a bad year is located at its row and the month's column."""
    csv_text = ("Service,Year,april,may,march\nLoans,2023/24,10,20,30\nLoans,2024/25,40,50,60\n")
    source = ("sources:\n  - file: loans.csv\n    columns: {service: Service}\n"
              "    constants: {channel: online}\n"
              "    wide:\n      columns: '{period}'\n      period: '{period} {Year}'\n      measure: transactions\n"
              "    services:\n      name: '{Service}'\n      organisation: council\n")
    config = site(tmp_path, source, {"data/loans.csv": csv_text})
    code, out = run(config, "check")
    assert code == 0, out
    build_site(config, tmp_path / "site")
    tidy = (tmp_path / "site/data/services/loans.csv").read_text()
    assert "\n2024-03,2024-03-01,2024-03-31,online,30\n" in tidy and "\n2024-04,2024-04-01,2024-04-30,online,40\n" in tidy
    bad = csv_text.replace("2024/25", "2024/2O")
    (tmp_path / "data/loans.csv").write_text(bad)
    code, out = run(config, "check")
    assert code == 1 and "data/loans.csv:3:3: error: 'period' is not a period I recognise: 'april 2024/2O'" in out


WIDE_VISITS = "Library,Oct-13,Nov-13,Dec-13,Jan-14,Feb-30,Mar-14\nKeynsham,3476,3732,2926,3238,3351,3348\n"
WIDE_VISITS_SOURCE = """\
sources:
  - file: contact.csv
    columns: {service: Library}
    constants: {channel: online}
    wide: {columns: "{period}"}
    services: {name: "{Library} library visits", organisation: council, description: Visits.}
"""


def test_a_period_years_from_the_rest_is_a_typo_in_its_year(tmp_path):
    """'Feb-30' among Oct-13 to Mar-14 (a real library export's slip) read as February 2030: a figure
    published sixteen years ahead, a chart stretched over empty years, and only a gap warning that
    named no heading. It is an error at the heading; replace: corrects it."""
    config = site(tmp_path, WIDE_VISITS_SOURCE, {"data/contact.csv": WIDE_VISITS})
    code, out = run(config, "check")
    assert code == 1
    assert ("data/contact.csv:1:6: error: period February 2030 is 16 years after the other periods of "
            "service 'Keynsham' (October 2013 to March 2014): a typo in its year?") in out
    assert "no rows for" not in out
    fixed = WIDE_VISITS_SOURCE.replace("    wide:", "    replace: {period: {'Feb-30': 'Feb-14'}}\n    wide:")
    config = site(tmp_path, fixed, {"data/contact.csv": WIDE_VISITS})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")


def test_a_row_years_from_the_rest_is_an_error_at_its_cell_and_a_real_break_is_a_gap(tmp_path):
    months = [f"2013-{m:02d}" for m in range(4, 13)]
    rows = "".join(f"{p},online,{10 + i}\n" for i, p in enumerate(months[:4] + ["2103-08"] + months[5:]))
    config = one_file_site(tmp_path, "period,channel,transactions\n" + rows)
    code, out = run(config, "check")
    assert code == 1 and "data/contact.csv:6:1: error: period August 2103 is 90 years after" in out
    # Three years of quarters, then three more after a five-year break: a real pause, told as a gap.
    quarters = [f"{y}-Q{q}" for y in (2010, 2011, 2012, 2018, 2019, 2020) for q in (1, 2, 3, 4)]
    config = one_file_site(tmp_path, "period,channel,transactions\n" + "".join(f"{p},online,5\n" for p in quarters))
    code, out = run(config, "check")
    assert code == 0 and "has no rows for January to March 2013" in out and "typo" not in out


US_MONTHS = "Library,Issue Date\n" + "".join(f"Keynsham,{m:02d}/01/2013\n" for m in (4, 4, 5, 6, 7, 8, 9))
US_SOURCE = """\
sources:
  - file: contact.csv
    columns: {service: Library, period: Issue Date}
    constants: {transactions: 1, channel: online}
    combine: sum
    period_type: month
    services: {name: "{Library} loans", organisation: council, description: Items lent.}
"""


def test_month_first_dates_are_asked_about_and_read_with_dates_month_first(tmp_path):
    """A US library system dates each loan 04/01/2013 for 1 April: read day first, April to September
    were the 4th to 9th of January, one month, with no error. It is a warning naming both readings;
    dates: month_first reads them right (and dates: day_first says they were days)."""
    config = site(tmp_path, US_SOURCE, {"data/contact.csv": US_MONTHS})
    code, out = run(config, "check")
    assert code == 0
    assert ("data/contact.csv:2:2: warning: dates such as '04/01/2013' and '05/01/2013' are read day first "
            "(4 January 2013 and 5 January 2013), but every one has 01 in the month's place and the days run no "
            "higher than 12: are they months written month first (April 2013 and May 2013)?") in out
    config = site(tmp_path, US_SOURCE + "    dates: month_first\n", {"data/contact.csv": US_MONTHS})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    periods = {row.period.key: row.transactions for row in services(config)["keynsham"].periods}
    assert periods == {"2013-04": 2, "2013-05": 1, "2013-06": 1, "2013-07": 1, "2013-08": 1, "2013-09": 1}
    config = site(tmp_path, US_SOURCE + "    dates: day_first\n", {"data/contact.csv": US_MONTHS})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")


def test_one_unknown_period_form_on_every_row_is_told_once(tmp_path):
    csv = "period,channel,transactions\n" + "".join(f"{d} of April 2024,online,{d}\n" for d in (1, 1, 2, 2, 2))
    code, out = run(one_file_site(tmp_path, csv), "check")
    assert code == 1 and "2 error(s)" in out
    assert "data/contact.csv:2:1: error: 'period' is not a period I recognise: '1 of April 2024' (and 1 more row with it)" in out
    assert "data/contact.csv:4:1: error: 'period' is not a period I recognise: '2 of April 2024' (and 2 more rows with it)" in out


def test_an_event_file_is_counted_a_row_each_per_month(tmp_path):
    """A row per loan with the day it was made: constants: {transactions: 1} and combine: sum count
    the rows of each month (period_type: month reads each date as its month), as the guide shows.
    Hand check: 3 loans at Central in January 2024 and 1 in February; 1 at Northgate in January."""
    csv_text = ("loan_id,library,loaned_on\n1,Central,03/01/2024\n2,Central,17/01/2024\n3,Northgate,20/01/2024\n"
                "4,Central,31/01/2024\n5,Central,01/02/2024\n")
    source = ("sources:\n  - file: loans.csv\n    columns: {period: loaned_on, service: library}\n"
              "    constants: {transactions: 1}\n    combine: sum\n    period_type: month\n"
              "    services:\n      name: '{library} loans'\n      organisation: council\n")
    config = site(tmp_path, source, {"data/loans.csv": csv_text})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    found = services(config)
    assert [(r.period.label, r.transactions) for r in found["central"].periods] == [
        ("January 2024", 3), ("February 2024", 1)]
    assert [(r.period.label, r.transactions) for r in found["northgate"].periods] == [("January 2024", 1)]
    # Without period_type: month, each date is a day of its own, and nothing is added up.
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text().replace("    period_type: month\n", ""))
    assert [r.period.label for r in services(config)["central"].periods][:2] == ["3 January 2024", "17 January 2024"]


def test_headings_match_whatever_their_case_spaces_hyphens_or_underscores(tmp_path):
    """'in time' in the mapping finds the heading 'In_Time', and 'ALL-REQUESTS' finds 'all requests':
    spaces, hyphens and underscores are one, and case is ignored."""
    csv_text = "Period,all requests,In_Time\n2024-01,10,8\n"
    source = ("sources:\n  - file: permits.csv\n"
              "    columns: {period: period, transactions: ALL-REQUESTS, started: ALL-REQUESTS, completed: in time}\n")
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert services(config)["permits"].kpis["completion_rate"].value == 80.0


def test_exclude_a_blank_drops_the_rows_whose_cell_is_empty(tmp_path):
    """exclude: {type: ""} leaves out rows with nothing (or only spaces) in that column, as the guide says.
    Hand check: January's row has a type and is kept (5); February's blank and March's spaces are not."""
    csv_text = "period,channel,transactions,type\n2024-01,online,5,new\n2024-02,online,6,\n2024-03,online,7,  \n"
    source = "sources:\n  - file: permits.csv\n    exclude: {type: \"\"}\n"
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    assert [(r.period.label, r.transactions) for r in services(config)["permits"].periods] == [("January 2024", 5)]
    # filter: {type: ""} keeps only those.
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text().replace("exclude:", "filter:"))
    assert [r.period.label for r in services(config)["permits"].periods] == ["February 2024", "March 2024"]


def test_a_record_exported_twice_into_a_file_that_is_added_up_is_a_warning(tmp_path):
    """Oxford's payments file had a payment twice (its transaction number too): combine: sum counted
    it twice, with no sign. Rows the same in every cell are a warning at the repeat."""
    source = ("sources:\n  - file: spend.csv\n    columns: {service: Unit, period: Paid, cost: Amount}\n"
              "    constants: {transactions: 1}\n    combine: sum\n    period_type: month\n"
              "    services: {name: '{Unit}', organisation: council}\n")
    csv_text = ("Trans No,Unit,Paid,Amount\n101,Parks,03/07/2015,100\n101,Parks,03/07/2015,100\n"
                "102,Parks,04/07/2015,100\n")
    config = site(tmp_path, source, {"data/spend.csv": csv_text})
    code, out = run(config, "check", "--strict")
    assert code == 1 and "data/spend.csv:3: warning: row repeats line 2 in every cell, and combine: sum adds it in" in out
    (tmp_path / "data/spend.csv").write_text(csv_text.replace("101,Parks,03/07/2015,100\n", "", 1))
    assert run(config, "check", "--strict") == (0, "No errors found.\n")


def test_a_row_repeated_in_a_summary_table_that_is_added_up_is_a_warning(tmp_path):
    """A summary table (a row per authority, reason and payment type) with one row exported twice: no
    column tells records apart, so the repeat was added in without a word (2,230 payments in a
    tester's real file). Its other rows are each a different mix of its words, so the repeat is
    told. A file of loans, where two alike in every cell are two loans, is not."""
    source = ("sources:\n  - file: pay.csv\n    columns: {service: Authority, period: Year, channel: Type, "
              "transactions: Payments}\n    combine: sum\n    channels: {paypal: online, cash: phone}\n"
              "    services: {name: '{Authority}', organisation: council}\n")
    rows = [f"2021/22,{a},{r},{t},{n}" for n, (a, r, t) in enumerate(
        [(a, r, t) for a in ("Bath", "Bristol") for r in ("Fine", "Loss") for t in ("PAYPAL", "CASH")], start=10)]
    csv_text = "Year,Authority,Reason,Type,Payments\n" + "\n".join(rows + [rows[0]]) + "\n"
    config = site(tmp_path, source, {"data/pay.csv": csv_text})
    code, out = run(config, "check")
    assert "data/pay.csv:10: warning: row repeats line 2 in every cell, and combine: sum adds it in" in out, out
    loans = "Year,Authority,Reason,Type,Payments\n" + "2021/22,Bath,Loan,PAYPAL,1\n" * 6 + \
        "2021/22,Bath,Loan,CASH,1\n" * 4
    (tmp_path / "data/pay.csv").write_text(loans)
    assert "repeats line" not in run(config, "check")[1]
    # Nor a file of payments, a row each (a fixed fee, the count a constant): two on one day alike
    # (found in review, where the fee had been taken for a count).
    events = ("sources:\n  - file: fees.csv\n    columns: {period: Paid, channel: Type, cost: Fee}\n"
              "    constants: {transactions: 1}\n    combine: sum\n    period_type: month\n")
    rows = "".join(f"{d:02d}/03/2024,{t},{f}\n" for d, t, f in ((1, "online", 35), (2, "phone", 50), (2, "phone", 50),
                                                                (3, "online", 35), (4, "phone", 75)))
    config = site(tmp_path / "events", events, {"data/fees.csv": "Paid,Type,Fee\n" + rows,
                                               "content/services/permits.yaml": PERMITS.replace("permits.csv",
                                                                                               "fees.csv")})
    code, out = run(config, "check")
    assert "repeats line" not in out, out


def test_a_summary_keyed_by_a_month_in_digits_and_a_total_among_its_parts_are_told(tmp_path):
    """Public Health Scotland's files, added up with combine: sum: a month written 200707 had been
    taken for a count, so a row exported twice went unsaid (A111H July 2007 doubled); and a breakdown
    with its own total ('All Delay Reasons') was added in with its parts, every figure four times over."""
    source = ("sources:\n  - file: ae.csv\n    columns: {service: Site, period: Month, transactions: Attendances}\n"
              "    combine: sum\n    services: {name: '{Site}', organisation: council}\n")
    rows = [f"{m},{site},Emergency,{100 + i}" for i, (m, site) in enumerate(
        (m, site) for m in (200707, 200708, 200709) for site in ("A111H", "B120H", "C121H"))]
    csv_text = "Month,Site,Type,Attendances\n" + "\n".join(rows + [rows[0]]) + "\n"
    config = site(tmp_path, source, {"data/ae.csv": csv_text})
    code, out = run(config, "check")
    assert "data/ae.csv:11: warning: row repeats line 2 in every cell, and combine: sum adds it in" in out, out
    reasons = "Month,Site,Reason,Attendances\n" + "".join(
        f"200707,A111H,{r},{n}\n" for r, n in (("Care home", 2), ("Transport", 3), ("All Delay Reasons", 5)))
    (tmp_path / "data/ae.csv").write_text(reasons)
    code, out = run(config, "check")
    assert ("data/ae.csv:4:3: warning: column 'Reason' has 'All Delay Reasons' beside 2 other values, whose counts "
            "it adds up, and combine: sum adds them all: a total counted with its parts\n    hint: keep the total "
            "alone with filter: {Reason: All Delay Reasons}, or the parts alone with exclude: "
            "{Reason: All Delay Reasons}") in out, out
    # A name that starts with 'All' but is no total of the others ('All Saints', a branch) is not told
    # (found in review), and a source that chooses its rows is not second-guessed.
    (tmp_path / "data/ae.csv").write_text(reasons.replace("All Delay Reasons,5", "All Saints,7"))
    assert "adds them all" not in run(config, "check")[1]
    # A month whose total is suppressed ('*') says nothing either way: the others still tell (review).
    suppressed = reasons + "".join(f"200708,A111H,{r},{n}\n" for r, n in (("Care home", 1), ("Transport", 1),
                                                                          ("All Delay Reasons", "*")))
    (tmp_path / "data/ae.csv").write_text(suppressed)
    assert "adds them all" in run(config, "check")[1]
    (tmp_path / "data/ae.csv").write_text(reasons)
    config.write_text(config.read_text().replace("    combine: sum", "    combine: sum\n    exclude: {Reason: All Delay Reasons}"))
    assert "adds them all" not in run(config, "check")[1]


def test_a_period_years_before_the_rest_is_a_warning_a_pilot_may_be_real(tmp_path):
    months = ["2012-06"] + [f"2019-{m:02d}" for m in range(1, 13)]
    config = one_file_site(tmp_path, "period,channel,transactions\n" + "".join(f"{p},online,5\n" for p in months))
    code, out = run(config, "check")
    assert code == 0 and ("data/contact.csv:2:1: warning: period June 2012 is 7 years before the other periods of "
                          "service 'contact' (January 2019 to December 2019): a typo in its year?") in out
    assert "no rows for" not in out


def test_dates_month_first_reads_ranges_and_names_impossible_days_in_that_order(tmp_path):
    source = US_SOURCE.replace("    period_type: month\n", "") + "    dates: month_first\n"
    csv_text = "Library,Issue Date\nKeynsham,02/30/2024\nKeynsham,07/01/2024 - 07/31/2024\n"
    code, out = run(site(tmp_path, source, {"data/contact.csv": csv_text}), "check")
    assert code == 1 and "1 error(s)" in out
    assert "data/contact.csv:2:2: error: '02/30/2024' is not a date: February has no 30th day" in out


def test_dates_with_am_or_pm_are_asked_about(tmp_path):
    csv_text = "Library,Issue Date\n" + "".join(f"Keynsham,{m:02d}/03/2013 12:00:00 AM\n" for m in (4, 5, 6))
    code, out = run(site(tmp_path, US_SOURCE, {"data/contact.csv": csv_text}), "check")
    assert code == 0 and ("data/contact.csv:2:2: warning: dates with AM or PM, such as '04/03/2013 12:00:00 AM', "
                          "come from systems that write dates month first, but are read day first here") in out
    assert run(site(tmp_path, US_SOURCE + "    dates: month_first\n", {"data/contact.csv": csv_text}),
               "check", "--strict")[0] == 0


def test_kpis_under_a_sources_not_requested_are_a_warning(tmp_path):
    """At a source, not_requested: lists cell texts ('***'); KPI ids there were taken as cell texts
    and the cards said 'no data', not 'not requested', with no word."""
    source = US_SOURCE + "    not_requested: [user_satisfaction, '***']\n"
    code, out = run(site(tmp_path, source, {"data/contact.csv": US_MONTHS}), "check")
    assert "warning: 'user_satisfaction' under the source's not_requested: is read as a cell's text" in out
    assert out.count("under the source's not_requested") == 1


def test_a_misspelt_constant_channel_is_one_error_at_its_line(tmp_path):
    """constants: {channel: face_to_fac} gave an error on every one of 12,500 rows, with no column,
    and the 200 shown hid the file's real mistakes."""
    source = US_SOURCE.replace("channel: online", "channel: onlin")
    csv_text = US_MONTHS + "Keynsham,31/02/2013\n"
    code, out = run(site(tmp_path, source, {"data/contact.csv": csv_text}), "check")
    assert code == 1 and "2 error(s)" in out
    assert "config.yaml:" in out and "error: 'channel' is not a channel in config.yaml: 'onlin'" in out
    assert "did you mean 'online' (online)?" in out
    assert "data/contact.csv:9:2: error: '31/02/2013' is not a date: February has no 31st day" in out


def test_a_misspelt_channel_in_a_column_is_told_once_with_its_count(tmp_path):
    csv_text = "period,channel,transactions\n" + "".join(f"2024-{m:02d},onlin,5\n" for m in (1, 2, 3))
    code, out = run(one_file_site(tmp_path, csv_text), "check")
    assert code == 1 and "1 error(s)" in out
    assert "data/contact.csv:2:2: error: 'channel' is not a channel in config.yaml: 'onlin' (and 2 more rows with it)" in out
    assert "did you mean 'online' (online)?" in out


def test_an_impossible_date_with_a_time_says_why(tmp_path):
    csv_text = "period,channel,transactions\n31/02/2013 12:00:00 AM,online,5\n"
    code, out = run(one_file_site(tmp_path, csv_text), "check")
    assert "error: '31/02/2013 12:00:00 AM' is not a date: February has no 31st day" in out


def test_a_cell_broken_by_lone_carriage_returns_keeps_the_records_first_line(tmp_path):
    """Lambeth's planning export breaks addresses with a lone carriage return: a bad cell was reported
    at its record's last line. It is the first, counting each break as a line, as editors show them."""
    csv_text = ('period,note,channel,transactions\r\n2024-01,"1 High St\rLondon\r",online,5\r\n'
                '2024-02,"2 High St\rLondon\r",online,five\r\n')
    code, out = run(one_file_site(tmp_path, csv_text), "check")
    assert "data/contact.csv:5:4: error: 'transactions' is not a number: 'five'" in out


def test_a_period_made_of_two_columns_points_at_a_blank_part_and_names_a_quarter_that_is_none(tmp_path):
    csv_text = "Quarter,Year,People\nQ1,2024,10\nQ2,,12\nQ5,2024,9\n"
    config = one_file_site(tmp_path, csv_text, "sources:\n  - file: contact.csv\n    columns: "
                                               "{period: '{Quarter} {Year}', transactions: People}\n")
    code, out = run(config, "check")
    assert "data/contact.csv:3:2: error: 'period' is not a period I recognise: 'Q2'" in out  # the Year cell
    assert "data/contact.csv:4:1: error: 'Q5 2024' is not a quarter: there is no quarter 5" in out


def test_period_type_week_ending_reads_a_date_as_the_week_it_ends(tmp_path):
    """Public Health Scotland dates each week by its last day (a Sunday): period_type: week read it as
    the week it falls in only for Sundays; week_ending reads any last day as its seven days."""
    csv_text = "Week,Attendances\n" + "".join(f"{d}/06/2021,{100 + d}\n" for d in (4, 11, 18))  # Fridays
    source = ("sources:\n  - file: contact.csv\n    columns: {period: Week, transactions: Attendances}\n"
              "    period_type: week_ending\n")
    config = one_file_site(tmp_path, csv_text, source)
    assert run(config, "check", "--strict")[0] == 0
    periods = services(config)["contact"].periods
    assert [(str(r.period.start), str(r.period.end)) for r in periods] == [
        ("2021-05-29", "2021-06-04"), ("2021-06-05", "2021-06-11"), ("2021-06-12", "2021-06-18")]


def test_a_wide_pattern_file_builds_without_pandas_warnings(tmp_path):
    """A court statistics file of 60 columns read through a pattern printed pandas' 'DataFrame is highly
    fragmented' advice on every check: nothing but the file's problems may reach the user."""
    import warnings

    from pandas.errors import PerformanceWarning

    extra = [f"Extra {i}" for i in range(120)]
    header = "County,Court,Period,Filings," + ",".join(extra)
    rows = "".join(f"Atlantic,Court {c},2024-0{m},{10 * c + m}," + ",".join("1" for _ in extra) + "\n"
                   for c in range(1, 4) for m in (1, 2))
    source = ("sources:\n  - file: courts/*.csv\n    columns: {service: '{County} {Court}', period: Period, "
              "transactions: Filings}\n    services: {name: '{Court}', organisation: council}\n")
    config = site(tmp_path, source, {"data/courts/a.csv": header + "\n" + rows})
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerformanceWarning)
        assert len(prepare(config).model.services) == 3


def test_a_file_of_another_kind_of_period_in_a_pattern_is_one_error(tmp_path):
    """New Jersey's court statistics: a half-year file among court years gave the same error for each
    of its 565 courts. One, with how many more, and how to leave that file out."""
    source = ("sources:\n  - file: courts/*.csv\n    columns: {service: Court, period: Range, transactions: Filings}\n"
              "    services: {name: '{Court}', organisation: council}\n")
    year = "Court,Range,Filings\n" + "".join(f"Court {c},{{y}},{10 + c}\n" for c in range(1, 5))
    files = {"data/courts/courts-2023.csv": year.replace("{y}", "2022/23"),
             "data/courts/courts-2024.csv": year.replace("{y}", "2023/24"),
             "data/courts/courts-2024-12.csv": year.replace("{y}", "July to December 2024")}
    code, out = run(site(tmp_path, source, files), "check")
    assert code == 1 and "1 error(s)" in out
    assert "mixes periods of different kinds" in out
    assert "(and 3 more services with it: 'Court 2', 'Court 3' and 'Court 4')" in out  # named: a tester had to hunt
    assert "exclude: {file name: 'courts-2024-12'}" in out


def test_missing_rows_zero_fills_days_too(tmp_path):
    """Los Angeles 311 requests counted by day: no email request on 28 December meant no email row,
    and that day's take-up was no data (159 of 180 online on a real day). Days are filled as months."""
    source = ("sources:\n  - file: contact.csv\n    columns: {period: Created, channel: Source}\n"
              "    constants: {transactions: 1}\n    combine: sum\n    missing_rows: zero\n")
    rows = ["27/12/2017,online", "27/12/2017,online", "27/12/2017,phone", "28/12/2017,online", "28/12/2017,online",
            "28/12/2017,phone", "29/12/2017,phone", "27/12/2017,face_to_face", "29/12/2017,face_to_face"]
    config = one_file_site(tmp_path, "Created,Source\n" + "\n".join(rows) + "\n", source)
    assert run(config, "check", "--strict")[0] == 0
    by_day = {r.period.key: (r.transactions, r.digital_take_up) for r in services(config)["contact"].periods}
    # 28 December: 2 online of 3 (no face-to-face row: 0); 29 December: no online row, 0 of 2.
    assert by_day["2017-12-28"] == (3, pytest.approx(200 / 3)) and by_day["2017-12-29"] == (2, 0.0)


def test_a_missing_measure_column_is_one_error_not_also_a_file_with_no_measure(tmp_path):
    source = "sources:\n  - file: contact.csv\n    columns: {period: Month, channel: Channel, transactions: Requests}\n"
    config = one_file_site(tmp_path, "Month,Channel,Request_Count\n2024-01,online,5\n", source)
    code, out = run(config, "check")
    assert code == 1 and "1 error(s)" in out and "column 'Requests' is not in contact.csv" in out
    assert "needs a period and at least one measure" not in out


def test_a_total_for_a_place_is_a_total_row(tmp_path):
    """'Total for England' below its regions would be counted twice as a service."""
    from generator.sources import looks_like_a_total

    assert looks_like_a_total("Total for England") and looks_like_a_total("Totals of London")
    assert not looks_like_a_total("Total All-Inclusive Care") and not looks_like_a_total("Total Fitness")


def test_a_warning_for_a_wide_files_cells_is_one_for_each_column(tmp_path):
    """Fractions in a count under 'Online' and 'Phone': one warning for each column, not one for the
    file that counted the other column's cells as 'more in this column'."""
    csv_text = "period,online,phone\n2024-01,10.5,4\n2024-02,6,4.5\n2024-03,7,3.5\n"
    source = "sources:\n  - file: permits.csv\n    wide:\n      columns: '{channel}'\n      measure: transactions\n"
    code, out = run(site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS}),
                    "check")
    assert "data/permits.csv:2:2: warning: 'transactions' (column 'online') is a count but has a fraction: '10.5'\n" in out
    assert "data/permits.csv:3:3: warning: 'transactions' (column 'phone') is a count but has a fraction: '4.5' (and 1 more in this column)" in out


def a_service_a_row(file: str, columns: str) -> str:
    """A source making a service of each row of a wide file, named by its Service column."""
    return (f"sources:\n  - file: {file}\n    columns: {{service: Service}}\n"
            f"    wide:\n      columns: '{columns}'\n      measure: transactions\n"
            "    services:\n      name: '{Service}'\n      organisation: council\n")


def _library_file(rows: dict[str, dict[str, list]]) -> str:
    """A wide file as Arts Council England's library returns are: a row per service, a column per
    channel and month (April 2023 to March 2024), blank where a month was not sent."""
    months = ["Apr 2023", "May 2023", "Jun 2023", "Jul 2023", "Aug 2023", "Sep 2023", "Oct 2023", "Nov 2023",
              "Dec 2023", "Jan 2024", "Feb 2024", "Mar 2024"]
    header = ["Service"] + [f"{channel} - {month}" for channel in ("Phone", "Online") for month in months]
    lines = [",".join(header)]
    for name, by_channel in rows.items():
        cells = [name] + ["" if v is None else str(v) for channel in ("Phone", "Online") for v in by_channel[channel]]
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def test_a_lone_figure_after_blank_months_is_not_a_channel_beginning(tmp_path):
    """Islington sent its physical loans as one figure in March; Richmond skipped April and May.
    Their blank months had been read as a channel not yet begun, so each month's take-up read
    100%. Blanks before a lone figure, or fewer than three, are missing data: no take-up. A channel
    with figures only every third month (quarterly totals in a monthly file) is told."""
    monthly = [10] * 12
    csv_text = _library_file({
        "Islington": {"Phone": [None] * 11 + [4800], "Online": monthly},
        "Richmond": {"Phone": [None, None] + [30] * 10, "Online": monthly},
        "Merton": {"Phone": [40] * 12, "Online": [None] * 4 + [10] * 8},  # began in August: 8 figures
        "Barbican": {"Phone": [None, None, 90] * 4, "Online": [None, None, 30] * 4},
        "Sefton": {"Phone": [None, None, 90] * 4, "Online": monthly},
    })
    config = site(tmp_path, a_service_a_row("loans.csv", "{channel} - {period}"), {"data/loans.csv": csv_text})
    code, out = run(config, "check")
    assert code == 0, out
    assert ("data/loans.csv:2:13: warning: Phone is blank in 11 periods for 'Islington' before its first figure, in "
            "March 2024, and has only 1 figure: the blanks are read as missing, so those periods have no digital "
            "take-up") in out
    assert ("data/loans.csv:5: warning: figures only every third month for 'Barbican' (June 2023, September 2023, "
            "December 2023, ...), blank between: if these are quarterly totals, each is read as one month's") in out
    assert ("data/loans.csv:6:4: warning: Phone has figures only every third month for 'Sefton' (June 2023, "
            "September 2023, December 2023, ...), blank between, while other channels have a figure each month") in out
    assert "'Richmond'" not in out and "'Merton'" not in out  # two blanks are missing figures; August a launch
    found = services(config)
    take_up = lambda slug: [p.digital_take_up for p in found[slug].periods]  # noqa: E731
    assert take_up("islington")[:11] == [None] * 11  # not 100%
    assert take_up("islington")[11] == pytest.approx(10 / 4810 * 100)
    assert take_up("richmond")[:2] == [None, None] and take_up("richmond")[2] == pytest.approx(10 / 40 * 100)
    assert take_up("merton")[:4] == [0.0] * 4 and take_up("merton")[4] == pytest.approx(10 / 50 * 100)


def test_a_period_not_requested_says_so_in_the_charts_table_and_downloads(tmp_path):
    """The table by period said 'not requested' for a year's satisfaction, but the satisfaction
    chart's own table said 'no data' and its downloads a blank, as for a figure that is missing."""
    csv_text = "period,transactions,satisfaction\n2024-01,100,71\n2024-02,100,Not requested\n2024-03,100,76\n"
    source = "sources:\n  - file: permits.csv\n    not_requested: ['Not requested']\n"
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    build_site(config, tmp_path / "site")
    page = (tmp_path / "site/services/permits/index.html").read_text()
    table = page[page.index("User satisfaction: data"):]
    table = table[:table.index("</table>")]
    assert '<th scope="row" class="table__row-header">February 2024</th><td class="num missing">not requested</td>' \
        in table and "no data" not in table and "Status" not in table
    download = (tmp_path / "site/data/charts/services/permits/user-satisfaction.csv").read_text().splitlines()
    assert download[0] == "period,start,end,value,status"
    assert download[2] == "February 2024,2024-02-01,2024-02-29,,not requested" and download[1].endswith(",71,")
    # The service's own data file says so too: its blank cell there had read as a figure missing.
    tidy = (tmp_path / "site/data/services/permits.csv").read_text().splitlines()
    assert tidy[0] == "period,period_start,period_end,channel,transactions,satisfaction,not_requested"
    assert tidy[1:] == ["2024-01,2024-01-01,2024-01-31,all,100,71,", "2024-02,2024-02-01,2024-02-29,all,100,,user_satisfaction",
                        "2024-03,2024-03-01,2024-03-31,all,100,76,"]


def test_the_channel_table_has_an_earlier_years_column_only_with_earlier_shares(tmp_path):
    """A service with one year of figures showed 'Share of transactions, <the year before>' with
    'no data' in every row: a column that says nothing."""
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    lines = ["period,channel,transactions"] + [f"{p},{c},{n}" for p in months for c, n in (("online", 60), ("phone", 40))]
    config = site(tmp_path, "", {"data/permits.csv": "\n".join(lines) + "\n", "content/services/permits.yaml": PERMITS})
    build_site(config, tmp_path / "site")
    page = (tmp_path / "site/services/permits/index.html").read_text()
    table = page[page.index("<caption class=\"table__caption\">Transactions by channel, "):]
    table = table[:table.index("</table>")]
    assert table.count("Share of transactions") == 1 and "no data" not in table
    earlier = [f"2023-{m:02d}" for m in range(1, 13)]
    lines[1:1] = [f"{p},{c},{n}" for p in earlier for c, n in (("online", 50), ("phone", 50))]
    (tmp_path / "data/permits.csv").write_text("\n".join(lines) + "\n")
    build_site(config, tmp_path / "site")
    page = (tmp_path / "site/services/permits/index.html").read_text()
    table = page[page.index("<caption class=\"table__caption\">Transactions by channel, "):]
    assert table[:table.index("</table>")].count("Share of transactions") == 2  # 60.0% against 50.0%
    assert '<td class="num">50.0%</td>' in table[:table.index("</table>")]


def test_a_footer_row_in_a_file_with_a_column_per_channel_is_told_not_dropped(tmp_path):
    """'Source: parking CRM' under a table with a column per channel was dropped without a word
    (as a month with every cell blank is), though the guide says such a row is a warning."""
    csv_text = "Month,Online,Phone\nJan-24,50,40\nFeb-24,55,38\n\nSource: parking CRM,,\n"
    source = "sources:\n  - file: permits.csv\n    columns: {period: Month}\n    wide:\n      columns: '{channel}'\n"
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 0
    assert ("data/permits.csv:5:1: warning: row is not read: it has no figures, and 'Source: parking CRM' is not a "
            "period (a note or a footer?)\n") in out  # once, though the line is a row per channel
    assert [p.transactions for p in services(config)["permits"].periods] == [90, 93]
    # With a date in it too: a tester's 'Report run 02/04/2025' had been taken for a month to come.
    (tmp_path / "data/permits.csv").write_text(csv_text.replace("Source: parking CRM", "Report run 02/04/2025"))
    assert ("data/permits.csv:5:1: warning: row is not read: it has no figures, and 'Report run 02/04/2025' is not "
            "a period") in run(config, "check")[1]


def test_cells_written_as_nothing_before_a_channels_first_figure_say_it_was_not_there(tmp_path):
    """'-' in January and February, then online's figures: the file says online was not there, so
    those months' take-up is 0%, with a column per period as with one per channel (a review found
    the column-per-period case had lost it)."""
    csv_text = ("Service,Channel,Jan 2024,Feb 2024,Mar 2024,Apr 2024\nPermits,online,-,-,10,12\n"
                "Permits,phone,40,40,40,40\n")
    source = ("sources:\n  - file: permits.csv\n    columns: {service: Service, channel: Channel}\n"
              "    wide:\n      columns: '{period}'\n      measure: transactions\n")
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml":
                                     PERMITS.replace("data: permits.csv", "data: {file: permits.csv, service: Permits}")})
    code, out = run(config, "check", "--strict")
    assert code == 0, out
    assert [p.digital_take_up for p in services(config)["permits"].periods] == [
        0.0, 0.0, pytest.approx(10 / 50 * 100), pytest.approx(12 / 52 * 100)]


def test_a_source_that_adds_up_parts_keeps_its_other_columns_without_a_warning(tmp_path):
    """combine: sum over wards: the ward column is what makes the rows parts, not a misspelt measure."""
    csv_text = "period,ward,channel,transactions\n2024-01,North,online,5\n2024-01,South,online,7\n"
    source = "sources:\n  - file: permits.csv\n    combine: sum\n"
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert services(config)["permits"].periods[0].transactions == 12


def test_months_prefilled_for_later_are_not_periods_with_no_data(tmp_path):
    """Blank rows for the months to come, in US order read with dates: month_first, were kept as
    periods with no data (the footer-row change judged them without the source's settings)."""
    csv_text = ("Day,Online,Phone\n01/31/2024,50,40\n02/29/2024,55,38\n03/31/2024,60,35\n04/30/2024,,\n"
                "05/31/2024,,\n")
    source = ("sources:\n  - file: permits.csv\n    period_type: month\n    dates: month_first\n"
              "    columns: {period: Day}\n    wide:\n      columns: '{channel}'\n")
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    assert run(config, "check", "--strict")[0] == 0
    assert [p.period.label for p in services(config)["permits"].periods] == ["January 2024", "February 2024",
                                                                               "March 2024"]


def test_a_file_of_quarter_end_months_alone_is_not_told_of_quarterly_figures(tmp_path):
    """Columns for March, June, September and December only: a file of quarters written as months,
    with no months between, says nothing of 'blank between', whatever other cells are blank."""
    csv_text = "Service,Mar 2024,Jun 2024,Sep 2024,Dec 2024\nPermits,10,12,14,15\nLicences,5,,7,8\n"
    config = site(tmp_path, a_service_a_row("permits.csv", "{period}"), {"data/permits.csv": csv_text})
    assert "third month" not in run(config, "check")[1]


def test_a_channel_blank_in_its_last_months_is_told_and_a_dash_says_it_closed(tmp_path):
    """A council stopped taking phone applications in October. Left blank, the months stayed missing
    without a word, so take-up stopped at September while the channel table counted the blanks as
    nothing; written '-', which the guide says means the channel was not there, nothing changed.
    Now blanks are told, the table says whose months it lacks, and '-' reads as a row-per-channel
    file whose phone rows stop does."""
    rows = [("Jul-24", 80, 20), ("Aug-24", 90, 10), ("Sep-24", 70, 30), ("Oct-24", 100, ""), ("Nov-24", 110, ""),
            ("Dec-24", 120, "")]
    wide = "Month,Online,Phone\n" + "".join(f"{m},{o},{p}\n" for m, o, p in rows)
    source = "sources:\n  - file: permits.csv\n    columns: {period: Month}\n    wide:\n      columns: '{channel}'\n"
    config = site(tmp_path, source, {"data/permits.csv": wide, "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 0
    assert ("data/permits.csv:5:3: warning: Phone has no figure in the last 3 periods (October to December 2024), "
            "while other channels have figures: they are read as missing, so the latest digital take-up is for "
            "September 2024\n    hint: if phone closed after September 2024, write - in those cells") in out
    permits = services(config)["permits"]
    assert [p.digital_take_up for p in permits.periods] == [80.0, 90.0, 70.0, None, None, None]
    assert permits.kpis["digital_take_up"].period_label == "September 2024"
    build_site(config, tmp_path / "site")
    page = (tmp_path / "site/services/permits/index.html").read_text()
    assert ("<p>Phone has no figure for 3 of the periods in July to December 2024: the shares above are of the "
            "figures there are, so they lean towards the other channels.</p>") in page

    # Written '-' but for one cell: the blank one is named, not six 'blank' cells that say '-'.
    (tmp_path / "data/permits.csv").write_text(wide.replace("100,\n", "100,-\n").replace("120,\n", "120,-\n"))
    assert ("data/permits.csv:6:3: warning: Phone has no figure in the last 3 periods, 2 of them written - and 1 not "
            "(the first in November 2024) (October to December 2024)") in run(config, "check")[1]
    # Other marks of no data say a figure is missing, not that the channel closed (a council's 'TBC'
    # under missing: had read as closed, and take-up as 100%).
    tbc = "sources:\n  - file: permits.csv\n    columns: {period: Month}\n    missing: [TBC]\n    wide:\n      columns: '{channel}'\n"
    config = site(tmp_path, tbc, {"data/permits.csv": wide.replace(",\n", ",TBC\n"), "content/services/permits.yaml": PERMITS})
    assert "Phone has no figure in the last 3 periods (October to December 2024)" in run(config, "check")[1]
    assert [p.digital_take_up for p in services(config)["permits"].periods][3:] == [None, None, None]
    (tmp_path / "data/permits.csv").write_text(wide.replace(",\n", ",-\n"))
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    permits = services(config)["permits"]
    assert [p.digital_take_up for p in permits.periods] == [80.0, 90.0, 70.0, 100.0, 100.0, 100.0]
    assert (permits.kpis["digital_take_up"].value, permits.kpis["digital_take_up"].period_label) == (
        100.0, "December 2024")
    assert not any(share.gaps for share in permits.channel_split)
    long = "period,channel,transactions\n" + "".join(
        f"2024-{i + 7:02d},online,{o}\n" + (f"2024-{i + 7:02d},phone,{p}\n" if p != "" else "")
        for i, (_, o, p) in enumerate(rows))
    plain = site(tmp_path / "long", "", {"data/permits.csv": long, "content/services/permits.yaml": PERMITS})
    assert [p.digital_take_up for p in services(plain)["permits"].periods] == [80.0, 90.0, 70.0, 100.0, 100.0, 100.0]
    # Rows stopping one or two periods before the others' are late figures, not a closed channel: a
    # library's e-book row not yet in for March made its take-up 0.0%, 'worse'. Those periods have
    # some channels' figures missing, so take-up is no data there, and the latest is September's.
    for stop in (4, 5):  # phone's rows stop before November, or before December
        late = "period,channel,transactions\n" + "".join(
            f"2024-{i + 7:02d},online,{o}\n" + (f"2024-{i + 7:02d},phone,{10}\n" if i < stop else "")
            for i, (_, o, _) in enumerate(rows))
        (tmp_path / "long/data/permits.csv").write_text(late)
        permits = services(plain)["permits"]
        # July: 80 of 90 online; August 90 of 100; September 70 of 80; October 100 of 110; November
        # 110 of 120; then missing.
        assert [p.digital_take_up for p in permits.periods][:stop] == pytest.approx(
            [800 / 9, 90.0, 87.5, 1000 / 11, 1100 / 12][:stop])
        assert [p.digital_take_up for p in permits.periods][stop:] == [None] * (6 - stop)
        assert [p.complete for p in permits.periods][stop:] == [False] * (6 - stop)
        assert permits.kpis["digital_take_up"].period_label == ("October 2024" if stop == 4 else "November 2024")
        assert run(plain, "check", "--strict")[0] == 0  # as a blank cell is: no warning for a month or two


def test_a_cost_marked_not_requested_throughout_is_not_estimated_nor_saved_on(tmp_path):
    """'***' in every cost cell published a cost estimated from the channels' unit costs (£3.44,
    'estimate'), and the savings section an estimated yearly cost, where the service's YAML
    saying not_requested: [cost_per_transaction] gave 'not requested': two ways of saying one thing."""
    costs = CHANNELS.replace("digital: true\n", "digital: true\n    unit_cost: 0.5\n").replace(
        "label: Phone\n", "label: Phone\n    unit_cost: 4\n")
    csv_text = "period,channel,transactions,cost\n" + "".join(  # a whole year: it may have savings
        f"2025-{m:02d},online,{20 + m},***\n2025-{m:02d},phone,10,***\n" for m in range(1, 13))
    config = write_site(tmp_path, {"config.yaml": costs, **COUNCIL, "data/permits.csv": csv_text,
                                   "content/services/permits.yaml": PERMITS})
    permits = services(config)["permits"]
    cost = permits.kpis["cost_per_transaction"]
    assert cost.status == "not_requested" and cost.value is None and not cost.estimated
    assert permits.savings is None
    assert "cost_per_transaction" in permits.not_requested
    # Marked in November and December: October is estimated, as any period with no cost is; those
    # two stay 'not requested', never estimated.
    (tmp_path / "data/permits.csv").write_text(csv_text.replace(",***", ",").replace(
        "2025-11,phone,10,", "2025-11,phone,10,***").replace("2025-12,phone,10,", "2025-12,phone,10,***"))
    permits = services(config)["permits"]
    cost = permits.kpis["cost_per_transaction"]
    assert cost.estimated and permits.savings is not None and cost.period_label == "October 2025"
    assert cost.value == pytest.approx((30 * 0.5 + 10 * 4) / 40)
    assert [p.cost_per_transaction is None for p in permits.periods][-3:] == [False, True, True]
    assert [sorted(p.not_requested) for p in permits.periods][-3:] == [[], ["cost_per_transaction"],
                                                                        ["cost_per_transaction"]]
    (tmp_path / "data/permits.csv").write_text(csv_text.replace(",***", ","))  # no costs at all: estimated
    permits = services(config)["permits"]
    assert permits.kpis["cost_per_transaction"].estimated
    assert permits.kpis["cost_per_transaction"].value == pytest.approx((32 * 0.5 + 10 * 4) / 42)
    assert permits.savings is not None
    (tmp_path / "content/services/permits.yaml").write_text(PERMITS + "not_requested: [cost_per_transaction]\n")
    assert services(config)["permits"].savings is None


def test_the_savings_section_says_how_its_estimate_differs_from_the_services_own_cost(tmp_path):
    """A service publishing its own costs had two yearly costs, one in the cost report and an
    estimate from typical unit costs in its savings section, with nothing reconciling them."""
    costs = CHANNELS.replace("digital: true\n", "digital: true\n    unit_cost: 0.5\n").replace(
        "label: Phone\n", "label: Phone\n    unit_cost: 4\n")
    csv_text = "period,channel,transactions,cost\n" + "".join(  # a whole year: savings need one
        f"2025-{m:02d},online,30,60\n2025-{m:02d},phone,10,90\n" for m in range(1, 13))
    config = write_site(tmp_path, {"config.yaml": costs, **COUNCIL, "data/permits.csv": csv_text,
                                   "content/services/permits.yaml": PERMITS})
    build_site(config, tmp_path / "site")
    page = (tmp_path / "site/services/permits/index.html").read_text()
    assert ("The scenarios need a cost for each channel, so this estimate is worked out from the costs per channel "
            "below, not from the service's cost figures (its cost per transaction is above): the two can differ.") in page
    assert "at an estimated yearly cost of £660 from typical costs per channel." in page  # 12 x (30 x £0.50 + 10 x £4)
    # With the service's own unit costs, its estimate is from its own costs (or some of them).
    (tmp_path / "content/services/permits.yaml").write_text(PERMITS + "unit_costs: {online: 2, phone: 9}\n")
    build_site(config, tmp_path / "site")
    page = (tmp_path / "site/services/permits/index.html").read_text()
    assert "at an estimated yearly cost of £1,800 from the service&#39;s own costs per channel. The scenarios" in page
    (tmp_path / "content/services/permits.yaml").write_text(PERMITS + "unit_costs: {online: 2}\n")
    build_site(config, tmp_path / "site")
    page = (tmp_path / "site/services/permits/index.html").read_text()
    assert "from costs per channel, the service&#39;s own for some. The scenarios" in page  # 30 x £2 + 10 x £4


def test_words_meaning_no_data_get_a_hint_to_declare_them_and_a_percentages_example(tmp_path):
    """'Not surveyed' in a satisfaction column was told to 'write a number such as 1234 or 1,234':
    an odd example for a percentage, and no word of missing:, which reads it for the whole file."""
    csv_text = "period,transactions,satisfaction\n2024-01,100,71%\n2024-02,100,Not surveyed\n"
    config = site(tmp_path, "", {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 1
    assert ("data/permits.csv:3:3: error: 'satisfaction' is not a number: 'Not surveyed'\n    hint: write a "
            "percentage such as 72.5 or 72.5%; leave the cell blank if there is no data, or write *** if it was not "
            "requested; if 'Not surveyed' means no data in this file, add missing: [Not surveyed] in a source for it "
            "in config.yaml (or not_requested: [Not surveyed], if the figure is deliberately not collected): sources: "
            "[{file: permits.csv, missing: [Not surveyed]}]\n") in out
    source = "sources:\n  - file: permits.csv\n    missing: ['Not surveyed']\n"
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert [p.user_satisfaction for p in services(config)["permits"].periods] == [71.0, None]


def test_a_quarterly_survey_beside_monthly_counts_is_charted_by_quarter(tmp_path):
    """A tester's quarterly satisfaction survey beside monthly counts was charted as lone dots, each
    quarter between months of 'no data'. Its chart and table are the quarters alone, joined up."""
    counts = "period,channel,transactions\n" + "".join(f"2024-{m:02d},online,{100 + m}\n" for m in range(1, 13))
    survey = "Quarter,Satisfied\n" + "".join(f"Q{q} 2024,{80 + q}%\n" for q in range(1, 5))
    source = "sources:\n  - file: survey.csv\n    columns: {period: Quarter, satisfaction: Satisfied}\n"
    service = PERMITS.replace("data: permits.csv", "data:\n  - permits.csv\n  - survey.csv")
    config = site(tmp_path, source, {"data/permits.csv": counts, "data/survey.csv": survey,
                                     "content/services/permits.yaml": service})
    permits = services(config)["permits"]
    satisfaction = next(c for c in permits.charts if c.id == "user-satisfaction")
    assert [(row["period"], row["value"]) for row in satisfaction.rows] == [
        ("January to March 2024", 81.0), ("April to June 2024", 82.0), ("July to September 2024", 83.0),
        ("October to December 2024", 84.0)]
    assert (permits.kpis["user_satisfaction"].value, permits.kpis["user_satisfaction"].period_label) == (
        84.0, "October to December 2024")
    transactions = next(c for c in permits.charts if c.id == "transactions")  # the counts' chart keeps its months
    assert len({row["period"] for row in transactions.rows if row.get("value") is not None}) == 12


def test_a_yearly_cost_from_a_finance_file_is_over_the_years_monthly_transactions(tmp_path):
    """A finance system's cost for each financial year, beside monthly counts from another file,
    paired with nothing: the cost card read 'no data' and the year's cost was in no cost report,
    without a word. A year's cost is now over the transactions of its twelve months."""
    months = [f"{2023 + (m < 4)}-{m:02d}" for m in (*range(4, 13), 1, 2, 3)] + \
             [f"{2024 + (m < 4)}-{m:02d}" for m in (*range(4, 13), 1, 2, 3)]
    counts = "period,channel,transactions\n" + "".join(
        f"{p},online,{100 + i % 12}\n{p},phone,50\n" for i, p in enumerate(months))
    finance = 'Year,Cost\n2023/24,"£12,000.00"\n2024/25,"£13,500.00"\n'
    source = "sources:\n  - file: finance.csv\n    columns: {period: Year, cost: Cost}\n"
    service = PERMITS.replace("data: permits.csv", "data:\n  - permits.csv\n  - finance.csv")
    config = site(tmp_path, source, {"data/permits.csv": counts, "data/finance.csv": finance,
                                     "content/services/permits.yaml": service})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    cost = services(config)["permits"].kpis["cost_per_transaction"]
    # Each year: online 100 + ... + 111 = 1,266 and phone 12 x 50 = 600, so 1,866 transactions.
    assert (cost.value, cost.period_label, cost.estimated) == (pytest.approx(13500 / 1866), "April 2024 to March 2025",
                                                               False)
    assert (cost.previous_value, cost.previous_period_label) == (pytest.approx(12000 / 1866), "April 2023 to March 2024")
    build_site(config, tmp_path / "site")
    report = (tmp_path / "site/data/costs-2024-25.csv").read_text().splitlines()
    assert "service,permits,Permits,council,2024/25,1866,13500,7.23472668810289,false,12,12,false,1866," in report
    # The years are the cost chart's points, and in the open data; the monthly charts and tables have
    # no row for them (they had broken every line and read as years of counts missing).
    charts = tmp_path / "site/data/charts/services/permits"
    assert (charts / "cost-per-transaction.csv").read_text().splitlines()[1:] == [
        "April 2023 to March 2024,2023-04-01,2024-03-31,6.43086816720257",
        "April 2024 to March 2025,2024-04-01,2025-03-31,7.23472668810289"]
    assert "to March" not in (charts / "transactions.csv").read_text()
    assert "to March" not in (charts / "digital-take-up.csv").read_text()
    assert "2024/25,2024-04-01,2025-03-31,,,,7.23" in (tmp_path / "site/data/services.csv").read_text()
    # The year's cost and, in another file, its quarters' too: the report counts the year's once, not both.
    (tmp_path / "data/quarters.csv").write_text("period,cost\n" + "".join(
        f"Q{q} 2024/25,{3000 + 100 * q}\n" for q in (1, 2, 3, 4)))
    (tmp_path / "content/services/permits.yaml").write_text(service + "  - quarters.csv\n")
    build_site(config, tmp_path / "site")
    report = (tmp_path / "site/data/costs-2024-25.csv").read_text().splitlines()
    assert "service,permits,Permits,council,2024/25,1866,13500,7.23472668810289,false,12,12,false,1866," in report
    # A year whose months are not all counted has no cost per transaction, nor a cost in the report:
    # it would be of some months. (2025/26 has none counted yet.)
    (tmp_path / "content/services/permits.yaml").write_text(service)
    (tmp_path / "data/finance.csv").write_text(finance + '2025/26,"£1,000.00"\n')
    (tmp_path / "data/permits.csv").write_text(counts.replace("2025-02,phone,50\n", "2025-02,phone,\n"))
    cost = services(config)["permits"].kpis["cost_per_transaction"]
    assert (cost.value, cost.period_label) == (pytest.approx(12000 / 1866), "April 2023 to March 2024")
    assert ("content/services/permits.yaml:5:3: warning: service 'permits' has a cost for April 2024 to March 2025, "
            "April 2025 to March 2026 but no transactions counted for the whole of each: no count for February 2025 "
            "(Phone), so those costs are in no cost per transaction, nor in the costs pages' totals") in run(
        config, "check")[1]
    # Each month of the year with no count at all is named too (and the blank channel above); a year with
    # no month counted yet (2025/26 here) has none named.
    (tmp_path / "data/permits.csv").write_text(counts.replace("2025-02,phone,50\n", "2025-02,phone,\n").replace(
        "2024-07,online,103\n2024-07,phone,50\n", ""))
    assert ("but no transactions counted for the whole of each: no count for July 2024, February 2025 (Phone), so "
            "those costs") in run(config, "check")[1]
    (tmp_path / "data/permits.csv").write_text(counts.replace("2025-02,phone,50\n", "2025-02,phone,\n"))
    build_site(config, tmp_path / "site")
    line = next(x for x in (tmp_path / "site/data/costs-2024-25.csv").read_text().splitlines() if ",permits," in x)
    # No cost per transaction and in no total, but the year's cost as published is on its row: a
    # tester's finance export's £40,127.31 had read 'no data', which says nothing was published.
    assert line.split(",")[6] == "" and line.split(",")[7] == "" and line.split(",")[-1] == "13500"
    assert next(x for x in (tmp_path / "site/data/costs-2024-25.csv").read_text().splitlines()
                if x.startswith("organisation,")).split(",")[6] == ""
    page = " ".join((tmp_path / "site/costs/2024-25/index.html").read_text().split())
    assert ("cost not in the totals: not every month's transactions are counted</span></th><td><a href=\"../../"
            "organisations/council/\">Test Council</a></td><td class=\"num\">1,816</td><td class=\"num\">£13,500</td>"
            "<td class=\"num missing\">no data</td>") in page  # 1,866 less February's 50 by phone
    # A year not paired with its months (one still to come, mid-year) is kept out of the monthly
    # charts too, and out of 'Data covers', as the page shows no figure of it: a council tester's
    # page had said 'April 2024 to March 2025' beside figures up to September 2024. (2023/24's
    # cost, paired, is shown: its year is covered.)
    assert "to March" not in (tmp_path / "site/data/charts/services/permits/transactions.csv").read_text()
    assert "<dt>Data covers</dt> <dd>April 2023 to March 2025</dd>" in " ".join(
        (tmp_path / "site/services/permits/index.html").read_text().split())
    # A year's cost for one channel only is not the service's cost (as a month's would not be), and
    # one channel's cost marked not requested makes the year's not requested in the cost report.
    (tmp_path / "data/permits.csv").write_text(counts)
    (tmp_path / "data/finance.csv").write_text("Year,Channel,Cost\n2024/25,phone,10000\n2024/25,online,***\n")
    source = "sources:\n  - file: finance.csv\n    columns: {period: Year, channel: Channel, cost: Cost}\n"
    config = site(tmp_path, source, {})
    cost = services(config)["permits"].kpis["cost_per_transaction"]
    assert cost.value is None and not cost.estimated
    assert ("has a cost for April 2024 to March 2025 but not for every channel its months count (a channel's cost "
            "missing, or marked not requested)") in run(config, "check")[1]
    build_site(config, tmp_path / "site")
    line = next(x for x in (tmp_path / "site/data/costs-2024-25.csv").read_text().splitlines() if ",permits," in x)
    assert line.endswith(",false,12,,true,,")  # no cost, not requested
    (tmp_path / "data/finance.csv").write_text("Year,Channel,Cost\n2024/25,phone,10000\n2024/25,online,3500\n")
    assert services(config)["permits"].kpis["cost_per_transaction"].value == pytest.approx(13500 / 1866)


def test_two_files_with_different_figures_for_a_month_name_both(tmp_path):
    """A second year's file repeating the last month of the first with another figure was 'two
    different values of transactions for 2024-03 in its data files', at the service's YAML: which
    files, which lines, which figures, it did not say."""
    first = "period,channel,transactions\n2024-02,online,400\n2024-03,online,450\n"
    second = "period,channel,transactions\n2024-03,online,999\n2024-04,online,470\n"
    service = PERMITS.replace("data: permits.csv", "data:\n  - permits.csv\n  - permits-2024-25.csv")
    config = site(tmp_path, "", {"data/permits.csv": first, "data/permits-2024-25.csv": second,
                                 "content/services/permits.yaml": service})
    code, out = run(config, "check")
    assert code == 1
    assert ("data/permits.csv:3: error: service 'permits' has two different values of transactions for March "
            "2024 'online': 450 here and 999 in permits-2024-25.csv (line 2)\n    hint: a period in two of its files must "
            "have the same figures") in out
    (tmp_path / "data/permits-2024-25.csv").write_text(second.replace("999", "450"))
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert [p.transactions for p in services(config)["permits"].periods] == [400, 450, 470]


def test_a_total_names_its_12_months_only_when_every_service_ends_in_them(tmp_path):
    """A directorate whose one service ends in November was said to total 'the 12 months to
    December 2024', the site's latest month, beside a row reading 'latest data: November 2024'."""
    year = lambda last: "period,channel,transactions\n" + "".join(  # noqa: E731
        f"2024-{m:02d},online,{10 * m}\n" for m in range(1, last + 1))
    roads = "name: Roads\nkind: directorate\nparent: council\n"
    fines = PERMITS.replace("name: Permits", "name: Fines").replace("organisation: council", "organisation: roads") \
        .replace("permits.csv", "fines.csv")
    config = site(tmp_path, "", {"data/permits.csv": year(12), "data/fines.csv": year(11),
                                 "content/services/permits.yaml": PERMITS, "content/services/fines.yaml": fines,
                                 "content/organisations/roads.yaml": roads})
    model = prepare(config).model
    assert model.totals.ends_in is None and model.totals.older == 0  # 30 days apart: not 'older' either
    assert next(o for o in model.organisations if o.slug == "roads").totals.ends_in == "November 2024"
    build_site(config, tmp_path / "site")
    home = (tmp_path / "site/index.html").read_text()
    assert "the 12 months to" not in home
    # Its one service has 11 of the 12 months (the next line says its year is incomplete): 'up to'.
    assert "<dd class=\"headline-figures__detail\">up to November 2024</dd>" in (
        tmp_path / "site/organisations/roads/index.html").read_text()


@pytest.mark.parametrize("rows, hint", [
    ("Q1 2024/25,10\nQ2 2024/25,12\nQ3 2024/25,14\n2024/25,36\n",
     "a row for April 2024 to March 2025 among shorter periods is likely a total: leave such rows out with exclude:"),
    ("Q1 2024/25,10\nQ2 2024/25,12\nQ3 2024/25,14\n2024-12,5\n",
     "use one kind of period per service: correct the odd one, or leave its row out with exclude:"),
    ("2008/09,10\n2009/10,12\n2010-11,14\n2011/12,16\n",
     "'2010-11' reads as November 2010: if it is the financial year 2010/11, write it so"),
])
def test_periods_of_two_kinds_in_rows_get_a_hint_that_fits(tmp_path, rows, hint):
    """A finance export's year total row among quarters was told to 'head it just Total' (a column's
    remedy), and a month among quarters that it was 'likely a total'."""
    config = site(tmp_path, "", {"data/permits.csv": "period,transactions\n" + rows,
                                 "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 1 and "mixes periods of different kinds" in out
    assert f"hint: {hint}" in out or hint in out.split("hint: ", 1)[1], out


def test_a_channel_closed_before_the_latest_year_has_none_in_its_channel_split(tmp_path):
    """Post closed (written '-') before the latest 12 months: the channel table read 'no data' for
    it, as if its figures were missing, beside its share the year before."""
    months = [f"{2023 + (i + 6) // 12}-{(i + 6) % 12 + 1:02d}" for i in range(18)]  # July 2023 to December 2024
    wide = "Month,Online,Phone\n" + "".join(f"{m},100,{20 if i < 6 else '-'}\n" for i, m in enumerate(months))
    source = "sources:\n  - file: permits.csv\n    columns: {period: Month}\n    wide:\n      columns: '{channel}'\n"
    config = site(tmp_path, source, {"data/permits.csv": wide, "content/services/permits.yaml": PERMITS})
    split = {s.channel.id: (s.transactions, s.share) for s in services(config)["permits"].channel_split}
    assert split == {"online": (1200.0, 100.0), "phone": (0.0, 0.0)}
    # The page says why it is none (a tester read 'Post 0, 0.0%' with no word of its closing).
    build_site(config, tmp_path / "site")
    page = (tmp_path / "site/services/permits/index.html").read_text()
    assert "<p>Phone has no figures after December 2023, so it counts as none since then.</p>" in page
    assert "Online has no figures" not in page
    # A later month of satisfaction alone is no later transactions: no channel is said to stop.
    (tmp_path / "data/permits.csv").write_text("period,channel,transactions,satisfaction\n" + "".join(
        f"{m},online,100,\n{m},phone,20,\n" for m in months) + "2025-01,online,,80\n")
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text().split("sources:")[0])
    build_site(config, tmp_path / "site")
    assert "has no figures after" not in (tmp_path / "site/services/permits/index.html").read_text()


def test_a_service_missing_from_its_second_file_is_not_said_to_have_no_data(tmp_path):
    """A typo in the finance file's service name was told 'the service is shown with no data', while
    its page showed its counts (and an estimated cost in place of the one the file held)."""
    counts = "period,channel,transactions\n2024-01,online,10\n2024-01,phone,5\n"
    finance = "Service,Year,Cost\nPermitz,2023/24,100\n"
    source = "sources:\n  - file: finance.csv\n    columns: {service: Service, period: Year, cost: Cost}\n"
    service = PERMITS.replace("data: permits.csv", "data:\n  - permits.csv\n  - {file: finance.csv, service: Permits}")
    config = site(tmp_path, source, {"data/permits.csv": counts, "data/finance.csv": finance,
                                     "content/services/permits.yaml": service})
    out = run(config, "check")[1]
    assert ("warning: no rows for 'Permits' in the service column of finance.csv, so none of its figures are shown "
            "for the service\n    hint: did you mean Permitz?") in out


def test_a_misspelt_service_in_its_only_file_is_an_error(tmp_path):
    """'Register land with RPA' against the file's 'Register land with the RPA': a warning, then exit 0
    and a service published with every figure 'no data'. In the service's only file, with a name
    close to it, it is an error (in one of several files, as above, a warning)."""
    long = "service,period,channel,transactions\nRegister land with the RPA,2026-08,online,100\n"
    service = PERMITS.replace("data: permits.csv", "data: {file: long.csv, service: Register land with RPA}")
    config = site(tmp_path, "", {"data/long.csv": long, "content/services/permits.yaml": service})
    code, out = run(config, "check")
    assert code == 1 and ("content/services/permits.yaml:4:7: error: no rows for 'Register land with RPA' in the "
                          "service column of long.csv") in out
    assert "hint: did you mean Register land with the RPA?" in out
    service = service.replace("Register land with RPA", "Something else entirely")
    (tmp_path / "content/services/permits.yaml").write_text(service)
    code, out = run(config, "check")
    assert code == 0 and "warning: no rows for 'Something else entirely'" in out  # a service with no data yet
    # A new service with no rows yet, named like one another service reads ('Register a death' beside
    # 'Register a birth'), is no slip: a warning (a review found a site that built fail here).
    (tmp_path / "data/long.csv").write_text(long.replace("Register land with the RPA", "Register a birth"))
    (tmp_path / "content/services/permits.yaml").write_text(service.replace("Something else entirely",
                                                                            "Register a death"))
    (tmp_path / "content/services/births.yaml").write_text(service.replace("Something else entirely",
                                                                           "Register a birth"))
    code, out = run(config, "check")
    assert code == 0 and "warning: no rows for 'Register a death'" in out, out


def test_money_with_a_point_between_its_thousands_is_a_warning(tmp_path):
    """A tester's 'Net cost' of 2,688.50 for the phone one year and '1.981' the next (1,981, as much
    of Europe writes it) was published as a cost per transaction of £0.11, not £0.63, without a word.
    A figure to three places in groups of three that is about a thousandth of its channel's others is
    warned of, each, and --strict fails. A warning, not an error (a review): a launch month's 15
    transactions at 12.5p cost 1.875, rightly; '0.875', figures in thousands (multiply:) and a
    column written to three places throughout are not told."""
    csv_text = ("period,channel,transactions,cost\n"
                '2021/22,online,"1,850","277.50"\n2021/22,phone,"1,200","3.396"\n2021/22,face_to_face,400,"4.840"\n'
                '2022/23,online,"2,300","345.00"\n2022/23,phone,950,"2,688.50"\n2022/23,face_to_face,300,"3,630.00"\n'
                '2023/24,online,"2,900","435.00"\n2023/24,phone,700,"1.981"\n2023/24,face_to_face,200,"3,100.00"\n')
    config = site(tmp_path, "", {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 0 and out.count("written with a point between its thousands") == 3, out
    assert ("data/permits.csv:3:4: warning: 'cost' looks like a sum of money written with a point between its "
            "thousands: '3.396', read as 3.396\n    hint: a point is read as a decimal point, and 3.396 is about a "
            "thousandth of this column's other figures for the same service and channel: if it is 3,396, write "
            "3396 or 3,396; if it is 3.396, accept this warning") in out
    assert "data/permits.csv:4:4: warning: 'cost' looks like" in out and "data/permits.csv:9:4: warning: 'cost'" in out
    assert run(config, "check", "--strict")[0] == 1
    # As the hint says: written 1,981 it is read so (2023/24: 435 + 1,981 + 3,100 over 3,800 = £1.45).
    (tmp_path / "data/permits.csv").write_text(csv_text.replace('"3.396"', '"3,396"').replace('"4.840"', "4840")
                                               .replace('"1.981"', '"1,981"'))
    assert run(config, "check", "--strict")[0] == 0
    assert services(config)["permits"].kpis["cost_per_transaction"].value == pytest.approx(5516 / 3800)
    quiet = {  # none of these is told
        "own size": "period,channel,transactions,cost_per_transaction\n2024-01,phone,100,2.100\n"
                    "2024-02,phone,100,1.981\n2024-03,phone,100,2.350\n",
        "leading zero": "period,channel,transactions,cost\n2024-01,online,5000,625\n2024-02,online,5400,675\n"
                        "2024-03,online,7,0.875\n",
        "three places throughout": "period,channel,transactions,cost\n2024-01,online,5000,2500.000\n"
                                   "2024-02,online,5400,2700.000\n2024-03,online,30,15.000\n",
    }
    for name, text in quiet.items():
        (tmp_path / "data/permits.csv").write_text(text)
        assert run(config, "check", "--strict")[0] == 0, name
    thousands = site(tmp_path / "k", "sources:\n  - file: k.csv\n    multiply: {cost: 1000}\n",
                     {"data/k.csv": "period,channel,transactions,cost\n2024-01,online,5000,625.000\n"
                                    "2024-02,online,5400,675.000\n2024-03,online,7,1.875\n",
                      "content/services/permits.yaml": PERMITS.replace("permits.csv", "k.csv")})
    assert "point between its thousands" not in run(thousands, "check")[1]


def test_a_count_with_a_point_between_its_thousands_is_an_error(tmp_path):
    """'1.263' (1,263, as much of Europe writes it) was read as 1.263 with only a warning: a tester's
    Edinburgh published 1 request, down 99.9%, and a completion rate of 81,789%. A column whose
    other fractions are decimals ('1033.333') is decimals throughout: a warning."""
    csv_text = "period,channel,transactions\n2024-01,online,1.263\n2024-02,online,2.500\n2024-03,online,1.263.456\n"
    config = site(tmp_path, "", {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 1
    assert ("data/permits.csv:2:3: error: 'transactions' is a count written with a point between its thousands: "
            "'1.263'\n    hint: a point is read as a decimal point: write the count as 1263 or 1,263") in out
    assert "data/permits.csv:3:3: error: 'transactions' is a count written with a point between its thousands" in out
    assert "data/permits.csv:4:3: error: 'transactions' is not a number: '1.263.456'" in out
    # Beside '1033.333' (a quarter spread over its months), '833.333' is a decimal: no error.
    (tmp_path / "data/permits.csv").write_text("period,channel,transactions\n2024-01,online,1033.333\n"
                                               "2024-02,online,833.333\n")
    code, out = run(config, "check")
    assert code == 0 and "is a count but has a fraction: '1033.333' (and 1 more in this column)" in out
    # Judged within each service: another service's small counts do not excuse '12.345' (review).
    many = site(tmp_path / "many", "sources:\n  - file: all.csv\n    services: {name: '{service}', organisation: "
                "council}\n", {"data/all.csv": "service,period,transactions\nTax,2024-01,12.345\nTax,2024-02,13.210\n"
                                                 "Pests,2024-01,45\nPests,2024-02,50\n"})
    code, out = run(many, "check")
    assert code == 1 and "is a count written with a point between its thousands: '12.345'" in out, out
    # Judged within each channel too: a service's small phone counts do not excuse online's '12.345'
    # (a tester's site published 951 transactions a year and a take-up of 2.7%, not 26,273 and 96%).
    (tmp_path / "data/permits.csv").write_text("period,channel,transactions\n2024-04,online,12.345\n"
                                               "2024-04,phone,456\n2024-05,online,13.002\n2024-05,phone,470\n")
    code, out = run(config, "check")
    assert code == 1 and ("data/permits.csv:2:3: error: 'transactions' is a count written with a point between "
                          "its thousands: '12.345'\n    hint: a point is read as a decimal point: write the count "
                          "as 12345 or 12,345") in out, out
    assert "data/permits.csv:4:3: error: 'transactions' is a count written with a point between its thousands: " \
           "'13.002'" in out
    # The same in a file with the channels across (a semicolon export): each channel its own series.
    wide = site(tmp_path / "wide", WIDE_CHANNELS.replace("permits.csv", "permits.csv\n    delimiter: ';'"),
                {"data/permits.csv": "period;Online;Phone\n2024-04;1.234;56\n2024-05;1.300;60\n2024-06;2.050;61\n",
                 "content/services/permits.yaml": PERMITS})
    code, out = run(wide, "check")
    assert code == 1 and ("data/permits.csv:2:2: error: 'transactions' (column 'Online') is a "
                         "count written with a point between its thousands: '1.234'") in out, out
    assert out.count("written with a point between its thousands") == 3, out
    assert "no figure in any period" not in out  # its figures are blank because each is an error: told so
    # ...but another channel of the same lines with no figure at all is still told, at once (a review).
    (tmp_path / "wide/data/permits.csv").write_text("period;Online;Phone;Face to face\n2024-04;1.234;;56\n"
                                                    "2024-05;1.300;;60\n2024-06;2.050;;61\n")
    code, out = run(wide, "check")
    assert code == 1 and "data/permits.csv:2:3: warning: Phone has no figure in any period" in out, out
    assert "Online has no figure" not in out
    # A service with no whole count (a quarter spread over its months) is judged by the file's (review).
    (tmp_path / "many/data/all.csv").write_text("service,period,transactions\nTax,2024-01,833.333\n"
                                                "Tax,2024-02,866.667\nPests,2024-01,910\nPests,2024-02,1020\n")
    code, out = run(many, "check")
    assert code == 0 and "is a count but has a fraction: '833.333'" in out, out
    # Nor among whole counts it would be far beyond as thousands (833,333 beside 910 and 1,020).
    (tmp_path / "data/permits.csv").write_text("period,channel,transactions\n2024-01,online,910\n"
                                               "2024-02,online,833.333\n2024-03,online,1020\n")
    code, out = run(config, "check")
    assert code == 0 and "is a count but has a fraction: '833.333'" in out


def test_an_export_with_headings_alone_is_an_error_and_the_site_is_kept(tmp_path):
    """Next month's export came out with its headings alone: a warning, exit 0, and every service a
    source made from its rows removed from the site. It is an error, and the previous site stays."""
    long = "service,period,channel,transactions\nPermits,2024-01,online,5\nLicences,2024-01,online,7\n"
    source = "sources:\n  - file: long.csv\n    services: {name: '{service}', organisation: council}\n"
    config = site(tmp_path, source, {"data/long.csv": long})
    assert run(config, "build", "--output", str(tmp_path / "site"))[0] == 0
    before = {p: p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    assert (tmp_path / "site/services/licences/index.html") in before
    (tmp_path / "data/long.csv").write_text("service,period,channel,transactions\n")
    code, out = run(config, "build", "--output", str(tmp_path / "site"))
    assert code == 1 and "data/long.csv:1: error: the file has headings but no rows" in out
    assert {p: p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()} == before


def test_next_months_file_of_a_pattern_made_ready_with_headings_alone_is_a_warning(tmp_path):
    """One file of a pattern with its headings alone (made ready for next month) removes nothing: a
    warning (a review found such a site failing); every file empty is an error."""
    source = AE_PATTERN
    files = {"data/ae/ae-2026-01.csv": "Trust,Attendances\nNorth,100\n",
             "data/ae/ae-2026-02.csv": "Trust,Attendances\n"}
    config = site(tmp_path, source, files)
    code, out = run(config, "check")
    assert code == 0 and ("data/ae/ae-2026-02.csv:1: warning: the file has headings but no rows, so it adds "
                          "nothing") in out, out
    (tmp_path / "data/ae/ae-2026-01.csv").write_text("Trust,Attendances\n")
    code, out = run(config, "check")
    assert code == 1 and "data/ae/ae-2026-01.csv:1: error: the file has headings but no rows" in out


def test_a_utf16_export_is_read_and_one_without_its_mark_is_an_error(tmp_path):
    """Excel's 'Unicode Text' is UTF-16 with a byte order mark: it was blamed on Windows-1252, and
    following that hint gave headings full of NULs. It is read as what it is; without the mark, an
    error says what the file is."""
    text = "period\tchannel\ttransactions\n2024-01\tonline\t5\n2024-01\tphone\t3\n"
    source = "sources:\n  - file: permits.csv\n    delimiter: tab\n"
    config = site(tmp_path, source, {"data/permits.csv": text.encode("utf-16"),
                                     "content/services/permits.yaml": PERMITS})
    assert run(config, "check", "--strict")[0] == 0
    assert [p.transactions for p in services(config)["permits"].periods] == [8]
    (tmp_path / "data/permits.csv").write_bytes(text.encode("utf-16-le"))
    code, out = run(config, "check")
    assert code == 1 and "data/permits.csv:1: error: this file is UTF-16 text without a byte order mark" in out


def test_an_old_mac_file_is_at_its_line_and_a_bytes_codec_or_wrong_utf16_is_an_error(tmp_path):
    """Files a tester met: an old Mac export (lines ending in CR alone, Mac Roman text) had its bad
    byte at 'line 1:5210' and a hint naming only utf-8 and windows-1252; encoding: rot13 (a codec,
    but not of text) was a traceback; encoding: utf-16 on a one-byte file was 'field larger than
    field limit'."""
    text = "period,channel,transactions\r2024-01,online,5\r2024-02,caf\x8d,6\r".encode("latin-1")
    source = "sources:\n  - file: permits.csv\n    encoding: windows-1252\n"
    config = site(tmp_path, source, {"data/permits.csv": text, "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 1 and ("data/permits.csv:3:2: error: not windows-1252 text (byte b'\\x8d')\n    hint: its lines "
                          "end as an old Mac's do, so it is likely Mac Roman text: set encoding: mac_roman") in out
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text().replace("windows-1252", "mac_roman"))
    assert run(config, "check")[0] == 1  # 'caf\u00e7' is read now, and is no channel: an error of another kind
    assert "not mac_roman text" not in run(config, "check")[1]
    (tmp_path / "data/permits.csv").write_text("period,channel,transactions\n2024-01,online,5\n")
    for codec in ("rot13", "hex"):
        (tmp_path / "config.yaml").write_text(re.sub(r"encoding: \S+", f"encoding: {codec}",
                                                     (tmp_path / "config.yaml").read_text()))
        code, out = run(config, "check")
        assert code == 1 and f"error: unknown encoding '{codec}'" in out and "Traceback" not in out
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text().replace("hex", "utf-16"))
    code, out = run(config, "check")
    assert code == 1 and "data/permits.csv:1: error: this file is not utf-16 text: its characters are one byte" in out


def test_a_semicolon_file_read_with_commas_is_told_its_delimiter(tmp_path):
    """A semicolon export with delimiter: forgotten listed its one heading, 'a;b;c', as the file's
    headings: the hint now says which delimiter to add."""
    text = "Month;Service;Calls\n2024-01;Permits;5\n"
    source = "sources:\n  - file: permits.csv\n    columns: {period: Month, service: Service, transactions: Calls}\n"
    config = site(tmp_path, source, {"data/permits.csv": text, "content/services/permits.yaml": PERMITS.replace(
        "data: permits.csv", "data: {file: permits.csv, service: Permits}")})
    code, out = run(config, "check")
    assert code == 1 and ("hint: the file's cells are separated by ';', not commas: add delimiter: ';' to its entry "
                          "under sources: in config.yaml") in out
    (tmp_path / "data/permits.csv").write_text(text.replace(";", "\t"))
    assert "add delimiter: tab to its entry" in run(config, "check")[1]
    # A file with no entry under sources: is told the entry to write.
    config = site(tmp_path / "plain", "", {"data/permits.csv": "period;channel;transactions\n2024-01;online;5\n",
                                           "content/services/permits.yaml": PERMITS})
    assert ("hint: the file's cells are separated by ';', not commas: describe it in config.yaml, sources: "
            "[{file: permits.csv, delimiter: ';'}]") in run(config, "check")[1]
    # A comma in its cells ('1,234', '£12.50' in a semicolon export; Excel's 'Unicode Text', tabs in
    # UTF-16) split a row in two, which looked like headings below a title: the hint was header_row: 2,
    # which led nowhere (a tester). The delimiter is told, alone, and the hint's entry reads the file.
    messy = "period;channel;transactions;cost\r\n2024-04;online;1,234;£12.50\r\n2024-04;phone;300;£600.00\r\n"
    (tmp_path / "plain/data/permits.csv").write_text(messy, newline="")
    code, out = run(config, "check")
    assert code == 1 and ("data/permits.csv:1: error: the file is read as a single column\n    hint: the file's "
                          "cells are separated by ';', not commas: describe it in config.yaml, sources: [{file: "
                          "permits.csv, delimiter: ';'}]") in out, out
    assert "title" not in out and "header_row" not in out and "row has" not in out and out.count("error:") == 1, out
    (tmp_path / "plain/data/permits.csv").write_bytes("period\tchannel\ttransactions\r\n2024-04\tonline\t1,234\r\n"
                                                      "2024-04\tphone\t300\r\n".encode("utf-16"))
    code, out = run(config, "check")
    assert code == 1 and "the file's cells are separated by tabs, not commas" in out and "title" not in out, out
    # A source whose mapping needs no heading but the period's (channels across) had found nothing
    # wrong: exit 0, even with --strict, and the service published with no data (a review).
    across = site(tmp_path / "across", WIDE_CHANNELS, {"data/permits.csv": "period;Online;Phone\n2024-04;1,234;56\n"
                                                       "2024-05;300;60\n2024-06;400;60\n",
                                                       "content/services/permits.yaml": PERMITS})
    code, out = run(across, "check", "--strict")
    assert code == 1 and ("data/permits.csv:1: error: the file is read as a single column\n    hint: the file's cells "
                          "are separated by ';', not commas: add delimiter: ';' to its entry under sources: in "
                          "config.yaml") in out, out
    (tmp_path / "plain/data/permits.csv").write_text(messy, newline="")
    (tmp_path / "plain/config.yaml").write_text((tmp_path / "plain/config.yaml").read_text()
                                                + "sources:\n  - file: permits.csv\n    delimiter: ';'\n")
    out_dir = tmp_path / "plain/site"
    code, out = run(config, "build", "--output", str(out_dir))
    assert code == 0, out
    page = (out_dir / "services/permits/index.html").read_text()
    assert "1,534" in page and "80.4%" in page, out  # 1,234 + 300; 1,234 / 1,534 online
    # £612.50 over 1,534 transactions: £0.40 each
    assert "£0.40" in page


def test_headings_repeated_after_a_page_break_are_passed_over_with_a_warning(tmp_path):
    """An export that repeats its headings after each page break got an error for each of the
    repeat's cells ("'period' is not a period I recognise: 'period'"), three for one line (a tester).
    The repeats are passed over, with one warning saying where, and every figure is read."""
    csv_text = ("period,channel,transactions\n2024-01,online,5\n2024-01,phone,5\nperiod,channel,transactions\n"
                "2024-02,online,6\n\"period\",channel,transactions\n2024-03,online,7\n")
    config = site(tmp_path, "", {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    code, out = run(config, "build", "--output", str(tmp_path / "site"))
    assert code == 0 and ("data/permits.csv:4: warning: line 4 repeats the headings, so it is passed over (and 1 "
                          "more line)\n    hint: an export that repeats its headings after each page break") in out, out
    assert "not a period" not in out
    rows = (tmp_path / "site/data/services/permits.csv").read_text()
    assert [line[:7] for line in rows.strip().split("\n")[1:]] == ["2024-01", "2024-01", "2024-02", "2024-03"], rows


def test_one_rate_written_as_a_fraction_among_percentages_is_a_warning(tmp_path):
    """0.926 among completion rates of about 92 was published as 0.9%, 'down 91.3 points, worse',
    without a word."""
    csv_text = ("period,channel,transactions,completion_rate\n2024-01,online,10,91\n2024-02,online,10,0.926\n"
                "2024-03,online,10,93.5\n")
    config = site(tmp_path, "", {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 0 and ("data/permits.csv:3:4: warning: 'completion_rate' is '0.926' among percentages, so it is "
                          "read as 0.926%\n    hint: a fraction?") in out
    (tmp_path / "data/permits.csv").write_text(csv_text.replace("0.926", "92.6"))
    assert "among percentages" not in run(config, "check")[1]
    # A new channel's genuine small take-up (0.4%, then 0.6%, rising to 55%) is not (found in review).
    rising = "period,channel,transactions,digital_take_up\n" + "".join(
        f"2024-{m:02d},,10,{v}\n" for m, v in enumerate([0.4, 0.6, 0.9, 1.5, 3, 8, 20, 55], start=1))
    (tmp_path / "data/permits.csv").write_text(rising)
    assert "among percentages" not in run(config, "check")[1]
    # Two in a row are each judged against the whole figures either side (found in review).
    twice = csv_text.replace("2024-03,online,10,93.5\n", "2024-03,online,10,0.93\n2024-04,online,10,93.5\n")
    (tmp_path / "data/permits.csv").write_text(twice)
    assert "is '0.926' among percentages, so it is read as 0.926% (and 1 more in this column)" in run(
        config, "check")[1]


def test_a_second_download_of_a_file_of_a_pattern_is_read_once_and_told(tmp_path):
    """'2020 (1).csv' beside '2020.csv', the same rows: each service's row was told as repeated,
    naming 2020.csv, never the copy. The copy is told once and left out; two years that happen to
    hold the same figures are two years."""
    source = AE_PATTERN
    same = "Trust,Attendances\nNorth,100\nSouth,4\n"
    files = {"data/ae/2020.csv": same, "data/ae/2020 (1).csv": same, "data/ae/2021.csv": same}
    config = site(tmp_path, source, files)
    code, out = run(config, "check")
    assert code == 0 and out.count("warning:") == 1, out
    assert ("data/ae/2020 (1).csv: warning: this file holds the same rows as 2020.csv, so they are read once\n"
            "    hint: a second download of the same file? remove it") in out
    assert [p.transactions for p in services(config)["north"].periods] == [100, 100]  # 2020 and 2021, once each
    # Where files are added up (a ward each), two alike by chance both count: the copy is only told.
    config.write_text(config.read_text().replace("    services:", "    combine: sum\n    services:"))
    code, out = run(config, "check")
    assert "data/ae/2020 (1).csv: warning: this file holds the same rows as 2020.csv, and combine: sum adds both in" \
        in out, out
    assert [p.transactions for p in services(config)["north"].periods] == [200, 100]


def test_a_service_name_differing_only_in_capitals_is_told_how_to_make_them_one(tmp_path):
    """'Ministry of justice' in one row beside 'Ministry of Justice': a second service, with a hint to
    set services: slug: (no help). The warning says they differ only in capitals, and how to join them."""
    source = ("sources:\n  - file: foi.csv\n    columns: {service: Body, period: Quarter, transactions: Requests}\n"
              "    services: {name: '{Body}', organisation: council}\n")
    csv_text = "Quarter,Body,Requests\nQ1 2024,Ministry of Justice,5\nQ2 2024,Ministry of justice,6\n"
    config = site(tmp_path, source, {"data/foi.csv": csv_text})
    code, out = run(config, "check")
    assert ("data/foi.csv:3: warning: service 'Ministry of justice' would have the web address 'ministry-of-justice', "
            "already used by 'Ministry of Justice', which differs only in capitals, accents or spaces; it gets "
            "'ministry-of-justice-2'\n    hint: if they are one service, write it the same way in every row, or add "
            "replace: {service: {'Ministry of justice': 'Ministry of Justice'}} to the source") in out, out
    config.write_text(config.read_text() + "    replace: {service: {'Ministry of justice': 'Ministry of Justice'}}\n")
    code, out = run(config, "check", "--strict")
    assert code == 0, out  # and no second, empty service (a review found one, made before replace:)
    made = services(config)
    assert [p.transactions for p in made["ministry-of-justice"].periods] == [5, 6]
    assert "ministry-of-justice-2" not in made
    # The name made from the corrected column is corrected too (its first row had named it).
    config.write_text(config.read_text().replace("{'Ministry of justice': 'Ministry of Justice'}",
                                                 "{'Ministry of Justice': 'Ministry of justice'}"))
    assert services(config)["ministry-of-justice"].name == "Ministry of justice"


def test_a_years_total_among_four_week_periods_is_an_error(tmp_path):
    """A year's total row among a file's four-week periods (as TfL publishes them) was a warning, and
    the cost report counted the year twice (24 months). It overlaps the periods it totals: an error.
    Among rolling years, which overlap each other anyway, an odd length stays a warning (above)."""
    from datetime import date, timedelta

    start = date(2023, 4, 1)
    rows = []
    for i in range(13):
        end = start + timedelta(days=27)
        rows.append(f"{start:%d/%m/%Y},{end:%d/%m/%Y},100")
        start = end + timedelta(days=1)
    rows.append("01/04/2023,29/03/2024,1300")
    source = ("sources:\n  - file: permits.csv\n    columns: {period: '{From} to {To}', transactions: Journeys}\n")
    config = site(tmp_path, source, {"data/permits.csv": "From,To,Journeys\n" + "\n".join(rows) + "\n",
                                     "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 1 and ("data/permits.csv:15:1: error: period '1 April 2023 to 29 March 2024' covers 12 months, but "
                          "most periods here cover 1, and it overlaps 13 of them, so their figures would be counted "
                          "twice") in out, out
    # A file of rolling years is one whatever the service: one service's first half year beside its
    # rolling year, in a file whose other service's years overlap, is told, not an error (review).
    rolling = ("Service,From,To,Volume\nBins,01/04/2023,31/03/2024,100\nBins,01/07/2023,30/06/2024,110\n"
               "Garden,01/10/2023,31/03/2024,40\nGarden,01/07/2023,30/06/2024,90\n")
    source = ("sources:\n  - file: rolling.csv\n    columns: {service: Service, period: '{From} to {To}', "
              "transactions: Volume}\n    services: {name: '{Service}', organisation: council}\n")
    config = site(tmp_path / "rolling", source, {"data/rolling.csv": rolling})
    code, out = run(config, "check")
    assert code == 0 and "covers 6 months, but most periods here cover 12" in out, out
    # But a service with years of its own that do not overlap is judged by them: one service's calendar
    # years beside another's financial years do not make its two-year row harmless (found in review).
    years = ("Service,From,To,Volume\nBadges,01/04/2021,31/03/2022,100\nBadges,01/04/2022,31/03/2023,110\n"
             "Badges,01/04/2023,31/03/2024,120\nBadges,01/04/2022,31/03/2024,230\n"
             "Pests,01/01/2022,31/12/2022,40\nPests,01/01/2023,31/12/2023,45\n")
    (tmp_path / "rolling/data/rolling.csv").write_text(years)
    code, out = run(config, "check")
    assert code == 1 and "covers 24 months, but most periods here cover 12, and it overlaps 2 of them" in out, out


def test_data_covers_the_periods_with_figures(tmp_path):
    """A column blank for periods before a service began (TfL's cable car, two years before it opened)
    was said to be covered from the file's first period."""
    csv_text = "period,channel,transactions\n2024-01,online,\n2024-02,online,\n2024-03,online,5\n2024-04,online,6\n"
    config = site(tmp_path, "", {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    assert services(config)["permits"].data_period_label == "March to April 2024"
    # A declared measure's periods are covered too: its chart starts with them (found in review).
    config.write_text(config.read_text() + "measures:\n  - id: wait_days\n    label: Wait\n    unit: number\n"
                      "    over_time: mean\n")
    (tmp_path / "data/permits.csv").write_text("period,channel,transactions,wait_days\n2023-12,online,,3\n"
                                               + csv_text.split("\n", 1)[1].replace(",\n", ",,\n").replace(
                                                   ",5\n", ",5,\n").replace(",6\n", ",6,\n"))
    assert services(config)["permits"].data_period_label == "December 2023 to April 2024"


def test_a_blank_row_of_a_file_with_a_column_per_channel_is_missing_data_not_a_missing_period(tmp_path):
    """A council tester: 'May-24,,' between April and June was told as 'no rows for May 2024', with
    the hint to add it with blank cells, which the file does; so --strict failed. As in a file of
    rows, it is a period with no data. Blank rows before the first figures and after the last
    (months pre-filled for later) are still left out: the latest period is June, not August."""
    csv_text = "period,Online,Phone\nMar-24,,\nApr-24,100,50\nMay-24,,\nJun-24,120,40\nJul-24,,\nAug-24,,\n"
    config = wide_permits(tmp_path, csv_text)
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    permits = services(config)["permits"]
    assert [(row.period.label, row.transactions) for row in permits.periods] == [
        ("April 2024", 150.0), ("May 2024", None), ("June 2024", 160.0)]
    assert permits.kpis["digital_take_up"].value == 75.0  # June: 120 / 160


def test_excels_accounting_zero_is_read_as_zero(tmp_path):
    """Excel's accounting format writes a cost of nothing as ' £ -   ': a council tester was told it
    was not a number, and that if it meant no data to add it to missing:, which blanked the month's
    cost. The currency sign says it is an amount: £0. April: (0 + £120) / 150 = £0.80."""
    csv_text = 'period,channel,transactions,cost\n2024-04,online,100," £ -   "\n2024-04,phone,50,"£120.00"\n'
    config = site(tmp_path, "", {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert services(config)["permits"].kpis["cost_per_transaction"].value == pytest.approx(0.80)


def test_the_typeset_minus_sign_is_a_minus(tmp_path):
    """'−12' (U+2212, as typesetting and some finance systems write it) was 'not a number', with no
    word of the sign (a tester). It is a minus: a refund of £30 on phone in May (a warning, as '-30'
    is), and a negative count is told it cannot be negative. May: (£80 − £30) / 100 = £0.50."""
    csv_text = ("period,channel,transactions,cost\n2024-05,online,50,£80.00\n2024-05,phone,50,\u2212£30\n"
                "2024-06,online,\u221212,\"\u2212£1,234.00\"\n")
    config = site(tmp_path, "", {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 1 and "data/permits.csv:3:4: warning: 'cost' is negative: '\u2212£30'" in out, out
    assert "data/permits.csv:4:3: error: 'transactions' cannot be negative: '\u221212'" in out
    assert "not a number" not in out and "data/permits.csv:3:4: warning: 'cost' is negative: '\u2212£30' (and 1 more" \
        in out  # with a thousands separator too (a review)
    (tmp_path / "data/permits.csv").write_text(csv_text.replace("2024-06,online,\u221212,\"\u2212£1,234.00\"\n", ""))
    assert services(config)["permits"].kpis["cost_per_transaction"].value == pytest.approx(0.50)


def test_a_total_row_with_figures_is_not_also_said_to_have_none(tmp_path):
    """A council tester: a 'Total' row of a file with a column per channel and a satisfaction column
    was rightly an error, and also 'row is not read: it has no figures', said of the same line,
    which has figures: its satisfaction cell (read as the whole row's) was blank."""
    csv_text = 'Month,Online,Phone,Satisfaction\nApr-24,"3,210","1,450",87%\nMay-24,"3,400","1,380",85%\n' \
               'Total,"6,610","2,830",\n'
    source = ("sources:\n  - file: permits.csv\n    columns: {period: Month, satisfaction: Satisfaction}\n"
              "    wide:\n      columns: '{channel}'\n      measure: transactions\n")
    config = site(tmp_path, source, {"data/permits.csv": csv_text, "content/services/permits.yaml": PERMITS})
    code, out = run(config, "check")
    assert code == 1 and "data/permits.csv:4:1: error: 'period' (column 'Month') is not a period I recognise: 'Total'" \
        in out  # the column named as the file heads it
    assert "no figures" not in out and "1 error(s), 0 warning(s)" in out


def test_a_blank_row_in_a_file_of_one_month_is_that_months_missing_data(tmp_path):
    """A reviewer: with a file a month (a pattern), May's file holding only permits' blank row was
    judged on its own, left out, and told as a month with no rows, failing --strict."""
    source = ("sources:\n  - file: calls/*.csv\n    columns: {service: Service, period: '{file period}'}\n"
              "    wide:\n      columns: '{channel}'\n      measure: transactions\n")
    files = {f"data/calls/{month}.csv": f"Service,Online,Phone\nPermits,{cells}\n"
             for month, cells in (("2024-04", "100,50"), ("2024-05", ","), ("2024-06", "120,40"))}
    yaml = PERMITS.replace("data: permits.csv", "data:\n  source: calls\n  service: Permits")
    config = site(tmp_path, source.replace("  - file:", "  - id: calls\n    file:"),
                  {**files, "content/services/permits.yaml": yaml})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert [(row.period.label, row.transactions) for row in services(config)["permits"].periods] == [
        ("April 2024", 150.0), ("May 2024", None), ("June 2024", 160.0)]


def test_a_source_whose_file_is_misnamed_is_reported_beside_an_error_in_another_service(tmp_path):
    """A tester's source named CRM_Requests.csv (the file is crm_requests.csv) while another
    service's YAML had a typo: the source's 'not found, did you mean' was held back until the typo
    was fixed, and all that showed about the file was its headings not being read. Every problem
    is reported at once: the missing file is an error whoever reads it."""
    source = "sources:\n  - file: CRM_Requests.csv\n    columns: {period: Month}\n"
    files = {"data/crm_requests.csv": "Month,transactions\n2024-01,5\n",
             "data/permits.csv": "period,channel,transactions\n2024-01,online,5\n",
             "content/services/permits.yaml": PERMITS,
             "content/services/licences.yaml": "nme: Licences\norganisation: council\ndescription: L.\n"
                                               "data: crm_requests.csv\n"}
    config = site(tmp_path, source, files)
    code, out = run(config, "check")
    assert code == 1
    assert "content/services/licences.yaml:1:1: error:" in out
    assert ("config.yaml:14:11: error: data file 'CRM_Requests.csv' not found in data/\n"
            "    hint: did you mean 'crm_requests.csv'?") in out
    assert out.count("CRM_Requests.csv' not found") == 1
    (tmp_path / "content/services/licences.yaml").write_text(
        "name: Licences\norganisation: council\ndescription: L.\ndata: crm_requests.csv\n")
    code, again = run(config, "check")
    assert again.count("CRM_Requests.csv' not found") == 1, again  # once, as before, with no other error
    # Read by a service: told once, at the service (its reference is then dropped, which had made
    # the source look unread and told twice).
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text().replace(
        "  - file: CRM_Requests.csv\n", "  - id: crm\n    file: CRM_Requests.csv\n"))
    (tmp_path / "content/services/licences.yaml").write_text(
        "name: Licences\norganisation: council\ndescription: L.\ndata: {source: crm}\n")
    code, once = run(config, "check")
    assert code == 1 and once.count("CRM_Requests.csv' not found") == 1, once
    assert "content/services/licences.yaml:4:7: error: data file 'CRM_Requests.csv' not found in data/" in once


def test_a_row_per_measure_with_a_column_per_period_is_read_by_one_source(tmp_path):
    """A council's summary sheet (a tester's licences file): a row per measure, a column per year.
    measures_in_rows: with wide: reads it, as a source per measure (filter: and wide:) does; each
    figure keeps its own line and column for messages."""
    csv_text = ("Licence type,Measure,2021-22,2022-23,2023-24,2024-25,Notes\n"
                'Taxi driver,Applications,"1,102","1,240","1,315","1,402",\n'
                'Taxi driver,Online applications,420,610,802,"1,010",\n'
                "Taxi driver,Cost per application,£45.20,£41.10,N/R,£36.75,\n"
                "Taxi driver,Refunds,3,4,5,6,\n")
    rows = ("    measures_in_rows:\n      column: Measure\n      measures:\n        Applications: transactions\n"
            "        Online applications: digital_transactions\n        Cost per application: cost_per_transaction\n")
    source = ("sources:\n  - id: licences\n    file: licences.csv\n    columns: {service: Licence type}\n"
              "    ignore: [Notes]\n    not_requested: [N/R]\n    wide: {columns: '{period}'}\n" + rows)
    taxi = "name: Taxi\norganisation: council\ndescription: Licences.\ndata: {source: licences, service: Taxi driver}\n"
    config = site(tmp_path, source, {"data/licences.csv": csv_text, "content/services/taxi.yaml": taxi})
    kpis = services(config)["taxi"].kpis
    take_up, cost = kpis["digital_take_up"], kpis["cost_per_transaction"]
    assert round(take_up.value, 1) == 72.0  # 1,010 / 1,402 = 72.04%
    assert round(take_up.change, 1) == 11.0 and take_up.previous_period_label == "April 2023 to March 2024"
    assert cost.value == 36.75 and cost.previous_value == 41.10  # 2023/24 is not requested: back to 2022/23
    assert cost.previous_period_label == "April 2022 to March 2023"
    assert kpis["transactions_per_year"].value == 1402

    # The same figures from a source per measure (the way before), to the byte of the tidy CSV.
    def one(sid, measure, text, extra=""):
        return (f"  - id: {sid}\n    file: licences.csv\n    columns: {{service: Licence type}}\n"
                f"    filter: {{Measure: {text}}}\n    ignore: [Notes]\n{extra}"
                f"    wide: {{columns: '{{period}}', measure: {measure}}}\n")
    each = "sources:\n" + one("applications", "transactions", "Applications") + one(
        "online-applications", "digital_transactions", "Online applications") + one(
        "cost", "cost_per_transaction", "Cost per application", "    not_requested: [N/R]\n")
    three = taxi.replace("data: {source: licences, service: Taxi driver}\n", "data:\n" + "".join(
        f"  - {{source: {sid}, service: Taxi driver}}\n" for sid in ("applications", "online-applications", "cost")))
    apart = site(tmp_path / "apart", each, {"data/licences.csv": csv_text, "content/services/taxi.yaml": three})
    assert run(config, "build", "--output", str(tmp_path / "one"))[0] == 0
    assert run(apart, "build", "--output", str(tmp_path / "three"))[0] == 0
    assert (tmp_path / "one/data/services/taxi.csv").read_bytes() == (tmp_path / "three/data/services/taxi.csv").read_bytes()

    # A figure's mistake is told at its own row and column; two rows of one measure, at both lines.
    (tmp_path / "data/licences.csv").write_text(csv_text.replace("£41.10", "lots").replace(
        "Online applications", "Online aplications") + 'Taxi driver,Applications,1,2,3,4,\n')
    code, out = run(config, "check")
    assert code == 1
    assert "data/licences.csv:3:2: warning: 'Online aplications' is not one of measures_in_rows: measures" in out
    assert "data/licences.csv:6:2: error: two rows hold transactions for the same service: lines 2 and 6" in out
    (tmp_path / "data/licences.csv").write_text(csv_text.replace("£41.10", "lots"))
    code, out = run(config, "check")
    assert "data/licences.csv:4:4: error: 'cost_per_transaction' (column '2022-23') is not a number: 'lots'" in out

    # Parts (by ward) added up with combine: sum: each measure's nth row is the nth part.
    wards = ("Licence type,Ward,Measure,2023-24,2024-25\nTaxi driver,North,Applications,100,120\n"
             "Taxi driver,North,Online applications,10,20\nTaxi driver,South,Applications,50,50\n"
             "Taxi driver,South,Online applications,5,6\n")
    summed = site(tmp_path / "wards", source.replace("    ignore: [Notes]\n", "    ignore: [Ward]\n    combine: sum\n"),
                  {"data/licences.csv": wards, "content/services/taxi.yaml": taxi})
    rows = [(r.transactions, r.digital_transactions) for r in services(summed)["taxi"].periods]
    assert rows == [(150, 15), (170, 26)]
    # A row repeated whole is read once, with a warning, as a measures_in_rows: value: file reads it.
    (tmp_path / "wards/config.yaml").write_text((tmp_path / "wards/config.yaml").read_text().replace(
        "    combine: sum\n", ""))
    (tmp_path / "wards/data/licences.csv").write_text(wards.split("Taxi driver,South")[0]
                                                      + "Taxi driver,North,Applications,100,120\n")
    code, out = run(summed, "check")
    assert code == 0 and "data/licences.csv:4: warning: row repeats line 2 (transactions), so it is read once" in out

    # What cannot go together is told in config.yaml.
    for extra, said in (("      value: Notes\n", "with wide:, measures_in_rows: has no value:"),
                        ("", "the wide pattern has no {measure}"),
                        ("measure", "each row says its measure: wide: has no measure:")):
        bad = source.replace("'{period}'", "'{period} {measure}'") if not extra else \
            source.replace("'{period}'}", "'{period}', measure: cost}") if extra == "measure" else source + extra
        code, out = run(site(tmp_path / f"bad{len(extra)}", bad, {"data/licences.csv": csv_text}), "check")
        assert code == 1 and said in out, out
    code, out = run(site(tmp_path / "novalue", source.replace("    wide: {columns: '{period}'}\n", ""),
                         {"data/licences.csv": csv_text}), "check")
    assert code == 1 and "'value' is required in measures_in_rows" in out


def test_a_failed_build_still_tells_a_yearly_cost_no_count_pairs_with(tmp_path):
    """Every problem at once: a yearly cost that no month's count makes up is a warning found in
    working out the figures. A data error in another service had stopped that for every service
    worked out with it, so the warning came and went with how services were shared out (and a build
    that took the service from the cache told it)."""
    months = [f"{2024 + (m < 4)}-{m:02d}" for m in (*range(4, 13), 1, 2, 3)]
    counts = "period,channel,transactions\n" + "".join(
        f"{p},online,{100 + i}\n{p},phone,{'' if p == '2025-02' else 50}\n" for i, p in enumerate(months))
    source = "sources:\n  - file: finance.csv\n    columns: {period: Year, cost: Cost}\n"
    service = PERMITS.replace("data: permits.csv", "data:\n  - permits.csv\n  - finance.csv")
    fines = "name: Fines\norganisation: council\ndescription: Fines.\ndata: fines.csv\n"
    config = site(tmp_path, source, {"data/permits.csv": counts, "data/finance.csv": 'Year,Cost\n2024/25,"£13,500"\n',
                                     "content/services/permits.yaml": service, "content/services/fines.yaml": fines,
                                     "data/fines.csv": "period,channel,transactions\n2024-04,online,12\n"})
    warning = ("content/services/permits.yaml:5:3: warning: service 'permits' has a cost for April 2024 to March "
               "2025 but no transactions counted for the whole of it: no count for February 2025 (Phone)")
    code, out = run(config, "check")
    assert code == 0 and warning in out
    (tmp_path / "data/fines.csv").write_text("period,channel,transactions\n2024-04,online,lots\n")
    code, out = run(config, "check")
    assert code == 1 and "data/fines.csv:2:3: error: 'transactions' is not a number: 'lots'" in out
    assert warning in out


# -- every problem of a file in one run: past a byte the encoding cannot read; a figure split by its comma --

PAY = "name: Pay\norganisation: council\ndescription: Payments.\ndata: pay.csv\n"


def pay_site(tmp_path, files: dict[str, str], config_extra: str = "", data: str | None = None):
    """A site whose one service, pay, reads these data files (by name under data/, in order), or
    what ``data`` says ('[{source: a}, {source: b}]')."""
    return site(tmp_path, config_extra, {**{f"data/{name}": text for name, text in files.items()},
                                         "content/services/pay.yaml": PAY.replace(
                                             "data: pay.csv", f"data: {data or '[' + ', '.join(files) + ']'}")})


def two_files(tmp_path, a: str, b: str, config_extra: str = ""):
    """A site whose one service, pay, reads data/a.csv and data/b.csv (checks across a service's files)."""
    return pay_site(tmp_path, {"a.csv": a, "b.csv": b}, config_extra)


def test_a_windows_file_read_as_utf8_still_has_its_other_problems_told(tmp_path):
    """The encoding's error had stopped the file there: a misspelt channel and a word in a count on
    later lines were told only once the encoding was set, a second run later. Now they are told with
    it, and the encoding's error names every line with such bytes (here 3 and 5)."""
    text = ("period,channel,transactions,cost\n2024-01,online,50,£10.00\n2024-01,phone,20,£40.00\n"
            "2024-02,onlien,55,11.00\n2024-02,phone,abc,£38.00\n")
    config = site(tmp_path, "", {"data/pay.csv": text.encode("windows-1252"), "content/services/pay.yaml": PAY})
    code, out = run(config, "check")
    assert code == 1 and "Traceback" not in out
    assert "data/pay.csv:2:4: error: not utf-8 text (byte b'\\xa3', which is '£' in windows-1252); so are lines 3 and 5\n" in out
    assert "data/pay.csv:4:2: error: 'channel' is not a channel in config.yaml: 'onlien'" in out
    assert "data/pay.csv:5:3: error: 'transactions' is not a number: 'abc'" in out
    assert "3 error(s)" in out  # the '£' cells, read as Windows-1252 would read them, are not errors too
    # With the hint applied, the same file is read, and only the other two are left.
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text()
                                          + "sources:\n  - file: pay.csv\n    encoding: windows-1252\n")
    code, out = run(config, "check")
    assert code == 1 and "not utf-8" not in out and "2 error(s)" in out


def test_a_file_that_is_not_text_gets_the_encoding_error_alone(tmp_path):
    """A picture named .csv, read on past its first bad byte, would have 'headings' of nonsense."""
    junk = bytes(range(256)) * 8
    config = site(tmp_path, "", {"data/pay.csv": junk, "content/services/pay.yaml": PAY})
    code, out = run(config, "check")
    assert code == 1 and "data/pay.csv:3:2: error: not utf-8 text" in out and "1 error(s)" in out


def test_a_figure_split_at_its_comma_is_an_error_not_a_misread_row(tmp_path):
    """'£5,869.99' unquoted is two cells: the row's cells after it moved one column on and its last,
    blank, fell past the headings, so it was read without a word: cost £5, and '869.99' started
    (only a warning about a count with a fraction). 40 phone transactions cost £5,869.99 then, and
    the service's cost per transaction was wrong."""
    text = ("period,channel,transactions,cost,started,completed\n"
            "2024-01,online,50,10.00,60,50\n"
            "2024-01,phone,40,£5,869.99,,\n"
            "2024-02,online,55,11.00,62,55\n")
    config = site(tmp_path, "", {"data/pay.csv": text, "content/services/pay.yaml": PAY})
    code, out = run(config, "check")
    assert code == 1
    assert ("data/pay.csv:3: error: row has 7 cells but the header has 6: '£5' and '869.99' look like one "
            "figure, £5,869.99, split at its comma, so the cells after it are in the wrong columns\n"
            "    hint: put a cell that holds a comma in quotes") in out
    assert "fraction" not in out and "1 error(s)" in out  # the misplaced cells are not read, nor told again
    (tmp_path / "data/pay.csv").write_text(text.replace("£5,869.99", '"£5,869.99"'))
    assert run(config, "check", "--strict")[0] == 0
    assert services(config)["pay"].periods[0].cost_per_transaction == pytest.approx((10.00 + 5869.99) / 90)


def test_rows_a_cell_wider_than_the_headings_throughout_are_still_read(tmp_path):
    """A row that merely ends in an extra comma (some rows of an export, or all) is read as it was:
    a reviewer's file with a trailing comma on every fifth row had 20 errors. Only a pair of cells
    that look like a figure split at its comma, unlike the file's other rows there, is one, even
    when most rows are split (the pair is then judged against the rows that are not)."""
    text = ("period,channel,transactions,cost\n2024-01,online,50,5.00,\n2024-01,phone,40,\n"
            "2024-02,online,55,6.00\n2024-02,phone,41,,\n")
    config = site(tmp_path, "", {"data/pay.csv": text, "content/services/pay.yaml": PAY})
    assert run(config, "check", "--strict")[0] == 0
    assert [p.transactions for p in services(config)["pay"].periods] == [90, 96]
    # A cost of £9 a transaction beside a count of 130, with a trailing comma: the file's shape, no split.
    shape = ("period,channel,cost_per_transaction,transactions\n2024-01,online,£9,130\n2024-02,online,£9,140,\n"
             "2024-03,online,£8,150\n")
    (tmp_path / "data/pay.csv").write_text(shape)
    assert run(config, "check", "--strict")[0] == 0
    # Most rows split: each is still an error.
    split = ("period,channel,transactions,cost,started\n2024-01,phone,1988,£5,869.99,\n2024-02,phone,1990,£5,901.10,\n"
             "2024-03,phone,1991,£912.00,\n")
    (tmp_path / "data/pay.csv").write_text(split)
    code, out = run(config, "check")
    assert code == 1 and out.count("look like one figure") == 2 and "data/pay.csv:3: error: row has 6 cells" in out


def test_a_count_split_at_its_comma_is_named_when_one_place_fits(tmp_path):
    """An unquoted '2,685' among counts got only 'row has 7 cells but the header has 6'. Named where
    joining two cells gives each column figures of its usual size; not where a cell is merely extra."""
    head = "period,channel,transactions,started,completed,satisfaction\n"
    rows = "2024-01,online,1000,200,150,70\n2024-02,online,1100,210,160,72\n2024-03,online,1200,220,170,75\n"
    config = site(tmp_path, "", {"data/pay.csv": head + rows + "2024-04,online,1,250,180,160,71\n",
                                 "content/services/pay.yaml": PAY})
    code, out = run(config, "check")
    # '1,250,180': 1,250 and 180 (a four-figure count, like the column's), not 1 and 250,180.
    assert code == 1 and ("data/pay.csv:5:7: error: row has 7 cells but the header has 6: '1' and '250' look like "
                          "one figure, 1,250, split at its comma") in out
    (tmp_path / "data/pay.csv").write_text(head + rows + "2024-04,online,1300,20,180,160,71\n")
    code, out = run(config, "check")
    assert code == 1 and "data/pay.csv:5:7: error: row has 7 cells but the header has 6\n" in out


# -- rows per channel in one file (or source) and for all channels together in another ----------------

PARKING = ("\ufeffPeriod,Channel,Transactions,Cost,Satisfaction\n"
           "Q1 2024/25,Online,\"2,100\",£315.00,\n"
           "Q1 2024/25,Phone,450,\"£1,273.50\",\n"
           "Q1 2024/25,Total,\"2,550\",\"£1,588.50\",80%\n"
           "Q2 2024/25,Online,\"2,250\",£337.50,\n"
           "Q2 2024/25,Phone,430,\"£1,216.90\",\n"
           "Q2 2024/25,Total,\"2,680\",\"£1,554.40\",84%\n")
PARKING_SERVICE = ("name: Parking permits\norganisation: council\ndescription: Permits.\n"
                   "data: [{source: counts}, {source: survey}]\n")
TWO_READINGS = ("sources:\n  - id: counts\n    file: parking.csv\n    exclude: {Channel: Total}\n"
                "  - id: survey\n    file: parking.csv\n    filter: {Channel: Total}\n"
                "    columns: {period: Period, satisfaction: Satisfaction}\n")


def test_a_second_reading_of_a_file_for_its_totals_satisfaction_does_not_count_transactions_twice(tmp_path):
    """A tester followed 'two sources read the same file in different ways': the second, for the
    satisfaction on the Total rows, read their Transactions and Cost too (headings that are fields'
    names), and the site showed 9,460 transactions, not 4,730, and half the take-up, with exit 0.
    Now an error; with the ignore: the docs show, the figures are the channels' and the totals' score."""
    config = site(tmp_path, TWO_READINGS, {"data/parking.csv": PARKING,
                                           "content/services/parking.yaml": PARKING_SERVICE})
    code, out = run(config, "check")
    assert code == 1 and ("data/parking.csv:4: error: service 'parking' would count transactions twice: "
                          "two of its sources read parking.csv, one its rows per channel, the other its rows for "
                          "all channels together\n    hint: a source read for other figures") in out
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text()
                                          + "    ignore: [Transactions, Cost]\n")
    assert run(config, "check", "--strict")[0] == 0
    svc = services(config)["parking"]
    q2 = svc.periods[-1]
    assert q2.transactions == 2250 + 430 and q2.user_satisfaction == 84.0
    assert q2.digital_take_up == pytest.approx(100 * 2250 / 2680)
    assert q2.cost_per_transaction == pytest.approx((337.50 + 1216.90) / 2680)


def test_a_total_in_one_file_beside_channels_in_another_is_an_error(tmp_path):
    """data: [a.csv, b.csv], b's row without a channel: its 99,999 were added to a's channels'."""
    code, out = run(two_files(tmp_path, "period,channel,transactions\n2024-01,online,50\n2024-01,phone,20\n",
                              "period,transactions,satisfaction\n2024-01,70,80\n"), "check")
    assert code == 1 and ("data/b.csv:2: error: service 'pay' would count transactions twice: it has rows per "
                          "channel in a.csv and rows for all channels together here\n    hint: keep one kind of row") in out


def test_figures_only_on_rows_exclude_leaves_out_are_warned_of(tmp_path):
    """The total-rows error's hint, exclude: {Channel: Total}, taken as given: the file's satisfaction,
    only on those rows, was lost without a word ('No figure has been published for this')."""
    source = "sources:\n  - file: parking.csv\n    exclude: {Channel: Total}\n"
    config = site(tmp_path, source, {"data/parking.csv": PARKING, "content/services/parking.yaml":
                                     PARKING_SERVICE.replace("[{source: counts}, {source: survey}]", "parking.csv")})
    code, out = run(config, "check")
    assert code == 0 and ("config.yaml:15:14: warning: column 'Satisfaction' of parking.csv has figures only on rows "
                          "exclude: leaves out, so none of them is read\n    hint: to read them, add a second source") in out
    assert out.count("warning:") == 1  # not Transactions or Cost, which the kept rows have too
    assert services(config)["parking"].periods[-1].transactions == 2680


def test_a_file_with_a_column_per_channel_is_told_how_to_describe_it(tmp_path):
    """'Month,Online,Phone,Face to face' gave 'missing column: period' and a warning per channel
    that it is ignored. One error now writes the source to add, and with it the file is read."""
    text = "Month,Online,Phone,Face to face\n2025-01,100,20,5\n2025-02,110,22,4\n"
    config = site(tmp_path, "", {"data/pay.csv": text, "content/services/pay.yaml": PAY})
    code, out = run(config, "check")
    assert code == 1 and out.count("error") == 2 and "unknown column" not in out  # (and '1 error(s)')
    assert ("data/pay.csv:1: error: the file has a column per channel (Online, Phone, Face to face), not a channel "
            "column\n    hint: describe it in config.yaml: sources: [{file: pay.csv, columns: {period: 'Month'}, "
            "wide: {columns: '{channel}', measure: transactions}}]") in out
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text() + "sources: [{file: pay.csv, "
                                          "columns: {period: 'Month'}, wide: {columns: '{channel}', measure: transactions}}]\n")
    assert run(config, "check", "--strict")[0] == 0
    assert [p.transactions for p in services(config)["pay"].periods] == [125, 136]


def test_a_utf8_file_with_one_stray_windows_byte_has_that_error_alone(tmp_path):
    """Read on as Windows-1252 throughout, a UTF-8 file's every '£' became 'Â£' and each cost an
    error (a reviewer counted 97 beside the one that mattered): only the bytes UTF-8 cannot read are
    read as Windows-1252."""
    text = ("period,channel,transactions,cost\n2024-01,online,50,£10.00\n2024-01,phone,20,£40.00\n"
            "2024-02,online,55,£11.00\n").encode("utf-8") + b"2024-02,phone,21,\x9238.00\n"
    config = site(tmp_path, "", {"data/pay.csv": text, "content/services/pay.yaml": PAY})
    code, out = run(config, "check")
    assert code == 1 and "data/pay.csv:5:4: error: not utf-8 text (byte b'\\x92'" in out
    assert "2 error(s)" in out and "'cost' is not a number: '\u201938.00'" in out and "Â" not in out


def test_a_second_file_with_a_blank_transactions_column_counts_nothing_twice(tmp_path):
    """A finance file headed period,cost,transactions with the counts left blank: its rows have no
    transactions to count twice (a reviewer found them taken for totals beside the channels')."""
    config = two_files(tmp_path, "period,channel,transactions\n2024-01,online,50\n2024-01,phone,20\n",
                       "period,cost,transactions\n2024-01,140,\n")
    assert run(config, "check", "--strict")[0] == 0
    assert services(config)["pay"].periods[0].transactions == 70


@pytest.mark.parametrize("files, data, told", [
    # The rows per channel from one file a pattern matches, the totals from another's: both named by
    # file (it had said 'rows per channel in counts-*.csv', at the pattern, at a line of another file).
    ({"data/counts-2023.csv": "period,channel,transactions\n2023-12,online,40\n",
      "data/counts-2024.csv": "period,channel,transactions\n2024-01,online,50\n2024-01,phone,20\n",
      "data/totals-2024.csv": "period,transactions,satisfaction\n2023-12,40,75\n2024-01,70,80\n"},
     "[counts-*.csv, totals-*.csv]",
     "data/totals-2024.csv:2: error: service 'pay' would count transactions twice: it has rows per channel in "
     "counts-2023.csv and rows for all channels together here"),
    # Two files disagreeing on a month: the one a pattern matched is named, not the pattern.
    ({"data/x-2023.csv": "period,channel,transactions\n2023-12,online,45\n",
      "data/x-2024.csv": "period,channel,transactions\n2024-01,online,50\n",
      "data/y.csv": "period,channel,transactions\n2024-01,online,55\n"},
     "[x-*.csv, y.csv]",
     "data/y.csv:2: error: service 'pay' has two different values of transactions for January 2024 'online': "
     "55 here and 50 in x-2024.csv (line 2)"),
])
def test_a_services_merged_files_are_named_by_the_file_a_pattern_matched(tmp_path, files, data, told):
    files = {**files, "content/services/pay.yaml": PAY.replace("data: pay.csv", f"data: {data}")}
    code, out = run(site(tmp_path, "", files), "check")
    assert code == 1 and told in out


def test_a_cost_of_nothing_beside_transactions_is_warned_of_once_a_file(tmp_path):
    """The Transactions Explorer's £0.00 a transaction beside 7,551 for a year: published as 'down
    100%, better' with no word. One warning a file, at the first such row and cell; not for a
    channel's row (online may cost nothing of its own), nor a month of 0 transactions."""
    files = {"data/pay.csv": "period,channel,transactions,cost\n2024-01,,50,20\n2024-02,,60,0\n"
                             "2024-03,,10,0\n2024-04,,0,0\n",
             "data/channels.csv": "period,channel,transactions,cost\n2024-01,online,50,0\n2024-01,phone,9,20\n",
             "content/services/pay.yaml": PAY,
             "content/services/tax.yaml": PAY.replace("Pay", "Tax").replace("pay.csv", "channels.csv")}
    code, out = run(site(tmp_path, "", files), "check")
    assert code == 0 and ("data/pay.csv:3:4: warning: cost is 0 for 60 transactions (and on 1 other row(s) of the "
                          "file)\n    hint: a cost of 0 is published as it is") in out
    assert out.count("is 0 for") == 1


def test_a_cost_per_transaction_read_as_a_total_cost_is_an_error(tmp_path):
    """A tester mapped the Transactions Explorer's 'cost per transaction (£)' to cost: Inheritance Tax's
    £5.47 a transaction became £0.000009 (divided by its transactions again), with exit 0."""
    source = ("sources:\n  - file: pay.csv\n    columns: {cost: Cost per transaction (£)}\n"
              "  - file: wide.csv\n    wide: {columns: '{period}: {measure}', measures: "
              "{volume: transactions, unit cost: cost}}\n")
    files = {"data/pay.csv": "period,channel,transactions,Cost per transaction (£)\n2024-01,online,50,5.47\n",
             "data/wide.csv": "service,2024-01: volume,2024-01: unit cost\npay,50,5.47\n",
             "content/services/pay.yaml": PAY}
    code, out = run(site(tmp_path, source, files), "check")
    assert code == 1 and ("config.yaml:15:21: error: 'Cost per transaction (£)' is a cost per transaction, but it is "
                          "read as cost, a period's total cost\n    hint: read it as cost_per_transaction") in out
    assert "config.yaml:17:88: error: 'unit cost' is a cost per transaction" in out
    # A total for a time ('Cost per annum (£)') is a cost, as it says; so is a centre's (a review).
    for total in ("Cost per annum (£)", "Cost per call centre (£)"):
        (tmp_path / "config.yaml").write_text(re.sub(r"columns: \{cost: [^}]*\}", f"columns: {{cost: {total}}}",
                                                     (tmp_path / "config.yaml").read_text())
                                              .replace("unit cost: cost}", "unit cost: cost_per_transaction}"))
        (tmp_path / "data/pay.csv").write_text(f"period,channel,transactions,{total}\n2024-01,online,50,5.47\n")
        assert "is a cost per transaction" not in run(tmp_path / "config.yaml", "check")[1], total


def test_a_heading_in_thousands_mapped_without_multiply_is_an_error(tmp_path):
    """A tester mapped LGBF's 'Secondary education - Gross expenditure (£000s)' to cost with no
    multiply: £7,097.94 a pupil was published as £7.10, with exit 0. Now an error at the mapping,
    for columns: and wide: measures alike; multiply: 1000 reads it, multiply: 1 says it is whole."""
    source = ("sources:\n  - file: pay.csv\n    columns: {cost: Gross expenditure (£000s)}\n"
              "  - file: wide.csv\n    wide: {columns: '{period}: {measure}', measures: "
              "{Visits (thousands): transactions, Spend £m: cost}}\n")
    files = {"data/pay.csv": "period,channel,transactions,Gross expenditure (£000s)\n2024-01,online,50,3.5\n",
             "data/wide.csv": "service,2024-01: Visits (thousands),2024-01: Spend £m\ntax,5,0.25\n",
             "content/services/pay.yaml": PAY, "content/services/tax.yaml": PAY.replace("Pay", "Tax").replace(
                 "pay.csv", "wide.csv")}
    config = site(tmp_path, source, files)
    code, out = run(config, "check")
    assert code == 1 and ("config.yaml:15:21: error: 'Gross expenditure (£000s)' says its figures are in thousands, "
                          "but cost is read as whole figures\n    hint: add multiply: {cost: 1000} to this source; "
                          "if its figures are whole already, multiply: {cost: 1} says so") in out
    assert "'Visits (thousands)' says its figures are in thousands, but transactions" in out
    assert "'Spend £m' says its figures are in millions, but cost" in out and out.count(" error: ") == 3
    text = (tmp_path / "config.yaml").read_text()
    (tmp_path / "config.yaml").write_text(text.replace("(£000s)}\n", "(£000s)}\n    multiply: {cost: 1000}\n")
                                          + "    multiply: {transactions: 1000, cost: 1000000}\n")
    assert run(config, "check")[0] == 0
    figures = services(config)
    assert figures["pay"].periods[-1].cost_per_transaction == pytest.approx(3500 / 50)
    assert figures["tax"].periods[-1].cost_per_transaction == pytest.approx(250_000 / 5000)
    # Spelt as finance systems spell them, with an apostrophe or a currency's code (a review)
    from generator.sources import scale_in_text
    assert [scale_in_text(t) for t in ("Expenditure (£000's)", "(000's)", "Spend (£mn)", "Cost (GBP 000s)")] == \
        [1000, 1000, 1_000_000, 1000]
    # Metres are not millions: '(m)' alone is no scale; nor is a plain '(£)'.
    (tmp_path / "config.yaml").write_text(text.replace("Gross expenditure (£000s)", "Cost (£)")
                                          .replace("Visits (thousands)", "Road (m)").replace("Spend £m", "Spend"))
    assert "says its figures are in" not in run(config, "check")[1]


def test_an_all_departments_total_row_is_told_of_and_a_real_one_is_kept(tmp_path):
    """The Transactions Explorer's total row ('All departments', its service 'All services') left an
    empty department page with no word (a tester): its service is left out as a total, and the
    organisation left with nothing is warned of. A real service under a department of that name
    keeps it (a review: reading the name as a total had dropped it, and the build failed)."""
    total = FINANCE + 'All departments,All services,,,"16,800","9,200",,"15,900","13,350",,\n'
    config = site(tmp_path, FINANCE_SOURCE, {"data/finance.csv": total})
    code, out = run(config, "check")
    assert code == 0 and ("data/finance.csv:6: warning: organisation 'all-departments' has no services, nor has any "
                          "organisation under it") in out
    real = FINANCE + 'All departments,Sign in,,,"16,800","9,200",£1.00,"15,900","13,350",£1.00,\n'
    (tmp_path / "data/finance.csv").write_text(real)
    code, out = run(config, "check", "--strict")
    assert code == 0, out
    assert "all-departments" in {o.slug for o in prepare(config).model.organisations}


def test_a_digital_count_with_no_total_is_named_on_the_transactions_card(tmp_path):
    """A service whose one published figure is a digital count (8,053, with no total) had a
    transactions card saying 'No figure has been published for this' (a tester)."""
    files = {"data/pay.csv": "period,transactions,digital_transactions\n2016-10 to 2017-09,,8053\n",
             "content/services/pay.yaml": PAY}
    config = site(tmp_path, "", files)
    fig = services(config)["pay"].kpis["transactions_per_year"]
    assert fig.status == "no_data" and fig.note == ("Only a digital count was published: 8,053 digital transactions "
                                                    "(October 2016 to September 2017), with no total of all channels")
    assert run(config, "build")[0] == 0
    card = (tmp_path / "site/services/pay/index.html").read_text().split('data-kpi="transactions_per_year"')[1]
    card = card.split("</div>")[0]
    assert "8,053 digital transactions" in card and "No figure has been published" not in card


def test_a_later_period_with_only_a_digital_count_is_named_on_the_transactions_card(tmp_path):
    """Inheritance Tax's card showed 587,060 for April 2016 to March 2017, with no word of the
    later October 2016 to September 2017, which has a digital count (74,318) and no total (a tester):
    the card says so. A later digital count of 0 with no total (an export's blank) is not told."""
    rows = ("period,transactions,digital_transactions\n2015-04 to 2016-03,620850,\n2016-04 to 2017-03,587060,\n"
            "2016-10 to 2017-09,,74318\n")
    config = site(tmp_path, "", {"data/pay.csv": rows, "content/services/pay.yaml": PAY})
    fig = services(config)["pay"].kpis["transactions_per_year"]
    assert fig.value == 587060 and fig.period_label == "April 2016 to March 2017"
    assert fig.note == ("Only a digital count was published for a later period: 74,318 digital transactions "
                        "(October 2016 to September 2017), with no total of all channels")
    (tmp_path / "data/pay.csv").write_text(rows.replace("74318", "0"))
    assert services(config)["pay"].kpis["transactions_per_year"].note is None


def test_two_spellings_of_one_organisations_name_are_told_once(tmp_path):
    """'Environment' and 'Environment.' make one web address: the second was taken for the first without
    a word (a tester's DCMS with and without its comma). Told once a spelling, and merged as before."""
    rows = FINANCE.splitlines()
    rows[2] = rows[2].replace("Environment,", "Environment.,", 1)
    rows.append(rows[2].replace("Bulky waste", "Garden waste"))
    config = site(tmp_path, FINANCE_SOURCE, {"data/finance.csv": "\n".join(rows) + "\n"})
    code, out = run(config, "check")
    assert code == 0 and ("data/finance.csv:3: warning: organisation 'Environment.' is taken to be 'Environment' "
                          "(line 2): both make the web address organisations/environment/") in out
    assert out.count("is taken to be") == 1
    assert [o.slug for o in prepare(config).model.organisations].count("environment") == 1
    # Slugs from a column chosen for them (codes): a renamed directorate under its code is not told.
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text().replace(
        '      - name: "{Directorate}"\n', '      - name: "{Directorate}"\n        slug: "{Directorate}"\n'))
    assert "is taken to be" not in run(config, "check")[1]


def test_an_organisation_with_no_services_is_warned_of(tmp_path):
    """The scaffold's publisher kept beside a file whose rows make the services and their directorates:
    an empty organisation page, with no word (a tester). A parent of organisations with services is
    not empty; an organisation no service and no child names is."""
    files = {"data/finance.csv": FINANCE,
             "content/organisations/archive.yaml": "name: Records archive\nkind: department\n"}
    config = site(tmp_path, FINANCE_SOURCE, files)
    code, out = run(config, "check")
    assert code == 0 and ("content/organisations/archive.yaml:1:1: warning: organisation 'archive' has no services, "
                          "nor has any organisation under it: its page would list none") in out
    assert out.count("has no services") == 1  # not 'council', the directorates' parent


def test_a_months_second_row_in_another_file_of_a_pattern_names_that_file(tmp_path):
    """A review: 'data/counts-2024.csv:2: ... on line 2' sent the reader to line 2 of the wrong file;
    the first row was in counts-2023.csv."""
    files = {"data/counts-2023.csv": "period,channel,transactions\n2024-01,online,40\n",
             "data/counts-2024.csv": "period,channel,transactions\n2024-01,online,50\n",
             "content/services/pay.yaml": PAY.replace("data: pay.csv", "data: counts-*.csv")}
    code, out = run(site(tmp_path, "", files), "check")
    assert code == 1 and "'transactions' is 50 on line 2 and 40 on line 2 of counts-2023.csv" in out, out


# -- services made from rows: a tester's real exports (Canada's service inventory, NHS A&E files) --------

def _monthly_files(skip: str = "") -> dict[str, str]:
    """A file a month, each dated by its first day, for two services (as NHS England's A&E files)."""
    return {f"data/m/2024-{m:02d}-01.csv": f"period,service,transactions\n2024-{m:02d}-01,Bins,{100 + m}\n"
            f"2024-{m:02d}-01,Tax,{200 + m}\n" for m in range(1, 7) if f"{m:02d}" != skip}


MONTHLY_FILES_SOURCE = """\
sources:
  - file: m/*.csv
    services: {name: "{service}", organisation: council}
"""


def test_a_file_a_month_dated_by_its_first_day_is_told_once_for_the_pattern(tmp_path):
    """Each file alone holds one day, so each was fine alone and the site showed single days
    ('1 April 2016 ... 2 April 2016 to 30 April 2016 no data') without a word. Across the files a
    pattern matched, the days are a month apart: told once, at the first file, for both services."""
    config = site(tmp_path, MONTHLY_FILES_SOURCE, _monthly_files())
    code, out = run(config, "check")
    assert code == 0
    assert ("data/m/2024-01-01.csv:2: warning: the periods are single days a month apart (2024-01-01 to 2024-06-01, "
            "in the files the pattern matched), so each row is read as that one day (for 2 services: 'Bins', 'Tax')"
            ) in out
    assert out.count("a month apart") == 1
    config.write_text(config.read_text().replace("  - file: m/*.csv\n", "  - file: m/*.csv\n    period_type: month\n"))
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    bins = services(config)["bins"]
    assert [(p.period.label, p.transactions) for p in bins.periods][-2:] == [("May 2024", 105), ("June 2024", 106)]


def test_a_gap_in_a_pattern_is_told_where_it_ends_naming_the_key_as_written(tmp_path):
    """March's file missing: the gap was told at the least line number of any later file (another
    month's file), and named the service by its web address ('bins'), not as the files write it."""
    config = site(tmp_path, MONTHLY_FILES_SOURCE.replace("  - file: m/*.csv\n", "  - file: m/*.csv\n    period_type: month\n"),
                  _monthly_files(skip="03"))
    out = run(config, "check")[1]
    assert "data/m/2024-04-01.csv:2: warning: service 'Bins' has no rows for March 2024" in out
    assert "data/m/2024-04-01.csv:3: warning: service 'Tax' has no rows for March 2024" in out


def test_days_a_month_apart_in_one_file_are_told_once_for_all_its_services(tmp_path):
    """A file of 264 trusts gave 264 copies of the same warning."""
    rows = "".join(f"2024-{m:02d}-01,{s},{m}\n" for s in ("A", "B", "C", "D") for m in range(1, 5))
    config = site(tmp_path, MONTHLY_FILES_SOURCE.replace("m/*.csv", "ae.csv"),
                  {"data/ae.csv": "period,service,transactions\n" + rows})
    out = run(config, "check")[1]
    assert ("data/ae.csv:2: warning: the periods are single days a month apart (2024-01-01 to 2024-04-01), so each "
            "row is read as that one day (for 4 services: 'A', 'B' and 2 more)") in out
    assert out.count("a month apart") == 1


INVENTORY = """\
fiscal_yr,service_id,service_name,department,url,online,phone
2016-17,1941,Regular Passport,Immigration,,100,50
2016-17,1464,PR Card Renewals,Immigration,,200,80
2017-18,1941,Regular Passport,Immigration,https://passport.example,110,40
2017-18,1464,Permanent Resident Card Renewals,Immigration,https://pr.example,210,70
2018-19,1941,Notices of Restriction,Health Canada,,5,1
2018-19,1464,Permanent Resident Card Renewals,Immigration,,220,60
"""

INVENTORY_SOURCE = """\
sources:
  - file: inventory.csv
    columns: {period: fiscal_yr, service: service_id}
    wide: {columns: "{channel}"}
    services: {name: "{service_name}", organisation: "{department}", url: "{url}"}
    organisations: [{name: "{department}", parent: council}]
"""


def test_a_service_made_from_rows_takes_each_detail_from_its_latest_row_that_has_it(tmp_path):
    """A yearly export lists its oldest year first: services had their first year's name ('PR Card
    Renewals', since renamed) and no web address where only that year's cell was blank."""
    config = site(tmp_path, INVENTORY_SOURCE, {"data/inventory.csv": INVENTORY})
    made = services(config)
    assert made["1464"].name == "Permanent Resident Card Renewals"
    assert made["1464"].service_url == "https://pr.example"  # blank in 2018-19, the latest row: 2017-18's
    assert made["1464"].periods[-1].transactions == 280


def test_a_service_key_in_rows_of_two_organisations_is_a_warning_with_the_fix(tmp_path):
    """Id 1941 was one department's passport service in 2017-18 and another's notices in 2018-19:
    merged into one service without a word ('down 100.0% from 4,927,227'). Told; the hint's key
    makes two services."""
    config = site(tmp_path, INVENTORY_SOURCE, {"data/inventory.csv": INVENTORY})
    code, out = run(config, "check")
    assert code == 0
    assert ("data/inventory.csv:6: warning: a service key is in rows of more than one organisation, each read as one "
            "service (of its latest row's organisation): '1941' in 'Immigration' (line 2), 'Health Canada' (line 6)"
            ) in out
    assert 'columns: {service: "{department} {service_id}"}' in out
    config.write_text(config.read_text().replace("service: service_id}", 'service: "{department} {service_id}"}'))
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    made = services(config)
    assert sorted(made) == ["health-canada-1941", "immigration-1464", "immigration-1941"]
    assert [(p.period.label, p.transactions) for p in made["immigration-1941"].periods] == [
        ("April 2016 to March 2017", 150), ("April 2017 to March 2018", 150)]  # 100 + 50, 110 + 40
    assert [p.transactions for p in made["health-canada-1941"].periods] == [6]


LGBF = """\
Code,LocalAuthority,Year,Numerator,Denominator
CORP 09,Aberdeen City,2021-22,80,100
CORP 09,Aberdeen City,2022-23,85,100
CORP 10,Aberdeen City,2021-22,70,90
CORP 10,Aberdeen City,2022-23,75,95
CORP 09,Angus,2021-22,30,40
CORP 10,Angus,2021-22,20,30
"""

LGBF_SOURCES = """\
sources:
  - file: lgbf.csv
    id: crisis
    filter: {Code: CORP 09}
    columns: {period: Year, service: LocalAuthority, transactions: Denominator, started: Denominator,
              completed: Numerator}
    ignore: [Code]
    services: {name: "Crisis grants {LocalAuthority}", organisation: council}
  - file: lgbf.csv
    id: community
    filter: {Code: CORP 10}
    columns: {period: Year, service: LocalAuthority, transactions: Denominator, started: Denominator,
              completed: Numerator}
    ignore: [Code]
    services: {name: "Community care grants {LocalAuthority}", organisation: council}
"""


def test_two_sources_keyed_by_one_column_are_told_once_with_a_slug_to_set(tmp_path):
    """Two indicators of one file, each a service per council: 32 warnings that each council's
    service 'differs only in capitals, accents or spaces' from itself, with a replace: that
    changed nothing. Told once, with the slug: that parts them."""
    config = site(tmp_path, LGBF_SOURCES, {"data/lgbf.csv": LGBF})
    out = run(config, "check")[1]
    assert ("data/lgbf.csv:5: warning: 2 services of this source ('Aberdeen City', 'Angus') have the same key as a "
            "service of source 'crisis', with another name or organisation, so they get web addresses ending in a "
            "number ('aberdeen-city-2')") in out
    assert "differs only in" not in out and out.count("the same key as") == 1
    assert 'services: slug: "Community care grants {LocalAuthority}"' in out
    config.write_text(config.read_text().replace('name: "Community care grants {LocalAuthority}"',
                                                 'name: "Community care grants {LocalAuthority}", '
                                                 'slug: "Community care grants {LocalAuthority}"'))
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    made = services(config)
    assert [p.transactions for p in made["community-care-grants-aberdeen-city"].periods] == [90, 95]  # CORP 10
    assert [p.transactions for p in made["aberdeen-city"].periods] == [100, 100]  # CORP 09


AE = """\
period,org_code,type,attendances,breaches
2024-01,RF4,1,1000,200
2024-01,RF4,2,100,0
2024-02,RF4,1,1100,150
2024-02,RF4,2,120,x
2024-03,RF4,1,1200,150
"""

AE_SOURCE = """\
sources:
  - file: ae.csv
    columns: {service: org_code, transactions: attendances, started: attendances,
              completed: "{attendances} - {breaches}"}
    combine: sum
    ignore: [type]
    services: {name: "{org_code}", organisation: council}
"""


def test_a_figure_worked_out_from_two_columns(tmp_path):
    """NHS England publishes A&E attendances and breaches of the four-hour standard, not those seen
    in time: '{attendances} - {breaches}' gave an error on every row, blaming the data."""
    config = site(tmp_path, AE_SOURCE, {"data/ae.csv": AE})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    rf4 = services(config)["rf4"]
    # January: (1000 - 200) + (100 - 0) = 900 of 1100. February: a type's breaches withheld ('x'),
    # so the month has no completed count. March: 1050 of 1200.
    assert [p.completion_rate for p in rf4.periods] == [pytest.approx(900 / 1100 * 100), None, 87.5]
    assert [p.transactions for p in rf4.periods] == [1100, 1220, 1200]


def test_a_bad_cell_in_a_column_taken_away_is_told_at_that_column(tmp_path):
    config = site(tmp_path, AE_SOURCE, {"data/ae.csv": AE.replace("1200,150", "1200,abc").replace("1100,150", "1100,1250")})
    code, out = run(config, "check")
    assert code == 1
    assert "data/ae.csv:6:5: error: 'completed' (column 'breaches') is not a number: 'abc'" in out
    assert "data/ae.csv:4:4: error: 'completed' comes out below zero on this row (-150)" in out
    config.write_text(config.read_text().replace("{breaches}", "{breachs}"))
    code, out = run(config, "check")
    assert code == 1 and "error: column 'breachs' is not in ae.csv" in out and "did you mean 'breaches'?" in out


def test_a_figure_worked_out_from_columns_of_a_wide_file_is_an_error_in_config(tmp_path):
    source = AE_SOURCE.replace("    combine: sum\n", "    combine: sum\n    wide: {columns: '{channel}'}\n")
    config = site(tmp_path, source, {"data/ae.csv": AE})
    code, out = run(config, "check")
    assert code == 1
    assert "config.yaml" in out and "'completed' adds or takes away columns, which is read only in a file with one " \
        "row for each period and channel" in out


def test_a_wide_channel_mapped_to_no_channel_is_told_at_config_yaml(tmp_path):
    """'in_person_applications: face_to_fase' was told at a data cell ('and 1859 more rows'), where
    the guide says a mapping's slip is told where it is written."""
    source = INVENTORY_SOURCE.replace('wide: {columns: "{channel}"}',
                                      'wide: {columns: "{channel}", channels: {phone: phne}}')
    config = site(tmp_path, source, {"data/inventory.csv": INVENTORY})
    code, out = run(config, "check")
    assert code == 1
    assert re.search(r"config\.yaml:\d+:\d+: error: wide: channels: maps 'phone' to 'phne', which is not a channel "
                     r"in config\.yaml\n    hint: did you mean 'phone'\?", out)
    assert out.count("error:") == 1 and not any("inventory.csv" in line for line in out.splitlines() if "error:" in line)


def test_a_year_with_a_channel_missing_is_said_in_years_not_months(tmp_path):
    """A yearly card said 'April 2018 to March 2019 has no month of complete data' and 'none of the
    12 months has complete data' of a year whose phone figure was not given."""
    data = INVENTORY.replace("Immigration,,220,60", "Immigration,,220,")
    config = site(tmp_path, INVENTORY_SOURCE, {"data/inventory.csv": data})
    card = services(config)["1464"].kpis["transactions_per_year"]
    # Said once: the card's no-comparison line says it, and no note repeats it.
    assert card.no_comparison == ("No comparison with April 2017 to March 2018: not every channel has a figure for "
                                  "April 2018 to March 2019")
    assert card.note is None
    # A first year (nothing to compare with) has the note.
    alone = "\n".join(line for line in data.splitlines() if "1464" not in line or "2018-19" in line) + "\n"
    (tmp_path / "data/inventory.csv").write_text(alone)
    assert services(config)["1464"].kpis["transactions_per_year"].note == "not every channel has a figure for the year"


def test_a_heading_six_letters_from_a_mapped_channel_is_not_called_a_slip(tmp_path):
    """The Y/N column 'e_application' was said to be 'a letter or two from other_applications'."""
    data = INVENTORY.replace("url,online,phone", "url,online,other_applications,e_application").replace(
        ",50\n", ",50,N\n").replace(",80\n", ",80,Y\n").replace(",40\n", ",40,Y\n").replace(
        ",70\n", ",70,N\n").replace(",1\n", ",1,N\n").replace(",60\n", ",60,Y\n")
    source = INVENTORY_SOURCE.replace('wide: {columns: "{channel}"}',
                                      'wide: {columns: "{channel}", channels: {other_applications: phone}}')
    config = site(tmp_path, source, {"data/inventory.csv": data})
    code, out = run(config, "check")
    assert code == 0 and "letter or two" not in out and "e_application" not in out, out
    assert [p.transactions for p in services(config)["1464"].periods] == [280, 280, 280]
    # One letter out, over figures, is still told, as an error (its figures would be dropped).
    config.write_text(config.read_text().replace("other_applications: phone", "other_aplications: phone"))
    code, out = run(config, "check")
    assert code == 1 and "it is a letter or two from 'other_aplications' in wide: channels: in config.yaml" in out


def test_details_come_from_the_latest_period_in_a_newest_first_file_and_the_address_stays(tmp_path):
    """Latest by period, not by place in the file: a newest-first export. And a web address made
    from the name stays the one first published (a YAML file overriding it still applies)."""
    lines = INVENTORY.splitlines()
    newest_first = "\n".join([lines[0], *reversed(lines[1:])]) + "\n"
    source = INVENTORY_SOURCE.replace('services: {name: "{service_name}",', 'services: {name: "{service_name}", '
                                      'slug: "{service_name}",')
    override = ("name: PR cards\norganisation: immigration\ndescription: Cards.\ntargets: {digital_take_up: 80}\n")
    config = site(tmp_path, source, {"data/inventory.csv": newest_first,
                                     "content/services/pr-card-renewals.yaml": override})
    made = services(config)
    # 2018-19 is the file's first row and the latest period: its name; the address is the first
    # published (2016-17's, the file's last row), so the YAML file still overrides that service.
    assert "permanent-resident-card-renewals" not in made
    assert made["pr-card-renewals"].kpis["digital_take_up"].target == 80
    assert [p.transactions for p in made["pr-card-renewals"].periods] == [280, 280, 280]
    # Without the YAML file the service is named as in its latest row, at the same address.
    (tmp_path / "content/services/pr-card-renewals.yaml").unlink()
    assert services(config)["pr-card-renewals"].name == "Permanent Resident Card Renewals"


def test_a_reused_key_takes_no_details_from_the_other_organisations_rows(tmp_path):
    """Id 1941: the passport service's web address (2017-18, Immigration) had gone to Health
    Canada's notices (2018-19), whose own cell is blank."""
    made = services(site(tmp_path, INVENTORY_SOURCE, {"data/inventory.csv": INVENTORY}))
    assert made["1941"].name == "Notices of Restriction" and made["1941"].service_url is None
    assert made["1941"].organisation.slug == "health-canada"


def test_one_organisation_written_two_ways_under_a_key_is_not_two_organisations(tmp_path):
    data = INVENTORY.replace("2018-19,1941,Notices of Restriction,Health Canada", "2018-19,1941,Regular Passport,"
                             "Immigration ")
    config = site(tmp_path, INVENTORY_SOURCE, {"data/inventory.csv": data.replace("2017-18,1941,Regular Passport,"
                                                                                  "Immigration", "2017-18,1941,"
                                                                                  "Regular Passport,immigration")})
    code, out = run(config, "check")
    assert code == 0 and "more than one organisation" not in out, out  # (read, not failed before the check)


def test_a_wide_heading_mapped_to_all_channels_is_read_as_their_total(tmp_path):
    """'Overall: all' under wide: channels: is the all-channels row, not an unknown channel."""
    source = ("sources:\n  - file: overall.csv\n    columns: {period: Month, service: Service}\n"
              "    wide: {columns: '{channel}', channels: {Overall: all}}\n"
              "    services: {name: '{Service}', organisation: council}\n")
    config = site(tmp_path, source, {"data/overall.csv": "Month,Service,Overall\n2024-01,Bins,100\n2024-02,Bins,110\n"})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert [p.transactions for p in services(config)["bins"].periods] == [100, 110]


def test_terms_share_a_columns_bad_cell_and_its_replace(tmp_path):
    """A column in two figures' sums ('{offered} - {abandoned}' and '{offered} - {abandoned} - {failed}'):
    its bad cell is told once, and replace: for a figure corrects its terms' cells too."""
    data = ("period,offered,abandoned,failed\n2024-01,100,10,5\n2024-02,120,abc,6\n2024-03,130,20,4\n")
    source = ("sources:\n  - file: calls.csv\n    columns: {transactions: offered, started: '{offered} - {abandoned}',\n"
              "              completed: '{offered} - {abandoned} - {failed}'}\n")
    files = {"data/calls.csv": data, "content/services/calls.yaml": PAY.replace("pay.csv", "calls.csv")}
    config = site(tmp_path, source, files)
    code, out = run(config, "check")
    assert code == 1 and out.count("is not a number: 'abc'") == 1 and "1 error(s)" in out
    config.write_text(config.read_text().replace("    columns:", "    replace: {started: {abc: '12'}, completed: "
                                                 "{abc: '12'}}\n    columns:"))
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    # February: started 120 - 12 = 108, completed 108 - 6 = 102; January 85 of 90; March 106 of 110.
    rates = [p.completion_rate for p in services(config)["calls"].periods]
    assert rates == [pytest.approx(85 / 90 * 100), pytest.approx(102 / 108 * 100), pytest.approx(106 / 110 * 100)]


@pytest.mark.parametrize("dates, says, fix", [
    (["2022-01-01", "2022-04-01", "2022-07-01", "2022-10-01"], "a quarter apart (2022-01-01 to 2022-10-01)",
     "period_type: quarter"),
    (["2022-03-31", "2022-06-30", "2022-09-30", "2022-12-31"], "a quarter apart (2022-03-31 to 2022-12-31)",
     "period_type: quarter"),
    (["2021-06-30", "2021-12-31", "2022-06-30", "2022-12-31"], "a half-year apart (2021-06-30 to 2022-12-31)",
     'period: "6 months to {Date}"'),
    (["2020-04-01", "2021-04-01", "2022-04-01"], "a year apart (2020-04-01 to 2022-04-01)", "period_type: year"),
])
def test_days_a_quarter_a_half_year_or_a_year_apart_are_told(tmp_path, dates, says, fix):
    """Half-yearly statistics dated by each half-year's last day were published as 13 single days
    ('Of the 13 days shown'), with a row of 'no data' for each day between: only days a month or
    a week apart were told."""
    csv_text = "period,channel,transactions\n" + "".join(f"{d},online,{10 + i}\n" for i, d in enumerate(dates))
    out = run(one_file_site(tmp_path, csv_text), "check")[1]
    assert f"single days {says}, so each row is read as that one day" in out and fix in out, out


def test_the_half_year_template_the_hint_gives_reads_half_years(tmp_path):
    data = "Date,Requests\n30/06/2021,10\n31/12/2021,12\n30/06/2022,14\n31/12/2022,16\n"
    source = ("sources:\n  - file: half.csv\n    columns: {period: '6 months to {Date}', transactions: Requests}\n")
    config = site(tmp_path, source, {"data/half.csv": data, "content/services/half.yaml": PAY.replace("pay.csv",
                                                                                                       "half.csv")})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert [p.period.label for p in services(config)["half"].periods][:2] == ["January to June 2021",
                                                                              "July to December 2021"]


def test_completed_without_started_is_a_warning(tmp_path):
    config = site(tmp_path, AE_SOURCE.replace(" started: attendances,", ""), {"data/ae.csv": AE})
    code, out = run(config, "check")
    assert code == 0 and ("warning: service 'RF4' has completed counts but no started ones, so it has no completion "
                          "rate: that is completed over started") in out
    assert services(config)["rf4"].kpis["completion_rate"].value is None


def test_a_measure_of_two_words_is_read_where_wide_period_joins_the_period(tmp_path):
    """'online volume april' with wide: period: '{period} {Year}': no split's period is a period
    until it is joined, and the first-word split ('online' / 'volume april') had dropped the digital
    count without a word (take-up 'no data' for every library service)."""
    source = ("sources:\n  - file: lib.csv\n    columns: {service: Service}\n"
              "    wide: {columns: '{measure} {period}', period: '{period} {Year}',\n"
              "           measures: {volume: transactions, online volume: digital_transactions}}\n"
              "    services: {name: '{Service}', organisation: council}\n")
    data = "Service,Year,volume april,online volume april,volume may,online volume may\nAlpha,2023/24,100,60,110,70\n"
    config = site(tmp_path, source, {"data/lib.csv": data})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert [(p.period.label, p.digital_take_up) for p in services(config)["alpha"].periods] == [
        ("April 2023", 60.0), ("May 2023", pytest.approx(70 / 110 * 100))]


def test_a_channel_text_with_the_patterns_separator_in_it_is_read_as_mapped(tmp_path):
    """'online_web_april' with '{channel}_{period}' and channels: {online_web: online} had split at
    the first '_' ('online' / 'web_april'): 165 errors on a library file."""
    source = ("sources:\n  - file: lib.csv\n    columns: {service: Service}\n"
              "    wide: {columns: '{channel}_{period}', period: '{period} 2023/24', channels: {online_web: online}}\n"
              "    services: {name: '{Service}', organisation: council}\n")
    data = "Service,online_web_april,online_web_may,phone_april,phone_may\nAlpha,60,70,40,40\n"
    config = site(tmp_path, source, {"data/lib.csv": data})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert [p.transactions for p in services(config)["alpha"].periods] == [100, 110]


def test_a_wide_period_template_that_makes_no_period_is_told_at_config_yaml(tmp_path):
    """'{period} 2023/25' gave an error at every data cell ('april 2023/25' is not a period), none
    where the slip was."""
    source = ("sources:\n  - file: lib.csv\n    columns: {service: Service}\n"
              "    wide: {columns: '{channel}_{period}', period: '{period} 2023/25', channels: {online_web: online}}\n"
              "    services: {name: '{Service}', organisation: council}\n")
    data = "Service,online_web_april,online_web_may,phone_april,phone_may\nAlpha,60,70,40,40\nBeta,1,2,3,4\n"
    code, out = run(site(tmp_path, source, {"data/lib.csv": data}), "check")
    assert code == 1 and re.search(r"config\.yaml:\d+:\d+: error: wide: period: '\{period\} 2023/25' makes no period "
                                   r"from the headings \(the first is 'april 2023/25'\)", out) and "1 error(s)" in out


def test_a_misspelt_heading_joined_to_a_constant_wide_period_is_told_at_the_heading(tmp_path):
    source = ("sources:\n  - file: lib.csv\n    columns: {service: Service}\n"
              "    wide: {columns: '{channel}_{period}', period: '{period} 2023/24', channels: {online_web: online}}\n"
              "    services: {name: '{Service}', organisation: council}\n")
    data = "Service,online_web_april,online_web_mya,phone_april,phone_may\nAlpha,60,70,40,40\nBeta,1,2,3,4\n"
    code, out = run(site(tmp_path, source, {"data/lib.csv": data}), "check")
    assert code == 1 and ("data/lib.csv:1:3: error: column 'online_web_mya' matches '{channel}_{period}' but 'mya "
                          "2023/24' is not a period I recognise") in out and "1 error(s)" in out


def _services_of(tmp_path, source_lines: str, csv_text: str):
    config = site(tmp_path, "sources:\n  - file: c.csv\n" + source_lines +
                  "    services: {name: '{Service}', organisation: council}\n", {"data/c.csv": csv_text})
    return config, run(config, "check")


def test_a_mapped_channel_text_leaves_other_channels_headings_split_by_the_measures(tmp_path):
    """channels: {Web: online} beside 'Phone volume' and 'Face to face volume': the split by both
    mapped texts had been tried alone, and the others split after their first word and dropped."""
    config, (code, out) = _services_of(tmp_path, "    columns: {period: Month, service: Service}\n"
                                       "    wide: {columns: '{channel} {measure}', measures: {volume: transactions}, "
                                       "channels: {Web: online}}\n",
                                       "Service,Month,Web volume,Phone volume,Face to face volume\n"
                                       "Permits,2024-01,10,20,30\nPermits,2024-02,11,21,31\n")
    assert code == 0, out
    assert [p.transactions for p in services(config)["permits"].periods] == [60, 63]


def test_an_unmapped_measure_after_a_period_of_words_is_still_passed_over(tmp_path):
    """'Q4 2012 Digital CPT (£)' beside mapped 'Vol.' and 'CPT (£)': the plain split's unmapped
    measure, as before, not an error that 'Q4 2012 Digital' is no period."""
    config, (code, out) = _services_of(tmp_path, "    columns: {service: Service}\n    constants: {channel: online}\n"
                                       "    wide: {columns: '{period} {measure}', measures: {Vol.: transactions, "
                                       "CPT (£): cost_per_transaction}}\n",
                                       "Service,Q4 2012 Vol.,Q4 2012 CPT (£),Q4 2012 Digital CPT (£),Q1 2013 Vol.,"
                                       "Q1 2013 CPT (£),Q1 2013 Digital CPT (£)\nPermits,100,£2.00,£0.50,120,£2.10,£0.4\n")
    assert code == 0, out
    assert [p.cost_per_transaction for p in services(config)["permits"].periods] == [2.0, 2.1]


def test_replace_corrects_a_heading_joined_to_a_fixed_wide_period(tmp_path):
    """The check at the heading had not read replace:, which its own hint offers."""
    config, (code, out) = _services_of(tmp_path, "    columns: {service: Service}\n    constants: {channel: online}\n"
                                       "    wide: {columns: '{period}', period: '{period} 2023/24', measure: "
                                       "transactions}\n", "Service,april,may,marhc\nLoans,10,20,30\n")
    assert code == 1 and "replace: {period: {'marhc 2023/24': '...'}}" in out
    config.write_text(config.read_text().replace("    wide:", "    replace: {period: {marhc 2023/24: march 2023/24}}\n"
                                                                "    wide:"))
    assert run(config, "check")[0] == 0
    assert [p.transactions for p in services(config)["loans"].periods] == [10, 20, 30]  # April, May 2023, March 2024


def test_an_organisation_written_on_a_services_first_row_only_is_its_organisation(tmp_path):
    """Rows after the first leave the organisation blank: a blank is no other organisation (the
    service had lost its organisation, and the build failed)."""
    source = ("sources:\n  - file: l.csv\n    columns: {service: Service, period: Month, channel: Channel, "
              "transactions: Count}\n    services: {name: '{Service}', organisation: '{Dept}', description: '{Desc}', "
              "slug: '{Slug}'}\n    organisations: [{name: '{Dept}', parent: council}]\n")
    data = ("Service,Dept,Desc,Slug,Month,Channel,Count\nBins,Waste Dept,Old desc,bins-old,2024-01,online,1\n"
            "Bins,,,,2024-02,online,2\nBins,,New desc,,2024-03,online,3\n")
    config = site(tmp_path, source, {"data/l.csv": data})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    bins = services(config)["bins-old"]
    assert (bins.organisation.slug, bins.description) == ("waste-dept", "New desc")


def test_started_marked_not_requested_is_not_told_as_missing(tmp_path):
    files = {"data/s.csv": "period,channel,transactions,started,completed\n2024-01,online,5,***,4\n"
                           "2024-02,online,6,***,5\n", "content/services/s.yaml": PAY.replace("pay.csv", "s.csv")}
    config = site(tmp_path, "", files)
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert services(config)["s"].kpis["completion_rate"].status == "not_requested"


def test_a_replace_that_corrects_nothing_is_told_at_its_line_with_the_near_miss(tmp_path):
    """A typo in replace: (or a heading where the field belongs) had left the very cell it was written
    for as it was, with no word: each correction that finds no cell is a warning at its key."""
    data = "Service,Month,Channel,Count\nBins,2024-01,Online,100\nBins,2024-02,Online,3O\n"
    source = ("sources:\n  - file: l.csv\n    columns: {service: Service, period: Month, channel: Channel, "
              "transactions: Count}\n    replace:\n      transactions: {'3o': '30'}\n      Count: {'3O': '30'}\n"
              "    services: {name: '{Service}', organisation: council}\n")
    config = site(tmp_path, source, {"data/l.csv": data})
    code, out = run(config, "check")
    assert code == 1
    assert ("config.yaml:17:22: warning: replace: '3o' matches no transactions cell in l.csv, so it corrects "
            "nothing\n    hint: did you mean '3O'? replace: matches a cell's whole text as the file writes it") in out
    assert ("config.yaml:18:7: warning: replace: 'Count' is not a field read from l.csv, so it corrects nothing\n"
            "    hint: replace: is keyed by the field, not the heading: write transactions: (read from column "
            "'Count')") in out
    config.write_text(config.read_text().replace("'3o'", "'3O'").replace("      Count: {'3O': '30'}\n", ""))
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert [p.transactions for p in services(config)["bins"].periods] == [100, 30]


def test_a_replace_used_in_any_file_of_a_pattern_is_not_told(tmp_path):
    """A pattern's files are read together: a correction that finds its cell in one file of them
    has done its work, and one whose text is in none is told once."""
    files = {f"data/m/{month}.csv": f"Service,Channel,Count\nBins,Online,{count}\n"
             for month, count in (("2024-01", "1O"), ("2024-02", "20"), ("2024-03", "30"))}
    source = ("sources:\n  - file: m/*.csv\n    columns: {service: Service, period: '{file period}', channel: Channel, "
              "transactions: Count}\n    replace: {transactions: {'1O': '10', '4O': '40'}}\n"
              "    services: {name: '{Service}', organisation: council}\n")
    config = site(tmp_path, source, files)
    code, out = run(config, "check")
    assert out.count("warning:") == 1 and "replace: '4O' matches no transactions cell in m/*.csv" in out, out
    assert [p.transactions for p in services(config)["bins"].periods] == [10, 20, 30]


# -- a tester's real exports: LG Inform's planning figures, Los Angeles' 311 requests ----------------

PLANNING = ("area_code,area_name,period,value\nE06000006,Halton,2022/23 Q3,88\nE06000006,Halton,2022/23 Q4,90\n"
            "E92000001,England,2022/23 Q3,87\nE92000001,England,2022/23 Q4,89\n")
PLANNING_SOURCE = ("sources:\n  - file: p.csv\n    columns: {service: '{area_name} major', period: period, "
                   "completion_rate: value}\n    ignore: [area_code]\n"
                   "    services: {name: 'Major applications ({area_name})', organisation: '{area_name}', "
                   "not_requested: [cost_per_transaction, user_satisfaction, digital_take_up]}\n"
                   "    organisations: [{name: '{area_name}', parent: council}]\n")


def test_a_countrys_row_among_councils_is_told_with_the_exclude_that_leaves_it_out(tmp_path):
    """LG Inform gives England's figure below the councils': it had become a council, counted in
    the site's figures, with no word."""
    config = site(tmp_path, PLANNING_SOURCE, {"data/p.csv": PLANNING})
    code, out = run(config, "check")
    assert code == 0 and out.count("warning:") == 1, out
    assert ("data/p.csv:5: warning: organisation 'England' looks like a whole country's or an average's row, not "
            "an organisation's") in out
    assert "hint: leave its rows out with exclude: {area_name: England} in the source" in out
    config.write_text(config.read_text().replace("    ignore:", "    exclude: {area_name: 'England'}\n    ignore:"))
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert sorted(services(config)) == ["halton-major"]
    # A service named as a country, where each row's area is a service of one organisation:
    config = site(tmp_path, "sources:\n  - file: p.csv\n    columns: {service: area_name, period: period, "
                  "completion_rate: value}\n    ignore: [area_code]\n    services: {name: '{area_name}', "
                  "organisation: council}\n", {"data/p.csv": PLANNING})
    code, out = run(config, "check")
    assert "data/p.csv:5: warning: service 'England' looks like a whole country's" in out, out
    assert "exclude: {area_name: England}" in out


def test_money_among_percentages_is_an_error_at_its_cell(tmp_path):
    """'£88' in a column of rates (a slipped column) had been read as 88% without a word."""
    config = site(tmp_path, PLANNING_SOURCE, {"data/p.csv": PLANNING.replace("Halton,2022/23 Q4,90", "Halton,2022/23 Q4,£90")})
    code, out = run(config, "check")
    assert code == 1
    assert ("data/p.csv:3:4: error: 'completion_rate' (column 'value') is a percentage, not money: '£90'\n"
            "    hint: write 72 or 72% for 72 per cent; if this is a cost, the columns may have slipped") in out


def test_a_service_of_rates_alone_has_no_table_of_transactions_by_channel(tmp_path):
    """Planning applications decided in time publish a rate and no counts: a table of transactions
    by channel and period had said 'no data' in every cell. A service with counts keeps it."""
    config = site(tmp_path, PLANNING_SOURCE, {"data/p.csv": PLANNING})
    assert run(config, "build", "--output", str(tmp_path / "site"))[0] == 0
    page = (tmp_path / "site/services/halton-major/index.html").read_text()
    assert "Completion rate" in page and "by-channel-heading" not in page
    assert "Transactions by channel and period" not in page


def test_a_day_and_a_single_transaction_are_written_as_such(tmp_path):
    """A day's figures read 'in 30 December 2017', and one request 'There were 1 transactions'."""
    data = "Service,Date,Channel\nFeedback,29/12/2017,Phone\nPotholes,29/12/2017,Phone\nPotholes,30/12/2017,Online\n" \
           "Potholes,30/12/2017,Online\nPotholes,31/12/2017,Phone\n"
    source = ("sources:\n  - file: r.csv\n    columns: {service: Service, period: Date, channel: Channel}\n"
              "    constants: {transactions: 1}\n    combine: sum\n"
              "    services: {name: '{Service}', organisation: council}\n")
    config = site(tmp_path, source, {"data/r.csv": data})
    code, out = run(config, "build", "--output", str(tmp_path / "site"))
    assert code == 0, out
    feedback = (tmp_path / "site/services/feedback/index.html").read_text()
    assert "There was 1 transaction on 29 December 2017." in feedback
    potholes = (tmp_path / "site/services/potholes/index.html").read_text()
    assert " on 29 December 2017" in potholes and " in 29 December 2017" not in potholes


def test_a_channel_not_counted_is_named_above_the_key_figures(tmp_path):
    files = {"data/pay.csv": "period,channel,transactions,cost\n2024-01,online,100,20\n2024-01,phone,50,100\n"
                             "2024-01,face_to_face,***,***\n", "content/services/pay.yaml": PAY}
    config = site(tmp_path, "", files)
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert run(config, "build", "--output", str(tmp_path / "site"))[0] == 0
    page = (tmp_path / "site/services/pay/index.html").read_text()
    assert ("<p>Not counted (marked not requested in the data): transactions through Face to face. These figures "
            "are of the other channels.</p>") in page
    assert "66.7%" in page  # take-up: 100 / 150


def test_a_field_among_a_headings_words_and_a_period_column_are_named_with_their_mapping(tmp_path):
    """A tester's 'Total cost (£)' was an unknown column with the list of fields for a hint, and the
    site published an estimate from unit costs in place of the council's own £1.50; 'Month' was
    'missing column: period' and an unknown column both, and neither said to map it."""
    csv = 'period,channel,Transactions,Total cost (£)\n2024-01,online,100,£20.00\n2024-01,phone,50,£100.00\n'
    code, out = run(one_file_site(tmp_path, csv), "check")
    assert ("data/contact.csv:1:4: warning: unknown column 'Total cost (£)' is ignored\n    hint: if it holds cost, "
            'say so in config.yaml: sources: [{file: contact.csv, columns: {cost: "Total cost (£)"}}]') in out
    fixed = one_file_site(tmp_path / "fixed", csv, "sources:\n  - {file: contact.csv, columns: {cost: 'Total cost (£)'}}\n")
    assert run(fixed, "check", "--strict")[0] == 0
    (jan,) = services(fixed)["contact"].periods
    assert jan.cost_per_transaction == pytest.approx(120 / 150)
    code, out = run(one_file_site(tmp_path / "month", "Month,channel,transactions\n2024-01,online,100\n"), "check")
    assert out == ("data/contact.csv:1: error: missing column: period\n    hint: if 'Month' holds the periods, say so "
                   "in config.yaml: sources: [{file: contact.csv, columns: {period: Month}}]\n"
                   "1 error(s), 0 warning(s)\nCheck failed.\n")


def test_dates_written_month_first_are_one_error_not_one_a_row(tmp_path):
    """Los Angeles' 311 export without dates: month_first gave 9,118 errors, 200 shown, each with the
    same hint, and the summary split them three ways: they are one slip, told once with how many."""
    data = "Service,Created,Channel\n" + "".join(f"Bins,12/{d:02d}/2017 11:00:58 PM,Online\n" for d in range(10, 20))
    source = ("sources:\n  - file: r.csv\n    columns: {service: Service, period: Created, channel: Channel}\n"
              "    constants: {transactions: 1}\n    services: {name: '{Service}', organisation: council}\n")
    config = site(tmp_path, source, {"data/r.csv": data})
    code, out = run(config, "check")
    assert code == 1 and out.count("error:") == 1, out
    assert ("data/r.csv:5:2: error: 'period' (column 'Created') is not a period I recognise: '12/13/2017 11:00:58 PM' "
            "(and 6 more rows "
            "with dates written month first)\n    hint: '12/13/2017' has 13 in the month's place") in out
    config.write_text(config.read_text().replace("    constants:", "    dates: month_first\n    constants:"))
    assert run(config, "check")[0] == 0


def test_a_part_month_of_dated_rows_read_as_months_is_told(tmp_path):
    """Los Angeles' 311 requests of 27 to 31 December 2017, with period_type: month, read 'There
    were 4,404 transactions in December 2017' with no word. Rows dated the 1st of each month name
    their months, and are not told."""
    events = "".join(f"Bins,{d:02d}/11/2024,Online\n" for d in range(1, 31)) + \
        "".join(f"Bins,{d:02d}/12/2024,Phone\n" for d in range(1, 16))
    source = ("sources:\n  - file: r.csv\n    columns: {service: Service, period: Date, channel: Channel}\n"
              "    constants: {transactions: 1}\n    combine: sum\n    period_type: month\n"
              "    services: {name: '{Service}', organisation: council}\n")
    config = site(tmp_path, source, {"data/r.csv": "Service,Date,Channel\n" + events})
    code, out = run(config, "check")
    assert code == 0 and out.count("warning:") == 1, out
    assert ("data/r.csv:46:2: warning: the rows end on 15 December 2024, so December 2024 is published as a whole "
            "month of figures but holds only part of one") in out
    firsts = "Service,Date,Channel\n" + "".join(f"Bins,01/{m:02d}/2024,Online\n" for m in range(1, 13))
    config = site(tmp_path / "firsts", source, {"data/r.csv": firsts})
    assert run(config, "check", "--strict")[0] == 0


def test_a_last_updated_date_before_the_latest_figures_is_told(tmp_path):
    """'Last updated 10 April 2025' above figures to March 2026: the date left as it was."""
    files = {"data/pay.csv": "period,channel,transactions\n2026-02,online,5\n2026-03,online,6\n",
             "content/services/pay.yaml": PAY + "last_updated: 2025-04-10\n"}
    config = site(tmp_path, "", files)
    code, out = run(config, "check")
    assert ("content/services/pay.yaml:5:15: warning: last_updated: 2025-04-10 is before the end of the latest "
            "figures (March 2026), and the page says it") in out, out
    (tmp_path / "content/services/pay.yaml").write_text(PAY + "last_updated: 2026-04-02\n")
    assert run(config, "check", "--strict") == (0, "No errors found.\n")


def test_a_calendar_quarter_among_financial_years_quarters_is_told_at_its_cell(tmp_path):
    """'Q3 2022' among '2022/23 Q1' ... was read as July to September 2022 with no word but a gap
    told at another line: it is most likely the financial year's third quarter, written another way."""
    data = ("area_code,area_name,period,value\n" + "".join(
        f"E1,Halton,{p},{v}\n" for p, v in (("2022/23 Q1", 80), ("2022/23 Q2", 81), ("Q3 2022", 82), ("2022/23 Q4", 83))))
    config = site(tmp_path, PLANNING_SOURCE, {"data/p.csv": data})
    code, out = run(config, "check")
    assert ("data/p.csv:4:3: warning: 'Q3 2022' is read as a calendar quarter, July to September 2022, but the other "
            "quarters here are of financial years ('2022/23 Q1' is April to June 2022)") in out, out
    config.write_text(config.read_text().replace("    ignore:", "    replace: {period: {Q3 2022: 2022/23 Q3}}\n    ignore:"))
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    calendar = "area_code,area_name,period,value\n" + "".join(f"E1,Halton,Q{q} 2022,80\n" for q in (1, 2, 3, 4))
    assert run(site(tmp_path / "cal", PLANNING_SOURCE, {"data/p.csv": calendar}), "check", "--strict")[0] == 0


def test_the_two_source_completion_recipe_counts_a_channel_or_a_service_with_none_on_time(tmp_path):
    """Boston 311: every request counted by one source, those on time by a second (the recipe in
    docs/bring-your-data.md). A channel with no request on time had no completed count, and its
    started ones dropped out of the rate: 25 of 27 (92.6%), not 25 of 28 (89.3%). A division with
    none on time had only the first source's rows, and read 'no data', not 0%."""
    rows = [("Roads", "App", "ONTIME")] * 5 + [("Roads", "App", "OVERDUE")] + [("Roads", "Staff", "OVERDUE")] * 2 + \
        [("Parks", "App", "OVERDUE")] * 3
    data = "subject,open_dt,source,ontime\n" + "".join(f"{s},2022-01-{10 + i:02d},{c},{o}\n"
                                                       for i, (s, c, o) in enumerate(rows))
    twin = ("    columns: {period: open_dt, service: subject, channel: source}\n    combine: sum\n"
            "    period_type: month\n    missing_rows: zero\n"
            "    services: {name: '{subject} requests', organisation: council, not_requested: "
            "[cost_per_transaction, user_satisfaction]}\n")
    source = ("channels:\n  - {id: online, label: Online, digital: true, aliases: [App]}\n"
              "  - {id: staff, label: Staff}\nsources:\n  - id: all\n    file: r.csv\n"
              "    constants: {transactions: 1, started: 1}\n" + twin +
              "  - id: ontime\n    file: r.csv\n    filter: {ontime: ONTIME}\n    constants: {completed: 1}\n" + twin)
    config = site(tmp_path, "", {"data/r.csv": data})
    config.write_text(config.read_text().split("channels:")[0] + source)
    assert run(config, "check")[0] == 0
    made = services(config)
    assert made["roads"].kpis["completion_rate"].value == pytest.approx(5 / 8 * 100)  # 5 on time of 8
    assert made["parks"].kpis["completion_rate"].value == 0.0  # none of 3 on time
    assert made["roads"].kpis["digital_take_up"].value == pytest.approx(6 / 8 * 100)


def test_a_channel_with_no_row_in_the_latest_period_is_told_as_read_not_yet_in(tmp_path):
    """Libraries West's payments summary leaves out its zero rows: Bristol's 10 invoices one year and
    none the next left the latest year without an invoice row, read as not yet in, and the page
    showed last year's take-up beside this year's transactions, with no word from check --strict."""
    data = ("year,authority,type,payments\n2019/2020,Bristol,PAYPAL,1000\n2019/2020,Bristol,CASH,2000\n"
            "2019/2020,Bristol,INVOICE,10\n2020/2021,Bristol,PAYPAL,1360\n2020/2021,Bristol,CASH,2550\n"
            "2020/2021,Bristol,INVOICE,10\n2021/2022,Bristol,PAYPAL,1160\n2021/2022,Bristol,CASH,5060\n")
    source = ("sources:\n  - file: p.csv\n    columns: {period: year, service: authority, channel: type, "
              "transactions: payments}\n    services: {name: '{authority}', organisation: council}\n")
    channels = ("channels:\n  - {id: online, label: Online, digital: true, aliases: [PAYPAL]}\n"
                "  - {id: counter, label: Counter, aliases: [CASH]}\n  - {id: invoice, label: Invoice, aliases: [INVOICE]}\n")
    config = site(tmp_path, "", {"data/p.csv": data})
    config.write_text(config.read_text().split("channels:")[0] + channels + "charts:\n  static_svg: false\n" + source)
    code, out = run(config, "check")
    assert ("data/p.csv:7: warning: Invoice has no row for April 2021 to March 2022 for 'bristol', though its other "
            "channels do: it is read as not yet in, so the latest take-up and cost are for April 2020 to March 2021") \
        in out, out
    config.write_text(config.read_text().replace("    services:", "    missing_rows: zero\n    services:"))
    assert run(config, "check", "--strict")[0] == 0
    assert services(config)["bristol"].kpis["digital_take_up"].value == pytest.approx(1160 / 6220 * 100)


_LOANS = ("Library,books_april,books_may,books_june,ebooks_april,ebooks_may,ebooks_june\n"
          "Bath,1000,1100,1200,,,\nKeynsham,500,520,540,50,60,70\nFrome,,,,,,\n")


def _loans_source(measure: str, channel: str, others: str) -> str:
    return (f"  - id: {measure}\n    file: loans.csv\n    columns: {{service: Library}}\n"
            f"    constants: {{channel: {channel}}}\n    ignore: [{others}_april, {others}_may, {others}_june]\n"
            f"    wide: {{columns: '{{measure}}_{{period}}', period: '{{period}} 2024/25', "
            f"measures: {{{measure}: transactions}}}}\n    services: {{name: '{{Library}}', organisation: council}}\n")


def test_a_channel_blank_throughout_in_its_own_source_is_missing_beside_the_others(tmp_path):
    """A source per channel (constants: {channel: ...}): Bath's e-book cells all blank beside its book
    loans had published a take-up of 0.0% with no word, where a column a channel said 'no data', and
    why. Frome, blank in both, is still a service with no data yet; Keynsham is as before."""
    config = site(tmp_path, "sources:\n" + _loans_source("books", "online", "ebooks")
                  .replace("online", "phone") + _loans_source("ebooks", "online", "books"),
                  {"data/loans.csv": _LOANS})
    code, out = run(config, "check")
    assert code == 0
    assert ("data/loans.csv:2:5: warning: Online has no figure in any period for 'Bath', beside its other "
            "channels' figures, so its digital take-up and cost per transaction are no data throughout") in out
    assert out.count("has no figure in any period") == 1
    found = services(config)
    bath = found["bath"]
    assert [p.transactions for p in bath.periods] == [1000, 1100, 1200]
    assert [p.digital_take_up for p in bath.periods] == [None, None, None]
    assert not any(p.complete for p in bath.periods)
    keynsham = found["keynsham"]
    assert [p.digital_take_up for p in keynsham.periods] == pytest.approx([100 * 50 / 550, 100 * 60 / 580,
                                                                         100 * 70 / 610])
    assert found["frome"].periods == []


def test_one_service_a_year_ahead_of_all_the_others_is_told(tmp_path):
    """A row of zeros for a year not yet reported, in one service of many: the site's latest data
    became its, and every other service counted as ended (a tester's home page read 0 transactions
    a year, with 1,339 services left out). The warning names it and how to leave the rows out; a
    site with the rows left out says nothing."""
    rows = "".join(f"S{n:02d},2023/24,{1000 + n}\n" for n in range(30)) + "S00,2024/25,0\n"
    source = ("sources:\n  - id: inventory\n    file: inventory.csv\n    columns: {service: Service, period: Year, "
              "transactions: Count}\n    services: {name: '{Service}', organisation: council}\n")
    config = site(tmp_path, source, {"data/inventory.csv": "Service,Year,Count\n" + rows})
    code, out = run(config, "check")
    assert code == 0
    assert ("data/inventory.csv:32: warning: 'S00' has transactions to March 2025 (all 0 in its latest 12 months), "
            "a year or more after 29 other services' (theirs end by March 2024): those count as ended, left out of "
            "the site's totals, and their pages say they may have closed\n"
            "    hint: if the later periods are not real figures (a row of zeros for a year not yet reported), leave "
            "them out with exclude: in the file's source") in out
    home = prepare(config).model.totals
    assert home.transactions_per_year == 0 and home.left_out == 29  # what the warning is about
    config.write_text(config.read_text(encoding="utf-8").replace(
        "    services:", "    exclude: {Year: 2024/25}\n    services:"), encoding="utf-8")
    code, out = run(config, "check")
    assert code == 0 and "a year or more after" not in out
    assert prepare(config).model.totals.transactions_per_year == sum(1000 + n for n in range(30))


def test_many_services_of_rates_alone_ended_beside_one_counting_transactions_build(tmp_path):
    """Ten services of rates alone ending a year before the one counting transactions: once such a
    service could end (assemble.service_ends), the warning above took them for services whose
    transactions a later row cut off, and the build failed on their having none (a review). They are
    not what it is about. A site of rates alone is told in the same way, of its figures."""
    rates = "".join(f"R{n},2022/23,80\n" for n in range(10))
    source = ("sources:\n  - id: survey\n    file: survey.csv\n    columns: {service: Service, period: Year, "
              "satisfaction: Score}\n    services: {name: '{Service}', organisation: council}\n"
              "  - id: counts\n    file: counts.csv\n    columns: {service: Service, period: Year, "
              "transactions: Count}\n    services: {name: '{Service}', organisation: council}\n")
    config = site(tmp_path, source, {"data/survey.csv": "Service,Year,Score\n" + rates,
                                     "data/counts.csv": "Service,Year,Count\nMain,2023/24,500\nMain,2024/25,600\n"})
    code, out = run(config, "check", "--strict")
    assert (code, out) == (0, "No errors found.\n")
    assert sum(1 for s in prepare(config).model.services if s.ended) == 10
    more = "".join(f"R{n},2022/23,80\n" for n in range(11)) + "R0,2024/25,85\n"
    alone = site(tmp_path / "alone", source.split("  - id: counts")[0], {"data/survey.csv": "Service,Year,Score\n" + more})
    code, out = run(alone, "check")
    assert code == 0 and ("'R0' has figures to March 2025, a year or more after 10 other services' (theirs end by "
                          "March 2023)") in out


def test_a_latest_period_with_a_handful_of_rows_is_told_with_its_exclude(tmp_path):
    """A contact-centre export taken part-way through November: one row, where each other month has
    twelve. With missing_rows: zero, the row's service read 0 for its other channels, and its card
    a take-up of 0.0% 'down 50.5 points' (a tester's). Following the hint's exclude: quietens it."""
    rows = "".join(f"{svc},{kind},{month},{n}\n" for month in (8, 9, 10)
                   for n, svc in enumerate(("Bins", "Tips", "Potholes", "Parking", "Trees", "Noise"), 3)
                   for kind in ("Web", "Phone")) + "Noise,Phone,11,1\n"
    source = ("sources:\n  - id: contacts\n    file: contacts.csv\n    columns: {service: Title, channel: Kind, "
              "period: '2014-{MonthNumber}', transactions: Count}\n    missing_rows: zero\n"
              "    services: {name: '{Title}', organisation: council}\n")
    extra = "  - id: web\n    label: Web\n    digital: true\n"
    config = site(tmp_path, source, {"data/contacts.csv": "Title,Kind,MonthNumber,Count\n" + rows})
    config.write_text(config.read_text(encoding="utf-8").replace("charts:", extra.rstrip("\n") + "\ncharts:", 1)
                      .replace("    digital: true\n  - id: phone", "  - id: phone"), encoding="utf-8")
    code, out = run(config, "check")
    assert code == 0
    assert ("data/contacts.csv:38:3: warning: November 2014, the latest period, has 1 row against about 12 in each "
            "other period of the file: figures taken part-way through it? With missing_rows: zero, its services' "
            "other channels read 0 for it\n"
            "    hint: leave its rows out until the period is complete: exclude: {MonthNumber: \"11\"} in the file's "
            "source; if the period is complete, this is right\n") in out
    noise = services(config)["noise"].periods[-1]  # what it warns of: web read as 0
    assert (noise.period.label, noise.transactions, noise.digital_take_up) == ("November 2014", 1, 0)
    config.write_text(config.read_text(encoding="utf-8").replace("    missing_rows: zero",
                                                                 "    exclude: {MonthNumber: \"11\"}\n    missing_rows: zero"),
                      encoding="utf-8")
    code, out = run(config, "check")
    assert code == 0 and "the latest period" not in out
    assert [p.period.label for p in services(config)["bins"].periods][-1] == "October 2014"


def test_periods_with_no_figure_after_a_service_last_are_left_out(tmp_path):
    """FOI statistics with '-' or blank for the quarters after a body's last figure: they had been
    periods of 'no channel has data', and the table of services said 'latest data: October to
    December 2019' of a body whose last figure was for April to June (a tester's). A blank between
    figures stays, as missing data; a body with no figure at all has no periods."""
    csv_text = ("Quarter,Body,Requests\nQ1 2019,Old Dept,10\nQ2 2019,Old Dept,\nQ3 2019,Old Dept,12\n"
                "Q4 2019,Old Dept,-\nQ1 2020,Old Dept,\nQ1 2019,New Dept,20\nQ2 2019,New Dept,22\n"
                "Q3 2019,New Dept,25\nQ4 2019,New Dept,21\nQ1 2020,New Dept,23\nQ1 2019,Gone Dept,-\n")
    source = ("sources:\n  - file: foi.csv\n    columns: {period: Quarter, service: Body, transactions: Requests}\n"
              "    services: {name: '{Body}', organisation: council}\n")
    config = site(tmp_path, source, {"data/foi.csv": csv_text})
    found = services(config)
    old = found["old-dept"]
    assert [(p.period.label, p.transactions) for p in old.periods] == [
        ("January to March 2019", 10), ("April to June 2019", None), ("July to September 2019", 12)]
    assert old.latest_label == "July to September 2019"
    assert len(found["new-dept"].periods) == 5
    assert found["gone-dept"].periods == [] and not found["gone-dept"].has_data


def test_replace_applies_to_a_row_whose_every_channel_is_a_missing_marker(tmp_path):
    """replace: {transactions: {NA: '0'}} over a column a channel: a row of 'NA' in every channel had
    been judged blank before the correction, and its service left with no data (a tester's 238
    services); a row with one 'NA' was corrected. Both are rows of figures now."""
    csv_text = ("year,id,num_online,num_by_phone\n2023-2024,A,NA,NA\n2023-2024,B,0,0\n2023-2024,C,5,NA\n")
    source = ("sources:\n  - file: inv.csv\n    columns: {service: id, period: year}\n"
              "    wide: {columns: 'num_{channel}', channels: {by_phone: phone}}\n"
              "    replace: {transactions: {NA: '0'}}\n    services: {name: 'Service {id}', organisation: council}\n")
    config = site(tmp_path, source, {"data/inv.csv": csv_text})
    found = services(config)
    assert [found[s].kpis["transactions_per_year"].value for s in ("a", "b", "c")] == [0, 0, 5]


def test_started_made_of_columns_with_a_blank_says_so_not_map_started(tmp_path):
    """started: '{On time} + {Late}' with Late blank: 'map started too' sent a tester to a mapping that
    was there. The hint's replace: gives the rate: 1 on time of 1 + 0 = 100%."""
    csv_text = "Year,Authority,Requests,On time,Late\n2019,A School,1,1,\n2019,B Council,10,8,2\n"
    source = ("sources:\n  - file: foi.csv\n    columns: {service: Authority, period: Year, transactions: Requests, "
              "started: '{On time} + {Late}', completed: On time}\n"
              "    services: {name: '{Authority}', organisation: council}\n")
    config = site(tmp_path, source, {"data/foi.csv": csv_text})
    code, out = run(config, "check")
    assert ("data/foi.csv:2: warning: service 'A School' has completed counts but its started ones ({On time} + "
            "{Late}) are blank, so it has no completion rate: a figure made of columns is blank wherever one of them "
            "is\n    hint: if a blank cell among those columns means none, write 0 in it, or say so with replace: "
            "{started: {'': '0'}} in the file's source (which reads a row with every such cell blank as 0 started "
            "too)\n") in out
    config.write_text(config.read_text(encoding="utf-8").replace(
        "    services:", "    replace: {started: {'': '0'}}\n    services:"), encoding="utf-8")
    code, out = run(config, "check", "--strict")
    assert (code, out) == (0, "No errors found.\n")
    found = services(config)
    assert found["a-school"].kpis["completion_rate"].value == 100
    assert found["b-council"].kpis["completion_rate"].value == 80


def test_many_values_no_service_reads_are_one_warning(tmp_path):
    """A file of every public body, read for one: a warning for each of the 70 others had buried the
    one error among them (a tester's). Seven are told once, with three named and how many rows each."""
    bodies = ["Cabinet Office", *(f"Body {n}" for n in range(7))]
    csv_text = "Quarter,Body,Requests\n" + "".join(f"Q{q} 2020,{b},{10 + q}\n" for b in bodies for q in (1, 2))
    service = "name: FOI\norganisation: council\ndescription: x\ndata: {file: foi.csv, service: Cabinet Office}\n"
    source = "sources:\n  - file: foi.csv\n    columns: {period: Quarter, service: Body, transactions: Requests}\n"
    config = site(tmp_path, source, {"data/foi.csv": csv_text, "content/services/foi.yaml": service})
    code, out = run(config, "check")
    assert code == 0 and out.count("no service reads") == 1
    assert ("data/foi.csv:4:2: warning: no service reads the rows for 7 values of the service column, such as "
            "'Body 0' (2 rows), 'Body 1' (2 rows), 'Body 2' (2 rows)\n"
            "    hint: to publish them, a services: block in the file's source makes a service of each value; to leave "
            "them out, say which to read with filter: (or exclude:) in the file's source\n") in out


def test_a_channel_of_several_words_before_a_period_in_a_heading_is_read(tmp_path):
    """'{channel} {period}' had split 'Face to face Apr-24' after 'Face' ('to face Apr-24' is not a
    period), and '{channel}_{period}' 'book_loans_april' after 'book': the channels config.yaml knows
    are tried first, however their words are joined."""
    csv_text = ("Service,Online Apr-24,Phone Apr-24,Face to face Apr-24,Online May-24,Phone May-24,"
                "Face to face May-24\nBins,100,50,10,120,40,8\n")
    source = ("sources:\n  - file: wide.csv\n    columns: {service: Service}\n    wide: {columns: '{channel} {period}'}\n"
              "    services: {name: '{Service}', organisation: council}\n")
    config = site(tmp_path, source, {"data/wide.csv": csv_text})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    bins = services(config)["bins"]
    assert [p.transactions for p in bins.periods] == [160, 168]
    assert bins.periods[0].by_channel[:3] == [100, 50, 10]
    (tmp_path / "data/wide.csv").unlink()
    csv_text = "Library,online_loans_april,face_to_face_april,online_loans_may,face_to_face_may\nBath,5,95,6,94\n"
    source = ("sources:\n  - file: loans.csv\n    columns: {service: Library}\n"
              "    wide: {columns: '{channel}_{period}', period: '{period} 2024/25'}\n"
              "    services: {name: '{Library}', organisation: council}\n")
    config = site(tmp_path, source, {"data/loans.csv": csv_text})
    config.write_text(config.read_text(encoding="utf-8").replace(
        "    label: Online\n", "    label: Online\n    aliases: [online loans]\n"), encoding="utf-8")
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    bath = services(config)["bath"]
    assert [(p.period.label, p.transactions, p.digital_take_up) for p in bath.periods] == [
        ("April 2024", 100, 5.0), ("May 2024", 100, 6.0)]


def test_a_row_of_shares_and_a_footer_in_a_channel_column(tmp_path):
    """A contact-centre sheet: '% online' had been read as the online channel, and its '36.1%' told
    as counts on a line the errors said was blank; a 'Source:' footer was an error, '(and 3 more
    rows)' for one line. The shares row is one error naming it, with its exclude:; the footer, a
    row with no figures, is passed over with a warning, as in a period column."""
    csv_text = ("Channel,Apr-23,May-23,Jun-23,Total\nOnline,\"1,204\",\"1,310\",\"1,122\",\"3,636\"\n"
                "Phone,\"2,010\",\"1,950\",\"1,870\",\"5,830\"\nTotal,\"3,214\",\"3,260\",\"2,992\",\"9,466\"\n"
                "% online,37.5%,40.2%,37.5%,38.4%\n,,,,\nSource: Avaya CMS.,,,,\n")
    source = ("sources:\n  - id: rev\n    file: revenues.csv\n    columns: {channel: Channel}\n"
              "    exclude: {Channel: [Total]}\n    wide: {columns: '{period}'}\n")
    service = "name: Revenues\norganisation: council\ndescription: x\ndata: {source: rev}\n"
    config = site(tmp_path, source, {"data/revenues.csv": csv_text, "content/services/revenues.yaml": service})
    code, out = run(config, "check")
    assert code == 1 and "1 error(s), 1 warning(s)" in out
    assert ("data/revenues.csv:5:1: error: 'channel' is not a channel in config.yaml: '% online': a row of "
            "percentages, not counts\n    hint: leave it out with exclude: {Channel: \"% online\"} in the source; "
            "take-up is worked out from the counts\n") in out
    assert ("data/revenues.csv:7:1: warning: 'channel' is not a channel in config.yaml: 'Source: Avaya CMS.', and "
            "its row has no figures: passed over\n") in out
    config.write_text(config.read_text(encoding="utf-8").replace(
        "[Total]", "[Total, '% online', 'Source*']"), encoding="utf-8")
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    revenues = services(config)["revenues"]
    assert [(p.transactions, round(p.digital_take_up, 1)) for p in revenues.periods] == [
        (3214, 37.5), (3260, 40.2), (2992, 37.5)]


def test_a_csv_file_nothing_reads_is_told(tmp_path):
    """A tester had three files in data/ that no service or source named, and no word of it: their
    figures were published nowhere. Files a pattern or a peer reads, and hidden ones, are not told."""
    csv_text = "period,channel,transactions\n2024-01,online,5\n"
    config = one_file_site(tmp_path, csv_text)
    for name in ("forgotten.csv", ".~lock.csv", "sub/old.csv"):
        (tmp_path / "data" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "data" / name).write_text(csv_text, encoding="utf-8")
    code, out = run(config, "check")
    assert code == 0 and out.count("reads this file") == 2
    assert ("data/forgotten.csv: warning: no service, source or peer reads this file, so its figures are published "
            "nowhere\n    hint: point a service's data: at it (data: file.csv), or a source in config.yaml (sources: "
            "- file: ...); if it is kept for reference, move it out of data/\n") in out
    assert "data/sub/old.csv: warning" in out and ".~lock" not in out


def test_a_site_whose_services_collect_no_costs_has_no_cost_pages(tmp_path):
    """FOI statistics, with not_requested: [cost_per_transaction] on every service: the cost report
    for each year was a table of 'not requested' under 'Total cost: no data', and the services page
    linked to it (a tester's)."""
    csv_text = "Quarter,Body,Requests\n" + "".join(f"Q{q} 2020,{b},{10 + q}\n" for b in ("A", "B") for q in (1, 2, 3, 4))
    source = ("sources:\n  - file: foi.csv\n    columns: {period: Quarter, service: Body, transactions: Requests}\n"
              "    services: {name: '{Body}', organisation: council, "
              "not_requested: [cost_per_transaction, user_satisfaction]}\n")
    config = site(tmp_path, source, {"data/foi.csv": csv_text})
    site_dir = tmp_path / "site"
    build_site(config, site_dir)
    assert not (site_dir / "costs").exists() and not list((site_dir / "data").glob("costs-*.csv"))
    assert "what each service cost" not in (site_dir / "services/index.html").read_text(encoding="utf-8")
    assert services(config)["a"].kpis["cost_per_transaction"].status == "not_requested"


def test_two_sources_of_one_file_without_ids_are_told_where_the_id_came_from(tmp_path):
    """'two sources have the id loans' had puzzled a tester who wrote no id."""
    source = ("sources:\n  - file: loans.csv\n    columns: {service: Library}\n    wide: {columns: '{period}'}\n"
              "  - file: loans.csv\n    columns: {service: Library}\n    wide: {columns: '{period}'}\n")
    config = site(tmp_path, source, {"data/loans.csv": "Library,Apr-24\nBath,5\n"})
    code, out = run(config, "check")
    assert code == 1 and ("error: two sources have the id 'loans' (a source without id: takes its file's name, "
                          "loans.csv)\n    hint: give each source its own id:, and name it in the services that "
                          "read it (data: {source: <id>})") in out


def test_a_measure_another_source_of_the_file_reads_is_no_slip(tmp_path):
    """A source per measure of one wide file ('books_april' in one, 'ebooks_april' in the other):
    'ebooks' is a letter from 'books', and each source had an error of a slip in the other's columns,
    until each listed them under ignore:. A letter out of every source's measures is still told."""
    def reading(measure: str, channel: str) -> str:
        return (f"  - id: {measure}\n    file: loans.csv\n    columns: {{service: Library}}\n"
                f"    constants: {{channel: {channel}}}\n"
                f"    wide: {{columns: '{{measure}}_{{period}}', period: '{{period}} 2024/25', "
                f"measures: {{{measure}: transactions}}}}\n    services: {{name: '{{Library}}', organisation: council}}\n")
    csv_text = "Library,books_april,books_may,ebooks_april,ebooks_may\nBath,100,110,10,12\n"
    config = site(tmp_path, "sources:\n" + reading("books", "phone") + reading("ebooks", "online"),
                  {"data/loans.csv": csv_text})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    assert [p.digital_take_up for p in services(config)["bath"].periods] == pytest.approx([100 * 10 / 110,
                                                                                         100 * 12 / 122])
    (tmp_path / "data/loans.csv").write_text(csv_text.replace("ebooks_may", "ebookz_may"), encoding="utf-8")
    code, out = run(config, "check")
    assert code == 1 and "did you mean 'ebooks'?" in out


def test_many_unknown_columns_of_a_tidy_file_are_one_warning(tmp_path):
    """A wide FOI export read as a tidy file: 121 'unknown column' warnings, each with the same long
    hint, and the one error among them hard to find (a tester's). A column whose name has a field
    among its words is still told alone, but not 'cost' over counts ('Fully refused - cost limit')."""
    headings = ["period", "transactions", "Fully refused - cost limit", *(f"Extra {n}" for n in range(6)),
                "Total cost (£)"]
    csv_text = ",".join(headings) + "\n2024-01,5,2," + ",".join("1" for _ in range(6)) + ",£12.50\n"
    code, out = run(one_file_site(tmp_path, csv_text), "check")
    assert code == 0
    assert ("data/contact.csv:1:3: warning: 7 unknown columns are ignored: 'Fully refused - cost limit', 'Extra 0', "
            "'Extra 1', 'Extra 2' and 3 more\n") in out
    assert "is ignored" in out and "columns: {cost: \"Total cost (£)\"}" in out
    assert out.count("unknown column") == 2


def test_a_filtered_source_of_dated_rows_is_not_told_its_last_month_is_part_of_one(tmp_path):
    """Refusals filtered from a year of decisions: the last refusal fell on 7 December, the file ran
    to 31 December, and 'the rows end on 7 December' failed a tester's --strict build, with a hint
    that would have dropped December's real refusals."""
    days = [f"{d:02d}/{m:02d}/2023" for m in range(1, 7) for d in (2, 9, 16, 23, 28)]
    rows = "".join(f"{n},{day},{'Refused' if day[3:5] != '06' or day[:2] == '02' else 'Permitted'}\n"
                   for n, day in enumerate(days))  # refusals every week to 2 June; decisions to 28 June
    source = ("sources:\n  - id: refused\n    file: dec.csv\n    columns: {period: decided}\n"
              "    filter: {decision: Refused}\n    constants: {transactions: 1}\n    combine: sum\n    period_type: month\n")
    service = "name: Refusals\norganisation: council\ndescription: x\ndata: {source: refused}\n"
    config = site(tmp_path, source, {"data/dec.csv": "ref,decided,decision\n" + rows,
                                     "content/services/refusals.yaml": service})
    code, out = run(config, "check", "--strict")
    assert (code, out) == (0, "No errors found.\n")


def test_the_new_checks_are_quiet_on_healthy_files(tmp_path):
    """What a review made the session's new checks misfire on, each now as it should be: a '-' row
    for a quarter not yet reported is no thin last period; a small site with two retired services
    beside one current one is not a service a year ahead; an 'All' row beside a blank-channel row is
    still the error it was, not two spellings of one channel added up."""
    bodies = [f"Dept {c}" for c in "ABCDEFGHIJKL"]
    rows = "".join(f"Q{q} 2019,{b},{10 + q}\n" for q in (1, 2, 3, 4) for b in bodies) + "Q1 2020,Dept A,-\n"
    source = ("sources:\n  - file: foi.csv\n    columns: {period: Quarter, service: Body, transactions: Requests}\n"
              "    services: {name: '{Body}', organisation: council}\n")
    config = site(tmp_path / "thin", source, {"data/foi.csv": "Quarter,Body,Requests\n" + rows})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    rows = "".join(f"Old A,{y},100\nOld B,{y},50\nNew C,{y},70\n" for y in ("2019/20", "2020/21")) + \
        "New C,2021/22,80\nNew C,2022/23,90\n"
    source = ("sources:\n  - id: inv\n    file: inv.csv\n    columns: {service: Service, period: Year, "
              "transactions: Count}\n    services: {name: '{Service}', organisation: council}\n")
    config = site(tmp_path / "lone", source, {"data/inv.csv": "Service,Year,Count\n" + rows})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    service = "name: CC\norganisation: council\ndescription: x\ndata: cc.csv\n"
    csv_text = "period,channel,transactions,cost\n2024-01,All,10,\n2024-01,,,100\n"
    config = site(tmp_path / "all", "", {"data/cc.csv": csv_text, "content/services/cc.yaml": service})
    assert run(config, "check")[0] == 1


def test_a_withheld_last_figure_of_a_file_of_rows_keeps_its_period(tmp_path):
    """'[c]' for a body's latest quarter is a figure not published: its period stays, with no data,
    as in a wide file, not left out as a quarter not yet reported (a review)."""
    csv_text = "Quarter,Body,Requests\nQ1 2019,A,10\nQ2 2019,A,11\nQ3 2019,A,[c]\nQ1 2019,B,5\nQ2 2019,B,6\nQ3 2019,B,7\n"
    source = ("sources:\n  - file: foi.csv\n    columns: {period: Quarter, service: Body, transactions: Requests}\n"
              "    services: {name: '{Body}', organisation: council}\n")
    config = site(tmp_path, source, {"data/foi.csv": csv_text})
    a = services(config)["a"]
    assert [(p.period.label, p.transactions) for p in a.periods][-1] == ("July to September 2019", None)


def test_a_gap_names_missing_rows_zero_for_an_export_of_events(tmp_path):
    """An export of appeals has no row for a month with none: the gap's hint had said only to add
    blank rows, which would make that month 'no data' (a tester's); it names missing_rows: zero."""
    csv_text = "period,channel,transactions\n2024-01,online,5\n2024-03,online,6\n"
    code, out = run(one_file_site(tmp_path, csv_text), "check")
    assert "service 'contact' has no rows for February 2024" in out
    assert "say so with missing_rows: zero in the file's source" in out


def test_more_completed_than_started_across_two_files_is_told(tmp_path):
    """Each file's rows are checked for more completed than started as it is read, but a service's
    started counts in one export and completed in another had neither: March's 130 of 120 published
    a completion rate of 108.3% with no word. Told once, at the completed row, naming the other file."""
    config = two_files(tmp_path, "period,channel,transactions,started\n2024-02,online,100,110\n2024-03,online,120,120\n",
                       "period,channel,completed\n2024-02,online,100\n2024-03,online,130\n")
    code, out = run(config, "check")
    assert code == 0 and ("data/b.csv:3: warning: service 'pay' has more completed (130) than started (120, in "
                          "a.csv) for March 2024 'online'\n    hint: check that the two files count") in out
    assert "so are" not in out and out.count("more completed") == 1
    assert services(config)["pay"].periods[-1].completion_rate == pytest.approx(100 * 130 / 120)
    (tmp_path / "data/b.csv").write_text("period,channel,completed\n2024-02,online,100\n2024-03,online,119\n")
    assert "more completed" not in run(config, "check")[1]


def test_more_completed_than_started_in_one_file_read_twice_is_told_once(tmp_path):
    """The same row's two counts from one file: told as the file is read, not again as its parts merge."""
    out = run(two_files(tmp_path, "period,channel,transactions,started,completed\n2024-03,online,120,120,130\n",
                        "period,channel,satisfaction\n2024-03,online,80\n"), "check")[1]
    assert out.count("more completed") == 1 and "data/a.csv:2" in out and "in a.csv" not in out


def test_more_digital_transactions_than_transactions_across_two_files_is_told(tmp_path):
    """The same for a digital count in one file and the total in another (take-up over 100%)."""
    out = run(two_files(tmp_path, "period,transactions\n2024-02,100\n2024-03,120\n2024-04,90\n",
                        "period,digital_transactions\n2024-02,80\n2024-03,150\n2024-04,95\n"), "check")[1]
    assert ("data/b.csv:3: warning: service 'pay' has more digital transactions (150) than transactions (120, in "
            "a.csv) for March 2024 'all channels'; so is one other period or channel") in out


def test_a_gap_in_one_of_a_services_files_that_another_fills_is_told_of_that_file(tmp_path):
    """A satisfaction survey's file that skips a month, beside counts for it, had told the service it
    had 'no rows' for that month (32 councils of a tester's benchmarking export): it is the file's
    figures that are missing then, and that is what is said, once a file, with how many services.
    A month no file has is the service's gap, told once, with the file and line where it ends."""
    config = two_files(tmp_path, "period,channel,transactions\n2024-01,online,10\n2024-02,online,11\n2024-03,online,12\n"
                           "2024-04,online,13\n",
                       "period,satisfaction\n2024-01,70\n2024-03,72\n2024-04,75\n")
    code, out = run(config, "check")
    assert code == 0 and out.count("no rows for") == 1 and "service 'pay' has no rows" not in out
    assert ("data/b.csv:3: warning: this file has no rows for February 2024 for service 'pay', though its other "
            "data has them, so its satisfaction figures from this file are no data then\n    hint: if these figures were not "
            "collected then (a survey not run that year), this is right") in out
    (tmp_path / "data/a.csv").write_text("period,channel,transactions\n2024-01,online,10\n2024-03,online,12\n"
                                         "2024-04,online,13\n")
    code, out = run(config, "check")
    assert code == 0 and out.count("no rows for") == 1
    assert "data/a.csv:3: warning: service 'pay' has no rows for February 2024" in out


def test_a_channel_with_no_row_for_a_period_inside_its_series_is_told(tmp_path):
    """A summary export left out a month with no video appointments: that month's take-up read 'no
    data' and the year's change went unworked, with no word (a tester's GP appointments). Told once,
    at the period's first row, with missing_rows: zero as the fix, which makes the month's online 0."""
    rows = ["2024-01,online,5", "2024-01,phone,50", "2024-02,phone,52", "2024-03,online,6", "2024-03,phone,51",
            "2024-04,phone,49", "2024-05,online,7", "2024-05,phone,48"]
    files = {"data/pay.csv": "period,channel,transactions\n" + "\n".join(rows) + "\n", "content/services/pay.yaml": PAY}
    config = site(tmp_path, "", files)
    code, out = run(config, "check")
    assert code == 0 and out.count("has no row for") == 1
    assert ("data/pay.csv:4: warning: Online has no row for February 2024 and 1 other period for 'pay', though its "
            "other channels do, so that period's take-up and cost per transaction are no data\n    hint: if the file "
            "leaves out rows with nothing in them (a summary of rows per event), say so with missing_rows: zero") in out
    assert services(config)["pay"].periods[1].digital_take_up is None
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text()
                                          + "sources: [{file: pay.csv, missing_rows: zero}]\n")
    code, out = run(config, "check", "--strict")
    assert code == 0, out
    assert services(config)["pay"].periods[1].digital_take_up == 0.0


def test_an_encoding_hint_names_which_of_a_files_sources_needs_it(tmp_path):
    """Two sources read one Windows file, one with encoding: windows-1252: the hint had named only the
    file, and the user could not tell which entry lacked it."""
    text = "Service,Year,Visits,Cost\nFife,2023/24,100,£500\n".encode("windows-1252")
    source = ("sources:\n  - id: visits\n    file: lgbf.csv\n    encoding: windows-1252\n"
              "    columns: {service: Service, period: Year, transactions: Visits}\n    ignore: [Cost]\n"
              "    services: {name: '{Service}', organisation: council}\n"
              "  - id: costs\n    file: lgbf.csv\n    columns: {service: Service, period: Year, cost: Cost}\n"
              "    ignore: [Visits]\n    services: {name: '{Service}', organisation: council}\n")
    code, out = run(site(tmp_path, source, {"data/lgbf.csv": text}), "check")
    assert code == 1 and ("add encoding: windows-1252 to the sources: entry for lgbf.csv (id: costs; and any other "
                          "entry for the file without it) in config.yaml") in out


def test_a_span_of_years_written_like_a_financial_year_gets_a_range_as_its_fix(tmp_path):
    """'2016-19' (a survey's three years together) had been told to correct a typo: the hint says how
    to write the span as a range, and doing so reads it. A real slip ('2016-18' is two years) too;
    '2016-17' is a financial year, as ever."""
    files = {"data/pay.csv": "period,channel,transactions\n2016-19,online,10\n", "content/services/pay.yaml": PAY}
    config = site(tmp_path, "", files)
    code, out = run(config, "check")
    assert code == 1 and ("hint: if '2016-19' is the years 2016 to 2019 together (a survey's, say), write it as the "
                          "range it covers, e.g. replace: {period: {'2016-19': 'April 2016 to March 2019'}}") in out
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text() + "sources: [{file: pay.csv, "
                                          "replace: {period: {'2016-19': 'April 2016 to March 2019'}}}]\n")
    assert run(config, "check")[0] == 0
    assert services(config)["pay"].periods[0].period.label == "April 2016 to March 2019"


def test_figures_for_another_kind_of_period_in_another_file_are_told(tmp_path):
    """Within a file, two kinds of period are an error; across a service's files there had been no
    word, and a survey's three-year ranges beside years of counts each became a row of 'no data'
    counts in every table (a tester's benchmarking export). A warning; a yearly cost beside months
    (a cost span, shown on its own) is not told."""
    config = two_files(tmp_path, "period,channel,transactions\n2023/24,online,100\n2024/25,online,110\n",
                       "period,satisfaction\nApril 2022 to March 2025,70\n")
    code, out = run(config, "check")
    assert code == 0 and ("data/b.csv:2: warning: service 'pay' has figures for ranges of dates here (April 2022 to "
                          "March 2025, ...) beside financial years in a.csv: each shows as a period of its own, with "
                          "no data for the other figures") in out
    # The range is in the table of figures by period, with its satisfaction; not in the transactions
    # chart and table, where it was a period of 'no data' between the years.
    pay = services(config)["pay"]
    assert [r.period.label for r in pay.periods] == ["April 2022 to March 2025", "April 2023 to March 2024",
                                                     "April 2024 to March 2025"]
    transactions = next(c for c in pay.charts if c.id == "transactions")
    assert [row["period"] for row in transactions.rows] == ["April 2023 to March 2024", "April 2024 to March 2025"]
    satisfaction = next(c for c in pay.charts if c.id == "user-satisfaction")
    assert [row["value"] for row in satisfaction.rows] == [70.0]
    # Nor counts for years in one file and for months in another (a service's files before and after
    # it counted by month): the years are periods of counts, in its tables and its year's change.
    (tmp_path / "data/b.csv").write_text("period,channel,transactions\n2021/22,online,1500\n2022/23,online,1550\n")
    (tmp_path / "data/a.csv").write_text("period,channel,transactions\n2023-04,online,140\n2023-05,online,141\n")
    assert "beside" not in run(config, "check")[1]
    months = [f"2024-{m:02d}" for m in range(4, 13)] + [f"2025-{m:02d}" for m in range(1, 4)]
    (tmp_path / "data/a.csv").write_text("period,channel,transactions\n" + "".join(f"{m},online,10\n" for m in months))
    (tmp_path / "data/b.csv").write_text("period,cost\n2024/25,300\n")
    assert run(config, "check", "--strict")[0] == 0
    # Two sources of one file (a year's rows read apart from its quarters): not 'beside quarters in'
    # the same file, which a tester read as a slip of the message.
    both = ("Body,Quarter,Requests,Satisfaction\nPay,2024-Q1,10,\nPay,2024-Q2,12,\nPay,2024,,80\n")
    source = ("sources:\n  - id: quarters\n    file: foi.csv\n    columns: {service: Body, period: Quarter, "
              "transactions: Requests}\n    exclude: {Quarter: '????'}\n"
              "  - id: years\n    file: foi.csv\n    columns: {service: Body, period: Quarter, satisfaction: Satisfaction}"
              "\n    filter: {Quarter: '????'}\n")
    config = site(tmp_path / "one-file", source, {"data/foi.csv": both, "content/services/pay.yaml": PAY.replace(
        "data: pay.csv", "data: [{source: quarters, service: Pay}, {source: years, service: Pay}]")})
    code, out = run(config, "check")
    assert "beside quarters read by another source of this file: each shows" in out, out


def test_started_for_all_channels_and_completed_by_channel_are_told_not_zeroed(tmp_path):
    """A tester's bills (started, no channel column, missing_rows: zero) beside payments by channel
    (completed): the zero-filling made every channel's started count 0, and the card said
    'Completion rate: no data' with no word. A source of rows for all channels together fills only
    such rows, and counts never on one row are told, with what to do."""
    files = {"pay.csv": "period,channel,transactions,completed\n2024-01,online,40,40\n2024-01,phone,10,10\n"
                        "2024-02,online,44,44\n2024-02,phone,9,9\n",
             "bills.csv": "period,started\n2024-01,60\n2024-02,70\n"}
    config = pay_site(tmp_path, files, "sources: [{file: bills.csv, missing_rows: zero}]\n")
    code, out = run(config, "check")
    assert code == 0 and ("content/services/pay.yaml:4:7: warning: service 'pay' has started counts for all "
                          "channels together and completed counts by channel, never on one row, so it has no "
                          "completion rate\n    hint: give both for the same rows") in out
    assert "more completed" not in out  # no channel was given a started count of 0
    card = services(config)["pay"].kpis["completion_rate"]
    assert card.value is None and card.note.startswith("Started and completed counts are published, but never")
    # Bills by channel, online's alone: with missing_rows: zero, phone had none (0), so its 9 completed
    # are more than its started, which is told; as a web form's starts (a constant channel), online's alone.
    (tmp_path / "data/bills.csv").write_text("period,channel,started\n2024-01,online,50\n2024-02,online,50\n")
    code, out = run(config, "check")
    assert "never on one row" not in out and ("data/pay.csv:3: warning: service 'pay' has more completed (10) than "
                                              "started (0, as bills.csv has no row for it, with missing_rows: zero) "
                                              "for January 2024 'phone'; so is one other period or channel") in out
    (tmp_path / "data/bills.csv").write_text("period,started\n2024-01,50\n2024-02,50\n")
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text().replace(
        "missing_rows: zero}", "missing_rows: zero, constants: {channel: online}}"))
    code, out = run(config, "check")
    assert "never on one row" not in out and "more completed" not in out
    assert services(config)["pay"].periods[-1].completion_rate == pytest.approx(100 * 44 / 50)


def test_two_sources_of_one_file_with_different_figures_are_named(tmp_path):
    """Two sources read one file and both gave a count for the same rows: the error had named the
    same file on both sides, and its hint (a year's file repeating a month) did not fit."""
    config = pay_site(tmp_path, {"pay.csv": "period,channel,Paid,Paid online\n2024-01,online,40,45\n"},
                      "sources:\n  - {id: a, file: pay.csv, columns: {transactions: Paid}, ignore: [Paid online]}"
                      "\n  - {id: b, file: pay.csv, columns: {transactions: Paid online}, ignore: [Paid]}\n",
                      "[{source: a}, {source: b}]")
    code, out = run(config, "check")
    assert code == 1 and ("data/pay.csv:2: error: service 'pay' has two different values of transactions for "
                          "January 2024 'online': 45 as source 'b' reads this file and 40 as source 'a' does (line 2)"
                          "\n    hint: two sources of one file must not both read a figure for the same rows") in out


def test_a_stray_windows_byte_in_a_file_with_a_bom_is_told_at_its_cell(tmp_path):
    """Excel's 'CSV UTF-8' writes a byte order mark: a '£' byte after it was told one cell early, as
    the byte before it (the decoder counts from after the mark)."""
    text = "\ufeffperiod,channel,transactions,cost\n2024-01,online,50,£10.00\n".encode("utf-8") + \
        b"2024-02,online,55,\xa311.00\n"
    code, out = run(site(tmp_path, "", {"data/pay.csv": text, "content/services/pay.yaml": PAY}), "check")
    assert code == 1 and "data/pay.csv:3:4: error: not utf-8 text (byte b'\\xa3', which is '£' in windows-1252)" in out


def test_a_row_typed_with_tabs_among_rows_of_commas_is_an_error_at_its_line(tmp_path):
    """A row typed with tabs is one cell to the CSV reader: a tester's became an organisation's name
    (told only as a web address too long for a file name), another was left out by filter: and
    published with exit 0. Now an error at its line, and the other rows are read."""
    text = "period,channel,transactions\n2024-01,online,5\n2024-02\tonline\t6\n2024-03,online,7\n"
    code, out = run(site(tmp_path, "", {"data/pay.csv": text, "content/services/pay.yaml": PAY}), "check")
    assert code == 1 and ("data/pay.csv:3:1: error: row has 1 cell but the header has 3: its cells are separated "
                          "by tabs, not commas as the headings' are") in out and out.count("error:") == 1


def test_a_blank_heading_over_figures_in_a_wide_file_is_an_error(tmp_path):
    """A heading emptied among values across columns: a tester's damaged Transactions Explorer file
    lost its latest year's volumes with exit 0, even with --strict. An error naming the column and
    its neighbours; ignore: with its placeholder name reads the file without it."""
    text = "Service,2022-23: volume,,2024-25: volume\nBins,100,110,120\n"
    source = ("sources:\n  - file: wide.csv\n    columns: {service: Service}\n"
              "    wide: {columns: '{period}: {measure}', measures: {volume: transactions}}\n"
              "    services: {name: '{Service}', organisation: council}\n")
    config = site(tmp_path, source, {"data/wide.csv": text})
    code, out = run(config, "check")
    assert code == 1 and ("data/wide.csv:1:3: error: column 3 has no heading but holds figures, so none of them is "
                          "read\n    hint: write its heading (beside '2022-23: volume' and '2024-25: volume'); if it "
                          "is not data, list it under ignore: ['(column 3)'] in the source") in out
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text() + "    ignore: ['(column 3)']\n")
    assert run(config, "check")[0] == 0
    (tmp_path / "data/wide.csv").write_text("Service,2022-23: volume,,2024-25: volume\nBins,100,,120\n")
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text().replace("    ignore: ['(column 3)']\n", ""))
    code, out = run(config, "check")
    assert code == 0 and "no heading" not in out  # an empty spacer column says nothing


def test_a_missing_heading_is_one_error_not_one_a_row(tmp_path):
    """A heading deleted: every row a cell wider than the headings had been an error each ('check
    for an extra delimiter'; 1,340 of them), and 'the file has headings but no rows' beside them."""
    rows = "".join(f"2024-{m:02d},online,{m}\n" for m in range(1, 8))
    code, out = run(site(tmp_path, "", {"data/pay.csv": "period,transactions\n" + rows,
                                        "content/services/pay.yaml": PAY}), "check")
    assert code == 1 and out.count("error:") == 1 and ("data/pay.csv:1: error: the header has 2 headings but 7 rows "
                                                       "have 3 cells: a heading is missing\n    hint: add the missing "
                                                       "heading; the first row's cells are '2024-01', 'online', '1' "
                                                       "under 'period', 'transactions'") in out


def test_files_joined_with_their_byte_order_marks_read_as_one(tmp_path):
    """Two Excel 'CSV UTF-8' exports joined together: the second's byte order mark stood before its
    repeated headings, which were then read as a row of figures (63 errors in a tester's file)."""
    text = ("\ufeffperiod,channel,transactions\n2024-01,online,5\n\ufeffperiod,channel,transactions\n"
            "2024-02,online,6\n\ufeff2024-03,online,7\n").encode("utf-8")
    config = site(tmp_path, "", {"data/pay.csv": text, "content/services/pay.yaml": PAY})
    code, out = run(config, "check")
    assert code == 0 and "data/pay.csv:3: warning: line 3 repeats the headings, so it is passed over" in out
    assert [p.transactions for p in services(config)["pay"].periods] == [5, 6, 7]


def test_a_mapped_heading_emptied_in_the_file_is_named_as_the_likely_column(tmp_path):
    """A mapped heading emptied in the file got 'did you mean Numerator?', which, followed, published
    the wrong figures: the hint names the column with no heading first."""
    text = "period,Numerator,\n2024-01,50,60\n"
    source = "sources: [{file: pay.csv, columns: {completed: Numerator, started: Denominator}}]\n"
    code, out = run(site(tmp_path, source, {"data/pay.csv": text, "content/services/pay.yaml": PAY}), "check")
    assert code == 1 and ("column 'Denominator' is not in pay.csv\n    hint: the file's column 3 has no heading: if "
                          "that is 'Denominator', write its heading back") in out


def test_an_ignored_heading_with_a_star_is_that_heading_not_a_pattern(tmp_path):
    """ignore: ['Cost*'] for a footnoted column 'Cost*' had, as a pattern, matched 'Cost' too: the
    council's published cost was replaced by an estimate, with no word (a review)."""
    text = "period,channel,transactions,Cost,Cost*\n2024-01,online,10,8,9\n"
    config = site(tmp_path, "sources: [{file: pay.csv, ignore: ['Cost*']}]\n",
                  {"data/pay.csv": text, "content/services/pay.yaml": PAY})
    assert run(config, "check", "--strict")[0] == 0
    assert services(config)["pay"].periods[0].cost_per_transaction == pytest.approx(0.8)


def test_missing_rows_zero_on_one_channels_source_fills_only_that_channel(tmp_path):
    """A web form's started counts (constants: {channel: online}, missing_rows: zero) beside completed
    counts for online and phone: phone had been given 0 started, and completion rates of 115%."""
    files = {"a.csv": "period,channel,transactions,completed\n2024-01,online,40,40\n2024-01,phone,20,20\n"
                      "2024-02,online,44,44\n2024-02,phone,21,21\n",
             "web.csv": "period,started\n2024-01,52\n"}
    config = pay_site(tmp_path, files, "sources: [{file: web.csv, constants: {channel: online}, missing_rows: zero}]\n")
    periods = services(config)["pay"].periods
    assert periods[0].completion_rate == pytest.approx(100 * 40 / 52)  # online's alone: phone has no started
    assert periods[1].completion_rate is None  # February: the web file has no row, and this file ends in January


def test_a_channel_missing_from_one_month_of_a_file_per_month_is_told(tmp_path):
    """NHS appointment months come a file per month: no one file can have a hole, so February's
    missing phone row (take-up no data) went unsaid (a review). Told at February's file."""
    months = {"01": "online,5\n2024-01,phone,50", "02": "online,6", "03": "online,7\n2024-03,phone,51"}
    files = {f"data/monthly/m-2024-{m}.csv": f"period,channel,transactions\n2024-{m},{rows}\n"
             for m, rows in months.items()}
    config = site(tmp_path, "sources: [{id: monthly, file: monthly/*.csv}]\n",
                  {**files, "content/services/pay.yaml": PAY.replace("data: pay.csv", "data: [{source: monthly}]")})
    code, out = run(config, "check")
    assert code == 0 and ("data/monthly/m-2024-02.csv:2: warning: Phone has no row for February 2024 for 'pay', "
                          "though its other channels do") in out


def test_two_sources_of_one_file_have_their_own_gaps_and_sense_checks(tmp_path):
    """Started and completed read from one file by two sources (filter: on a Kind column): more
    completed than started went unsaid (the two 'files' were one), and each source's missing month
    was told mixed up with the other's, as one file (a review)."""
    text = ("period,channel,Kind,Count\n2024-01,online,started,120\n2024-01,online,completed,100\n"
            "2024-02,online,started,100\n2024-02,online,completed,105\n2024-03,online,completed,90\n"
            "2024-04,online,started,100\n2024-04,online,completed,90\n")
    source = ("sources:\n  - {id: s1, file: a.csv, filter: {Kind: started}, columns: {started: Count}, ignore: [Kind]}\n"
              "  - {id: s2, file: a.csv, filter: {Kind: completed}, columns: {completed: Count}, ignore: [Kind]}\n")
    config = pay_site(tmp_path, {"a.csv": text}, source, "[{source: s1}, {source: s2}]")
    code, out = run(config, "check")
    assert code == 0 and ("data/a.csv:5: warning: service 'pay' has more completed (105) than started (100, as "
                          "source 's1' reads a.csv) for February 2024 'online'") in out
    assert ("warning: this file has no rows for March 2024 for service 'pay', though its other data has them, so its "
            "started figures from this file are no data then") in out and out.count("no rows for") == 1


def test_two_sources_making_the_same_numbered_service_make_it_once(tmp_path):
    """Keys that share a web address ('ITA Other' and 'BOS Other', slug: '{Type}'), made by two
    sources of one file (every request; those closed): the second source made 'BOS Other' again, as
    other-3 beside the first's other-2, and the organisation and home page counted it twice (a
    tester's Los Angeles 311 requests, following the warning's own hint)."""
    text = ("Date,Owner,Type,Status\n2024-01,ITA,Other,Closed\n2024-01,BOS,Other,Open\n2024-01,BOS,Other,Closed\n"
            "2024-01,BOS,Bulky,Closed\n")
    block = "services: {name: '{Type}', slug: '{Type}', organisation: council}"
    source = ("sources:\n"
              f"  - {{id: all, file: r.csv, columns: {{period: Date, service: '{{Owner}} {{Type}}'}}, "
              f"constants: {{transactions: 1, started: 1}}, combine: sum, ignore: [Status], {block}}}\n"
              f"  - {{id: closed, file: r.csv, columns: {{period: Date, service: '{{Owner}} {{Type}}'}}, "
              f"filter: {{Status: Closed}}, constants: {{completed: 1}}, combine: sum, {block}}}\n")
    config = site(tmp_path, source, {"data/r.csv": text})
    made = services(config)
    assert sorted(made) == ["bulky", "other", "other-2"]
    assert made["other-2"].periods[0].transactions == 2 and made["other-2"].periods[0].completion_rate == 50.0
    assert sum(s.periods[0].transactions for s in made.values()) == 4


def test_a_few_days_of_figures_are_labelled_as_those_days_not_a_year(tmp_path):
    """Five days of requests had read 'Transactions per year 4,432, January to December 2017' (a
    tester's Los Angeles 311 extract): the year is labelled from the first day, as months are."""
    rows = "".join(f"2017-12-{d},online,{d}\n" for d in range(27, 32))
    config = site(tmp_path, "", {"data/pay.csv": "period,channel,transactions\n" + rows,
                                 "content/services/pay.yaml": PAY})
    card = services(config)["pay"].kpis["transactions_per_year"]
    assert card.value == 27 + 28 + 29 + 30 + 31 and card.period_label == "27 to 31 December 2017"
    assert "of the" not in (card.note or "")


def test_an_on_time_source_whose_rows_are_all_one_channel_still_zeroes_the_others(tmp_path):
    """The two-sources recipe (every request; those on time, missing_rows: zero): only online had a
    request on time, and phone's completed counts were left blank, not 0, so its requests dropped
    out of the rate: 75.0% (90 of 120), not 50.0% (90 of 180) (a review). Only a source whose channel
    is a constant speaks for one channel alone."""
    rows = ["Date,Channel,Status"] + [f"2024-01-{d:02d},online,ONTIME" for d in range(1, 10)] + \
        ["2024-01-10,online,LATE"] * 3 + ["2024-01-11,phone,LATE"] * 6
    source = ("sources:\n  - {id: all, file: r.csv, columns: {period: Date, channel: Channel}, constants: "
              "{transactions: 1, started: 1}, combine: sum, period_type: month, ignore: [Status]}\n"
              "  - {id: ontime, file: r.csv, columns: {period: Date, channel: Channel}, filter: {Status: ONTIME}, "
              "constants: {completed: 1}, combine: sum, period_type: month, missing_rows: zero, ignore: [Status]}\n")
    config = pay_site(tmp_path, {"r.csv": "\n".join(rows) + "\n"}, source, "[{source: all}, {source: ontime}]")
    assert services(config)["pay"].periods[0].completion_rate == pytest.approx(100 * 9 / 18)


def test_counts_for_a_year_beside_its_months_in_another_file_are_an_error(tmp_path):
    """A year's total in yearly.csv beside its months in monthly.csv: added up, 3,600 transactions a
    year for 1,800 (a review). Years before the months (a service's older files) are not told."""
    months = "".join(f"2023-{m:02d},online,150\n" for m in range(4, 13)) + \
        "".join(f"2024-{m:02d},online,150\n" for m in range(1, 4))
    config = pay_site(tmp_path, {"monthly.csv": "period,channel,transactions\n" + months,
                                 "yearly.csv": "period,channel,transactions\n2022/23,online,1700\n2023/24,online,1800\n"})
    code, out = run(config, "check")
    assert code == 1 and ("data/yearly.csv:3: error: service 'pay' has counts for April 2023 to March 2024 here and "
                          "for April 2023 (and any others within it) in monthly.csv: added up, they would be counted "
                          "twice") in out
    (tmp_path / "data/yearly.csv").write_text("period,channel,transactions\n2022/23,online,1700\n")
    assert run(config, "check", "--strict")[0] == 0


def test_notes_and_row_numbers_are_not_mistaken_for_damage(tmp_path):
    """A footnote with semicolons or a tab in its prose is not a row typed with another delimiter; a
    first column of row numbers with no heading (as pandas writes its index) is not an emptied
    heading over figures (a review's)."""
    text = ("period,channel,transactions\n2024-01,online,5\n2024-02,online,6\n"
            "Notes: November is provisional; phone includes email; post is not counted\nSource:\tpayments system\n")
    code, out = run(site(tmp_path / "a", "", {"data/pay.csv": text, "content/services/pay.yaml": PAY}), "check")
    assert code == 0 and "separated by" not in out
    wide = ",Channel,2022-23 volume,2023-24 volume\n0,Online,10,12\n1,Phone,5,4\n"
    source = ("sources:\n  - file: w.csv\n    constants: {service: pay}\n    columns: {channel: Channel}\n"
              "    wide: {columns: '{period} {measure}', measures: {volume: transactions}}\n")
    code, out = run(site(tmp_path / "b", source, {"data/w.csv": wide, "content/services/pay.yaml":
                                                  PAY.replace("data: pay.csv", "data: w.csv")}), "check")
    assert code == 0 and "no heading" not in out, out


def test_a_service_made_from_rows_with_no_figure_in_any_says_so_on_its_page(tmp_path):
    """A tester's Cabinet Office file: eleven bodies long closed, every cell '-'. Their pages said
    figures would appear 'once' the publisher published them. A service the data lists with no figure
    says that; one with no data at all still says figures will appear. (Not a warning: a row for a
    service whose figures are yet to come is right, and --strict CI would fail on it.)"""
    rows = "".join(f"{name},{q},{value}\n" for name, value in (("Open", "10"), ("Closed", "-"))
                   for q in ("2024-Q1", "2024-Q2"))
    source = ("sources:\n  - file: foi.csv\n    columns: {service: Body, period: Quarter, transactions: Requests}\n"
              "    services: {name: '{Body}', organisation: council}\n")
    config = site(tmp_path, source, {"data/foi.csv": "Body,Quarter,Requests\n" + rows})
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    build_site(config, tmp_path / "site")
    page = (tmp_path / "site/services/closed/index.html").read_text(encoding="utf-8")
    assert "No figures have been published for this service" in page and "once" not in page
    assert "No figures have been published" not in (tmp_path / "site/services/open/index.html").read_text()


def test_a_years_row_is_called_a_total_only_where_its_months_are_there(tmp_path):
    """A tester's library loans had a council's only figure for books in a year's row beside months
    of e-books: the hint called it a total to leave out with exclude:, which published the council
    without books. A year's row is a total of months only where months of its channel lie inside it."""
    months = "".join(f"2023-{m:02d},online,{10 + m}\n" for m in range(4, 13))
    total = "period,channel,transactions\n" + months + "2023/24,online,999\n"
    alone = "period,channel,transactions\n" + months + "2023/24,phone,999\n"
    for text, said in ((total, "is likely a total: leave such rows out with exclude:"),
                       (alone, "its row for April 2023 to March 2024 is not a total of its months: no month of the "
                               "same channel falls inside it, so leaving it out would publish the service without "
                               "that figure")):
        config = site(tmp_path, "", {"data/permits.csv": text, "content/services/permits.yaml": PERMITS})
        code, out = run(config, "check")
        assert code == 1 and "data/permits.csv:11:1: error: service 'permits' mixes periods" in out, out
        assert said in out, out


def test_the_no_data_mark_hint_names_the_file_as_a_source_would_and_only_when_it_has_none(tmp_path):
    """The hint to declare a mark ('z') as no data wrote the source for a file in a subfolder by its
    last part alone (another file's name), and offered a new source to a file that had one (a review)."""
    csv_text = "period,channel,transactions\n2024-01,online,5\n2024-02,online,z\n"
    service = PERMITS.replace("data: permits.csv", "data: exports/permits.csv")
    config = site(tmp_path, "", {"data/exports/permits.csv": csv_text, "content/services/permits.yaml": service})
    out = run(config, "check")[1]
    assert ("add missing: [z] in a source for it in config.yaml: sources: [{file: \"exports/permits.csv\", "
            "missing: [z]}]") in out
    # Beside another file of the same layout, read with it: still the file the cell is in.
    other = PERMITS.replace("name: Permits", "name: Fines").replace("permits.csv", "fines.csv")
    config = site(tmp_path / "two", "", {"data/fines.csv": csv_text.replace(",z", ",7"),
                                         "data/zz/permits.csv": csv_text, "content/services/fines.yaml": other,
                                         "content/services/permits.yaml": service.replace("exports/", "zz/")})
    assert 'sources: [{file: "zz/permits.csv", missing: [z]}]' in run(config, "check")[1]
    config = site(tmp_path / "sourced", "sources:\n  - file: exports/permits.csv\n",
                  {"data/exports/permits.csv": csv_text, "content/services/permits.yaml": service})
    out = run(config, "check")[1]
    assert "add missing: [z] to its source in config.yaml" in out and "sources: [{file:" not in out
