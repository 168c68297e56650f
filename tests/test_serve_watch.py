"""The dev server rebuilds when an input changes, and only then: a build reads every input, and
watchdog reports reads too (a file opened, closed unwritten), which once set off a rebuild after
every rebuild, for as long as the server ran."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from watchdog.observers import Observer

from generator.watch import Rebuilder


def watching(tmp_path):
    (tmp_path / "data").mkdir()
    csv = tmp_path / "data/a.csv"
    csv.write_text("period,transactions\n2024-01,5\n")
    builds = []
    done = threading.Event()

    def build():
        builds.append(time.monotonic())
        done.set()

    rebuilder = Rebuilder(build, tmp_path, tmp_path / "config.yaml", [tmp_path / "site"])
    rebuilder.inputs = {tmp_path / "data"}
    observer = Observer()
    observer.schedule(rebuilder, str(tmp_path / "data"), recursive=True)
    observer.start()
    return csv, builds, done, observer


def test_reading_an_input_does_not_rebuild_and_changing_it_does(tmp_path):
    csv, builds, done, observer = watching(tmp_path)
    try:
        time.sleep(0.3)
        for _ in range(3):  # as a build reads it
            csv.read_bytes()
        time.sleep(0.6)
        assert builds == []
        csv.write_text("period,transactions\n2024-01,6\n")
        assert done.wait(5)
        time.sleep(0.6)
        assert len(builds) == 1
    finally:
        observer.stop()
        observer.join()


def test_the_server_is_told_only_of_events_that_can_change_the_site(tmp_path):
    """The input folders are watched for files made, changed, moved or removed: reading them (as
    every build does, each input) sends the server nothing at all, where it had sent about 350
    events a rebuild of the example, handled in Python while the build ran."""
    from generator.watch import InputWatch

    for folder in ("content", "data"):
        (tmp_path / folder).mkdir()
    (tmp_path / "config.yaml").write_text("title: T\n")
    csv = tmp_path / "data/a.csv"
    csv.write_text("period,transactions\n2024-01,5\n")
    seen = []

    class Recording(Rebuilder):
        def on_any_event(self, event):
            seen.append(event.event_type)
            super().on_any_event(event)

    rebuilder = Recording(lambda: None, tmp_path, tmp_path / "config.yaml", [tmp_path / "site"])
    inputs = InputWatch(rebuilder, tmp_path / "config.yaml")
    inputs.update()
    inputs.start()
    try:
        time.sleep(0.3)
        for _ in range(3):
            csv.read_bytes()
            (tmp_path / "config.yaml").read_bytes()
        time.sleep(0.5)
        assert seen == []
        csv.write_text("period,transactions\n2024-01,6\n")
        time.sleep(0.5)
        assert "modified" in seen
    finally:
        inputs.stop()


def test_a_save_of_two_events_is_built_a_quiet_pause_after_the_last(monkeypatch):
    """Builds wait until the files have been quiet for QUIET_SECONDS since the last event. An
    editor's save is often two events (modified, then closed); when the second came just after
    the watcher started waiting, it had waited twice over. On a clock of its own here."""
    from generator import watch

    class Clock:
        now = 0.0
        events: list[float] = []

        def monotonic(self):
            return self.now

        def sleep(self, seconds):
            end = self.now + seconds
            for at in [t for t in self.events if t <= end]:  # events that come while it sleeps
                self.events.remove(at)
                self.now = at
                rebuilder.last_event = at
                rebuilder.pending.set()
            self.now = end

    clock = Clock()
    monkeypatch.setattr(watch, "time", clock)
    built = threading.Event()
    when = []
    rebuilder = Rebuilder(lambda: when.append(clock.now) or built.set(), Path("/nowhere"), Path("/nowhere/config.yaml"), [])
    clock.events = [0.01]  # the save's second event, just after the first
    rebuilder.last_event = 0.0
    rebuilder.pending.set()
    assert built.wait(5)
    rebuilder.stopped = True
    assert when == [pytest.approx(0.01 + watch.QUIET_SECONDS)]


def test_warm_up_loads_what_a_changing_build_needs():
    """The dev server warms up while it waits, so the first edit after starting on a built site
    (a no-op build, which loads neither) does not wait for pandas and Jinja to load."""
    import subprocess
    import sys

    code = ("import sys; from generator.build import warm_up; before = {'pandas', 'jinja2'} & set(sys.modules); "
            "warm_up(); print(sorted(before), sorted({'pandas', 'jinja2', 'generator.render', 'generator.data'} "
            "& set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["[]", "['generator.data',", "'generator.render',", "'jinja2',", "'pandas']"]


def test_first_build_forks_only_while_the_process_has_no_other_thread(tmp_path):
    """The first build runs before the server starts any thread (watchdog's observer starts one as
    soon as it is made), so in a fresh process it forks workers over every core (jobs=None)."""
    import subprocess
    import sys

    (tmp_path / "config.yaml").write_text("title: T\n")
    code = f"""
import threading
from pathlib import Path
from generator.serve import serve
seen = []
def build_once(draw_svgs, jobs):
    seen.append((draw_svgs, jobs, [t.name for t in threading.enumerate()]))
    raise KeyboardInterrupt  # stop before the server starts serving
try:
    serve(Path({str(tmp_path / "config.yaml")!r}), Path({str(tmp_path / "site")!r}), 0, build_once, str)
except KeyboardInterrupt:
    pass
print(seen)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[(True, None, ['MainThread'])]"


def watched_site(tmp_path):
    """A site folder watched as the dev server watches it (InputWatch): (builds, done, inputs)."""
    from sitefactory import standard_files

    from generator.watch import InputWatch

    (tmp_path / "config.yaml").write_text(standard_files()["config.yaml"])
    (tmp_path / "data").mkdir()
    builds = []
    done = threading.Event()

    def build():
        builds.append(time.monotonic())
        inputs.update()  # as the server does after every build: the config may name new folders
        done.set()

    rebuilder = Rebuilder(build, tmp_path, tmp_path / "config.yaml", [tmp_path / "site"])
    inputs = InputWatch(rebuilder, tmp_path / "config.yaml")
    inputs.update()
    inputs.start()
    time.sleep(0.3)
    return builds, done, inputs


def builds_after(done, builds, change) -> int:
    """How many builds ``change()`` set off (waiting for the first, then for any more)."""
    done.clear()
    before = len(builds)
    change()
    assert done.wait(5), "no build"
    time.sleep(0.6)
    return len(builds) - before


def test_an_input_folder_made_after_the_start_is_watched(tmp_path):
    """templates/ (or themes/, static/) made while the server runs: its files count from then on."""
    builds, done, inputs = watched_site(tmp_path)
    try:
        def make():
            (tmp_path / "templates").mkdir()
            (tmp_path / "templates/base.html").write_text("one")
        assert builds_after(done, builds, make) >= 1
        assert builds_after(done, builds, lambda: (tmp_path / "templates/base.html").write_text("two")) == 1
    finally:
        inputs.stop()


def test_an_input_folder_removed_and_made_again_is_watched_again(tmp_path):
    import shutil

    builds, done, inputs = watched_site(tmp_path)
    try:
        (tmp_path / "data/a.csv").write_text("period,transactions\n2024-01,5\n")
        time.sleep(0.6)
        shutil.copytree(tmp_path / "data", tmp_path / "elsewhere")
        assert builds_after(done, builds, lambda: shutil.rmtree(tmp_path / "data")) >= 1  # gone: the site changes
        assert builds_after(done, builds, lambda: (tmp_path / "elsewhere").rename(tmp_path / "data")) >= 1
        assert builds_after(done, builds, lambda: (tmp_path / "data/a.csv").write_text("x")) == 1
    finally:
        inputs.stop()


def test_a_folder_a_changed_config_names_is_watched(tmp_path):
    builds, done, inputs = watched_site(tmp_path)
    try:
        (tmp_path / "figures").mkdir()
        config = (tmp_path / "config.yaml").read_text()
        assert builds_after(done, builds, lambda: (tmp_path / "config.yaml").write_text(
            config + "data_dir: figures\n")) == 1
        assert builds_after(done, builds, lambda: (tmp_path / "figures/a.csv").write_text("x")) == 1
    finally:
        inputs.stop()


def test_changes_made_before_anything_is_watched_are_seen(tmp_path):
    """What the server compares across its first build: an edit, a rename or a deletion shows,
    even one that keeps the file's modification time."""
    import os

    from generator.watch import input_state

    (tmp_path / "config.yaml").write_text("title: T\n")
    (tmp_path / "data").mkdir()
    csv = tmp_path / "data/a.csv"
    csv.write_text("period,transactions\n2024-01,5\n")
    before = input_state(tmp_path / "config.yaml")
    assert input_state(tmp_path / "config.yaml") == before
    stat = csv.stat()
    csv.rename(tmp_path / "data/b.csv")
    assert input_state(tmp_path / "config.yaml") != before
    (tmp_path / "data/b.csv").rename(csv)
    assert input_state(tmp_path / "config.yaml") == before
    csv.write_text("period,transactions\n2024-01,6\n")  # same size, and
    os.utime(csv, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the old time kept (as cp -p does)
    assert input_state(tmp_path / "config.yaml") == before  # the one change it cannot see
    csv.write_text("period,transactions\n2024-01,60\n")
    os.utime(csv, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert input_state(tmp_path / "config.yaml") != before  # a different size shows


def test_only_inputs_count_and_editors_scratch_files_do_not(tmp_path):
    """Only config.yaml and files in the input folders set off a build: not the build's own staging
    folder or .git (even were the whole site folder watched), nor an editor's swap or backup file
    beside an input (Vim rewrites its swap file as you type); an input folder may be hidden."""
    builds = []
    rebuilder = Rebuilder(lambda: builds.append(1), tmp_path, tmp_path / "config.yaml", [tmp_path / "site"])
    rebuilder.inputs = {tmp_path / "content", tmp_path / ".data"}
    (tmp_path / "content").mkdir()
    (tmp_path / ".data").mkdir()
    observer = Observer()
    observer.schedule(rebuilder, str(tmp_path), recursive=True)
    observer.start()
    try:
        time.sleep(0.3)
        (tmp_path / ".site.tmp-1/services").mkdir(parents=True)
        (tmp_path / ".site.tmp-1/services/index.html").write_text("page")
        (tmp_path / ".git").mkdir()
        (tmp_path / ".git/index").write_text("x")
        (tmp_path / "notes.txt").write_text("x")
        for scratch in (".a.yaml.swp", "a.yaml~", "4913"):
            (tmp_path / "content" / scratch).write_text("x")
        time.sleep(0.8)
        assert builds == []
        (tmp_path / "content/a.yaml").write_text("name: A\n")
        time.sleep(0.8)
        assert builds == [1]
        (tmp_path / ".data/a.csv").write_text("period\n")
        time.sleep(0.8)
        assert builds == [1, 1]
    finally:
        observer.stop()
        observer.join()


def _get(url, headers=False):
    import urllib.error
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    try:
        response = urllib.request.build_opener(NoRedirect).open(url, timeout=5)
    except urllib.error.HTTPError as error:
        response = error
    found = (response.status if hasattr(response, "status") else response.code), response.read().decode("utf-8")
    return (*found, dict(response.headers)) if headers else found


def _head(url):
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    connection.request("HEAD", parts.path)
    response = connection.getresponse()
    found = response.status, dict(response.headers), response.read()
    connection.close()
    return found


def test_a_build_that_breaks_unexpectedly_is_reported_and_the_server_goes_on(tmp_path):
    from generator.serve import BuildState, _build

    state, reported = BuildState(), []

    def broken():
        raise RuntimeError("boom")

    def report(failed):
        reported.append(failed.problems.sorted()[0].format())
        return reported[-1]

    assert _build(broken, report, state, tmp_path / "config.yaml") is None
    assert "the build stopped unexpectedly: RuntimeError('boom')" in state.error_text == reported[0]


def test_a_page_served_before_a_build_finished_reloads_even_if_it_asks_after(tmp_path):
    """A page carries the build it came from, and its reload script asks from that build on: one
    that finished while the page was still loading (before the script connected) had never been
    told of, and the page kept the old figure for good (a tester saw it in 3 of 16 edits)."""
    import http.client
    import re
    import socket
    from functools import partial
    from http.server import ThreadingHTTPServer

    from generator.serve import BuildState, Handler

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><body><p>old figure</p></body></html>")
    state = BuildState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(type("H", (Handler,), {"state": state}),
                                                           directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]

    def first_message(since: str) -> str:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1.5)
        connection.request("GET", "/__perfpages/events" + since)
        stream = connection.getresponse()
        try:
            while True:
                line = stream.fp.readline().decode()
                if line.startswith("data:"):
                    return line.strip()
        except (TimeoutError, socket.timeout):
            return "nothing"
        finally:
            connection.close()

    try:
        status, page = _get(f"http://127.0.0.1:{port}/")
        served = re.search(r'data-build="([^"]+)"', page).group(1)
        state.finished(None)  # the next build ends while the page is still loading its scripts
        assert first_message(f"?since={served}") == "data: reload"
        latest = served.rsplit("-", 1)[0] + f"-{state.generation}"
        assert first_message(f"?since={latest}") == "nothing"  # a page of the latest build waits
        # A page from an earlier run of the server (the site may have changed meanwhile), even one
        # whose count of builds matches this server's, reloads at once.
        assert first_message(f"?since=0123abcd-{state.generation}") == "data: reload"
        status, missing = _get(f"http://127.0.0.1:{port}/gone/")  # the 404 page too carries its build
        assert status == 404 and f'data-build="{latest}"' in missing
    finally:
        server.shutdown()
        server.server_close()


def test_missing_pages_get_the_sites_404_page_with_the_reload_script(tmp_path):
    """As static hosts do, a page that is not there gets 404.html, here with the reload script (so
    a page deleted and then restored comes back by itself) and any build error; with no site at
    all (its first build failed) a placeholder does the same, instead of a folder listing."""
    from functools import partial
    from http.server import ThreadingHTTPServer

    from generator.serve import Handler, BuildState

    site = tmp_path / "site"
    (site / "services/a").mkdir(parents=True)
    (site / "services/a/index.html").write_text("<html><body><p>A</p></body></html>")
    state = BuildState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(type("H", (Handler,), {"state": state}),
                                                           directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        status, body = _get(url + "services/a/")
        assert status == 200 and "<p>A</p>" in body and "/__perfpages/reload.js" in body
        assert _get(url + "services/a")[0] == 301  # to the address with a slash, so relative links work

        status, body = _get(url + "services/gone/")
        assert status == 404 and "No site yet" in body and "/__perfpages/reload.js" in body
        (site / "404.html").write_text("<html><body><h1>Page not found</h1></body></html>")
        status, body = _get(url + "services/gone/")
        assert status == 404 and "Page not found" in body and "/__perfpages/reload.js" in body
        assert _get(url + "services/")[0] == 404  # a folder without a page: no listing
        assert _get(url + "data/missing.csv")[0] == 404

        for path in ("services/a/", "services/gone/", "services/", "data/missing.csv"):  # HEAD as GET, bodiless
            head = _head(url + path)
            get = _get(url + path, headers=True)
            assert (head[0], head[1].get("Content-Length")) == (get[0], get[2].get("Content-Length")), path
            assert head[2] == b""

        # Nothing is kept by the browser: a theme's site.css, edited, has the same address in every
        # build, and the reloaded page had kept the old one (a tester's edit never showed).
        (site / "static/css").mkdir(parents=True)
        (site / "static/css/site.css").write_text("h1 { color: red }")
        for path in ("static/css/site.css", "services/a/", "services/gone/"):
            assert _get(url + path, headers=True)[2].get("Cache-Control") == "no-store", path

        # A project site's 404 page links from its base path; served here at /, its links are made to match.
        (site / "404.html").write_text('<html><body><a href="/perf/">Home</a><link href="/perf/s.css">'
                                       '<a href="/perfect/">x</a></body></html>')
        from types import SimpleNamespace
        state.finished(None, SimpleNamespace(base_path="/perf/"))
        body = _get(url + "services/gone/")[1]
        assert '<a href="/">Home</a><link href="/s.css">' in body and 'href="/perfect/"' in body

        state.finished("data/a.csv:3:2: error: 'transactions' is not a number")
        status, body = _get(url + "services/gone/")
        assert status == 404 and 'role="alert"' in body and "is not a number" in body
        (site / "services/a/index.html").write_text('<html><body class="theirs"><p>A</p></body></html>')
        body = _get(url + "services/a/")[1]  # a theme's <body> with attributes still gets the banner
        assert '<body class="theirs"><div role="alert"' in body and "last good version" in body
    finally:
        server.shutdown()
        server.server_close()


def test_the_browsers_banner_puts_the_errors_that_failed_the_build_first():
    """A new site's nine accessibility-statement warnings came before its one error (in file order),
    in a banner taller than the window: the errors now come first, then the warnings, then the count;
    accepted warnings are left out, as in the terminal."""
    from pathlib import Path

    from generator.cli import browser_text
    from generator.errors import Problems

    problems = Problems(root=Path("/site"))
    problems.warning(Path("/site/content/pages/about.md"), "a blank to fill in", 3)
    problems.error(Path("/site/data/tax.csv"), "'transactions' is not a number: 'twelve'", 20, 3)
    problems.warning(Path("/site/content/services/tax.yaml"), "accepted one", 1)
    problems.accept([])  # nothing accepted: all three are told
    text = browser_text(problems).splitlines()
    assert text == ["data/tax.csv:20:3: error: 'transactions' is not a number: 'twelve'",
                    "content/pages/about.md:3: warning: a blank to fill in",
                    "content/services/tax.yaml:1: warning: accepted one", "1 error(s), 2 warning(s)"]


def test_an_input_folder_deeper_down_made_after_the_start_is_watched(tmp_path):
    """data_dir: inputs/data, with neither there at the start: made later, it is watched."""
    builds, done, inputs = watched_site(tmp_path)
    try:
        config = (tmp_path / "config.yaml").read_text()
        assert builds_after(done, builds, lambda: (tmp_path / "config.yaml").write_text(
            config + "data_dir: inputs/data\n")) == 1
        assert builds_after(done, builds, lambda: (tmp_path / "inputs").mkdir()) >= 1
        assert builds_after(done, builds, lambda: (tmp_path / "data").rename(tmp_path / "inputs/data")) >= 1
        assert builds_after(done, builds, lambda: (tmp_path / "inputs/data/a.csv").write_text("x")) == 1
    finally:
        inputs.stop()


def test_a_linked_input_folder_removed_is_noticed(tmp_path):
    import os

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    site = tmp_path / "site-folder"
    site.mkdir()
    builds, done, inputs = watched_site(site)
    try:
        (site / "data").rmdir()
        assert builds_after(done, builds, lambda: os.symlink(elsewhere, site / "data")) >= 1
        assert builds_after(done, builds, lambda: (site / "data/a.csv").write_text("x")) == 1
        assert builds_after(done, builds, lambda: (site / "data").unlink()) >= 1
    finally:
        inputs.stop()


def test_an_error_while_watching_does_not_stop_rebuilding(tmp_path):
    """A config naming an impossible folder (a NUL in its name), or anything else the build thread
    meets, is reported; once it is put right, edits build again."""
    from generator.watch import input_folders

    errors = []
    builds, done, inputs = watched_site(tmp_path)
    inputs.rebuilder.on_error = errors.append
    try:
        config = (tmp_path / "config.yaml").read_text()
        assert input_folders(tmp_path / "config.yaml") and len(input_folders(tmp_path / "config.yaml")) == 5
        (tmp_path / "config.yaml").write_text(config + 'data_dir: "a\\0b"\n')
        assert len(input_folders(tmp_path / "config.yaml")) == 5  # the broken config reads as the defaults

        def broken_watch(folder):
            raise RuntimeError("cannot watch")
        inputs.rebuilder.watch = broken_watch
        (tmp_path / "templates").mkdir()
        time.sleep(1)
        assert [str(e) for e in errors] == ["cannot watch"]
        inputs.rebuilder.watch = inputs.watch
        (tmp_path / "config.yaml").write_text(config)
        assert builds_after(done, builds, lambda: (tmp_path / "data/a.csv").write_text("x")) == 1
    finally:
        inputs.stop()


def test_a_build_that_changed_nothing_does_not_reload_the_browser(tmp_path):
    from types import SimpleNamespace

    from generator.serve import BuildState, _build

    state = BuildState()
    config = SimpleNamespace(base_path="/")
    assert _build(lambda: (config, 0, True), str, state, tmp_path / "config.yaml") is config
    assert state.generation == 1
    assert _build(lambda: (config, 0, False), str, state, tmp_path / "config.yaml") is config
    assert state.generation == 1  # an editor's save that changed nothing: no reload
    state.finished("an error")
    assert _build(lambda: (config, 0, False), str, state, tmp_path / "config.yaml") is config
    assert state.generation == 3 and state.error_text is None  # the error is gone: the banner must go


def test_leftovers_of_a_stopped_build_are_removed_but_not_a_running_ones(tmp_path):
    import subprocess
    import sys

    from generator.write import remove_leftovers

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    hours_ago = time.time() - 2 * 3600
    (tmp_path / f".site.tmp-{gone}/services").mkdir(parents=True)
    (tmp_path / f".site.old-{gone}").mkdir()
    for name in (f".site.tmp-{gone}", f".site.old-{gone}"):
        os.utime(tmp_path / name, (hours_ago, hours_ago))
    running = tmp_path / f".site.tmp-{os.getppid()}"
    running.mkdir()
    os.utime(running, (hours_ago, hours_ago))
    (tmp_path / ".site.tmp-notapid").mkdir()
    recent = tmp_path / f".site.link-{gone}"  # a process number unknown here, but in use a moment ago
    recent.write_text("")                     # (a build in a container, say): left alone
    remove_leftovers(tmp_path / "site")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([running.name, ".site.tmp-notapid", recent.name])


def test_a_browser_going_away_mid_answer_prints_no_traceback(capsys):
    """A tab closed just after a reload printed three tracebacks in the terminal among the build's
    messages; any other error a request meets is still printed."""
    from http.server import BaseHTTPRequestHandler

    from generator.serve import QuietServer

    server = QuietServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    try:
        for gone in (BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "Connection reset by peer")):
            try:
                raise gone
            except OSError:
                server.handle_error(None, ("127.0.0.1", 1))
        assert capsys.readouterr().err == ""
        try:
            raise ValueError("a real fault")
        except ValueError:
            server.handle_error(None, ("127.0.0.1", 1))
        assert "ValueError: a real fault" in capsys.readouterr().err
    finally:
        server.server_close()


def test_the_same_warnings_after_a_rebuild_are_counted_not_printed_again(capsys):
    """Each save had printed every warning again, pushing what changed out of sight. The same warnings
    are counted; new or different ones are printed in full, and so are all of them after a failure."""
    from generator.cli import WarningsOnce
    from generator.errors import Problems

    def problems(*messages, error=False):
        found = Problems()
        for line, message in enumerate(messages, start=1):
            found.warning("data/fines.csv", message, line, hint="check the cell")
        if error:
            found.error("data/fines.csv", "not a number: 'x'", 9)
        return found

    told = WarningsOnce()
    told.report(problems("a gap in March", "a fraction"))
    first = capsys.readouterr().err
    assert "data/fines.csv:1: warning: a gap in March" in first and "a fraction" in first
    told.report(problems("a gap in March", "a fraction"))
    assert capsys.readouterr().err == "2 warning(s), the same as after the last build (printed above)\n"
    told.report(problems("a gap in March"))  # one fixed: the rest in full, so the list above is right
    assert "data/fines.csv:1: warning: a gap in March" in capsys.readouterr().err
    told.report(problems("a gap in March", error=True))  # a failed build's errors, and its warnings
    assert "not a number" in capsys.readouterr().err
    told.report(problems("a gap in March"))
    assert "data/fines.csv:1: warning: a gap in March" in capsys.readouterr().err
    told.report(problems())  # none: nothing printed, not '0 warning(s)'
    assert capsys.readouterr().err == ""
    told.forget()
    told.report(problems("a gap in March"))
    assert "data/fines.csv:1: warning: a gap in March" in capsys.readouterr().err
