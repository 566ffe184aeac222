"""Small-message round trips: the per-call cost of send/recv and sendto/recvfrom."""

from __future__ import annotations

import socket
import time
from typing import Any

import multisock

from ..floor import floor_sampler
from ..harness import Case, Contest, Sampler, Scale, Target, quiet_gc

__all__ = ["PINGPONG", "UDP"]

SMALL = 64
MESSAGE = b"x" * SMALL


def _pingpong_sampler(pair: tuple[Any, Any], iterations: int) -> Sampler:
    a, b = pair
    # Bound methods fetched once, as a tight user loop would; same for both sides.
    a_send, a_recv, b_send, b_recv = a.send, a.recv, b.send, b.recv

    def sample() -> float:
        with quiet_gc():
            start = time.perf_counter_ns()
            for _ in range(iterations):
                a_send(MESSAGE)
                b_recv(SMALL)
                b_send(MESSAGE)
                a_recv(SMALL)
            elapsed = time.perf_counter_ns() - start
        return elapsed / iterations / 1000

    return sample


def _prepare_pingpong(scale: Scale) -> Contest:
    iterations = scale.pick(20_000, 500)
    theirs = socket.socketpair()
    mine = multisock.socketpair()
    floor, why = floor_sampler("pingpong", str(iterations * 2), factor=1e-3)

    def close() -> None:
        for sock in (*theirs, *mine):
            sock.close()

    return Contest(
        stdlib=_pingpong_sampler(theirs, iterations),
        multisock=_pingpong_sampler(mine, iterations),
        floor=floor,
        floor_note=why or "C: send+recv both ways over socketpair()",
        close=close,
    )


PINGPONG = Case(
    name="pingpong",
    title="64-byte send + recv ping-pong over socketpair()",
    unit="µs/round trip",
    prepare=_prepare_pingpong,
    rounds=51,
    target=Target("<=", 1.03),
)


def _udp_sampler(factory: Any, iterations: int) -> tuple[Sampler, list[Any]]:
    sender = factory(socket.AF_INET, socket.SOCK_DGRAM)
    receiver = factory(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    # A plain tuple, built once and reused by the loop, as user code holding a peer does.
    address = ("127.0.0.1", receiver.getsockname()[1])
    sendto, recvfrom = sender.sendto, receiver.recvfrom

    def sample() -> float:
        with quiet_gc():
            start = time.perf_counter_ns()
            for _ in range(iterations):
                sendto(MESSAGE, address)
                recvfrom(SMALL)
            elapsed = time.perf_counter_ns() - start
        return elapsed / iterations / 1000

    return sample, [sender, receiver]


def _prepare_udp(scale: Scale) -> Contest:
    iterations = scale.pick(40_000, 1000)
    theirs, their_socks = _udp_sampler(socket.socket, iterations)
    mine, my_socks = _udp_sampler(multisock.Socket, iterations)
    floor, why = floor_sampler("udp", str(iterations * 2), factor=1e-3)

    def close() -> None:
        for sock in (*their_socks, *my_socks):
            sock.close()

    return Contest(
        stdlib=theirs,
        multisock=mine,
        floor=floor,
        floor_note=why or "C: sendto+recvfrom over 127.0.0.1",
        close=close,
    )


UDP = Case(
    name="udp_sendto",
    title="64-byte UDP sendto (plain tuple address) + recvfrom over loopback",
    unit="µs/datagram",
    prepare=_prepare_udp,
    rounds=51,
    target=Target("<=", 1.05),
)
