"""Winsock sockets: typed ioctl, share with a checked process id, the portable keepalive.

Imported when a Winsock socket is first made (never on other platforms, where the backend
registers but is unavailable).
"""

from __future__ import annotations

import _socket
import ctypes
import errno
import socket as stdlib
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from multisock.checks import process_id as process_id_of
from multisock.errors import UnsupportedControl
from multisock.ioctls import IOCTLS, Control, check_control, lookup
from multisock.options import OPTIONS, Option
from multisock.registry import REGISTRY
from multisock_cpython import CPythonSocket, serves

from .backend import CAPABILITIES

if TYPE_CHECKING:
    from multisock.keepalive import Keepalive

__all__ = ["SHARE_SIZE", "WSAProtocolInfoW", "WinsockSocket"]


class _ProtocolChain(ctypes.Structure):
    _fields_ = (("ChainLen", ctypes.c_int), ("ChainEntries", ctypes.c_uint32 * 7))


class WSAProtocolInfoW(ctypes.Structure):
    """Winsock's ``WSAPROTOCOL_INFOW``: what ``share()`` returns and ``fromshare()`` takes.

    WCHARs are 16-bit unsigned ints here so the layout is Windows' on every platform.
    """

    _fields_ = (
        ("dwServiceFlags1", ctypes.c_uint32),
        ("dwServiceFlags2", ctypes.c_uint32),
        ("dwServiceFlags3", ctypes.c_uint32),
        ("dwServiceFlags4", ctypes.c_uint32),
        ("dwProviderFlags", ctypes.c_uint32),
        ("ProviderId", ctypes.c_ubyte * 16),
        ("dwCatalogEntryId", ctypes.c_uint32),
        ("ProtocolChain", _ProtocolChain),
        ("iVersion", ctypes.c_int),
        ("iAddressFamily", ctypes.c_int),
        ("iMaxSockAddr", ctypes.c_int),
        ("iMinSockAddr", ctypes.c_int),
        ("iSocketType", ctypes.c_int),
        ("iProtocol", ctypes.c_int),
        ("iProtocolMaxOffset", ctypes.c_int),
        ("iNetworkByteOrder", ctypes.c_int),
        ("iSecurityScheme", ctypes.c_int),
        ("dwMessageSize", ctypes.c_uint32),
        ("dwProviderReserved", ctypes.c_uint32),
        ("szProtocol", ctypes.c_uint16 * 256),
    )


SHARE_SIZE: Final = ctypes.sizeof(WSAProtocolInfoW)

# Windows-only methods of the C socket; None elsewhere, where this backend is unavailable.
_raw_ioctl: Final[Callable[..., int] | None] = getattr(_socket.socket, "ioctl", None)
_raw_share: Final[Callable[..., bytes] | None] = getattr(_socket.socket, "share", None)
stdlib_fromshare: Final[Callable[[bytes], stdlib.socket] | None] = getattr(
    stdlib, "fromshare", None
)

_KEEPALIVE_VALS: Final = IOCTLS["SIO_KEEPALIVE_VALS"]
_IDLE: Final = OPTIONS["TCP_KEEPIDLE"]
_INTERVAL: Final = OPTIONS["TCP_KEEPINTVL"]
_COUNT: Final = OPTIONS["TCP_KEEPCNT"]
# What Windows answers for an option this build or this socket does not have.
_NO_OPTION: Final = frozenset({errno.ENOPROTOOPT, errno.EINVAL})
# The registry values of the system's keepalive time and interval, and Windows' documented
# defaults for them, in milliseconds.
_DEFAULTS: Final = (("KeepAliveTime", 7_200_000), ("KeepAliveInterval", 1_000))


@serves(CAPABILITIES)
class WinsockSocket(CPythonSocket):
    """A Windows socket."""

    # The keepalive times (ms) this object last set with SIO_KEEPALIVE_VALS: Windows sets
    # both at once, and where it cannot read them back, a partial update keeps these.
    __slots__ = ("_keepalive_ms",)

    # typeshed says the stdlib's ioctl returns None; it returns WSAIoctl's byte count.
    def ioctl(self, control: int, option: Any, /) -> int:  # type: ignore[override, unused-ignore]
        code = check_control(control)
        known = lookup(code)
        if known is None or known.name not in CAPABILITIES.ioctls:
            raise UnsupportedControl(
                code,
                self.backend,
                CAPABILITIES.ioctls,
                _supporting(known),
                name=known.name if known else None,
            )
        value = known.validate(option)
        assert _raw_ioctl is not None  # the backend is unavailable where it is None
        result = _raw_ioctl(self, code, known.kind.encode(value))
        if known is _KEEPALIVE_VALS:
            self._keepalive_ms = (value.keepalivetime, value.keepaliveinterval)
        return result

    def share(self, process_id: int, /) -> bytes:
        assert _raw_share is not None
        return _raw_share(self, process_id_of(process_id))

    def set_keepalive(self, keepalive: Keepalive) -> None:
        # The count first: where it cannot be set, nothing has changed yet.
        if keepalive.count is not None:
            self._set_probe_count(keepalive.count)
        from multisock.ioctls import KeepaliveValues  # noqa: PLC0415 - pydantic on first use

        values = KeepaliveValues(
            onoff=keepalive.enabled,
            keepalivetime=self._milliseconds(keepalive.idle, _IDLE, 0),
            keepaliveinterval=self._milliseconds(keepalive.interval, _INTERVAL, 1),
        )
        code = _KEEPALIVE_VALS.code
        assert code is not None
        self.ioctl(code, values)

    def get_keepalive(self) -> Keepalive:
        """The keepalive setting read back; a time or count this Windows cannot read
        (builds without TCP_KEEPIDLE and friends, or Wine) is None."""
        from multisock.keepalive import Keepalive  # noqa: PLC0415 - pydantic on first use

        return Keepalive(
            enabled=self.get_option(OPTIONS["SO_KEEPALIVE"]),
            idle=self._readable(_IDLE),
            interval=self._readable(_INTERVAL),
            count=self._readable(_COUNT),
        )

    def _milliseconds(self, seconds: int | None, option: Option[int], index: int) -> int:
        """``seconds`` in ms; if None, the value in force: read back where Windows can, else
        the one this object last set, else the system's default."""
        if seconds is not None:
            return seconds * 1000
        current = self._readable(option)
        if current is not None:
            return current * 1000
        remembered: tuple[int, int] | None = getattr(self, "_keepalive_ms", None)
        return remembered[index] if remembered is not None else _default_ms(index)

    def _readable(self, option: Option[int]) -> int | None:
        if not option.available:
            return None
        try:
            return self.get_option(option)
        except OSError as exc:
            if exc.errno in _NO_OPTION:
                return None
            raise

    def _set_probe_count(self, count: int) -> None:
        try:
            self.set_option(_COUNT, count)
        except OSError as exc:
            if exc.errno not in _NO_OPTION:
                raise
            raise OSError(
                exc.errno,
                f"set_keepalive(): the probe count cannot be set on this socket here "
                f"(TCP_KEEPCNT: {exc}); leave count=None to keep the system's count",
                None,
                getattr(exc, "winerror", None),
            ) from exc


def _supporting(control: Control[Any] | None) -> tuple[str, ...]:
    if control is None:
        return ()
    return tuple(
        info.name
        for info in REGISTRY.infos()
        if info.available and info.capabilities and control.name in info.capabilities.ioctls
    )


def _default_ms(index: int) -> int:
    """The system's keepalive time (0) or interval (1) in ms: the registry's, else Windows'
    documented default."""
    name, fallback = _DEFAULTS[index]
    if sys.platform != "win32":
        return fallback
    import winreg  # noqa: PLC0415 - Windows only

    path = r"SYSTEM\CurrentControlSet\Services\Tcpip\Parameters"
    try:
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, path) as key:
            value, kind = winreg.QueryValueEx(key, name)
    except OSError:
        return fallback
    return value if kind == winreg.REG_DWORD and isinstance(value, int) else fallback
