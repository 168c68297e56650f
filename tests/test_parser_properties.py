"""Property-based tests (hypothesis) for the two parsers every figure passes through: periods and numbers."""

from __future__ import annotations

import calendar
import math
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.cells import _parse_numbers
from generator.errors import Problems
from generator.measures import MISSING
from generator.periods import Period, PeriodError, impossible_date, parse_period, snap

SETTINGS = settings(max_examples=150, deadline=None)
years = st.integers(min_value=1901, max_value=2198)
months = st.integers(min_value=1, max_value=12)
fy_starts = st.integers(min_value=1, max_value=12)


def month_period(year: int, month: int) -> Period:
    return Period(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), "month")


# -- periods ------------------------------------------------------------------------------------------

@SETTINGS
@given(years, months)
def test_every_way_of_writing_a_month_gives_that_month(year, month):
    expected = month_period(year, month)
    name, abbr = calendar.month_name[month], calendar.month_abbr[month]
    forms = [f"{year}-{month:02d}", f"{year}-{month}", f"{abbr} {year}", f"{name} {year}", f"{name}-{year}",
             f"{month:02d}/{year}", f"{name.upper()} {year}", f" {abbr} {year} "]
    if 2000 <= year <= 2099:
        forms.append(f"{abbr}-{year % 100:02d}")
    for text in forms:
        assert parse_period(text) == expected, text
    assert expected.label == f"{name} {year}"
    assert expected.months == 1


@SETTINGS
@given(st.integers(min_value=1901, max_value=2190), months, fy_starts)
def test_an_iso_8601_interval_is_the_month_quarter_or_year_it_spans(year, month, fy):
    """Open data writes periods as ISO 8601 intervals ('2023-04-01/P1M', a libraries data set's):
    each is the period it spans, of the kind it is, whether written with a duration or an end."""
    start = date(year, month, 1)
    assert parse_period(f"{start}/P1M", fy) == month_period(year, month) == parse_period(f"{year}-{month:02d}/P1M", fy)
    assert parse_period(f"{start}/{month_period(year, month).end}", fy) == month_period(year, month)
    quarter = parse_period(f"{start}/P3M", fy)
    assert quarter.start == start and quarter.months == 3
    assert quarter.kind == ("quarter" if month % 3 == 1 else "range")
    whole = parse_period(f"{start}/P1Y", fy)
    assert whole == parse_period(f"{start}/P12M", fy) and whole.months == 12
    assert whole.kind == ("year" if month == 1 else "financial_year" if month == fy else "range")
    if month == fy != 1:  # (a financial year from January is the calendar year)
        assert whole == parse_period(f"{year}/{(year + 1) % 100:02d}", fy)
    # From mid-month, the same day a month on, less a day; a week from a Monday is that week.
    assert parse_period(f"{year}-{month:02d}-15/P1M", fy) == Period(
        date(year, month, 15), date(year + month // 12, month % 12 + 1, 14), "range")
    monday = start + timedelta(days=-start.weekday() % 7)
    assert parse_period(f"{monday}/P1W", fy) == parse_period(f"{monday}/P7D", fy) == Period(
        monday, monday + timedelta(days=6), "week")
    for wrong in (f"{start}/P0M", f"{start}/P1X", f"{year}-{month:02d}-31/P1M" if month in (4, 6, 9, 11) else "x/P1M",
                  f"{start}/{year - 1}-01-01"):
        with pytest.raises(PeriodError):
            parse_period(wrong, fy)


@SETTINGS
@given(years, st.integers(min_value=1, max_value=4))
def test_quarter_forms_agree_and_span_three_months(year, q):
    period = parse_period(f"{year}-Q{q}")
    assert parse_period(f"Q{q} {year}") == period == parse_period(f"{year} Q{q}")
    assert period.start == date(year, 3 * q - 2, 1) and period.months == 3
    assert period.kind == "quarter" and parse_period(period.key) == period


@SETTINGS
@given(st.integers(min_value=1901, max_value=2190), fy_starts)
def test_financial_years_start_in_the_configured_month(year, fy):
    forms = [f"{year}/{(year + 1) % 100:02d}", f"{year}-{year + 1}", f"{year}/{year + 1}",
             f"FY{year}-{(year + 1) % 100:02d}"]
    short = f"{year}-{(year + 1) % 100:02d}"
    if 1 <= (year + 1) % 100 <= 12:
        # '2010-11' is also November 2010: read as a month, as ISO 8601 says; a file of financial
        # years says so with period_type: financial_year.
        assert parse_period(short, fy) == month_period(year, (year + 1) % 100)
        assert parse_period(short, fy, financial_years=True) == parse_period(forms[0], fy)
    else:
        forms.append(short)
    periods = {parse_period(text, fy) for text in forms}
    assert len(periods) == 1
    (period,) = periods
    assert period.start == date(year, fy, 1) and period.months == 12 and period.kind == "financial_year"
    assert parse_period(period.key, fy) == period


@SETTINGS
@given(st.integers(min_value=1901, max_value=2190), st.integers(min_value=1, max_value=4), fy_starts)
def test_financial_quarters_follow_the_financial_year(year, q, fy):
    period = parse_period(f"Q{q} {year}/{(year + 1) % 100:02d}", fy)
    assert period == parse_period(f"{year}/{(year + 1) % 100:02d} Q{q}", fy)
    first = date(year + (fy - 1 + 3 * (q - 1)) // 12, (fy - 1 + 3 * (q - 1)) % 12 + 1, 1)
    assert period.start == first and period.months == 3


@SETTINGS
@given(st.dates(min_value=date(1901, 1, 1), max_value=date(2198, 12, 31)))
def test_days_round_trip_and_uk_order(day):
    assert parse_period(day.isoformat()) == Period(day, day, "day")
    assert parse_period(f"{day.day:02d}/{day.month:02d}/{day.year}") == Period(day, day, "day")
    if 1900 <= day.year <= 2099:  # Public Health Scotland's 20150222 (a tester's file had 436 errors)
        assert parse_period(f"{day:%Y%m%d}") == Period(day, day, "day")


@SETTINGS
@given(st.dates(min_value=date(1901, 1, 7), max_value=date(2198, 12, 24)))
def test_iso_weeks_run_monday_to_sunday(day):
    iso = day.isocalendar()
    period = parse_period(f"{iso.year}-W{iso.week:02d}")
    assert period.start.weekday() == 0 and period.end - period.start == timedelta(days=6)
    assert period.start <= day <= period.end


@SETTINGS
@given(st.integers(min_value=1901, max_value=2190), months, st.integers(min_value=1, max_value=36))
def test_ranges_keep_the_months_written(year, month, length):
    start = date(year, month, 1)
    last = month_period(year + (month - 1 + length - 1) // 12, (month - 1 + length - 1) % 12 + 1)
    text = f"{calendar.month_name[month]} {year} to {calendar.month_name[last.start.month]} {last.start.year}"
    period = parse_period(text)
    assert (period.start, period.end, period.kind) == (start, last.end, "range")
    assert period.months == length
    short = f"{calendar.month_abbr[month]}-{year} to {calendar.month_abbr[last.start.month]}-{last.start.year}"
    assert parse_period(short) == period
    assert parse_period(f"{start.isoformat()} to {last.end.isoformat()}") == period


@SETTINGS
@given(st.integers(min_value=1901, max_value=2190), months, st.integers(min_value=1, max_value=12))
def test_months_of_one_year_written_once_name_the_last_months_year(year, month, length):
    """'Jan-Mar 2024', 'January to March 2024' (the quarters of official statistics); 'Nov-Jan 2024'
    is November 2023 to January 2024, as the ONS writes rolling three months."""
    first = date(year, month, 1)
    last = month_period(year + (month - 1 + length - 1) // 12, (month - 1 + length - 1) % 12 + 1)
    if length == 12 and month != 1:
        return  # 'Apr-Mar 2025' would be read as April 2024 to March 2025 too; checked by the first ending
    if length == 1:
        return  # 'Mar-Mar 2024' is not written
    start_name, end_name = calendar.month_name[month], calendar.month_name[last.start.month]
    for text in (f"{start_name[:3]}-{end_name[:3]} {last.start.year}", f"{start_name} to {end_name} {last.start.year}",
                 f"{start_name[:3]} – {end_name[:3]} {last.start.year}"):
        period = parse_period(text)
        assert (period.start, period.end, period.kind) == (first, last.end, "range"), text


@SETTINGS
@given(st.integers(min_value=1902, max_value=2190), months, st.sampled_from([3, 12]))
def test_year_and_quarter_ending_a_month(year, month, length):
    end = month_period(year, month)
    first = year * 12 + month - 1 - (length - 1)  # months since year 0 of the first month
    start = date(first // 12, first % 12 + 1, 1)
    word = "Year" if length == 12 else "Quarter"
    for text in (f"{word} ending {calendar.month_name[month]} {year}", f"{length} months to {calendar.month_abbr[month]} {year}",
                 f"{'YE' if length == 12 else 'QE'} {calendar.month_abbr[month]} {year}"):
        period = parse_period(text)
        assert (period.start, period.end, period.months) == (start, end.end, length), text


@SETTINGS
@given(st.dates(min_value=date(2000, 1, 8), max_value=date(2099, 12, 24)))
def test_days_as_spreadsheets_and_people_write_them(day):
    expected = Period(day, day, "day")
    name, abbr, yy = calendar.month_name[day.month], calendar.month_abbr[day.month], day.year % 100
    for text in (f"{day.day} {name} {day.year}", f"{day.day:02d}-{abbr}-{day.year}", f"{day.day:02d}-{abbr}-{yy:02d}",
                 f"{day.day:02d}/{day.month:02d}/{yy:02d}", f"{day.year}/{day.month:02d}/{day.day:02d}",
                 f"{day.day:02d}.{day.month:02d}.{day.year}", f"{day.isoformat()}T00:00:00Z",
                 # an event's row (one per call or loan) dated with its time of day, as databases export it
                 f"{day.isoformat()} 14:05", f"{day.isoformat()}T09:30:00+01:00",
                 f"{day.day:02d}/{day.month:02d}/{day.year} 09:30", f"{day.day:02d}/{day.month:02d}/{day.year} 12:00:00 AM"):
        assert parse_period(text) == expected, text
    assert parse_period(f"w/c {day.day:02d}/{day.month:02d}/{day.year}") == \
        Period(day, day + timedelta(days=6), "week")
    assert parse_period(f"Week ending {day.day} {name} {day.year}") == Period(day - timedelta(days=6), day, "week")


@pytest.mark.parametrize("text, expected", [
    ("2023/24 [note 3]", "2023/24"), ("March 2024 [p]", "2024-03"), ("2022-23 (r)", "2022/23"),
    ("2023-24*", "2023/24"), ("Quarter 1 2023/24", "Q1 2023/24"), ("Q1 (Apr-Jun) 2023/24", "Q1 2023/24"),
    ("2023/24 Q1 (Apr to Jun)", "Q1 2023/24"), ("Qtr 4 2023-24", "Q4 2023/24"), ("2023M04", "2023-04"),
    ("2023 APR", "2023-04"), ("04-2023", "2023-04"), ("2023/04", "2023-04"), ("Apr '23", "2023-04"),
    ("FY23/24", "2023/24"), ("2018-19;Q1", "Q1 2018/19"), ("Q2, 2018-19", "Q2 2018/19"), ("Apr-Jun 2023/24", "April 2023 to June 2023"),
    ("Jan-Mar 2023/24", "January 2024 to March 2024"),
    # councils' short financial years: two consecutive two-digit years
    ("23/24", "2023/24"), ("23-24", "2023/24"), ("Q1 23/24", "Q1 2023/24"), ("23/24 Q4", "Q4 2023/24"),
    ("99/00", "1999/00"),
    # finance systems' periods: P01 is the first month of the financial year (April)
    ("P01 2024/25", "2024-04"), ("P12 2024/25", "2025-03"), ("Period 3 2024-25", "2024-06"),
    ("2024/25 P10", "2025-01"), ("2024/25 M07", "2024-10"),
    # months written without a space: NHS Digital's appointment months (MAR2019), and the like
    ("MAR2019", "2019-03"), ("March2019", "2019-03"), ("2019MAR", "2019-03"), ("Mar19", "2019-03"), ("sept2019", "2019-09"),
])
def test_forms_of_official_statistics_read_as_their_plain_form(text, expected):
    assert parse_period(text) == parse_period(expected)


def test_a_finance_period_follows_the_sites_financial_year_and_period_13_is_no_month():
    assert parse_period("P01 2024/25", 1) == parse_period("2024-01")  # a year starting in January
    for text in ("P13 2024/25", "P00 2024/25"):
        with pytest.raises(PeriodError):
            parse_period(text)


@pytest.mark.parametrize("text", ["03/24", "24/23", "12/24"])
def test_two_short_years_that_do_not_follow_each_other_are_no_financial_year(text):
    """'03/24' may be March 2024 or a slip: not a year for us to guess."""
    with pytest.raises(PeriodError):
        parse_period(text)


@pytest.mark.parametrize("text", ["Q4 (Jan-Mar) 2024", "Q1 (Apr-Jun) 2024", "Q3 2023 (Oct-Dec) [p]"])
def test_a_quarter_whose_bracketed_months_disagree_is_no_period(text):
    with pytest.raises(PeriodError):
        parse_period(text)


@pytest.mark.parametrize("name, expected", [
    ("MSitAE-MARCH-2026", "2026-03"), ("calls_2024_03", "2024-03"), ("ward_12_2024_03", "2024-03"),
    ("region_1_2024_03", "2024-03"), ("ae-week-10-2024", "2024-W10"), ("report-2023-24", "2023/24"),
    # A day written 20240215 after the month is the export's date (found in review); alone, the period.
    ("delays_202401_20240215", "2024-01"), ("calls_2024_03_20240405", "2024-03"), ("weekly_20150222", "2015-02-22"),
])
def test_the_period_a_file_name_gives(name, expected):
    from generator.periods import period_in_name
    assert parse_period(period_in_name(name)) == parse_period(expected)


@SETTINGS
@given(st.one_of(st.text(max_size=30), st.sampled_from([
    "2024-13", "2024-00", "2024-02-30", "Q5 2024", "2023-25", "31/02/2024", "Smarch 2024", "2024-W54",
    "March 2025 to January 2025", "1800", "2024-Q0", "13/2024", "FY2023-27", "32 March 2024 to 1 April 2024"])))
def test_any_text_is_a_period_or_a_period_error(text):
    try:
        period = parse_period(text)
    except PeriodError:
        return
    assert period.start <= period.end
    assert 1900 <= period.start.year and period.end.year <= 2200
    assert period.label and period.key


@pytest.mark.parametrize("text, expected", [
    ("2015-02-30", "'2015-02-30' is not a date: February has no 30th day"),
    ("2023-02-29", "'2023-02-29' is not a date: February 2023 has no 29th day (2023 is not a leap year)"),
    ("31/04/2024", "'31/04/2024' is not a date: April has no 31st day"),
    ("31 April 2024", "'31 April 2024' is not a date: April has no 31st day"),
    ("2024-06-31 00:00:00", "'2024-06-31 00:00:00' is not a date: June has no 31st day"),
    ("2024-13-01", "'2024-13-01' is not a date: there is no month 13"),
    ("03/25/2024", "'03/25/2024' is not a date: there is no month 25 (dates are read day first, as in the UK: "
                   "25/03/2024)"),
    ("32/01/2024", "'32/01/2024' is not a date: no month has a 32nd day"),
    ("13/2024", "'13/2024' is not a month: there is no month 13"),
    ("2024M13", "'2024M13' is not a month: there is no month 13"),
    ("2023-25", "'2023-25' is neither a month (there is no month 25) nor a financial year (2023-24 would be one)"),
])
def test_a_date_that_is_no_such_day_says_why(text, expected):
    """'2015-02-30' got the list of every period form, as if its shape were wrong."""
    with pytest.raises(PeriodError):
        parse_period(text)
    assert impossible_date(text) == expected


@SETTINGS
@given(st.dates(min_value=date(1901, 1, 1), max_value=date(2198, 12, 31)))
def test_a_real_day_or_month_is_never_called_impossible(day):
    for text in (day.isoformat(), day.strftime("%d/%m/%Y"), day.strftime("%Y-%m"), f"{day.day} {day:%B %Y}"):
        assert impossible_date(text) is None
    assert impossible_date("Smarch 2024") is None and impossible_date("2024-W54") is None


@SETTINGS
@given(st.dates(min_value=date(1901, 1, 1), max_value=date(2198, 12, 31)), fy_starts,
       st.sampled_from(["month", "quarter", "year", "financial_year", "financial_quarter", "week"]))
def test_snap_gives_the_period_containing_the_date(day, fy, kind):
    period = snap(Period(day, day, "day"), kind, fy)
    assert period.start <= day <= period.end
    expected_months = {"month": 1, "quarter": 3, "year": 12, "financial_year": 12, "financial_quarter": 3}
    if kind == "week":
        assert period.start.weekday() == 0 and (period.end - period.start).days == 6
    else:
        assert period.months == expected_months[kind]
    if kind == "financial_year":
        assert period.start.month == fy


# -- numbers ------------------------------------------------------------------------------------------

def parse(cells: list[str], col: str = "transactions", fraction: bool = False):
    frame = pd.DataFrame({col: cells, f"{col}@col": 4, "@line": range(2, len(cells) + 2)})
    problems = Problems()
    values, flags = _parse_numbers(frame, col, "data/x.csv", problems, set(MISSING), {"***"}, fraction)
    return values, flags, problems


def with_commas(n: int) -> str:
    return f"{n:,}"


@SETTINGS
@given(st.integers(min_value=0, max_value=10**12),
       st.sampled_from([str, with_commas, lambda n: f"  {n:,}  ", lambda n: f"{n}.0"]))
def test_counts_in_any_spreadsheet_format_parse_exactly(n, form):
    values, flags, problems = parse([form(n)])
    assert values[0] == n and not flags[0] and not problems.items


@SETTINGS
@given(st.integers(min_value=-10**9, max_value=10**9))
def test_money_with_pounds_commas_and_accounting_brackets(n):
    pence = n / 100
    text = f"£{abs(pence):,.2f}"
    if pence < 0:
        text = f"({text})"
    values, _, problems = parse([text], "cost")
    assert math.isclose(values[0], pence, abs_tol=1e-9) and not problems.errors


@SETTINGS
@given(st.integers(min_value=1, max_value=10**9), st.sampled_from(["-{}", "£{}", "{}%", "-{:,}"]))
def test_negative_or_marked_counts_are_located_errors(n, pattern):
    values, _, problems = parse(["1", pattern.format(n)])
    assert math.isnan(values[1]) and values[0] == 1
    assert len(problems.errors) == 1
    error = problems.errors[0]
    assert (error.line, error.column) == (3, 4) and "transactions" in error.message and error.hint


def test_only_a_number_with_a_misplaced_comma_gets_the_comma_hint():
    """A note holding a comma ('7 (est, see note)') was told about decimal commas."""
    _, _, problems = parse(["12,34", "£1,23.50", "7 (est, see note)", "156 (est)"])
    hints = [(error.line, error.hint) for error in problems.errors]
    comma = "a comma separates thousands (1,234); write a decimal with a point (12.34)"
    plain = ("write a number such as 1234 or 1,234; leave the cell blank if there is no data, "
             "or write *** if it was not requested")
    assert hints == [(2, comma), (3, comma), (4, plain), (5, plain)], hints


@SETTINGS
@given(st.sampled_from(sorted(MISSING)), st.sampled_from([str.lower, str.upper, lambda s: f"  {s} "]))
def test_no_data_markers_are_missing_never_zero(marker, case):
    values, flags, problems = parse([case(marker)])
    assert math.isnan(values[0]) and not flags[0] and not problems.items


def test_not_requested_marker_is_missing_and_flagged():
    values, flags, problems = parse(["***", "", "5"])
    assert math.isnan(values[0]) and flags[0]
    assert math.isnan(values[1]) and not flags[1]
    assert values[2] == 5 and not problems.items


def test_marks_of_official_statistics_and_spreadsheet_errors():
    """'1,234 [r]' is 1,234 (revised); '[c]' and '[x]' hold no figure; a formula's error is no
    data, said once per column with where it first is."""
    values, flags, problems = parse(["1,234 [r]", "[c]", "#DIV/0!", "12 [note 3]", "[x]", "#N/A", "7 [p] [r]", "***"])
    assert [None if math.isnan(v) else v for v in values] == [1234, None, None, 12, None, None, 7, None]
    assert list(flags) == [False] * 7 + [True]
    assert not problems.errors
    (warning,) = problems.warnings
    assert (warning.line, warning.column) == (4, 4)
    assert "'#DIV/0!' (and 1 more spreadsheet error in this column), read as no data" in warning.message


def _number_with_marks(text: str) -> bool:
    import re

    from generator.cells import _EXCEL_ERRORS, _MARKS_AFTER
    plain = re.sub(_MARKS_AFTER, "", text.strip())
    return plain == "" or re.fullmatch(_EXCEL_ERRORS, plain, re.I) is not None


@SETTINGS
@given(st.text(min_size=1, max_size=12).filter(
    lambda t: t.strip().lower() not in MISSING and t.strip() != "***" and not _number_with_marks(t)))
def test_text_that_is_not_a_number_is_one_located_error(text):
    try:
        float(text.replace(",", "").replace("£", "").replace("%", "").strip())
        return  # it is a number of some form; other tests cover those
    except ValueError:
        pass
    values, _, problems = parse([text, "7"])
    assert math.isnan(values[0]) and values[1] == 7
    assert [(p.line, p.column) for p in problems.errors] == [(2, 4)]


@SETTINGS
@given(st.sampled_from(["inf", "-inf", "nan", "1e400", "Infinity", "1e16"]))
def test_infinite_and_absurd_values_are_rejected(text):
    values, _, problems = parse([text], "cost")
    assert math.isnan(values[0]) and len(problems.errors) == 1


@SETTINGS
@given(st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda x: round(x, 1)))
def test_percentages_with_or_without_the_sign_and_as_fractions(pct):
    values, _, problems = parse([f"{pct}%", f"{pct}"], "digital_take_up")
    assert values[0] == values[1] == pct and not problems.items
    values, _, _ = parse([f"{pct / 100}", f"{pct}%"], "digital_take_up", fraction=True)
    assert math.isclose(values[0], pct, abs_tol=1e-9) and values[1] == pct


@given(st.text(alphabet=st.sampled_from(list("ab1 ,;\t\n\r\x00é")), max_size=80), st.sampled_from([",", ";", "\t"]))
@example("period,transactions\r\n2024-01,5\r\n", ",")
@example("a,b\n\n,\n", ",")
@example("a\rb\n", ",")
def test_plain_csv_lines_are_read_as_the_csv_module_reads_them(text, delimiter):
    """raw_files._plain_records splits a CSV with nothing to interpret (no quotes) at its line ends and
    delimiters, instead of using csv.reader; when it does, records and line numbers must match."""
    import csv
    import io

    from generator.raw_files import _plain_records

    found = _plain_records(text, delimiter)
    if found is None:
        assert "\x00" in text or "\r" in text.replace("\r\n", "\n")
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    expected = [(record, reader.line_num) for record in reader]
    found = list(found)
    blank = lambda record: not "".join(record).strip()  # noqa: E731 (skipped by read_csv_text either way)
    assert [(r, n) for r, n in found if not blank(r)] == [(r, n) for r, n in expected if not blank(r)]


@pytest.mark.parametrize("text, day", [("1/1/20 0:05", date(2020, 1, 1)), ("31/03/24 09:30", date(2024, 3, 31)),
                                       ("13/01/20 12:05 AM", date(2020, 1, 13))])
def test_excels_short_date_times_with_two_digit_years_read_as_their_day(text, day):
    """Excel writes a date-time column as '1/1/20 0:05' (Los Angeles 311 requests): 2,287 errors."""
    assert parse_period(text) == Period(day, day, "day")
