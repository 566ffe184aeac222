"""A socket's own cost: creating and closing one, and the memory an open one holds."""

from __future__ import annotations

import gc
import socket
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import multisock

from ..floor import floor_sampler
from ..harness import Case, Contest, Sampler, Scale, Target, quiet_gc

__all__ = ["CREATE_CLOSE", "MEMORY"]


def _create_sampler(factory: Callable[[int, int], Any], iterations: int) -> Sampler:
    family, kind = socket.AF_INET, socket.SOCK_STREAM

    def sample() -> float:
        with quiet_gc():
            start = time.perf_counter_ns()
            for _ in range(iterations):
                factory(family, kind).close()
            elapsed = time.perf_counter_ns() - start
        return elapsed / iterations / 1000

    return sample


def _prepare_create(scale: Scale) -> Contest:
    iterations = scale.pick(20_000, 500)
    floor, why = floor_sampler("create", str(iterations * 2), factor=1e-3)
    return Contest(
        stdlib=_create_sampler(socket.socket, iterations),
        multisock=_create_sampler(multisock.Socket, iterations),
        floor=floor,
        floor_note=why or "C: socket() + close()",
    )


CREATE_CLOSE = Case(
    name="create_close",
    title="socket create + close (AF_INET, SOCK_STREAM)",
    unit="µs/socket",
    prepare=_prepare_create,
    rounds=41,
    target=Target("<=", 1.30),
)


def _memory_sampler(pair: Callable[[], tuple[Any, Any]], pairs: int) -> Sampler:
    def sample() -> float:
        # Slots filled in place: the list is allocated before tracing, so what is traced is
        # the socket objects (and anything they own), not the container.
        held: list[Any] = [None] * (2 * pairs)
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for index in range(pairs):
                held[2 * index], held[2 * index + 1] = pair()
            after = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
            for sock in held:
                if sock is not None:
                    sock.close()
        return (after - before) / (2 * pairs)

    return sample


def _prepare_memory(scale: Scale) -> Contest:
    pairs = scale.pick(2000, 200)
    return Contest(
        stdlib=_memory_sampler(socket.socketpair, pairs),
        multisock=_memory_sampler(multisock.socketpair, pairs),
        floor_note="kernel memory is not Python's: not measured",
    )


MEMORY = Case(
    name="memory",
    title="memory per open socket (tracemalloc, 2,000 socketpairs)",
    unit="B/socket",
    prepare=_prepare_memory,
    rounds=5,
    target=Target("<=", 1.30),
)
