"""The portable keepalive setting, read back through the platform's own options.

Whether keepalive is on is always readable (SO_KEEPALIVE). The times and the probe count are
read back where the platform can; where it cannot (get_keepalive() gives None for them, as
Windows builds without TCP_KEEPIDLE and Wine do), the tests that need them are unsupported here.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

import pytest

import multisock
from multisock.options import OPTIONS

from .flavours import SocketFactory

# What set_keepalive raises where the platform cannot set a part of the setting.
NOT_HERE = {errno.ENOPROTOOPT, getattr(errno, "EOPNOTSUPP", -1)}


def apply(sock: Any, setting: multisock.Keepalive, unsupported_here: Any) -> None:
    try:
        sock.set_keepalive(setting)
    except OSError as exc:
        if exc.errno in NOT_HERE:
            unsupported_here(exc)
        raise


def read_back(sock: Any, unsupported_here: Any) -> multisock.Keepalive:
    got: multisock.Keepalive = sock.get_keepalive()
    unreadable = [name for name in ("idle", "interval", "count") if getattr(got, name) is None]
    if unreadable:
        unsupported_here(
            f"this platform cannot read the keepalive {', '.join(unreadable)} back "
            f"(get_keepalive() gave None)"
        )
    return got


@pytest.mark.requires("feature:keepalive")
def test_keepalive_switches_on_and_off(sockets: SocketFactory) -> None:
    sock = sockets.new()
    assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 0
    sock.set_keepalive(multisock.Keepalive(idle=60, interval=10))
    assert sock.get_keepalive().enabled is True
    assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) != 0
    sock.set_keepalive(multisock.Keepalive(enabled=False))
    assert sock.get_keepalive().enabled is False
    assert sock.get_option(OPTIONS["SO_KEEPALIVE"]) is False


@pytest.mark.requires("feature:keepalive")
@pytest.mark.parametrize(
    "setting",
    [
        multisock.Keepalive(idle=60, interval=10, count=5),
        multisock.Keepalive(idle=7200, interval=75, count=9),
        multisock.Keepalive(idle=1, interval=1, count=1),
    ],
    ids=["60-10-5", "defaults", "minimum"],
)
def test_keepalive_round_trips(
    setting: multisock.Keepalive, sockets: SocketFactory, unsupported_here: Any
) -> None:
    sock = sockets.new()
    apply(sock, setting, unsupported_here)
    assert read_back(sock, unsupported_here) == setting
    assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) != 0


@pytest.mark.requires("feature:keepalive")
def test_keepalive_off(sockets: SocketFactory, unsupported_here: Any) -> None:
    sock = sockets.new()
    apply(sock, multisock.Keepalive(idle=30, interval=5), unsupported_here)
    apply(sock, multisock.Keepalive(enabled=False), unsupported_here)
    got = read_back(sock, unsupported_here)
    assert got.enabled is False
    assert (got.idle, got.interval) == (30, 5)  # switching off keeps the times
    assert sock.get_option(OPTIONS["SO_KEEPALIVE"]) is False


@pytest.mark.requires("feature:keepalive")
def test_keepalive_partial_update_keeps_the_rest(
    sockets: SocketFactory, unsupported_here: Any
) -> None:
    sock = sockets.new()
    apply(sock, multisock.Keepalive(idle=100, interval=20, count=4), unsupported_here)
    apply(sock, multisock.Keepalive(idle=50), unsupported_here)
    assert read_back(sock, unsupported_here) == multisock.Keepalive(idle=50, interval=20, count=4)
