"""Sessions: lint, types, tests (3.10-3.13), conformance per backend and platform, bench.

``nox`` runs every default session: what CI runs. ``nox -s conformance`` runs the suite for
every backend available here; ``nox -s wine`` and ``nox -s vm`` run it on Windows CPython
under Wine and on Debian's kernel in qemu; ``nox -s readme`` regenerates the README's
generated parts from the reports those sessions write to ``reports/``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).parent
REPORTS = ROOT / "reports"
PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
BACKENDS = ["posix", "linux_ext", "winsock"]
PACKAGES = [
    "multisock",
    "multisock_cpython",
    "multisock_posix",
    "multisock_winsock",
    "multisock_linux_ext",
    "multisock_conformance",
]

nox.options.sessions = ["lint", "types", "tests", "conformance", "examples", "wine", "vm"]
nox.options.reuse_existing_virtualenvs = True
nox.options.default_venv_backend = "venv"


def install(session: nox.Session, *extra: str) -> None:
    """The project as users get it: a regular (non-editable) install of the wheel."""
    session.install(".", *extra)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and formatting."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def types(session: nox.Session) -> None:
    """mypy --strict over the installed packages, the tests, tools and this file."""
    install(session, "mypy", "nox")
    session.install("--no-deps", "./examples/multisock-counting")
    args = [arg for package in [*PACKAGES, "multisock_counting"] for arg in ("-p", package)]
    # From outside the tree: the installed packages are what mypy must see.
    with session.chdir(session.create_tmp()):
        session.run("mypy", "--strict", *args)
    session.run(
        "mypy",
        "--strict",
        "--explicit-package-bases",
        "tests/core",
        "bench",
        "noxfile.py",
        "examples/multisock-counting/tests",
        *[str(p) for p in (ROOT / "tools").glob("*.py")],
    )


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The core tests, then the conformance suite for every backend available here."""
    install(session)
    session.run("pytest", "tests/core", *session.posargs)
    session.run("multisock", "conformance", "--", "-q")


@nox.session
def conformance(session: nox.Session) -> None:
    """The conformance matrix of every installed backend on this machine (reports/host.*)."""
    install(session)
    REPORTS.mkdir(exist_ok=True)
    session.run(
        "multisock",
        "conformance",
        "--platform",
        f"{sys.platform} host",
        "--report",
        str(REPORTS / "host.json"),
        "--report",
        str(REPORTS / "host.md"),
        "--",
        "-q",
        *session.posargs,
    )


@nox.session
@nox.parametrize("backend", BACKENDS)
def backend(session: nox.Session, backend: str) -> None:
    """The conformance suite for one backend: nox -s "backend(backend='posix')"."""
    install(session)
    session.run("multisock", "conformance", "--backend", backend, "--", "-q", *session.posargs)


@nox.session
def examples(session: nox.Session) -> None:
    """The example third-party backend, installed as its own distribution, passes the suite."""
    install(session)
    session.install("./examples/multisock-counting")
    session.run("multisock", "backends")
    session.run("multisock", "conformance", "--backend", "counting", "--", "-q")
    session.run("pytest", "examples/multisock-counting/tests", "-q")


@nox.session
def readme(session: nox.Session) -> None:
    """Regenerate the README's generated parts (matrix, benchmark table) from reports/."""
    install(session)
    session.run("python", "tools/readme.py")


# -- benchmarks (bench/) ----------------------------------------------------------------------
# Not a test: ``bench`` measures multisock against the stdlib on this machine and writes
# reports/bench.json and reports/bench.md for the README; ``bench_smoke`` runs every case tiny
# so CI sees the harness keep working. Neither asserts any timing.

nox.options.sessions.append("bench_smoke")


@nox.session
def bench(session: nox.Session) -> None:
    """The full benchmark (a few minutes): reports/bench.json and reports/bench.md."""
    install(session)
    REPORTS.mkdir(exist_ok=True)
    session.run(
        "python",
        "-m",
        "bench",
        "--json",
        str(REPORTS / "bench.json"),
        "--md",
        str(REPORTS / "bench.md"),
        *session.posargs,
    )


@nox.session
def bench_vm(session: nox.Session) -> None:
    """The AF_ALG case (SHA-256 against hashlib) on Debian's kernel in qemu: this machine's
    kernel may have no AF_ALG. Writes reports/bench-vm.json and reports/bench-vm.md."""
    install(session)
    python = Path(session.bin) / "python"
    run = (
        f"cd {ROOT} && {python} -m bench --only afalg_sha256 "
        f"--json {REPORTS / 'bench-vm.json'} --md {REPORTS / 'bench-vm.md'}"
    )
    session.run("python", "tools/vm.py", "--", "sh", "-c", run, external=True)


@nox.session
def bench_smoke(session: nox.Session) -> None:
    """Every benchmark case, tiny (seconds): checks they run and prints the table."""
    install(session)
    session.run("pytest", "-q", "bench")
    session.run("python", "-m", "bench", "--quick", *session.posargs)


# -- Windows CPython under Wine ----------------------------------------------------------------
# The winsock backend's own platform. tools/wine.py prepares Windows CPython 3.13 with the
# project and its dependencies as Windows wheels (cached in .work/wine/) and runs the suite.


@nox.session
def wine(session: nox.Session) -> None:
    """The winsock conformance suite on Windows CPython 3.13 under Wine (reports/wine.*).

    Installs Debian's wine64 and MinGW with apt-get when missing (as root). Where Windows
    CPython cannot be prepared it says "unsupported here: why" and passes, unless
    MULTISOCK_REQUIRE_WINE=1. Arguments after -- go to pytest (default -q).
    """
    session.install("pip", "packaging")
    dist = Path(session.create_tmp()) / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(dist), ".")
    (wheel,) = dist.glob("multisock-*.whl")
    REPORTS.mkdir(exist_ok=True)
    session.run(
        "python",
        str(ROOT / "tools" / "wine.py"),
        "--wheel",
        str(wheel),
        "--report",
        str(REPORTS / "wine.json"),
        "--report",
        str(REPORTS / "wine.md"),
        "--",
        *session.posargs,
    )


# -- vm: the conformance suite on Debian's stock kernel, in qemu ------------------------------
# The host kernel may lack what linux_ext serves (AF_ALG), so tools/vm.py boots Debian's kernel
# with this file system shared read-only; the suite writes its reports to reports/ through a
# writable share. Both backends run at once (the VM has two CPUs): TCG emulation is slow.

VM_BACKENDS = ["linux_ext", "posix"]


@nox.session
def vm(session: nox.Session) -> None:
    """The conformance suite for linux_ext and posix on Debian's kernel (reports/vm.*).

    AF_ALG must run and pass there. Where no VM can be prepared it says "unsupported here:
    why" and passes, unless MULTISOCK_REQUIRE_VM=1 (CI sets it).
    """
    install(session)
    REPORTS.mkdir(exist_ok=True)
    bindir = Path(session.bin)
    runs = []
    for name in VM_BACKENDS:
        report = REPORTS / "tmp" / f"vm-{name}.json"
        runs.append(
            f"{bindir / 'multisock'} conformance --backend {name} --platform '{{platform}}' "
            f"--report {report} -- -q -p no:randomly {' '.join(session.posargs)} "
            f'> "$TMPDIR/{name}.log" 2>&1 & pids="$pids $!"'
        )
    parts = [str(REPORTS / "tmp" / f"vm-{name}.json") for name in VM_BACKENDS]
    script = "; ".join(
        [
            'pids=""',
            *runs,
            "status=0",
            "for pid in $pids; do wait $pid || status=1; done",
            *(f'cat "$TMPDIR/{name}.log"' for name in VM_BACKENDS),
            f"{bindir / 'multisock'} report {' '.join(parts)} "
            f"--md {REPORTS / 'vm.md'} --json {REPORTS / 'vm.json'} || status=1",
            "exit $status",
        ]
    )
    session.run(
        "python",
        "tools/vm.py",
        "--report",
        str(REPORTS / "vm.json"),
        "--must-pass",
        "linux_ext:test_alg.py",
        "--",
        "sh",
        "-c",
        script,
        external=True,
    )
