"""The interface a backend plugin implements.

A backend is a distribution that registers a module in the ``multisock.backends`` entry-point
group. The module implements the ``multisock_backend`` hook (see :mod:`multisock.hookspecs`),
which returns an instance of a :class:`Backend` subclass. multisock then asks that object for
socket classes; the sockets themselves never go back through the plugin machinery, so the
send/recv path costs what the socket class costs.
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .api import Socket
    from .capabilities import Capabilities

__all__ = ["Backend"]


class Backend(abc.ABC):
    """One socket implementation: what it declares, whether it works here, and its sockets."""

    #: Order among available backends that cover a request; lower wins. General-purpose
    #: backends use 0, specialised ones more, so they serve what the others do not.
    priority: int = 50

    @property
    @abc.abstractmethod
    def capabilities(self) -> Capabilities:
        """What this backend declares it supports."""

    @property
    def description(self) -> str:
        """One line for ``multisock backends``."""
        return (type(self).__doc__ or "").strip().splitlines()[0] if type(self).__doc__ else ""

    def unavailable_reason(self) -> str | None:
        """None when the backend works on this platform, else why not (shown to users).

        Called once, when multisock first needs its backends. A backend that cannot work here
        still registers and answers this, so users learn why instead of not finding it.
        """
        return None

    @abc.abstractmethod
    def socket_class(self, family: int, type: int, proto: int) -> type[Socket]:
        """The class whose instances serve sockets of this family, type and protocol.

        Called once per distinct (family, type, proto); the result is cached. The class is
        constructed like ``socket.socket(family, type, proto, fileno)``.
        """

    def socketpair(self, family: int, type: int, proto: int) -> tuple[Socket, Socket]:
        """A pair of connected sockets, like ``socket.socketpair``."""
        raise NotImplementedError

    def fromfd(self, fd: int, family: int, type: int, proto: int) -> Socket:
        """A socket on a duplicate of ``fd``, like ``socket.fromfd``."""
        raise NotImplementedError

    def fromshare(self, data: bytes) -> Socket | None:
        """The socket described by ``share()`` data, or None if ``data`` is not this backend's.

        Raise a ValidationError for data that is this backend's format but malformed.
        """
        return None
