"""multisock: one typed, validated socket API over pluggable platform backends.

``multisock.Socket`` is constructed like ``socket.socket`` and returns a socket served by a
backend plugin: ``posix`` on Linux/macOS/BSD, ``winsock`` on Windows, ``linux_ext`` for what
only Linux offers (AF_ALG, fd passing, batch datagram I/O), or one you install.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import ioctls, options
from .addresses import parse_address
from .api import SPEC_ATTRIBUTES, SPEC_METHODS, Socket
from .backend import Backend
from .capabilities import Capabilities
from .errors import (
    BackendError,
    BackendNotFound,
    BackendUnavailable,
    NoSuitableBackend,
    UnsupportedControl,
    UnsupportedOperation,
    ValidationError,
)
from .functions import create_connection, create_server, fromfd, fromshare, socketpair
from .hookspecs import hookimpl
from .registry import REGISTRY, BackendInfo

if TYPE_CHECKING:
    from .addresses import Address, AlgAddress, Inet6Address, InetAddress, UnixAddress
    from .keepalive import Keepalive

# The pydantic models load on first use: creating sockets must not pay for them.
_LAZY = {
    "Address": "addresses",
    "AlgAddress": "addresses",
    "Inet6Address": "addresses",
    "InetAddress": "addresses",
    "UnixAddress": "addresses",
    "Keepalive": "keepalive",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib  # noqa: PLC0415

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "SPEC_ATTRIBUTES",
    "SPEC_METHODS",
    "Address",
    "AlgAddress",
    "Backend",
    "BackendError",
    "BackendInfo",
    "BackendNotFound",
    "BackendUnavailable",
    "Capabilities",
    "Inet6Address",
    "InetAddress",
    "Keepalive",
    "NoSuitableBackend",
    "Socket",
    "UnixAddress",
    "UnsupportedControl",
    "UnsupportedOperation",
    "ValidationError",
    "backends",
    "create_connection",
    "create_server",
    "fromfd",
    "fromshare",
    "hookimpl",
    "ioctls",
    "options",
    "parse_address",
    "socketpair",
]

__version__ = "0.1.0"


def backends() -> list[BackendInfo]:
    """The installed backends: name, distribution, version, availability (and why not),
    and declared capabilities, in the order backend choice considers them."""
    return REGISTRY.infos()
