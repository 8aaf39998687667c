"""The Variants page: how each chosen document renders the statements the documents share.

Every family of corresponding passages (``compare.find_families``) is a table
with one row per chosen document: its rendering with the words that differ
from most other renderings marked, or an empty row when the document lacks the
statement.  The page state (documents, divergence filter) lives in the URL.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from flask import Blueprint, Response, abort, current_app, request, url_for
from flask.blueprints import BlueprintSetupState

from compare import Document, FamilyVariants, Options, RenderingVariants
from web.documents import current_store, document_or_404
from web.execution import request_started, run_heavy
from web.ids import id_problem, parse_document_id
from web.limits import current_limits
from web.pages import render_page
from web.store import StoredDocument
from web.tasks import variants_of

blueprint = Blueprint("variants", __name__)

MAX_CHARS = 400_000  # characters of all chosen documents together
MAX_FAMILIES_SHOWN = 300
CACHE_SIZE = 16  # selections whose families are kept in memory
DIVERGENCE_CHOICES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass(frozen=True, slots=True)
class VariantsQuery:
    """The documents chosen (ids, in library order) and the least divergence a family needs to be shown."""

    ids: tuple[int, ...]
    min_divergence: float = 0.0

    def args(self) -> dict[str, Any]:
        """Return the canonical query arguments of this state."""
        args: dict[str, Any] = {"d": list(self.ids)}
        if self.min_divergence:
            args["min_divergence"] = f"{self.min_divergence:g}"
        return args


def parse_query(ids: Sequence[str], min_divergence: str | None) -> VariantsQuery:
    """Return the state a query string asks for, or raise ValueError naming the bad value."""
    chosen: list[int] = []
    for value in ids:
        number = parse_document_id(value)
        if number is None:
            raise ValueError(id_problem("d", value))
        if number not in chosen:
            chosen.append(number)
    threshold = 0.0
    if min_divergence is not None and min_divergence.strip():
        try:
            threshold = float(min_divergence)
        except ValueError:
            raise ValueError(f"min_divergence must be a number between 0 and 1, got {min_divergence!r}") from None
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"min_divergence must be between 0 and 1, got {min_divergence!r}")
    return VariantsQuery(tuple(chosen), round(threshold, 2))


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of a rendering's text: a variant (worded differently) or shared."""

    variant: bool
    text: str


@dataclass(frozen=True, slots=True)
class VariantRow:
    """One chosen document in a family's table: its rendering, or None when it lacks the statement."""

    document: StoredDocument
    pieces: tuple[Piece, ...] | None
    compare_url: str | None = None  # the side-by-side view at this passage
    compare_with: str | None = None  # the name of the document it is compared with there


@dataclass(frozen=True, slots=True)
class FamilyTable:
    """One family as the page shows it."""

    number: int
    divergence: float
    score: float
    present: int  # documents that render the statement
    rows: tuple[VariantRow, ...]


class _FamiliesCache:
    """The variants of recent selections, keyed by the documents' digests (renaming changes nothing)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, ...], tuple[FamilyVariants, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def variants(self, documents: Sequence[StoredDocument]) -> tuple[FamilyVariants, ...]:
        key = tuple(d.info.sha256 for d in documents)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        options = replace(Options(), time_budget_s=current_limits().time_budget_s)
        engine_documents = [Document(d.info.name, d.text) for d in documents]
        found = run_heavy(variants_of, engine_documents, options, request_started(),
                          label=f"the variants of {len(documents)} documents")
        with self._lock:
            self._items[key] = found
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return found


@blueprint.record_once
def _install_cache(state: BlueprintSetupState) -> None:
    state.app.extensions["variants_cache"] = _FamiliesCache(CACHE_SIZE)


def pieces_of(rendering: RenderingVariants, text: str) -> tuple[Piece, ...]:
    """Cut a rendering into shared and variant pieces, following its variant spans."""
    pieces, cursor = [], rendering.span.start
    for span in rendering.variants:
        if span.start > cursor:
            pieces.append(Piece(False, text[cursor : span.start]))
        pieces.append(Piece(True, span.slice(text)))
        cursor = span.end
    if cursor < rendering.span.end:
        pieces.append(Piece(False, text[cursor : rendering.span.end]))
    return tuple(pieces)


def tables(found: Sequence[FamilyVariants], documents: Sequence[StoredDocument],
           min_divergence: float) -> list[FamilyTable]:
    """Return the families whose divergence reaches ``min_divergence``, one row per chosen document."""
    result = []
    for number, family in enumerate(found, 1):
        if family.divergence < min_divergence:
            continue
        by_document = {r.document: r for r in family.renderings}
        rows = []
        for index, document in enumerate(documents):
            rendering = by_document.get(index)
            if rendering is None:
                rows.append(VariantRow(document, None))
                continue
            other = next(r.document for r in family.renderings if r.document != index)
            url = url_for("comparison.passage", a=document.info.id, b=documents[other].info.id,
                          start=rendering.span.start, end=rendering.span.end)
            rows.append(VariantRow(document, pieces_of(rendering, document.text), url, documents[other].info.name))
        result.append(FamilyTable(number, family.divergence, family.family.score, len(by_document), tuple(rows)))
    return result


def _chosen_documents(query: VariantsQuery) -> list[StoredDocument]:
    """Load the chosen documents in library order, or end the request with a 4xx naming the problem."""
    if len(query.ids) > (max_documents := current_limits().variants_max_documents):
        abort(400, description=f"choose at most {max_documents} documents at once (got {len(query.ids)}): "
                               "every pair of them is aligned")
    documents = sorted((document_or_404(i) for i in query.ids), key=lambda d: d.info.id)
    total = sum(len(d.text) for d in documents)
    if total > MAX_CHARS:
        abort(400, description=f"the chosen documents hold {total:,} characters; the Variants page takes at most "
                               f"{MAX_CHARS:,} at once: choose fewer or shorter documents")
    return documents


@blueprint.get("/variants")
def show() -> Response:
    """Show the chosen documents' families with their variant words; for htmx, just the fragment."""
    library = current_store().list_documents()
    ids = request.args.getlist("d")
    try:
        query = parse_query(ids, request.args.get("min_divergence"))
    except ValueError as error:
        abort(400, description=str(error))
    choices = sorted({*DIVERGENCE_CHOICES, query.min_divergence})
    if len(query.ids) < 2:  # the picker again, with a word on what is missing
        problem = f"Choose at least two documents to see their variants (got {len(query.ids)})." if ids else None
        return render_page("variants.html", "_variants_fragment.html", status=400 if ids else 200,
                           library=library, query=query, families=None, documents=[], choices=choices,
                           problem=problem)
    documents = _chosen_documents(query)
    cache: _FamiliesCache = current_app.extensions["variants_cache"]
    try:
        found = cache.variants(documents)
    except ValueError as error:
        abort(400, description=str(error))
    shown = tables(found, documents, query.min_divergence)
    return render_page(
        "variants.html", "_variants_fragment.html",
        push_url=url_for("variants.show", **query.args()),
        library=library, query=query, documents=documents, families=shown[:MAX_FAMILIES_SHOWN],
        total_families=len(found), matching=len(shown), choices=choices, problem=None,
    )
