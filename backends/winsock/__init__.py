"""multisock's Winsock backend plugin (entry point ``winsock``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from multisock import hookimpl

from .backend import CAPABILITIES, WinsockBackend

if TYPE_CHECKING:
    from .sockets import WinsockSocket

__all__ = ["CAPABILITIES", "WinsockBackend", "WinsockSocket", "multisock_backend"]


def __getattr__(name: str) -> Any:
    if name == "WinsockSocket":  # imported where sockets are made, not at discovery
        from .sockets import WinsockSocket  # noqa: PLC0415

        return WinsockSocket
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@hookimpl
def multisock_backend() -> WinsockBackend:
    return WinsockBackend()
