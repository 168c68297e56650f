"""Problems found in a site's inputs, collected rather than raised one by one.

Every stage appends to one :class:`Problems` list so a user sees every mistake
in every file in a single run. Only the CLI turns them into text and an exit
code; the core never prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.paths import resolved

ERROR = "error"
WARNING = "warning"
ACCEPTED = "accepted"  # a warning config.yaml's accepted_warnings: says was looked at: not one for --strict


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one input file."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    level: str = ERROR
    # The data files (or a source's pattern) a problem placed elsewhere (config.yaml's mapping of
    # them) arose in reading: incremental builds keep it with those files' services alone.
    about: tuple[str, ...] = field(default=(), compare=False)

    def location(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def format(self) -> str:
        """One line per problem (and one for its hint): a heading that holds a line break (a
        spreadsheet's wrapped text) is shown with ↵ where the break is. The file's name is shown so
        too: an escape character in a name (a cloned repository's file) would reach the terminal."""
        text = f"{_one_line(self.location())}: {self.level}: {_one_line(self.message)}"
        if self.hint:
            text += f"\n    hint: {_one_line(self.hint)}"
        return text

    def sort_key(self):
        return (self.path, self.line or 0, self.column or 0, self.message)


def _wildcard(text: str, whole: bool) -> re.Pattern:
    """A pattern in which * is any text and everything else is itself (a message's [brackets] too)."""
    pattern = ".*".join(re.escape(part) for part in text.split("*"))
    if whole:  # a file: its path from the site's folder, or its last parts ('calls.csv' for data/calls.csv)
        pattern = "(?:.*/)?" + ".*".join(re.escape(part) for part in
                                         text.replace("\\", "/").removeprefix("./").split("*"))
    return re.compile(pattern, re.IGNORECASE | re.DOTALL)


# C0 controls but tab and line breaks, DEL, and C1 controls (\x9b starts a terminal's escape sequence too).
_UNSEEN = {code: f"\\x{code:02x}" for code in (*range(0, 9), 11, 12, *range(14, 32), *range(127, 160))}


def _one_line(text: str) -> str:
    """With a line break shown as ↵, and other control characters as \\x00: a stray NUL in a cell
    had made "'transactions' is not a number: '331'" with the character that is wrong unseen."""
    return text.replace("\r\n", "↵").replace("\n", "↵").replace("\r", "↵").translate(_UNSEEN)


@dataclass
class Problems:
    """An append-only collection of problems with a display root for paths."""

    root: Path | None = None
    items: list[Problem] = field(default_factory=list)
    _seen: dict = field(default_factory=dict, repr=False)  # each problem -> its place in items
    # (file, service key) of rows left out for a period told as wrong: a gap they leave is not told again
    dropped_periods: set = field(default_factory=set, repr=False)
    # Files of a pattern left unread (a heading renamed in one year's export): the gaps they leave
    # in every service are that one error again, not told (a tester met 510 such warnings).
    unread_files: set = field(default_factory=set, repr=False)
    # What was not looked at because of these problems (config.yaml's errors stop everything else),
    # said after them: "every problem at once" cannot hold there, and the user should know.
    not_checked: str = ""

    def _add(self, problem: Problem) -> None:
        # Two stages may notice the same thing (a shared file read for two purposes): say it once.
        index = self._seen.get(problem)
        if index is None:
            self._seen[problem] = len(self.items)
            self.items.append(problem)
        elif problem.about:  # arose in reading other files too: it goes with theirs as well
            known = self.items[index].about
            self.items[index] = replace(self.items[index], about=known + tuple(a for a in problem.about
                                                                              if a not in known))

    def _rel(self, path) -> str:
        if isinstance(path, str) and path.startswith(("http://", "https://")):
            return path  # a peer's address: as a Path it had lost a slash ('http:/host/...')
        path = Path(path)
        if self.root is not None:
            try:  # resolved once per build (generator.paths): a build names each data file many times
                return str(resolved(path).relative_to(resolved(self.root)))
            except ValueError:
                pass
        return str(path)

    def tag_since(self, start: int, paths) -> None:
        """Say of the problems added since ``start`` that they arose in reading ``paths``
        (``Problem.about``): one placed in config.yaml, or at a pattern ('data/teams/*.csv') that no
        service's files are named by, is then kept with those files' services."""
        files = tuple(self._rel(path) for path in paths)
        for index in range(start, len(self.items)):
            problem = self.items[index]
            if not problem.about:
                self.items[index] = replace(problem, about=files)  # equal to the one in _seen

    def error(self, path, message, line=None, column=None, hint=None) -> None:
        self._add(Problem(self._rel(path), message, line, column, hint, ERROR))

    def warning(self, path, message, line=None, column=None, hint=None) -> None:
        self._add(Problem(self._rel(path), message, line, column, hint, WARNING))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.level == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.level == WARNING]

    @property
    def accepted(self) -> list[Problem]:
        return [p for p in self.items if p.level == ACCEPTED]

    def accept(self, rules) -> list:
        """Mark as accepted each warning that one of ``rules`` matches: objects with ``file`` and
        ``message``, texts in which * stands for any text; the file is matched whole (as messages
        name it, with / between folders) and the message by any part, both ignoring case.
        Returns the rules that matched no warning: a stale one would hide the next warning like it."""
        matchers = [(rule, _wildcard(rule.file, whole=True), _wildcard(rule.message, whole=False))
                    for rule in rules]
        used = set()
        for index, problem in enumerate(self.items):
            if problem.level != WARNING:
                continue
            path = problem.path.replace("\\", "/")
            for number, (rule, file, message) in enumerate(matchers):
                if file.fullmatch(path) and message.search(problem.message):
                    used.add(number)
                    accepted = replace(problem, level=ACCEPTED)
                    del self._seen[problem]
                    self._seen[accepted] = index
                    self.items[index] = accepted
                    break
        return [rule for number, (rule, _, _) in enumerate(matchers) if number not in used]

    def sorted(self) -> list[Problem]:
        return sorted(set(self.items), key=Problem.sort_key)

    def first(self, limit: int) -> list[Problem]:
        """At most ``limit`` problems, in file order, errors before warnings when they do not all fit:
        two thousand warnings about repeated rows must not hide the one bad value that fails the build."""
        items = self.sorted()
        if len(items) <= limit:
            return items
        chosen = set([p for p in items if p.level == ERROR][:limit])
        chosen.update([p for p in items if p.level != ERROR][:limit - len(chosen)])
        return [p for p in items if p in chosen]


class BuildFailed(Exception):
    """Raised by the core when the inputs have errors; carries every problem."""

    def __init__(self, problems: Problems):
        super().__init__(f"{len(problems.errors)} error(s) in the site's inputs")
        self.problems = problems
