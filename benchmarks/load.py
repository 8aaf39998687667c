"""Sustained load on the real server: concurrent clients upload, list and compare; nothing is lost.

``python -m web serve`` (waitress) runs as its own process on 127.0.0.1 with a real
SQLite file; client threads mix uploads (batches of 1-3 documents, JSON API),
listings (API and library page) and comparisons (API and compare page) for a fixed
time.  Afterwards: no request failed, no "database is locked" in any response or in
the server's log, and every acknowledged upload is present and intact, by content
hash, both in the file (opened directly) and through the API.

    .venv/bin/python -m benchmarks.load                      # LOAD_SECONDS (default 120) s, 8 clients
    .venv/bin/python -m benchmarks.load --seconds 10 --clients 4 --out ''   # print only
    .venv/bin/python -m benchmarks.load --hostile            # the same, with and without a hostile client

Prints p50/p95 latency per operation; the full run writes ``benchmarks/load_results.md``.
The short form runs in CI as ``tests/web/test_web_load.py``.

``--hostile`` measures isolation: rounds with the normal clients alone and
rounds where one more client keeps uploading the pathological inputs of
``benchmarks.hostile`` (900 KB of ``"..."``, near-duplicate paragraphs, runs of
marks, a Word file over the limit, PDF bombs) and comparing them with a seed,
alternately, each round on a fresh server; the normal clients must see no
error, and their p95 with the hostile client within ``HOSTILE_P95_RATIO`` of
their p95 without.  It writes ``benchmarks/hostile_load_results.md``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.hostile import HostileClient
from benchmarks.service import (
    LOCKED,
    Ledger,
    ServerProcess,
    audit_database,
    audit_service,
    latency_table,
    percentile,
    run_clients,
)

DEFAULT_SECONDS = 120.0
DEFAULT_CLIENTS = 8
RESULTS = Path(__file__).resolve().parent / "load_results.md"
HOSTILE_RESULTS = Path(__file__).resolve().parent / "hostile_load_results.md"
HOSTILE_ROUNDS = 4  # alternating rounds without and with the hostile client, each on a fresh server
HOSTILE_P95_RATIO = 1.5  # the normal clients' p95 with the hostile client, at most this times their p95 without


@dataclass
class LoadReport:
    """What a load run saw."""

    clients: int
    seconds: float
    server_threads: int | None
    ledger: Ledger
    problems: list[str] = field(default_factory=list)
    start_s: float = 0.0
    hostile: Ledger | None = None  # what the hostile client saw, when there was one

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.ledger.latencies.values())

    def markdown(self) -> str:
        """Return the run as a small Markdown report."""
        return "\n".join(
            [
                f"{self.clients} clients, {self.seconds:.0f} s, waitress with {self.server_threads or 'its default'} "
                "threads, "
                f"one SQLite file (WAL) on 127.0.0.1; {self.requests} successful requests "
                f"({self.requests / self.seconds:.1f}/s), {len(self.ledger.errors)} errors, "
                f"{len(self.ledger.acknowledged)} documents acknowledged, "
                f"{len(self.problems)} problems found afterwards; server up in {self.start_s:.2f} s.",
                "",
                latency_table(self.ledger),
            ]
        )


def run(clients: int, seconds: float, work_dir: Path, server_threads: int | None = None, seed: int = 0,
        hostile: bool = False) -> LoadReport:
    """Serve a fresh store from ``work_dir``, load it for ``seconds`` (with a hostile client too), then audit it."""
    server = ServerProcess(
        database=work_dir / "load.sqlite3", instance=work_dir / "instance", log_path=work_dir / "server.log",
        threads=server_threads,
    )
    ledger = Ledger()
    report = LoadReport(clients, seconds, server_threads, ledger, hostile=Ledger() if hostile else None)
    report.start_s = server.start()
    try:
        threads = run_clients(lambda: server.url, clients, seconds, ledger, seed=seed)
        if report.hostile is not None:
            attacker = HostileClient(lambda: server.url, report.hostile)
            threads.append(threading.Thread(target=attacker.run, args=(time.monotonic() + seconds,), daemon=True))
            threads[-1].start()
        for thread in threads:
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


@dataclass
class HostileComparison:
    """Rounds of the normal clients alone and with a hostile client, pooled by kind."""

    calm: list[LoadReport]
    hostile: list[LoadReport]

    @staticmethod
    def pooled(reports: list[LoadReport]) -> Ledger:
        ledger = Ledger()
        for report in reports:
            for operation, values in report.ledger.latencies.items():
                ledger.latencies[operation] += values
            ledger.errors += report.ledger.errors
        return ledger

    @staticmethod
    def p95(ledger: Ledger) -> float:
        return percentile([v for values in ledger.latencies.values() for v in values], 0.95)

    @property
    def ratio(self) -> float:
        return self.p95(self.pooled(self.hostile)) / self.p95(self.pooled(self.calm))

    @property
    def errors(self) -> list[str]:
        return [e for r in self.calm + self.hostile for e in r.ledger.errors + r.problems]

    def markdown(self) -> str:
        calm, hostile = self.pooled(self.calm), self.pooled(self.hostile)
        attacks = Ledger()
        for report in self.hostile:
            for operation, values in (report.hostile.latencies.items() if report.hostile else []):
                attacks.latencies[operation] += values
        rows = ["| operation | requests alone | p95 ms alone | requests with the hostile one | p95 ms with | ratio |",
                "|---|---|---|---|---|---|"]
        for operation in sorted(calm.latencies):
            a, b = calm.latencies[operation], hostile.latencies.get(operation, [])
            if a and b:
                rows.append(f"| {operation} | {len(a)} | {percentile(a, 0.95) * 1000:.0f} | {len(b)} | "
                            f"{percentile(b, 0.95) * 1000:.0f} | {percentile(b, 0.95) / percentile(a, 0.95):.2f} |")
        rows.append(f"| **all normal requests** | {sum(map(len, calm.latencies.values()))} | "
                    f"{self.p95(calm) * 1000:.0f} | {sum(map(len, hostile.latencies.values()))} | "
                    f"{self.p95(hostile) * 1000:.0f} | **{self.ratio:.2f}** |")
        return "\n".join([
            *rows, "",
            f"Normal clients' errors: {len(self.errors)} (target 0); p95 ratio {self.ratio:.2f} (target at most "
            f"{HOSTILE_P95_RATIO:g}).", "",
            "What the hostile client got (input, step, path: status):", "",
            latency_table(attacks),
        ])


def run_hostile(clients: int, seconds: float, work_dir: Path, seed: int = 0) -> HostileComparison:
    """Alternate rounds without and with the hostile client (``HOSTILE_ROUNDS`` in all), each on a fresh server."""
    comparison = HostileComparison([], [])
    for number in range(HOSTILE_ROUNDS):
        folder = work_dir / f"round-{number}"
        folder.mkdir()
        hostile = number % 2 == 1
        report = run(clients, seconds / HOSTILE_ROUNDS * 2, folder, seed=seed + number // 2, hostile=hostile)
        (comparison.hostile if hostile else comparison.calm).append(report)
    return comparison


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("LOAD_SECONDS", DEFAULT_SECONDS)))
    parser.add_argument("--clients", type=int, default=DEFAULT_CLIENTS)
    parser.add_argument("--threads", type=int, default=None, help="waitress threads (default: the server's)")
    parser.add_argument("--hostile", action="store_true", help="rounds with and without a hostile client")
    parser.add_argument("--out", default=None, help="Markdown file for the results ('' to only print)")
    args = parser.parse_args()
    started, load_average = time.strftime("%Y-%m-%d %H:%M"), os.getloadavg()[0]
    if args.hostile:
        with tempfile.TemporaryDirectory(prefix="compare-hostile-") as folder:
            comparison = run_hostile(args.clients, args.seconds, Path(folder))
        text = (
            f"# Load with a hostile client\n\n`python -m benchmarks.load --hostile --seconds {args.seconds:g} "
            f"--clients {args.clients}` at {started}, revision {revision()}, load average {load_average:.2f} at the "
            f"start ({os.getloadavg()[0]:.2f} at the end), {os.cpu_count()} cores: {HOSTILE_ROUNDS} rounds of "
            f"{args.seconds / HOSTILE_ROUNDS * 2:g} s each way in turn, {args.clients} normal clients, a fresh "
            f"server each round.\n\n{comparison.markdown()}\n"
        )
        print(text)
        for line in comparison.errors[:20]:
            print("PROBLEM:", line)
        out = HOSTILE_RESULTS if args.out is None else args.out
        if out:
            Path(out).write_text(text, encoding="utf-8")
        return 1 if comparison.errors or comparison.ratio > HOSTILE_P95_RATIO else 0
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
    out = RESULTS if args.out is None else args.out
    if out:
        Path(out).write_text(text, encoding="utf-8")
    return 1 if report.ledger.errors or report.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
