"""multisock's Linux extensions backend plugin (entry point ``linux_ext``)."""

from __future__ import annotations

from multisock import hookimpl

from .backend import CAPABILITIES, LinuxBackend, LinuxSocket

__all__ = ["CAPABILITIES", "LinuxBackend", "LinuxSocket", "multisock_backend"]


@hookimpl
def multisock_backend() -> LinuxBackend:
    return LinuxBackend()
