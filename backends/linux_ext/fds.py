"""Descriptor passing (SCM_RIGHTS) and credentials (SCM_CREDENTIALS) over Unix sockets."""

from __future__ import annotations

import socket as stdlib
from collections.abc import Iterable
from typing import Any, Final

from multisock.ancillary import SCM_MAX_FD, ReceivedMessage, Rights, decode, space_for
from multisock.checks import c_int
from multisock.errors import invalid

__all__ = ["check_buffers", "check_maxfds", "receive", "rights"]

# Received descriptors are close-on-exec, as every descriptor Python creates is (PEP 446).
MSG_CMSG_CLOEXEC: Final[int] = getattr(stdlib, "MSG_CMSG_CLOEXEC", 0x40000000)
_FD_SIZE: Final = 4  # sizeof(int)
_MAXFDS_ALLOWED: Final = f"an int 0..{SCM_MAX_FD} (SCM_MAX_FD)"


def check_buffers(buffers: object, method: str) -> tuple[list[Any], int]:
    """The data buffers as a list, and their total size; TypeError for anything else."""
    allowed = "an iterable of bytes-like objects"
    if isinstance(buffers, str | bytes | bytearray | memoryview) or not isinstance(
        buffers, Iterable
    ):
        raise invalid(
            "type",
            method=method,
            argument="buffers",
            value=buffers,
            problem=f"{type(buffers).__name__} is not an iterable of buffers",
            allowed=allowed,
        )
    parts = list(buffers)
    total = 0
    for index, part in enumerate(parts):
        try:
            total += memoryview(part).nbytes
        except TypeError:
            raise invalid(
                "type",
                method=method,
                argument=f"buffers[{index}]",
                value=part,
                problem=f"a bytes-like object is required, not {type(part).__name__}",
                allowed=allowed,
            ) from None
    return parts, total


def rights(sock_type: int, buffers: object, fds: object, method: str) -> tuple[list[Any], Rights]:
    """Check send_fds' data and descriptors; a stream socket needs data to carry them."""
    parts, total = check_buffers(buffers, method)
    passed = Rights(fds, method=method)  # type: ignore[arg-type]
    if passed.fds and total == 0 and sock_type == stdlib.SOCK_STREAM:
        raise invalid(
            "value",
            method=method,
            argument="buffers",
            value=buffers,
            problem="a stream socket passes descriptors only along with data",
            allowed="at least one byte of data with the descriptors",
        )
    return parts, passed


def check_maxfds(maxfds: object, method: str) -> int:
    number = c_int(maxfds, method=method, argument="maxfds", allowed=_MAXFDS_ALLOWED)
    if not 0 <= number <= SCM_MAX_FD:
        raise invalid(
            "value",
            method=method,
            argument="maxfds",
            value=maxfds,
            problem="out of range",
            allowed=_MAXFDS_ALLOWED,
        )
    return number


def receive(
    sock: Any,
    bufsize: object,
    *,
    maxfds: object,
    ancbufsize: object = None,
    flags: object,
    method: str,
    exact: bool = False,
) -> ReceivedMessage:
    """recvmsg with room for ``maxfds`` descriptors (and credentials, unless ``exact``)."""
    count = check_maxfds(maxfds, method)
    flag_bits = c_int(flags, method=method, argument="flags", allowed="an int of MSG_* flags")
    if exact:  # room for exactly maxfds, as the stdlib's recv_fds leaves
        room = stdlib.CMSG_LEN(count * _FD_SIZE)
    elif ancbufsize is None:
        room = space_for(count)
    else:
        room = c_int(ancbufsize, method=method, argument="ancbufsize", allowed="an int >= 0")
    data, ancdata, msg_flags, address = sock.recvmsg(bufsize, room, flag_bits | MSG_CMSG_CLOEXEC)
    # The kernel echoes the flag multisock added; the caller sees only what it asked for.
    msg_flags &= ~MSG_CMSG_CLOEXEC | flag_bits
    return decode(data, ancdata, msg_flags, address, method=method)
