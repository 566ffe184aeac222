"""Socket addresses: pydantic models, and validation of the stdlib's plain forms.

Every method that takes an address accepts either a model from this module or the plain
form the stdlib takes (a ``(host, port)`` tuple, a path, ...). Both are validated the same
way before any system call; the socket then receives the plain form, so return values keep
the stdlib's shapes (tuples, str, bytes). :func:`parse_address` turns a plain form, such as
what ``getsockname()`` returns, into a model.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from typing import Annotated, Any, ClassVar, Final

from pydantic import PlainValidator
from typing_extensions import Self

from .errors import ValidationError, invalid
from .fields import U32, FlowInfo, Host4, Host6, Model, Port, ScopeId, fail

__all__ = [
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


class Address(Model):
    """Base of the address models: immutable, and convertible to the stdlib's plain form."""

    #: The address family this model is for, e.g. ``socket.AF_INET``.
    family: ClassVar[int]

    def to_sockaddr(self) -> SockAddr:
        """The plain form the stdlib socket methods take (a tuple, str or bytes)."""
        raise NotImplementedError

    @classmethod
    def from_sockaddr(cls, raw: object, *, method: str = "parse_address") -> Self:
        """Validate a plain form and return the model; raise a ValidationError if it is bad."""
        raise NotImplementedError


def _require_tuple(
    raw: object, family_name: str, shape: str, sizes: range, method: str
) -> tuple[Any, ...]:
    allowed = f"a tuple {shape}"
    if not isinstance(raw, tuple):
        raise invalid(
            "type",
            method=method,
            argument="address",
            value=raw,
            problem=f"{family_name} address must be tuple, not {type(raw).__name__}",
            allowed=allowed,
        )
    if len(raw) not in sizes:
        raise invalid(
            "type",
            method=method,
            argument="address",
            value=raw,
            problem=f"{family_name} address has {len(raw)} items",
            allowed=allowed,
        )
    return raw


def _validated(cls: type[Address], fields: dict[str, object], method: str) -> Any:
    try:
        return cls(**fields)
    except ValidationError as exc:
        raise exc.relabel(method=method, argument="address") from None


class InetAddress(Address):
    """An AF_INET address: ``(host, port)``."""

    family: ClassVar[int] = socket.AF_INET
    host: Host4
    port: Port

    def to_sockaddr(self) -> tuple[str | bytes | bytearray, int]:
        return (self.host, self.port)

    @classmethod
    def from_sockaddr(cls, raw: object, *, method: str = "parse_address") -> Self:
        host, port = _require_tuple(raw, "AF_INET", "(host, port)", range(2, 3), method)
        return _validated(cls, {"host": host, "port": port}, method)  # type: ignore[no-any-return]


class Inet6Address(Address):
    """An AF_INET6 address: ``(host, port, flowinfo, scope_id)``."""

    family: ClassVar[int] = socket.AF_INET6
    host: Host6
    port: Port
    flowinfo: FlowInfo = 0
    scope_id: ScopeId = 0

    def to_sockaddr(self) -> tuple[str | bytes | bytearray, int, int, int]:
        return (self.host, self.port, self.flowinfo, self.scope_id)

    @classmethod
    def from_sockaddr(cls, raw: object, *, method: str = "parse_address") -> Self:
        items = _require_tuple(
            raw, "AF_INET6", "(host, port[, flowinfo[, scope_id]])", range(2, 5), method
        )
        names = ("host", "port", "flowinfo", "scope_id")
        return _validated(cls, dict(zip(names, items, strict=False)), method)  # type: ignore[no-any-return]


def _unix_path(value: object) -> str | bytes:
    allowed = (
        f"a str, bytes or path-like of at most {SUN_PATH_SIZE - 1} bytes, "
        f"or a Linux abstract name (leading NUL) of at most {SUN_PATH_SIZE} bytes"
    )
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, str):
        encoded = os.fsencode(value)
    elif isinstance(value, bytes | bytearray | memoryview):
        value = encoded = bytes(value)
    else:
        fail("type", f"a bytes-like object or str is required, not {type(value).__name__}", allowed)
    abstract = encoded[:1] == b"\0"
    limit = SUN_PATH_SIZE if abstract else SUN_PATH_SIZE - 1
    if len(encoded) > limit:
        fail("os", f"AF_UNIX path too long ({len(encoded)} bytes)", allowed)
    return value


UnixPath = Annotated[str | bytes, PlainValidator(_unix_path)]


class UnixAddress(Address):
    """An AF_UNIX address: a filesystem path (str or bytes), or a Linux abstract name."""

    family: ClassVar[int] = AF_UNIX if AF_UNIX is not None else -1
    path: UnixPath

    @classmethod
    def abstract(cls, name: str | bytes) -> Self:
        """A Linux abstract-namespace address: ``name`` without the leading NUL."""
        raw = name.encode() if isinstance(name, str) else bytes(name)
        return cls(path=b"\0" + raw)

    @property
    def is_abstract(self) -> bool:
        """True for a Linux abstract-namespace name (its first byte is NUL)."""
        return self.path[:1] in ("\0", b"\0")

    @property
    def name(self) -> bytes | None:
        """The abstract name without its leading NUL, or None for a filesystem path."""
        if not self.is_abstract:
            return None
        return os.fsencode(self.path)[1:]

    def to_sockaddr(self) -> str | bytes:
        return self.path

    @classmethod
    def from_sockaddr(cls, raw: object, *, method: str = "parse_address") -> Self:
        return _validated(cls, {"path": raw}, method)  # type: ignore[no-any-return]


def _alg_text(limit: int) -> Any:
    allowed = f"a str of at most {limit - 1} bytes (the kernel field holds {limit} with its NUL)"

    def check(value: object) -> str:
        if not isinstance(value, str):
            fail("type", f"str expected, not {type(value).__name__}", allowed)
        if "\0" in value:
            fail("value", "embedded null character", allowed)
        if len(value.encode()) >= limit:
            fail("value", f"too long ({len(value.encode())} bytes)", allowed)
        return value

    return PlainValidator(check)


class AlgAddress(Address):
    """An AF_ALG (Linux kernel crypto) address: ``(type, name[, feat[, mask]])``.

    ``type`` is the algorithm type (``hash``, ``skcipher``, ``aead``, ``rng``, ...) and
    ``name`` the algorithm (``sha256``, ``cbc(aes)``, ...), with the classic sockaddr_alg's
    limits: 13 and 63 bytes plus the NUL.
    """

    family: ClassVar[int] = AF_ALG if AF_ALG is not None else -2
    type: Annotated[str, _alg_text(14)]
    name: Annotated[str, _alg_text(64)]
    feat: U32 = 0
    mask: U32 = 0

    def to_sockaddr(self) -> tuple[str, str, int, int]:
        return (self.type, self.name, self.feat, self.mask)

    @classmethod
    def from_sockaddr(cls, raw: object, *, method: str = "parse_address") -> Self:
        items = _require_tuple(raw, "AF_ALG", "(type, name[, feat[, mask]])", range(2, 5), method)
        names = ("type", "name", "feat", "mask")
        return _validated(cls, dict(zip(names, items, strict=False)), method)  # type: ignore[no-any-return]


_MODELS: Final[dict[int, type[Address]]] = {
    model.family: model for model in (InetAddress, Inet6Address, UnixAddress, AlgAddress)
}


def model_for(family: int) -> type[Address] | None:
    """The address model for ``family``, or None when multisock has none for it."""
    return _MODELS.get(family)


def parse_address(family: int, raw: object) -> Address:
    """Validate a plain address (as ``getsockname()`` returns it) and return its model."""
    model = _MODELS.get(family)
    if model is None:
        raise invalid(
            "os",
            method="parse_address",
            argument="family",
            value=family,
            problem="no address model for this family",
            allowed=", ".join(socket.AddressFamily(f).name for f in _MODELS if f >= 0),
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
    model = _MODELS.get(family)
    if model is None:
        return address
    model.from_sockaddr(address, method=method)
    if family in _KNOWN_HOSTS:
        _remember_host(family, address[0])  # type: ignore[index]
    return address
