from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from compare import compare_documents, comparison_to_json, comparison_to_text
from compare.cli import main

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
S002, S004 = SEEDS / "002_3a6851b46bc49101.txt", SEEDS / "004_2baaef8fb25a8ccf.txt"


def test_alignment_json_schema_and_offsets(seeds) -> None:  # type: ignore[no-untyped-def]
    result = compare_documents(seeds["002"], seeds["004"])
    data = json.loads(json.dumps(comparison_to_json(result)))
    assert set(data) >= {"pairs", "a", "b", "a_only", "b_only", "summary", "degraded", "version"}
    text_a, text_b = seeds["002"].text, seeds["004"].text
    for pair in data["pairs"]:
        assert set(pair) == {"a", "b", "kind", "score", "moved", "edits", "ops"}
        assert pair["edits"] == sum(op["op"] != "equal" for op in pair["ops"])
        assert (pair["kind"] == "verbatim") == (pair["edits"] == 0)
        assert pair["kind"] in {"verbatim", "variant", "partial"}
        a0, a1 = pair["a"]
        b0, b1 = pair["b"]
        assert "".join(text_a[o["a"][0]:o["a"][1]] for o in pair["ops"]) == text_a[a0:a1]
        assert "".join(text_b[o["b"][0]:o["b"][1]] for o in pair["ops"]) == text_b[b0:b1]
    assert 0 < data["summary"]["shared_a"] <= 1


def test_text_rendering_marks_changes(seeds) -> None:  # type: ignore[no-untyped-def]
    text = comparison_to_text(compare_documents(seeds["002"], seeds["004"]))
    assert "[-innovative-]{+innovation+}" in text
    coloured = comparison_to_text(compare_documents(seeds["002"], seeds["004"]), color=True)
    assert "\x1b[" in coloured


def test_cli_align_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["align", str(S002), str(S004), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["pairs"] and data["a"]["name"] == S002.name


def test_cli_families_text(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(SEEDS / n) for n in ("000_4b4d1cb7ea2a3886.txt", "002_3a6851b46bc49101.txt",
                                      "004_2baaef8fb25a8ccf.txt")]
    assert main(["families", *files]) == 0
    assert "statement 1" in capsys.readouterr().out


def test_cli_bad_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert main(["align", str(binary), str(S004)]) == 2
    err = capsys.readouterr().err
    assert "photo.txt" in err and err.count("\n") == 1
    assert main(["align", str(tmp_path / "missing.txt"), str(S004)]) == 2
    assert "missing.txt" in capsys.readouterr().err


def test_cli_bad_usage_exits_2() -> None:
    with pytest.raises(SystemExit) as stop:
        main(["align", str(S002)])
    assert stop.value.code == 2
    assert main(["align", str(S002), str(S004), "--threshold", "7"]) == 2


def test_module_entry_point_runs() -> None:
    done = subprocess.run([sys.executable, "-m", "compare", "align", str(S002), str(S004), "--format", "json"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and json.loads(done.stdout)["pairs"]


def test_engine_never_imports_flask() -> None:
    code = "import sys, compare; assert not any(m.startswith('flask') for m in sys.modules), 'flask'"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
