"""How an option's value is checked, encoded for setsockopt and decoded from getsockopt.

One class per kind of value: on/off flags, integers with the kernel's range, C structs
(pydantic models), short strings, write-only secrets, and values set through optlen. Plain
classes, built at import on the way to the first socket, so nothing here imports pydantic
until a struct or a secret is first validated.
"""

from __future__ import annotations

import errno
import struct
import sys
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

from ..checks import c_int
from ..errors import ValidationError, invalid

if TYPE_CHECKING:
    from pydantic import SecretBytes

__all__ = [
    "LINGER_FORMAT",
    "Flag",
    "Integer",
    "OptLen",
    "PlainValue",
    "Secret",
    "Struct",
    "Text",
    "ValueKind",
]

T = TypeVar("T")
PlainValue = int | bytes | None

_INT_SIZE: Final = struct.calcsize("i")
# Winsock's struct linger is two u_shorts (4 bytes); POSIX's is two ints (8 bytes).
LINGER_FORMAT: Final = "HH" if sys.platform == "win32" else "ii"


class ValueKind(Generic[T]):
    """How an option's value is checked, encoded for setsockopt and decoded from getsockopt."""

    __slots__ = ()

    #: getsockopt's buflen; None reads a C int.
    buflen: int | None = None

    @property
    def allowed(self) -> str:
        """What a valid value is, in words; it ends every error message."""
        raise NotImplementedError

    def validate(self, value: object, *, method: str, argument: str) -> T:
        """Check a typed value; return it normalised, or raise a ValidationError."""
        raise NotImplementedError

    def encode(self, value: T) -> PlainValue:
        """The plain setsockopt value for a validated typed value."""
        raise NotImplementedError

    def decode(self, raw: int | bytes) -> T:
        """The typed value for what getsockopt returned."""
        raise NotImplementedError

    def check_plain(self, value: object, optlen: object, *, method: str, argument: str) -> None:
        """Check a setsockopt value in the stdlib's plain form; raise a ValidationError if bad."""
        if optlen is not None:
            raise invalid(
                "type", method=method, argument="optlen", value=optlen,
                problem="optlen is only taken with a None value", allowed="omit optlen",
            )  # fmt: skip
        if isinstance(value, bytes | bytearray | memoryview):
            self.check_buffer(bytes(value), method=method, argument=argument)
        else:
            self.validate(value, method=method, argument=argument)

    def check_buffer(self, raw: bytes, *, method: str, argument: str) -> None:
        """Check a value passed as a raw buffer: by default it must hold a C int."""
        if len(raw) < _INT_SIZE:
            raise self.refuse(
                "os", raw, f"a {len(raw)}-byte buffer is shorter than a C int",
                method=method, argument=argument,
                allowed=f"{self.allowed}, or a buffer of at least {_INT_SIZE} bytes",
            )  # fmt: skip

    def refuse(
        self,
        kind: str,
        value: object,
        problem: str,
        *,
        method: str,
        argument: str,
        allowed: str | None = None,
        secret: bool = False,
    ) -> ValidationError:
        """The error for a bad value of this kind; an ``os`` kind carries EINVAL, as the
        kernel would answer."""
        return invalid(
            kind, method=method, argument=argument, value=value, problem=problem,
            allowed=self.allowed if allowed is None else allowed, secret=secret,
            errno=errno.EINVAL if kind == "os" else None,
        )  # fmt: skip

    def __repr__(self) -> str:
        names: tuple[str, ...] = self.__slots__
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__name__}({fields})"


def _c_int(value: object, kind: ValueKind[Any], *, method: str, argument: str) -> int:
    # The stdlib reports an int beyond a C int as a TypeError (it then tries the buffer
    # form), so the overflow is both.
    return c_int(
        value, method=method, argument=argument, allowed=kind.allowed, overflow="overflow_type"
    )


class Flag(ValueKind[bool]):
    """An on/off option. Any C int is accepted as the stdlib does; nonzero means on."""

    __slots__ = ()

    @property
    def allowed(self) -> str:
        return "a bool (or an int, nonzero meaning on)"

    def validate(self, value: object, *, method: str, argument: str) -> bool:
        return _c_int(value, self, method=method, argument=argument) != 0

    def encode(self, value: bool) -> int:
        return int(value)

    def decode(self, raw: int | bytes) -> bool:
        return bool(raw)


class Integer(ValueKind[int]):
    """An integer option with the range the kernel accepts; outside it the kernel says EINVAL."""

    __slots__ = ("excluded", "hi", "lo", "unit")

    def __init__(self, lo: int, hi: int, unit: str = "", excluded: frozenset[int] = frozenset()):
        self.lo, self.hi, self.unit, self.excluded = lo, hi, unit, excluded

    @property
    def allowed(self) -> str:
        unit = f" ({self.unit})" if self.unit else ""
        but = f" except {', '.join(map(str, sorted(self.excluded)))}" if self.excluded else ""
        return f"an integer {self.lo}..{self.hi}{but}{unit}"

    def validate(self, value: object, *, method: str, argument: str) -> int:
        number = _c_int(value, self, method=method, argument=argument)
        if not self.lo <= number <= self.hi or number in self.excluded:
            raise self.refuse("os", value, "out of range", method=method, argument=argument)
        return number

    def encode(self, value: int) -> int:
        return value

    def decode(self, raw: int | bytes) -> int:
        return raw if isinstance(raw, int) else int.from_bytes(raw[:_INT_SIZE], sys.byteorder)


class Struct(ValueKind[Any]):
    """An option whose value is a C struct, typed as a pydantic model (or a tuple of fields).

    ``model_name`` names the model in :mod:`multisock.options.structs`, imported on first use.
    ``pack`` turns a model into the struct's fields (default: its fields in order) and
    ``unpack`` the struct's fields into the model's (default: the same order).
    """

    __slots__ = ("fmt", "model_name", "pack", "unpack")

    def __init__(self, model_name: str, fmt: str, pack: Any = None, unpack: Any = None) -> None:
        self.model_name, self.fmt, self.pack, self.unpack = model_name, fmt, pack, unpack

    @property
    def model(self) -> type[Any]:
        from . import structs  # noqa: PLC0415 - pydantic on first use, not at import

        model: type[Any] = getattr(structs, self.model_name)
        return model

    @property
    def allowed(self) -> str:
        fields = ", ".join(self.model.model_fields)
        return f"a {self.model_name}({fields}) or a tuple ({fields})"

    @property
    def buflen(self) -> int:  # type: ignore[override]
        return struct.calcsize(self.fmt)

    def validate(self, value: object, *, method: str, argument: str) -> Any:
        if isinstance(value, self.model):
            return value
        if isinstance(value, tuple):
            value = dict(zip(self.model.model_fields, value, strict=False))
        if not isinstance(value, dict):
            problem = f"{type(value).__name__} is not a {self.model_name}"
            raise self.refuse("type", value, problem, method=method, argument=argument)
        try:
            return self.model(**value)
        except ValidationError as exc:
            raise exc.relabel(method=method, argument=argument) from None

    def encode(self, value: Any) -> bytes:
        fields = self.pack(value) if self.pack else tuple(value.model_dump().values())
        return struct.pack(self.fmt, *fields)

    def decode(self, raw: int | bytes) -> Any:
        assert isinstance(raw, bytes)
        fields = struct.unpack(self.fmt, raw[: self.buflen])
        if self.unpack:
            return self.model.model_validate(self.unpack(fields))
        return self.model.model_validate(dict(zip(self.model.model_fields, fields, strict=True)))

    def check_buffer(self, raw: bytes, *, method: str, argument: str) -> None:
        if len(raw) != self.buflen:
            raise self.refuse(
                "os", raw, f"{len(raw)} bytes where struct {self.model_name} takes {self.buflen}",
                method=method, argument=argument,
                allowed=f"{self.allowed}, or a buffer of exactly {self.buflen} bytes",
            )  # fmt: skip


class Text(ValueKind[str]):
    """A short string option, such as an interface or congestion-control name."""

    __slots__ = ("max_bytes", "what")

    def __init__(self, max_bytes: int, what: str) -> None:
        self.max_bytes, self.what = max_bytes, what

    @property
    def allowed(self) -> str:
        return f"{self.what}: a str of 1..{self.max_bytes} ASCII characters, no NUL"

    @property
    def buflen(self) -> int:  # type: ignore[override]
        return self.max_bytes + 1

    def validate(self, value: object, *, method: str, argument: str) -> str:
        if isinstance(value, bytes | bytearray):
            value = bytes(value).decode("ascii", "replace")
        if not isinstance(value, str):
            problem = f"str expected, not {type(value).__name__}"
            raise self.refuse("type", value, problem, method=method, argument=argument)
        text = value.rstrip("\0")
        if not text or not text.isascii() or "\0" in text or len(text) > self.max_bytes:
            raise self.refuse("os", value, "not a valid name", method=method, argument=argument)
        return text

    def encode(self, value: str) -> bytes:
        return value.encode("ascii")

    def decode(self, raw: int | bytes) -> str:
        assert isinstance(raw, bytes)
        return raw.split(b"\0", 1)[0].decode("ascii", "replace")

    def check_buffer(self, raw: bytes, *, method: str, argument: str) -> None:
        self.validate(raw, method=method, argument=argument)


class Secret(ValueKind["SecretBytes"]):
    """A write-only secret, such as an AF_ALG key: never shown in a repr, log or error."""

    __slots__ = ("max_bytes", "min_bytes")

    def __init__(self, min_bytes: int = 1, max_bytes: int = 1024) -> None:
        self.min_bytes, self.max_bytes = min_bytes, max_bytes

    @property
    def allowed(self) -> str:
        return f"bytes or SecretBytes of {self.min_bytes}..{self.max_bytes} bytes"

    def validate(self, value: object, *, method: str, argument: str) -> SecretBytes:
        from pydantic import SecretBytes  # noqa: PLC0415 - pydantic on first use

        raw = value.get_secret_value() if isinstance(value, SecretBytes) else value
        if not isinstance(raw, bytes | bytearray | memoryview):
            problem = f"a bytes-like key is required, not {type(raw).__name__}"
            raise self.refuse("type", None, problem, method=method, argument=argument, secret=True)
        size = len(bytes(raw))
        if not self.min_bytes <= size <= self.max_bytes:
            raise self.refuse(
                "os", None, f"a {size}-byte key", method=method, argument=argument, secret=True
            )
        return value if isinstance(value, SecretBytes) else SecretBytes(bytes(raw))

    def encode(self, value: SecretBytes) -> bytes:
        return value.get_secret_value()

    def decode(self, raw: int | bytes) -> SecretBytes:
        raise TypeError("a secret option cannot be read back")

    def check_buffer(self, raw: bytes, *, method: str, argument: str) -> None:
        self.validate(raw, method=method, argument=argument)


class OptLen(ValueKind[int]):
    """An option set as ``setsockopt(level, name, None, optlen)``: the value *is* the length."""

    __slots__ = ("hi", "lo")

    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi

    @property
    def allowed(self) -> str:
        return f"None with an optlen {self.lo}..{self.hi}"

    def validate(self, value: object, *, method: str, argument: str) -> int:
        number = _c_int(value, self, method=method, argument=argument)
        if not self.lo <= number <= self.hi:
            raise self.refuse("os", value, "out of range", method=method, argument=argument)
        return number

    def encode(self, value: int) -> PlainValue:
        raise TypeError("OptLen options are set with setsockopt(level, name, None, optlen)")

    def decode(self, raw: int | bytes) -> int:
        raise TypeError("this option cannot be read back")

    def check_plain(self, value: object, optlen: object, *, method: str, argument: str) -> None:
        if value is not None:
            problem = "this option takes None and an optlen"
            raise self.refuse("type", value, problem, method=method, argument=argument)
        self.validate(optlen, method=method, argument="optlen")
