"""The Winsock backend: Windows sockets through CPython, with typed ioctl and share.

Beyond the stdlib's socket, a Winsock socket here:

- checks ``ioctl`` values against :mod:`multisock.ioctls` (SIO_RCVALL, SIO_KEEPALIVE_VALS,
  SIO_LOOPBACK_FAST_PATH) and refuses other control codes with an UnsupportedControl;
- checks ``share``'s process id, and serves ``multisock.fromshare`` for the
  ``WSAPROTOCOL_INFOW`` bytes that ``share`` returns;
- applies the portable :class:`multisock.Keepalive` through SIO_KEEPALIVE_VALS.

Options, in Windows' terms: SO_REUSEADDR there lets a socket bind an address another socket
is already bound to (even one that is listening), so a second program can take over a port;
SO_EXCLUSIVEADDRUSE forbids that for the socket that sets it, and the two cannot be combined.
TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT (Windows 10 builds from 2016-2017 on) are declared
where CPython's socket module offers them: it removes them on older builds. Wine 8 has them
in the module but refuses them (WSAENOPROTOOPT).
"""

from __future__ import annotations

import _socket
import errno
import sys
from typing import Final

from multisock.api import SPEC_METHODS, Socket
from multisock.capabilities import Capabilities
from multisock.errors import invalid
from multisock.options import OPTIONS
from multisock_cpython import CPythonBackend, CPythonSocket

__all__ = ["CAPABILITIES", "WinsockBackend"]

# Windows CPython has no AF_UNIX, recvmsg, sendmsg or sendmsg_afalg.
_NOT_WINDOWS: Final = {"recvmsg", "recvmsg_into", "sendmsg", "sendmsg_afalg"}
_OPTIONS: Final = [
    "SO_ACCEPTCONN",
    "SO_BROADCAST",
    "SO_DONTROUTE",
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
    "IP_ADD_MEMBERSHIP",
    "IP_DROP_MEMBERSHIP",
    "IP_PKTINFO",
    "IP_RECVTOS",
    "IPV6_V6ONLY",
    "IPV6_UNICAST_HOPS",
    "IPV6_MULTICAST_HOPS",
    "IPV6_MULTICAST_LOOP",
    "IPV6_MULTICAST_IF",
    "IPV6_JOIN_GROUP",
    "IPV6_LEAVE_GROUP",
    "IPV6_RECVTCLASS",
    "IPV6_DONTFRAG",
]
# Not declared: SO_RCVLOWAT (Winsock refuses it), IP_TOS (Microsoft: set it through the QoS
# API instead), SO_DEBUG (not kept); TCP_MAXSEG, TCP_FASTOPEN and IPV6_TCLASS until a run on
# Windows itself shows them working (Wine refuses them).
_KEEPALIVE_OPTIONS: Final = ["TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT"]

CAPABILITIES: Final = Capabilities(
    families=frozenset({"AF_INET", "AF_INET6"}),
    # SOCK_RAW: SIO_RCVALL works on raw sockets only (with administrator rights).
    types=frozenset({"SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW"}),
    methods=frozenset(m for m in SPEC_METHODS if m not in _NOT_WINDOWS),
    options=frozenset(_OPTIONS + [name for name in _KEEPALIVE_OPTIONS if OPTIONS[name].available]),
    ioctls=frozenset({"SIO_KEEPALIVE_VALS", "SIO_LOOPBACK_FAST_PATH", "SIO_RCVALL"}),
    features=frozenset({"socketpair", "fromfd", "fromshare", "keepalive"}),
)


class WinsockBackend(CPythonBackend):
    """Windows sockets (Winsock 2), with typed ioctl (SIO_*) and share/fromshare."""

    priority = 0

    def socket_class(self, family: int, type: int, proto: int) -> type[CPythonSocket]:
        from .sockets import WinsockSocket  # noqa: PLC0415 - only where sockets are made

        return WinsockSocket

    @property
    def capabilities(self) -> Capabilities:
        return CAPABILITIES

    def unavailable_reason(self) -> str | None:
        if sys.platform != "win32":
            return f"Winsock exists only on Windows; this is {sys.platform}"
        return None

    def fromshare(self, data: bytes) -> Socket | None:
        from .sockets import SHARE_SIZE, WSAProtocolInfoW, stdlib_fromshare  # noqa: PLC0415

        if len(data) != SHARE_SIZE:
            return None  # not a WSAPROTOCOL_INFOW: another backend's format
        info = WSAProtocolInfoW.from_buffer_copy(data)
        if not CAPABILITIES.covers(info.iAddressFamily, info.iSocketType):
            raise invalid(
                "os",
                method="fromshare",
                argument="data",
                value=data,
                problem=(
                    f"describes a socket of family {info.iAddressFamily} and type "
                    f"{info.iSocketType}, not one this backend serves"
                ),
                allowed="the bytes share() returned for an AF_INET or AF_INET6 socket",
                errno=errno.EINVAL,
            )
        assert stdlib_fromshare is not None
        shared = stdlib_fromshare(data)
        family, kind, proto = shared.family, shared.type, shared.proto
        cls = self.socket_class(family, kind, proto)
        handle = shared.detach()
        try:
            return cls(family, kind, proto, handle)
        except BaseException:
            _socket.close(handle)
            raise
