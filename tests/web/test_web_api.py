"""The JSON API: documents in and out, alignment JSON, JSON errors, cross-site refusal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from web_support import make_app, seed_id


def test_list_documents(client: FlaskClient) -> None:
    response = client.get("/api/documents")
    documents = response.get_json()["documents"]
    assert response.status_code == 200 and len(documents) == 5
    assert {"id", "name", "size", "sha256", "first_line", "created_at", "url"} <= set(documents[0])
    assert "text" not in documents[0]


def test_get_document_with_text(client: FlaskClient) -> None:
    document_id = seed_id(client, "002")
    document = client.get(f"/api/documents/{document_id}").get_json()["document"]
    assert document["id"] == document_id and document["text"].startswith("The Central Foreign Affairs")


def test_unknown_document_is_json_404(client: FlaskClient) -> None:
    response = client.get("/api/documents/999")
    assert response.status_code == 404
    assert response.get_json() == {"error": {"status": 404, "message": "there is no document with id 999"}}


def test_unknown_api_route_is_json_404(client: FlaskClient) -> None:
    response = client.get("/api/nope")
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404


def test_post_one_json_document(client: FlaskClient) -> None:
    response = client.post("/api/documents", json={"name": "note.txt", "text": "Hello there."})
    assert response.status_code == 201
    (document,) = response.get_json()["documents"]
    assert document["name"] == "note.txt" and document["size"] == 12
    assert client.get(document["url"]).get_json()["document"]["text"] == "Hello there."


def test_post_a_batch_is_all_or_nothing(client: FlaskClient) -> None:
    response = client.post(
        "/api/documents",
        json={"documents": [{"name": "ok.txt", "text": "fine"}, {"name": "bad.txt", "text": "  "}]},
    )
    assert response.status_code == 422  # well-formed, but an empty text cannot be stored
    assert "bad.txt" in response.get_json()["error"]["message"]
    assert len(client.get("/api/documents").get_json()["documents"]) == 5


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "not valid JSON"),
        ("[]", "send {"),
        ('{"name": "x", "text": 5}', "must be strings"),
        ("[1]", "expected an object"),
    ],
)
def test_post_bad_json_is_400(client: FlaskClient, body: str, message: str) -> None:
    response = client.post("/api/documents", data=body, content_type="application/json")
    assert response.status_code == 400 and message in response.get_json()["error"]["message"]


def test_post_multipart_files(client: FlaskClient) -> None:
    response = client.post(
        "/api/documents",
        data={"file": [(io.BytesIO(b"One."), "1.txt"), (io.BytesIO(b"Two."), "2.md")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    assert [d["name"] for d in response.get_json()["documents"]] == ["1.txt", "2.md"]


def test_post_binary_file_is_json_422_naming_it(client: FlaskClient) -> None:
    data = {"file": [(io.BytesIO(b"\x00\x01\x02\xff" * 100), "blob.txt")]}
    response = client.post("/api/documents", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and "blob.txt" in response.get_json()["error"]["message"]


def test_post_too_large_is_json_413(tmp_path: Path) -> None:
    client = make_app(tmp_path, MAX_CONTENT_LENGTH=1000).test_client()
    response = client.post("/api/documents", json={"name": "big", "text": "x" * 2000})
    assert response.status_code == 413 and "too large" in response.get_json()["error"]["message"]


def test_post_other_content_type_is_415(client: FlaskClient) -> None:
    response = client.post(
        "/api/documents", data="name=x&text=y", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415 and response.get_json()["error"]["status"] == 415
    response = client.post("/api/documents", data='{"name": "x", "text": "y"}', content_type="text/plain")
    assert response.status_code == 415


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}],
)
def test_cross_site_post_is_refused(client: FlaskClient, headers: dict[str, str]) -> None:
    data = {"file": [(io.BytesIO(b"Forged."), "forged.txt")]}
    response = client.post("/api/documents", data=data, content_type="multipart/form-data", headers=headers)
    assert response.status_code == 403
    assert len(client.get("/api/documents").get_json()["documents"]) == 5


def test_same_origin_post_is_accepted(client: FlaskClient) -> None:
    headers = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    response = client.post("/api/documents", json={"name": "x", "text": "y"}, headers=headers)
    assert response.status_code == 201


def test_compare_returns_alignment_json(client: FlaskClient) -> None:
    a, b = seed_id(client, "002"), seed_id(client, "004")
    data = client.get(f"/api/compare?a={a}&b={b}").get_json()
    assert data["pairs"] and data["a"]["name"].startswith("002_") and data["b"]["name"].startswith("004_")
    assert data["summary"]["shared_a"] > 0
    for pair in data["pairs"]:
        assert pair["a"][0] <= pair["a"][1] and pair["b"][0] <= pair["b"][1]
    strict = client.get(f"/api/compare?a={a}&b={b}&threshold=0.9").get_json()
    assert len(strict["pairs"]) <= len(data["pairs"])


def test_compare_errors_are_json(client: FlaskClient) -> None:
    assert client.get("/api/compare?a=1").get_json()["error"]["message"].startswith("missing parameter b")
    response = client.get("/api/compare?a=1&b=999")
    assert response.status_code == 404 and response.is_json


def test_method_not_allowed_is_json(client: FlaskClient) -> None:
    response = client.delete("/api/documents")
    assert response.status_code == 405 and response.is_json
