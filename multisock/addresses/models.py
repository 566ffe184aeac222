"""The address models: one pydantic model per family, each validating its plain form.

Imported on first need (see :mod:`multisock.addresses`), so that creating sockets does not
pay for pydantic's model machinery.
"""

from __future__ import annotations

import os
import socket
from typing import Annotated, Any, ClassVar

from pydantic import PlainValidator
from typing_extensions import Self

from ..errors import ValidationError, invalid
from ..fields import U32, FlowInfo, Host4, Host6, Model, Port, ScopeId, fail
from . import AF_ALG, AF_UNIX, SUN_PATH_SIZE, SockAddr

__all__ = ["MODELS", "Address", "AlgAddress", "Inet6Address", "InetAddress", "UnixAddress"]


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


#: The model of each family that has one.
MODELS: dict[int, type[Address]] = {
    model.family: model for model in (InetAddress, Inet6Address, UnixAddress, AlgAddress)
}
