"""Numbers, figures and changes as words: shared by pages, chart summaries and tables."""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from generator import model as m
from generator.periods import MONTH_NAME


def round_half_up(value: float, places: int) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def rounded_text(value: float, places: int) -> str:
    """``str(round_half_up(value, places))``, worked out on the number's shortest decimal form
    (what ``str`` gives, as round_half_up reads it) without Decimal, which was a second of a
    GOV.UK-scale build: a data table has a cell for every period of every measure.

    With more than ``places`` digits after the point, the shortest form is the nearest to the
    float of the decimals that read back as it, none of them shorter; so a rounding point (a 5
    just past ``places``) can only lie between it and the float if it is that form itself. Any
    other then rounds as the float does. (With fewer digits it is the answer already: the float
    may differ from it in digits the shortest form leaves out, as big numbers do.)"""
    text = repr(float(value))
    if "e" in text or "n" in text or (type(value) is int and abs(value) > 2**53):  # exponents, inf, nan
        return str(round_half_up(value, places))
    point = text.index(".")
    digits = len(text) - point - 1
    if digits <= places:  # nothing to round: the shortest form, with zeros to ``places``
        return text + "0" * (places - digits)
    if digits > places + 1 or text[-1] != "5":
        # Not a tie in the shortest form, so the float itself rounds the same way, and the
        # C formatter rounds it correctly (several times quicker than the digits below).
        return f"{float(value):.{places}f}"
    sign = ""
    if text[0] == "-":
        sign, text = "-", text[1:]
    whole, _, fraction = text.partition(".")
    number = int(whole + fraction[:places].ljust(places, "0")) + (len(fraction) > places and fraction[places] >= "5")
    digits = str(number).rjust(places + 1, "0")
    return sign + (f"{digits[:-places]}.{digits[-places:]}" if places else digits)


def _grouped(text: str) -> str:
    """Thousands separators in a rounded_text, as format(Decimal, ",") puts them."""
    sign = "-" if text[:1] == "-" else ""
    whole, point, fraction = text[len(sign):].partition(".")
    return f"{sign}{int(whole):,}{point}{fraction}"


def format_value(value: float | None, unit: str, currency_symbol: str = "£") -> str:
    """'1,234' (count), '63.2%' (percent, 0-100), '£3.41' (money), '45 seconds', '3.25' (number);
    None -> 'no data'.

    Remembered: a service page shows most figures twice (a chart's table and the tables by
    period), and formatting was two fifths of rendering it. Not zero, though: 0.0 and -0.0
    are one key to a cache but are written differently ('0.0%', '-0.0%')."""
    if value == 0:
        return format_value_uncached(value, unit, currency_symbol)
    return _remembered(value, unit, currency_symbol)


_A_DAY = re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4}")  # a single day's label: '30 December 2017'


def in_period(label: str) -> str:
    """' in March 2025' after a figure, ' on 30 December 2017' after a day's; a range in brackets
    instead, ' (April 2020 to March 2021)', whose own 'to' would otherwise run into a sentence's:
    'went from 3,920 in April 2020 to March 2021 to 6,220 in April 2021 to March 2022'."""
    return f" ({mid_sentence(label)})" if " to " in label else during(label)


def during(label: str) -> str:
    """' in March 2025', ' in April 2024 to March 2025', ' on 30 December 2017', ' from 27 to 31
    December 2017' (not 'in 27 to 31'): where a sentence names one period, whose 'to' runs into no
    other."""
    if _A_DAY.fullmatch(label):
        return f" on {label}"
    return f" from {label}" if label[:1].isdigit() and " to " in label else f" in {mid_sentence(label)}"


def opening(label: str) -> str:
    """A sentence's first words naming a period: 'In March 2025', 'On 30 December 2017', 'From April
    2024 to March 2025' (a tester's 'In 27 December 2017 to 31 December 2017, Phone accounted for
    57.5% of transactions')."""
    if _A_DAY.fullmatch(label):
        return f"On {label}"
    return f"From {label}" if " to " in label else f"In {mid_sentence(label)}"


def named_list(names: list[str], noun: str, most: int = 3) -> str:
    """'A', 'A and B', 'A, B and C', or how many ('17 services'): a sentence names up to ``most``."""
    if len(names) <= most:
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{len(names)} {noun}s"


def quoted_list(names: list[str], most: int = 5) -> str:
    """"'A'", "'A' and 'B'", "'A', 'B' and 'C'", or the first ``most`` and how many more: messages
    naming the services a problem is about (a tester had to find the rest with a script)."""
    quoted = [f"'{name}'" for name in names]
    if len(quoted) > most:
        return ", ".join(quoted[:most]) + f" and {len(quoted) - most} more"
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def count_of(value: float | None, noun: str) -> str:
    """'1 transaction', '1,234 transactions': a service with one request in a day had read 'There
    were 1 transactions'."""
    shown = format_value(value, m.COUNT)
    return f"{shown} {noun}{'' if shown == '1' else 's'}"  # as shown: 1.4 (a quarter spread) is '1'"


def mid_sentence(label: str) -> str:
    """A period's label inside a sentence: 'from 63.8% in week starting 17 March 2025', not 'in Week'."""
    return "w" + label[1:] if label.startswith("Week ") else label


def money_places(value: float) -> int:
    """Decimal places a sum of money is shown to. Pence on £1,296,854,757.11 are false precision,
    and hard to read: whole pounds from £100,000 (what rounds to it, too). Under 10p, two
    significant figures (at most 6 places): a Transactions Explorer cost per transaction went
    from £0.0066 to £0.0083, up 26%, which to the penny read '£0.01, no change from £0.01'.
    (A whole number of pence is still shown to the penny: £0.05, not £0.050.)"""
    size = abs(value)
    if size >= 99_999.995:
        return 0
    if 0 < size < 0.095:
        places = min(max(2, 1 - math.floor(math.log10(size))), 6)
        if places > 2 and round_half_up(size, places) >= Decimal(1).scaleb(2 - places):
            places -= 1  # rounded up to the next power of ten: 0.000995 is £0.0010, not £0.00100
        return places
    return 2


def format_value_uncached(value: float | None, unit: str, currency_symbol: str = "£") -> str:
    """format_value without remembering: for callers that keep their own results (table cells)."""
    if value is None:
        return "no data"
    if unit == m.SECONDS:
        whole = round_half_up(value, 0)
        return f"{whole:,} second{'' if whole == 1 else 's'}"
    if unit == m.NUMBER:
        text = f"{round_half_up(value, 2):,}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    if unit == m.COUNT and value == int(value):
        return f"{int(value):,}"  # the common case, without the cost of Decimal
    if unit == m.PERCENT:
        return _percent(value)
    if unit in (m.MONEY, m.MONEY_WHOLE):
        places = money_places(value) if unit == m.MONEY else 0
        amount = rounded_text(value, places)
        if places > 2:  # '£0.05', not '£0.050'; but '£0.0070' beside '£0.0069', not '£0.007'
            pence = amount.rstrip("0")
            if len(pence) - pence.index(".") <= 3:  # a whole number of pence: to the penny
                amount = pence.ljust(pence.index(".") + 3, "0")
        negative = amount[:1] == "-" and amount.strip("-0.") != ""  # -0.00 is not below zero
        return f"{'-' if negative else ''}{currency_symbol}{_grouped(amount.lstrip('-'))}"
    return _grouped(rounded_text(value, 0))


def _percent(value: float) -> str:
    """'63.2%'; but 'less than 0.1%' for a share above nothing that rounds to 0.0%, and 'more than
    99.9%' for one short of all that rounds to 100.0%: a GP practice's video appointments, 0.03% of
    them, had read '0.0%', as if there were none (a tester)."""
    text = rounded_text(value, 1)
    if text == "0.0" and value > 0:
        return "less than 0.1%"
    if text == "100.0" and value < 100:
        return "more than 99.9%"
    return f"{text}%"


def _rounds_to_an_end(values: list[float]) -> bool:
    """Whether a share of a column would be shown as 0.0% or 100.0% and is not that (see _percent)."""
    if values and 0.05 <= min(values) and max(values) < 99.95:
        return False  # the usual column, told at C speed
    return any(0 < value < 0.05 or 99.95 <= value < 100 for value in values)


_remembered = lru_cache(maxsize=8192, typed=True)(format_value_uncached)  # typed: one entry per type of value


def format_many(values: list[float], unit: str, currency_symbol: str = "£") -> list[str]:
    """``format_value_uncached`` of each of a column of finite floats, none of them zero: all at
    once where _column_format can (a chart table's column of counts, shares or costs), else one by
    one. A GOV.UK-scale site formats over half a million figures for its tables, and a line of
    Python each (rounded_text's checks) had been a twelfth of its build."""
    pattern = _column_format(values, unit, currency_symbol) if values and set(map(type, values)) == _FLOAT else None
    if pattern is None:
        return [format_value_uncached(value, unit, currency_symbol) for value in values]
    return list(map(pattern.format, values))


_FLOAT = {float}
# A shortest form ending in a 5 just past the places shown: the C formatter rounds the float
# (63.25 is exactly 63.25, so to even, 63.2); rounded_text rounds it half up, 63.3.
_TIES = {places: re.compile(r"\.\d{%d}5(?:\x00|$)" % places) for places in (0, 1, 2)}


def _column_format(values: list[float], unit: str, currency_symbol: str) -> str | None:
    """A format string that writes each value as format_value_uncached does, if one can: for
    counts, percentages and money between 10p and £99,999.99 (any other money needs the rules of
    money_places for each figure), none of them a tie rounded_text rounds otherwise, nor written
    with an exponent (below 0.0001 or from 10**16, where rounded_text takes Decimal)."""
    symbol = currency_symbol.replace("{", "{{").replace("}", "}}")
    if unit == m.PERCENT:
        if _rounds_to_an_end(values):
            return None
        places, pattern = 1, "{:.1f}%"
    elif unit == m.COUNT:
        places, pattern = 0, "{:,.0f}"
    elif unit == m.MONEY_WHOLE and min(values) > 0:
        places, pattern = 0, symbol + "{:,.0f}"
    elif unit == m.MONEY and min(values) >= 0.095 and max(values) < 99_999.995:
        places, pattern = 2, symbol + "{:,.2f}"
    else:
        return None
    if places == 0 and max(map(abs, values)) < 1e16 and all(map(float.is_integer, values)):
        return pattern  # whole numbers (most counts): no tie to round, nor an exponent, to look for
    shortest = "\x00".join(map(repr, values))
    if "e" in shortest or "n" in shortest or _TIES[places].search(shortest):
        return None
    return pattern


def format_figure(fig: m.Figure, currency_symbol: str = "£") -> str:
    """A figure's value in its unit, or 'no data' / 'not requested' by status."""
    if fig.status == m.NOT_REQUESTED:
        return "not requested"
    if fig.status != m.OK or fig.value is None:
        return "no data"
    return format_value(fig.value, fig.unit, currency_symbol)


def change_text(fig: m.Figure, currency_symbol: str = "£") -> str:
    """Plain-English change since the previous period, e.g.
    'Up 4.1 percentage points from 58.9% in February 2025'; '' when there is no data."""
    if fig.status != m.OK or fig.value is None:
        return ""
    if fig.previous_value is None or fig.direction is None:
        return fig.no_comparison or "No earlier period to compare with"
    previous = format_value(fig.previous_value, fig.unit, currency_symbol)
    # A year's range in brackets: 'Up less than 0.1% from 355,414 in October 2024 to September 2025'
    # read as a range of change (an accessibility review).
    since = f"from {previous}{in_period(fig.previous_period_label)}" if fig.previous_period_label \
        else f"from {previous}"
    if fig.direction == "same":
        # Two figures that differ but are shown alike (0.03% and 0.02%, both 'less than 0.1%') have
        # changed, a little: 'No change' had been said of them.
        if previous.startswith(("more than ", "less than ")):  # 'Little change from more than 99.9%' (a tester)
            when = in_period(fig.previous_period_label) if fig.previous_period_label else ""
            return f"Little change: also {previous}{when}"
        return f"{'No' if fig.value == fig.previous_value else 'Little'} change {since}"
    word = "Up" if fig.direction == "up" else "Down"
    if fig.unit == m.PERCENT:
        amount, suffix = fig.change, " percentage points"
    else:
        amount, suffix = fig.change_percent, "%"
    if amount is None:
        return f"{word} {since}"
    size = round_half_up(abs(amount), 1)
    if size == 0:
        return f"{word} less than 0.1{suffix} {since}"
    return f"{word} {size:,}{suffix} {since}"


def points_change(change: float, moved: bool) -> str:
    """A share's change in percentage points as the channel shift table shows it ('gained 4.1',
    'lost 0.3'): ``change`` is from the shares as shown, ``moved`` whether the shares themselves
    differ. Two that differ but are shown alike (0.001% and 0.04%, both 'less than 0.1%') are
    'little change', as a card says, not 'no change'."""
    if change == 0:
        return "little change" if moved else "no change"
    return f"{'gained' if change > 0 else 'lost'} {abs(change):.1f}"


def date_label(d: date | None) -> str:
    """'14 October 2026'."""
    if d is None:
        return ""
    return f"{d.day} {MONTH_NAME[d.month]} {d.year}"
