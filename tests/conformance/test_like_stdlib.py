"""Scenarios run on the stdlib and on the backend, for the methods not compared elsewhere."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from .flavours import Flavour, SocketFactory, assert_like_stdlib


@pytest.mark.requires("method:detach")
def test_detach_like_the_stdlib(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        sock = s.new(socket.AF_INET, socket.SOCK_DGRAM)
        fd = sock.fileno()
        detached = sock.detach()
        socket.close(detached)
        return detached == fd, sock.fileno(), repr(sock).count("[closed]")

    assert assert_like_stdlib(scenario, flavour).value == (True, -1, 1)


@pytest.mark.requires("method:sendall")
def test_sendall_like_the_stdlib(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        a, b = s.tcp_pair()
        result = a.sendall(memoryview(b"abc" * 1000)), a.sendall(b"")
        a.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := b.recv(4096):
            received += chunk
        return result, len(received)

    assert assert_like_stdlib(scenario, flavour).value == ((None, None), 3000)


@pytest.mark.requires("method:recv_into")
@pytest.mark.parametrize("nbytes", [0, 2, 100])
def test_recv_into_like_the_stdlib(nbytes: int, flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        a, b = s.tcp_pair()
        a.sendall(b"0123456789")
        buffer = bytearray(5)
        return b.recv_into(buffer, nbytes), bytes(buffer)

    assert_like_stdlib(scenario, flavour)


@pytest.mark.requires("method:recvfrom_into", "type:SOCK_DGRAM")
@pytest.mark.parametrize("nbytes", [0, 3, 50])
def test_recvfrom_into_like_the_stdlib(nbytes: int, flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        a, b = s.udp_pair()
        a.sendto(b"abcdef", b.getsockname())
        buffer = bytearray(8)
        n, sender = b.recvfrom_into(buffer, nbytes)
        return n, bytes(buffer), sender == a.getsockname()

    assert_like_stdlib(scenario, flavour)


@pytest.mark.requires("method:sendmsg", "family:AF_UNIX")
def test_sendmsg_like_the_stdlib(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        a, b = s.pair(socket.AF_UNIX, socket.SOCK_DGRAM)
        sent = a.sendmsg([b"x", b"yz"], [], 0)
        return sent, b.recv(10), a.sendmsg([])

    assert assert_like_stdlib(scenario, flavour).value == (3, b"xyz", 0)


@pytest.mark.requires("method:recvmsg_into", "family:AF_UNIX")
def test_recvmsg_into_like_the_stdlib(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        a, b = s.pair(socket.AF_UNIX, socket.SOCK_DGRAM)
        a.send(b"0123456789")
        first, second = bytearray(4), bytearray(4)
        n, ancdata, flags, _ = b.recvmsg_into([first, second])
        return n, bytes(first), bytes(second), ancdata, bool(flags & socket.MSG_TRUNC)

    assert_like_stdlib(scenario, flavour)


@pytest.mark.requires("method:getsockname")
@pytest.mark.parametrize("family", ["AF_INET", "AF_INET6"])
def test_names_have_the_stdlib_shapes(family: str, flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        fam = getattr(socket, family)
        unbound = s.new(fam).getsockname()
        a, b = s.tcp_pair(fam)
        shapes = [type(x).__name__ for x in a.getsockname()], len(b.getpeername())
        return unbound, shapes

    assert_like_stdlib(scenario, flavour)
