"""Pathological inputs, made in memory: the shapes that used to stall the service, and a client that sends them.

Each input is a file (a name and its bytes) so it can go through the command
line, the upload form and the API alike.  They are built here, never committed:

- ``dots``: 900 KB of ``"..."`` repeated (180,000 one-mark sentences);
- ``near-duplicates``: 5,000 near-duplicate paragraphs (the same sentence, three words changed in each);
- ``quotes``: 600 KB of quotation marks;
- ``dot run``: 600,000 dots (a regular expression scanned it from every dot: hours);
- ``emphasis run``: a Markdown line of 300,000 ``*`` inside a sentence (quadratic trailing-markup search);
- ``docx over the limit``: a Word file whose text is longer than the reader's ``max_chars``;
- PDF bombs: a 32 KB stream that inflates to 32 MiB of spaces, the same in a
  200-byte stream of two layers (``/Filter [/FlateDecode /FlateDecode]``, a
  file under 1 KB), and an 80 KB stream that inflates to 32 MiB of text
  operators (the slowest for pypdf: 30 s and 270 MB before).

``python -m benchmarks.hostile`` runs each of them through the CLI, the upload
form and the API of a real server and prints the table of the README.
"""

from __future__ import annotations

import http.cookiejar
import io
import json
import random
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.service import REPO, SEED_DIR, Ledger

SEED_NAME = "004_2baaef8fb25a8ccf.txt"  # what each input is compared with
WEB_MAX_CHARS = 2_000_000  # the service's max_chars (web.limits.Limits)
CLI_MAX_CHARS = 20_000_000  # the reader's default (compare.ReadLimits)


@dataclass(frozen=True, slots=True)
class HostileFile:
    """A pathological input: what it is, a file name and its bytes."""

    label: str
    name: str
    data: bytes


def dots(size: int = 900_000) -> str:
    return ('"..."' * (size // 5 + 1))[:size]


def near_duplicates(count: int = 5_000, seed: int = 1) -> str:
    rng = random.Random(seed)
    sentence = ("The delegates agreed that the new policy on regional trade would take effect next spring after "
                "a review by the committee")
    base = sentence.split(" ")
    paragraphs = []
    for _ in range(count):
        words = list(base)
        for _ in range(3):
            words[rng.randrange(len(words))] = rng.choice(["council", "summer", "local", "board", "soon", "plan"])
        paragraphs.append(" ".join(words) + ".")
    return "\n\n".join(paragraphs)


def quotes(size: int = 600_000) -> str:
    return '"' * size


def dot_run(size: int = 600_000) -> str:
    return "." * size


def emphasis_run(size: int = 300_000) -> str:
    return "# Notes\n\nA line with " + "*" * size + " inside it and a full stop.\n"


def docx_with_text(chars: int, seed: int = 1) -> bytes:
    """Return a minimal .docx whose body holds at least ``chars`` characters of random words."""
    rng = random.Random(seed)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(3000)]
    paragraphs, total = [], 0
    while total < chars:
        text = " ".join(rng.choice(words) for _ in range(40))
        paragraphs.append(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
        total += len(text)
    body = "".join(paragraphs)
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f"<w:body>{body}</w:body></w:document>")
    content_types = ('<?xml version="1.0" encoding="UTF-8"?>'
                     '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                     '<Default Extension="rels" '
                     'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                     '<Default Extension="xml" ContentType="application/xml"/>'
                     '<Override PartName="/word/document.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    relationships = ('<?xml version="1.0" encoding="UTF-8"?>'
                     '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                     '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                     'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", relationships)
        archive.writestr("word/document.xml", document)
    return out.getvalue()


def pdf_bomb(mebibytes: int = 32, *, layers: int = 1, fill: bytes = b"BT /F1 12 Tf (x) Tj ET\n") -> bytes:
    """Return a one-page PDF whose content stream inflates to ``mebibytes`` MiB of ``fill``."""
    stream = fill * ((mebibytes << 20) // len(fill))
    for _ in range(layers):
        stream = zlib.compress(stream, 9)
    filters = b"[" + b" ".join([b"/FlateDecode"] * layers) + b"]"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter %s >>\nstream\n%s\nendstream" % (len(stream), filters, stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def text_inputs() -> list[HostileFile]:
    """Return the plain-text and Markdown inputs."""
    return [
        HostileFile('900 KB of `"..."`', "dots.txt", dots().encode()),
        HostileFile("5,000 near-duplicate paragraphs", "near-duplicates.txt", near_duplicates().encode()),
        HostileFile("600 KB of quotation marks", "quotes.txt", quotes().encode()),
        HostileFile("600,000 dots", "dot-run.txt", dot_run().encode()),
        HostileFile("Markdown: 300,000 `*` in a sentence", "emphasis.md", emphasis_run().encode()),
    ]


def hostile_inputs(max_chars: int = WEB_MAX_CHARS) -> list[HostileFile]:
    """Return every pathological input; the Word file is made just over ``max_chars`` of text."""
    return [
        *text_inputs(),
        HostileFile(f"Word file over {max_chars:,} characters", "long.docx", docx_with_text(max_chars + 100_000)),
        HostileFile("PDF: a 32 KB stream inflating to 32 MiB of spaces", "bomb.pdf", pdf_bomb(fill=b" ")),
        HostileFile("PDF: a 200-byte stream, two Flate layers, 32 MiB", "bomb2.pdf", pdf_bomb(layers=2, fill=b" ")),
        HostileFile("PDF: an 80 KB stream inflating to 32 MiB of text operators", "bomb3.pdf", pdf_bomb()),
    ]


def unique(file: HostileFile) -> HostileFile:
    """Return the input made unique (a first line for text, nothing for binary), so no cache answers it."""
    if file.name.endswith((".txt", ".md")):
        return HostileFile(file.label, file.name, f"{uuid.uuid4().hex}\n\n".encode() + file.data)
    return file


# --- HTTP with a session: the upload form needs its CSRF token -------------------------------------


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """Return a multipart/form-data body and its content type."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for field, filename, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Session:
    """A browser-like client: cookies kept, redirects not followed, every request with a timeout."""

    def __init__(self, base: str, timeout_s: float = 60.0) -> None:
        self.base, self.timeout_s = base, timeout_s

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: object, **kwargs: object) -> None:
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())

    def send(self, path: str, data: bytes | None = None, content_type: str | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
        """Send a request; return its status, body and headers (for error statuses too)."""
        request = urllib.request.Request(self.base + path, data=data, headers=dict(headers or {}))
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with self.opener.open(request, timeout=self.timeout_s) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers or {})

    def csrf_token(self) -> str:
        _, page, _ = self.send("/")
        match = re.search(rb'name="csrf_token" value="([^"]+)"', page)
        if match is None:
            raise RuntimeError("no CSRF token on the library page")
        return match.group(1).decode()

    def seed_id(self) -> int:
        _, body, _ = self.send("/api/documents")
        return next(int(d["id"]) for d in json.loads(body)["documents"] if d["name"] == SEED_NAME)


def message_of(body: bytes) -> str:
    """Return the message an answer carries: the API's JSON error, or a page's error paragraph, else ''."""
    try:
        return str(json.loads(body)["error"]["message"])
    except (ValueError, KeyError, TypeError):
        pass
    match = re.search(rb'class="message">(.*?)</p>', body, re.S) or re.search(rb"<strong>([^<]*)</strong>", body)
    return re.sub(r"\s+", " ", match.group(1).decode("utf-8", "replace")).strip() if match else ""


@dataclass
class Outcome:
    """One pathological input through one path: seconds, status (or exit code) and message."""

    seconds: float
    status: int
    message: str

    def cell(self) -> str:
        text = self.message.replace("|", "\\|").replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")
        text = text if len(text) <= 150 else text[:149] + "…"
        return f"{self.seconds:.2f} s, {self.status}" + (f": {text}" if text else "")


def through_api(session: Session, file: HostileFile, seed: int) -> tuple[Outcome, Outcome | None]:
    """Upload a file through the API (JSON for text, multipart otherwise), then compare it with the seed."""
    started = time.monotonic()
    if file.name.endswith((".txt", ".md")):
        body = json.dumps({"name": file.name, "text": file.data.decode()}).encode()
        status, answer, _ = session.send("/api/documents", body, "application/json")
    else:
        form, kind = multipart({}, [("files", file.name, file.data)])
        status, answer, _ = session.send("/api/documents", form, kind)
    upload = Outcome(time.monotonic() - started, status, message_of(answer) if status != 201 else "stored")
    if status != 201:
        return upload, None
    new = json.loads(answer)["documents"][0]["id"]
    started = time.monotonic()
    status, answer, _ = session.send(f"/api/compare?a={new}&b={seed}")
    detail = message_of(answer) if status != 200 else ("degraded" if json.loads(answer)["degraded"] else "complete")
    return upload, Outcome(time.monotonic() - started, status, detail)


def through_form(session: Session, file: HostileFile, seed: int) -> tuple[Outcome, Outcome | None]:
    """Upload a file through the library's form, then open the compare page with the seed."""
    token = session.csrf_token()
    form, kind = multipart({"csrf_token": token}, [("files", file.name, file.data)])
    started = time.monotonic()
    status, answer, _ = session.send("/documents", form, kind)
    upload = Outcome(time.monotonic() - started, status, message_of(answer) if status != 303 else "stored")
    if status != 303:
        return upload, None
    _, listing, _ = session.send("/api/documents")
    new = max(d["id"] for d in json.loads(listing)["documents"] if d["name"] == file.name)
    started = time.monotonic()
    status, answer, _ = session.send(f"/compare?a={new}&b={seed}", headers={"HX-Request": "true"})
    detail = message_of(answer) if status != 200 else f"{len(answer) / 1e6:.1f} MB page"
    return upload, Outcome(time.monotonic() - started, status, detail)


def through_cli(file: HostileFile, folder: Path) -> Outcome:
    """Run ``doccompare align FILE SEED --format json``; return its time, exit code and message."""
    path = folder / file.name
    path.write_bytes(file.data)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "compare", "align", str(path), str(SEED_DIR / SEED_NAME),
                           "--format", "json"], cwd=REPO, capture_output=True, timeout=120)
    seconds = time.monotonic() - started
    if done.returncode == 0:
        return Outcome(seconds, 0, "degraded" if json.loads(done.stdout)["degraded"] else "complete")
    return Outcome(seconds, done.returncode, done.stderr.decode("utf-8", "replace").strip().replace(str(folder), "…"))


# --- the hostile client of the load benchmark -------------------------------------------------------


class HostileClient:
    """One client that keeps uploading the pathological inputs and comparing them with a seed."""

    def __init__(self, base: Callable[[], str], ledger: Ledger) -> None:
        self.base, self.ledger = base, ledger
        self.inputs = hostile_inputs()

    def run(self, until: float, stop: threading.Event | None = None) -> None:
        """Send inputs round-robin (each made unique, so no cache answers) until the deadline."""
        turn = 0
        while time.monotonic() < until and not (stop and stop.is_set()):
            file = unique(self.inputs[turn % len(self.inputs)])
            turn += 1
            session = Session(self.base(), timeout_s=60)
            try:
                seed = session.seed_id()
                path = through_form if turn % 2 else through_api
                upload, compared = path(session, file, seed)
                way = "form" if path is through_form else "API"
                self.ledger.record(f"{file.name} upload ({way}): {upload.status}", upload.seconds)
                if compared is not None:
                    self.ledger.record(f"{file.name} compare ({way}): {compared.status}", compared.seconds)
            except (OSError, ValueError, RuntimeError) as error:
                self.ledger.record(f"{file.name}: {type(error).__name__}", 0.0)


def main() -> int:
    """Print the table: each pathological input through the CLI, the upload form and the API."""
    import tempfile

    from benchmarks.service import ServerProcess

    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        server = ServerProcess(folder / "hostile.sqlite3", folder / "instance", folder / "server.log")
        server.start()
        try:
            session = Session(server.url)
            seed = session.seed_id()
            print("| input | CLI (`doccompare align` with a seed) | upload form, then compare page | API upload, "
                  "then `/api/compare` |")
            print("|---|---|---|---|")
            for web_file, cli_file in zip(hostile_inputs(WEB_MAX_CHARS), hostile_inputs(CLI_MAX_CHARS), strict=True):
                cli = through_cli(cli_file, folder)
                form = through_form(session, unique(web_file), seed)
                api = through_api(session, unique(web_file), seed)
                cells = [" → ".join(o.cell() for o in pair if o is not None) for pair in (form, api)]
                label = web_file.label if web_file.label == cli_file.label else f"{web_file.label} (CLI: over 20 M)"
                print(f"| {label} ({len(web_file.data):,} bytes) | {cli.cell()} | {cells[0]} | {cells[1]} |",
                      flush=True)
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
