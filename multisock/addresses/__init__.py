"""Socket addresses: validation of the stdlib's plain forms, and typed models.

Every method that takes an address accepts either a model (:class:`InetAddress`,
:class:`Inet6Address`, :class:`UnixAddress`, :class:`AlgAddress`) or the plain form the
stdlib takes (a ``(host, port)`` tuple, a path, ...). Both are validated by the family's
pydantic model before any system call; the socket then receives the plain form, so return
values keep the stdlib's shapes. :func:`parse_address` turns a plain form, such as what
``getsockname()`` returns, into a model.

The models live in :mod:`multisock.addresses.models`, imported on first need: a program
pays for pydantic's model machinery when it first validates an address, not when it
creates a socket.
"""

from __future__ import annotations

import errno
import socket
import sys
from typing import TYPE_CHECKING, Any, Final

from ..errors import invalid

if TYPE_CHECKING:
    from .models import Address, AlgAddress, Inet6Address, InetAddress, UnixAddress

__all__ = [
    "SUN_PATH_SIZE",
    "Address",
    "AlgAddress",
    "Inet6Address",
    "InetAddress",
    "SockAddr",
    "UnixAddress",
    "model_for",
    "parse_address",
    "sockaddr",
]

#: The plain forms the stdlib takes and returns for an address.
SockAddr = tuple[Any, ...] | str | bytes

AF_ALG: Final[int | None] = getattr(socket, "AF_ALG", None)
AF_UNIX: Final[int | None] = getattr(socket, "AF_UNIX", None)

# struct sockaddr_un's sun_path: 108 bytes on Linux, 104 on the BSDs and macOS.
SUN_PATH_SIZE: Final = 108 if sys.platform.startswith("linux") else 104

# The families with a model; others are passed through for the system call to judge.
_MODELLED: Final = frozenset(
    f for f in (socket.AF_INET, socket.AF_INET6, AF_UNIX, AF_ALG) if f is not None
)
_LAZY: Final = frozenset({"Address", "AlgAddress", "Inet6Address", "InetAddress", "UnixAddress"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import models  # noqa: PLC0415 - the point: pydantic on first use

        return getattr(models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def model_for(family: int) -> type[Address] | None:
    """The address model for ``family``, or None when multisock has none for it."""
    if family not in _MODELLED:
        return None
    from .models import MODELS  # noqa: PLC0415

    return MODELS[family]


def parse_address(family: int, raw: object) -> Address:
    """Validate a plain address (as ``getsockname()`` returns it) and return its model."""
    model = model_for(family)
    if model is None:
        raise invalid(
            "os",
            method="parse_address",
            argument="family",
            value=family,
            problem="no address model for this family",
            allowed=", ".join(socket.AddressFamily(f).name for f in sorted(_MODELLED)),
            errno=errno.EAFNOSUPPORT,
        )
    return model.from_sockaddr(raw)


# Hosts already checked, so the plain-tuple path costs a few comparisons, not a model.
# Bounded: a program that talks to many peers must not grow it without limit.
_KNOWN_HOSTS: dict[int, set[str]] = {socket.AF_INET: set(), socket.AF_INET6: set()}
_KNOWN_HOSTS_LIMIT: Final = 4096


def _remember_host(family: int, host: object) -> None:
    if type(host) is str:
        known = _KNOWN_HOSTS[family]
        if len(known) >= _KNOWN_HOSTS_LIMIT:
            known.clear()
        known.add(host)


def sockaddr(family: int, address: object, method: str) -> Any:
    """The plain form of ``address`` for a socket of ``family``, validated; raise if bad.

    Plain ``(host, port)`` tuples whose host was seen before cost only type and range
    checks. Families without a model are passed through for the system call to judge.
    """
    if type(address) is tuple and len(address) == 2 and family in _KNOWN_HOSTS:
        host, port = address
        if (
            type(port) is int
            and type(host) is str
            and 0 <= port <= 65535
            and host in _KNOWN_HOSTS[family]
        ):
            return address
    from .models import MODELS, Address  # noqa: PLC0415 - loaded once, then a dict lookup

    if isinstance(address, Address):
        if address.family != family:
            raise invalid(
                "type",
                method=method,
                argument="address",
                value=address,
                problem=f"a {type(address).__name__} given to a socket of family {family}",
                allowed=f"an address of family {family}",
            )
        return address.to_sockaddr()
    model = MODELS.get(family)
    if model is None:
        return address
    model.from_sockaddr(address, method=method)
    if family in _KNOWN_HOSTS:
        _remember_host(family, address[0])  # type: ignore[index]
    return address
