"""``perfpages serve``: build, serve on localhost, rebuild on every change and reload the browser.

The watcher (watchdog) rebuilds after a short pause once files stop changing.
Browsers hold a server-sent-events connection open and reload when a build
finishes. A failed build leaves the last good site being served, and every
page then carries a banner with the problems (visible with JavaScript off
too, after a manual reload); the terminal shows them as well.
"""

from __future__ import annotations

import html
import threading
import time
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from generator.build import warm_up
from generator.errors import BuildFailed

RELOAD_JS = b"""(function () {
  if (!window.EventSource) return;
  var events = new EventSource("/__perfpages/events");
  events.onmessage = function () { window.location.reload(); };
})();
"""
SCRIPT_TAG = b'<script src="/__perfpages/reload.js" defer></script>'
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


def error_banner(text: str) -> bytes:
    return (
        '<div role="alert" style="position:sticky;top:0;z-index:1000;background:#fff;border:5px solid #d4351c;'
        'padding:1rem;font:16px/1.4 sans-serif;color:#0b0c0c;white-space:pre-wrap">'
        "<strong>The last build failed; this is the last good version of the site.</strong>\n"
        f"{html.escape(text)}</div>"
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
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            body = path.read_bytes()
            if self.state.error_text:
                body = body.replace(b"<body>", b"<body>" + error_banner(self.state.error_text), 1)
            return self._send(body.replace(b"</body>", SCRIPT_TAG + b"</body>", 1), "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, body: bytes, content_type: str):
        self.send_response(HTTPStatus.OK)
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

    def __init__(self, build, root: Path, config_path: Path, ignore: list[Path]):
        self.build = build
        self.root, self.config_path = root.resolve(), config_path.resolve()
        self.ignore = [p.resolve() for p in ignore]
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
            if path.parent == self.root and path != self.config_path:
                continue  # in the site's own folder only config.yaml matters (not the build's staging)
            if not any(path.is_relative_to(p) for p in self.ignore):
                self.pending.set()
                return

    def _loop(self):
        while True:
            self.pending.wait()
            while self.pending.is_set():  # wait until the files stop changing
                self.pending.clear()
                time.sleep(QUIET_SECONDS)
            self.build()


def watched_paths(config) -> list[Path]:
    root = config.root
    return [p for p in (config.content_dir, config.data_dir, root / "themes", root / "templates", root / "static")
            if p.is_dir()]


def serve(config_path: Path, out_dir: Path, port: int, build_once, report) -> None:
    """Build, then serve ``out_dir`` on localhost:``port`` until interrupted, rebuilding on changes.

    ``build_once(draw_svgs, jobs)`` builds and returns (config, charts left undrawn);
    ``report(exc)`` prints a failed build's problems and returns them as text. Both come
    from the CLI, which owns the terminal.
    """
    state = BuildState()
    lock = threading.Lock()

    def rebuild():
        # First without drawing new static SVGs (the page shows the interactive chart at once),
        # then again with them, so a change shows in the browser in about a second.
        with lock:
            try:
                _, pending = build_once(False, 1)
                state.finished(None)
                if pending:
                    build_once(True, 1)
                    state.finished(None)
            except BuildFailed as failed:
                state.finished(report(failed))

    config = None
    try:
        # Before any thread of the server's is started, so it can fork workers and use every core
        # (at GOV.UK scale, 9 s rather than 18); rebuilds, beside those threads, run in one process.
        config, _ = build_once(True, None if threading.active_count() == 1 else 1)
        state.finished(None)
    except BuildFailed as failed:
        state.finished(report(failed))
    threading.Thread(target=warm_up, daemon=True).start()  # so the first edit shows as fast as later ones
    out_dir.mkdir(parents=True, exist_ok=True)
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(out_dir)))
    server.daemon_threads = True
    observer = Observer()
    root = config_path.resolve().parent
    rebuilder = Rebuilder(rebuild, root, config_path, [out_dir, root / ".perfpages-cache"])
    observer.schedule(rebuilder, str(root), recursive=False)  # config.yaml itself
    for path in (watched_paths(config) if config else [root]):
        observer.schedule(rebuilder, str(path), recursive=True)
    observer.start()
    try:
        server.serve_forever()
    finally:
        observer.stop()
        server.server_close()
