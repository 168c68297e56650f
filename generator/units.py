"""Service units: the part of a build that is reused when none of its inputs has changed.

A unit is a set of services and the data files they read, closed under
sharing: services that read one file are in one unit (a file is checked as a
whole, for rows no service reads), so a unit is usually one service and its
CSV, and one big multi-service export is one unit, until generator.shared_files
splits it into a unit a service, each keyed by its rows in place of the file.

A unit's key hashes everything its outputs are made from: the site-wide
fingerprint (config.yaml, templates, themes, static files, the generator's
code and libraries, the build options), the organisations and Markdown
pages (service pages name their organisation and list the pages in the
footer), each service's definition and YAML file, and the bytes of the data
files. If a service page template reads anything about *other* services
(``model.services``, ``model.totals`` and so on), every unit's key also
covers every service, so nothing is reused that could be stale.

After a successful build each unit leaves a record in the cache folder: its
services' computed figures (which organisation pages, the home page and the
all-services table sum), its warnings, the open-data rows and tidy CSVs of
its services, and the hash and size of every file it wrote. The next build
with the same key reuses the unit: if every one of those files is still in
the output folder exactly as recorded, it neither reads its data nor renders
its pages, and the files are kept by hard link; if not (the cache restored
into a fresh CI checkout, a build into a new folder), it still does not read
or work out its data, and makes its pages again from the record's figures.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.config import Config, source_of
from generator.content import Content, Service
from generator.errors import Problem
from generator.fingerprint import Digests, site_wide_fingerprint
from generator.paths import matching, resolved

KEEP_GENERATIONS = 3  # records kept: this many times a build's own, the rest least recently used
FORMAT = 15  # bump when the record's shape changes (15: tidy_csvs; 14: figures.ServiceFigures, was metrics')
# What a service page may read of the whole-site model without depending on other services.
SITE_WIDE_MODEL_PARTS = {"pages", "vega_bundle", "site", "channels", "kpis"}
SERVICE_TEMPLATE = re.compile(r"^service(-.*)?\.html$")


@dataclass
class Unit:
    services: list[Service]
    files: list[Path]  # data files its services read
    key: str = ""
    # One service split from the unit of a file it shares (generator.shared_files): the digest of its
    # rows there, which its key covers in place of the files' bytes; and the key of the unit it was split from.
    rows: bytes | None = None
    whole: str = ""

    @property
    def slugs(self) -> list[str]:
        return [s.slug for s in self.services]


class StoredRows(Sequence):
    """A reused service's period rows, unpickled only if something reads them.

    Most builds that reuse a service never look at its rows (its page is not made
    again; the pages that sum it read its yearly figures), and unpickling tens of
    thousands of rows for hundreds of services took the best part of a second.
    Its length and last row are at hand without that.
    """

    def __init__(self, blob: bytes, length: int, last):
        self._blob, self._length, self._last, self._rows = blob, length, last, None

    @classmethod
    def of(cls, rows: list) -> "StoredRows":
        return cls(pickle.dumps(list(rows), protocol=pickle.HIGHEST_PROTOCOL), len(rows), rows[-1] if rows else None)

    def __reduce__(self):
        return StoredRows, (self._blob, self._length, self._last)

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index):
        if index == -1 and self._length:
            return self._last
        if self._rows is None:
            self._rows = pickle.loads(self._blob)
        return self._rows[index]

    def __iter__(self):
        return iter(self[:])


class Packed:
    """Any picklable value, unpickled only when asked for (``unpack``): see model.Seasons."""

    def __init__(self, blob: bytes):
        self._blob = blob

    @classmethod
    def of(cls, value) -> "Packed":
        return cls(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def __reduce__(self):
        return Packed, (self._blob,)

    def unpack(self):
        return pickle.loads(self._blob)


def packed_figures(fig):
    """A service's figures (figures.ServiceFigures) with the parts that only its own page reads
    kept pickled: as sent back from a worker process, and as kept in its unit's record."""
    periods = fig.periods if isinstance(fig.periods, StoredRows) else StoredRows.of(fig.periods)
    seasons = fig.seasons if fig.seasons is None or isinstance(fig.seasons, Packed) else Packed.of(fig.seasons)
    return replace(fig, periods=periods, seasons=seasons)


@dataclass
class UnitRecord:
    """What a finished unit left behind for the next build."""

    figures: dict  # slug -> figures.ServiceFigures
    data_files: dict[str, str]  # slug -> its tidy CSV download
    warnings: list[Problem]
    open_data: dict[str, tuple[str, str]]  # slug -> (CSV rows, JSON records) for data/services.*
    outputs: dict[str, tuple[str, int]] = field(default_factory=dict)  # path -> (sha256, size)
    # Its services that had ended (ServiceView.ended) when its pages were made: that depends on the
    # whole site's latest data, so a unit whose services' state has changed since is made again.
    ended: frozenset = frozenset()
    # Each of its categorised services' best comparable service (assemble.best_comparables) when its
    # pages were made: other units' figures decide it, so a unit whose services' has changed is made again.
    compared: dict = field(default_factory=dict)
    # Its services' tidy CSV downloads (path -> bytes): with its figures, all a build needs of its data
    # to make its pages again where its files are not in the output (see figures_reusable).
    tidy_csvs: dict[str, bytes] = field(default_factory=dict)
    format: int = FORMAT


def data_paths(config: Config, service: Service) -> list[Path]:
    paths = []
    for ref in service.data:
        source = source_of(config, ref)
        paths.extend(resolved(path) for path in matching(config.data_dir, source.file if source else ref.file))
    return paths


def partition(config: Config, services: list[Service]) -> list[Unit]:
    """Group services that share a data file; a service sharing none is a unit of its own.

    Services in one category are not grouped, though each one's savings compare it with the best
    take-up of the others (generator.savings): each record notes the best it was made with
    (UnitRecord.compared), and a build makes a reused unit again when that has changed. Grouping
    them had meant that one service's edited CSV read, computed and rendered its whole category.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    files_of = {s.slug: data_paths(config, s) for s in services}
    for slug, files in files_of.items():
        find("s:" + slug)
        for path in files:
            parent[find("s:" + slug)] = find("f:" + str(path))
    groups: dict[str, Unit] = {}
    for svc in services:
        unit = groups.setdefault(find("s:" + svc.slug), Unit([], []))
        unit.services.append(svc)
        for path in files_of[svc.slug]:
            if path not in unit.files:
                unit.files.append(path)
    units = list(groups.values())
    for unit in units:
        unit.files.sort()
    return units


def _template_sources(search_path: list[Path]) -> dict[str, str]:
    """Template name -> source, the first folder on the search path winning, as Jinja finds them."""
    found: dict[str, str] = {}
    for folder in search_path:
        for path in sorted(Path(folder).rglob("*.html")):
            # errors="replace": a file that is not text is no usable template, and no reason to stop here
            found.setdefault(path.relative_to(folder).as_posix(), path.read_text(encoding="utf-8", errors="replace"))
    return found


def service_pages_read_other_services(search_path: list[Path], builtin: Path,
                                      pattern: re.Pattern = SERVICE_TEMPLATE) -> bool:
    """True if a template a service page can use reads the whole-site model beyond the site-wide parts.

    A static look at the templates (service*.html, or those ``pattern`` names, and what they
    extend, include or import): any ``model`` not followed by one of SITE_WIDE_MODEL_PARTS counts.
    """
    sources = _template_sources(search_path)
    builtin_sources = _template_sources([builtin])
    refs = re.compile(r"""\{%-?\s*(?:extends|include|import|from)\s+["']([^"']+)["']""")
    # A name worked out as the page renders ({% include ["a.html", "b.html"] %}, "all-" ~ kind) may
    # be any template: one that reads every service could be among them, so nothing is reused.
    tags = re.compile(r"""\{%-?\s*(?:extends|include|import|from)\s+(.*?)-?%\}""", re.S)
    literal = re.compile(r"""["'][^"']+["']\s*(?:ignore\s+missing\s*)?(?:as\s+\w+\s*|import\s+.+?)?"""
                         r"""(?:(?:with|without)\s+context)?\s*$""", re.S)
    todo = [name for name in sources if pattern.match(name.rsplit("/", 1)[-1])]
    seen = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        text = sources.get(name) if not name.startswith("default:") else builtin_sources.get(name[8:])
        if text is None:
            continue
        for match in re.finditer(r"\bmodel\b(\s*\.\s*(\w+))?", text):
            if match.group(2) not in SITE_WIDE_MODEL_PARTS:
                return True
        if any(not literal.match(argument.strip()) for argument in tags.findall(text)):
            return True
        todo.extend(refs.findall(text))
    return False


def pages_shown(pages: list, search_path: list[Path]) -> bytes:
    """What a service's (or organisation's, or cost report's) page shows of the Markdown pages: their
    slugs, titles and order, in the navigation and footer; not their text, so an edit to the About
    page's words does not make every service's page again (it had: 9 s for 100 services). Unless the
    site's own templates (all of ``search_path`` but the built-in theme, last) name ``pages``
    anywhere: then, as they might show anything of them, all of it. A template the same as the
    built-in one of its name is not the site's own: a council that copied the whole theme to change
    its colours had every service made again for a word changed on its About page."""
    builtin = _template_sources(search_path[-1:])
    if any("pages" in text for name, text in _template_sources(search_path[:-1]).items() if builtin.get(name) != text):
        return repr(pages).encode()
    return repr([(p.slug, p.title, p.nav_order, str(p.path), p.language) for p in pages]).encode()


def assign_keys(units: list[Unit], content: Content, digests: Digests, whole_site: bool, extra: str = "",
                pages: bytes | None = None) -> None:
    """Each unit's key; ``whole_site`` when service pages read other services too; ``extra`` names
    anything else every service page shows (the peers' published figures); ``pages`` what they show of
    the Markdown pages (pages_shown; by default, all of them)."""
    base = hashlib.sha256(f"units {FORMAT}\0{site_wide_fingerprint(digests)}\0{extra}\0".encode())
    base.update(repr(content.organisations).encode())
    base.update(repr(content.pages).encode() if pages is None else pages)
    for unit in units:
        digest = base.copy()
        for svc in unit.services:
            digest.update(repr(svc).encode())
            # A service made from a source's file has that file as its path: its rows stand in for it,
            # and where its own row is (the place its warnings name, which the rows' digest leaves out).
            if unit.rows is None or svc.path not in unit.files:
                digest.update(digests.of(svc.path))
            else:
                digest.update(repr((svc.positions.marks, svc.positions.line_offset)).encode())
        for path in unit.files:
            digest.update(f"{path}\0".encode())
            if unit.rows is None:
                digest.update(digests.of(path))
        if unit.rows is not None:
            digest.update(b"rows\0" + unit.rows)
        unit.key = digest.hexdigest()
    if whole_site:
        everything = hashlib.sha256("".join(sorted(u.key for u in units)).encode()).hexdigest()
        for unit in units:
            unit.key = hashlib.sha256(f"{unit.key}\0{everything}".encode()).hexdigest()


@dataclass
class SplitIndex:
    """What reading a shared file's unit gave (generator.shared_files), kept under that unit's key: each
    service's rows' digest (Unit.rows), and the warnings of reading the file, told again while it is unchanged."""

    rows: dict[str, bytes]
    warnings: list[Problem]
    format: int = FORMAT


_READ: dict[str, tuple[tuple[int, int], UnitRecord]] = {}  # key -> ((inode, size), record): see UnitStore.get


class UnitStore:
    """Unit records in ``<cache>/units/``, one file per key."""

    def __init__(self, cache_dir: Path | None):
        self.folder = cache_dir / "units" if cache_dir is not None else None

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.pickle"

    def has(self, key: str) -> bool:
        """Whether a record is stored under ``key`` (usable or not: :meth:`get` tells)."""
        return self.folder is not None and os.path.exists(self._path(key))

    def get(self, key: str) -> UnitRecord | None:
        """The record stored under ``key``, or None. A record's file is written under its key (a
        digest of everything the unit is made from), and replaced only by a new file (see
        :meth:`forget` and :meth:`save`'s ``rewrite``), so a process that builds again and again (the
        dev server) keeps each one it has read, while its inode and size match: unpickling 766 of
        them was a sixth of a rebuild's time there."""
        if self.folder is None:
            return None
        path = self._path(key)
        try:
            stat = os.stat(path)
            seen = _READ.get(key)
            if seen is not None and seen[0] == (stat.st_ino, stat.st_size):
                return seen[1]
            with open(path, "rb") as handle:
                record = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            return None
        if not (isinstance(record, UnitRecord) and record.format == FORMAT):
            return None
        if len(_READ) > 4 * 4096:
            _READ.clear()
        _READ[key] = ((stat.st_ino, stat.st_size), record)
        return record

    def get_index(self, key: str) -> SplitIndex | None:
        """The split index stored under a shared file's unit's key, or None."""
        if self.folder is None:
            return None
        try:
            with open(self._path(key), "rb") as handle:
                index = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            return None
        return index if isinstance(index, SplitIndex) and index.format == FORMAT else None

    def save_indices(self, indices: dict[str, SplitIndex]) -> None:
        """Keep split indices, or mark the stored ones as used (before :meth:`save` prunes the least used)."""
        for key, index in indices.items():
            if self.has(key):
                with contextlib.suppress(OSError):
                    os.utime(self._path(key))
            else:
                self.save_one(key, index)

    def forget(self, key: str) -> None:
        """Remove a record that no longer says how its unit's pages are made: a unit made again because
        its services' ended state or best comparable service changed (build._stale_since) keeps its
        key, and :meth:`save` writes only the keys it does not have (unless told to rewrite them).
        Without this the old record stayed, and was never reused."""
        _READ.pop(key, None)
        if self.folder is not None:
            self._path(key).unlink(missing_ok=True)

    def save_one(self, key: str, record: "UnitRecord | SplitIndex") -> None:
        """Write one record (by way of a temporary name: a record is whole or absent). The build
        process that made a unit's page may write its record before :meth:`save` marks them all."""
        if self.folder is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{key}.{os.getpid()}.tmp")
        temporary.write_bytes(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
        temporary.replace(path)
        _READ.pop(key, None)  # (the dev server's copy of the record it replaces)

    def stamp(self, key: str) -> tuple[int, int] | None:
        """The stored record's (inode, size), to tell later whether it has been written again."""
        try:
            stat = os.stat(self._path(key))
        except (OSError, TypeError):
            return None
        return stat.st_ino, stat.st_size

    def save(self, records: dict[str, UnitRecord], rewrite: dict[str, tuple] | None = None) -> None:
        """Write new records and mark these as in use; prune the least recently used beyond a limit.
        ``rewrite``: key -> stamp of stored records to replace, unless written again since (by the
        process that made the unit's pages): their units' pages were made again from them, and what
        those were made with (UnitRecord.ended and .compared) may have changed.

        Records of other builds are kept for a while: a site built with two configurations
        (say with and without SVG charts) into the same cache must not lose one's to the other.
        """
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        rewrite = rewrite or {}
        for key, record in records.items():
            stamp = self.stamp(key)  # None: not stored
            if stamp is not None and (key not in rewrite or stamp != rewrite[key]):
                os.utime(self._path(key))
                continue
            self.save_one(key, record)
        prune_least_recent(self.folder, "*.pickle", KEEP_GENERATIONS * len(records) + 10, set(records))


def prune_least_recent(folder: Path, pattern: str, keep: int, in_use: set[str]) -> None:
    """Delete the least recently used files matching ``pattern`` beyond ``keep``, never those in use
    (by stem). Used means written or touched (their modification time): the stores touch what they reuse."""
    for left in folder.glob("*.tmp"):  # a record half-written by a process that was killed; not one being written
        with contextlib.suppress(OSError):
            if left.stat().st_mtime < time.time() - 3600:
                left.unlink()
    stored = list(folder.glob(pattern))
    if len(stored) > keep:
        stored.sort(key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)
        for path in stored[keep:]:
            if path.stem not in in_use:
                path.unlink(missing_ok=True)


def figures_reusable(record: UnitRecord | None, unit: Unit) -> bool:
    """Whether a unit's record holds everything its data would give: its services' figures and tidy
    CSVs. Its key covers every input they are made from, so where its files are not in the output
    (a CI run that restores the cache into a fresh checkout, a build into a new folder) its pages are
    made again from these, and its data is not read or worked out again."""
    return (record is not None and all(slug in record.figures for slug in unit.slugs)
            and all(path in record.tidy_csvs for path in record.data_files.values()))


def reusable(record: UnitRecord | None, previous_files: dict) -> bool:
    """A record is only good while every file it wrote is in the output exactly as it left it."""
    if record is None or not record.outputs:
        return False
    return all(previous_files.get(rel) == [sha, size] for rel, (sha, size) in record.outputs.items())
