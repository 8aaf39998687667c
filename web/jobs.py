"""Background jobs: a long computation runs in a worker process while pages poll its progress.

A job is keyed by what it computes (e.g. the documents' digests and the
options), so asking again for the same work finds the queued, running or
finished job instead of starting another: two pages asking for one report
share it.  Jobs run on a ``compare.WorkerPool`` of their own, first come first
served: a job beyond the pool's workers waits in the queue (its page says how
many jobs are ahead of it) instead of being refused.  Each job may run for
``time_budget_s`` once started; past it its worker is killed and the job fails
with a message saying so.  The registry is bounded: at most ``max_jobs`` are
kept (queued, running or finished; past that a new job is refused with
``JobsBusy``), and finished jobs expire after ``ttl_s`` seconds.  Nothing
survives a restart; a page whose job is gone starts it again.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from compare import DeadlineExceeded, OutOfMemory, PoolBusy, WorkerFailed, WorkerPool

T = TypeVar("T")

logger = logging.getLogger(__name__)


class JobsBusy(Exception):
    """The registry is full of jobs that are still queued or running; try again in ``retry_after_s`` seconds."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass
class Job(Generic[T]):
    """One computation: queued, then running with its progress, then its result or its error message."""

    id: str
    key: Hashable
    created: float
    started: float | None = None
    done: int = 0
    total: int = 0
    result: T | None = None
    error: str | None = None
    finished: float | None = None
    _event: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def running(self) -> bool:
        """Tell whether the job has neither a result nor an error yet (queued or running)."""
        return not self._event.is_set()

    @property
    def queued(self) -> bool:
        """Tell whether the job still waits for a worker."""
        return self.running and self.started is None

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
    """The jobs of one application, run on a worker pool, bounded in number and lifetime."""

    def __init__(self, pool: WorkerPool, *, max_jobs: int = 8, ttl_s: float = 900.0,
                 time_budget_s: float = 300.0, name: str = "jobs") -> None:
        self.pool, self.max_jobs, self.ttl_s, self.time_budget_s = pool, max_jobs, ttl_s, time_budget_s
        self.name = name
        self._jobs: dict[str, Job[T]] = {}
        self._lock = threading.Lock()

    def submit(self, key: Hashable, function: Callable[..., Any], *args: Any, label: str = "the job",
               finish: Callable[[Any], T] | None = None) -> Job[T]:
        """Return the job computing ``key``: a queued, running or finished one, or a new one of ``function(*args)``.

        ``function`` runs in a worker process (a module-level function with
        picklable arguments); it is given ``progress=`` to report its progress.
        ``finish`` turns its result into the job's, in this process.  A job that
        failed is replaced by a new attempt.  Raises ``JobsBusy`` when the
        registry holds ``max_jobs`` jobs that are all queued or running.
        """
        with self._lock:
            self._expire(time.monotonic())
            for existing in self._jobs.values():
                if existing.key == key and existing.error is None:
                    return existing
            self._jobs = {i: j for i, j in self._jobs.items() if not (j.key == key and j.error is not None)}
            while len(self._jobs) >= self.max_jobs:
                oldest = min((j for j in self._jobs.values() if not j.running), key=lambda j: j.created,
                             default=None)
                if oldest is None:
                    raise JobsBusy(f"{len(self._jobs)} {self.name} are queued or being built already; "
                                   "try again in a moment", retry_after_s=5.0)
                del self._jobs[oldest.id]
            job: Job[T] = Job(secrets.token_urlsafe(12), key, time.monotonic())
            self._jobs[job.id] = job
        threading.Thread(target=self._run, args=(job, function, args, label, finish), name=f"job-{job.id}",
                         daemon=True).start()
        return job

    def get(self, job_id: str) -> Job[T] | None:
        """Return a job by id, or None if it is unknown or expired."""
        with self._lock:
            self._expire(time.monotonic())
            return self._jobs.get(job_id)

    def ahead_of(self, job: Job[T]) -> int:
        """Return how many jobs will run or are running before a queued ``job`` starts (0 once it runs)."""
        if not job.queued:
            return 0
        with self._lock:
            return sum(1 for j in self._jobs.values() if j.running and (not j.queued or j.created < job.created))

    def __len__(self) -> int:
        with self._lock:
            return len(self._jobs)

    def _expire(self, now: float) -> None:
        """Forget finished jobs older than the time to live (the lock is held)."""
        self._jobs = {
            i: j for i, j in self._jobs.items() if j.finished is None or now - j.finished < self.ttl_s
        }

    def _started(self, job: Job[T]) -> None:
        job.started = time.monotonic()

    def _run(self, job: Job[T], function: Callable[..., Any], args: tuple[Any, ...], label: str,
             finish: Callable[[Any], T] | None) -> None:
        try:
            result = self.pool.run(
                function, *args, deadline=job.created + self.ttl_s, run_s=self.time_budget_s,
                progress=job.report_progress, started=lambda: self._started(job), label=label,
            )
            job.result = finish(result) if finish is not None else result
        except ValueError as error:  # bad input: its message says what is wrong
            job.error = str(error)
        except DeadlineExceeded as error:
            job.error = (f"{label} waited {error.seconds:.0f} s for its turn; try again" if error.queued else
                         f"{label} did not finish within its {self.time_budget_s:g} s time budget and was stopped; "
                         "choose fewer documents, or use the command line (doccompare report)")
        except OutOfMemory:
            job.error = f"{label} needed more memory than a worker may use; choose fewer documents"
        except (PoolBusy, WorkerFailed) as error:  # keep the server alive; say what failed
            logger.error("background job %s failed: %s", job.id, error)
            job.error = f"{label} failed unexpectedly; try again"
        except Exception as error:
            logger.exception("background job %s failed", job.id)
            job.error = f"{label} failed unexpectedly ({type(error).__name__})"
        finally:
            job.finished = time.monotonic()
            job._event.set()
