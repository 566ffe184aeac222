"""The pytest plugin behind the conformance suite.

Loaded automatically where multisock is installed (``pytest11`` entry point). It adds:

- ``--multisock-backend NAME`` (repeatable): the backends to check; default every installed one.
- ``--multisock-report FILE`` (repeatable): write the matrix as ``.json`` or ``.md``.
- ``--multisock-platform LABEL``: the platform name in the matrix columns.
- the ``requires("section:name", ...)`` marker: a test of something the backend does not
  declare is skipped as "unsupported by BACKEND"; something the platform lacks at run time is
  skipped as "unsupported here: why". Never a pass.
- hygiene around every conformance test: no file descriptor, thread or unclosed socket left
  behind, and a timeout so a hung backend fails instead of hanging the run.
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest

import multisock
from multisock.ioctls import IOCTLS
from multisock.options import OPTIONS
from multisock.registry import BackendInfo

from . import hygiene
from .flavours import BackendFlavour, Flavour, SocketFactory
from .matrix import UNSUPPORTED, UNSUPPORTED_HERE, Matrix, Result, classify_skip, status_of

BACKEND_FIXTURE: Final = "backend_name"
DEFAULT_TIMEOUT: Final = 60.0
_MATRIX_KEY = pytest.StashKey["MatrixCollector"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("multisock", "multisock conformance")
    group.addoption(
        "--multisock-backend",
        action="append",
        default=[],
        metavar="NAME",
        help="backend to check (repeatable); default: every installed backend",
    )
    group.addoption(
        "--multisock-report",
        action="append",
        default=[],
        metavar="FILE",
        help="write the feature matrix to FILE (.json or .md; repeatable)",
    )
    group.addoption(
        "--multisock-platform",
        default=None,
        metavar="LABEL",
        help="platform label for the matrix columns (default: sys.platform-pyX.Y)",
    )


def platform_label(config: pytest.Config) -> str:
    label = config.getoption("--multisock-platform")
    return label or f"{sys.platform}-py{sys.version_info[0]}.{sys.version_info[1]}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "requires(*features): 'section:name' capabilities the test needs, e.g. 'method:recv', "
        "'family:AF_UNIX', 'option:SO_LINGER'; the first names the matrix row",
    )
    collector = MatrixCollector(config)
    config.stash[_MATRIX_KEY] = collector
    config.pluginmanager.register(collector, "multisock-matrix")


def selected(config: pytest.Config) -> tuple[list[BackendInfo], list[BackendInfo]]:
    """(available, unavailable) backends selected for this run."""
    infos = {info.name: info for info in multisock.backends()}
    names = config.getoption("--multisock-backend") or list(infos)
    unknown = [n for n in names if n not in infos]
    if unknown:
        raise pytest.UsageError(
            f"--multisock-backend: not installed: {', '.join(unknown)} "
            f"(installed: {', '.join(infos) or 'none'})"
        )
    chosen = [infos[n] for n in dict.fromkeys(names)]
    return [i for i in chosen if i.available], [i for i in chosen if not i.available]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if BACKEND_FIXTURE in metafunc.fixturenames:
        available, _ = selected(metafunc.config)
        names = [info.name for info in available]
        metafunc.parametrize(BACKEND_FIXTURE, names, ids=names, scope="session")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _backend_of(item) is not None and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(DEFAULT_TIMEOUT))


def _backend_of(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get(BACKEND_FIXTURE) if callspec is not None else None


def _requirements(item: pytest.Item) -> list[str]:
    params = getattr(getattr(item, "callspec", None), "params", {})
    found: list[str] = []
    for marker in item.iter_markers("requires"):
        found.extend(str(arg).format(**params) for arg in marker.args)
    return found


def feature_of(item: pytest.Item) -> str:
    """The matrix row of a test: its first requirement, else its module."""
    requirements = _requirements(item)
    if requirements:
        return requirements[0]
    return "misc:" + item.nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")


def missing(info: BackendInfo, requirement: str) -> str | None:
    """Why ``info`` cannot run a test needing ``requirement``, as a skip reason, or None."""
    section, _, name = requirement.partition(":")
    declared = info.capabilities.features_matrix() if info.capabilities else {}
    if section in declared and name not in declared[section]:
        return f"{UNSUPPORTED}{info.name}: {section} {name} is not declared"
    if section == "option" and name in OPTIONS and not OPTIONS[name].available:
        return f"{UNSUPPORTED_HERE}{sys.platform} has no {name}"
    if section == "ioctl" and name in IOCTLS and not IOCTLS[name].available:
        return f"{UNSUPPORTED_HERE}{sys.platform} has no {name}"
    if section == "family" and not hasattr(socket, name):
        return f"{UNSUPPORTED_HERE}{sys.platform} has no {name}"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    backend = _backend_of(item)
    if backend is None:
        return
    item.user_properties.append(("multisock_backend", backend))
    item.user_properties.append(("multisock_feature", feature_of(item)))
    info = {i.name: i for i in multisock.backends()}[backend]
    for requirement in _requirements(item):
        reason = missing(info, requirement)
        if reason:
            pytest.skip(reason)


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def backend_info(backend_name: str) -> BackendInfo:
    """The backend under test, as ``multisock.backends()`` describes it."""
    return {i.name: i for i in multisock.backends()}[backend_name]


@pytest.fixture(scope="session")
def capabilities(backend_info: BackendInfo) -> multisock.Capabilities:
    assert backend_info.capabilities is not None
    return backend_info.capabilities


@pytest.fixture(scope="session")
def flavour(backend_name: str) -> Flavour:
    return BackendFlavour(backend_name)


@pytest.fixture
def sockets(flavour: Flavour) -> Iterator[SocketFactory]:
    """Makes sockets of the backend under test; closes them all after the test."""
    factory = SocketFactory(flavour)
    try:
        yield factory
    finally:
        factory.close_all()


@pytest.fixture
def unsupported_here() -> Any:
    """``unsupported_here(exc_or_text)``: skip as 'unsupported here: ...'."""

    def skip(why: BaseException | str) -> None:
        if isinstance(why, OSError) and why.errno is not None:
            code = errno.errorcode.get(why.errno, str(why.errno))
            winerror = getattr(why, "winerror", None)
            where = f"WinError {winerror}, " if winerror else ""
            why = f"{why.strerror} ({where}errno {why.errno} {code})"
        pytest.skip(f"{UNSUPPORTED_HERE}{why}")

    return skip


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A new directory with a short path, for AF_UNIX socket files (sun_path is ~104 bytes)."""
    # /tmp where writable: TMPDIR may be long (macOS), and a VM may mount /tmp read-only.
    short = "/tmp" if os.access("/tmp", os.W_OK) else None
    path = Path(tempfile.mkdtemp(prefix="ms-", dir=short))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(autouse=True)
def _multisock_hygiene(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a conformance test that leaves a descriptor, thread or unclosed socket behind."""
    if BACKEND_FIXTURE not in request.fixturenames:
        yield
        return
    with hygiene.watched() as problems:
        yield
    if problems:
        pytest.fail("hygiene: " + "; ".join(problems), pytrace=False)


# -- the matrix -------------------------------------------------------------------------------


class MatrixCollector:
    """Records each conformance test's outcome; prints and writes the matrix at the end."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.platform = platform_label(config)
        self.matrix = Matrix()
        self._state: dict[str, dict[str, Any]] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        if "multisock_backend" not in props:
            return
        state = self._state.setdefault(
            report.nodeid, {"outcome": "passed", "reason": None, **props}
        )
        if report.failed:
            state["outcome"] = "failed"
            state["reason"] = (
                f"{report.when}: {report.longreprtext.strip().splitlines()[-1][:300]}"
                if report.longreprtext
                else report.when
            )
        elif report.skipped and state["outcome"] != "failed":
            reason = _skip_reason(report)
            state["outcome"], state["reason"] = classify_skip(reason), reason
        if report.when == "teardown":
            self.matrix.add(
                Result(
                    test=report.nodeid.split("[")[0],
                    backend=state["multisock_backend"],
                    platform=self.platform,
                    feature=state["multisock_feature"],
                    outcome=state["outcome"],
                    reason=state["reason"],
                )
            )
            del self._state[report.nodeid]

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self.matrix.results and not self.config.getoption("--multisock-backend"):
            return
        available, unavailable = selected(self.config)
        self.matrix.backends = [status_of(i, self.platform) for i in available + unavailable]
        for target in self.config.getoption("--multisock-report"):
            path = Path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            text = self.matrix.to_json() if path.suffix == ".json" else self.matrix.to_markdown()
            path.write_text(text, encoding="utf-8")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.matrix.backends:
            return
        tr = terminalreporter
        tr.section("multisock conformance matrix")
        for line in self.matrix.to_text().splitlines():
            tr.write_line(line)
        for b in self.matrix.backends:
            if not b.available:
                tr.write_line(f"{b.name}: unavailable on {b.platform}: {b.reason}")
        for target in self.config.getoption("--multisock-report"):
            tr.write_line(f"report written: {target}")


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)
