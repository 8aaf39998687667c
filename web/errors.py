"""Error responses: a JSON body for the API, a page (or an htmx fragment) for people."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from htmx_flask import request as htmx_request
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

TITLES = {
    400: "Bad request",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Too large",
    415: "Unsupported content type",
    500: "Server error",
}


def wants_json() -> bool:
    """Tell whether the error should be answered as JSON (the API's requests)."""
    return request.blueprint == "api" or request.path.startswith("/api/")


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit / 1024:g} KB"


def message_of(error: HTTPException) -> str:
    """Return the one-line message a person or program sees for an error."""
    if isinstance(error, CSRFError):
        return "the form has expired or did not come from this site; reload the page and try again"
    if isinstance(error, RequestEntityTooLarge):
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if limit:
            return f"the upload is too large: at most {_size(limit)} per upload"
        return "the upload is too large"
    return error.description or TITLES.get(error.code or 500, "Error")


def error_response(error: HTTPException) -> tuple[Response | str, int]:
    """Render an HTTP error for the API or for a person."""
    code = error.code or 500
    message = message_of(error)
    if wants_json():
        return jsonify(error={"status": code, "message": message}), code
    title = TITLES.get(code, "Error")
    if htmx_request.htmx and not htmx_request.htmx.history_restore_request:
        return render_template("_error.html", title=title, message=message, code=code), code
    return render_template("error.html", title=title, message=message, code=code), code


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> tuple[Response | str, int]:
        return error_response(error)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> tuple[Response | str, int]:
        app.logger.exception("unexpected error", exc_info=error)
        return error_response(InternalServerError("something went wrong on the server; try again"))
