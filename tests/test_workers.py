"""Worker processes with hard deadlines (compare.workers): results, refusals, kills, the queue, cancellation."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from compare import (
    Cancelled,
    DeadlineExceeded,
    InputTooLargeError,
    OutOfMemory,
    PoolBusy,
    Progress,
    WorkerFailed,
    WorkerPool,
)

LATE_S = 0.5  # how late past its deadline an answer may come on a busy 2-core machine


def sleep_then(seconds: float, value: int) -> int:
    time.sleep(seconds)
    return value


def refuse(message: str) -> None:
    raise InputTooLargeError(message)


def crash() -> None:
    raise KeyError("internal")


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def exhaust_memory() -> bytes:
    return b"x" * (1 << 30)  # past the pool's 256 MB address space


def count_to(total: int, *, progress: Progress) -> int:
    for done in range(1, total + 1):
        progress(done, total)
    return total


def start_child_and_wait(path: str) -> None:
    """Start a child process (as a report's process pool does), note its pid, and wait."""
    child = subprocess.Popen(["sleep", "60"])
    Path(path).write_text(str(child.pid))
    time.sleep(60)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"  # a zombie is dead


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    with WorkerPool(2, queue=1, context="fork") as workers:
        yield workers


def test_a_call_returns_its_result_and_its_refusal(pool: WorkerPool) -> None:
    assert pool.run(sleep_then, 0, 7, deadline=time.monotonic() + 5) == 7
    with pytest.raises(InputTooLargeError, match=r"^big\.txt: too long$"):  # the same type, for the right status
        pool.run(refuse, "big.txt: too long", deadline=time.monotonic() + 5)
    with pytest.raises(WorkerFailed, match="KeyError: 'internal'"):
        pool.run(crash, deadline=time.monotonic() + 5, label="the call")
    assert pool.run(sleep_then, 0, 8, deadline=time.monotonic() + 5) == 8  # the workers are still there


def test_a_call_past_its_deadline_is_killed_at_the_deadline(pool: WorkerPool) -> None:
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match="did not finish in time") as raised:
        pool.run(sleep_then, 60, 1, deadline=started + 0.5)
    assert time.monotonic() - started < 0.5 + LATE_S and not raised.value.queued
    assert pool.run(sleep_then, 0, 2, deadline=time.monotonic() + 5) == 2  # a fresh worker took its place


def test_a_kill_takes_the_processes_the_call_started(pool: WorkerPool, tmp_path: Path) -> None:
    note = tmp_path / "child.pid"
    with pytest.raises(DeadlineExceeded):
        pool.run(start_child_and_wait, str(note), deadline=time.monotonic() + 1.0)
    child = int(note.read_text())
    deadline = time.monotonic() + 2
    while pid_alive(child) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not pid_alive(child)


def test_a_worker_that_dies_is_reported_and_replaced(pool: WorkerPool) -> None:
    with pytest.raises(WorkerFailed, match=r"its worker process died \(signal 9\)"):
        pool.run(die, deadline=time.monotonic() + 5)
    assert pool.run(sleep_then, 0, 3, deadline=time.monotonic() + 5) == 3


def test_a_call_out_of_memory_fails_and_the_worker_goes_on() -> None:
    with WorkerPool(1, context="fork", memory_bytes=1 << 28) as small:
        with pytest.raises(OutOfMemory, match="ran out of memory"):
            small.run(exhaust_memory, deadline=time.monotonic() + 10)
        assert small.run(sleep_then, 0, 4, deadline=time.monotonic() + 5) == 4


def test_progress_comes_back_while_the_call_runs(pool: WorkerPool) -> None:
    seen: list[tuple[int, int]] = []
    assert pool.run(count_to, 3, deadline=time.monotonic() + 5, progress=lambda d, t: seen.append((d, t))) == 3
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_callers_beyond_the_workers_queue_then_get_a_busy_answer_at_once(pool: WorkerPool) -> None:
    """Two workers, one place in the queue: the third caller waits its turn, the fourth is refused at once."""
    results: list[object] = []
    started = time.monotonic()

    def call(seconds: float) -> None:
        try:
            results.append(pool.run(sleep_then, seconds, 1, deadline=time.monotonic() + 5))
        except Exception as error:  # recorded for the assertion below
            results.append(error)

    threads = [threading.Thread(target=call, args=(0.6,)) for _ in range(3)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 3
    while pool.waiting < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pool.running == 2 and pool.waiting == 1
    refused_at = time.monotonic()
    with pytest.raises(PoolBusy, match="2 worker jobs are running and 1 are waiting") as busy:
        pool.run(sleep_then, 0, 1, deadline=time.monotonic() + 5)
    assert time.monotonic() - refused_at < 0.1 and busy.value.retry_after_s > 0
    for thread in threads:
        thread.join()
    assert results == [1, 1, 1] and time.monotonic() - started >= 1.2  # the third ran after a worker freed


def test_the_wait_in_the_queue_counts_against_the_deadline() -> None:
    with WorkerPool(1, queue=1, context="fork") as single:
        holder = threading.Thread(target=lambda: single.run(sleep_then, 1.0, 1, deadline=time.monotonic() + 5))
        holder.start()
        while single.running < 1:
            time.sleep(0.01)
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded, match=r"waited 0\.\d s for one of the 1 worker processes") as raised:
            single.run(sleep_then, 0, 1, deadline=started + 0.3)
        assert raised.value.queued and time.monotonic() - started < 0.3 + LATE_S
        holder.join()


def test_a_cancelled_call_is_killed_at_once(pool: WorkerPool) -> None:
    gone = threading.Event()
    threading.Timer(0.3, gone.set).start()
    started = time.monotonic()
    with pytest.raises(Cancelled, match="was cancelled after"):
        pool.run(sleep_then, 60, 1, deadline=started + 30, cancelled=gone.is_set)
    assert time.monotonic() - started < 0.3 + LATE_S


def test_a_long_call_is_demoted_and_its_worker_replaced_after() -> None:
    with WorkerPool(1, context="fork", demote_after_s=0.1) as pool:
        first = pool.run(os.getpid, deadline=time.monotonic() + 5)
        assert pool.run(os.getpid, deadline=time.monotonic() + 5) == first  # short calls reuse the worker
        assert pool.run(sleep_then, 0.4, 5, deadline=time.monotonic() + 5) == 5
        assert pool.run(os.getpid, deadline=time.monotonic() + 5) != first  # a fresh worker at full priority
        assert pool.run(os.nice, 0, deadline=time.monotonic() + 5) == os.nice(0)


def test_a_demoted_call_gives_its_place_to_the_queue() -> None:
    """One worker: a short call sent while a long one runs is served beside it once the long one is demoted."""
    with WorkerPool(1, queue=1, context="fork", demote_after_s=0.1) as pool:
        finished: list[str] = []
        long = threading.Thread(target=lambda: finished.append(str(pool.run(sleep_then, 1.0, 1,
                                                                            deadline=time.monotonic() + 5))))
        long.start()
        time.sleep(0.05)
        started = time.monotonic()
        assert pool.run(sleep_then, 0, 2, deadline=started + 5) == 2
        assert time.monotonic() - started < 0.6 and finished == []  # it did not wait for the long call
        long.join()
        assert finished == ["1"]


def test_a_forkserver_pool_runs_module_functions_and_restarts_after_an_idle_exit() -> None:
    with WorkerPool(1, context="forkserver", preload=["compare"], idle_s=0.2) as pool:
        assert pool.run(sleep_then, 0, 6, deadline=time.monotonic() + 30) == 6
        time.sleep(0.5)  # the worker exits, idle
        assert pool.run(sleep_then, 0, 7, deadline=time.monotonic() + 30) == 7

