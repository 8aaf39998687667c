"""Security headers for every response, and the API's guard against cross-site requests.

Forms that change data carry a CSRF token (Flask-WTF's ``CSRFProtect``).  The
JSON API is exempt from tokens, so programs can call it, and instead refuses
any state-changing request that a browser says comes from another site
(``Sec-Fetch-Site`` / ``Origin``); a JSON body additionally needs the
``application/json`` content type, which no cross-site form can send without a
CORS preflight that this app never grants.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, request

# Only the app's own scripts and styles; nothing may frame the app.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
API_CONTENT_TYPES = frozenset({"application/json", "multipart/form-data"})


def add_security_headers(response: Response) -> Response:
    """Add the security headers; a view that set its own policy keeps it."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


def is_cross_site() -> bool:
    """Tell whether the browser says this request was started by another site."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    if origin is None:
        return False  # not a browser, or a same-origin GET: nothing to forge
    own = urlsplit(request.host_url)
    theirs = urlsplit(origin)
    return (theirs.scheme, theirs.netloc) != (own.scheme, own.netloc)


def guard_api_request() -> None:
    """Refuse state-changing API calls from other sites and bodies of other content types."""
    if request.method in SAFE_METHODS:
        return
    if is_cross_site():
        abort(403, description="cross-site requests to the API are not allowed")
    if request.mimetype not in API_CONTENT_TYPES:
        abort(415, description="send application/json or multipart/form-data")


def init_app(app: Flask) -> None:
    """Install the headers on every response of the app."""
    app.after_request(add_security_headers)
