"""The multisock command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from multisock.cli import main


def test_backends_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backends"]) == 0
    out = capsys.readouterr().out
    assert "posix  (multisock" in out
    assert "winsock" in out
    assert "method " in out


def test_backends_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backends", "--json"]) == 0
    data = {b["name"]: b for b in json.loads(capsys.readouterr().out)}
    assert data["posix"]["available"] is True
    assert "recv" in data["posix"]["capabilities"]["method"]


def test_conformance_writes_reports_that_merge(tmp_path: Path) -> None:
    reports = [tmp_path / "a.json", tmp_path / "b.json"]
    for report, label in zip(reports, ("alpha", "beta"), strict=True):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "multisock",
                "conformance",
                "--backend",
                "posix",
                "--platform",
                label,
                "--report",
                str(report),
                "--report",
                str(report.with_suffix(".md")),
                "--",
                "-q",
                "-k",
                "test_sendto_recvfrom or UDP_CORK",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "multisock conformance matrix" in done.stdout
        assert "| `method:sendto` | pass 2/2 |" in report.with_suffix(".md").read_text()
    merged = tmp_path / "merged.md"
    assert main(["report", *map(str, reports), "--md", str(merged)]) == 0
    table = merged.read_text()
    assert "| feature | posix @ alpha | posix @ beta |" in table
    assert "| `option:UDP_CORK` | unsupported | unsupported |" in table
    data = json.loads(reports[0].read_text())
    assert {r["outcome"] for r in data["results"]} == {"passed", "unsupported"}
    assert all(r["platform"] == "alpha" for r in data["results"])


def test_report_rejects_other_json(tmp_path: Path) -> None:
    other = tmp_path / "x.json"
    other.write_text('{"schema": 99}')
    with pytest.raises(ValueError, match="not a multisock conformance report"):
        main(["report", str(other)])
