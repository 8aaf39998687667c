"""Turn uploaded files and pasted text into documents to store, or a clear refusal.

Each file is read and checked on its own, so the library's upload form can store
the good files of a batch and list why each bad one was refused (the JSON API
refuses a batch at its first bad file).  An upload's file name is kept only as a display name: it
is cleaned of directories and control characters and never touches the file system.

Files are read by the engine's ``extract`` (text, Markdown, Word, PDF, HTML);
the stored text is the extracted text, which every offset refers to.  A refusal
carries the HTTP status that fits it: 415 for a format that is not read, 413 for
a file past a reading limit (a zip bomb, too many PDF pages), 422 for a file
that cannot be read (empty, binary, undecodable, corrupt).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

from compare import (
    EXTRACTED_FORMATS,
    InputTooLargeError,
    ReadLimits,
    UnsupportedFormatError,
    extract,
    supported_extensions,
)
from web.limits import Limits
from web.store import NewDocument

ALLOWED_SUFFIXES = supported_extensions()  # .txt, .md, .docx, .pdf, .html ...
MAX_NAME_CHARS = 200


class UploadError(ValueError):
    """A batch of documents was refused; the message names the file and the reason.

    ``status`` is the HTTP status that fits the reason (415, 413 or 422).
    """

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status

    def __reduce__(self) -> tuple[type[UploadError], tuple[str, int]]:
        return UploadError, (str(self), self.status)  # keeps the status when raised in a worker process


def read_limits(limits: Limits) -> ReadLimits:
    """Return the engine's reading limits under the service's: no file read longer than a comparison may take."""
    return ReadLimits(max_file_bytes=limits.max_file_bytes, max_chars=limits.max_chars,
                      max_pdf_seconds=limits.time_budget_s)


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """An uploaded file as received: the client's file name and its bytes."""

    filename: str
    data: bytes


# control characters, and the bidirectional overrides and isolates that can make "report\u202efdp.exe" show as
# "reportexe.pdf": a name must read as what it is
_CONTROL = re.compile("[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def display_name(raw: str, fallback: str = "untitled") -> str:
    """Return a safe display name: no directories, no control characters, bounded length.

    >>> display_name("../../etc/passwd")
    'passwd'
    >>> display_name("C:\\\\Users\\\\me\\\\notes.txt")
    'notes.txt'
    >>> display_name("  ")
    'untitled'
    >>> display_name("invoice\u202efdp.exe")
    'invoice fdp.exe'
    """
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = _CONTROL.sub(" ", name).strip()
    if len(name) > MAX_NAME_CHARS:  # shorten the stem, keep the extension (it chooses the format)
        suffix = PurePosixPath(name).suffix[:20]
        name = name[: MAX_NAME_CHARS - 1 - len(suffix)].rstrip() + "…" + suffix
    return name or fallback


def needs_conversion(upload: UploadedFile) -> bool:
    """Tell whether a file is converted (Word, PDF, HTML), which takes a worker process.

    >>> needs_conversion(UploadedFile("a.txt", b"x")), needs_conversion(UploadedFile("b.PDF", b"%PDF"))
    (False, True)
    """
    return PurePosixPath(display_name(upload.filename)).suffix.lower() in EXTRACTED_FORMATS


def document_from_file(upload: UploadedFile, limits: ReadLimits | None = None) -> NewDocument:
    """Read one uploaded file into a document, or raise UploadError naming it (with its HTTP status).

    >>> document_from_file(UploadedFile("文件.txt", "Un café.".encode("cp1252")))
    NewDocument(name='文件.txt', text='Un café.')
    """
    name = display_name(upload.filename)
    if not upload.filename.strip():
        raise UploadError("a file was sent without a name; choose a file to upload", 400)
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise UploadError(f"{name}: unsupported file type; upload {', '.join(ALLOWED_SUFFIXES)} files", 415)
    if not upload.data.strip():
        raise UploadError(f"{name}: the file is empty")
    try:
        text = extract(upload.data, name, limits).text
    except UnsupportedFormatError as error:
        raise UploadError(str(error), 415) from error
    except InputTooLargeError as error:
        raise UploadError(str(error), 413) from error
    except ValueError as error:
        reason = str(error)
        raise UploadError(reason if name in reason else f"{name}: {reason}") from error
    if not text.strip():
        raise UploadError(f"{name}: the file has no text")
    return NewDocument(name, text)


def document_from_paste(name: str, text: str) -> NewDocument:
    """Make a document of pasted text, or raise UploadError."""
    shown = display_name(name, fallback="pasted text")
    if not text.strip():
        raise UploadError(f"{shown}: the text is empty; paste some text")
    # Browsers send form text with CRLF line ends; store what the person typed.
    return NewDocument(shown, text.replace("\r\n", "\n"))
