"""Parse text cells into numbers, periods and channels, every bad cell located.

One pandas pass per column: plain numbers go through in C, and only the cells that
fail it (blanks, markers, '1,234', '£3.50', '45%', mistakes) get the slower clean-up.
A cell that cannot be read is an error naming its file, line and column, what it
holds and what would be accepted.
"""

from __future__ import annotations

import calendar
import difflib
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from generator.config import Config, normalise_channel
from generator.errors import Problems
from generator.formatting import date_label
from generator.paths import is_pattern
from generator.measures import ALL_CHANNELS, COUNTS, KPI_OF_MEASURE, MISSING, MONEY, PERCENTAGES
from generator.periods import (FINANCE_PERIOD, MONTH_NAME, MONTHS, Period, PeriodError, impossible_date, parse_period,
                               period_attr, snap, years_span_hint)
from generator.sources import LongRows, Source, looks_like_a_total, term_columns
from generator.yamlfile import yaml_scalar

NR_KPIS = tuple(dict.fromkeys(KPI_OF_MEASURE.values()))
# What a wide file writes where a channel was not there (before it began, after it closed): a dash or
# 'n/a', unlike the other marks of no data ('nd', ':', a council's 'TBC'), which say a figure is missing.
NOT_THERE = frozenset({"-", "\u2013", "\u2014", "n/a"})
_ALL_CHANNELS = {normalise_channel(c) for c in ALL_CHANNELS}
WITHHELD = frozenset({"..", "[c]", "[x]", "[w]", "[low]", "*", "c"})  # a figure withheld (GSS and NHS marks)


def _file(long: pd.DataFrame, index, path):
    """The file a row came from: files in the same layout are parsed together."""
    return long.at[index, "@file"] if "@file" in long else path


def _name(field: str, cols: pd.Series | None, index, headings: tuple[str, ...]) -> str:
    """A field as the file names it: 'transactions' (column 'April 2023 to March 2024: volume')."""
    number = int(cols[index]) if cols is not None else 0
    heading = getattr(headings, "fields", {}).get(field) or (
        headings[number - 1] if 0 < number <= len(headings) else None)
    return f"'{field}'" if heading is None or heading.strip().lower() == field else f"'{field}' (column '{heading}')"


def _where(lines: pd.Series, cols: pd.Series | None, index) -> tuple[int, int | None]:
    col = int(cols[index]) if cols is not None else 0
    return int(lines[index]), (col or None)


def _too_large(text: str) -> bool:
    """Whether a cell is a number, but one too large to be read (10^15 or more: past where a float
    keeps every digit of a whole number)."""
    digits = re.sub(r"[£$€,\s%()]", "", text)
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", digits):  # not 'inf' or 'nan'
        return False
    return abs(float(digits)) >= 1e15  # '1e400' too, which is inf'


_DIGITS = re.compile(r"[0-9.\-\x00]*")


def plain_numbers(texts: list[str]) -> np.ndarray | None:
    """What pd.to_numeric(errors="coerce") reads from a column of cells that are all digits, points
    and minus signs (a plain export's), or None for any other column, or one with a cell ``float``
    does not read ('1.2.3', '-'). ``float`` of each is about three times quicker than to_numeric,
    which had been a twelfth of reading a GOV.UK-scale site's data; the two read digits alike
    (both round correctly), but to_numeric reads a column of whole numbers alone as integers,
    so '-0' there is 0, not -0.0 (unless one is too large for an integer: a column with a
    figure of 10**15 or more is left to to_numeric)."""
    joined = "\x00".join(texts)
    if not _DIGITS.fullmatch(joined):
        return None
    try:
        numbers = np.fromiter((float(text) if text else np.nan for text in texts), float, len(texts))
    except ValueError:
        return None
    if (np.abs(numbers) >= 1e15).any():  # to_numeric may read such a column as floats, or not at all:
        return None  # it is left to it (those cells are too large, and told so, either way)
    if "." not in joined and "" not in texts:  # integers: no -0.0
        numbers += 0.0
    return numbers


def _series_of(long: pd.DataFrame) -> pd.Series:
    """Each row's series, service and channel (channel ids as the config would match them): what a
    figure is judged against when its own size is in doubt ('1.263' among counts, '1.981' among costs)."""
    series = long["service"].astype(str) if "service" in long else pd.Series("", index=long.index)
    if "channel" in long:
        series = series + "\x00" + long["channel"].astype(str).str.strip().str.lower()
    return series


def _money_with_dotted_thousands(long: pd.DataFrame, raw: pd.Series, values: pd.Series) -> pd.Series:
    """Cells of money written with a point between thousands, as much of Europe writes them
    ('3.396' for 3,396): a figure to exactly three places, in groups of three digits (not
    '0.875'), that is about a thousandth of the other figures of its series (service and channel),
    in a column that does not write three places throughout ('2500.000'). A tester's 'Net cost' of
    2,688.50 and then '1.981' was published as a cost per transaction of £0.11, not £0.63, without
    a word. A warning, not an error: a launch month's cost of 15 transactions at 12.5p (1.875) is
    as small, and is right (found in review); beside figures of its own size it is not told."""
    thousandths = values * 1000
    candidates = values.notna() & (values > 0) & (values < 1000) & ((thousandths - thousandths.round()).abs() < 1e-6)
    dotted = pd.Series(False, index=long.index)
    if not candidates.any():
        return dotted
    dotted[candidates] = raw[candidates].str.strip().str.fullmatch(r"[£$€]?\s*[1-9]\d{0,2}(?:\.\d{3})+").fillna(False)
    if not dotted.any():
        return dotted
    # A column that writes three places throughout ('2500.000', a database's export) is decimals.
    if raw.str.strip().str.contains(r"\d{4,}\.\d{3}$", regex=True).fillna(False).any():
        return pd.Series(False, index=long.index)
    typical = values.where(~dotted).groupby(_series_of(long)).transform("median")
    return dotted & typical.notna() & (thousandths >= typical / 20) & (thousandths <= typical * 20) & (
        values * 50 < typical)


def _parse_numbers(long: pd.DataFrame, col: str, path, problems: Problems, missing: set,
                   not_requested: set, fraction: bool, headings: tuple[str, ...] = (),
                   unit: str | None = None, factor: float = 1,
                   source_of_file: tuple[str | None, Path | None] = ("", None)) -> tuple[pd.Series, pd.Series]:
    """Numbers from text; returns (values, not-requested flags).

    ``unit`` says how to check a declared measure ("count" and "percent" are checked as the
    built-in counts and percentages are); built-in measures are known by name.

    Plain numbers are parsed in one C pass; only the cells that fail it (blanks, markers,
    '1,234', '£3.50', '45%', '(12.00)', mistakes) go through the slower text clean-up.
    """
    raw = long[col].astype(str)
    # A row per measure (measures_in_rows): each value's own line.
    lines, cols = long.get(f"{col}@line", long["@line"]), long.get(f"{col}@col")
    plain = plain_numbers(raw.tolist())
    direct = pd.to_numeric(raw, errors="coerce").astype(float) if plain is None else \
        pd.Series(plain, index=raw.index, name=raw.name)
    slow = ~(np.isfinite(direct) & (direct.abs() < 1e15))
    # Excel shows a number too wide for its column as 1.23E+04, and saves it so: digits are lost.
    # A lost digit leaves a round number (12300), so only those, and tiny ones, are looked at (a pass
    # over every cell's text costs a second at scale).
    odd = ~slow & (((direct.abs() >= 10) & (direct % 10 == 0)) | ((direct != 0) & (direct.abs() < 1e-3)))
    exponent = pd.Series(False, index=long.index)
    if plain is None and odd.any():  # (a column plain_numbers read has no 'e' in it)
        exponent[odd] = raw[odd].str.contains(r"\d[eE][+-]?\d", regex=True)
        slow |= exponent
    # Empty cells (most of a column filled for one channel only) need no clean-up either.
    empty = slow & raw.eq("")
    slow &= ~empty
    if not slow.any():  # every cell a plain number or empty (most files): none of the clean-up below
        nr = empty & ("" in not_requested)
        blank = empty & ("" in missing or "" in not_requested)
        values = direct.where(~empty)
        signs, percent_sign, misplaced, spaced_at = (pd.Series(False, index=long.index) for _ in range(4))
    else:
        text = raw[slow].str.strip()
        raw = raw.where(~slow, text)
        nr = pd.Series(False, index=long.index)
        nr[slow] = text.isin(not_requested)
        nr[empty] = "" in not_requested
        blank = pd.Series(False, index=long.index)
        blank[slow] = text.str.lower().isin(missing) | nr[slow]
        blank[empty] = "" in missing or "" in not_requested
        # Official statistics mark a figure after it ('1,234 [r]', '56% [p]', '[note 3]'): the number
        # is read without the mark, and a cell that is only a mark ('[c]', '[x]') holds no figure.
        text = text.str.replace(_MARKS_AFTER, "", regex=True)
        # The minus sign typesetting and some finance systems write ('−12', U+2212) is a minus.
        text = text.str.replace("\u2212", "-", regex=False)
        blank[slow] |= text.eq("") & ~blank[slow]
        excel = pd.Series(False, index=long.index)
        excel[slow] = text.str.fullmatch(_EXCEL_ERRORS, case=False).fillna(False) & ~blank[slow]
        if excel.any():
            _warn_of_excel_errors(long, col, path, problems, excel, raw, cols, headings)
            blank |= excel
        # A space separates thousands only in threes (1 234 567); '1 7967' is two figures, or a slip.
        spaced = text.str.contains(r"\d\s+\d", regex=True) & ~text.str.replace(r"[£$€%()+-]", "", regex=True).str.strip(
            ).str.fullmatch(r"\d{1,3}(?:[\s,]\d{3})+(?:\.\d+)?").fillna(False)
        cleaned = text.str.replace(r"[£$€,\s]|%$", "", regex=True)
        cleaned = cleaned.where(~spaced)
        cleaned = cleaned.str.replace(r"^\((.*)\)$", r"-\1", regex=True)  # accounting negatives
        # Excel's accounting format writes zero as the currency sign and a dash ('£ -'): the sign says
        # it is an amount, so it is 0, not a missing figure (a lone '-' is still no data).
        cleaned = cleaned.where(~text.str.fullmatch(r"[£$€]\s*[-\u2013\u2014]").fillna(False), "0")
        # A comma separates thousands: '12,34' (a decimal comma, or a slip) is not 1234.
        misplaced = pd.Series(False, index=long.index)
        misplaced[slow] = text.str.contains(",", regex=False) & ~text.str.replace(
            r"[£$€\s%()+-]", "", regex=True).str.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?").fillna(False)
        cleaned = cleaned.where(~misplaced[slow])
        # Only a cell that is otherwise a number ('12,34', '£1,23.50') is told about commas; a note that
        # holds one ('7 (est, see note)') is told how to write a number.
        misplaced[slow] &= text.str.fullmatch(r"[\d,.\s£$€%()+-]*\d[\d,.\s£$€%()+-]*").fillna(False)
        if unit == "seconds":  # a contact centre's handling time: '00:04:48' (h:mm:ss) or '4:48' (m:ss)
            clock = text.str.fullmatch(r"\d+(:[0-5]\d){1,2}").fillna(False)
            if clock.any():
                cleaned = cleaned.where(~clock, text[clock].map(
                    lambda t: str(sum(int(part) * 60 ** i for i, part in enumerate(reversed(t.split(":")))))))
        parsed = pd.to_numeric(cleaned.where(~blank[slow]), errors="coerce").astype(float)
        parsed = parsed.where(np.isfinite(parsed) & (parsed.abs() < 1e15))  # no inf, 1e400 or absurd sizes
        values = direct.where(~slow & ~empty)
        values[slow] = parsed
        signs = pd.Series(False, index=long.index)
        signs[slow] = text.str.contains(r"[£$€%]", regex=True)
        percent_sign = pd.Series(False, index=long.index)
        percent_sign[slow] = text.str.endswith("%")
        values[exponent] = np.nan
        spaced_at = pd.Series(False, index=long.index)
        spaced_at[slow] = spaced
    bad = values.isna() & ~blank
    for index in long.index[bad]:
        if exponent[index]:
            problems.error(_file(long, index, path), f"{_name(col, cols, index, headings)} is written in "
                           f"scientific notation: '{raw[index]}', which keeps only some of its digits",
                           *_where(lines, cols, index), hint="in the spreadsheet, format the column as a number "
                           "(and widen it if it shows ####), then save it as CSV again")
            continue
        if _too_large(str(raw[index])):
            problems.error(_file(long, index, path), f"{_name(col, cols, index, headings)} is too large to be a "
                           f"figure: '{raw[index]}'", *_where(lines, cols, index),
                           hint="figures of 10^15 or more are not read: is it two cells run together, or an "
                                "account or reference number in the wrong column?")
            continue
        problems.error(_file(long, index, path),
                       f"{_name(col, cols, index, headings)} is not a number: '{raw[index]}'", *_where(lines, cols, index),
                       hint="a comma separates thousands (1,234); write a decimal with a point (12.34)"
                       if misplaced[index] else
                       "a space separates thousands only in groups of three (1 234 567); is this two figures "
                       "in one cell?" if spaced_at[index] else
                       _number_example(col, unit)
                       + "; leave the cell blank if there is no data"
                       + (f", or write {sorted(not_requested)[0]} if it was not requested" if not_requested else "")
                       + _marker_hint(str(raw[index]), source_of_file[0]
                                      or _under(_file(long, index, path), source_of_file[1]), bool(source_of_file[0])))
    values = values.astype(float)
    if factor != 1:  # a column of thousands or millions (multiply: in the source), checked as what it means
        values = (values * factor).round(6)  # 145.9 million is 145,900,000, not 145,900,000.00000003
    unit = unit or ("count" if col in COUNTS else "percent" if col in PERCENTAGES else None)
    if unit == "count":
        marked = signs & values.notna()
        for index in long.index[marked]:
            problems.error(_file(long, index, path),
                           f"{_name(col, cols, index, headings)} is a count, not money or a percentage: '{raw[index]}'",
                           *_where(lines, cols, index), hint="write the number, e.g. 1234")
        values = values.where(~marked)
        fractional = values.notna() & (values % 1 != 0)
        # '1.263' for 1,263: a point between thousands, as much of Europe writes them, read as 1.263
        # (a tester's count of requests fell 99.9%, and completion read 81,789%). An error, each.
        if fractional.any():
            # Only where every fraction in the column could be so: beside '1033.333' (a quarter spread
            # over its months), '833.333' is a decimal too (found in review).
            dotted = fractional & raw.where(fractional, "").str.strip().str.fullmatch(r"\d{1,3}(?:\.\d{3})+")
            # Not where a fraction in the column is a decimal, nor where read as thousands it would be
            # far beyond the column's whole counts ('833.333', a quarter spread over its months, among
            # 910 to 1,020 is not 833,333).
            if not dotted[fractional].all():
                dotted[:] = False
            else:  # each judged against its own series' whole counts: a service's, in a channel
                # (a tester's phone counts of 456 and 470 had excused online's '12.345' and '13.002',
                # and the site published 951 transactions a year and a take-up of 2.7%, not 96%)
                series = _series_of(long)
                whole = values.where(values.notna() & ~fractional)
                typical = whole.groupby(series).transform("median")
                dotted &= ~(typical.notna() & (values * 1000 > 20 * typical))
                # A series with no whole count whose figures run in thirds (a quarter spread over its
                # months: 833.333, 866.667) is decimals; '12.345' alone is still thousands (reviews).
                thirds = raw.str.strip().str.fullmatch(r"\d{1,3}\.(?:333|667)").fillna(False)
                dotted &= ~(typical.isna() & thirds.groupby(series).transform("any"))
            for index in long.index[dotted]:
                problems.error(_file(long, index, path), f"{_name(col, cols, index, headings)} is a count written "
                               f"with a point between its thousands: '{raw[index]}'", *_where(lines, cols, index),
                               hint="a point is read as a decimal point: write the count as "
                                    f"{raw[index].strip().replace('.', '')} or "
                                    f"{int(raw[index].strip().replace('.', '')):,}")
            fractional &= ~dotted
            values = values.where(~dotted)
        _warn_once_per_file(long, fractional, path, problems, lambda index, more: (
            f"{_name(col, cols, index, headings)} is a count but has a fraction: '{raw[index]}'"
            + (f" (and {more} more in this column)" if more else ""), _where(lines, cols, index)),
            "counts are usually whole numbers", cols)
        negative = values < 0
        for index in long.index[negative]:
            problems.error(_file(long, index, path),
                           f"{_name(col, cols, index, headings)} cannot be negative: '{raw[index]}'", *_where(lines, cols, index),
                           hint="counts are zero or more; leave the cell blank if there is no data")
        values = values.where(~negative)
    def tell(mask, says: str, hint: str, error: bool) -> None:
        """A located error for each cell in ``mask``; or a warning (the figure is published as it is),
        once for each file and column, at its first cell, with how many more: a court's clearance
        rate over 100% in 3,931 cells filled the 200 problems shown and hid every other."""
        if error:
            for index in long.index[mask]:
                problems.error(_file(long, index, path), f"{_name(col, cols, index, headings)} {says}: "
                               f"'{raw[index]}'", *_where(lines, cols, index), hint=hint)
            return
        _warn_once_per_file(long, mask, path, problems, lambda index, more: (
            f"{_name(col, cols, index, headings)} {says}: '{raw[index]}'"
            + (f" (and {more} more in this column)" if more else ""), _where(lines, cols, index)), hint, cols)

    if unit == "money" or (unit is None and col in ("cost", "cost_per_transaction")):
        dotted = _money_with_dotted_thousands(long, raw, values) if factor == 1 else \
            pd.Series(False, index=long.index)  # (figures in thousands: the text is not the amount)
        for index in long.index[dotted]:
            written = raw[index].strip().lstrip("£$€").strip()
            digits = written.replace(".", "")
            problems.warning(_file(long, index, path), f"{_name(col, cols, index, headings)} looks like a sum of "
                             f"money written with a point between its thousands: '{raw[index]}', read as "
                             f"{values[index]:g}", *_where(lines, cols, index),
                             hint=f"a point is read as a decimal point, and {written} is about a thousandth of this "
                                  f"column's other figures for the same service and channel: if it is "
                                  f"{int(digits):,}, write {digits} or {int(digits):,}; if it is {written}, "
                                  "accept this warning")
        negative = values < 0
        per_transaction = col == "cost_per_transaction"
        tell(negative, "is negative", "a cost per transaction is zero or more; leave the cell blank if there is no "
             "data" if per_transaction else "a refund or a correction? It is added in as it is; check the figure",
             error=per_transaction)
        if per_transaction:
            values = values.where(~negative)
    if unit == "percent":
        # '£67' among rates: a column slipped, or a cost pasted in (a tester's had read as 67%).
        money = signs & ~percent_sign & values.notna()
        for index in long.index[money]:
            problems.error(_file(long, index, path), f"{_name(col, cols, index, headings)} is a percentage, not "
                           f"money: '{raw[index]}'", *_where(lines, cols, index),
                           hint="write 72 or 72% for 72 per cent; if this is a cost, the columns may have slipped")
        values = values.where(~money)
        if fraction:
            # Most of the column over 1: percentages already, with percentages: fraction set by mistake
            # (a tester's completion rate was published as 8,990.5%, with a warning among many).
            plain = values.notna() & ~percent_sign
            above = plain & (values > 1)
            if above.any() and 2 * int(above.sum()) > int(plain.sum()):
                _warn_once_per_file(long, above, path, problems, lambda index, more: (
                    f"{_name(col, cols, index, headings)} is read as a fraction (percentages: fraction), but "
                    f"'{raw[index]}' is over 1" + (f" (and {more} more in this column)" if more else ""),
                    _where(lines, cols, index)), "the figures look like percentages already (72 for 72 per cent): "
                    "take percentages: fraction out of the file's source in config.yaml", cols, error=True)
                values = values.where(~above)
            values = values.where(percent_sign, values * 100)
        elif col in PERCENTAGES:  # not a declared measure: an error rate of 0.3% is a real percentage
            _warn_of_fractions(long, col, path, problems, values, percent_sign, raw, cols, headings)
        negative = values < 0
        for index in long.index[negative]:
            problems.error(_file(long, index, path),
                           f"{_name(col, cols, index, headings)} is a percentage and cannot be negative: '{raw[index]}'",
                           *_where(lines, cols, index), hint="write 72 or 72% for 72 per cent")
        values = values.where(~negative)
        over = values > 100
        tell(over, "is over 100%", "write 72 or 72% for 72 per cent" if col == "satisfaction" else
             "check the figure; it is published as it is", error=col == "satisfaction")
        if col == "satisfaction":
            values = values.where(~over)
    return values, nr


def _warn_once_per_file(long: pd.DataFrame, mask: pd.Series, path, problems: Problems, says, hint: str,
                        cols=None, error: bool = False) -> None:
    """One warning (or ``error``) for each file and column (``cols``: each row's) of the cells in ``mask``, at
    its first: ``says(index, more)`` gives the message and (line, column) for that cell and the count of the others."""
    if not mask.any():
        return
    files = long.loc[mask, "@file"] if "@file" in long else pd.Series(str(path), index=long.index[mask])
    columns = cols[mask] if isinstance(cols, pd.Series) else pd.Series(0, index=files.index)
    for _, cells in files.groupby([files, columns], sort=False):  # a wide file's field spans columns
        message, where = says(cells.index[0], len(cells) - 1)
        (problems.error if error else problems.warning)(_file(long, cells.index[0], path), message, *where, hint=hint)


_MARKS_AFTER = r"(?:\s*\[(?:[A-Za-z]{1,4}|[Nn]ote\s*\d{1,3})\])+$"  # GSS shorthand: [c] [x] [z] [p] [r] [note 1]
_EXCEL_ERRORS = r"#(?:N/A|DIV/0!|VALUE!|REF!|NUM!|NAME\?|NULL!|SPILL!|CALC!|GETTING_DATA)"


def _warn_of_excel_errors(long, col, path, problems, excel, raw, cols, headings) -> None:
    """A spreadsheet's formula error ('#DIV/0!', '#N/A') in an export: no figure, so it is read
    as no data, said once for each file and column, with where it first is and how many there are."""
    files = long.loc[excel, "@file"] if "@file" in long else pd.Series(str(path), index=long.index[excel])
    for file, cells in files.groupby(files, sort=False):
        index = cells.index[0]
        more = len(cells) - 1
        problems.warning(_file(long, index, path),
                         f"{_name(col, cols, index, headings)} holds a spreadsheet error: '{raw[index]}'"
                         + (f" (and {more} more spreadsheet error{'s' if more > 1 else ''} in this column)" if more else "")
                         + ", read as no data", *_where(long.get(f"{col}@line", long["@line"]), cols, index),
                         hint="a formula in the spreadsheet failed (0 divided by 0, or a missing lookup); "
                              "fix it there and export again, or leave the cell blank")


def _warn_of_fractions(long, col, path, problems, values, percent_sign, raw, cols, headings) -> None:
    """A file whose rates are all between 0.2 and 1 without a % sign almost certainly writes
    fractions (0.87 for 87%): read as percentages, they would be published as 0.9%."""
    plain = values.notna() & ~percent_sign
    if plain.sum() < 2:
        return
    found = values[plain]
    files = long.loc[plain, "@file"] if "@file" in long else pd.Series(str(path), index=found.index)
    by_file = found.groupby(files, sort=False)
    low, high = by_file.min(), by_file.max()
    parts = (found % 1 != 0).groupby(files, sort=False).any()
    for file in high.index[(low >= 0) & (high <= 1) & (high >= 0.2) & parts & (by_file.size() >= 2)]:
        index = found.index[(files == file).to_numpy()][0]
        problems.warning(_file(long, index, path),
                         f"{_name(col, cols, index, headings)} looks like fractions: every value is between 0 and 1 "
                         f"(e.g. '{raw[index]}'), so it would be read as {values[index]:g}%",
                         *_where(long.get(f"{col}@line", long["@line"]), cols, index),
                         hint="write 87 or 87% for 87 per cent; or, if the file writes every rate as a "
                              "fraction, add percentages: fraction to its source in config.yaml")
    if col == "satisfaction":  # an average rating out of 5 (4.1), published as 4.1% (a tester's survey export)
        # Each service of a file on its own: another's percentages beside them had hidden them (review).
        owner = long.loc[plain, "service"].astype(str) if "service" in long else pd.Series("", index=found.index)
        by_service = found.groupby([files, owner], sort=False)
        rated = (found % 1 != 0).groupby([files, owner], sort=False).any()
        told = set()
        for file, service in by_service.size().index[((by_service.min() >= 1) & (by_service.max() <= 5) & rated
                                                      & (by_service.size() >= 2)).to_numpy()]:
            if file in told:
                continue  # once a file
            told.add(file)
            index = found.index[((files == file) & (owner == service)).to_numpy()][0]
            problems.warning(_file(long, index, path),
                             f"{_name(col, cols, index, headings)} looks like an average rating out of 5: every "
                             f"value is between 1 and 5 (e.g. '{raw[index]}'), so it would be read as "
                             f"{values[index]:g}%", *_where(long.get(f"{col}@line", long["@line"]), cols, index),
                             hint="give the percentage satisfied, or each rating's count as satisfaction_1 to "
                                  "satisfaction_5; an average rating r is (r - 1) / 4 x 100 per cent on this "
                                  "site's scale (4.1 is 77.5%)")
    # One cell written as a fraction among percentages (0.926 between 91 and 93.5): published as 0.9%,
    # a fall of 91 points, without a word. Judged against the figures either side of it in its own
    # series (service and channel, in the file's order): a hundred times it is close to them, and it
    # is a small part of them. Genuine small rates (a new channel's take-up, 0.4% then 0.6%) are not.
    # Its series across files too (a file a month, a row per service: no neighbour within the file),
    # and its nearest whole figures either side (two fractions in a row had hidden each other).
    series = [long[c].astype(str).loc[found.index] for c in ("service", "channel") if c in long] or \
        [pd.Series("", index=found.index)]
    whole = found.where(found >= 1)
    before = whole.groupby(series, sort=False).shift(1).groupby(series, sort=False).ffill()
    after = whole.groupby(series, sort=False).shift(-1).groupby(series, sort=False).bfill()
    around = pd.concat([before, after], axis=1).mean(axis=1)
    scaled = found * 100
    lone = pd.Series(False, index=long.index)
    lone[found.index] = ((found > 0) & (found < 1) & (found % 1 != 0) & (around >= 10)
                         & ((scaled - around).abs() <= around * 0.15)).to_numpy()
    lines = long.get(f"{col}@line", long["@line"])
    _warn_once_per_file(long, lone, path, problems, lambda index, more: (
        f"{_name(col, cols, index, headings)} is '{raw[index]}' among percentages, so it is read as "
        f"{values[index]:g}%" + (f" (and {more} more in this column)" if more else ""), _where(lines, cols, index)),
        "a fraction? write 92.6 or 92.6% for 92.6 per cent", cols)


_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\b")  # 04/01/2013, with or without a time after it


_TWELVE_HOUR = re.compile(r"\d\s*[AP]\.?M\.?\s*$", re.IGNORECASE)


def _month_first(text: str) -> str:
    """04/01/2013 as 01/04/2013: a month-first date (dates: month_first) in the order read here."""
    return _SLASHED.sub(lambda mt: f"{mt.group(2)}/{mt.group(1)}/{mt.group(3)}", text)  # a range's both ends


def _looks_month_first(texts, long: pd.DataFrame, raw: pd.Series, path, problems: Problems) -> None:
    """A US system's months, dated by their first day month first (04/01/2013, 05/01/2013 ...), read
    day first are the 4th, 5th ... of January: with period_type: month, a year collapses into one
    month with no error. Said when every slashed date has 1 as its month and the days run over
    several values no higher than 12 (as the months would); dates: says which it is, and silences it."""
    found = [(text, mt) for text in texts if (mt := _SLASHED.match(text))]
    firsts = {int(mt.group(1)) for _, mt in found}
    clock = next((text for text, _ in found if _TWELVE_HOUR.search(text)), None)
    if clock is not None and max(firsts, default=0) <= 12:  # AM/PM: a US system's export, dates month first
        index = raw.index[raw.eq(clock)][0]
        problems.warning(_file(long, index, path), f"dates with AM or PM, such as '{clock}', come from systems that "
                         "write dates month first, but are read day first here", int(long.at[index, "period@line"])
                         or None, int(long.at[index, "period@col"]) or None,
                         hint="add dates: month_first to the file's source in config.yaml, or dates: day_first if "
                              "they really are day first")
        return
    if len(found) < 3 or any(int(mt.group(2)) != 1 for _, mt in found) or len(firsts) < 3 or max(firsts) > 12:
        return
    examples = [mt for _, mt in found[:2]]
    index = raw.index[raw.eq(found[0][0])][0]
    year = lambda mt: int(mt.group(3)) + (2000 if len(mt.group(3)) == 2 else 0)  # noqa: E731
    as_days = " and ".join(f"{int(mt.group(1))} January {year(mt)}" for mt in examples)
    as_months = " and ".join(f"{calendar.month_name[int(mt.group(1))]} {year(mt)}" for mt in examples)
    problems.warning(_file(long, index, path), f"dates such as '{examples[0].group(0)}' and '{examples[1].group(0)}' "
                     f"are read day first ({as_days}), but every one has 01 in the month's place and the days run "
                     f"no higher than 12: are they months written month first ({as_months})?",
                     int(long.at[index, "period@line"]) or None, int(long.at[index, "period@col"]) or None,
                     hint="add dates: month_first to the file's source in config.yaml if 04/01/2013 is 1 April "
                          "2013, or dates: day_first if it is 4 January")


def _number_example(col: str, unit: str | None) -> str:
    """What to write in a cell of this measure: a percentage's example is not 1,234."""
    kind = unit or ("percent" if col in PERCENTAGES else "money" if col in MONEY else None)
    return {"seconds": "write a number of seconds (288) or a time (00:04:48 or 4:48)",
            "percent": "write a percentage such as 72.5 or 72.5%",
            "money": "write an amount such as 1234.50 or 1,234.50"}.get(kind, "write a number such as 1234 or 1,234")


def _under(path, folder: Path | None) -> str:
    """A data file's name as a source's file: names it, from the data folder ('exports/fines.csv')."""
    try:
        return Path(path).resolve().relative_to(Path(folder).resolve()).as_posix()
    except (ValueError, TypeError):  # outside the folder, or no folder given
        return Path(str(path)).name


def _marker_hint(text: str, file: str, has_source: bool) -> str:
    """A short mark with no digit ('-.', 'z', '~'), or a few words ('Not surveyed'), is likely the
    publisher's own way of writing no data, on every export: say how to read it so, once for the
    file, rather than edit every cell (for a file with no source, the source to write: a tester
    went looking for 'its source')."""
    text = text.strip()
    if not text or len(text) > 30 or any(c.isdigit() for c in text):
        return ""
    said = yaml_scalar(text)
    return (f"; if '{text}' means no data in this file, add missing: [{said}] "
            + ("to its source in config.yaml" if has_source else "in a source for it in config.yaml")
            + (f" (or not_requested: [{said}], if the figure is deliberately not collected)" if len(text) > 4 else "")
            + ("" if has_source else f": sources: [{{file: {yaml_scalar(file)}, missing: [{said}]}}]"))


def _parse_periods(long: pd.DataFrame, path, problems: Problems, fy_start: int,
                   period_type: str | None, no_figures: pd.Series, dates: str | None = None,
                   headings: tuple[str, ...] = (), composed: bool = False, tidy_file: str | None = None,
                   one_series: bool = False, selected: bool = False) -> pd.Series:
    """Periods from text. A row with no figures whose period is not a period is a note or a
    footer ('Source: ...'), so it is passed over with a warning rather than failing the build.
    ``dates``: the source's order of slashed dates (None: day first, unless it looks otherwise)."""
    raw = long["period"].astype(str).str.strip()
    # ``tidy_file``: a file with no source (its name as config.yaml would give it), which has no source
    # to add exclude: to until one is written for it.
    in_source = "in the file's source" if tidy_file is None else \
        f"in a source for the file in config.yaml (sources: [{{file: {yaml_scalar(tidy_file)}, exclude: ...}}])"
    parsed: dict[str, Period | None] = {}
    texts = raw.unique()
    if dates is None:
        _looks_month_first(texts, long, raw, path, problems)
    longer: dict[str, Period] = {}  # texts naming more than one period_type: period ('2017' among quarters)
    days: dict[str, date] = {}  # texts that are a day, read as the period_type: period it falls in
    for text in texts:
        try:
            period = parse_period(_month_first(text) if dates == "month_first" else text, fy_start,
                                  financial_years=period_type == "financial_year")
            parsed[text] = snap(period, period_type, fy_start) if period_type else period
            if period_type and period.kind == "day":
                days[text] = period.start
            if period_type and snap(Period(period.end, period.end, "day"), period_type, fy_start) != parsed[text]:
                longer[text], parsed[text] = period, None  # snapped to its first month, it was a year's figure
        except PeriodError:
            parsed[text] = None
    periods = raw.map(parsed)
    _warn_of_calendar_quarters_among_financial(long, raw, parsed, path, problems)
    # (Not over the rows a filter: chose, refusals among decisions: the file's own dates may run on
    # after the last of them, and the warning had failed a tester's --strict build.)
    if days and period_type not in ("week", "week_ending") and not selected:
        _warn_of_part_periods(long, raw, days, parsed, path, problems, period_type, one_series)
    if any(p is not None and p.kind == "range" for p in parsed.values()):
        files = long["@file"] if "@file" in long else pd.Series("", index=long.index)
        for _, texts in raw.groupby(files, sort=False):  # each file decides for itself
            own = {text: parsed[text] for text in texts.unique()}
            _ranges_as_whole_periods(own, fy_start)
            periods[texts.index] = texts.map(own)
    bad = long[periods.isna()]
    told = bad.index[~no_figures[bad.index].to_numpy(dtype=bool)]
    if len(told):
        keys = long.loc[told, "service"].astype(str).str.strip() if "service" in long else pd.Series("", index=told)
        files = long.loc[told, "@file"].astype(str) if "@file" in long else pd.Series(str(path), index=told)
        problems.dropped_periods.update(zip(files, keys))
    # One text in one column is told once, at its first row, with how many more rows have it: an
    # export's date-time form the parser does not know is the same mistake on every row (12,537 rows).
    firsts: dict[tuple, int] = {}
    repeats: dict[tuple, set] = {}  # the other lines with it (a wide file's line is a row per channel)
    for index in bad.index:
        text = raw[index]
        if dates is None and (mt := _SLASHED.match(text)) and int(mt.group(2)) > 12 >= int(mt.group(1)):
            text = _MONTH_FIRST  # dates written month first ('12/31/2017 11:59:58 PM'): one slip, told once
        where = (text, int(long.at[index, "period@col"]), _file(long, index, path), bool(no_figures[index]))
        if where in firsts:
            repeats.setdefault(where, set()).add(int(long.at[index, "period@line"]))
        else:
            firsts[where] = index
    guesses = 0  # a misspelt month is looked for in the first few hundred bad periods: a guess costs 40 us
    for where, index in firsts.items():
        column = where[1]
        lines = repeats.get(where, set()) - {int(long.at[index, "period@line"])}
        more = len(lines) if column else 0  # a period from no column is the file's name: told once
        also = f" (and {more} more row{'s' if more > 1 else ''} " + (
            "with dates written month first)" if where[0] is _MONTH_FIRST else "with it)") if more else ""
        where = (raw[index], int(long.at[index, "period@line"]) if column else 0, column, where[2])
        if no_figures[index]:
            problems.warning(_file(long, index, path), f"row is not read: it has no figures, and '{raw[index]}' "
                             f"is not a period (a note or a footer?){also}", where[1] or None, where[2] or None,
                             hint=f"drop such rows with exclude: {in_source} to silence this")
            continue
        if raw[index] in longer:
            kind = period_type.replace("_", " ").replace("week ending", "week")
            period = longer[raw[index]]
            length = (period.end - period.start).days + 1
            says = (f"is {_a_kind(period)}, longer than a {kind}" if length > _DAYS_OF[period_type]
                    else f"runs across two {kind}s")  # a week over a month's end; 2022/23 among years
            problems.error(_file(long, index, path),
                           f"'{raw[index]}' {says}: period_type: {period_type} reads each row's date as the {kind} "
                           f"it falls in{also}", where[1] or None,
                           where[2] or None, hint=f"give the row a date within one {kind}, or leave it out with "
                           f"exclude: {in_source} (its figure would be counted in its first " + kind + ")")
            continue
        if not str(raw[index]).strip():
            problems.error(_file(long, index, path), f"the period is blank{also}", where[1] or None,
                           where[2] or None, hint="the row has figures but no period: fill it in (a merged cell "
                           f"in the spreadsheet?); a total row can be left out with exclude: {in_source}")
            continue
        if not column:
            hint = ("this period is in no column of the file: it comes from the file's name ({file period}) or "
                    "from the source's columns: or constants:; name each file with its period, e.g. "
                    "calls-2024-03.csv or MSitAE-MARCH-2026.csv")
        elif looks_like_a_total(raw[index]):
            # The heading to name, unless the period is made of several columns ('{Year} {Quarter}'):
            # then the cell's own text is not the whole period's.
            heading = headings[column - 1] if not composed and 0 < column <= len(headings) else None
            example = (f"exclude: {{{yaml_scalar(heading)}: {yaml_scalar(raw[index])}}}" if heading
                       else f"exclude:, naming the heading of column {column} and the text in that cell (e.g. "
                            "exclude: {Quarter: Total})")
            hint = (f"a total or summary row? Leave it out with {example} in the file's source; or give the row its "
                    "period") if tidy_file is None else (
                f"a total or summary row? Leave it out with a source for the file in config.yaml: sources: "
                f"[{{file: {yaml_scalar(tidy_file)}, {example}}}]; or give the row its period")
        elif dates is None and (mt := _SLASHED.match(raw[index])) and int(mt.group(2)) > 12 >= int(mt.group(1)):
            hint = (f"'{mt.group(0)}' has {mt.group(2)} in the month's place: if the file writes dates month "
                    "first (as US systems do), add dates: month_first to its source in config.yaml")
        elif re.fullmatch(FINANCE_PERIOD + r"1[3-6]\b.*|.*\b" + FINANCE_PERIOD + r"1[3-6]", raw[index], re.I):
            hint = ("a finance system's period 13 (or later) holds year-end adjustments, not a month: leave "
                    f"its rows out with exclude: {in_source}")
        elif serial := re.fullmatch(r"([2-7]\d{4})(?:\.0+)?", raw[index]) or re.search(
                r"(?<![\d.,/-])([2-7]\d{4})(?:\.0+)?(?![\d.,/-])", raw[index]):  # 20000 to 79999: 1954 to 2118,
            # alone or as one end of a range ('45410 to 25-May-24')
            day = date(1899, 12, 30) + timedelta(days=int(serial.group(1)))
            hint = (f"this looks like a date as Excel stores it ({serial.group(1)} is {day.day} "
                    f"{calendar.month_name[day.month]} {day.year}): format the column as a date in the "
                    "spreadsheet before saving it as CSV")
        elif impossible_date(raw[index], dates == "month_first"):  # a date's shape, but no such day: say why
            problems.error(_file(long, index, path), impossible_date(raw[index], dates == "month_first"),
                           where[1] or None,
                           where[2] or None, hint=years_span_hint(raw[index]) or _impossible_date_hint(raw[index]))
            continue
        elif (guesses := guesses + 1) <= 300 and len(str(raw[index])) <= 80 and (
                meant := _month_mistyped(str(raw[index]), fy_start)):
            hint = f"did you mean '{meant}'? Correct it in the file, or with replace: in the source"
        else:
            hint = ("use a month (2024-03, Mar 2024, 03/2024), a quarter (2024-Q1, Q1 2024), a financial year "
                    "(2023-24, 2023/24), a year (2024), a date (2024-03-31), a week (2024-W10) or a range "
                    "(April 2023 to March 2024); fix a one-off typo with replace: in the source")
        named = _name("period", long["period@col"], index, headings) if column and not composed else "'period'"
        if named != "'period'" and named.split("'")[3].lower() in str(raw[index]).lower():
            named = "'period'"  # a heading joined to a cell ('April' and '2024/25'): the column is not the period's
        problems.error(_file(long, index, path),
                       f"{named} is not a period I recognise: '{raw[index]}'{also}", where[1] or None,
                       where[2] or None, hint=hint)
    return periods


_MONTH_FIRST = object()  # the key under which the rows of dates written month first are told once
PART_PERIOD_DAYS = 7  # a file's first dated row this far into its period, or its last this far before its end
PART_PERIOD_ROWS = 20  # the fewest dated rows a file needs for its dates' usual spacing to say anything


_TWO_YEARS = re.compile(r"\d{4}\s*[/-]\s*\d{2}(?:\d{2})?\b|\bfy\s*\d", re.IGNORECASE)  # 2022/23, 2022-2023, FY23


def _warn_of_calendar_quarters_among_financial(long: pd.DataFrame, raw: pd.Series, parsed: dict, path,
                                               problems: Problems) -> None:
    """A calendar quarter ('Q3 2022': July to September) among more quarters of financial years
    ('2022/23 Q3': October to December): most likely the financial year's, written another way,
    and read as a quarter earlier with no word but a gap (a tester's LG Inform file)."""
    financial, calendar_ones = [], []
    for text, period in parsed.items():
        if period is not None and period.kind == "quarter":
            (financial if _TWO_YEARS.search(text) else calendar_ones).append(text)
    if not calendar_ones or len(financial) < 2 * len(calendar_ones):
        return
    example = financial[0]
    for text in calendar_ones:
        rows = raw.index[raw.eq(text).to_numpy()]
        index, more = rows[0], len(rows) - 1
        problems.warning(_file(long, index, path), f"'{text}' is read as a calendar quarter, "
                         f"{parsed[text].label}, but the other quarters here are of financial years ('{example}' "
                         f"is {parsed[example].label})" + (f" (and {more} more row{'s' if more > 1 else ''} with it)"
                                                            if more else ""),
                         int(long.at[index, "period@line"]) or None, int(long.at[index, "period@col"]) or None,
                         hint="if it is a quarter of the financial year, write it as the others are (or correct it "
                              "with replace: {period: {'" + text + "': '...'}} in the source); if it is the calendar "
                              "quarter, accept this warning")


def _warn_of_part_periods(long: pd.DataFrame, raw: pd.Series, days: dict[str, date], parsed: dict, path,
                          problems: Problems, period_type: str, one_series: bool = False) -> None:
    """A file of rows dated by the day, read as months (or quarters, years), whose dates begin well
    into the first or end well before the end of the last: that period is published as a whole
    month of figures though the export holds part of it (Los Angeles' 311 requests of 27 to 31
    December 2017 read 'There were 4,404 transactions in December 2017'). Not where each period's
    rows carry one date (01/04/2023 for April): that is how the file names its months.
    ``one_series``: a pattern's files (a quarter's payments each), judged together."""
    files = long["@file"] if "@file" in long and not one_series else pd.Series(str(path), index=long.index)
    dated = raw.map(days)
    kind = {"financial_year": "year", "financial_quarter": "quarter"}.get(period_type, period_type)
    for file, on in dated[dated.notna()].groupby(files[dated.notna()], sort=False):
        if len(on) < PART_PERIOD_ROWS:
            continue  # too few to say how the dates usually fall
        periods = raw[on.index].map(parsed)
        if on.groupby(periods.map(lambda p: p.key)).nunique().max() < 2:
            continue  # each period dated by one day: the file's way of naming it
        # Against the file's usual spacing of its dates: a funeral every few weeks may first fall on
        # 20 January; requests every day that begin on the 27th are an export of part of the month.
        distinct = sorted(set(on))
        usual = (distinct[-1] - distinct[0]).days / (len(distinct) - 1) if len(distinct) > 1 else 0
        for day, says in ((on.min(), "begin"), (on.max(), "end")):
            index = on.index[on.eq(day).to_numpy().argmax()]
            period = parsed[raw[index]]
            short = (day - period.start).days if says == "begin" else (period.end - day).days
            if short < max(PART_PERIOD_DAYS, 3 * usual):
                continue
            problems.warning(_file(long, index, path), f"the rows {says} on {date_label(day)}, so {period.label} "
                             f"is published as a whole {kind} of figures but holds only part of one",
                             int(long.at[index, "period@line"]) or None, int(long.at[index, "period@col"]) or None,
                             hint=f"export whole {kind}s, or leave that {kind}'s rows out with exclude: or filter: "
                                  f"in the file's source; if there were none {'before' if says == 'begin' else 'after'}"
                                  f" {date_label(day)}, accept this warning")

_DAYS_OF = {"month": 31, "quarter": 92, "financial_quarter": 92, "year": 366, "financial_year": 366, "week": 7,
            "week_ending": 7}  # the most days a period_type: period has


def _a_kind(period: Period) -> str:
    """'a year', 'a financial year', 'a quarter', 'a month', or 'a range' for what it is."""
    kind = {"financial_year": "financial year", "financial_quarter": "quarter"}.get(period.kind, period.kind)
    return f"a {kind}" if kind in ("year", "financial year", "quarter", "month", "week") else "a range of dates"


def _impossible_date_hint(cell: str) -> str:
    """The fix, with the cell's own text as replace:'s key: replace: matches a cell's whole text, so
    an example of another form ('2015-02-30' for '02/30/2015 10:00:00 AM') changed nothing."""
    quoted = yaml_scalar(cell)
    return ("correct the cell in the file (a typo, or a date typed by hand?), or fix a one-off with replace: "
            f"in the source, e.g. replace: {{period: {{{quoted}: 'the right date'}}}}")

_WHOLE = (("month", 1, lambda p, fy: True), ("quarter", 3, lambda p, fy: p.start.month % 3 == 1),
          ("year", 12, lambda p, fy: p.start.month == 1), ("financial_year", 12, lambda p, fy: p.start.month == fy))


def _ranges_as_whole_periods(parsed: dict[str, Period | None], fy_start: int) -> None:
    """Read a file's ranges as quarters ('Jan-Mar 2024', 'Apr-Jun 2024'...), or months or (financial)
    years, when every range in it is one: then they get that kind's gap checks and keys, and sit
    with 'Q1 2024' and the like. A file with any other range (rolling years ending each quarter,
    rolling three months) keeps them all as ranges, one kind of period."""
    ranges = [p for p in parsed.values() if p is not None and p.kind == "range"]
    if not ranges:
        return
    for kind, months, aligned in _WHOLE:
        if all(p.start.day == 1 and p.months == months and aligned(p, fy_start) for p in ranges):
            for text, p in parsed.items():
                if p is not None and p.kind == "range":
                    parsed[text] = Period(p.start, p.end, kind)
            return


_LONG_MONTHS = [name for name in MONTHS if len(name) > 3]  # 'Febuary' is close to 'february', not to 'feb'


def _month_mistyped(text: str, fy_start: int) -> str | None:
    """``text`` with a misspelt month name put right, if that makes it a period ('Febuary 2024' ->
    'February 2024'); else None. A tester's 'Febuary 2024' was told only the list of forms."""
    changed, fixed = False, []
    for word in re.split(r"(\W+)", text):
        close = difflib.get_close_matches(word.lower(), _LONG_MONTHS, n=1, cutoff=0.75) \
            if word.isalpha() and word.lower() not in MONTHS else []
        if close:
            changed = True
            word = MONTH_NAME[MONTHS[close[0]]]
        fixed.append(word)
    meant = "".join(fixed)
    return meant if changed and _is_period(meant, fy_start) else None


def _is_period(text: str, fy_start: int) -> bool:
    try:
        parse_period(text, fy_start)
        return True
    except PeriodError:
        return False


def _parse_channels(long: pd.DataFrame, path, config: Config, problems: Problems,
                    source: Source | None = None, no_figures: pd.Series | None = None) -> pd.Series:
    if "channel" not in long:
        return pd.Series("", index=long.index, dtype=object)
    lookup = config.channel_lookup()
    raw = long["channel"].astype(str).str.strip()
    known = {}
    for text in raw.unique():  # a handful of distinct spellings, however many rows
        key = normalise_channel(text)
        # '% online' is a row of shares, not the online channel (its percentages had been read as counts).
        known[text] = "" if key in _ALL_CHANNELS else None if "%" in text else lookup.get(key)
    channels = raw.map(known)
    hint = (f"use one of: {', '.join(c.id for c in config.channels)} "
            "(or add it, or an alias for it, to channels in config.yaml)")
    bad = long.index[channels.isna()]
    if not len(bad):
        return channels
    constant = source.values["constants"].get("channel") if source is not None else None
    cols = long.get("channel@col")
    spellings = {name: c.id for c in config.channels for name in (c.id, c.label, *c.aliases)}

    def close_to(text: str) -> str:
        close = difflib.get_close_matches(text, list(spellings), n=1, cutoff=0.6)
        return f"did you mean '{close[0]}' ({spellings[close[0]]})? " if close else ""

    if constant is not None and (cols is None or not cols[bad].any()):  # one slip in config.yaml, not one a row
        problems.error(config.path, f"'channel' is not a channel in config.yaml: '{constant}'",
                       *source.where("constants", "channel"), hint=close_to(str(constant)) + hint)
        return channels
    # One text in one column is told once, with how many more lines have it (as periods are). A line
    # with no figures (a footer, 'Source: Avaya CMS') is passed over with a warning, as a footer in
    # the period column is; one with figures is an error.
    mapped = (source.values.get("columns") or {}).get("channel") if source is not None else None
    column = mapped if isinstance(mapped, str) and "{" not in mapped else "channel"  # the heading exclude: names
    empty = no_figures.reindex(bad).fillna(False).to_numpy(dtype=bool) if no_figures is not None else False
    places = pd.DataFrame({"text": raw[bad], "col": cols[bad] if cols is not None else 0,
                           "file": [_file(long, index, path) for index in bad], "empty": empty,
                           "line": long.loc[bad, "@line"]}, index=bad)
    for (text, _, _, blank), rows in places.groupby(["text", "col", "file", "empty"], sort=False):
        index, more = rows.index[0], rows["line"].nunique() - 1
        named = f"'channel' (column '{column}')" if column.strip().lower() != "channel" else "'channel'"
        said = f"{named} is not a channel in config.yaml: '{raw[index]}'" + (
            f" (and {more} more row{'s' if more > 1 else ''} with it)" if more else "")
        if blank:
            problems.warning(_file(long, index, path), said + ", and its row has no figures: passed over",
                             *_where(long["@line"], cols, index), hint=f"drop such rows with exclude: "
                             f"{{{yaml_scalar(column)}: {yaml_scalar(text)}}} in the source")
            continue
        share = "%" in text
        problems.error(_file(long, index, path), said + (": a row of percentages, not counts" if share else ""),
                       *_where(long["@line"], cols, index),
                       hint=(f"leave it out with exclude: {{{yaml_scalar(column)}: {yaml_scalar(text)}}} in the "
                             "source; take-up is worked out from the counts"
                             if share else close_to(raw[index]) + hint))
    return channels


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _says_nothing(long: pd.DataFrame, measures, missing: set[str]) -> pd.Series:
    """The rows whose every figure is blank or a missing-data marker.

    Column by column, over the rows still in question: nearly every row has a number in its
    first column, so the others are hardly read. A cell that is a plain number (found in one C
    pass) is not a marker, unless some marker is a number; only the rest are stripped and
    lower-cased, which for every cell of every column was a tenth of reading a large site."""
    numeric = any(_is_number(x) for x in missing)
    rest = np.ones(len(long), dtype=bool)
    for col in measures:
        if not rest.any():
            break
        cells = long[col].astype(str)[rest]
        check = np.ones(len(cells), dtype=bool) if numeric else \
            ~np.isfinite(pd.to_numeric(cells, errors="coerce").to_numpy(dtype=float, na_value=np.nan))
        marked = np.zeros(len(cells), dtype=bool)
        marked[check] = cells[check].str.strip().str.lower().isin(missing).to_numpy()
        rest[rest] = marked
    return pd.Series(rest, index=long.index)


def _in_data_folder(path, config: Config) -> str:
    """A file's name as a source's file: gives it, from the data folder (sub/a.csv)."""
    try:
        return Path(path).resolve().relative_to(config.data_dir.resolve()).as_posix()
    except (ValueError, OSError):
        return Path(str(path)).name


def _added_terms(long: pd.DataFrame, col: str, terms: list[tuple[float, str]], values: pd.Series, flags: pd.Series,
                 path, problems: Problems, parse, count: bool) -> tuple[pd.Series, pd.Series]:
    """A figure worked out from columns ('{Attendances} - {Breaches}'): each further column read as the
    figure's own would be (its bad cells told at their column), then added or taken away. A row with
    any term blank has no figure; a count that comes out below zero is an error at the row."""
    first = long[f"{col}@col"]
    for sign, term in terms:
        more, more_flags = parse(long.assign(**{col: long[term], f"{col}@col": long[f"{term}@col"]}))
        values = values + sign * more
        flags = flags | more_flags
    if count:
        below = values < 0
        for index in long.index[below]:
            problems.error(_file(long, index, path), f"'{col}' comes out below zero on this row ({values[index]:g}): "
                           "it is worked out from columns, and the ones taken away are larger",
                           *_where(long["@line"], first, index),
                           hint="check the row's figures, and which columns columns: adds and takes away")
        values = values.where(~below)
    return values, flags


def parse_long(rows: LongRows, path, config: Config, source: Source | None, problems: Problems) -> pd.DataFrame:
    """Typed tidy rows from text rows: periods, channels and numbers, every bad cell located."""
    long = rows.frame
    out = pd.DataFrame(index=long.index)
    out["service"] = long["service"].astype(str).str.strip() if "service" in long else ""
    period_type = source.values["period_type"] if source else None
    missing = set(MISSING) | ({str(x).strip().lower() for x in source.values["missing"]} if source else set())
    markers = source.values["not_requested"] if source and source.values["not_requested"] is not None \
        else config.not_requested
    not_requested = {str(x).strip() for x in markers if str(x).strip()}
    no_figures = _says_nothing(long, rows.measures, missing)
    # The hint for a no-data mark names the file as a source would: its own (files of one layout are
    # read together, so not ``path``, the first of them: a review), unless it has a source.
    source_of_file = (source.file if source else None, config.data_dir)
    if len(long) and "@line" in long:  # a line's rows (a wide file's, one per channel) have figures if any has
        lines = [long["@file"], long["@line"]] if "@file" in long else [long["@line"]]
        no_figures = no_figures.groupby(lines, sort=False).transform("all").astype(bool)
    constant = source.values["constants"].get("period") if source else None
    if constant is not None and not _is_period(str(constant).strip(), config.financial_year_start):
        problems.error(config.path, f"'period' is not a period I recognise: '{constant}'",  # once, where it is written
                       *source.where("constants", "period"), hint="use a month (2024-03, Mar 2024), a quarter "
                       "(2024-Q1), a financial year (2023/24) or another form the guide lists")
        out["period"] = None
    else:
        out["period"] = _parse_periods(long, path, problems, config.financial_year_start, period_type, no_figures,
                                       source.values.get("dates") if source else None, rows.headings,
                                       bool(source and "{" in str((source.values["columns"] or {}).get("period", ""))),
                                       tidy_file=None if source is not None else _in_data_folder(path, config),
                                       one_series=source is not None and is_pattern(source.file),
                                       selected=bool(source is not None and source.values["filter"]))
    good_period = out["period"].notna()
    out["channel"] = _parse_channels(long[good_period | ~no_figures], path, config, problems,
                                     source, no_figures).reindex(long.index)
    fraction = bool(source and source.values["percentages"] == "fraction")
    # A row of shares ('% online', told above) is not read for figures: its '36.1%' are not counts.
    shares = out["channel"].isna() & long["channel"].astype(str).str.contains("%", regex=False) \
        if "channel" in long else None
    figured = long[~shares] if shares is not None and shares.any() else long
    nr = {kpi: pd.Series(False, index=long.index) for kpi in NR_KPIS}
    declared = {x.id: x.unit for x in config.measures}
    scale = {str(k): float(v) for k, v in (source.values.get("multiply") or {}).items()} if source else {}
    told: set[tuple] = set()  # cells already reported: one column mapped to two fields is told once
    for col in config.measure_ids:
        if col in rows.measures:
            def parse(frame: pd.DataFrame, col=col) -> tuple[pd.Series, pd.Series]:
                scratch = Problems(root=problems.root)
                values = _parse_numbers(frame, col, path, scratch, missing, not_requested, fraction, rows.headings,
                                        declared.get(col), scale.get(col, 1), source_of_file)
                for problem in scratch.items:  # a column read for two fields (or terms): its cells told once
                    where = (problem.path, problem.line, problem.column, problem.level)
                    if problem.column is None or where not in told:
                        told.add(where)
                        problems._add(problem)
                return values

            out[col], flags = parse(figured)
            terms = term_columns(long.columns, col)
            if terms:
                out[col], flags = _added_terms(long, col, terms, out[col], flags, path, problems, parse,
                                               declared.get(col) == "count" or col in COUNTS)
            if col in KPI_OF_MEASURE:
                nr[KPI_OF_MEASURE[col]] |= flags
        else:
            out[col] = np.nan
    out["has_tx"] = long["@has_tx"].astype(bool).to_numpy() if "@has_tx" in long else "transactions" in rows.measures
    for kpi, flags in nr.items():
        out[f"nr_{kpi}"] = flags.to_numpy()
    out["line"] = long["@line"].to_numpy()
    if "@file" in long:
        out["@file"] = long["@file"].to_numpy()
    if "@blank_period" in long:  # a wide file's blank period (sources.to_long): judged by generator.data
        out["@blank_period"] = long["@blank_period"].astype(bool).to_numpy()
    out["service_col"] = long["service@col"].to_numpy() if "service@col" in long else 0
    out["period_line"] = long["period@line"].to_numpy()
    out["period_col"] = long["period@col"].to_numpy()
    # For a service's two rows of one period that differ: how each wrote it, and where each figure is.
    out["@period_text"] = long["period"].astype(str).str.strip().to_numpy() if "period" in long else ""
    # And how each wrote its channel: two spellings of one channel (its aliases) in a period are parts of it.
    if "channel" in long:
        raw = long["channel"].astype(str)
        out["@channel_text"] = raw.map({text: normalise_channel(text) for text in raw.unique()}).to_numpy()
    for col in rows.measures:
        if f"{col}@col" in long:
            out[f"@{col}@col"] = long[f"{col}@col"].to_numpy()
    read = [col for col in rows.measures if col in out]
    empty = out[read].isna().all(axis=1) if read else pd.Series(False, index=long.index)
    if empty.any() and not (source is not None and source.values["wide"]):
        # A row whose only cells are withheld ('[c]', '..'): a figure not published, so its period is
        # one of the service's, at either end (data._without_empty_ends), as in a wide file (a review).
        quiet = long[empty.to_numpy(dtype=bool)]
        withheld = pd.Series(False, index=quiet.index)
        for col in rows.measures:
            if col in quiet:
                withheld |= quiet[col].astype(str).str.strip().str.lower().isin(WITHHELD)
        if withheld.any():
            out["@withheld"] = withheld.reindex(long.index, fill_value=False).to_numpy()
    if source is not None and source.values["wide"]:
        # A wide file's marked cells ('[c]', '..'): a figure withheld, not a period outside the series.
        # A cell written as nothing (NOT_THERE) rather than left empty: before a channel's first
        # figure or after its last, the file says the channel was not there (see data._outside_each_series).
        marked, nil = np.zeros(len(long), dtype=bool), np.zeros(len(long), dtype=bool)
        for col in rows.measures:
            if col in out:
                text = long[col].astype(str).str.strip().str.lower()
                withheld = text.isin(WITHHELD)
                marked |= withheld.to_numpy()
                nil |= (text.isin(NOT_THERE) & text.isin(missing)).to_numpy()
        out["@marked"], out["@nil"] = marked, nil
        if "channel@col" in long:
            out["channel_col"] = long["channel@col"].to_numpy()
    _check_rows(out, long, path, problems)
    return out[out["period"].notna() & out["channel"].notna()]


def _check_rows(out: pd.DataFrame, long: pd.DataFrame, path, problems: Problems) -> None:
    """Row-level sense checks that are warnings: the figures may still be right."""
    over = out["digital_transactions"] > out["transactions"]
    for index in out.index[over]:
        problems.warning(_file(long, index, path),
                         f"more digital transactions ({out.at[index, 'digital_transactions']:,.0f}) "
                         f"than transactions ({out.at[index, 'transactions']:,.0f})",
                         *_where(long["@line"], long.get("digital_transactions@col"), index),
                         hint="check the two columns; digital take-up is shown as over 100%")
    on_channel = out["digital_transactions"].notna() & out["channel"].fillna("").ne("")
    for index in out.index[on_channel]:
        problems.warning(_file(long, index, path), "'digital_transactions' is only read on rows for all channels together; "
                         "on a channel's row it is ignored", *_where(long["@line"],
                                                                     long.get("digital_transactions@col"), index),
                         hint="per-channel rows already say which transactions are digital")
    out.loc[on_channel, "digital_transactions"] = np.nan
    _warn_of_free_transactions(out, long, path, problems)
    both = out["completed"] > out["started"]
    for index in out.index[both]:
        problems.warning(_file(long, index, path), f"more completed ({out.at[index, 'completed']:,.0f}) than started "
                         f"({out.at[index, 'started']:,.0f})",
                         *_where(long.get("completed@line", long["@line"]), long.get("completed@col"), index),
                         hint="check the started and completed columns are not swapped")


def _warn_of_free_transactions(out: pd.DataFrame, long: pd.DataFrame, path, problems: Problems) -> None:
    """A cost of 0 on a row of all channels' transactions: once a file, at its first such row. The
    Transactions Explorer published £0.00 a transaction beside 7,551 for a year (a cost not known,
    written as nothing), and the site told a fall to it as 'down 100%, better', with no word. Not a
    channel's row: online may cost nothing of its own beside phone's £120 (Excel's ' £ -   ')."""
    free = out["transactions"].gt(0) & (out["cost"].eq(0) | out["cost_per_transaction"].eq(0)) \
        & out["channel"].fillna("").eq("")
    if not free.any():
        return
    files = long["@file"] if "@file" in long else pd.Series(str(path), index=long.index)
    for file, rows in out[free].groupby(files[free], sort=False):
        first = rows.index[0]
        field = "cost_per_transaction" if out.at[first, "cost_per_transaction"] == 0 else "cost"
        more = f" (and on {len(rows) - 1} other row(s) of the file)" if len(rows) > 1 else ""
        problems.warning(file, f"{field} is 0 for {out.at[first, 'transactions']:,.0f} transactions{more}",
                         *_where(long.get(f"{field}@line", long["@line"]), long.get(f"{field}@col"), first),
                         hint="a cost of 0 is published as it is, and a fall to it as 100% better: if the cost "
                              "is not known, leave the cell blank")


CUMULATIVE = 3  # ranges from one start to different ends, at least, for a file to be of running totals


def _range_lengths(tidy: pd.DataFrame, path, problems: Problems) -> bool:
    """Warn about a rolling range whose length differs from the file's usual one (a likely typo).
    True, with an error, if the file's ranges are running totals from one start ('2021/22 Q1 -
    2021/22 Q3', then '... - 2021/22 Q4': Fingertips' cumulative figures), which no sum of periods
    can use: a year of them would count the first quarter four times."""
    ranges = tidy[period_attr(tidy["period"], lambda p: p.kind == "range").astype(bool)]
    if not len(ranges):
        return False
    starts = period_attr(ranges["period"], lambda p: p.start)
    first = starts.mode().iloc[0]
    running = ranges[starts.eq(first).to_numpy()]
    if period_attr(running["period"], lambda p: p.end).nunique() >= CUMULATIVE and len(running) * 2 > len(ranges):
        row = running.iloc[-1]
        problems.error(path, f"the periods here are running totals: each runs from {date_label(first)} to a later "
                       f"date ('{row['period'].label}'), so each figure counts the ones before it again",
                       int(row["period_line"]), int(row["period_col"]) or None,
                       hint="use a file with a figure for each period (each quarter's own); to publish only the "
                            "latest running total, keep its rows with filter: on the period column")
        return True
    months = period_attr(ranges["period"], lambda p: round(p.months))
    usual = months.mode().iloc[0]
    odd = ranges[months != usual].drop_duplicates(["period", "period_line", "period_col"])
    services = ranges["service"] if "service" in ranges else pd.Series("", index=ranges.index)
    # A file of rolling years (periods of the usual length that overlap each other, for any service)
    # overlaps anyway: an odd one there is only told. Decided for the file, not the service (one with
    # a half year and one rolling year had failed).
    def overlap(periods) -> bool:
        ordered = sorted(set(periods), key=lambda p: p.start)
        return any(b.start <= a.end for a, b in zip(ordered, ordered[1:]))

    usual_of = ranges["period"][(months == usual).to_numpy()]
    file_rolls = overlap(usual_of)
    for index, row in odd.iterrows():
        # One that overlaps the service's other periods (a year's total among its four-week periods, or
        # an end date's typo running into the next) would have its figures counted twice in every sum
        # over them: an error (a tester's cost report counted 24 months in a year).
        period = row["period"]
        same = ranges[(services == services[index]).to_numpy() & (ranges["period"] != period).to_numpy()]
        overlapping = {p for p in same["period"] if p.start <= period.end and period.start <= p.end}
        # Rolling years overlap anyway: judged by the service's own periods of the usual length, or, with
        # fewer than two (a half year beside one rolling year), by the file's.
        own = [p for p in same["period"] if round(p.months) == usual]
        rolling = overlap(own) if len(set(own)) >= 2 else file_rolls
        if overlapping and not rolling:
            problems.error(path, f"period '{period.label}' covers {round(period.months)} months, but most "
                           f"periods here cover {usual}, and it overlaps {len(overlapping)} of them, so their "
                           "figures would be counted twice", int(row["period_line"]), int(row["period_col"]) or None,
                           hint="if it is a total of other rows, leave it out with exclude: in the file's source; "
                                "if its dates are a typo, correct them with replace: {period: {'wrong': 'right'}}")
            continue
        problems.warning(path, f"period '{period.label}' covers {round(period.months)} months, "
                         f"but most periods here cover {usual}", int(row["period_line"]),
                         int(row["period_col"]) or None,
                         hint="if it is a typo, correct it with replace: {period: {'wrong': 'right'}} "
                         "in the file's source in config.yaml")
