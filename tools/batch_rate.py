"""A quick measurement: linux_ext's sendmmsg/recvmmsg against a stdlib sendto/recvfrom loop.

64-byte UDP datagrams over loopback, in batches of 64; prints datagrams per second for
sending, receiving and both, best of a few rounds (the formal benchmark lives elsewhere)::

    python tools/batch_rate.py [--rounds 2000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import socket
import time
from collections.abc import Callable
from typing import Any

import multisock

SIZE = 64
BATCH = 64


def pair(make: Callable[[int, int], Any]) -> tuple[Any, Any]:
    a, b = make(socket.AF_INET, socket.SOCK_DGRAM), make(socket.AF_INET, socket.SOCK_DGRAM)
    a.bind(("127.0.0.1", 0))
    b.bind(("127.0.0.1", 0))
    b.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    return a, b


def rates(send: Callable[[], None], receive: Callable[[], None], rounds: int) -> tuple[float, ...]:
    """Datagrams per second: sending, receiving, and the two together."""
    sending = receiving = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        send()
        middle = time.perf_counter()
        receive()
        sending += middle - started
        receiving += time.perf_counter() - middle
    count = rounds * BATCH
    return count / sending, count / receiving, count / (sending + receiving)


def stdlib_calls(a: Any, b: Any) -> tuple[Callable[[], None], Callable[[], None]]:
    payload, target = b"x" * SIZE, b.getsockname()

    def send() -> None:
        for _ in range(BATCH):
            a.sendto(payload, target)

    def receive() -> None:
        for _ in range(BATCH):
            b.recvfrom(2048)

    return send, receive


def batch_calls(a: Any, b: Any) -> tuple[Callable[[], None], Callable[[], None]]:
    datagrams, target = [b"x" * SIZE] * BATCH, b.getsockname()

    def send() -> None:
        assert a.sendmmsg(datagrams, target) == BATCH

    def receive() -> None:
        got = 0
        while got < BATCH:
            got += len(b.recvmmsg(BATCH, 2048))

    return send, receive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    plain = stdlib_calls(*pair(socket.socket))
    batched = batch_calls(*pair(lambda f, t: multisock.Socket(f, t, backend="linux_ext")))
    best_plain = best_batch = (0.0, 0.0, 0.0)
    for _ in range(args.repeat):  # interleaved, so both see the same machine load
        best_plain = tuple(map(max, best_plain, rates(*plain, args.rounds)))  # type: ignore[assignment]
        best_batch = tuple(map(max, best_batch, rates(*batched, args.rounds)))  # type: ignore[assignment]
    print(f"{SIZE}-byte datagrams in batches of {BATCH}, datagrams/s (best of {args.repeat}):")
    print(f"{'':28}{'send':>12}{'receive':>12}{'both':>12}")
    print(f"{'stdlib sendto/recvfrom':28}" + "".join(f"{r:12,.0f}" for r in best_plain))
    print(f"{'linux_ext sendmmsg/recvmmsg':28}" + "".join(f"{r:12,.0f}" for r in best_batch))
    ratios = "".join(f"{b / p:11.2f}x" for b, p in zip(best_batch, best_plain, strict=True))
    print(f"{'ratio':28}{ratios}")


if __name__ == "__main__":
    main()
