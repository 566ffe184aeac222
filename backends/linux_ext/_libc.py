"""The C library, through ctypes, for the system calls CPython's socket module lacks."""

from __future__ import annotations

import ctypes
import os
from typing import Final

__all__ = ["LIBC", "check", "os_error"]

# None: the symbols of the running process, which on Linux include the C library's.
LIBC: Final = ctypes.CDLL(None, use_errno=True)


def os_error(number: int | None = None) -> OSError:
    """The OSError for the errno the last ctypes call left (or ``number``), as CPython builds it.

    OSError's constructor picks the subclass (BlockingIOError, InterruptedError...) itself.
    """
    code = ctypes.get_errno() if number is None else number
    return OSError(code, os.strerror(code))


def check(result: int) -> int:
    """``result`` if the call succeeded; raise its OSError if it returned -1."""
    if result == -1:
        raise os_error()
    return result
