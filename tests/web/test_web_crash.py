"""Kill -9 the server process mid-work, again and again: the store stays whole and the service comes back.

The short form of ``benchmarks/crash.py`` (3 rounds; ``CRASH_ROUNDS=10`` for the long
form).  Strict on correctness (every round's audit is empty), generous on time:
the restarted server has two minutes to answer on a loaded machine, and is
expected to answer within 15 seconds.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from benchmarks import crash

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
    acknowledged = [round_.acknowledged for round_ in report.rounds]
    assert acknowledged[0] > 0 and all(b > a for a, b in itertools.pairwise(acknowledged)), (
        f"every round stored documents before its kill: {acknowledged}"
    )
