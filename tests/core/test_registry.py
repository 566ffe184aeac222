"""Discovery (entry points + pluggy), backend choice, and Socket() dispatch."""

from __future__ import annotations

import errno
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import multisock
from multisock.registry import ENV_VAR, REGISTRY, Registry
from multisock_posix import CAPABILITIES, PosixBackend, PosixSocket

LINUX = sys.platform.startswith("linux")


def test_import_loads_no_plugin() -> None:
    code = (
        "import sys, multisock\n"
        "print(sorted(m for m in sys.modules if m.startswith('multisock_')))\n"
        "s = multisock.Socket(); s.close()\n"
        "print('multisock_posix' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after = out.stdout.splitlines()
    assert before == "[]"
    assert after == "True"


def test_builtin_backends_register_through_entry_points() -> None:
    infos = {info.name: info for info in multisock.backends()}
    assert {"posix", "winsock", "linux_ext"} <= set(infos)
    for name in ("posix", "winsock", "linux_ext"):
        assert infos[name].distribution == "multisock"
        assert infos[name].version == multisock.__version__
        assert infos[name].capabilities is not None
    assert infos["winsock"].available is (sys.platform == "win32")
    if sys.platform != "win32":
        assert "only on Windows" in (infos["winsock"].reason or "")
    assert infos["posix"].counts()["method"] == len(infos["posix"].capabilities.methods)  # type: ignore[union-attr]


def test_available_backends_come_first_by_priority() -> None:
    infos = multisock.backends()
    keys = [(not i.available, i.priority) for i in infos]
    assert keys == sorted(keys)


@pytest.mark.skipif(not LINUX, reason="unsupported here: the expectations are Linux's")
def test_choice_by_capabilities() -> None:
    with multisock.Socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
        assert tcp.backend == "posix"
    assert REGISTRY.backend_for(socket.AF_ALG, socket.SOCK_SEQPACKET, None)[0] == "linux_ext"


def test_backend_argument_wins(fresh_registry: None) -> None:
    with multisock.Socket(socket.AF_INET, socket.SOCK_DGRAM, backend="linux_ext") as sock:
        assert sock.backend == "linux_ext"
        assert type(sock).__name__ == "LinuxSocket"


def test_environment_variable(monkeypatch: pytest.MonkeyPatch, fresh_registry: None) -> None:
    monkeypatch.setenv(ENV_VAR, "linux_ext")
    REGISTRY.reload()
    with multisock.Socket() as sock:
        assert sock.backend == "linux_ext"
    with multisock.Socket(backend="posix") as sock:  # the argument still wins
        assert sock.backend == "posix"


def test_unknown_backend_lists_the_installed_ones() -> None:
    with pytest.raises(multisock.BackendNotFound) as caught:
        multisock.Socket(backend="nope")
    assert isinstance(caught.value, LookupError)
    for name in ("posix", "winsock", "linux_ext"):
        assert name in str(caught.value)


@pytest.mark.skipif(sys.platform == "win32", reason="winsock is available there")
def test_unavailable_backend_gives_its_reason() -> None:
    with pytest.raises(multisock.BackendUnavailable) as caught:
        multisock.Socket(backend="winsock")
    assert caught.value.name == "winsock"
    assert "only on Windows" in caught.value.reason


def test_no_backend_serves_an_unknown_family() -> None:
    with pytest.raises(OSError) as caught:
        multisock.Socket(12345, socket.SOCK_STREAM)
    assert isinstance(caught.value, multisock.NoSuitableBackend)
    assert isinstance(caught.value, LookupError)
    assert caught.value.errno == errno.EAFNOSUPPORT


@pytest.mark.skipif(not LINUX, reason="unsupported here: AF_ALG is Linux's")
def test_named_backend_that_does_not_serve_the_family_names_one_that_does() -> None:
    with pytest.raises(multisock.NoSuitableBackend) as caught:
        multisock.Socket(socket.AF_ALG, socket.SOCK_SEQPACKET, backend="posix")
    assert "'posix' backend does not serve AF_ALG/SOCK_SEQPACKET" in str(caught.value)
    assert "linux_ext" in str(caught.value)


def test_choice_is_cached_per_request() -> None:
    with multisock.Socket(socket.AF_INET, socket.SOCK_DGRAM) as a:
        pass
    assert REGISTRY.choices[(socket.AF_INET, socket.SOCK_DGRAM, -1, None)] is type(a)


def test_unhashable_arguments_are_reported_not_crashed_on() -> None:
    with pytest.raises(TypeError) as caught:
        multisock.Socket([2], socket.SOCK_STREAM)  # type: ignore[arg-type]
    assert isinstance(caught.value, multisock.ValidationError)
    assert "family" in str(caught.value)


def test_fileno_construction_probes_without_taking_the_descriptor() -> None:
    raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock = multisock.Socket(fileno=raw.fileno())
        assert (sock.family, sock.type) == (socket.AF_INET, socket.SOCK_DGRAM)
        sock.detach()
    finally:
        raw.close()


def test_backend_classes_construct_directly() -> None:
    with PosixSocket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        assert isinstance(sock, multisock.Socket)
        assert isinstance(sock, socket.socket)
        assert sock.backend == "posix"
    with pytest.raises(TypeError):
        PosixSocket(backend="posix")  # type: ignore[call-arg]


# -- plugins registered in-process -------------------------------------------------------------


class _AgainSocket(PosixSocket):
    __slots__ = ()


class _AgainBackend(PosixBackend):
    socket_cls = _AgainSocket


class _Plugins:
    @staticmethod
    @multisock.hookimpl
    def multisock_backend() -> multisock.Backend:
        return _AgainBackend()


class _Raising:
    @staticmethod
    @multisock.hookimpl
    def multisock_backend() -> multisock.Backend:
        raise RuntimeError("cannot start")


class _NotABackend:
    @staticmethod
    @multisock.hookimpl
    def multisock_backend() -> Any:
        return object()


def test_in_process_plugins(fresh_registry: None) -> None:
    REGISTRY.add("again", _Plugins(), distribution="mine", version="1")
    REGISTRY.add("raising", _Raising())
    REGISTRY.add("nothing", _NotABackend())
    REGISTRY.add("nohook", object())
    try:
        infos = {i.name: i for i in multisock.backends()}
        assert infos["again"].available
        assert (infos["again"].distribution, infos["again"].version) == ("mine", "1")
        assert "RuntimeError('cannot start')" in (infos["raising"].reason or "")
        assert "returned object, not a Backend" in (infos["nothing"].reason or "")
        assert "does not implement the multisock_backend hook" in (infos["nohook"].reason or "")
        assert infos["posix"].available  # a broken plugin hides nothing else
        with multisock.Socket(backend="again") as sock:
            assert type(sock) is _AgainSocket
            assert sock.backend == "again"
    finally:
        for name in ("again", "raising", "nothing", "nohook"):
            REGISTRY.remove(name)
    assert "again" not in {i.name for i in multisock.backends()}


def test_entry_points_of_another_distribution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A third-party distribution on sys.path: one good plugin, one that fails to import."""
    (tmp_path / "thirdparty_backend.py").write_text(
        textwrap.dedent("""
        import multisock
        from multisock_posix import PosixBackend

        @multisock.hookimpl
        def multisock_backend():
            return PosixBackend()
    """)
    )
    info = tmp_path / "thirdparty-2.5.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: thirdparty\nVersion: 2.5\n")
    (info / "entry_points.txt").write_text(
        "[multisock.test_backends]\nthird = thirdparty_backend\nbroken = not_a_module_anywhere\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = Registry(group="multisock.test_backends")
    infos = {i.name: i for i in registry.infos()}
    assert set(infos) == {"third", "broken"}
    assert infos["third"].available
    assert (infos["third"].distribution, infos["third"].version) == ("thirdparty", "2.5")
    assert not infos["broken"].available
    assert "import failed" in (infos["broken"].reason or "")
    assert "not_a_module_anywhere" in (infos["broken"].reason or "")


def test_capabilities_reject_unknown_names() -> None:
    with pytest.raises(ValueError, match=r"Capabilities\.methods: not known names: \[.rcv.\]"):
        multisock.Capabilities(
            families=frozenset(), types=frozenset(), methods=frozenset({"recv", "rcv"})
        )
    with pytest.raises(ValueError, match=r"Capabilities\.options: not known names"):
        CAPABILITIES.replace(options=frozenset({"SO_NOPE"}))
    with pytest.raises(TypeError, match="a set of names"):
        multisock.Capabilities(families="AF_INET", types=frozenset(), methods=frozenset())
