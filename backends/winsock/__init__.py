"""multisock's Winsock backend plugin (entry point ``winsock``)."""

from __future__ import annotations

from multisock import hookimpl

from .backend import CAPABILITIES, WinsockBackend, WinsockSocket

__all__ = ["CAPABILITIES", "WinsockBackend", "WinsockSocket", "multisock_backend"]


@hookimpl
def multisock_backend() -> WinsockBackend:
    return WinsockBackend()
