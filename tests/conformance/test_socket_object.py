"""The socket object itself: construction, attributes, lifecycle, descriptors."""

from __future__ import annotations

import os
import socket
from typing import Any

import pytest

import multisock

from .flavours import Flavour, SocketFactory, assert_like_stdlib

KINDS = [
    ("AF_INET", "SOCK_STREAM"),
    ("AF_INET", "SOCK_DGRAM"),
    ("AF_INET6", "SOCK_STREAM"),
    ("AF_INET6", "SOCK_DGRAM"),
    ("AF_UNIX", "SOCK_STREAM"),
    ("AF_UNIX", "SOCK_DGRAM"),
]


@pytest.mark.requires("attribute:family", "family:{family}", "type:{kind}")
@pytest.mark.parametrize(("family", "kind"), KINDS)
def test_family_type_proto_match_the_stdlib(family: str, kind: str, flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        sock = s.new(getattr(socket, family), getattr(socket, kind))
        return (sock.family, type(sock.family), sock.type, type(sock.type), sock.proto)

    assert_like_stdlib(scenario, flavour)


@pytest.mark.requires("attribute:backend")
def test_sockets_are_multisock_sockets_served_by_the_backend(
    sockets: SocketFactory, backend_name: str
) -> None:
    sock = sockets.new()
    assert isinstance(sock, multisock.Socket)
    assert sock.backend == backend_name
    assert f"fd={sock.fileno()}" in repr(sock)


@pytest.mark.requires("attribute:backend")
def test_default_construction_is_af_inet_stream(flavour: Flavour) -> None:
    with multisock.Socket(backend=flavour.name) as sock:
        assert (sock.family, sock.type) == (socket.AF_INET, socket.SOCK_STREAM)


@pytest.mark.requires("method:close")
def test_context_manager_and_close(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        with s.new() as sock:
            assert sock.fileno() >= 0
        closed_fileno = sock.fileno()
        sock.close()  # closing twice is fine
        return closed_fileno

    assert assert_like_stdlib(scenario, flavour).value == -1


@pytest.mark.requires("method:close")
@pytest.mark.parametrize(
    "call",
    [
        "recv(1)",
        "send(b'x')",
        "bind(('127.0.0.1', 0))",
        "listen()",
        "getsockname()",
        "getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)",
        "setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
        "settimeout(1.0)",
        "shutdown(socket.SHUT_RDWR)",
        "accept()",
        "dup()",
    ],
)
def test_methods_on_a_closed_socket_raise_like_the_stdlib(call: str, flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        sock = s.new()
        sock.close()
        return eval(f"sock.{call}", {"sock": sock, "socket": socket})

    result = assert_like_stdlib(scenario, flavour)
    assert isinstance(result.error, OSError)


@pytest.mark.requires("method:fileno")
def test_fileno_is_a_live_descriptor(sockets: SocketFactory) -> None:
    sock = sockets.new(socket.AF_INET, socket.SOCK_DGRAM)
    fd = sock.fileno()
    assert isinstance(fd, int)
    assert fd >= 0
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fd)
    try:  # whatever we say it is, the kernel knows it as a UDP socket
        assert probe.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) == socket.SOCK_DGRAM
    finally:
        probe.detach()


@pytest.mark.requires("method:detach")
def test_detach_hands_over_the_descriptor(sockets: SocketFactory) -> None:
    sock = sockets.new()
    fd = sock.fileno()
    assert sock.detach() == fd
    assert sock.fileno() == -1
    sock.close()  # must not close the detached descriptor
    adopted = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fd)
    try:
        assert adopted.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) == socket.SOCK_STREAM
    finally:
        adopted.close()


@pytest.mark.requires("method:dup")
def test_dup_gives_an_independent_socket_of_the_same_class(sockets: SocketFactory) -> None:
    a, b = sockets.tcp_pair()
    copy = a.dup()
    sockets.track(copy)
    assert type(copy) is type(a)
    assert copy.fileno() != a.fileno()
    assert (copy.family, copy.type) == (a.family, a.type)
    assert copy.get_inheritable() is False
    a.close()
    copy.sendall(b"still open")
    assert b.recv(64) == b"still open"


@pytest.mark.requires("method:get_inheritable")
def test_inheritable_flag(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        sock = s.new()
        before = sock.get_inheritable()
        sock.set_inheritable(True)
        middle = sock.get_inheritable()
        sock.set_inheritable(False)
        return before, middle, sock.get_inheritable()

    assert assert_like_stdlib(scenario, flavour).value == (False, True, False)


@pytest.mark.requires("feature:fromfd")
def test_fromfd_duplicates(sockets: SocketFactory, flavour: Flavour) -> None:
    original = sockets.new(socket.AF_INET, socket.SOCK_DGRAM)
    original.bind(("127.0.0.1", 0))
    copy = flavour.fromfd(original.fileno(), socket.AF_INET, socket.SOCK_DGRAM)
    sockets.track(copy)
    assert isinstance(copy, multisock.Socket)
    assert copy.fileno() != original.fileno()
    assert copy.getsockname() == original.getsockname()


@pytest.mark.requires("attribute:backend")
def test_construction_from_fileno_detects_family_and_type(
    sockets: SocketFactory, backend_name: str, unsupported_here: Any
) -> None:
    raw = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    try:  # Windows asks Winsock (SO_PROTOCOL_INFOW), which Wine does not answer
        socket.socket(fileno=raw.fileno()).detach()
    except OSError as exc:
        raw.close()
        unsupported_here(f"the stdlib cannot tell a descriptor's family and type here: {exc}")
    sock = multisock.Socket(fileno=raw.detach(), backend=backend_name)
    sockets.track(sock)
    assert (sock.family, sock.type) == (socket.AF_INET6, socket.SOCK_DGRAM)


@pytest.mark.requires("feature:socketpair")
def test_socketpair_is_connected(sockets: SocketFactory) -> None:
    a, b = sockets.pair()
    assert type(a) is type(b)
    a.sendall(b"ping")
    assert b.recv(16) == b"ping"
    b.sendall(b"pong")
    assert a.recv(16) == b"pong"


@pytest.mark.requires("method:close")
def test_close_releases_the_descriptor(flavour: Flavour) -> None:
    sock = flavour.socket()
    fd = sock.fileno()
    sock.close()
    with pytest.raises(OSError):  # the descriptor number is no longer open
        os.fstat(fd) if os.name == "posix" else socket.socket(fileno=fd).close()
