"""Render pages (and other per-item work of a build) across processes (``--jobs``).

Rendering is most of a large site's build (hundreds of service pages, each
with ten charts and their tables) and is pure Python, so threads do not help;
processes do. Workers are forked once the site model is complete, so they
share it with the parent as it is, with nothing pickled on the way in; each
sends back what it made. Items go out in contiguous runs, so a run of sorted
tables of one kind shares its rows' cache within one worker. Results are put
back in order, so output never depends on which worker finished first.

A worker that dies (killed for want of memory, say) fails the build with an
error instead of leaving it waiting, and an error a worker meets is raised
here, with its traceback in the message if the error itself cannot be sent.

Forking is only done on Linux (elsewhere Python counts it unsafe once libraries
like these are loaded) and where semaphores work; otherwise, and for few items,
everything is done in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

# Forking and collecting results costs about what rendering this many pages does.
WORTH_IT = 16

_work: dict = {}  # what forked workers read: set just before the fork


class WorkerLost(RuntimeError):
    """A worker process stopped without finishing its work."""


def map_over_processes(pages: list, render_one: Callable[[object], object], jobs: int | None,
                 progress: Callable[[int], None] | None = None, worth_it: int = WORTH_IT,
                 meanwhile: Callable[[], None] | None = None) -> list:
    """``render_one(page)`` for every page (or any item), in order, over ``jobs`` processes
    (default: every core) if there are at least ``worth_it`` items. Results must pickle.

    ``meanwhile()``, if given, is called in this process once the work is handed out, while the
    workers work: only if the work is spread over processes (otherwise it would wait for nothing)."""
    jobs = jobs or os.cpu_count() or 1
    tell = progress or (lambda done: None)
    if jobs <= 1 or len(pages) < worth_it or not sys.platform.startswith("linux"):
        return _in_this_process(pages, render_one, tell)
    _work.update(pages=pages, render_one=render_one)  # before the workers are forked: they read it
    try:
        try:
            pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                                       initializer=end_with_parent, initargs=(os.getpid(),))
        except (OSError, NotImplementedError, ImportError):  # no semaphores here (no /dev/shm, say)
            return _in_this_process(pages, render_one, tell)
        size = max(1 if worth_it < 8 else 8, len(pages) // (jobs * 8))
        runs = [(start, min(start + size, len(pages))) for start in range(0, len(pages), size)]
        out: list = [None] * len(pages)
        done = 0
        with pool:
            try:
                results = pool.map(_render_run, runs)  # every run handed out now
                if meanwhile is not None:
                    meanwhile()
                for start, made in results:
                    out[start:start + len(made)] = made
                    done += len(made)
                    tell(done)
            except BrokenProcessPool:
                raise WorkerLost("a build process stopped unexpectedly (out of memory?); "
                                 "try again with fewer --jobs") from None
        return out
    finally:
        _work.clear()


def _in_this_process(pages: list, render_one: Callable[[object], object], tell: Callable[[int], None]) -> list:
    out = []
    for page in pages:
        out.append(render_one(page))
        if len(out) % 50 == 0:
            tell(len(out))
    tell(len(out))
    return out


def end_with_parent(parent: int) -> None:
    """Have this forked process killed when the build's process ends, however it ends (Linux's
    PR_SET_PDEATHSIG): the workers of a build stopped by SIGTERM (a CI job cancelled) had waited
    for work that would never come, for ever."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux's C library: the worker ends when its work does
        return
    if os.getppid() != parent:  # the build's process had already ended
        os._exit(1)


def _render_run(run: tuple[int, int]) -> tuple[int, list]:
    start, end = run
    pages, render_one = _work["pages"], _work["render_one"]
    try:
        return start, [render_one(page) for page in pages[start:end]]
    except Exception as exc:
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:  # it would not survive the trip back: send what it said instead
            raise RuntimeError("".join(traceback.format_exception(exc))) from None
        raise
