"""The POSIX backend: BSD sockets on Linux, macOS and the BSDs, through CPython's socket."""

from __future__ import annotations

import os
import socket as stdlib
import sys
from typing import TYPE_CHECKING, Final

from multisock.api import SPEC_METHODS
from multisock.capabilities import Capabilities
from multisock.options import OPTIONS
from multisock_cpython import CPythonBackend, CPythonSocket, serves

if TYPE_CHECKING:
    from multisock.keepalive import Keepalive

__all__ = ["CAPABILITIES", "PosixBackend", "PosixSocket"]

# What every POSIX system offers through CPython, and nothing platform-specific: AF_ALG
# and the Linux-only options belong to linux_ext; ioctl and share are Windows methods.
_NOT_POSIX: Final = {"ioctl", "share", "sendmsg_afalg"}
_PORTABLE_OPTIONS: Final = [
    "SO_ACCEPTCONN",
    "SO_BROADCAST",
    "SO_DONTROUTE",
    "SO_ERROR",
    "SO_KEEPALIVE",
    "SO_LINGER",
    "SO_OOBINLINE",
    "SO_RCVBUF",
    "SO_SNDBUF",
    "SO_RCVLOWAT",
    "SO_REUSEADDR",
    "SO_REUSEPORT",
    "SO_TYPE",
    "TCP_NODELAY",
    "TCP_MAXSEG",
    "TCP_KEEPIDLE",
    "TCP_KEEPALIVE",
    "TCP_KEEPINTVL",
    "TCP_KEEPCNT",
    "IP_TTL",
    "IP_TOS",
    "IP_MULTICAST_TTL",
    "IP_MULTICAST_LOOP",
    "IP_ADD_MEMBERSHIP",
    "IP_DROP_MEMBERSHIP",
    "IPV6_V6ONLY",
    "IPV6_UNICAST_HOPS",
    "IPV6_MULTICAST_HOPS",
    "IPV6_MULTICAST_LOOP",
    "IPV6_JOIN_GROUP",
    "IPV6_LEAVE_GROUP",
    "IPV6_TCLASS",
]
# TCP_KEEPIDLE is called TCP_KEEPALIVE on macOS.
_IDLE: Final = (
    OPTIONS["TCP_KEEPIDLE"] if OPTIONS["TCP_KEEPIDLE"].available else OPTIONS["TCP_KEEPALIVE"]
)


def _capabilities() -> Capabilities:
    types = {"SOCK_STREAM", "SOCK_DGRAM"}
    if sys.platform.startswith(("linux", "freebsd")):
        types.add("SOCK_SEQPACKET")  # AF_UNIX seqpacket; macOS has none
    return Capabilities(
        families=frozenset({"AF_INET", "AF_INET6", "AF_UNIX"}),
        types=frozenset(types),
        methods=frozenset(
            m for m in SPEC_METHODS if m not in _NOT_POSIX and hasattr(stdlib.socket, m)
        ),
        options=frozenset(name for name in _PORTABLE_OPTIONS if OPTIONS[name].available),
        ancillary=frozenset({"SCM_RIGHTS"}) if hasattr(stdlib, "SCM_RIGHTS") else frozenset(),
        features=frozenset({"socketpair", "fromfd", "keepalive"}),
    )


CAPABILITIES: Final = _capabilities()


@serves(CAPABILITIES)
class PosixSocket(CPythonSocket):
    """A POSIX socket."""

    __slots__ = ()

    def set_keepalive(self, keepalive: Keepalive) -> None:
        self.set_option(OPTIONS["SO_KEEPALIVE"], keepalive.enabled)
        for option, value in (
            (_IDLE, keepalive.idle),
            (OPTIONS["TCP_KEEPINTVL"], keepalive.interval),
            (OPTIONS["TCP_KEEPCNT"], keepalive.count),
        ):
            if value is not None:
                self.set_option(option, value)

    def get_keepalive(self) -> Keepalive:
        from multisock.keepalive import Keepalive  # noqa: PLC0415 - pydantic on first use

        return Keepalive(
            enabled=self.get_option(OPTIONS["SO_KEEPALIVE"]),
            idle=self.get_option(_IDLE),
            interval=self.get_option(OPTIONS["TCP_KEEPINTVL"]),
            count=self.get_option(OPTIONS["TCP_KEEPCNT"]),
        )


class PosixBackend(CPythonBackend):
    """BSD sockets on Linux, macOS and the BSDs."""

    priority = 0
    socket_cls = PosixSocket

    @property
    def capabilities(self) -> Capabilities:
        return CAPABILITIES

    def unavailable_reason(self) -> str | None:
        if os.name != "posix":
            return f"POSIX sockets need a POSIX system; this is {sys.platform}"
        return None
