"""Kill -9 the server again and again in the middle of uploads and comparisons; nothing is lost.

Each round starts ``python -m web serve`` (waitress, its own process) on the same
SQLite file, lets client threads upload batches and compare for a random moment,
then kills the server with SIGKILL.  After each kill the file, opened directly,
must pass SQLite's integrity check, hold every acknowledged document intact (by
hash), hold no half-written document and no batch in part; the next start must
answer within seconds (time to the first good answer is measured).  At the end
every acknowledged document is fetched through the API and checked by hash.

    .venv/bin/python -m benchmarks.crash                 # 10 rounds
    .venv/bin/python -m benchmarks.crash --rounds 3      # the CI form's size

The short form runs in CI as ``tests/web/test_web_crash.py``.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.load import revision
from benchmarks.service import BATCH_NAME, Ledger, ServerProcess, audit_database, audit_service, run_clients

DEFAULT_ROUNDS = 10
RESULTS = Path(__file__).resolve().parent / "crash_results.md"
START_TIMEOUT_S = 120.0  # generous: a loaded 2-core machine may be slow to start Python


@dataclass
class Round:
    """One round: how long the server took to answer, how long it ran, what the audit found."""

    number: int
    start_s: float
    ran_s: float
    acknowledged: int
    unacknowledged_stored: int
    killed_during: str  # the requests in flight at the kill
    problems: list[str]


@dataclass
class CrashReport:
    """All rounds, and the final check through the restarted service."""

    rounds: list[Round] = field(default_factory=list)
    final_start_s: float = 0.0
    final_problems: list[str] = field(default_factory=list)
    ledger: Ledger = field(default_factory=Ledger)

    @property
    def problems(self) -> list[str]:
        return [p for r in self.rounds for p in r.problems] + self.final_problems

    def markdown(self) -> str:
        lines = [
            "| round | answered after s | killed after s | in flight at the kill | acknowledged so far "
            "| stored, never acknowledged, so far | problems |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {r.number} | {r.start_s:.2f} | {r.ran_s:.2f} | {r.killed_during} | {r.acknowledged} "
            f"| {r.unacknowledged_stored} | {len(r.problems)} |"
            for r in self.rounds
        ]
        lines.append(
            f"\nFinal start answered after {self.final_start_s:.2f} s; {len(self.ledger.acknowledged)} acknowledged "
            f"documents fetched and checked by hash; {len(self.ledger.errors)} HTTP errors; "
            f"{len(self.problems)} problems."
        )
        return "\n".join(lines)


def unacknowledged_uploads(database: Path, acknowledged: set[int]) -> int:
    """Return how many load-test documents are stored that no client saw acknowledged (killed mid-answer)."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT id, name FROM documents").fetchall()
    return sum(1 for document_id, name in rows if BATCH_NAME.match(name) and document_id not in acknowledged)


def kill_mid_work(server: ServerProcess, ledger: Ledger, wait_s: float = 3.0) -> str:
    """Kill the server as soon as an upload and a comparison are in flight (or after ``wait_s``); say what was."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        with ledger.lock:
            if ledger.in_flight["upload"] and ledger.in_flight["compare"]:
                break
        time.sleep(0.001)
    with ledger.lock:
        server.kill()
        busy = {kind: count for kind, count in ledger.in_flight.items() if count}
    return ", ".join(f"{count} {kind}" for kind, count in sorted(busy.items())) or "nothing"


def run(rounds: int, work_dir: Path, clients: int = 4, seed: int = 0) -> CrashReport:
    """Run ``rounds`` start-load-kill rounds on one store in ``work_dir``; audit after each."""
    rng = random.Random(seed)
    server = ServerProcess(
        database=work_dir / "crash.sqlite3", instance=work_dir / "instance", log_path=work_dir / "server.log"
    )
    report = CrashReport()
    for number in range(1, rounds + 1):
        start_s = server.start(timeout_s=START_TIMEOUT_S)
        stop = threading.Event()
        began = time.monotonic()
        threads = run_clients(lambda: server.url, clients, 600, report.ledger, seed=seed + number, stop=stop,
                              tolerate_errors=True)
        time.sleep(rng.uniform(0.4, 1.6))
        killed_during = kill_mid_work(server, report.ledger)
        ran_s = time.monotonic() - began
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        acknowledged = dict(report.ledger.acknowledged)
        report.rounds.append(
            Round(number, start_s, ran_s, len(acknowledged),
                  unacknowledged_uploads(server.database, set(acknowledged)), killed_during,
                  audit_database(server.database, acknowledged))
        )
    report.final_start_s = server.start(timeout_s=START_TIMEOUT_S)
    try:
        report.final_problems = audit_service(server.url, report.ledger.acknowledged)
    finally:
        server.stop()
    report.final_problems += audit_database(server.database, report.ledger.acknowledged)
    report.final_problems += report.ledger.errors
    return report


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.crash", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--out", default=str(RESULTS), help="Markdown file for the results ('' to only print)")
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M")
    with tempfile.TemporaryDirectory(prefix="compare-crash-") as folder:
        report = run(args.rounds, Path(folder), clients=args.clients)
    text = (
        f"# Crash run\n\n`python -m benchmarks.crash --rounds {args.rounds} --clients {args.clients}` at {started}, "
        f"revision {revision()}: each round starts `python -m web serve`, loads it, and kills it with SIGKILL as "
        f"soon as an upload and a comparison are in flight.\n\n{report.markdown()}\n"
    )
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    for line in report.problems[:20]:
        print("PROBLEM:", line)
    return 1 if report.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
