"""Edge cases found in review: each was a wrong figure or a crash before it was fixed."""

from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from generator import model as m
from generator.build import prepare
from generator.cli import main
from generator.write import OutputError, safe_relative
from sitefactory import build_with_fines_named, standard_files, write_site


def permits(tmp_path, csv_text, extra_yaml="", config_extra=None):
    files = standard_files()
    files["data/permits.csv"] = csv_text
    files["content/services/permits.yaml"] += extra_yaml
    if config_extra:
        files["config.yaml"] = config_extra(files["config.yaml"])
    site = prepare(write_site(tmp_path, files)).model
    return next(s for s in site.services if s.slug == "permits")


def check(tmp_path, files):
    result = CliRunner().invoke(main, ["check", "--config", str(write_site(tmp_path, files))])
    return result.exit_code, result.output


def test_absent_channel_row_inside_its_span_is_missing(tmp_path):
    csv_text = ("period,channel,transactions\n2024-01,online,100\n2024-01,phone,100\n"
                "2024-02,phone,120\n2024-03,online,150\n2024-03,phone,50\n")
    svc = permits(tmp_path, csv_text)
    rows = {r.period.key: r for r in svc.periods}
    assert rows["2024-02"].digital_take_up is None and rows["2024-02"].complete is False
    assert svc.kpis[m.DIGITAL_TAKE_UP].value == pytest.approx(75.0)
    assert svc.kpis[m.DIGITAL_TAKE_UP].previous_period_label == "January 2024"


def test_channel_launched_later_is_not_missing_before_launch(tmp_path):
    csv_text = "period,channel,transactions\n2024-01,phone,100\n2024-02,phone,90\n2024-02,online,10\n"
    rows = {r.period.key: r for r in permits(tmp_path, csv_text).periods}
    assert rows["2024-01"].digital_take_up == 0.0 and rows["2024-01"].complete


def test_estimate_needs_a_unit_cost_for_every_channel(tmp_path):
    csv_text = "period,channel,transactions\n2024-01,online,900\n2024-01,phone,100\n"
    no_online_cost = lambda c: c.replace("    unit_cost: 0.20\n", "")  # noqa: E731
    svc = permits(tmp_path, csv_text, config_extra=no_online_cost)
    assert svc.kpis[m.COST_PER_TRANSACTION].value is None


def test_not_requested_volume_is_not_shown_or_summed(tmp_path):
    files = standard_files()
    files["content/services/permits.yaml"] = files["content/services/permits.yaml"].replace(
        "not_requested: [completion_rate]", "not_requested: [transactions_per_year]")
    site = prepare(write_site(tmp_path, files)).model
    svc = next(s for s in site.services if s.slug == "permits")
    assert svc.kpis[m.TRANSACTIONS_PER_YEAR].status == m.NOT_REQUESTED
    assert svc.kpis[m.TRANSACTIONS_PER_YEAR].value is None
    assert site.totals.transactions_per_year == 980  # fines only


def test_weekly_windows_count_every_week_once(tmp_path):
    first = date(2023, 1, 2)  # a Monday
    lines = ["period,channel,transactions"]
    for week in range(104):
        monday = first + timedelta(weeks=week)
        iso = monday.isocalendar()
        lines.append(f"{iso.year}-W{iso.week:02d},online,10")
    svc = permits(tmp_path, "\n".join(lines) + "\n")
    fig = svc.kpis[m.TRANSACTIONS_PER_YEAR]
    last_sunday = first + timedelta(weeks=104) - timedelta(days=1)
    assert fig.value == fig.previous_value  # steady data: no change
    assert fig.value == 520
    assert fig.period_label.endswith(f"to {last_sunday.day} {last_sunday:%B %Y}")
    assert fig.direction == "same"


def test_previous_value_that_shows_as_zero_does_not_crash(tmp_path):
    # £0.0000001 a transaction shows as £0.00 (costs under 10p have two significant figures, to
    # at most 6 places): no "up 19,999,900% from £0.00".
    csv_text = "period,channel,transactions,cost\n2024-01,online,1000,0.0001\n2024-02,online,1000,20\n"
    fig = permits(tmp_path, csv_text).kpis[m.COST_PER_TRANSACTION]
    assert fig.value == pytest.approx(0.02) and fig.change_percent is None and fig.direction == "up"
    # £0.001 shows as it is, and the change from it is told.
    csv_text = "period,channel,transactions,cost\n2024-01,online,1000,1\n2024-02,online,1000,20\n"
    fig = permits(tmp_path / "b", csv_text).kpis[m.COST_PER_TRANSACTION]
    assert fig.change_percent == pytest.approx(1900) and fig.direction == "up"


def test_partly_blank_rating_counts_are_missing(tmp_path):
    csv_text = ("period,channel,transactions,satisfaction_1,satisfaction_2,satisfaction_3,satisfaction_4,"
                "satisfaction_5\n2024-01,online,10,,,,,10\n2024-02,online,10,0,0,0,0,10\n")
    rows = {r.period.key: r for r in permits(tmp_path, csv_text).periods}
    assert rows["2024-01"].user_satisfaction is None
    assert rows["2024-02"].user_satisfaction == 100.0


def test_impossible_dates_are_located_errors(tmp_path):
    files = standard_files()
    files["content/services/fines.yaml"] += "last_updated: 2024-02-30\nannotations:\n  - date: 2024-13-01\n    text: x\n"
    code, out = check(tmp_path, files)
    assert code == 1 and "Traceback" not in out
    assert "content/services/fines.yaml:7:15: error: 'last_updated' must be a date" in out
    assert "content/services/fines.yaml:9:11: error: 'date' must be a date" in out


@pytest.mark.parametrize("csv_text, expected", [
    ("period,channel,transactions,Transactions\n2024-01,online,1,1\n", "data/permits.csv:1:4: error: column"),
    ("period,channel,transactions\n2024-01,online,inf\n", "data/permits.csv:2:3: error: 'transactions' is not"),
    ("period,channel,transactions\n\n\n2024-01,online,abc\n", "data/permits.csv:4:3: error"),
    ('period,channel,transactions\n"2024-01",online,1\n2024-02,"on\nline",2\n2024-03,online,y\n',
     "data/permits.csv:5:3: error"),
    ("period,channel,transactions\n2024-01,online,1,7,8\n", "data/permits.csv:2:4: error: row has 5 cells"),
    ("period,channel,transactions\n0001-01,online,1\n", "data/permits.csv:2:1: error: 'period'"),
    ("period,channel,transactions\n2024-01,online,85%\n", "data/permits.csv:2:3: error: 'transactions' is a count"),
])
def test_bad_csv_cells_are_located(tmp_path, csv_text, expected):
    files = standard_files()
    files["data/permits.csv"] = csv_text
    code, out = check(tmp_path, files)
    assert code == 1 and "Traceback" not in out
    assert expected in out


def test_a_data_file_named_with_the_data_folder_in_front_is_told_to_leave_it_out(tmp_path):
    """'data: data/permits.csv' was 'not found in data/', hint 'check the file name and its extension',
    beside the file a tester could see was there."""
    files = standard_files()
    files["content/services/permits.yaml"] = files["content/services/permits.yaml"].replace(
        "data: permits.csv", "data: data/permits.csv")
    code, out = check(tmp_path, files)
    assert code == 1 and ("error: data file 'data/permits.csv' not found in data/\n    hint: write 'permits.csv': "
                          "a data file's name is read inside data/ already") in out


def test_data_file_outside_the_data_folder_is_refused(tmp_path):
    files = standard_files()
    files["data2/x.csv"] = "period,channel,transactions\n"
    files["content/services/permits.yaml"] = files["content/services/permits.yaml"].replace(
        "data: permits.csv", "data: ../data2/x.csv")
    code, out = check(tmp_path, files)
    assert code == 1 and "is outside the data folder" in out
    assert "hint: name a file inside data/" in out


def test_a_data_file_that_links_out_of_the_data_folder_is_told_it_is_a_link(tmp_path):
    """A tester linked data/volumes.csv to a shared export elsewhere: it was refused as 'outside the
    data folder', which it is listed in. It is still not read (a link could publish any file on the
    machine), and the message says why and what to do."""
    files = standard_files()
    files["shared/volumes.csv"] = "period,channel,transactions\n2024-01,online,5\n"
    files["content/services/permits.yaml"] = files["content/services/permits.yaml"].replace(
        "data: permits.csv", "data: volumes.csv")
    write_site(tmp_path, files)
    (tmp_path / "data/volumes.csv").symlink_to(tmp_path / "shared/volumes.csv")
    code, out = check(tmp_path, {})
    assert code == 1 and ("error: data file 'volumes.csv' is a link to a file outside the data folder, so it is "
                          "not read\n    hint: copy the file into data/ instead of linking to it: a link could "
                          "publish any file") in out, out


def test_a_patterns_files_that_link_out_of_the_data_folder_are_told_they_are_links(tmp_path):
    """Files a pattern matched that were links out of data/ were passed over without a word (the
    service was published without their months), or, when every one was a link, told 'no file
    matches'. They are told as links, by name, beside files the pattern matches that are read."""
    files = standard_files()
    files["data/vols/2024-01.csv"] = "period,channel,transactions\n2024-01,online,5\n"
    files["shared/2024-02.csv"] = "period,channel,transactions\n2024-02,online,7\n"
    files["content/services/permits.yaml"] = files["content/services/permits.yaml"].replace(
        "data: permits.csv", "data: vols/*.csv")
    write_site(tmp_path, files)
    (tmp_path / "data/vols/2024-02.csv").symlink_to(tmp_path / "shared/2024-02.csv")
    code, out = check(tmp_path, {})
    assert code == 1 and ("error: 'vols/2024-02.csv', matched by 'vols/*.csv', is a link to a file outside the "
                          "data folder, so it is not read\n    hint: copy the file into data/ instead of linking") in out
    (tmp_path / "data/vols/2024-01.csv").unlink()  # every match a link: told as one, not 'no file matches'
    code, out = check(tmp_path, {})
    assert code == 1 and "no file in data/ matches" not in out and "'vols/2024-02.csv', matched by" in out


def test_output_folder_may_not_overlap_inputs(tmp_path):
    config = write_site(tmp_path, standard_files())
    (tmp_path / "static").mkdir()
    for out in ("static", "content/out", "data"):
        result = CliRunner().invoke(main, ["build", "--config", str(config), "--output", str(tmp_path / out)])
        assert result.exit_code == 1 and "overlap" in result.output, out


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "a/../../b", "a\\..\\b"])
def test_safe_relative_refuses_escapes(bad):
    with pytest.raises(OutputError):
        safe_relative(bad)


def test_csv_downloads_do_not_carry_spreadsheet_formulas(tmp_path):
    site = build_with_fines_named(tmp_path, "'=HYPERLINK(\"http://evil\")'",
                                  "charts:\n  static_svg: false\n  interactive: false\n")
    services = (site / "data/services.csv").read_text()
    assert "'=HYPERLINK" in services and ",=HYPERLINK" not in services
    chart = (site / "data/charts/organisations/dept-a/transactions-by-service.csv").read_text()
    assert "'=HYPERLINK" in chart


def test_a_span_of_days_is_named_as_people_write_it_and_a_sentence_opens_on_it():
    """A tester's five days of requests read '29 December 2017 to 29 December 2017' on a card and
    'In 27 December 2017 to 31 December 2017, Phone accounted for 57.5% of transactions'."""
    from datetime import date

    from generator.formatting import during, opening
    from generator.periods import Period

    def label(start, end):
        return Period(date(*start), date(*end), "range").label

    assert label((2017, 12, 29), (2017, 12, 29)) == "29 December 2017"
    assert label((2017, 12, 27), (2017, 12, 31)) == "27 to 31 December 2017"
    assert label((2017, 11, 27), (2017, 12, 3)) == "27 November to 3 December 2017"
    assert label((2017, 12, 27), (2018, 1, 2)) == "27 December 2017 to 2 January 2018"
    assert label((2023, 4, 1), (2024, 3, 31)) == "April 2023 to March 2024"  # whole months as before
    assert [opening(text) for text in ("March 2025", "29 December 2017", "27 to 31 December 2017",
                                       "April 2024 to March 2025")] == [
        "In March 2025", "On 29 December 2017", "From 27 to 31 December 2017", "From April 2024 to March 2025"]
    assert [during(text) for text in ("March 2025", "29 December 2017", "27 to 31 December 2017",
                                      "April 2024 to March 2025")] == [
        " in March 2025", " on 29 December 2017", " from 27 to 31 December 2017", " in April 2024 to March 2025"]


def test_the_box_to_find_a_service_does_not_need_interactive_charts(tmp_path):
    """Its script had loaded only with the interactive charts: a site that turned those off had the
    box's markup, hidden for good, beside a table of a dozen services (a review)."""
    from bs4 import BeautifulSoup

    from generator.build import build_site
    from sitefactory import standard_files, write_site

    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n  interactive: false\n"
    for number in range(10):
        files[f"content/services/permits-{number}.yaml"] = (f"name: Permits {number}\norganisation: test-council\n"
                                                             "description: D.\ndata: permits.csv\n")
    build_site(write_site(tmp_path, files), tmp_path / "site")
    for page in ("index.html", "services/index.html"):
        soup = BeautifulSoup((tmp_path / "site" / page).read_text(encoding="utf-8"), "html.parser")
        scripts = [s["src"].split("?")[0].rsplit("/", 1)[-1] for s in soup.find_all("script", src=True)]
        assert scripts == ["table-filter.js"] and soup.find(attrs={"data-table-filter": "services-table"}), page
