"""A small declarative schema: one declared option per key, each with its own doc.

The same declarations validate YAML (reporting ``file:line:column`` through
:class:`~generator.yamlfile.Positions`) and produce JSON Schema for editors, so
the two cannot drift apart. Unknown keys are warnings (``--strict`` makes them
errors); bad values are errors, never silently replaced by defaults.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from generator.errors import Problems
from generator.yamlfile import Positions

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
IDENT_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# Slugs and ids name folders and files (services/<slug>/, measure-<id>.json): kept well inside the
# 255 bytes a file system allows a name.
LONGEST_SLUG, LONGEST_IDENT = 150, 64  # a GOV.UK service name made a slug of 108
# A BCP 47 language tag: language (and extended language), then script, region, variants, extensions
# and a private part (en-GB, cy, zh-yue, zh-Hant-HK, en-GB-x-plain). Pages carry it as lang=, which
# screen readers go by: 'English' or 'en_GB' there is read as no language.
LANGUAGE_RE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?"
                         r"(?:-(?:[A-Za-z0-9]{5,8}|\d[A-Za-z0-9]{3}))*"
                         r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?")


def slugify(text: str) -> str:
    """Lower-case ASCII letters, digits and single hyphens; nothing that can climb folders. Accented
    letters keep their letter ('Pender Île' is pender-ile, not pender-le; 'Ynys Môn' ynys-mon)."""
    text = "".join(c for c in unicodedata.normalize("NFKD", str(text)) if not unicodedata.combining(c))
    text = text.lower().replace("_", "-")
    text = re.sub(r"[^a-z0-9]+", "-", text)
    return text.strip("-")


@dataclass
class Field:
    name: str
    kind: str  # str, int, number, bool, date, slug, ident, url, language, list, map, object, any
    doc: str
    required: bool = False
    default: Any = None
    item: "Field | Schema | None" = None  # list items / map values
    choices: tuple | None = None
    minimum: float | None = None
    maximum: float | None = None
    json: dict | None = None  # JSON Schema for kinds that say too little ("any")


@dataclass
class Schema:
    title: str
    fields: list[Field]
    doc: str = ""

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    # -- validation -------------------------------------------------------
    def validate(self, data, positions: Positions, path, problems: Problems, keypath=()) -> dict:
        """Check ``data`` against the schema; return a dict with defaults filled in."""
        where = lambda kp: positions.at(kp)  # noqa: E731
        if data is None:
            data = {}
        if not isinstance(data, dict):
            line, col = where(keypath)
            found = _describe_not_a_mapping(data, keypath)
            problems.error(path, f"expected a mapping of keys to values, found {found}",
                           line, col, hint=f"see the keys of {self.title} in README.md")
            return {f.name: f.default for f in self.fields}
        out: dict = {}
        names = self.field_names()
        for key in data:
            if key not in names:
                line, col = positions.key_at(keypath + (key,))
                close = difflib.get_close_matches(str(key), names, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(names)}"
                problems.warning(path, f"unknown key '{key}' in {self.title}", line, col, hint=hint)
        for f in self.fields:
            kp = keypath + (f.name,)
            if f.name not in data or data[f.name] is None:
                if f.required:
                    line, col = where(keypath)
                    problems.error(path, f"'{f.name}' is required in {self.title}", line, col,
                                   hint=f.doc)
                out[f.name] = f.default
                continue
            out[f.name] = check_value(f, data[f.name], positions, path, problems, kp)
        return out

    # -- JSON Schema ------------------------------------------------------
    def json_schema(self) -> dict:
        """JSON Schema for editors; unknown keys are flagged there as they are warned of here."""
        schema = {
            "type": "object",
            "title": self.title,
            "description": self.doc,
            "properties": {f.name: _field_json(f) for f in self.fields},
            "required": [f.name for f in self.fields if f.required],
            "additionalProperties": False,
        }
        return schema


def _describe_not_a_mapping(data, keypath) -> str:
    """What was found where a mapping was expected: a whole file of comma-separated text is a CSV
    given as YAML (--config data/x.csv), and long text is cut, not echoed whole on one line."""
    if not isinstance(data, str):
        return _describe(data)
    if not keypath and len(data) > 60 and ("," in data or ";" in data):
        return "text (is this a CSV file, not YAML?)"
    return f"'{data[:77]}...'" if len(data) > 80 else _describe(data)


def _describe(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, float) and value.is_integer():  # as written: a number is read as a float first
        return f"'{int(value)}'"
    return f"'{value}'"


def check_value(f: Field, value, positions: Positions, path, problems: Problems, kp):
    """Validate one value; record an error and return the default when it is wrong."""
    line, col = positions.at(kp)

    def bad(expected: str, hint: str | None = None):
        problems.error(path, f"'{f.name}' must be {expected}, not {_describe(value)}",
                       line, col, hint=hint or f.doc)
        return f.default

    kind = f.kind
    if isinstance(f.item, Schema) and kind == "object":
        return f.item.validate(value, positions, path, problems, kp)
    if kind == "str":
        if isinstance(value, (dict, list)):
            return bad("text")
        value = str(value)
    elif kind == "slug":
        if isinstance(value, (dict, list)) or not str(value).strip():
            return bad("a short name (letters, digits and hyphens)")
        if len(str(value)) > LONGEST_SLUG:  # it names folders and files: file systems limit a name's length
            return bad(f"at most {LONGEST_SLUG} characters long", "a slug is part of a web address: keep it short")
        text = str(value)
        if not SLUG_RE.fullmatch(text):  # fullmatch: '$' alone lets a trailing line break through
            clean = slugify(text)
            if not clean:
                return bad("a short name (letters, digits and hyphens)")
            named = " " in text.strip()  # 'Wessex District Council': a name given where its slug goes
            problems.warning(path, f"'{f.name}' '{text}' is " + ("a name, not a slug" if named else "not a clean slug")
                             + f"; using '{clean}'", line, col,
                             hint=f"write {f.name}: {clean} (a slug is lower-case letters, digits and hyphens)")
            text = clean
        value = text
    elif kind == "ident":
        if not isinstance(value, (str, int)) or not IDENT_RE.fullmatch(str(value)):
            return bad("an identifier of lower-case letters, digits, _ and -", "for example face_to_face")
        if len(str(value)) > LONGEST_IDENT:  # a measure's names its charts' files
            return bad(f"at most {LONGEST_IDENT} characters long", "for example calls_offered")
        value = str(value)
    elif kind == "language":
        text = str(value).strip() if isinstance(value, str) else ""
        if not LANGUAGE_RE.fullmatch(text):
            said = text.replace("_", "-")
            return bad("a language tag such as en-GB or cy",
                       f"did you mean '{said}'? " * bool(LANGUAGE_RE.fullmatch(said)) +
                       "a BCP 47 tag, which screen readers go by: en-GB (British English), cy (Welsh), "
                       "gd (Scottish Gaelic), ga (Irish)")
        value = text
    elif kind == "url":
        if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+", value.strip()):
            return bad("a web address starting https://", "for example https://www.example.gov.uk/")
    elif kind == "bool":
        if not isinstance(value, bool):
            return bad("true or false")
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return bad("a whole number")
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return bad("a number", "write numbers without currency signs or % (e.g. 2.50)")  # .nan, .inf too
        value = float(value)
    elif kind == "date":
        if isinstance(value, dt.datetime):
            value = value.date()
        elif isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                return bad("a date written YYYY-MM-DD")
        elif not isinstance(value, dt.date):
            return bad("a date written YYYY-MM-DD")
    elif kind == "list":
        if not isinstance(value, list):
            return bad("a list")
        if f.item is not None:
            value = [_check_item(f.item, v, positions, path, problems, kp + (i,))
                     for i, v in enumerate(value)]
    elif kind == "map":
        if not isinstance(value, dict):
            return bad("a mapping of keys to values")
        if f.item is not None:
            value = {k: _check_item(f.item, v, positions, path, problems, kp + (k,))
                     for k, v in value.items()}
    if f.choices is not None and value not in f.choices:
        close = difflib.get_close_matches(str(value), [str(c) for c in f.choices], n=1, cutoff=0.6)
        return bad(f"one of {', '.join(map(str, f.choices))}",
                   f"did you mean '{close[0]}'? {f.doc}" if close else None)
    if f.minimum is not None and isinstance(value, (int, float)) and value < f.minimum:
        return bad(f"at least {f.minimum:g}")
    if f.maximum is not None and isinstance(value, (int, float)) and value > f.maximum:
        return bad(f"at most {f.maximum:g}")
    return value


def _check_item(item, value, positions, path, problems, kp):
    if isinstance(item, Schema):
        return item.validate(value, positions, path, problems, kp)
    return check_value(item, value, positions, path, problems, kp)


_JSON_TYPES = {
    "str": {"type": "string"},
    "slug": {"type": "string", "pattern": SLUG_RE.pattern, "maxLength": LONGEST_SLUG},
    "ident": {"type": "string", "pattern": IDENT_RE.pattern, "maxLength": LONGEST_IDENT},
    "url": {"type": "string", "format": "uri"},
    "language": {"type": "string", "pattern": "^" + LANGUAGE_RE.pattern + "$"},
    "bool": {"type": "boolean"},
    "int": {"type": "integer"},
    "number": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "any": {},
}


def _field_json(f: Field | Schema) -> dict:
    if isinstance(f, Schema):
        return f.json_schema()
    if f.json is not None:
        out = dict(f.json)
    elif f.kind == "object" and isinstance(f.item, Schema):
        out = f.item.json_schema()
    elif f.kind == "list":
        out = {"type": "array"}
        if f.item is not None:
            out["items"] = _field_json(f.item)
    elif f.kind == "map":
        out = {"type": "object"}
        if f.item is not None:
            out["additionalProperties"] = _field_json(f.item)
    else:
        out = dict(_JSON_TYPES.get(f.kind, {}))
    out["description"] = f.doc
    if f.choices is not None:
        out["enum"] = list(f.choices)
    if f.minimum is not None:
        out["minimum"] = f.minimum
    if f.maximum is not None:
        out["maximum"] = f.maximum
    if f.default is not None and not isinstance(f.default, (list, dict)):
        out["default"] = f.default
    return out
