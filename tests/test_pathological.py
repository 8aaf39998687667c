"""Pathological inputs: each finishes within the time budget (degraded if it cut corners) or is refused at once.

The inputs of the issue, built here: one 5 MB line, 200,000 one-word
paragraphs, 10,000 identical paragraphs, two unrelated 1 MB documents.  Each
goes through the engine (``compare_documents``), the command line and the web
(upload and compare); the wall time must stay under the budget plus a small
margin, and a refusal must come fast and name the documents and the reason.
The tests use a 3 s budget to stay quick; the web's default is 10 s.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from compare import Document, Options, compare_documents
from compare.cli import main

BUDGET_S = 3.0
MARGIN_S = 2.0  # a shared 2-core machine: the engine polls its budget between steps
REFUSAL_S = 1.0  # a refusal happens before any real work

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
    else:
        assert seconds < BUDGET_S + MARGIN_S, f"{case}: {seconds:.1f} s on a {BUDGET_S:g} s budget ({detail})"


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
    outcome, seconds, _ = finishes_or_refuses(a, a, BUDGET_S)
    assert outcome == "done" and seconds < BUDGET_S + MARGIN_S


@pytest.mark.slow
def test_two_unrelated_1mb_documents_finish_with_the_service_budget() -> None:
    """With the web's default 10 s budget, two unrelated 1 MB documents are compared (about 2 s here)."""
    outcome, seconds, _ = finishes_or_refuses(unrelated_document(1), unrelated_document(2), 10.0)
    assert outcome == "done" and seconds < 10.0 + MARGIN_S


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
    assert main(["align", str(path), str(path), "--time-budget", str(BUDGET_S), "--format", "json"]) == 0
    assert time.monotonic() - started < BUDGET_S + MARGIN_S
    assert '"pairs"' in capsys.readouterr().out


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
    assert response.status_code == 200
    assert time.monotonic() - started < BUDGET_S + MARGIN_S + 2.0  # plus rendering 10,000 rows


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
