"""The Variants page: N renderings of one text aligned statement by statement.

The chosen documents are aligned into statements (``compare.find_families``)
in a background job (``web.jobs``) that runs in a worker process of the
service's heavy pool (``web.execution``), with the comparisons it shares the
pool with: a job past ``Limits.variants_time_budget_s`` is stopped, each of
its pairwise comparisons has ``Limits.time_budget_s``.  The page waits
briefly, so a few short documents show at once; past that it shows a
progress bar that htmx polls and the finished alignment replaces.  Two views of the same alignment:

- the **table**: a row per statement two or more documents share, a column
  per document (names stay in view while the table scrolls), the words that
  differ from most renderings marked, a hatched cell where a document lacks
  the statement, and in each cell a link to the side-by-side comparison at
  that passage; a filter keeps the statements whose renderings differ enough;
- the **reading view**: one rendering followed from start to end, each
  statement with the others' readings beside its words, like a critical
  apparatus (``compare.apparatus``).

Exports: CSV (the table), JSON (offsets and variant words), TEI parallel
segmentation.  The page state (documents, filter, view, base, page) lives in
the URL.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from flask.blueprints import BlueprintSetupState
from werkzeug.wrappers import Response as BaseResponse

from compare import (
    Document,
    FamilySet,
    FamilyVariants,
    Options,
    RenderingVariants,
    StatementApparatus,
    apparatus,
    families_to_csv,
    families_to_json,
    families_to_tei,
)
from web.documents import current_store, document_or_404
from web.execution import busy
from web.ids import id_problem, parse_document_id
from web.jobs import Job, JobRegistry, JobsBusy
from web.limits import Limits, current_limits
from web.pages import is_fragment_request, render_page
from web.store import StoredDocument
from web.tasks import AlignedRenderings, align_renderings_of

blueprint = Blueprint("variants", __name__)

MAX_CHARS = 4_000_000  # characters of all chosen documents together (20 renderings of a 200 KB book)
PAGE_SIZE = 100  # statements per page, in either view
SYNC_WAIT_S = 1.5  # the page waits this long for an alignment before showing progress instead
EXPORT_WAIT_S = 120.0  # a download waits this long for its alignment
DIVERGENCE_CHOICES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
VIEWS = ("table", "reading")
EXPORTS = {  # format -> (mimetype, file extension)
    "csv": ("text/csv", "csv"),
    "json": ("application/json", "json"),
    "tei": ("application/tei+xml", "tei.xml"),
}
SIGLA = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class VariantsQuery:
    """The page state: documents chosen (ids), least divergence shown, view, followed document, page."""

    ids: tuple[int, ...]
    min_divergence: float = 0.0
    view: str = "table"
    base: int | None = None  # id of the document the reading view follows (default: the pivot)
    page: int = 1

    def args(self, **changes: Any) -> dict[str, Any]:
        """Return the canonical query arguments of this state, with ``changes`` applied."""
        state = replace(self, **changes)
        args: dict[str, Any] = {"d": list(state.ids)}
        if state.min_divergence:
            args["min_divergence"] = f"{state.min_divergence:g}"
        if state.view != "table":
            args["view"] = state.view
        if state.base is not None:
            args["base"] = state.base
        if state.page != 1:
            args["page"] = state.page
        return args


def _number(value: str | None, name: str, low: int) -> int | None:
    if value is None or not value.strip():
        return None
    if not value.strip().isdigit() or int(value) < low:
        raise ValueError(f"parameter {name} must be a whole number of at least {low}, got {value!r}")
    return int(value)


def parse_query(args: Any) -> VariantsQuery:
    """Return the state a query string asks for, or raise ValueError naming the bad value."""
    chosen: list[int] = []
    for value in args.getlist("d"):
        number = parse_document_id(value)
        if number is None:
            raise ValueError(id_problem("d", value))
        if number not in chosen:
            chosen.append(number)
    threshold = 0.0
    raw = args.get("min_divergence")
    if raw is not None and raw.strip():
        try:
            threshold = float(raw)
        except ValueError:
            raise ValueError(f"min_divergence must be a number between 0 and 1, got {raw!r}") from None
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"min_divergence must be between 0 and 1, got {raw!r}")
    view = (args.get("view") or "table").strip()
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
    raw_base = args.get("base")
    base = parse_document_id(raw_base) if raw_base is not None and raw_base.strip() else None
    if raw_base is not None and raw_base.strip() and base is None:
        raise ValueError(id_problem("base", raw_base))
    if base is not None and base not in chosen:
        raise ValueError(f"base must be one of the chosen documents, got {base}")
    page = _number(args.get("page"), "page", 1) or 1
    return VariantsQuery(tuple(sorted(chosen)), round(threshold, 2), view, base, page)


def query_or_400() -> VariantsQuery:
    """Return the page state of the request, or end it with a 400 naming the bad value."""
    try:
        return parse_query(request.args)
    except ValueError as error:
        abort(400, description=str(error))


# --- the alignment job -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Aligned:
    """A finished alignment: the statements, each statement's variant words, and the stored documents."""

    result: FamilySet
    variants: tuple[FamilyVariants, ...]  # one per statement, in statement order
    documents: tuple[StoredDocument, ...]


@blueprint.record_once
def _install_jobs(state: BlueprintSetupState) -> None:
    config = state.app.config
    limits = Limits.from_config(config)
    state.app.extensions["variants_jobs"] = JobRegistry[Aligned](
        state.app.extensions["pools"].pool("heavy"), max_jobs=config.get("VARIANTS_MAX_JOBS", 8),
        ttl_s=config.get("VARIANTS_JOB_TTL_S", 900.0), time_budget_s=limits.variants_time_budget_s,
        name="alignments",
    )


def jobs() -> JobRegistry[Aligned]:
    """Return the application's alignment jobs."""
    registry: JobRegistry[Aligned] = current_app.extensions["variants_jobs"]
    return registry


def start_job(documents: Sequence[StoredDocument]) -> Job[Aligned]:
    """Return the job aligning ``documents``: one queued, running or finished, or a new one.

    The alignment runs in a worker process of the heavy pool (as comparisons
    do); a job running past a second is demoted there, so it gives the
    comparisons its place.  Each pairwise comparison it makes has the
    service's time budget; the whole job has ``variants_time_budget_s``.
    """
    options = replace(Options(), time_budget_s=current_limits().time_budget_s)
    stored = tuple(documents)
    key = ("variants", tuple((d.info.id, d.info.sha256, d.info.name) for d in stored), options)
    engine_documents = [Document(d.info.name, d.text) for d in stored]

    def finish(found: AlignedRenderings) -> Aligned:
        return Aligned(found.result, found.variants, stored)

    try:
        return jobs().submit(key, align_renderings_of, engine_documents, options,
                             label=f"the alignment of {len(stored)} renderings", finish=finish)
    except JobsBusy as error:
        busy(str(error), current_limits())


def chosen_documents(query: VariantsQuery) -> list[StoredDocument]:
    """Load the chosen documents in library order, or end the request with a 4xx naming the problem."""
    if len(query.ids) > (most := current_limits().variants_max_documents):
        abort(400, description=f"choose at most {most} documents at once (got {len(query.ids)})")
    documents = [document_or_404(i) for i in query.ids]
    total = sum(len(d.text) for d in documents)
    if total > (most_chars := current_app.config.get("VARIANTS_MAX_CHARS", MAX_CHARS)):
        abort(400, description=f"the chosen documents hold {total:,} characters; the Variants page takes at most "
                               f"{most_chars:,} at once: choose fewer or shorter documents")
    return documents


# --- what the templates show -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of a rendering's text: a variant (worded differently from most renderings) or shared."""

    variant: bool
    text: str


@dataclass(frozen=True, slots=True)
class TableCell:
    """One document's cell in a statement's row: its rendering, or None when it lacks the statement."""

    document: StoredDocument
    pieces: tuple[Piece, ...] | None
    compare_url: str | None = None  # the side-by-side view at this passage
    compare_with: str | None = None  # the name of the document it is compared with there


@dataclass(frozen=True, slots=True)
class TableRow:
    """One statement as the table shows it."""

    number: int  # its place among all statements, from 1
    divergence: float
    present: int  # documents that render the statement
    cells: tuple[TableCell, ...]


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


def _partner(found: FamilyVariants, document: int, base: int) -> int:
    """Return the document a cell is compared with: the base, or for the base's own cell the next rendering."""
    others = [r.document for r in found.renderings if r.document != document]
    return base if base in others else others[0]


def table_rows(aligned: Aligned, numbers: Sequence[int], base: int) -> list[TableRow]:
    """Return the table's rows for the statements numbered (from 0) in ``numbers``."""
    rows = []
    documents = aligned.documents
    for number in numbers:
        found = aligned.variants[number]
        by_document = {r.document: r for r in found.renderings}
        cells = []
        for index, document in enumerate(documents):
            rendering = by_document.get(index)
            if rendering is None:
                cells.append(TableCell(document, None))
                continue
            other = _partner(found, index, base)
            url = url_for("comparison.passage", a=document.info.id, b=documents[other].info.id,
                          start=rendering.span.start, end=rendering.span.end)
            cells.append(TableCell(document, pieces_of(rendering, document.text), url, documents[other].info.name))
        rows.append(TableRow(number + 1, found.divergence, len(by_document), tuple(cells)))
    return rows


def siglum(index: int) -> str:
    """Return the short label of the ``index``-th document (A, B, … Z, A2, B2, …)."""
    return SIGLA[index % len(SIGLA)] + (str(index // len(SIGLA) + 1) if index >= len(SIGLA) else "")


@dataclass(frozen=True, slots=True)
class Lemma:
    """A run of the base text in the reading view; ``entry`` numbers its apparatus entry (0: none)."""

    text: str
    entry: int = 0


@dataclass(frozen=True, slots=True)
class ReadingStatement:
    """One statement of the reading view: the base text cut at its lemmas, and the apparatus lines."""

    number: int
    lemmas: tuple[Lemma, ...]  # empty when the base lacks the statement
    entries: tuple[tuple[int, str, tuple[tuple[str, str], ...]], ...]  # (entry number, lemma, (reading, sigla))
    agreeing: str  # sigla of the renderings with the base's very words
    absent: str  # sigla of the renderings lacking the statement
    additions: tuple[tuple[str, str], ...]  # when the base lacks it: (text, sigla)


def _sigla(documents: Sequence[int]) -> str:
    return " ".join(siglum(d) for d in documents)


def reading_statements(aligned: Aligned, found: Sequence[StatementApparatus], base: int) -> list[ReadingStatement]:
    """Return the reading view of the given statements: base text with numbered lemmas, and their entries."""
    text = aligned.documents[base].text
    shown = []
    for item in found:
        additions = tuple((r.text, _sigla(r.documents)) for r in item.additions)
        if item.base is None:
            shown.append(ReadingStatement(item.statement + 1, (), (), "", _sigla(item.absent), additions))
            continue
        lemmas: list[Lemma] = []
        entries = []
        cursor = item.base.start
        for number, entry in enumerate(item.entries, 1):
            start, end = max(entry.lemma.start, cursor), max(entry.lemma.end, cursor)
            if start > cursor:
                lemmas.append(Lemma(text[cursor:start]))
            lemmas.append(Lemma(text[start:end], number))
            cursor = end
            lemma = " ".join(entry.lemma.slice(text).split()) or "(addition)"
            entries.append((number, lemma, tuple((r.text or "om.", _sigla(r.documents)) for r in entry.readings)))
        if cursor < item.base.end:
            lemmas.append(Lemma(text[cursor : item.base.end]))
        shown.append(ReadingStatement(item.statement + 1, tuple(lemmas), tuple(entries), _sigla(item.agreeing),
                                      _sigla(item.absent), additions))
    return shown


def _page_size() -> int:
    size: int = current_app.config.get("VARIANTS_PAGE_SIZE", PAGE_SIZE)
    return size


def _pages(count: int) -> int:
    return max(1, -(-count // _page_size()))


def body_context(aligned: Aligned, query: VariantsQuery) -> dict[str, Any]:
    """Return what the body templates show for the finished alignment and the page state."""
    documents = aligned.documents
    ids = [d.info.id for d in documents]
    base = ids.index(query.base) if query.base in ids else aligned.result.pivot
    shared = [n for n, v in enumerate(aligned.variants) if len(v.renderings) >= 2]
    matching = [n for n in shared if aligned.variants[n].divergence >= query.min_divergence]
    context: dict[str, Any] = {
        "aligned": aligned, "query": query, "base": base, "total_families": len(shared),
        "matching": len(matching), "statements": len(aligned.variants), "choices": _choices(query),
        "sigla": [(siglum(i), d) for i, d in enumerate(documents)], "exports": EXPORTS,
    }
    if query.view == "reading":
        followed = list(range(len(aligned.variants)))  # the base's statements and the others' additions
        page = min(query.page, _pages(len(followed)))
        numbers = followed[(page - 1) * _page_size() : page * _page_size()]
        context["reading"] = reading_statements(aligned, apparatus(aligned.result, base, numbers), base)
        context["pages"], context["page_number"] = _pages(len(followed)), page
    else:
        page = min(query.page, _pages(len(matching)))
        context["rows"] = table_rows(aligned, matching[(page - 1) * _page_size() : page * _page_size()], base)
        context["pages"], context["page_number"] = _pages(len(matching)), page
    return context


def _choices(query: VariantsQuery) -> list[float]:
    return sorted({*DIVERGENCE_CHOICES, query.min_divergence})


# --- routes ------------------------------------------------------------------------------------------


@blueprint.get("/variants")
def show() -> Response:
    """Show the chosen documents' statements: at once if quick, else a progress bar; for htmx, the fragment."""
    query = query_or_400()
    library = current_store().list_documents()
    common: dict[str, Any] = {"library": library, "query": query, "choices": _choices(query),
                              "most": current_limits().variants_max_documents}
    if len(query.ids) < 2:  # the picker again, with a word on what is missing
        problem = (f"Choose at least two documents to see their variants (got {len(query.ids)})."
                   if query.ids else None)
        return render_page("variants.html", "_variants_fragment.html", status=400 if query.ids else 200,
                           job=None, ready=False, problem=problem, **common)
    job = start_job(chosen_documents(query))
    job.wait(current_app.config.get("VARIANTS_SYNC_WAIT_S", SYNC_WAIT_S))
    if job.error is not None:
        abort(400, description=f"the documents could not be aligned: {job.error}")
    aligned = job.result  # read once: the job may finish while the page renders
    context = {**common, "job": job, "ready": aligned is not None, "problem": None}
    if aligned is not None:
        context.update(body_context(aligned, query))
    return render_page("variants.html", "_variants_fragment.html",
                       push_url=url_for("variants.show", **query.args()), **context)


@blueprint.get("/variants/jobs/<job_id>")
def progress(job_id: str) -> BaseResponse:
    """Answer htmx's polling of an alignment job: the progress bar while it runs, then the finished body."""
    query = query_or_400()
    if not is_fragment_request():
        return redirect(url_for("variants.show", **query.args()), 303)
    job = jobs().get(job_id)
    if job is None:
        abort(404, description="this alignment is no longer kept (finished ones expire); reload the Variants page")
    if job.error is not None:
        return render_page("variants.html", "_variants_failed.html", job=job, query=query)
    aligned = job.result
    if aligned is None:
        return render_page("variants.html", "_variants_progress.html", job=job, query=query)
    return render_page("variants.html", "_variants_body.html", job=job, **body_context(aligned, query))


@blueprint.get("/variants/export.<fmt>")
def export(fmt: str) -> Response:
    """Download the alignment: the table as CSV, JSON with offsets and variant words, or TEI."""
    if fmt not in EXPORTS:
        abort(404, description=f"unknown export format {fmt!r}; use {', '.join(EXPORTS)}")
    query = query_or_400()
    if len(query.ids) < 2:
        abort(400, description=f"choose at least two documents to export their variants (got {len(query.ids)})")
    job = start_job(chosen_documents(query))
    if not job.wait(current_app.config.get("VARIANTS_EXPORT_WAIT_S", EXPORT_WAIT_S)):
        abort(503, description="the alignment is still running; download it from the Variants page when it is ready")
    if job.error is not None or job.result is None:
        abort(400, description=f"the documents could not be aligned: {job.error}")
    result = job.result.result
    if fmt == "csv":
        body = families_to_csv(result, min_divergence=query.min_divergence)
    elif fmt == "json":
        body = json.dumps(families_to_json(result, min_divergence=query.min_divergence), ensure_ascii=False,
                          indent=1)
    else:
        body = families_to_tei(result, title=f"Variants of {len(result.documents)} renderings")
    mimetype, extension = EXPORTS[fmt]
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="variants.{extension}"'
    return response
