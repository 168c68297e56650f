"""What the dev server watches, and when it builds again (see :mod:`generator.serve`).

It watches the folders a build reads (content, data, themes, templates, static:
the configuration says where the first two are) and ``config.yaml``, never the
whole site folder: the build's own staging folder is there, and watching it
slowed rebuilds to a halt. An input folder made, moved in or made again while
the server runs is watched from then on, and so is one a changed configuration
names. Builds wait until the files stop changing, and run one at a time in a
thread of their own, which outlives any error a build meets.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from generator.config import load_config
from generator.errors import Problems

QUIET_SECONDS = 0.15  # wait for editors that write a file in several steps
# Events that change nothing (watchdog reports a file being opened or read, and its access time).
READS = {"opened", "closed_no_write", "attrib"}
FOLDER_EVENTS = {"created", "moved", "deleted"}
# The events that can change the site, asked of the operating system (with inotify, only these are
# sent at all). A build opens and reads every input: unfiltered, each rebuild of the example sent
# the watcher about 350 events that change nothing, handled in Python while the build ran.
WATCHED_EVENTS = [FileCreatedEvent, FileModifiedEvent, FileClosedEvent, FileDeletedEvent, FileMovedEvent,
                  DirCreatedEvent, DirDeletedEvent, DirMovedEvent]


def input_folders(config_path: Path, config=None) -> list[Path]:
    """The folders a build reads, whether or not they exist yet, as absolute paths that do not
    follow links (a linked folder's link may itself be removed or replaced): the configuration's,
    or where they are by default if it cannot be read (it is broken: the build will say how)."""
    root = Path(os.path.abspath(config_path)).parent
    if config is None:
        config = load_config(config_path, Problems(root=root))
    named = [config.content_dir, config.data_dir] if config else [root / "content", root / "data"]
    folders = []
    for path in (*named, root / "themes", root / "templates", root / "static"):
        try:
            folders.append(Path(os.path.abspath(path)))
        except (OSError, ValueError):  # a path no file can have (a NUL in it): the build reports it
            continue
    return folders


def input_state(config_path: Path) -> dict[str, tuple[int, int, int]]:
    """Each input file's (inode, size, modification time). Taken before the first build and again
    once watching has started, it shows an edit, a new file, a rename or a deletion made while
    that build ran, before anything was watched (a modification time alone misses the last two)."""
    state = {}
    for path in [Path(os.path.abspath(config_path)), *input_folders(config_path)]:
        found = [(str(path), path)] if path.is_file() else []
        for folder, subfolders, files in os.walk(path):
            subfolders[:] = [d for d in subfolders if not d.startswith(".")]
            found.extend((os.path.join(folder, name), os.path.join(folder, name)) for name in files)
        for name, file in found:
            try:
                stat = os.stat(file)
            except (OSError, ValueError):
                continue
            state[name] = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    return state


def _scratch(name: str) -> bool:
    """An editor's swap, backup or test file, not an input: Vim rewrites its swap file as you type."""
    return name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp", ".part")) or name == "4913"


class Rebuilder(FileSystemEventHandler):
    """Collects file events and builds once they pause; one build at a time, in its own thread.

    Only ``config.yaml`` and files in the input folders (``inputs``, there or not) count. When an
    input folder is made, moved in or made again, or a folder holding one, ``watch(folder)`` (set
    by InputWatch) is called from the build thread before the next build. ``on_error(exc)`` hears
    of anything the build or the watching raises, which must not stop the thread (nothing would
    rebuild again). ``stopped`` keeps a build from starting while the server shuts down.
    """

    def __init__(self, build: Callable[[], None], root: Path, config_path: Path, ignore: list[Path],
                 on_error: Callable[[Exception], None] | None = None):
        self.build, self.on_error = build, on_error
        self.watch: Callable[[Path], None] | None = None
        self.root = Path(os.path.abspath(root))
        self.config_path = Path(os.path.abspath(config_path))
        self.ignore = [Path(os.path.abspath(p)) for p in ignore]
        self.inputs: set[Path] = set()
        self.new_folders: list[Path] = []
        self.pending = threading.Event()
        self.last_event = 0.0  # time.monotonic() of the last event that counts
        self.stopped = False
        threading.Thread(target=self._loop, daemon=True).start()

    def on_any_event(self, event):
        if event.is_directory and event.event_type == "modified":
            return
        if event.event_type in READS:  # a build reads every input: reacting to that rebuilt for ever
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if not raw:
                continue
            path = Path(os.path.abspath(os.fsdecode(raw)))
            # As named, and with links followed (watchdog may report a linked folder's files either way).
            if self._counts(path, event) or self._counts(path.resolve(), event):
                self.last_event = time.monotonic()
                self.pending.set()
                return

    def _counts(self, path: Path, event) -> bool:
        """Whether this path's event changes the site (and note input folders to watch)."""
        # A folder made, moved or removed; or a link standing for an input folder (reported as a file).
        if event.event_type in FOLDER_EVENTS and (event.is_directory or path in self.inputs):
            held = [folder for folder in self.inputs if folder.is_relative_to(path)]  # it, or folders in it
            if held:
                # Watched from the build thread: each that is there now, and this folder itself if
                # one is still to come inside it (data_dir: inputs/data, and inputs/ was just made).
                self.new_folders.extend(folder for folder in held if folder.is_dir())
                if path.is_dir() and not all(folder.is_dir() for folder in held):
                    self.new_folders.append(path)
                return True  # made, or gone: either way the site changes
        if path == self.config_path:
            return True
        if not any(path.is_relative_to(folder) for folder in self.inputs):
            return False  # not an input (the build's staging folder, the site, .git, ...)
        return not _scratch(path.name) and not any(path.is_relative_to(p) for p in self.ignore)

    def _loop(self):
        while not self.stopped:
            self.pending.wait()
            self.pending.clear()
            # Until the files have not changed for QUIET_SECONDS, counted from the last event: a save
            # is often two events (modified, closed), and one just after a pause had doubled the wait.
            while (left := self.last_event + QUIET_SECONDS - time.monotonic()) > 0 or self.pending.is_set():
                self.pending.clear()
                time.sleep(max(left, 0))
            if self.stopped:
                return
            try:
                while self.new_folders and self.watch is not None:
                    self.watch(self.new_folders.pop())
                self.build()
            except Exception as exc:  # noqa: BLE001 - reported; the thread must go on
                if self.on_error is not None:
                    self.on_error(exc)


class InputWatch:
    """The watchdog observer over a site's input folders and its config.yaml.

    Made after the first build: an observer starts a thread as soon as it is made, and the
    first build forks its workers only while the process has no other thread.
    """

    def __init__(self, rebuilder: Rebuilder, config_path: Path):
        self.rebuilder, self.config_path = rebuilder, config_path
        self.observer = Observer()
        self.watches: dict[Path, object] = {}  # folder -> watchdog's ObservedWatch
        rebuilder.watch = self.watch
        # The site's folder itself, not recursively: config.yaml, and input folders made or moved there.
        self.observer.schedule(rebuilder, os.path.dirname(os.path.abspath(config_path)), recursive=False,
                              event_filter=WATCHED_EVENTS)

    def watch(self, folder: Path) -> None:
        """Watch ``folder`` (again, if it was made again: the old watch went with the old folder)."""
        old = self.watches.pop(folder, None)
        if old is not None:
            try:
                self.observer.unschedule(old)
            except (KeyError, OSError):
                pass
        try:  # where a link leads: inotify does not follow one (its events then name that folder)
            self.watches[folder] = self.observer.schedule(self.rebuilder, str(folder.resolve()), recursive=True,
                                                          event_filter=WATCHED_EVENTS)
        except OSError:  # gone again already: watched once it is made once more
            pass

    def update(self, config=None) -> None:
        """Watch every input folder there is of those the configuration names (read again if
        ``config`` is None); the others once they are made: through the site's folder, or for one
        deeper down (``inputs/data``), through the nearest folder above it that is there."""
        folders = input_folders(self.config_path, config)
        self.rebuilder.inputs = {*folders, *(folder.resolve() for folder in folders)}
        root = self.rebuilder.root
        for folder in folders:
            if folder.is_dir():
                if folder not in self.watches:
                    self.watch(folder)
                continue
            above = next((p for p in folder.parents if p.is_dir()), root)
            if above != root and above.is_relative_to(root) and above not in self.watches:
                self.watch(above)

    def start(self) -> None:
        self.observer.start()

    def stop(self) -> None:
        if self.observer.is_alive():
            self.observer.stop()
