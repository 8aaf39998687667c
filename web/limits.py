"""The service's limits, in one table: what one request, one document and one comparison may cost.

Every limit has a documented default and can be changed per app, in the
configuration (``create_app({"LIMITS": {"time_budget_s": 3}})``, a mapping of
field names or a ``Limits``) or from the environment (Flask's prefixed
variables nest on ``__``: ``FLASK_LIMITS__TIME_BUDGET_S=3``).  Flask's own
``MAX_CONTENT_LENGTH`` and the older ``MAX_UPLOAD_FILES`` key, when set, are read
as ``max_request_bytes`` and ``max_files``.

The defaults are chosen so that any two stored documents can be compared
within the time budget: the engine affords about 500,000 characters per budget
second (two documents of ``max_chars`` fit in 10 s) and refuses larger inputs
at once with a message naming them.  The budget is the engine's
``compare.model.TIME_BUDGET_S``, the command line's default too.

Heavy work runs in worker processes (``web.execution``): ``workers`` of them
for comparisons, variants and the reading of converted files, with ``queue``
requests waiting beyond them (past that, 503 at once), and ``report_workers``
for reports, each killed at its deadline.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app

from compare import TIME_BUDGET_S

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps on uploads, documents and comparisons; past one, a request is refused with a 4xx naming it."""

    max_request_bytes: int = 16 * MB  # one request: all files of an upload, or pasted text (413)
    max_file_bytes: int = 8 * MB  # one uploaded file, before it is read (413)
    max_files: int = 20  # documents per request, files or JSON objects (413)
    max_chars: int = 2_000_000  # characters of one document's text, after reading (413)
    max_paragraphs: int = 50_000  # paragraphs of one document (a long book has about 10,000) (413)
    time_budget_s: float = TIME_BUDGET_S  # one comparison (each of a Variants alignment too) or upload: then stopped
    report_max_documents: int = 2_000  # documents of one corpus report (hook for the Report page)
    variants_max_documents: int = 20  # documents on the Variants page: each is aligned once (N - 1 comparisons)
    workers: int = 2  # worker processes for comparisons, variants and converted uploads (the heavy jobs at once)
    queue: int = 8  # heavy requests waiting for a worker (the wait counts against their budget); past it, 503
    report_workers: int = 1  # worker processes for reports (one report uses every core already)
    report_time_budget_s: float = 300.0  # one report, once it runs: past it, it is stopped with a message
    variants_time_budget_s: float = 120.0  # one Variants alignment (a background job), once it runs: then stopped
    worker_memory_bytes: int = 4096 * MB  # address space of one worker; past it, its job fails with a message

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
                raise ValueError(f"limit {field.name} must be a positive number, got {value!r}")
            if field.type == "int" and not float(value).is_integer():
                raise ValueError(f"limit {field.name} must be a whole number, got {value!r}")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        """Return the limits an app's configuration asks for (see the module's docstring)."""
        given = config.get("LIMITS")
        if isinstance(given, Limits):
            return given
        changes: dict[str, Any] = {}
        if config.get("MAX_CONTENT_LENGTH") is not None:
            changes["max_request_bytes"] = config["MAX_CONTENT_LENGTH"]
        if config.get("MAX_UPLOAD_FILES") is not None:
            changes["max_files"] = config["MAX_UPLOAD_FILES"]
        if given is not None:
            if not isinstance(given, Mapping):
                raise ValueError(f"LIMITS must be a Limits or a mapping of its fields, got {given!r}")
            names = {field.name for field in dataclasses.fields(cls)}
            for key, value in given.items():
                name = str(key).lower()
                if name not in names:
                    raise ValueError(f"unknown limit {key!r}; the limits are {', '.join(sorted(names))}")
                changes[name] = value
        return cls(**changes)

    def flask_config(self) -> dict[str, Any]:
        """Return the Flask settings that enforce the request-size limits (413 before a view runs)."""
        return {
            "LIMITS": self,
            "MAX_CONTENT_LENGTH": self.max_request_bytes,
            "MAX_FORM_MEMORY_SIZE": self.max_request_bytes,  # pasted text arrives as a form field
            "MAX_UPLOAD_FILES": self.max_files,
        }


def current_limits() -> Limits:
    """Return the limits of the running app."""
    limits: Limits = current_app.config["LIMITS"]
    return limits


def size_text(size: float) -> str:
    """Return a byte count for people.

    >>> size_text(500), size_text(2048), size_text(8 * MB)
    ('500 bytes', '2 KB', '8 MB')
    """
    if size >= MB:
        return f"{size / MB:.3g} MB"
    if size >= 1024:
        return f"{size / 1024:.3g} KB"
    return f"{int(size)} bytes"
