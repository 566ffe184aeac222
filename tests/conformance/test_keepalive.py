"""The portable keepalive setting, read back through the platform's own options."""

from __future__ import annotations

import socket

import pytest

import multisock
from multisock.options import OPTIONS

from .flavours import SocketFactory


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
def test_keepalive_round_trips(setting: multisock.Keepalive, sockets: SocketFactory) -> None:
    sock = sockets.new()
    sock.set_keepalive(setting)
    assert sock.get_keepalive() == setting
    assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) != 0


@pytest.mark.requires("feature:keepalive")
def test_keepalive_off(sockets: SocketFactory) -> None:
    sock = sockets.new()
    sock.set_keepalive(multisock.Keepalive(idle=30))
    sock.set_keepalive(multisock.Keepalive(enabled=False))
    assert sock.get_keepalive().enabled is False
    assert sock.get_option(OPTIONS["SO_KEEPALIVE"]) is False


@pytest.mark.requires("feature:keepalive")
def test_keepalive_partial_update_keeps_the_rest(sockets: SocketFactory) -> None:
    sock = sockets.new()
    sock.set_keepalive(multisock.Keepalive(idle=100, interval=20, count=4))
    sock.set_keepalive(multisock.Keepalive(idle=50))
    assert sock.get_keepalive() == multisock.Keepalive(idle=50, interval=20, count=4)
