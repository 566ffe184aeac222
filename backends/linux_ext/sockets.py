"""Linux sockets: AF_ALG, descriptor passing, share/fromshare, batch datagram I/O.

Imported when a linux_ext socket is first made: discovery, which every program pays for,
only needs :mod:`.backend`.
"""

from __future__ import annotations

import _socket
import socket as stdlib
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import SecretBytes

from multisock import ancillary
from multisock.addresses import sockaddr
from multisock.ancillary import ReceivedFds, ReceivedMessage
from multisock.options import OPTIONS, PeerCredentials, check_setsockopt
from multisock_cpython import serves
from multisock_posix import PosixSocket

from . import alg, batch, share
from . import fds as fdpass
from .backend import CAPABILITIES

__all__ = ["LinuxSocket"]


@serves(CAPABILITIES)
class LinuxSocket(PosixSocket):
    """A Linux socket."""

    # Pending share() offers, withdrawn when the socket is closed or detached; the batch
    # I/O structures, made on first use.
    __slots__ = ("_batch", "_offers")

    def close(self) -> None:
        self._withdraw_offers()
        self._discard_batch()
        super().close()

    def detach(self) -> int:
        self._withdraw_offers()
        self._discard_batch()
        return int(super().detach())

    def _withdraw_offers(self) -> None:
        offers: list[share.Offer] | None = getattr(self, "_offers", None)
        while offers:
            offers.pop().withdraw()

    def share(self, process_id: int, /, *, timeout: float = 60.0) -> bytes:
        """Data from which process ``process_id`` (only it) gets a duplicate via fromshare().

        Windows' method, on Linux (no other platform library offers it): the duplicate is
        handed over SCM_RIGHTS after the kernel confirms the caller's process id
        (SO_PEERCRED). One fromshare() per share(); the offer ends after ``timeout`` seconds
        or when this socket is closed or detached. See :mod:`multisock_linux_ext.share`.
        """
        offers: list[share.Offer] | None = getattr(self, "_offers", None)
        if offers is None:
            offers = []
            self._offers = offers
        offers[:] = [o for o in offers if o.active]
        pending, data = share.offer(self, process_id, timeout)
        offers.append(pending)
        return data

    def bind(self, address: Any, /) -> None:
        if self._family_number == alg.AF_ALG:
            plain = sockaddr(alg.AF_ALG, address, "bind")
            if alg.needs_wide_bind(plain):
                alg.bind_wide(self.fileno(), plain)
            else:
                _raw_bind(self, plain)
            return
        super().bind(address)

    def setsockopt(self, level: int, optname: int, value: Any, optlen: Any = None, /) -> None:
        # A key may come wrapped (SecretBytes), so it is never held as plain bytes by callers.
        if isinstance(value, SecretBytes):
            check_setsockopt(level, optname, value, optlen)
            value = value.get_secret_value()
        super().setsockopt(level, optname, value, optlen)
        if optname == batch.UDP_GRO and level == batch.SOL_UDP:
            held: batch.Batch | None = getattr(self, "_batch", None)
            if held is not None:
                held.gro = None  # recvmmsg asks the kernel again

    # -- ancillary data: descriptors and credentials --------------------------------------------

    def sendmsg(
        self,
        buffers: Iterable[Any],
        ancdata: Iterable[Any] = (),
        flags: int = 0,
        address: Any = None,
        /,
    ) -> int:
        """The stdlib's sendmsg; ``ancdata`` may also hold typed items (Rights, Credentials)."""
        if ancdata:
            ancdata = ancillary.encode(ancdata)
        return int(super().sendmsg(buffers, ancdata, flags, address))

    def send_fds(
        self, buffers: Iterable[Any], fds: Iterable[Any], flags: int = 0, address: Any = None
    ) -> int:
        """Send data with descriptors (SCM_RIGHTS), like the stdlib's ``socket.send_fds``.

        ``fds`` are ints or objects with ``fileno()``, at most 253; the peer gets duplicates.
        Returns the number of data bytes sent.
        """
        parts, passed = fdpass.rights(self.type, buffers, fds, "send_fds")
        cmsgs = [passed.to_cmsg()] if passed.fds else []
        return int(super().sendmsg(parts, cmsgs, flags, address))

    def recv_fds(
        self, bufsize: int, maxfds: int, flags: int = 0
    ) -> tuple[bytes, ReceivedFds, int, Any]:
        """Receive data and up to ``maxfds`` descriptors: ``(data, fds, msg_flags, address)``.

        Unlike the stdlib's ``socket.recv_fds``, ``fds`` owns the descriptors (close them, use
        ``with``, or ``detach()``), and more descriptors than ``maxfds`` (or credentials, with
        SO_PASSCRED: use recv_message) raise :class:`multisock.ancillary.ControlTruncated`
        after closing what arrived.
        """
        message = fdpass.receive(
            self, bufsize, maxfds=maxfds, flags=flags, method="recv_fds", exact=True
        )
        return message.data, message.fds, message.flags, message.address

    def recv_message(
        self, bufsize: int, *, maxfds: int = 0, ancbufsize: int | None = None, flags: int = 0
    ) -> ReceivedMessage:
        """recvmsg with typed ancillary data: owned descriptors and credentials.

        The control buffer has room for ``maxfds`` descriptors and SCM_CREDENTIALS unless
        ``ancbufsize`` says otherwise. Descriptors are received close-on-exec.
        """
        return fdpass.receive(
            self, bufsize, maxfds=maxfds, ancbufsize=ancbufsize, flags=flags, method="recv_message"
        )

    @property
    def peer_credentials(self) -> PeerCredentials:
        """The connected peer process of a Unix socket: SO_PEERCRED's (pid, uid, gid)."""
        return self.get_option(OPTIONS["SO_PEERCRED"])  # type: ignore[no-any-return]

    # -- batch datagram I/O ---------------------------------------------------------------------

    def sendmmsg(
        self,
        datagrams: Sequence[Any],
        address: Any = None,
        *,
        addresses: Sequence[Any] | None = None,
        flags: int = 0,
    ) -> int:
        """Send many datagrams in one system call (sendmmsg); return how many were sent.

        All go to ``address`` (or the connected peer), or each to its own of ``addresses``.
        Like send(), fewer than given may be sent (a full buffer, a timeout after the first);
        the caller sends the rest. Blocking and timeouts follow the socket's.
        """
        return self._batch_io().sendmmsg(self, datagrams, address, addresses, flags)

    def recvmmsg(self, count: int, bufsize: int, flags: int = 0) -> list[tuple[bytes, Any]]:
        """Receive up to ``count`` datagrams in one system call (recvmmsg).

        Waits, as recvfrom() does with the socket's timeout, for the first datagram, then takes
        those already queued: ``[(data, address), ...]`` as recvfrom() returns them, each
        truncated to ``bufsize`` bytes.

        UDP_GRO, an opt-in (``set_option(OPTIONS["UDP_GRO"], True)``, never done for you):
        the kernel may then deliver many datagrams of one flow as one coalesced message (a
        segmented send over loopback arrives whole), which costs it far less than a message
        per datagram. recvmmsg cuts each back into its datagrams, so it returns what it would
        without GRO; ``count`` bounds the datagrams. Datagrams of a coalesced message beyond
        ``count`` are kept and returned first by the next call, at once, without waiting: see
        :meth:`recvmmsg_pending`. Receive only with recvmmsg on such a socket: recv() and
        recvfrom() return a coalesced message as one joined datagram. Set UDP_GRO through this
        socket object (or before its first recvmmsg), so that it knows. With MSG_PEEK, a GRO
        socket shows the datagrams of the first queued message (or of those kept).
        """
        return self._batch_io().recvmmsg(self, count, bufsize, flags)

    def recvmmsg_pending(self) -> int:
        """How many datagrams recvmmsg has received but not yet returned (with UDP_GRO only).

        They are what is left of coalesced messages after ``count`` datagrams; the next
        recvmmsg returns them without a system call. select(), poll() and asyncio do not see
        them: call recvmmsg until this is 0 before waiting for the socket to be readable.
        close() and detach() discard them.
        """
        held: batch.Batch | None = getattr(self, "_batch", None)
        return 0 if held is None else len(held.leftovers)

    _batch: batch.Batch

    def _discard_batch(self) -> None:
        held: batch.Batch | None = getattr(self, "_batch", None)
        if held is not None:
            held.discard()

    def _batch_io(self) -> batch.Batch:
        try:
            return self._batch
        except AttributeError:
            self._batch = batch.Batch(self._family_number, self.type, self.proto)
            return self._batch

    # -- AF_ALG -----------------------------------------------------------------------------

    def sendmsg_afalg(
        self,
        msg: Iterable[Any] | None = None,
        *,
        op: int,
        iv: Any = None,
        assoclen: int | None = None,
        flags: int = 0,
    ) -> int:
        """Send to an AF_ALG operation socket, with the operation, IV and AEAD assoclen.

        The stdlib's semantics, with its arguments checked first: ``op`` is
        ``socket.ALG_OP_ENCRYPT`` or ``socket.ALG_OP_DECRYPT``, ``iv`` bytes-like, ``assoclen``
        a non-negative int; None leaves ``msg``, ``iv`` or ``assoclen`` out.
        """
        if _stdlib_sendmsg_afalg is None:
            raise self._unsupported("sendmsg_afalg")
        if self._family_number != alg.AF_ALG:
            return int(_stdlib_sendmsg_afalg(self, op=0))  # raises the stdlib's OSError
        args, kwargs = alg.afalg_arguments(msg, op, iv, assoclen, flags)
        return int(_stdlib_sendmsg_afalg(self, *args, **kwargs))


_raw_bind = _socket.socket.bind
_stdlib_sendmsg_afalg: Any = getattr(stdlib.socket, "sendmsg_afalg", None)
