"""Batch datagram I/O: many datagrams per system call, through sendmmsg(2) and recvmmsg(2).

The C structures (``struct mmsghdr`` arrays, their iovecs, address slots, one data area) are
built once per socket and reused: a call writes only the lengths and addresses that changed,
through memoryviews over the structures, and reads results with slicing done in C (``map``
over slices), so the Python work per datagram is a few C-level steps. Timeouts and blocking
follow the socket's, as the stdlib's methods do.

On a UDP socket whose owner enabled UDP_GRO, one received message may hold many datagrams
(a coalesced message: equal-sized segments, the last possibly shorter, their size in a
control message). recvmmsg then receives into slots that hold a whole coalesced message and
cuts each back into its datagrams, so its callers see what they would see without GRO.
"""

from __future__ import annotations

import _socket
import array
import ctypes
import errno
import mmap
import operator
import os
import select
import socket as stdlib
import struct
import threading
import time
from collections.abc import Callable, Sequence
from itertools import accumulate, chain, repeat
from operator import add
from typing import Any, Final

from multisock.addresses import sockaddr
from multisock.checks import c_int
from multisock.errors import invalid

from ._libc import LIBC, os_error

__all__ = ["MAX_BATCH", "Batch"]

#: The most datagrams one call handles (the kernel's UIO_MAXIOV).
MAX_BATCH: Final = 1024
MAX_BUFSIZE: Final = 1 << 18
MAX_RECEIVE_AREA: Final = 1 << 26  # count * bufsize, 64 MiB
_NAME: Final = 128  # sizeof(struct sockaddr_storage)
# sizeof(struct sockaddr_in), (struct sockaddr_in6), (struct sockaddr_un) rounded up.
_NAME_SIZES: Final[dict[int, int]] = {
    stdlib.AF_INET: 16,
    stdlib.AF_INET6: 28,
    stdlib.AF_UNIX: 112,
}
_MSG_WAITFORONE: Final = 0x10000
_CACHE_LIMIT: Final = 4096
_TIMED_OUT: Final = "timed out"
_MANY: Final = object()
_DATAGRAMS_ALLOWED: Final = f"a sequence of at most {MAX_BATCH} bytes-like datagrams"
_SNAPSHOT_LIMIT: Final = 1 << 18
_tobytes: Final = memoryview.tobytes


class _IoVec(ctypes.Structure):
    _fields_ = (("base", ctypes.c_void_p), ("len", ctypes.c_size_t))


class _MsgHdr(ctypes.Structure):
    _fields_ = (
        ("name", ctypes.c_void_p),
        ("namelen", ctypes.c_uint32),
        ("iov", ctypes.c_void_p),
        ("iovlen", ctypes.c_size_t),
        ("control", ctypes.c_void_p),
        ("controllen", ctypes.c_size_t),
        ("flags", ctypes.c_int),
    )


class _MMsgHdr(ctypes.Structure):
    _fields_ = (("hdr", _MsgHdr), ("len", ctypes.c_uint))


# Word views of the structures: 'L' (unsigned long) is pointer- and size_t-sized on Linux,
# 'I' is the 32-bit socklen_t and msg_len.
_LONG: Final = ctypes.sizeof(ctypes.c_ulong)
_STRIDE_L: Final = ctypes.sizeof(_MMsgHdr) // _LONG
_STRIDE_I: Final = ctypes.sizeof(_MMsgHdr) // 4
_NAME_L: Final = _MsgHdr.name.offset // _LONG
_NAMELEN_I: Final = _MsgHdr.namelen.offset // 4
_LEN_I: Final = _MMsgHdr.len.offset // 4

_sendmmsg = LIBC.sendmmsg
_sendmmsg.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int)
_sendmmsg.restype = ctypes.c_int
_recvmmsg = LIBC.recvmmsg
_recvmmsg.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_void_p)
_recvmmsg.restype = ctypes.c_int

# UDP generic segmentation offload: one message carrying many equal-sized datagrams, which the
# kernel (or the NIC) cuts apart; receivers get ordinary datagrams. Segments are kept within a
# 1500-byte MTU, so a path that takes plain datagrams of that size takes them.
SOL_UDP: Final = 17
UDP_SEGMENT: Final = 103
_GSO_SEGMENTS: Final = 64  # UDP_MAX_SEGMENTS before Linux 6.9 (128 since)
_GSO_BYTES: Final = 65507  # the most UDP payload one IPv4 packet carries
_GSO_SEGMENT_MAX: Final[dict[int, int]] = {stdlib.AF_INET: 1472, stdlib.AF_INET6: 1452}
_NO_GSO: Final = {errno.EINVAL, errno.EIO, errno.ENOPROTOOPT, errno.EOPNOTSUPP, errno.EMSGSIZE}
_MSG_MORE: Final = getattr(stdlib, "MSG_MORE", 0x8000)
_CMSG_SPACE: Final = stdlib.CMSG_SPACE(2)
_CMSG_DATA: Final = stdlib.CMSG_LEN(0)
_CONTROL_L: Final = _MsgHdr.control.offset // _LONG
_CONTROLLEN_L: Final = _MsgHdr.controllen.offset // _LONG

# UDP generic receive offload, the other way: with UDP_GRO set, the kernel may deliver several
# datagrams of one flow as one message (a segmented send over loopback arrives unsegmented).
UDP_GRO: Final = 104
# A coalesced message is one UDP payload, so below 64 KiB. It must arrive whole: the kernel
# discards what does not fit, and with it every datagram after the cut.
_GRO_SLOT: Final = 1 << 16
# Control space per message. The kernel writes timestamps and the like (at most ~220 bytes
# in all) before the UDP_GRO message, so this always leaves it room.
_GRO_CONTROL: Final = 256
_GRO_MESSAGE: Final = struct.Struct("@Liii")  # struct cmsghdr, then the segment size
_CMSG_HEADER: Final = struct.Struct("@Lii")
_MSG_PEEK: Final = int(stdlib.MSG_PEEK)  # an int: IntFlag arithmetic is slow
_NO_GRO: Final = {errno.ENOPROTOOPT, errno.EOPNOTSUPP}
_raw_getsockopt: Final = _socket.socket.getsockopt


class _Ring:
    """``count`` message headers, each with one iovec and an address slot."""

    def __init__(
        self, count: int, area: int, name_size: int = _NAME, data: mmap.mmap | None = None
    ) -> None:
        self.count = count
        self.name_size = name_size
        self.data: bytearray | mmap.mmap = bytearray(max(area, 1)) if data is None else data
        self.names = bytearray(count * name_size)
        # ctypes views pin the buffers (no resizing) while the kernel is given their addresses.
        self.pins = [(ctypes.c_char * len(b)).from_buffer(b) for b in (self.data, self.names)]
        data_base, name_base = map(ctypes.addressof, self.pins)
        self.iov = (_IoVec * count)()
        self.msgs = (_MMsgHdr * count)()
        iov_base = ctypes.addressof(self.iov)
        for i in range(count):
            header = self.msgs[i].hdr
            header.iov = iov_base + i * ctypes.sizeof(_IoVec)
            header.iovlen = 1
        self.address = ctypes.addressof(self.msgs)
        self.data_base = data_base
        self.name_base = name_base
        self.name_slots = array.array(
            "L", range(name_base, name_base + count * name_size, name_size)
        )
        self.longs = memoryview(self.msgs).cast("B").cast("L")
        self.words = memoryview(self.msgs).cast("B").cast("I")
        self.iov_longs = memoryview(self.iov).cast("B").cast("L")
        self.data_view = memoryview(self.data)
        self.name_view = memoryview(self.names)
        self.lock = threading.Lock()

    def set_names(self, n: int, pointers: array.array[int], lengths: array.array[int]) -> None:
        self.longs[_NAME_L : _NAME_L + _STRIDE_L * n : _STRIDE_L] = pointers
        self.words[_NAMELEN_I : _NAMELEN_I + _STRIDE_I * n : _STRIDE_I] = lengths

    def set_iovecs(self, n: int, bases: array.array[int], lengths: array.array[int]) -> None:
        self.iov_longs[0 : 2 * n : 2] = bases
        self.iov_longs[1 : 2 * n : 2] = lengths


class _Receiver(_Ring):
    """A receive ring for ``count`` datagrams of up to ``bufsize`` bytes.

    Address slots are packed at the family's sockaddr size, so that "every datagram came from
    one sender", the common case, is one comparison of the slots with the first, repeated.
    Data slots are ``stride`` bytes apart (``bufsize`` unless a subclass wants more room).
    """

    snapshots = True  # whether _data may copy all slots at once when they are small

    def __init__(
        self,
        count: int,
        bufsize: int,
        family: int,
        stride: int | None = None,
        data: mmap.mmap | None = None,
    ) -> None:
        stride = bufsize if stride is None else stride
        super().__init__(count, count * stride, _NAME_SIZES.get(family, _NAME), data)
        size = self.name_size
        self.bufsize = bufsize
        self.stride = stride
        self.starts = list(range(0, count * stride, stride))
        self.name_starts = list(range(0, count * size, size))
        self.full_names = array.array("I", [size] * count)
        self.full_lengths = self.full_names.tobytes()
        self.unpackers: dict[tuple[int, int], Any] = {}
        bases = array.array("L", (self.data_base + s for s in self.starts))
        self.set_iovecs(count, bases, array.array("L", [stride] * count))
        self.set_names(count, self.name_slots, self.full_names)

    def prepare(self, n: int) -> None:
        # The kernel overwrites each msg_namelen with the address length it wrote.
        self.words[_NAMELEN_I : _NAMELEN_I + _STRIDE_I * n : _STRIDE_I] = self.full_names[:n]

    def results(self, n: int, decode_names: Any) -> list[tuple[bytes, Any]]:
        lengths = self.words[_LEN_I : _LEN_I + _STRIDE_I * n : _STRIDE_I].tolist()
        if max(lengths) > self.stride:  # MSG_TRUNC: the kernel reports the full length
            lengths = list(map(min, lengths, repeat(self.stride, n)))
        data = self._data(n, lengths)
        sender = self._one_sender(n, decode_names)
        if sender is not _MANY:
            return list(zip(data, repeat(sender, n), strict=True))
        return list(zip(data, self._addresses(n, decode_names), strict=True))

    def _one_sender(self, n: int, decode_names: Any) -> Any:
        """The address every datagram came from, or _MANY: two byte comparisons in C."""
        size = self.name_size
        lengths = self.words[_NAMELEN_I : _NAMELEN_I + _STRIDE_I * n : _STRIDE_I].tobytes()
        if lengths != self.full_lengths[: 4 * n]:
            return _MANY
        names = self.name_view[: n * size].tobytes()
        first = names[:size]
        if names != first * n:
            return _MANY
        return decode_names([first])[0]

    def _data(self, n: int, lengths: list[int]) -> Any:
        first = lengths[0]
        if lengths.count(first) == n:
            # Equal sizes, the common case: one struct unpack makes every bytes object.
            unpack = self.unpackers.get((first, n))
            if unpack is None:
                if len(self.unpackers) > 64:
                    self.unpackers.clear()
                layout = f"{first}s{self.stride - first}x" * n
                unpack = self.unpackers[first, n] = struct.Struct(layout).unpack_from
            return unpack(self.data)
        starts = self.starts[:n]
        spans = map(slice, starts, map(add, starts, lengths))
        if self.snapshots and n * self.stride <= _SNAPSHOT_LIMIT:  # one copy, then slices of it
            return map(bytes(self.data_view[: n * self.stride]).__getitem__, spans)
        return map(_tobytes, map(self.data_view.__getitem__, spans))

    def _addresses(self, n: int, decode_names: Any) -> list[Any]:
        names = self.name_view[: n * self.name_size].tobytes()
        lengths = self.words[_NAMELEN_I : _NAMELEN_I + _STRIDE_I * n : _STRIDE_I].tolist()
        starts = self.name_starts[:n]
        spans = map(slice, starts, map(add, starts, lengths))
        return decode_names(list(map(names.__getitem__, spans)))  # type: ignore[no-any-return]


# What _GroReceiver.split returns: the datagrams for the caller, those left over, and a bound
# on the sizes of those left over.
_Split = tuple[list[tuple[bytes, Any]], list[tuple[bytes, Any]], int]


class _GroReceiver(_Receiver):
    """A receive ring for a socket with UDP_GRO: ``count`` messages, each coalesced or not.

    Each message gets a 64 KiB slot, room for any coalesced message, and a control slot for
    its segment size. The slots are anonymous memory, which the kernel commits page by page
    as it writes: 64 slots that only ever see small datagrams cost 64 pages, not 4 MiB.
    """

    snapshots = False  # the slots are far apart: copying them all would copy mostly nothing

    def __init__(self, count: int, stride: int, family: int) -> None:
        area = mmap.mmap(-1, count * stride, flags=mmap.MAP_PRIVATE)
        super().__init__(count, stride, family, stride, area)
        self.control = bytearray(count * _GRO_CONTROL)
        self.pins.append((ctypes.c_char * len(self.control)).from_buffer(self.control))
        base = ctypes.addressof(self.pins[-1])
        pointers = array.array("L", range(base, base + count * _GRO_CONTROL, _GRO_CONTROL))
        self.longs[_CONTROL_L : _CONTROL_L + _STRIDE_L * count : _STRIDE_L] = pointers
        self.full_controls = array.array("L", [_GRO_CONTROL] * count)
        self.longs[_CONTROLLEN_L : _CONTROLLEN_L + _STRIDE_L * count : _STRIDE_L] = (
            self.full_controls
        )
        self.no_controls = bytes(count * _LONG)
        self.splitters: dict[tuple[int, int, int], Callable[..., tuple[bytes, ...]]] = {}
        # How many headers the last call filled in. Coalesced traffic fills few of many, so
        # only those get their lengths back.
        self.dirty = 0

    def restore(self) -> None:
        """Give back the room the last call's headers had: the kernel overwrote the lengths."""
        k = self.dirty
        if k:
            self.prepare(k)
            # The kernel overwrote each msg_controllen with the length of what it wrote.
            room = self.full_controls[:k]
            self.longs[_CONTROLLEN_L : _CONTROLLEN_L + _STRIDE_L * k : _STRIDE_L] = room
            self.dirty = 0

    def split(self, n: int, bufsize: int, want: int, decode_names: Any) -> _Split:
        """The datagrams of ``n`` received messages: at most ``want`` of them, each cut to
        ``bufsize`` bytes; those beyond ``want`` uncut (their call decides their cut), with an
        upper bound of their sizes."""
        lengths = self.words[_LEN_I : _LEN_I + _STRIDE_I * n : _STRIDE_I].tolist()
        used = self.longs[_CONTROLLEN_L : _CONTROLLEN_L + _STRIDE_L * n : _STRIDE_L]
        if used.tobytes() == self.no_controls[: n * _LONG]:
            # Nothing coalesced: one datagram per message, at most want of them.
            if max(lengths) > bufsize:  # the slots are bigger than bufsize
                lengths = list(map(min, lengths, repeat(bufsize, n)))
            data = self._data(n, lengths)
            sender = self._one_sender(n, decode_names)
            if sender is not _MANY:
                return list(zip(data, repeat(sender, n), strict=True)), [], 0
            return list(zip(data, self._addresses(n, decode_names), strict=True)), [], 0
        sizes = list(map(self._segment_size, range(n), used.tolist()))
        counts = [
            -(-length // size) if size and length > size else 1
            for length, size in zip(lengths, sizes, strict=True)
        ]
        total = sum(counts)
        cut = bufsize if total <= want else MAX_BUFSIZE  # leftovers are kept whole
        parts: list[tuple[bytes, ...]] = []
        view = self.data_view
        for start, length, size in zip(self.starts[:n], lengths, sizes, strict=True):
            if size and length > size:
                parts.append(self._splitter(size, length, cut)(self.data, start))
            else:
                parts.append((view[start : start + min(length, cut)].tobytes(),))
        sender = self._one_sender(n, decode_names)
        if sender is not _MANY:
            addresses: Any = repeat(sender, total)
        else:
            addresses = chain.from_iterable(map(repeat, self._addresses(n, decode_names), counts))
        data = parts[0] if n == 1 else chain.from_iterable(parts)
        pairs = list(zip(data, addresses, strict=True))
        if total <= want:
            return pairs, [], 0
        longest = max(map(min, lengths, [size or _GRO_SLOT for size in sizes]))
        return _cut(pairs[:want], bufsize, longest), pairs[want:], longest

    def _segment_size(self, index: int, used: int) -> int:
        """The segment size of message ``index`` (0: not coalesced), from its control data."""
        if not used:
            return 0
        offset = index * _GRO_CONTROL
        _, level, kind, size = _GRO_MESSAGE.unpack_from(self.control, offset)
        if level == SOL_UDP and kind == UDP_GRO:
            return int(size)
        return _find_segment_size(bytes(self.control[offset : offset + used]))

    def _splitter(self, size: int, length: int, cut: int) -> Callable[..., tuple[bytes, ...]]:
        """An unpack_from making the datagrams of one coalesced message, each cut to ``cut``."""
        key = (size, length, min(size, cut))
        split = self.splitters.get(key)
        if split is None:
            if len(self.splitters) > 64:
                self.splitters.clear()
            whole, tail = divmod(length, size)
            layout = _piece(size, cut) * whole + (_piece(tail, cut) if tail else "")
            split = self.splitters[key] = struct.Struct(layout).unpack_from
        return split


def _piece(size: int, cut: int) -> str:
    """The struct layout of one datagram of ``size`` bytes, kept up to ``cut`` bytes."""
    return f"{size}s" if size <= cut else f"{cut}s{size - cut}x"


def _cut(pairs: list[tuple[bytes, Any]], bufsize: int, longest: int) -> list[tuple[bytes, Any]]:
    """``pairs`` with each datagram truncated to ``bufsize`` bytes, as recvfrom truncates;
    ``longest``: no datagram is longer."""
    if longest > bufsize:
        return [(data[:bufsize], address) for data, address in pairs]
    return pairs


def _find_segment_size(control: bytes) -> int:
    """The UDP_GRO segment size among a message's control messages; 0 if there is none."""
    offset = 0
    while offset + _GRO_MESSAGE.size <= len(control):
        length, level, kind, size = _GRO_MESSAGE.unpack_from(control, offset)
        if level == SOL_UDP and kind == UDP_GRO:
            return int(size)
        if length < _CMSG_HEADER.size:
            break
        offset += (length + _LONG - 1) & -_LONG  # CMSG_ALIGN
    return 0


class _Sender(_Ring):
    """A send ring for up to ``count`` datagrams; the data area grows as needed.

    Each header also has a control slot holding a UDP_SEGMENT message, used when several
    datagrams go out as one segmented message.
    """

    def __init__(self, count: int, area: int) -> None:
        super().__init__(count, area)
        self.destination: Any = None  # the plain address all names point to, if any
        self.destination_count = 0
        self.control = bytearray(count * _CMSG_SPACE)
        self.pins.append((ctypes.c_char * len(self.control)).from_buffer(self.control))
        base = ctypes.addressof(self.pins[-1])
        header = struct.Struct("@Lii")
        for slot in range(count):
            header.pack_into(
                self.control, slot * _CMSG_SPACE, stdlib.CMSG_LEN(2), SOL_UDP, UDP_SEGMENT
            )
        self.control_slots = array.array("L", range(base, base + count * _CMSG_SPACE, _CMSG_SPACE))
        self.segment_sizes = memoryview(self.control).cast("H")
        self.controlled = 0  # how many headers point at a control slot
        self.layout: Any = None  # what the iovecs and controls were last set for

    def lay_out(self, key: Any, spans: list[int], sizes: list[int] | None) -> None:
        """Point the first ``len(spans)`` messages at consecutive spans of the data area.

        ``sizes``: each message's segment size (0: one datagram), or None for no segmenting.
        Skipped when the previous call had the same layout, as repeated batches do.
        """
        if key == self.layout:
            return
        bases = array.array("L", accumulate(spans[:-1], initial=self.data_base))
        self.set_iovecs(len(spans), bases, array.array("L", spans))
        if sizes is None:
            self.clear_controls(len(spans))
        else:
            self.set_controls(sizes)
        self.layout = key

    def set_controls(self, sizes: list[int]) -> None:
        """Segment the first ``len(sizes)`` messages (0: send as one datagram)."""
        k = len(sizes)
        step = _CMSG_SPACE // 2
        start = _CMSG_DATA // 2
        self.segment_sizes[start : start + step * k : step] = array.array("H", sizes)
        lengths = array.array("L", map(_CMSG_SPACE.__mul__, map(bool, sizes)))
        pointers = array.array("L", map(operator.mul, self.control_slots[:k], map(bool, sizes)))
        self.longs[_CONTROL_L : _CONTROL_L + _STRIDE_L * k : _STRIDE_L] = pointers
        self.longs[_CONTROLLEN_L : _CONTROLLEN_L + _STRIDE_L * k : _STRIDE_L] = lengths
        self.controlled = max(self.controlled, k)

    def clear_controls(self, n: int) -> None:
        k = min(self.controlled, n) if self.controlled else 0
        if k:
            zeros = array.array("L", bytes(k * _LONG))
            self.longs[_CONTROL_L : _CONTROL_L + _STRIDE_L * k : _STRIDE_L] = zeros
            self.longs[_CONTROLLEN_L : _CONTROLLEN_L + _STRIDE_L * k : _STRIDE_L] = zeros
            self.controlled = 0 if k == self.controlled else self.controlled

    def grow(self, area: int) -> _Sender:
        return (
            self if area <= len(self.data) else _Sender(self.count, max(area, 2 * len(self.data)))
        )


class Batch:
    """A socket's batch I/O state: its rings and address caches."""

    def __init__(self, family: int, kind: int, proto: int) -> None:
        self.family = family
        udp = family in _GSO_SEGMENT_MAX and kind == stdlib.SOCK_DGRAM
        udp = udp and proto in (0, stdlib.IPPROTO_UDP)
        # Segmentation offload, for UDP; switched off for good if the kernel refuses it.
        self.gso = udp
        # Whether UDP_GRO is on: None until asked (at the first recvmmsg, and again after the
        # socket's setsockopt changed it), False for good where it cannot be.
        self.gro: bool | None = None if udp else False
        self.gro_receiver: _GroReceiver | None = None
        # Datagrams of coalesced messages that recvmmsg took but has not returned yet, whole;
        # none is longer than leftover_size.
        self.leftovers: list[tuple[bytes, Any]] = []
        self.leftover_size = 0
        self.gro_lock = threading.Lock()
        self.receiver: _Receiver | None = None
        self.sender: _Sender | None = None
        self.decoded: dict[bytes, Any] = {}
        self.equal_runs: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
        self.encoded: dict[Any, bytes] = {}

    # -- receiving -----------------------------------------------------------------------------

    def recvmmsg(self, sock: Any, count: object, bufsize: object, flags: object) -> list[Any]:
        n, size, bits = _receive_arguments(count, bufsize, flags)
        if self.gro is not False or self.leftovers:
            coalesced = self._receive_coalesced(sock, n, size, bits)
            if coalesced is not None:
                return coalesced
        ring = self.receiver
        if ring is None or ring.count < n or ring.bufsize != size:
            ring = self.receiver = _Receiver(n, size, self.family)
        with ring.lock:
            ring.prepare(n)
            got = _call(sock, select.POLLIN, _recvmmsg, ring.address, n, bits, None)
            return ring.results(got, self._decode_names)

    def _receive_coalesced(self, sock: Any, n: int, size: int, bits: int) -> list[Any] | None:
        """recvmmsg on a socket with UDP_GRO, or with datagrams left from when it had it;
        None when neither (GRO is off), for the plain receive."""
        with self.gro_lock:
            leftovers = self.leftovers
            if leftovers:
                # Already received: no waiting, whatever the timeout (as if still queued).
                # A closed socket has none: close() and detach() drop them.
                head = leftovers[:n]
                if not bits & _MSG_PEEK:
                    del leftovers[:n]
                return _cut(head, size, self.leftover_size)
            if not (self.gro or self._gro_enabled(sock)):
                return None
            stride = max(size, _GRO_SLOT)
            ring = self.gro_receiver
            if ring is None or ring.count < n or ring.stride != stride:
                ring = self.gro_receiver = _GroReceiver(n, stride, self.family)
            # A peek looks at the first message only: the kernel would show it again and again.
            messages = 1 if bits & _MSG_PEEK else n
            ring.restore()
            got = ring.dirty = _call(
                sock, select.POLLIN, _recvmmsg, ring.address, messages, bits, None
            )
            head, rest, longest = ring.split(got, size, n, self._decode_names)
            if not bits & _MSG_PEEK:
                self.leftovers, self.leftover_size = rest, longest
            return head

    def _gro_enabled(self, sock: Any) -> bool:
        """Ask the kernel whether the socket has UDP_GRO on; remember the answer."""
        try:
            self.gro = bool(_raw_getsockopt(sock, SOL_UDP, UDP_GRO))
        except OSError as exc:
            if exc.errno in _NO_GRO:  # a kernel without UDP_GRO (before 5.0)
                self.gro = False
            return False  # a closed socket...: the receive reports it
        return self.gro

    def discard(self) -> None:
        """Drop what a closed socket still holds: leftovers, the coalescing ring.

        Without the lock: a recvmmsg blocked in another thread must not block close().
        """
        self.leftovers = []
        self.gro_receiver = None

    def _decode_names(self, keys: list[bytes]) -> list[Any]:
        cache = self.decoded
        found = list(map(cache.get, keys))
        if None in found:
            if len(cache) > _CACHE_LIMIT:
                cache.clear()
            for i, key in enumerate(keys):
                if found[i] is None:
                    found[i] = cache[key] = _decode(key)
        return found

    # -- sending -------------------------------------------------------------------------------

    def sendmmsg(
        self, sock: Any, datagrams: object, address: object, addresses: object, flags: object
    ) -> int:
        joined, lengths = _datagrams(datagrams)
        n = len(lengths)
        bits = flags if type(flags) is int and -(2**31) <= flags < 2**31 else _flags(flags)
        if n == 0:
            return 0
        total = len(joined)
        ring = self.sender
        if ring is None or ring.count < n:
            ring = _Sender(max(n, 64), max(total, 64 * 2048))
        ring = self.sender = ring.grow(total)
        with ring.lock:
            ring.data_view[:total] = joined
            self._place_names(sock, ring, n, address, addresses)
            if self.gso and addresses is None and n > 1 and not bits & _MSG_MORE:
                runs = self._runs(lengths)
                if len(runs) < n:
                    try:
                        return self._send_segmented(sock, ring, runs, bits)
                    except OSError as exc:
                        if exc.errno not in _NO_GSO:
                            raise
                        self.gso = False  # nothing was sent: the first message failed
            ring.lay_out(lengths, lengths, None)
            return int(_call(sock, select.POLLOUT, _sendmmsg, ring.address, n, bits))

    def _runs(self, lengths: list[int]) -> list[tuple[int, int, int]]:
        """_runs(), remembered for batches of equal sizes: the same list for the same batch."""
        first = lengths[0]
        if lengths.count(first) != len(lengths):
            return _runs(lengths, _GSO_SEGMENT_MAX[self.family])
        key = (first, len(lengths))
        runs = self.equal_runs.get(key)
        if runs is None:
            if len(self.equal_runs) > 64:
                self.equal_runs.clear()
            runs = self.equal_runs[key] = _runs(lengths, _GSO_SEGMENT_MAX[self.family])
        return runs

    @staticmethod
    def _send_segmented(
        sock: Any, ring: _Sender, runs: list[tuple[int, int, int]], bits: int
    ) -> int:
        """Send each run of equal-sized datagrams as one segmented message."""
        if ring.layout is not runs:
            sizes = [run[1] if run[0] > 1 else 0 for run in runs]
            ring.lay_out(runs, [run[2] for run in runs], sizes)
        sent = int(_call(sock, select.POLLOUT, _sendmmsg, ring.address, len(runs), bits))
        return sum(run[0] for run in runs[:sent])

    def _place_names(
        self, sock: Any, ring: _Sender, n: int, address: object, addresses: object
    ) -> None:
        if addresses is not None:
            if address is not None:
                raise invalid(
                    "type",
                    method="sendmmsg",
                    argument="addresses",
                    value=addresses,
                    problem="both address and addresses given",
                    allowed="one destination (address) or one per datagram (addresses)",
                )
            self._place_each(sock, ring, n, addresses)
            return
        if address is None:
            plain, name = None, b""
        else:
            plain = sockaddr(self.family, address, "sendmmsg")
            name = self._encode(plain)
        if ring.destination != (plain, name) or ring.destination_count < n:
            if name:
                ring.names[: len(name)] = name
            pointer = ring.name_base if name else 0
            ring.set_names(n, array.array("L", [pointer] * n), array.array("I", [len(name)] * n))
            ring.destination, ring.destination_count = (plain, name), n

    def _place_each(self, sock: Any, ring: _Sender, n: int, addresses: object) -> None:
        if not isinstance(addresses, Sequence) or isinstance(addresses, str | bytes):
            raise invalid(
                "type",
                method="sendmmsg",
                argument="addresses",
                value=addresses,
                problem=f"{type(addresses).__name__} is not a sequence of addresses",
                allowed="a sequence of addresses, one per datagram",
            )
        if len(addresses) != n:
            raise invalid(
                "value",
                method="sendmmsg",
                argument="addresses",
                value=f"<{len(addresses)} addresses>",
                problem=f"{len(addresses)} addresses for {n} datagrams",
                allowed="one address per datagram",
            )
        names = [self._encode(sockaddr(self.family, a, "sendmmsg")) for a in addresses]
        ring.names[: n * _NAME] = b"".join(name.ljust(_NAME, b"\0") for name in names)
        ring.set_names(n, ring.name_slots[:n], array.array("I", map(len, names)))
        ring.destination, ring.destination_count = None, 0

    def _encode(self, plain: Any) -> bytes:
        try:
            name = self.encoded.get(plain)
        except TypeError:  # unhashable (a bytearray host): not cached
            return _encode(self.family, plain)
        if name is None:
            if len(self.encoded) > _CACHE_LIMIT:
                self.encoded.clear()
            name = self.encoded[plain] = _encode(self.family, plain)
        return name


# -- arguments ---------------------------------------------------------------------------------


def _runs(lengths: list[int], segment_max: int) -> list[tuple[int, int, int]]:
    """Group datagrams into segmentable runs: ``(datagrams, segment size, bytes)`` each.

    A run is consecutive datagrams of one size (the last may be shorter), at most 64 of
    them and 65507 bytes; datagrams too big for a 1500-byte MTU or empty go alone.
    """
    first = lengths[0]
    n = len(lengths)
    if lengths.count(first) == n and 0 < first <= segment_max:
        per = min(_GSO_SEGMENTS, _GSO_BYTES // first)
        full, rest = divmod(n, per)
        counts = [per] * full + ([rest] if rest else [])
        return [(count, first, count * first) for count in counts]
    runs = []
    i = 0
    while i < n:
        size = lengths[i]
        j, total = i + 1, size
        if 0 < size <= segment_max:
            limit = min(_GSO_SEGMENTS, _GSO_BYTES // size)
            while j < n and j - i < limit and lengths[j] == size:
                j, total = j + 1, total + size
            if j < n and j - i < limit and 0 < lengths[j] < size:
                j, total = j + 1, total + lengths[j]  # a shorter last segment
        runs.append((j - i, size, total))
        i = j
    return runs


def _receive_arguments(count: object, bufsize: object, flags: object) -> tuple[int, int, int]:
    if (
        type(count) is int
        and type(bufsize) is int
        and type(flags) is int
        and 0 < count <= MAX_BATCH
        and 0 < bufsize <= MAX_BUFSIZE
        and count * bufsize <= MAX_RECEIVE_AREA
        and -(2**31) <= flags < 2**31
    ):
        return count, bufsize, flags  # plain ints in range: the checks below would pass
    method = "recvmmsg"
    n = _in_range(count, "count", 1, MAX_BATCH, method)
    size = _in_range(bufsize, "bufsize", 1, MAX_BUFSIZE, method)
    if n * size > MAX_RECEIVE_AREA:
        raise invalid(
            "value",
            method=method,
            argument="bufsize",
            value=bufsize,
            problem=f"{n} x {size} bytes is more than the {MAX_RECEIVE_AREA >> 20} MiB allowed",
            allowed=f"count * bufsize <= {MAX_RECEIVE_AREA}",
        )
    bits = c_int(flags, method=method, argument="flags", allowed="an int of MSG_* flags")
    return n, size, bits


def _flags(flags: object) -> int:
    return c_int(flags, method="sendmmsg", argument="flags", allowed="an int of MSG_* flags")


def _in_range(value: object, argument: str, lo: int, hi: int, method: str) -> int:
    allowed = f"an int {lo}..{hi}"
    number = c_int(value, method=method, argument=argument, allowed=allowed)
    if not lo <= number <= hi:
        raise invalid(
            "value", method=method, argument=argument, value=value, problem="out of range",
            allowed=allowed,
        )  # fmt: skip
    return number


def _datagrams(datagrams: object) -> tuple[bytes, list[int]]:
    """The datagrams' bytes, joined, and each one's size; a ValidationError for bad input."""
    if type(datagrams) is not list and (
        not isinstance(datagrams, Sequence) or isinstance(datagrams, str | bytes | bytearray)
    ):
        raise invalid(
            "type",
            method="sendmmsg",
            argument="datagrams",
            value=datagrams,
            problem=f"{type(datagrams).__name__} is not a sequence of datagrams",
            allowed=_DATAGRAMS_ALLOWED,
        )
    if len(datagrams) > MAX_BATCH:
        raise invalid(
            "value",
            method="sendmmsg",
            argument="datagrams",
            value=f"<{len(datagrams)} datagrams>",
            problem="too many for one call",
            allowed=_DATAGRAMS_ALLOWED,
        )
    try:
        joined = b"".join(datagrams)
    except TypeError:
        raise _not_a_buffer(datagrams) from None
    try:
        lengths = list(map(len, datagrams))
    except TypeError:  # a buffer without len()
        lengths = []
    # len() counts items, which are bytes but for typed buffers (array('i')...); each len() is
    # at most the byte size, so equal totals mean every one was the byte size.
    if sum(lengths) != len(joined):
        lengths = [memoryview(datagram).nbytes for datagram in datagrams]
    return joined, lengths


def _not_a_buffer(datagrams: Sequence[Any]) -> Exception:
    for index, datagram in enumerate(datagrams):
        try:
            memoryview(datagram)
        except TypeError:
            return invalid(
                "type",
                method="sendmmsg",
                argument=f"datagrams[{index}]",
                value=datagram,
                problem=f"a bytes-like object is required, not {type(datagram).__name__}",
                allowed=_DATAGRAMS_ALLOWED,
            )
    return invalid(
        "type",
        method="sendmmsg",
        argument="datagrams",
        value=datagrams,
        problem="not contiguous bytes-like objects",
        allowed=_DATAGRAMS_ALLOWED,
    )


# -- the system calls, with the socket's timeout -----------------------------------------------


def _call(sock: Any, event: int, function: Any, *args: Any) -> int:
    """Call ``function(fd, *args)`` as CPython calls a socket function: blocking, timed or not."""
    timeout = sock.gettimeout()
    fd = sock.fileno()
    if timeout is None and function is _recvmmsg:
        args = (args[0], args[1], args[2] | _MSG_WAITFORONE, *args[3:])
    deadline = None if not timeout else time.monotonic() + timeout
    while True:
        result = int(function(fd, *args))
        if result >= 0:
            return result
        code = ctypes.get_errno()
        if code == errno.EINTR:
            continue  # PEP 475; a signal handler that raises has run by now
        if code not in (errno.EAGAIN, errno.EWOULDBLOCK) or deadline is None:
            raise os_error(code)
        _wait(fd, event, deadline)


def _wait(fd: int, event: int, deadline: float) -> None:
    poller = select.poll()
    poller.register(fd, event)
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(max(remaining * 1000, 0)):
            if time.monotonic() >= deadline:
                raise TimeoutError(_TIMED_OUT)
            continue
        return


# -- addresses ---------------------------------------------------------------------------------


def _encode(family: int, plain: Any) -> bytes:
    """A validated plain address as the kernel's struct sockaddr."""
    if family == stdlib.AF_UNIX:
        path: bytes = os.fsencode(plain) if not isinstance(plain, bytes) else plain
        terminated = path if path[:1] == b"\0" else path + b"\0"
        return int(stdlib.AF_UNIX).to_bytes(2, "little") + terminated
    port: int
    host, port, *rest = plain
    if isinstance(host, bytes | bytearray):
        host = bytes(host).decode("ascii")
    numeric = _numeric(family, host, port)
    if family == stdlib.AF_INET:
        return b"".join(
            (
                family.to_bytes(2, "little"),
                port.to_bytes(2, "big"),
                stdlib.inet_pton(stdlib.AF_INET, numeric[0]),
                bytes(8),
            )
        )
    flowinfo, scope_id = ([*rest, 0, 0])[:2]
    scope_id = scope_id or (numeric[3] if len(numeric) > 3 else 0)
    return b"".join(
        (
            family.to_bytes(2, "little"),
            port.to_bytes(2, "big"),
            int(flowinfo).to_bytes(4, "big"),
            stdlib.inet_pton(stdlib.AF_INET6, numeric[0].partition("%")[0]),
            int(scope_id).to_bytes(4, "little"),
        )
    )


def _numeric(family: int, host: str, port: int) -> tuple[Any, ...]:
    """The numeric address of a host, resolved as the stdlib's sendto resolves it."""
    if host == "":
        return ("0.0.0.0",) if family == stdlib.AF_INET else ("::", port, 0, 0)
    if host == "<broadcast>" and family == stdlib.AF_INET:
        return ("255.255.255.255",)
    flags = stdlib.AI_NUMERICHOST if _is_numeric(family, host) else 0
    infos = stdlib.getaddrinfo(host, port, family, stdlib.SOCK_DGRAM, 0, flags)
    return tuple(infos[0][4])


def _is_numeric(family: int, host: str) -> bool:
    try:
        stdlib.inet_pton(family, host.partition("%")[0])
    except OSError:
        return False
    return True


def _decode(name: bytes) -> Any:
    """The stdlib's plain form of a struct sockaddr the kernel wrote."""
    if not name:
        return None
    family = int.from_bytes(name[:2], "little")
    if family == stdlib.AF_INET:
        return (stdlib.inet_ntop(stdlib.AF_INET, name[4:8]), int.from_bytes(name[2:4], "big"))
    if family == stdlib.AF_INET6:
        host = stdlib.inet_ntop(stdlib.AF_INET6, name[8:24])
        scope = int.from_bytes(name[24:28], "little")
        if scope and host.startswith("fe80"):
            host = f"{host}%{_interface(scope)}"
        return (host, int.from_bytes(name[2:4], "big"), int.from_bytes(name[4:8], "big"), scope)
    if family == stdlib.AF_UNIX:
        path = name[2:]
        if path[:1] == b"\0":
            return path
        return os.fsdecode(path.split(b"\0", 1)[0])
    return (family, name[2:])


def _interface(index: int) -> str:
    try:
        return stdlib.if_indextoname(index)
    except OSError:
        return str(index)
