"""Batch datagram I/O: sendmmsg/recvmmsg, many datagrams per system call.

What a batch sends and receives must be what as many sendto()/recvfrom() calls would send and
receive: the same datagrams, in order, with the same addresses, truncated the same way, and
waiting as the socket's timeout says.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

import multisock
from multisock.options import OPTIONS

from .flavours import SocketFactory

INET = ["AF_INET", "AF_INET6"]


def udp(sockets: SocketFactory, family: str = "AF_INET") -> tuple[Any, Any]:
    a, b = sockets.udp_pair(getattr(socket, family))
    b.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    return a, b


def receive_all(
    sock: Any, count: int, bufsize: int = 2048, flags: int = 0
) -> list[tuple[bytes, Any]]:
    """Datagrams until ``count`` arrived (each call takes what is queued)."""
    sock.settimeout(10)
    got: list[tuple[bytes, Any]] = []
    while len(got) < count:
        got += sock.recvmmsg(count - len(got), bufsize, flags)
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
def test_msg_trunc_never_returns_more_than_bufsize(sockets: SocketFactory) -> None:
    # With MSG_TRUNC the kernel reports each datagram's full length; the data stays cut.
    a, b = udp(sockets)
    a.sendmmsg([b"0123456789", b"ab", b"xyz12"], b.getsockname())
    got = [d for d, _ in receive_all(b, 3, 4, socket.MSG_TRUNC)]
    assert got == [b"0123", b"ab", b"xyz1"]


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


# -- UDP_GRO: coalesced receive, an opt-in ------------------------------------------------------
# With UDP_GRO set, the kernel may hand over many datagrams of one flow as one message (a
# segmented send over loopback arrives whole). recvmmsg must cut them apart again: what it
# returns with GRO is what it returns without.

GRO = OPTIONS["UDP_GRO"]
SOL_UDP = socket.IPPROTO_UDP


def enable_gro(sock: Any, unsupported_here: Any) -> None:
    try:
        sock.set_option(GRO, True)
    except OSError as exc:
        if exc.errno in (errno.ENOPROTOOPT, errno.EOPNOTSUPP):
            unsupported_here(exc)
        raise


def coalescing(sockets: SocketFactory, family: str, unsupported_here: Any) -> tuple[Any, Any]:
    """A sender and a GRO receiver, once recvmsg showed that the kernel does coalesce."""
    a, b = udp(sockets, family)
    enable_gro(b, unsupported_here)
    a.sendmmsg([b"probe!"] * 10, b.getsockname())
    b.settimeout(10)
    data, ancdata, _, _ = b.recvmsg(4096, socket.CMSG_SPACE(4))
    if data == b"probe!":
        unsupported_here("the kernel delivered a segmented send segmented, UDP_GRO or not")
    assert data == b"probe!" * 10  # recv on a GRO socket: joined, which is why it is opt-in
    assert ancdata == [(SOL_UDP, 104, (6).to_bytes(4, sys.byteorder))]
    return a, b


def mixed_batch() -> list[bytes]:
    """Runs of equal sizes (coalesced, with shorter tails, runs longer than 64) and others."""
    sizes = [64] * 20 + [10] + [1000] * 5 + [7, 0, 1472, 3000] + [100] * 3 + [1] * 70 + [9]
    return [os.urandom(size) for size in sizes]


def send_all(sender: Any, datagrams: list[bytes], address: Any) -> None:
    sent = 0
    while sent < len(datagrams):
        sent += sender.sendmmsg(datagrams[sent:], address)


@pytest.mark.requires("option:UDP_GRO", "feature:batch_io", "type:SOCK_DGRAM")
def test_gro_is_never_enabled_unless_asked(sockets: SocketFactory, unsupported_here: Any) -> None:
    a, b = udp(sockets)
    try:
        assert b.get_option(GRO) is False
    except OSError as exc:
        if exc.errno in (errno.ENOPROTOOPT, errno.EOPNOTSUPP):
            unsupported_here(exc)
        raise
    a.sendmmsg([b"x" * 64] * 10, b.getsockname())
    assert receive_all(b, 10) == [(b"x" * 64, a.getsockname())] * 10
    assert (a.get_option(GRO), b.get_option(GRO)) == (False, False)
    b.settimeout(0)
    a.sendmmsg([b"y" * 64] * 10, b.getsockname())
    assert b.recvfrom(4096) == (b"y" * 64, a.getsockname())  # one datagram, not ten joined


@pytest.mark.requires("option:UDP_GRO", "feature:batch_io", "family:{family}", "type:SOCK_DGRAM")
@pytest.mark.parametrize("family", INET)
@pytest.mark.parametrize("count", [1, 7, 64, 1024])
def test_recvmmsg_with_gro_returns_what_it_returns_without(
    count: int, family: str, sockets: SocketFactory, unsupported_here: Any
) -> None:
    a, coalesced = coalescing(sockets, family, unsupported_here)
    plain = sockets.new(getattr(socket, family), socket.SOCK_DGRAM)
    plain.bind((a.getsockname()[0], 0))
    plain.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    other = sockets.new(getattr(socket, family), socket.SOCK_DGRAM)
    other.bind((a.getsockname()[0], 0))
    first, second = mixed_batch(), mixed_batch()
    for receiver in (plain, coalesced):
        send_all(a, first, receiver.getsockname())
        other.sendto(b"from another sender", receiver.getsockname())
        send_all(a, second, receiver.getsockname())
    expected = [(d, a.getsockname()) for d in first]
    expected += [(b"from another sender", other.getsockname())]
    expected += [(d, a.getsockname()) for d in second]
    got: dict[Any, list[tuple[bytes, Any]]] = {}
    for receiver in (plain, coalesced):
        receiver.settimeout(10)
        got[receiver] = []
        while len(got[receiver]) < len(expected):
            batch = receiver.recvmmsg(min(count, len(expected) - len(got[receiver])), 4096)
            assert 0 < len(batch) <= count
            got[receiver] += batch
    assert got[coalesced] == got[plain] == expected
    assert coalesced.recvmmsg_pending() == 0


@pytest.mark.requires("option:UDP_GRO", "feature:batch_io", "type:SOCK_DGRAM")
@pytest.mark.parametrize("bufsize", [1, 40, 99, 100, 101, 65536])
def test_gro_truncates_each_datagram_like_recvfrom(
    bufsize: int, sockets: SocketFactory, unsupported_here: Any
) -> None:
    # A coalesced message is longer than bufsize; each of its datagrams is cut, none lost.
    a, b = coalescing(sockets, "AF_INET", unsupported_here)
    datagrams = [os.urandom(100) for _ in range(10)] + [os.urandom(30)] * 5 + [os.urandom(3000)]
    send_all(a, datagrams, b.getsockname())
    assert [d for d, _ in receive_all(b, len(datagrams), bufsize)] == [
        d[:bufsize] for d in datagrams
    ]


@pytest.mark.requires("option:UDP_GRO", "feature:batch_io", "type:SOCK_DGRAM")
def test_gro_keeps_what_count_leaves_for_the_next_call(
    sockets: SocketFactory, unsupported_here: Any
) -> None:
    a, b = coalescing(sockets, "AF_INET", unsupported_here)
    datagrams = [b"%02d" % i for i in range(10)]
    a.sendmmsg(datagrams, b.getsockname())
    b.settimeout(10)
    assert b.recvmmsg(4, 1) == [(d[:1], a.getsockname()) for d in datagrams[:4]]
    assert b.recvmmsg_pending() == 6  # one coalesced message: all ten were taken
    # Each datagram is cut by the call that returns it, as recvfrom would cut it.
    assert [d for d, _ in b.recvmmsg(2, 16)] == datagrams[4:6]
    assert [d for d, _ in b.recvmmsg(2, 1)] == [b"0", b"0"]
    b.settimeout(None)  # kept datagrams come at once, even where the socket would block
    started = time.monotonic()
    assert [d for d, _ in b.recvmmsg(64, 16)] == datagrams[8:]
    assert time.monotonic() - started < 1
    assert b.recvmmsg_pending() == 0
    b.setblocking(False)
    with pytest.raises(BlockingIOError):
        b.recvmmsg(64, 16)


@pytest.mark.requires("option:UDP_GRO", "feature:batch_io", "type:SOCK_DGRAM")
def test_gro_leftovers_come_before_later_datagrams(
    sockets: SocketFactory, unsupported_here: Any
) -> None:
    a, b = coalescing(sockets, "AF_INET", unsupported_here)
    earlier = [b"early %02d" % i for i in range(64)]
    later = [b"late %d" % i for i in range(3)] + [b"the last one"]
    for _ in range(3):  # three coalesced messages, more than one call asks for
        a.sendmmsg(earlier, b.getsockname())
    time.sleep(0.05)  # all three queued
    b.settimeout(10)
    assert [d for d, _ in b.recvmmsg(100, 64)] == earlier + earlier[:36]
    assert 0 < b.recvmmsg_pending() <= 128
    a.sendmmsg(later, b.getsockname())
    rest = [d for d, _ in receive_all(b, 92 + len(later), 64)]
    assert rest == earlier[36:] + earlier + later


@pytest.mark.requires("option:UDP_GRO", "feature:batch_io", "method:settimeout")
def test_gro_recvmmsg_follows_the_socket_timeout(
    sockets: SocketFactory, unsupported_here: Any
) -> None:
    a, b = coalescing(sockets, "AF_INET", unsupported_here)
    b.settimeout(0.2)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        b.recvmmsg(8, 64)
    assert time.monotonic() - started >= 0.15
    b.setblocking(False)
    with pytest.raises(BlockingIOError) as caught:
        b.recvmmsg(8, 64)
    assert caught.value.errno == errno.EAGAIN
    b.setblocking(True)
    later = [b"%d" % i for i in range(10)]
    sender = threading.Timer(0.2, lambda: a.sendmmsg(later, b.getsockname()))
    sender.start()
    try:
        started = time.monotonic()
        first = b.recvmmsg(64, 64)
        assert time.monotonic() - started >= 0.15
    finally:
        sender.join()
    rest = [] if len(first) == len(later) else receive_all(b, len(later) - len(first))
    assert [d for d, _ in first + rest] == later


@pytest.mark.requires("option:UDP_GRO", "feature:batch_io", "type:SOCK_DGRAM")
def test_gro_segment_size_found_behind_other_control_messages(
    sockets: SocketFactory, unsupported_here: Any
) -> None:
    a, b = coalescing(sockets, "AF_INET", unsupported_here)
    so_timestamp = 29  # asm-generic; the socket module does not export it
    b.setsockopt(socket.SOL_SOCKET, so_timestamp, 1)
    a.sendmmsg([b"probe"] * 4, b.getsockname())
    _, ancdata, _, _ = b.recvmsg(4096, 256)
    assert [(level, kind) for level, kind, _ in ancdata] == [
        (socket.SOL_SOCKET, so_timestamp), (SOL_UDP, 104)
    ]  # fmt: skip
    datagrams = [os.urandom(50) for _ in range(20)]
    a.sendmmsg(datagrams, b.getsockname())
    assert [d for d, _ in receive_all(b, 20, 64)] == datagrams


@pytest.mark.requires("option:UDP_GRO", "feature:batch_io", "type:SOCK_DGRAM")
def test_gro_switched_by_setsockopt_on_and_off(
    sockets: SocketFactory, unsupported_here: Any
) -> None:
    a, b = coalescing(sockets, "AF_INET", unsupported_here)
    b.setsockopt(SOL_UDP, 104, 0)
    a.sendmmsg([b"off"] * 5, b.getsockname())
    b.settimeout(10)
    assert b.recvfrom(64)[0] == b"off"  # delivered segmented again
    assert [d for d, _ in receive_all(b, 4, 64)] == [b"off"] * 4
    b.setsockopt(SOL_UDP, 104, 1)
    a.sendmmsg([b"%d" % i for i in range(10)], b.getsockname())
    assert len(b.recvmmsg(3, 64)) == 3
    assert b.recvmmsg_pending() == 7
    b.setsockopt(SOL_UDP, 104, 0)  # what was taken is still returned first
    a.sendmmsg([b"x", b"y"], b.getsockname())
    assert [d for d, _ in receive_all(b, 9, 64)] == [b"%d" % i for i in range(3, 10)] + [
        b"x", b"y"
    ]  # fmt: skip


@pytest.mark.requires("option:UDP_GRO", "feature:batch_io", "type:SOCK_DGRAM")
def test_gro_peek_does_not_consume(sockets: SocketFactory, unsupported_here: Any) -> None:
    a, b = coalescing(sockets, "AF_INET", unsupported_here)
    datagrams = [b"%d" % i for i in range(10)]
    a.sendmmsg(datagrams, b.getsockname())
    b.settimeout(10)
    peeked = b.recvmmsg(4, 64, socket.MSG_PEEK)
    assert [d for d, _ in peeked] == datagrams[:4]
    assert b.recvmmsg_pending() == 0
    assert b.recvmmsg(4, 64) == peeked
    assert b.recvmmsg(2, 64, socket.MSG_PEEK) == b.recvmmsg(2, 64)  # from what was kept
    assert [d for d, _ in b.recvmmsg(64, 64)] == datagrams[6:]
    a.sendto(b"alone", b.getsockname())
    a.sendmmsg(datagrams, b.getsockname())
    time.sleep(0.05)
    # A peek shows the first queued message: here one datagram, as recvfrom would peek it.
    assert b.recvmmsg(4, 64, socket.MSG_PEEK) == [(b"alone", a.getsockname())]
    assert [d for d, _ in receive_all(b, 11, 64)] == [b"alone", *datagrams]


@pytest.mark.requires("option:UDP_GRO", "feature:batch_io", "type:SOCK_DGRAM")
def test_gro_close_drops_leftovers(sockets: SocketFactory, unsupported_here: Any) -> None:
    a, b = coalescing(sockets, "AF_INET", unsupported_here)
    a.sendmmsg([b"z"] * 10, b.getsockname())
    b.settimeout(10)
    assert len(b.recvmmsg(1, 64)) == 1
    assert b.recvmmsg_pending() == 9
    b.close()
    assert b.recvmmsg_pending() == 0
    with pytest.raises(OSError) as caught:
        b.recvmmsg(1, 64)
    assert caught.value.errno == errno.EBADF
