"""The README's example runs and prints what it says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_example_runs() -> None:
    (code,) = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    done = subprocess.run(
        [sys.executable, "-W", "error::ResourceWarning", "-c", code],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "ResourceWarning" not in done.stderr
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"posix host='127\.0\.0\.1' port=\d+", lines[0])
    assert lines[1] == "onoff=True seconds=5"
    assert lines[2] == (
        "bind(): invalid address port 70000: out of range; allowed: an integer 0..65535"
    )
