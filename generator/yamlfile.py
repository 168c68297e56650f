"""Read YAML while remembering where every value came from.

PyYAML's plain ``safe_load`` throws away line numbers. We compose the node
graph ourselves so validation errors can name ``file:line:column`` for the
exact key or item that is wrong, and so duplicate keys (which PyYAML silently
overwrites) are caught.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.errors import Problems


@dataclass
class Positions:
    """Maps a key path such as ``("channels", 0, "label")`` to (line, column), 1-based."""

    marks: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    line_offset: int = 0
    walked: int = 0  # nodes visited, aliases followed (see NODES_AT_MOST)

    def key_at(self, keypath: tuple) -> tuple[int | None, int | None]:
        """Position of a mapping key itself (for 'unknown key' messages)."""
        if tuple(keypath) in self.key_marks:
            line, col = self.key_marks[tuple(keypath)]
            return line + self.line_offset, col
        return self.at(keypath)

    def at(self, keypath: tuple = ()) -> tuple[int | None, int | None]:
        """Position of a value, or of its nearest parent that has one."""
        keypath = tuple(keypath)
        while True:
            if keypath in self.marks:
                line, col = self.marks[keypath]
                return line + self.line_offset, col
            if not keypath:
                return (None, None)
            keypath = keypath[:-1]


NODES_AT_MOST = 200_000  # a site's largest file has some thousands; aliases of aliases can make billions


class _TooBig(Exception):
    """The document, its aliases followed, has more than NODES_AT_MOST nodes."""


def _walk(node, keypath: tuple, positions: Positions, problems: Problems, path) -> None:
    positions.walked += 1
    if positions.walked > NODES_AT_MOST:
        raise _TooBig
    positions.marks[keypath] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            if key in seen:
                problems.error(
                    path,
                    f"the key '{key}' appears twice",
                    key_node.start_mark.line + 1 + positions.line_offset,
                    key_node.start_mark.column + 1,
                    hint="remove one of them; only the last would be used",
                )
            seen.add(key)
            positions.key_marks[keypath + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _walk(value_node, keypath + (key,), positions, problems, path)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, keypath + (index,), positions, problems, path)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader that leaves dates as text: the schema parses them, so an
    impossible date such as 2024-02-30 is a located error, not a crash.

    LibYAML's parser (when PyYAML has it) is used for speed: several times
    quicker over hundreds of service files, with the same marks for positions."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_yaml(text: str, path, problems: Problems, line_offset: int = 0):
    """Parse YAML text; returns ``(data, positions)`` or ``(None, None)`` after recording an error."""
    positions = Positions(line_offset=line_offset)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, positions
        _walk(node, (), positions, problems, path)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and mark and (mark.index >= len(text.rstrip()) or _at_a_key_after(exc, text)):
            # An unclosed bracket or quote is only noticed at the end of the file, or at the next
            # key ('financial_year_start: [4' was told at line 6, a tester); where it was
            # opened is more use to the reader.
            mark = exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        column = mark.column + 1 if mark else None
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{exc.context}, {problem}"
        if mark is exc.context_mark and exc.problem_mark and exc.problem_mark.index < len(text.rstrip()):
            problem += f" (noticed at line {exc.problem_mark.line + 1 + line_offset})"
        lines = text.splitlines()
        at = lines[mark.line] if mark and mark.line < len(lines) else ""
        tabbed = "\t" in at[:len(at) - len(at.lstrip())] or (mark and at[mark.column:mark.column + 1] == "\t")
        problems.error(
            path,
            f"YAML syntax error: {problem}" + (" (a tab)" if tabbed else ""),
            line,
            column,
            hint="indent with spaces, not a tab: YAML does not allow tabs for indentation" if tabbed else
            "check the indentation and that every 'key: value' is on its own line; "
            "quote text that contains ': ' or starts with a special character",
        )
        return None, None
    except yaml.YAMLError as exc:
        problems.error(path, f"YAML error: {exc}", hint="check the file is valid YAML")
        return None, None
    except _TooBig:
        problems.error(path, f"this YAML holds more than {NODES_AT_MOST:,} values once its aliases (*name) are "
                       "followed", 1 + line_offset, hint="use fewer aliases of aliases: each one repeats all it names")
        return None, None
    except RecursionError:
        problems.error(path, "this YAML is nested too deeply to read", 1 + line_offset,
                       hint="check for unclosed brackets; a site's files need only a few levels")
        return None, None
    finally:
        loader.dispose()
    return data, positions


def _at_a_key_after(exc: yaml.MarkedYAMLError, text: str) -> bool:
    """Whether a bracket was left open: the error is noticed on a later line indented no further than
    the line that opened it (the next key). Inside a list over several lines, a comma left out is
    noticed where it is, and told there."""
    if not (exc.context or "").startswith("while parsing a flow") or exc.problem_mark.line <= exc.context_mark.line:
        return False
    lines = text.splitlines()

    def indent(number: int) -> int:
        line = lines[number] if number < len(lines) else ""
        return len(line) - len(line.lstrip())

    return indent(exc.problem_mark.line) <= indent(exc.context_mark.line)


def load_yaml(path: Path, problems: Problems):
    """Read and parse a YAML file; returns ``(data, positions)`` or ``(None, None)``."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = exc.object.count(b"\n", 0, exc.start) + 1
        problems.error(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})", line,
                       hint="save the file as UTF-8")
        return None, None
    except OSError as exc:
        problems.error(path, f"cannot read file: {exc.strerror}")
        return None, None
    return parse_yaml(text, path, problems)


def yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar that reads back as itself, for config a message suggests or a file
    holds: plain when it is words, else quoted (a kind such as "arm's-length body: executive
    agency", or "yes", or a mark like "-." would not read back)."""
    plain = re.fullmatch(r"[A-Za-z][A-Za-z0-9 _',.-]*", text) and yaml.safe_load(text) == text
    return text if plain else json.dumps(text, ensure_ascii=False)
