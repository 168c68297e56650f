"""Read services' CSV files into one tidy frame, reporting every bad cell with its line and column.

The tidy frame has one row per service, period and channel::

    service, period (Period), channel, transactions, cost, started, completed,
    satisfaction_1..satisfaction_5, satisfaction

Values are parsed in bulk (one pandas pass per column, not per row) and a
cell that is not a number is an error naming ``file:line:column``, the
column, the value and what would be accepted. Blank and "no data" markers
stay missing (NaN), never zero.
"""

from __future__ import annotations

import csv
import difflib
import io
from pathlib import Path

import numpy as np
import pandas as pd

from generator.config import Config, normalise_channel
from generator.content import Service
from generator.errors import Problems
from generator.periods import Period, PeriodError, parse_period

REQUIRED = ("period", "channel", "transactions")
RATINGS = tuple(f"satisfaction_{i}" for i in range(1, 6))
NUMERIC = ("transactions", "cost", "started", "completed", *RATINGS, "satisfaction")
COUNTS = ("transactions", "started", "completed", *RATINGS)
KNOWN = ("service", "period", "channel", *NUMERIC)
MISSING = {"", "-", "–", "—", "na", "n/a", "nd", "null", "none", "..", "x", ":"}


def _column_key(name: str) -> str:
    return str(name).strip().lower().replace(" ", "_").replace("-", "_")


def _line_of_byte(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_csv_text(path: Path, problems: Problems) -> pd.DataFrame | None:
    """Read a CSV as text cells, with each row's true line number in the file.

    The csv module (not pandas) is used so that blank lines and quoted
    newlines do not shift line numbers, and a row with too many or too few
    cells is reported where it is. Returns text cells plus a ``line`` column.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        problems.error(path, f"cannot read file: {exc.strerror}")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.error(path, f"not UTF-8 text (byte {exc.start}: {raw[exc.start:exc.start + 1]!r})",
                       _line_of_byte(raw, exc.start), hint="save the file as 'CSV UTF-8' in Excel")
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    header, rows, lines = None, [], []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue  # blank line
            if header is None:
                header = record
                header_line = reader.line_num
                continue
            if len(record) != len(header):
                if len(record) < len(header) and not any(c.strip() for c in record[len(header):]):
                    record = record + [""] * (len(header) - len(record))
                else:
                    problems.error(path, f"row has {len(record)} cells but the header has {len(header)}",
                                   reader.line_num,
                                   hint="check for an extra comma, or quote text that contains commas")
                    continue
            rows.append(record)
            lines.append(reader.line_num)
    except csv.Error as exc:
        problems.error(path, f"cannot read CSV: {exc}", reader.line_num,
                       hint="check that every opening quote has a closing quote")
        return None
    if header is None:
        problems.error(path, "the file is empty", 1, hint="a header row is needed: period,channel,transactions")
        return None
    if not rows:
        problems.warning(path, "the file has a header but no rows", header_line,
                         hint="add a row per period and channel")
    frame = pd.DataFrame(rows, columns=[str(h) for h in header], dtype=object)
    frame.attrs["header_line"] = header_line
    frame["\0line"] = lines
    return frame


def _parse_numbers(frame: pd.DataFrame, col: str, col_number: int, path, problems: Problems,
                   lines: pd.Series) -> pd.Series:
    raw = frame[col].astype(str).str.strip()
    missing = raw.str.lower().isin(MISSING)
    cleaned = raw.str.replace(r"[£$€,\s]|%$", "", regex=True)
    cleaned = cleaned.str.replace(r"^\((.*)\)$", r"-\1", regex=True)  # accounting negatives
    values = pd.to_numeric(cleaned.where(~missing), errors="coerce")
    floats = values.astype(float)
    values = values.where(np.isfinite(floats) & (floats.abs() < 1e15))  # no inf, 1e400 or absurd sizes
    bad = values.isna() & ~missing
    for index in frame.index[bad]:
        problems.error(path, f"'{col}' is not a number: '{raw[index]}'", int(lines[index]), col_number,
                       hint="write a number such as 1234 or 1,234; leave the cell blank if there is no data")
    if col in COUNTS:
        marked = raw.str.contains(r"[£$€%]", regex=True) & values.notna()
        for index in frame.index[marked]:
            problems.error(path, f"'{col}' is a count, not money or a percentage: '{raw[index]}'",
                           int(lines[index]), col_number, hint="write the number of transactions, e.g. 1234")
        values = values.where(~marked)
        fractional = values.notna() & (values % 1 != 0)
        for index in frame.index[fractional]:
            problems.warning(path, f"'{col}' is a count but has a fraction: '{raw[index]}'",
                             int(lines[index]), col_number, hint="counts are usually whole numbers")
        negative = values < 0
        for index in frame.index[negative]:
            problems.error(path, f"'{col}' cannot be negative: '{raw[index]}'", int(lines[index]), col_number,
                           hint="counts are zero or more; leave the cell blank if there is no data")
        values = values.where(~negative)
    if col == "satisfaction":
        outside = (values < 0) | (values > 100)
        for index in frame.index[outside]:
            problems.error(path, f"'satisfaction' must be a percentage from 0 to 100: '{raw[index]}'",
                           int(lines[index]), col_number, hint="write 72 or 72% for 72 per cent")
        values = values.where(~outside)
    return values.astype(float)


def _parse_periods(frame, col_number, path, problems, lines, fy_start) -> pd.Series:
    raw = frame["period"].astype(str).str.strip()
    parsed: dict[str, Period | None] = {}
    for text in raw.unique():
        try:
            parsed[text] = parse_period(text, fy_start)
        except PeriodError:
            parsed[text] = None
    periods = raw.map(lambda t: parsed[t])
    for index in frame.index[periods.isna()]:
        text = raw[index]
        problems.error(path, f"'period' is not a period I recognise: '{text}'", int(lines[index]), col_number,
                       hint="use YYYY-MM (2024-03), YYYY-Qn (2024-Q1), a financial year YYYY-YY (2023-24), "
                       "a year YYYY, or a date YYYY-MM-DD")
    return periods


def read_data_file(path: Path, config: Config, problems: Problems) -> pd.DataFrame | None:
    """Parse one CSV into tidy columns, plus ``line`` (its line in the file)."""
    frame = read_csv_text(path, problems)
    if frame is None:
        return None
    lines = frame.pop("\0line")
    header_line = frame.attrs.get("header_line", 1)
    header: dict[str, int] = {}
    for number, name in enumerate(frame.columns, start=1):
        key = _column_key(name)
        if key in header:
            problems.error(path, f"column '{name}' appears twice (as column {header[key]} and {number})",
                           header_line, number, hint="remove or rename one of them")
            return None
        header[key] = number
    frame.columns = list(header)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        problems.error(path, f"missing column(s): {', '.join(missing)}", header_line,
                       hint="the header row needs at least period,channel,transactions "
                       f"(found: {', '.join(frame.columns)})")
        return None
    for name, number in header.items():
        if name not in KNOWN:
            problems.warning(path, f"unknown column '{name}' is ignored", header_line, number,
                             hint=f"known columns: {', '.join(KNOWN)}")
    out = pd.DataFrame(index=frame.index)
    out["service"] = frame["service"].astype(str).str.strip() if "service" in header else ""
    out["period"] = _parse_periods(frame, header["period"], path, problems, lines, config.financial_year_start)
    lookup = config.channel_lookup()
    channel_raw = frame["channel"].astype(str).str.strip()
    out["channel"] = channel_raw.map(lambda c: lookup.get(normalise_channel(c)))
    for index in frame.index[out["channel"].isna()]:
        problems.error(path, f"'channel' is not a channel in config.yaml: '{channel_raw[index]}'",
                       int(lines[index]), header["channel"],
                       hint=f"use one of: {', '.join(c.id for c in config.channels)} "
                       "(or add it to channels in config.yaml)")
    for col in NUMERIC:
        if col in header:
            out[col] = _parse_numbers(frame, col, header[col], path, problems, lines)
        else:
            out[col] = np.nan
    out["line"] = lines
    out = out[out["period"].notna() & out["channel"].notna()]
    return out


def _check_service_rows(rows: pd.DataFrame, svc: Service, path: Path, problems: Problems) -> pd.DataFrame:
    """Per-service checks: one kind of period, no conflicting duplicates, completed <= started."""
    kinds = sorted({p.kind for p in rows["period"]})
    if len(kinds) > 1:
        problems.error(path, f"service '{svc.slug}' mixes periods of different kinds ({', '.join(kinds)})",
                       int(rows["line"].iloc[0]),
                       hint="use one kind of period per service, e.g. all months")
    keyed = rows.assign(_key=rows["period"].map(lambda p: p.key))
    if keyed.duplicated(["_key", "channel"]).any():
        repeat = keyed.duplicated(["_key", "channel", *NUMERIC], keep="first")
        for index in keyed.index[repeat]:
            problems.warning(path, f"repeated row for {keyed.at[index, '_key']} '{keyed.at[index, 'channel']}' "
                             "is ignored", int(keyed.at[index, "line"]), hint="remove the repeated row")
        remaining = keyed[~repeat]
        conflict = remaining.duplicated(["_key", "channel"], keep="first")
        for index in remaining.index[conflict]:
            problems.error(path, f"a second, different row for period {keyed.at[index, '_key']} and channel "
                           f"'{keyed.at[index, 'channel']}'", int(keyed.at[index, "line"]),
                           hint="keep one row per period and channel, or add a service column")
        rows = rows.loc[remaining.index[~conflict]]
    over = rows["completed"] > rows["started"]
    for index in rows.index[over]:
        problems.warning(path, f"more completed ({rows.at[index, 'completed']:g}) than started "
                         f"({rows.at[index, 'started']:g})", int(rows.at[index, "line"]),
                         hint="check the started and completed columns are not swapped")
    return rows


def load_data(config: Config, services: list[Service], problems: Problems) -> pd.DataFrame:
    """One tidy frame for every service that has data; each file is read once."""
    by_file: dict[str, list[Service]] = {}
    for svc in services:
        if svc.data:
            by_file.setdefault(svc.data.file, []).append(svc)
    frames = []
    for file in sorted(by_file):
        path = config.data_dir / file
        parsed = read_data_file(path, config, problems)
        if parsed is None:
            continue
        has_key_column = parsed["service"].ne("").any()
        groups = dict(tuple(parsed.groupby("service", sort=False))) if has_key_column else {}
        for svc in by_file[file]:
            key = svc.data.key or svc.slug
            if has_key_column:
                rows = groups.get(key)
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
            rows = _check_service_rows(rows, svc, path, problems)
            frames.append(rows.assign(service=svc.slug))
    if not frames:
        return empty_frame()
    tidy = pd.concat(frames, ignore_index=True)
    return tidy


def empty_frame() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=float) for c in NUMERIC})
    frame.insert(0, "channel", pd.Series(dtype=object))
    frame.insert(0, "period", pd.Series(dtype=object))
    frame.insert(0, "service", pd.Series(dtype=object))
    frame["line"] = pd.Series(dtype=int)
    return frame
