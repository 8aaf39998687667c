"""Pathological inputs: each finishes within the time budget (degraded if it cut corners) or is refused.

The inputs, built here and in ``benchmarks.hostile``: one 5 MB line, 200,000
one-word paragraphs, 10,000 identical paragraphs, two unrelated 1 MB
documents, 900 KB of ``"..."``, 5,000 near-duplicate paragraphs, runs of
quotation marks, dots and Markdown markers, a Word file over the text limit,
PDF decompression bombs.  Each goes through the engine
(``compare_documents``), the command line and the web (upload and compare).
The engine may overrun its cooperative budget; the command line and the web
may not: they answer within the budget plus a second (``ANSWER_S``), with the
result, or a refusal that names the documents and the reason.  A refusal
before any work comes at once.  The tests use a 3 s budget to stay quick; the
web's default is 10 s.
"""

from __future__ import annotations

import io
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.hostile import docx_with_text, dots, emphasis_run, hostile_inputs, near_duplicates, quotes
from compare import TIME_BUDGET_S, Document, Options, compare_documents
from compare.cli import build_parser, main

BUDGET_S = 3.0
MARGIN_S = 2.0  # a shared 2-core machine: the engine polls its budget between steps
REFUSAL_S = 1.0  # a refusal happens before any real work
ANSWER_S = BUDGET_S + 1.0 + 0.5  # the hard deadline (budget + 1 s), and a little for a busy machine
SERIALIZE_S = 1.0  # the API's JSON of a finished result is made in the server's thread: ~1 s per 180,000 segments

sys.path.insert(0, str(Path(__file__).parent / "web"))


def one_long_line(size: int = 5_000_000) -> str:
    return ("lorem " * (size // 6 + 1))[:size]


def one_word_paragraphs(count: int = 200_000, seed: int = 1) -> str:
    rng = random.Random(seed)
    return "\n\n".join(f"w{rng.randrange(10**6)}" for _ in range(count))


def identical_paragraphs(count: int = 10_000) -> str:
    return "\n\n".join(["The same paragraph is repeated here again and again."] * count)


def unrelated_document(seed: int, size: int = 1_000_000) -> str:
    rng = random.Random(seed)
    vocabulary = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))
                  for _ in range(5_000)]
    sentences, length = [], 0
    while length < size:
        sentence = " ".join(rng.choice(vocabulary) for _ in range(15)).capitalize() + "."
        sentence += "\n\n" if rng.random() < 0.2 else " "
        sentences.append(sentence)
        length += len(sentence)
    return "".join(sentences)[:size]


SMALL = "A short note on the weather. It rained all day."
CASES: dict[str, Callable[[], tuple[str, str]]] = {
    "one 5 MB line": lambda: (one_long_line(), one_long_line()),
    "one 5 MB line against a note": lambda: (one_long_line(), SMALL),
    "200,000 one-word paragraphs": lambda: (one_word_paragraphs(), one_word_paragraphs(seed=2)),
    "200,000 one-word paragraphs against a note": lambda: (one_word_paragraphs(), SMALL),
    "10,000 identical paragraphs": lambda: (identical_paragraphs(), identical_paragraphs()),
    "two unrelated 1 MB documents": lambda: (unrelated_document(1), unrelated_document(2)),
}


def finishes_or_refuses(a: str, b: str, budget: float) -> tuple[str, float, str]:
    """Run the engine; return ("done" or "refused", seconds, degraded flag or message)."""
    started = time.monotonic()
    try:
        result = compare_documents(Document("a.txt", a), Document("b.txt", b), Options(time_budget_s=budget))
    except ValueError as error:
        return "refused", time.monotonic() - started, str(error)
    return "done", time.monotonic() - started, "degraded" if result.degraded else "complete"


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_engine_finishes_within_the_budget_or_refuses_at_once(case: str) -> None:
    a, b = CASES[case]()
    outcome, seconds, detail = finishes_or_refuses(a, b, BUDGET_S)
    if outcome == "refused":
        assert seconds < REFUSAL_S, f"{case}: refused after {seconds:.1f} s"
        assert "a.txt" in detail and "b.txt" in detail and "time budget of 3 s" in detail, detail
    else:  # the engine's budget is cooperative (the hard stop is the caller's): a late result must say so
        assert seconds < BUDGET_S + MARGIN_S or detail == "degraded", f"{case}: {seconds:.1f} s, {detail}"


def test_what_the_budget_cannot_afford_is_refused_with_the_reason() -> None:
    """The shapes the 3 s budget cannot afford are refused before any work: too many characters or segments."""
    for a, b, reason in [
        (one_long_line(), SMALL, "characters together"),
        ("\n\n".join(["ab"] * 100_000), SMALL, "sentences together"),  # few characters, many segments
    ]:
        outcome, seconds, message = finishes_or_refuses(a, b, BUDGET_S)
        assert outcome == "refused" and reason in message and seconds < REFUSAL_S, (outcome, seconds, message)


@pytest.mark.slow
def test_identical_paragraphs_pair_within_the_budget() -> None:
    a = identical_paragraphs()
    outcome, seconds, detail = finishes_or_refuses(a, a, BUDGET_S)
    assert outcome == "done" and (seconds < BUDGET_S + MARGIN_S or detail == "degraded"), (seconds, detail)


@pytest.mark.slow
def test_two_unrelated_1mb_documents_finish_with_the_service_budget() -> None:
    """With the web's default 10 s budget, two unrelated 1 MB documents are compared (about 2 s here)."""
    outcome, _, detail = finishes_or_refuses(unrelated_document(1), unrelated_document(2), 10.0)
    assert outcome == "done", detail  # not refused: the service's budget affords them (the time is the CLI's test)


# ---- the command line: one line on stderr, exit 2 ----


@pytest.mark.parametrize("make", [one_long_line, one_word_paragraphs])
def test_cli_refuses_in_one_line_with_exit_2(
    make: Callable[[], str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big, note = tmp_path / "big.txt", tmp_path / "note.txt"
    big.write_text(make(), encoding="utf-8")
    note.write_text(SMALL, encoding="utf-8")
    started = time.monotonic()
    code = main(["align", str(big), str(note), "--time-budget", str(BUDGET_S)])
    seconds = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 2 and seconds < REFUSAL_S + 1.0  # reading the file is part of it
    assert err.count("\n") == 1 and "big.txt" in err and "time budget" in err and "Traceback" not in err


@pytest.mark.slow
def test_cli_compares_identical_paragraphs_within_the_budget(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "same.txt"
    path.write_text(identical_paragraphs(), encoding="utf-8")
    started = time.monotonic()
    code = main(["align", str(path), str(path), "--time-budget", str(BUDGET_S), "--format", "json"])
    assert time.monotonic() - started < ANSWER_S
    out, err = capsys.readouterr()
    assert (code == 0 and '"pairs"' in out) or (code == 2 and "did not finish within the time budget" in err)


def test_cli_stops_what_runs_past_the_budget_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """900 KB of one-mark sentences on both sides: segmentation alone outlasts a 1.5 s budget; stopped at it."""
    path = tmp_path / "dots.txt"
    path.write_text(dots(360_000), encoding="utf-8")
    started = time.monotonic()
    code = main(["align", str(path), str(path), "--time-budget", "1.5"])
    seconds = time.monotonic() - started
    err = capsys.readouterr().err
    assert seconds < 1.5 + 1.0, seconds
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert "dots.txt and" in err and "did not finish within the time budget of 1.5 s" in err and "--time-budget" in err


def test_the_command_line_and_the_service_share_one_budget() -> None:
    from web.limits import Limits

    args = build_parser().parse_args(["align", "a.txt", "b.txt"])
    assert args.time_budget is None and Options().time_budget_s == TIME_BUDGET_S == Limits().time_budget_s == 10.0


# ---- the web: refused at upload, or compared within the service's budget ----


@pytest.fixture
def web_client(tmp_path: Path):  # type: ignore[no-untyped-def]
    from web_support import make_app

    return make_app(tmp_path, LIMITS={"time_budget_s": BUDGET_S}).test_client()


def post(client, name: str, text: str):  # type: ignore[no-untyped-def]
    return client.post("/api/documents", json={"name": name, "text": text})


@pytest.mark.parametrize(
    ("make", "reason"),
    [(one_long_line, "characters is over the limit"), (one_word_paragraphs, "paragraphs is over the limit")],
)
def test_web_refuses_at_upload_naming_the_file(web_client, make: Callable[[], str], reason: str) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    response = post(web_client, "hostile.txt", make())
    assert time.monotonic() - started < REFUSAL_S + 1.0
    assert response.status_code == 413
    message = response.get_json()["error"]["message"]
    assert "hostile.txt" in message and reason in message


@pytest.mark.slow
def test_web_compares_identical_paragraphs_within_the_budget(web_client) -> None:  # type: ignore[no-untyped-def]
    document_id = post(web_client, "same.txt", identical_paragraphs()).get_json()["documents"][0]["id"]
    started = time.monotonic()
    response = web_client.get(f"/compare?a={document_id}&b={document_id}", headers={"HX-Request": "true"})
    assert time.monotonic() - started < ANSWER_S
    body = response.get_data(as_text=True)
    assert response.status_code == 200 or (response.status_code == 422 and "same.txt and same.txt" in body and any(
        reason in body for reason in ("did not finish within the time budget of 3 s", "more than this page can show",
                                      "cannot be compared within the time budget")))


HOSTILE_TEXTS = {
    "900 KB of one-mark sentences": lambda: dots(),
    "5,000 near-duplicate paragraphs": lambda: near_duplicates(),
    "600 KB of quotation marks": lambda: quotes(),
    "600 KB of opening guillemets": lambda: "«" * 600_000,
    "a run of 300,000 emphasis markers": lambda: emphasis_run(),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(HOSTILE_TEXTS))
def test_web_answers_hostile_texts_within_the_budget(web_client, case: str) -> None:  # type: ignore[no-untyped-def]
    """Against a seed and against itself, through the API and the page: an answer within the budget and a second."""
    new = post(web_client, "hostile.txt", HOSTILE_TEXTS[case]()).get_json()["documents"][0]["id"]
    seed = next(d["id"] for d in web_client.get("/api/documents").get_json()["documents"] if d["name"][:3] == "004")
    for url, slack in ((f"/api/compare?a={new}&b={seed}", SERIALIZE_S), (f"/compare?a={new}&b={new}", 0.0)):
        started = time.monotonic()
        response = web_client.get(url, headers={"HX-Request": "true"})
        seconds = time.monotonic() - started
        body = response.get_data(as_text=True)
        assert seconds < ANSWER_S + slack, f"{case}, {url}: {seconds:.1f} s"
        assert response.status_code in (200, 422), (case, url, response.status_code, body[:300])
        assert response.status_code == 200 or "hostile.txt" in body, body[:300]


@pytest.mark.parametrize("name", ["long.docx", "bomb.pdf", "bomb2.pdf", "bomb3.pdf"])
def test_web_refuses_converted_bombs_at_once(web_client, name: str) -> None:  # type: ignore[no-untyped-def]
    """A Word file over the text limit and PDF bombs: refused while they inflate, within a second."""
    file = next(f for f in hostile_inputs() if f.name == name)
    warm_up = web_client.post("/api/documents", data={"files": (io.BytesIO(docx_with_text(10)), "warm.docx")})
    assert warm_up.status_code == 201  # a worker process is started (the server starts them before serving)
    started = time.monotonic()
    response = web_client.post("/api/documents", data={"files": (io.BytesIO(file.data), file.name)})
    assert time.monotonic() - started < REFUSAL_S
    message = response.get_json()["error"]["message"]
    assert response.status_code == 413 and file.name in message, message
    assert "decompression bomb" in message or "longer than 2,000,000 characters" in message


@pytest.mark.slow
def test_web_refuses_two_unrelated_1mb_documents_fast_on_a_small_budget(web_client) -> None:  # type: ignore[no-untyped-def]
    ids = [post(web_client, f"{n}.txt", unrelated_document(n)).get_json()["documents"][0]["id"] for n in (1, 2)]
    started = time.monotonic()
    page = web_client.get(f"/compare?a={ids[0]}&b={ids[1]}", headers={"HX-Request": "true"})
    api = web_client.get(f"/api/compare?a={ids[0]}&b={ids[1]}")
    assert time.monotonic() - started < 2 * REFUSAL_S
    assert page.status_code == api.status_code == 422
    assert "1.txt and 2.txt" in api.get_json()["error"]["message"]
    assert '<form class="controls"' in page.get_data(as_text=True)  # the controls stay to pick smaller documents
