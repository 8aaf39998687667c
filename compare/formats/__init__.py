"""Text extraction, one module per file format; ``compare.reading`` is the one dispatch point.

Every extractor takes a file's bytes, the name to show in errors and the
``ReadLimits``, and returns the document's text or raises ``ValueError``
naming the file.  The two subclasses below tell callers (the web upload)
*why*, so they can answer 415 or 413 instead of a generic refusal.
"""

from __future__ import annotations


class UnsupportedFormatError(ValueError):
    """The file's format is one the engine does not read (e.g. ``.doc``, ``.png``)."""


class InputTooLargeError(ValueError):
    """The file, or what it unpacks to, is past one of the ``ReadLimits``."""


def reason_of(exc: BaseException) -> str:
    """Return a parser's exception message on one line, bounded in length, for an error message.

    >>> reason_of(KeyError("word/document.xml"))
    "'word/document.xml'"
    """
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:159] + "…"


def size_text(size: float) -> str:
    """Format a byte count for an error message.

    >>> size_text(950), size_text(1536), size_text(64 * 1024 * 1024), size_text(2**30)
    ('950 bytes', '1.5 KB', '64 MB', '1,024 MB')
    """
    if size < 1024:
        return f"{size:g} bytes"
    value, unit = (size / 1024, "KB") if size < 1024 * 1024 else (size / (1024 * 1024), "MB")
    return f"{value:,.1f}".removesuffix(".0") + f" {unit}"
