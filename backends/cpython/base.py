"""Mechanics shared by the backends built on CPython's own socket object.

:class:`CPythonSocket` *is* a ``socket.socket``: the send/recv family resolve to the C
methods themselves, so the hot path costs exactly what the stdlib costs. Only the methods
that take addresses or option values are overridden, to validate their arguments first;
the plain-address path is a few comparisons once an address has been seen.

This package is a library for backends (ours and third-party ones), not a backend: it
registers no entry point.
"""

from __future__ import annotations

import _socket
import socket as stdlib
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Final, TypeVar

from multisock.addresses import sockaddr
from multisock.api import SPEC_METHODS, Socket
from multisock.backend import Backend
from multisock.capabilities import Capabilities
from multisock.checks import c_int
from multisock.errors import invalid
from multisock.options import check_getsockopt, check_setsockopt

__all__ = ["CPythonBackend", "CPythonSocket", "serves"]

_C = _socket.socket
_MISSING: Final[Any] = object()
_IMMUTABLE: Final = (str, bytes, int)

_raw_bind = _C.bind
_raw_connect = _C.connect
_raw_connect_ex = _C.connect_ex
_raw_sendto = _C.sendto
_raw_settimeout = _C.settimeout
_raw_setsockopt = _C.setsockopt
_raw_getsockopt = _C.getsockopt
_raw_listen = _C.listen
_raw_shutdown = _C.shutdown
_raw_sendmsg: Callable[..., int] | None = getattr(_C, "sendmsg", None)

_SHUT = {stdlib.SHUT_RD, stdlib.SHUT_WR, stdlib.SHUT_RDWR}


class CPythonSocket(stdlib.socket, Socket):  # type: ignore[misc]
    """A multisock Socket that is a CPython ``socket.socket``.

    Instances work wherever the stdlib expects a socket: ssl, asyncio, selectors,
    socketserver, http.client.
    """

    # The last plain address sendto validated, so a loop sending to one address checks it
    # once; compared by identity, and only kept when immutable.
    __slots__ = ("_sent_to",)

    # The raw family number, without socket.socket's enum conversion.
    _family_number = _C.family

    def accept(self) -> tuple[CPythonSocket, Any]:
        # socket.socket.accept builds a plain socket.socket; keep this socket's class.
        fd, address = self._accept()  # type: ignore[attr-defined]
        sock = type(self)(self.family, self.type, self.proto, fileno=fd)
        if stdlib.getdefaulttimeout() is None and self.gettimeout():
            sock.setblocking(True)
        return sock, address

    def bind(self, address: Any, /) -> None:
        _raw_bind(self, sockaddr(self._family_number, address, "bind"))

    def connect(self, address: Any, /) -> None:
        _raw_connect(self, sockaddr(self._family_number, address, "connect"))

    def connect_ex(self, address: Any, /) -> int:
        return _raw_connect_ex(self, sockaddr(self._family_number, address, "connect_ex"))

    def sendto(self, data: Any, flags_or_address: Any, address: Any = _MISSING, /) -> int:
        if address is _MISSING:
            try:
                if flags_or_address is self._sent_to:
                    return _raw_sendto(self, data, flags_or_address)
            except AttributeError:
                pass
            return _raw_sendto(self, data, self._checked_destination(flags_or_address))
        try:
            if address is self._sent_to:
                return _raw_sendto(self, data, flags_or_address, address)
        except AttributeError:
            pass
        return _raw_sendto(self, data, flags_or_address, self._checked_destination(address))

    def _checked_destination(self, address: Any) -> Any:
        plain = sockaddr(self._family_number, address, "sendto")
        # Remember only an immutable plain form: a bytearray host could change after the check.
        if (
            plain is address
            and type(address) is tuple
            and all(type(item) in _IMMUTABLE for item in address)
        ):
            self._sent_to = address
        return plain

    if _raw_sendmsg is not None:

        def sendmsg(
            self,
            buffers: Iterable[Any],
            ancdata: Iterable[Any] = (),
            flags: int = 0,
            address: Any = None,
            /,
        ) -> int:
            if address is None:
                return _raw_sendmsg(self, buffers, ancdata, flags)  # type: ignore[misc]
            plain = sockaddr(self._family_number, address, "sendmsg")
            return _raw_sendmsg(self, buffers, ancdata, flags, plain)  # type: ignore[misc]

    def settimeout(self, value: float | None, /) -> None:
        _raw_settimeout(self, _timeout(value))

    def setsockopt(self, level: int, optname: int, value: Any, optlen: Any = None, /) -> None:
        check_setsockopt(level, optname, value, optlen)
        if optlen is None:
            _raw_setsockopt(self, level, optname, value)
        else:
            _raw_setsockopt(self, level, optname, value, optlen)

    def getsockopt(self, level: int, optname: int, buflen: Any = None, /) -> Any:
        check_getsockopt(level, optname, buflen)
        if buflen is None:
            return _raw_getsockopt(self, level, optname)
        return _raw_getsockopt(self, level, optname, buflen)

    def listen(self, backlog: Any = _MISSING, /) -> None:
        if backlog is _MISSING:
            _raw_listen(self)
            return
        _raw_listen(
            self,
            c_int(
                backlog, method="listen", argument="backlog", allowed="an int (negative means 0)"
            ),
        )

    def shutdown(self, how: int, /) -> None:
        allowed = "SHUT_RD, SHUT_WR or SHUT_RDWR"
        number = c_int(how, method="shutdown", argument="how", allowed=allowed)
        if number not in _SHUT:
            raise invalid(
                "os",
                method="shutdown",
                argument="how",
                value=how,
                problem="not a shutdown mode",
                allowed=allowed,
            )
        _raw_shutdown(self, number)


def _timeout(value: object) -> float | None:
    # The common values skip pydantic: None, and plain non-negative finite numbers.
    if value is None:
        return None
    if (type(value) is float or type(value) is int) and 0 <= value < 1e9:
        return value
    return _checked_timeout(value)


def _checked_timeout(value: object) -> float | None:
    from multisock.fields import check_timeout  # noqa: PLC0415 - pydantic on first use

    return check_timeout(value, method="settimeout")


S = TypeVar("S", bound=type[CPythonSocket])


def serves(capabilities: Capabilities) -> Callable[[S], S]:
    """Class decorator: make the class do what ``capabilities`` declares, and no more.

    A spec method not declared raises UnsupportedOperation even where the stdlib socket has
    it (sendmsg_afalg on Linux, for a POSIX backend); a declared one that a base class masked
    gets the stdlib's implementation back.
    """

    def apply(cls: S) -> S:
        for name in SPEC_METHODS:
            stub = getattr(Socket, name)
            if name not in capabilities.methods:
                if hasattr(stdlib.socket, name):
                    setattr(cls, name, stub)
            elif getattr(cls, name) is stub and hasattr(stdlib.socket, name):
                setattr(cls, name, getattr(stdlib.socket, name))
        return cls

    return apply


class CPythonBackend(Backend):
    """Base for backends whose sockets are CPython socket objects."""

    #: The class every socket of this backend gets.
    socket_cls: ClassVar[type[CPythonSocket]]

    def socket_class(self, family: int, type: int, proto: int) -> type[Socket]:
        return self.socket_cls

    def socketpair(self, family: int, type: int, proto: int) -> tuple[Socket, Socket]:
        cls = self.socket_class(family, type, proto)
        a, b = stdlib.socketpair(family, type, proto)
        with a, b:
            left = cls(family, type, proto, a.detach())
            try:
                right = cls(family, type, proto, b.detach())
            except BaseException:
                left.close()
                raise
        return left, right

    def fromfd(self, fd: int, family: int, type: int, proto: int) -> Socket:
        cls = self.socket_class(family, type, proto)
        duplicate = _socket.dup(fd)
        try:
            return cls(family, type, proto, duplicate)
        except BaseException:
            _socket.close(duplicate)
            raise
