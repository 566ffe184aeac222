"""The Linux extensions backend: AF_ALG, fd passing and other Linux-only features."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Final

from multisock.api import SPEC_METHODS
from multisock.capabilities import Capabilities
from multisock.options import OPTIONS
from multisock_cpython import CPythonBackend, CPythonSocket
from multisock_posix import CAPABILITIES as POSIX

if TYPE_CHECKING:
    from .sockets import LinuxSocket

__all__ = ["CAPABILITIES", "LINUX_OPTIONS", "LinuxBackend"]

#: The options only Linux has (or that only Linux's semantics make testable), on top of the
#: portable ones the posix backend declares.
LINUX_OPTIONS: Final = (
    "SO_BINDTODEVICE",
    "SO_BUSY_POLL",
    "SO_DOMAIN",
    "SO_INCOMING_CPU",
    "SO_MARK",
    "SO_PASSCRED",
    "SO_PEERCRED",
    "SO_PRIORITY",
    "SO_PROTOCOL",
    "TCP_CONGESTION",
    "TCP_CORK",
    "TCP_FASTOPEN",
    "TCP_NOTSENT_LOWAT",
    "TCP_QUICKACK",
    "TCP_USER_TIMEOUT",
    "IP_BIND_ADDRESS_NO_PORT",
    "IP_FREEBIND",
    "IP_MTU_DISCOVER",
    "IP_PKTINFO",
    "IP_RECVTOS",
    "IP_TRANSPARENT",
    "UDP_CORK",
    "UDP_SEGMENT",
    "UDP_GRO",
    "ALG_SET_KEY",
    "ALG_SET_AEAD_AUTHSIZE",
)

CAPABILITIES: Final = Capabilities(
    families=POSIX.families | {"AF_ALG"},
    types=POSIX.types,
    methods=frozenset(m for m in SPEC_METHODS if m != "ioctl"),
    options=POSIX.options | {name for name in LINUX_OPTIONS if OPTIONS[name].available},
    ancillary=POSIX.ancillary | {"SCM_CREDENTIALS"},
    features=POSIX.features
    | {"fd_passing", "abstract_unix", "peer_credentials", "fromshare", "share_offers", "batch_io"},
)


class LinuxBackend(CPythonBackend):
    """What only Linux offers: AF_ALG kernel crypto, fd passing, Linux options, batch I/O."""

    # Specialised: chosen for what the general backends do not declare (AF_ALG...).
    priority = 10

    def socket_class(self, family: int, type: int, proto: int) -> type[CPythonSocket]:
        from .sockets import LinuxSocket  # noqa: PLC0415 - only where sockets are made

        return LinuxSocket

    @property
    def capabilities(self) -> Capabilities:
        return CAPABILITIES

    def fromshare(self, data: bytes) -> LinuxSocket | None:
        """The duplicate that a linux_ext share() offers to this process (see share())."""
        from . import share  # noqa: PLC0415 - only where shares are taken

        return share.fromshare(data, self.socket_class(0, 0, 0))  # type: ignore[no-any-return]

    def unavailable_reason(self) -> str | None:
        if not sys.platform.startswith("linux"):
            return f"Linux extensions need Linux; this is {sys.platform}"
        return None
