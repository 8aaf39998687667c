"""The library: list, upload, paste, view, rename and delete documents.

Each uploaded file is read on its own, so the library's form stores the good
files of a batch and lists why each bad one was refused (the JSON API refuses a
batch at its first bad file).  Files that need converting (Word, PDF, HTML) are
read in a worker process (``web.execution.run_heavy``), one at a time, within
the request's one deadline: a file stopped there is refused on its own, and the
files after it are not started once the budget is spent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from compare import Document, Granularity, Options, SegmentRole, estimate_segments, segment
from web.errors import error_headers, error_response, error_view
from web.execution import ClientGone, run_heavy, time_left
from web.limits import current_limits, size_text
from web.pages import render_page
from web.store import NewDocument, Store, StoredDocument, first_line
from web.tasks import read_upload
from web.uploads import (
    ALLOWED_SUFFIXES,
    UploadedFile,
    UploadError,
    display_name,
    document_from_file,
    document_from_paste,
    needs_conversion,
    read_limits,
)

blueprint = Blueprint("documents", __name__)

LINE_SCAN_CHARS = 20_000  # the library's line of a document is looked for in this much of its start


def library_line(text: str) -> str:
    """Return the line the library lists for a text: the first line of its first paragraph that is not page noise.

    >>> library_line("Type to search\\n\\nChina Opposes Global Rollback Attempts\\n\\nBody text.")
    'China Opposes Global Rollback Attempts'
    """
    head = text[:LINE_SCAN_CHARS]
    paragraphs = segment(Document("", head), Options(granularity=Granularity.PARAGRAPH)).segments
    for paragraph in paragraphs:
        if paragraph.role is SegmentRole.TEXT:
            return first_line(paragraph.span.slice(head))
    return first_line(text)


def current_store() -> Store:
    """Return the application's document store."""
    store: Store = current_app.extensions["store"]
    return store


def document_or_404(document_id: int) -> StoredDocument:
    """Return a stored document, or end the request with 404."""
    document = current_store().get_document(document_id)
    if document is None:
        abort(404, description=f"there is no document with id {document_id}")
    return document


@blueprint.app_template_filter("filesize")
def filesize(size: int) -> str:
    """Format a byte count for people.

    >>> filesize(950), filesize(11096), filesize(3 * 1024 * 1024)
    ('950 B', '10.8 KB', '3.0 MB')
    """
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def refuse(status: int, reason: str) -> NoReturn:
    """End the request with ``status``: nothing of the batch was stored, and why."""
    abort(status, description=f"Nothing was stored. {reason}")


def uploaded_files() -> list[UploadedFile | UploadError]:
    """Return the files of a multipart request, whatever their field names; skip empty file inputs.

    A file over the per-file limit is read one byte past the limit, never in
    full, and comes back as the ``UploadError`` (413) naming it.
    """
    limit = current_limits().max_file_bytes
    files: list[UploadedFile | UploadError] = []
    for field in request.files:
        for storage in request.files.getlist(field):
            data = storage.read(limit + 1)
            if not storage.filename and not data:
                continue  # a file input left empty
            if len(data) > limit:
                name = display_name(storage.filename or "", fallback="a file")
                files.append(UploadError(f"{name}: the file is larger than the limit of {size_text(limit)} per file",
                                         413))
            else:
                files.append(UploadedFile(storage.filename or "", data))
    return files


def document_problem(document: NewDocument) -> UploadError | None:
    """Return why a document cannot be stored (past a limit of one document: 400, 413), or None."""
    limits = current_limits()
    bad = unstorable_character(document.name) or unstorable_character(document.text)
    if bad:
        shown = document.name.encode("utf-8", "replace").decode("utf-8")  # the name itself may be the bad one
        return UploadError(f"{shown}: {bad}", 400)
    if len(document.text) > limits.max_chars:
        return UploadError(f"{document.name}: {len(document.text):,} characters is over the limit of "
                           f"{limits.max_chars:,} per document", 413)
    paragraphs = estimate_segments(document.text, Granularity.PARAGRAPH)
    if paragraphs > limits.max_paragraphs:
        return UploadError(f"{document.name}: about {paragraphs:,} paragraphs is over the limit of "
                           f"{limits.max_paragraphs:,} per document", 413)
    return None


def check_new_documents(documents: Sequence[NewDocument]) -> list[NewDocument]:
    """Return the documents if each is within the limits of one document, or refuse the batch (400, 413)."""
    limits = current_limits()
    if len(documents) > limits.max_files:
        refuse(413, f"too many documents: {len(documents)} sent, at most {limits.max_files} per request")
    for document in documents:
        problem = document_problem(document)
        if problem is not None:
            refuse(problem.status, str(problem))
    return list(documents)


def unstorable_character(text: str) -> str | None:
    """Return why ``text`` cannot be stored as UTF-8 (an unpaired surrogate), or None.

    >>> unstorable_character("fine"), unstorable_character("bad \\ud800 here")
    (None, 'an unpaired surrogate U+D800 at character 4 cannot be stored as text')
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        return f"an unpaired surrogate U+{code:04X} at character {error.start} cannot be stored as text"
    return None


def check_batch(files: Sequence[object]) -> None:
    """Refuse an upload that sends no file (400) or more files than one request may hold (413)."""
    limits = current_limits()
    if not files:
        refuse(400, "no file was sent; choose one or more files to upload")
    if len(files) > limits.max_files:
        refuse(413, f"too many files: {len(files)} sent, at most {limits.max_files} per upload")


def read_uploaded(upload: UploadedFile | UploadError) -> NewDocument:
    """Read one uploaded file into a document to store, or raise the UploadError naming it and its status.

    415: a file type that cannot be read; 413: past a limit; 422: a file that
    cannot be read as text (empty, binary, undecodable) or that the request's
    budget had no time left for; 400: unstorable text.  A file that needs
    converting is read in a worker process: one stopped at the deadline ends
    the request as ``run_heavy`` says (a 422, or a 503 when no worker was free).
    """
    if isinstance(upload, UploadError):
        raise upload
    name = display_name(upload.filename)
    if upload.filename.strip() and not name.lower().endswith(ALLOWED_SUFFIXES):
        raise UploadError(f"{name}: unsupported file type; upload {', '.join(ALLOWED_SUFFIXES)} files", 415)
    limits = current_limits()
    if not needs_conversion(upload):
        document = document_from_file(upload, read_limits(limits))
    elif time_left() <= 0:  # the request's budget is spent (on the files before it): it could only be stopped
        raise UploadError(f"{name}: not read: the upload had used its whole time budget of "
                          f"{limits.time_budget_s:g} s before this file; upload it again on its own", 422)
    else:
        document = run_heavy(read_upload, upload, read_limits(limits), label=f"reading {name}",
                             advice="a file this slow to read cannot be stored here")
    problem = document_problem(document)
    if problem is not None:
        raise problem
    return document


def documents_from_upload(files: Sequence[UploadedFile | UploadError]) -> list[NewDocument]:
    """Turn uploaded files into documents to store, or refuse the whole batch at its first bad file (the API)."""
    check_batch(files)
    try:
        return [read_uploaded(upload) for upload in files]
    except UploadError as error:
        refuse(error.status, str(error))


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What became of one file of an upload: stored, or refused and why."""

    name: str
    stored: bool
    reason: str = ""  # why it was refused, without the file's name in front
    status: int = 201


def outcome_of_refusal(upload: UploadedFile | UploadError, error: UploadError) -> FileOutcome:
    """Return the outcome of a refused file: its name and the reason, the name not repeated in the reason."""
    if isinstance(upload, UploadError):
        name, _, reason = str(upload).partition(": ")
        return FileOutcome(name, False, reason or str(upload), upload.status)
    name = display_name(upload.filename, fallback="a file without a name")
    message = str(error)
    return FileOutcome(name, False, message.removeprefix(f"{name}: "), error.status)


def library_page(status: int = 200, **context: Any) -> Response:
    """Render the library (or its table for htmx), with what an upload or paste left to say, and keep its forms."""
    query = request.args.get("q", "").strip() if request.method == "GET" else ""
    documents = current_store().list_documents(query)
    everything = documents if not query else current_store().list_documents()
    return render_page("library.html", "_documents.html", status=status, documents=documents,
                       all_documents=everything, query=query, **context)


@blueprint.get("/")
def library() -> Response:
    """Show the library; for htmx, just the (filtered) table of documents."""
    return library_page()


@blueprint.post("/documents")
def upload() -> Response | BaseResponse:
    """Store the readable files of an upload; list what became of each file when any was refused.

    The good files of a batch are stored together (one transaction); each bad
    one is named with its reason, on the library page, with the forms.  A file
    whose conversion was stopped at the request's deadline, or that found every
    worker busy, is one of the refused.
    """
    files = uploaded_files()
    check_batch(files)
    outcomes: list[FileOutcome | None] = []
    new: list[NewDocument] = []
    for upload in files:
        try:
            new.append(read_uploaded(upload))
            outcomes.append(None)
        except UploadError as error:
            outcomes.append(outcome_of_refusal(upload, error))
        except ClientGone:
            raise
        except HTTPException as error:  # its conversion was stopped at the deadline, or found no free worker
            outcomes.append(outcome_of_refusal(upload, UploadError(error_view(error).message, error.code or 500)))
    if new:
        current_store().add_documents(new)
    if all(outcome is None for outcome in outcomes):
        flash(f"Added {len(new)} document{'s' if len(new) != 1 else ''}: {', '.join(d.name for d in new)}")
        return redirect(url_for("documents.library"), 303)
    stored = iter(new)
    listed = [outcome or FileOutcome(next(stored).name, True) for outcome in outcomes]
    refused = [outcome for outcome in listed if not outcome.stored]
    return library_page(200 if new else refused[0].status, outcomes=listed)


@blueprint.post("/documents/paste")
def paste() -> BaseResponse:
    """Store pasted text as a document; on a refusal, show why beside the form, the text kept."""
    try:
        new = document_from_paste(request.form.get("name", ""), request.form.get("text", ""))
    except UploadError as error:
        refuse(422, str(error))
    problem = document_problem(new)
    if problem is not None:
        refuse(problem.status, str(problem))
    (document_id,) = current_store().add_documents([new])
    flash(f"Added {new.name}")
    return redirect(url_for("documents.show", document_id=document_id), 303)


@blueprint.errorhandler(HTTPException)
def refused_on_the_library(error: HTTPException) -> Response | tuple[Response | str, int, dict[str, str]]:
    """Show a refused upload, paste or rename on the page of its form, the forms kept (the pasted text too)."""
    view = error_view(error)
    if request.endpoint == "documents.rename" and view.code != 404 and request.view_args:
        document = current_store().get_document(request.view_args["document_id"])
        if document is not None and request.form.get("back") == "document":
            return document_page(document, view.code, problem=view)
        if document is not None:
            return library_page(view.code, problem=view, problem_form=request.endpoint)
    if request.endpoint not in ("documents.upload", "documents.paste"):
        return error_response(error)
    pasted = {}
    if request.endpoint == "documents.paste" and not isinstance(error, RequestEntityTooLarge):
        pasted = {"name": request.form.get("name", ""), "text": request.form.get("text", "")}
    response = library_page(view.code, problem=view, problem_form=request.endpoint, pasted=pasted)
    response.headers.update(error_headers(error))  # a 503's Retry-After
    return response


@blueprint.get("/documents/<document_id:document_id>")
def show(document_id: int) -> Response:
    """Show one document's text, and let it be renamed, deleted or compared."""
    return document_page(document_or_404(document_id))


def document_page(document: StoredDocument, status: int = 200, **context: Any) -> Response:
    """Render one document's page (with what a refused rename left to say)."""
    others = [d for d in current_store().list_documents() if d.id != document.info.id]
    paragraphs = [p.strip() for p in document.text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return render_page("document.html", "_document.html", status=status, document=document,
                       paragraphs=paragraphs, others=others, **context)


@blueprint.post("/documents/<document_id:document_id>/rename")
def rename(document_id: int) -> BaseResponse:
    """Give a document a new display name."""
    raw = request.form.get("name", "")
    if not raw.strip():
        abort(400, description="the new name is empty; type a name")
    name = display_name(raw)
    bad = unstorable_character(name)
    if bad:
        abort(400, description=f"the new name cannot be used: {bad}")
    if not current_store().rename_document(document_id, name):
        abort(404, description=f"there is no document with id {document_id}")
    flash(f"Renamed to {name}")
    if request.form.get("back") == "document":
        return redirect(url_for("documents.show", document_id=document_id), 303)
    return redirect(url_for("documents.library"), 303)


@blueprint.route("/documents/<document_id:document_id>/delete", methods=["GET", "POST"])
def delete(document_id: int) -> Response | BaseResponse:
    """Ask before deleting a document (GET changes nothing), and delete it when the page's form posts here.

    One rule for both methods: with two, a POST to a path whose id is no id
    would be a 405 (the GET rule matches the path first), not a 404.
    """
    document = document_or_404(document_id)
    if request.method == "GET":
        back = "document" if request.args.get("back") == "document" else "library"
        return render_page("confirm_delete.html", "_confirm_delete.html", document=document, back=back)
    current_store().delete_document(document_id)
    flash(f"Deleted {document.info.name}")
    return redirect(url_for("documents.library"), 303)
