"""``perfpages serve``: build, serve on localhost, rebuild on every change and reload the browser.

The watcher (:mod:`generator.watch`) rebuilds after a short pause once files
stop changing. Browsers hold a server-sent-events connection open and reload
when a build finishes. A failed build leaves the last good site being served,
and every page then carries a banner with the problems (visible with
JavaScript off too, after a manual reload); the terminal shows them as well.
A page that is not there gets the site's ``404.html``, as static hosts serve it.
"""

from __future__ import annotations

import html
import re
import secrets
import sys
import threading
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from generator.build import warm_up
from generator.errors import BuildFailed, Problems
from generator.watch import InputWatch, Rebuilder, input_state

# The page says which build it came from: a build that finished after the page was served but
# before this script connected (the page still loading) is told at once, not missed for good.
RELOAD_JS = b"""(function () {
  if (!window.EventSource) return;
  var script = document.currentScript;
  var since = script ? script.getAttribute("data-build") : null;
  var events = new EventSource("/__perfpages/events" + (since ? "?since=" + encodeURIComponent(since) : ""));
  events.onmessage = function () { window.location.reload(); };
})();
"""


# Builds are counted from this server's start: a page from an earlier server (the site may have
# changed while none ran) is told to reload at once, whatever its count.
SERVER = secrets.token_hex(4)


def script_tag(generation: int) -> bytes:
    """The reload script's tag for a page served when build ``generation`` was the latest."""
    return f'<script src="/__perfpages/reload.js" data-build="{SERVER}-{generation}" defer></script>'.encode()


def build_asked_from(query: str, latest: int) -> int:
    """The build a page's reload script asks from (``since=SERVER-N``): -1, so it reloads at once, for
    a page of another server or a value not of this server's making; ``latest`` if it names none."""
    since = parse_qs(query).get("since")
    if since is None:
        return latest
    server, _, count = since[0].rpartition("-")
    return int(count) if server == SERVER and count.isdigit() else -1

NO_SITE_YET = (b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>No site yet</title></head>'
               b'<body><main><h1>No site yet</h1><p>The site has not been built yet. Once a build succeeds, '
               b"this page reloads by itself.</p></main></body></html>\n")


_BODY = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)  # a theme's may have attributes


class BuildState:
    """The latest build's outcome, and a condition browsers wait on for the next one."""

    def __init__(self):
        self.generation = 0
        self.error_text: str | None = None
        self.base_path = "/"  # the site's, from its last good build: its 404 page links from there
        self.changed = threading.Condition()

    def finished(self, error_text: str | None, config=None) -> None:
        with self.changed:
            self.generation += 1
            self.error_text = error_text
            if config is not None:
                self.base_path = config.base_path
            self.changed.notify_all()


def error_banner(text: str, site: bool = True) -> bytes:
    """The problems of the last build, on top of the page; ``site``: whether an earlier build's site is served."""
    lead = ("The last build failed; this is the last good version of the site." if site
            else "The build failed, so there is no site yet.")
    return (
        # At most half the window (it scrolls, and can be reached by keyboard to do so), so the page
        # under it can still be read.
        '<div role="alert" tabindex="0" style="position:sticky;top:0;z-index:1000;background:#fff;'
        'border:5px solid #d4351c;padding:1rem;font:16px/1.4 sans-serif;color:#0b0c0c;white-space:pre-wrap;'
        'max-height:50vh;overflow:auto">'
        f"<strong>{lead}</strong>\n{html.escape(text)}</div>"
    ).encode("utf-8")


class Handler(SimpleHTTPRequestHandler):
    """Serves the output folder, with the reload script and any build error added to each page."""

    state: BuildState

    def log_message(self, format, *args):  # noqa: A002 - the terminal is for build messages
        pass

    def end_headers(self):
        """Nothing is kept by the browser, stylesheets and scripts included: site.css and charts.js have
        the same address in every build, so after a theme edit the reloaded page had kept the old ones."""
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self):  # noqa: N802 - http.server's naming
        self._route(body=True)

    def do_HEAD(self):  # noqa: N802
        self._route(body=False)

    def _route(self, body: bool):
        """GET and HEAD alike: the same status and headers, with or without the body."""
        address = self.path.split("?", 1)[0]
        if address == "/__perfpages/reload.js":
            return self._send(RELOAD_JS, "text/javascript", body=body)
        if address == "/__perfpages/events":
            return self._events() if body else self._send(b"", "text/event-stream", body=False)
        # Before the page is read: a build finishing meanwhile then makes it reload once, needlessly,
        # rather than a page from before that build being taken for one from after it.
        generation = self.state.generation
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].split("#", 1)[0].endswith("/"):
                return super().do_GET() if body else super().do_HEAD()  # redirects to it with a slash
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            return self._send_page(path.read_bytes(), HTTPStatus.OK, generation, body=body)
        if path.suffix in ("", ".html"):
            return self._missing_page(body, generation)
        return super().do_GET() if body else super().do_HEAD()

    def _missing_page(self, body: bool, generation: int):
        """A page that is not there: the site's 404.html, as static hosts serve it, or a placeholder
        where there is no site yet (its first build failed). Either carries the reload script, so
        the page comes back by itself once a build makes it. 404.html links from the site's base
        path (it is served at any depth); here the site is at /, so the links are made to match."""
        not_found = Path(self.directory) / "404.html"
        site = not_found.is_file()
        page = not_found.read_bytes() if site else NO_SITE_YET
        base = self.state.base_path
        if site and base != "/":
            page = re.sub(rb'((?:href|src)=")' + re.escape(base.encode("utf-8")), rb"\1/", page)
        self._send_page(page, HTTPStatus.NOT_FOUND, generation, site, body)

    def _send_page(self, page: bytes, status: HTTPStatus, generation: int, site: bool = True, body: bool = True):
        """A page of the site with the reload script, and the last build's problems if it failed."""
        error_text = self.state.error_text  # once: a build may finish meanwhile
        if error_text:
            banner = error_banner(error_text, site)
            page = _BODY.sub(lambda found: found.group(0) + banner, page, count=1)
        page = page.replace(b"</body>", script_tag(generation) + b"</body>", 1)
        self._send(page, "text/html; charset=utf-8", status, body)

    def _send(self, content: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK, body: bool = True):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if body:
            self.wfile.write(content)

    def _events(self):
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        # The build of the page that asks: a later one may have finished while it loaded.
        seen = build_asked_from(urlsplit(self.path).query, self.state.generation)
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


class QuietServer(ThreadingHTTPServer):
    """The dev server. A browser that goes away mid-answer (a page reloaded, a tab closed) is not an
    error: socketserver would print its traceback in the terminal, burying the build's messages."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # BrokenPipeError, ConnectionResetError...
            super().handle_error(request, client_address)


class ServeError(Exception):
    """The server cannot run (its port is taken, or the files cannot be watched); the message says why."""


def serve(config_path: Path, out_dir: Path, port: int, build_once, report, listening=None) -> None:
    """Build, then serve ``out_dir`` on localhost:``port`` until interrupted, rebuilding on changes.

    ``build_once(draw_svgs, jobs)`` builds and returns (config, charts left undrawn, whether
    anything changed); ``report(exc)`` prints a failed build's problems and returns them as text;
    ``listening()`` is called once the port is taken, before the first build (so a port already
    in use is reported at once, not after a long build). They come from the CLI, which owns the
    terminal. Raises ServeError if the port cannot be had or the files cannot be watched.
    """
    state = BuildState()
    handler = partial(type("BoundHandler", (Handler,), {"state": state}), directory=str(out_dir))
    try:
        server = QuietServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise ServeError(f"cannot serve on port {port}: {exc.strerror or exc}") from None
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = threading.Lock()
    inputs = rebuilder = None
    try:
        if listening is not None:
            listening()
        before = input_state(config_path)
        # While this process has no other thread, so the build may fork workers over every core
        # (at GOV.UK scale, 9 s rather than 18 here); the server's threads start after it.
        config = _build(lambda: build_once(True, None if threading.active_count() == 1 else 1),
                        report, state, config_path)
        threading.Thread(target=warm_up, daemon=True).start()  # so the first edit shows as fast as later ones

        def rebuild():
            with lock:
                inputs.update(_build(lambda: _quick_then_full(build_once, state), report, state, config_path))

        def unexpected(exc: Exception) -> None:
            state.finished(report(_unexpected(exc, config_path)))

        root = config_path.resolve().parent
        rebuilder = Rebuilder(rebuild, root, config_path, [out_dir, root / ".perfpages-cache"], on_error=unexpected)
        inputs = InputWatch(rebuilder, config_path)
        inputs.update(config)
        try:
            inputs.start()
        except OSError as exc:
            raise ServeError(f"cannot watch the site's files for changes: {exc.strerror or exc}") from None
        if input_state(config_path) != before:
            rebuilder.pending.set()  # changed while the first build ran, before anything was watched
        server.serve_forever()
    finally:
        if rebuilder is not None:
            rebuilder.stopped = True
        if inputs is not None:
            inputs.stop()
        # A rebuild under way (in a thread that would die with the process) finishes, so that it
        # leaves no staging folder behind.
        if lock.acquire(timeout=60):
            lock.release()
        server.server_close()


def _quick_then_full(build_once, state: BuildState):
    """First without drawing new static SVGs (the page shows the interactive chart at once), then
    with them if any were left, so a change shows in the browser in about a second."""
    config, pending, changed = build_once(False, 1)
    if pending:
        state.finished(None, config)
        config, _, _ = build_once(True, 1)
        changed = True
    return config, 0, changed


def _unexpected(exc: Exception, config_path: Path) -> BuildFailed:
    problems = Problems(root=config_path.resolve().parent)
    problems.error(config_path, f"the build stopped unexpectedly: {exc!r}",
                   hint="this is a bug in Performance Pages; please report it with the steps that led to it")
    return BuildFailed(problems)


def _build(build, report, state: BuildState, config_path: Path):
    """Run ``build``; tell the browsers how it went (not if nothing changed and nothing had failed:
    an editor's save that changes nothing should not reload the page). Its config, or None if it
    failed. An error that is not a problem with the inputs (a bug) is reported as one."""
    try:
        config, _, changed = build()
    except BuildFailed as failed:
        state.finished(report(failed))
        return None
    except Exception as exc:  # noqa: BLE001 - the server must outlive it, and say what it was
        state.finished(report(_unexpected(exc, config_path)))
        return None
    if changed or state.error_text is not None or state.generation == 0:
        state.finished(None, config)
    return config
