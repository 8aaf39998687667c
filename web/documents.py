"""The library: list, upload, paste, view, rename and delete documents."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from compare import Granularity, estimate_segments
from web.execution import run_heavy
from web.limits import current_limits, size_text
from web.pages import render_page
from web.store import NewDocument, Store, StoredDocument
from web.tasks import read_uploads
from web.uploads import (
    ALLOWED_SUFFIXES,
    UploadedFile,
    UploadError,
    display_name,
    document_from_paste,
    documents_from_files,
    needs_conversion,
    read_limits,
)

blueprint = Blueprint("documents", __name__)


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


def uploaded_files() -> list[UploadedFile]:
    """Return the files of a multipart request, whatever their field names; skip empty file inputs.

    A file over the per-file limit is refused (413) after reading one byte past
    the limit, never in full.
    """
    limit = current_limits().max_file_bytes
    files = []
    for field in request.files:
        for storage in request.files.getlist(field):
            data = storage.read(limit + 1)
            if not storage.filename and not data:
                continue  # a file input left empty
            if len(data) > limit:
                name = display_name(storage.filename or "", fallback="a file")
                refuse(413, f"{name}: the file is larger than the limit of {size_text(limit)} per file")
            files.append(UploadedFile(storage.filename or "", data))
    return files


def check_new_documents(documents: Sequence[NewDocument]) -> list[NewDocument]:
    """Return the documents if each is within the limits of one document, or refuse the batch (400, 413)."""
    limits = current_limits()
    if len(documents) > limits.max_files:
        refuse(413, f"too many documents: {len(documents)} sent, at most {limits.max_files} per request")
    for document in documents:
        bad = unstorable_character(document.name) or unstorable_character(document.text)
        if bad:
            shown = document.name.encode("utf-8", "replace").decode("utf-8")  # the name itself may be the bad one
            refuse(400, f"{shown}: {bad}")
        if len(document.text) > limits.max_chars:
            refuse(413, f"{document.name}: {len(document.text):,} characters is over the limit of "
                        f"{limits.max_chars:,} per document")
        paragraphs = estimate_segments(document.text, Granularity.PARAGRAPH)
        if paragraphs > limits.max_paragraphs:
            refuse(413, f"{document.name}: about {paragraphs:,} paragraphs is over the limit of "
                        f"{limits.max_paragraphs:,} per document")
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


def documents_from_upload(files: Sequence[UploadedFile]) -> list[NewDocument]:
    """Turn uploaded files into documents to store, or refuse the batch with the right status.

    400: no file; 413: too many or too large; 415: a file type that cannot be
    read; 422: a file that cannot be read as text (empty, binary, undecodable).
    """
    limits = current_limits()
    if not files:
        refuse(400, "no file was sent; choose one or more files to upload")
    if len(files) > limits.max_files:
        refuse(413, f"too many files: {len(files)} sent, at most {limits.max_files} per upload")
    for upload in files:
        name = display_name(upload.filename)
        if upload.filename.strip() and not name.lower().endswith(ALLOWED_SUFFIXES):
            refuse(415, f"{name}: unsupported file type; upload {', '.join(ALLOWED_SUFFIXES)} files")
    try:
        if needs_conversion(files):  # Word, PDF and HTML are read in a worker process, within the time budget
            names = ", ".join(display_name(f.filename) for f in files)
            documents = run_heavy(read_uploads, files, limits.max_files, read_limits(limits),
                                  label=f"reading {names}", advice="a file this slow to read cannot be stored here")
        else:
            documents = documents_from_files(files, limits.max_files, read_limits(limits))
    except UploadError as error:
        refuse(error.status, str(error))
    return check_new_documents(documents)


@blueprint.get("/")
def library() -> Response:
    """Show the library; for htmx, just the (filtered) table of documents."""
    query = request.args.get("q", "").strip()
    documents = current_store().list_documents(query)
    everything = documents if not query else current_store().list_documents()
    return render_page(
        "library.html", "_documents.html", documents=documents, all_documents=everything, query=query
    )


@blueprint.post("/documents")
def upload() -> BaseResponse:
    """Store uploaded files, all or none."""
    new = documents_from_upload(uploaded_files())
    ids = current_store().add_documents(new)
    flash(f"Added {len(ids)} document{'s' if len(ids) != 1 else ''}: {', '.join(d.name for d in new)}")
    return redirect(url_for("documents.library"), 303)


@blueprint.post("/documents/paste")
def paste() -> BaseResponse:
    """Store pasted text as a document."""
    try:
        new = document_from_paste(request.form.get("name", ""), request.form.get("text", ""))
    except UploadError as error:
        refuse(422, str(error))
    check_new_documents([new])
    (document_id,) = current_store().add_documents([new])
    flash(f"Added {new.name}")
    return redirect(url_for("documents.show", document_id=document_id), 303)


@blueprint.get("/documents/<document_id:document_id>")
def show(document_id: int) -> Response:
    """Show one document's text, and let it be renamed, deleted or compared."""
    document = document_or_404(document_id)
    others = [d for d in current_store().list_documents() if d.id != document_id]
    paragraphs = [p.strip() for p in document.text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return render_page(
        "document.html", "_document.html", document=document, paragraphs=paragraphs, others=others
    )


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


@blueprint.post("/documents/<document_id:document_id>/delete")
def delete(document_id: int) -> BaseResponse:
    """Delete a document."""
    document = document_or_404(document_id)
    current_store().delete_document(document_id)
    flash(f"Deleted {document.info.name}")
    return redirect(url_for("documents.library"), 303)
