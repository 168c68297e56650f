"""Reporting periods: parse the many ways spreadsheets write them, label them with dates.

A period always knows its first and last day, so pages can say exactly what a
figure covers ("April 2023 to March 2024") and windows such as "the latest 12
months" can be computed from dates rather than from string order.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9

@dataclass(frozen=True, order=True)
class Period:
    """A span of whole days, inclusive at both ends."""

    start: date
    end: date
    kind: str

    @property
    def key(self) -> str:
        """A canonical, sortable text form used in downloads and URLs."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "financial_year":
            return f"{self.start.year}-{(self.start.year + 1) % 100:02d}"
        if self.kind == "day":
            return self.start.isoformat()
        return f"{self.start.isoformat()}/{self.end.isoformat()}"

    @property
    def months(self) -> float:
        """Length in months (whole months for month-aligned periods)."""
        if self.start.day == 1 and (self.end + timedelta(days=1)).day == 1:
            nxt = self.end + timedelta(days=1)
            return (nxt.year - self.start.year) * 12 + nxt.month - self.start.month
        return ((self.end - self.start).days + 1) / (365.25 / 12)

    @property
    def label(self) -> str:
        """Plain-English label naming the dates covered."""
        if self.kind == "day":
            return _day(self.start)
        if self.kind == "week":
            return f"Week starting {_day(self.start)}"
        if self.kind == "month":
            return f"{calendar.month_name[self.start.month]} {self.start.year}"
        return month_range_label(self.start, self.end) if _month_aligned(self) else (
            f"{_day(self.start)} to {_day(self.end)}"
        )

    @property
    def short_label(self) -> str:
        """Compact label for table cells and chart axes."""
        if self.kind == "month":
            return f"{calendar.month_abbr[self.start.month]} {self.start.year}"
        if self.kind in ("quarter", "year", "financial_year"):
            return self.key
        return self.label


def _day(d: date) -> str:
    return f"{d.day} {calendar.month_name[d.month]} {d.year}"


def _month_aligned(p: Period) -> bool:
    return p.start.day == 1 and (p.end + timedelta(days=1)).day == 1


def month_range_label(start: date, end: date) -> str:
    """'April 2023 to March 2024'; 'January to March 2024' within one year."""
    if start.year == end.year and start.month == end.month:
        return f"{calendar.month_name[start.month]} {start.year}"
    if start.year == end.year:
        return f"{calendar.month_name[start.month]} to {calendar.month_name[end.month]} {end.year}"
    return f"{calendar.month_name[start.month]} {start.year} to {calendar.month_name[end.month]} {end.year}"


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


# Each pattern is tried in order; the first that matches decides.
_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "ym"),  # 2024-03
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "iso"),  # 2024-03-01
    (re.compile(r"^(\d{4})-W(\d{1,2})$", re.I), "isoweek"),  # 2024-W10
    (re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.I), "yq"),  # 2024-Q1, 2024 Q1
    (re.compile(r"^Q([1-4])\s*[-/ ]?\s*(\d{4})$", re.I), "qy"),  # Q1 2024
    (re.compile(r"^(\d{4})\s*[-/]\s*(\d{2})$"), "fy2"),  # 2023-24, 2023/24
    (re.compile(r"^(\d{4})\s*[-/]\s*(\d{4})$"), "fy4"),  # 2023-2024, 2023/2024
    (re.compile(r"^FY\s*(\d{4})\s*[-/]\s*(\d{2,4})$", re.I), "fyp"),  # FY 2023/24
    (re.compile(r"^(\d{4})$"), "y"),  # 2024
    (re.compile(r"^(\d{1,2})/(\d{4})$"), "m/y"),  # 03/2024
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), "dmy"),  # 01/03/2024 (UK order)
    (re.compile(r"^([A-Za-z]+)\.?[\s-]+(\d{4})$"), "mony"),  # Mar 2024, March-2024
    (re.compile(r"^([A-Za-z]+)\.?[\s-]+(\d{2})$"), "mony2"),  # Mar-24 (Excel)
    (re.compile(r"^([A-Za-z]+)\s+(\d{4})\s+to\s+([A-Za-z]+)\s+(\d{4})$", re.I), "range"),
]


class PeriodError(ValueError):
    """A period string that cannot be understood; the message is the hint."""


@lru_cache(maxsize=65536)
def parse_period(text: str, fy_start_month: int = 4) -> Period:
    """Parse one period string; raises :class:`PeriodError` naming accepted forms."""
    raw = str(text).strip()
    for pattern, form in _PATTERNS:
        m = pattern.match(raw)
        if m:
            period = _build(form, m.groups(), fy_start_month)
            if period is not None:
                return period
    raise PeriodError(
        f"'{raw}' is not a period I recognise; use YYYY-MM (2024-03), YYYY-Qn (2024-Q1), "
        "a financial year YYYY-YY (2023-24), a year YYYY, or a date YYYY-MM-DD"
    )


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
            first = int(g[0])
            second = int(g[1])
            second_full = second if second >= 1000 else (first // 100) * 100 + second
            if second_full < first:
                second_full += 100
            if second_full != first + 1:
                return None
            return month_span(first, fy, 12, "financial_year")
        if form == "y":
            return month_span(int(g[0]), 1, 12, "year")
        if form == "m/y":
            return month_span(int(g[1]), int(g[0]), 1, "month")
        if form == "dmy":
            d = date(int(g[2]), int(g[1]), int(g[0]))
            return Period(d, d, "day")
        if form in ("mony", "mony2"):
            month = _month_number(g[0])
            if month is None:
                return None
            year = int(g[1]) if form == "mony" else 2000 + int(g[1])
            return month_span(year, month, 1, "month")
        if form == "range":
            m1, m2 = _month_number(g[0]), _month_number(g[2])
            if m1 is None or m2 is None:
                return None
            start = date(int(g[1]), m1, 1)
            end = month_end(int(g[3]), m2)
            if end < start:
                return None
            return Period(start, end, "range")
    except ValueError:
        return None
    return None
