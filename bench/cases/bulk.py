"""Bulk transfer: 1 MiB sendall() calls against recv_into() over 127.0.0.1 TCP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import multisock

from ..floor import floor_sampler
from ..harness import Case, Contest, Sampler, Scale, Target, quiet_gc

__all__ = ["BULK"]

CHUNK = 1 << 20


def _connected(
    create_server: Callable[..., Any], create_connection: Callable[..., Any]
) -> list[Any]:
    listener = create_server(("127.0.0.1", 0))
    client = create_connection(("127.0.0.1", listener.getsockname()[1]))
    server, _ = listener.accept()
    return [listener, client, server]


def _bulk_sampler(socks: list[Any], total: int) -> Sampler:
    _, client, server = socks
    chunk = bytes(CHUNK)
    buffer = memoryview(bytearray(CHUNK))

    def send() -> None:
        sendall = client.sendall
        for _ in range(total // CHUNK):
            sendall(chunk)

    def sample() -> float:
        recv_into = server.recv_into
        sender = threading.Thread(target=send)
        with quiet_gc():
            start = time.perf_counter_ns()
            sender.start()
            received = 0
            while received < total:
                got = recv_into(buffer)
                if not got:
                    raise ConnectionError("the sender closed early")
                received += got
            sender.join()
            elapsed = time.perf_counter_ns() - start
        return (total / CHUNK) / (elapsed / 1e9)

    return sample


def _prepare_bulk(scale: Scale) -> Contest:
    mib = scale.pick(512, 8)
    theirs = _connected(socket.create_server, socket.create_connection)
    mine = _connected(multisock.create_server, multisock.create_connection)
    floor, why = floor_sampler("bulk", str(mib), str(CHUNK))

    def close() -> None:
        for sock in (*theirs, *mine):
            sock.close()

    return Contest(
        stdlib=_bulk_sampler(theirs, mib * CHUNK),
        multisock=_bulk_sampler(mine, mib * CHUNK),
        floor=floor,
        floor_note=why or "C: send() in a forked child, recv() in the parent",
        close=close,
    )


BULK = Case(
    name="bulk",
    title="bulk transfer over 127.0.0.1 TCP: 1 MiB sendall + recv_into, 512 MiB a round",
    unit="MiB/s",
    prepare=_prepare_bulk,
    rounds=15,
    higher_is_better=True,
    target=Target(">=", 0.98),
)
