"""``share(process_id)`` and ``fromshare(data)`` on Linux, with Windows' names and meaning.

On Windows, ``socket.share(pid)`` returns bytes from which process ``pid`` (and only it) can
make a duplicate of the socket with ``socket.fromshare``. No other platform's library offers
this; here it is done with Linux's own means:

- ``share(pid)`` duplicates the descriptor and offers it on a Unix socket in the abstract
  namespace, under an unguessable name; the bytes returned carry that name, ``pid`` and the
  socket's family, type and protocol.
- ``fromshare(data)`` connects there. The offering side reads the caller's process id from
  the kernel (SO_PEERCRED) and passes the duplicate over SCM_RIGHTS only if it is ``pid``;
  any other process is told no, and the offer stands.

An offer is served by one thread that ends deterministically: once the duplicate is handed
over (an offer is good for one ``fromshare``, as on Windows), when ``timeout`` passes, or when
the shared socket is closed or detached, whichever comes first.
"""

from __future__ import annotations

import array
import errno
import os
import secrets
import select
import socket as stdlib
import struct
import threading
import time
from typing import Any, Final

from multisock import checks
from multisock.ancillary import decode
from multisock.errors import invalid

__all__ = ["MAGIC", "Offer", "fromshare", "offer"]

#: The first bytes of share() data made by this backend (format version 1).
MAGIC: Final = b"msLnx1"
_HEADER: Final = struct.Struct("=6sIiii")  # magic, pid, family, type, proto
_NAME_PREFIX: Final = b"\0multisock-share-"
_NAME_SIZE: Final = len(_NAME_PREFIX) + 32
_SERVED: Final = b"S"
_REFUSED: Final = b"R"
_EXCHANGE_TIMEOUT: Final = 10.0
_PEERCRED: Final = struct.Struct("iII")
_MSG_CMSG_CLOEXEC: Final[int] = getattr(stdlib, "MSG_CMSG_CLOEXEC", 0x40000000)


class Offer:
    """One pending share: hands a duplicate of a socket, once, to process ``pid``."""

    def __init__(self, fd: int, pid: int, timeout: float) -> None:
        self.pid = pid
        self.name = _NAME_PREFIX + secrets.token_hex(16).encode()
        self._lock = threading.Lock()
        self._done = False
        self._listener = stdlib.socket(stdlib.AF_UNIX, stdlib.SOCK_SEQPACKET)
        try:
            self._listener.bind(self.name)
            self._listener.listen(8)
            self._listener.setblocking(False)
            self._duplicate = os.dup(fd)  # its own: the socket may be closed meanwhile
        except BaseException:
            self._listener.close()
            raise
        self._thread = threading.Thread(
            target=self._serve, args=(time.monotonic() + timeout,), daemon=True
        )
        self._thread.name = f"multisock-share-for-{pid}"
        self._thread.start()

    @property
    def active(self) -> bool:
        return not self._done

    def withdraw(self) -> None:
        """End the offer now, and wait for its thread."""
        with self._lock:
            if not self._done:
                # Wakes the thread's poll (POLLHUP): no extra descriptor is needed for it.
                self._listener.shutdown(stdlib.SHUT_RDWR)
        if self._thread is not threading.current_thread():
            self._thread.join()

    def _serve(self, deadline: float) -> None:
        poller = select.poll()
        poller.register(self._listener, select.POLLIN)
        try:
            while (remaining := deadline - time.monotonic()) > 0:
                events = poller.poll(remaining * 1000)
                if any(mask & (select.POLLHUP | select.POLLERR) for _, mask in events):
                    return
                if events and self._answer_one():
                    return
        finally:
            with self._lock:
                self._done = True
                self._listener.close()
                os.close(self._duplicate)

    def _answer_one(self) -> bool:
        """Answer one caller; True once the duplicate has been handed over."""
        try:
            connection, _ = self._listener.accept()
        except (BlockingIOError, InterruptedError):
            return False
        with connection:
            connection.settimeout(_EXCHANGE_TIMEOUT)
            try:
                pid, _uid, _gid = _PEERCRED.unpack(
                    connection.getsockopt(stdlib.SOL_SOCKET, stdlib.SO_PEERCRED, _PEERCRED.size)
                )
                if pid != self.pid:
                    refusal = f"this share() data is for process {self.pid}, not {pid}"
                    connection.sendall(_REFUSED + refusal.encode())
                    return False
                rights = array.array("i", [self._duplicate]).tobytes()
                connection.sendmsg([_SERVED], [(stdlib.SOL_SOCKET, stdlib.SCM_RIGHTS, rights)])
            except OSError:
                return False  # that caller went away; the offer stands
            return True


def _timeout(timeout: object) -> float:
    allowed = "a number of seconds > 0 (how long the offer stands)"
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise invalid(
            "type",
            method="share",
            argument="timeout",
            value=timeout,
            problem=f"{type(timeout).__name__} is not a number",
            allowed=allowed,
        )
    if not 0 < timeout < 1e9:  # also refuses NaN
        raise invalid(
            "value",
            method="share",
            argument="timeout",
            value=timeout,
            problem="out of range",
            allowed=allowed,
        )
    return float(timeout)


def offer(sock: Any, process_id: object, timeout: object) -> tuple[Offer, bytes]:
    """Start offering ``sock`` to ``process_id``; the offer and the share() data."""
    pid = checks.process_id(process_id)
    seconds = _timeout(timeout)
    pending = Offer(sock.fileno(), pid, seconds)
    header = _HEADER.pack(MAGIC, pid, sock.family, sock.type, sock.proto)
    return pending, header + pending.name


def fromshare(data: bytes, socket_class: type[Any]) -> Any:
    """The duplicate the share() data offers, or None if the data is not this backend's."""
    if not data.startswith(MAGIC):
        return None
    if len(data) != _HEADER.size + _NAME_SIZE or not data[_HEADER.size :].startswith(_NAME_PREFIX):
        raise invalid(
            "value",
            method="fromshare",
            argument="data",
            value=data,
            problem="malformed linux_ext share() data",
            allowed="the bytes returned by Socket.share(), unchanged",
        )
    _, pid, family, kind, proto = _HEADER.unpack_from(data)
    fd = _fetch(data[_HEADER.size :], pid)
    try:
        return socket_class(family, kind, proto, fileno=fd)
    except BaseException:
        os.close(fd)
        raise


def _withdrawn(pid: int) -> ConnectionRefusedError:
    return ConnectionRefusedError(
        errno.ECONNREFUSED,
        f"fromshare(): the socket shared with process {pid} is no longer offered "
        "(already taken, expired, or closed by its owner); ask for a new share()",
    )


def _fetch(name: bytes, pid: int) -> int:
    """Ask the offering process for the descriptor; it checks who we are."""
    with stdlib.socket(stdlib.AF_UNIX, stdlib.SOCK_SEQPACKET) as channel:
        channel.settimeout(_EXCHANGE_TIMEOUT)
        try:
            channel.connect(name)
            reply, ancdata, flags, _ = channel.recvmsg(256, stdlib.CMSG_SPACE(4), _MSG_CMSG_CLOEXEC)
        except (ConnectionRefusedError, ConnectionResetError, FileNotFoundError):
            # Refused: nothing listens any more; reset: the offer ended while we queued.
            raise _withdrawn(pid) from None
    if not reply:
        raise _withdrawn(pid)
    with decode(reply, ancdata, flags, None, method="fromshare") as message:
        if reply[:1] == _SERVED and len(message.fds) == 1:
            return message.fds[0].detach()
    if reply[:1] == _REFUSED:
        raise PermissionError(
            errno.EPERM, f"fromshare(): refused: {reply[1:].decode(errors='replace')}"
        )
    raise ConnectionError(errno.EPROTO, "fromshare(): the sharing process sent no descriptor")
