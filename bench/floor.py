"""The C floor: bench/floor.c, compiled once per run when a C compiler is present."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .harness import Sampler

__all__ = ["floor_sampler"]

SOURCE = Path(__file__).with_name("floor.c")


def floor_sampler(*args: str, factor: float = 1.0) -> tuple[Sampler | None, str]:
    """A sampler running ``floor ARGS`` (its output times ``factor``), or None and why not."""
    binary = _build()
    if isinstance(binary, str):
        return None, binary

    def sample() -> float:
        done = subprocess.run(
            [str(binary), *args], capture_output=True, text=True, check=True, timeout=300
        )
        return float(done.stdout) * factor

    return sample, ""


@functools.cache
def _build() -> Path | str:
    """The compiled program, or why there is none (no compiler, or it failed)."""
    compiler = os.environ.get("CC") or next(
        (found for name in ("cc", "gcc", "clang") if (found := shutil.which(name))), None
    )
    if compiler is None:
        return "no C compiler here"
    workdir = Path(tempfile.mkdtemp(prefix="multisock-bench-"))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    binary = workdir / "floor"
    try:
        subprocess.run(
            [compiler, "-O2", "-o", str(binary), str(SOURCE)],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        return f"the C floor did not build: {detail.strip().splitlines()[-1:]}"
    return binary
