"""Typed ancillary data for ``sendmsg``/``recvmsg``: descriptors and credentials.

To send, put :class:`Rights` (SCM_RIGHTS: file descriptors) or :class:`Credentials`
(SCM_CREDENTIALS) in ``sendmsg``'s ancillary list, beside or instead of the stdlib's
``(level, type, data)`` tuples, on a backend that declares them (linux_ext)::

    sock.sendmsg([b"x"], [Rights([fd])])

Received descriptors are *owned*: :func:`decode` wraps each one in an :class:`OwnedFd` that
closes itself (``close()``, a ``with`` block, or, as a last resort, garbage collection with a
ResourceWarning) unless ``detach()`` hands it over. When the control buffer was too small
(MSG_CTRUNC), every descriptor that did arrive is closed and :class:`ControlTruncated` says
what to do; nothing is leaked either way.
"""

from __future__ import annotations

import array
import errno
import os
import socket
import struct
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Final, Protocol

from typing_extensions import Self

from .errors import invalid
from .fields import U32, Model, c_int, int_in_range

__all__ = [
    "SCM_MAX_FD",
    "ControlTruncated",
    "Credentials",
    "OwnedFd",
    "ReceivedFds",
    "ReceivedMessage",
    "Rights",
    "decode",
    "encode",
    "space_for",
]

#: The most descriptors one SCM_RIGHTS message may carry (Linux's SCM_MAX_FD).
SCM_MAX_FD: Final = 253
SOL_SOCKET: Final = socket.SOL_SOCKET
SCM_RIGHTS: Final[int | None] = getattr(socket, "SCM_RIGHTS", None)
# Linux's number where the socket module lacks the name.
SCM_CREDENTIALS: Final[int | None] = getattr(
    socket, "SCM_CREDENTIALS", 2 if sys.platform.startswith("linux") else None
)
_FD_SIZE: Final = array.array("i").itemsize
_UCRED: Final = struct.Struct("iII")  # struct ucred: pid_t pid; uid_t uid; gid_t gid


class HasFileno(Protocol):
    def fileno(self) -> int: ...


# -- sending -----------------------------------------------------------------------------------


def _descriptor(value: object, method: str, index: int) -> int:
    allowed = "an open file descriptor: an int >= 0, or an object with fileno()"
    fileno = getattr(value, "fileno", None)
    number = fileno() if callable(fileno) and not isinstance(value, int) else value
    fd = c_int(number, method=method, argument=f"fds[{index}]", allowed=allowed)
    if fd < 0:
        raise invalid(
            "value",
            method=method,
            argument=f"fds[{index}]",
            value=value,
            problem="negative file descriptor",
            allowed=allowed,
        )
    return fd


@dataclass(frozen=True, init=False)
class Rights:
    """SCM_RIGHTS: descriptors to pass (ints, sockets, files: anything with ``fileno()``).

    The receiver gets duplicates; the sender's descriptors stay open and stay the sender's.
    """

    fds: tuple[int, ...]

    def __init__(self, fds: Iterable[int | HasFileno], *, method: str = "Rights") -> None:
        if isinstance(fds, str | bytes) or not isinstance(fds, Iterable):
            raise invalid(
                "type",
                method=method,
                argument="fds",
                value=fds,
                problem=f"{type(fds).__name__} is not a sequence of descriptors",
                allowed=f"a sequence of at most {SCM_MAX_FD} descriptors",
            )
        numbers = tuple(_descriptor(fd, method, i) for i, fd in enumerate(fds))
        if len(numbers) > SCM_MAX_FD:
            raise invalid(
                "os",
                method=method,
                argument="fds",
                value=f"<{len(numbers)} descriptors>",
                problem="too many descriptors for one message",
                allowed=f"at most {SCM_MAX_FD} (SCM_MAX_FD) per message",
                errno=errno.EINVAL,
            )
        object.__setattr__(self, "fds", numbers)

    def to_cmsg(self) -> tuple[int, int, bytes]:
        """The stdlib's ``(level, type, data)`` form."""
        if SCM_RIGHTS is None:
            raise OSError(errno.EOPNOTSUPP, "this platform has no SCM_RIGHTS")
        return (SOL_SOCKET, SCM_RIGHTS, array.array("i", self.fds).tobytes())


Pid = Annotated[int, int_in_range(0, 2**31 - 1)]


class Credentials(Model):
    """SCM_CREDENTIALS (Linux): a process's ``pid``, ``uid`` and ``gid``.

    Received with every message once the receiver sets SO_PASSCRED; the kernel fills them in
    (or checks them, when the sender sends its own: only privileged processes may claim
    another's).
    """

    pid: Pid
    uid: U32
    gid: U32

    @classmethod
    def current(cls) -> Self:
        """This process's credentials."""
        return cls(pid=os.getpid(), uid=os.getuid(), gid=os.getgid())

    @classmethod
    def from_data(cls, data: bytes) -> Self:
        pid, uid, gid = _UCRED.unpack_from(data)
        return cls(pid=pid, uid=uid, gid=gid)

    def to_cmsg(self) -> tuple[int, int, bytes]:
        """The stdlib's ``(level, type, data)`` form."""
        if SCM_CREDENTIALS is None:
            raise OSError(errno.EOPNOTSUPP, "this platform has no SCM_CREDENTIALS")
        return (SOL_SOCKET, SCM_CREDENTIALS, _UCRED.pack(self.pid, self.uid, self.gid))


def encode(items: Iterable[Any], *, method: str = "sendmsg") -> list[Any]:
    """``sendmsg``'s ancillary list with typed items turned into the stdlib's tuples."""
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise invalid(
            "type",
            method=method,
            argument="ancdata",
            value=items,
            problem=f"{type(items).__name__} is not an iterable",
            allowed="an iterable of Rights, Credentials or (level, type, data) tuples",
        )
    return [item.to_cmsg() if isinstance(item, Rights | Credentials) else item for item in items]


def space_for(maxfds: int) -> int:
    """A control buffer size for up to ``maxfds`` descriptors plus credentials."""
    return socket.CMSG_SPACE(maxfds * _FD_SIZE) + socket.CMSG_SPACE(_UCRED.size)


# -- receiving ---------------------------------------------------------------------------------


class OwnedFd:
    """A received file descriptor, owned by whoever holds this object.

    ``close()`` (or leaving a ``with`` block) closes it; ``detach()`` returns the number and
    gives up ownership. One that is garbage-collected while open is closed, with a
    ResourceWarning, as an unclosed file or socket is.
    """

    __slots__ = ("__weakref__", "_fd")

    def __init__(self, fd: int) -> None:
        self._fd = fd

    @property
    def closed(self) -> bool:
        return self._fd < 0

    def fileno(self) -> int:
        """The descriptor; ValueError once closed or detached."""
        if self._fd < 0:
            raise ValueError("I/O operation on a closed or detached descriptor")
        return self._fd

    def detach(self) -> int:
        """Give up ownership: return the descriptor, which the caller must now close."""
        fd = self.fileno()
        self._fd = -1
        return fd

    def close(self) -> None:
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    def __del__(self) -> None:
        if self._fd >= 0:
            warnings.warn(f"unclosed received descriptor {self!r}", ResourceWarning, 2, self)
            self.close()

    def __repr__(self) -> str:
        return f"<OwnedFd {'closed' if self._fd < 0 else f'fd={self._fd}'}>"


class ReceivedFds(tuple[OwnedFd, ...]):
    """The descriptors of one message: a tuple of :class:`OwnedFd` that closes them all."""

    __slots__ = ()

    def close(self) -> None:
        for fd in self:
            fd.close()

    def detach(self) -> list[int]:
        """Give up ownership of every descriptor; return their numbers."""
        return [fd.detach() for fd in self]

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()


class ControlTruncated(OSError):
    """The control buffer was too small for the ancillary data (MSG_CTRUNC).

    Every descriptor that arrived has been closed (the kernel discarded the others). ``data``
    and ``address`` keep what was received with them; ``closed`` is how many were closed.
    """

    def __init__(self, method: str, closed: int, data: bytes, address: Any) -> None:
        super().__init__(
            errno.ENOBUFS,
            f"{method}(): the ancillary data did not fit the control buffer (MSG_CTRUNC); "
            f"{closed} descriptor(s) that arrived were closed and the rest discarded. "
            "Receive with room for every descriptor the peer sends: a larger maxfds "
            "(or ancbufsize, e.g. multisock.ancillary.space_for(maxfds)).",
        )
        self.closed = closed
        self.data = data
        self.address = address


@dataclass
class ReceivedMessage:
    """What ``recv_message`` received: data, owned descriptors, credentials, the rest."""

    data: bytes
    fds: ReceivedFds
    credentials: Credentials | None
    flags: int
    address: Any
    #: Ancillary items multisock does not type, in the stdlib's ``(level, type, data)`` form.
    other: list[tuple[int, int, bytes]] = field(default_factory=list)

    def close(self) -> None:
        self.fds.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()


def _descriptors(ancdata: list[tuple[int, int, bytes]]) -> Iterator[int]:
    for level, kind, data in ancdata:
        if level == SOL_SOCKET and kind == SCM_RIGHTS:
            whole = len(data) - len(data) % _FD_SIZE  # a truncated last int is no descriptor
            yield from array.array("i", data[:whole])


def decode(
    data: bytes,
    ancdata: list[tuple[int, int, bytes]],
    flags: int,
    address: Any,
    *,
    method: str = "recv_message",
) -> ReceivedMessage:
    """Type what ``recvmsg`` returned; own every descriptor; refuse a truncated control buffer.

    Raises :class:`ControlTruncated` (after closing the descriptors) when MSG_CTRUNC is set.
    """
    fds = ReceivedFds(OwnedFd(fd) for fd in _descriptors(ancdata))
    if flags & getattr(socket, "MSG_CTRUNC", 0):
        fds.close()
        raise ControlTruncated(method, len(fds), data, address)
    credentials = None
    other = []
    for level, kind, payload in ancdata:
        if level == SOL_SOCKET and kind == SCM_CREDENTIALS and len(payload) >= _UCRED.size:
            credentials = Credentials.from_data(payload)
        elif not (level == SOL_SOCKET and kind == SCM_RIGHTS):
            other.append((level, kind, payload))
    return ReceivedMessage(data, fds, credentials, flags, address, other)
