"""The conformance suite itself: deliberately broken backends must be caught."""

from __future__ import annotations

import textwrap

import pytest

BROKEN = textwrap.dedent('''
    """Backends that each break the spec in one way, registered in-process."""
    import os

    import multisock
    from multisock.registry import REGISTRY
    from multisock_posix import CAPABILITIES, PosixBackend, PosixSocket


    class DropperSocket(PosixSocket):
        """recv loses the first byte of whatever it reads."""
        __slots__ = ()

        def recv(self, bufsize, flags=0):
            data = super().recv(bufsize + 1, flags)
            return data[1:] if len(data) > 1 else data


    class LeakerSocket(PosixSocket):
        """bind leaves a duplicate descriptor open."""
        __slots__ = ()

        def bind(self, address):
            os.dup(self.fileno())
            super().bind(address)


    class LiarSocket(PosixSocket):
        """declares sendmsg but does not implement it."""
        __slots__ = ()
        sendmsg = multisock.Socket.sendmsg


    def backend_of(cls):
        class Backend(PosixBackend):
            socket_cls = cls
        class Plugin:
            @staticmethod
            @multisock.hookimpl
            def multisock_backend():
                return Backend()
        return Plugin()


    for name, cls in (("dropper", DropperSocket), ("leaker", LeakerSocket), ("liar", LiarSocket)):
        REGISTRY.add(name, backend_of(cls))
''')


def run_suite(pytester: pytest.Pytester, backend: str, select: str) -> pytest.RunResult:
    pytester.makepyfile(broken_backends=BROKEN)
    return pytester.runpytest_subprocess(
        "-p",
        "broken_backends",
        "-p",
        "no:cacheprovider",
        "--pyargs",
        "multisock_conformance",
        "--multisock-backend",
        backend,
        "-k",
        select,
        "-q",
    )


@pytest.mark.parametrize(
    ("backend", "select", "caught_by"),
    [
        ("dropper", "test_send_recv_exact_bytes or test_partial_reads", "AssertionError"),
        ("leaker", "test_listen_accept_connect_and_names", "file descriptor(s) leaked"),
        ("liar", "test_declared_methods_are_implemented", "declared but left as"),
    ],
)
def test_a_broken_backend_fails_the_suite(
    pytester: pytest.Pytester, backend: str, select: str, caught_by: str
) -> None:
    result = run_suite(pytester, backend, select)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) + outcomes.get("errors", 0) > 0, result.stdout.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert caught_by in result.stdout.str()


def test_the_same_selection_passes_on_a_correct_backend(pytester: pytest.Pytester) -> None:
    select = (
        "test_send_recv_exact_bytes or test_partial_reads or "
        "test_listen_accept_connect_and_names or test_declared_methods_are_implemented"
    )
    result = run_suite(pytester, "posix", select)
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 6
    assert "failed" not in outcomes
    assert result.ret == pytest.ExitCode.OK
