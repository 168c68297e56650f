"""Render pages (and write chart downloads) across processes (``--jobs``).

Rendering is most of a large site's build (hundreds of service pages, each
with ten charts and their tables) and is pure Python, so threads do not help;
processes do. Workers are forked once the site model is complete, so they
share it with the parent as it is, with nothing pickled on the way in; each
sends back the bytes of the pages it made. Pages go out in contiguous runs, so
a run of sorted tables of one kind shares its rows' cache within one worker.
Results are put back in page order, so output never depends on which worker
finished first.

Where ``fork`` is not available (Windows, macOS's default), or for few pages,
pages are rendered in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable

# Forking and collecting results costs about what rendering this many pages does.
WORTH_IT = 48

_work: dict = {}  # what forked workers read: set just before the fork


def render_pages(pages: list, render_one: Callable[[object], object], jobs: int | None,
                 progress: Callable[[int], None] | None = None, worth_it: int = WORTH_IT) -> list:
    """``render_one(page)`` for every page (or any item), in order, over ``jobs`` processes
    (default: every core) if there are at least ``worth_it`` items. Results must pickle."""
    jobs = jobs or os.cpu_count() or 1
    tell = progress or (lambda done: None)
    if jobs <= 1 or len(pages) < worth_it or "fork" not in multiprocessing.get_all_start_methods():
        return _in_this_process(pages, render_one, tell)
    _work.update(pages=pages, render_one=render_one)  # before the workers are forked: they read it
    try:
        pool = multiprocessing.get_context("fork").Pool(jobs)
    except OSError:  # no semaphores here (a container without /dev/shm): one process it is
        _work.clear()
        return _in_this_process(pages, render_one, tell)
    size = max(1 if worth_it < 8 else 8, len(pages) // (jobs * 8))
    runs = [(start, min(start + size, len(pages))) for start in range(0, len(pages), size)]
    out: list = [None] * len(pages)
    done = 0
    try:
        with pool:
            for start, made in pool.imap_unordered(_render_run, runs):
                out[start:start + len(made)] = made
                done += len(made)
                tell(done)
    finally:
        _work.clear()
    return out


def _in_this_process(pages: list, render_one: Callable[[object], object], tell: Callable[[int], None]) -> list:
    out = []
    for page in pages:
        out.append(render_one(page))
        if len(out) % 50 == 0:
            tell(len(out))
    tell(len(out))
    return out


def _render_run(run: tuple[int, int]) -> tuple[int, list]:
    start, end = run
    pages, render_one = _work["pages"], _work["render_one"]
    return start, [render_one(page) for page in pages[start:end]]
