"""multisock's Linux extensions backend plugin (entry point ``linux_ext``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from multisock import hookimpl

from .backend import CAPABILITIES, LINUX_OPTIONS, LinuxBackend

if TYPE_CHECKING:
    from .sockets import LinuxSocket

__all__ = ["CAPABILITIES", "LINUX_OPTIONS", "LinuxBackend", "LinuxSocket", "multisock_backend"]


def __getattr__(name: str) -> Any:
    if name == "LinuxSocket":  # imported where sockets are made, not at discovery
        from .sockets import LinuxSocket  # noqa: PLC0415

        return LinuxSocket
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@hookimpl
def multisock_backend() -> LinuxBackend:
    return LinuxBackend()
