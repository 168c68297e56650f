"""Read services' CSV files into one tidy frame, reporting every bad cell with its line and column.

The tidy frame has one row per service, period and channel (``""`` for a row
that covers all channels together)::

    service, period (Period), channel, <measures...>, has_tx, nr_<kpi>..., line

A file is read as text with its true line numbers, reshaped by its source
mapping (:mod:`generator.sources`; a file without one is in the tidy format),
then parsed in bulk, one pandas pass per column. A cell that is not a number
is an error naming ``file:line:column``, the column, the value and what would
be accepted. Blank and "no data" markers stay missing (NaN), never zero; "not
requested" markers are missing too, but flagged so pages can say so.
"""

from __future__ import annotations

import calendar
import csv
import difflib
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from generator.config import Config, normalise_channel, source_of
from generator.content import DataRef, Service
from generator.errors import Problems
from generator.formatting import date_label
from generator.measures import (ALL_CHANNELS, COUNTS, KEYS, KPI_OF_MEASURE, MEASURES, MISSING,
                                PERCENTAGES, RATINGS)
from generator.periods import (FINANCE_PERIOD, Period, PeriodError, impossible_date, month_span, parse_period,
                               period_attr, period_in_name, snap)
from generator.paths import is_pattern, matching
from generator.sources import (COLUMN_IN_FILE, VIRTUAL, LongRows, Source, _column_key, duplicate_headings,
                               headings_of, looks_like_a_total, to_long)

NUMERIC = MEASURES  # kept for callers that think of the measures as "the numeric columns"
NR_KPIS = tuple(dict.fromkeys(KPI_OF_MEASURE.values()))
STEP_MONTHS = {"month": 1, "quarter": 3, "financial_year": 12, "year": 12}  # months between regular periods
_ALL_CHANNELS = {normalise_channel(c) for c in ALL_CHANNELS}

__all__ = ["NUMERIC", "RATINGS", "load_data", "read_csv_text", "empty_frame", "RawFiles"]


def _line_of_byte(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


@dataclass
class RawFile:
    frame: pd.DataFrame  # text cells, original headings, plus "@line"
    header_line: int


class RawFiles:
    """Each file is read once per way of reading it, however many services and stages use it."""

    def __init__(self):
        self._cache: dict[tuple, RawFile | None] = {}

    def get(self, path: Path, problems: Problems, source: Source | None, file: str | None = None) -> RawFile | None:
        """The file's text cells; for a source whose file is a pattern (``ae/*.csv``), every file it
        matches, read the same way, one after another, each row knowing its own file. ``file`` is the
        path as config.yaml would name it (from the data folder), for hints."""
        options = (source.values["encoding"], source.values["delimiter"], source.values["header_row"]) \
            if source else ("utf-8", ",", 1)
        key = (str(path), *options)
        if key not in self._cache:
            named = bool(_words_of(source) & set(VIRTUAL))  # the source reads {file name} or {file period}
            pattern = source.file if source is not None else _pattern_of(Path(path))
            file = source.file if source is not None else file
            if pattern and is_pattern(pattern):
                parts = [(match, read_csv_text(match, problems, *options, hint_config=source is None, file=file))
                         for match in matching(_data_dir(path, pattern), pattern)]
                self._cache[key] = _one_of_many(parts, problems, source) if parts and all(raw for _, raw in parts) \
                    else None
            else:
                raw = read_csv_text(path, problems, *options, hint_config=source is None, file=file)
                self._cache[key] = _with_file_columns(raw, path) if raw is not None and named else raw
        return self._cache[key]


def _data_dir(path: Path, pattern: str) -> Path:
    """The data folder, from a pattern's path (data_dir / pattern)."""
    depth = len(Path(pattern).parts)
    return Path(path).parents[depth - 1]


def _pattern_of(path: Path) -> str | None:
    """The pattern part of a path (``calls/*.csv`` of ``data/calls/*.csv``), if it has one."""
    parts = path.parts
    first = next((i for i, part in enumerate(parts) if is_pattern(part)), None)
    return None if first is None else str(Path(*parts[first:]))


def _words_of(source: Source | None) -> set[str]:
    """The headings a source names (in columns:, filters and the templates of what it makes), as
    column keys."""
    if source is None:
        return set()
    values = source.values
    texts = [str(v) for v in values["columns"].values()]
    texts += [str(k) for key in ("filter", "exclude") for k in values[key]]
    for block in [values["services"] or {}, *values["organisations"]]:
        texts += [str(v) for k, v in block.items() if isinstance(v, str)]
    stacked = values.get("measures_in_rows") or {}
    texts += [str(stacked[k]) for k in ("column", "value") if stacked.get(k)]
    names = set()
    for text in texts:
        names.add(_column_key(text))
        names.update(_column_key(part) for part in re.findall(r"\{([^{}]+)\}", text))
    return names


def _with_file_columns(raw: RawFile, path: Path) -> RawFile:
    """The file's name and the period it names, as the columns 'file name' and 'file period'."""
    stem = Path(path).stem
    frame = raw.frame.assign(**{"@file name": stem, "@file period": period_in_name(stem)})
    return RawFile(frame, raw.header_line)


def _one_of_many(parts: list[tuple[Path, RawFile]], problems: Problems, source: Source | None) -> RawFile:
    """Files read as one: their rows in file order, each with its file (for messages) and its
    file's name and period (see sources.VIRTUAL). A heading the mapping names that one of the
    files lacks (renamed one month?) is an error at that file's headings, as for a single file;
    other headings may come and go (a wide file's months, a note column)."""
    named = _words_of(source)
    every = list(dict.fromkeys(h for _, raw in parts for h in headings_of(raw.frame)))
    unread = set()  # files lacking a heading the source reads: told once, and their rows not read
    for path, raw in parts:
        own = {_column_key(h) for h in headings_of(raw.frame)}
        lacking = [h for h in every if _column_key(h) not in own and _column_key(h) in named]
        if lacking:
            unread.add(path)
            shown = ", ".join(f"'{h}'" for h in lacking[:3]) + (
                f" and {len(lacking) - 3} more" if len(lacking) > 3 else "")
            own_headings = headings_of(raw.frame)
            close = difflib.get_close_matches(lacking[0], own_headings, n=1, cutoff=0.6)
            number = own_headings.index(close[0]) + 1 if close else None
            problems.error(path, f"this file has no column {shown}, which the source reads and other files of "
                           "the pattern have", raw.header_line, number,
                           hint=(f"its column {number} is headed '{close[0]}': " if close else "")
                           + "give the column the same heading in every file")
    # One heading spelt two ways across the files ('Paid Date' one quarter, 'paid_date' the next) is
    # one column, as it is within a file: under the first file's spelling, or the later files' cells
    # would be blank under a column of their own.
    spelling: dict[str, str] = {}
    for heading in every:
        spelling.setdefault(_column_key(heading), heading)
    frames = []
    for path, raw in parts:
        if path in unread and len(unread) < len(parts):  # its rows would be "no period", 2,000 times over
            continue
        frame = _with_file_columns(raw, path).frame.assign(**{"@file": str(path)})
        renames = {h: spelling[_column_key(h)] for h in headings_of(raw.frame) if spelling[_column_key(h)] != h}
        frames.append(frame.rename(columns=renames) if renames and not _clashes(frame, renames) else frame)
    places = _places_by_file(frames)
    frame = pd.concat(frames, ignore_index=True, sort=False)
    text = [c for c in frame.columns if not c.startswith("@")]
    frame = frame.fillna({c: "" for c in text})  # a new frame (assigning the columns back fragments it)
    if places:  # see sources.column_numbers; added at once (column by column fragments the frame)
        frame = pd.concat([frame, pd.DataFrame({f"{COLUMN_IN_FILE}{h}": n for h, n in places.items()},
                                               index=frame.index)], axis=1)
    return RawFile(frame, parts[0][1].header_line)


def _places_by_file(frames: list[pd.DataFrame]) -> dict[str, np.ndarray]:
    """Each row's column number for a heading that is not in the same place in every file (one
    quarter's export has a column more): a message names the cell where it is in its own file."""
    headings = [headings_of(f) for f in frames]
    every = list(dict.fromkeys(h for own in headings for h in own))
    out = {}
    for place, heading in enumerate(every, start=1):  # the combined frame numbers its columns so
        numbers = [own.index(heading) + 1 if heading in own else 0 for own in headings]
        if any(n and n != place for n in numbers):
            out[heading] = np.concatenate([np.full(len(f), n, dtype=np.int64) for f, n in zip(frames, numbers)])
    return out


def _clashes(frame: pd.DataFrame, renames: dict[str, str]) -> bool:
    """Whether renaming would give one file two columns of one name (it has both spellings)."""
    names = [renames.get(c, c) for c in frame.columns]
    return len(names) != len(set(names))


def _decode(raw: bytes, encoding: str, path, problems: Problems, hint_config: bool, delimiter: str = ",",
            file: str | None = None) -> str | None:
    """The file's text, or None with an error at the first byte the encoding cannot read: at its line
    and its cell's place in the row (as a spreadsheet numbers columns), since a byte offset means
    nothing to someone looking at the file in Excel."""
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    if codec != "utf-8-sig" and not raw.isascii():
        # A file that is valid UTF-8 with letters beyond ASCII is UTF-8, whatever its source says:
        # a month's export saved as 'CSV UTF-8' among Windows ones ('Café' read as 'CafÃ©' made a
        # second service). Windows-1252 text is almost never valid UTF-8 by chance.
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        bad = raw[exc.start:exc.start + 1]
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        before = raw[line_start:exc.start].decode(codec, errors="replace")
        problems.error(path, f"not {encoding} text (byte {bad!r}{_as_windows_text(bad)})",
                       _line_of_byte(raw, exc.start), _cell_number(before, delimiter),
                       hint=_encoding_hint(codec, hint_config, file or Path(path).name))
        return None


def _cell_number(before: str, delimiter: str) -> int:
    """The place in its row of the cell a line's text ``before`` ends in: the delimiters before it,
    not counting those inside quotes, plus one."""
    try:
        return max(len(next(csv.reader([before], delimiter=delimiter), [])), 1)
    except csv.Error:
        return before.count(delimiter) + 1


def _as_windows_text(byte: bytes) -> str:
    """What a byte reads as in a Windows (Excel) file, so the user can find it in the cell."""
    try:
        char = byte.decode("windows-1252")
    except UnicodeDecodeError:
        return ""
    return f", which is '{char}' in windows-1252" if char.isprintable() and not char.isspace() else ""


def _encoding_hint(codec: str, no_source: bool, file: str) -> str:
    """Exactly what to write: a file read as UTF-8 is most likely a Windows (Excel) export."""
    if codec != "utf-8-sig":
        return "check the encoding: set in config.yaml (utf-8 or windows-1252)"
    if no_source:
        return (f"it may be a Windows (Excel) file: add it to config.yaml as "
                f"sources: [{{file: {file}, encoding: windows-1252}}], or save it as 'CSV UTF-8' in Excel")
    return (f"it may be a Windows (Excel) file: add encoding: windows-1252 to the sources: entry for "
            f"{file} in config.yaml, or save it as 'CSV UTF-8' in Excel")


# How spreadsheet files begin: an .xlsx (or .ods) is a zip archive; an old .xls is an OLE2 document.
_SPREADSHEETS = ((b"PK\x03\x04", "a spreadsheet workbook (.xlsx or .ods)"),
                 (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls)"))


def read_csv_text(path: Path, problems: Problems, encoding: str = "utf-8", delimiter: str = ",",
                  header_row: int = 1, hint_config: bool = True, file: str | None = None) -> RawFile | None:
    """Read a CSV as text cells, with each row's true line number in the file.

    The csv module (not pandas) is used so that blank lines and quoted
    newlines do not shift line numbers, and a row with too many or too few
    cells is reported where it is. Lines before ``header_row`` are skipped.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        problems.error(path, f"cannot read file: {exc.strerror}")
        return None
    for magic, kind in _SPREADSHEETS:
        if raw.startswith(magic):  # read as text, it fails with a misleading hint about encodings
            problems.error(path, f"this is {kind}, not a CSV file",
                           hint="in Excel, use File > Save As and choose 'CSV UTF-8 (Comma delimited)'; "
                                "keep the .xlsx for yourself and point data: at the .csv")
            return None
    text = _decode(raw, encoding, path, problems, hint_config, delimiter, file)
    if text is None:
        return None
    start = text.lstrip("\ufeff \t\r\n")[:1]
    if start in ("{", "[") and Path(path).suffix.lower() in (".json", ".geojson", ".txt", ""):
        problems.error(path, "this is JSON, not a CSV file", 1,
                       hint="save the data as CSV (a spreadsheet can open JSON, or use a converter such as "
                            "jq -r '.[] | @csv'), and point data: or the source's file: at the .csv")
        return None
    quoted = '"' in text  # only a quoted cell can hold a newline, making a record span lines
    numbered = _plain_records(text, delimiter) if not quoted else None
    if numbered is None:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        numbered = ((record, reader.line_num) for record in reader)
    header, rows, lines, short = None, [], [], []
    header_line = None
    try:
        for record, line_num in numbered:
            if line_num < header_row or not "".join(record).strip():
                continue  # a title above the headings, or a blank line
            if header is None:
                header = [h.strip() for h in record]
                header_line = line_num - record_lines(record) + 1
                continue
            line = line_num - record_lines(record) + 1 if quoted else line_num
            if len(record) != len(header):
                if len(record) < len(header) or not any(c.strip() for c in record[len(header):]):
                    if 1 < len(record) < len(header):  # one cell alone is a title or a note, found later
                        short.append((line, len(record)))
                    record = (record + [""] * (len(header) - len(record)))[:len(header)]
                else:
                    problems.error(path, f"row has {len(record)} cells but the header has {len(header)}",
                                   line_num, len(header) + 1,
                                   hint="check for an extra delimiter, or quote text that contains one")
                    continue
            rows.append(record)
            lines.append(line)
    except csv.Error as exc:
        problems.error(path, f"cannot read CSV: {exc}", reader.line_num,
                       hint="check that every opening quote has a closing quote")
        return None
    if header is None:
        problems.error(path, "the file is empty" if header_row == 1 else
                       f"the file has no headings on or after line {header_row}", 1,
                       hint="a header row is needed, e.g. period,channel,transactions")
        return None
    header, rows = _named_columns(header, rows)
    short = [(line, cells) for line, cells in short if cells < len(header)]
    if short:
        (line, cells), more = short[0], len(short) - 1
        problems.warning(path, f"row has {cells} cells but the header has {len(header)}: the last "
                         f"{len(header) - cells} are read as blank"
                         + (f" (and {more} more row{'s' if more > 1 else ''} with too few cells)" if more else ""),
                         line, cells + 1, hint="check the export was not cut short; a row's missing cells are "
                         "no data (write them, empty, to silence this)")
    if not rows:
        problems.warning(path, "the file has headings but no rows", header_line,
                         hint="add a row per period")
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame["@line"] = lines
    return RawFile(frame, header_line)


def _named_columns(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """Headings every column can be found by. Spreadsheets save empty columns after the table
    ('a,b,,'): those are dropped. A column with no heading inside the table is '(column 4)', and a
    heading used twice is '<heading> (column 9)' the second time, so that a file with a repeated
    heading the mapping never reads is still read (see sources.duplicate_headings)."""
    while header and not header[-1] and not any(row[len(header) - 1].strip() for row in rows):
        header.pop()
        rows = [row[:len(header)] for row in rows]
    seen: set[str] = set()
    named = []
    for number, name in enumerate(header, start=1):
        if not name:
            name = f"(column {number})"
        elif name.lower() in seen:
            name = f"{name} (column {number})"
        seen.add(name.lower())
        named.append(name)
    return named, rows


def _plain_records(text: str, delimiter: str) -> zip | None:
    """(record, line number) for each line of a CSV with nothing for csv.reader to interpret (no
    quotes, no NUL, no carriage return but in line ends, no cell over its size limit): each line
    split at the delimiter, as csv.reader reads it, at a fraction of the cost. None otherwise."""
    if "\x00" in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if lines and max(map(len, lines)) > csv.field_size_limit():
        return None
    return zip([line.split(delimiter) for line in lines], range(1, len(lines) + 1))


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def record_lines(record: list[str]) -> int:
    """How many physical lines a record took (quoted cells may hold line breaks), counted as the CSV
    reader counts them: a lone carriage return (Lambeth's addresses) is a break too, as \\r\\n is one."""
    return 1 + sum(len(_LINE_BREAK.findall(cell)) if "\r" in cell else cell.count("\n") for cell in record)


# -- parsing text cells -------------------------------------------------------------------------------


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


def _parse_numbers(long: pd.DataFrame, col: str, path, problems: Problems, missing: set,
                   not_requested: set, fraction: bool, headings: tuple[str, ...] = (),
                   unit: str | None = None, factor: float = 1) -> tuple[pd.Series, pd.Series]:
    """Numbers from text; returns (values, not-requested flags).

    ``unit`` says how to check a declared measure ("count" and "percent" are checked as the
    built-in counts and percentages are); built-in measures are known by name.

    Plain numbers are parsed in one C pass; only the cells that fail it (blanks, markers,
    '1,234', '£3.50', '45%', '(12.00)', mistakes) go through the slower text clean-up.
    """
    raw = long[col].astype(str)
    # A row per measure (measures_in_rows): each value's own line.
    lines, cols = long.get(f"{col}@line", long["@line"]), long.get(f"{col}@col")
    direct = pd.to_numeric(raw, errors="coerce").astype(float)
    slow = ~(np.isfinite(direct) & (direct.abs() < 1e15))
    # Excel shows a number too wide for its column as 1.23E+04, and saves it so: digits are lost.
    # A lost digit leaves a round number (12300), so only those, and tiny ones, are looked at (a pass
    # over every cell's text costs a second at scale).
    odd = ~slow & (((direct.abs() >= 10) & (direct % 10 == 0)) | ((direct != 0) & (direct.abs() < 1e-3)))
    exponent = pd.Series(False, index=long.index)
    if odd.any():
        exponent[odd] = raw[odd].str.contains(r"\d[eE][+-]?\d", regex=True)
        slow |= exponent
    # Empty cells (most of a column filled for one channel only) need no clean-up either.
    empty = slow & raw.eq("")
    slow &= ~empty
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
    bad = values.isna() & ~blank
    spaced_at = pd.Series(False, index=long.index)
    spaced_at[slow] = spaced
    for index in long.index[bad]:
        if exponent[index]:
            problems.error(_file(long, index, path), f"{_name(col, cols, index, headings)} is written in "
                           f"scientific notation: '{raw[index]}', which keeps only some of its digits",
                           *_where(lines, cols, index), hint="in the spreadsheet, format the column as a number "
                           "(and widen it if it shows ####), then save it as CSV again")
            continue
        problems.error(_file(long, index, path),
                       f"{_name(col, cols, index, headings)} is not a number: '{raw[index]}'", *_where(lines, cols, index),
                       hint="a comma separates thousands (1,234); write a decimal with a point (12.34)"
                       if misplaced[index] else
                       "a space separates thousands only in groups of three (1 234 567); is this two figures "
                       "in one cell?" if spaced_at[index] else
                       ("write a number of seconds (288) or a time (00:04:48 or 4:48)" if unit == "seconds" else
                        "write a number such as 1234 or 1,234")
                       + "; leave the cell blank if there is no data"
                       + (f", or write {sorted(not_requested)[0]} if it was not requested" if not_requested else "")
                       + _marker_hint(str(raw[index])))
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
        negative = values < 0
        per_transaction = col == "cost_per_transaction"
        tell(negative, "is negative", "a cost per transaction is zero or more; leave the cell blank if there is no "
             "data" if per_transaction else "a refund or a correction? It is added in as it is; check the figure",
             error=per_transaction)
        if per_transaction:
            values = values.where(~negative)
    if unit == "percent":
        if fraction:
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
                        cols=None) -> None:
    """One warning for each file and column (``cols``: each row's) of the cells in ``mask``, at its
    first: ``says(index, more)`` gives the message and (line, column) for that cell and the count of the others."""
    if not mask.any():
        return
    files = long.loc[mask, "@file"] if "@file" in long else pd.Series(str(path), index=long.index[mask])
    columns = cols[mask] if isinstance(cols, pd.Series) else pd.Series(0, index=files.index)
    for _, cells in files.groupby([files, columns], sort=False):  # a wide file's field spans columns
        message, where = says(cells.index[0], len(cells) - 1)
        problems.warning(_file(long, cells.index[0], path), message, *where, hint=hint)


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


def _marker_hint(text: str) -> str:
    """A short mark with no digit ('-.', 'z', '~') is likely the publisher's own way of writing no
    data, on every export: say how to read it so, once for the file, rather than edit every cell."""
    text = text.strip()
    if not text or len(text) > 4 or any(c.isdigit() for c in text):
        return ""
    return f"; if '{text}' means no data in this file, add missing: ['{text}'] to its source in config.yaml"


def _parse_periods(long: pd.DataFrame, path, problems: Problems, fy_start: int,
                   period_type: str | None, no_figures: pd.Series, dates: str | None = None) -> pd.Series:
    """Periods from text. A row with no figures whose period is not a period is a note or a
    footer ('Source: ...'), so it is passed over with a warning rather than failing the build.
    ``dates``: the source's order of slashed dates (None: day first, unless it looks otherwise)."""
    raw = long["period"].astype(str).str.strip()
    parsed: dict[str, Period | None] = {}
    texts = raw.unique()
    if dates is None:
        _looks_month_first(texts, long, raw, path, problems)
    longer: dict[str, Period] = {}  # texts naming more than one period_type: period ('2017' among quarters)
    for text in texts:
        try:
            period = parse_period(_month_first(text) if dates == "month_first" else text, fy_start,
                                  financial_years=period_type == "financial_year")
            parsed[text] = snap(period, period_type, fy_start) if period_type else period
            if period_type and snap(Period(period.end, period.end, "day"), period_type, fy_start) != parsed[text]:
                longer[text], parsed[text] = period, None  # snapped to its first month, it was a year's figure
        except PeriodError:
            parsed[text] = None
    periods = raw.map(parsed)
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
    repeats: dict[tuple, int] = {}
    for index in bad.index:
        where = (raw[index], int(long.at[index, "period@col"]), _file(long, index, path), bool(no_figures[index]))
        if where in firsts:
            repeats[where] = repeats.get(where, 0) + 1
        else:
            firsts[where] = index
    for where, index in firsts.items():
        column = where[1]
        more = repeats.get(where, 0) if column else 0  # a period from no column is the file's name: told once
        also = f" (and {more} more row{'s' if more > 1 else ''} with it)" if more else ""
        where = (raw[index], int(long.at[index, "period@line"]) if column else 0, column, where[2])
        if no_figures[index]:
            problems.warning(_file(long, index, path), f"row is not read: it has no figures, and '{raw[index]}' "
                             f"is not a period (a note or a footer?){also}", where[1] or None, where[2] or None,
                             hint="drop such rows with exclude: in the file's source to silence this")
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
                           "exclude: in the file's source (its figure would be counted in its first " + kind + ")")
            continue
        if not str(raw[index]).strip():
            problems.error(_file(long, index, path), f"the period is blank{also}", where[1] or None,
                           where[2] or None, hint="the row has figures but no period: fill it in (a merged cell "
                           "in the spreadsheet?); a total row can be left out with exclude: in the file's source")
            continue
        if not column:
            hint = ("this period is in no column of the file: it comes from the file's name ({file period}) or "
                    "from the source's columns: or constants:; name each file with its period, e.g. "
                    "calls-2024-03.csv or MSitAE-MARCH-2026.csv")
        elif looks_like_a_total(raw[index]):
            hint = (f"a total or summary row? Leave it out with exclude: in the file's source, naming the "
                    f"heading of column {column} and the text in that cell (e.g. exclude: {{Quarter: Total}}); "
                    "or give the row its period")
        elif dates is None and (mt := _SLASHED.match(raw[index])) and int(mt.group(2)) > 12 >= int(mt.group(1)):
            hint = (f"'{mt.group(0)}' has {mt.group(2)} in the month's place: if the file writes dates month "
                    "first (as US systems do), add dates: month_first to its source in config.yaml")
        elif re.fullmatch(FINANCE_PERIOD + r"1[3-6]\b.*|.*\b" + FINANCE_PERIOD + r"1[3-6]", raw[index], re.I):
            hint = ("a finance system's period 13 (or later) holds year-end adjustments, not a month: leave "
                    "its rows out with exclude: in the file's source")
        elif re.fullmatch(r"[2-7]\d{4}(\.0+)?", raw[index]):  # 20000 to 79999: 1954 to 2118
            day = date(1899, 12, 30) + timedelta(days=int(float(raw[index])))
            hint = (f"this looks like a date as Excel stores it ({int(float(raw[index]))} is {day.day} "
                    f"{calendar.month_name[day.month]} {day.year}): format the column as a date in the "
                    "spreadsheet before saving it as CSV")
        elif impossible_date(raw[index], dates == "month_first"):  # a date's shape, but no such day: say why
            problems.error(_file(long, index, path), impossible_date(raw[index], dates == "month_first"),
                           where[1] or None,
                           where[2] or None, hint=_impossible_date_hint(raw[index]))
            continue
        else:
            hint = ("use a month (2024-03, Mar 2024, 03/2024), a quarter (2024-Q1, Q1 2024), a financial year "
                    "(2023-24, 2023/24), a year (2024), a date (2024-03-31), a week (2024-W10) or a range "
                    "(April 2023 to March 2024); fix a one-off typo with replace: in the source")
        problems.error(_file(long, index, path),
                       f"'period' is not a period I recognise: '{raw[index]}'{also}", where[1] or None,
                       where[2] or None, hint=hint)
    return periods


_DAYS_OF = {"month": 31, "quarter": 92, "financial_quarter": 92, "year": 366, "financial_year": 366, "week": 7,
            "week_ending": 7}  # the most days a period_type: period has


def _a_kind(period: Period) -> str:
    """'a year', 'a financial year', 'a quarter', 'a month', or 'a range' for what it is."""
    kind = {"financial_year": "financial year", "financial_quarter": "quarter"}.get(period.kind, period.kind)
    return f"a {kind}" if kind in ("year", "financial year", "quarter", "month", "week") else "a range of dates"


def _impossible_date_hint(cell: str) -> str:
    """The fix, with the cell's own text as replace:'s key: replace: matches a cell's whole text, so
    an example of another form ('2015-02-30' for '02/30/2015 10:00:00 AM') changed nothing."""
    quoted = "'" + cell.replace("'", "''") + "'"
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


def _is_period(text: str, fy_start: int) -> bool:
    try:
        parse_period(text, fy_start)
        return True
    except PeriodError:
        return False


def _parse_channels(long: pd.DataFrame, path, config: Config, problems: Problems,
                    source: Source | None = None) -> pd.Series:
    if "channel" not in long:
        return pd.Series("", index=long.index, dtype=object)
    lookup = config.channel_lookup()
    raw = long["channel"].astype(str).str.strip()
    known = {}
    for text in raw.unique():  # a handful of distinct spellings, however many rows
        key = normalise_channel(text)
        known[text] = "" if key in _ALL_CHANNELS else lookup.get(key)
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
    # One text in one column is told once, with how many more rows have it (as periods are).
    places = pd.DataFrame({"text": raw[bad], "col": cols[bad] if cols is not None else 0,
                           "file": [_file(long, index, path) for index in bad]}, index=bad)
    for _, rows in places.groupby(["text", "col", "file"], sort=False):
        index, more = rows.index[0], len(rows) - 1
        problems.error(_file(long, index, path), f"'channel' is not a channel in config.yaml: '{raw[index]}'"
                       + (f" (and {more} more row{'s' if more > 1 else ''} with it)" if more else ""),
                       *_where(long["@line"], cols, index), hint=close_to(raw[index]) + hint)
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
    constant = source.values["constants"].get("period") if source else None
    if constant is not None and not _is_period(str(constant).strip(), config.financial_year_start):
        problems.error(config.path, f"'period' is not a period I recognise: '{constant}'",  # once, where it is written
                       *source.where("constants", "period"), hint="use a month (2024-03, Mar 2024), a quarter "
                       "(2024-Q1), a financial year (2023/24) or another form the guide lists")
        out["period"] = None
    else:
        out["period"] = _parse_periods(long, path, problems, config.financial_year_start, period_type, no_figures,
                                       source.values.get("dates") if source else None)
    good_period = out["period"].notna()
    out["channel"] = _parse_channels(long[good_period | ~no_figures], path, config, problems,
                                     source).reindex(long.index)
    fraction = bool(source and source.values["percentages"] == "fraction")
    nr = {kpi: pd.Series(False, index=long.index) for kpi in NR_KPIS}
    declared = {x.id: x.unit for x in config.measures}
    scale = {str(k): float(v) for k, v in (source.values.get("multiply") or {}).items()} if source else {}
    told: set[tuple] = set()  # cells already reported: one column mapped to two fields is told once
    for col in config.measure_ids:
        if col in rows.measures:
            scratch = Problems(root=problems.root)
            out[col], flags = _parse_numbers(long, col, path, scratch, missing, not_requested, fraction,
                                             rows.headings, declared.get(col), scale.get(col, 1))
            for problem in scratch.items:
                where = (problem.path, problem.line, problem.column, problem.level)
                if problem.column is None or where not in told:
                    told.add(where)
                    problems._add(problem)
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
    out["service_col"] = long["service@col"].to_numpy() if "service@col" in long else 0
    out["period_line"] = long["period@line"].to_numpy()
    out["period_col"] = long["period@col"].to_numpy()
    # For a service's two rows of one period that differ: how each wrote it, and where each figure is.
    out["@period_text"] = long["period"].astype(str).str.strip().to_numpy() if "period" in long else ""
    for col in rows.measures:
        if f"{col}@col" in long:
            out[f"@{col}@col"] = long[f"{col}@col"].to_numpy()
    if source is not None and source.values["wide"]:
        # A wide file's marked cells ('[c]', '..'): a figure withheld, not a period outside the series.
        marked = np.zeros(len(long), dtype=bool)
        for col in rows.measures:
            if col in out:
                marked |= long[col].astype(str).str.strip().str.lower().isin(WITHHELD).to_numpy()
        out["@marked"] = marked
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
    both = out["completed"] > out["started"]
    for index in out.index[both]:
        problems.warning(_file(long, index, path), f"more completed ({out.at[index, 'completed']:,.0f}) than started "
                         f"({out.at[index, 'started']:,.0f})",
                         *_where(long.get("completed@line", long["@line"]), long.get("completed@col"), index),
                         hint="check the started and completed columns are not swapped")


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
    for _, row in odd.iterrows():
        problems.warning(path, f"period '{row['period'].label}' covers {round(row['period'].months)} months, "
                         f"but most periods here cover {usual}", int(row["period_line"]),
                         int(row["period_col"]) or None,
                         hint="if it is a typo, correct it with replace: {period: {'wrong': 'right'}} "
                         "in the file's source in config.yaml")


# -- per-service checks -------------------------------------------------------------------------------


def _gap_warning(rows: pd.DataFrame, svc: Service, path, problems: Problems) -> None:
    """Warn when a service's regular periods have holes (a month missing from a monthly series)."""
    kind = rows["period"].iloc[0].kind
    step = STEP_MONTHS.get(kind)
    if step is None:
        return
    starts = sorted({(p.start.year * 12 + p.start.month - 1) for p in rows["period"]})
    present = set(starts)
    gaps = [i for i in range(starts[0], starts[-1], step) if i not in present]
    if not gaps:
        return
    labels = [month_span(i // 12, i % 12 + 1, step, kind).label for i in gaps]
    shown = ", ".join(labels[:4]) + (f" and {len(labels) - 4} more" if len(labels) > 4 else "")
    after = rows[rows["period"].map(lambda p: p.start.year * 12 + p.start.month - 1 > gaps[0])]
    first = after.loc[after["line"].idxmin()] if len(after) else None
    file = str(first["@file"] if first is not None and "@file" in after else path)  # where the gap ends
    if (file, str(rows["service"].iloc[0])) in problems.dropped_periods:
        return  # a period told as wrong leaves a gap of its own in this service's rows: not told again
    line = int(first["line"]) if first is not None else None
    problems.warning(first["@file"] if first is not None and "@file" in after else path,
                     f"service '{svc.slug}' has no rows for {shown}", line,
                     hint="add the missing periods, with blank cells if there is no data; "
                     "gaps are shown as gaps in charts")


def _zeros_for_missing_rows(rows: pd.DataFrame, measures: tuple[str, ...], counts: frozenset) -> pd.DataFrame:
    """``missing_rows: zero``: the export leaves out a period (or a channel in a period) with nothing
    in it, so every period of a service's regular series (months, quarters, years, weeks or days)
    from its first to its last, for each of its channels, that has no row is a row of zero counts.
    Costs and rates stay no data."""
    kind = rows["_kind"].iloc[0]
    days = {"day": 1, "week": 7}.get(kind)  # a day's or a week's series: 311 requests counted by day
    step = STEP_MONTHS.get(kind) or days
    if step is None or len(set(rows["_kind"])) > 1:
        return rows
    if days:
        index = period_attr(rows["period"], lambda p: p.start.toordinal()).astype("int64")
    else:
        index = period_attr(rows["period"], lambda p: p.start.year * 12 + p.start.month - 1).astype("int64")
    grid = np.arange(int(index.min()), int(index.max()) + 1, step)
    have = set(zip(index, rows["channel"]))
    periods: dict[int, Period] = {}  # one Period for each missing start, however many channels lack it
    flags = [c for c in rows.columns if c.startswith("nr_")]
    added = []
    for channel, part in rows.groupby("channel", sort=False):
        missing = [at for at in grid.tolist() if (at, channel) not in have]
        if not missing:
            continue
        # The channel's last row, once for each missing period, then its figures set as a whole.
        block = part.iloc[[-1] * len(missing)].reset_index(drop=True)
        counted = [c for c in counts if c in part and part[c].notna().any()]
        for col in measures:
            if col in block.columns:
                block[col] = 0.0 if col in counted else np.nan
        for at in missing:
            if at not in periods:
                periods[at] = Period(date.fromordinal(at), date.fromordinal(at + step - 1), kind) if days else \
                    month_span(at // 12, at % 12 + 1, step, kind)
        block["period"] = [periods[at] for at in missing]
        block["_key"] = [periods[at].key for at in missing]
        for flag in flags:
            block[flag] = False
        added.append(block)
    if not added:
        return rows
    return pd.concat([rows, *added], ignore_index=True)


def _at(rows: pd.DataFrame, index, path):
    """The file a row came from (a source's pattern reads several), else ``path``."""
    return rows.at[index, "@file"] if "@file" in rows else path


def _tell_conflict(rows: pd.DataFrame, index, first, svc: Service, path, problems: Problems,
                   measures: tuple[str, ...], no_channel: bool) -> None:
    """An error for a service's second row of a period and channel whose figures differ from the first's.

    Written two ways ('2023/24', '2023-24'), the period is likely the slip. Written the same way, the
    cell that differs is shown: with some figures the same, it is a repeated row whose figures changed
    (a correction appended to the export); with every figure different, the rows are likely parts (a
    breakdown by channel, ward or item type, or two services sharing a name)."""
    period, channel = rows.at[index, "period"].label, rows.at[index, "channel"] or "all channels"
    first_line, line = int(rows.at[first, "line"]), int(rows.at[index, "line"])
    parts_hint = ("keep one row per period and channel for each service; if two services share a name, make "
                  "the service key unique, e.g. columns: {service: \"{Department} {Service}\"}; if the rows are "
                  "parts to add up (a breakdown by ward or item type), add combine: sum to the file's source"
                  + ("; no row names a channel: should the file have a channel column (is its heading misspelt?)"
                     if no_channel else ""))
    texts = rows["@period_text"] if "@period_text" in rows else None
    differ = [c for c in measures if c in rows and not _same_figure(rows.at[index, c], rows.at[first, c])]
    if texts is None or texts[index] != texts[first] or not differ:
        problems.error(_at(rows, index, path), f"service '{svc.slug}' has a second, different row for {period} and "
                       f"'{channel}' (the first is on line {first_line}: two ways of writing the same period?)",
                       line, int(rows.at[index, "period_col"]) or None, hint=parts_hint)
        return
    col = differ[0]
    column = int(rows.at[index, f"@{col}@col"]) if f"@{col}@col" in rows else 0
    same = [c for c in measures if c in rows and c not in differ and pd.notna(rows.at[index, c])]
    says = (f"service '{svc.slug}' has two rows for {period} and '{channel}' with different figures: "
            f"'{col}' is {_figure(rows.at[index, col])} on line {line} and {_figure(rows.at[first, col])} on line "
            f"{first_line}")
    if same:  # the rest agree: the row again, with a figure changed
        problems.error(_at(rows, index, path), says + " (a repeated row whose figures changed?)", line,
                       column or None, hint="the period is written the same way in both rows and some of their "
                       "figures agree: keep the row with the right figures and delete the other")
    else:
        problems.error(_at(rows, index, path), says, line, column or None,
                       hint="if one row repeats the other with corrected figures, keep one; otherwise " + parts_hint)


def _cell_places(rows: pd.DataFrame) -> list[str]:
    """The columns kept only to tell where two rows of a period differ (see _tell_conflict)."""
    return [c for c in rows.columns if c == "@period_text" or (c.startswith("@") and c.endswith("@col"))]


def _same_figure(a, b) -> bool:
    return (pd.isna(a) and pd.isna(b)) or a == b


def _figure(value) -> str:
    """A figure as a message shows it: 1145, not 1145.0; blank for no data."""
    if pd.isna(value):
        return "blank"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


_MIXED_HINT = ("use one kind of period per service, e.g. all months; a year's column beside months is likely a "
               "total: head it just 'Total' to skip it. '2010-11' reads as November 2010, so write financial "
               "years as 2010/11 or set period_type: financial_year in the file's source")


def _check_service_rows(rows: pd.DataFrame, svc: Service, path: Path, problems: Problems,
                        file_has_repeats: bool = True, measures: tuple[str, ...] = MEASURES,
                        zeros: frozenset = frozenset(), mixed: dict | None = None) -> pd.DataFrame:
    """Per-service checks: one kind of period, no conflicting duplicates, gaps. ``mixed`` gathers
    the services that mix kinds of period, by where the odd one is, to be told once (_tell_mixed)."""
    kinds = sorted(set(rows["_kind"]))
    if len(kinds) > 1:
        counts = rows["_kind"].value_counts()
        fewer = counts.index[-1]  # where to look; among the most common kind
        more = next(kind for kind in counts.index if kind != fewer)
        odd = rows[rows["_kind"].eq(fewer)].iloc[0]
        file = odd.get("@file", path)
        place = (file, fewer, more, int(odd["period_col"]) or None)
        if mixed is not None and place in mixed:
            mixed[place][1] += 1
        else:
            told = (f"service '{svc.slug}' mixes periods of different kinds ({', '.join(kinds)}): "
                    f"{fewer.replace('_', ' ')} '{odd['period'].label}' among {more.replace('_', ' ')}s",
                    int(odd["period_line"] or odd["line"]))
            if mixed is None:
                problems.error(file, told[0], told[1], place[3], hint=_MIXED_HINT)
            else:
                mixed[place] = [told, 0]
    keyed = rows
    if file_has_repeats and keyed.duplicated(["_key", "channel"]).any():
        repeat = keyed.duplicated(["_key", "channel", *measures], keep="first")
        if repeat.any():  # said once for the service: some publishers repeat every row many times
            index, more = keyed.index[repeat][0], int(repeat.sum()) - 1
            problems.warning(_at(keyed, index, path), f"repeated row for {keyed.at[index, 'period'].label} "
                             f"'{keyed.at[index, 'channel'] or 'all channels'}' of service '{svc.slug}' is ignored"
                             + (f" (and {more} more repeated row{'s' if more > 1 else ''})" if more else ""),
                             int(keyed.at[index, "line"]), hint="remove the repeated rows; each is read once")
        remaining = keyed[~repeat]
        conflict = remaining.duplicated(["_key", "channel"], keep="first")
        no_channel = not keyed["channel"].ne("").any()  # the channel column missing, or misspelt?
        firsts = remaining[~conflict].drop_duplicates(["_key", "channel"])
        firsts = pd.Series(firsts.index, index=pd.MultiIndex.from_frame(firsts[["_key", "channel"]]))
        for index in remaining.index[conflict]:
            key, channel = keyed.at[index, "_key"], keyed.at[index, "channel"]
            first = firsts[(key, channel)]
            _tell_conflict(keyed, index, first, svc, path, problems, measures, no_channel)
        rows = rows.loc[remaining.index[~conflict]]
    with_tx = rows[rows["has_tx"]]
    if with_tx["channel"].eq("").any() and with_tx["channel"].ne("").any():
        total = with_tx[with_tx["channel"].eq("")].iloc[0]
        problems.error(total.get("@file", path),
                       f"service '{svc.slug}' has rows per channel and also rows for all channels "
                       "together, which would count transactions twice", int(total["line"]),
                       hint="drop the total rows, e.g. with exclude: {Channel: Total} in the file's source")
    if len(kinds) == 1 and _isolated_period(rows, svc, path, problems):
        return rows  # its gap of years is not worth a warning (nor, with missing_rows: zero, years of zeros)
    if len(kinds) == 1 and zeros:
        rows = _zeros_for_missing_rows(rows, measures, zeros)
    elif len(kinds) == 1:
        _gap_warning(rows, svc, path, problems)
    return rows


ISOLATED_YEARS = 5


def _isolated_period(rows: pd.DataFrame, svc: Service, path, problems: Problems) -> bool:
    """A month or quarter years away from all of a service's others ('Feb-30' among Oct-13 to
    Mar-14) is a typo in its year: published, it is a figure for February 2030 and a chart
    stretched over sixteen empty years; the gap warning alone named none of it. Said at the period
    (a wide file's heading), if one or two periods stand at least five years from three or more
    (and from at least twice as many); instead of a gap warning."""
    kind = rows["period"].iloc[0].kind
    if kind not in ("month", "quarter"):  # a baseline year long before the rest can be real
        return False
    index = period_attr(rows["period"], lambda p: p.start.year * 12 + p.start.month - 1).astype("int64")
    starts = sorted(set(index))
    if len(starts) < 4:
        return False
    steps = [b - a for a, b in zip(starts, starts[1:])]
    widest = max(range(len(steps)), key=steps.__getitem__)
    if steps[widest] < 12 * ISOLATED_YEARS:
        return False
    before, after = starts[:widest + 1], starts[widest + 1:]
    alone, others = (before, after) if len(before) < len(after) else (after, before)
    if len(alone) > 2 or len(others) < max(3, 2 * len(alone)):
        return False
    odd = rows[index.isin(alone).to_numpy()]
    first = odd.loc[odd["line"].idxmin()]
    label = lambda at: month_span(at // 12, at % 12 + 1, STEP_MONTHS[kind], kind).label  # noqa: E731
    years = round(min(abs(a - b) for a in alone for b in others) / 12)
    # After the others, it is a typo (or a future that has not happened): an error. Before them, it may
    # be a real pilot month: a warning, which accepted_warnings: can accept.
    tell = problems.error if alone is after else problems.warning
    tell(_at(odd, first.name, path),
                   f"period {first['period'].label} is {years} years {'after' if alone is after else 'before'} "
                   f"the other periods of service '{svc.slug}' ({label(others[0])} to {label(others[-1])}): "
                   "a typo in its year?", int(first["period_line"] or first["line"]),
                   int(first["period_col"]) or None,
                   hint="correct it in the file, or with replace: {period: {'wrong': 'right'}} in the file's "
                        "source in config.yaml (in a file with periods across, the heading)")
    return True


def _merge_sources(frames: list[pd.DataFrame], svc: Service, problems: Problems,
                   measures: tuple[str, ...] = MEASURES) -> pd.DataFrame:
    """Rows for one service from several files: measures for the same period and channel are combined."""
    rows = pd.concat(frames, ignore_index=True)
    rows["_key"] = period_attr(rows["period"], lambda p: p.key)
    grouped = rows.groupby(["_key", "channel"], sort=False)
    counts = grouped[list(measures)].nunique()
    for (key, channel), row in counts[(counts > 1).any(axis=1)].iterrows():
        measure = row.index[row > 1][0]
        problems.error(svc.path, f"service '{svc.slug}' has two different values of {measure} for {key} "
                       f"'{channel or 'all channels'}' in its data files", *svc.positions.at(("data",)),
                       hint="give each measure in one file only")
    merged = grouped.first()
    merged["has_tx"] = grouped["has_tx"].any()
    for kpi in NR_KPIS:
        merged[f"nr_{kpi}"] = grouped[f"nr_{kpi}"].any()
    merged["line"] = grouped["line"].min()
    return merged.reset_index().drop(columns="_key")


def _unused_rows(parsed: pd.DataFrame, groups: dict, used: set[str], path, problems: Problems,
                 totals_told: bool = False, through: str | None = None) -> None:
    """Rows no service reads are reported, so a typo in a service column never loses figures quietly
    (``totals_told``: services are made from the rows, and a total row's was left out with its own warning).
    Each at the first row's own file (not a pattern, whose line 2 could be in any of its files), and
    ``through`` the source that read them, where more than one source reads that file."""
    for key, rows in groups.items():
        if key in used or totals_told and key and looks_like_a_total(key):
            continue
        first = rows.iloc[0]
        file = first["@file"] if "@file" in rows.columns and first["@file"] else path
        where = (int(first["line"]), int(first["service_col"]) or None)
        if not key:
            problems.warning(file, f"{len(rows)} row(s) have no service, so they are not read", *where,
                             hint="fill in the service column, or drop the rows with exclude: in the source")
            continue
        similar = [k for k in used if k[:1].lower() == key[:1].lower()]
        close = difflib.get_close_matches(key, similar, n=1)
        problems.warning(file, f"no service reads the rows for '{key}' ({len(rows)} row(s))"
                         + (f" through source '{through}'" if through else ""), *where,
                         hint=f"is it a misspelling of '{close[0]}'?" if close else
                         "add a service with data: {file: ..., service: ...} for it, or drop the rows with "
                         "filter: or exclude: in the file's source")


def _header_problems(config: Config, source: Source | None, file: str, raw: RawFile, path,
                     problems: Problems) -> bool:
    """Per-file checks of the headings of a file in the tidy format; True if it can be read."""
    if source is not None:
        return True
    headings = headings_of(raw.frame)
    keys = [_column_key(h) for h in headings]
    fields = (*KEYS, *config.measure_ids)
    for heading, number, first in duplicate_headings(headings):
        if _column_key(headings[first - 1]) in fields:  # which of the two is the figure?
            problems.error(path, f"column '{headings[first - 1]}' appears twice (as column {first} and {number})",
                           raw.header_line, number, hint="remove or rename one of them")
            return False
    for number, (heading, key) in enumerate(zip(headings, keys), start=1):
        if re.fullmatch(r"\(column \d+\)", heading) and not raw.frame[heading].str.strip().ne("").any():
            continue  # an empty column with no heading: nothing to read, nothing lost
        if key not in fields:
            close = difflib.get_close_matches(key, fields, n=1, cutoff=0.8)
            problems.warning(path, f"unknown column '{heading}' is ignored", raw.header_line, number,
                             hint=f"did you mean '{close[0]}'?" if close else
                             f"known columns: {', '.join(fields)}; a new measure is declared under "
                             "measures: in config.yaml")
    if "period" not in keys:
        problems.error(path, "missing column: period", raw.header_line,
                       hint="the header row needs at least period and a measure such as transactions "
                       f"(found: {', '.join(headings)}); or describe the file under sources: in config.yaml")
        return False
    if not set(keys) & set(config.measure_ids):
        problems.error(path, f"{file} has no measure columns (such as transactions)", raw.header_line,
                       hint=f"measures: {', '.join(config.measure_ids)}")
        return False
    return True


def _with_file(raw: RawFile, path) -> pd.DataFrame:
    """The file's rows, each naming its file (files a pattern matched already name their own)."""
    return raw.frame if "@file" in raw.frame else raw.frame.assign(**{"@file": str(path)})


def _parse_files(config: Config, source: Source | None, items: list[tuple[str, Path, RawFile]],
                 problems: Problems) -> pd.DataFrame | None:
    """Typed tidy rows for files in one layout, parsed together (one pandas pass per column for
    hundreds of files); each row keeps its file in ``@file`` for error messages."""
    frame = pd.concat([_with_file(raw, path) for _, path, raw in items], ignore_index=True) \
        if len(items) > 1 else _with_file(items[0][2], items[0][1])
    file, path, raw = items[0]
    before = len(problems.errors)
    rows = to_long(frame, raw.header_line, source, path, problems, config.channel_lookup(), normalise_channel,
                   lambda text: _is_period(text, config.financial_year_start), config.measure_ids)
    if rows is None:
        return None
    if "period" not in rows.frame or not rows.measures:
        if source is not None and len(problems.errors) == before:  # not after a mapped column was not found
            problems.error(config.path, f"{file} needs a period and at least one measure: map them under columns:",
                           *source.where("columns"), hint="for example  columns: {period: Month, transactions: Count}")
        return None
    parsed = parse_long(rows, path, config, source, problems)
    wide = source.values["wide"]["columns"] if source is not None and source.values["wide"] else ""
    if "{period}" in wide or "{channel}" in wide:
        parsed = _outside_each_series(parsed, rows.measures, after_too="{period}" in wide, problems=problems,
                                      channels={c.id: c.label for c in config.channels})
    parsed["_key"] = period_attr(parsed["period"], lambda p: p.key)
    parsed["_kind"] = period_attr(parsed["period"], lambda p: p.kind)
    if source is not None and source.values.get("combine") == "sum":
        _warn_of_repeated_records(frame, source, path, problems)
        parsed = _added_up(parsed, rows.measures, config, source, path, problems)
    if parsed["_kind"].eq("range").any():
        cumulative = [name for name, part in parsed.groupby("@file", sort=False) if _range_lengths(part, name, problems)]
        parsed = parsed[~parsed["@file"].isin(cumulative)]  # told once: not again as a mix of kinds, per service
    return parsed


# Markers of a figure that exists but is not published (suppressed, confidential, not yet
# available), as against '-', 'x' or 'n/a', which wide files also write where nothing happened.
WITHHELD = frozenset({"..", "[c]", "[x]", "[w]", "[low]", "*", "c"})


def _warn_of_repeated_records(frame: pd.DataFrame, source: Source, path, problems: Problems) -> None:
    """Rows the same in every cell, in a file whose rows are added up, where a column tells records
    apart (a transaction number, different on every other row): a payment exported twice is counted
    twice, with no other sign. (Without such a column, two loans of one library on one day are two
    rows alike, and rightly both counted.) Said once per file."""
    cells = frame[headings_of(frame)]
    hashes = pd.util.hash_pandas_object(cells, index=False)  # a row's cells as one number: one pass
    repeated = hashes.duplicated(keep="first") & cells.ne("").any(axis=1)
    if not repeated.any():
        return
    distinct = cells[~repeated]
    read = _words_of(source)  # a record's identifier is not what the source reads (its date, its unit)
    if not any(_column_key(h) not in read and distinct[h].ne("").all() and distinct[h].is_unique
               for h in distinct.columns):
        return
    files = frame["@file"] if "@file" in frame else pd.Series(str(path), index=frame.index)
    for file, rows in frame[repeated].groupby(files[repeated], sort=False):
        first = rows.index[0]
        original = hashes.index[hashes.eq(hashes[first])][0]
        more = len(rows) - 1
        problems.warning(file, f"row repeats line {int(frame.at[original, '@line'])} in every cell, and combine: sum "
                         "adds it in" + (f" (and {more} more such row{'s' if more > 1 else ''})" if more else ""),
                         int(frame.at[first, "@line"]),
                         hint="if it is one record exported twice, remove the repeat; if they are separate records "
                              "that happen to match, list this warning under accepted_warnings: in config.yaml")


def _added_up(parsed: pd.DataFrame, measures: tuple[str, ...], config: Config, source: Source, path,
              problems: Problems) -> pd.DataFrame:
    """``combine: sum``: the rows of one service, period and channel as one, their counts and costs
    added (a file broken down by ward or item type). A total needs every part: one part's blank
    makes it no data, never a smaller figure. Rates and averages cannot be added up."""
    keys = ["service", "_key", "channel"]  # not the file: a pattern's files (a ward each) add up too
    parsed = parsed.reset_index(drop=True)
    repeated = parsed.duplicated(keys, keep=False)
    if not repeated.any():
        return parsed
    additive = {*COUNTS, "cost", *(x.id for x in config.measures if x.unit in ("count", "money")
                                   and x.across_services == "sum")}
    present = [c for c in measures if c in parsed]
    for col in present:
        if col not in additive and parsed.loc[repeated, col].notna().any():
            index = parsed.index[repeated & parsed[col].notna()][0]
            problems.error(_file(parsed, index, path), f"'{col}' cannot be added up over rows for the same "
                           f"period ({parsed.at[index, 'period'].label}): it is a rate or an average",
                           int(parsed.at[index, "line"]), hint="combine: sum adds counts and costs; map only "
                           "those from this file, and let the rates be worked out from them")
            return parsed[~repeated]
    group = parsed[repeated].groupby(keys, sort=False)
    combined = parsed[repeated].drop_duplicates(keys).copy()
    index = pd.MultiIndex.from_frame(combined[keys])
    size = group.size()
    for col in present:
        total = group[col].sum(min_count=1).where(group[col].count().eq(size))
        combined[col] = total.reindex(index).to_numpy()
    for col in [c for c in parsed.columns if c.startswith("nr_")] + ["has_tx", "@marked"]:
        if col in parsed:
            combined[col] = group[col].any().reindex(index).to_numpy()
    return pd.concat([parsed[~repeated], combined]).sort_index()


NOT_BEGUN = 3  # blank periods at least, before a wide file's channel's first figure, to mean it had not begun


def _outside_each_series(parsed: pd.DataFrame, measures: tuple[str, ...], after_too: bool,
                         problems: Problems | None = None, channels: dict | None = None) -> pd.DataFrame:
    """Without the blank cells of a wide file that lie outside a series: in a file of rows they
    would simply not be there, and a blank is missing data, which costs its period its take-up,
    cost and comparison.

    With a column per channel (``after_too`` false), a channel added partway through (webchat from
    October) is blank before it began: NOT_BEGUN or more blanks before its first figure mean it had
    not begun, fewer (a first month's count not sent) stay missing. The end is not judged: blanks
    there may be figures not yet in, and the latest months must not look complete without them.

    With a column per period there is one for every period, whether or not a service ran then:
    blanks before a series' first figure, or after the service's last, are left out; in a file of
    rolling years, so are the periods a service does not report. A blank between figures, or
    a channel's blank beside other channels' figures, is still missing data.

    A cell marked as withheld ('[c]', '..': see WITHHELD) is a figure not published, never outside
    the series. A channel
    with no figure in any period beside a service's other channels is missing data too, not a
    channel that never began: its take-up would otherwise read 0.0% (told, with how to say zero).
    """
    flags = [c for c in parsed.columns if c.startswith("nr_")]
    figures = parsed[[name for name in measures if name in parsed]].notna().any(axis=1) | parsed[flags].any(axis=1)
    if "@marked" in parsed:
        figures |= parsed["@marked"]
    if figures.all():
        return parsed
    start = pd.Series(period_attr(parsed["period"], lambda p: p.start).to_numpy(), index=parsed.index)
    files = parsed["@file"] if "@file" in parsed else pd.Series("", index=parsed.index)
    known = start.where(figures)
    series = [files, parsed["service"], parsed["channel"]]
    before = ~(start >= known.groupby(series, sort=False).transform("min"))  # a series with no figure: all
    inside = ~before
    counted = known.groupby(series, sort=False).transform("count").gt(0)
    by_service = known.groupby([files, parsed["service"]], sort=False)
    never = ~counted & by_service.transform("count").gt(0)  # a channel blank throughout, beside others
    if not after_too:
        inside |= before & (before.groupby(series, sort=False).transform("sum") < NOT_BEGUN) & counted
        inside |= never
    elif _periods_overlap(parsed["period"]):  # rolling years ('July 2015 to June 2016' beside '2015/16')
        keys = [files, parsed["service"], period_attr(parsed["period"], lambda p: p.key)]
        inside |= never
        inside &= figures.groupby(keys, sort=False).transform("any")
    else:
        inside |= never & (start >= by_service.transform("min"))
        inside &= start <= by_service.transform("max")
    never &= inside
    if problems is not None and never.any():
        _warn_of_blank_channels(parsed[never], problems, channels or {})
    return parsed[figures | inside]


def _warn_of_blank_channels(rows: pd.DataFrame, problems: Problems, channels: dict) -> None:
    files = rows["@file"] if "@file" in rows else pd.Series("", index=rows.index)
    for (file, service, channel), series in rows.groupby([files, rows["service"], rows["channel"]], sort=False):
        first = series.iloc[0]
        label = channels.get(channel, channel)
        column = int(first["channel_col"]) if "channel_col" in series and first["channel_col"] else None
        problems.warning(file, f"{label} has no figure in any period" + (f" for '{service}'" if service else "")
                         + ", so its digital take-up and cost per transaction are no data throughout",
                         int(first["line"]), column,
                         hint=f"if the service has no {label.lower()} transactions, write 0 in those cells; "
                              "if they are not collected, this is right")


def _periods_overlap(periods: pd.Series) -> bool:
    distinct = sorted({(p.start, p.end) for p in periods})
    return any(later[0] <= earlier[1] for earlier, later in zip(distinct, distinct[1:]))


def read_sources(config: Config, wanted: list[tuple[str | None, str]], problems: Problems,
                 raw_files: RawFiles) -> list[tuple[pd.DataFrame, list[tuple[str | None, str, Path]]]]:
    """Parsed rows of files in batches: (rows, [(source id, file, path)...]), each row naming its file
    in ``@file``. Tidy-format files with the same headings are parsed together, since per-file
    pandas work dominated builds of hundreds of services."""
    batches: dict[tuple, list] = {}
    for source_id, file in wanted:
        source = next((s for s in config.sources if s.id == source_id), None)
        path = config.data_dir / file
        raw = raw_files.get(path, problems, source, file)
        if raw is None or not _header_problems(config, source, file, raw, path, problems):
            continue
        layout = (tuple(headings_of(raw.frame)), raw.header_line) if source is None else (source_id, file)
        batches.setdefault(layout, []).append((source_id, file, path, raw))
    out = []
    for items in batches.values():
        source = next((s for s in config.sources if s.id == items[0][0]), None)
        parsed = _parse_files(config, source, [(f, p, r) for _, f, p, r in items], problems)
        if parsed is not None:
            out.append((parsed, [(source_id, file, path) for source_id, file, path, _ in items]))
    return out


def _days_a_month_apart(parsed: pd.DataFrame, problems: Problems) -> None:
    """Warn where a file's periods are single days on the same day of each month (01/04/2023,
    01/05/2023, ...): an export that dates each month by its first day, read as that day alone,
    would show a month's figures as one day's and no year's totals. Likewise days a week apart
    (a contact centre's 'week commencing'), whose year would add up 53 weeks."""
    days = parsed[parsed["_kind"].eq("day")] if "_kind" in parsed else parsed.iloc[0:0]
    if not len(days):
        return
    for (file, service), rows in days.groupby(["@file", "service"], sort=False):
        starts = sorted({p.start for p in rows["period"]})
        apart = [(later - earlier).days for earlier, later in zip(starts, starts[1:])]
        same_day = len({d.day for d in starts}) == 1 or all((d + timedelta(days=1)).day == 1 for d in starts)
        if len(starts) >= 3 and all(28 <= gap <= 31 for gap in apart) and same_day:
            problems.warning(file, f"the periods are single days a month apart ({starts[0].isoformat()} to "
                             f"{starts[-1].isoformat()}), so each row is read as that one day",
                             int(rows["line"].min()),
                             hint="if each row is a month, give the file a source with period_type: month "
                             "(see 'Periods' in docs/bring-your-data.md)")
        elif len(starts) >= 3 and all(gap == 7 for gap in apart):  # 'Week commencing 03/04/2023'
            problems.warning(file, f"the periods are single days a week apart ({starts[0].isoformat()} to "
                             f"{starts[-1].isoformat()}), so each row is read as that one day",
                             int(rows["line"].min()),
                             hint="if each row is a week, give the file a source with period_type: week (the date "
                             "starts it) or period_type: week_ending (it ends it); see 'Periods' in "
                             "docs/bring-your-data.md")


def _plain_files(parsed: pd.DataFrame, wanted: dict, configured_paths: dict,
                 zeroed: frozenset = frozenset()) -> dict[str, str]:
    """@file -> service slug for the files in a batch that need none of the per-service checks
    one by one: a file only one service reads, as its only data, with no service column, one
    kind of period, no repeated period and channel, no channel rows beside all-channel rows,
    and no gap between its periods. At GOV.UK scale that is nearly every file, and checking
    them together in a few pandas passes saves a second; any other file is checked on its own.
    """
    candidates = {}
    for key, readers in wanted.items():
        if len(readers) == 1 and len(readers[0][0].data) == 1 and key in configured_paths and key[0] not in zeroed:
            candidates[configured_paths[key]] = readers[0][0].slug
    if not candidates:
        return {}
    files = parsed["@file"]
    by_file = parsed.groupby(files, sort=False)
    step = STEP_MONTHS
    starts = period_attr(parsed["period"], lambda p: p.start.year * 12 + p.start.month - 1).astype("int64")
    steps = parsed["_kind"].map(step)
    facts = pd.DataFrame({
        "keyed": parsed["service"].ne("").groupby(files, sort=False).any(),
        "repeats": parsed.duplicated(["@file", "_key", "channel"]).groupby(files, sort=False).any(),
        "kinds": by_file["_kind"].nunique(),
        "step": steps.groupby(files, sort=False).first(),
        "all_channels": (parsed["has_tx"] & parsed["channel"].eq("")).groupby(files, sort=False).any(),
        "by_channel": (parsed["has_tx"] & parsed["channel"].ne("")).groupby(files, sort=False).any(),
        "first": starts.groupby(files, sort=False).min(),
        "last": starts.groupby(files, sort=False).max(),
        "distinct": starts.groupby(files, sort=False).nunique(),
    })
    off_grid = ((starts - facts["first"].reindex(files).to_numpy()) % steps.fillna(1).to_numpy()).ne(0)
    facts["off_grid"] = off_grid.groupby(files, sort=False).any()
    whole = facts["step"].isna() | (
        ~facts["off_grid"] & ((facts["last"] - facts["first"]) // facts["step"].fillna(1) + 1 == facts["distinct"]))
    plain = ~facts["keyed"] & ~facts["repeats"] & facts["kinds"].eq(1) & \
        ~(facts["all_channels"] & facts["by_channel"]) & whole
    return {file: candidates[file] for file in facts.index[plain] if file in candidates}


def load_data(config: Config, services: list[Service], problems: Problems,
              raw_files: RawFiles | None = None) -> pd.DataFrame:
    """One tidy frame for every service that has data; each file is read once."""
    raw_files = raw_files or RawFiles()
    wanted: dict[tuple, list[tuple[Service, DataRef]]] = {}
    for svc in services:
        for ref in svc.data:
            source = source_of(config, ref)
            wanted.setdefault((source.id if source else None, ref.file if not source else source.file), []).append(
                (svc, ref))
    per_service: dict[str, list[pd.DataFrame]] = {}
    order = sorted(wanted, key=lambda k: (k[1], k[0] or ""))
    plain_parts, checked_alone = [], {}
    for parsed, members in read_sources(config, order, problems, raw_files):
        _days_a_month_apart(parsed, problems)
        plain = _plain_files(parsed, wanted, {(source_id, file): str(path) for source_id, file, path in members},
                             frozenset(s.id for s in config.sources if s.values.get("missing_rows") == "zero"))
        if plain:
            part = parsed[parsed["@file"].isin(plain)]
            named = part.drop(columns=["_key", "_kind", *_cell_places(part)]).assign(service=part["@file"].map(plain))
            _stopped_channels(named, {slug: slug for slug in plain.values()}, "", problems,
                              {c.id: c.label for c in config.channels})
            plain_parts.append(named.drop(columns=["@file"]))
            parsed = parsed[~parsed["@file"].isin(plain)]
        by_file = dict(tuple(parsed.groupby("@file", sort=False))) if len(members) > 1 else {str(members[0][2]): parsed}
        for source_id, file, path in members:
            if str(path) not in plain:
                part = by_file.get(str(path))
                checked_alone[(source_id, file)] = (part if part is not None else parsed.iloc[0:0], path)
    for key in order:  # in file order, whatever the batches: a service's files are merged in this order
        if key in checked_alone:
            rows, path = checked_alone[key]
            _service_rows_of_file(rows, wanted[key], config, key[1], path, problems, per_service)
    frames = []
    by_slug = {s.slug: s for s in services}
    for slug in sorted(per_service):
        parts = per_service[slug]
        frames.append(parts[0] if len(parts) == 1 else _merge_sources(parts, by_slug[slug], problems,
                                                                           config.measure_ids))
    if not frames and not plain_parts:
        return empty_frame(config.measure_ids)
    tidy = pd.concat([*frames, *plain_parts], ignore_index=True)
    if plain_parts:  # in order of service, as the frames are; each service's rows as in its file
        tidy = tidy.sort_values("service", kind="stable", ignore_index=True)
    _warn_of_hidden_figures(tidy, services, problems)
    _warn_of_channels_without_unit_costs(tidy, services, config, problems)
    _warn_of_costs_without_transactions(tidy, services, problems)
    return tidy


def _warn_of_costs_without_transactions(tidy: pd.DataFrame, services: list[Service], problems: Problems) -> None:
    """A cost needs transactions to be a cost per transaction: without any, a parking account's
    £1,266,255 was in no card, chart or cost report, only in the service's download. Told once for
    each file such services read (the services reading a file are one unit of a build, so every
    split of a build, and a reused unit, says the same)."""
    if "cost" not in tidy or not tidy["cost"].notna().any():
        return
    costed = tidy["cost"].notna().groupby(tidy["service"], sort=False).any()
    counted = tidy["transactions"].notna().groupby(tidy["service"], sort=False).any()
    alone = set(costed.index[costed & ~counted.reindex(costed.index, fill_value=False)])
    by_file: dict[str, list[Service]] = {}  # services reading one file are in one unit of a build: said once
    for svc in services:
        if svc.slug in alone:
            by_file.setdefault(svc.data[0].file if svc.data else str(svc.path), []).append(svc)
    for svc, *others in by_file.values():
        more = f" (and {len(others)} more service{'s' if len(others) > 1 else ''} reading its file)" if others else ""
        problems.warning(svc.path, f"service '{svc.slug}' has costs but no transactions{more}, so its cost is shown "
                         "nowhere: a cost per transaction needs the transactions", *svc.positions.at(("data",)),
                         hint="map the transactions (a count of what the cost pays for) too; or, to publish the "
                              "cost as a figure of its own, declare a measure (measures: - {id: spend, label: "
                              "Spend, unit: money}) and map the column to it instead of cost")


def _warn_of_channels_without_unit_costs(tidy: pd.DataFrame, services: list[Service], config: Config,
                                         problems: Problems) -> None:
    """Estimates of cost per transaction need a unit cost for every channel a period used: a channel
    without one (email, beside phone at £2.83) left a council's services with no estimate in every
    month it was used, and an 'estimate' from the odd month it was not, with no word of why. Said
    for each service that publishes no costs, uses a channel with a unit cost (so is estimated) and
    one without: at the service's own file, so a fix there is seen by the next incremental build."""
    site = {c.id: c.unit_cost for c in config.channels}
    if not len(tidy) or all(cost is not None for cost in site.values()) or (
            all(cost is None for cost in site.values()) and not any(s.unit_costs for s in services)):
        return  # every channel has a cost (nothing can block an estimate), or none has (nothing is estimated)
    labels = {c.id: c.label for c in config.channels}
    cost_columns = [c for c in ("cost", "cost_per_transaction") if c in tidy]
    by_service = {slug: rows for slug, rows in tidy.groupby("service", sort=False)}
    for svc in services:
        rows = by_service.get(svc.slug)
        if rows is None or (cost_columns and rows[cost_columns].notna().any(axis=None)):
            continue
        used = set(rows.loc[rows["transactions"].gt(0), "channel"]) - {""}
        costs = {channel: svc.unit_costs.get(channel, site.get(channel)) for channel in used}
        lacking = sorted(channel for channel, cost in costs.items() if cost is None)
        if not lacking or len(lacking) == len(costs):
            continue
        names = " and ".join(f"'{channel}'" for channel in lacking)
        problems.warning(svc.path, f"service '{svc.slug}' gets no cost estimate for a period with "
                         f"{' or '.join(labels.get(c, c).lower() for c in lacking)} transactions: channel{'s' if len(lacking) > 1 else ''} "
                         f"{names} {'have' if len(lacking) > 1 else 'has'} no unit cost", *svc.positions.at(("unit_costs",)),
                         hint=f"add unit_cost: to {'those channels' if len(lacking) > 1 else 'the channel'} in config.yaml, "
                              f"or unit_costs: {{{lacking[0]}: ...}} to this service; an estimate needs a cost for "
                              "every channel a period used")


def _warn_of_hidden_figures(tidy: pd.DataFrame, services: list[Service], problems: Problems) -> None:
    """A KPI a service says it does not collect (not_requested:) is shown as 'not requested'
    whatever its data holds: where the data has figures for it, they would be hidden unseen.
    (Not take-up worked out from transactions by channel: a service may choose not to show it,
    and a warning it could not silence would fail every --strict build.)"""
    for svc in services:
        if not svc.not_requested:
            continue
        rows = tidy[tidy["service"].eq(svc.slug)]
        for index, kpi in enumerate(svc.not_requested):
            found = [col for col, fed in KPI_OF_MEASURE.items() if fed == kpi and col in rows and rows[col].notna().any()]
            if found:
                count = int(rows[found].notna().any(axis=1).sum())
                problems.warning(svc.path, f"'{kpi}' is listed as not requested, but the data has figures for it "
                                 f"({', '.join(found)}, on {count} row{'s' if count != 1 else ''}); it is not "
                                 "shown on the service's page",
                                 *svc.positions.at(("not_requested", index)),
                                 hint=f"take {kpi} out of not_requested: to show it, or leave the cells blank "
                                      "(or write the not-requested marker) if they should not be there")


def _service_rows_of_file(parsed: pd.DataFrame, readers: list, config: Config, file: str, path: Path,
                          problems: Problems, per_service: dict[str, list[pd.DataFrame]]) -> None:
    """Each reading service's checked rows of one file, added to ``per_service``."""
    has_key_column = parsed["service"].ne("").any()
    repeats = parsed.duplicated(["service", "_key", "channel"]).any()
    groups = dict(tuple(parsed.groupby("service", sort=False))) if has_key_column else {}
    used_keys: set[str] = set()
    mixed: dict = {}  # services mixing kinds of period, by where the odd period is (see _check_service_rows)
    for svc, ref in readers:
        key = ref.key or svc.slug
        if has_key_column:
            rows = groups.get(key)
            if rows is None and ref.generated:
                continue  # made from a row whose every figure is blank: a service with no data yet
            if rows is None:
                # Compare only with keys sharing a first letter: difflib over hundreds
                # of long keys for every missing one costs seconds.
                similar = [str(g) for g in groups if str(g)[:1].lower() == key[:1].lower()]
                close = difflib.get_close_matches(key, similar, n=3)
                problems.warning(svc.path, f"no rows for '{key}' in the service column of {file}; "
                                 "the service is shown with no data", *svc.positions.at(("data",)),
                                 hint=f"did you mean {' or '.join(close)}?" if close
                                 else "check the service: value under data:")
                continue
        else:
            rows = parsed
        used_keys.add(key)
        zeros = frozenset((*COUNTS, *(x.id for x in config.measures if x.unit == "count"))) \
            if _zeroed(config, ref) else frozenset()
        rows = _check_service_rows(rows, svc, path, problems, repeats, config.measure_ids, zeros=zeros,
                                   mixed=mixed)
        rows = rows.drop(columns=["_key", "_kind", "@file", *_cell_places(rows)]).assign(service=svc.slug)
        per_service.setdefault(svc.slug, []).append(rows)
    read = {(ref.key or svc.slug if has_key_column else ""): svc.slug for svc, ref in readers
            if (ref.key or svc.slug) in used_keys and not _zeroed(config, ref)}  # no service column: its rows are ''
    _stopped_channels(parsed, read, path, problems, {c.id: c.label for c in config.channels})
    # A half-year file among a pattern's years: one error for it, not one for each of its 565 services.
    pattern = any(is_pattern(source.file) for _, ref in readers if (source := source_of(config, ref)) is not None)
    for (file, _, _, column), ((message, line), more) in mixed.items():
        problems.error(file, message + (f" (and {more} more service{'s' if more > 1 else ''} with it)" if more else ""),
                       line, column, hint=_MIXED_HINT + (f"; to leave this file of the pattern out, exclude: "
                                                         f"{{file name: '{Path(file).stem}'}}" if pattern else ""))
    if has_key_column:
        sources = [source_of(config, ref) for _, ref in readers]
        made_from_rows = any(source is not None and source.values.get("services") for source in sources)
        # Two sources reading one file (all requests, and those on time): say which left the rows unread.
        ids = {source.id for source in sources if source is not None}
        files = {source.file for source in sources if source is not None}
        shared = len(ids) == 1 and sum(source.file in files for source in config.sources) > 1
        _unused_rows(parsed, groups, used_keys, path, problems, totals_told=made_from_rows,
                     through=next(iter(ids)) if shared else None)


def _zeroed(config: Config, ref) -> bool:
    """Whether a reference reads through a source with ``missing_rows: zero``."""
    source = source_of(config, ref)
    return source is not None and source.values.get("missing_rows") == "zero"


def _stopped_channels(parsed: pd.DataFrame, slugs: dict[str, str], path, problems: Problems,
                      labels: dict[str, str]) -> None:
    """Warn where a channel's rows stop NOT_BEGUN or more periods before its service's other channels'.

    Past its last row a channel counts as closed, not missing (metrics._absent_channel_rows), so
    take-up goes on being worked out without it: right for a closed counter, but an export with a
    row per request has no row for a month with none, and then the channel's months read 'no data'
    beside a take-up of 0.0%. Told once for each file and channel, at the channel's last row.
    ``slugs``: service key -> slug ('' for a file with no service column). Whole-frame operations:
    a site of 766 services with a channel that closed was seconds of per-service filtering."""
    wanted = (parsed["has_tx"].astype(bool) & parsed["channel"].ne("") & parsed["service"].isin(slugs)).to_numpy()
    if not wanted.any():
        return
    # First, in integer codes over the whole frame: does any channel end before its service does?
    files = parsed["@file"] if "@file" in parsed else pd.Series(str(path), index=parsed.index)
    file_codes, service_codes = pd.factorize(files)[0], pd.factorize(parsed["service"])[0]
    channel_codes = pd.factorize(parsed["channel"])[0]
    series = (file_codes * (int(service_codes.max()) + 1) + service_codes)[wanted]
    lines = series * (int(channel_codes.max()) + 1) + channel_codes[wanted]
    day = pd.Series(period_attr(parsed["period"], lambda p: p.start.toordinal()).to_numpy()[wanted])
    if (day.groupby(lines).transform("max").to_numpy() >= day.groupby(series).transform("max").to_numpy()).all():
        return  # every channel reaches its service's last period: the usual case, found at once
    rows = parsed[wanted]
    frame = pd.DataFrame({"file": files[wanted].to_numpy(), "service": rows["service"].to_numpy(),
                          "channel": rows["channel"].to_numpy(),
                          "start": period_attr(rows["period"], lambda p: p.start).to_numpy(), "row": rows.index})
    keys = ["file", "service"]
    service_end = frame.groupby(keys, sort=False)["start"].max().rename("service_end")
    last = frame.sort_values("start", kind="stable").drop_duplicates([*keys, "channel"], keep="last")
    last = last.join(service_end, on=keys)
    early = last[last["start"] < last["service_end"]]
    starts = frame[keys + ["start"]].drop_duplicates()
    later = early[[*keys, "channel", "start"]].merge(starts, on=keys, suffixes=("", "_later"))
    after = later[later["start_later"] > later["start"]].groupby([*keys, "channel"], sort=False).size()
    stopped = early.join(after.rename("after"), on=[*keys, "channel"])
    stopped = stopped[stopped["after"].fillna(0) >= NOT_BEGUN].sort_values("row")
    told: dict[tuple, list] = {}
    for item in stopped.itertuples(index=False):
        place = (item.file, item.channel)
        if place in told:
            told[place][1] += 1
        else:
            told[place] = [item, 0]
    ends = frame.sort_values("start", kind="stable").drop_duplicates(keys, keep="last").set_index(keys)["row"]
    for (file, channel), (item, more) in told.items():
        label = labels.get(channel, channel)
        end = rows.at[ends[(file, item.service)], "period"].label
        problems.warning(file, f"{label} has no rows after {rows.at[item.row, 'period'].label} for "
                         f"'{slugs[item.service]}', though its other channels go on to {end}"
                         + (f" (and {more} more service{'s' if more > 1 else ''} like it)" if more else "")
                         + f": from then on, its take-up counts {label} as closed, not as missing",
                         int(rows.at[item.row, "line"]),
                         hint="if the file has a row for each request or event (so a month with none has no row), "
                              "add missing_rows: zero to its source in config.yaml; if the channel closed, this "
                              "is right (accepted_warnings: can say so)")


def empty_frame(measures: tuple[str, ...] = MEASURES) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=float) for c in measures})
    frame.insert(0, "channel", pd.Series(dtype=object))
    frame.insert(0, "period", pd.Series(dtype=object))
    frame.insert(0, "service", pd.Series(dtype=object))
    frame["has_tx"] = pd.Series(dtype=bool)
    for kpi in NR_KPIS:
        frame[f"nr_{kpi}"] = pd.Series(dtype=bool)
    frame["line"] = pd.Series(dtype=int)
    return frame

