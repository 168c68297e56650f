"""The dev server rebuilds when an input changes, and only then: a build reads every input, and
watchdog reports reads too (a file opened, closed unwritten), which once set off a rebuild after
every rebuild, for as long as the server ran."""

from __future__ import annotations

import threading
import time

from watchdog.observers import Observer

from generator.serve import Rebuilder


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


def test_first_build_forks_only_while_the_process_has_no_other_thread(tmp_path, monkeypatch):
    """The first build runs before the server's threads start, so it may fork workers over every
    core (jobs=None); if something else already runs a thread, it stays in one process (jobs=1)."""
    import pytest

    from generator import serve as serve_module

    for threads, expected in ((1, None), (2, 1)):
        calls = []

        def build_once(draw_svgs, jobs):
            calls.append((draw_svgs, jobs))
            raise KeyboardInterrupt  # stop before the server starts

        monkeypatch.setattr(serve_module.threading, "active_count", lambda: threads)
        with pytest.raises(KeyboardInterrupt):
            serve_module.serve(tmp_path / "config.yaml", tmp_path / "site", 0, build_once, str)
        assert calls == [(True, expected)]


def test_an_input_folder_made_after_the_start_is_watched(tmp_path):
    """templates/ (or themes/, static/) made while the server runs: its files count from then on."""
    builds = []
    done = threading.Event()

    def build():
        builds.append(time.monotonic())
        done.set()

    observer = Observer()
    rebuilder = Rebuilder(build, tmp_path, tmp_path / "config.yaml", [tmp_path / "site"], [tmp_path / "templates"],
                          lambda folder: observer.schedule(rebuilder, str(folder), recursive=True))
    observer.schedule(rebuilder, str(tmp_path), recursive=False)
    observer.start()
    try:
        time.sleep(0.3)
        (tmp_path / "templates").mkdir()
        (tmp_path / "templates/base.html").write_text("one")
        assert done.wait(5)
        time.sleep(0.6)
        done.clear()
        count = len(builds)
        (tmp_path / "templates/base.html").write_text("two")  # an edit inside the new folder
        assert done.wait(5)
        assert len(builds) == count + 1
    finally:
        observer.stop()
        observer.join()


def test_hidden_folders_do_not_rebuild_even_if_watched(tmp_path):
    """A build's own staging folder (or .git) changing never sets off another build, even were
    the whole site folder watched."""
    builds = []
    rebuilder = Rebuilder(lambda: builds.append(1), tmp_path, tmp_path / "config.yaml", [tmp_path / "site"])
    observer = Observer()
    observer.schedule(rebuilder, str(tmp_path), recursive=True)
    observer.start()
    try:
        time.sleep(0.3)
        (tmp_path / ".site.tmp-1/services").mkdir(parents=True)
        (tmp_path / ".site.tmp-1/services/index.html").write_text("page")
        (tmp_path / ".git").mkdir()
        (tmp_path / ".git/index").write_text("x")
        time.sleep(0.8)
        assert builds == []
        (tmp_path / "content").mkdir()
        (tmp_path / "content/a.yaml").write_text("name: A\n")
        time.sleep(0.8)
        assert builds == [1]
    finally:
        observer.stop()
        observer.join()


def _get(url):
    import urllib.error
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    try:
        response = urllib.request.build_opener(NoRedirect).open(url, timeout=5)
        return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


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

        state.finished("data/a.csv:3:2: error: 'transactions' is not a number")
        status, body = _get(url + "services/gone/")
        assert status == 404 and 'role="alert"' in body and "is not a number" in body
    finally:
        server.shutdown()
        server.server_close()
