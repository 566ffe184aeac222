"""Descriptor passing (SCM_RIGHTS) and credentials (SCM_CREDENTIALS) over Unix sockets."""

from __future__ import annotations

import socket as stdlib
from typing import Any, Final

from multisock import checks
from multisock.ancillary import SCM_MAX_FD, ReceivedMessage, Rights, decode, space_for
from multisock.checks import c_int
from multisock.errors import invalid

__all__ = ["check_maxfds", "receive", "rights"]

# Received descriptors are close-on-exec, as every descriptor Python creates is (PEP 446).
MSG_CMSG_CLOEXEC: Final[int] = getattr(stdlib, "MSG_CMSG_CLOEXEC", 0x40000000)
_FD_SIZE: Final = 4  # sizeof(int)
_MAXFDS_ALLOWED: Final = f"an int 0..{SCM_MAX_FD} (SCM_MAX_FD)"


def rights(sock_type: int, buffers: object, fds: object, method: str) -> tuple[list[Any], Rights]:
    """Check send_fds' data and descriptors; a stream socket needs data to carry them."""
    parts, total = checks.buffers(buffers, method=method, argument="buffers")
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
