"""sendmsg, recvmsg and recvmsg_into, with and without ancillary data."""

from __future__ import annotations

import array
import os
import socket
from typing import Any

import pytest

from .flavours import Flavour, SocketFactory, assert_like_stdlib


@pytest.mark.requires("method:sendmsg", "family:AF_UNIX")
def test_sendmsg_gathers_buffers(sockets: SocketFactory) -> None:
    a, b = sockets.pair(socket.AF_UNIX, socket.SOCK_STREAM)
    assert a.sendmsg([b"one ", memoryview(b"two "), bytearray(b"three")]) == 13
    assert b.recv(100) == b"one two three"


@pytest.mark.requires("method:recvmsg", "family:AF_UNIX")
def test_recvmsg_without_ancillary_data(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        a, b = s.pair(socket.AF_UNIX, socket.SOCK_DGRAM)
        a.send(b"message")
        data, ancdata, flags, _address = b.recvmsg(100)
        return data, ancdata, flags

    assert assert_like_stdlib(scenario, flavour).value == (b"message", [], 0)


@pytest.mark.requires("method:recvmsg", "family:AF_UNIX")
def test_recvmsg_reports_truncation(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        a, b = s.pair(socket.AF_UNIX, socket.SOCK_DGRAM)
        a.send(b"0123456789")
        data, _, flags, _ = b.recvmsg(4)
        return data, bool(flags & socket.MSG_TRUNC)

    assert assert_like_stdlib(scenario, flavour).value == (b"0123", True)


@pytest.mark.requires("method:recvmsg_into", "family:AF_UNIX")
def test_recvmsg_into_scatters(sockets: SocketFactory) -> None:
    a, b = sockets.pair(socket.AF_UNIX, socket.SOCK_STREAM)
    a.sendall(b"abcdefgh")
    first, second = bytearray(3), bytearray(10)
    nbytes, ancdata, _flags, _ = b.recvmsg_into([first, second])
    assert (nbytes, bytes(first), bytes(second[:5]), ancdata) == (8, b"abc", b"defgh", [])


@pytest.mark.requires("method:sendmsg", "type:SOCK_DGRAM")
def test_sendmsg_to_an_address(sockets: SocketFactory) -> None:
    a, b = sockets.udp_pair()
    assert a.sendmsg([b"to ", b"you"], [], 0, b.getsockname()) == 6
    assert b.recvfrom(10) == (b"to you", a.getsockname())


@pytest.mark.requires("ancillary:SCM_RIGHTS", "family:AF_UNIX")
def test_scm_rights_passes_a_descriptor(sockets: SocketFactory) -> None:
    a, b = sockets.pair(socket.AF_UNIX, socket.SOCK_STREAM)
    read_end, write_end = os.pipe()
    try:
        fds = array.array("i", [write_end])
        a.sendmsg([b"fd"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds.tobytes())])
        data, ancdata, _flags, _ = b.recvmsg(10, socket.CMSG_SPACE(fds.itemsize))
        assert data == b"fd"
        ((level, kind, payload),) = ancdata
        assert (level, kind) == (socket.SOL_SOCKET, socket.SCM_RIGHTS)
        received = array.array("i", payload[: fds.itemsize])[0]
        try:
            os.write(received, b"through the copy")
        finally:
            os.close(received)
        assert os.read(read_end, 100) == b"through the copy"
    finally:
        os.close(read_end)
        os.close(write_end)


@pytest.mark.requires("method:recvmsg", "family:AF_UNIX")
def test_recvmsg_negative_sizes_like_the_stdlib(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        a, _ = s.pair(socket.AF_UNIX, socket.SOCK_DGRAM)
        return a.recvmsg(-1)

    assert isinstance(assert_like_stdlib(scenario, flavour).error, ValueError)
