"""The JSON API for programs: documents in, alignment JSON out.

``POST /api/documents`` takes ``{"name", "text"}`` (or a list of them, or
``{"documents": [...]}``) as ``application/json``, or files as
``multipart/form-data``; a batch is stored whole or not at all.  Errors are
``{"error": {"status", "message"}}``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for

from compare import comparison_to_json
from web.comparison import compute, query_or_400
from web.documents import current_store, document_or_404, uploaded_files
from web.security import guard_api_request
from web.store import DocumentInfo, NewDocument
from web.uploads import UploadError, document_from_paste, documents_from_files

blueprint = Blueprint("api", __name__, url_prefix="/api")
blueprint.before_request(guard_api_request)


def document_json(info: DocumentInfo) -> dict[str, Any]:
    """Return a document's description for the API."""
    return {
        "id": info.id,
        "name": info.name,
        "size": info.size,
        "sha256": info.sha256,
        "first_line": info.first_line,
        "created_at": info.created_at,
        "url": url_for("api.get_document", document_id=info.id),
    }


def _documents_from_json(payload: object) -> list[NewDocument]:
    items = payload.get("documents", [payload]) if isinstance(payload, dict) else payload
    if not isinstance(items, list) or not items:
        raise UploadError('send {"name": ..., "text": ...} or a list of such objects')
    if len(items) > current_app.config["MAX_UPLOAD_FILES"]:
        limit = current_app.config["MAX_UPLOAD_FILES"]
        raise UploadError(f"too many documents: {len(items)} sent, at most {limit} per request")
    documents = []
    for position, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise UploadError(f"document {position}: expected an object with name and text")
        name, text = item.get("name", ""), item.get("text")
        if not isinstance(name, str) or not isinstance(text, str):
            raise UploadError(f"document {position}: name and text must be strings")
        documents.append(document_from_paste(name or f"document {position}", text))
    return documents


@blueprint.get("/documents")
def list_documents() -> Response:
    """List the stored documents (without their text)."""
    return jsonify(documents=[document_json(info) for info in current_store().list_documents()])


@blueprint.post("/documents")
def add_documents() -> tuple[Response, int]:
    """Store one or several documents; answer 201 with their descriptions."""
    try:
        if request.mimetype == "application/json":
            payload = request.get_json(silent=True)
            if payload is None:
                raise UploadError("the body is not valid JSON")
            new = _documents_from_json(payload)
        else:
            new = documents_from_files(uploaded_files(), current_app.config["MAX_UPLOAD_FILES"])
    except UploadError as error:
        abort(400, description=f"nothing was stored: {error}")
    store = current_store()
    ids = store.add_documents(new)
    infos = [document.info for document in map(store.get_document, ids) if document is not None]
    return jsonify(documents=[document_json(info) for info in infos]), 201


@blueprint.get("/documents/<int:document_id>")
def get_document(document_id: int) -> Response:
    """Return one document with its text."""
    document = document_or_404(document_id)
    return jsonify(document={**document_json(document.info), "text": document.text})


@blueprint.get("/compare")
def compare() -> Response:
    """Return the engine's alignment JSON for two stored documents."""
    result = compute(query_or_400())
    return jsonify(comparison_to_json(result.comparison))
