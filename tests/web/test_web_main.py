"""``python -m web serve``: the command line, and a real start on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from web.__main__ import parse_args

REPO = Path(__file__).resolve().parents[2]


def test_parse_defaults() -> None:
    args = parse_args(["serve"])
    assert (args.host, args.port, args.database, args.wsgi) == ("127.0.0.1", 5000, None, "waitress")


def test_parse_options() -> None:
    args = parse_args(
        ["serve", "--host", "0.0.0.0", "--port", "8080", "--database", "x.db", "--wsgi", "flask"]
    )
    assert (args.host, args.port, args.database, args.wsgi) == ("0.0.0.0", 8080, "x.db", "flask")


def test_unknown_server_is_refused() -> None:
    with pytest.raises(SystemExit):
        parse_args(["serve", "--wsgi", "gunicorn"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("wsgi", ["waitress", "flask"])
def test_serve_starts_seeds_and_answers(tmp_path: Path, wsgi: str) -> None:
    port, database = free_port(), tmp_path / "served.sqlite3"
    env = {**os.environ, "FLASK_SECRET_KEY": "subprocess test"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "web",
            "serve",
            "--port",
            str(port),
            "--database",
            str(database),
            "--wsgi",
            wsgi,
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline, body = time.monotonic() + 30, b""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    body = response.read()
                    break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"server exited: {process.stderr.read().decode() if process.stderr else ''}")
                time.sleep(0.1)
        assert b"004_2baaef8fb25a8ccf.txt" in body
        assert database.exists()
    finally:
        process.terminate()
        process.wait(timeout=10)
