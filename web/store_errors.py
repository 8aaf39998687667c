"""Store failures as clear answers: 503 when the store is unavailable, 507 when it is full.

A locked, read-only, missing or damaged database, or a full disk, is not a bug
in the request: the person (or program) gets the store's own message, as JSON
for the API and as a page or htmx fragment otherwise, never a 500 page.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template
from htmx_flask import request as htmx_request

from web.errors import wants_json
from web.store import StoreError, StoreFull

RETRY_AFTER_S = 5  # what a 503 suggests to clients


def status_of(error: StoreError) -> int:
    """Return the HTTP status of a store failure: 507 Insufficient Storage when full, else 503."""
    return 507 if isinstance(error, StoreFull) else 503


def title_of(status: int) -> str:
    """Return the page title of a store failure's status."""
    return "Storage full" if status == 507 else "Service unavailable"


def store_error_response(error: StoreError) -> Response:
    """Render a store failure for the API (JSON) or for a person (page, or fragment for htmx)."""
    status, message = status_of(error), str(error)
    if wants_json():
        response = jsonify(error={"status": status, "message": message})
    else:
        template = (
            "_error.html" if htmx_request.htmx and not htmx_request.htmx.history_restore_request else "error.html"
        )
        response = Response(render_template(template, title=title_of(status), message=message, code=status))
    response.status_code = status
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def init_app(app: Flask) -> None:
    """Register the handler of store failures (more specific than errors.py's catch-all)."""

    @app.errorhandler(StoreError)
    def handle_store_error(error: StoreError) -> Response:
        app.logger.warning("store failure on a request: %s", error)
        return store_error_response(error)
