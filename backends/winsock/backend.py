"""The Winsock backend: Windows sockets through CPython, with typed ioctl and share."""

from __future__ import annotations

import sys
from typing import Final

from multisock.api import SPEC_METHODS
from multisock.capabilities import Capabilities
from multisock_cpython import CPythonBackend, CPythonSocket, serves

__all__ = ["CAPABILITIES", "WinsockBackend", "WinsockSocket"]

# Windows CPython has no AF_UNIX, recvmsg, sendmsg or sendmsg_afalg.
_NOT_WINDOWS: Final = {"recvmsg", "recvmsg_into", "sendmsg", "sendmsg_afalg"}

CAPABILITIES: Final = Capabilities(
    families=frozenset({"AF_INET", "AF_INET6"}),
    types=frozenset({"SOCK_STREAM", "SOCK_DGRAM"}),
    methods=frozenset(m for m in SPEC_METHODS if m not in _NOT_WINDOWS),
    options=frozenset(
        [
            "SO_BROADCAST",
            "SO_ERROR",
            "SO_KEEPALIVE",
            "SO_LINGER",
            "SO_OOBINLINE",
            "SO_RCVBUF",
            "SO_SNDBUF",
            "SO_REUSEADDR",
            "SO_EXCLUSIVEADDRUSE",
            "SO_TYPE",
            "TCP_NODELAY",
            "IP_TTL",
            "IP_MULTICAST_TTL",
            "IP_MULTICAST_LOOP",
            "IPV6_V6ONLY",
            "IPV6_UNICAST_HOPS",
        ]
    ),
    ioctls=frozenset({"SIO_KEEPALIVE_VALS", "SIO_LOOPBACK_FAST_PATH", "SIO_RCVALL"}),
    features=frozenset({"socketpair", "fromfd", "fromshare", "keepalive"}),
)


@serves(CAPABILITIES)
class WinsockSocket(CPythonSocket):
    """A Windows socket."""

    __slots__ = ()


class WinsockBackend(CPythonBackend):
    """Windows sockets (Winsock 2), with typed ioctl (SIO_*) and share/fromshare."""

    priority = 0
    socket_cls = WinsockSocket

    @property
    def capabilities(self) -> Capabilities:
        return CAPABILITIES

    def unavailable_reason(self) -> str | None:
        if sys.platform != "win32":
            return f"Winsock exists only on Windows; this is {sys.platform}"
        return None
