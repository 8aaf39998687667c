"""Worker processes that run one call at a time and are killed at its deadline.

Hostile input can keep a computation busy inside code that checks no budget
(a regular expression, a C extension, the segmentation of a million
sentences).  Run in a worker process, the deadline is hard: past it the
process, and every process it started, is killed, a fresh one takes its
place, and the caller gets ``DeadlineExceeded`` at its deadline, never later.
The engine's own time budget (``Options.time_budget_s``) comes first and gives
a degraded result; the kill is the safety net behind it.

A ``WorkerPool`` keeps up to ``size`` workers (started on first need, or all
at once by ``start``; a worker idle for ``idle_s`` exits and is started again
when needed), runs one call per worker, and makes callers beyond them wait in
a first-come queue of at most ``queue`` places.  The wait counts against the
caller's deadline; a caller finding the queue full gets ``PoolBusy`` at once.
A caller can also give up early (its client went away): ``cancelled`` is
polled while the call runs, and a cancelled call's worker is killed too.

A call still running after ``demote_after_s`` has its worker's priority
lowered (``demoted_nice``) and gives its place to the queue (up to ``size``
such calls run beside the ``size`` others), so short calls and the caller's
own threads keep the cores and the workers while a long one runs: a feedback
scheduler in one rule.  The demoted worker is replaced afterwards, since an
unprivileged process cannot raise its priority again.

Calls and results travel pickled over a pipe, so a call is a module-level
function with picklable arguments.  A ``ValueError`` raised by the call (the
engine's refusals) is raised again in the caller; any other exception becomes
``WorkerFailed``.  Standard library only.

>>> with WorkerPool(1, context="fork") as pool:
...     pool.run(pow, 2, 10, deadline=time.monotonic() + 5)
1024
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, TypeVar

T = TypeVar("T")
Progress = Callable[[int, int], None]

KILL_MARGIN_S = 0.5  # callers kill work this long after its budget: the engine's shortcuts come first
POLL_S = 0.05  # how often a waiting caller checks its deadline and ``cancelled``
KILL_WAIT_S = 2.0  # how long to wait for a dead worker's exit status
REAP_WAIT_S = 60.0  # how long a background thread waits to reap a killed worker
ORPHAN_GRACE_S = 5.0  # a worker whose caller is gone kills itself this long after the call's deadline

logger = logging.getLogger(__name__)


class DeadlineExceeded(Exception):
    """The call did not finish by its deadline (its worker was killed), or waited in the queue until then."""

    def __init__(self, message: str, *, seconds: float, queued: bool = False) -> None:
        super().__init__(message)
        self.seconds = seconds  # how long it ran (or waited, when queued)
        self.queued = queued  # True: it never started, every worker was busy until its deadline


class PoolBusy(Exception):
    """Every worker is busy and the queue is full; the caller should try again in ``retry_after_s`` seconds."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Cancelled(Exception):
    """The caller gave up (``cancelled`` answered True); the call's worker was killed."""


class WorkerFailed(RuntimeError):
    """The call raised something other than a ValueError, or its worker died; the message says what."""


class OutOfMemory(WorkerFailed):
    """The call needed more memory than its worker may use (``memory_bytes``)."""


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, context: multiprocessing.context.BaseContext, idle_s: float, memory_bytes: int | None) -> None:
        parent_end, child_end = context.Pipe(duplex=True)
        self.process = context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(child_end, idle_s, memory_bytes), name="compare-worker", daemon=False
        )
        self.process.start()
        child_end.close()
        self.connection: Connection = parent_end
        self.closed = False
        self.demoted = False  # its priority was lowered; it cannot be raised again without privileges

    def demote(self, nice: int) -> None:
        """Lower the priority of the worker and of the processes it started, so short work goes first."""
        pid = self.process.pid
        if pid is None or self.demoted:
            return
        self.demoted = True
        for which in (os.PRIO_PGRP, os.PRIO_PROCESS):  # the group, or the process before it made its group
            try:
                os.setpriority(which, pid, max(nice, os.getpriority(which, pid)))
                return
            except OSError:
                continue

    def alive(self) -> bool:
        return not self.closed and bool(self.process.is_alive())

    def kill(self) -> None:
        """Kill the worker and every process it started (its process group); reap it in the background.

        The caller does not wait for the kernel to tear the process down: a
        large worker at low priority on a busy machine took most of a second.
        """
        if self.closed:
            return
        pid = self.process.pid
        if pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)  # the worker leads its own group (see _serve)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)  # killed before it made its group
        self.closed = True
        self.connection.close()
        threading.Thread(target=self._reap, name="reap-worker", daemon=True).start()

    def _reap(self) -> None:
        self.process.join(REAP_WAIT_S)
        with contextlib.suppress(ValueError):  # still not gone: left to the system
            self.process.close()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.connection.close()
        with contextlib.suppress(ValueError):  # a process that is still running cannot be closed
            self.process.close()


class WorkerPool:
    """Up to ``size`` worker processes, a bounded queue of callers, and a hard deadline on every call."""

    def __init__(self, size: int = 2, *, queue: int = 8, context: str = "forkserver",
                 preload: Sequence[str] = (), demote_after_s: float | None = None, demoted_nice: int = 10,
                 idle_s: float = 600.0, memory_bytes: int | None = None, name: str = "worker") -> None:
        if size < 1 or queue < 0:
            raise ValueError(f"a pool needs at least one worker and a queue of zero or more, got {size}, {queue}")
        self.size, self.queue, self.name = size, queue, name
        self.demote_after_s, self.demoted_nice = demote_after_s, demoted_nice
        self.idle_s, self.memory_bytes = idle_s, memory_bytes
        self._context = multiprocessing.get_context(context)
        if context == "forkserver" and preload:
            self._context.set_forkserver_preload(list(preload))
        self._idle: list[_Worker] = []
        self._workers: set[_Worker] = set()  # every live worker, idle or running, for close()
        self._running = 0  # calls holding a place (a worker, or one starting)
        self._demoted = 0  # long calls that gave their place back and run at low priority
        self._waiting: deque[object] = deque()  # tickets of queued callers, first come first served
        self._condition = threading.Condition()
        self._closed = False
        self._finalizer = weakref.finalize(self, WorkerPool._shut, self._workers, self._condition)
        # Before multiprocessing's own exit handler, which would wait for every worker to end (LIFO order).
        atexit.register(self._finalizer)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    @property
    def running(self) -> int:
        """Return how many calls hold a worker now."""
        return self._running

    @property
    def waiting(self) -> int:
        """Return how many callers wait in the queue now."""
        return len(self._waiting)

    def start(self) -> None:
        """Start every worker now, so the first calls do not wait for processes to start."""
        while True:
            with self._condition:
                if self._closed or len(self._idle) + self._running >= self.size:
                    return
                self._running += 1  # holds the place while the process starts
            worker: _Worker | None = None
            try:
                worker = self._new_worker()
            finally:
                self._release(worker, worker is not None)

    def close(self) -> None:
        """Kill every worker; calls still running fail with ``WorkerFailed``."""
        with self._condition:
            self._closed = True
        self._finalizer()

    def run(self, function: Callable[..., T], *args: Any, deadline: float, run_s: float | None = None,
            progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
            started: Callable[[], None] | None = None, label: str = "the call") -> T:
        """Run ``function(*args)`` in a worker and return its result, or raise by ``deadline`` (a monotonic time).

        ``run_s`` also limits the time the call may run once it has a worker
        (a job that may wait long in the queue); ``progress`` is handed to the
        function as its ``progress=`` keyword (calls made in the worker come
        back here); ``started`` is called when the call leaves the queue for a
        worker; ``label`` names the call in messages ("the comparison of a.txt
        and b.txt").  Raises ``PoolBusy`` at once when the queue is full,
        ``DeadlineExceeded``, ``Cancelled``, ``WorkerFailed``, or the
        ``ValueError`` the function raised.
        """
        worker = self._acquire(deadline, cancelled, label)
        began = time.monotonic()
        if run_s is not None:
            deadline = min(deadline, began + run_s)
        if started is not None:
            started()
        reusable = False
        try:
            result = self._call(worker, function, args, deadline, progress, cancelled, label, began)
            reusable = not worker.demoted  # a demoted worker is replaced by a fresh one at full priority
            return result
        except ValueError:
            reusable = not worker.demoted  # the function refused its input; the worker is fine
            raise
        finally:
            self._release(worker, reusable, demoted=worker.demoted)

    # --- the queue --------------------------------------------------------------------------------

    def _acquire(self, deadline: float, cancelled: Callable[[], bool] | None, label: str) -> _Worker:
        """Return a worker for one call: an idle one, a new one, or the first to free up, in arrival order."""
        ticket = object()
        queued_at = time.monotonic()
        with self._condition:
            if self._closed:
                raise WorkerFailed(f"{label} cannot run: the {self.name} pool is closed")
            if self._running >= self.size and len(self._waiting) >= self.queue:
                raise PoolBusy(
                    f"the server is busy: {self._running} {self.name} jobs are running and {len(self._waiting)} "
                    "are waiting; try again in a moment",
                    retry_after_s=1.0,
                )
            self._waiting.append(ticket)
            try:
                while self._waiting[0] is not ticket or self._running >= self.size:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        waited = time.monotonic() - queued_at
                        raise DeadlineExceeded(
                            f"{label} waited {waited:.1f} s for one of the {self.size} {self.name} processes, "
                            "all busy, and ran out of time; try again in a moment",
                            seconds=waited, queued=True,
                        )
                    if cancelled is not None and cancelled():
                        raise Cancelled(f"{label} was cancelled while it waited")
                    self._condition.wait(min(remaining, POLL_S if cancelled is not None else remaining))
                self._running += 1
                worker = self._idle.pop() if self._idle else None
            finally:
                self._waiting.remove(ticket)
                self._condition.notify_all()
        while worker is not None and not worker.alive():  # it exited while idle (see idle_s)
            worker.close()
            with self._condition:
                self._workers.discard(worker)
                worker = self._idle.pop() if self._idle else None
        if worker is None:
            try:
                worker = self._new_worker()
            except BaseException:
                self._release(None, False)
                raise
        return worker

    def _release(self, worker: _Worker | None, reusable: bool, demoted: bool = False) -> None:
        """Give a worker back after a call, or drop it (killed, crashed, or the pool is closed)."""
        with self._condition:
            if demoted:
                self._demoted -= 1  # its place in the pool was given back when it was demoted
            else:
                self._running -= 1
            if worker is not None and reusable and not self._closed:
                self._idle.append(worker)
                worker = None
            self._condition.notify_all()
        if worker is not None:
            worker.kill()
            with self._condition:
                self._workers.discard(worker)

    def _new_worker(self) -> _Worker:
        worker = _Worker(self._context, self.idle_s, self.memory_bytes)
        with self._condition:
            self._workers.add(worker)
        return worker

    # --- one call ---------------------------------------------------------------------------------

    def _call(self, worker: _Worker, function: Callable[..., T], args: tuple[Any, ...], deadline: float,
              progress: Progress | None, cancelled: Callable[[], bool] | None, label: str, began: float) -> T:
        """Send the call to the worker and wait for its answer; kill the worker at the deadline or on cancel."""
        connection = worker.connection
        try:
            connection.send((function, args, progress is not None, max(0.0, deadline - time.monotonic())))
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    worker.kill()
                    ran = time.monotonic() - began
                    raise DeadlineExceeded(f"{label} did not finish in time (stopped after {ran:.1f} s)", seconds=ran)
                if not connection.poll(min(remaining, POLL_S)):
                    if cancelled is not None and cancelled():
                        worker.kill()
                        raise Cancelled(f"{label} was cancelled after {time.monotonic() - began:.1f} s")
                    if (self.demote_after_s is not None and not worker.demoted
                            and time.monotonic() - began > self.demote_after_s):
                        self._demote(worker)
                    continue
                kind, payload = connection.recv()
                if kind == "progress":
                    if progress is not None:
                        progress(*payload)
                    continue
                if kind == "result":
                    result: T = payload
                    return result
                if isinstance(payload, ValueError):
                    raise payload
                if kind == "memory":
                    raise OutOfMemory(f"{label} ran out of memory")
                raise WorkerFailed(f"{label} failed: {payload}")
        except (EOFError, OSError) as error:  # the worker died: a crash, out of memory, or killed from outside
            worker.process.join(KILL_WAIT_S)
            code = worker.process.exitcode
            how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
            raise WorkerFailed(f"{label} failed: its worker process died ({how})") from error

    def _demote(self, worker: _Worker) -> None:
        """Lower a long call's priority and give its place to the queue, if fewer than ``size`` are demoted."""
        with self._condition:
            if self._demoted >= self.size:
                return
            self._demoted += 1
            self._running -= 1
            self._condition.notify_all()
        worker.demote(self.demoted_nice)

    @staticmethod
    def _shut(workers: set[_Worker], condition: threading.Condition) -> None:
        with condition:
            doomed = list(workers)
            workers.clear()
        for worker in doomed:
            worker.kill()


# --- inside the worker ----------------------------------------------------------------------------


def _serve(connection: Connection, idle_s: float, memory_bytes: int | None) -> None:
    """Run calls from the pipe until it closes or stays idle for ``idle_s`` seconds."""
    os.setpgid(0, 0)  # its own process group: a kill takes the processes it starts too
    if memory_bytes is not None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in a terminal is the parent's to handle

    def send_progress(done: int, total: int) -> None:
        connection.send(("progress", (done, total)))

    while connection.poll(idle_s):
        try:
            function, args, wants_progress, seconds = connection.recv()
        except EOFError:
            return
        # If the parent dies mid-call nobody kills this process: it kills itself after the deadline.
        signal.setitimer(signal.ITIMER_REAL, seconds + ORPHAN_GRACE_S)
        try:
            result = function(*args, **({"progress": send_progress} if wants_progress else {}))
            reply: tuple[str, object] = ("result", result)
        except ValueError as error:
            reply = ("error", error)
        except MemoryError:
            reply = ("memory", None)
        except Exception as error:  # reported to the caller, which logs it; the worker goes on
            reply = ("error", f"{type(error).__name__}: {error}")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            connection.send(reply)
        except (BrokenPipeError, EOFError):
            return
        except Exception as error:  # the result or the error does not pickle
            connection.send(("error", f"its result could not be sent back ({type(error).__name__}: {error})"))
