"""Read CSV files as text cells, each row with its true line number in its file.

Reading is kept apart from parsing (:mod:`generator.cells`) so that each file is
decoded and split once (:class:`RawFiles`), however many services and sources
read it, and so that every message can name the line a spreadsheet user sees.
"""

from __future__ import annotations

import codecs
from collections import Counter
import csv
import difflib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import Problems
from generator.periods import period_in_name
from generator.paths import is_pattern, matching
from generator.sources import COLUMN_IN_FILE, VIRTUAL, Source, _column_key, headings_of

if TYPE_CHECKING:  # pandas is imported where a file is read: see generator.figures
    import numpy as np
    import pandas as pd


def _line_of_byte(data: bytes, offset: int) -> int:
    """The line a byte is on, lines ending in CR LF, LF or CR alone (an old Mac file's: every byte
    had been 'line 1')."""
    return data.count(b"\n", 0, offset) + data.count(b"\r", 0, offset) - data.count(b"\r\n", 0, offset) + 1


@dataclass
class RawFile:
    frame: pd.DataFrame  # text cells, original headings, plus "@line"
    header_line: int


class RawFiles:
    """Each file is read once per way of reading it, however many services and stages use it."""

    def __init__(self):
        self._cache: dict[tuple, RawFile | None] = {}
        self.unread: set[str] = set()  # files of a pattern left unread (see _one_of_many)

    @property
    def read_nothing(self) -> bool:
        """No file read yet: another process reading them all afresh tells no problem twice."""
        return not self._cache

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
            if source is not None and source.shared:  # which of the file's entries a hint is about
                file = f"{source.file} (id: {source.id}; and any other entry for the file without it)"
            if pattern and is_pattern(pattern):
                parts = [(match, read_csv_text(match, problems, *options, hint_config=source is None, file=file,
                                               one_of_many=True))
                         for match in matching(_data_dir(path, pattern), pattern)]
                self._cache[key] = _one_of_many(parts, problems, source) if parts and all(raw for _, raw in parts) \
                    else None
            else:
                raw = read_csv_text(path, problems, *options, hint_config=source is None, file=file)
                self._cache[key] = _with_file_columns(raw, path) if raw is not None and named else raw
            self.unread |= problems.unread_files
        problems.unread_files |= self.unread  # for whoever reads it next (a build process's own Problems)
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


def _renamed(heading: str, headings: list[str]) -> list[str]:
    """The heading this file most likely gave the column: one holding all its words, in any case
    ('FOISA Requests received' for 'FOISA requests', not the closer-spelt 'EIR requests'), else the
    closest by spelling."""
    words = set(heading.lower().split())
    holding = [h for h in headings if words <= set(h.lower().split())]
    if holding:
        return [min(holding, key=len)]
    folded = {h.lower(): h for h in headings}
    return [folded[c] for c in difflib.get_close_matches(heading.lower(), list(folded), n=1, cutoff=0.6)]


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
    empty = [(path, raw) for path, raw in parts if not len(raw.frame)]
    for path, raw in empty:  # next month's file, made ready: a warning, unless every file is empty
        (problems.error if len(empty) == len(parts) else problems.warning)(
            path, "the file has headings but no rows" + ("" if len(empty) == len(parts) else ", so it adds nothing"),
            raw.header_line, hint="if the export failed, export it again" + (
                "" if len(empty) == len(parts) else "; if it is made ready for figures to come, this is right"))
    every = list(dict.fromkeys(h for _, raw in parts for h in headings_of(raw.frame)))
    unread = set()  # files lacking a heading the source reads: told once, and their rows not read
    for path, raw in parts:
        own = {_column_key(h) for h in headings_of(raw.frame)}
        lacking = [h for h in every if _column_key(h) not in own and _column_key(h) in named]
        if lacking:
            unread.add(path)
            problems.unread_files.add(str(path))
            shown = ", ".join(f"'{h}'" for h in lacking[:3]) + (
                f" and {len(lacking) - 3} more" if len(lacking) > 3 else "")
            own_headings = headings_of(raw.frame)
            close = _renamed(lacking[0], own_headings)
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
    # Rows read once anyway are read from one copy; where rows are added up (a file per ward, two
    # wards alike by chance), each file counts, and a likely copy is only told.
    summed = source is not None and source.values.get("combine") == "sum"
    copies = _second_downloads(parts, problems, summed)
    for path, raw in parts:
        if path in unread and len(unread) < len(parts):  # its rows would be "no period", 2,000 times over
            continue
        if path in copies:
            continue
        frame = _with_file_columns(raw, path).frame.assign(**{"@file": str(path)})
        renames = {h: spelling[_column_key(h)] for h in headings_of(raw.frame) if spelling[_column_key(h)] != h}
        frames.append(frame.rename(columns=renames) if renames and not _clashes(frame, renames) else frame)
    import pandas as pd

    places = _places_by_file(frames)
    frame = pd.concat(frames, ignore_index=True, sort=False)
    text = [c for c in frame.columns if not c.startswith("@")]
    frame = frame.fillna({c: "" for c in text})  # a new frame (assigning the columns back fragments it)
    if places:  # see sources.column_numbers; added at once (column by column fragments the frame)
        frame = pd.concat([frame, pd.DataFrame({f"{COLUMN_IN_FILE}{h}": n for h, n in places.items()},
                                               index=frame.index)], axis=1)
    return RawFile(frame, parts[0][1].header_line)


_COPY = re.compile(r"(\s*\(\d+\)|[ _-]+copy( \d+)?)$", re.I)  # '2020 (1)', 'calls - Copy': a browser's or Windows'


def _second_downloads(parts: list[tuple[Path, RawFile]], problems: Problems, summed: bool = False) -> set[Path]:
    """Files of a pattern that are a second download of another ('2020 (1).csv' beside '2020.csv': the
    same name but for the copy's mark, the same rows): read once, and said once at the copy. Its
    rows had each been told as repeated, service by service, naming the original and never the copy."""
    import pandas as pd

    groups: dict[tuple, list[Path]] = {}
    for path, raw in parts:
        cells = raw.frame[headings_of(raw.frame)]
        key = (_COPY.sub("", Path(path).stem).lower(), tuple(cells.columns), len(cells),
               int(pd.util.hash_pandas_object(cells, index=False).sum()))
        groups.setdefault(key, []).append(path)
    copies = set()
    for paths in groups.values():
        if len(paths) < 2:
            continue
        kept = min(paths, key=lambda p: (bool(_COPY.search(Path(p).stem)), len(Path(p).name), str(p)))
        for path in paths:
            if path == kept:
                continue
            if summed:
                problems.warning(path, f"this file holds the same rows as {Path(kept).name}, and combine: sum "
                                 "adds both in", hint="a second download of the same file? remove it; if they "
                                 "are two parts that happen to match, this is right")
                continue
            copies.add(path)
            problems.warning(path, f"this file holds the same rows as {Path(kept).name}, so they are read once",
                             hint="a second download of the same file? remove it")
    return copies


def _places_by_file(frames: list[pd.DataFrame]) -> dict[str, np.ndarray]:
    """Each row's column number for a heading that is not in the same place in every file (one
    quarter's export has a column more): a message names the cell where it is in its own file."""
    import numpy as np

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
    """The file's text; or, with an error at the first byte the encoding cannot read, at its line and
    its cell's place in the row (as a spreadsheet numbers columns, since a byte offset means nothing
    to someone looking at the file in Excel), the text as well as it can be read (see _read_on), or
    None if it cannot be read at all."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 with its byte order mark (Excel's 'Unicode Text'): what it is cannot be mistaken, so
        # it is read as such (it had been blamed on Windows-1252, whose hint led to headings full of NULs).
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    head = raw[:4096]
    if head.count(b"\x00") * 4 >= len(head) > 0:  # every other byte NUL: two-byte characters (a stray NUL is read)
        problems.error(path, "this file is UTF-16 text without a byte order mark (or not text at all): its "
                       "characters are two bytes each", 1,
                       hint="save it from the spreadsheet as 'CSV UTF-8 (Comma delimited)'")
        return None
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        b"ab".decode(codec, errors="replace")
    except LookupError:  # not a text encoding: config.yaml's check (sources.validate_source) says so
        return None
    if codecs.lookup(codec).name.startswith("utf-16") and head and head.count(b"\x00") * 8 < len(head):
        # Read as two-byte characters, one-byte text becomes a single line of nonsense ('field larger
        # than field limit'); UTF-16 text of Latin letters has a NUL in every other byte.
        problems.error(path, f"this file is not {encoding} text: its characters are one byte each, not two", 1,
                       hint=f"remove encoding: {encoding} from its sources: entry (or set utf-8 or windows-1252)")
        return None
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
        # utf-8-sig counts from after a byte order mark: a position in the file counts it (a tester's
        # '£' was told one cell early, as the byte before it)
        offset = 3 if codec == "utf-8-sig" and raw.startswith(codecs.BOM_UTF8) else 0
        exc.start += offset
        bad = raw[exc.start:exc.start + 1]
        line_start = max(raw.rfind(b"\n", 0, exc.start), raw.rfind(b"\r", 0, exc.start)) + 1
        before = raw[line_start:exc.start].decode(codec, errors="replace")
        line = _line_of_byte(raw, exc.start)
        problems.error(path, f"not {encoding} text (byte {bad!r}{_as_windows_text(bad)}){_other_lines(raw, codec, line)}",
                       line, _cell_number(before, delimiter),
                       hint=_encoding_hint(codec, hint_config, file or Path(path).name, _mac(raw)))
        return _read_on(raw, codec)


def _other_lines(raw: bytes, codec: str, first: int) -> str:
    """', and so are lines 6 and 9': the other lines with bytes the encoding cannot read, so that
    the whole file's problem is told at once, not one line a build."""
    text = raw.decode(codec, errors="replace")
    lines = [number for number, line in enumerate(_LINE_BREAK.split(text), start=1)  # as _line_of_byte counts
             if "\ufffd" in line and number != first]
    if not lines:
        return ""
    named = [str(number) for number in lines[:5]] + ([f"{len(lines) - 5} more"] if len(lines) > 5 else [])
    shown = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    return f"; so {'is line' if len(lines) == 1 else 'are lines'} {shown}"


def _read_on(raw: bytes, codec: str) -> str | None:
    """A file that is not quite the encoding it is read as, decoded as well as can be so that its
    other problems (a misspelt channel, a heading missing) are told with the encoding's, in one run:
    a UTF-8 reading's bytes it cannot read as Windows-1252 (what such a file almost always is: its
    '£' is then read as '£'), any other encoding with a stand-in for each byte it cannot read. The
    build fails on the encoding's error either way, so nothing read like this is published. Not for
    a file that is not text at all (an image or PDF named .csv), whose 'headings' would only add
    nonsense to the report."""
    controls = sum(raw.count(bytes([byte])) for byte in range(32) if byte not in (9, 10, 13))
    if controls * 100 > len(raw):
        return None
    if codec == "utf-8-sig":  # UTF-8 where it is (a reviewer's file had one stray byte among its '£'s)
        return raw.decode("utf-8-sig", errors=_WINDOWS_BYTES)
    return raw.decode(codec, errors="replace")


def _as_windows_1252(exc: UnicodeDecodeError) -> tuple[str, int]:
    """An error handler for decoding: the bytes UTF-8 cannot read, read as Windows-1252."""
    return exc.object[exc.start:exc.end].decode("windows-1252", errors="replace"), exc.end


_WINDOWS_BYTES = "perfpages-windows-1252"
codecs.register_error(_WINDOWS_BYTES, _as_windows_1252)


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


def _mac(raw: bytes) -> bool:
    """Whether a file's lines end in CR alone, as an old Mac's (whose text is Mac Roman) do."""
    return b"\r" in raw and b"\n" not in raw


def _encoding_hint(codec: str, no_source: bool, file: str, mac: bool = False) -> str:
    """Exactly what to write: a file read as UTF-8 is most likely a Windows (Excel) export, one whose
    lines end in CR alone a Mac one."""
    if mac:
        where = (f"add it to config.yaml as sources: [{{file: {file}, encoding: mac_roman}}]" if no_source else
                 f"set encoding: mac_roman in the sources: entry for {file} in config.yaml")
        return f"its lines end as an old Mac's do, so it is likely Mac Roman text: {where}, or save it as 'CSV UTF-8'"
    if codec != "utf-8-sig":
        return "check the encoding: set in config.yaml (utf-8, windows-1252, or e.g. mac_roman for an old Mac file)"
    if no_source:
        return (f"it may be a Windows (Excel) file: add it to config.yaml as "
                f"sources: [{{file: {file}, encoding: windows-1252}}], or save it as 'CSV UTF-8' in Excel")
    return (f"it may be a Windows (Excel) file: add encoding: windows-1252 to the sources: entry for "
            f"{file} in config.yaml, or save it as 'CSV UTF-8' in Excel")


# How spreadsheet files begin: an .xlsx (or .ods) is a zip archive; an old .xls is an OLE2 document.
_SPREADSHEETS = ((b"PK\x03\x04", "a spreadsheet workbook (.xlsx or .ods)"),
                 (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls)"))


def read_csv_text(path: Path, problems: Problems, encoding: str = "utf-8", delimiter: str = ",",
                  header_row: int = 1, hint_config: bool = True, file: str | None = None,
                  one_of_many: bool = False) -> RawFile | None:
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
                       hint="save the data as CSV (a spreadsheet can open JSON; for a list of records, "
                            "jq -r '(.[0] | keys_unsorted) as $k | $k, (.[] | [.[$k[]]]) | @csv' file.json > file.csv"
                            "), and point data: or the source's file: at the .csv")
        return None
    if "\ufeff" in text:
        # A byte order mark inside the file, where files saved from Excel were joined together: not
        # part of the line's first cell, quoted or not (a tester's repeated headings after one had
        # been 63 errors)
        text = re.sub(r"(^|\n)\ufeff+", r"\1", text)
    quoted = '"' in text  # only a quoted cell can hold a newline, making a record span lines
    numbered = _plain_records(text, delimiter) if not quoted else None
    if numbered is None:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        numbered = ((record, reader.line_num) for record in reader)
    header, rows, lines, short, wide, repeated, alien = None, [], [], [], [], [], []
    padded: list[tuple[int, list[str]]] = []  # rows wider than the headings, the cells beyond them blank
    usual: list[list[str]] = []  # some rows no wider than the headings: the file's own shape
    heading_record = None
    header_line = None
    try:
        for record, line_num in numbered:
            if line_num < header_row or not "".join(record).strip():
                continue  # a title above the headings, or a blank line
            if header is None:
                header = [h.strip() for h in record]
                header_line = line_num - record_lines(record) + 1
                heading_record = record
                continue
            line = line_num - record_lines(record) + 1 if quoted else line_num
            if record == heading_record:  # the headings again, as an export repeats them after a page break
                repeated.append(line)
                continue
            if len(record) <= len(header) and len(usual) < 200:
                usual.append(record)
            if len(record) == 1 < len(header) and (other := _other_delimiter(record[0], len(header), delimiter)):
                alien.append((line, other))  # a row typed with tabs among rows of commas: told below
                continue
            if len(record) != len(header):
                if len(record) < len(header) or not any(c.strip() for c in record[len(header):]):
                    if 1 < len(record) < len(header):  # one cell alone is a title or a note, found later
                        short.append((line, len(record)))
                    elif len(record) > len(header):
                        padded.append((line, record))
                    record = (record + [""] * (len(header) - len(record)))[:len(header)]
                else:
                    wide.append((line_num, len(record), record))
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
    split = _split_otherwise(header, rows, wide)
    if split is not None:
        # Told here, for every file: a source's mapping had found nothing wrong with a file read as one
        # column (a channel across the columns needs no heading but the period's), built with exit 0
        # and published its service with no data (a review).
        shown, written = split
        name = file or Path(path).name
        problems.error(path, "the file is read as a single column", header_line, hint=f"the file's cells are separated by {shown}, not commas: "
                       + (f"describe it in config.yaml, sources: [{{file: {name}, delimiter: {written}}}]" if hint_config
                          else f"add delimiter: {written} to its entry under sources: in config.yaml"))
        return None
    headings_at = _headings_below_a_title(header, rows, lines, wide)
    if headings_at is not None and one_of_many and header_row == 1:
        # One file of a pattern with a title above its table, the others without (a tester's yearly
        # planning files): header_row: would have been wrong for the others, so it is read from its
        # headings, as each file of a pattern is read from its own.
        return read_csv_text(path, problems, encoding, delimiter, headings_at[0], hint_config, file, one_of_many)
    if headings_at is not None:
        line, record = headings_at
        shown = ", ".join(c.strip() for c in record if c.strip())
        where = (f"add header_row: {line} to the sources: entry for {file or Path(path).name} in config.yaml"
                 if not hint_config else f"describe the file in config.yaml: sources: [{{file: "
                                          f"{file or Path(path).name}, header_row: {line}}}]")
        title = ", ".join(h for h in header if h)
        problems.error(path, f"line {header_line} ('{title}') looks like a title above the "
                       f"table: the headings seem to be on line {line} ({shown[:80]}{'...' if len(shown) > 80 else ''})",
                       header_line, hint=where + ", so that the lines above it are passed over")
        return None
    for line, other in alien[:1] if len(alien) > 5 else alien:  # many are one error, with how many
        more = f" (and {len(alien) - 1} more rows like it)" if len(alien) > 5 else ""
        problems.error(path, f"row has 1 cell but the header has {len(header)}: its cells are separated by "
                       f"{_DELIMITER_NAMES[other][0]}, not {_DELIMITER_NAMES.get(delimiter, (repr(delimiter),))[0]} "
                       f"as the headings' are{more}", line, 1,
                       hint="write the row as the other rows are (a row pasted in from another file?)")
    widths = Counter(cells for _, cells, _ in wide)
    if len(wide) > 5 and len(wide) * 2 > len(wide) + len(rows) and len(widths) == 1 and not any(
            _split_figure(record, usual, counts=cells == len(header) + 1) for _, cells, record in wide[:5]):
        # Every row (or most) a cell wider than the headings: a heading is missing, not a delimiter
        # in each row (a tester's file with one heading deleted had 1,340 errors, each 'check for an
        # extra delimiter', and 'the file has headings but no rows').
        cells = next(iter(widths))
        first = wide[0][2]
        problems.error(path, f"the header has {len(header)} headings but {len(wide):,} rows have {cells} cells: a "
                       "heading is missing", header_line, hint="add the missing heading; the first row's cells are "
                       + ", ".join(repr(c.strip()) for c in first[:8]) + (", ..." if len(first) > 8 else "")
                       + " under " + ", ".join(repr(h) for h in header[:8]) + (", ..." if len(header) > 8 else ""))
        return None
    for line_num, cells, record in wide:
        figure = _split_figure(record, usual, counts=cells == len(header) + 1)
        problems.error(path, f"row has {cells} cells but the header has {len(header)}{figure}",
                       line_num, len(header) + 1, hint=_SPLIT_HINT if figure else _EXTRA_HINT)
    split = set()
    for line, record in padded:
        figure = _split_figure(record, usual)
        if figure:
            # A figure split in two (an unquoted '£5,869.99'): the cells after it moved one column on,
            # and the last, blank, fell beyond the headings. Read as it was, cost was £5 and 869.99
            # 'started'. (A row that merely ends in an extra comma is read as before.)
            split.add(line)
            problems.error(path, f"row has {len(record)} cells but the header has {len(header)}{figure}, so the "
                           "cells after it are in the wrong columns", line, hint=_SPLIT_HINT)
    if split:  # not read as well: its misplaced cells' own errors would only repeat this one
        kept = [(row, line) for row, line in zip(rows, lines) if line not in split]
        rows, lines = [row for row, _ in kept], [line for _, line in kept]
    if repeated:
        problems.warning(path, f"line {repeated[0]} repeats the headings, so it is passed over"
                         + (f" (and {len(repeated) - 1} more line{'s' if len(repeated) > 2 else ''})"
                            if len(repeated) > 1 else ""), repeated[0],
                         hint="an export that repeats its headings after each page break: nothing is lost, "
                              "but deleting the repeats silences this")
    header, rows = _named_columns(header, rows)
    short = [(line, cells) for line, cells in short if cells < len(header)]
    if short and lines and short[-1][0] == lines[-1] and lines[-1] == text.count("\n") + 1 and \
            short[-1][1] < min((c for _, c in short[:-1]), default=len(header)):
        # The last row shorter than every other, on the file's last line with no line end after it:
        # the file stops partway through a row, and its last cell may be cut too ('20' read as '2'),
        # so none of it is trusted. (An export whose rows all leave out their empty last cells has
        # a last row as short as the rest: that is its shape, and a warning.)
        line, cells = short.pop()
        problems.error(path, f"the file ends partway through a row: line {line} has {cells} of the "
                       f"{len(header)} cells, and no line end after it", line, cells,
                       hint="the export was cut short (a download or a copy that stopped): export the file again")
    if short:
        (line, cells), more = short[0], len(short) - 1
        problems.warning(path, f"row has {cells} cells but the header has {len(header)}: the last "
                         f"{len(header) - cells} are read as blank"
                         + (f" (and {more} more row{'s' if more > 1 else ''} with too few cells)" if more else ""),
                         line, cells + 1, hint="check the export was not cut short; a row's missing cells are "
                         "no data (write them, empty, to silence this)")
    if not rows and not one_of_many:
        # An error, not a warning: an export that came out with headings alone removed every service
        # a source made from its rows, with exit 0 (a tester's next month's file did). One file of a
        # pattern (next month's, made ready) is told by _one_of_many: an error only if all are.
        problems.error(path, "the file has headings but no rows", header_line,
                       hint="if the export failed, export it again; if there are no figures yet, add a row per "
                            "period when there are, and until then leave the file out (data: in the service's YAML)")
    import pandas as pd

    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame["@line"] = lines
    return RawFile(frame, header_line)


_DELIMITER_NAMES = {"\t": ("tabs", "tab"), ";": ("semicolons", "';'"), "|": ("bars", "'|'"), ",": ("commas", "','")}


def _other_delimiter(cell: str, headings: int, delimiter: str) -> str | None:
    """The delimiter a row read as one cell was typed with, if another one splits it into about as
    many cells as the headings ('2024-01\tonline\t5' among rows of commas). A tester's row of tabs
    became an organisation's name, told only as a web address too long for a file name."""
    for other in _DELIMITER_NAMES:
        parts = cell.count(other) + 1
        if other == delimiter or parts < 2:
            continue
        # About as many parts as headings, most after the first a figure (or blank): a row of data,
        # not a note's prose ('Notes: November is provisional; phone includes email', a review's).
        cells = cell.split(other)[1:]
        figures = sum(1 for part in cells if _A_FIGURE.fullmatch(part))
        if headings - 1 <= parts <= headings + 1 and figures * 2 >= len(cells) and figures:
            return other
    return None


_A_FIGURE = re.compile(r"\s*(?:[-(]?[£$€]?\d[\d,.]*%?\)?)?\s*")  # a figure as an export writes it, or nothing


_EXTRA_HINT = "check for an extra delimiter, or quote text that contains one"
_SPLIT_HINT = ("put a cell that holds a comma in quotes, or write the figure without its comma "
               "(a spreadsheet's 'Save as CSV' quotes such cells itself)")
_FIRST_PART = re.compile(r"^\s*[-\u2212]?[£$€]?\d{1,3}$")  # '£5' of '£5,869.99'
_THOUSANDS = re.compile(r"^\d{3}(\.\d+)?\s*$")  # its '869.99'


def _split_figure(record: list[str], usual: list[list[str]], counts: bool = False) -> str:
    """": '£5' and '869.99' look like one figure, £5,869.99, split at its comma", where a row's
    neighbouring cells look like the parts of a figure split at its thousands separator (not in
    quotes), and the file's other rows do not have such a pair there (a '£9' cost beside a count of
    130 is the file's shape, not a split).

    ``counts``: the row has one cell too many, so a count split ('2' and '685' of 2,685) is looked
    for as well, where joining it gives each column figures of its usual size (among counts,
    100,200,300, any pair might be one; see _likeliest_join)."""
    def split_at(index: int, first: str, second: str, plain: bool) -> bool:
        if not (_FIRST_PART.match(first) and _THOUSANDS.match(second)) or plain != first.strip().lstrip(
                "-\u2212").isdigit():
            return False
        alike = sum(1 for row in usual if len(row) > index + 1 and _FIRST_PART.match(row[index])
                    and _THOUSANDS.match(row[index + 1]))
        return alike * 2 < len(usual) or not usual

    pairs = list(zip(record, record[1:]))
    at = next((i for i, (first, second) in enumerate(pairs) if split_at(i, first, second, plain=False)), None)
    if at is None and counts:
        plain = [i for i, (first, second) in enumerate(pairs) if split_at(i, first, second, plain=True)]
        likeliest = _likeliest_join(record, usual, plain) if usual else plain
        at = likeliest[0] if len(likeliest) == 1 else None
    if at is None:
        return ""
    first, second = pairs[at]
    return f": '{first}' and '{second}' look like one figure, {first.strip()},{second.strip()}, split at its comma"


def _likeliest_join(record: list[str], usual: list[list[str]], candidates: list[int]) -> list[int]:
    """Of the places a row's cells might be a figure split at its comma, the one (in a list; empty if
    no one is likeliest) that, joined, gives each column figures of as many digits as its other rows'."""
    def digits(cell: str) -> int:
        return sum(ch.isdigit() for ch in cell)

    typical = [sorted(digits(row[j]) for row in usual if len(row) > j) for j in range(len(record) - 1)]
    typical = [sizes[len(sizes) // 2] if sizes else 0 for sizes in typical]
    scores = []
    for index in candidates:
        joined = [*record[:index], record[index] + record[index + 1], *record[index + 2:]]
        scores.append(sum(abs(digits(cell) - size) for cell, size in zip(joined, typical)))
    if not scores:
        return []
    best = min(scores)
    index = candidates[scores.index(best)]
    fits = abs(digits(record[index] + record[index + 1]) - typical[index]) <= 1  # the figure joined: its column's size
    return [index] if scores.count(best) == 1 and fits else []


def _split_otherwise(header: list[str], rows: list, wide: list) -> tuple[str, str] | None:
    """For a file read with commas whose cells are separated by something else (its one heading
    splits at ';', a tab or '|' into as many cells as most of its first rows do): how a message
    says the delimiter and how config.yaml writes it. Else None. Such a file's '1,234' had split a
    row in two, which looked like headings below a title: a tester's semicolon export was told to
    skip its real headings (header_row: 2), not its delimiter."""
    named = [h for h in header if h]
    if len(named) != 1:
        return None
    below = [",".join(record) for record in [*rows[:20], *(record for _, _, record in wide[:20])]]
    for delimiter, shown, written in ((";", "';'", "';'"), ("\t", "tabs", "tab"), ("|", "'|'", "'|'")):
        cells = len(named[0].split(delimiter))
        if cells > 1 and below and sum(len(line.split(delimiter)) == cells for line in below) * 2 > len(below):
            return shown, written
    return None


def _headings_below_a_title(header: list[str], rows: list, lines: list, wide: list) -> tuple[int, list] | None:
    """(line, cells) of the real headings if the first line is a title above the table ('Council tax
    payments report', alone or followed by empty cells as Excel saves it): the first row below it
    with two or more cells, all of them words, not figures. A title of two cells (a report's name
    and its date: 'Transactions export,September 2018') is one only above four headings or more:
    a two-column table's headings are two cells too. None if the first line is the headings."""
    named = sum(1 for h in header if h)
    if named > 2:
        return None
    below = sorted([*zip(lines, rows), *((line, record) for line, _, record in wide)], key=lambda item: item[0])
    for line, record in below:
        cells = [c.strip() for c in record if c.strip()]
        if len(cells) >= 2 and not any(re.fullmatch(r"[£$€]?-?[\d,.]+%?", c) for c in cells):
            return (line, record) if named == 1 or len(cells) >= 4 else None
        if len(cells) >= 2:
            return None  # figures before any headings: not a table with a title
    return None


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
