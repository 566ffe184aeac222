"""The module-level constructors: socketpair, fromfd, fromshare, create_connection/_server."""

from __future__ import annotations

import socket
import sys

import pytest

import multisock
from multisock.registry import REGISTRY


def test_socketpair_defaults_to_the_stdlib_family() -> None:
    a, b = multisock.socketpair()
    with a, b:
        expected = socket.AF_UNIX if hasattr(socket, "AF_UNIX") else socket.AF_INET
        assert (a.family, a.type) == (expected, socket.SOCK_STREAM)
        assert isinstance(a, multisock.Socket)


@pytest.mark.parametrize(("args", "exc"), [(("x",), TypeError), ((2**40,), OverflowError)])
def test_socketpair_validates(args: tuple[object, ...], exc: type[BaseException]) -> None:
    with pytest.raises(exc) as caught:
        multisock.socketpair(*args)  # type: ignore[arg-type]
    assert isinstance(caught.value, multisock.ValidationError)


@pytest.mark.parametrize(
    ("fd", "exc"), [(-1, ValueError), ("3", TypeError), (2**40, OverflowError)]
)
def test_fromfd_validates(fd: object, exc: type[BaseException]) -> None:
    with pytest.raises(exc) as caught:
        multisock.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM)  # type: ignore[arg-type]
    assert isinstance(caught.value, multisock.ValidationError)
    assert "fromfd(): invalid fd" in str(caught.value)


def test_fromshare_validates_and_routes() -> None:
    with pytest.raises(TypeError) as caught:
        multisock.fromshare("not bytes")  # type: ignore[arg-type]
    assert isinstance(caught.value, multisock.ValidationError)
    if not REGISTRY.supporting("fromshare"):
        with pytest.raises(multisock.UnsupportedOperation):
            multisock.fromshare(b"x" * 16)
    else:
        with pytest.raises(ValueError, match="not share\\(\\) data"):
            multisock.fromshare(b"x" * 16)


@pytest.mark.parametrize(
    ("address", "exc", "fragment"),
    [
        ("localhost:80", TypeError, "(host, port)"),
        (("localhost", 70000), OverflowError, "port"),
        (("localhost", 80.5), TypeError, "port"),
        (("bad host", 80), socket.gaierror, "host"),
    ],
)
def test_create_connection_validates(
    address: object, exc: type[BaseException], fragment: str
) -> None:
    with pytest.raises(exc) as caught:
        multisock.create_connection(address)  # type: ignore[arg-type]
    assert isinstance(caught.value, multisock.ValidationError)
    assert fragment in str(caught.value)


def test_create_connection_closes_every_socket_it_tried() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.close()
    with pytest.raises(ConnectionRefusedError):
        multisock.create_connection(("127.0.0.1", port), timeout=2)


def test_create_connection_all_errors() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.close()
    if sys.version_info < (3, 11):
        pytest.skip("unsupported here: ExceptionGroup is Python 3.11+")
    else:
        with pytest.raises(ExceptionGroup) as caught:  # noqa: F821 - 3.11+
            multisock.create_connection(("127.0.0.1", port), timeout=2, all_errors=True)
        assert all(isinstance(e, ConnectionRefusedError) for e in caught.value.exceptions)


def test_create_server_like_the_stdlib() -> None:
    with multisock.create_server(("127.0.0.1", 0), backlog=3) as server:
        assert server.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
        with multisock.create_connection(server.getsockname()) as client:
            accepted, _ = server.accept()
            with accepted:
                client.sendall(b"x")
                assert accepted.recv(1) == b"x"


def test_create_server_errors() -> None:
    with pytest.raises(ValueError, match="dualstack_ipv6 requires AF_INET6"):
        multisock.create_server(("127.0.0.1", 0), dualstack_ipv6=True)
    with multisock.create_server(("127.0.0.1", 0)) as taken, pytest.raises(OSError) as caught:
        multisock.create_server(taken.getsockname())
    assert "while attempting to bind on address" in str(caught.value)
    with pytest.raises(OverflowError):
        multisock.create_server(("127.0.0.1", 70000))
