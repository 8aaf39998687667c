"""Background jobs in this process: a long computation runs in a thread while pages poll its progress.

A job is keyed by what it computes (e.g. the documents' digests and the
options), so asking again for the same work finds the running or finished
job instead of starting another.  The registry is bounded: at most
``max_running`` jobs run at once (the machine has few cores), at most
``max_jobs`` are kept, and finished jobs expire after ``ttl_s`` seconds.
Nothing survives a restart; a page whose job is gone starts it again.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
Progress = Callable[[int, int], None]

logger = logging.getLogger(__name__)


class JobsBusy(Exception):
    """Too many jobs are running or kept; the caller should try again later."""


@dataclass
class Job(Generic[T]):
    """One computation: its progress while it runs, then its result or its error message."""

    id: str
    key: Hashable
    created: float
    done: int = 0
    total: int = 0
    result: T | None = None
    error: str | None = None
    finished: float | None = None
    _event: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def running(self) -> bool:
        """Tell whether the job has neither a result nor an error yet."""
        return not self._event.is_set()

    @property
    def fraction(self) -> float:
        """Return the share of the work done, in [0, 1]."""
        if not self.running:
            return 1.0
        return min(1.0, self.done / self.total) if self.total else 0.0

    def report_progress(self, done: int, total: int) -> None:
        """Record progress (the callback handed to the computation)."""
        self.done, self.total = done, total

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the job to end; tell whether it has."""
        return self._event.wait(timeout)


class JobRegistry(Generic[T]):
    """The jobs of one application, bounded in number and lifetime."""

    def __init__(self, *, max_jobs: int = 8, max_running: int = 2, ttl_s: float = 900.0) -> None:
        self.max_jobs, self.max_running, self.ttl_s = max_jobs, max_running, ttl_s
        self._jobs: dict[str, Job[T]] = {}
        self._lock = threading.Lock()

    def submit(self, key: Hashable, work: Callable[[Progress], T]) -> Job[T]:
        """Return the job computing ``key``: a running or finished one, or a new one running ``work``.

        A job that failed is replaced by a new attempt.  Raises ``JobsBusy``
        when ``max_running`` jobs run already or the registry is full of them.
        """
        with self._lock:
            self._expire(time.monotonic())
            for existing in self._jobs.values():
                if existing.key == key and existing.error is None:
                    return existing
            self._jobs = {i: j for i, j in self._jobs.items() if not (j.key == key and j.error is not None)}
            running = sum(j.running for j in self._jobs.values())
            if running >= self.max_running:
                raise JobsBusy(f"{running} reports are being built already; try again in a moment")
            while len(self._jobs) >= self.max_jobs:
                oldest = min((j for j in self._jobs.values() if not j.running), key=lambda j: j.created,
                             default=None)
                if oldest is None:
                    raise JobsBusy("too many reports are being built; try again in a moment")
                del self._jobs[oldest.id]
            job: Job[T] = Job(secrets.token_urlsafe(12), key, time.monotonic())
            self._jobs[job.id] = job
        threading.Thread(target=self._run, args=(job, work), name=f"job-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Job[T] | None:
        """Return a job by id, or None if it is unknown or expired."""
        with self._lock:
            self._expire(time.monotonic())
            return self._jobs.get(job_id)

    def __len__(self) -> int:
        with self._lock:
            return len(self._jobs)

    def _expire(self, now: float) -> None:
        """Forget finished jobs older than the time to live (the lock is held)."""
        self._jobs = {
            i: j for i, j in self._jobs.items() if j.finished is None or now - j.finished < self.ttl_s
        }

    @staticmethod
    def _run(job: Job[T], work: Callable[[Progress], T]) -> None:
        try:
            job.result = work(job.report_progress)
        except ValueError as error:  # bad input: its message says what is wrong
            job.error = str(error)
        except Exception as error:  # keep the server alive; say what failed
            logger.exception("background job %s failed", job.id)
            job.error = f"the computation failed unexpectedly ({type(error).__name__}: {error})"
        finally:
            job.finished = time.monotonic()
            job._event.set()
