"""The library's forms when something goes wrong: refusals on the library page with the forms kept,
each file's fate listed, deletion that asks first, and first lines that skip page noise."""

from __future__ import annotations

import io
import sqlite3
import threading
import time
from pathlib import Path

from flask.testing import FlaskClient
from web_support import csrf_token, make_app, seed_id

from tests.format_fixtures import make_docx, make_pdf
from web.documents import library_line


def upload(client: FlaskClient, files: list[tuple[bytes, str]]) -> object:
    data = {"csrf_token": csrf_token(client), "files": [(io.BytesIO(content), name) for content, name in files]}
    return client.post("/documents", data=data, content_type="multipart/form-data")


def stored_names(client: FlaskClient) -> list[str]:
    return [d["name"] for d in client.get("/api/documents").get_json()["documents"]]


def test_each_file_of_a_batch_has_its_fate_listed_in_order(client: FlaskClient) -> None:
    response = upload(client, [(b"First good file.", "one.txt"), (b"", "empty.txt"),
                               (b"Second good file.", "two.md"), (b"x", "tool.exe")])
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "2 of 4 files added" in html
    fates = [html.index(f"<strong>{name}</strong>") for name in ("one.txt", "empty.txt", "two.md", "tool.exe")]
    assert fates == sorted(fates)
    assert "<strong>empty.txt</strong>: the file is empty" in html
    assert "<strong>tool.exe</strong>: unsupported file type" in html
    names = stored_names(client)
    assert "one.txt" in names and "two.md" in names and "empty.txt" not in names and "tool.exe" not in names
    assert "one.txt" in html.split('id="documents"')[1]  # the table already lists what was added


def test_a_word_file_of_a_batch_is_read_in_a_worker_and_has_its_own_fate(tmp_path: Path) -> None:
    app = make_app(tmp_path, LIMITS={"workers": 1, "queue": 1})
    client = app.test_client()
    draft = make_docx(["A Word draft of the note, converted in a worker process."])
    pool = app.extensions["pools"].pool("heavy")
    holders = [threading.Thread(target=pool.run, args=(time.sleep, seconds),
                                kwargs={"deadline": time.monotonic() + 10, "label": "a long job"})
               for seconds in (3.0, 0.1)]
    for holder in holders:  # the one worker busy, the queue full: a conversion is refused, a text file is not
        holder.start()
        time.sleep(0.2)
    deadline = time.monotonic() + 5
    while (pool.running, pool.waiting) != (1, 1) and time.monotonic() < deadline:
        time.sleep(0.01)
    response = upload(client, [(b"A plain text note.", "plain.txt"), (draft, "draft.docx"), (b"x", "tool.exe")])
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    for holder in holders:
        holder.join()
    assert response.status_code == 200 and "1 of 3 files added" in html  # type: ignore[attr-defined]
    assert "<strong>draft.docx</strong>: the server is busy" in html
    assert "<strong>tool.exe</strong>: unsupported file type" in html
    assert "plain.txt" in stored_names(client) and "draft.docx" not in stored_names(client)
    response = upload(client, [(draft, "draft.docx")])  # the worker is free again
    assert response.status_code == 303 and "draft.docx" in stored_names(client)  # type: ignore[attr-defined]
    app.extensions["pools"].close()


def test_files_after_one_that_spent_the_time_budget_are_not_started(tmp_path: Path) -> None:
    client = make_app(tmp_path, LIMITS={"time_budget_s": 0.3}).test_client()
    slow = make_pdf([[f"Line {line} of page {page} of a long report." for line in range(20)] for page in range(500)])
    draft = make_docx(["A Word draft of the note."])
    started = time.monotonic()
    response = upload(client, [(b"A plain text note.", "plain.txt"), (slow, "slow.pdf"), (draft, "draft.docx")])
    seconds = time.monotonic() - started
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.status_code == 200 and "1 of 3 files added" in html  # type: ignore[attr-defined]
    assert "<strong>slow.pdf</strong>: " in html and "✗ not added</span> <strong>slow.pdf" in html
    assert "<strong>draft.docx</strong>: not read: the upload had used its whole time budget of 0.3 s" in html
    assert stored_names(client).count("plain.txt") == 1 and seconds < 3.0, seconds


def test_a_refused_paste_keeps_the_name_and_text_on_the_library_page(client: FlaskClient) -> None:
    response = client.post("/documents/paste", data={"csrf_token": csrf_token(client), "name": "my <notes>",
                                                     "text": "   "})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<h1>Library</h1>" in html and 'class="problem" role="alert"' in html and "the text is empty" in html
    assert 'value="my &lt;notes&gt;"' in html


def test_a_paste_with_an_expired_form_keeps_its_text(client: FlaskClient) -> None:
    client.get("/")
    text = "A long text the person typed & would hate to lose."
    response = client.post("/documents/paste", data={"csrf_token": "stale", "name": "draft", "text": text})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "form has expired" in html
    assert "A long text the person typed &amp; would hate to lose.</textarea>" in html
    assert "draft" not in stored_names(client)


def test_an_upload_over_the_request_limit_is_refused_on_the_library_page(tmp_path: Path) -> None:
    client = make_app(tmp_path, MAX_CONTENT_LENGTH=1024 * 1024).test_client()
    response = upload(client, [(b"a" * (1024 * 1024 + 10), "big.txt")])
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.status_code == 413  # type: ignore[attr-defined]
    assert "<h1>Library</h1>" in html and "at most 1 MB per upload" in html and 'name="files"' in html


def test_deleting_goes_through_the_confirmation_form(client: FlaskClient) -> None:
    document_id = seed_id(client, "001")
    page = client.get(f"/documents/{document_id}/delete?back=document").get_data(as_text=True)
    assert f'href="/documents/{document_id}"' in page  # "Keep it" goes back where the reader came from
    response = client.post(f"/documents/{document_id}/delete", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303
    assert client.get(f"/api/documents/{document_id}").status_code == 404
    assert client.get(f"/documents/{document_id}/delete").status_code == 404


def test_the_library_line_skips_page_noise() -> None:
    assert library_line("Type to search\n\n\nChina Opposes Global Rollback\n\nBody.") == "China Opposes Global Rollback"
    assert library_line("Related Pages\n\n<  1  2  3  >") == "Related Pages"  # all noise: the first line
    assert library_line("") == ""


def test_an_older_store_gets_its_first_lines_redone(tmp_path: Path) -> None:
    make_app(tmp_path)
    database = tmp_path / "compare.sqlite3"
    with sqlite3.connect(database) as connection:  # as a store of schema 2 wrote it
        connection.execute("UPDATE documents SET first_line = 'Type to search' WHERE name LIKE '000%'")
        connection.execute("PRAGMA user_version = 2")
    client = make_app(tmp_path).test_client()
    first_lines = {d["name"][:3]: d["first_line"] for d in client.get("/api/documents").get_json()["documents"]}
    assert first_lines["000"] == "China Opposes Global Rollback Attempts, Calls For Cooperation"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == 3


def test_a_refused_rename_shows_on_the_page_of_its_form(client: FlaskClient) -> None:
    document_id = seed_id(client, "002")
    token = csrf_token(client)
    on_page = client.post(f"/documents/{document_id}/rename", data={"csrf_token": token, "name": " ",
                                                                    "back": "document"})
    html = on_page.get_data(as_text=True)
    assert on_page.status_code == 400 and "the new name is empty" in html
    assert "<h1>002_3a6851b46bc49101.txt</h1>" in html and 'class="rename"' in html
    in_library = client.post(f"/documents/{document_id}/rename", data={"csrf_token": token, "name": " "})
    html = in_library.get_data(as_text=True)
    assert in_library.status_code == 400 and "<h1>Library</h1>" in html and "the new name is empty" in html
    unknown = client.post("/documents/9999/rename", data={"csrf_token": token, "name": "x"})
    assert unknown.status_code == 404
