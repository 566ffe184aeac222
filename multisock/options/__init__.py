"""Typed socket options: each well-known option's level, name, value type and allowed range.

``setsockopt`` checks a known option's value here before the system call, in any of the
stdlib's three forms (int, buffer, ``None`` with optlen). ``Socket.set_option`` and
``Socket.get_option`` take an :class:`Option` and typed values (bool, int, str, models) and
return decoded values::

    sock.set_option(options.SO_LINGER, Linger(onoff=True, seconds=5))
    sock.get_option(options.SO_LINGER)  # Linger(onoff=True, seconds=5)
"""

from __future__ import annotations

import errno
import socket
import sys
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

from ..checks import C_INT_MAX, c_int
from ..errors import invalid
from .kinds import LINGER_FORMAT, Flag, Integer, OptLen, Secret, Struct, Text, ValueKind

if TYPE_CHECKING:
    from .structs import Linger, Membership, Membership6, PeerCredentials

__all__ = [
    "OPTIONS",
    "Flag",
    "Integer",
    "Linger",
    "Membership",
    "Membership6",
    "OptLen",
    "Option",
    "PeerCredentials",
    "Secret",
    "Struct",
    "Text",
    "ValueKind",
    "available",
    "check_getsockopt",
    "check_setsockopt",
    "lookup",
]

T = TypeVar("T")
_LINUX: Final = sys.platform.startswith("linux")
_STRUCTS: Final = frozenset({"Linger", "Membership", "Membership6", "PeerCredentials"})


def __getattr__(name: str) -> Any:
    if name in _STRUCTS:
        from . import structs  # noqa: PLC0415 - pydantic on first use, not at import

        return getattr(structs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_LEVELS: Final[dict[str, tuple[str, int | None]]] = {
    # level name -> (socket module constant, Linux uapi number when the module lacks it)
    "SOL_SOCKET": ("SOL_SOCKET", None),
    "IPPROTO_IP": ("IPPROTO_IP", None),
    "IPPROTO_IPV6": ("IPPROTO_IPV6", None),
    "IPPROTO_TCP": ("IPPROTO_TCP", None),
    "IPPROTO_UDP": ("IPPROTO_UDP", None),
    "SOL_ALG": ("SOL_ALG", 279),
}


def _constant(name: str, linux_number: int | None) -> int | None:
    value = getattr(socket, name, None)
    if value is None and _LINUX:
        return linux_number
    return value


class Option(Generic[T]):
    """One well-known socket option.

    ``level`` and ``optname`` are this platform's numbers, or None where the platform has no
    such option (``available`` is then False). ``linux_number`` is the kernel's number for
    an option the socket module may not export.
    """

    __slots__ = ("doc", "kind", "level_name", "linux_number", "name", "readonly")

    def __init__(
        self,
        name: str,
        level_name: str,
        kind: ValueKind[T],
        doc: str,
        readonly: bool = False,
        linux_number: int | None = None,
    ) -> None:
        self.name, self.level_name, self.kind, self.doc = name, level_name, kind, doc
        self.readonly, self.linux_number = readonly, linux_number

    def __repr__(self) -> str:
        return f"Option({self.name!r}, {self.level_name!r}, {self.kind!r})"

    @property
    def level(self) -> int | None:
        module_name, linux_number = _LEVELS[self.level_name]
        return _constant(module_name, linux_number)

    @property
    def optname(self) -> int | None:
        return _constant(self.name, self.linux_number)

    @property
    def available(self) -> bool:
        """Whether this platform defines the option's level and name."""
        return self.level is not None and self.optname is not None

    def validate(self, value: object, *, method: str = "set_option") -> T:
        """Check a typed value for this option; raise a ValidationError if it is bad."""
        if self.readonly:
            raise invalid(
                "os",
                method=method,
                argument=self.name,
                value=value,
                problem="the option is read-only",
                allowed="get_option() only",
                errno=errno.ENOPROTOOPT,
            )
        return self.kind.validate(value, method=method, argument=self.name)


def _opt(name: str, level: str, kind: ValueKind[Any], doc: str, **extra: Any) -> Option[Any]:
    return Option(name=name, level_name=level, kind=kind, doc=doc, **extra)


_BOOL = Flag()
_SIZE = Integer(0, C_INT_MAX, "bytes")
_HOPS = Integer(-1, 255, "hops; -1 for the default")
_BYTE = Integer(0, 255)
_IFNAMSIZ = 15  # IFNAMSIZ minus the NUL
_TCP_CA_NAME_MAX = 15

_ALL: Final[tuple[Option[Any], ...]] = (
    # SOL_SOCKET
    _opt("SO_ACCEPTCONN", "SOL_SOCKET", _BOOL, "Whether the socket is listening.", readonly=True),
    _opt("SO_BROADCAST", "SOL_SOCKET", _BOOL, "Allow sending to broadcast addresses."),
    _opt("SO_DEBUG", "SOL_SOCKET", _BOOL, "Kernel debugging (needs privileges on Linux)."),
    _opt("SO_DONTROUTE", "SOL_SOCKET", _BOOL, "Send only to directly connected hosts."),
    _opt(
        "SO_ERROR",
        "SOL_SOCKET",
        Integer(0, C_INT_MAX),
        "Pending error; reading clears it.",
        readonly=True,
    ),
    _opt("SO_KEEPALIVE", "SOL_SOCKET", _BOOL, "Send TCP keepalive probes."),
    _opt(
        "SO_LINGER",
        "SOL_SOCKET",
        Struct("Linger", LINGER_FORMAT),
        "Linger on close for unsent data.",
    ),
    _opt("SO_OOBINLINE", "SOL_SOCKET", _BOOL, "Receive out-of-band data inline."),
    _opt("SO_RCVBUF", "SOL_SOCKET", _SIZE, "Receive buffer size (Linux doubles it)."),
    _opt("SO_SNDBUF", "SOL_SOCKET", _SIZE, "Send buffer size (Linux doubles it)."),
    _opt("SO_RCVLOWAT", "SOL_SOCKET", Integer(1, C_INT_MAX, "bytes"), "Minimum bytes to receive."),
    _opt(
        "SO_REUSEADDR",
        "SOL_SOCKET",
        _BOOL,
        "Rebind an address in TIME_WAIT. On Windows it also lets another socket bind an "
        "address in use (port stealing); use SO_EXCLUSIVEADDRUSE there.",
    ),
    _opt("SO_REUSEPORT", "SOL_SOCKET", _BOOL, "Let several sockets bind the same port."),
    _opt(
        "SO_EXCLUSIVEADDRUSE",
        "SOL_SOCKET",
        _BOOL,
        "Windows: no other socket may bind this address, even with SO_REUSEADDR.",
    ),
    _opt("SO_TYPE", "SOL_SOCKET", Integer(0, C_INT_MAX), "The socket type.", readonly=True),
    _opt("SO_DOMAIN", "SOL_SOCKET", Integer(0, C_INT_MAX), "The address family.", readonly=True),
    _opt("SO_PROTOCOL", "SOL_SOCKET", Integer(0, C_INT_MAX), "The protocol.", readonly=True),
    _opt("SO_PRIORITY", "SOL_SOCKET", Integer(0, 6), "Linux queueing priority (0-6 unprivileged)."),
    _opt("SO_MARK", "SOL_SOCKET", Integer(0, C_INT_MAX), "Linux fwmark (needs CAP_NET_ADMIN)."),
    _opt(
        "SO_BINDTODEVICE",
        "SOL_SOCKET",
        Text(_IFNAMSIZ, "an interface name"),
        "Linux: send and receive only through this interface.",
    ),
    _opt("SO_PASSCRED", "SOL_SOCKET", _BOOL, "Linux: receive SCM_CREDENTIALS messages."),
    _opt(
        "SO_PEERCRED",
        "SOL_SOCKET",
        Struct("PeerCredentials", "iII"),
        "Linux: the connected peer's (pid, uid, gid).",
        readonly=True,
    ),
    _opt(
        "SO_BUSY_POLL",
        "SOL_SOCKET",
        Integer(0, C_INT_MAX, "microseconds"),
        "Linux: busy-poll the device queue on receive.",
        linux_number=46,
    ),
    _opt(
        "SO_INCOMING_CPU",
        "SOL_SOCKET",
        Integer(-1, C_INT_MAX),
        "Linux: the CPU handling it.",
        linux_number=49,
    ),
    # IPPROTO_TCP
    _opt("TCP_NODELAY", "IPPROTO_TCP", _BOOL, "Disable Nagle's algorithm."),
    _opt("TCP_MAXSEG", "IPPROTO_TCP", Integer(0, 65535, "bytes"), "Maximum segment size."),
    _opt(
        "TCP_KEEPIDLE",
        "IPPROTO_TCP",
        Integer(1, 32767, "seconds"),
        "Idle time before the first keepalive probe.",
    ),
    _opt(
        "TCP_KEEPALIVE", "IPPROTO_TCP", Integer(1, 32767, "seconds"), "macOS name of TCP_KEEPIDLE."
    ),
    _opt("TCP_KEEPINTVL", "IPPROTO_TCP", Integer(1, 32767, "seconds"), "Time between probes."),
    _opt("TCP_KEEPCNT", "IPPROTO_TCP", Integer(1, 127), "Probes before the connection drops."),
    _opt(
        "TCP_USER_TIMEOUT",
        "IPPROTO_TCP",
        Integer(0, C_INT_MAX, "milliseconds"),
        "Linux: drop the connection when sent data stays unacknowledged this long.",
    ),
    _opt(
        "TCP_CONGESTION",
        "IPPROTO_TCP",
        Text(_TCP_CA_NAME_MAX, "a congestion control name"),
        "Linux: congestion control algorithm (see /proc/sys/net/ipv4/"
        "tcp_available_congestion_control).",
    ),
    _opt(
        "TCP_FASTOPEN",
        "IPPROTO_TCP",
        Integer(0, C_INT_MAX, "queue length"),
        "TCP Fast Open queue length on a listening socket.",
    ),
    _opt("TCP_QUICKACK", "IPPROTO_TCP", _BOOL, "Linux: acknowledge at once (not sticky)."),
    _opt("TCP_CORK", "IPPROTO_TCP", _BOOL, "Linux: hold partial frames until uncorked."),
    _opt(
        "TCP_NOTSENT_LOWAT",
        "IPPROTO_TCP",
        Integer(0, C_INT_MAX, "bytes"),
        "Limit on unsent bytes before the socket stops being writable.",
    ),
    # IPPROTO_IP
    _opt(
        "IP_TTL",
        "IPPROTO_IP",
        Integer(-1, 255, "hops; -1 for the default", frozenset({0})),
        "Time to live of outgoing packets.",
    ),
    _opt("IP_TOS", "IPPROTO_IP", _BYTE, "Type of service byte (DSCP and ECN)."),
    _opt("IP_MULTICAST_TTL", "IPPROTO_IP", _BYTE, "Time to live of multicast packets."),
    _opt("IP_MULTICAST_LOOP", "IPPROTO_IP", _BOOL, "Loop multicast back to local sockets."),
    _opt(
        "IP_ADD_MEMBERSHIP",
        "IPPROTO_IP",
        Struct(
            "Membership",
            "4s4s",
            pack=lambda m: (socket.inet_aton(m.group), socket.inet_aton(m.interface)),
        ),
        "Join a multicast group.",
    ),
    _opt(
        "IP_DROP_MEMBERSHIP",
        "IPPROTO_IP",
        Struct(
            "Membership",
            "4s4s",
            pack=lambda m: (socket.inet_aton(m.group), socket.inet_aton(m.interface)),
        ),
        "Leave a multicast group.",
    ),
    _opt("IP_RECVTOS", "IPPROTO_IP", _BOOL, "Receive the TOS byte as ancillary data."),
    _opt(
        "IP_FREEBIND",
        "IPPROTO_IP",
        _BOOL,
        "Linux: bind addresses not (yet) configured.",
        linux_number=15,
    ),
    _opt(
        "IP_TRANSPARENT", "IPPROTO_IP", _BOOL, "Linux: transparent proxying (needs CAP_NET_ADMIN)."
    ),
    _opt(
        "IP_BIND_ADDRESS_NO_PORT",
        "IPPROTO_IP",
        _BOOL,
        "Linux: delay port allocation to connect().",
        linux_number=24,
    ),
    _opt("IP_PKTINFO", "IPPROTO_IP", _BOOL, "Receive IP_PKTINFO ancillary data.", linux_number=8),
    _opt(
        "IP_MTU_DISCOVER",
        "IPPROTO_IP",
        Integer(0, 5),
        "Linux: path MTU discovery mode.",
        linux_number=10,
    ),
    # IPPROTO_IPV6
    _opt("IPV6_V6ONLY", "IPPROTO_IPV6", _BOOL, "Refuse IPv4-mapped traffic."),
    _opt("IPV6_UNICAST_HOPS", "IPPROTO_IPV6", _HOPS, "Hop limit of unicast packets."),
    _opt("IPV6_MULTICAST_HOPS", "IPPROTO_IPV6", _HOPS, "Hop limit of multicast packets."),
    _opt("IPV6_MULTICAST_LOOP", "IPPROTO_IPV6", _BOOL, "Loop multicast back to local sockets."),
    _opt(
        "IPV6_MULTICAST_IF",
        "IPPROTO_IPV6",
        Integer(0, C_INT_MAX, "interface index"),
        "Interface for outgoing multicast.",
    ),
    _opt(
        "IPV6_JOIN_GROUP",
        "IPPROTO_IPV6",
        Struct(
            "Membership6",
            "16sI",
            pack=lambda m: (socket.inet_pton(socket.AF_INET6, m.group), m.interface),
        ),
        "Join a multicast group.",
    ),
    _opt(
        "IPV6_LEAVE_GROUP",
        "IPPROTO_IPV6",
        Struct(
            "Membership6",
            "16sI",
            pack=lambda m: (socket.inet_pton(socket.AF_INET6, m.group), m.interface),
        ),
        "Leave a multicast group.",
    ),
    _opt("IPV6_TCLASS", "IPPROTO_IPV6", Integer(-1, 255), "Traffic class; -1 for the default."),
    _opt("IPV6_RECVPKTINFO", "IPPROTO_IPV6", _BOOL, "Receive IPV6_PKTINFO ancillary data."),
    _opt("IPV6_RECVTCLASS", "IPPROTO_IPV6", _BOOL, "Receive the traffic class as ancillary data."),
    _opt("IPV6_DONTFRAG", "IPPROTO_IPV6", _BOOL, "Do not fragment outgoing packets."),
    # IPPROTO_UDP
    _opt("UDP_CORK", "IPPROTO_UDP", _BOOL, "Linux: hold datagrams until uncorked.", linux_number=1),
    _opt(
        "UDP_SEGMENT",
        "IPPROTO_UDP",
        Integer(0, 65535, "bytes"),
        "Linux: generic segmentation offload (GSO) segment size; 0 disables.",
        linux_number=103,
    ),
    _opt(
        "UDP_GRO",
        "IPPROTO_UDP",
        _BOOL,
        "Linux: receive coalesced datagrams (generic receive offload): a message may then hold "
        "several datagrams of one flow, with their size in a UDP_GRO control message, so "
        "recv()/recvfrom() return them joined; linux_ext's recvmmsg splits them back.",
        linux_number=104,
    ),
    # SOL_ALG
    _opt(
        "ALG_SET_KEY",
        "SOL_ALG",
        Secret(1, 1024),
        "AF_ALG: the algorithm's key (a secret: never shown).",
    ),
    _opt(
        "ALG_SET_AEAD_AUTHSIZE",
        "SOL_ALG",
        OptLen(1, 64),
        "AF_ALG: AEAD authentication tag size in bytes.",
    ),
)

#: Every well-known option by name, including those this platform lacks (``available``).
OPTIONS: Final[Mapping[str, Option[Any]]] = {option.name: option for option in _ALL}

_BY_NUMBER: dict[tuple[int, int], Option[Any]] = {}


def _numbers() -> dict[tuple[int, int], Option[Any]]:
    if not _BY_NUMBER:
        for option in _ALL:
            level, optname = option.level, option.optname
            if level is not None and optname is not None:
                # Aliases (IPV6_JOIN_GROUP and IPV6_ADD_MEMBERSHIP...): the first entry wins.
                _BY_NUMBER.setdefault((level, optname), option)
    return _BY_NUMBER


def lookup(level: int, optname: int) -> Option[Any] | None:
    """The known option with these numbers on this platform, or None."""
    return _numbers().get((level, optname))


def available() -> Iterator[Option[Any]]:
    """The well-known options this platform defines."""
    return (option for option in _ALL if option.available)


def check_setsockopt(level: object, optname: object, value: object, optlen: object) -> None:
    """Validate setsockopt's arguments in the stdlib's forms; raise a ValidationError if bad.

    Known options get their value checked; unknown ones only the stdlib's shape: an int, a
    buffer, or None with an optlen.
    """
    level_number = c_int(level, method="setsockopt", argument="level", allowed=_NUMBER)
    name_number = c_int(optname, method="setsockopt", argument="optname", allowed=_NUMBER)
    option = lookup(level_number, name_number)
    if option is not None:
        if option.readonly:
            option.validate(value, method="setsockopt")
        option.kind.check_plain(value, optlen, method="setsockopt", argument=option.name)
        return
    if value is None:
        if optlen is None:
            raise invalid(
                "type",
                method="setsockopt",
                argument="value",
                value=value,
                problem="None needs an optlen",
                allowed="an int, a bytes-like buffer, or None with an optlen",
            )
        c_int(optlen, method="setsockopt", argument="optlen", allowed="a buffer length")
    elif not isinstance(value, int | bytes | bytearray | memoryview):
        raise invalid(
            "type",
            method="setsockopt",
            argument="value",
            value=value,
            problem=f"{type(value).__name__} is neither an int nor a buffer",
            allowed="an int, a bytes-like buffer, or None with an optlen",
        )


def check_getsockopt(level: object, optname: object, buflen: object) -> None:
    """Validate getsockopt's arguments; raise a ValidationError if bad."""
    c_int(level, method="getsockopt", argument="level", allowed=_NUMBER)
    c_int(optname, method="getsockopt", argument="optname", allowed=_NUMBER)
    if buflen is not None:
        allowed = "a buffer length 1..1024"
        size = c_int(buflen, method="getsockopt", argument="buflen", allowed=allowed)
        if not 1 <= size <= 1024:  # the stdlib's own limit, which it reports as an OSError
            raise invalid(
                "os",
                method="getsockopt",
                argument="buflen",
                value=buflen,
                problem="out of range",
                allowed=allowed,
            )


_NUMBER: Final = "an int (a socket module constant)"
