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
