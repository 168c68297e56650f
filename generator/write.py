"""Write the finished site: into a staging folder first, then swap it in.

A failed or interrupted build therefore never leaves a half-written site, and
the previous ``site/`` survives any error. Every path is checked to stay
inside the output folder, whatever a slug in the content says.

Only files whose bytes changed are written: unchanged ones are hard-linked
from the previous site into the staging folder, so they keep their inode and
modification time, and a build that changes nothing writes nothing at all.
When only a few files change (one service's data), they are instead written
beside their targets under temporary names and then renamed into place, which
keeps the same guarantee against failures without copying the whole site; a
process killed while renaming them (milliseconds) may leave some in, and the
next build, finding the site's record set aside, makes the site afresh.
The marker file ``.perfpages`` records each file's hash for the next build.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import posixpath
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

MARKER = ".perfpages"
_PLAIN = re.compile(r"[A-Za-z0-9_./ -]*")  # needs no escaping in JSON
MARKER_NOTE = "This folder is written by perfpages build and is replaced on every build."


@dataclass
class WriteResult:
    written: int  # files new or changed
    unchanged: int  # files kept from the previous site
    removed: int  # files of the previous site that are gone
    hashes: dict = field(default_factory=dict, repr=False)  # path -> [sha256, size] of every file now in the site


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def read_manifest(out_dir: Path) -> dict:
    """The previous build's record (inputs and file hashes), or {} if there is none usable."""
    try:
        data = json.loads((out_dir / MARKER).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and isinstance(data.get("files"), dict) else {}
    except (OSError, ValueError):
        return {}


def _state_path(state_dir: Path, out_dir: Path) -> Path:
    return state_dir / "outputs" / f"{hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]}.json"


def site_intact(out_dir: Path, manifest: dict, state_dir: Path | None) -> bool:
    """Every file the manifest lists is still there, as the last build left it (see intact_files)."""
    files = manifest.get("files", {})
    return bool(files) and len(intact_files(out_dir, manifest, state_dir)) == len(files)


def intact_files(out_dir: Path, manifest: dict, state_dir: Path | None) -> dict:
    """The manifest's files (path -> [sha256, size]) still as the last build left them.

    Sizes and modification times are kept outside the site (in the cache folder), so the
    output stays byte-identical from build to build. A file whose time or size is not as
    noted (a site and cache restored from a zip, which keeps whole seconds; copied with
    ``cp -r``; no note at all) is read, and is intact if its bytes still hash to the
    manifest's; the note is then brought up to date. Without this, CI that restores its
    cache that way rewrote every file of an unchanged site, and a bucket sync uploaded them all.
    """
    files = manifest.get("files", {})
    if not files or state_dir is None or _stopped_patches(Path(out_dir)):
        return {}  # (a patch stopped part-way may have left files in it that no manifest lists)
    seen = _read_state(state_dir, out_dir)
    if _CHANGING in seen:
        return {}
    root = str(out_dir)
    intact, noted = {}, {}
    for rel, entry in files.items():  # os calls on strings: pathlib's overhead on 17,000 files was a tenth of a second
        path = os.path.join(root, rel)
        try:
            stat = os.stat(path)
        except OSError:
            continue
        now = [stat.st_size, stat.st_mtime_ns]
        if seen.get(rel) == now:
            intact[rel] = entry
        elif isinstance(entry, list) and stat.st_size == entry[1] and _file_digest(path) == entry[0]:
            intact[rel] = entry
            noted[rel] = now
    if noted:
        with contextlib.suppress(OSError):
            _write_state(state_dir, Path(out_dir), {**{rel: seen[rel] for rel in intact if rel in seen}, **noted})
    return intact


def _file_digest(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return digest(handle.read())
    except OSError:
        return None


def _write_state(state_dir: Path | None, out_dir: Path, state: dict) -> None:
    if state_dir is None:
        return
    path = _state_path(state_dir, out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state, sort_keys=True), encoding="utf-8")


class OutputError(Exception):
    """The output folder cannot be used; the message says why."""


# File systems allow 255 bytes a name; an in-place patch adds '.perfpages-<pid>.tmp' for a moment.
LONGEST_NAME = 200


def safe_relative(rel: str) -> str:
    """Reject absolute paths and any '..' so nothing is written outside the output folder; and a
    name too long for the file system (a slug made from a long name), which had ended in a traceback."""
    parts = rel.split("/")
    if rel.startswith("/") or "\\" in rel or any(part in ("..", "") for part in parts):
        raise OutputError(f"refusing to write outside the output folder: {rel!r}")
    long = next((part for part in parts if len(part.encode("utf-8")) > LONGEST_NAME), None)
    if long is not None:
        raise OutputError(f"cannot write {rel}: '{long[:40]}...' is {len(long.encode('utf-8'))} characters long, "
                          f"more than a file name may be; give the service, page or measure it is named after "
                          f"a shorter slug or id")
    return rel


def check_output_dir(out_dir: Path, protected: list[Path]) -> None:
    """Refuse output folders that would destroy the site's own inputs or someone's files."""
    out = out_dir.resolve()
    for p in protected:
        p = p.resolve()
        if out == p or p.is_relative_to(out) or out.is_relative_to(p):
            raise OutputError(f"the output folder {out_dir} would overlap the site's own {p}; "
                              "choose another folder")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out_dir} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise OutputError(f"{out_dir} is not empty and was not made by perfpages; "
                          "refusing to replace it (empty it or choose another folder)")


def previous_files(out_dir: Path, state_dir: Path | None) -> dict:
    """The previous build's files (path -> [sha256, size]) that are still as it left them: the new
    site is written against these, so a file that comes out the same is not written again."""
    return intact_files(out_dir, read_manifest(out_dir), state_dir)


def write_site(out_dir: Path, files: dict[str, bytes], protected: list[Path], inputs: str = "",
               extra: dict | None = None, state_dir: Path | None = None,
               kept: dict[str, tuple[str, int]] | None = None, previous: dict | None = None) -> WriteResult:
    """Write ``files`` (relative path to bytes) as the new contents of ``out_dir``.

    ``inputs`` is a fingerprint of everything the site was built from, kept in the
    manifest so the next build can tell at once that nothing has changed.
    ``kept`` lists files of the previous build, with their hash and size, that
    stay as they are without being made again (see :mod:`generator.units`).
    ``previous`` is what :func:`previous_files` returned moments ago, if the caller has it.
    """
    check_output_dir(out_dir, protected)
    out = out_dir.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out)
    old = previous or previous_files(out, state_dir)  # (none to reuse: some may still be intact)
    entries = {rel: [digest(body), len(body)] for rel, body in files.items()}
    plan = _Plan(out, entries, kept or {}, old, inputs, extra)
    if plan.nothing_changed:
        if (out / MARKER).read_bytes() != plan.marker:
            (out / MARKER).write_bytes(plan.marker)  # same pages from different inputs: note the new inputs
        return _without_strays(plan)
    if plan.small and _patch_in_place(out, files, plan.changed, plan.removed, plan.marker, state_dir):
        return _without_strays(plan)
    staging = Staging(out_dir, protected)
    try:
        for rel in sorted(files):
            if rel not in plan.unchanged:  # unchanged files are linked from the old site by _finish
                staging.write(rel, files[rel])
        _finish(staging, plan, state_dir)
    finally:
        staging.discard()
    return plan.result


def finish_site(staging: "Staging", hashes: dict[str, list], inputs: str = "", extra: dict | None = None,
                state_dir: Path | None = None, kept: dict[str, tuple[str, int]] | None = None,
                previous: dict | None = None) -> WriteResult:
    """Swap in a site whose new files the build wrote straight into ``staging`` (``hashes``:
    path -> [sha256, size] of each); ``kept`` files come from the previous site.

    Large builds write this way, from the processes that render the pages, so that writing
    hundreds of megabytes overlaps the rendering instead of following it in one process.
    Files that came out the same as the previous build's are swapped for hard links to
    those, so they keep their modification time as :func:`write_site` keeps it.
    """
    out = staging.out
    old = previous or previous_files(out, state_dir)  # (none to reuse: some may still be intact)
    plan = _Plan(out, hashes, kept or {}, old, inputs, extra)
    try:
        if plan.small and _move_in_place(staging, plan, state_dir):
            return _without_strays(plan)
        _finish(staging, plan, state_dir)
    finally:
        staging.discard()
    return plan.result


def _without_strays(plan: "_Plan") -> WriteResult:
    """The result of a site changed where it stands, once files no build made are gone from it (as a
    site swapped in whole has none)."""
    gone = remove_strays(plan.out, plan.entries)
    return dataclasses.replace(plan.result, removed=plan.result.removed + len(gone)) if gone else plan.result


def remove_strays(out: Path, files: dict) -> list[str]:
    """Remove the files in the site that ``files`` (its manifest's) does not list, and the folders
    they leave empty; the paths removed. A file put into site/ by hand stayed through builds that
    changed nothing or changed the site where it stood, and went with the next that swapped in a
    new folder (a tester): now it goes at once, whichever build comes next.

    Never followed: a link, a Windows junction, or a folder on another device (a mount). A link or
    junction in place of a listed folder stays (the files are read through it, as they are checked);
    another is removed itself, never what it leads to. A patch's temporary files (another build's,
    finishing now) stay: that build renames them, or the next removes them (remove_leftovers)."""
    gone: list[str] = []
    listed_folders: set[str] = set()

    def a_listed_folder(rel: str) -> bool:  # worked out only if the site has a link in it
        if not listed_folders:
            for path in files:
                parts = path.split("/")
                listed_folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
        return rel in listed_folders

    try:
        device = os.stat(out).st_dev
    except OSError:
        return gone

    def walk(folder: str, prefix: str) -> bool:  # whether the folder is left empty
        empty = True
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if rel in files or rel == MARKER or _a_link(entry) and a_listed_folder(rel) \
                        or _PATCH_TEMPORARY.search(entry.name):
                    empty = False
                elif _a_link(entry) or not entry.is_dir(follow_symlinks=False):
                    if _remove_entry(entry):
                        gone.append(rel)
                    else:
                        empty = False
                elif entry.stat(follow_symlinks=False).st_dev != device:
                    empty = False  # a mount inside the site: not the build's to clear
                elif walk(entry.path, rel + "/"):
                    with contextlib.suppress(OSError):
                        os.rmdir(entry.path)
                        continue
                    empty = False
                else:
                    empty = False
        return empty

    with contextlib.suppress(OSError):
        walk(str(out), "")
    return sorted(gone)


_PATCH_TEMPORARY = re.compile(r"\.perfpages-\d+\.tmp$")  # _patch_in_place's and _move_in_place's


def _a_link(entry: os.DirEntry) -> bool:
    """A symbolic link, or a Windows junction (which is_dir(follow_symlinks=False) takes for a folder)."""
    if entry.is_symlink():
        return True
    if os.name != "nt":  # (junctions are Windows's; elsewhere this would be a stat a file for nothing)
        return False
    try:
        attributes = getattr(entry.stat(follow_symlinks=False), "st_file_attributes", 0)
    except OSError:
        return True  # not to be walked into
    return bool(attributes & 0x400)  # FILE_ATTRIBUTE_REPARSE_POINT


def _remove_entry(entry: os.DirEntry) -> bool:
    """Remove a file or a link itself (a junction with rmdir, which leaves what it leads to)."""
    try:
        os.unlink(entry.path)
        return True
    except OSError:
        try:
            os.rmdir(entry.path)  # a junction (or an empty folder)
            return True
        except OSError:
            return False


class _Plan:
    """What a new site changes against the previous one, and its manifest."""

    def __init__(self, out: Path, entries: dict[str, list], kept: dict, old: dict, inputs: str, extra: dict | None):
        lost = [rel for rel, (sha, size) in kept.items() if old.get(rel) != [sha, size]]
        if lost:
            raise OutputError(f"{lost[0]} was to be kept from the previous build but has changed; build again")
        entries = {**entries, **{rel: [sha, size] for rel, (sha, size) in kept.items()}}
        manifest = {"note": MARKER_NOTE, "inputs": inputs, **(extra or {}),
                    "files": {rel: entries[rel] for rel in sorted(entries)}}
        self.out, self.old, self.entries = out, old, entries
        self.marker = _manifest_text(manifest).encode("utf-8")
        self.unchanged = {rel for rel in entries if rel in old and old[rel][0] == entries[rel][0]}
        self.changed = [rel for rel in entries if rel not in self.unchanged]
        self.removed = sorted(set(old) - set(entries))
        self.result = WriteResult(len(self.changed), len(self.unchanged), len(self.removed), entries)
        self.nothing_changed = bool(old) and len(self.unchanged) == len(entries) == len(old)
        self.small = bool(old) and len(self.changed) + len(self.removed) <= max(SMALL_CHANGE, len(entries) // 20)


_BINARY = getattr(os, "O_BINARY", 0)  # Windows only: without it, os.write turns \n into \r\n


class Staging:
    """The new site, written into a fresh folder beside the output until :func:`_finish` swaps it in.

    Paths are checked by safe_relative (no '..', nothing absolute), and the folder is new,
    holding only folders made here: so no link can lead a path outside it. Forked build
    processes write into it as well (see generator.build); plain strings and os calls, not
    Path objects: at ten thousand files, pathlib's overhead was a second.
    """

    def __init__(self, out_dir: Path, protected: list[Path]):
        check_output_dir(out_dir, protected)
        self.out = out_dir.resolve()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.root = str(self.out.parent / f".{self.out.name}.tmp-{os.getpid()}")
        if os.path.exists(self.root):
            shutil.rmtree(self.root)
        remove_leftovers(self.out)
        os.mkdir(self.root)
        self._folders: set[str] = set()

    def path(self, rel: str) -> str:
        target = os.path.join(self.root, safe_relative(rel))
        folder = os.path.dirname(target)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        return target

    def write(self, rel: str, body: bytes) -> list:
        """Write one file; its [sha256, size] for the manifest. With os calls rather than open():
        a buffered file object costs more than the writing, over seventeen thousand files."""
        # As open(rel, "wb"): binary on Windows too (O_BINARY), and the umask decides the permissions.
        handle = os.open(self.path(rel), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _BINARY, 0o666)
        try:
            left = memoryview(body)
            while left:
                left = left[os.write(handle, left):]
        finally:
            os.close(handle)
        return [digest(body), len(body)]

    def discard(self) -> None:
        """Remove what is left of the folder (all of it, unless it was swapped in)."""
        if os.path.exists(self.root):
            shutil.rmtree(self.root, ignore_errors=True)


def _finish(staging: Staging, plan: _Plan, state_dir: Path | None) -> None:
    """Link the unchanged and kept files from the old site, add the manifest, swap the folders."""
    old_root = str(plan.out)
    # Beside the staging folder, not in it: no file of the site can have this name.
    temporary = str(plan.out.parent / f".{plan.out.name}.link-{os.getpid()}")
    for rel in sorted(plan.unchanged):  # kept files among them: the plan checked they are the old ones
        target = staging.path(rel)
        if not _link(os.path.join(old_root, rel), target, temporary) and not os.path.exists(target):
            shutil.copyfile(os.path.join(old_root, rel), target)  # no links here, and not written: copy
    with open(os.path.join(staging.root, MARKER), "wb") as handle:
        handle.write(plan.marker)
    states = {}
    for rel in plan.entries:
        stat = os.stat(os.path.join(staging.root, rel))
        states[rel] = [stat.st_size, stat.st_mtime_ns]
    _swap(Path(staging.root), plan.out)
    _write_state(state_dir, plan.out, states)


SMALL_CHANGE = 100  # files; up to this many (or 5%) changed, the site is patched where it stands


def _patch_in_place(out: Path, files: dict[str, bytes], changed: list[str], removed: list[str],
                    marker: bytes, state_dir: Path | None) -> bool:
    """Put a few changed files into the existing site; False (nothing changed) if that cannot be done.

    Copying a site of ten thousand files to change ten cost most of a one-service
    rebuild. Every new file is first written beside its target under a temporary
    name, so a failure (a full disk) leaves the site as it was; only then are they
    renamed over their targets, which cannot fail for want of space.
    """
    suffix = f".perfpages-{os.getpid()}.tmp"
    pending = []
    # Beside the site, the files about to be written into it: if this process is killed before it
    # has renamed them all, the next build removes what it left (remove_leftovers), which would
    # otherwise be published with the site, and is not taken to be intact meanwhile (site_intact).
    journal = out.parent / f".{out.name}.patch-{os.getpid()}"
    try:
        journal.write_text("".join(safe_relative(rel) + suffix + "\n" for rel in [*changed, MARKER]),
                           encoding="utf-8")
        for rel in [*changed, MARKER]:
            target = os.path.join(out, safe_relative(rel))
            if os.path.isdir(target):
                raise OSError(f"{rel} is a folder")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            pending.append((target + suffix, target))
            with open(target + suffix, "wb") as handle:
                handle.write(marker if rel == MARKER else files[rel])
    except (OSError, KeyError):
        _unlink_all([temporary for temporary, _ in pending] + [journal])
        return False
    states = _read_state(state_dir, out)
    _forget_state(state_dir, out)  # until all is done: the site is not known intact whatever stops this
    for temporary, target in pending:
        os.replace(temporary, target)
    _remove_and_note(out, changed, removed, states, state_dir)
    journal.unlink()
    return True


def _move_in_place(staging: Staging, plan: _Plan, state_dir: Path | None) -> bool:
    """Move a small change's new files from ``staging`` into the existing site (as _patch_in_place
    writes them there); False, with no file of the site changed, if that cannot be done.

    A build that expected to make many files writes them into a staging folder as it makes them;
    when most came out the same, linking every unchanged file into the new folder (and removing
    the old one) had cost more than the pages that changed: a quarter of a second of the example's
    one-CSV rebuild on a disk. New folders are made before anything moves. The record of the site's
    files is set aside until the end, so a build stopped or failing part-way is followed by one
    that builds the site afresh rather than taking it to be intact.
    """
    out = str(plan.out)
    suffix = f".perfpages-{os.getpid()}.tmp"
    journal = plan.out.parent / f".{plan.out.name}.patch-{os.getpid()}"
    marker = os.path.join(out, MARKER + suffix)
    moves = [(os.path.join(staging.root, rel), os.path.join(out, rel)) for rel in plan.changed]
    folders: set[str] = set()
    for rel in plan.changed:
        folder = posixpath.dirname(rel)
        while folder and folder not in folders:
            folders.add(folder)
            folder = posixpath.dirname(folder)
    # A file of the old site where a folder now goes, or the other way round; or, where names differ
    # only in case (one file on some file systems), a file removed that is another's new name.
    old = {rel.casefold() for rel in plan.old}
    if ({folder.casefold() for folder in folders} & old
            or {rel.casefold() for rel in plan.removed} & {rel.casefold() for rel in plan.changed}
            or any(os.path.isdir(target) for _, target in moves)):
        return False
    try:
        for folder in sorted(folders):
            os.makedirs(os.path.join(out, folder), exist_ok=True)
        journal.write_text(MARKER + suffix + "\n", encoding="utf-8")
        with open(marker, "wb") as handle:
            handle.write(plan.marker)
    except OSError:
        _unlink_all([marker, journal])
        return False
    states = _read_state(state_dir, plan.out)
    _forget_state(state_dir, plan.out)
    for index, (source, target) in enumerate(moves):
        try:
            os.replace(source, target)
        except OSError as exc:
            if index == 0:  # nothing has changed yet: the whole site is swapped in instead
                _unlink_all([marker, journal])
                return False
            raise OutputError(f"could not finish updating {out}: {exc.strerror or exc}; build again") from None
    os.replace(marker, os.path.join(out, MARKER))
    _remove_and_note(plan.out, plan.changed, plan.removed, states, state_dir)
    journal.unlink()
    return True


def _unlink_all(paths: list) -> None:
    """Remove what a patch that could not go ahead had written, as far as it can."""
    for path in paths:
        with contextlib.suppress(OSError):
            os.unlink(path)


_CHANGING = "@changing"  # the record of a site being changed: none of its files is known intact


def _forget_state(state_dir: Path | None, out: Path) -> None:
    """Set aside the record of the site's files (see intact_files) while the site is being changed: if
    that stops part-way, the next build makes the site afresh, as the half-changed files and any new
    one already in place are not to be told from a site restored with other file times."""
    if state_dir is not None:
        _write_state(state_dir, out, {_CHANGING: True})


def _remove_and_note(out: Path, changed: list[str], removed: list[str], states: dict, state_dir: Path | None) -> None:
    """Remove what a patched site no longer has (and folders left empty); note the sizes and
    modification times of what changed."""
    for rel in removed:
        path = os.path.join(out, rel)
        with contextlib.suppress(OSError):
            os.unlink(path)
        states.pop(rel, None)
        folder = os.path.dirname(path)
        with contextlib.suppress(OSError):  # a folder already gone, or not empty
            while folder != str(out) and not os.listdir(folder):
                os.rmdir(folder)
                folder = os.path.dirname(folder)
    for rel in changed:
        stat = os.stat(os.path.join(out, rel))
        states[rel] = [stat.st_size, stat.st_mtime_ns]
    _write_state(state_dir, out, states)


def _read_state(state_dir: Path | None, out: Path) -> dict:
    try:
        return json.loads(_state_path(state_dir, out).read_text(encoding="utf-8")) if state_dir else {}
    except (OSError, ValueError):
        return {}


def _manifest_text(manifest: dict) -> str:
    """The manifest as JSON with one file to a line (readable diffs), made with the C encoder."""
    head = {k: v for k, v in manifest.items() if k != "files"}
    # A path JSON would write as it stands needs no encoder: 17,000 json.dumps calls were a tenth of a rebuild.
    lines = [f'"{rel}": ["{sha}", {size}]' if _PLAIN.fullmatch(rel) else
             f"{json.dumps(rel, ensure_ascii=False)}: {json.dumps([sha, size])}"
             for rel, (sha, size) in manifest["files"].items()]
    text = json.dumps(head, sort_keys=True, ensure_ascii=False)[:-1]
    return f'{text}{", " if head else ""}"files": {{\n' + ",\n".join(lines) + "\n}}\n"


def _link(source: str, target: str, temporary: str) -> bool:
    """Hard-link an unchanged file from the previous site in place of ``target`` (written or not),
    by way of the unused path ``temporary`` if ``target`` is there already; False, leaving
    ``target`` as it was, if the file system cannot. Straight to ``target`` where it can: the
    temporary path is beside the site, in the folder the dev server watches for config.yaml, and
    making and removing it once per file of a rebuild had the watcher handle a thousand events."""
    try:
        os.link(source, target)
        return True
    except FileExistsError:
        pass
    except OSError:
        return False
    try:
        os.link(source, temporary)
        os.replace(temporary, target)
        return True
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False


LEFTOVER_SECONDS = 3600  # a build's folder untouched this long is no build's any more


def remove_leftovers(out: Path) -> None:
    """Remove what a build that was stopped part-way (killed, or a dev server closed mid-rebuild)
    left beside the output: its staging folder, or the old site it was swapping out. Only those
    of processes that are gone, and untouched for an hour: another build may be writing its own
    right now, perhaps in a container or on another machine, where its process number means
    nothing here. One with this process's own number is removed at once: it is called as a write
    begins, when this process has none of its own, so that one was left by an earlier process of
    the same number (a container's process 1, every run), and had made every later swap fail."""
    pattern = re.compile(re.escape(f".{out.name}.") + r"(tmp|old|link)-(\d+)")
    for journal in _stopped_patches(out):  # the temporary files of a patch: in the site, so not left an hour
        pid = journal.name.rsplit("-", 1)[1]
        with contextlib.suppress(OSError, ValueError, OutputError):  # (a journal not of our making)
            for rel in journal.read_text(encoding="utf-8").splitlines():
                if rel.endswith(f".perfpages-{pid}.tmp"):
                    with contextlib.suppress(OSError):
                        os.unlink(os.path.join(out, safe_relative(rel)))
        with contextlib.suppress(OSError):
            journal.unlink()
    try:
        names = os.listdir(out.parent)
    except OSError:
        return
    for name in names:
        found = pattern.fullmatch(name)
        if found is None:
            continue
        path = os.path.join(out.parent, name)
        if int(found.group(2)) != os.getpid():  # (this process's own: see the docstring)
            if _running(int(found.group(2))):
                continue
            try:
                if os.lstat(path).st_mtime > time.time() - LEFTOVER_SECONDS:
                    continue
            except OSError:
                continue
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(path)


def _stopped_patches(out: Path) -> list[Path]:
    """The journals of in-place patches of ``out`` (see _patch_in_place) whose process has gone, or
    that carry this process's number: asked only between patches, so left by an earlier process
    of the same number (see remove_leftovers)."""
    pattern = re.compile(re.escape(f".{out.name}.patch-") + r"(\d+)")
    try:
        names = os.listdir(out.parent)
    except OSError:
        return []
    return [out.parent / name for name in sorted(names) if (found := pattern.fullmatch(name))
            and (int(found.group(1)) == os.getpid() or not _running(int(found.group(1))))]


def _running(pid: int) -> bool:
    if os.name == "nt":  # there os.kill(pid, 0) would end the process, not ask after it
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # someone else's, or cannot tell: leave it
    return True


def _swap(staging: Path, out: Path) -> None:
    """Put the staging folder in the output's place and remove the old site.

    Where Linux can exchange the two names in one step (renameat2's RENAME_EXCHANGE), it does, so a
    build killed at that instant leaves the old site or the new one, never neither (a tester's kill
    between two renames left no site/); the old site is then under the staging folder's name.
    Elsewhere the old site is renamed aside first, to a name of this process's that one of an earlier
    process of the same number may have left: remove_leftovers, as the write began, removed it."""
    if out.exists() and _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        out.rename(old)
    try:
        staging.rename(out)
    except OSError:
        if old.exists():
            old.rename(out)
        raise
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths' names at once (Linux 3.15 and later, glibc 2.28 and later); False where that
    cannot be done here (another system, a file system without it), with nothing changed."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, ImportError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    at_cwd, exchange = -100, 2  # AT_FDCWD, RENAME_EXCHANGE
    return renameat2(at_cwd, os.fsencode(str(first)), at_cwd, os.fsencode(str(second)), exchange) == 0
