"""The pydantic models of option values that are C structs (SO_LINGER, SO_PEERCRED...).

Imported on first need by :class:`multisock.options.kinds.Struct`.
"""

from __future__ import annotations

import socket
import sys
from typing import Final

import pydantic

from ..checks import C_INT_MAX
from ..fields import Model

__all__ = ["Linger", "Membership", "Membership6", "PeerCredentials", "StructValue"]

_LINGER_MAX: Final = 65535 if sys.platform == "win32" else C_INT_MAX


class StructValue(Model):
    """Base of the models for options whose value is a C struct."""


class Linger(StructValue):
    """SO_LINGER's ``struct linger``: on close, wait up to ``seconds`` for unsent data."""

    onoff: bool
    seconds: pydantic.conint(ge=0, le=_LINGER_MAX)  # type: ignore[valid-type]


class PeerCredentials(StructValue):
    """SO_PEERCRED's ``struct ucred``: the peer process of a Unix socket."""

    pid: int
    uid: int
    gid: int


class Membership(StructValue):
    """IP_ADD_MEMBERSHIP's ``struct ip_mreq``: a multicast group, and the local interface."""

    group: str
    interface: str = "0.0.0.0"

    @pydantic.field_validator("group", "interface")
    @classmethod
    def _ipv4(cls, value: str) -> str:
        try:
            socket.inet_aton(value)
        except OSError:
            raise ValueError("not an IPv4 address") from None
        return value


class Membership6(StructValue):
    """IPV6_JOIN_GROUP's ``struct ipv6_mreq``: a multicast group and an interface index."""

    group: str
    interface: pydantic.conint(ge=0, le=2**32 - 1) = 0  # type: ignore[valid-type]

    @pydantic.field_validator("group")
    @classmethod
    def _ipv6(cls, value: str) -> str:
        try:
            socket.inet_pton(socket.AF_INET6, value)
        except OSError:
            raise ValueError("not an IPv6 address") from None
        return value
