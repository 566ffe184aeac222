"""Timeouts and blocking modes: TimeoutError, BlockingIOError, and the default timeout."""

from __future__ import annotations

import contextlib
import errno
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from .flavours import Flavour, SocketFactory, assert_like_stdlib


@pytest.mark.requires("method:settimeout")
def test_timeout_values_round_trip(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        sock = s.new()
        seen = [sock.gettimeout(), sock.getblocking()]
        for value in (0.25, 0, 3, None):
            sock.settimeout(value)
            seen += [sock.gettimeout(), sock.getblocking()]
        return seen

    result = assert_like_stdlib(scenario, flavour).value
    assert result == [None, True, 0.25, True, 0.0, False, 3.0, True, None, True]


@pytest.mark.requires("method:setblocking")
def test_setblocking_sets_the_timeout(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        sock = s.new()
        sock.setblocking(False)
        off = (sock.gettimeout(), sock.getblocking())
        sock.setblocking(True)
        return off, (sock.gettimeout(), sock.getblocking())

    assert assert_like_stdlib(scenario, flavour).value == ((0.0, False), (None, True))


@pytest.mark.requires("method:recv")
def test_recv_times_out(sockets: SocketFactory) -> None:
    a, b = sockets.tcp_pair()
    b.settimeout(0.2)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        b.recv(10)
    assert time.monotonic() - started >= 0.15
    a.sendall(b"late")  # the socket still works after a timeout
    assert b.recv(10) == b"late"


@pytest.mark.requires("method:accept")
def test_accept_times_out(sockets: SocketFactory) -> None:
    server = sockets.listener()
    server.settimeout(0.1)
    with pytest.raises(TimeoutError):
        server.accept()


@pytest.mark.requires("method:recvfrom", "type:SOCK_DGRAM")
def test_recvfrom_times_out(sockets: SocketFactory) -> None:
    _, b = sockets.udp_pair()
    b.settimeout(0.1)
    with pytest.raises(TimeoutError):
        b.recvfrom(10)


@pytest.mark.requires("method:recv")
def test_non_blocking_recv_and_accept(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        _a, b = s.tcp_pair()
        b.setblocking(False)
        server = s.listener()
        server.setblocking(False)
        errors = []
        for call in (lambda: b.recv(10), server.accept):
            try:
                call()
            except BlockingIOError as exc:
                errors.append(errno.errorcode.get(exc.errno or 0))
        return errors

    assert len(assert_like_stdlib(scenario, flavour).value) == 2


@pytest.mark.requires("method:connect")
def test_non_blocking_connect_is_in_progress_or_done(sockets: SocketFactory) -> None:
    server = sockets.listener()
    client = sockets.new()
    client.setblocking(False)
    # EINPROGRESS (BlockingIOError) is the stdlib's behaviour on a non-blocking connect.
    with contextlib.suppress(BlockingIOError):
        client.connect(server.getsockname())
    client.setblocking(True)
    accepted, _ = server.accept()
    sockets.track(accepted)
    assert accepted.getpeername() == client.getsockname()


@pytest.mark.requires("method:send")
def test_send_on_a_full_non_blocking_socket(sockets: SocketFactory) -> None:
    a, _ = sockets.tcp_pair()
    a.setblocking(False)

    def fill() -> None:
        for _ in range(100_000):  # until the send buffer is full
            a.send(b"x" * 65536)

    with pytest.raises(BlockingIOError):
        fill()


@pytest.fixture
def default_timeout() -> Iterator[None]:
    socket.setdefaulttimeout(2.5)
    try:
        yield
    finally:
        socket.setdefaulttimeout(None)


@pytest.mark.requires("method:gettimeout")
@pytest.mark.usefixtures("default_timeout")
def test_the_default_timeout_applies(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        a, b = s.tcp_pair()
        return a.gettimeout(), b.gettimeout(), s.new().gettimeout()

    assert assert_like_stdlib(scenario, flavour).value[2] == 2.5


@pytest.mark.requires("method:accept")
def test_accepted_socket_is_blocking_when_listener_has_a_timeout(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        server = s.listener()
        server.settimeout(5)
        client = s.new()
        client.connect(server.getsockname())
        accepted, _ = server.accept()
        s.track(accepted)
        return accepted.gettimeout(), accepted.getblocking()

    assert assert_like_stdlib(scenario, flavour).value == (None, True)
