"""Typed ioctl values: each known control code's value type and allowed range.

``Socket.ioctl(control, value)`` is Windows' ``WSAIoctl``. A backend that serves it checks
the value here before the call, given in the stdlib's plain form or as a typed value::

    sock.ioctl(socket.SIO_KEEPALIVE_VALS, (1, 60_000, 10_000))
    sock.ioctl(socket.SIO_KEEPALIVE_VALS, KeepaliveValues(onoff=True, keepalivetime=60_000,
                                                          keepaliveinterval=10_000))
    sock.ioctl(socket.SIO_RCVALL, RcvAll.ON)
    sock.ioctl(socket.SIO_LOOPBACK_FAST_PATH, True)

The stdlib silently cuts numbers down to 32 bits (-1 becomes 4294967295); here a number that
does not fit its field is refused, as an OverflowError.
"""

from __future__ import annotations

import enum
import errno
import operator
import socket
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

from ..checks import integer
from ..errors import ValidationError, invalid

if TYPE_CHECKING:
    from .values import KeepaliveValues

__all__ = [
    "IOCTLS",
    "RCVALL_MAX",
    "Control",
    "KeepaliveValues",
    "Mode",
    "RcvAll",
    "Switch",
    "ValueKind",
    "Values",
    "check_control",
    "lookup",
]

T = TypeVar("T")


def __getattr__(name: str) -> Any:
    if name == "KeepaliveValues":
        from .values import KeepaliveValues  # noqa: PLC0415 - pydantic on first use

        return KeepaliveValues
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: What the stdlib's ``ioctl`` takes as its second argument.
PlainValue = int | tuple[int, int, int]

U32_MAX: Final = 2**32 - 1
_U32: Final = f"an integer 0..{U32_MAX}"


class RcvAll(enum.IntEnum):
    """SIO_RCVALL's modes (mstcpip.h's ``RCVALL_VALUE``)."""

    OFF = 0
    ON = 1
    SOCKETLEVELONLY = 2
    IPLEVEL = 3


#: mstcpip.h's ``RCVALL_MAX``: the highest mode (``socket.RCVALL_MAX`` on Windows).
RCVALL_MAX: Final = RcvAll.IPLEVEL


def _u32(value: object, *, argument: str, allowed: str) -> int:
    """An unsigned 32-bit int: a TypeError for non-integers, an OverflowError beyond range."""
    return integer(
        value, 0, U32_MAX, method="ioctl", argument=argument, allowed=allowed,
        problem="does not fit an unsigned 32-bit field",
    )  # fmt: skip


_ONOFF_ALLOWED: Final = f"a bool, or {_U32} (nonzero meaning on)"
_MS_ALLOWED: Final = f"milliseconds: {_U32}"


class ValueKind(Generic[T]):
    """How a control code's value is checked and handed to the stdlib's ``ioctl``."""

    #: What a valid value is, in words; it ends every error message.
    allowed: str = ""

    def validate(self, value: object, *, argument: str) -> T:
        """Check a value (plain or typed); return it typed, or raise a ValidationError."""
        raise NotImplementedError

    def encode(self, value: T) -> PlainValue:
        """The stdlib's plain form of a validated value."""
        raise NotImplementedError


class Switch(ValueKind[bool]):
    """An on/off value, a C ``DWORD``: a bool, or any unsigned 32-bit int (nonzero is on)."""

    allowed = _ONOFF_ALLOWED

    def validate(self, value: object, *, argument: str) -> bool:
        return _u32(value, argument=argument, allowed=self.allowed) != 0

    def encode(self, value: bool) -> int:
        return int(value)


class Mode(ValueKind[RcvAll]):
    """One of SIO_RCVALL's modes."""

    allowed = "RcvAll.OFF, ON, SOCKETLEVELONLY or IPLEVEL (socket.RCVALL_OFF..RCVALL_MAX: 0..3)"

    def validate(self, value: object, *, argument: str) -> RcvAll:
        try:
            return RcvAll(operator.index(value))  # type: ignore[arg-type]
        except TypeError:
            raise invalid(
                "type",
                method="ioctl",
                argument=argument,
                value=value,
                problem=f"{type(value).__name__} is not an integer",
                allowed=self.allowed,
            ) from None
        except ValueError:
            # The stdlib passes any number on, and Winsock refuses it (WSAEINVAL).
            raise invalid(
                "os",
                method="ioctl",
                argument=argument,
                value=value,
                problem="not an RCVALL mode",
                allowed=self.allowed,
                errno=errno.EINVAL,
            ) from None

    def encode(self, value: RcvAll) -> int:
        return int(value)


class Values(ValueKind["KeepaliveValues"]):
    """SIO_KEEPALIVE_VALS's three numbers: a :class:`KeepaliveValues` or a 3-item sequence."""

    allowed = (
        "a KeepaliveValues(onoff, keepalivetime, keepaliveinterval), or a sequence of those "
        f"3 numbers: onoff, then milliseconds, each {_U32}"
    )

    def validate(self, value: object, *, argument: str) -> KeepaliveValues:
        from .values import KeepaliveValues  # noqa: PLC0415 - pydantic on first use

        if isinstance(value, KeepaliveValues):
            return value
        if not isinstance(value, Sequence) or len(value) != 3:
            shape = (
                f"of length {len(value)}" if isinstance(value, Sequence) else "is not a sequence"
            )
            raise invalid(
                "type",
                method="ioctl",
                argument=argument,
                value=value,
                problem=f"{type(value).__name__} {shape}; 3 items are needed",
                allowed=self.allowed,
            )
        fields = dict(zip(KeepaliveValues.model_fields, value, strict=True))
        try:
            return KeepaliveValues(**fields)
        except ValidationError as exc:
            raise exc.relabel(method="ioctl", argument=argument) from None

    def encode(self, value: KeepaliveValues) -> tuple[int, int, int]:
        return (int(value.onoff), value.keepalivetime, value.keepaliveinterval)


class Control(Generic[T]):
    """One well-known ioctl control code.

    ``code`` is this platform's number (the socket module's constant), or None where the
    platform has no such control code (``available`` is then False).
    """

    __slots__ = ("doc", "kind", "name")

    def __init__(self, name: str, kind: ValueKind[T], doc: str) -> None:
        self.name, self.kind, self.doc = name, kind, doc

    def __repr__(self) -> str:
        return f"Control({self.name!r}, {type(self.kind).__name__}())"

    @property
    def code(self) -> int | None:
        code: int | None = getattr(socket, self.name, None)
        return code

    @property
    def available(self) -> bool:
        """Whether this platform's socket module defines the control code."""
        return self.code is not None

    def validate(self, value: object) -> T:
        """Check a value for this control code; raise a ValidationError if it is bad."""
        return self.kind.validate(value, argument=self.name)

    def plain(self, value: object) -> PlainValue:
        """The stdlib's form of a value, checked first."""
        return self.kind.encode(self.validate(value))


_ALL: Final[tuple[Control[Any], ...]] = (
    Control(
        "SIO_RCVALL",
        Mode(),
        "Receive every packet on the interface (a raw socket bound to an address; needs "
        "administrator rights).",
    ),
    Control(
        "SIO_KEEPALIVE_VALS",
        Values(),
        "Switch TCP keepalive and set its idle time and probe interval, in milliseconds.",
    ),
    Control(
        "SIO_LOOPBACK_FAST_PATH",
        Switch(),
        "Shorten the TCP stack on loopback connections (set on both ends before connecting).",
    ),
)

#: Every well-known control code by name, including those this platform lacks (``available``).
IOCTLS: Final[Mapping[str, Control[Any]]] = {control.name: control for control in _ALL}


def check_control(control: object) -> int:
    """The control code as an int; a TypeError (as the stdlib's) for anything else.

    Any int is a control code here: one no backend knows is refused by the backend, as the
    stdlib refuses it (a ValueError).
    """
    try:
        return operator.index(control)  # type: ignore[arg-type]
    except TypeError:
        raise invalid(
            "type",
            method="ioctl",
            argument="control",
            value=control,
            problem=f"{type(control).__name__} is not an integer",
            allowed="a control code: an int such as socket.SIO_KEEPALIVE_VALS",
        ) from None


def lookup(code: int) -> Control[Any] | None:
    """The known control code with this number on this platform, or None."""
    for control in _ALL:
        if control.code == code:
            return control
    return None
