"""Typed options: every option a backend declares is set and read back, decoded.

Each declared option needs a sample here; a declared option without one fails, so a backend
cannot claim an option the suite does not exercise.
"""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from multisock.options import OPTIONS, Linger, Membership, Membership6

from .flavours import STDLIB, SocketFactory, assert_like_stdlib


@dataclass(frozen=True)
class Sample:
    """Where to try an option (a socket kind), what to set, and what reading it back gives."""

    kind: str
    value: Any = None  # None: read-only, only read
    expect: Callable[[Any], bool] | None = None  # default: equal to the value set
    readable: bool = True


def equal_or_more(minimum: int) -> Callable[[Any], bool]:
    return lambda got: isinstance(got, int) and got >= minimum


SAMPLES: dict[str, Sample] = {
    "SO_ACCEPTCONN": Sample("listener", expect=lambda got: got is True),
    "SO_BROADCAST": Sample("udp", True),
    "SO_DEBUG": Sample("tcp", True),
    "SO_DONTROUTE": Sample("tcp", True),
    "SO_ERROR": Sample("tcp", expect=lambda got: got == 0),
    "SO_KEEPALIVE": Sample("tcp", True),
    "SO_LINGER": Sample("tcp", Linger(onoff=True, seconds=7)),
    "SO_OOBINLINE": Sample("tcp", True),
    "SO_RCVBUF": Sample("tcp", 65536, equal_or_more(65536)),
    "SO_SNDBUF": Sample("tcp", 65536, equal_or_more(65536)),
    "SO_RCVLOWAT": Sample("tcp", 10),
    "SO_REUSEADDR": Sample("tcp", True),
    "SO_REUSEPORT": Sample("tcp", True),
    "SO_EXCLUSIVEADDRUSE": Sample("tcp", True),
    "SO_TYPE": Sample("tcp", expect=lambda got: got == socket.SOCK_STREAM),
    "SO_DOMAIN": Sample("tcp", expect=lambda got: got == socket.AF_INET),
    "SO_PROTOCOL": Sample("tcp", expect=lambda got: got == socket.IPPROTO_TCP),
    "SO_PRIORITY": Sample("tcp", 3),
    "SO_MARK": Sample("tcp", 42),
    "SO_BINDTODEVICE": Sample("tcp", "lo"),
    "SO_PASSCRED": Sample("unix", True),
    "SO_PEERCRED": Sample(
        "unixpair",
        expect=lambda got: (got.pid, got.uid, got.gid) == (os.getpid(), os.getuid(), os.getgid()),
    ),
    "SO_BUSY_POLL": Sample("tcp", 50),
    "SO_INCOMING_CPU": Sample("tcp", expect=lambda got: isinstance(got, int)),
    "TCP_NODELAY": Sample("tcp", True),
    "TCP_MAXSEG": Sample("tcp", 1000, lambda got: isinstance(got, int) and got > 0),
    "TCP_KEEPIDLE": Sample("tcp", 60),
    "TCP_KEEPALIVE": Sample("tcp", 60),
    "TCP_KEEPINTVL": Sample("tcp", 10),
    "TCP_KEEPCNT": Sample("tcp", 5),
    "TCP_USER_TIMEOUT": Sample("tcp", 5000),
    "TCP_CONGESTION": Sample("tcp", "reno"),
    "TCP_FASTOPEN": Sample("listener", 5),
    "TCP_QUICKACK": Sample("tcp", True, lambda got: isinstance(got, bool)),
    "TCP_CORK": Sample("tcp", True),
    "TCP_NOTSENT_LOWAT": Sample("tcp", 16384),
    "IP_TTL": Sample("tcp", 42),
    "IP_TOS": Sample("tcp", 0x10),
    "IP_MULTICAST_TTL": Sample("udp", 4),
    "IP_MULTICAST_LOOP": Sample("udp", False),
    "IP_ADD_MEMBERSHIP": Sample(
        "udp", Membership(group="239.1.2.3", interface="127.0.0.1"), readable=False
    ),
    "IP_DROP_MEMBERSHIP": Sample(
        "udp", Membership(group="239.1.2.3", interface="127.0.0.1"), readable=False
    ),
    "IP_RECVTOS": Sample("udp", True),
    "IP_FREEBIND": Sample("tcp", True),
    "IP_TRANSPARENT": Sample("tcp", True),
    "IP_BIND_ADDRESS_NO_PORT": Sample("tcp", True),
    "IP_PKTINFO": Sample("udp", True),
    "IP_MTU_DISCOVER": Sample("udp", 2),
    "IPV6_V6ONLY": Sample("tcp6", True),
    "IPV6_UNICAST_HOPS": Sample("tcp6", 42),
    "IPV6_MULTICAST_HOPS": Sample("udp6", 3),
    "IPV6_MULTICAST_LOOP": Sample("udp6", False),
    "IPV6_MULTICAST_IF": Sample("udp6", 0),
    "IPV6_JOIN_GROUP": Sample("udp6", Membership6(group="ff02::1:3", interface=1), readable=False),
    "IPV6_LEAVE_GROUP": Sample("udp6", Membership6(group="ff02::1:3", interface=1), readable=False),
    "IPV6_TCLASS": Sample("tcp6", 0x20),
    "IPV6_RECVPKTINFO": Sample("udp6", True),
    "IPV6_RECVTCLASS": Sample("udp6", True),
    "IPV6_DONTFRAG": Sample("udp6", True),
    "UDP_CORK": Sample("udp", True),
    "UDP_SEGMENT": Sample("udp", 1200),
    "UDP_GRO": Sample("udp", True),
}

# Options that only make sense in a sequence: join before leave.
BEFORE = {"IP_DROP_MEMBERSHIP": "IP_ADD_MEMBERSHIP", "IPV6_LEAVE_GROUP": "IPV6_JOIN_GROUP"}
NOT_HERE = {
    errno.ENOPROTOOPT,
    errno.EPERM,
    errno.EACCES,
    errno.ENODEV,
    errno.EADDRNOTAVAIL,
    getattr(errno, "EOPNOTSUPP", -1),
    errno.ENOENT,
}


def make(s: SocketFactory, kind: str) -> Any:
    if kind == "tcp":
        return s.new(socket.AF_INET, socket.SOCK_STREAM)
    if kind == "tcp6":
        return s.new(socket.AF_INET6, socket.SOCK_STREAM)
    if kind == "udp":
        return s.new(socket.AF_INET, socket.SOCK_DGRAM)
    if kind == "udp6":
        return s.new(socket.AF_INET6, socket.SOCK_DGRAM)
    if kind == "listener":
        return s.listener()
    if kind == "unix":
        return s.new(socket.AF_UNIX, socket.SOCK_STREAM)
    if kind == "unixpair":
        return s.pair(socket.AF_UNIX, socket.SOCK_STREAM)[0]
    raise AssertionError(kind)


@pytest.mark.requires("option:{name}")
@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_declared_option_round_trips(
    name: str, sockets: SocketFactory, unsupported_here: Any
) -> None:
    option = OPTIONS[name]
    if option.kind.__class__.__name__ in ("Secret", "OptLen"):
        pytest.skip(f"not applicable: {name} is exercised with AF_ALG sockets")
    sample = SAMPLES.get(name)
    assert sample is not None, f"{name} is declared but the suite has no sample for it"
    sock = make(sockets, sample.kind)
    try:
        if name in BEFORE:
            sock.set_option(OPTIONS[BEFORE[name]], sample.value)
        if sample.value is not None:
            sock.set_option(option, sample.value)
        if not sample.readable:
            return
        got = sock.get_option(option)
    except OSError as exc:
        if exc.errno in NOT_HERE:
            unsupported_here(exc)
        raise
    expect = sample.expect or (lambda value: value == sample.value)
    assert expect(got), f"{name}: set {sample.value!r}, read back {got!r}"


@pytest.mark.requires("option:{name}")
@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_declared_option_defaults_match_the_stdlib(
    name: str, sockets: SocketFactory, unsupported_here: Any
) -> None:
    option = OPTIONS[name]
    sample = SAMPLES.get(name)
    if sample is None or not sample.readable or option.kind.buflen is not None:
        pytest.skip(f"not applicable: {name} has no plain int default to compare")
    assert option.level is not None
    assert option.optname is not None
    ours = make(sockets, sample.kind)
    theirs_factory = SocketFactory(STDLIB)
    try:
        theirs = make(theirs_factory, sample.kind)
        try:
            expected = theirs.getsockopt(option.level, option.optname)
        except OSError as exc:
            unsupported_here(exc)
        assert ours.getsockopt(option.level, option.optname) == expected
    finally:
        theirs_factory.close_all()


@pytest.mark.requires("method:setsockopt")
def test_setsockopt_plain_forms(sockets: SocketFactory) -> None:
    sock = sockets.new()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) != 0
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, (0).to_bytes(4, "little"))
    assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) == 0
    size = OPTIONS["SO_LINGER"].kind.buflen  # struct linger: 8 bytes on POSIX, 4 on Windows
    assert size is not None
    linger = sock.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, size)
    assert isinstance(linger, bytes)
    assert len(linger) == size


@pytest.mark.requires("method:getsockopt")
def test_getsockopt_of_an_unknown_option_like_the_stdlib(flavour: Any) -> None:
    def scenario(s: SocketFactory) -> Any:
        return s.new().getsockopt(socket.SOL_SOCKET, 9999)

    assert isinstance(assert_like_stdlib(scenario, flavour).error, OSError)


@pytest.mark.requires("option:SO_EXCLUSIVEADDRUSE")
def test_exclusive_address_use_keeps_other_sockets_off(sockets: SocketFactory) -> None:
    owner = sockets.new()
    owner.set_option(OPTIONS["SO_EXCLUSIVEADDRUSE"], True)
    owner.bind(("127.0.0.1", 0))
    owner.listen()
    intruder = sockets.new()
    intruder.set_option(OPTIONS["SO_REUSEADDR"], True)  # on Windows enough to share a port
    with pytest.raises(OSError) as caught:
        intruder.bind(owner.getsockname())
    assert caught.value.errno in (errno.EACCES, errno.EADDRINUSE)
    both = sockets.new()  # Windows refuses the two options on one socket (WSAEINVAL)
    both.set_option(OPTIONS["SO_EXCLUSIVEADDRUSE"], True)
    with pytest.raises(OSError):
        both.set_option(OPTIONS["SO_REUSEADDR"], True)
