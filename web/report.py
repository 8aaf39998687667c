"""The Report page: which documents of the library reuse which passages, as a heatmap, tables and families.

The report (``compare.build_report``) runs in a background job (``web.jobs``)
in a worker process: the page waits briefly for it, so a small library's
report shows at once; past that it shows a progress bar (or, while other
reports run first, its place in the queue) that htmx polls every half second
and that the finished report replaces.  The sort order of the tables and the chosen
documents live in the URL; every heatmap cell, pair and family member links to
the side-by-side comparison at the passage (``/compare/at``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from flask.blueprints import BlueprintSetupState
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from compare import (
    HOW_SHARES_ARE_COUNTED,
    Document,
    DocumentReport,
    Options,
    PairReport,
    Report,
    Span,
    excerpt,
    heatmap_legend_svg,
    heatmap_svg,
    report_to_csv,
    report_to_html,
    report_to_json,
)
from web.documents import current_store, document_or_404
from web.errors import error_headers, error_view
from web.execution import busy
from web.ids import id_problem, parse_document_id
from web.jobs import Job, JobRegistry, JobsBusy
from web.limits import Limits, current_limits
from web.pages import is_fragment_request, render_page
from web.store import StoredDocument
from web.tasks import report_of

blueprint = Blueprint("report", __name__)

MAX_CHARS = 50_000_000  # characters of all chosen documents together
SYNC_WAIT_S = 1.5  # the page waits this long for a report before showing progress instead
EXPORT_WAIT_S = 60.0  # a download waits this long for its report
FAMILIES_SHOWN = 50
EXCERPT_CHARS = 400  # a family member's excerpt is cut to this length
EXPORT_FORMATS = ("html", "json", "csv")
EXPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"  # no script at all

DOCUMENT_SORTS: dict[str, Callable[[DocumentReport], Any]] = {
    "name": lambda d: d.name.casefold(),
    "reused": lambda d: d.reused_share,
    "chars": lambda d: d.counted_chars,
    "partners": lambda d: len(d.partners),
}
PAIR_SORTS: dict[str, Callable[[PairReport], Any]] = {
    "share": lambda p: max(p.a_share, p.b_share),
    "a_share": lambda p: p.a_share,
    "b_share": lambda p: p.b_share,
    "passages": lambda p: len(p.passages),
}
DEFAULT_DOCUMENT_SORT, DEFAULT_PAIR_SORT = "-reused", "-share"


@dataclass(frozen=True, slots=True)
class BuiltReport:
    """A finished report and the stored documents it covers, in report order."""

    report: Report
    documents: tuple[StoredDocument, ...]


@dataclass(frozen=True, slots=True)
class ReportQuery:
    """The chosen document ids (empty: the whole library) and the sort order of both tables."""

    ids: tuple[int, ...]
    document_sort: str = DEFAULT_DOCUMENT_SORT
    pair_sort: str = DEFAULT_PAIR_SORT

    def args(self, **changes: str) -> dict[str, Any]:
        """Return the canonical query arguments of this state, with sort ``changes`` applied."""
        args: dict[str, Any] = {}
        if self.ids:
            args["d"] = list(self.ids)
        document_sort = changes.get("doc_sort", self.document_sort)
        pair_sort = changes.get("pair_sort", self.pair_sort)
        if document_sort != DEFAULT_DOCUMENT_SORT:
            args["doc_sort"] = document_sort
        if pair_sort != DEFAULT_PAIR_SORT:
            args["pair_sort"] = pair_sort
        return args


def _sort_key(value: str | None, allowed: Sequence[str], default: str, name: str) -> str:
    if value is None or not value.strip():
        return default
    value = value.strip()
    if value.removeprefix("-") not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)} (with '-' for descending), got {value!r}")
    return value


def parse_query(ids: Sequence[str], document_sort: str | None, pair_sort: str | None) -> ReportQuery:
    """Return the state a query string asks for, or raise ValueError naming the bad value."""
    chosen: list[int] = []
    for value in ids:
        number = parse_document_id(value)
        if number is None:
            raise ValueError(id_problem("d", value))
        if number not in chosen:
            chosen.append(number)
    return ReportQuery(
        tuple(sorted(chosen)),
        _sort_key(document_sort, tuple(DOCUMENT_SORTS), DEFAULT_DOCUMENT_SORT, "doc_sort"),
        _sort_key(pair_sort, tuple(PAIR_SORTS), DEFAULT_PAIR_SORT, "pair_sort"),
    )


def query_or_400() -> ReportQuery:
    """Return the report state of the request, or end it with a 400 naming the bad value."""
    try:
        return parse_query(request.args.getlist("d"), request.args.get("doc_sort"), request.args.get("pair_sort"))
    except ValueError as error:
        abort(400, description=str(error))


@blueprint.record_once
def _install_jobs(state: BlueprintSetupState) -> None:
    config = state.app.config
    limits = Limits.from_config(config)
    state.app.extensions["report_jobs"] = JobRegistry[BuiltReport](
        state.app.extensions["pools"].pool("report"), max_jobs=config.get("REPORT_MAX_JOBS", 8),
        ttl_s=config.get("REPORT_JOB_TTL_S", 900.0), time_budget_s=limits.report_time_budget_s, name="reports",
    )


def jobs() -> JobRegistry[BuiltReport]:
    """Return the application's report jobs."""
    registry: JobRegistry[BuiltReport] = current_app.extensions["report_jobs"]
    return registry


def chosen_documents(query: ReportQuery) -> list[StoredDocument]:
    """Load the chosen documents (or the whole library), or end the request with a 4xx naming the problem."""
    store = current_store()
    ids = query.ids or tuple(info.id for info in store.list_documents())
    if len(ids) < 2:
        abort(400, description=f"a report needs at least two documents, got {len(ids)}: add or choose more")
    if len(ids) > (max_documents := current_limits().report_max_documents):
        abort(400, description=f"the web report takes at most {max_documents:,} documents, got {len(ids):,}; "
                               "use the command line (doccompare report) for larger corpora")
    documents = [document_or_404(i) for i in sorted(ids)]
    total = sum(len(d.text) for d in documents)
    if total > MAX_CHARS:
        abort(400, description=f"the chosen documents hold {total:,} characters; the web report takes at most "
                               f"{MAX_CHARS:,}: choose fewer documents or use the command line")
    return documents


def start_job(documents: Sequence[StoredDocument]) -> Job[BuiltReport]:
    """Return the job building the report of ``documents``: one queued, running or finished, or a new one.

    The report is built in a worker process of the report pool; a job beyond
    its workers waits its turn, and its page shows how many are ahead.
    """
    options = Options()
    stored = tuple(documents)
    key = ("report", tuple((d.info.id, d.info.sha256, d.info.name) for d in stored), options)
    engine_documents = [Document(d.info.name, d.text) for d in stored]
    try:
        return jobs().submit(key, report_of, engine_documents, options,
                             label=f"the report of {len(stored):,} documents",
                             finish=lambda report: BuiltReport(report, stored))
    except JobsBusy as error:
        busy(str(error), current_limits())


def _sorted(items: Sequence[Any], spec: str, keys: dict[str, Callable[[Any], Any]]) -> list[Any]:
    return sorted(items, key=keys[spec.removeprefix("-")], reverse=spec.startswith("-"))


def _passage_url(built: BuiltReport, row: int, column: int, span: Span | None) -> str:
    """Return the comparison of documents ``row`` (as A) and ``column``, at ``span`` of A when given."""
    a, b = built.documents[row].info.id, built.documents[column].info.id
    if span is None:
        return url_for("comparison.compare", a=a, b=b)
    return url_for("comparison.passage", a=a, b=b, start=span.start, end=span.end)


def _pair_link(built: BuiltReport, pairs: dict[tuple[int, int], PairReport], row: int, column: int) -> str | None:
    """Return the link of a heatmap cell: the comparison at the pair's longest passage of ``row``."""
    pair = pairs.get((min(row, column), max(row, column)))
    if pair is None:
        return None
    spans = [p.a if pair.a == row else p.b for p in pair.passages]
    return _passage_url(built, row, column, max(spans, key=len, default=None))


def report_context(built: BuiltReport, query: ReportQuery) -> dict[str, Any]:
    """Return what the report templates show."""
    report = built.report
    pairs = {(p.a, p.b): p for p in report.pairs}
    # heatmap_svg escapes every name and URL it writes (see compare.report_html).
    heatmap = Markup(heatmap_svg(report, link=lambda row, column: _pair_link(built, pairs, row, column)))
    pair_rows = [
        {"pair": pair, "url": _pair_link(built, pairs, pair.a, pair.b)}
        for pair in _sorted(report.pairs, query.pair_sort, PAIR_SORTS)
    ]
    families = []
    for family in report.families[:FAMILIES_SHOWN]:
        members = []
        for position, member in enumerate(family.members):
            other = family.members[position + 1 if position + 1 < len(family.members) else 0].document
            noise = report.documents[member.document].boilerplate  # page noise stays out of the excerpt
            text = excerpt(built.documents[member.document].text, member.span, EXCERPT_CHARS, leave_out=noise)
            members.append({"member": member, "text": text, "url": _passage_url(built, member.document, other,
                                                                                 member.span)})
        families.append({"family": family, "members": members})
    return {
        "built": built,
        "report": report,
        "names": [d.info.name for d in built.documents],
        "heatmap": heatmap,
        "legend": Markup(heatmap_legend_svg()),
        "document_rows": _sorted(report.documents, query.document_sort, DOCUMENT_SORTS),
        "pair_rows": pair_rows,
        "families": families,
        "how_counted": HOW_SHARES_ARE_COUNTED,
        "query": query,
    }


@blueprint.get("/report")
def show() -> Response:
    """Show the report of the library (or of the chosen documents): at once if quick, else a progress bar.

    A refusal (a bad sort, too few documents) shows where the report would be, below its controls.
    """
    library = current_store().list_documents()
    query = ReportQuery(())
    try:
        query = query_or_400()
        documents = chosen_documents(query)
        job = start_job(documents)
        job.wait(current_app.config.get("REPORT_SYNC_WAIT_S", SYNC_WAIT_S))
        if job.error is not None:
            abort(400, description=f"the report could not be built: {job.error}")
    except HTTPException as error:
        chosen = [d for d in library if d.id in query.ids] if query.ids else library
        response = render_page("report.html", "_report.html", status=error.code or 500, library=library,
                               query=query, chosen=chosen, ready=False, error=error_view(error))
        response.headers.update(error_headers(error))  # a 503's Retry-After
        return response
    built = job.result  # read once: the job may finish while the page renders
    context: dict[str, Any] = {"library": library, "query": query, "job": job, "chosen": documents,
                               "ready": built is not None}
    if built is not None:
        context.update(report_context(built, query))
    else:
        context["ahead"] = jobs().ahead_of(job)
    return render_page("report.html", "_report.html", push_url=url_for("report.show", **query.args()), **context)


@blueprint.get("/report/jobs/<job_id>")
def progress(job_id: str) -> BaseResponse:
    """Answer htmx's polling of a report job: the progress bar while it runs, then the finished report."""
    query = query_or_400()
    if not is_fragment_request():
        return redirect(url_for("report.show", **query.args()), 303)
    job = jobs().get(job_id)
    if job is None:
        abort(404, description="this report is no longer kept (finished reports expire); reload the Report page")
    if job.error is not None:
        return render_page("report.html", "_report_failed.html", job=job, query=query)
    built = job.result
    if built is None:
        return render_page("report.html", "_report_progress.html", job=job, query=query, ahead=jobs().ahead_of(job))
    return render_page("report.html", "_report_body.html", job=job, **report_context(built, query))


@blueprint.get("/report/export.<fmt>")
def export(fmt: str) -> Response:
    """Download the report: one self-contained HTML file, the report JSON, or CSV."""
    if fmt not in EXPORT_FORMATS:
        abort(404, description=f"unknown export format {fmt!r}; use {', '.join(EXPORT_FORMATS)}")
    query = query_or_400()
    job = start_job(chosen_documents(query))
    if not job.wait(current_app.config.get("REPORT_EXPORT_WAIT_S", EXPORT_WAIT_S)):
        abort(503, description="the report is still being built; download it from the Report page when it is ready")
    if job.error is not None or job.result is None:
        abort(400, description=f"the report could not be built: {job.error}")
    built = job.result
    if fmt == "json":
        response = Response(json.dumps(report_to_json(built.report), ensure_ascii=False, indent=2),
                            mimetype="application/json")
    elif fmt == "csv":
        response = Response(report_to_csv(built.report), mimetype="text/csv")
    else:
        body = report_to_html(built.report, [Document(d.info.name, d.text) for d in built.documents])
        response = Response(body, mimetype="text/html")
    response.headers["Content-Disposition"] = f'attachment; filename="report.{fmt}"'
    # The file carries its own policy (a hash of its inline stylesheet); nothing else may load or run.
    response.headers["Content-Security-Policy"] = EXPORT_POLICY
    return response
