"""Data sources: how a council's own CSV export maps onto the tidy model, declared in YAML.

A source names a file and says how to read it (encoding, delimiter, which
line holds the headings), which of its columns hold which field (renames, or
templates such as ``"{Year}-{Month}"``), which rows to keep, and, for wide
files, which headings hold values (``"{period}: {measure}"``, ``"{channel}"``).
It may also generate services and organisations from its rows, so a
700-service spreadsheet needs no 700 YAML files.

This module only turns text cells into long text rows that remember where each
cell was (line and column); :mod:`generator.cells` parses the values.
"""

from __future__ import annotations

import codecs
import os
import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from generator.errors import Problems
from generator.measures import ALL_CHANNELS, FIELDS, KEYS, MEASURES, MISSING
from generator.model import KPI_KEYS
from generator.periods import years_span_hint
from generator.schema import Field, Schema, slugify
from generator.yamlfile import Positions, yaml_scalar

if TYPE_CHECKING:  # pandas is imported where it is used: a build with nothing to do never loads it
    import pandas as pd

PERIOD_TYPES = ("month", "quarter", "financial_quarter", "year", "financial_year", "week", "week_ending")

TEMPLATE_DOC = ("a column heading in braces, e.g. '{Name of service}', or several with text "
                "between them; text without braces is used as it is")

WIDE_SCHEMA = Schema(
    "wide",
    [
        Field("columns", "str", "Which headings hold values: a pattern with {period}, {channel} and/or "
              "{measure}, e.g. '{period}: {measure}', '{channel}' or '{period}'.", required=True),
        Field("measure", "str", "What the value columns hold when the pattern has no {measure}.",
              default="transactions"),
        Field("measures", "map", "For {measure}: the text in the heading and the measure it holds, "
              "e.g. 'digital volume: digital_transactions'.", default={},
              item=Field("measure", "str", "A measure name: a built-in one or one declared under measures:.")),
        Field("period", "str", "For {period} headings that give only part of a period (a month, a quarter) "
              "whose year is in a column of the row: a template, such as '{period} {Year}', where {period} "
              "is the heading's text."),
        Field("channels", "map", "For {channel}: the text in the heading and the channel id it means. "
              "Channel ids, labels and aliases from config.yaml are understood without this.", default={},
              item=Field("channel", "str", "A channel id from config.yaml.")),
    ],
)

ROWS_SCHEMA = Schema(
    "measures_in_rows",
    [
        Field("column", "str", "The heading of the column that names each row's measure (Indicator).",
              required=True),
        Field("value", "str", "The heading of the column that holds its value (Value); not with wide:, "
              "where each period's value is in a column of its own."),
        Field("measures", "map", "The text in that column and the measure it means, e.g. 'Claims made "
              "online: digital_transactions'. Rows with other text are not read.", required=True,
              item=Field("measure", "str", "A measure name: a built-in one or one declared under measures:.")),
    ],
)

SERVICES_SCHEMA = Schema(
    "services (generated from rows)",
    [
        Field("name", "str", f"The service's name: {TEMPLATE_DOC}.", required=True),
        Field("organisation", "str", "The organisation that runs it: a template giving an organisation's "
              "slug or name, e.g. '{Department}'.", required=True),
        Field("slug", "str", "Web address of each service: a template; defaults to the service key."),
        Field("description", "str", "One or two sentences: a template."),
        Field("category", "str", "A category: a template."),
        Field("lgsl", "str", "Local Government Service List code: a template."),
        Field("url", "str", "Web address of the service itself: a template."),
        Field("source", "str", "Where the figures come from: a template."),
        Field("notes", "str", "Notes about the figures (Markdown): a template."),
        Field("not_requested", "list", "KPIs these services deliberately do not collect (a file of another "
              "measure: FOI requests answered in time has no cost per transaction): shown as 'not requested'.",
              default=[], item=Field("not_requested", "str", "A KPI.", choices=KPI_KEYS)),
    ],
)

ORGANISATIONS_SCHEMA = Schema(
    "organisations (generated from rows)",
    [
        Field("name", "str", f"The organisation's name: {TEMPLATE_DOC}.", required=True),
        Field("slug", "str", "Its web address: a template; defaults to the name made into a slug."),
        Field("parent", "str", "The organisation it belongs to: a template giving a slug or name."),
        Field("kind", "str", "council, department, agency...: a template."),
        Field("description", "str", "A sentence about it: a template."),
        Field("url", "str", "Its website: a template."),
    ],
)

SOURCE_SCHEMA = Schema(
    "a data source",
    [
        Field("file", "str", "The CSV file in the data folder; or a pattern ('ae/*.csv') for a file per "
              "month or per council, read as one, with the columns 'file name' and 'file period'.",
              required=True),
        Field("id", "slug", "A short name services can use in data: {source: ...}; defaults to the file name."),
        Field("encoding", "str", "Text encoding: utf-8 (with or without a BOM) or windows-1252 "
              "(older Excel 'CSV' files).", default="utf-8"),
        Field("delimiter", "str", "The character between cells: ',' ';' '|' or 'tab'.", default=","),
        Field("header_row", "int", "The line that holds the column headings (lines above it, such as "
              "titles, are skipped).", default=1, minimum=1),
        Field("columns", "map", "Where each field comes from: field name, then a heading in the file or "
              "a template such as '{Year}-{Month}'. Fields: " + ", ".join(FIELDS) + ".", default={},
              item=Field("column", "str", "A heading in the file, or a template.")),
        Field("constants", "map", "Fields with one value for every row, e.g. channel: phone.", default={},
              item=Field("value", "str", "The value.")),
        Field("filter", "map", "Keep only rows whose column has this value (or one of a list); * in a "
              "value stands for any text and ? for any one character.", default={},
              item=Field("values", "any", "A value or a list of values.",
                         json={"oneOf": [{"type": ["string", "number"]}, {"type": "array"}]})),
        Field("exclude", "map", "Drop rows whose column has this value (or one of a list), e.g. "
              "'Channel: Total', or '????' for every four-character value.", default={},
              item=Field("values", "any", "A value or a list of values.",
                         json={"oneOf": [{"type": ["string", "number"]}, {"type": "array"}]})),
        Field("replace", "map", "Corrections to values before they are read, by field: "
              "period: {'January 2014 to December 2015': 'January 2014 to December 2014'}.", default={},
              item=Field("corrections", "map", "Old text to new text.",
                         item=Field("new", "str", "The corrected text."))),
        Field("wide", "object", "For files with values spread across columns.", item=WIDE_SCHEMA),
        Field("missing", "list", "Extra cell texts meaning 'no data' (blank, -, NA, n/a, ND, .., x, *, "
              "[c], [x] and [z] always do).",
              default=[], item=Field("marker", "str", "Cell text.")),
        Field("not_requested", "list", "Cell texts meaning the figure was deliberately not collected; "
              "overrides not_requested in config.yaml for this file.",
              item=Field("marker", "str", "Cell text, e.g. ***.")),
        Field("percentages", "str", "How rates are written: 'percent' (45 or 45%) or 'fraction' (0.45).",
              default="percent", choices=("percent", "fraction")),
        Field("multiply", "map", "Fields written in thousands or millions, and what to multiply them by: "
              "{transactions: 1000000} for a column of millions ('Bus journeys (m)').", default={},
              item=Field("factor", "number", "The number each value is multiplied by, e.g. 1000.")),
        Field("ignore", "list", "Headings of columns not to read: labels beside a wide file's values "
              "('Days in period'), notes. They are neither values nor warned about.", default=[],
              item=Field("heading", "str", "A heading in the file.")),
        Field("combine", "str", "'sum': rows for the same service, period and channel (a breakdown by "
              "ward or item type) are added together; their counts and costs must all be given, and rates "
              "cannot be added. Without it, such rows are an error.", choices=("sum",)),
        Field("missing_rows", "str", "'zero': a period, or a channel in a period, with no row in the file "
              "had no transactions (the export leaves out zeros), so it counts as 0. Without it, a missing "
              "period is a gap warning and a missing channel makes its period's take-up no data.",
              choices=("zero",)),
        Field("period_type", "str", "Treat each date in the period column as the whole month (quarter, "
              "year...) it falls in, for exports that write 01/03/2024 for March 2024.",
              choices=PERIOD_TYPES),
        Field("dates", "str", "The order of dates written with slashes: day_first (01/04/2024 is 1 April, "
              "as in the UK; the default) or month_first (04/01/2024 is 1 April, as US systems export).",
              choices=("day_first", "month_first")),
        Field("measures_in_rows", "object", "For files with a row per measure (LG Inform, Fingertips, Nomis): "
              "which column names the measure and which holds the value.", item=ROWS_SCHEMA),
        Field("services", "object", "Make one service for each distinct service key in the file, with "
              "its details taken from columns.", item=SERVICES_SCHEMA),
        Field("organisations", "list", "Make organisations from columns, top level first; each level may "
              "name its parent.", default=[], item=ORGANISATIONS_SCHEMA),
    ],
)

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class Template:
    """A field built from columns: '{Year}-{Month}', '{Department}', or plain text."""

    text: str

    @property
    def columns(self) -> list[str]:
        return _PLACEHOLDER.findall(self.text)

    def render(self, frame: pd.DataFrame) -> pd.Series:
        import pandas as pd

        parts = _PLACEHOLDER.split(self.text)
        out = pd.Series("", index=frame.index, dtype=object)
        for i, part in enumerate(parts):
            out = out + (frame[part].astype(str).str.strip() if i % 2 else part)
        return out.str.strip()

    def render_row(self, row: dict) -> str:
        return _PLACEHOLDER.sub(lambda mt: str(row.get(mt.group(1), "")).strip(), self.text).strip()


_SUM = re.compile(r"\s*\{[^{}]+\}(?:\s*[-+]\s*\{[^{}]+\})+\s*")
TERM = "@term"  # a figure's further columns in a long frame: 'completed@term-1', and its '...@col'


def term_columns(columns, name: str) -> list[tuple[float, str]]:
    """(sign, column) of each further column of the figure ``name`` worked out from columns, as
    _fields names them in a long frame ('completed@term-1': taken away)."""
    return [(-1.0 if column[len(name) + len(TERM)] == "-" else 1.0, column) for column in columns
            if column.startswith(name + TERM) and not column.endswith("@col")]


def sum_terms(template: Template) -> list[tuple[int, str]] | None:
    """A figure worked out from columns, '{Attendances} - {Breaches}': [(1, 'Attendances'), (-1,
    'Breaches')]. NHS England publishes A&E breaches, not attendances seen in time, and a contact
    centre calls offered and abandoned, not answered. None for any other template."""
    if not _SUM.fullmatch(template.text):
        return None
    signs = [1] + [-1 if sign == "-" else 1 for sign in re.findall(r"\}\s*([-+])\s*\{", template.text)]
    return list(zip(signs, template.columns))


@dataclass
class Source:
    """One data source as declared in config.yaml, with where each key was written."""

    id: str
    file: str
    values: dict
    index: int  # position in config.yaml's sources list
    config_path: object
    positions: Positions = field(repr=False)
    shared: bool = False  # another source reads the same file (in another way: its total rows, say)
    others_measures: frozenset = frozenset()  # the wide: measures: texts of the file's other sources
    _headings_seen: tuple | None = field(default=None, repr=False, compare=False)  # (headings, their keys): ignores

    def where(self, *keys) -> tuple[int | None, int | None]:
        return self.positions.at(("sources", self.index, *keys))

    def ignores(self, heading: str, headings: list[str]) -> bool:
        """Whether ``ignore:`` lists this heading: by its name (in any case and spacing), or by a
        pattern with spreadsheet wildcards ('C&L5b *': the columns of an indicator beside the one
        read, 54 headings in a tester's benchmarking export). A name with a * that is itself one of
        the file's ``headings`` ('Cost*', a footnoted column) is that heading, not a pattern: as one
        it had matched 'Cost' too, and the council's costs were replaced by estimates (a review)."""
        listed = tuple(str(name) for name in self.values.get("ignore") or [])
        names, patterns = _ignore_lists(listed)
        if _column_key(heading) in names:
            return True
        if not patterns:
            return False
        if self._headings_seen is None or self._headings_seen[0] is not headings:  # once a file, not a heading
            self._headings_seen = (headings, {_column_key(h) for h in headings})
        keys = self._headings_seen[1]
        return any(pattern.fullmatch(heading.strip()) for name, pattern in zip(_wildcards(listed), patterns)
                   if _column_key(name) not in keys)


def wildcard_regex(text: str) -> re.Pattern:
    """A pattern with spreadsheet wildcards (* any text, ? one character) as a case-blind regex."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text.strip()),
                      re.IGNORECASE | re.S)


def _wildcards(listed: tuple[str, ...]) -> list[str]:
    return [name for name in listed if "*" in name or "?" in name]


@lru_cache(maxsize=256)
def _ignore_lists(listed: tuple[str, ...]) -> tuple[frozenset, tuple]:
    """(every name's key, as a heading may be written with a * in it; the wildcard patterns, in
    the order _wildcards lists their names) of a source's ``ignore:``."""
    return frozenset(map(_column_key, listed)), tuple(map(wildcard_regex, _wildcards(listed)))


def validate_source(values: dict, index: int, path, positions: Positions, problems: Problems,
                    measures: tuple[str, ...] = MEASURES) -> Source | None:
    """Check what can be checked without the file: encoding, delimiter, wide pattern.

    ``measures`` are the measure names a file may carry: the built-in ones and any config.yaml declares.
    """
    kp = ("sources", index)
    fields = (*KEYS, *measures)
    before = len(problems.errors)
    try:
        codecs.lookup(values["encoding"])
        b"ab".decode(values["encoding"], errors="replace")  # rot13 and hex are codecs, but not of text
    except LookupError:
        problems.error(path, f"unknown encoding '{values['encoding']}'", *positions.at(kp + ("encoding",)),
                       hint="use utf-8 or windows-1252 (or another text encoding Python knows, e.g. mac_roman "
                            "for an old Mac file, iso-8859-1, utf-16)")
    delimiter = {"tab": "\t", "\\t": "\t"}.get(values["delimiter"], values["delimiter"])
    if len(delimiter) != 1:
        problems.error(path, f"delimiter must be one character, not '{values['delimiter']}'",
                       *positions.at(kp + ("delimiter",)), hint="use ',' ';' '|' or 'tab'")
    values["delimiter"] = delimiter
    for name in values["columns"]:
        if name not in fields:
            close = difflib.get_close_matches(name, fields, n=1)
            problems.error(path, f"'{name}' is not a field", *positions.key_at(kp + ("columns", name)),
                           hint=f"did you mean '{close[0]}'?" if close else
                           f"fields: {', '.join(fields)}; declare a new measure under measures:")
    for name in values["constants"]:
        if name not in fields:
            problems.error(path, f"'{name}' is not a field", *positions.key_at(kp + ("constants", name)),
                           hint=f"fields: {', '.join(fields)}")
    for number, marker in enumerate(values.get("not_requested") or []):
        if str(marker).strip() in KPI_KEYS:  # a KPI where a cell's text belongs: meant for services:
            problems.warning(path, f"'{marker}' under the source's not_requested: is read as a cell's text "
                             "meaning 'not requested', not as a KPI", *positions.at(kp + ("not_requested", number)),
                             hint="to say the services made from this file do not collect a KPI, write it under "
                                  "services: not_requested: (or in a service's YAML); the source's not_requested: "
                                  "lists cell texts such as ***")
    wide = values["wide"]
    if wide:
        named = [(("wide", "measure"), wide["measure"])] + [
            (("wide", "measures", heading), name) for heading, name in (wide["measures"] or {}).items()]
        for keys, name in named:
            if name not in measures:
                problems.error(path, f"'{name}' is not a measure", *positions.at(kp + keys),
                               hint=f"measures: {', '.join(measures)}; declare a new one under measures:")
        pattern = wide["columns"] or ""
        names = _PLACEHOLDER.findall(pattern)
        unknown = [n for n in names if n not in ("period", "channel", "measure")]
        if not names or unknown:
            problems.error(path, f"the wide pattern '{pattern}' needs {{period}}, {{channel}} or {{measure}}",
                           *positions.at(kp + ("wide", "columns")),
                           hint="for example '{period}: {measure}' or '{channel}'")
        elif len(set(names)) != len(names):
            problems.error(path, f"the wide pattern '{pattern}' repeats a placeholder",
                           *positions.at(kp + ("wide", "columns")), hint="use each placeholder once")
        if "measure" in names and not wide["measures"]:
            problems.error(path, "a pattern with {measure} needs measures: heading text to measure name",
                           *positions.at(kp + ("wide",)),
                           hint="for example  measures: {volume: transactions}")
    _cost_each_read_as_a_total(values, kp, path, positions, problems)
    _scaled_without_multiply(values, kp, path, positions, problems)
    for name, factor in (values.get("multiply") or {}).items():
        if name not in measures:
            problems.error(path, f"'{name}' is not a measure", *positions.key_at(kp + ("multiply", name)),
                           hint=f"measures: {', '.join(measures)}")
        elif not factor or factor < 0:
            problems.error(path, f"multiply: {name} must be a positive number, such as 1000", *positions.at(
                kp + ("multiply", name)), hint="1000 for a column of thousands, 1000000 for millions")
    stacked = values.get("measures_in_rows")
    if stacked:
        for heading, name in (stacked["measures"] or {}).items():
            if name not in measures:
                problems.error(path, f"'{name}' is not a measure", *positions.at(kp + ("measures_in_rows",
                                                                                      "measures", heading)),
                               hint=f"measures: {', '.join(measures)}; declare a new one under measures:")
        if not wide and not stacked["value"]:
            problems.error(path, "'value' is required in measures_in_rows", *positions.at(kp + ("measures_in_rows",)),
                           hint="the heading of the column that holds each row's value, e.g. value: Value")
        elif wide and stacked["value"]:
            problems.error(path, "with wide:, measures_in_rows: has no value: each period's value is in its own "
                           "column", *positions.key_at(kp + ("measures_in_rows", "value")),
                           hint="remove value:; wide: columns: names the columns, e.g. '{period}'")
        elif wide and kp + ("wide", "measure") in positions.marks:  # written, not the default
            problems.error(path, "with measures_in_rows:, each row says its measure: wide: has no measure:",
                           *positions.key_at(kp + ("wide", "measure")),
                           hint="remove measure: from wide:; name the rows' measures under measures_in_rows: measures")
        elif wide and "measure" in _PLACEHOLDER.findall(wide["columns"] or ""):
            problems.error(path, "with measures_in_rows:, the measure is in each row, not in the headings: the "
                           "wide pattern has no {measure}", *positions.at(kp + ("wide", "columns")),
                           hint="for example  wide: {columns: '{period}'}")
    if len(problems.errors) > before:
        return None
    file = str(values["file"]).strip()
    ident = values["id"] or slugify(file.rsplit(".", 1)[0])
    return Source(ident, file, values, index, path, positions)


# -- reading a source's rows into long text rows ------------------------------------------------------


@dataclass
class LongRows:
    """Text cells in tidy shape, each with the line and column it came from.

    ``frame`` has a text column per field present plus ``<field>@col`` (its
    column number, 0 if it came from a constant or pattern) and ``@line``.
    ``period@line`` is where a period was written: the heading, for wide files.
    """

    frame: pd.DataFrame
    measures: tuple[str, ...]  # measures this source provides
    headings: tuple[str, ...] = ()  # the file's headings, so messages can name column N as the file does
    replaced: frozenset = frozenset()  # (field, text) of each replace: correction that found a cell


class Headings(tuple):
    """A file's headings, and the heading each field read from one column has (``fields``): a
    message names that one, even where the files of a pattern have it in different places."""

    fields: dict

    def __new__(cls, headings, fields=None):
        made = super().__new__(cls, headings)
        made.fields = dict(fields or {})
        return made

    def __reduce__(self):
        return (Headings, (tuple(self), self.fields))


COLUMN_IN_FILE = "@column of "  # a pattern's per-row column number of a heading (raw_files._places_by_file)


def column_numbers(frame: pd.DataFrame, heading: str, number: int):
    """A heading's column number, as a spreadsheet numbers it: one number, or, for the files of a
    pattern that do not all have it in one place, each row's in its own file (raw_files._one_of_many)."""
    own = frame.get(COLUMN_IN_FILE + heading) if isinstance(heading, str) else None
    return own.to_numpy() if own is not None else number


def _long_at_once(base: pd.DataFrame, frame: pd.DataFrame, value_headings: list, rows, wide: dict, row_measure,
                  resolver, header_line: int) -> pd.DataFrame | None:
    """The wide columns' pieces that to_long stacks (each a copy of the rows' own columns, with one
    heading's cells, measure, period and channel), made a column at a time rather than a piece at a
    time: the Transactions Explorer's export has 63 such headings, and copying and filling a frame
    for each was a tenth of reading it. None where the pieces differ in shape (a heading without a
    period, a pattern's files with a heading in different places, no rows), for to_long's own way."""
    import numpy as np

    size, count = len(base), len(value_headings)
    numbers = [column_numbers(frame, heading, resolver.number[heading]) for heading, _ in value_headings]
    shapes = {("period" in parts, "channel" in parts) for _, parts in value_headings}
    if not size or len(shapes) != 1 or not all(type(number) is int for number in numbers):
        return None
    has_period, has_channel = shapes.pop()

    def each(values: list) -> np.ndarray:  # one value per heading, for each of its rows
        return np.repeat(np.array(values, dtype=object), size)

    long = base.take(np.tile(np.arange(size), count)).reset_index(drop=True)
    long["@row"] = np.tile(np.asarray(rows), count)
    long["@measure"] = each([parts.get("measure", wide["measure"]) for _, parts in value_headings]) \
        if row_measure is None else np.tile(row_measure.to_numpy(), count)
    long["@value"] = np.concatenate([frame[heading].astype(str).to_numpy() for heading, _ in value_headings])
    long["@col"] = np.repeat(np.array(numbers, dtype=np.int64), size)
    if has_period:
        long["period"] = each([parts["period"] for _, parts in value_headings])
        long["period@col"] = long["@col"]
        long["period@line"] = header_line
    if has_channel:
        long["channel"] = each([parts["channel"] for _, parts in value_headings])
        long["channel@col"] = long["@col"]
    return long


def headings_of(frame: pd.DataFrame) -> list[str]:
    """The file's own column headings, without the bookkeeping columns the reader adds."""
    return [c for c in frame.columns if not (isinstance(c, str) and c.startswith("@"))]


_HEADING_PART = "\x00period\x00"  # where a wide: period: template puts the heading's text
_REPEATED = re.compile(r"^(.*) \(column (\d+)\)$", re.S)
_REPEATED_BLANK = re.compile(r"\(column \d+\)")  # a column with no heading (raw_files._named_columns)


def duplicate_headings(headings: list[str]) -> list[tuple[str, int, int]]:
    """(heading, its column, the column of its first use) for each heading a file repeats: the
    reader names the second 'Total (column 9)' (see raw_files._named_columns)."""
    first = {h.lower(): number for number, h in enumerate(headings, start=1)}
    found = []
    for number, heading in enumerate(headings, start=1):
        match = _REPEATED.match(heading)
        if match and int(match[2]) == number and match[1].lower() in first and first[match[1].lower()] < number:
            found.append((heading, number, first[match[1].lower()]))
    return found


def _column_key(name: str) -> str:
    return str(name).strip().lower().replace(" ", "_").replace("-", "_")


# Columns every row of a file has without the file saying so: its name (without folder or
# extension) and the period its name gives ('March 2026' for 'MSitAE-MARCH-2026.csv'), for
# exports of a file per month or per council. Added where a source mentions them.
VIRTUAL = {"file_name": "@file name", "file_period": "@file period"}


def other_delimiter(headings: list[str]) -> tuple[str, str] | None:
    """A file read with commas whose one heading holds them all ('a;b;c'): (how its cells are
    separated, as a message says it; as config.yaml's delimiter: writes it), else None."""
    if len(headings) != 1:
        return None
    found = next((d for d in (";", "\t", "|") if d in headings[0]), None)
    if found is None:
        return None
    return ("tabs", "tab") if found == "\t" else (repr(found), repr(found))


class _Resolver:
    """Finds a file's columns by heading (exactly, then ignoring case, with spaces, hyphens and
    underscores as one: `in time` finds `In_Time`)."""

    def __init__(self, headings: list[str], columns=(), frame=None):
        self.headings = headings
        # Columns with no heading that hold something: a heading emptied in the file (see suggest)
        self.filled_blanks = [h for h in headings if _REPEATED_BLANK.fullmatch(h) and frame is not None
                              and h in frame and frame[h].astype(str).str.strip().ne("").any()]
        self.number = {h: i for i, h in enumerate(headings, start=1)}
        self.loose: dict[str, str] = {}
        for h in headings:
            self.loose.setdefault(_column_key(h), h)
        present = set(columns)
        self.virtual = {key: name for key, name in VIRTUAL.items() if name in present}
        self.by_place: set[str] = set()  # headings named with their column ('. (column 3)'): not ambiguous

    def find(self, name: str) -> str | None:
        if name in self.number:
            return name
        found = self.loose.get(_column_key(name))
        if found is None and (placed := _REPEATED.fullmatch(str(name).strip())):
            # The first of a repeated heading, by its place as messages write the later ones: '. (column 3)'.
            number = int(placed[2])
            if 0 < number <= len(self.headings) and _column_key(self.headings[number - 1]) == _column_key(placed[1]):
                self.by_place.add(self.headings[number - 1])
                return self.headings[number - 1]
        return found if found is not None else self.virtual.get(_column_key(name))

    def suggest(self, name: str) -> str:
        split = other_delimiter(self.headings)
        if split is not None:
            return (f"the file's cells are separated by {split[0]}, not commas: add delimiter: {split[1]} to its "
                    "entry under sources: in config.yaml")
        # First a heading with the same words in another order or with more ('total-events' for
        # 'events-total': spelling alone had offered 'events-orange', another figure).
        words = set(re.findall(r"[a-z0-9]+", str(name).lower()))
        same = [h for h in self.headings if words and words == set(re.findall(r"[a-z0-9]+", h.lower()))]
        close = same[:1] or difflib.get_close_matches(name, self.headings, n=3, cutoff=0.5)
        # A heading emptied in the file: its column is more likely the one meant than a spelling only
        # somewhat like it (a tester's blank 'Denominator' got 'did you mean Numerator?', which
        # published the wrong figures when followed). A near spelling ('Transactons') comes first.
        near = same or difflib.get_close_matches(name, self.headings, n=1, cutoff=0.8)
        blank = self.filled_blanks if not near else []
        if blank:
            return (f"the file's {blank[0][1:-1]} has no heading: if that is '{name}', write its heading back"
                    + ("; else did you mean " + " or ".join(f"'{c}'" for c in close) + "?" if close else ""))
        if close:
            return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
        shown = ", ".join(f"'{h}'" for h in self.headings[:12])
        return f"the file's headings are {shown}{'...' if len(self.headings) > 12 else ''}"


# A heading (or a measure's text) that says it is a cost each: 'Cost per transaction (£)', 'Unit cost'.
# Only where the text ends so (a unit in brackets or a currency sign may follow): 'Cost per call
# centre (£)' is a centre's total cost, and 'Business unit cost' a unit's.
_COST_EACH = re.compile(r"(\bper\s+(transaction|tx|unit|item|application|claim|case|request|contact|call|user)s?"
                        r"|^\s*(average\s+)?unit\s+costs?|\bcosts?\s+each)\s*(\([^()]*\))?[\s£$€]*$",
                        re.IGNORECASE)


def _cost_each_read_as_a_total(values: dict, kp: tuple, path, positions: Positions, problems: Problems) -> None:
    """A cost per transaction mapped to ``cost`` (a period's total) is an error: each figure would be
    divided by the period's transactions again. A tester's 'cost per transaction (£): cost' published
    £0.000009 a transaction for Inheritance Tax (£5.47), with no word."""
    named = [(("columns", "cost"), text) for text in _values_list(values["columns"]["cost"])] \
        if "cost" in values["columns"] else []
    for place in ("wide", "measures_in_rows"):
        named += [((place, "measures", text), str(text)) for text, name in
                  ((values.get(place) or {}).get("measures") or {}).items() if name == "cost"]
    for keys, text in named:
        if _COST_EACH.search(text):
            problems.error(path, f"'{text}' is a cost per transaction, but it is read as cost, a period's total "
                           "cost", *positions.at(kp + keys),
                           hint="read it as cost_per_transaction; cost is the total the transactions cost")


_SCALES = {"000": 1000, "000s": 1000, "'000": 1000, "'000s": 1000, ",000": 1000, "k": 1000, "thousand": 1000,
           "thousands": 1000, "m": 1_000_000, "million": 1_000_000, "millions": 1_000_000, "000,000": 1_000_000,
           "bn": 1_000_000_000, "billion": 1_000_000_000, "billions": 1_000_000_000}
_SCALE_NAMES = {1000: "thousands", 1_000_000: "millions", 1_000_000_000: "billions"}
# A unit in brackets, '(£000s)', '(thousands)', '(in £m)', or a currency sign's, '£000s', '£m'.
_BRACKETED = re.compile(r"\(\s*(?:in\s+)?([^()]*?)\s*\)", re.IGNORECASE)
_SIGNED = re.compile(r"[£$€]\s?('?000'?s?|,000|k|m|mn|bn|millions?|thousands?)(?![\w'])", re.IGNORECASE)


def scale_in_text(text: str) -> int | None:
    """How many units each figure is, where a heading (or a heading's text) says so: 1000 for
    'Gross expenditure (£000s)' or 'Cost £000s', a million for 'Spend (£m)'; None where it does not."""
    units = [(unit, False) for unit in _BRACKETED.findall(text)] + [(unit, True) for unit in _SIGNED.findall(text)]
    for unit, signed in units:
        bare = unit.strip().lower()
        # '£000's', '(GBP 000s)', '(£mn)': the currency's sign or code, and any apostrophe, aside
        scale = re.sub(r"^(?:[£$€]|gbp|eur|usd)\s*", "", bare).replace("'", "").replace("mn", "m").strip()
        if bare in ("m", "mn", "k", "bn") and not signed:
            continue  # '(m)' alone may be metres, '(mn)' minutes: a letter is a scale only after a currency sign
        if scale in _SCALES:
            return _SCALES[scale]
    return None


def _scaled_without_multiply(values: dict, kp: tuple, path, positions: Positions, problems: Problems) -> None:
    """A heading mapped to a measure that says its figures are in thousands (or millions), with no
    ``multiply:`` for that measure, is an error: a tester's 'Secondary education - Gross expenditure
    (£000s)' read as cost published £7.10 a pupil for £7,097.94. ``multiply: {cost: 1}`` says the
    figures are whole units after all."""
    multiplied = values.get("multiply") or {}
    named = [(("columns", name), text, name) for name, mapped in (values.get("columns") or {}).items()
             for text in _values_list(mapped)]
    for place in ("wide", "measures_in_rows"):
        named += [((place, "measures", text), str(text), str(name)) for text, name in
                  ((values.get(place) or {}).get("measures") or {}).items()]
    told = set()
    for keys, text, name in named:
        scale = scale_in_text(text)
        if scale is None or name in multiplied or name in told or name in KEYS:
            continue
        told.add(name)
        problems.error(path, f"'{text}' says its figures are in {_SCALE_NAMES[scale]}, but {name} is read as whole "
                       "figures", *positions.at(kp + keys),
                       hint=f"add multiply: {{{name}: {scale}}} to this source; if its figures are whole "
                            f"already, multiply: {{{name}: 1}} says so")


def _values_list(value) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in items]


def resolve_template(text: str, resolver: _Resolver, source: Source, keypath: tuple,
                     problems: Problems) -> Template | None:
    """A template whose placeholders all name real headings, else an error at the config key."""
    names = _PLACEHOLDER.findall(text)
    stray = _PLACEHOLDER.sub("", text)
    if "{" in stray or "}" in stray:  # '({area)': published as it stands on every page it made
        word = re.search(r"[{}]\s*([^{}()\[\]]*?)\s*[)\]]*$", stray) or re.search(r"([\w ]+)\s*[{}]", stray)
        close = [h for h in resolver.headings if word and word.group(1) and
                 _column_key(h).startswith(_column_key(word.group(1)))][:3] or \
            (difflib.get_close_matches(word.group(1), resolver.headings, n=1) if word else [])
        problems.error(source.config_path, f"'{text}' has a brace without its pair", *source.where(*keypath),
                       hint="did you mean " + " or ".join(f"'{{{h}}}'" for h in close) + "?" if close else
                       "put each column's heading in a pair of braces, e.g. '{Area}'")
        return None
    fixed = text
    for name in names:
        found = resolver.find(name)
        if found is None:
            problems.error(source.config_path, f"column '{name}' is not in {source.file}",
                           *source.where(*keypath), hint=resolver.suggest(name))
            return None
        fixed = fixed.replace("{" + name + "}", "{" + found + "}")
    return Template(fixed)


def _field_spec(name: str, source: Source | None, resolver: _Resolver, problems: Problems):
    """How to get a field: ('column', heading) | ('template', Template) | ('constant', text) | None."""
    values = source.values if source else {"columns": {}, "constants": {}}
    if name in values["columns"]:
        spec = str(values["columns"][name])
        if "{" in spec:
            template = resolve_template(spec, resolver, source, ("columns", name), problems)
            return ("template", template) if template else ("error", None)
        found = resolver.find(spec)
        if found is None:
            problems.error(source.config_path, f"column '{spec}' is not in {source.file}",
                           *source.where("columns", name), hint=resolver.suggest(spec))
            return ("error", None)
        return ("column", found)
    if name in values["constants"]:
        return ("constant", str(values["constants"][name]).strip())
    found = resolver.loose.get(name)
    if found and source is not None and source.ignores(found, resolver.headings):
        return None  # a column named like a field (cost) but listed under ignore: is not read
    return ("column", found) if found else None


_TOTAL = re.compile(r"\s*((grand\s+)?totals?|all(\s+(services|periods|channels))?|sum)?\s*", re.IGNORECASE)


# A column that sums the periods beside it: 'Total', 'Grand total', 'YTD', 'Year to date'.
# Only headings that name no period of their own: 'Total 2025' may add up 2025's months, but
# '2024/25 YTD' beside whole years is that year so far, so those are asked about (not dropped).
_SUMMARY_WORDS = r"(totals?|sum|ytd|year\s+to\s+date)"
_SUMMARY_PERIOD = re.compile(rf"\s*((grand|annual|overall)\s+)?{_SUMMARY_WORDS}\s*", re.IGNORECASE)


# 'Government agency total', 'Sub-total: north', 'Total for England', 'Total all wards': a total of the
# rows around it, named. Not every name starting with the word: 'Total Fitness', 'Total All-Inclusive
# Care'. ('Total For Kids Nursery' is taken for a total: a warning to rename it beats a sum counted twice.)
_NAMED_TOTAL = re.compile(r".*\bsub[\s-]?totals?\b.*|.*\btotals?\s*|\s*totals?\s+(for|of)\s.*|\s*totals?\s+all(\s.*)?",
                          re.IGNORECASE | re.DOTALL)


def looks_like_a_total(text: str) -> bool:
    """Whether a row's name or period reads as a spreadsheet's total row ('Total', 'Grand total',
    'All services', 'Government agency total', 'Total for all wards') or is blank, as such rows
    often are: a total left in would count its rows twice in every sum over services."""
    text = str(text)
    return bool(_TOTAL.fullmatch(text) or _NAMED_TOTAL.fullmatch(text))


# A row for a whole country, or an average, among councils' or trusts' rows ('England' in a file
# of 16 councils, as LG Inform and Fingertips give one): told, since the site would count it as one
# of them. Countries, the UK, and their ONS codes, alone or as an average; averages of all of them.
_NATIONAL = re.compile(r"\s*(?:(?:england|wales|scotland|northern\s+ireland|united\s+kingdom|uk|great\s+britain|"
                       r"england\s+(?:and|&)\s+wales|e92000001|w92000004|s92000003|n92000002|k0[234]000001|national|"
                       r"english|welsh|scottish|all\s+(?:councils|(?:local\s+)?authorities|areas|trusts|providers))"
                       r"(?:\s+(?:average|mean|median|total|figures?|overall))?|(?:average|mean|median))\s*",
                       re.IGNORECASE)


def looks_national(text: str) -> bool:
    """Whether a name reads as a whole country's or an average's ('England', 'UK average'), not one
    organisation's or service's among others."""
    return bool(_NATIONAL.fullmatch(str(text)))


def _values_held(column: pd.Series, shown: int = 10) -> str:
    """The values a column has, in file order, for a hint: with nothing close to a filter: value,
    the user can copy the one meant."""
    values = list(dict.fromkeys(v for v in column.astype(str).str.strip() if v))
    if not values:
        return "the column is empty in every row"
    more = len(values) - shown
    return ("the column has " + ", ".join(f"'{v}'" for v in values[:shown])
            + (f" and {more} more" if more > 0 else "") + "; copy the one meant")


def select_rows(frame: pd.DataFrame, source: Source | None, resolver: _Resolver, problems: Problems) -> pd.DataFrame:
    """Apply ``filter`` and ``exclude``; compares trimmed text, ignoring case."""
    import pandas as pd

    if source is None:
        return frame
    keep = pd.Series(True, index=frame.index)
    for key in ("filter", "exclude"):
        for name, wanted in source.values[key].items():
            heading = resolver.find(str(name))
            if heading is None:
                spec = source.values["columns"].get(name)
                heading = resolver.find(str(spec)) if spec else None
            if heading is None:
                problems.error(source.config_path, f"column '{name}' is not in {source.file}",
                               *source.where(key, name), hint=resolver.suggest(str(name)))
                continue
            cells = frame[heading].astype(str).str.strip().str.lower()
            values = [v.lower() for v in _values_list(wanted)]
            # '*' or '***' alone is a marker written in the file, not 'anything': matched as written.
            patterns = [v for v in values if ("*" in v or "?" in v) and v.strip("*")]
            matches = cells.isin(values)
            if key == "filter":  # a value kept that no row has is most likely a slip: its rows are lost
                present = set(cells)
                shown = {v.lower(): frame[heading].astype(str).str.strip()[cells.eq(v.lower())].iloc[0]
                         if cells.eq(v.lower()).any() else v for v in _values_list(wanted)}
                for value in values:
                    if value not in present and value not in patterns:
                        close = difflib.get_close_matches(value, sorted(present), n=1, cutoff=0.6)
                        close = [frame[heading].astype(str).str.strip()[cells.eq(c)].iloc[0] for c in close]
                        problems.warning(source.config_path, f"no row of {source.file} has '{shown[value]}' in column "
                                         f"'{heading}', so filter: keeps none for it", *source.where(key, name),
                                         hint=f"did you mean '{close[0]}'?" if close else
                                         _values_held(frame[heading]))
            else:  # an exclude: for rows that may come one day is fine; a near miss ('Englnd') is a slip
                present = set(cells)
                if len(present) > 2000:  # a column of ids or dates: not one of names to misspell
                    present = set()
                for value, written in zip(values, _values_list(wanted)):
                    close = [] if value in present or value in patterns else \
                        difflib.get_close_matches(value, sorted(present), n=1, cutoff=0.8)
                    if close and close[0] not in values:  # [Cancelled, Canceled]: both spellings, on purpose
                        near = frame[heading].astype(str).str.strip()[cells.eq(close[0])].iloc[0]
                        problems.warning(source.config_path, f"no row of {source.file} has '{written}' in column "
                                         f"'{heading}', so exclude: leaves out nothing for it",
                                         *source.where(key, name), hint=f"did you mean '{near}'?")
            if patterns:  # spreadsheet wildcards: * any text, ? one character; the rest as written
                regex = "|".join("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in v)
                                 for v in patterns)
                matches |= cells.str.fullmatch(regex, flags=re.S)
            keep &= matches if key == "filter" else ~matches
    if len(frame) and not keep.any():
        # Every row left out: the services made from the file, and their pages, would go (a tester's
        # '18 plus' for '18plus' replaced a site of 14 services with none, with exit 0): an error. A
        # source feeding services named in YAML may be one of several a service reads (its paper
        # forms, withdrawn): a warning there.
        key = "filter" if source.values["filter"] else "exclude"
        made = bool(source.values.get("services"))
        (problems.error if made else problems.warning)(
            source.config_path, f"filter: and exclude: leave no row of {source.file}, so it "
            + ("would publish nothing" if made else "adds nothing"), *source.where(key),
            hint="check each value against the file's (a warning names any near miss); values are compared "
                 "ignoring case and spaces at the ends")
    elif source.values["exclude"] and not keep.all():
        _figures_only_on_excluded_rows(frame, keep, source, resolver, problems)
    return frame[keep]


def _figures_only_on_excluded_rows(frame: pd.DataFrame, keep: pd.Series, source: Source, resolver: _Resolver,
                                   problems: Problems) -> None:
    """A column of figures the source reads whose every figure is on a row exclude: leaves out. A
    council return with satisfaction only on each quarter's Total row: the error's hint, exclude:
    {Channel: Total}, was taken, and the site said the service published no satisfaction."""
    if source.values.get("wide") or source.values.get("measures_in_rows") or source.shared:
        return  # (shared: another source of the file may read those rows' figures, as the hint says to)
    mapped = source.values["columns"]
    headings = {resolver.find(str(mapped[name])) if name in mapped else resolver.find(name) for name in MEASURES}
    for heading in sorted(h for h in headings if h is not None and not source.ignores(h, resolver.headings)):
        cells = frame[heading].astype(str).str.strip()
        if cells[keep].eq("").all() and cells[~keep].ne("").any():
            problems.warning(source.config_path, f"column '{heading}' of {source.file} has figures only on rows "
                             "exclude: leaves out, so none of them is read", *source.where("exclude"),
                             hint="to read them, add a second source of the file with filter: for those rows and "
                                  "ignore: for their other figures (see 'two sources read the same file' in "
                                  "docs/bring-your-data.md)")


def _holds_figures(cells: pd.Series) -> bool:
    """Whether most of a column's filled cells are numbers (1,234, £3.50 and 45% too)."""
    import pandas as pd

    text = cells.astype(str).str.strip()
    filled = text[text.ne("")]
    numbers = pd.to_numeric(filled.str.replace(r"[£$€,%\s]", "", regex=True), errors="coerce").notna()
    return bool(len(filled)) and numbers.sum() * 2 >= len(filled)


def _words(text: str) -> str:
    return " ".join(str(text).split()).lower()


def _loose(text: str) -> str:
    """A pattern's literal text as a regex in which any run of spaces or line breaks (a wrapped
    heading in a spreadsheet) stands for any other."""
    if not text:
        return ""
    words = text.split()
    body = r"\s+".join(re.escape(w) for w in words)
    if not words:
        return r"\s+"
    return (r"\s+" if text[0].isspace() else "") + body + (r"\s+" if text[-1].isspace() else "")


def _pattern_regex(pattern: str, measures: list[str] | None = None, channels: list[str] | None = None,
                   channel_spellings: list[str] | None = None) -> re.Pattern:
    """A wide pattern ('{period}: {measure}') as a regex, each placeholder a named group; with
    ``measures`` (or ``channels``), {measure} ({channel}) matches only those texts (longest first);
    with ``channel_spellings`` (channels' names as normalise_channel gives them: 'facetoface'),
    {channel} matches any of them written with spaces, underscores or other marks between letters."""
    out = []
    for i, part in enumerate(_PLACEHOLDER.split(pattern)):
        texts = measures if part == "measure" else channels if part == "channel" else None
        if not i % 2:
            out.append(_loose(part))
        elif part == "channel" and channel_spellings:
            out.append(f"(?P<{part}>" + "|".join(r"[\W_]*".join(map(re.escape, key)) for key in
                                                 sorted(channel_spellings, key=len, reverse=True) if key) + ")")
        elif texts:
            out.append(f"(?P<{part}>" + "|".join(_loose(m) for m in sorted(texts, key=len, reverse=True)) + ")")
        else:
            out.append(f"(?P<{part}>.+?)")
    return re.compile("^" + "".join(out) + "$", re.I | re.S)


def _edits(a: str, b: str) -> int:
    """Letters to add, drop or change to make one text the other (Levenshtein)."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        row, before = [i], row
        for j, y in enumerate(b, 1):
            row.append(min(before[j] + 1, row[j - 1] + 1, before[j - 1] + (x != y)))
    return row[-1]


def _sibling_codes(text: str, other: str) -> bool:
    """Whether two measure texts are codes of sibling indicators, not a slip: 'C&L5b' beside 'C&L5a',
    'SW2' beside 'SW1', 'CHN10' beside 'CHN1' (benchmarking exports publish a family of them side by
    side). A code has a digit and no space; siblings differ only in their last character or two. A
    tester's 48 'did you mean C&L5a?' errors were each of another indicator."""
    if text == other or any(c.isspace() for c in text + other) or not any(c.isdigit() for c in text + other):
        return False
    common = len(os.path.commonprefix([text, other]))
    ends = sorted((text[common:], other[common:]), key=len)  # ('a', 'b'); ('', '0') for CHN1 and CHN10
    if len(ends[0]) == len(ends[1]) == 1:  # a last character of the same kind: C&L5a, C&L5b; SW1, SW2
        return ends[0].isdigit() == ends[1].isdigit() and ends[0].isalnum() and ends[1].isalnum()
    # CHN10 beside CHN1: a digit or two more after a code's digit (not BV08 beside BV8, nor SW21 beside SW12)
    return ends[0] == "" and 1 <= len(ends[1]) <= 2 and ends[1].isdigit() and text[common - 1:common].isdigit()


def _slips(text: str, candidates: list[str], cutoff: float = 0.8) -> list[str]:
    """The candidate ``text`` is a letter or two from, if any: difflib's likeness alone called the
    Y/N column 'e_application' a letter or two from 'other_applications' (six apart)."""
    return [c for c in difflib.get_close_matches(text, candidates, n=1, cutoff=cutoff) if _edits(text, c) <= 2]


def _wide_headings(source: Source, resolver: _Resolver, used: set[str], header_line: int, path,
                   problems: Problems, channel_lookup, normalise, is_period,
                   frame: pd.DataFrame, joined: str | None = None, fixed_join: bool = False) -> list[tuple[str, dict]]:
    """Headings that hold values, each with its period/channel/measure text. ``joined``: the wide:
    period: template, as the first row fills it in. ``fixed_join``: it has no column in it ('{period}
    2023/24'), so periods are known from the headings alone: one it makes no period of is told at
    its heading, and if none makes one, at config.yaml (a slip there had been an error at every
    data cell)."""
    wide = source.values["wide"]
    pattern = wide["columns"]
    measures = {_words(k): v for k, v in wide["measures"].items()}
    channels = {normalise(k): v for k, v in wide["channels"].items()}
    for original, value in wide["channels"].items():  # what a heading is mapped to: a channel config.yaml has
        if channel_lookup.get(normalise(str(value))) is None and \
                normalise(str(value)) not in {normalise(text) for text in ALL_CHANNELS}:  # 'all': all-channels rows
            close = difflib.get_close_matches(normalise(str(value)), list(channel_lookup), n=1, cutoff=0.6)
            problems.error(source.config_path, f"wide: channels: maps '{original}' to '{value}', which is not a "
                           "channel in config.yaml", *source.positions.key_at(
                               ("sources", source.index, "wide", "channels", original)),
                           hint=(f"did you mean '{channel_lookup[close[0]]}'? " if close else "") +
                           "map it to a channel's id or label under channels:, or add that channel")
            channels[normalise(original)] = None  # its columns are not read: told here, not at every cell
    # The measures' own texts first, so 'Digital transactions Oct - Dec 2016' splits after the
    # measure, not after its first word; any text second, for a near miss to be told about.
    # Likewise the texts wide: channels: maps ('online_web' in 'online_web_april', not 'online').
    # (Before those, if wide: channels: maps texts, a split by both; a heading of another channel
    # ('Phone volume' beside channels: {Web: online}) still splits by the measures.)
    mapped = [str(k) for k in wide["channels"]] if "{channel}" in pattern else []
    compiled = ([_pattern_regex(pattern, list(measures), mapped)] if mapped else []) + \
        ([_pattern_regex(pattern, list(measures))] if measures else []) + [_pattern_regex(pattern)]
    if "{channel}" in pattern and "{period}" in pattern:
        # Then by the channels config.yaml knows, however spaced: '{channel} {period}' had split
        # 'Face to face Apr-24' after 'Face', and '{channel}_{period}' 'total_ebook_issues_april'
        # after 'total' (a tester's). Before the plainest split, which stays for a near miss.
        known = _pattern_regex(pattern, list(measures) or None, channel_spellings=list(channel_lookup))
        compiled.insert(len(compiled) - 1, known)
    fixes = {str(k).strip(): str(v) for k, v in (source.values["replace"].get("period") or {}).items()}

    def whole(part: str) -> str:
        """The period a heading's part makes: with wide: period:, joined as the first row joins it
        (the rest of a row's period may come from its columns), and corrected as replace: says."""
        part = " ".join(part.split())
        text = joined.replace(_HEADING_PART, part) if joined is not None else part
        return fixes.get(text, text)

    found, fitted, named, unjoined = [], False, set(), []

    @lru_cache(maxsize=1)
    def present_measures() -> frozenset:
        """The mapped measures' texts (as measures keys them) that some heading has."""
        return frozenset(text for heading in resolver.headings for c in compiled
                         if (m := c.match(heading.strip())) and "measure" in m.groupdict()
                         and (text := _words(m["measure"])) in measures)

    for heading in resolver.headings:
        if heading in used or (_REPEATED_BLANK.fullmatch(heading) and not frame[heading].astype(str).str.strip().any()):
            continue  # a spacer column with no heading and nothing in it
        matches = [m for m in (c.match(heading.strip()) for c in compiled) if m]
        if not matches:
            # (not the first column: a table's row numbers, as pandas writes its index, have no heading)
            if _REPEATED_BLANK.fullmatch(heading) and resolver.number[heading] > 1 and _holds_figures(frame[heading]):
                # A heading emptied among values across columns: its figures were dropped with exit 0
                # (a tester's damaged Transactions Explorer file lost a year's volumes).
                number = resolver.number[heading]
                beside = [h for h in resolver.headings[max(number - 2, 0):number + 1] if h != heading
                          and not _REPEATED_BLANK.fullmatch(h)]
                problems.error(path, f"column {number} has no heading but holds figures, so none of them is read",
                               header_line, number,
                               hint="write its heading" + (f" (beside {' and '.join(repr(h) for h in beside)})"
                                                           if beside else "")
                               + f"; if it is not data, list it under ignore: ['{heading}'] in the source")
            continue
        fitted = True
        # A split whose period is a period wins: '2012-Q4 Digital CPT (£)' is 2012-Q4 and an unmapped
        # measure, not the period '2012-Q4 Digital' and the mapped 'CPT (£)'. With wide: period:, the
        # period it makes joined: 'online volume april' is 'online volume' and 'april 2023/24'.
        # Where none does, the split by a channel text wide: channels: maps ('online_web_mya': a typo in
        # 'mya', not in 'web_mya'), else the plainest ('Q4 2012 Digital CPT (£)': an unmapped measure).
        fallback = matches[0] if mapped and matches[0].re is compiled[0] else matches[-1]
        match = next((m for m in matches if "period" not in m.groupdict() or is_period(whole(m["period"]))),
                     fallback)
        parts = {k: " ".join(v.split()) for k, v in match.groupdict().items()}
        if "measure" in parts:
            measure = measures.get(_words(parts["measure"]))
            if measure is None:  # a heading of the right shape for something else (notes), or a typo
                # A sibling indicator's code is passed over only beside its mapped code's own columns:
                # with none, the mapping may be the slip (BV08 mapped, the file's BV8: a review's).
                close = [] if _words(parts["measure"]) in {_words(t) for t in source.others_measures} else \
                    [c for c in _slips(parts["measure"].lower(), list(measures))
                     if not (_sibling_codes(parts["measure"].lower(), c) and c in present_measures())]
                if close:  # a letter or two out: over figures, a typo that would drop them
                    report = problems.error if _holds_figures(frame[heading]) else problems.warning
                    report(path, f"column '{heading}' matches '{pattern}' but '{parts['measure']}' is not "
                           "one of its measures, so it is not read", header_line, resolver.number[heading],
                           hint=f"did you mean '{close[0]}'? Correct the heading, or add it to wide: measures:; if "
                                f"it is another figure, list it under ignore: in the source, e.g. ignore: "
                                f"[{yaml_scalar(parts['measure'] + ' *')}] (a * stands for any text)")
                continue
            parts["measure"] = measure
        if "period" in parts:
            if parts["period"] not in fixes and _SUMMARY_PERIOD.fullmatch(parts["period"]):
                continue  # a Total or year-to-date column: the periods already add up to it
            if fixed_join and not is_period(whole(parts["period"])):
                unjoined.append((heading, whole(parts["period"])))
                continue
            if wide.get("period"):
                pass  # the heading gives part of a period, the row the rest: checked once joined
            elif not is_period(fixes.get(parts["period"], parts["period"])):
                # With '{period}' any heading matches, so one that is no period is most likely another
                # column (Notes); unless it holds figures: then it is a period mistyped, and they count.
                report = problems.warning if pattern.strip() == "{period}" and not _holds_figures(
                    frame[heading]) else problems.error
                summary = re.search(rf"\b{_SUMMARY_WORDS}\b", parts["period"], re.IGNORECASE)
                # A year so far ('2024/25 YTD') cannot stand beside whole years, even corrected to the
                # months it covers (a tester's replace: then failed as periods of two kinds).
                report(path, f"column '{heading}' matches '{pattern}' but '{parts['period']}' is not a period "
                       "I recognise", header_line, resolver.number[heading],
                       hint=f"if it is a year so far, leave it out until the year is complete with ignore: "
                       f"[{yaml_scalar(heading)}] in the source; if it adds up the columns beside it, head it just "
                       "'Total', which is skipped" if summary else
                       years_span_hint(parts["period"]) or
                       "correct it with replace: {period: {'wrong': 'right'}} in the source; periods are "
                       "written like 2024-03, Mar 2024, 2023/24, Q1 2024 or April 2023 to March 2024")
                continue
        if "channel" in parts:
            if normalise(parts["channel"]) in {normalise(t) for t in ALL_CHANNELS}:
                continue  # a Total column: the channels already add up to it
            named.add(normalise(parts["channel"]))
            if normalise(parts["channel"]) in channels and channels[normalise(parts["channel"])] is None:
                continue  # mapped to no channel: told at config.yaml
            channel = channels.get(normalise(parts["channel"])) or channel_lookup.get(normalise(parts["channel"]))
            if channel is None:
                # A channel's name a letter or two out, over figures, is a typo that would drop them.
                spelt = {**channel_lookup, **{normalise(k): k for k in wide["channels"]}}  # as config.yaml names it
                close = [spelt[c] for c in _slips(normalise(parts["channel"]), list(spelt))]
                figures = _holds_figures(frame[heading])
                if not close and not figures:
                    continue  # a label beside the values ('Reporting period'): nothing to read
                report = problems.error if close and figures else problems.warning
                mapped = bool(close) and close[0] in wide["channels"]
                report(path, f"column '{heading}' matches '{pattern}' but '{parts['channel']}' is "
                       "not a channel, so it is not read", header_line, resolver.number[heading],
                       hint=f"it is a letter or two from '{close[0]}' in wide: channels: in config.yaml; correct "
                       "whichever is misspelt" if mapped else
                       (f"did you mean '{close[0]}'? Correct the heading, or add" if close else "add")
                       + " it to the channels in config.yaml (or as an alias), or to wide: channels:; or, if it "
                       "is not a channel, list it under ignore: in the source")
                continue
            parts["channel"] = channel
        found.append((heading, parts))
    for key, original in {normalise(k): k for k in wide["channels"]}.items():
        if key not in named:  # a slip in config.yaml, not in the file
            close = difflib.get_close_matches(key, [normalise(h) for h in resolver.headings], n=1, cutoff=0.8)
            problems.warning(source.config_path, f"no heading in {source.file} has the channel text '{original}'",
                             *source.positions.key_at(("sources", source.index, "wide", "channels", original)),
                             hint="check its spelling against the file's headings" + (
                                 f" (one is '{next(h for h in resolver.headings if normalise(h) == close[0])}')"
                                 if close else ""))
    if unjoined and not any("period" in parts for _, parts in found):
        problems.error(source.config_path, f"wide: period: '{wide['period']}' makes no period from the headings "
                       f"(the first is '{unjoined[0][1]}')", *source.where("wide", "period"),
                       hint="check the text around {period}: it is joined to each heading's part, such as "
                            "'{period} 2023/24' for 'april'")
        return []
    for heading, text in unjoined:
        report = problems.error if _holds_figures(frame[heading]) else problems.warning
        report(path, f"column '{heading}' matches '{pattern}' but '{text}' is not a period I recognise",
               header_line, resolver.number[heading],
               hint=f"correct the heading, or say what it means with replace: {{period: {{'{text}': '...'}}}} in "
                    "the source")
    if not found and not fitted:
        problems.error(source.config_path, f"no heading in {source.file} matches the wide pattern '{pattern}'",
                       *source.where("wide", "columns"), hint=resolver.suggest(pattern.replace("{", "").replace("}", "")))
    return found


def to_long(frame: pd.DataFrame, header_line: int, source: Source | None, path, problems: Problems,
            channel_lookup: dict, normalise, is_period, measures: tuple[str, ...] = MEASURES) -> LongRows | None:
    """Reshape one file's text cells to tidy text rows, remembering every cell's line and column."""
    import pandas as pd

    headings = headings_of(frame)
    resolver = _Resolver(headings, frame.columns, frame)
    before = len(problems.errors)
    specs = {name: _field_spec(name, source, resolver, problems) for name in (*KEYS, *measures)}
    keys_told = len(problems.errors) > before and any(specs.get(name) == ("error", None) for name in KEYS)
    selecting = len(problems.errors)
    frame = select_rows(frame, source, resolver, problems)
    if keys_told or len(problems.errors) > selecting:
        return None
    for name in measures:  # a measure's heading mistyped is told; the file's other cells are still checked
        if specs.get(name) == ("error", None):
            specs[name] = None
    before = len(problems.errors)
    wide = source.values["wide"] if source else None
    # Columns the mapping reads for other purposes are never value columns of a wide file.
    used = {spec[1] for spec in specs.values() if spec and spec[0] == "column"}
    used.update(c for spec in specs.values() if spec and spec[0] == "template" for c in spec[1].columns)
    if source is not None:
        blocks = [source.values["services"] or {}, *source.values["organisations"]]
        used.update(c for block in blocks for v in block.values() if isinstance(v, str)
                    for c in _PLACEHOLDER.findall(v))
        used.update(resolver.find(str(name)) for key in ("filter", "exclude") for name in source.values[key])
        read = set(used)  # (what ignore: names is passed over, not read: a duplicated heading may be among them)
        for index, name in enumerate(source.values.get("ignore") or []):
            if ("*" in str(name) or "?" in str(name)) and resolver.find(str(name)) is None:
                matched = [h for h in resolver.headings if wildcard_regex(str(name)).fullmatch(h.strip())]
                if not matched:
                    problems.warning(source.config_path, f"no column of {source.file} matches '{name}'",
                                     *source.where("ignore", index),
                                     hint="* stands for any text and ? for one character; the rest is compared "
                                          "as written, in any case")
                used.update(matched)
                continue
            found = resolver.find(str(name))
            if found is None:
                problems.warning(source.config_path, f"column '{name}' is not in {source.file}",
                                 *source.where("ignore", index), hint=resolver.suggest(str(name)))
            used.add(found)
    else:
        read = used
    for heading, number, first in duplicate_headings(headings):
        if headings[first - 1] in read and headings[first - 1] not in resolver.by_place:
            where = frame.loc[frame[heading].astype(str).ne(""), "@file"].iloc[0] \
                if "@file" in frame and frame[heading].astype(str).ne("").any() else path  # a pattern's: one file
            problems.error(where, f"column '{headings[first - 1]}' appears twice (as column {first} and {number}), "
                           "and the mapping reads it", header_line, number,
                           hint=f"map '{headings[first - 1]} (column {first})' to read the first, or "
                                f"'{heading}' to read the second")
    if len(problems.errors) > before:
        return None
    base = pd.DataFrame({"@line": frame["@line"].to_numpy()}, index=frame.index)
    if "@file" in frame:
        base["@file"] = frame["@file"].to_numpy()
    keys, _ = _fields(frame, specs, resolver, ("service", "period", "channel"))
    base = pd.concat([base, keys], axis=1)
    if "period" in base:
        base["period@line"] = base["@line"]
    measure_names = measures
    measures, provided = _fields(frame, specs, resolver, measure_names, sums=True)
    stacked = source.values.get("measures_in_rows") if source is not None else None
    summed = [name for name in provided if specs[name][0] == "template" and sum_terms(specs[name][1])]
    if summed and (wide or stacked):
        problems.error(source.config_path, f"'{summed[0]}' adds or takes away columns, which is read only in a "
                       "file with one row for each period and channel", *source.where("columns", summed[0]),
                       hint=f"without {'wide:' if wide else 'measures_in_rows:'}, columns can be added or taken "
                            "away: {Attendances} - {Breaches}")
        return None
    if stacked and not wide:
        return _measures_in_rows(frame, base, source, resolver, path, problems, provided, measure_names,
                                 tuple(headings))
    if not wide:
        out = pd.concat([base, measures], axis=1)
        out["@has_tx"] = "transactions" in provided
        fields = {name: specs[name][1] for name in provided if specs.get(name) and specs[name][0] == "column"}
        return _long_rows(out.reset_index(drop=True), source, tuple(provided), Headings(headings, fields))
    placeholders = _PLACEHOLDER.findall(wide["columns"])
    if provided and "period" in placeholders:
        problems.error(source.config_path, f"{', '.join(provided)} cannot come from one column when periods "
                       "are across columns: which period would it belong to?", *source.where("columns"),
                       hint="put the measure in the wide pattern's measures instead")
        return None
    joined = None
    if wide.get("period"):  # part of each period in the headings, the rest in a column of the row
        joined = resolve_template(str(wide["period"]).replace("{period}", _HEADING_PART), resolver, source,
                                  ("wide", "period"), problems)
        if joined is None:
            return None
        used.update(joined.columns)
    row_measure = None
    if stacked:  # a row per measure, its periods across the columns (a council's summary sheet)
        found = _stacked_columns(("column",), source, resolver, provided, problems)
        if found is None:
            return None
        column = found["column"]
        used.add(column)
        row_measure = _row_measures(frame, column, source, resolver, path, problems)
        if row_measure is None:
            return None
        keep = row_measure.notna()
        frame, base, row_measure = frame[keep], base[keep], row_measure[keep]
    value_headings = _wide_headings(source, resolver, used, header_line, path, problems, channel_lookup,
                                    normalise, is_period, frame,
                                    joined.render_row(frame.iloc[0].to_dict()) if joined is not None and len(frame)
                                    else None, joined is not None and not joined.columns)
    if not value_headings:
        return None
    rows = frame.index
    if row_measure is not None:  # a service's rows, one per measure, are one row of figures
        named = [c for c in ("@file", "service", "channel") if c in base]
        keyed = base[named].astype(str).agg("\x00".join, axis=1) if named else pd.Series("", index=base.index)
        if source.values.get("combine") == "sum":  # a breakdown (by ward): each measure's nth row is the nth part
            nth = pd.DataFrame({"key": keyed, "measure": row_measure}).groupby(["key", "measure"]).cumcount()
            keyed = keyed + "\x00" + nth.astype(str)
        rows = pd.factorize(keyed)[0]
    long = _long_at_once(base, frame, value_headings, rows, wide, row_measure, resolver, header_line) \
        if joined is None else None
    if long is None:
        pieces = []
        for heading, parts in value_headings:
            piece = base.copy()
            piece["@row"] = rows
            piece["@measure"] = parts.get("measure", wide["measure"]) if row_measure is None else row_measure.to_numpy()
            piece["@value"] = frame[heading].astype(str).to_numpy()
            piece["@col"] = column_numbers(frame, heading, resolver.number[heading])
            if "period" in parts and joined is not None:  # 'april' and the row's Year: 'april 2023/24'
                piece["period"] = joined.render(frame).str.replace(_HEADING_PART, parts["period"], regex=False).to_numpy()
                piece["period@col"] = resolver.number[heading]
                piece["period@line"] = piece["@line"]
            elif "period" in parts:
                piece["period"] = parts["period"]
                piece["period@col"] = resolver.number[heading]
                piece["period@line"] = header_line
            if "channel" in parts:
                piece["channel"] = parts["channel"]
                piece["channel@col"] = resolver.number[heading]
            pieces.append(piece)
        long = pd.concat(pieces, ignore_index=True)
    group = ["@row", "period", "channel"] if "channel" in long else ["@row", "period"]
    if "period" not in long:
        problems.error(source.config_path, "the file has no period: the wide pattern needs {period}, "
                       "or columns: needs period:", *source.where("wide", "columns"),
                       hint="for example  columns: {period: Month}")
        return None
    dup = long.duplicated([*group, "@measure"], keep=False)
    if dup.any() and row_measure is not None and long[dup].groupby([*group, "@measure"])["@line"].nunique().gt(1).any():
        # Rows of one measure for one service: told as a measures_in_rows: value: file tells them.
        long = _one_row_of_each(long, [*group, "@measure"], resolver.number[column], path, problems)
        if long is None:
            return None
        dup = long.duplicated([*group, "@measure"], keep=False)
    if dup.any():  # two columns of one row
        first = long[dup].iloc[0]
        problems.error(path, f"two columns hold {first['@measure']} for the same period"
                       + (" and channel" if "channel" in long else ""), header_line, int(first["@col"]),
                       hint="check the headings, or the wide: measures/channels mapping")
        return None
    melted = set(long["@measure"].unique())  # (not row by row: tens of thousands of rows)
    if melted & set(provided):
        problems.error(source.config_path, f"{', '.join(sorted(melted & set(provided)))} comes both from "
                       "the wide columns and from columns:", *source.where("columns"),
                       hint="map each measure once")
        return None
    values = long.pivot(index=group, columns="@measure", values="@value")
    cols = long.pivot(index=group, columns="@measure", values="@col")
    keys = long.drop_duplicates(group).set_index(group)
    out = keys.drop(columns=["@measure", "@value", "@col"]).copy()
    lines = long.pivot(index=group, columns="@measure", values="@line") if row_measure is not None else None
    for name in sorted(melted):
        out[name] = values[name].reindex(out.index).fillna("")
        out[f"{name}@col"] = cols[name].reindex(out.index).fillna(0).astype(int)
        if lines is not None:  # each figure's own row, for messages
            out[f"{name}@line"] = lines[name].reindex(out.index).fillna(0).astype(int)
    out["@has_tx"] = values["transactions"].reindex(out.index).notna() if "transactions" in melted else False
    out = out.reset_index()
    if provided and "channel" in placeholders:
        # Figures for the whole row (a cost for the month, not per channel) become a row for all channels.
        extra = pd.concat([base, measures], axis=1).assign(**{"@row": frame.index, "channel": "",
                                                             "channel@col": 0, "@has_tx": False})
        out = pd.concat([out, extra], ignore_index=True)
    elif provided:
        out = out.join(measures.set_axis(frame.index).rename_axis("@row"), on="@row")
    provided = tuple(m for m in measure_names if m in melted or m in provided)
    for name in provided:
        out[name] = out[name].fillna("")
    for col in [c for c in out.columns if c.endswith("@col") or c.endswith("@line")]:
        out[col] = out[col].fillna(0).astype(int)
    if "period" in placeholders:
        # Periods across columns: a blank period before a service's first figures or after its
        # last is not reported (generator.data drops it, once periods are dates); one between
        # them is missing data, as a blank cell is, not a gap to be filled with rows.
        return _long_rows(out.sort_values(["@row", "@line"], kind="stable").drop(columns=["@row"])
                          .reset_index(drop=True), source, provided, tuple(headings))
    # A period in which every cell for a service is blank is simply not reported (wide files
    # have a column for every period whether or not a service has data for it). A blank cell
    # beside cells with figures for the same service and period stays: that is missing data.
    # As replace: leaves them (_long_rows): 'NA' replaced by 0 in every channel is a row of zeros.
    fixes = {name: {str(k).strip(): str(v) for k, v in corrections.items()}
             for name, corrections in source.values["replace"].items() if corrections}
    texts = out[list(provided)].apply(lambda s: (s.str.strip().map(fixes[s.name]).fillna(s.str.strip())
                                                 if s.name in fixes else s.str.strip()).str.lower())
    extra = {str(x).strip().lower() for x in source.values["missing"]}
    blank = texts.isin(MISSING | extra).all(axis=1)
    keys = [out["period"].astype(str)] + ([out["service"].astype(str)] if "service" in out else [])
    blank = blank.groupby(keys).transform("all")
    # ... but a row whose 'period' is words, not a period ('Source: parking CRM'), is a note or a
    # footer: kept, to be passed over with a warning as in any other file, not dropped without a word.
    # Only words, with or without figures ('Report run 02/04/2025'): a date this cannot read as
    # the source would (01/31/2024 with dates: month_first) has no letters, and is a month
    # pre-filled for later, blank as the others are.
    periods = out["period"].astype(str)
    real = {text: is_period(text.strip()) for text in periods.unique()}
    says = {text: not re.search(r"[A-Za-z]", text) or real[text] for text in real}
    blank &= periods.map(says).astype(bool)
    # A blank period is kept, marked, for generator.data to judge once periods are dates: before the
    # service's first figures or after its last it is left out, as above; between them it is missing
    # data, as a blank row of a file of rows is (it had been told as a period with no rows at all).
    dated = blank & periods.map(real).astype(bool)
    out = out[~blank | dated].assign(**{"@blank_period": dated[~blank | dated]})
    out = out.sort_values(["@row", "@line"], kind="stable").drop(columns=["@row"])
    return _long_rows(out.reset_index(drop=True), source, provided, tuple(headings))


def _measures_in_rows(frame: pd.DataFrame, base: pd.DataFrame, source: Source, resolver: _Resolver, path,
                      problems: Problems, provided: list[str], measure_names, headings) -> LongRows | None:
    """Rows that each carry one measure (Indicator, Value) as one row per service, period and channel
    with a column per measure; each value keeps the line and column it was written at."""
    import pandas as pd

    found = _stacked_columns(("column", "value"), source, resolver, provided, problems)
    if found is None:
        return None
    if "period" not in base:
        problems.error(source.config_path, "the file has no period: columns: needs period:",
                       *source.where("columns"), hint="for example  columns: {period: Month}")
        return None
    measure = _row_measures(frame, found["column"], source, resolver, path, problems)
    if measure is None:
        return None
    keep = measure.notna().to_numpy()
    long = base[keep].copy()
    if "@file" in frame:
        long["@vfile"] = frame.loc[keep, "@file"].to_numpy()
    long["@measure"] = measure[keep].to_numpy()
    long["@value"] = frame.loc[keep, found["value"]].astype(str).to_numpy()
    long["@vline"] = frame.loc[keep, "@line"].to_numpy()
    group = [c for c in ("@file", "service", "period", "channel") if c in long]
    long = _one_row_per_measure(long, group, resolver.number[found["value"]], path, problems)
    values = long.pivot(index=group, columns="@measure", values="@value")
    lines = long.pivot(index=group, columns="@measure", values="@vline")
    out = long.drop_duplicates(group).set_index(group).drop(columns=["@measure", "@value", "@vline", "@vfile"],
                                                             errors="ignore")
    melted = sorted(set(long["@measure"]))
    for name in melted:
        out[name] = values[name].reindex(out.index).fillna("")
        out[f"{name}@col"] = resolver.number[found["value"]]
        out[f"{name}@line"] = lines[name].reindex(out.index).fillna(0).astype(int)
    out["@has_tx"] = values["transactions"].reindex(out.index).notna() if "transactions" in melted else False
    out = out.reset_index()
    for col in [c for c in out.columns if c.endswith("@col") or c.endswith("@line")]:
        out[col] = out[col].fillna(0).astype(int)
    return _long_rows(out, source, tuple(m for m in measure_names if m in melted), headings)


def _stacked_columns(keys: tuple[str, ...], source: Source, resolver: _Resolver, provided, problems: Problems
                     ) -> dict[str, str] | None:
    """The headings measures_in_rows: names (its ``column``, and ``value``), found in the file; None,
    with an error, if one is not there, or if columns: maps a measure of its own (each row holds one)."""
    stacked = source.values["measures_in_rows"]
    found = {key: resolver.find(str(stacked[key])) for key in keys}
    for key in keys:
        if found[key] is None:
            problems.error(source.config_path, f"column '{stacked[key]}' is not in {source.file}",
                           *source.where("measures_in_rows", key), hint=resolver.suggest(str(stacked[key])))
    if None in found.values():
        return None
    if provided:
        problems.error(source.config_path, f"{', '.join(provided)} cannot come from a column of its own when "
                       "each row holds one measure", *source.where("columns"),
                       hint="name it under measures_in_rows: measures instead")
        return None
    return found


def _one_row_of_each(long: pd.DataFrame, keys: list[str], column: int, path, problems: Problems) -> pd.DataFrame | None:
    """A wide file's rows per measure (measures_in_rows: with wide:) where one service has two rows of a
    measure: the second read once, with a warning, if it repeats the first; an error naming both
    lines if it does not (combine: sum adds such rows up instead, as parts)."""
    rows = long.groupby(keys, sort=False)
    lines = rows["@line"].transform("first")
    again = long["@line"].ne(lines)
    differ = again & long["@value"].ne(rows["@value"].transform("first"))
    if differ.any():
        row = long[differ].iloc[0]
        problems.error(row.get("@file", path), f"two rows hold {row['@measure']} for the same service"
                       + (" and channel" if "channel" in long else "") + f": lines {int(lines[row.name])} and "
                       f"{int(row['@line'])}", int(row["@line"]), column,
                       hint="map the column that tells them apart (service, channel); leave the others out with "
                            "filter: or exclude:; or, if they are parts (by ward, say), add combine: sum")
        return None
    repeat = long[again].iloc[0]
    more = long.loc[again, "@line"].nunique() - 1
    problems.warning(repeat.get("@file", path), f"row repeats line {int(lines[repeat.name])} ({repeat['@measure']}), "
                     "so it is read once" + (f" (and {more} more repeated row{'s' if more > 1 else ''})" if more else ""),
                     int(repeat["@line"]), hint="remove the repeated rows; each is read once")
    return long[~again]


def _qualified(text: str, known: str) -> bool:
    """Whether a row's name is a mapped one with words added ('total-number-of-newborns-enrolled'
    beside 'number-of-newborns-enrolled'): another indicator (its running total), not a slip. A
    tester who added the spelling as the warning suggested then had two figures for one month.
    Only words (a revision's '(r)' or a footnote's '2' added is a slip), and only where the mapped
    name has rows of its own (else the mapping may be the one with a word too many)."""
    words, mapped = (re.findall(r"[a-z0-9]+", name) for name in (text, known))
    size = len(mapped)
    for i in range(len(words) - size + 1):
        if words[i:i + size] == mapped:
            added = words[:i] + words[i + size:]
            return bool(added) and all(len(word) >= 3 and word.isalpha() for word in added)
    return False


def _row_measures(frame: pd.DataFrame, column: str, source: Source, resolver: _Resolver, path,
                  problems: Problems) -> pd.Series | None:
    """Each row's measure, from the text in its ``column`` (measures_in_rows: measures); NaN for a row
    of another indicator, which is not read (a warning if it is a letter or two from a mapped text).
    None, with an error, if no row holds a mapped measure."""
    mapping = {str(k).strip().lower(): v for k, v in source.values["measures_in_rows"]["measures"].items()}
    texts = frame[column].astype(str).str.strip()
    measure = texts.str.lower().map(mapping)
    read = set(texts[measure.notna()].str.lower())
    for text in sorted(set(texts[measure.isna()])):  # another indicator, or a slip in the mapping?
        close = difflib.get_close_matches(text.lower(), list(mapping), n=1, cutoff=0.85)
        if close and not (close[0] in read and _qualified(text.lower(), close[0])):
            row = frame.loc[texts.eq(text)].iloc[0]
            line = int(row["@line"])
            problems.warning(row.get("@file", path), f"'{text}' is not one of measures_in_rows: measures, so its rows are not "
                             "read", line, resolver.number[column],
                             hint=f"did you mean '{close[0]}'? If it is that measure spelt another way, add this "
                                  "spelling to measures_in_rows: measures; if it is another, leave its rows out "
                                  "with exclude:")
    if not measure.notna().any():
        found_texts = ", ".join(f"'{t}'" for t in list(dict.fromkeys(texts))[:5])
        problems.error(source.config_path, f"no row of {source.file} holds one of measures_in_rows: measures",
                       *source.where("measures_in_rows", "measures"),
                       hint=f"its '{column}' column holds {found_texts}...; map those texts to measures")
        return None
    return measure


def _one_row_per_measure(long: pd.DataFrame, group: list[str], column: int, path, problems: Problems) -> pd.DataFrame:
    """The first row of each service, period, channel and measure. A row that repeats one in full is
    a warning; one with another value an error naming both lines. Either way the file is read on, so
    its other cells' mistakes are told in the same run (one repeated row hid them all)."""
    keys = [*group, "@measure"]
    dup = long.duplicated(keys, keep="first")
    if not dup.any():
        return long
    first_line = long.groupby(keys, sort=False)["@vline"].transform("first")
    same = long.duplicated([*keys, "@value"], keep="first")
    repeats = long[same]
    if len(repeats):
        row, more = repeats.iloc[0], len(repeats) - 1
        original = long.groupby([*keys, "@value"], sort=False)["@vline"].transform("first")[repeats.index[0]]
        problems.warning(row.get("@vfile", path), f"row repeats line {int(original)} ({row['@measure']} "
                         f"for '{row['period']}'), so it is read once" + (
                             f" (and {more} more repeated row{'s' if more > 1 else ''})" if more else ""),
                         int(row["@vline"]), hint="remove the repeated rows; each is read once")
    first_value = long.groupby(keys, sort=False)["@value"].transform("first")
    named = "service" in long and long["service"].astype(str).str.strip().ne("").any()
    for index in long.index[dup & ~same]:
        row = long.loc[index]
        problems.error(row.get("@vfile", path), f"a second row for {row['@measure']} in the same period "
                       f"('{row['period']}'): '{row['@value']}' here and '{first_value[index]}' on line "
                       f"{int(first_line[index])}", int(row["@vline"]), column,
                       hint="each service, period and channel has one row per measure: keep the right one" + (
                           "" if named else "; or map the service (and channel) columns, or leave out other rows "
                                            "with filter: or exclude:"))
    return long[~dup]


def _fields(frame: pd.DataFrame, specs: dict, resolver: _Resolver, names,
            sums: bool = False) -> tuple[pd.DataFrame, list[str]]:
    """Fields that come one per row, from a column, a template or a constant, with their column numbers.
    With ``sums`` (figures), a template that adds or takes away columns gives its first column as the
    field and each other as a term of it (see TERM), for generator.cells to read and add up."""
    import pandas as pd

    out = pd.DataFrame(index=frame.index)
    provided = []
    for name in names:
        spec = specs[name]
        if spec is None:
            continue
        kind, value = spec
        terms = sum_terms(value) if sums and kind == "template" else None
        if terms:
            for i, (sign, heading) in enumerate(terms):
                field = name if i == 0 else f"{name}{TERM}{'+' if sign > 0 else '-'}{i}"
                out[field] = frame[heading].astype(str)
                out[f"{field}@col"] = column_numbers(frame, heading, resolver.number.get(heading, 0))
        elif kind == "column":
            out[name] = frame[value].astype(str)
            out[f"{name}@col"] = column_numbers(frame, value, resolver.number.get(value, 0))  # 0: the file's name
        elif kind == "template":
            out[name] = value.render(frame)
            out[f"{name}@col"] = _template_columns(frame, value, resolver)
        else:
            out[name] = value
            out[f"{name}@col"] = 0
        provided.append(name)
    return out, provided


def _template_columns(frame: pd.DataFrame, template: Template, resolver: _Resolver):
    """The column a message about a field made from a template points at: its first heading's, or, on
    a row where another of its cells reads as a total ('2016' and 'Total' in '{Year} {Quarter}'),
    that cell's: the one to name in exclude:; or, first of all, one of its cells left blank ('Q4'
    made of a blank Year): the one to fill in."""
    import numpy as np
    import pandas as pd

    first = resolver.number.get(template.columns[0], 0) if template.columns else 0
    totals = [(heading, frame[heading].astype(str)) for heading in template.columns if heading in frame]
    if not totals:
        return first
    out = None
    for heading, cells in reversed(totals):
        codes, texts = pd.factorize(cells)  # each distinct text once: an export has 600,000 rows
        is_total = np.array([bool(t.strip()) and looks_like_a_total(t) for t in texts], dtype=bool)
        named = pd.Series(is_total[codes] if len(texts) else np.zeros(len(cells), dtype=bool), index=cells.index)
        if named.any():
            column = resolver.number.get(heading, 0)
            out = (out if out is not None else first + 0 * named).where(~named, column)
    if len(totals) > 1:
        for heading, cells in reversed(totals):
            blank = cells.str.strip().eq("")
            if blank.any() and not blank.all():
                column = resolver.number.get(heading, 0)
                out = (out if out is not None else pd.Series(first, index=cells.index)).where(~blank, column)
    return first if out is None else out


def _long_rows(frame: pd.DataFrame, source: Source | None, measures: tuple[str, ...], headings) -> LongRows:
    """The rows, corrected as the source's replace: says, noting which corrections found a cell (one
    that finds none is told: a typo in replace: had left the cell it was written for as it was)."""
    matched = set()
    for name, corrections in (source.values["replace"].items() if source is not None else ()):
        # A figure worked out from columns: its other columns ('completed@term-1') are corrected as it is.
        columns = [c for c in [name, *(column for _, column in term_columns(frame.columns, name))] if c in frame]
        if columns and corrections:
            fixes = {str(k).strip(): str(v) for k, v in corrections.items()}
            for column in columns:
                stripped = frame[column].astype(str).str.strip()
                matched.update((name, text) for text in fixes.keys() & set(stripped.unique()))
                frame[column] = stripped.map(fixes).fillna(frame[column])
    return LongRows(frame, tuple(measures), headings, frozenset(matched))


def warn_of_idle_replace(source: Source, rows: LongRows, problems: Problems) -> None:
    """Each replace: correction that changed nothing, told at its line in config.yaml: keyed by a
    heading rather than a field ('Count:' for transactions), or a text no cell of the rows read holds."""
    fields = [c for c in rows.frame.columns if not c.startswith("@") and "@" not in c]
    for name, corrections in source.values["replace"].items():
        if name not in rows.frame:
            read_as = [(field, str(heading)) for field, heading in (source.values.get("columns") or {}).items()
                       if _column_key(str(name)) in {_column_key(part) for part in
                                                     re.findall(r"\{([^{}]+)\}", str(heading)) or [str(heading)]}]
            field, heading = read_as[0] if read_as else (None, "")
            problems.warning(source.config_path, f"replace: '{name}' is not a field read from {source.file}, so it "
                             "corrects nothing", *source.positions.key_at(("sources", source.index, "replace", name)),
                             hint=f"replace: is keyed by the field it corrects: one of {', '.join(fields)}" if not field
                             else f"replace: is keyed by the field, not the heading: write {field}: (read from "
                                  f"column '{name}')" if "{" not in heading else
                             f"replace: is keyed by the field, and matches the whole text its template makes: write "
                             f"{field}: with the text '{heading}' makes from the row")
            continue
        cells = None
        for key in corrections or {}:
            if (name, str(key).strip()) in rows.replaced:
                continue
            if cells is None:  # each cell's text in lower case, for a near miss: 'marhc', or 'march' for 'March'
                cells = {str(text).strip().lower(): str(text).strip() for text in rows.frame[name].unique()}
            wanted = str(key).strip().lower()
            close = [cells[c] for c in difflib.get_close_matches(wanted, list(cells), n=1, cutoff=0.8)] or \
                [cells[c] for c in cells if wanted and re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", c)][:1]  # in a
            # text a template made ('Hatlon major' from '{area_name} major'): the whole of it is what is matched
            # (Of the rows read: a tester's corrections of councils that exclude: left out had read as
            # if the file did not hold them.)
            left_out = source.values["filter"] or source.values["exclude"]
            problems.warning(source.config_path, f"replace: '{key}' matches no {name} cell "
                             f"{'of the rows read from' if left_out else 'in'} {source.file}, so it corrects nothing",
                             *source.positions.key_at(("sources", source.index, "replace", name, key)),
                             hint=(f"did you mean '{close[0]}'? " if close else "")
                             + ("if its rows are ones filter: or exclude: leaves out, the correction is not needed; "
                                if left_out else "")
                             + "replace: matches a cell's whole text as the file writes it (spaces at either end "
                             "aside), capitals included" + (
                                 "; a channel read from a heading is mapped with wide: channels:"
                                 if name == "channel" and source.values["wide"] else ""))


def template_values(frame: pd.DataFrame, block: dict, source: Source, keypath: tuple,
                    problems: Problems) -> dict[str, Template] | None:
    """Resolve a services/organisations block's templates against the file's headings."""
    resolver = _Resolver(headings_of(frame), frame.columns, frame)
    out = {}
    ok = True
    for key, text in block.items():
        if text is None or key == "not_requested":  # a list of KPIs, not a template
            continue
        template = resolve_template(str(text), resolver, source, keypath + (key,), problems)
        if template is None:
            ok = False
        else:
            out[key] = template
    return out if ok else None


def _blank_cells(column: pd.Series):
    """Which cells are blank (or only spaces): each distinct text looked at once."""
    import numpy as np
    import pandas as pd

    codes, texts = pd.factorize(column)
    blank = np.array([not str(text).strip() for text in texts] + [True], dtype=bool)  # code -1: a missing cell
    return blank[codes]


def detail_rows(frame: pd.DataFrame, key: pd.Series, order: pd.Series | None = None, fill=(),
                within: pd.Series | None = None) -> pd.DataFrame:
    """One row for each distinct non-blank key, in the order the keys first appear: the key's latest
    row (latest by ``order``, a number for each row's period, then by file order; without one, its
    first row), with each of the ``fill`` columns that is blank there taken from the latest of its
    rows that fills it in. With ``within`` (each row's organisation), only from rows of the latest
    organisation written, or of none: a key another organisation used before lends it nothing (a
    passport service's web address had gone to another department's notices, under a reused id).

    Only the ``fill`` columns are looked at cell by cell: a 96,000-row file of 27 columns had taken
    seven seconds when every column was."""
    import numpy as np
    import pandas as pd

    keyed = pd.concat([frame, pd.DataFrame({"@key": key.to_numpy()}, index=frame.index)], axis=1)  # no insert
    keyed = keyed[keyed["@key"].astype(str).str.strip() != ""]
    repeated = keyed["@key"].duplicated(keep=False)
    if not repeated.any():
        return keyed
    several = keyed.index[repeated.to_numpy()]  # sorted by their labels: the wide rows are copied once, at the end
    if order is not None:
        latest_first = (-order.loc[several].astype("float64")).fillna(np.inf).to_numpy()
        several = several[np.argsort(latest_first, kind="stable")]
    keys = keyed.loc[several, "@key"]
    latest = keyed.loc[keys.drop_duplicates(keep="first").index].set_index("@key", drop=False)
    fill = [c for c in dict.fromkeys(fill) if c in keyed.columns]
    if fill:
        pool = several
        if within is not None:  # the latest organisation written (a blank is none: it keeps every row)
            group = pd.Series(within.loc[several].astype(str).str.strip().to_numpy()).replace("", np.nan)
            theirs = group.groupby(keys.to_numpy(), sort=False).transform("first")
            pool = several[(group.isna() | theirs.isna() | group.eq(theirs)).to_numpy()]
        cells = keyed.loc[pool, fill]
        filled = cells.mask(cells.apply(_blank_cells)).groupby(keyed.loc[pool, "@key"].to_numpy(), sort=False).first()
        latest = latest.assign(**{c: filled[c].reindex(latest.index).fillna("").to_numpy() for c in fill})
    firsts = keyed.drop_duplicates("@key", keep="first")
    single = firsts[~repeated.loc[firsts.index]].set_index("@key", drop=False)
    return pd.concat([single, latest]).loc[firsts["@key"]].reset_index(drop=True)

