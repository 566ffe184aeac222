"""The Linux extensions backend: AF_ALG, fd passing and other Linux-only features."""

from __future__ import annotations

import sys
from typing import Final

from multisock.api import SPEC_METHODS
from multisock.capabilities import Capabilities
from multisock_cpython import CPythonBackend, serves
from multisock_posix import CAPABILITIES as POSIX
from multisock_posix import PosixSocket

__all__ = ["CAPABILITIES", "LinuxBackend", "LinuxSocket"]

CAPABILITIES: Final = Capabilities(
    families=POSIX.families | {"AF_ALG"},
    types=POSIX.types,
    methods=frozenset(m for m in SPEC_METHODS if m not in {"ioctl", "share"}),
    options=POSIX.options,
    ancillary=POSIX.ancillary,
    features=POSIX.features,
)


@serves(CAPABILITIES)
class LinuxSocket(PosixSocket):
    """A Linux socket."""

    __slots__ = ()


class LinuxBackend(CPythonBackend):
    """What only Linux offers: AF_ALG kernel crypto, fd passing, Linux options, batch I/O."""

    # Specialised: chosen for what the general backends do not declare (AF_ALG...).
    priority = 10
    socket_cls = LinuxSocket

    @property
    def capabilities(self) -> Capabilities:
        return CAPABILITIES

    def unavailable_reason(self) -> str | None:
        if not sys.platform.startswith("linux"):
            return f"Linux extensions need Linux; this is {sys.platform}"
        return None
