"""What the linux_ext backend adds: batch datagram I/O, and AF_ALG kernel hashing.

Written against this interface (adjust here if linux_ext settles on another):

* ``sock.sendmmsg(buffers, address) -> int``: send each buffer as one datagram to
  ``address`` in as few system calls as the kernel allows; the number of datagrams sent.
* ``sock.recvmmsg(count, bufsize) -> list[tuple[bytes, address]]``: block until at least one
  datagram is there, then return up to ``count`` of them, each cut to ``bufsize`` bytes.

The receiving socket opts in to UDP_GRO (``set_option(OPTIONS["UDP_GRO"], True)``): a batch
that sendmmsg sends as one segmented message then arrives as one coalesced message, which
recvmmsg cuts back into the same datagrams (checked before timing). The stdlib loop cannot
use it: its recvfrom() would return the batch joined.

Both cases are skipped, saying why, wherever the feature is missing: no linux_ext backend,
no such method yet, a kernel without AF_ALG.
"""

from __future__ import annotations

import hashlib
import socket
import time
from collections.abc import Callable
from typing import Any

import multisock
from multisock import BackendError, UnsupportedOperation
from multisock.options import OPTIONS
from multisock.registry import REGISTRY

from ..floor import floor_sampler
from ..harness import Case, Contest, Sampler, Scale, Target, Unsupported, quiet_gc

__all__ = ["AFALG_SHA256", "BATCH"]

SMALL = 64
BATCH_SIZE = 64
MESSAGE = b"x" * SMALL
BATCH_METHODS = ("sendmmsg", "recvmmsg")


def _linux_dgram() -> Any:
    """A linux_ext UDP socket that has the batch methods, or Unsupported saying why not."""
    try:
        backend = REGISTRY.get("linux_ext")
    except BackendError as exc:
        raise Unsupported(f"no linux_ext backend: {exc}") from None
    cls = backend.socket_class(socket.AF_INET, socket.SOCK_DGRAM, 0)
    missing = [name for name in BATCH_METHODS if not callable(getattr(cls, name, None))]
    if missing:
        raise Unsupported(f"multisock_linux_ext has no {' or '.join(missing)} yet")
    return multisock.Socket(socket.AF_INET, socket.SOCK_DGRAM, backend="linux_ext")


def _bound_pair(factory: Callable[[], Any]) -> tuple[Any, Any, tuple[str, int]]:
    sender, receiver = factory(), factory()
    receiver.bind(("127.0.0.1", 0))
    return sender, receiver, ("127.0.0.1", receiver.getsockname()[1])


def _loop_sampler(batches: int) -> tuple[Sampler, list[Any]]:
    sender, receiver, address = _bound_pair(
        lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    )
    sendto, recvfrom = sender.sendto, receiver.recvfrom

    def sample() -> float:
        with quiet_gc():
            start = time.perf_counter_ns()
            for _ in range(batches):
                for _ in range(BATCH_SIZE):
                    sendto(MESSAGE, address)
                for _ in range(BATCH_SIZE):
                    recvfrom(SMALL)
            elapsed = time.perf_counter_ns() - start
        return batches * BATCH_SIZE / (elapsed / 1e9)

    return sample, [sender, receiver]


def _send_batch(sender: Any, messages: list[bytes], address: tuple[str, int]) -> None:
    sent = 0
    while sent < len(messages):
        sent += sender.sendmmsg(messages[sent:] if sent else messages, address)


def _receive_batch(receiver: Any, count: int) -> list[tuple[bytes, Any]]:
    received: list[tuple[bytes, Any]] = []
    while len(received) < count:
        received += receiver.recvmmsg(count - len(received), SMALL)
    return received


def _batch_sampler(batches: int) -> tuple[Sampler, list[Any]]:
    sender, receiver, address = _bound_pair(_linux_dgram)
    messages = [MESSAGE] * BATCH_SIZE
    try:
        receiver.set_option(OPTIONS["UDP_GRO"], True)
    except OSError as exc:
        sender.close()
        receiver.close()
        raise Unsupported(f"no UDP_GRO for recvmmsg here: {exc.strerror or exc}") from None
    try:  # one checked batch: an unimplemented method says so here, not mid-run
        _send_batch(sender, messages, address)
        got = _receive_batch(receiver, BATCH_SIZE)
    except (UnsupportedOperation, NotImplementedError) as exc:
        sender.close()
        receiver.close()
        raise Unsupported(f"linux_ext batch I/O: {exc}") from None
    if [data for data, _ in got] != messages:
        raise AssertionError("recvmmsg returned other data than sendmmsg sent")

    def sample() -> float:
        with quiet_gc():
            start = time.perf_counter_ns()
            for _ in range(batches):
                _send_batch(sender, messages, address)
                _receive_batch(receiver, BATCH_SIZE)
            elapsed = time.perf_counter_ns() - start
        return batches * BATCH_SIZE / (elapsed / 1e9)

    return sample, [sender, receiver]


def _prepare_batch(scale: Scale) -> Contest:
    batches = scale.pick(400, 10)
    mine, my_socks = _batch_sampler(batches)
    theirs, their_socks = _loop_sampler(batches)
    floor, why = floor_sampler("mmsg", str(batches * 5))

    def close() -> None:
        for sock in (*their_socks, *my_socks):
            sock.close()

    return Contest(
        stdlib=theirs,
        multisock=mine,
        floor=floor,
        floor_note=why or "C: sendmmsg + recvmmsg, batches of 64, without GSO or GRO",
        close=close,
    )


BATCH = Case(
    name="batch_datagrams",
    title="batch datagrams: linux_ext sendmmsg, recvmmsg with UDP_GRO, 64-byte, batches of 64",
    unit="datagrams/s",
    prepare=_prepare_batch,
    rounds=21,
    higher_is_better=True,
    target=Target(">=", 3.0),
    baseline="a sendto/recvfrom loop on the stdlib socket",
)

DIGEST = ("hash", "sha256")


def _stdlib_alg() -> socket.socket:
    """A stdlib AF_ALG sha256 socket, or Unsupported: no AF_ALG in Python or the kernel."""
    family = getattr(socket, "AF_ALG", None)
    if family is None:
        raise Unsupported("this Python's socket module has no AF_ALG")
    try:
        sock = socket.socket(family, socket.SOCK_SEQPACKET)
    except OSError as exc:
        raise Unsupported(f"the kernel has no AF_ALG ({exc.strerror})") from None
    try:
        sock.bind(DIGEST)
    except OSError as exc:
        sock.close()
        raise Unsupported(f"the kernel's AF_ALG has no sha256 ({exc.strerror})") from None
    return sock


def _multisock_alg() -> Any:
    try:
        sock = multisock.Socket(socket.AF_ALG, socket.SOCK_SEQPACKET)
    except (BackendError, OSError) as exc:
        raise Unsupported(f"no multisock backend serves AF_ALG here: {exc}") from None
    sock.bind(DIGEST)
    return sock


def _alg_sampler(listener: Any, data: bytes, iterations: int) -> tuple[Sampler, Any]:
    operation, _ = listener.accept()
    sendall, recv = operation.sendall, operation.recv
    sendall(data)
    if recv(32) != hashlib.sha256(data).digest():
        raise AssertionError("AF_ALG sha256 differs from hashlib's")

    def sample() -> float:
        with quiet_gc():
            start = time.perf_counter_ns()
            for _ in range(iterations):
                sendall(data)  # no MSG_MORE: the kernel finalises the digest
                recv(32)
            elapsed = time.perf_counter_ns() - start
        return elapsed / iterations / 1e6

    return sample, operation


def _hashlib_sampler(data: bytes, iterations: int) -> Sampler:
    sha256 = hashlib.sha256

    def sample() -> float:
        with quiet_gc():
            start = time.perf_counter_ns()
            for _ in range(iterations):
                sha256(data).digest()
            elapsed = time.perf_counter_ns() - start
        return elapsed / iterations / 1e6

    return sample


def _prepare_afalg(scale: Scale) -> Contest:
    data = bytes(range(256)) * 4096  # 1 MiB
    iterations = scale.pick(20, 2)
    stdlib_listener = _stdlib_alg()
    my_listener = _multisock_alg()
    mine, my_operation = _alg_sampler(my_listener, data, iterations)
    floor, their_operation = _alg_sampler(stdlib_listener, data, iterations)

    def close() -> None:
        for sock in (my_operation, their_operation, my_listener, stdlib_listener):
            sock.close()

    return Contest(
        stdlib=_hashlib_sampler(data, iterations),
        multisock=mine,
        floor=floor,
        floor_note="the stdlib socket's AF_ALG, same calls",
        close=close,
    )


AFALG_SHA256 = Case(
    name="afalg_sha256",
    title="AF_ALG SHA-256 of 1 MiB (linux_ext)",
    unit="ms/MiB",
    prepare=_prepare_afalg,
    rounds=15,
    baseline="hashlib.sha256",
)
