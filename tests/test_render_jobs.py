"""Work shared over forked processes comes back whole, in order, with errors raised as they were."""

import multiprocessing
import os
import time

import pytest

from generator import render_jobs


def square_and_pid(n: int) -> tuple[int, int]:
    time.sleep(0.002)  # long enough that both workers get some of the work
    return n * n, os.getpid()


def test_results_come_back_in_order_from_more_than_one_process():
    results = render_jobs.render_pages(list(range(500)), square_and_pid, jobs=2)
    assert [value for value, _ in results] == [n * n for n in range(500)]
    assert len({pid for _, pid in results}) >= 2 and os.getpid() not in {pid for _, pid in results}


def test_few_items_or_one_job_stay_in_this_process():
    assert {pid for _, pid in render_jobs.render_pages(list(range(10)), square_and_pid, jobs=2)} == {os.getpid()}
    assert {pid for _, pid in render_jobs.render_pages(list(range(500)), square_and_pid, jobs=1)} == {os.getpid()}


def fails_on_seven(n: int) -> int:
    if n == 7:
        raise ValueError("seven is broken")
    return n


def test_an_error_in_a_worker_is_raised_here():
    with pytest.raises(ValueError, match="seven is broken"):
        render_jobs.render_pages(list(range(100)), fails_on_seven, jobs=2)
    assert render_jobs._work == {}


def test_without_process_pools_everything_is_done_here(monkeypatch):
    context = multiprocessing.get_context("fork")

    def no_pool(*args, **kwargs):
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(type(context), "Pool", no_pool)
    results = render_jobs.render_pages(list(range(100)), square_and_pid, jobs=2)
    assert [v for v, _ in results] == [n * n for n in range(100)] and {p for _, p in results} == {os.getpid()}


def test_progress_is_told_as_results_arrive():
    told = []
    render_jobs.render_pages(list(range(200)), square_and_pid, jobs=2, progress=told.append)
    assert told and told[-1] == 200 and told == sorted(told)
