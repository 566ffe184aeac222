"""Field types shared by the address and option models.

Each type is an ``Annotated`` pydantic type whose validator raises a ``PydanticCustomError``
of type ``"multisock"``. Its context carries the stdlib exception *kind* the failure must
surface as (see :func:`multisock.errors.invalid`), a ``problem`` and what is ``allowed``;
:func:`translate` turns the pydantic error into a :class:`multisock.ValidationError`.
"""

from __future__ import annotations

import math
import operator
import re
import socket
from typing import Annotated, Any, Final, NoReturn

import pydantic
from pydantic import PlainValidator
from pydantic_core import PydanticCustomError

from .checks import C_INT_MAX, C_INT_MIN, c_int
from .errors import ValidationError, invalid

__all__ = [
    "C_INT_MAX",
    "C_INT_MIN",
    "DEFERRED",
    "U16",
    "U32",
    "FlowInfo",
    "Host4",
    "Host6",
    "Model",
    "Port",
    "ScopeId",
    "Timeout",
    "as_index",
    "c_int",
    "check_timeout",
    "check_with",
    "fail",
    "int_in_range",
    "translate",
]

ERROR_TYPE: Final = "multisock"


def fail(kind: str, problem: str, allowed: str, errno: int | None = None) -> NoReturn:
    """Raise the pydantic error that :func:`translate` maps to a ValidationError of ``kind``."""
    raise PydanticCustomError(
        ERROR_TYPE,
        "{problem}; allowed: {allowed}",
        {"kind": kind, "problem": problem, "allowed": allowed, "errno": errno},
    )


def translate(
    exc: pydantic.ValidationError, *, method: str, argument: str, secret: bool = False
) -> ValidationError:
    """Turn the first error of a pydantic ValidationError into a multisock ValidationError.

    Raise the result ``from None``: pydantic's own message repeats the input, which for a
    secret (an AF_ALG key) must never reach a traceback.
    """
    first = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"])
    label = " ".join(part for part in (argument, where) if part) or "value"
    ctx = first.get("ctx") or {}
    if first["type"] == ERROR_TYPE:
        return invalid(
            ctx["kind"],
            method=method,
            argument=label,
            value=first["input"],
            problem=ctx["problem"],
            allowed=ctx["allowed"],
            errno=ctx["errno"],
            secret=secret,
        )
    kind = "type" if first["type"].endswith("_type") or first["type"] in _TYPE_ERRORS else "value"
    return invalid(
        kind,
        method=method,
        argument=label,
        value=first["input"],
        problem=first["msg"],
        allowed="see the field's type",
        secret=secret,
    )


_TYPE_ERRORS: Final = frozenset(
    {"missing", "extra_forbidden", "unexpected_keyword_argument", "is_instance_of", "model_type"}
)


def as_index(value: object, allowed: str) -> int:
    """``operator.index(value)``, failing as a TypeError like the stdlib does for non-integers."""
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        fail("type", f"{type(value).__name__} is not an integer", allowed)


def int_in_range(lo: int, hi: int, kind: str = "overflow", errno: int | None = None) -> Any:
    """A validator for an integer in ``lo..hi``; out of range fails with ``kind``."""
    allowed = f"an integer {lo}..{hi}"

    def check(value: object) -> int:
        number = as_index(value, allowed)
        if not lo <= number <= hi:
            fail(kind, "out of range", allowed, errno)
        return number

    return PlainValidator(check)


Port = Annotated[int, int_in_range(0, 65535)]
FlowInfo = Annotated[int, int_in_range(0, 2**20 - 1)]
ScopeId = Annotated[int, int_in_range(0, 2**32 - 1)]
U16 = Annotated[int, int_in_range(0, 2**16 - 1)]
U32 = Annotated[int, int_in_range(0, 2**32 - 1)]

# RFC 1123 labels; the underscore is tolerated because real zones (SRV, DKIM) carry it.
_LABEL: Final = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)\Z")
_NUMERIC_V4: Final = re.compile(r"[0-9][0-9A-Fa-fXx.]*\Z")
_SCOPE: Final = re.compile(r"[A-Za-z0-9_.-]{1,15}\Z")
# Windows' socket module has no EAI_ADDRFAMILY; EAI_FAMILY is its nearest code there.
_EAI_ADDRFAMILY: Final[int] = getattr(socket, "EAI_ADDRFAMILY", socket.EAI_FAMILY)
_HOST_ALLOWED: Final = (
    "an IP address literal, '' (any), or a host name of dot-separated labels "
    "(1-63 letters, digits, '-' or '_', at most 253 characters)"
)


def host_text(value: object, allowed: str) -> str:
    """The host as text, rejecting what the stdlib rejects before resolving it."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bytes | bytearray):
        try:
            text = bytes(value).decode("ascii")
        except UnicodeDecodeError:
            fail("gai", "not ASCII", allowed, socket.EAI_NONAME)
    else:
        fail("type", f"str, bytes or bytearray expected, not {type(value).__name__}", allowed)
    if "\0" in text:
        fail("type", "host name must not contain a null character", allowed)
    return text


def check_host_name(text: str, allowed: str) -> None:
    """Fail unless ``text`` is a syntactically valid DNS host name."""
    if not text.isascii():
        try:
            text = text.encode("idna").decode("ascii")
        except UnicodeError as exc:
            fail("value", f"not a valid internationalised name ({exc})", allowed)
    name = text[:-1] if text.endswith(".") else text
    if len(name) > 253 or not all(_LABEL.match(label) for label in name.split(".")):
        fail("gai", "not a valid host name", allowed, socket.EAI_NONAME)


def _valid_ipv4_literal(text: str) -> bool:
    try:
        socket.inet_aton(text)
    except OSError:
        return False
    return True


def _host4(value: object) -> str | bytes | bytearray:
    text = host_text(value, _HOST_ALLOWED)
    if text in ("", "<broadcast>"):
        return value  # type: ignore[return-value]
    if ":" in text:
        fail("gai", "an IPv6 address in an AF_INET address", _HOST_ALLOWED, _EAI_ADDRFAMILY)
    if _NUMERIC_V4.match(text):
        if not _valid_ipv4_literal(text):
            fail("gai", "not a valid IPv4 address", _HOST_ALLOWED, socket.EAI_NONAME)
    else:
        check_host_name(text, _HOST_ALLOWED)
    return value  # type: ignore[return-value]


def _host6(value: object) -> str | bytes | bytearray:
    text = host_text(value, _HOST_ALLOWED)
    if text == "":
        return value  # type: ignore[return-value]
    if ":" in text:
        address, _, scope = text.partition("%")
        try:
            socket.inet_pton(socket.AF_INET6, address)
        except OSError:
            fail("gai", "not a valid IPv6 address", _HOST_ALLOWED, socket.EAI_NONAME)
        if "%" in text and not _SCOPE.match(scope):
            fail("gai", "not a valid IPv6 scope (interface name or index)", _HOST_ALLOWED)
    elif _NUMERIC_V4.match(text):
        fail("gai", "an IPv4 address in an AF_INET6 address", _HOST_ALLOWED, _EAI_ADDRFAMILY)
    else:
        check_host_name(text, _HOST_ALLOWED)
    return value  # type: ignore[return-value]


Host4 = Annotated[str | bytes | bytearray, PlainValidator(_host4)]
Host6 = Annotated[str | bytes | bytearray, PlainValidator(_host6)]


def _timeout(value: object) -> float | None:
    allowed = "None or a finite number of seconds >= 0"
    if value is None:
        return None
    # Like the stdlib: a float, or anything usable as an integer; not any object with __float__.
    seconds = value if isinstance(value, float) else float(as_index(value, allowed))
    if math.isnan(seconds):
        fail("value", "not a number (NaN)", allowed)
    if seconds < 0:
        fail("value", "negative", allowed)
    if math.isinf(seconds) or seconds > 2**62 / 1e9:
        fail("overflow", "too large for the platform's timer", allowed)
    return seconds


Timeout = Annotated[float | None, PlainValidator(_timeout)]


#: For TypeAdapters: build the validator on first use, not at import (pydantic 2.10+; older
#: versions build at once, as before).
DEFERRED: Final = pydantic.ConfigDict(defer_build=True)


class Model(pydantic.BaseModel):
    """Base of multisock's models: a bad field raises a multisock ValidationError (of the
    stdlib's exception type) rather than pydantic's, as every other multisock call does."""

    # Schemas are built on a model's first use, not at import: most programs validate a few
    # kinds of address and option, and every program pays for import.
    model_config = pydantic.ConfigDict(frozen=True, extra="forbid", defer_build=True)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except pydantic.ValidationError as exc:
            raise translate(exc, method=type(self).__name__, argument="") from None


def check_with(
    adapter: pydantic.TypeAdapter[Any], value: object, *, method: str, argument: str
) -> Any:
    """Validate one value with a TypeAdapter, raising a multisock ValidationError on failure."""
    try:
        return adapter.validate_python(value)
    except pydantic.ValidationError as exc:
        raise translate(exc, method=method, argument=argument) from None


_TIMEOUT: Final = pydantic.TypeAdapter(Timeout, config=DEFERRED)


def check_timeout(value: object, *, method: str) -> float | None:
    """A timeout in seconds (None for blocking), validated by :data:`Timeout`."""
    seconds: float | None = check_with(_TIMEOUT, value, method=method, argument="timeout")
    return seconds
