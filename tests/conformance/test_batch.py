"""Batch datagram I/O: sendmmsg/recvmmsg, many datagrams per system call.

What a batch sends and receives must be what as many sendto()/recvfrom() calls would send and
receive: the same datagrams, in order, with the same addresses, truncated the same way, and
waiting as the socket's timeout says.
"""

from __future__ import annotations

import errno
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

import multisock

from .flavours import SocketFactory

INET = ["AF_INET", "AF_INET6"]


def udp(sockets: SocketFactory, family: str = "AF_INET") -> tuple[Any, Any]:
    a, b = sockets.udp_pair(getattr(socket, family))
    b.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    return a, b


def receive_all(sock: Any, count: int, bufsize: int = 2048) -> list[tuple[bytes, Any]]:
    """Datagrams until ``count`` arrived (each call takes what is queued)."""
    sock.settimeout(10)
    got: list[tuple[bytes, Any]] = []
    while len(got) < count:
        got += sock.recvmmsg(count - len(got), bufsize)
    return got


@pytest.mark.requires("feature:batch_io", "family:{family}", "type:SOCK_DGRAM")
@pytest.mark.parametrize("family", INET)
def test_a_batch_arrives_whole_in_order_with_addresses(family: str, sockets: SocketFactory) -> None:
    a, b = udp(sockets, family)
    datagrams = [os.urandom(size) for size in (1, 64, 1000, 7, 64, 64, 0, 1472, 3000)]
    assert a.sendmmsg(datagrams, b.getsockname()) == len(datagrams)
    received = receive_all(b, len(datagrams), 4096)
    assert [data for data, _ in received] == datagrams
    assert {address for _, address in received} == {a.getsockname()}


@pytest.mark.requires("feature:batch_io", "family:{family}", "type:SOCK_DGRAM")
@pytest.mark.parametrize("family", INET)
@pytest.mark.parametrize("count", [2, 64, 65, 129, 200])
def test_equal_sized_datagrams_stay_separate_datagrams(
    count: int, family: str, sockets: SocketFactory
) -> None:
    # Runs of equal sizes may leave as one segmented message (UDP GSO); the receiver, and a
    # plain recvfrom() above all, must still see each datagram on its own. At most 200: all
    # must fit the receive buffer, or UDP drops some, as it may.
    a, b = udp(sockets, family)
    datagrams = [i.to_bytes(2, "big") * 32 for i in range(count)]
    datagrams[-1] = datagrams[-1][:10]  # a shorter last one
    sent = 0
    while sent < count:
        sent += a.sendmmsg(datagrams[sent:], b.getsockname())
    b.settimeout(10)
    assert b.recvfrom(4096) == (datagrams[0], a.getsockname())
    received = receive_all(b, count - 1, 4096)
    assert [data for data, _ in received] == datagrams[1:]


@pytest.mark.requires("feature:batch_io", "type:SOCK_DGRAM")
def test_recvmmsg_takes_what_is_queued_up_to_count(sockets: SocketFactory) -> None:
    a, b = udp(sockets)
    a.sendmmsg([b"%d" % i for i in range(10)], b.getsockname())
    time.sleep(0.05)
    assert [d for d, _ in b.recvmmsg(4, 16)] == [b"0", b"1", b"2", b"3"]
    assert [d for d, _ in b.recvmmsg(4, 16)] == [b"4", b"5", b"6", b"7"]
    assert [d for d, _ in b.recvmmsg(64, 16)] == [b"8", b"9"]  # fewer than asked: no wait


@pytest.mark.requires("feature:batch_io", "type:SOCK_DGRAM")
def test_recvmmsg_truncates_like_recvfrom(sockets: SocketFactory) -> None:
    a, b = udp(sockets)
    a.sendmmsg([b"0123456789", b"abc"], b.getsockname())
    assert [d for d, _ in receive_all(b, 2, 4)] == [b"0123", b"abc"]
    a.sendto(b"0123456789", b.getsockname())
    assert b.recvfrom(4)[0] == b"0123"


@pytest.mark.requires("feature:batch_io", "type:SOCK_DGRAM")
def test_each_datagram_to_its_own_address(sockets: SocketFactory) -> None:
    a, b = udp(sockets)
    c = sockets.new(socket.AF_INET, socket.SOCK_DGRAM)
    c.bind(("127.0.0.1", 0))
    targets = [b.getsockname(), c.getsockname(), b.getsockname(), multisock.InetAddress(
        host="127.0.0.1", port=c.getsockname()[1]
    )]  # fmt: skip
    assert a.sendmmsg([b"b1", b"c1", b"b2", b"c2"], addresses=targets) == 4
    assert receive_all(b, 2) == [(b"b1", a.getsockname()), (b"b2", a.getsockname())]
    assert receive_all(c, 2) == [(b"c1", a.getsockname()), (b"c2", a.getsockname())]


@pytest.mark.requires("feature:batch_io", "family:{family}", "type:SOCK_DGRAM")
@pytest.mark.parametrize("family", INET)
def test_datagrams_from_several_senders_keep_their_addresses(
    family: str, sockets: SocketFactory
) -> None:
    a, b = udp(sockets, family)
    c = sockets.new(getattr(socket, family), socket.SOCK_DGRAM)
    c.bind((a.getsockname()[0], 0))
    for i in range(6):
        (a if i % 3 else c).sendto(b"%d" % i, b.getsockname())
    expected = [(b"%d" % i, (a if i % 3 else c).getsockname()) for i in range(6)]
    assert receive_all(b, 6) == expected


@pytest.mark.requires("feature:batch_io", "type:SOCK_DGRAM")
def test_a_connected_socket_needs_no_address(sockets: SocketFactory) -> None:
    a, b = udp(sockets)
    a.connect(b.getsockname())
    assert a.sendmmsg([b"x" * 100] * 10) == 10
    assert receive_all(b, 10) == [(b"x" * 100, a.getsockname())] * 10


@pytest.mark.requires("feature:batch_io", "family:AF_UNIX", "type:SOCK_DGRAM")
def test_unix_datagram_addresses_like_recvfrom(sockets: SocketFactory, short_dir: Any) -> None:
    named = sockets.new(socket.AF_UNIX, socket.SOCK_DGRAM)
    named.bind(str(short_dir / "named"))
    abstract = sockets.new(socket.AF_UNIX, socket.SOCK_DGRAM)
    abstract.bind(b"\0multisock-batch-" + os.urandom(6).hex().encode())
    unnamed = sockets.new(socket.AF_UNIX, socket.SOCK_DGRAM)
    target = sockets.new(socket.AF_UNIX, socket.SOCK_DGRAM)
    target.bind(str(short_dir / "target"))
    target.settimeout(10)
    expected = [named.getsockname(), abstract.getsockname(), None]
    for sender, address in zip((named, abstract, unnamed), expected, strict=True):
        sender.sendmmsg([b"one"], target.getsockname())
        sender.sendto(b"two", target.getsockname())
        assert target.recvmmsg(1, 16) == [(b"one", address)]
        assert target.recvfrom(16) == (b"two", address)  # what recvfrom says, too


@pytest.mark.requires("feature:batch_io", "method:settimeout")
def test_recvmmsg_follows_the_socket_timeout(sockets: SocketFactory) -> None:
    a, b = udp(sockets)
    b.settimeout(0.2)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        b.recvmmsg(8, 64)
    assert time.monotonic() - started >= 0.15
    b.setblocking(False)
    with pytest.raises(BlockingIOError) as caught:
        b.recvmmsg(8, 64)
    assert caught.value.errno == errno.EAGAIN
    a.sendto(b"late", b.getsockname())
    b.settimeout(5)
    assert b.recvmmsg(8, 64) == [(b"late", a.getsockname())]


@pytest.mark.requires("feature:batch_io", "method:setblocking")
def test_a_blocking_recvmmsg_waits_for_the_first_datagram(sockets: SocketFactory) -> None:
    a, b = udp(sockets)
    b.setblocking(True)
    sender = threading.Timer(0.2, lambda: a.sendmmsg([b"first", b"second"], b.getsockname()))
    sender.start()
    try:
        started = time.monotonic()
        first = b.recvmmsg(8, 64)
        assert time.monotonic() - started >= 0.15
    finally:
        sender.join()
    rest = [] if len(first) == 2 else receive_all(b, 1)
    assert [d for d, _ in first + rest] == [b"first", b"second"]


@pytest.mark.requires("feature:batch_io", "family:AF_UNIX", "type:SOCK_DGRAM")
def test_sendmmsg_sends_part_of_a_batch_when_the_peer_is_full(sockets: SocketFactory) -> None:
    a, b = sockets.pair(socket.AF_UNIX, socket.SOCK_DGRAM)
    a.setblocking(False)
    sent = a.sendmmsg([b"x" * 512] * 1024)
    assert 0 < sent < 1024  # the peer's queue filled up: the first `sent` went
    with pytest.raises(BlockingIOError):
        a.sendmmsg([b"x" * 512] * 4)
    a.settimeout(0.2)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        a.sendmmsg([b"x" * 512] * 4)
    assert time.monotonic() - started >= 0.15
    b.settimeout(5)
    drained = 0
    b.setblocking(False)
    while True:
        try:
            drained += len(b.recvmmsg(1024, 512))
        except BlockingIOError:
            break
    assert drained == sent


def _bad(call: Callable[[Any, Any], Any], expected: type[BaseException], mention: str) -> Any:
    return (call, expected, mention)


BAD = {
    "count zero": _bad(lambda s, d: s.recvmmsg(0, 64), ValueError, "count"),
    "count huge": _bad(lambda s, d: s.recvmmsg(1025, 64), ValueError, "count"),
    "count str": _bad(lambda s, d: s.recvmmsg("8", 64), TypeError, "count"),
    "bufsize zero": _bad(lambda s, d: s.recvmmsg(8, 0), ValueError, "bufsize"),
    "area too big": _bad(lambda s, d: s.recvmmsg(1024, 1 << 18), ValueError, "bufsize"),
    "flags float": _bad(lambda s, d: s.recvmmsg(8, 64, 0.5), TypeError, "flags"),
    "datagrams bytes": _bad(lambda s, d: s.sendmmsg(b"abc", d), TypeError, "datagrams"),
    "datagrams gen": _bad(lambda s, d: s.sendmmsg(iter([b"a"]), d), TypeError, "datagrams"),
    "a str datagram": _bad(lambda s, d: s.sendmmsg([b"a", "b"], d), TypeError, "datagrams[1]"),
    "too many": _bad(lambda s, d: s.sendmmsg([b"a"] * 1025, d), ValueError, "datagrams"),
    "port too big": _bad(
        lambda s, d: s.sendmmsg([b"a"], ("127.0.0.1", 70000)), OverflowError, "port"
    ),
    "bad host": _bad(lambda s, d: s.sendmmsg([b"a"], ("256.0.0.1", 9)), OSError, "host"),
    "addresses short": _bad(
        lambda s, d: s.sendmmsg([b"a", b"b"], addresses=[d]), ValueError, "addresses"
    ),
    "both": _bad(lambda s, d: s.sendmmsg([b"a"], d, addresses=[d]), TypeError, "addresses"),
    "addresses bad": _bad(lambda s, d: s.sendmmsg([b"a"], addresses=[("::1", 9)]), OSError, "host"),
}


@pytest.mark.requires("validation:batch_io", "feature:batch_io")
@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_batch_arguments_are_refused_before_sending(case: str, sockets: SocketFactory) -> None:
    call, expected, mention = BAD[case]
    a, b = udp(sockets)
    with pytest.raises(expected) as caught:
        call(a, b.getsockname())
    assert isinstance(caught.value, multisock.ValidationError)
    message = str(caught.value)
    assert mention in message
    assert "allowed" in message
    assert ("sendmmsg()" in message) or ("recvmmsg()" in message)
    b.setblocking(False)
    with pytest.raises(BlockingIOError):  # nothing was sent
        b.recvmmsg(8, 64)


@pytest.mark.requires("feature:batch_io")
def test_batch_calls_on_a_closed_socket_fail_like_recvfrom(sockets: SocketFactory) -> None:
    a, b = udp(sockets)
    destination = b.getsockname()
    a.close()
    with pytest.raises(OSError) as batch_error:
        a.sendmmsg([b"x"], destination)
    with pytest.raises(OSError) as plain_error:
        a.sendto(b"x", destination)
    assert batch_error.value.errno == plain_error.value.errno == errno.EBADF
    with pytest.raises(OSError) as recv_error:
        a.recvmmsg(1, 1)
    assert recv_error.value.errno == errno.EBADF
