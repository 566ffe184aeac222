"""Datagram sockets: UDP over IPv4 and IPv6, Unix datagram and seqpacket sockets."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import Any

import pytest

from .flavours import Flavour, SocketFactory, assert_like_stdlib

INET = ["AF_INET", "AF_INET6"]


@pytest.mark.requires("method:sendto", "family:{family}", "type:SOCK_DGRAM")
@pytest.mark.parametrize("family", INET)
def test_sendto_recvfrom(family: str, sockets: SocketFactory) -> None:
    a, b = sockets.udp_pair(getattr(socket, family))
    assert a.sendto(b"datagram", b.getsockname()) == 8
    data, sender = b.recvfrom(100)
    assert data == b"datagram"
    assert sender == a.getsockname()


@pytest.mark.requires("method:sendto")
def test_sendto_with_flags_and_repeated_destinations(sockets: SocketFactory) -> None:
    a, b = sockets.udp_pair()
    c = sockets.new(socket.AF_INET, socket.SOCK_DGRAM)
    c.bind(("127.0.0.1", 0))
    for i in range(5):  # alternate destinations: the remembered address must follow
        a.sendto(b"b%d" % i, 0, b.getsockname())
        a.sendto(b"c%d" % i, c.getsockname())
    assert [b.recv(10) for _ in range(5)] == [b"b%d" % i for i in range(5)]
    assert [c.recv(10) for _ in range(5)] == [b"c%d" % i for i in range(5)]


@pytest.mark.requires("method:recvfrom_into")
def test_recvfrom_into_and_recv_into(sockets: SocketFactory) -> None:
    a, b = sockets.udp_pair()
    a.sendto(b"0123456789", b.getsockname())
    buffer = bytearray(16)
    n, sender = b.recvfrom_into(buffer)
    assert (n, bytes(buffer[:n]), sender) == (10, b"0123456789", a.getsockname())
    a.sendto(b"abc", b.getsockname())
    assert b.recv_into(buffer, 3) == 3
    assert buffer[:3] == b"abc"


@pytest.mark.requires("method:recv")
def test_a_short_read_truncates_the_datagram(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        a, b = s.udp_pair()
        a.sendto(b"0123456789", b.getsockname())
        a.sendto(b"next", b.getsockname())
        try:
            first = b.recv(4)
        except OSError as exc:  # Windows reports the truncation (WSAEMSGSIZE)
            first = errno.errorcode.get(exc.errno or 0, "?")
        return first, b.recv(100)

    assert assert_like_stdlib(scenario, flavour).value in [
        (b"0123", b"next"),
        (errno.errorcode.get(errno.EMSGSIZE), b"next"),
    ]


@pytest.mark.requires("method:connect", "type:SOCK_DGRAM")
def test_connected_udp(sockets: SocketFactory) -> None:
    a, b = sockets.udp_pair()
    a.connect(b.getsockname())
    b.connect(a.getsockname())
    assert a.send(b"hi") == 2
    assert b.recv(10) == b"hi"
    assert a.getpeername() == b.getsockname()


@pytest.mark.requires("method:recvfrom")
def test_empty_datagram(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        a, b = s.udp_pair()
        a.sendto(b"", b.getsockname())
        return b.recvfrom(10)[0]

    assert assert_like_stdlib(scenario, flavour).value == b""


@pytest.mark.requires("method:sendto")
def test_sendto_an_oversized_datagram(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        a, b = s.udp_pair()
        return a.sendto(b"x" * 70000, b.getsockname())

    assert isinstance(assert_like_stdlib(scenario, flavour).error, OSError)


@pytest.mark.requires("family:AF_UNIX", "type:SOCK_DGRAM")
def test_unix_datagrams(sockets: SocketFactory, short_dir: Path) -> None:
    a = sockets.new(socket.AF_UNIX, socket.SOCK_DGRAM)
    b = sockets.new(socket.AF_UNIX, socket.SOCK_DGRAM)
    a.bind(str(short_dir / "a"))
    b.bind(str(short_dir / "b"))
    a.sendto(b"one", str(short_dir / "b"))
    data, sender = b.recvfrom(10)
    assert (data, sender) == (b"one", str(short_dir / "a"))


@pytest.mark.requires("type:SOCK_SEQPACKET", "family:AF_UNIX")
def test_unix_seqpacket_keeps_boundaries(sockets: SocketFactory) -> None:
    a, b = sockets.pair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    a.send(b"first")
    a.send(b"second")
    assert b.recv(100) == b"first"
    assert b.recv(100) == b"second"
