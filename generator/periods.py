"""Reporting periods: parse the many ways spreadsheets write them, label them with dates.

A period always knows its first and last day, so pages can say exactly what a
figure covers ("April 2023 to March 2024") and windows such as "the latest 12
months" can be computed from dates rather than from string order.
"""

from __future__ import annotations

import calendar
import difflib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, lru_cache

# Month names, once: calendar.month_name formats a date for each name it is asked for (1.6 us),
# and a GOV.UK-scale build labels its periods hundreds of thousands of times. English, as
# calendar's are unless a program changes its locale, which this one never does.
MONTH_NAME = tuple(calendar.month_name)  # ("", "January", ..., "December")
MONTH_ABBR = tuple(calendar.month_abbr)
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9

@dataclass(frozen=True, order=True)
class Period:
    """A span of whole days, inclusive at both ends."""

    start: date
    end: date
    kind: str

    @cached_property
    def key(self) -> str:
        """A canonical, sortable text form used in downloads and URLs."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "financial_year":
            # '2010/11', not '2010-11', which would read back as November 2010.
            return f"{self.start.year}/{(self.start.year + 1) % 100:02d}"
        if self.kind == "day":
            return self.start.isoformat()
        return f"{self.start.isoformat()}/{self.end.isoformat()}"

    @cached_property
    def months(self) -> float:
        """Length in months (whole months for month-aligned periods)."""
        if self.start.day == 1 and (self.end + timedelta(days=1)).day == 1:
            nxt = self.end + timedelta(days=1)
            return (nxt.year - self.start.year) * 12 + nxt.month - self.start.month
        return ((self.end - self.start).days + 1) / (365.25 / 12)

    @cached_property
    def label(self) -> str:
        """Plain-English label naming the dates covered."""
        if self.kind == "day":
            return _day(self.start)
        if self.kind == "week":
            return f"Week starting {_day(self.start)}"
        if self.kind == "month":
            return f"{MONTH_NAME[self.start.month]} {self.start.year}"
        return month_range_label(self.start, self.end) if _month_aligned(self) else day_range_label(self.start,
                                                                                                    self.end)

    @cached_property
    def fields(self) -> dict:
        """Its label and ISO dates, as every chart row over time carries them (read, never changed:
        a site's charts have a row per period per series, and each formatted its dates afresh)."""
        return {"period": self.label, "start": self.start.isoformat(), "end": self.end.isoformat()}

    @cached_property
    def short_label(self) -> str:
        """Compact label for table cells and chart axes."""
        if self.kind == "month":
            return f"{MONTH_ABBR[self.start.month]} {self.start.year}"
        if self.kind in ("quarter", "year", "financial_year"):
            return self.key
        return self.label


def period_attr(periods, get):
    """``get`` applied to each distinct Period in a pandas Series, then spread back to every row.

    A site has a few hundred distinct periods but hundreds of thousands of rows,
    so this is far quicker than ``Series.map`` with a lambda. Rows are grouped by
    the identity of their Period object, not its value: parsing shares one object
    per period text, and hashing each row's Period (a dataclass, hashed in Python)
    was seconds at GOV.UK scale. Equal periods held in separate objects only cost
    ``get`` an extra call. A missing period (None or NaN) gives None.
    """
    import numpy as np
    import pandas as pd

    objects = periods.to_numpy(dtype=object)
    ids = np.fromiter(map(id, objects), dtype=np.uint64, count=len(objects))
    codes, distinct = pd.factorize(ids)
    # A row of each code: any will do, as every row of a code holds the one object (no sort needed).
    row_of = np.empty(len(distinct), dtype=np.intp)
    row_of[codes] = np.arange(len(codes))
    values = np.empty(len(distinct), dtype=object)
    for code, row in enumerate(row_of.tolist()):
        one = objects[row]
        values[code] = None if pd.isna(one) else get(one)
    return pd.Series(values[codes] if len(codes) else [], index=periods.index, dtype=object)


def _day(d: date) -> str:
    return f"{d.day} {MONTH_NAME[d.month]} {d.year}"


def _month_aligned(p: Period) -> bool:
    return p.start.day == 1 and (p.end + timedelta(days=1)).day == 1


def month_range_label(start: date, end: date) -> str:
    """'April 2023 to March 2024'; 'January to March 2024' within one year."""
    if start.year == end.year and start.month == end.month:
        return f"{MONTH_NAME[start.month]} {start.year}"
    if start.year == end.year:
        return f"{MONTH_NAME[start.month]} to {MONTH_NAME[end.month]} {end.year}"
    return f"{MONTH_NAME[start.month]} {start.year} to {MONTH_NAME[end.month]} {end.year}"


def day_range_label(start: date, end: date) -> str:
    """'29 December 2017', '27 to 31 December 2017', '27 November to 3 December 2017', '27 December
    2017 to 2 January 2018': a tester's days read '29 December 2017 to 29 December 2017'."""
    if start == end:
        return _day(start)
    if start.year != end.year:
        return f"{_day(start)} to {_day(end)}"
    if start.month != end.month:
        return f"{start.day} {MONTH_NAME[start.month]} to {_day(end)}"
    return f"{start.day} to {_day(end)}"


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(d: date, months: int) -> date:
    """First day of the month ``months`` after ``d``'s month."""
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_span(year: int, month: int, count: int, kind: str) -> Period:
    start = date(year, month, 1)
    last = add_months(start, count - 1)
    return Period(start, month_end(last.year, last.month), kind)


def _month_number(text: str) -> int | None:
    return MONTHS.get(text.lower().rstrip("."))


_TO = r"\s*(?:to|-|–|—)\s*"  # between the two ends of a range
FINANCE_PERIOD = r"(?:P|Period\s*|Month\s*|M)"  # before a finance system's period number: P01, Period 1, M01
_TIME = r"(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:\s*[AP]\.?M\.?)?"  # a time of day, read as its day

# Each pattern is tried in order; the first that matches and makes a period decides.
_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "ym"),  # 2024-03
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "iso"),  # 2024-03-01
    # Excel and databases write dates as date-times: 2024-03-01 00:00:00, 2024-03-01T00:00:00Z, 01/03/2024 00:00
    # (and an event's row, one per call or loan, its time of day: 01/04/2013 09:30, 04/01/2013 12:00:00 AM)
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T]" + _TIME + r"(?:Z|[+-]\d{2}:?\d{2})?$", re.I), "iso"),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2}),?\s+" + _TIME + "$", re.I), "dmy"),  # Excel's 1/1/20 0:05
    (re.compile(r"^(\d{4})[\s-]+([A-Za-z]+)\.?$"), "ymon"),  # 2024 March, 2024-Mar, 2024 MAR (ONS)
    (re.compile(r"^(\d{4})\s*M(\d{1,2})$", re.I), "ym"),  # 2024M03 (ONS time series)
    (re.compile(r"^(\d{4})-W(\d{1,2})$", re.I), "isoweek"),  # 2024-W10
    (re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.I), "yq"),  # 2024-Q1, 2024 Q1
    (re.compile(r"^Q([1-4])\s*[-/ ]?\s*(\d{4})$", re.I), "qy"),  # Q1 2024
    (re.compile(r"^(\d{4})\s*[-/]\s*(\d{2})$"), "fy2"),  # 2023-24, 2023/24
    (re.compile(r"^(\d{4})\s*[-/]\s*(\d{4})$"), "fy4"),  # 2023-2024, 2023/2024
    (re.compile(r"^(?:FY|financial\s+year)\s*(\d{4})\s*[-/]\s*(\d{2,4})$", re.I), "fyp"),  # FY 2023/24
    (re.compile(r"^FY\s*(\d{2})\s*[-/]\s*(\d{2})$", re.I), "fyp2"),  # FY23/24
    (re.compile(r"^(\d{2})\s*[-/]\s*(\d{2})$"), "fyp2"),  # 23/24 (consecutive years only: 03/24 is not one)
    (re.compile(r"^(\d{4})/(\d{1,2})$"), "ym"),  # 2024/03 (not a financial year: tried after them)
    (re.compile(r"^(\d{4})(\d{2})$"), "ym"),  # 202403; 201819 is no month, so it is read as below
    (re.compile(r"^(\d{4})(\d{2})$"), "fy2"),  # 201819: the financial (or academic) year 2018/19
    (re.compile(r"^((?:19|20)\d{2})(\d{2})(\d{2})$"), "ymd"),  # 20150222 (Public Health Scotland's dates)
    (re.compile(r"^(\d{4})$"), "y"),  # 2024
    (re.compile(r"^(\d{1,2})[/.-](\d{4})$"), "m/y"),  # 03/2024, 03-2024, 03.2024
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), "dmy"),  # 01/03/2024 (UK order)
    (re.compile(r"^(\d{1,2})[.-](\d{1,2})[.-](\d{4})$"), "dmy"),  # 01-03-2024, 01.03.2024
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2})$"), "dmy2"),  # 01/03/24
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), "ymd"),  # 2024/03/01
    # 1 March 2024, 1st March 2024, 01-Mar-2024, 01-Mar-24 (Excel's d-mmm-yy), 1 Mar, 2024
    (re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]+)\.?,?[\s-]+(\d{4}|\d{2})$", re.I), "dmony"),
    (re.compile(r"^(\d{2})([A-Za-z]{3})(\d{4})$"), "dmony"),  # 01FEB2023 (SAS, NHS Digital)
    (re.compile(r"^([A-Za-z]+)\.?[\s-]+(\d{4})$"), "mony"),  # Mar 2024, March-2024
    (re.compile(r"^([A-Za-z]+)\.?(?:[\s-]+|\s*['’])(\d{2})$"), "mony2"),  # Mar-24 (Excel), Mar '24
    # MAR2019 (NHS Digital's appointment months), March2019, 2019MAR, Mar19: written without a space
    (re.compile(r"^([A-Za-z]{3,9})(\d{4})$"), "mony"),
    (re.compile(r"^(\d{4})([A-Za-z]{3,9})$"), "ymon"),
    (re.compile(r"^([A-Za-z]{3,9})(\d{2})$"), "mony2"),
    (re.compile(r"^Q([1-4])\s*[-/ ;,]?\s*(\d{4}|\d{2})\s*[-/]\s*(\d{2}|\d{4})$", re.I), "fq"),  # Q1 2024/25, Q1 24/25
    (re.compile(r"^(\d{4}|\d{2})\s*[-/]\s*(\d{2}|\d{4})\s*[- ;,]?\s*Q([1-4])$", re.I), "fq2"),  # 2024/25 Q1, 24/25 Q1
    # April 2011 to March 2012, Apr-11 to Mar-12, Jan 2024 - Mar 2024
    (re.compile(r"^([A-Za-z]+)\.?[\s-]+(\d{4}|\d{2})" + _TO + r"([A-Za-z]+)\.?[\s-]+(\d{4}|\d{2})$",
                re.I), "range"),
    # Jan-Mar 2024, January to March 2024, Nov-Jan 2024 (November 2023 to January 2024): one year, the last month's
    (re.compile(r"^([A-Za-z]+)\.?" + _TO + r"([A-Za-z]+)\.?[\s,-]+(\d{4}|\d{2})$", re.I), "months"),
    # P01 2024/25, Period 1 2024-25, 2024/25 P01: a finance system's month of the financial year (P01 is its first)
    (re.compile(r"^" + FINANCE_PERIOD + r"(\d{1,2})\s*[-/ ,;]?\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})$", re.I), "pfy"),
    (re.compile(r"^(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*[-/ ,;]?\s*" + FINANCE_PERIOD + r"(\d{1,2})$", re.I), "fyp_"),
    # April 2024/25, Apr 2024-25: a month of a financial year (a month's column beside a year's)
    (re.compile(r"^([A-Za-z]+)\.?\s+(\d{4})\s*[-/]\s*(\d{2}|\d{4})$", re.I), "mfy"),
    # Apr-Jun 2024/25, April to June 2024-25: months of a financial year
    (re.compile(r"^([A-Za-z]+)\.?" + _TO + r"([A-Za-z]+)\.?\s+(\d{4})\s*[-/]\s*(\d{2}|\d{4})$", re.I), "fymonths"),
    # Year ending March 2024, YE Mar 24, 12 months to 31/03/2024, quarter ending June 2024
    (re.compile(r"^(?:rolling\s+)?(?:(\d{1,2})[\s-]*months?|(years?|yr|quarters?|qtr|ye|qe))\.?"
                r"(?:\s+(?:ending|ended|end|to|up\s+to))?\s+(.+)$", re.I), "ending"),
    # w/c 01/04/2024, week commencing 1 April 2024; w/e 07/04/2024, week ending 7 April 2024
    (re.compile(r"^(?:w/?c|w/?b|week\s+(?:commencing|beginning|starting|from))\.?:?\s+(.+)$", re.I), "wc"),
    (re.compile(r"^(?:w/?e|week\s+(?:ending|ended|to))\.?:?\s+(.+)$", re.I), "we"),
    # 1 April 2023 to 31 March 2024; 2023-04-01 to 2024-03-31; 01/04/2023 - 31/03/2024
    (re.compile(r"^(.+?)\s+(?:to|-|–|—)\s+(.+)$", re.I), "dates"),
]


_FY_FIRST = sorted(_PATTERNS, key=lambda item: item[1] != "fy2")  # stable: 2023-24, then 202324, first

# What spreadsheets add to a period that says nothing about its dates: a footnote or a revision
# mark after it ('2023/24 [note 3]', 'March 2024 [p]', '2022-23 (r)', '2023-24*').
_MARKS = re.compile(r"\s*(?:\[[^\]]{0,20}\]|\((?:p|r|e|f|provisional|revised|estimated?|forecast|"
                    r"note\s*\d+|\d{1,2})\)|[*†‡]+)\s*$", re.I)  # '(1)': StatsWales numbers its footnotes
_QUARTER_WORD = re.compile(r"\b(?:quarter|qtr)\s*([1-4])\b", re.I)  # Quarter 1 2024/25 -> Q1 2024/25
_BRACKETS = re.compile(r"\s*\([^)]*\)")  # Q1 (Apr-Jun) 2024/25 -> Q1 2024/25


class PeriodError(ValueError):
    """A period string that cannot be understood; the message is the hint."""


@lru_cache(maxsize=65536)
def parse_period(text: str, fy_start_month: int = 4, financial_years: bool = False) -> Period:
    """Parse one period string; raises :class:`PeriodError` naming accepted forms.

    '2010-11' is November 2010 (ISO 8601) unless ``financial_years`` says the
    file holds financial years, when it is the year from April 2010. A footnote or revision
    mark after the period is passed over, and 'Quarter 1' read as Q1.
    """
    raw = str(text).strip()
    patterns = _FY_FIRST if financial_years else _PATTERNS
    period = _match(raw, patterns, fy_start_month)
    if period is None:
        plain, stripped = raw, _MARKS.sub("", raw, count=1)
        while stripped != plain:  # '2023/24 [p] [note 3]': each mark in turn
            plain, stripped = stripped, _MARKS.sub("", stripped, count=1)
        plain = _QUARTER_WORD.sub(r"Q\1", plain)
        unmarked = plain  # for a range: its ends keep their brackets, checked as each alone would be
        said = None
        if re.search(r"\bQ[1-4]\b", plain, re.I):  # the quarter's months in brackets say it again
            said = _BRACKETS.findall(plain)
            plain = _BRACKETS.sub("", plain).strip()
        if plain and plain != raw:
            period = _match(plain, patterns, fy_start_month)
        if period is not None and said and not all(_months_agree(text, period) for text in said):
            period = None  # 'Q4 (Jan-Mar) 2024': which is meant? Not for us to guess
    if period is None:
        period = _two_ends(raw, patterns, fy_start_month) or _iso_interval(raw, fy_start_month)
    if period is None and unmarked != raw:  # '2021/22 Q1 - 2021/22 Q2 [p]': the range without its mark
        period = _two_ends(unmarked, patterns, fy_start_month)
    if period is not None:
        return period
    raise PeriodError(
        f"'{raw}' is not a period I recognise; use YYYY-MM (2024-03), YYYY-Qn (2024-Q1), "
        "a financial year YYYY-YY (2023-24), a year YYYY, a date YYYY-MM-DD, or an interval 2024-03-01/P1M"
    )


_ENDS = re.compile(r"^(.+?)\s+(?:-|–|—|to)\s+(.+)$", re.I)
# ISO 8601 intervals, as open data writes periods: '2023-04-01/P1M', '2023-04/P3M', '2023-04-01/P1Y'
# (a start and a duration) or '2023-04-01/2024-03-31' (a start and an end).
_ISO_START = r"(\d{4})-(\d{2})(?:-(\d{2}))?"
_ISO_DURATION = re.compile(rf"^{_ISO_START}/P(\d{{1,3}})([YMWD])$", re.I)
_ISO_ENDS = re.compile(rf"^{_ISO_START}/{_ISO_START}$")


def _iso_interval(raw: str, fy_start_month: int) -> Period | None:
    """An ISO 8601 interval as the month, quarter, year or financial year it is, when it is one
    (else a range): a libraries data set's '2023-04-01/P1M' had been 'not a period I recognise'."""
    found = _ISO_DURATION.match(raw)
    try:
        if found:
            year, month, day, count, unit = found.groups()
            start = date(int(year), int(month), int(day or 1))
            count = int(count)
            if count == 0:
                return None
            if unit.upper() in "YM":  # that many months on, less a day (the day kept where the month has it)
                later = add_months(start, count * (12 if unit.upper() == "Y" else 1))
                last_day = calendar.monthrange(later.year, later.month)[1]
                end = date.fromordinal(date(later.year, later.month, min(start.day, last_day)).toordinal() - 1)
            else:
                end = date.fromordinal(start.toordinal() + count * (7 if unit.upper() == "W" else 1) - 1)
        else:
            found = _ISO_ENDS.match(raw)
            if not found:
                return None
            g = found.groups()
            start = date(int(g[0]), int(g[1]), int(g[2] or 1))
            end = date(int(g[3]), int(g[4]), int(g[5])) if g[5] else month_end(int(g[3]), int(g[4]))
            if end < start:
                return None
    except ValueError:  # no such day: not a period
        return None
    if not (MIN_YEAR <= start.year and end.year <= MAX_YEAR):
        return None
    if start == end:
        return Period(start, end, "day")
    if start.day == 1 and (end + timedelta(days=1)).day == 1:
        months = Period(start, end, "range").months
        kinds = {1: "month", 3: "quarter" if start.month % 3 == 1 else None,
                 12: "year" if start.month == 1 else "financial_year" if start.month == fy_start_month else None}
        kind = kinds.get(months)
        if kind is not None:
            return month_span(start.year, start.month, months, kind)
    if (end - start).days == 6 and start.weekday() == 0:
        return Period(start, end, "week")
    return _range(start, end)


def _two_ends(raw: str, patterns, fy_start_month: int) -> Period | None:
    """'2021/22 Q1 - 2025/26 Q3' (OHID Fingertips' cumulative periods): from the start of one
    period to the end of a later one of the same kind, each of them a form read on its own."""
    ends = _ENDS.match(raw)
    if ends is None:
        return None
    first, last = (_match(part.strip(), patterns, fy_start_month) for part in ends.groups())
    if first is None or last is None or first.kind != last.kind or last.start < first.start:
        return None
    if first.kind == "year" and last.start.year == first.start.year + 1:
        # '2023 to 2024' is how GOV.UK writes a financial year (as '2023 - 2024' is read): not two years
        return month_span(first.start.year, fy_start_month, 12, "financial_year")
    return first if first == last else _range(first.start, last.end)


# Values with the shape of a date or a month, to say what is wrong with one that is no such day.
_DATE_SHAPES = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d\d:\d\d.*)?$"), "ymd"),  # 2024-02-30
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), "ymd"),  # 2024/02/30
    (re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?: \d\d:\d\d(?::\d\d)?)?$"), "dmy"),  # 30/02/2024
    (re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]+)\.?,?[\s-]+(\d{4}|\d{2})$", re.I), "dmony"),
    (re.compile(r"^(\d{4})\s*(?:-|/|M)\s*(\d{1,2})$", re.I), "ym"),  # 2024-13, 2024M13
    (re.compile(r"^(\d{1,2})[/.-](\d{4})$"), "my"),  # 13/2024
    (re.compile(r"^(?:(\d{4})\s*-?\s*Q(\d+)|Q(\d+)\s*[-/ ]?\s*(\d{4}))$", re.I), "yq"),  # 2010 Q5, Q0 2024
)


def years_span_hint(text: str) -> str | None:
    """The fix for a span of several years written like a financial year ('2016-19': a survey's
    three years together, as benchmarking exports publish satisfaction): a range. None for any
    other text. Its hint had said to correct a typo."""
    found = re.fullmatch(r"\s*((?:19|20)\d{2})\s*[-/]\s*(\d{2})\s*", str(text))
    if not found:
        return None
    first = int(found[1])
    last = first // 100 * 100 + int(found[2]) + (100 if int(found[2]) < first % 100 else 0)
    if not 2 <= last - first <= 10:
        return None
    quoted = str(text).strip()
    return (f"if '{quoted}' is the years {first} to {last} together (a survey's, say), write it as the range it "
            f"covers, e.g. replace: {{period: {{'{quoted}': 'April {first} to March {last}'}}}} in the source (a "
            "service's periods are of one kind: such figures may need a service of their own)")


def impossible_date(text: str, month_first: bool = False) -> str | None:
    """Why a value written as a date (or a month) is no such day: "'2015-02-30' is not a date:
    February has no 30th day". None if it does not have a date's shape, or is a real day.
    ``month_first``: slashed dates are written month first (a source's dates: month_first)."""
    raw = str(text).strip()
    day_part = re.sub(r",?[\sT]+" + _TIME + r"(?:Z|[+-]\d{2}:?\d{2})?$", "", raw, flags=re.IGNORECASE)  # as its day
    for pattern, form in _DATE_SHAPES:
        m = pattern.match(day_part)
        if not m:
            continue
        g = m.groups()
        if form == "yq":
            quarter = int(g[1] or g[2])
            return None if 1 <= quarter <= 4 else f"'{raw}' is not a quarter: there is no quarter {quarter}"
        if form in ("ym", "my"):
            month = int(g[1] if form == "ym" else g[0])
            if 1 <= month <= 12:
                return None
            if form == "ym" and len(g[1]) == 2 and not day_part[4:].strip().upper().startswith("M"):  # 2023-25
                year = int(g[0])
                return (f"'{raw}' is neither a month (there is no month {month}) nor a financial year "
                        f"({year}-{(year + 1) % 100:02d} would be one)")
            return f"'{raw}' is not a month: there is no month {month}"
        if form == "ymd":
            year, month, day = int(g[0]), int(g[1]), int(g[2])
        else:
            year, day = int(g[2]) + (2000 if len(g[2]) == 2 else 0), int(g[0])
            month = MONTHS.get(g[1].lower()) if form == "dmony" else int(g[1])
            if month is None:
                return None
            if form == "dmy" and month_first:
                day, month = month, day
        reason = _no_such_day(year, month, day, us_order=form == "dmy" and not month_first)
        return None if reason is None else f"'{raw}' is not a date: {reason}"
    return None


def _no_such_day(year: int, month: int, day: int, us_order: bool) -> str | None:
    if not 1 <= month <= 12:
        if us_order and 1 <= day <= 12:
            return f"there is no month {month} (dates are read day first, as in the UK: {month:02d}/{day:02d}/{year})"
        return f"there is no month {month}"
    if day < 1:
        return "there is no day 0"
    if day > 31:
        return f"no month has a {_ordinal(day)} day"
    last = calendar.monthrange(year, month)[1]
    if day <= last:
        return None
    if month == 2 and day == 29:
        return f"February {year} has no 29th day ({year} is not a leap year)"
    return f"{calendar.month_name[month]} has no {_ordinal(day)} day"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _months_agree(bracketed: str, period: Period) -> bool:
    """Whether '(Apr-Jun)' (or '(April to June)') names the first and last months of ``period``;
    brackets that name no months say nothing against it."""
    names = [MONTHS.get(w.lower().rstrip(".")) for w in re.findall(r"[A-Za-z]+", bracketed)]
    months = [n for n in names if n]
    if len(months) < 2:
        return True
    return months[0] == period.start.month and months[-1] == period.end.month


def _match(raw: str, patterns, fy_start_month: int) -> Period | None:
    for pattern, form in patterns:
        m = pattern.match(raw)
        if m:
            period = _build(form, m.groups(), fy_start_month)
            if period is not None:
                return period
    return None


def _full_year(short: int) -> int:
    """The year a two-digit year means in a financial year ('23/24', '99/00')."""
    return (1900 if short >= 70 else 2000) + short


def _financial_year(first: int, second: int) -> int | None:
    """The first calendar year of '2023-24' or '2023/2024'; None if the years are not consecutive."""
    second_full = second if second >= 1000 else (first // 100) * 100 + second
    if second_full < first:
        second_full += 100
    return first if second_full == first + 1 else None


def _single_day(text: str) -> date | None:
    """'1 April 2023', '2023-04-01', '01/04/2023' (UK order), '01-Apr-23': a day, in any form read as one."""
    period = _match(text.strip(), _PATTERNS, 4)
    return period.start if period is not None and period.kind == "day" else None


def _range(start: date, end: date) -> Period:
    """A span written as a range stays a range, even when it is a whole quarter or year, so a file
    of rolling 12-month ranges (some of them January to December) is one kind of period."""
    return Period(start, end, "range")


def snap(period: Period, kind: str, fy_start_month: int = 4) -> Period:
    """The month (quarter, year...) containing ``period``'s first day, for exports that write dates."""
    d = period.start
    if kind == "month":
        return month_span(d.year, d.month, 1, "month")
    if kind == "quarter":
        return month_span(d.year, (d.month - 1) // 3 * 3 + 1, 3, "quarter")
    if kind == "year":
        return month_span(d.year, 1, 12, "year")
    if kind in ("financial_year", "financial_quarter"):
        year = d.year if d.month >= fy_start_month else d.year - 1
        if kind == "financial_year":
            return month_span(year, fy_start_month, 12, "financial_year")
        offset = ((d.month - fy_start_month) % 12) // 3 * 3
        start = add_months(date(year, fy_start_month, 1), offset)
        return month_span(start.year, start.month, 3, "quarter" if start.month % 3 == 1 else "range")
    if kind == "week":
        monday = d - timedelta(days=d.weekday())
        return Period(monday, monday + timedelta(days=6), "week")
    if kind == "week_ending":  # a week dated by its last day (Public Health Scotland's, ending on a Sunday)
        end = period.end
        return Period(end - timedelta(days=6), end, "week")
    return period


def _build(form: str, g: tuple, fy: int) -> Period | None:
    period = _build_any(form, g, fy)
    if period is not None and not (MIN_YEAR <= period.start.year and period.end.year <= MAX_YEAR):
        return None
    return period


MIN_YEAR, MAX_YEAR = 1900, 2200


def _build_any(form: str, g: tuple, fy: int) -> Period | None:
    try:
        if form == "ym":
            return month_span(int(g[0]), int(g[1]), 1, "month")
        if form == "iso":
            d = date(int(g[0]), int(g[1]), int(g[2]))
            return Period(d, d, "day")
        if form == "isoweek":
            d = date.fromisocalendar(int(g[0]), int(g[1]), 1)
            return Period(d, d + timedelta(days=6), "week")
        if form == "yq":
            return month_span(int(g[0]), (int(g[1]) - 1) * 3 + 1, 3, "quarter")
        if form == "qy":
            return month_span(int(g[1]), (int(g[0]) - 1) * 3 + 1, 3, "quarter")
        if form in ("fy2", "fy4", "fyp"):
            first = _financial_year(int(g[0]), int(g[1]))
            return None if first is None else month_span(first, fy, 12, "financial_year")
        if form == "fyp2":
            first = _financial_year(_full_year(int(g[0])), int(g[1]))
            return None if first is None else month_span(first, fy, 12, "financial_year")
        if form == "y":
            return month_span(int(g[0]), 1, 12, "year")
        if form == "m/y":
            return month_span(int(g[1]), int(g[0]), 1, "month")
        if form in ("dmy", "dmy2", "ymd", "dmony"):
            if form == "ymd":
                year, month, day = int(g[0]), int(g[1]), int(g[2])
            else:
                year, day = int(g[2]) + (2000 if len(g[2]) == 2 else 0), int(g[0])
                month = _month_number(g[1]) if form == "dmony" else int(g[1])
            if month is None:
                return None
            d = date(year, month, day)
            return Period(d, d, "day")
        if form == "ymon":
            month = _month_number(g[1])
            return None if month is None else month_span(int(g[0]), month, 1, "month")
        if form in ("mony", "mony2"):
            month = _month_number(g[0])
            if month is None:
                return None
            year = int(g[1]) if form == "mony" else 2000 + int(g[1])
            return month_span(year, month, 1, "month")
        if form in ("fq", "fq2"):
            quarter, first, second = (g[0], g[1], g[2]) if form == "fq" else (g[2], g[0], g[1])
            year = _financial_year(int(first) if len(first) == 4 else _full_year(int(first)), int(second))
            if year is None:
                return None
            start = add_months(date(year, fy, 1), (int(quarter) - 1) * 3)
            return month_span(start.year, start.month, 3, "quarter" if start.month % 3 == 1 else "range")
        if form == "range":
            m1, m2 = _month_number(g[0]), _month_number(g[2])
            if m1 is None or m2 is None:
                return None
            y1, y2 = (int(y) + 2000 if len(y) == 2 else int(y) for y in (g[1], g[3]))
            start = date(y1, m1, 1)
            end = month_end(y2, m2)
            if end < start:
                return None
            return _range(start, end)
        if form in ("pfy", "fyp_"):
            number, first = (g[0], g[1:]) if form == "pfy" else (g[2], g[:2])
            year = _financial_year(int(first[0]), int(first[1]))
            if year is None or not 1 <= int(number) <= 12:  # P13, a year-end adjustment, is no month
                return None
            start = add_months(date(year, fy, 1), int(number) - 1)
            return month_span(start.year, start.month, 1, "month")
        if form == "mfy":
            month, first = _month_number(g[0]), _financial_year(int(g[1]), int(g[2]))
            if month is None or first is None:
                return None
            return month_span(first if month >= fy else first + 1, month, 1, "month")
        if form in ("months", "fymonths"):
            m1, m2 = _month_number(g[0]), _month_number(g[1])
            if m1 is None or m2 is None:
                return None
            if form == "months":
                y2 = int(g[2]) + (2000 if len(g[2]) == 2 else 0)
                y1 = y2 if m1 <= m2 else y2 - 1
            else:
                first = _financial_year(int(g[2]), int(g[3]))
                if first is None:
                    return None
                y1 = first if m1 >= fy else first + 1
                y2 = first if m2 >= fy else first + 1
            start, end = date(y1, m1, 1), month_end(y2, m2)
            return _range(start, end) if start <= end else None
        if form == "ending":
            months = int(g[0]) if g[0] else (3 if g[1].lower()[0] == "q" else 12)
            inner = _match(g[2].strip(), _PATTERNS, fy)
            if not 1 <= months <= 60 or inner is None or inner.kind not in ("month", "day"):
                return None
            end = inner.end
            after = end + timedelta(days=1)  # the same day of the month, ``months`` before this
            first = add_months(after, -months)
            return _range(first.replace(day=min(after.day, calendar.monthrange(first.year, first.month)[1])), end)
        if form in ("wc", "we"):
            day = _single_day(g[0])
            if day is None:
                return None
            return Period(day, day + timedelta(days=6), "week") if form == "wc" else \
                Period(day - timedelta(days=6), day, "week")
        if form == "dates":
            first, last = _single_day(g[0]), _single_day(g[1])
            if first is None or last is None or last < first:
                return None
            return _range(first, last)
    except ValueError:
        return None
    return None


def period_in_name(name: str) -> str:
    """The period a file's name gives ('MSitAE-MARCH-2026' -> 'March 2026', 'calls_2024_03' ->
    'March 2024'): the longest run of its words that is a period; the name itself if none is."""
    words = [w for w in re.split(r"[\s_.-]+", name) if w]
    lowered = [w.lower() for w in words]
    months = [m for m in MONTHS if len(m) > 3]
    if any(w.isalpha() and w not in MONTHS and difflib.get_close_matches(w, months, n=1, cutoff=0.8)
           for w in lowered):
        return name  # 'Febuary-2026': a month mistyped, not the year 2026

    for marker in ("week", "wk", "w"):  # 'ae-week-10-2024': ISO week 10, not October
        if marker in lowered[:-2]:
            at = lowered.index(marker)
            number, year = words[at + 1], words[at + 2]
            if number.isdigit() and re.fullmatch(r"\d{4}", year):
                return f"{year}-W{int(number):02d}"
    # A day written 20240215 after a month is the export's date ('delays_202401_20240215' is January
    # 2024): such a word is the period only where no other word is one.
    compact = [w for w in words if re.fullmatch(r"(?:19|20)\d{6}", w)]
    for candidates in ([w for w in words if w not in compact], words) if compact else (words,):
        for size in range(len(candidates), 0, -1):
            for start in range(len(candidates) - size, -1, -1):  # the last first: 'ward_12_2024_03' is March 2024
                run = candidates[start:start + size]
                for text in (" ".join(run), "-".join(run)):
                    period = _match(text, _PATTERNS, 4)
                    if period is not None:
                        return period.label if period.kind in ("month", "day") else text
    return name
