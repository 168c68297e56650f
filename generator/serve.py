"""``perfpages serve``: build, serve on localhost, rebuild on every change and reload the browser.

The watcher (watchdog) rebuilds after a short pause once files stop changing.
Browsers hold a server-sent-events connection open and reload when a build
finishes. A failed build leaves the last good site being served, and every
page then carries a banner with the problems (visible with JavaScript off
too, after a manual reload); the terminal shows them as well.
"""

from __future__ import annotations

import html
import os
import threading
import time
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from generator.build import warm_up
from generator.config import load_config
from generator.errors import BuildFailed, Problems

RELOAD_JS = b"""(function () {
  if (!window.EventSource) return;
  var events = new EventSource("/__perfpages/events");
  events.onmessage = function () { window.location.reload(); };
})();
"""
SCRIPT_TAG = b'<script src="/__perfpages/reload.js" defer></script>'
NO_SITE_YET = (b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>No site yet</title></head>'
               b'<body><main><h1>No site yet</h1><p>The site has not been built yet. Once a build succeeds, '
               b"this page reloads by itself.</p></main></body></html>\n")
QUIET_SECONDS = 0.15  # wait for editors that write a file in several steps
# Events that change nothing (watchdog reports a file being opened or read, and its access time).
READS = {"opened", "closed_no_write", "attrib"}


class BuildState:
    """The latest build's outcome, and a condition browsers wait on for the next one."""

    def __init__(self):
        self.generation = 0
        self.error_text: str | None = None
        self.changed = threading.Condition()

    def finished(self, error_text: str | None) -> None:
        with self.changed:
            self.generation += 1
            self.error_text = error_text
            self.changed.notify_all()


def error_banner(text: str, site: bool = True) -> bytes:
    """The problems of the last build, on top of the page; ``site``: whether an earlier build's site is served."""
    lead = ("The last build failed; this is the last good version of the site." if site
            else "The build failed, so there is no site yet.")
    return (
        '<div role="alert" style="position:sticky;top:0;z-index:1000;background:#fff;border:5px solid #d4351c;'
        'padding:1rem;font:16px/1.4 sans-serif;color:#0b0c0c;white-space:pre-wrap">'
        f"<strong>{lead}</strong>\n{html.escape(text)}</div>"
    ).encode("utf-8")


class Handler(SimpleHTTPRequestHandler):
    """Serves the output folder, with the reload script and any build error added to each page."""

    state: BuildState

    def log_message(self, format, *args):  # noqa: A002 - the terminal is for build messages
        pass

    def do_GET(self):  # noqa: N802 - http.server's naming
        if self.path == "/__perfpages/reload.js":
            return self._send(RELOAD_JS, "text/javascript")
        if self.path == "/__perfpages/events":
            return self._events()
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].split("#", 1)[0].endswith("/"):
                return super().do_GET()  # which redirects to the address with a slash, as static hosts do
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            return self._send_page(path.read_bytes(), HTTPStatus.OK)
        if path.suffix in ("", ".html"):
            return self._missing_page()
        return super().do_GET()

    def _missing_page(self):
        """A page that is not there: the site's 404.html, as static hosts serve it, or a placeholder
        where there is no site yet (its first build failed). Either carries the reload script, so
        the page comes back by itself once a build makes it."""
        not_found = Path(self.directory) / "404.html"
        site = not_found.is_file()
        self._send_page(not_found.read_bytes() if site else NO_SITE_YET, HTTPStatus.NOT_FOUND, site)

    def _send_page(self, body: bytes, status: HTTPStatus, site: bool = True):
        if self.state.error_text:
            body = body.replace(b"<body>", b"<body>" + error_banner(self.state.error_text, site), 1)
        self._send(body.replace(b"</body>", SCRIPT_TAG + b"</body>", 1), "text/html; charset=utf-8", status)

    def _send(self, body: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _events(self):
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = self.state.generation
        try:
            self.wfile.write(b": connected\n\n")
            self.wfile.flush()
            while True:
                with self.state.changed:
                    self.state.changed.wait_for(lambda: self.state.generation != seen, timeout=15)
                if self.state.generation != seen:
                    seen = self.state.generation
                    self.wfile.write(b"data: reload\n\n")
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


class Rebuilder(FileSystemEventHandler):
    """Collects file events and rebuilds once they pause; one build at a time."""

    def __init__(self, build, root: Path, config_path: Path, ignore: list[Path],
                 watchable: list[Path] = (), watch=None):
        """``watchable``: input folders not there yet (``templates/``, say), which ``watch(folder)``
        starts watching when one is made in the site's folder (the only one watched for them)."""
        self.build, self.watch = build, watch
        self.root, self.config_path = root.resolve(), config_path.resolve()
        self.ignore = [p.resolve() for p in ignore]
        self.watchable = {p.resolve() for p in watchable}
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
            path = Path(raw).resolve()
            if path in self.watchable and event.is_directory and event.event_type in ("created", "moved"):
                self.watchable.discard(path)
                self.new_folders.append(path)  # watched from the build's thread, not watchdog's
                self.pending.set()
                return
            if path.parent == self.root and path != self.config_path:
                continue  # in the site's own folder only config.yaml matters (not the build's staging)
            if path.is_relative_to(self.root) and path.relative_to(self.root).parts[0].startswith("."):
                continue  # nor what is in its hidden folders (the build's staging folder, .git), if all is watched
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
            self.build()


def input_folders(config_path: Path, config=None) -> list[Path]:
    """The folders a build reads, whether or not they exist yet: the configuration's, or where
    they are by default if it cannot be read (it is broken: the build will say how)."""
    root = config_path.resolve().parent
    if config is None:
        config = load_config(config_path, Problems(root=root))
    named = [config.content_dir, config.data_dir] if config else [root / "content", root / "data"]
    return [p.resolve() for p in (*named, root / "themes", root / "templates", root / "static")]


def serve(config_path: Path, out_dir: Path, port: int, build_once, report, listening=None) -> None:
    """Build, then serve ``out_dir`` on localhost:``port`` until interrupted, rebuilding on changes.

    ``build_once(draw_svgs, jobs)`` builds and returns (config, charts left undrawn);
    ``report(exc)`` prints a failed build's problems and returns them as text;
    ``listening()`` is called once the port is taken, before the first build (so a port
    already in use is reported at once, not after a long build). They come from the CLI,
    which owns the terminal.
    """
    state = BuildState()
    lock = threading.Lock()
    root = config_path.resolve().parent
    observer = Observer()
    watching: set[Path] = set()

    def watch(folder: Path) -> None:
        if folder not in watching:
            observer.schedule(rebuilder, str(folder), recursive=True)
            watching.add(folder)

    def watch_inputs(config) -> None:
        """Watch each input folder there is; the others once they are made (the configuration may
        have named new ones, or ``templates/`` may be made while the server runs)."""
        for folder in input_folders(config_path, config):
            if folder.is_dir():
                watch(folder)
            elif folder not in watching:
                rebuilder.watchable.add(folder)

    def rebuild():
        # First without drawing new static SVGs (the page shows the interactive chart at once),
        # then again with them, so a change shows in the browser in about a second.
        with lock:
            try:
                config, pending = build_once(False, 1)
                state.finished(None)
                if pending:
                    build_once(True, 1)
                    state.finished(None)
                watch_inputs(config)
            except BuildFailed as failed:
                state.finished(report(failed))

    out_dir.mkdir(parents=True, exist_ok=True)
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(out_dir)))
    server.daemon_threads = True
    try:
        if listening is not None:
            listening()
        started = time.time_ns()
        config = None
        try:
            # Before any thread of the server's is started, so it can fork workers and use every core
            # (at GOV.UK scale, 13 s rather than 18 here); rebuilds, beside those threads, run in one process.
            config, _ = build_once(True, None if threading.active_count() == 1 else 1)
            state.finished(None)
        except BuildFailed as failed:
            state.finished(report(failed))
        threading.Thread(target=warm_up, daemon=True).start()  # so the first edit shows as fast as later ones
        rebuilder = Rebuilder(rebuild, root, config_path, [out_dir, root / ".perfpages-cache"], watch=watch)
        observer.schedule(rebuilder, str(root), recursive=False)  # config.yaml itself, and input folders made later
        watch_inputs(config)
        observer.start()
        if changed_since(started, [config_path, *watching], [out_dir, root / ".perfpages-cache"]):
            rebuilder.pending.set()  # edited while the first build ran, before anything was watched
        server.serve_forever()
    finally:
        if observer.is_alive():
            observer.stop()
        server.server_close()


def changed_since(started_ns: int, paths: list[Path], ignore: list[Path]) -> bool:
    """Whether any file under ``paths`` (files or folders) was modified at or after ``started_ns``."""
    skip = {str(p.resolve()) for p in ignore}
    for path in paths:
        if path.is_file():
            if path.stat().st_mtime_ns >= started_ns:
                return True
            continue
        for folder, subfolders, files in os.walk(path):
            subfolders[:] = [d for d in subfolders if not d.startswith(".")
                             and os.path.join(folder, d) not in skip]
            for name in files:
                try:
                    if os.stat(os.path.join(folder, name)).st_mtime_ns >= started_ns:
                        return True
                except OSError:
                    continue
    return False
