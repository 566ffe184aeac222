"""The example backend's own feature: its counters."""

from __future__ import annotations

import socket

import multisock
from multisock_counting import CountingSocket


def test_registered_through_its_entry_point() -> None:
    info = {b.name: b for b in multisock.backends()}["counting"]
    assert (info.distribution, info.version) == ("multisock-counting", "1.0.0")
    assert info.available
    assert info.capabilities is not None
    assert "byte_counting" in info.capabilities.features


def test_counts_stream_bytes() -> None:
    a, b = multisock.socketpair(backend="counting")
    with a, b:
        assert isinstance(a, CountingSocket)
        assert isinstance(b, CountingSocket)
        a.sendall(b"hello world")
        a.send(b"!")
        assert b.recv(5) == b"hello"
        buffer = bytearray(16)
        assert b.recv_into(buffer) == 7
        assert (a.bytes_sent, a.bytes_received) == (12, 0)
        assert (b.bytes_sent, b.bytes_received) == (0, 12)


def test_counts_datagrams_and_accepted_sockets_start_at_zero() -> None:
    with (
        multisock.Socket(socket.AF_INET, socket.SOCK_DGRAM, backend="counting") as a,
        multisock.Socket(socket.AF_INET, socket.SOCK_DGRAM, backend="counting") as b,
    ):
        assert isinstance(a, CountingSocket)
        assert isinstance(b, CountingSocket)
        b.bind(("127.0.0.1", 0))
        a.sendto(b"abc", b.getsockname())
        a.sendto(b"de", 0, b.getsockname())
        assert b.recvfrom(10)[0] == b"abc"
        assert b.recvfrom_into(bytearray(10))[0] == 2
        assert (a.bytes_sent, b.bytes_received) == (5, 5)
    with multisock.create_server(("127.0.0.1", 0), backend="counting") as server:
        client = multisock.create_connection(server.getsockname(), backend="counting")
        accepted, _ = server.accept()
        with client, accepted:
            assert isinstance(accepted, CountingSocket)
            assert accepted.bytes_received == 0
            client.sendall(b"xyz")
            assert accepted.recv(3) == b"xyz"
            assert accepted.bytes_received == 3
