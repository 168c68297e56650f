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

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from generator.config import load_config
from generator.errors import Problems

QUIET_SECONDS = 0.15  # wait for editors that write a file in several steps
# Events that change nothing (watchdog reports a file being opened or read, and its access time).
READS = {"opened", "closed_no_write", "attrib"}
FOLDER_EVENTS = {"created", "moved", "deleted"}


def input_folders(config_path: Path, config=None) -> list[Path]:
    """The folders a build reads, whether or not they exist yet: the configuration's, or where
    they are by default if it cannot be read (it is broken: the build will say how)."""
    root = config_path.resolve().parent
    if config is None:
        config = load_config(config_path, Problems(root=root))
    named = [config.content_dir, config.data_dir] if config else [root / "content", root / "data"]
    return [p.resolve() for p in (*named, root / "themes", root / "templates", root / "static")]


def input_state(config_path: Path) -> dict[str, tuple[int, int, int]]:
    """Each input file's (inode, size, modification time). Taken before the first build and again
    once watching has started, it shows an edit, a new file, a rename or a deletion made while
    that build ran, before anything was watched (a modification time alone misses the last two)."""
    state = {}
    for path in [config_path.resolve(), *input_folders(config_path)]:
        found = [(str(path), os.stat(path))] if path.is_file() else []
        for folder, subfolders, files in os.walk(path):
            subfolders[:] = [d for d in subfolders if not d.startswith(".")]
            for name in files:
                try:
                    found.append((os.path.join(folder, name), os.stat(os.path.join(folder, name))))
                except OSError:
                    continue
        state.update((name, (s.st_ino, s.st_size, s.st_mtime_ns)) for name, s in found)
    return state


class Rebuilder(FileSystemEventHandler):
    """Collects file events and builds once they pause; one build at a time, in its own thread.

    ``inputs`` are the input folders (there or not): when one is made (or moved in, or made
    again), ``watch(folder)`` is called from the build thread before the next build.
    """

    def __init__(self, build: Callable[[], None], root: Path, config_path: Path, ignore: list[Path],
                 watch: Callable[[Path], None] | None = None):
        self.build, self.watch = build, watch
        self.root, self.config_path = root.resolve(), config_path.resolve()
        self.ignore = [p.resolve() for p in ignore]
        self.inputs: set[Path] = set()
        self.new_folders: list[Path] = []
        self.pending = threading.Event()
        threading.Thread(target=self._loop, daemon=True).start()

    def on_any_event(self, event):
        if event.is_directory and event.event_type == "modified":
            return
        if event.event_type in READS:  # a build reads every input: reacting to that rebuilt for ever
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if not raw:
                continue
            path = Path(os.fsdecode(raw)).resolve()
            if path in self.inputs and event.event_type in FOLDER_EVENTS:
                if path.is_dir():
                    self.new_folders.append(path)  # watched from the build's thread, not watchdog's
                self.pending.set()  # made, or gone: either way the site changes
                return
            if path == self.root or (path.parent == self.root and path != self.config_path):
                continue  # in the site's own folder only config.yaml matters (not the build's staging)
            if path.is_relative_to(self.root) and path.relative_to(self.root).parts[0].startswith("."):
                continue  # nor what is in its hidden folders (.git, say), should an input folder hold one
            if not any(path.is_relative_to(p) for p in self.ignore):
                self.pending.set()
                return

    def _loop(self):
        while True:
            self.pending.wait()
            while self.pending.is_set():  # wait until the files stop changing
                self.pending.clear()
                time.sleep(QUIET_SECONDS)
            while self.new_folders and self.watch is not None:
                self.watch(self.new_folders.pop())
            self.build()  # it reports its own failures: nothing it raises may stop this loop


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
        self.observer.schedule(rebuilder, str(config_path.resolve().parent), recursive=False)

    def watch(self, folder: Path) -> None:
        """Watch ``folder`` (again, if it was made again: the old watch went with the old folder)."""
        old = self.watches.pop(folder, None)
        if old is not None:
            try:
                self.observer.unschedule(old)
            except (KeyError, OSError):
                pass
        try:
            self.watches[folder] = self.observer.schedule(self.rebuilder, str(folder), recursive=True)
        except OSError:  # gone again already: watched once it is made once more
            pass

    def update(self, config=None) -> None:
        """Watch every input folder there is of those the configuration names (read again if
        ``config`` is None); the others once they are made."""
        folders = input_folders(self.config_path, config)
        self.rebuilder.inputs = set(folders)
        for folder in folders:
            if folder not in self.watches and folder.is_dir():
                self.watch(folder)

    def start(self) -> None:
        self.observer.start()

    def stop(self) -> None:
        if self.observer.is_alive():
            self.observer.stop()
