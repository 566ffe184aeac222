"""Hygiene around every conformance test: what a test leaves behind fails it.

A descriptor (a handle on Windows) still open, a thread still running, or a socket left for
the garbage collector to close (a ResourceWarning) is a leak, whichever backend made it.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import socket
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Final

__all__ = ["open_descriptors", "watched"]


def open_descriptors() -> int | None:
    """How many descriptors (handles on Windows) this process has open, where countable."""
    for folder in ("/proc/self/fd", "/dev/fd"):
        if os.path.isdir(folder):
            return len(os.listdir(folder))
    if sys.platform == "win32":
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined, unused-ignore]
        count = ctypes.c_ulong()
        if kernel32.GetProcessHandleCount(kernel32.GetCurrentProcess(), ctypes.byref(count)):
            # Wine answers 0 for every process; a real process always holds handles.
            return count.value or _handles_in_system_table()
    return None


class _HandleEntry(ctypes.Structure):
    """SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX: one open handle of some process."""

    _fields_ = (
        ("Object", ctypes.c_void_p),
        ("UniqueProcessId", ctypes.c_size_t),
        ("HandleValue", ctypes.c_size_t),
        ("GrantedAccess", ctypes.c_ulong),
        ("CreatorBackTraceIndex", ctypes.c_ushort),
        ("ObjectTypeIndex", ctypes.c_ushort),
        ("HandleAttributes", ctypes.c_ulong),
        ("Reserved", ctypes.c_ulong),
    )


_SYSTEM_EXTENDED_HANDLE_INFORMATION: Final = 64
_STATUS_INFO_LENGTH_MISMATCH: Final = 0xC0000004


def _handles_in_system_table() -> int | None:
    """This process's entries in the system's handle table (NtQuerySystemInformation)."""
    query = ctypes.windll.ntdll.NtQuerySystemInformation  # type: ignore[attr-defined, unused-ignore]
    size = 1 << 16
    while size <= 1 << 28:
        table = ctypes.create_string_buffer(size)
        status = query(_SYSTEM_EXTENDED_HANDLE_INFORMATION, table, size, None) & 0xFFFFFFFF
        if status == _STATUS_INFO_LENGTH_MISMATCH:
            size *= 4
            continue
        if status != 0:
            return None
        # The table: NumberOfHandles and a reserved word, then the entries.
        header = 2 * ctypes.sizeof(ctypes.c_size_t)
        number = ctypes.c_size_t.from_buffer(table).value
        entries = (_HandleEntry * number).from_buffer(table, header)
        pid = os.getpid()
        return sum(1 for entry in entries if entry.UniqueProcessId == pid)
    return None


_warmed_up: list[bool] = []


def warm_up() -> None:
    """Make the process's one-time socket allocations before the first count: Winsock and
    Wine keep a handle from the first connection on, which no test leaked."""
    if _warmed_up:
        return
    _warmed_up.append(True)
    # Where loopback TCP fails, the tests that need it say so themselves.
    with contextlib.suppress(OSError), socket.create_server(("127.0.0.1", 0)) as server:
        client = socket.create_connection(server.getsockname(), timeout=10)
        accepted, _ = server.accept()
        accepted.close()
        client.close()


@contextlib.contextmanager
def watched() -> Iterator[list[str]]:
    """Around one test: the list yielded holds, on exit, what the test left behind."""
    problems: list[str] = []
    warm_up()
    gc.collect()
    threads = set(threading.enumerate())
    before = open_descriptors()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        yield problems
        gc.collect()
    leaks = (w for w in caught if issubclass(w.category, ResourceWarning))
    problems += [f"unclosed: {w.message}" for w in leaks]
    deadline = time.monotonic() + 2.0
    while (extra := set(threading.enumerate()) - threads) and time.monotonic() < deadline:
        time.sleep(0.01)
    problems += [f"thread left running: {t.name}" for t in extra]
    after = open_descriptors()
    if before is not None and after is not None and after > before:
        problems.append(
            f"{after - before} file descriptor(s) leaked ({before} open before, {after} after)"
        )
