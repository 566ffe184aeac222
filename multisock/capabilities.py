"""What a backend declares it supports.

The declaration drives backend choice (``Socket(AF_ALG, ...)`` goes to a backend that
declares AF_ALG) and the conformance suite (a test of something declared must pass; a test
of something not declared is reported as unsupported).
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from typing import Final

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


class Capabilities:
    """A backend's declared capabilities. Names, not numbers, so declarations read the same on
    every platform and reports from several platforms can be merged.

    Each section is a frozenset of names (any iterable of str is accepted); an unknown
    method, option or ioctl name is refused, so a typo cannot declare nothing.
    """

    __slots__ = ("ancillary", "families", "features", "ioctls", "methods", "options", "types")

    #: Address families, e.g. ``{"AF_INET", "AF_INET6", "AF_UNIX"}``.
    families: frozenset[str]
    #: Socket types, e.g. ``{"SOCK_STREAM", "SOCK_DGRAM"}``.
    types: frozenset[str]
    #: Methods of the spec (``multisock.api.SPEC_METHODS``) the backend implements.
    methods: frozenset[str]
    #: Well-known options (names in ``multisock.options.OPTIONS``) it serves.
    options: frozenset[str]
    #: ioctl control codes (names in ``multisock.ioctls.IOCTLS``).
    ioctls: frozenset[str]
    #: Ancillary data for sendmsg/recvmsg, e.g. ``{"SCM_RIGHTS"}``.
    ancillary: frozenset[str]
    #: Other features: ``socketpair``, ``fromfd``, ``fromshare``, ``keepalive``, ``batch_io``...
    features: frozenset[str]

    def __init__(
        self,
        *,
        families: Iterable[str],
        types: Iterable[str],
        methods: Iterable[str],
        options: Iterable[str] = (),
        ioctls: Iterable[str] = (),
        ancillary: Iterable[str] = (),
        features: Iterable[str] = (),
    ) -> None:
        from .api import SPEC_METHODS  # noqa: PLC0415 - api imports the registry, which imports us

        known = {"methods": set(SPEC_METHODS), "options": set(OPTIONS), "ioctls": set(IOCTLS)}
        given = locals()
        for section in _SECTIONS:
            names = given[section]
            if isinstance(names, str) or not all(isinstance(n, str) for n in names):
                raise TypeError(f"Capabilities.{section}: a set of names (str) is needed")
            names = frozenset(names)
            unknown = names - known[section] if section in known else set()
            if unknown:
                raise ValueError(f"Capabilities.{section}: not known names: {sorted(unknown)}")
            object.__setattr__(self, section, names)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Capabilities are immutable: use replace()")

    def replace(self, **changes: Iterable[str]) -> Capabilities:
        """A copy with some sections replaced, e.g. ``caps.replace(features=...)``."""
        return Capabilities(**{s: getattr(self, s) for s in _SECTIONS} | changes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Capabilities):
            return NotImplemented
        return all(getattr(self, s) == getattr(other, s) for s in _SECTIONS)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, s) for s in _SECTIONS))

    def __repr__(self) -> str:
        sections = ", ".join(f"{s}={sorted(getattr(self, s))}" for s in _SECTIONS)
        return f"Capabilities({sections})"

    def covers(self, family: int, kind: int) -> bool:
        """Whether a socket of this family and type (flags ignored) is declared."""
        return family_name(family) in self.families and type_name(kind) in self.types

    def features_matrix(self) -> dict[str, frozenset[str]]:
        """The declaration as ``{section: names}``, the matrix's row groups."""
        return {row: getattr(self, section) for row, section in zip(_ROWS, _SECTIONS, strict=True)}


_SECTIONS: Final = ("families", "types", "methods", "options", "ioctls", "ancillary", "features")
_ROWS: Final = ("family", "type", "method", "option", "ioctl", "ancillary", "feature")
