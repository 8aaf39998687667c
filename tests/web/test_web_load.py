"""Sustained load on the real server process: no error, no "database is locked", nothing lost.

The short form of ``benchmarks/load.py`` (4 clients for 6 s); ``LOAD_SECONDS=120``
runs the long form through this test too.  Latencies are printed (``pytest -s``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks import load

SECONDS = float(os.environ.get("LOAD_SECONDS", "6"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "4"))


@pytest.mark.timeout(SECONDS + 240)
def test_sustained_load_loses_nothing(tmp_path: Path) -> None:
    report = load.run(CLIENTS, SECONDS, tmp_path)
    print("\n" + report.markdown())
    assert report.ledger.errors == [], report.ledger.errors[:10]
    assert report.problems == [], report.problems[:10]
    operations = set(report.ledger.latencies)
    assert {"upload", "list", "list page", "compare", "compare page"} <= operations, operations
    assert len(report.ledger.acknowledged) >= 10, "the clients stored documents under load"
    database = tmp_path / "load.sqlite3"
    assert database.is_file() and (tmp_path / "server.log").is_file()
