"""The library: list, upload, paste, view, rename and delete documents."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from web.pages import render_page
from web.store import Store, StoredDocument
from web.uploads import UploadedFile, UploadError, display_name, document_from_paste, documents_from_files

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


def uploaded_files() -> list[UploadedFile]:
    """Return the files of a multipart request, whatever their field names; skip empty file inputs."""
    files = []
    for field in request.files:
        for storage in request.files.getlist(field):
            data = storage.read()
            if not storage.filename and not data:
                continue  # a file input left empty
            files.append(UploadedFile(storage.filename or "", data))
    return files


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
    try:
        new = documents_from_files(uploaded_files(), current_app.config["MAX_UPLOAD_FILES"])
    except UploadError as error:
        abort(400, description=f"Nothing was stored. {error}")
    ids = current_store().add_documents(new)
    flash(f"Added {len(ids)} document{'s' if len(ids) != 1 else ''}: {', '.join(d.name for d in new)}")
    return redirect(url_for("documents.library"), 303)


@blueprint.post("/documents/paste")
def paste() -> BaseResponse:
    """Store pasted text as a document."""
    try:
        new = document_from_paste(request.form.get("name", ""), request.form.get("text", ""))
    except UploadError as error:
        abort(400, description=f"Nothing was stored. {error}")
    (document_id,) = current_store().add_documents([new])
    flash(f"Added {new.name}")
    return redirect(url_for("documents.show", document_id=document_id), 303)


@blueprint.get("/documents/<int:document_id>")
def show(document_id: int) -> Response:
    """Show one document's text, and let it be renamed, deleted or compared."""
    document = document_or_404(document_id)
    others = [d for d in current_store().list_documents() if d.id != document_id]
    paragraphs = [p.strip() for p in document.text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return render_page(
        "document.html", "_document.html", document=document, paragraphs=paragraphs, others=others
    )


@blueprint.post("/documents/<int:document_id>/rename")
def rename(document_id: int) -> BaseResponse:
    """Give a document a new display name."""
    raw = request.form.get("name", "")
    if not raw.strip():
        abort(400, description="the new name is empty; type a name")
    name = display_name(raw)
    if not current_store().rename_document(document_id, name):
        abort(404, description=f"there is no document with id {document_id}")
    flash(f"Renamed to {name}")
    if request.form.get("back") == "document":
        return redirect(url_for("documents.show", document_id=document_id), 303)
    return redirect(url_for("documents.library"), 303)


@blueprint.post("/documents/<int:document_id>/delete")
def delete(document_id: int) -> BaseResponse:
    """Delete a document."""
    document = document_or_404(document_id)
    current_store().delete_document(document_id)
    flash(f"Deleted {document.info.name}")
    return redirect(url_for("documents.library"), 303)
