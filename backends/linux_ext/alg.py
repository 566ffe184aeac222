"""AF_ALG (the Linux kernel crypto API): argument checks for sendmsg_afalg, and bind.

An AF_ALG socket is bound to an algorithm (``AlgAddress(type="hash", name="sha256")``), keyed
with the ALG_SET_KEY option (a secret: see :class:`multisock.options.Secret`), and then
``accept()`` gives an operation socket: write the input with ``sendall``/``sendmsg_afalg``,
read the result with ``recv``.
"""

from __future__ import annotations

import ctypes
import socket as stdlib
import struct
from typing import Any, Final

from multisock import checks
from multisock.checks import C_INT_MAX, c_int
from multisock.errors import invalid

from ._libc import LIBC, check

__all__ = ["AF_ALG", "OPERATIONS", "afalg_arguments", "bind_wide", "needs_wide_bind"]

AF_ALG: Final[int] = getattr(stdlib, "AF_ALG", 38)
ALG_OP_DECRYPT: Final[int] = getattr(stdlib, "ALG_OP_DECRYPT", 0)
ALG_OP_ENCRYPT: Final[int] = getattr(stdlib, "ALG_OP_ENCRYPT", 1)
OPERATIONS: Final = {ALG_OP_DECRYPT: "ALG_OP_DECRYPT", ALG_OP_ENCRYPT: "ALG_OP_ENCRYPT"}

_METHOD: Final = "sendmsg_afalg"
_OP_ALLOWED: Final = "socket.ALG_OP_ENCRYPT (1) or socket.ALG_OP_DECRYPT (0)"
_IV_ALLOWED: Final = "None, or a bytes-like initialisation vector of the algorithm's IV size"
_ASSOCLEN_ALLOWED: Final = "None, or an int 0..2147483647: the length of the associated data"
_MSG_ALLOWED: Final = "None, or an iterable of bytes-like objects"

# struct sockaddr_alg: family, type[14], feat, mask, name[64].
_SOCKADDR_ALG: Final = struct.Struct("=H14sII64s")
# CPython parses feat and mask with the "H" format: it keeps only their low 16 bits.
_STDLIB_FEAT_MAX: Final = 0xFFFF

_bind = LIBC.bind
_bind.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
_bind.restype = ctypes.c_int


def needs_wide_bind(plain: Any) -> bool:
    """Whether the stdlib's bind() would truncate this AF_ALG address's feat or mask."""
    return (
        type(plain) is tuple
        and len(plain) > 2
        and any(type(v) is int and v > _STDLIB_FEAT_MAX for v in plain[2:])
    )


def bind_wide(fd: int, plain: tuple[str, str, int, int] | tuple[str, str, int]) -> None:
    """bind() with the full 32-bit feat and mask the kernel's struct holds.

    ``plain`` has been validated (``AlgAddress``): short enough names, u32 feat and mask.
    """
    kind, name, *rest = plain
    feat, mask = [*rest, 0, 0][:2]
    raw = _SOCKADDR_ALG.pack(AF_ALG, kind.encode(), feat, mask, name.encode())
    check(_bind(fd, raw, len(raw)))


def afalg_arguments(
    msg: object, op: object, iv: object, assoclen: object, flags: object
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Validate sendmsg_afalg's arguments; return the stdlib call's (args, kwargs).

    None for ``msg``, ``iv`` or ``assoclen`` leaves the argument out, as omitting it does.
    """
    kwargs: dict[str, Any] = {"op": _operation(op), "flags": _flags(flags)}
    if iv is not None:
        kwargs["iv"] = _iv(iv)
    if assoclen is not None:
        kwargs["assoclen"] = _assoclen(assoclen)
    args = () if msg is None else (_message(msg),)
    return args, kwargs


def _operation(op: object) -> int:
    # The stdlib accepts only int instances here (not any __index__ object).
    if not isinstance(op, int):
        raise invalid(
            "type",
            method=_METHOD,
            argument="op",
            value=op,
            problem=f"{type(op).__name__} is not an int",
            allowed=_OP_ALLOWED,
        )
    if op not in OPERATIONS:
        # The stdlib says TypeError for what it cannot pass as a non-negative C int; the
        # kernel says EINVAL for any other number (skcipher and aead sockets).
        outside = op < 0 or op > C_INT_MAX
        raise invalid(
            "type" if outside else "os",
            method=_METHOD,
            argument="op",
            value=op,
            problem="not an AF_ALG operation",
            allowed=_OP_ALLOWED,
        )
    return op


def _iv(iv: object) -> Any:
    try:
        memoryview(iv)  # type: ignore[arg-type]
    except TypeError:
        raise invalid(
            "type",
            method=_METHOD,
            argument="iv",
            value=iv,
            problem=f"a bytes-like object is required, not {type(iv).__name__}",
            allowed=_IV_ALLOWED,
        ) from None
    return iv


def _assoclen(assoclen: object) -> int:
    if not isinstance(assoclen, int):
        raise invalid(
            "type",
            method=_METHOD,
            argument="assoclen",
            value=assoclen,
            problem=f"{type(assoclen).__name__} is not an int",
            allowed=_ASSOCLEN_ALLOWED,
        )
    if assoclen > C_INT_MAX:
        kind, problem = "overflow", "does not fit a C int"
    elif assoclen < 0:
        kind, problem = "type", "negative"  # the stdlib's TypeError("assoclen must be positive")
    else:
        return assoclen
    raise invalid(
        kind,
        method=_METHOD,
        argument="assoclen",
        value=assoclen,
        problem=problem,
        allowed=_ASSOCLEN_ALLOWED,
    )


def _flags(flags: object) -> int:
    return c_int(flags, method=_METHOD, argument="flags", allowed="an int of MSG_* flags")


def _message(msg: object) -> list[Any]:
    return checks.buffers(msg, method=_METHOD, argument="msg", allowed=_MSG_ALLOWED)[0]
