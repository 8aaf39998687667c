"""The Report page, its background jobs and exports, and the compare view's passage links."""

from __future__ import annotations

from flask.testing import FlaskClient
from web_support import seed_id


def test_compare_at_redirects_to_the_row_of_the_passage(client: FlaskClient) -> None:
    a, b = seed_id(client, "002"), seed_id(client, "004")
    text = client.get(f"/api/documents/{a}").get_json()["document"]["text"]
    start = text.index("innovative")
    response = client.get(f"/compare/at?a={a}&b={b}&start={start}&end={start + 10}")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith(f"/compare?a={a}&b={b}") and "#p" in location
    anchor = location.split("#")[1]
    page = client.get(location.split("#")[0]).get_data(as_text=True)
    cell = page[page.index(f'id="{anchor}"'):]
    assert "innovative" in cell[: cell.index("</div>")]


def test_compare_at_refuses_bad_offsets(client: FlaskClient) -> None:
    a, b = seed_id(client, "002"), seed_id(client, "004")
    for args, message in (("start=x", "character offsets"), ("start=9&end=3", "0 &lt;= start &lt;= end")):
        response = client.get(f"/compare/at?a={a}&b={b}&{args}")
        assert response.status_code == 400 and message in response.get_data(as_text=True)
