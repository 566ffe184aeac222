"""Checks of plain arguments that need no model: a C int, a descriptor.

Light on purpose: these run on paths (socket creation, listen, setsockopt's numbers) that
must not pay for importing pydantic's model machinery. Each failure is a multisock
ValidationError of the stdlib's exception type.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from .errors import invalid

__all__ = ["C_INT_MAX", "C_INT_MIN", "buffers", "c_int", "integer", "process_id"]

C_INT_MAX: Final = 2**31 - 1
C_INT_MIN: Final = -(2**31)


def integer(
    value: object,
    lo: int,
    hi: int,
    *,
    method: str,
    argument: str,
    allowed: str,
    outside: str = "overflow",
    problem: str = "out of range",
) -> int:
    """An int in ``lo..hi``: a TypeError (as the stdlib's) for anything not usable as an
    integer, a ValidationError of kind ``outside`` (see errors.invalid) beyond the range."""
    try:
        number = int(value.__index__())  # type: ignore[attr-defined]
    except AttributeError:
        raise invalid(
            "type", method=method, argument=argument, value=value,
            problem=f"{type(value).__name__} is not an integer", allowed=allowed,
        ) from None  # fmt: skip
    if not lo <= number <= hi:
        raise invalid(
            outside, method=method, argument=argument, value=value, problem=problem,
            allowed=allowed,
        )  # fmt: skip
    return number


def c_int(
    value: object, *, method: str, argument: str, allowed: str, overflow: str = "overflow"
) -> int:
    """A C int, failing like the stdlib: TypeError for non-integers, ``overflow`` beyond range.

    For the hot-ish paths (listen, shutdown, setsockopt) that check one integer without a
    model.
    """
    return integer(
        value, C_INT_MIN, C_INT_MAX, method=method, argument=argument, allowed=allowed,
        outside=overflow, problem="does not fit a C int",
    )  # fmt: skip


def process_id(value: object, *, method: str = "share") -> int:
    """A process id for ``share()``, failing as Windows' stdlib does: a TypeError for a
    non-integer, an OSError (EINVAL, what WSADuplicateSocket answers) for anything that
    cannot be a process id."""
    return integer(
        value, 1, 2**32 - 1, method=method, argument="process_id",
        allowed="a process id: an int 1..4294967295", outside="os", problem="not a process id",
    )  # fmt: skip


def buffers(
    value: object, *, method: str, argument: str, allowed: str = "an iterable of bytes-like objects"
) -> tuple[list[Any], int]:
    """An iterable of bytes-like objects (as sendmsg takes) as a list, and its total size.

    A TypeError, as the stdlib's, for a single buffer or a str, or for an item that is not
    bytes-like (the message names its index).
    """
    if isinstance(value, str | bytes | bytearray | memoryview) or not isinstance(value, Iterable):
        raise invalid(
            "type", method=method, argument=argument, value=value,
            problem=f"{type(value).__name__} is not an iterable of buffers", allowed=allowed,
        )  # fmt: skip
    parts = list(value)
    total = 0
    for index, part in enumerate(parts):
        try:
            total += memoryview(part).nbytes
        except TypeError:
            raise invalid(
                "type", method=method, argument=f"{argument}[{index}]", value=part,
                problem=f"a bytes-like object is required, not {type(part).__name__}",
                allowed=allowed,
            ) from None  # fmt: skip
    return parts, total
