"""The JSON API for programs: documents in, alignment JSON out.

``POST /api/documents`` takes ``{"name", "text"}`` (or a list of them, or
``{"documents": [...]}``) as ``application/json``, or files as
``multipart/form-data``; a batch is stored whole or not at all.  Errors are
``{"error": {"status", "message"}}``.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from compare import comparison_to_json
from web.comparison import compute, query_or_400
from web.documents import (
    check_new_documents,
    current_store,
    document_or_404,
    documents_from_upload,
    refuse,
    uploaded_files,
)
from web.limits import current_limits
from web.security import guard_api_request
from web.store import DocumentInfo, NewDocument
from web.uploads import UploadError, document_from_paste

MAX_JSON_DEPTH = 20  # a batch of documents is 3 levels deep

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


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number JSON allows")


def json_body() -> object:
    """Return the request's JSON body, or end the request with a 400 saying what is wrong with it.

    Stricter than ``json.loads``: ``NaN``/``Infinity``, nesting deeper than
    ``MAX_JSON_DEPTH`` and a body that is not UTF-8 are refused.  The C parser
    guards its own recursion (a ``RecursionError`` past about 1,000 levels).
    """
    raw = request.get_data(cache=False)
    try:
        body = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        refuse(400, f"the body is not UTF-8 (byte {error.start})")
    try:
        payload = json.loads(body, parse_constant=_no_constant)
    except RecursionError:
        refuse(400, f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels")
    except ValueError as error:
        refuse(400, f"the body is not valid JSON: {str(error)[:200]}")
    if _nesting_depth(payload) > MAX_JSON_DEPTH:
        refuse(400, f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels")
    return payload


def _nesting_depth(value: object) -> int:
    """Return how deeply arrays and objects nest in a parsed JSON value.

    >>> _nesting_depth({"a": [[1], {"b": "[[[{"}]}), _nesting_depth("text")
    (3, 0)
    """
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, depth + 1)
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _documents_from_json(payload: object) -> list[NewDocument]:
    """Return the documents of an API body, or refuse it: 400 for a wrong shape, 413 too many, 422 empty text."""
    items = payload.get("documents", [payload]) if isinstance(payload, dict) else payload
    if not isinstance(items, list) or not items:
        refuse(400, 'send {"name": ..., "text": ...} or a list of such objects')
    limit = current_limits().max_files
    if len(items) > limit:
        refuse(413, f"too many documents: {len(items)} sent, at most {limit} per request")
    documents = []
    for position, item in enumerate(items, 1):
        if not isinstance(item, dict):
            refuse(400, f"document {position}: expected an object with name and text, got {type(item).__name__}")
        name, text = item.get("name", ""), item.get("text")
        if text is None:
            refuse(400, f"document {position}: the field text is missing")
        if not isinstance(name, str) or not isinstance(text, str):
            refuse(400, f"document {position}: name and text must be strings")
        try:
            documents.append(document_from_paste(name or f"document {position}", text))
        except UploadError as error:
            refuse(422, str(error))
    return check_new_documents(documents)


@blueprint.get("/documents")
def list_documents() -> Response:
    """List the stored documents (without their text)."""
    return jsonify(documents=[document_json(info) for info in current_store().list_documents()])


@blueprint.post("/documents")
def add_documents() -> tuple[Response, int]:
    """Store one or several documents; answer 201 with their descriptions."""
    if request.mimetype == "application/json":
        new = _documents_from_json(json_body())
    else:
        new = documents_from_upload(uploaded_files())
    store = current_store()
    ids = store.add_documents(new)
    infos = [document.info for document in map(store.get_document, ids) if document is not None]
    return jsonify(documents=[document_json(info) for info in infos]), 201


@blueprint.get("/documents/<document_id:document_id>")
def get_document(document_id: int) -> Response:
    """Return one document with its text."""
    document = document_or_404(document_id)
    return jsonify(document={**document_json(document.info), "text": document.text})


@blueprint.get("/compare")
def compare() -> Response:
    """Return the engine's alignment JSON for two stored documents."""
    result = compute(query_or_400())
    return jsonify(comparison_to_json(result.comparison))
