"""Document ids: whole numbers from 1 to 2**63 - 1 (what SQLite's INTEGER PRIMARY KEY holds), nothing else.

One parser for every place an id arrives: in a path (``/documents/<document_id:...>``,
where anything else is a 404 from routing) and in a query string (``?a=``,
``?d=``, where the view answers 400 naming the parameter).  Digits only, so
``+5``, ``1_000``, ``１２`` and ``-1`` are no ids, and a number SQLite cannot
hold never reaches the store (it raised ``OverflowError``: a 500).
"""

from __future__ import annotations

import re

from werkzeug.routing import BaseConverter, ValidationError

from web.store import MAX_DOCUMENT_ID

_DIGITS = re.compile(r"[0-9]{1,19}")  # MAX_DOCUMENT_ID has 19 digits


def parse_document_id(text: str) -> int | None:
    """Return the document id ``text`` spells (spaces around it allowed), or None if it spells none.

    >>> parse_document_id("12"), parse_document_id(" 7 "), parse_document_id("9223372036854775807")
    (12, 7, 9223372036854775807)
    >>> [parse_document_id(t) for t in ("0", "-3", "+5", "1_000", "１２", "9223372036854775808", "")]
    [None, None, None, None, None, None, None]
    """
    text = text.strip()
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_DOCUMENT_ID else None


def id_problem(name: str, value: str) -> str:
    """Return the message of a query parameter that is not a document id."""
    return f"parameter {name} must be a document id (a whole number from 1 to {MAX_DOCUMENT_ID:,}), got {value!r}"


class DocumentIdConverter(BaseConverter):
    """The ``document_id`` URL converter: a path segment that is no document id does not match (404)."""

    regex = r"[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_document_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: object) -> str:
        return str(int(value))  # type: ignore[call-overload]
