"""Error responses: a JSON body for the API, a page (or an htmx fragment) for people.

Every refusal is a 4xx whose message names the file or value and the reason.
An unexpected exception is logged with its traceback on the server and
answered with a generic 500 that shows nothing of the internals.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    415: "Unsupported file or content type",
    422: "Cannot be processed",
    499: "Client closed the request",
    500: "Server error",
    503: "Service unavailable",
}
GENERIC_500 = "something went wrong on the server; try again"


@dataclass(frozen=True, slots=True)
class ErrorView:
    """What an error shows a person: status, title and message."""

    code: int
    title: str
    message: str


def error_view(error: HTTPException) -> ErrorView:
    """Return the status, title and message of an HTTP error."""
    code = error.code or 500
    return ErrorView(code, TITLES.get(code, "Error"), message_of(error))


def wants_json() -> bool:
    """Tell whether the error should be answered as JSON (the API's requests)."""
    return request.blueprint == "api" or request.path.startswith("/api/")


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit / 1024:g} KB"


def message_of(error: HTTPException) -> str:
    """Return the one-line message a person or program sees for an error."""
    if isinstance(error, CSRFError):
        return "the form has expired or did not come from this site; reload the page and try again"
    if isinstance(error, RequestEntityTooLarge) and error.description == RequestEntityTooLarge.description:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if limit:
            return f"the upload is too large: at most {_size(limit)} per upload"
        return "the upload is too large"
    return error.description or TITLES.get(error.code or 500, "Error")


def error_headers(error: HTTPException) -> dict[str, str]:
    """Return the headers an error carries besides its body's type (a 503's ``Retry-After``)."""
    return {name: value for name, value in error.get_headers() if name.lower() != "content-type"}


def error_response(error: HTTPException) -> tuple[Response | str, int, dict[str, str]]:
    """Render an HTTP error for the API or for a person."""
    view = error_view(error)
    headers = error_headers(error)
    if wants_json():
        return jsonify(error={"status": view.code, "message": view.message}), view.code, headers
    context = {"title": view.title, "message": view.message, "code": view.code}
    if htmx_request.htmx and not htmx_request.htmx.history_restore_request:
        return render_template("_error.html", **context), view.code, headers
    return render_template("error.html", **context), view.code, headers


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> tuple[Response | str, int, dict[str, str]]:
        return error_response(error)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> tuple[Response | str, int, dict[str, str]]:
        app.logger.exception("unexpected error", exc_info=error)
        return error_response(InternalServerError(GENERIC_500))
