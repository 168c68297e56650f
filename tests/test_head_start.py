"""A rebuild in a fresh process works out the changed services in a helper forked as it starts
(generator.head_start): the build's own process never imports pandas, and the site is the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from generator.build import build_site
from sitefactory import FINES_CSV, standard_files, tree, write_site

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the helper is forked on Linux only")

# Builds the site in a fresh process, as `perfpages build` does, and says what that process imported.
BUILD = """
import json, os, sys
from pathlib import Path
from generator import head_start
from generator.build import build_site
from generator.errors import BuildFailed
if sys.argv[3] == "helper dies":
    head_start._serve = lambda connection: os._exit(3)
if sys.argv[3] == "job will not pickle":
    import generator.content

    def no(self, protocol):
        raise TypeError("not today")
    generator.content.Service.__reduce_ex__ = no
try:
    result = build_site(Path(sys.argv[1]), Path(sys.argv[2]), jobs=2)
    said = {"written": result.written, "reused": result.reused_services}
except BuildFailed as failed:
    said = {"errors": [f"{p.path}:{p.line}:{p.column}: {p.message}" for p in failed.problems.errors]}
try:
    os.waitpid(-1, os.WNOHANG)
    children = True
except ChildProcessError:
    children = False
print(json.dumps({**said, "pandas": "pandas" in sys.modules, "children left": children}))
"""


def build_in_a_fresh_process(config, out, how="as usual") -> dict:
    done = subprocess.run([sys.executable, "-c", BUILD, str(config), str(out), how], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.fixture(params=["", "sources:\n  - file: fines.csv\n    columns: {period: period}\n"],
                ids=["plain", "a source that makes no services"])
def built(tmp_path, request):
    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n" + request.param
    config = write_site(tmp_path / "src", files)
    build_site(config, tmp_path / "site")
    (config.parent / "data/fines.csv").write_text(FINES_CSV.replace("2024-03,online,150,", "2024-03,online,161,"))
    return config, tmp_path / "site"


def test_the_changed_service_is_worked_out_beside_the_build_and_the_site_is_a_clean_builds(tmp_path, built):
    config, out = built
    said = build_in_a_fresh_process(config, out)
    # Working out the fines figures needs pandas: this process did not import it, so the helper did.
    assert said == {"written": said["written"], "reused": 1, "pandas": False, "children left": False}
    assert said["written"] > 0 and "161" in (out / "data/services/fines.csv").read_text()
    build_site(config, tmp_path / "clean")
    assert tree(out) == tree(tmp_path / "clean")


@pytest.mark.parametrize("how", ["helper dies", "job will not pickle"])
def test_if_the_helper_cannot_do_it_the_build_works_the_service_out_itself(tmp_path, built, how):
    config, out = built
    said = build_in_a_fresh_process(config, out, how)
    assert said["pandas"] and said["reused"] == 1 and not said["children left"]
    build_site(config, tmp_path / "clean")
    assert tree(out) == tree(tmp_path / "clean")


def test_a_service_whose_record_proves_unusable_is_worked_out_here_with_the_changed_one(tmp_path, built):
    """The helper is sent the services with no record; a record found unreadable after that makes
    one more service fresh, and the helper's answer, for fewer services, is not used."""
    config, out = built
    records = list((config.parent / ".perfpages-cache/units").glob("*.pickle"))
    assert len(records) == 2  # fines' (now out of date) and permits'
    for record in records:
        record.write_bytes(b"not a record")
    said = build_in_a_fresh_process(config, out)
    assert said["pandas"] and said["reused"] == 0 and not said["children left"]
    build_site(config, tmp_path / "clean")
    assert tree(out) == tree(tmp_path / "clean")


def test_a_data_error_the_helper_meets_is_told_as_the_build_itself_tells_it(tmp_path, built):
    config, out = built
    before = tree(out)
    (config.parent / "data/fines.csv").write_text(FINES_CSV.replace("2024-03,online,150,", "2024-03,online,lots,"))
    said = build_in_a_fresh_process(config, out)
    assert not said["pandas"] and not said["children left"]
    from generator.errors import BuildFailed

    with pytest.raises(BuildFailed) as failed:  # here pandas is imported: no helper
        build_site(config, tmp_path / "other")
    told = [f"{p.path}:{p.line}:{p.column}: {p.message}" for p in failed.value.problems.errors]
    assert said["errors"] == told and len(told) == 1 and told[0].startswith("data/fines.csv:14:3: ")
    assert tree(out) == before  # the previous site stays


def test_a_rebuild_with_no_service_to_work_out_does_not_import_pandas(tmp_path, built):
    """A Markdown page's words changed: every service is reused, and nothing needs pandas."""
    config, out = built
    build_site(config, out)  # (the fixture's changed CSV, taken in here)
    about = config.parent / "content/pages/about.md"
    about.write_text(about.read_text() + "\nMore about us.\n")
    said = build_in_a_fresh_process(config, out)
    assert said == {"written": said["written"], "reused": 2, "pandas": False, "children left": False}
    assert "More about us." in (out / "about/index.html").read_text()
    build_site(config, tmp_path / "clean")
    assert tree(out) == tree(tmp_path / "clean")


def test_the_helper_forked_before_the_site_is_found_unchanged_is_stopped(tmp_path, built):
    """The helper is forked as soon as there is a last build, before the inputs are compared with it:
    a site found up to date, or a config.yaml with an error, stops it and leaves no process behind."""
    config, out = built
    build_site(config, out)  # (the fixture's changed CSV, taken in here)
    said = build_in_a_fresh_process(config, out)
    assert said == {"written": 0, "reused": 0, "pandas": False, "children left": False}
    config.write_text(config.read_text() + "channels: [\n")
    said = build_in_a_fresh_process(config, out)
    assert said["errors"] and not said["children left"]


def test_a_progress_display_stopped_by_ctrl_c_leaves_no_helper(tmp_path, built):
    """A review: the helper forked before the first progress step was left running when that step
    raised (Ctrl+C in the progress display)."""
    config, out = built
    script = BUILD.replace("result = build_site(Path(sys.argv[1]), Path(sys.argv[2]), jobs=2)", """
    def progress(stage, done, total):
        raise KeyboardInterrupt
    try:
        build_site(Path(sys.argv[1]), Path(sys.argv[2]), jobs=2, progress=progress)
    except KeyboardInterrupt:
        pass
    result = build_site(Path(sys.argv[1]), Path(sys.argv[2]), jobs=1)""")
    done = subprocess.run([sys.executable, "-c", script, str(config), str(out), "as usual"], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == 0, done.stderr
    assert not json.loads(done.stdout.splitlines()[-1])["children left"]
