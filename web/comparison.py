"""The compare view: two documents side by side, aligned, and its exports."""

from __future__ import annotations

import base64
import csv
import dataclasses
import functools
import hashlib
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from compare import Comparison, Document, Options, Span, comparison_to_json
from web.cache import cached_compare
from web.changes import fold, number_changes, summarize
from web.documents import current_store, document_or_404
from web.errors import error_headers, error_view
from web.execution import check_renderable, render_in_time, request_started, run_heavy, too_many_rows
from web.limits import current_limits
from web.pages import render_page
from web.query import CompareQuery, parse_query
from web.rows import anchor_at, layout
from web.store import DocumentInfo, StoredDocument
from web.tasks import compare_record

blueprint = Blueprint("comparison", __name__)

EXPORT_FORMATS = ("json", "html", "csv")
CSV_COLUMNS = ("pair", "kind", "score", "moved", "a_start", "a_end", "b_start", "b_end", "a_text", "b_text")


@dataclass(frozen=True, slots=True)
class Result:
    """A comparison with what the view needs around it."""

    query: CompareQuery
    a: StoredDocument
    b: StoredDocument
    comparison: Comparison
    cached: bool
    elapsed_ms: float


def query_or_400() -> CompareQuery:
    """Return the compare state of the request, or end it with a 400 naming the bad value."""
    try:
        return parse_query(request.args)
    except ValueError as error:
        abort(400, description=str(error))


def compute(query: CompareQuery) -> Result:
    """Load both documents (404 if unknown) and compare them, from the cache when possible.

    A comparison not in the cache runs in a worker process with the request's
    deadline (``web.execution``): a 503 when every worker is busy, a 422 when
    it is stopped at its deadline or the engine refuses it.
    """
    a, b = document_or_404(query.a), document_or_404(query.b)
    options = dataclasses.replace(query.options, time_budget_s=current_limits().time_budget_s)
    started = time.perf_counter()
    arrived = request_started()
    label = f"the comparison of {a.info.name} and {b.info.name}"

    def in_worker(doc_a: Document, doc_b: Document, options: Options) -> str:
        return run_heavy(compare_record, doc_a, doc_b, options, arrived, label=label)

    try:
        comparison, cached = cached_compare(
            current_store(), Document(a.info.name, a.text), Document(b.info.name, b.text), options,
            compute=in_worker,
        )
    except ValueError as error:  # the engine refuses what its time budget cannot afford, naming the documents
        abort(422, description=str(error))
    return Result(query, a, b, comparison, cached, (time.perf_counter() - started) * 1000)


def row_count(comparison: Comparison) -> int:
    """Return about how many rows the compare view lays out: one per pair, one per segment in no pair."""
    paired_a = {i for pair in comparison.pairs for i in pair.a_segments}
    paired_b = {j for pair in comparison.pairs for j in pair.b_segments}
    return (len(comparison.pairs) + len(comparison.a.segments) - len(paired_a)
            + len(comparison.b.segments) - len(paired_b))


def view_context(result: Result) -> tuple[dict[str, Any], Callable[..., str]]:
    """Return what the comparison templates show (summary, rows, unchanged runs folded) and how to render it.

    The request ends (422) first if the comparison has too many rows to render
    in time; the render function ends it at its deadline if rendering the rows
    outlasts it all the same.
    """
    query, comparison = result.query, result.comparison
    label = f"the comparison of {result.a.info.name} and {result.b.info.name}"
    advice = (f"download it as JSON ({url_for('comparison.export', fmt='json', **query.args())}) "
              f"or CSV ({url_for('comparison.export', fmt='csv', **query.args())}), or compare parts "
              "of the documents")
    check_renderable(row_count(comparison), label, advice)
    rows = number_changes(layout(comparison))
    context = {
        "result": result,
        "query": query,
        "blocks": fold(rows, hide_identical=query.hide_identical),
        "summary": summarize(comparison, rows),
        "unit": query.granularity.value,
    }
    return context, functools.partial(render_in_time, refusal=too_many_rows(len(rows), label, advice))


def error_page(error: HTTPException, documents: list[DocumentInfo], query: CompareQuery | None) -> Response:
    """Show an error where the result would be, below the controls that led there (for htmx too: it swaps 4xx)."""
    response = render_page("compare.html", "_comparison.html", status=error.code or 500,
                           documents=documents, result=None, query=query, error=error_view(error))
    response.headers.update(error_headers(error))  # a 503's Retry-After
    return response


@blueprint.get("/compare")
def compare() -> Response:
    """Show two documents aligned; for htmx, just the comparison fragment, and push its URL."""
    documents = current_store().list_documents()
    if not request.args.get("a") and not request.args.get("b"):
        return render_page("compare.html", "_comparison.html", documents=documents, result=None, query=None)
    query: CompareQuery | None = None
    try:
        query = query_or_400()
        result = compute(query)
        context, render = view_context(result)
        return render_page(
            "compare.html",
            "_comparison.html",
            push_url=url_for("comparison.compare", **result.query.args()),
            render=render,
            documents=documents,
            **context,
        )
    except HTTPException as error:
        return error_page(error, documents, query)


def passage_span(args: dict[str, str]) -> Span:
    """Return the passage ``start``/``end`` (character offsets of A) a link points at, or raise ValueError."""
    try:
        start = int(args.get("start", ""))
        end = int(args.get("end", "") or start + 1)
    except ValueError:
        raise ValueError(f"start and end must be character offsets, got {args.get('start')!r}, "
                         f"{args.get('end')!r}") from None
    if not 0 <= start <= end:
        raise ValueError(f"start and end must be offsets with 0 <= start <= end, got {start}, {end}")
    return Span(start, max(end, start + 1))


@blueprint.get("/compare/at")
def passage() -> BaseResponse:
    """Open the compare view at the first row of A's passage ``[start, end)`` (its anchor marks it).

    A bad link shows its error on the compare page, below the controls.
    """
    query: CompareQuery | None = None
    try:
        query = query_or_400()
        try:
            span = passage_span(request.args.to_dict())
        except ValueError as error:
            abort(400, description=str(error))
        result = compute(query)
    except HTTPException as error:
        return error_page(error, current_store().list_documents(), query)
    anchor = anchor_at(layout(result.comparison), "a", span)
    target = url_for("comparison.compare", **query.args())
    return redirect(f"{target}#{anchor}" if anchor else target, 303)


def _download(body: str, mimetype: str, query: CompareQuery, extension: str) -> Response:
    response = Response(body, mimetype=mimetype)
    filename = f"compare-{query.a}-{query.b}.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets read as the start of a formula


def spreadsheet_safe(cell: str) -> str:
    """Return a text cell that a spreadsheet shows as text, never runs as a formula (a leading quote).

    >>> spreadsheet_safe("=1+1"), spreadsheet_safe("@SUM(A1)"), spreadsheet_safe("plain")
    ("'=1+1", "'@SUM(A1)", 'plain')
    """
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def pairs_csv(comparison: Comparison) -> str:
    """Return the pairs of a comparison as CSV: one row per pair, with both passages' text (formula-safe)."""
    a_text, b_text = comparison.a.document.text, comparison.b.document.text
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for index, pair in enumerate(comparison.pairs):
        writer.writerow([
            index, pair.kind.value, f"{pair.score:.4f}", int(pair.moved),
            pair.a.start, pair.a.end, pair.b.start, pair.b.end,
            spreadsheet_safe(pair.a.slice(a_text)), spreadsheet_safe(pair.b.slice(b_text)),
        ])
    return out.getvalue()


def standalone_css() -> str:
    """Return the page's stylesheet for inlining into an exported HTML file."""
    css = Path(current_app.root_path, "static", "style.css").read_text(encoding="utf-8")
    if "</" in css:
        raise ValueError("the stylesheet cannot be inlined: it contains '</'")
    return css


@blueprint.get("/compare/export.<fmt>")
def export(fmt: str) -> Response:
    """Download the comparison as the engine's JSON, a self-contained HTML file, or CSV of pairs."""
    if fmt not in EXPORT_FORMATS:
        abort(404, description=f"unknown export format {fmt!r}; use {', '.join(EXPORT_FORMATS)}")
    query = query_or_400()
    result = compute(query)
    if fmt == "json":
        body = json.dumps(comparison_to_json(result.comparison), ensure_ascii=False, indent=2)
        return _download(body, "application/json", query, "json")
    if fmt == "csv":
        return _download(pairs_csv(result.comparison), "text/csv", query, "csv")
    css = standalone_css()
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    policy = f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    # The stylesheet is the app's own file (checked above), never document text.
    context, render = view_context(result)
    body = render("export.html", css=Markup(css), policy=policy, **context)
    response = _download(body, "text/html", query, "html")
    response.headers["Content-Security-Policy"] = policy + "; frame-ancestors 'none'"
    return response
