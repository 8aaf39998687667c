"""Sustained load on the real server: concurrent clients upload, list and compare; nothing is lost.

``python -m web serve`` (waitress) runs as its own process on 127.0.0.1 with a real
SQLite file; client threads mix uploads (batches of 1-3 documents, JSON API),
listings (API and library page) and comparisons (API and compare page) for a fixed
time.  Afterwards: no request failed, no "database is locked" in any response or in
the server's log, and every acknowledged upload is present and intact, by content
hash, both in the file (opened directly) and through the API.

    .venv/bin/python -m benchmarks.load                      # LOAD_SECONDS (default 120) s, 8 clients
    .venv/bin/python -m benchmarks.load --seconds 10 --clients 4 --out ''   # print only

Prints p50/p95 latency per operation; the full run writes ``benchmarks/load_results.md``.
The short form runs in CI as ``tests/web/test_web_load.py``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.service import (
    LOCKED,
    Ledger,
    ServerProcess,
    audit_database,
    audit_service,
    latency_table,
    run_clients,
)

DEFAULT_SECONDS = 120.0
DEFAULT_CLIENTS = 8
RESULTS = Path(__file__).resolve().parent / "load_results.md"


@dataclass
class LoadReport:
    """What a load run saw."""

    clients: int
    seconds: float
    server_threads: int
    ledger: Ledger
    problems: list[str] = field(default_factory=list)
    start_s: float = 0.0

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.ledger.latencies.values())

    def markdown(self) -> str:
        """Return the run as a small Markdown report."""
        return "\n".join(
            [
                f"{self.clients} clients, {self.seconds:.0f} s, waitress with {self.server_threads} threads, "
                f"one SQLite file (WAL) on 127.0.0.1; {self.requests} successful requests "
                f"({self.requests / self.seconds:.1f}/s), {len(self.ledger.errors)} errors, "
                f"{len(self.ledger.acknowledged)} documents acknowledged, "
                f"{len(self.problems)} problems found afterwards; server up in {self.start_s:.2f} s.",
                "",
                latency_table(self.ledger),
            ]
        )


def run(clients: int, seconds: float, work_dir: Path, server_threads: int = 4, seed: int = 0) -> LoadReport:
    """Serve a fresh store from ``work_dir``, load it for ``seconds``, then audit it."""
    server = ServerProcess(
        database=work_dir / "load.sqlite3", instance=work_dir / "instance", log_path=work_dir / "server.log",
        threads=server_threads,
    )
    ledger = Ledger()
    report = LoadReport(clients, seconds, server_threads, ledger)
    report.start_s = server.start()
    try:
        for thread in run_clients(lambda: server.url, clients, seconds, ledger, seed=seed):
            thread.join(timeout=seconds + 120)
            if thread.is_alive():
                report.problems.append("a client did not finish within two minutes after the deadline")
        report.problems += audit_service(server.url, ledger.acknowledged)
    finally:
        server.stop()
    log = server.log_since()
    if LOCKED in log:
        report.problems.append(f"{LOCKED!r} in the server's log")
    if "Traceback" in log or "unexpected error" in log:
        report.problems.append(f"an error in the server's log: {log[-2000:]}")
    report.problems += audit_database(server.database, ledger.acknowledged)
    return report


def revision() -> str:
    """Return the git revision measured, marked -dirty if the tree has changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("LOAD_SECONDS", DEFAULT_SECONDS)))
    parser.add_argument("--clients", type=int, default=DEFAULT_CLIENTS)
    parser.add_argument("--threads", type=int, default=4, help="waitress worker threads")
    parser.add_argument("--out", default=str(RESULTS), help="Markdown file for the results ('' to only print)")
    args = parser.parse_args()
    started, load_average = time.strftime("%Y-%m-%d %H:%M"), os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="compare-load-") as folder:
        report = run(args.clients, args.seconds, Path(folder), server_threads=args.threads)
    text = (
        f"# Load run\n\n`python -m benchmarks.load --seconds {args.seconds:g} --clients {args.clients}` "
        f"at {started}, revision {revision()}, load average {load_average:.2f} at the start "
        f"({os.getloadavg()[0]:.2f} at the end), "
        f"{os.cpu_count()} cores.\n\n{report.markdown()}\n"
    )
    print(text)
    for line in (report.ledger.errors + report.problems)[:20]:
        print("PROBLEM:", line)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 1 if report.ledger.errors or report.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
