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
import struct
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Final, Generic, TypeVar

import pydantic
from pydantic import BaseModel, SecretBytes

from .errors import ValidationError, invalid
from .fields import C_INT_MAX, C_INT_MIN, DEFERRED, Model, c_int, check_with, int_in_range

__all__ = [
    "OPTIONS",
    "Flag",
    "Integer",
    "Linger",
    "Membership",
    "Membership6",
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
PlainValue = int | bytes | None

_LINUX: Final = sys.platform.startswith("linux")
_INT_SIZE: Final = struct.calcsize("i")
# Winsock's struct linger is two u_shorts (4 bytes); POSIX's is two ints (8 bytes).
_LINGER_FORMAT: Final = "HH" if sys.platform == "win32" else "ii"
_LINGER_MAX: Final = 65535 if sys.platform == "win32" else C_INT_MAX


class ValueKind(Generic[T]):
    """How an option's value is checked, encoded for setsockopt and decoded from getsockopt."""

    #: What a valid value is, in words; it ends every error message.
    allowed: str = ""
    #: getsockopt's buflen; None reads a C int.
    buflen: int | None = None

    def validate(self, value: object, *, method: str, argument: str) -> T:
        """Check a typed value; return it normalised, or raise a ValidationError."""
        raise NotImplementedError

    def encode(self, value: T) -> PlainValue:
        """The plain setsockopt value for a validated typed value."""
        raise NotImplementedError

    def decode(self, raw: int | bytes) -> T:
        """The typed value for what getsockopt returned."""
        raise NotImplementedError

    def check_plain(self, value: object, optlen: object, *, method: str, argument: str) -> None:
        """Check a setsockopt value in the stdlib's plain form; raise a ValidationError if bad."""
        if optlen is not None:
            raise invalid(
                "type",
                method=method,
                argument="optlen",
                value=optlen,
                problem="optlen is only taken with a None value",
                allowed="omit optlen",
            )
        if isinstance(value, bytes | bytearray | memoryview):
            self.check_buffer(bytes(value), method=method, argument=argument)
        else:
            self.validate(value, method=method, argument=argument)

    def check_buffer(self, raw: bytes, *, method: str, argument: str) -> None:
        """Check a value passed as a raw buffer: by default it must hold a C int."""
        if len(raw) < _INT_SIZE:
            raise invalid(
                "os",
                method=method,
                argument=argument,
                value=raw,
                problem=f"a {len(raw)}-byte buffer is shorter than a C int",
                allowed=f"{self.allowed}, or a buffer of at least {_INT_SIZE} bytes",
                errno=errno.EINVAL,
            )


def _c_int(value: object, kind: ValueKind[Any], *, method: str, argument: str) -> int:
    # The stdlib reports an int beyond a C int as a TypeError (it then tries the buffer
    # form), so the overflow is both.
    return c_int(
        value, method=method, argument=argument, allowed=kind.allowed, overflow="overflow_type"
    )


class Flag(ValueKind[bool]):
    """An on/off option. Any C int is accepted as the stdlib does; nonzero means on."""

    allowed = "a bool (or an int, nonzero meaning on)"

    def validate(self, value: object, *, method: str, argument: str) -> bool:
        return _c_int(value, self, method=method, argument=argument) != 0

    def encode(self, value: bool) -> int:
        return int(value)

    def decode(self, raw: int | bytes) -> bool:
        return bool(raw)


@dataclass(frozen=True)
class Integer(ValueKind[int]):
    """An integer option with the range the kernel accepts; outside it the kernel says EINVAL."""

    lo: int
    hi: int
    unit: str = ""
    excluded: frozenset[int] = frozenset()

    @property
    def allowed(self) -> str:  # type: ignore[override]
        unit = f" ({self.unit})" if self.unit else ""
        but = f" except {', '.join(map(str, sorted(self.excluded)))}" if self.excluded else ""
        return f"an integer {self.lo}..{self.hi}{but}{unit}"

    def validate(self, value: object, *, method: str, argument: str) -> int:
        number = _c_int(value, self, method=method, argument=argument)
        if not self.lo <= number <= self.hi or number in self.excluded:
            raise invalid(
                "os",
                method=method,
                argument=argument,
                value=value,
                problem="out of range",
                allowed=self.allowed,
                errno=errno.EINVAL,
            )
        return number

    def encode(self, value: int) -> int:
        return value

    def decode(self, raw: int | bytes) -> int:
        return raw if isinstance(raw, int) else int.from_bytes(raw[:_INT_SIZE], sys.byteorder)


M = TypeVar("M", bound=BaseModel)


class StructValue(Model):
    """Base of the models for options whose value is a C struct."""


class Linger(StructValue):
    """SO_LINGER's ``struct linger``: on close, wait up to ``seconds`` for unsent data."""

    onoff: bool
    seconds: pydantic.conint(ge=0, le=_LINGER_MAX)  # type: ignore[valid-type]


class PeerCredentials(StructValue):
    """SO_PEERCRED's ``struct ucred``: the peer process of a Unix socket."""

    pid: int
    uid: int
    gid: int


class Membership(StructValue):
    """IP_ADD_MEMBERSHIP's ``struct ip_mreq``: a multicast group, and the local interface."""

    group: str
    interface: str = "0.0.0.0"

    @pydantic.field_validator("group", "interface")
    @classmethod
    def _ipv4(cls, value: str) -> str:
        try:
            socket.inet_aton(value)
        except OSError:
            raise ValueError("not an IPv4 address") from None
        return value


class Membership6(StructValue):
    """IPV6_JOIN_GROUP's ``struct ipv6_mreq``: a multicast group and an interface index."""

    group: str
    interface: pydantic.conint(ge=0, le=2**32 - 1) = 0  # type: ignore[valid-type]

    @pydantic.field_validator("group")
    @classmethod
    def _ipv6(cls, value: str) -> str:
        try:
            socket.inet_pton(socket.AF_INET6, value)
        except OSError:
            raise ValueError("not an IPv6 address") from None
        return value


@dataclass(frozen=True)
class Struct(ValueKind[M]):
    """An option whose value is a C struct, typed as a pydantic model (or a tuple of fields)."""

    model: type[M]
    fmt: str
    pack: Any = None  # model -> tuple of struct fields; default: the model's fields in order
    unpack: Any = None  # tuple of struct fields -> dict for the model

    @property
    def allowed(self) -> str:  # type: ignore[override]
        fields = ", ".join(self.model.model_fields)
        return f"a {self.model.__name__}({fields}) or a tuple ({fields})"

    @property
    def buflen(self) -> int:  # type: ignore[override]
        return struct.calcsize(self.fmt)

    def validate(self, value: object, *, method: str, argument: str) -> M:
        if isinstance(value, self.model):
            return value
        if isinstance(value, tuple):
            value = dict(zip(self.model.model_fields, value, strict=False))
        if not isinstance(value, dict):
            raise invalid(
                "type",
                method=method,
                argument=argument,
                value=value,
                problem=f"{type(value).__name__} is not a {self.model.__name__}",
                allowed=self.allowed,
            )
        try:
            return self.model(**value)
        except ValidationError as exc:
            raise exc.relabel(method=method, argument=argument) from None

    def encode(self, value: M) -> bytes:
        fields = self.pack(value) if self.pack else tuple(value.model_dump().values())
        return struct.pack(self.fmt, *fields)

    def decode(self, raw: int | bytes) -> M:
        assert isinstance(raw, bytes)
        fields = struct.unpack(self.fmt, raw[: self.buflen])
        if self.unpack:
            return self.model.model_validate(self.unpack(fields))
        return self.model.model_validate(dict(zip(self.model.model_fields, fields, strict=True)))

    def check_buffer(self, raw: bytes, *, method: str, argument: str) -> None:
        if len(raw) != self.buflen:
            raise invalid(
                "os",
                method=method,
                argument=argument,
                value=raw,
                problem=f"{len(raw)} bytes where struct {self.model.__name__} takes {self.buflen}",
                allowed=f"{self.allowed}, or a buffer of exactly {self.buflen} bytes",
                errno=errno.EINVAL,
            )


@dataclass(frozen=True)
class Text(ValueKind[str]):
    """A short string option, such as an interface or congestion-control name."""

    max_bytes: int
    what: str

    @property
    def allowed(self) -> str:  # type: ignore[override]
        return f"{self.what}: a str of 1..{self.max_bytes} ASCII characters, no NUL"

    @property
    def buflen(self) -> int:  # type: ignore[override]
        return self.max_bytes + 1

    def validate(self, value: object, *, method: str, argument: str) -> str:
        if isinstance(value, bytes | bytearray):
            value = bytes(value).decode("ascii", "replace")
        if not isinstance(value, str):
            raise invalid(
                "type",
                method=method,
                argument=argument,
                value=value,
                problem=f"str expected, not {type(value).__name__}",
                allowed=self.allowed,
            )
        text = value.rstrip("\0")
        if not text or not text.isascii() or "\0" in text or len(text) > self.max_bytes:
            raise invalid(
                "os",
                method=method,
                argument=argument,
                value=value,
                problem="not a valid name",
                allowed=self.allowed,
                errno=errno.EINVAL,
            )
        return text

    def encode(self, value: str) -> bytes:
        return value.encode("ascii")

    def decode(self, raw: int | bytes) -> str:
        assert isinstance(raw, bytes)
        return raw.split(b"\0", 1)[0].decode("ascii", "replace")

    def check_buffer(self, raw: bytes, *, method: str, argument: str) -> None:
        self.validate(raw, method=method, argument=argument)


@dataclass(frozen=True)
class Secret(ValueKind[SecretBytes]):
    """A write-only secret, such as an AF_ALG key: never shown in a repr, log or error."""

    min_bytes: int = 1
    max_bytes: int = 1024

    @property
    def allowed(self) -> str:  # type: ignore[override]
        return f"bytes or SecretBytes of {self.min_bytes}..{self.max_bytes} bytes"

    def validate(self, value: object, *, method: str, argument: str) -> SecretBytes:
        raw = value.get_secret_value() if isinstance(value, SecretBytes) else value
        if not isinstance(raw, bytes | bytearray | memoryview):
            raise invalid(
                "type",
                method=method,
                argument=argument,
                value=None,
                secret=True,
                problem=f"a bytes-like key is required, not {type(raw).__name__}",
                allowed=self.allowed,
            )
        size = len(bytes(raw))
        if not self.min_bytes <= size <= self.max_bytes:
            raise invalid(
                "os",
                method=method,
                argument=argument,
                value=None,
                secret=True,
                problem=f"a {size}-byte key",
                allowed=self.allowed,
                errno=errno.EINVAL,
            )
        return value if isinstance(value, SecretBytes) else SecretBytes(bytes(raw))

    def encode(self, value: SecretBytes) -> bytes:
        return value.get_secret_value()

    def decode(self, raw: int | bytes) -> SecretBytes:
        raise TypeError("a secret option cannot be read back")

    def check_buffer(self, raw: bytes, *, method: str, argument: str) -> None:
        self.validate(raw, method=method, argument=argument)


@dataclass(frozen=True)
class OptLen(ValueKind[int]):
    """An option set as ``setsockopt(level, name, None, optlen)``: the value *is* the length."""

    lo: int
    hi: int

    @property
    def allowed(self) -> str:  # type: ignore[override]
        return f"None with an optlen {self.lo}..{self.hi}"

    def validate(self, value: object, *, method: str, argument: str) -> int:
        number = _c_int(value, self, method=method, argument=argument)
        if not self.lo <= number <= self.hi:
            raise invalid(
                "os",
                method=method,
                argument=argument,
                value=value,
                problem="out of range",
                allowed=self.allowed,
                errno=errno.EINVAL,
            )
        return number

    def encode(self, value: int) -> PlainValue:
        raise TypeError("OptLen options are set with setsockopt(level, name, None, optlen)")

    def decode(self, raw: int | bytes) -> int:
        raise TypeError("this option cannot be read back")

    def check_plain(self, value: object, optlen: object, *, method: str, argument: str) -> None:
        if value is not None:
            raise invalid(
                "type",
                method=method,
                argument=argument,
                value=value,
                problem="this option takes None and an optlen",
                allowed=self.allowed,
            )
        self.validate(optlen, method=method, argument="optlen")


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


@dataclass(frozen=True)
class Option(Generic[T]):
    """One well-known socket option.

    ``level`` and ``optname`` are this platform's numbers, or None where the platform has no
    such option (``available`` is then False).
    """

    name: str
    level_name: str
    kind: ValueKind[T]
    doc: str
    readonly: bool = False
    linux_number: int | None = field(default=None, repr=False)

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
        Struct(Linger, _LINGER_FORMAT),
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
        Struct(PeerCredentials, "iII"),
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
            Membership,
            "4s4s",
            pack=lambda m: (socket.inet_aton(m.group), socket.inet_aton(m.interface)),
        ),
        "Join a multicast group.",
    ),
    _opt(
        "IP_DROP_MEMBERSHIP",
        "IPPROTO_IP",
        Struct(
            Membership,
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
            Membership6,
            "16sI",
            pack=lambda m: (socket.inet_pton(socket.AF_INET6, m.group), m.interface),
        ),
        "Join a multicast group.",
    ),
    _opt(
        "IPV6_LEAVE_GROUP",
        "IPPROTO_IPV6",
        Struct(
            Membership6,
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
    level_number = check_with(_INT, level, method="setsockopt", argument="level")
    name_number = check_with(_INT, optname, method="setsockopt", argument="optname")
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
        check_with(_INT, optlen, method="setsockopt", argument="optlen")
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
    check_with(_INT, level, method="getsockopt", argument="level")
    check_with(_INT, optname, method="getsockopt", argument="optname")
    if buflen is not None:
        check_with(_BUFLEN, buflen, method="getsockopt", argument="buflen")


def _int_adapter(lo: int, hi: int, kind: str) -> pydantic.TypeAdapter[int]:
    return pydantic.TypeAdapter(Annotated[int, int_in_range(lo, hi, kind)], config=DEFERRED)


_INT: Final = _int_adapter(C_INT_MIN, C_INT_MAX, "overflow")
# The stdlib accepts 1..1024 and reports anything else as an OSError.
_BUFLEN: Final = _int_adapter(1, 1024, "os")
