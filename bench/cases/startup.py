"""Start-up: ``import multisock`` and a first socket, each round in a fresh interpreter.

Each subprocess times its own snippet with perf_counter, so interpreter start-up (the same
for every side) stays out of the figure. Subprocesses run from an empty directory, so they
import the installed multisock, not a source tree that happens to be the working directory,
and with bytecode writing allowed: users run from cached bytecode, and the warm-up rounds
write it.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile

from ..harness import Case, Contest, Sampler, Scale, Target, Unsupported

__all__ = ["FIRST_USE_CASE", "STARTUP", "STARTUP_INSTRUCTIONS"]

BASELINE = "import pydantic, pluggy"

FIRST_SOCKET = """
import multisock
s = multisock.Socket()
s.close()
"""

STDLIB_FIRST_SOCKET = """
import socket
s = socket.socket()
s.close()
"""

# Address validation, option validation, and the plugin machinery all used once.
FIRST_USE = """
import socket
{imports}
s = {factory}(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.connect(("127.0.0.1", 9))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.close()
"""

TIMED = """
import time
_start = time.perf_counter()
{body}
print((time.perf_counter() - _start) * 1e3)
"""


def _run(command: list[str], workdir: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, check=True, timeout=600
    )


def _sampler(body: str, workdir: str) -> Sampler:
    code = TIMED.format(body=body)

    def sample() -> float:
        done = _run([sys.executable, "-c", code], workdir)
        return float(done.stdout.strip().splitlines()[-1])

    return sample


def _workdir() -> str:
    path = tempfile.mkdtemp(prefix="multisock-bench-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def _prepare_startup(scale: Scale) -> Contest:
    workdir = _workdir()
    return Contest(
        stdlib=_sampler(BASELINE, workdir),
        multisock=_sampler(FIRST_SOCKET, workdir),
        floor=_sampler(STDLIB_FIRST_SOCKET, workdir),
        floor_note="import socket + first socket, fresh interpreter",
    )


STARTUP = Case(
    name="startup",
    title="import multisock + first socket, fresh interpreter",
    unit="ms",
    prepare=_prepare_startup,
    rounds=25,
    warmup=2,
    compare="difference",
    target=Target("<=", 30.0),
    baseline="import pydantic, pluggy",
)

_MULTISOCK_FIRST_USE = FIRST_USE.format(imports="import multisock", factory="multisock.Socket")
_STDLIB_FIRST_USE = FIRST_USE.format(imports="", factory="socket.socket")


def _prepare_first_use(scale: Scale) -> Contest:
    workdir = _workdir()
    return Contest(
        stdlib=_sampler(BASELINE, workdir),
        multisock=_sampler(_MULTISOCK_FIRST_USE, workdir),
        floor=_sampler(_STDLIB_FIRST_USE, workdir),
        floor_note="the same with the stdlib socket, fresh interpreter",
    )


FIRST_USE_CASE = Case(
    name="startup_first_use",
    title="import multisock + first UDP socket bound, connected, one option set",
    unit="ms",
    prepare=_prepare_first_use,
    rounds=15,
    warmup=2,
    compare="difference",
    baseline="import pydantic, pluggy",
)


def _instructions_sampler(valgrind: str, body: str, workdir: str) -> Sampler:
    _run([sys.executable, "-c", body], workdir)  # bytecode written before counting

    def sample() -> float:
        command = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null"]
        done = _run([*command, sys.executable, "-c", body], workdir)
        found = re.search(r"Collected : (\d+)", done.stderr)
        if found is None:
            raise RuntimeError(f"no instruction count in callgrind's output: {done.stderr!r}")
        return int(found.group(1)) / 1e6

    return sample


def _prepare_instructions(scale: Scale) -> Contest:
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise Unsupported("no valgrind here")
    if scale.quick:
        raise Unsupported("not in the smoke run: callgrind takes seconds a process")
    workdir = _workdir()
    return Contest(
        stdlib=_instructions_sampler(valgrind, BASELINE, workdir),
        multisock=_instructions_sampler(valgrind, FIRST_SOCKET, workdir),
        floor=_instructions_sampler(valgrind, STDLIB_FIRST_SOCKET, workdir),
        floor_note="import socket + first socket; counts include the interpreter's own start",
    )


# Instruction counts are deterministic: this machine's load cannot blur them, so they show
# what a change to start-up saves even when the wall-clock rows are noisy.
STARTUP_INSTRUCTIONS = Case(
    name="startup_instructions",
    title="import multisock + first socket, user-space instructions (callgrind)",
    unit="M instructions",
    prepare=_prepare_instructions,
    rounds=1,
    quick_rounds=1,
    warmup=0,
    compare="difference",
    baseline="import pydantic, pluggy",
)
