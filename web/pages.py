"""Render a full page for a browser's navigation, or just its fragment for htmx.

One view serves both: htmx's requests (``HX-Request``) swap a part of the page
and get the ``_fragment.html`` template; a plain request, or htmx restoring a
page missing from its history cache, gets the full page that includes the same
fragment.  ``Vary: HX-Request`` keeps caches from mixing the two.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from flask import Response, render_template
from htmx_flask import make_response
from htmx_flask import request as htmx_request


def is_fragment_request() -> bool:
    """Tell whether htmx asked for a fragment (and not for a whole page to restore)."""
    return bool(htmx_request.htmx) and not htmx_request.htmx.history_restore_request


def render_page(
    page: str, fragment: str, *, status: int = 200, push_url: str | None = None,
    render: Callable[..., str] = render_template, **context: Any
) -> Response:
    """Render ``fragment`` for htmx and ``page`` otherwise (with ``render``); tell htmx which URL to push."""
    fragment_request = is_fragment_request()
    template = fragment if fragment_request else page
    response = cast(Response, make_response(
        render(template, fragment=fragment_request, **context),
        status,
        push_url=push_url if fragment_request else None,
    ))
    response.vary.add("HX-Request")
    return response
