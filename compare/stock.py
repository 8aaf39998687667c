"""Stock phrases of a corpus: clauses that many documents share say how the corpus writes, not what it reuses.

Two documents alone cannot tell a formula every report repeats ("extensive
consultation, joint contribution and shared benefits") from a clause one
copied from the other: the compare view links both.  A corpus can.  As in
Moss, whose ``-m`` option treats a passage found in more than 10 programs
as shared by all and not as copying, a run of three consecutive content
words held by more than ``STOCK_DOCUMENTS`` documents of the corpus is a
*stock phrase*, and a clause-level passage (every pair in it partial) whose
shared runs are all stock phrases is *stock*: the report does not count it
and says how many it left out.  Whole sentences said alike are never stock,
however many documents hold them: a corpus of near-copies shares every run,
and its passages are what the report is for.  The rule depends only on how
many documents hold a run, so documents that do not hold it change nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from compare.model import Span
from compare.shingles import Hashes, PreparedDocument

STOCK_DOCUMENTS = 10  # a run held by more documents is a stock phrase (Moss's default for its -m option)


def stock_runs(prepared: Sequence[PreparedDocument]) -> frozenset[int]:
    """Return the runs of three content words held by more than ``STOCK_DOCUMENTS`` documents.

    >>> from compare.model import Document, Options
    >>> from compare.shingles import prepare_documents
    >>> docs = [Document(str(k), f"Report {k}: we uphold extensive consultation and joint contribution.")
    ...         for k in range(STOCK_DOCUMENTS + 1)]
    >>> len(stock_runs(prepare_documents(docs, Options()))) > 0
    True
    """
    if len(prepared) <= STOCK_DOCUMENTS:
        return frozenset()
    held = np.concatenate([np.unique(doc.runs) for doc in prepared])
    keys, counts = np.unique(held, return_counts=True)
    return frozenset(keys[counts > STOCK_DOCUMENTS].tolist())


def runs_in(doc: PreparedDocument, span: Span) -> Hashes:
    """Return the distinct runs of the document's text segments that overlap ``span``."""
    starts, ends = doc.spans[:, 0], doc.spans[:, 1]
    first = int(np.searchsorted(ends, span.start, side="right"))
    last = int(np.searchsorted(starts, span.end, side="left"))
    if first >= last:
        return np.zeros(0, dtype=np.uint64)
    return np.unique(doc.runs[doc.run_bounds[first] : doc.run_bounds[last]])


def is_stock(a: PreparedDocument, span_a: Span, b: PreparedDocument, span_b: Span, stock: frozenset[int]) -> bool:
    """Tell whether the runs two passages share are all stock phrases (and they share at least one)."""
    if not stock:
        return False
    shared = np.intersect1d(runs_in(a, span_a), runs_in(b, span_b), assume_unique=True)
    return len(shared) > 0 and all(int(run) in stock for run in shared.tolist())
