"""makefile() and sendfile()."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

from .flavours import Flavour, SocketFactory, assert_like_stdlib


@pytest.mark.requires("method:makefile")
def test_makefile_binary_read_and_write(sockets: SocketFactory) -> None:
    a, b = sockets.tcp_pair()
    with a.makefile("wb") as writer, b.makefile("rb") as reader:
        writer.write(b"line one\nline two\n")
        writer.flush()
        assert reader.readline() == b"line one\n"
        assert reader.read(9) == b"line two\n"


@pytest.mark.requires("method:makefile")
def test_makefile_text_mode(sockets: SocketFactory) -> None:
    a, b = sockets.tcp_pair()
    with a.makefile("w", encoding="utf-8", newline="\n") as writer:
        writer.write("grüße\n")
    with b.makefile("r", encoding="utf-8") as reader:
        assert reader.readline() == "grüße\n"


@pytest.mark.requires("method:makefile")
def test_makefile_keeps_the_socket_open_until_closed(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        a, b = s.tcp_pair()
        reader = b.makefile("rb")
        b.close()  # the file still uses the descriptor
        a.sendall(b"after close\n")
        line = reader.readline()
        reader.close()
        return line, b.fileno()

    assert assert_like_stdlib(scenario, flavour).value == (b"after close\n", -1)


@pytest.mark.requires("method:makefile")
def test_makefile_rejects_a_bad_mode(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        return s.new().makefile("z")

    assert isinstance(assert_like_stdlib(scenario, flavour).error, ValueError)


def _file(tmp_path: Path, size: int) -> Path:
    path = tmp_path / "payload.bin"
    path.write_bytes(os.urandom(size))
    return path


@pytest.mark.requires("method:sendfile")
@pytest.mark.parametrize(("offset", "count"), [(0, None), (1000, None), (10, 5000)])
def test_sendfile(offset: int, count: int | None, sockets: SocketFactory, tmp_path: Path) -> None:
    path = _file(tmp_path, 300_000)
    data = path.read_bytes()
    expected = data[offset : offset + count if count else None]
    a, b = sockets.tcp_pair()
    received = bytearray()

    def read_all() -> None:
        while len(received) < len(expected):
            chunk = b.recv(65536)
            if not chunk:
                break
            received.extend(chunk)

    reader = threading.Thread(target=read_all)
    reader.start()
    with path.open("rb") as file:
        sent = a.sendfile(file, offset, count)
        assert file.tell() == offset + sent
    reader.join(10)
    assert sent == len(expected)
    assert bytes(received) == expected


@pytest.mark.requires("method:sendfile")
def test_sendfile_refuses_non_blocking_sockets(flavour: Flavour, tmp_path: Path) -> None:
    path = _file(tmp_path, 100)

    def scenario(s: SocketFactory) -> Any:
        a, _ = s.tcp_pair()
        a.setblocking(False)
        with path.open("rb") as file:
            return a.sendfile(file)

    assert isinstance(assert_like_stdlib(scenario, flavour).error, ValueError)


@pytest.mark.requires("method:sendfile", "type:SOCK_DGRAM")
def test_sendfile_refuses_datagram_sockets(flavour: Flavour, tmp_path: Path) -> None:
    path = _file(tmp_path, 100)

    def scenario(s: SocketFactory) -> Any:
        a, _ = s.udp_pair()
        with path.open("rb") as file:
            return a.sendfile(file)

    assert isinstance(assert_like_stdlib(scenario, flavour).error, ValueError)
