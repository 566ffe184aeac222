"""multisock's POSIX backend plugin (entry point ``posix``)."""

from __future__ import annotations

from multisock import hookimpl

from .backend import CAPABILITIES, PosixBackend, PosixSocket

__all__ = ["CAPABILITIES", "PosixBackend", "PosixSocket", "multisock_backend"]


@hookimpl
def multisock_backend() -> PosixBackend:
    return PosixBackend()
