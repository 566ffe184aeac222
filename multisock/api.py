"""The socket spec: every method and attribute of the stdlib's socket object.

:class:`Socket` is constructed exactly like ``socket.socket`` (plus a keyword-only
``backend=``) and returns a socket of the chosen backend's class, which is a subclass of
:class:`Socket`. A backend's class overrides the methods it supports; the rest keep the
spec's default, which raises :class:`multisock.UnsupportedOperation` naming the installed
backends that do support them. Semantics, return values and exceptions are the stdlib's.

Beside the stdlib's methods the spec offers typed helpers built on them:
:meth:`Socket.get_option`, :meth:`Socket.set_option`, :attr:`Socket.local_address`,
:attr:`Socket.peer_address`, :meth:`Socket.set_keepalive` and :meth:`Socket.get_keepalive`.
"""

from __future__ import annotations

import errno
import io
import socket as _stdlib
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final, TypeVar

from .addresses import parse_address
from .checks import c_int
from .errors import UnsupportedOperation, invalid
from .registry import REGISTRY

if TYPE_CHECKING:
    from typing_extensions import Buffer, Self

    from .addresses import Address
    from .keepalive import Keepalive
    from .options import Option

__all__ = ["SPEC_ATTRIBUTES", "SPEC_METHODS", "Socket"]

T = TypeVar("T")

#: The methods of the Python docs' "Socket Objects" section, in its order.
SPEC_METHODS: Final = (
    "accept", "bind", "close", "connect", "connect_ex", "detach", "dup", "fileno",
    "get_inheritable", "getpeername", "getsockname", "getsockopt", "getblocking",
    "gettimeout", "ioctl", "listen", "makefile", "recv", "recvfrom", "recvmsg",
    "recvmsg_into", "recvfrom_into", "recv_into", "send", "sendall", "sendto", "sendmsg",
    "sendmsg_afalg", "sendfile", "set_inheritable", "setblocking", "settimeout",
    "setsockopt", "shutdown", "share",
)  # fmt: skip

#: The read-only attributes of that section.
SPEC_ATTRIBUTES: Final = ("family", "type", "proto")


class _SocketMeta(type):
    """Lets ``Socket(...)`` choose a backend and return that backend's socket."""

    def __new__(
        mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any
    ) -> _SocketMeta:
        # A backend's class is constructed by type.__call__ itself, so creating one of its
        # sockets costs no more than creating a stdlib socket; only Socket dispatches.
        if mcls is _SocketMeta and any(isinstance(base, _SocketMeta) for base in bases):
            mcls = _ServedMeta
        return super().__new__(mcls, name, bases, namespace, **kwargs)

    def __call__(
        cls,
        family: int = -1,
        type: int = -1,
        proto: int = -1,
        fileno: int | None = None,
        *,
        backend: str | None = None,
    ) -> Any:
        served = None
        if fileno is None:
            try:  # noqa: SIM105 - contextlib.suppress costs more on this path
                served = _chosen((family, type, proto, backend))
            except TypeError:  # an unhashable argument: the slow path reports it
                pass
        if served is None:
            served = _choose(family, type, proto, fileno, backend)
            if fileno is None:
                REGISTRY.choices[family, type, proto, backend] = served
        return _construct(served, family, type, proto, fileno)


class _ServedMeta(_SocketMeta):
    """The metaclass of backends' socket classes: plain construction, no dispatch."""

    __call__ = type.__call__


_construct = type.__call__
_chosen = REGISTRY.choices.get


def _choose(family: object, kind: object, proto: object, fileno: object, backend: object) -> type:
    """Validate Socket()'s arguments and pick the class; the first call for each request."""
    allowed = "an int (a socket module constant), or -1 for the default"
    for argument, value in (("family", family), ("type", kind), ("proto", proto)):
        c_int(value, method="Socket", argument=argument, allowed=allowed)
    if backend is not None and not isinstance(backend, str):
        raise invalid(
            "type",
            method="Socket",
            argument="backend",
            value=backend,
            problem="not a str",
            allowed="a backend name (see multisock.backends())",
        )
    if fileno is not None:
        number = c_int(fileno, method="Socket", argument="fileno", allowed="a socket descriptor")
        if number < 0:
            raise _negative_fileno(fileno)
        if family == -1:
            family, kind, proto = _probe(number)
    return REGISTRY.choose(
        _stdlib.AF_INET if family == -1 else family,  # type: ignore[arg-type]
        _stdlib.SOCK_STREAM if kind == -1 else kind,  # type: ignore[arg-type]
        proto,  # type: ignore[arg-type]
        backend,
    )


def _negative_fileno(fileno: object) -> Exception:
    # POSIX's stdlib refuses a negative descriptor as a ValueError; Windows' passes it on as
    # a SOCKET handle, which Winsock refuses as not a socket (an OSError).
    windows = sys.platform == "win32"
    return invalid(
        "os" if windows else "value",
        method="Socket",
        argument="fileno",
        value=fileno,
        problem="negative file descriptor",
        allowed="a socket descriptor",
        errno=errno.ENOTSOCK if windows else None,
    )


def _probe(fileno: int) -> tuple[int, int, int]:
    """The family, type and protocol of an existing socket descriptor, without taking it."""
    probe = _stdlib.socket(fileno=fileno)
    try:
        return probe.family, probe.type, probe.proto
    finally:
        probe.detach()


class Socket(metaclass=_SocketMeta):
    """A socket, served by a backend. Constructed like ``socket.socket``.

    ``Socket(family=-1, type=-1, proto=-1, fileno=None, *, backend=None)`` returns an instance
    of the chosen backend's subclass. The backend is ``backend=`` if given, else the
    ``MULTISOCK_BACKEND`` environment variable, else the first available backend whose
    declared capabilities cover the family and type.
    """

    __slots__ = ()

    def __init__(
        self,
        family: int = -1,
        type: int = -1,
        proto: int = -1,
        fileno: int | None = None,
        *,
        backend: str | None = None,
    ) -> None:
        # Never reached: the metaclass returns a backend's instance, whose class defines
        # __init__. Declared so type checkers know the constructor.
        raise TypeError("Socket is constructed through its metaclass")

    def _unsupported(self, operation: str) -> UnsupportedOperation:
        return UnsupportedOperation(operation, self.backend, REGISTRY.supporting(operation))

    # -- what the spec adds ----------------------------------------------------------------

    @property
    def backend(self) -> str:
        """The registered name of the backend serving this socket."""
        return REGISTRY.name_of(type(self))

    @property
    def local_address(self) -> Address:
        """``getsockname()`` as a typed address model."""
        return parse_address(self.family, self.getsockname())

    @property
    def peer_address(self) -> Address:
        """``getpeername()`` as a typed address model."""
        return parse_address(self.family, self.getpeername())

    def set_option(self, option: Option[T], value: object) -> None:
        """Set a well-known option from a typed value (bool, int, str or a model).

        The value is validated against the option's declared type and range first; an option
        this platform lacks raises a ValidationError that is an OSError (ENOPROTOOPT).
        """
        from .options import OptLen  # noqa: PLC0415 - typed helpers are off the hot path

        level, optname = _require_available(option, "set_option")
        typed = option.validate(value)
        if isinstance(option.kind, OptLen):
            self.setsockopt(level, optname, None, int(typed))  # type: ignore[call-overload]
        else:
            self.setsockopt(level, optname, option.kind.encode(typed))

    def get_option(self, option: Option[T]) -> T:
        """Read a well-known option and decode it (bool, int, str or a model)."""
        level, optname = _require_available(option, "get_option")
        buflen = option.kind.buflen
        if buflen is None:
            return option.kind.decode(self.getsockopt(level, optname))
        return option.kind.decode(self.getsockopt(level, optname, buflen))

    def set_keepalive(self, keepalive: Keepalive) -> None:
        """Apply a portable TCP keepalive setting (see :class:`multisock.Keepalive`)."""
        raise self._unsupported("set_keepalive")

    def get_keepalive(self) -> Keepalive:
        """Read back the TCP keepalive setting in force."""
        raise self._unsupported("get_keepalive")

    # -- the stdlib's socket object ---------------------------------------------------------

    @property
    def family(self) -> _stdlib.AddressFamily:
        """The socket family."""
        raise self._unsupported("family")

    @property
    def type(self) -> _stdlib.SocketKind:
        """The socket type."""
        raise self._unsupported("type")

    @property
    def proto(self) -> int:
        """The socket protocol."""
        raise self._unsupported("proto")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    def accept(self) -> tuple[Socket, Any]:
        """Accept a connection: ``(socket, address)``; the new socket has this one's class."""
        raise self._unsupported("accept")

    def bind(self, address: Any, /) -> None:
        """Bind to ``address`` (a plain form or an address model), validated first."""
        raise self._unsupported("bind")

    def close(self) -> None:
        """Mark the socket closed; the descriptor closes once no makefile() object uses it."""
        raise self._unsupported("close")

    def connect(self, address: Any, /) -> None:
        """Connect to ``address`` (a plain form or an address model), validated first."""
        raise self._unsupported("connect")

    def connect_ex(self, address: Any, /) -> int:
        """Like connect(), but return an errno value instead of raising OS errors."""
        raise self._unsupported("connect_ex")

    def detach(self) -> int:
        """Put the socket in the closed state without closing its descriptor; return it."""
        raise self._unsupported("detach")

    def dup(self) -> Self:
        """A new socket of the same class on a duplicate descriptor (non-inheritable)."""
        raise self._unsupported("dup")

    def fileno(self) -> int:
        """The descriptor (a SOCKET handle on Windows); -1 once closed."""
        raise self._unsupported("fileno")

    def get_inheritable(self) -> bool:
        raise self._unsupported("get_inheritable")

    def getpeername(self) -> Any:
        raise self._unsupported("getpeername")

    def getsockname(self) -> Any:
        raise self._unsupported("getsockname")

    def getsockopt(self, level: int, optname: int, buflen: int = ..., /) -> Any:  # type: ignore[assignment]
        """An int option, or ``buflen`` bytes of a struct option; arguments validated first."""
        raise self._unsupported("getsockopt")

    def getblocking(self) -> bool:
        raise self._unsupported("getblocking")

    def gettimeout(self) -> float | None:
        raise self._unsupported("gettimeout")

    def ioctl(self, control: int, option: Any, /) -> Any:
        """Windows ``WSAIoctl`` (SIO_* control codes), with typed, validated values."""
        raise self._unsupported("ioctl")

    def listen(self, backlog: int = ..., /) -> None:  # type: ignore[assignment]
        raise self._unsupported("listen")

    def makefile(
        self,
        mode: str = "r",
        buffering: int | None = None,
        *,
        encoding: str | None = None,
        errors: str | None = None,
        newline: str | None = None,
    ) -> Any:
        raise self._unsupported("makefile")

    def recv(self, bufsize: int, flags: int = 0, /) -> bytes:
        raise self._unsupported("recv")

    def recvfrom(self, bufsize: int, flags: int = 0, /) -> tuple[bytes, Any]:
        raise self._unsupported("recvfrom")

    def recvmsg(
        self, bufsize: int, ancbufsize: int = 0, flags: int = 0, /
    ) -> tuple[bytes, list[tuple[int, int, bytes]], int, Any]:
        raise self._unsupported("recvmsg")

    def recvmsg_into(
        self, buffers: Iterable[Buffer], ancbufsize: int = 0, flags: int = 0, /
    ) -> tuple[int, list[tuple[int, int, bytes]], int, Any]:
        raise self._unsupported("recvmsg_into")

    def recvfrom_into(self, buffer: Buffer, nbytes: int = 0, flags: int = 0) -> tuple[int, Any]:
        raise self._unsupported("recvfrom_into")

    def recv_into(self, buffer: Buffer, nbytes: int = 0, flags: int = 0) -> int:
        raise self._unsupported("recv_into")

    def send(self, data: Buffer, flags: int = 0, /) -> int:
        raise self._unsupported("send")

    def sendall(self, data: Buffer, flags: int = 0, /) -> None:
        raise self._unsupported("sendall")

    def sendto(self, data: Buffer, flags_or_address: Any, address: Any = ..., /) -> int:
        """Send a datagram to an address (a plain form or a model), validated first."""
        raise self._unsupported("sendto")

    def sendmsg(
        self,
        buffers: Iterable[Buffer],
        ancdata: Iterable[tuple[int, int, Buffer]] = (),
        flags: int = 0,
        address: Any = None,
        /,
    ) -> int:
        raise self._unsupported("sendmsg")

    def sendmsg_afalg(
        self,
        msg: Iterable[Buffer] | None = None,
        *,
        op: int,
        iv: Any = None,
        assoclen: int | None = None,
        flags: int = 0,
    ) -> int:
        """Linux AF_ALG: send data with the operation, IV and associated-data length."""
        raise self._unsupported("sendmsg_afalg")

    def sendfile(
        self, file: io.BufferedReader | Any, offset: int = 0, count: int | None = None
    ) -> int:
        raise self._unsupported("sendfile")

    def set_inheritable(self, inheritable: bool) -> None:
        raise self._unsupported("set_inheritable")

    def setblocking(self, flag: bool, /) -> None:
        raise self._unsupported("setblocking")

    def settimeout(self, value: float | None, /) -> None:
        raise self._unsupported("settimeout")

    def setsockopt(self, level: int, optname: int, value: Any, optlen: int = ..., /) -> None:  # type: ignore[assignment]
        """Set an option in the stdlib's forms; a well-known option's value is validated."""
        raise self._unsupported("setsockopt")

    def shutdown(self, how: int, /) -> None:
        raise self._unsupported("shutdown")

    def share(self, process_id: int, /) -> bytes:
        """Data from which process ``process_id`` can obtain a duplicate (see fromshare)."""
        raise self._unsupported("share")


def _require_available(option: Option[Any], method: str) -> tuple[int, int]:
    level, optname = option.level, option.optname
    if level is None or optname is None:
        raise invalid(
            "os",
            method=method,
            argument="option",
            value=option.name,
            problem="this platform has no such option",
            allowed="an option whose .available is True here",
            errno=errno.ENOPROTOOPT,
        )
    return level, optname
