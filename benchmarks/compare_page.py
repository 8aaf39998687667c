"""Response time of the compare page on the real server: the seed pairs and 004 against 004 repeated ten times.

``python -m web serve`` (waitress) runs as its own process on 127.0.0.1 with a fresh
SQLite file holding the seeds and two drafts of 004 (a copy with two word edits, and
004 repeated ten times).  For each pair the full page ``/compare?a=&b=`` is fetched
*cold* (the comparison cache emptied first, so the alignment runs) and then *cached*,
``--runs`` times; the medians are printed, as a Markdown table.

    .venv/bin/python -m benchmarks.compare_page              # 7 runs
    .venv/bin/python -m benchmarks.compare_page --runs 3
"""

from __future__ import annotations

import argparse
import itertools
import json
import sqlite3
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.service import ServerProcess

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def drafts_of_004() -> list[dict[str, str]]:
    """Return the two drafts of seed 004 the compare view is timed on."""
    text = (SEEDS / "004_2baaef8fb25a8ccf.txt").read_text(encoding="utf-8")
    edited = text.replace("will not change", "will change", 1).replace("27-28", "26-28")
    repeated = "\n\n".join([text.strip()] * 10)
    return [{"name": "004-edited.txt", "text": edited}, {"name": "004x10.txt", "text": repeated}]


def fetch_ms(url: str) -> tuple[float, int]:
    """Return the milliseconds to the last byte of a page, and its size."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        body = response.read()
    return (time.perf_counter() - started) * 1000, len(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        server = ServerProcess(database=folder / "bench.sqlite3", instance=folder / "instance",
                               log_path=folder / "server.log")
        server.start()
        try:
            request = urllib.request.Request(f"{server.url}/api/documents", data=json.dumps(drafts_of_004()).encode(),
                                             headers={"Content-Type": "application/json"})
            urllib.request.urlopen(request, timeout=60).read()
            with urllib.request.urlopen(f"{server.url}/api/documents", timeout=10) as response:
                listed = json.load(response)["documents"]
            ids = {d["name"][:3] if d["name"][3:4] == "_" else d["name"].removesuffix(".txt"): d["id"] for d in listed}
            pairs = [*itertools.permutations(["000", "001", "002", "003", "004"], 2),
                     ("004", "004-edited"), ("004", "004x10"), ("004x10", "004")]
            print("| A | B | cold (ms) | cached (ms) | page |\n|---|---|---:|---:|---:|")
            seed_rows = []
            for a, b in pairs:
                cold, cached, size = [], [], 0
                for _ in range(args.runs):
                    with sqlite3.connect(folder / "bench.sqlite3", timeout=30) as connection:
                        connection.execute("DELETE FROM comparisons")
                    cold.append(fetch_ms(f"{server.url}/compare?a={ids[a]}&b={ids[b]}")[0])
                    elapsed, size = fetch_ms(f"{server.url}/compare?a={ids[a]}&b={ids[b]}")
                    cached.append(elapsed)
                row = (statistics.median(cold), statistics.median(cached))
                if len(a) == len(b) == 3:
                    seed_rows.append(row)
                print(f"| {a} | {b} | {row[0]:.0f} | {row[1]:.0f} | {size / 1024:.0f} KB |", flush=True)
            print(f"\nseed pairs: cold median {statistics.median(r[0] for r in seed_rows):.0f} ms "
                  f"(slowest {max(r[0] for r in seed_rows):.0f}), cached median "
                  f"{statistics.median(r[1] for r in seed_rows):.0f} ms (slowest {max(r[1] for r in seed_rows):.0f})")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
