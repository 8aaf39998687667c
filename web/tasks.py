"""What the service's worker processes run: plain values in, plain values out, no Flask.

Each function here is sent by reference to a worker process (``web.execution``)
with its arguments, so it is defined at module level and takes and returns
picklable values.  A comparison comes back as its cache record (compact JSON,
much faster to send and rebuild than the pickled objects: 0.2 s against 1.1 s
to send 180,000 segments), which the request's thread turns back into a
``Comparison`` and caches.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from compare import (
    Document,
    FamilySet,
    FamilyVariants,
    Options,
    Progress,
    ReadLimits,
    Report,
    build_report,
    compare_documents,
    find_families,
    statement_variants,
)
from web.cache import comparison_to_record
from web.store import NewDocument
from web.uploads import UploadedFile, document_from_file

DISPATCH_SLACK_S = 1.0  # a shorter wait (sending the call, starting a worker: 0.9 s cold) leaves the whole budget


def engine_budget(budget_s: float, request_started: float) -> float:
    """Return the engine's budget for work of a request started at ``request_started`` (a monotonic time).

    The time the request spent waiting for a worker counts against its budget;
    a wait shorter than ``DISPATCH_SLACK_S`` does not (a worker started cold,
    and messages name the service's budget), and the rest is rounded down to
    tenths of a second.  The hard deadline holds either way (``web.execution``).

    >>> engine_budget(10.0, time.monotonic()), engine_budget(10.0, time.monotonic() - 2.55)
    (10.0, 7.4)
    """
    waited = time.monotonic() - request_started
    if waited < DISPATCH_SLACK_S:
        return budget_s
    return max(0.1, int((budget_s - waited) * 10) / 10)


def compare_record(a: Document, b: Document, options: Options, request_started: float) -> str:
    """Compare two documents; return the comparison's cache record (``web.cache``)."""
    options = replace(options, time_budget_s=engine_budget(options.time_budget_s, request_started))
    return comparison_to_record(compare_documents(a, b, options))


@dataclass(frozen=True, slots=True)
class AlignedRenderings:
    """N renderings aligned statement by statement, and each statement's variant words."""

    result: FamilySet
    variants: tuple[FamilyVariants, ...]  # one per statement, in statement order


def align_renderings_of(documents: Sequence[Document], options: Options, *, progress: Progress) -> AlignedRenderings:
    """Align renderings statement by statement, reporting progress as each is aligned, then the variant words."""
    steps = len(documents)  # a comparison per rendering after the pivot, then the variant words

    def advance(done: int, total: int) -> None:
        progress(done, steps)

    result = find_families(list(documents), options, progress=advance)
    variants = statement_variants(result)
    progress(steps, steps)
    return AlignedRenderings(result, variants)


def report_of(documents: Sequence[Document], options: Options, *, progress: Progress) -> Report:
    """Build the duplication report of ``documents``, reporting progress to the page that waits for it."""
    return build_report(list(documents), options, progress=progress)


def read_upload(upload: UploadedFile, limits: ReadLimits) -> NewDocument:
    """Read one uploaded file (Word, PDF and HTML are converted here, away from the server's threads)."""
    return document_from_file(upload, limits)
