"""A quick measurement: linux_ext's sendmmsg/recvmmsg against a stdlib sendto/recvfrom loop.

64-byte UDP datagrams over loopback, in batches of 64; prints datagrams per second for
sending, receiving and both, best of a few rounds, for recvmmsg without and with UDP_GRO on
the receiving socket (the formal benchmark lives elsewhere)::

    python tools/batch_rate.py [--rounds 2000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import socket
import time
from collections.abc import Callable
from typing import Any

import multisock
from multisock.options import OPTIONS

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
    linux = pair(lambda f, t: multisock.Socket(f, t, backend="linux_ext"))
    coalescing = pair(lambda f, t: multisock.Socket(f, t, backend="linux_ext"))
    coalescing[1].set_option(OPTIONS["UDP_GRO"], True)
    contenders = {
        "stdlib sendto/recvfrom": stdlib_calls(*pair(socket.socket)),
        "linux_ext sendmmsg/recvmmsg": batch_calls(*linux),
        "  recvmmsg with UDP_GRO": batch_calls(*coalescing),
    }
    best: dict[str, tuple[float, ...]] = dict.fromkeys(contenders, (0.0, 0.0, 0.0))
    for _ in range(args.repeat):  # interleaved, so all see the same machine load
        for name, calls in contenders.items():
            best[name] = tuple(map(max, best[name], rates(*calls, args.rounds)))
    print(f"{SIZE}-byte datagrams in batches of {BATCH}, datagrams/s (best of {args.repeat}):")
    print(f"{'':30}{'send':>12}{'receive':>12}{'both':>12}")
    baseline = best["stdlib sendto/recvfrom"]
    for name, rate in best.items():
        print(f"{name:30}" + "".join(f"{r:12,.0f}" for r in rate))
        if rate is not baseline:
            ratios = "".join(f"{b / p:11.2f}x" for b, p in zip(rate, baseline, strict=True))
            print(f"{'  ratio to stdlib':30}{ratios}")


if __name__ == "__main__":
    main()
