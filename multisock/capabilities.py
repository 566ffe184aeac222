"""What a backend declares it supports.

The declaration drives backend choice (``Socket(AF_ALG, ...)`` goes to a backend that
declares AF_ALG) and the conformance suite (a test of something declared must pass; a test
of something not declared is reported as unsupported).
"""

from __future__ import annotations

import socket
from typing import Final

from pydantic import BaseModel, ConfigDict, field_validator

from .ioctls import IOCTLS
from .options import OPTIONS

__all__ = ["TYPE_FLAGS", "Capabilities", "family_name", "type_name"]

# Flags that may be or-ed into a socket type on Linux and the BSDs.
TYPE_FLAGS: Final = getattr(socket, "SOCK_NONBLOCK", 0) | getattr(socket, "SOCK_CLOEXEC", 0)


def family_name(family: int) -> str | None:
    """``"AF_INET"`` for ``socket.AF_INET``; None for a number this platform does not name."""
    try:
        return socket.AddressFamily(family).name
    except ValueError:
        return None


def type_name(kind: int) -> str | None:
    """``"SOCK_STREAM"`` for ``socket.SOCK_STREAM`` (flags ignored); None when unnamed."""
    try:
        return socket.SocketKind(kind & ~TYPE_FLAGS).name
    except ValueError:
        return None


class Capabilities(BaseModel):
    """A backend's declared capabilities. Names, not numbers, so declarations read the same on
    every platform and reports from several platforms can be merged."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Address families, e.g. ``{"AF_INET", "AF_INET6", "AF_UNIX"}``.
    families: frozenset[str]
    #: Socket types, e.g. ``{"SOCK_STREAM", "SOCK_DGRAM"}``.
    types: frozenset[str]
    #: Methods of the spec (``multisock.api.SPEC_METHODS``) the backend implements.
    methods: frozenset[str]
    #: Well-known options (names in ``multisock.options.OPTIONS``) it serves.
    options: frozenset[str] = frozenset()
    #: ioctl control codes, e.g. ``{"SIO_KEEPALIVE_VALS"}``.
    ioctls: frozenset[str] = frozenset()
    #: Ancillary data for sendmsg/recvmsg, e.g. ``{"SCM_RIGHTS"}``.
    ancillary: frozenset[str] = frozenset()
    #: Other features: ``socketpair``, ``fromfd``, ``fromshare``, ``keepalive``, ``batch_io``...
    features: frozenset[str] = frozenset()

    @field_validator("methods")
    @classmethod
    def _spec_methods(cls, methods: frozenset[str]) -> frozenset[str]:
        from .api import SPEC_METHODS  # noqa: PLC0415 - api imports the registry, which imports us

        unknown = methods - set(SPEC_METHODS)
        if unknown:
            raise ValueError(f"not methods of the spec: {sorted(unknown)}")
        return methods

    @field_validator("options")
    @classmethod
    def _known_options(cls, names: frozenset[str]) -> frozenset[str]:
        unknown = names - set(OPTIONS)
        if unknown:
            raise ValueError(f"not well-known options: {sorted(unknown)}")
        return names

    @field_validator("ioctls")
    @classmethod
    def _known_ioctls(cls, names: frozenset[str]) -> frozenset[str]:
        unknown = names - set(IOCTLS)
        if unknown:
            raise ValueError(f"not well-known ioctl control codes: {sorted(unknown)}")
        return names

    def covers(self, family: int, kind: int) -> bool:
        """Whether a socket of this family and type (flags ignored) is declared."""
        return family_name(family) in self.families and type_name(kind) in self.types

    def features_matrix(self) -> dict[str, frozenset[str]]:
        """The declaration as ``{section: names}``, the matrix's row groups."""
        return {
            "family": self.families,
            "type": self.types,
            "method": self.methods,
            "option": self.options,
            "ioctl": self.ioctls,
            "ancillary": self.ancillary,
            "feature": self.features,
        }
