"""Where the service's heavy work runs: worker processes with hard deadlines, behind a bounded queue.

Comparisons, variants and the reading of converted files (Word, PDF, HTML)
run in a pool of ``Limits.workers`` processes (``compare.workers``), never in
the server's threads, so the library, uploads of text and cached pages answer
while they run.  Every such request has one deadline, its arrival plus
``Limits.time_budget_s``: the engine gets the budget (less what the request
waited for a worker, past a second: ``web.tasks.engine_budget``) and degrades
past it; the worker is killed ``compare.KILL_MARGIN_S`` after the deadline if
it is still running, and the request is answered with a refusal that says so.
So every answer comes within the budget plus about a second.

Past the workers, ``Limits.queue`` requests wait their turn (the wait counts
against their budget); a request that finds the queue full gets a 503 with
``Retry-After`` at once.  A request whose client has gone (waitress tells,
with ``channel_request_lookahead`` set, as ``python -m web serve`` does)
stops its job.  Reports run on a pool of their own (``web.jobs``).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from flask import Flask, abort, current_app, g, request, stream_template
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from compare import (
    KILL_MARGIN_S,
    Cancelled,
    DeadlineExceeded,
    OutOfMemory,
    PoolBusy,
    WorkerFailed,
    WorkerPool,
)
from web.limits import Limits, current_limits

T = TypeVar("T")

RENDER_ROWS_PER_SECOND = 5_000  # rows the compare page lays out and renders per second (~7,700 on 2 busy cores)
DEMOTE_AFTER_S = 1.0  # a job running longer yields the cores to short ones and to pages (most take < 0.5 s)
PRELOAD = ("web.tasks",)  # imported once by the fork server, so a new worker starts in milliseconds
CLIENT_GONE_STATUS = 499  # nginx's "client closed request": nobody reads it, the log tells what happened


class ClientGone(HTTPException):
    """The client closed the connection while its job ran; the job was stopped."""

    code = CLIENT_GONE_STATUS
    description = "the client closed the connection; its job was stopped"


class Pools:
    """The application's worker pools, started on first use."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._pools: dict[str, WorkerPool] = {}

    def pool(self, kind: str) -> WorkerPool:
        """Return the pool for ``"heavy"`` work (comparisons, variants, uploads) or ``"report"`` jobs."""
        with self._lock:
            if kind not in self._pools:
                limits = self.limits
                size, queue = ((int(limits.workers), int(limits.queue)) if kind == "heavy"
                               else (int(limits.report_workers), 1_000))  # the report registry bounds its jobs
                self._pools[kind] = WorkerPool(
                    size, queue=queue, context="forkserver", preload=PRELOAD, demote_after_s=DEMOTE_AFTER_S,
                    memory_bytes=int(limits.worker_memory_bytes), name=kind,
                )
            return self._pools[kind]

    def warm(self) -> None:
        """Start the fork server now (it imports the engine once, ~0.5 s), so new workers start in milliseconds."""
        self.pool("heavy")  # sets the fork server's preload
        from multiprocessing import forkserver

        forkserver.ensure_running()

    def close(self) -> None:
        """Stop every worker (tests, shutdown)."""
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()


def init_app(app: Flask) -> None:
    """Give the app its pools and stamp each request's arrival (its deadline counts from there)."""
    pools = Pools(Limits.from_config(app.config))
    app.extensions["pools"] = pools
    threading.Thread(target=pools.warm, name="warm-fork-server", daemon=True).start()

    @app.before_request
    def stamp_arrival() -> None:
        g.request_started = time.monotonic()


def current_pools() -> Pools:
    """Return the running app's worker pools."""
    pools: Pools = current_app.extensions["pools"]
    return pools


def request_started() -> float:
    """Return when the current request arrived (a monotonic time)."""
    started: float = g.get("request_started", time.monotonic())
    return started


def time_left() -> float:
    """Return the seconds the current request has left of its time budget (negative past it)."""
    return request_started() + current_limits().time_budget_s - time.monotonic()


def client_gone() -> Callable[[], bool] | None:
    """Return a check that tells whether the client has disconnected, when the server can tell."""
    check = request.environ.get("waitress.client_disconnected")
    return check if callable(check) else None


def retry_after(limits: Limits) -> int:
    """Return the seconds a client should wait before trying again: a running job's budget at most."""
    return max(1, math.ceil(min(limits.time_budget_s, 5.0)))


def busy(message: str, limits: Limits) -> NoReturn:
    """End the request with a 503 that tells the client when to try again."""
    raise ServiceUnavailable(description=message, retry_after=retry_after(limits))


def deadline() -> float:
    """Return when the current request must be answered: its arrival, its time budget, and the kill margin."""
    return request_started() + current_limits().time_budget_s + KILL_MARGIN_S


def too_many_rows(rows: int, label: str, advice: str) -> str:
    """Return the refusal of a page of ``rows`` rows that cannot be shown in time, naming what it shows."""
    return (f"{label} has {rows:,} rows, more than this page can show within the "
            f"{current_limits().time_budget_s:g} s time budget; {advice}")


def check_renderable(rows: int, label: str, advice: str) -> None:
    """Refuse (422) a page of about ``rows`` rows that the server could not lay out before the deadline.

    Laying out and rendering the rows runs in the server's own thread
    (templates need the app), so it is bounded here, before it starts: 180,000
    rows (900 KB of one-mark sentences against a report) took 4.8 s to lay out
    and 8 s to render, a 59 MB page, slowing every other page meanwhile.  This
    is a guess from the rows; ``render_in_time`` holds the deadline itself.
    """
    if rows > RENDER_ROWS_PER_SECOND * max(0.0, deadline() - time.monotonic()):
        abort(422, description=too_many_rows(rows, label, advice))


def render_in_time(template: str, refusal: str, **context: Any) -> str:
    """Render ``template`` in the server's thread, ending the request (422, ``refusal``) at its deadline.

    ``check_renderable`` judges a page by its rows before any work, at a pace
    measured on one machine; a loaded machine renders slower, and a comparison
    that came back late leaves little time.  So the rendering itself stops at
    the request's deadline, and the answer (the refusal) still comes within
    the budget plus about a second.
    """
    end = deadline()
    parts: list[str] = []
    chunks = stream_template(template, **context)  # holds the request's context until closed
    try:
        for chunk in chunks:
            if time.monotonic() > end:
                abort(422, description=refusal)
            parts.append(chunk)
    finally:
        getattr(chunks, "close", lambda: None)()
    return "".join(parts)


COMPARE_ADVICE = ("the documents are too long or too repetitive to be handled here; try parts of them, or the "
                  "command line with a larger --time-budget")


def run_heavy(function: Callable[..., T], *args: Any, label: str, advice: str = COMPARE_ADVICE) -> T:
    """Run heavy work of the current request in a worker; return its result, or end the request with the reason.

    A ``ValueError`` of the work (a refusal naming the input) is raised again
    for the view to answer; a full queue or a wait past the deadline is a 503
    with ``Retry-After``; work stopped at its deadline is a 422 saying so; a
    failed worker is logged and answered with a 500 (or a 422 when it ran out
    of memory).
    """
    limits = current_limits()
    budget = limits.time_budget_s
    deadline = request_started() + budget + KILL_MARGIN_S
    try:
        return current_pools().pool("heavy").run(function, *args, deadline=deadline, cancelled=client_gone(),
                                                 label=label)
    except PoolBusy as error:
        busy(str(error), limits)
    except DeadlineExceeded as error:
        if error.queued:
            busy(f"the server is busy: {label} waited {error.seconds:.1f} s for a free worker, the whole "
                 f"{budget:g} s budget; try again in a moment", limits)
        abort(422, description=f"{label} did not finish within the time budget of {budget:g} s and was stopped "
                               f"after {error.seconds:.1f} s: {advice}")
    except Cancelled:
        current_app.logger.info("%s: the client went away; its job was stopped", label)
        raise ClientGone() from None
    except OutOfMemory:
        abort(422, description=f"{label} needed more memory than a worker may use "
                               f"({limits.worker_memory_bytes // (1024 * 1024):,} MB); try shorter documents")
    except WorkerFailed as error:
        current_app.logger.error("%s", error)
        raise
