"""Work shared over forked processes comes back whole, in order, with errors raised as they were."""

import os
import subprocess
import sys
import time

import pytest

from generator import render_jobs


def square_and_pid(n: int) -> tuple[int, int]:
    time.sleep(0.002)  # long enough that both workers get some of the work
    return n * n, os.getpid()


def test_results_come_back_in_order_from_more_than_one_process():
    results = render_jobs.map_over_processes(list(range(500)), square_and_pid, jobs=2)
    assert [value for value, _ in results] == [n * n for n in range(500)]
    assert len({pid for _, pid in results}) >= 2 and os.getpid() not in {pid for _, pid in results}


def test_few_items_or_one_job_stay_in_this_process():
    assert {pid for _, pid in render_jobs.map_over_processes(list(range(10)), square_and_pid, jobs=2)} == {os.getpid()}
    assert {pid for _, pid in render_jobs.map_over_processes(list(range(500)), square_and_pid, jobs=1)} == {os.getpid()}


def waits_for_the_flag(path: str) -> bool:
    """True once ``path`` exists (within ten seconds): the parent's ``meanwhile`` makes it."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return True
        time.sleep(0.01)
    return False


def test_meanwhile_runs_here_while_the_workers_work_and_only_then(tmp_path):
    """What this process would otherwise wait idle through (prepare compiles templates there): the
    workers wait for a file that only ``meanwhile`` makes, so it must run before their results are
    collected, in this process."""
    flag = str(tmp_path / "flag")
    ran = []

    def meanwhile():
        ran.append(os.getpid())
        open(flag, "w").close()

    results = render_jobs.map_over_processes([flag] * 40, waits_for_the_flag, jobs=2, meanwhile=meanwhile)
    assert results == [True] * 40 and ran == [os.getpid()]
    ran.clear()
    render_jobs.map_over_processes(list(range(500)), square_and_pid, jobs=1, meanwhile=lambda: ran.append(1))
    render_jobs.map_over_processes(list(range(10)), square_and_pid, jobs=2, meanwhile=lambda: ran.append(1))
    assert ran == []


def fails_on_seven(n: int) -> int:
    if n == 7:
        raise ValueError("seven is broken")
    return n


def test_an_error_in_a_worker_is_raised_here():
    with pytest.raises(ValueError, match="seven is broken"):
        render_jobs.map_over_processes(list(range(100)), fails_on_seven, jobs=2)
    assert render_jobs._work == {}


def test_without_process_pools_everything_is_done_here(monkeypatch):
    def no_pool(*args, **kwargs):
        raise NotImplementedError("This system lacks a functioning sem_open implementation")

    monkeypatch.setattr(render_jobs, "ProcessPoolExecutor", no_pool)
    results = render_jobs.map_over_processes(list(range(100)), square_and_pid, jobs=2)
    assert [v for v, _ in results] == [n * n for n in range(100)] and {p for _, p in results} == {os.getpid()}


class Stubborn(Exception):
    def __init__(self, what, why):  # two arguments: pickle cannot make it again
        super().__init__(f"{what}: {why}")


def unpicklable_on_three(n: int) -> int:
    if n == 3:
        raise Stubborn("three", "cannot be sent back")
    return n


def test_an_error_that_cannot_travel_still_arrives_as_its_message():
    with pytest.raises(RuntimeError, match="three: cannot be sent back"):
        render_jobs.map_over_processes(list(range(40)), unpicklable_on_three, jobs=2)


def test_a_worker_that_dies_fails_the_build_instead_of_hanging():
    """Run in its own Python so that, were it to hang, the timeout ends it."""
    script = (
        "import os\n"
        "from generator import render_jobs\n"
        "def die(n):\n"
        "    if n == 5: os._exit(9)\n"
        "    return n\n"
        "try:\n"
        "    render_jobs.map_over_processes(list(range(40)), die, jobs=2)\n"
        "except render_jobs.WorkerLost as lost:\n"
        "    print('lost:', lost)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "lost: a build process stopped unexpectedly" in done.stdout, done.stderr


def test_progress_is_told_as_results_arrive():
    told = []
    render_jobs.map_over_processes(list(range(200)), square_and_pid, jobs=2, progress=told.append)
    assert told and told[-1] == 200 and told == sorted(told)


# Run in a process of its own: each worker notes its pid, and the first kills the process that
# forked them (as SIGKILL, or SIGTERM from a cancelled CI job, would end a build), then all wait.
KILLS_ITS_PARENT = """
import os, signal, sys, time
from pathlib import Path
from generator import render_jobs

def work(n):
    Path(sys.argv[1], str(os.getpid())).touch()
    if n == 0:
        time.sleep(0.5)
        os.kill(os.getppid(), signal.SIGKILL)
    time.sleep(60)

render_jobs.map_over_processes(list(range(8)), work, jobs=2, worth_it=1)
"""


def _ended(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")  # dead, not yet reaped
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_end_when_the_build_process_is_killed(tmp_path):
    """They had waited for work for ever, one stuck per killed build (a tester found them days later)."""
    done = subprocess.run([sys.executable, "-c", KILLS_ITS_PARENT, str(tmp_path)], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
                          timeout=60)  # (not captured: workers left running would hold the pipes open)
    assert done.returncode == -9
    pids = [int(p.name) for p in tmp_path.iterdir()]
    assert len(pids) == 2
    deadline = time.monotonic() + 10
    while not all(_ended(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in pids if not _ended(pid)]
    for pid in left:
        os.kill(pid, 9)
    assert not left

