"""The socket module's constructors, each with a keyword-only ``backend=``.

``socketpair``, ``fromfd``, ``fromshare``, ``create_connection`` and ``create_server`` take
the stdlib's arguments, validate them, and return sockets of the chosen backend.
"""

from __future__ import annotations

import contextlib
import socket as stdlib
import sys
from typing import Any, Final

from .addresses import sockaddr
from .api import Socket
from .checks import c_int
from .errors import BackendUnavailable, UnsupportedOperation, invalid
from .registry import REGISTRY

__all__ = ["create_connection", "create_server", "fromfd", "fromshare", "socketpair"]

_DEFAULT_TIMEOUT: Final[Any] = getattr(stdlib, "_GLOBAL_DEFAULT_TIMEOUT", object())
_DEFAULT_PAIR_FAMILY: Final = getattr(stdlib, "AF_UNIX", stdlib.AF_INET)


def _unsupported(feature: str, name: str) -> UnsupportedOperation:
    return UnsupportedOperation(feature, name, REGISTRY.supporting(feature))


def socketpair(
    family: int | None = None,
    type: int = stdlib.SOCK_STREAM,
    proto: int = 0,
    *,
    backend: str | None = None,
) -> tuple[Socket, Socket]:
    """Two connected sockets, like ``socket.socketpair`` (AF_UNIX where it exists)."""
    family = _DEFAULT_PAIR_FAMILY if family is None else family
    allowed = "an int (a socket module constant)"
    for argument, value in (("family", family), ("type", type), ("proto", proto)):
        c_int(value, method="socketpair", argument=argument, allowed=allowed)
    name, chosen = REGISTRY.backend_for(family, type, backend)
    try:
        return chosen.socketpair(family, type, proto)
    except NotImplementedError:
        raise _unsupported("socketpair", name) from None


def fromfd(
    fd: int, family: int, type: int, proto: int = 0, *, backend: str | None = None
) -> Socket:
    """A socket on a duplicate of ``fd``, like ``socket.fromfd``."""
    number = as_fd(fd, "fromfd")
    name, chosen = REGISTRY.backend_for(family, type, backend)
    try:
        return chosen.fromfd(number, family, type, proto)
    except NotImplementedError:
        raise _unsupported("fromfd", name) from None


def as_fd(fd: object, method: str) -> int:
    """A non-negative descriptor number, or the stdlib's errors for anything else."""
    allowed = "a non-negative int file descriptor"
    number = c_int(fd, method=method, argument="fd", allowed=allowed)
    if number < 0:
        raise invalid(
            "value",
            method=method,
            argument="fd",
            value=fd,
            problem="negative file descriptor",
            allowed=allowed,
        )
    return number


def fromshare(data: bytes, *, backend: str | None = None) -> Socket:
    """The socket that ``share()`` described in ``data``, from the backend that made it.

    Each available backend declaring the ``fromshare`` feature is asked in turn; the first
    that recognises the data returns the socket.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise invalid(
            "type",
            method="fromshare",
            argument="data",
            value=data,
            problem=f"{type(data).__name__} is not bytes",
            allowed="the bytes returned by Socket.share()",
        )
    data = bytes(data)
    if backend is not None:
        candidates = [(backend, REGISTRY.get(backend))]
    else:
        candidates = [
            (name, b) for name, b in REGISTRY.available() if "fromshare" in b.capabilities.features
        ]
        if not candidates:
            raise UnsupportedOperation(
                "fromshare", "any available", REGISTRY.supporting("fromshare")
            )
    for _name, candidate in candidates:
        sock = candidate.fromshare(data)
        if sock is not None:
            return sock
    which = ", ".join(name for name, _ in candidates)
    raise invalid(
        "value",
        method="fromshare",
        argument="data",
        value=data,
        problem=f"not share() data that {which} recognises",
        allowed="the bytes returned by Socket.share() for this process",
    )


def create_connection(
    address: tuple[str | None, int | str | None],
    timeout: float | None = _DEFAULT_TIMEOUT,
    source_address: Any = None,
    *,
    all_errors: bool = False,
    backend: str | None = None,
) -> Socket:
    """Connect to a TCP service, trying each address ``getaddrinfo`` gives, like the stdlib.

    On failure raises the first error (3.11+; the last one on 3.10, as the stdlib does
    there), or an ExceptionGroup of all of them with ``all_errors=True``. Every socket tried
    is closed.
    """
    host, port = _service_address(address)
    errors: list[OSError] = []
    for family, kind, proto, _name, target in stdlib.getaddrinfo(host, port, 0, stdlib.SOCK_STREAM):
        sock = Socket(family, kind, proto, backend=backend)
        try:
            if timeout is not _DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address is not None:
                sock.bind(source_address)
            sock.connect(target)
        except OSError as exc:
            sock.close()
            if isinstance(exc, BackendUnavailable):
                raise
            errors.append(exc)
            continue
        except BaseException:
            sock.close()
            raise
        return sock
    if not errors:
        raise OSError("getaddrinfo returns an empty list")
    try:
        if all_errors:
            raise _group(errors)
        raise errors[0] if sys.version_info >= (3, 11) else errors[-1]
    finally:
        errors.clear()  # no reference cycle through the traceback


def _group(errors: list[OSError]) -> BaseException:
    if sys.version_info >= (3, 11):
        return ExceptionGroup("create_connection failed", errors)  # noqa: F821 - 3.11+
    return errors[-1]


def _service_address(address: object) -> tuple[Any, Any]:
    allowed = "a tuple (host, port): host a str or None, port an int 0-65535 or a service name"
    if not isinstance(address, tuple) or len(address) != 2:
        raise invalid(
            "type",
            method="create_connection",
            argument="address",
            value=address,
            problem="not a (host, port) pair",
            allowed=allowed,
        )
    host, port = address
    if host is not None:
        sockaddr(
            stdlib.AF_INET6 if ":" in str(host) else stdlib.AF_INET, (host, 0), "create_connection"
        )
    if isinstance(port, int) and not isinstance(port, bool):
        if not 0 <= port <= 65535:
            raise invalid(
                "overflow",
                method="create_connection",
                argument="address port",
                value=port,
                problem="out of range",
                allowed=allowed,
            )
    elif port is not None and not isinstance(port, str | bytes):
        raise invalid(
            "type",
            method="create_connection",
            argument="address port",
            value=port,
            problem=f"{type(port).__name__} is not a port",
            allowed=allowed,
        )
    return host, port


def create_server(
    address: Any,
    *,
    family: int = stdlib.AF_INET,
    backlog: int | None = None,
    reuse_port: bool = False,
    dualstack_ipv6: bool = False,
    backend: str | None = None,
) -> Socket:
    """A listening TCP socket bound to ``address``, like ``socket.create_server``."""
    if reuse_port and not hasattr(stdlib, "SO_REUSEPORT"):
        raise invalid(
            "value",
            method="create_server",
            argument="reuse_port",
            value=reuse_port,
            problem="SO_REUSEPORT not supported on this platform",
            allowed="False",
        )
    if dualstack_ipv6:
        if not stdlib.has_dualstack_ipv6():
            raise invalid(
                "value",
                method="create_server",
                argument="dualstack_ipv6",
                value=True,
                problem="dualstack_ipv6 not supported on this platform",
                allowed="False",
            )
        if family != stdlib.AF_INET6:
            raise invalid(
                "value",
                method="create_server",
                argument="family",
                value=family,
                problem="dualstack_ipv6 requires AF_INET6 family",
                allowed="AF_INET6",
            )
    target = sockaddr(family, address, "create_server")
    sock = Socket(family, stdlib.SOCK_STREAM, backend=backend)
    try:
        _prepare_server(sock, family, reuse_port, dualstack_ipv6)
        try:
            sock.bind(target)
        except OSError as exc:
            message = f"{exc.strerror} (while attempting to bind on address {address!r})"
            raise OSError(exc.errno, message) from None
        if backlog is None:
            sock.listen()
        else:
            sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return sock


def _prepare_server(sock: Socket, family: int, reuse_port: bool, dualstack_ipv6: bool) -> None:
    # SO_REUSEADDR lets a restarted server rebind at once on POSIX; on Windows it would let
    # other sockets steal the port, so it is left off there, as the stdlib does.
    if sys.platform not in ("win32", "cygwin") and hasattr(stdlib, "SO_REUSEADDR"):
        # Some platforms refuse it for some families; the stdlib ignores that too.
        with contextlib.suppress(OSError):
            sock.setsockopt(stdlib.SOL_SOCKET, stdlib.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(stdlib.SOL_SOCKET, stdlib.SO_REUSEPORT, 1)
    if stdlib.has_ipv6 and family == stdlib.AF_INET6:
        if dualstack_ipv6:
            sock.setsockopt(stdlib.IPPROTO_IPV6, stdlib.IPV6_V6ONLY, 0)
        elif hasattr(stdlib, "IPV6_V6ONLY") and hasattr(stdlib, "IPPROTO_IPV6"):
            sock.setsockopt(stdlib.IPPROTO_IPV6, stdlib.IPV6_V6ONLY, 1)
