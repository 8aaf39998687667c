"""Kill -9 the server process mid-work, again and again: the store stays whole and the service comes back.

The short form of ``benchmarks/crash.py`` (3 rounds; ``CRASH_ROUNDS=10`` for the long
form).  Strict on correctness (every round's audit is empty), generous on time:
the restarted server has two minutes to answer on a loaded machine, and is
expected to answer within 15 seconds.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from benchmarks import crash
from benchmarks.service import Acknowledged, audit_database, sha256
from web.store import NewDocument, Store

ROUNDS = int(os.environ.get("CRASH_ROUNDS", "3"))
BACK_WITHIN_S = 15.0


@pytest.mark.timeout(60 + ROUNDS * 150)
def test_kill_9_in_the_middle_of_work_loses_nothing(tmp_path: Path) -> None:
    report = crash.run(ROUNDS, tmp_path)
    print("\n" + report.markdown())
    assert len(report.rounds) == ROUNDS
    for round_ in report.rounds:
        assert round_.problems == [], (round_.number, round_.problems[:10])
        assert round_.start_s < BACK_WITHIN_S, f"round {round_.number}: answered after {round_.start_s:.1f} s"
    assert report.final_problems == [], report.final_problems[:10]
    assert report.final_start_s < BACK_WITHIN_S
    assert any("upload" in round_.killed_during for round_ in report.rounds), "a kill landed mid-upload"
    assert report.rounds[-1].acknowledged > 0, "the clients stored documents between the kills"


def test_the_audit_finds_lost_half_written_and_partial_documents(tmp_path: Path) -> None:
    """The audit used after each kill is not blind: each kind of damage is reported."""
    store = Store(tmp_path / "audited.sqlite3")
    store.initialize()
    whole = [NewDocument(f"load aaaaaaaaaaaa part {n} of 2.txt", f"text {n}") for n in (1, 2)]
    partial = [NewDocument("load bbbbbbbbbbbb part 1 of 3.txt", "text b1")]
    ids = store.add_documents(whole + partial)
    acknowledged = {i: Acknowledged(i, d.name, sha256(d.text)) for i, d in zip(ids, whole + partial, strict=True)}
    assert audit_database(store.path, {i: acknowledged[i] for i in ids[:2]}) == [
        "batch bbbbbbbbbbbb is stored in part: parts [1] of 3"
    ]
    with sqlite3.connect(store.path) as connection:
        connection.execute("UPDATE documents SET text = '' WHERE id = ?", (ids[0],))
    lost = Acknowledged(999, "load cccccccccccc part 1 of 1.txt", sha256("gone"))
    problems = audit_database(store.path, {**acknowledged, 999: lost})
    assert any("half-written" in p for p in problems)
    assert any("999" in p and "lost" in p for p in problems)
