"""Bad input gives path:line[:column] errors, all at once, exit 1, and loses nothing."""

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from sitefactory import FINES_CSV, standard_files, write_site


def run(config, *args):
    result = CliRunner().invoke(main, [*args, "--config", str(config)])
    return result.exit_code, result.output


def build(config, out=None):
    out = out or config.parent / "site"
    return run(config, "build", "--output", str(out))


def test_bad_yaml_indentation_names_file_and_line(tmp_path):
    files = standard_files()
    files["content/services/fines.yaml"] = (
        "name: Pay a fine\norganisation: dept-a\n  description: Pay a penalty.\ndata: fines.csv\n"
    )
    code, out = build(write_site(tmp_path, files))
    assert code == 1
    assert "content/services/fines.yaml:3:" in out
    assert "YAML syntax error" in out and "hint:" in out
    assert "Traceback" not in out


def test_a_tab_indenting_yaml_is_named_as_the_cause(tmp_path):
    """'data:' then a tab-indented list item was told 'found character that cannot start any token'
    with the general indentation hint (a tester): the hint now says it is the tab."""
    files = standard_files()
    files["content/services/fines.yaml"] = "name: Pay a fine\norganisation: dept-a\ndata:\n\t- fines.csv\n"
    code, out = build(write_site(tmp_path, files))
    assert code == 1 and "content/services/fines.yaml:4:1: error: YAML syntax error" in out and "(a tab)" in out
    assert "hint: indent with spaces, not a tab" in out and "Traceback" not in out


def test_a_misspelt_month_in_a_period_cell_gets_a_did_you_mean(tmp_path):
    """'Febuary 2024' was told only the list of period forms (a tester): a month name one slip away
    is put right in the hint, where that makes a period; anything else keeps the list."""
    files = standard_files()
    files["data/fines.csv"] = ("period,channel,transactions\nJan 2024,online,100\nFebuary 2024,online,120\n"
                               "Aprill 2023 to Marhc 2024,online,130\nXyz 2024,online,1\nJnue 2024,online,5\n")
    code, out = build(write_site(tmp_path, files))
    assert code == 1 and "data/fines.csv:3:1: error: 'period' is not a period I recognise: 'Febuary 2024'\n" \
        "    hint: did you mean 'February 2024'? Correct it in the file, or with replace: in the source" in out
    assert "hint: did you mean 'April 2023 to March 2024'?" in out
    assert "'Xyz 2024'\n    hint: use a month (2024-03" in out and "did you mean 'June 2024'?" in out


def test_a_csv_file_given_as_the_config_is_named_as_such_not_echoed_whole(tmp_path):
    """--config data/blue-badge.csv printed the whole file on one line of the message (a tester)."""
    files = standard_files()
    config = write_site(tmp_path, files)
    csv_path = config.parent / "data/fines.csv"
    code, out = run(csv_path, "check")
    assert code == 1 and "fines.csv:1:1: error: expected a mapping of keys to values, found text (is this a CSV " \
        "file, not YAML?)" in out
    assert len(max(out.splitlines(), key=len)) < 200


def test_a_number_out_of_range_is_echoed_as_written(tmp_path):
    """A target of 180 was echoed back as '180.0' (a tester): numbers are read as floats first."""
    files = standard_files()
    files["content/services/fines.yaml"] = files["content/services/fines.yaml"].replace(
        "digital_take_up: 75", "digital_take_up: 180")
    code, out = build(write_site(tmp_path, files))
    assert code == 1 and ("content/services/fines.yaml:6:20: error: 'digital_take_up' must be at most 100, not "
                          "'180'\n") in out, out


def test_non_numeric_count_names_line_column_value(tmp_path):
    files = standard_files()
    files["data/fines.csv"] = FINES_CSV.replace("2024-02,phone,40,", "2024-02,phone,forty,")
    code, out = build(write_site(tmp_path, files))
    assert code == 1
    # Header is line 1; the 2024-02 phone row is the 11th data row -> line 12; transactions is column 3.
    assert "data/fines.csv:12:3: error: 'transactions' is not a number: 'forty'" in out


def test_every_problem_in_every_file_is_reported_at_once(tmp_path):
    files = standard_files()
    files["data/fines.csv"] = (FINES_CSV.replace("2024-02,phone,40,", "2024-02,phone,x1,")
                               .replace("2024-01,post,50,", "2024-01,fax,50,")
                               .replace("2023-12,post,", "Dec-2023x,post,"))
    files["content/services/permits.yaml"] = files["content/services/permits.yaml"].replace(
        "organisation: test-council", "organisation: nowhere")
    files["content/organisations/dept-a.yaml"] += "colour: [unclosed\n"
    code, out = build(write_site(tmp_path, files))
    assert code == 1
    assert "data/fines.csv:12:3:" in out  # x1
    assert "data/fines.csv:10:2: error: 'channel' is not a channel in config.yaml: 'fax'" in out
    assert "data/fines.csv:7:1: error: 'period' is not a period I recognise: 'Dec-2023x'" in out
    assert "content/services/permits.yaml:2:15: error: organisation 'nowhere' does not exist" in out
    assert "content/organisations/dept-a.yaml:4:" in out


def test_an_organisation_given_by_its_name_gets_its_slug_in_the_hint(tmp_path):
    """A council wrote 'organisation: Department A', its organisation's name as the page shows it,
    and was told to add content/organisations/department-a.yaml, though dept-a.yaml is that one."""
    files = standard_files()
    files["content/services/permits.yaml"] = files["content/services/permits.yaml"].replace(
        "organisation: test-council", "organisation: Department A")
    files["content/organisations/test-council.yaml"] += "parent: Department A\n"
    files["content/organisations/dept-a.yaml"] = files["content/organisations/dept-a.yaml"].replace(
        "parent: test-council\n", "")
    code, out = run(write_site(tmp_path, files), "check")
    assert code == 1
    assert ("content/services/permits.yaml:2:15: error: organisation 'department-a' does not exist\n    hint: that is "
            "the name of organisation 'dept-a': write organisation: dept-a (the name of its file, "
            "content/organisations/dept-a.yaml)\n") in out
    assert ("content/organisations/test-council.yaml:3:9: error: parent organisation 'department-a' does not exist\n"
            "    hint: that is the name of organisation 'dept-a': write parent: dept-a\n") in out


def test_a_date_that_is_no_such_day_says_why_at_its_cell(tmp_path):
    """'2015-02-30' got the list of every period form, as if the way it is written were wrong."""
    files = standard_files()
    files["data/fines.csv"] = FINES_CSV.replace("2023-12,post,", "2023-12-32,post,")
    code, out = build(write_site(tmp_path, files))
    assert code == 1
    assert ("data/fines.csv:7:1: error: '2023-12-32' is not a date: no month has a 32nd day\n"
            "    hint: correct the cell in the file (a typo, or a date typed by hand?), or fix a one-off with "
            "replace: in the source, e.g. replace: {period: {\"2023-12-32\": 'the right date'}}") in out
    assert "not a period I recognise" not in out


def test_failed_build_leaves_previous_site_untouched(tmp_path):
    config = write_site(tmp_path, standard_files())
    assert build(config)[0] == 0
    before = {p.relative_to(tmp_path / "site"): p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    (tmp_path / "data/fines.csv").write_text(FINES_CSV.replace("2024-02,phone,40,", "2024-02,phone,abc,"))
    assert build(config)[0] == 1
    after = {p.relative_to(tmp_path / "site"): p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_an_accented_name_keeps_its_letters_in_its_web_address():
    """'Pender Île' had become pender-le, its letter lost with its accent (a tester's real data)."""
    from generator.schema import slugify

    assert slugify("Pender Île") == "pender-ile" and slugify("Ynys Môn") == "ynys-mon"
    assert slugify("Café / Crème brûlée") == "cafe-creme-brulee" and slugify("../../Ōita") == "oita"


def test_hostile_slug_cannot_escape_the_output_folder(tmp_path):
    files = standard_files()
    files["content/services/fines.yaml"] += "slug: ../../x\n"
    config = write_site(tmp_path / "site-src", files)
    code, out = build(config)
    assert code == 0, out
    assert (tmp_path / "site-src/site/services/x/index.html").is_file()
    assert not (tmp_path / "x").exists() and not (tmp_path / "site-src/x").exists()
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and "site-src" not in p.parts]
    assert outside == []
    assert "is not a clean slug; using 'x'" in out


def test_two_inputs_writing_one_path_is_an_error_naming_both(tmp_path):
    files = standard_files()
    files["content/pages/services.md"] = "---\ntitle: Services\n---\nText\n"
    code, out = build(write_site(tmp_path, files))
    assert code == 1
    assert ("content/pages/services.md: error: writes services/index.html, which the site's own services table "
            "also writes\n    hint: give it another slug (the site's own pages use services, organisations, savings "
            "and costs)") in out
    # Where a slug: decides it, the error points at it (a tester's was told with no line).
    (tmp_path / "content/pages/services.md").unlink()
    (tmp_path / "content/pages/list.md").write_text("---\ntitle: List\nslug: organisations\n---\nText\n")
    code, out = build(tmp_path / "config.yaml")
    assert code == 1 and ("content/pages/list.md:3:7: error: writes organisations/index.html, which the site's own "
                          "organisations list also writes") in out, out
    (tmp_path / "content/pages/list.md").unlink()
    (tmp_path / "content/pages/about.md").write_text("---\ntitle: About\n---\nText\n")
    (tmp_path / "content/pages/about-us.md").write_text("---\ntitle: About us\nslug: about\n---\nText\n")
    code, out = build(tmp_path / "config.yaml")
    assert code == 1 and ("content/pages/about-us.md:3:7: error: page slug 'about' is also used by "
                          "content/pages/about.md\n    hint: give one of them a different slug") in out, out


def test_duplicate_service_slugs_name_both_files(tmp_path):
    files = standard_files()
    files["content/services/fines-copy.yaml"] = files["content/services/fines.yaml"] + "slug: fines\n"
    code, out = build(write_site(tmp_path, files))
    assert code == 1
    # At the copy's slug: line (the file that gives it), naming the other as the report names files.
    assert ("content/services/fines-copy.yaml:7:7: error: service slug 'fines' is also used by "
            "content/services/fines.yaml\n") in out


def test_check_writes_nothing_and_strict_fails_on_warnings(tmp_path):
    files = standard_files()
    files["content/services/fines.yaml"] += "colour: blue\n"
    config = write_site(tmp_path, files)
    code, out = run(config, "check")
    assert code == 0 and "unknown key 'colour'" in out
    assert not (tmp_path / "site").exists()
    # Nor the build's cache: it had kept the compiled templates there.
    assert sorted(path.name for path in tmp_path.iterdir()) == ["config.yaml", "content", "data"]
    code, out = run(config, "check", "--strict")
    assert code == 1


def test_output_folder_with_other_files_is_not_replaced(tmp_path):
    config = write_site(tmp_path, standard_files())
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("keep me")
    code, out = build(config, precious)
    assert code == 1 and "not made by perfpages" in out
    assert (precious / "thesis.txt").read_text() == "keep me"
    code, out = build(config, tmp_path)
    assert code == 1 and (tmp_path / "config.yaml").exists()


def test_usage_error_exits_2_and_missing_config_exits_1(tmp_path):
    assert CliRunner().invoke(main, ["build", "--no-such-option"]).exit_code == 2
    code, out = run(tmp_path / "nope.yaml", "check")
    assert code == 1 and "configuration file not found" in out


def test_console_script_reports_without_traceback(tmp_path):
    files = standard_files()
    files["config.yaml"] = files["config.yaml"].replace("title: Test", "title: [Test")
    config = write_site(tmp_path, files)
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--config", str(config)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "config.yaml:1:8: error: YAML syntax error" in proc.stderr and "(noticed at line 2)" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_markdown_is_safe_and_tables_are_captioned():
    from generator.markdown_text import render_markdown

    html = render_markdown(
        "## Unit costs\n\n| Channel | Cost |\n| --- | --- |\n| Online | £0.15 |\n\n"
        "<script>alert(1)</script> [x](javascript:alert(1)) ![t](https://tracker.example/p.gif) "
        "[ok](https://www.example.gov.uk/)"
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html and "tracker.example" not in html
    assert 'href="https://www.example.gov.uk/"' in html
    assert "<caption>Unit costs</caption>" in html and '<th scope="col">Channel</th>' in html


def test_the_command_ends_quickly_without_losing_its_report(tmp_path):
    """perfpages leaves by os._exit once the build is done (tearing down a big build's objects was
    slow): its summary must still reach a pipe, and its exit codes must stay right."""
    config = write_site(tmp_path, standard_files())
    built = subprocess.run([sys.executable, "-m", "generator", "build", "--config", str(config)],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert built.stdout.rstrip().splitlines()[-1].startswith("Built ")
    fines = config.parent / "data/fines.csv"
    fines.write_text(fines.read_text().replace("2024-03,online,150,", "2024-03,online,151,"))
    again = subprocess.run([sys.executable, "-m", "generator", "build", "--config", str(config), "--strict"],
                           capture_output=True, text=True)
    assert again.returncode == 0 and "Built " in again.stdout
    # The closing summary names the pages and the charts (each has a JSON download), made or kept.
    charts = len(list((tmp_path / "site/data/charts").rglob("*.json")))
    pages = len(list((tmp_path / "site").rglob("index.html"))) + 1  # and 404.html
    assert charts > 10 and f"Built {pages} pages, {charts} charts (" in again.stdout
    unchanged = subprocess.run([sys.executable, "-m", "generator", "build", "--config", str(config), "--strict"],
                               capture_output=True, text=True)
    assert f"Nothing has changed since the last build: {pages} pages, {charts} charts (" in unchanged.stdout
    # Into a new folder (a CI run that restores the cache): the services' figures come from the cache.
    elsewhere = subprocess.run([sys.executable, "-m", "generator", "build", "--config", str(config), "--strict",
                                "--output", str(tmp_path / "elsewhere")], capture_output=True, text=True)
    services = len(list((tmp_path / "site/services").glob("*/index.html")))
    assert elsewhere.stdout.rstrip().endswith(
        f"{services} services' figures taken from the cache (their data unchanged)."), elsewhere.stdout
    usage = subprocess.run([sys.executable, "-m", "generator", "build", "--jobs", "none"],
                           capture_output=True, text=True)
    assert usage.returncode == 2 and "Invalid value" in usage.stderr


def test_a_profiled_run_still_writes_its_profile(tmp_path):
    """Under cProfile (which writes its results as Python exits) the command exits the usual way."""
    out = tmp_path / "run.prof"
    proc = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), "-m", "generator", "--version"],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "perfpages" in proc.stdout
    assert out.is_file() and out.stat().st_size > 0


def test_an_id_or_slug_ending_in_a_line_break_is_refused(tmp_path):
    """'$' alone matches before a trailing line break: ids are checked as whole strings."""
    files = standard_files()
    files["config.yaml"] = files["config.yaml"].replace("  - id: phone\n", '  - id: "phone\\n"\n')
    code, out = build(write_site(tmp_path / "id", files))
    assert code == 1 and "config.yaml:9:9: error: 'id' must be an identifier" in out, out
    files = standard_files()
    files["content/services/fines.yaml"] += 'slug: "fines\\n"\n'
    code, out = build(write_site(tmp_path / "slug", files))
    assert code == 0 and "is not a clean slug; using 'fines'" in out, out
    assert (tmp_path / "slug/site/services/fines/index.html").is_file()


def test_a_base_url_without_a_scheme_names_its_line(tmp_path):
    """'example.org/performance' would be taken for a path (/example.org/performance/), and the
    404 page's links would all be wrong: it is an error, in config.yaml and from --base-url."""
    files = standard_files()
    files["config.yaml"] = files["config.yaml"].replace("base_url: /", "base_url: example.org/performance")
    config = write_site(tmp_path, files)
    code, out = build(config)
    assert code == 1
    assert "config.yaml:3:11: error: base_url 'example.org/performance' is neither a full address" in out
    assert "hint:" in out and not (tmp_path / "site").exists()
    code, out = run(write_site(tmp_path / "ok", standard_files()), "build", "--base-url", "example.org/perf")
    assert code == 2 and "Invalid value for '--base-url'" in out and "neither a full address" in out


def test_a_spreadsheet_workbook_in_place_of_a_csv_says_what_it_is(tmp_path):
    """An .xlsx (a zip archive) or an old .xls read as text got a hint about windows-1252, which led
    nowhere; it is named for what it is, with how to save it as CSV."""
    import io
    import zipfile

    workbook = io.BytesIO()
    with zipfile.ZipFile(workbook, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    for name, data in (("xlsx", workbook.getvalue()), ("xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))):
        config = write_site(tmp_path / name, standard_files())
        (tmp_path / name / "data/fines.csv").write_bytes(data)
        code, out = build(config)
        assert code == 1 and "windows-1252" not in out, out
        assert "data/fines.csv: error: this is " in out and "not a CSV file" in out
        assert "Save As" in out and "CSV UTF-8" in out


def test_figures_for_a_kpi_marked_not_requested_are_a_warning(tmp_path):
    """not_requested: [user_satisfaction] with ratings in the data showed 'not requested' and hid the
    ratings unseen; it is said where the list names it."""
    files = standard_files()
    files["content/services/fines.yaml"] += "not_requested:\n  - cost_per_transaction\n  - user_satisfaction\n"
    code, out = run(write_site(tmp_path, files), "check")
    assert code == 0
    # fines.csv has ratings in January and March 2024, and costs on 9 rows (November, January, March).
    assert ("content/services/fines.yaml:9:5: warning: 'user_satisfaction' is listed as not requested, but the "
            "data has figures for it (satisfaction_1, satisfaction_2, satisfaction_3, satisfaction_4, "
            "satisfaction_5, on 2 rows); it is not shown on the service's page") in out
    assert "'cost_per_transaction' is listed as not requested, but the data has figures for it (cost, on 9 rows)" in out
    permits = "not_requested: [completion_rate]"  # the standard permits service: no completion data, no warning
    assert permits in files["content/services/permits.yaml"] and "'completion_rate' is listed" not in out
    # Take-up worked out from transactions by channel may be left unshown without a warning (it could
    # not be silenced, and would fail every --strict build); the page's savings section, which is
    # about raising take-up, goes with it.
    files = standard_files()
    files["content/services/permits.yaml"] = files["content/services/permits.yaml"].replace(
        permits, "not_requested: [completion_rate, digital_take_up]")
    config = write_site(tmp_path / "take-up", files)
    assert run(config, "check", "--strict") == (0, "No errors found.\n")
    from generator.build import prepare

    assert next(s for s in prepare(config).model.services if s.slug == "permits").savings is None


def test_a_mistake_in_a_services_yaml_does_not_hide_its_datas_problems(tmp_path):
    """Every problem at once: a service whose YAML has an error was left out before its data was
    read, so the data's own errors only came to light on the next run. The misspelt KPI gets a
    'did you mean'."""
    files = standard_files()
    files["content/services/fines.yaml"] += "not_requested: [satisfaction]\n"
    files["data/fines.csv"] = FINES_CSV.replace("2024-02,phone,40,", "2024-02,phone,forty,")
    code, out = build(write_site(tmp_path, files))
    assert code == 1 and "2 error(s)" in out
    assert "content/services/fines.yaml:7:17: error: 'not_requested' must be one of" in out
    assert "did you mean 'user_satisfaction'?" in out
    assert "data/fines.csv:12:3: error: 'transactions' is not a number: 'forty'" in out


def test_a_yaml_syntax_error_does_not_hide_its_datas_problems_nor_blame_a_source(tmp_path):
    """A service file that does not parse still names its data on a line of its own: that data is
    read for its errors in the same run, and the source it reads is not reported as read by no
    service (a knock-on warning that --strict counted as a second error)."""
    files = standard_files()
    files["config.yaml"] += "sources:\n  - file: fines.csv\n    percentages: fraction\n"
    files["content/services/fines.yaml"] = files["content/services/fines.yaml"].replace(
        "description: Pay a penalty charge notice.", "description: Pay a fine: online or by phone")
    files["data/fines.csv"] = FINES_CSV.replace("2024-02,phone,40,", "2024-02,phone,forty,")
    code, out = run(write_site(tmp_path, files), "check", "--strict")
    assert code == 1 and "2 error(s), 0 warning(s)" in out
    assert "content/services/fines.yaml:3:24: error: YAML syntax error" in out
    assert "data/fines.csv:12:3: error: 'transactions' is not a number: 'forty'" in out
    assert "no service reads" not in out


def test_a_yaml_syntax_error_beside_a_wrong_data_reference_reports_both_without_a_traceback(tmp_path):
    """A tester's service file had an indentation slip and named a source config.yaml lacks; another
    a slip and a misspelt file name. Both crashed check with a traceback (the reference, read past
    the slip, was never checked). Now each reference is checked at its data: line, with a hint."""
    files = standard_files()
    files["data/fines.csv"] = FINES_CSV
    files["content/services/fines.yaml"] = (
        "name: Pay a fine\norganisation: dept-a\n description: Pay a fine.\ndata: {source: payments, service: X}\n")
    files["content/services/permits.yaml"] = (
        "name: Renew a permit: residents\norganisation: test-council\ndescription: Renew it.\ndata: permit.csv\n")
    code, out = run(write_site(tmp_path, files), "check")
    assert code == 1 and "Traceback" not in out and "4 error(s)" in out
    assert "content/services/fines.yaml:4:7: error: data source 'payments' is not in config.yaml" in out
    assert "content/services/permits.yaml:4:7: error: data file 'permit.csv' not found in data/" in out
    assert "hint: did you mean 'permits.csv'?" in out


def test_a_comma_out_of_place_in_a_number_is_an_error_not_a_thousands_separator(tmp_path):
    """'12,34' was read as 1,234 without a word (a decimal comma, or a slip); a comma must separate
    thousands. '1,234' and '£1,234.50' still read as ever."""
    files = standard_files()
    files["data/fines.csv"] = FINES_CSV.replace("2024-02,phone,40,", '2024-02,phone,"12,34",').replace(
        "2024-02,post,40,", '2024-02,post,"1,040",')
    code, out = build(write_site(tmp_path, files))
    assert code == 1 and "1 error(s)" in out
    assert "data/fines.csv:12:3: error: 'transactions' is not a number: '12,34'" in out
    assert "hint: a comma separates thousands (1,234); write a decimal with a point (12.34)" in out


def _fines_without_february() -> dict[str, str]:
    files = standard_files()
    files["data/fines.csv"] = "".join(line for line in FINES_CSV.splitlines(keepends=True)
                                      if not line.startswith("2024-02"))
    files["content/services/permits.yaml"] += "colour: blue\n"  # a second warning, about another file
    return files


ACCEPT_GAP = """\
accepted_warnings:
  - file: fines.csv
    message: has no rows for February 2024
    reason: the payments system was replaced that month
"""


def test_an_accepted_warning_passes_strict_and_only_that_warning(tmp_path):
    files = _fines_without_february()
    config = write_site(tmp_path, files)
    code, out = run(config, "check", "--strict")
    assert code == 1 and "data/fines.csv:11: warning: service 'fines' has no rows for February 2024" in out
    files["config.yaml"] += ACCEPT_GAP
    config = write_site(tmp_path, files)
    code, out = run(config, "check", "--strict")
    # The unknown key in permits.yaml is not accepted: --strict still fails on it, and only on it.
    assert code == 1 and "no rows for February" not in out and "unknown key 'colour'" in out
    assert "0 error(s), 1 warning(s)" in out and "1 warning(s) accepted in config.yaml" in out
    files["content/services/permits.yaml"] = files["content/services/permits.yaml"].replace("colour: blue\n", "")
    config = write_site(tmp_path, files)
    assert run(config, "check", "--strict") == (
        0, "1 warning(s) accepted in config.yaml (accepted_warnings:) not shown\nNo errors found.\n")
    code, out = run(config, "build", "--strict")
    assert code == 0 and "1 warning(s) accepted" in out
    # A build with nothing changed reports the same from its manifest, and --strict still passes.
    code, out = run(config, "build", "--strict")
    assert code == 0 and "up to date" in out and "1 warning(s) accepted" in out and "no rows for" not in out


def test_an_accepted_warning_that_matches_nothing_is_a_warning_at_its_line(tmp_path):
    files = standard_files()
    files["config.yaml"] += ACCEPT_GAP  # the fines data has no gap
    config = write_site(tmp_path, files)
    code, out = run(config, "check", "--strict")
    assert code == 1
    assert ("config.yaml:16:5: warning: accepted warning 'has no rows for February 2024' about fines.csv "
            "matches no warning") in out


def test_an_accepted_warning_needs_a_reason(tmp_path):
    files = _fines_without_february()
    files["config.yaml"] += ACCEPT_GAP.replace("the payments system was replaced that month", "' '")
    config = write_site(tmp_path, files)
    code, out = run(config, "check")
    assert code == 1 and "config.yaml:18:13: error: 'reason' of an accepted warning is blank" in out
    files["config.yaml"] = files["config.yaml"].replace("    reason: ' '\n", "")
    code, out = run(write_site(tmp_path, files), "check")
    assert code == 1 and "config.yaml:16:5: error: 'reason' is required in accepted warning" in out


def test_accepting_matches_the_file_whole_and_the_message_in_part():
    from generator.config import AcceptedWarning
    from generator.errors import Problems

    problems = Problems()
    problems.warning("data/calls.csv", "'transactions' holds a spreadsheet error: '#DIV/0!' [note 1]", 4, 2)
    problems.warning("data/old-calls.csv", "'transactions' holds a spreadsheet error: '#N/A'", 5, 2)
    problems.warning("data/calls.csv.bak", "'transactions' holds a spreadsheet error: '#N/A'", 5, 2)
    problems.error("data/calls.csv", "'cost' is not a number: 'x'", 6, 3)
    rules = [AcceptedWarning("CALLS.csv", "spreadsheet error: '#*' [note 1]", "known", 0),
             AcceptedWarning("data/*/calls.csv", "*", "no such folder", 1)]
    stale = problems.accept(rules)
    assert [p.level for p in problems.items] == ["accepted", "warning", "warning", "error"]
    assert stale == [rules[1]] and len(problems.warnings) == 2 and len(problems.accepted) == 1


def test_an_asset_the_site_does_not_have_is_reported_at_its_template_line(tmp_path):
    """asset('css/brand.css') with no such file, or 'img/Logo.svg' for logo.svg (found on a Mac,
    not on GitHub Pages), built without a word; now each is a warning at its template's line
    naming the asked-for path, with the real file (case) or where to put it, and --strict fails."""
    files = standard_files()
    files["static/img/logo.svg"] = "<svg xmlns='http://www.w3.org/2000/svg'/>"
    files["templates/base.html"] = (
        '{% extends "default:base.html" %}\n'
        "{% block head %}\n"
        "<link rel=\"stylesheet\" href=\"{{ asset('css/brand.css') }}\">\n"
        "{% endblock %}\n"
        "{% block brand %}<img src=\"{{ asset('img/Logo.svg') }}\" alt=\"Test\">"
        "<img src=\"{{ asset('/img/logo.svg') }}\" alt=\"\">{% endblock %}\n")
    config = write_site(tmp_path, files)
    code, out = run(config, "check")
    assert code == 0, out
    assert ("templates/base.html:3: warning: asset('css/brand.css') names static/css/brand.css, "
            "which the site does not have") in out
    assert "hint: put the file at static/css/brand.css next to config.yaml" in out
    assert "templates/base.html:5: warning: asset('img/Logo.svg')" in out
    assert "hint: the file is static/img/logo.svg: write asset('img/logo.svg')" in out
    assert out.count("warning:") == 2  # '/img/logo.svg' is the file (asset() drops the /)
    code, out = run(config, "check", "--strict")
    assert code == 1 and "Logo.svg" in out and "Traceback" not in out


def test_the_built_in_theme_names_only_assets_it_has(tmp_path):
    from generator import render
    from generator.errors import Problems

    problems = Problems()
    folder = render.BUILTIN_THEME
    render.missing_assets([folder / "templates"], render.static_files([folder / "static"]), problems)
    assert problems.items == []


def test_a_markdown_link_to_nothing_on_the_site_is_a_warning_at_its_line(tmp_path):
    """A link to about.md (the file, not the page), one relative to the wrong folder, or a page the
    site does not have was published without a word: each is a warning at the Markdown file's line
    and column naming the link, with the address to use."""
    files = standard_files()
    files["content/pages/contact.md"] = (
        "---\ntitle: Contact\n---\nRead [about us](/about/) or the [about page](about.md).\n\n"
        "[About, relative](about/), [fees](/fees/) and [the council](https://www.example.gov.uk/nowhere).\n")
    files["content/services/fines.yaml"] += "notes: |\n  See [permits](/services/permit/).\n"
    config = write_site(tmp_path, files)
    code, out = run(config, "check")
    assert code == 0, out
    assert "content/pages/contact.md:4:46: warning: link to 'about.md' leads to no page or file of this site" in out
    assert "hint: link to /about/ for content/pages/about.md" in out
    assert "content/pages/contact.md:6:19: warning: link to 'about/'" in out
    assert "write /about/ to link from the site's root" in out
    assert "content/pages/contact.md:6:35: warning: link to '/fees/'" in out
    assert "content/services/fines.yaml:8:17: warning: link to '/services/permit/'" in out
    assert "hint: did you mean /services/permits/?" in out
    assert out.count("warning:") == 4  # /about/ and the other host are fine
    code, out = run(config, "check", "--strict")
    assert code == 1 and "Traceback" not in out


def test_an_image_from_another_host_and_a_skipped_heading_level_are_warnings(tmp_path):
    """An image from another host was left out (nothing loads from elsewhere) without a word, the
    page showing its alt text; '#' then '####' made h2 then h5, which axe reports (heading-order)."""
    files = standard_files()
    files["content/pages/contact.md"] = (
        "---\ntitle: Contact\n---\n# Visit us\n\n![Map](https://maps.example.org/x.png)\n\n#### Email\n\n"
        "Write to [us](mailto:a@example.org) or [run](javascript:alert(1)).\n\n## Phone\n\n### Hours\n")
    code, out = run(write_site(tmp_path, files), "check")
    assert code == 0, out
    assert ("content/pages/contact.md:6:8: warning: image 'https://maps.example.org/x.png' is from another host, "
            "so it is left out (the page shows only its alt text)") in out
    assert "save the image in static/img/ beside config.yaml" in out
    assert ("content/pages/contact.md:8:1: warning: heading '#### Email' comes after a '#' heading: levels are "
            "skipped\n    hint: write it as ##") in out
    assert "content/pages/contact.md:10:46: warning: link to 'javascript:alert(1)' is removed" in out
    assert out.count("warning:") == 3  # '## Phone' after '####' and '### Hours' after it are in order
    # Found in review: a heading in a block quote is in the page's order (no warning for '###' after
    # '> ##'); a heading in a service's notes, indented in the YAML and marked up, is found at its
    # line; an image with no address, or a data: one, is not said to be from another host.
    files["content/pages/contact.md"] = ("---\ntitle: Contact\n---\n# Top\n\n> ## Quoted\n\n### Under\n\n"
                                         "![Logo]() and ![Dot](data:image/png;base64,AAAA)\n")
    files["content/services/fines.yaml"] += "notes: |\n  # Details\n\n  Some Details here.\n\n  #### A **bold** skip\n"
    code, out = run(write_site(tmp_path / "two", files), "check")
    assert "Quoted" not in out and "Under" not in out, out
    assert "content/services/fines.yaml:12:3: warning: heading '#### A bold skip' comes after a '#' heading" in out
    assert "content/pages/contact.md:10:7: warning: image has no address, so it is left out" in out
    assert "warning: image 'data:image/png;base64,AAAA' is not a file of this site" in out


def test_a_warning_about_a_markdown_link_can_be_accepted(tmp_path):
    """Links are checked once the site's pages are known, after the data: an accepted_warnings: entry
    for one was applied before it existed, and reported as matching nothing right above it."""
    files = standard_files()
    files["content/pages/about.md"] += "\nSee [our method](/methodology/).\n"
    files["config.yaml"] += ("accepted_warnings:\n  - file: about.md\n    message: methodology\n"
                             "    reason: the page is published in the next release\n")
    code, out = run(write_site(tmp_path, files), "check", "--strict")
    assert (code, out) == (0, "1 warning(s) accepted in config.yaml (accepted_warnings:) not shown\nNo errors found.\n")


def test_an_organisation_file_with_a_yaml_error_is_not_also_said_not_to_exist(tmp_path):
    """Its services were told their organisation 'does not exist', with a hint to add the file that
    was there."""
    files = standard_files()
    files["content/organisations/dept-a.yaml"] = "name: Department A\n  kind: directorate\nparent: test-council\n"
    code, out = run(write_site(tmp_path, files), "check")
    assert code == 1 and "1 error(s)" in out and "content/organisations/dept-a.yaml:2" in out
    assert "does not exist" not in out


def test_a_mistake_in_the_sites_own_template_is_told_at_its_line_without_a_traceback(tmp_path):
    """A council's templates/base.html with a mistyped tag or name printed 60 lines of traceback
    (and, under serve, was called a bug in Performance Pages). Now each is an error at the
    template's line, with what it may have meant, and the previous site is kept."""
    import pickle

    from generator.template_errors import TemplateFailed

    files = standard_files()
    good = ('{% extends "default:base.html" %}\n{% block brand %}\n<a href="{{ url(\'\') }}">{{ site.title }}</a>\n'
            "{% endblock %}\n")
    files["templates/base.html"] = good
    config = write_site(tmp_path, files)
    assert run(config, "build", "--output", str(tmp_path / "site"))[0] == 0
    before = {p: p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    template = tmp_path / "templates/base.html"
    template.write_text(good.replace("{% endblock %}", "{% endblok %}"))
    code, out = run(config, "check")
    assert code == 1 and "Traceback" not in out
    assert "templates/base.html:4: error: template syntax: Encountered unknown tag 'endblok'" in out
    template.write_text(good.replace("site.title", "site.titel"))
    code, out = run(config, "build", "--output", str(tmp_path / "site"))
    assert code == 1 and "Traceback" not in out
    assert ("templates/base.html:3: error: template names something pages do not have: 'SiteInfo object' has no "
            "attribute 'titel'") in out and "hint: did you mean 'title'?" in out
    assert {p: p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()} == before
    template.write_text(good.replace("site.title", "sitee.title"))
    code, out = run(config, "check")
    assert "templates/base.html:3: error: template names something pages do not have: 'sitee' is undefined" in out
    assert "did you mean 'site'?" in out
    # Building on the theme's base.html by its plain name finds the site's own again, and again.
    template.write_text('{% extends "base.html" %}\n')
    code, out = run(config, "check")
    assert (code, "Traceback" in out) == (1, False)
    assert ("templates/base.html:1: error: template extends or includes itself, over and over\n    hint: to build on "
            "the theme's base.html, name it with its prefix: {% extends \"default:base.html\" %}") in out
    # Sent back from a worker process whole.
    failed = pickle.loads(pickle.dumps(TemplateFailed("templates/base.html", 3, "message", "hint")))
    assert (failed.path, failed.line, failed.message, failed.hint) == ("templates/base.html", 3, "message", "hint")


def test_a_template_saved_in_windows_1252_is_an_error_at_its_line(tmp_path):
    """A council's base.html with a Windows '©' (byte 0xA9) printed a UnicodeDecodeError traceback."""
    files = standard_files()
    config = write_site(tmp_path, files)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/base.html").write_bytes(
        b'{% extends "default:base.html" %}\n{% block footer_text %}<p>\xa9 Test Council</p>{% endblock %}\n')
    code, out = run(config, "build", "--output", str(tmp_path / "site"))
    assert (code, "Traceback" in out) == (1, False)
    assert ("templates/base.html:2: error: template is not UTF-8 text: byte 0xa9 at column 27 cannot be read\n"
            "    hint: save the file as UTF-8") in out


def test_a_sites_macros_file_may_hold_only_the_macros_it_changes(tmp_path):
    """A council overriding one macro (kpi_card) in templates/_macros.html met a traceback: the
    theme's pages use sixteen others ('TemplateModule object has no attribute breadcrumbs'). The
    theme's others are now taken in; an error in the site's own macro is at its own line."""
    files = standard_files()
    config = write_site(tmp_path, files)
    (tmp_path / "templates").mkdir()
    macros = tmp_path / "templates/_macros.html"
    macros.write_text('{% macro kpi_card(fig, level=3) %}\n<div class="kpi-card"><h3>OWN {{ fig.label }}</h3>'
                      "</div>\n{% endmacro %}\n")
    code, out = run(config, "build", "--output", str(tmp_path / "site"))
    assert code == 0, out
    page = (tmp_path / "site/services/permits/index.html").read_text()
    assert "<h3>OWN Transactions per year</h3>" in page and 'class="breadcrumbs' in page
    macros.write_text(macros.read_text().replace("fig.label", "fig.lable"))
    code, out = run(config, "build", "--output", str(tmp_path / "site"))
    assert (code, "Traceback" in out) == (1, False)
    assert "templates/_macros.html:2: error: template names something pages do not have" in out
    assert "did you mean 'label'?" in out  # a property, not a field: it had offered 'value'
    # With a theme of the site's own, the other macros are the theme's, not the built-in ones (a
    # review found the theme's breadcrumbs lost); and a macro commented out is not one the file has.
    from generator import BUILTIN_THEME

    theme = tmp_path / "themes/mytheme/templates"
    theme.mkdir(parents=True)
    (theme / "_macros.html").write_text((BUILTIN_THEME / "templates/_macros.html").read_text().replace(
        '<nav aria-label="Breadcrumb" class="breadcrumbs">', '<nav aria-label="Breadcrumb" class="breadcrumbs theirs">'))
    config.write_text(config.read_text() + "theme: mytheme\n")
    macros.write_text(macros.read_text().replace("fig.lable", "fig.label") + "{# {% macro breadcrumbs(c) %}{% endmacro %} #}\n")
    code, out = run(config, "build", "--output", str(tmp_path / "site"))
    assert code == 0, out
    page = (tmp_path / "site/services/permits/index.html").read_text()
    assert "<h3>OWN Transactions per year</h3>" in page and 'class="breadcrumbs theirs"' in page


def test_a_title_above_the_table_is_one_error_naming_the_header_row(tmp_path):
    """A contact-centre export with a title and a date above its headings gave one 'row has 7 cells
    but the header has 1' error per row (21 of them), and no word of header_row:."""
    files = standard_files()
    table = files["data/fines.csv"]
    files["data/fines.csv"] = "Parking fines report\nExported 01/04/2025 by CRM\n\n" + table
    config = write_site(tmp_path, files)
    code, out = run(config, "check")
    assert code == 1 and out.count("error:") == 1, out
    headings = ", ".join(table.splitlines()[0].split(","))
    assert (f"data/fines.csv:1: error: line 1 ('Parking fines report') looks like a title above the table: the "
            f"headings seem to be on line 4 ({headings[:80]}") in out
    assert "hint: describe the file in config.yaml: sources: [{file: fines.csv, header_row: 4}]" in out
    # As Excel saves it, the title padded with empty cells to the table's width: the same.
    width = table.splitlines()[0].count(",")
    (tmp_path / "data/fines.csv").write_text("Parking fines report" + "," * width + "\n" + table)
    code, out = run(config, "check")
    assert "looks like a title above the table: the headings seem to be on line 2" in out and out.count("error:") == 1
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text()
                                          + "sources:\n  - file: fines.csv\n    header_row: 2\n")
    assert run(config, "check")[0] == 0


def test_a_sources_file_name_mistyped_is_an_error_with_the_nearest_file(tmp_path):
    """A source's file: a letter out made no error (a source making services) or only 'no service
    reads the source' (one that does not), while the real file was read without its settings."""
    files = standard_files()
    files["config.yaml"] += "sources:\n  - file: fine.csv\n    not_requested: ['n/r']\n"
    config = write_site(tmp_path, files)
    code, out = run(config, "check")
    assert code == 1
    assert "config.yaml:" in out and "error: data file 'fine.csv' not found in data/" in out
    assert "hint: did you mean 'fines.csv'?" in out


def test_a_language_the_built_in_theme_does_not_speak_is_a_warning(tmp_path):
    """language: cy set lang="cy" on pages whose headings, labels and tables are English: screen
    readers read them as Welsh (WCAG 3.1.1). Said, unless the site has templates of its own."""
    files = standard_files()
    files["config.yaml"] = "language: cy\n" + files["config.yaml"]
    config = write_site(tmp_path, files)
    code, out = run(config, "check")
    assert code == 0 and ("config.yaml:1:11: warning: language: cy says the pages are not in English, but the "
                          "built-in theme's words (headings, labels, tables) are") in out
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/base.html").write_text('{% extends "default:base.html" %}\n')  # its words, translated
    assert run(config, "check", "--strict")[0] == 0


def test_hostile_inputs_are_errors_at_their_files_not_leaks_or_tracebacks(tmp_path):
    """A security tester's findings: a link in static/ to /proc/self/environ published the build's
    secrets; a 382-byte YAML of aliases of aliases took 54 s and 1.5 GB; YAML nested 20,000 deep,
    unit_cost: .nan and a data pattern of '/tmp/*.csv' were tracebacks. Each is now an error at its file."""
    import os

    files = standard_files()
    files["static/css/ok.css"] = "p { color: black }"
    config = write_site(tmp_path, files)
    secret = tmp_path / "secret.txt"
    secret.write_text("MY_SECRET_TOKEN=hunter2")
    os.symlink(secret, tmp_path / "static/css/env.txt")
    code, out = run(config, "check")
    assert code == 1 and "static/css/env.txt: error: is a link to a file outside its static folder" in out
    (tmp_path / "static/css/env.txt").unlink()
    os.symlink(secret, tmp_path / "content/pages/leak.md")  # and a Markdown page
    code, out = run(config, "check")
    assert code == 1 and "content/pages/leak.md: error: is a link to a file outside the content folder" in out
    (tmp_path / "content/pages/leak.md").unlink()
    assert run(config, "check")[0] == 0

    bomb = ["name: Bomb", "x0: &x0 [a, a, a, a, a, a, a, a, a]"] + [
        f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 9)}]" for i in range(1, 8)]
    (tmp_path / "content/services/bomb.yaml").write_text("\n".join(bomb) + "\n")
    (tmp_path / "content/services/deep.yaml").write_text("name: " + "[" * 20000 + "]" * 20000 + "\n")
    (tmp_path / "content/services/glob.yaml").write_text(
        "name: Glob\norganisation: test-council\ndescription: x.\ndata: /tmp/*.csv\n")
    code, out = run(config, "check")
    assert code == 1 and "Traceback" not in out
    assert "content/services/bomb.yaml:1: error: this YAML holds more than 200,000 values once its aliases" in out
    assert "content/services/deep.yaml:1: error: this YAML is nested too deeply to read" in out
    assert "content/services/glob.yaml:4:7: error: no file in data/ matches '/tmp/*.csv'" in out
    for name in ("bomb", "deep", "glob"):
        (tmp_path / f"content/services/{name}.yaml").unlink()
    (tmp_path / "content/services/long.yaml").write_text(
        f"name: Long\nslug: {'a' * 300}\norganisation: test-council\ndescription: x.\ndata: fines.csv\n")
    code, out = run(config, "check")
    assert code == 1 and "content/services/long.yaml:2:7: error: 'slug' must be at most 150 characters" in out
    (tmp_path / "content/services/long.yaml").unlink()
    # A source making services from a file outside data/ is not read: its error had quoted the file's lines.
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text() + (
        f"sources:\n  - file: {secret}\n    columns: {{period: p, transactions: t, service: s}}\n"
        "    services: {name: x, organisation: test-council}\n"))
    code, out = run(config, "check")
    assert code == 1 and f"data file '{secret}' is outside the data folder" in out and "hunter2" not in out
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text().split("sources:")[0])
    (tmp_path / "config.yaml").write_text((tmp_path / "config.yaml").read_text().replace(
        "unit_cost: 0.20", "unit_cost: .nan", 1))
    code, out = run(config, "check")
    assert code == 1 and "config.yaml:8:16: error: 'unit_cost' must be a number, not 'nan'" in out


def test_a_language_that_is_no_language_tag_names_its_line(tmp_path):
    """lang= is what screen readers go by: 'English' or 'en_GB' there is read as no language at all
    (and axe-core fails the page), so the site's and a page's language must be a BCP 47 tag."""
    files = standard_files()
    files["config.yaml"] = files["config.yaml"].replace("base_url: /", "base_url: /\nlanguage: en_GB")
    config = write_site(tmp_path, files)
    code, out = build(config)
    assert code == 1 and not (tmp_path / "site").exists()
    assert "config.yaml:4:11: error: 'language' must be a language tag such as en-GB or cy, not 'en_GB'" in out
    assert "did you mean 'en-GB'?" in out

    files = standard_files()
    files["content/pages/amdanom.md"] = "---\ntitle: Amdanom ni\nlanguage: Welsh\n---\nTestun.\n"
    code, out = build(write_site(tmp_path / "page", files))
    assert code == 1 and not (tmp_path / "page/site").exists()
    assert "content/pages/amdanom.md:3:11: error: 'language' must be a language tag such as en-GB or cy, " \
           "not 'Welsh'" in out
    assert "cy (Welsh)" in out


def test_a_control_character_in_a_file_name_does_not_reach_the_terminal(tmp_path):
    """A cloned repository's file named with an escape sequence would recolour or clear the terminal
    that reports it: its name is shown with the character written out, as in messages."""
    files = standard_files()
    files["content/pages/\x1b[2J\x9bnotes.md"] = "No front matter.\n"
    code, out = build(write_site(tmp_path, files))
    assert code == 1
    assert "\x1b" not in out and "\x9b" not in out
    assert "content/pages/\\x1b[2J\\x9bnotes.md:1:1: error: no front matter" in out


def test_a_measure_id_too_long_for_a_file_name_is_an_error_at_its_line(tmp_path):
    """A declared measure's id names its charts' files (measure-<id>.json): one of 250 characters had
    ended the build in a traceback ('File name too long') after check had passed."""
    long_id = "m" * 250
    files = standard_files()
    files["config.yaml"] += f"measures:\n  - id: {long_id}\n    label: Long\n    unit: count\n"
    code, out = build(write_site(tmp_path, files))
    assert code == 1 and "Traceback" not in out
    assert f"config.yaml:16:9: error: 'id' must be at most 64 characters long, not '{long_id}'" in out


def test_no_file_is_written_with_a_name_too_long_for_the_file_system():
    """The last guard, for any name made from content (a service generated from a long name in a
    data row): an error that says what to shorten, not a traceback from the file system."""
    import pytest

    from generator.write import OutputError, safe_relative

    assert safe_relative("data/services/" + "s" * 196 + ".csv") == "data/services/" + "s" * 196 + ".csv"
    with pytest.raises(OutputError, match="is 201 characters long, more than a file name may be"):
        safe_relative("data/services/" + "s" * 197 + ".csv")


def test_a_templates_mistyped_tag_is_told_beside_the_datas_errors_and_the_warnings_stay(tmp_path):
    """A tester's data error and a mistyped {% endblok %} in templates/base.html: only the data's
    error showed, and once it was fixed, the template's error came alone, the build's warnings gone
    from the report. Both are now told at once, and a template's error met as pages are made keeps
    the warnings beside it."""
    files = standard_files()
    files["templates/base.html"] = ('{% extends "default:base.html" %}\n{% block footer_text %}\n<p>Ours</p>\n'
                                    "{% endblok %}\n")
    files["templates/unused.html"] = "{% if %}"  # no page uses it: left alone, as rendering leaves it
    files["data/fines.csv"] = FINES_CSV.replace("2024-01,online,100", "2024-01,online,lots")
    config = write_site(tmp_path, files)
    code, out = run(config, "check")
    assert code == 1 and "Traceback" not in out
    assert "data/fines.csv:8:3: error: 'transactions' is not a number: 'lots'" in out
    assert "templates/base.html:4: error: template syntax: Encountered unknown tag 'endblok'" in out
    assert "unused.html" not in out
    # The data fixed and the template's mistake one met only as a page is made: the warning of a
    # key nobody reads is still reported beside it.
    (tmp_path / "data/fines.csv").write_text(FINES_CSV)
    (tmp_path / "templates/base.html").write_text(
        '{% extends "default:base.html" %}\n{% block footer_text %}\n<p>{{ site.titel }}</p>\n{% endblock %}\n')
    (tmp_path / "content/services/fines.yaml").write_text(files["content/services/fines.yaml"] + "colour: red\n")
    code, out = run(config, "check")
    assert code == 1
    assert "templates/base.html:3: error: template names something pages do not have" in out
    assert "content/services/fines.yaml:" in out and "warning: unknown key 'colour'" in out
    assert "1 error(s), 1 warning(s)" in out


def test_a_block_the_template_it_extends_does_not_have_is_a_warning(tmp_path):
    """{% block footer_txt %} for footer_text: Jinja shows nothing of it and says nothing."""
    files = standard_files()
    files["templates/base.html"] = ('{% extends "default:base.html" %}\n\n{% block footer_txt %}<p>Ours</p>'
                                    "{% endblock %}\n{% block brand %}{{ super() }}{% block mine %}{% endblock %}"
                                    "{% endblock %}\n")
    config = write_site(tmp_path, files)
    code, out = run(config, "check")
    assert code == 0, out
    assert ("templates/base.html:3: warning: block 'footer_txt' is not one default:base.html has, so what it "
            "holds is never shown\n    hint: did you mean 'footer_text'?") in out
    assert "'brand'" not in out and "'mine'" not in out  # a block it has, and a new one inside it
    assert run(config, "check", "--strict")[0] == 1
    # A block shown by self.name() is shown; a service's own template (service-<slug>.html) is looked
    # at before rendering too, though no template names it.
    (tmp_path / "templates/base.html").write_text(
        '{% extends "default:base.html" %}\n{% block note %}<p>Ours</p>{% endblock %}\n'
        '{% block head %}{{ super() }}<meta name="x" content="{{ self.note()|striptags }}">{% endblock %}\n')
    (tmp_path / "templates/service-fines.html").write_text(
        '{% extends "default:service.html" %}\n{% block contnet %}hello{% endblock %}\n{% if x %}oops\n')
    code, out = run(config, "check")
    assert code == 1 and "'note'" not in out
    assert "templates/service-fines.html:3: error: template syntax: Unexpected end of template" in out


def test_errors_in_config_yaml_say_that_nothing_else_was_checked(tmp_path):
    """config.yaml's errors stop the rest (everything else is read through it): a tester fixed a
    duplicate channel only to meet a service's error next, with nothing to say it had not been looked at."""
    files = standard_files()
    files["config.yaml"] = files["config.yaml"].replace("channels:\n", "channels:\n  - id: online\n    label: Web\n", 1)
    files["content/services/fines.yaml"] = files["content/services/fines.yaml"].replace("name:", "nme:")
    code, out = run(write_site(tmp_path, files), "check")
    assert code == 1
    assert "channel 'online' is defined twice" in out
    assert out.rstrip().endswith("Check failed.")
    assert ("1 error(s), 0 warning(s)\nNothing else was checked: services, organisations, pages, data and "
            "templates are checked once config.yaml has no errors.") in out


def test_messages_a_peer_councils_tester_found_confusing_now_say_what_is_wrong(tmp_path):
    """A figure too large to read was called 'not a number'; an organisation's name where its slug
    goes was called 'not a clean slug'; an LGSL code of letters passed silently; and a total row in
    a file with no source was told to use 'the file's source'."""
    files = standard_files()
    files["data/fines.csv"] = FINES_CSV.replace("2024-01,online,100", "2024-01,online,99999999999999999999999") \
        + "Grand Total,,500,,,,,,,,\nSource: our CRM,,,,,,,,,,\n"
    files["content/services/permits.yaml"] = files["content/services/permits.yaml"].replace(
        "organisation: test-council", "organisation: Test Council") + "lgsl: abc\n"
    code, out = run(write_site(tmp_path, files), "check")
    assert code == 1
    assert ("data/fines.csv:8:3: error: 'transactions' is too large to be a figure: '99999999999999999999999'\n"
            "    hint: figures of 10^15 or more are not read") in out
    assert ("warning: 'organisation' 'Test Council' is a name, not a slug; using 'test-council'\n"
            "    hint: write organisation: test-council (a slug is") in out
    assert "warning: 'lgsl' 'abc' is not a Local Government Service List code: they are numbers" in out
    assert ("data/fines.csv:17:1: error: 'period' is not a period I recognise: 'Grand Total'\n    hint: a total or "
            "summary row? Leave it out with a source for the file in config.yaml: sources: [{file: fines.csv, "
            "exclude: {period: Grand Total}}]") in out
    assert ("data/fines.csv:18:1: warning: row is not read: it has no figures, and 'Source: our CRM' is not a period "
            "(a note or a footer?)\n    hint: drop such rows with exclude: in a source for the file in config.yaml "
            "(sources: [{file: fines.csv, exclude: ...}]) to silence this") in out


def test_a_services_yaml_error_does_not_also_say_nobody_reads_its_rows(tmp_path):
    """A tester's service with a typo in its YAML (descripton:) shared a file with another: besides
    the typo came "no service reads the rows for 'Missed bin'", a second problem that was not one."""
    files = standard_files()
    files["data/shared.csv"] = ("service,period,channel,transactions\nMissed bin,2024-01,online,5\n"
                                "Bulky waste,2024-01,online,7\nGarden,2024-01,online,9\n")
    for slug, key in (("missed-bin", "Missed bin"), ("bulky-waste", "Bulky waste")):
        files[f"content/services/{slug}.yaml"] = (f"name: {key}\norganisation: test-council\ndescription: D.\n"
                                                   f"data: {{file: shared.csv, service: {key}}}\n")
    files["content/services/missed-bin.yaml"] = files["content/services/missed-bin.yaml"].replace(
        "description:", "descripton:")
    code, out = run(write_site(tmp_path, files), "check")
    assert code == 1
    assert "content/services/missed-bin.yaml:3:1: warning: unknown key 'descripton'" in out
    assert "no service reads the rows for 'Missed bin'" not in out
    assert "data/shared.csv:4:1: warning: no service reads the rows for 'Garden' (1 row(s))" in out  # still told


def test_a_theme_not_found_is_told_at_its_line_with_the_theme_meant(tmp_path):
    """'theme: councl' said 'config.yaml: error: theme ...' with no line, unlike every other message."""
    files = standard_files()
    files["themes/council/templates/base.html"] = '{% extends "default:base.html" %}'
    files["config.yaml"] += "theme: councl\n"
    config = write_site(tmp_path, files)
    line = config.read_text().splitlines().index("theme: councl") + 1
    code, out = run(config, "check")
    assert code == 1 and (f"config.yaml:{line}:8: error: theme 'councl' not found in themes/\n"
                          "    hint: did you mean 'council'?") in out


def test_files_in_static_root_are_published_at_the_sites_root(tmp_path):
    """robots.txt, .well-known/security.txt, a favicon.ico or a host's _headers must be at the root:
    static/ went only to /static/, so a council had nowhere to put them (a tester). A root file
    that would replace a page or the manifest, or land in data/ or static/, is an error at it."""
    files = standard_files()
    files["static/root/robots.txt"] = "User-agent: *\nAllow: /\n"
    files["static/root/.well-known/security.txt"] = "Contact: mailto:security@example.org\n"
    files["static/root/about/index.html"] = "<p>not the About page</p>\n"
    files["static/root/data/services/fines.csv"] = "x\n"
    files["static/root/.perfpages"] = "{}\n"
    files["content/pages/about.md"] = "---\ntitle: About\n---\nAbout us.\n"
    config = write_site(tmp_path, files)
    code, out = build(config)
    assert code == 1 and ("static/root/about/index.html: error: would be published at /about/index.html, in place "
                          "of the site's own page\n    hint: rename it") in out
    assert "static/root/data/services/fines.csv: error: would be published in /data/, the site's own folder" in out
    assert "static/root/.perfpages: error: would be published at /.perfpages, in place of the site's own build" in out
    assert out.count("error:") == 3  # each told once, not again as two inputs writing one file
    for rel in ("about/index.html", "data/services/fines.csv", ".perfpages"):
        (tmp_path / "static/root" / rel).unlink()
    code, out = build(config)
    assert code == 0, out
    assert (tmp_path / "site/robots.txt").read_text() == "User-agent: *\nAllow: /\n"
    assert (tmp_path / "site/.well-known/security.txt").is_file()
    assert not (tmp_path / "site/static/root").exists()


def test_a_title_of_two_cells_above_the_table_is_found_too(tmp_path):
    """A report's name and date in A1 and B1 ('Transactions export,September 2018') over 75 headings
    gave 4 'column is not in the file' errors, or unpadded, 740 'row has 75 cells' errors: no word
    of header_row: (a tester). A two-column file's headings stay its headings."""
    files = standard_files()
    table = files["data/fines.csv"]
    width = table.splitlines()[0].count(",")
    files["data/fines.csv"] = "Parking fines export,September 2024" + "," * (width - 1) + "\n" + table
    config = write_site(tmp_path, files)
    code, out = run(config, "check")
    assert code == 1 and out.count("error:") == 1, out
    assert ("data/fines.csv:1: error: line 1 ('Parking fines export, September 2024') looks like a title above the "
            "table: the headings seem to be on line 2") in out
    (tmp_path / "data/fines.csv").write_text("Parking fines export,September 2024\n" + table)  # not padded
    code, out = run(config, "check")
    assert code == 1 and out.count("error:") == 1 and "the headings seem to be on line 2" in out
    (tmp_path / "data/fines.csv").write_text("period,transactions\nJanuary 2024,50\n")  # a two-column table
    assert "looks like a title" not in run(config, "check")[1]


def test_a_bracket_left_open_is_told_where_it_opened(tmp_path):
    """'financial_year_start: [4' on line 5 was told at line 6, the next key, where PyYAML noticed it
    (a tester): the reader is sent to the line that opened the bracket, and told where it was noticed."""
    files = standard_files()
    files["config.yaml"] = files["config.yaml"].replace("title:", "financial_year_start: [4\ntitle:", 1)
    config = write_site(tmp_path, files)
    line = config.read_text().splitlines().index("financial_year_start: [4") + 1
    code, out = run(config, "check")
    assert code == 1 and (f"config.yaml:{line}:23: error: YAML syntax error: while parsing a flow sequence, did not "
                          f"find expected ',' or ']' (noticed at line {line + 1})") in out


def test_a_comma_left_out_of_a_list_over_several_lines_is_told_where_it_is(tmp_path):
    """A review: once a bracket left open was told where it opened, a comma missing inside a list
    written over several lines was sent back to the list's first line too."""
    files = standard_files()
    files["config.yaml"] = files["config.yaml"].replace(
        "title:", 'not_requested: ["***",\n  "n/a",\n  "not collected"\n  "-"]\ntitle:', 1)
    config = write_site(tmp_path, files)
    line = config.read_text().splitlines().index('  "-"]') + 1
    code, out = run(config, "check")
    assert code == 1 and f"config.yaml:{line}:3: error: YAML syntax error" in out and "noticed at" not in out


def test_problems_past_the_list_are_counted_by_kind_whatever_their_apostrophes():
    """A kind's quoted texts, figures and months are left out, not an apostrophe in a word: "the
    chart's ... 'x'" had paired the apostrophe with the quote and left the name in."""
    from generator.cli import _kinds
    from generator.errors import Problems

    problems = Problems(Path("."))
    for n in range(3):
        problems.warning(Path(f"data/{n}.csv"), f"service 'S{n}' has no rows for March 202{n}", n + 1)
    problems.warning(Path("p.md"), "each chart's '[fill in: a date]' is still to be filled in", 1)
    problems.warning(Path("p.md"), "each chart's '[fill in: who tested it]' is still to be filled in", 2)
    assert _kinds(problems.sorted()) == ["    3 × warning: service … has no rows for … …",
                                         "    2 × warning: each chart's … is still to be filled in"]


def test_errors_are_listed_after_the_warnings_just_above_the_count(tmp_path, capsys):
    """A tester's one error was the fifth of 71 problems: the warnings come first now, each kind in
    file order, and the errors last, where a terminal or a CI log shows them."""
    from generator.cli import report
    from generator.errors import Problems

    problems = Problems(root=tmp_path)
    problems.warning(tmp_path / "data/a.csv", "first warning", 2)
    problems.error(tmp_path / "data/a.csv", "the error", 3)
    problems.warning(tmp_path / "data/b.csv", "second warning", 1)
    report(problems)
    text = capsys.readouterr().err
    assert [line.split(": ", 2)[2] for line in text.splitlines()[:3]] == ["first warning", "second warning",
                                                                         "the error"]
    assert text.splitlines()[3] == "1 error(s), 2 warning(s)"


def test_services_with_no_digital_figures_in_a_file_that_has_others_are_told_their_take_up_reads_0(tmp_path):
    """A tester's library loans file had e-book rows for most councils and none at all for 12, whose
    take-up was published as 0.0% with no word. One warning for the file names them; a service whose
    digital rows are there with the count blank reads 'no data', as the hint says, and is not named."""
    from generator.build import prepare
    from generator.model import DIGITAL_TAKE_UP

    files = standard_files()
    files["data/shared.csv"] = ("service,period,channel,transactions\nAlpha,2024-01,online,60\nAlpha,2024-01,phone,40\n"
                                "Bravo,2024-01,phone,50\nCharlie,2024-01,online,\nCharlie,2024-01,phone,30\n")
    for key in ("Alpha", "Bravo", "Charlie"):
        files[f"content/services/{key.lower()}.yaml"] = (f"name: {key}\norganisation: test-council\ndescription: D.\n"
                                                          f"data: {{file: shared.csv, service: {key}}}\n")
    config = write_site(tmp_path, files)
    code, out = run(config, "check")
    assert code == 0, out
    assert ("data/shared.csv: warning: 'Bravo' has no figures for Online in this file, which other services' "
            "digital figures are in: its digital take-up is published as 0%") in out
    assert out.count("published as 0%") == 1  # not fines or permits, whose files are their own
    take_up = {view.slug: view.kpis[DIGITAL_TAKE_UP].value for view in prepare(config).model.services}
    assert take_up["alpha"] == 60.0 and take_up["bravo"] == 0 and take_up["charlie"] is None


def test_a_failed_check_still_tells_what_the_markdown_of_notes_and_pages_has(tmp_path):
    """Every problem at once: with one YAML error elsewhere, a tester's check had lost the warnings
    of a service's notes (a script link removed, an image from another host left out)."""
    files = standard_files()
    files["content/services/fines.yaml"] += "notes: 'See [this](javascript:alert(1)) and ![x](https://evil.example/x.png)'\n"
    clean = run(write_site(tmp_path / "clean", files), "check")[1]
    files["content/services/permits.yaml"] = files["content/services/permits.yaml"].replace(
        "organisation:", "  organisation:")
    code, out = run(write_site(tmp_path / "broken", files), "check")
    assert code == 1 and "content/services/permits.yaml:2:" in out and "error: YAML syntax error" in out
    for said in ("link to 'javascript:alert(1)' is removed", "image 'https://evil.example/x.png' is from another host"):
        assert said in clean and said in out, said
    assert "content/services/fines.yaml:7:20: warning: link" in out and "fines.yaml:7:20: warning: link" in clean


def test_markdown_rendered_again_in_one_process_still_tells_its_links_and_slips(tmp_path):
    """render_markdown keeps each text's HTML for the process (the dev server renders every service's
    notes at each rebuild): the links and slips it found must be told every time, not only the first."""
    from generator.markdown_text import MarkdownSlip, SiteLink, render_markdown

    text = "# Notes\n\n#### Too deep\n\nSee [the method](/methodology/) and [this](javascript:alert(1)).\n"
    source = tmp_path / "content" / "services" / "bins.yaml"
    first: list = []
    html = render_markdown(text, shift_headings=2, page_url="services/bins/", source=source, links=first)
    assert render_markdown(text, shift_headings=2, page_url="services/bins/", source=source) == html
    again: list = []
    assert render_markdown(text, shift_headings=2, page_url="services/bins/", source=source, links=again) == html
    assert again == first
    assert [type(x) for x in first].count(SiteLink) == 1 and [type(x) for x in first].count(MarkdownSlip) == 2
    assert 'href="../../methodology/"' in html and "javascript" not in html and "<h3>Notes</h3>" in html
