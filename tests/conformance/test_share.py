"""share() and fromshare(): one socket used by this process and by another.

``multisock.fromshare(data)`` is called without naming a backend: it must find the backend
whose ``share()`` made the data.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from typing import Any

import pytest

import multisock

from .flavours import SocketFactory

# The child takes the listening socket over from the bytes on its stdin and accepts on it.
CHILD = textwrap.dedent(
    """
    import os, sys
    import multisock

    data = sys.stdin.buffer.read()
    with multisock.fromshare(data) as listener:
        listener.settimeout(60)
        connection, _ = listener.accept()
        with connection:
            connection.sendall(f"{listener.backend} {os.getpid()}".encode())
    """
)


def receive_all(sock: Any) -> bytes:
    chunks = []
    while chunk := sock.recv(4096):
        chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.requires("method:share", "feature:fromshare")
def test_share_and_fromshare_in_this_process(sockets: SocketFactory, backend_name: str) -> None:
    listener = sockets.listener()
    data = listener.share(os.getpid())
    assert isinstance(data, bytes)
    copy = multisock.fromshare(data)
    sockets.track(copy)
    assert isinstance(copy, multisock.Socket)
    assert copy.backend == backend_name
    assert copy.fileno() != listener.fileno()
    assert (copy.family, copy.type, copy.proto) == (listener.family, listener.type, listener.proto)
    assert copy.getsockname() == listener.getsockname()
    address = listener.getsockname()
    listener.close()  # the copy listens on
    client = sockets.new()
    client.connect(address)
    accepted, _ = copy.accept()
    sockets.track(accepted)
    assert type(accepted) is type(copy)
    client.sendall(b"through the copy")
    assert accepted.recv(64) == b"through the copy"


@pytest.mark.requires("feature:fromshare", "method:share")
def test_share_with_a_child_process(sockets: SocketFactory, backend_name: str) -> None:
    listener = sockets.listener()
    with subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as child:
        try:
            data = listener.share(child.pid)
            client = sockets.new()
            client.settimeout(60)
            client.connect(listener.getsockname())  # queued until the child accepts
            _, errors = child.communicate(data, timeout=120)
        except BaseException:
            child.kill()
            raise
    assert child.returncode == 0, errors.decode(errors="replace")
    assert receive_all(client) == f"{backend_name} {child.pid}".encode()


@pytest.mark.requires("validation:share", "method:share")
@pytest.mark.parametrize(
    ("process_id", "exc"),
    [
        ("1", TypeError),
        (1.5, TypeError),
        (None, TypeError),
        (0, OSError),
        (-1, OSError),
        (2**32, OSError),
    ],
    ids=["str", "float", "None", "zero", "negative", "too big"],
)
def test_share_refuses_a_bad_process_id(
    process_id: Any, exc: type[BaseException], sockets: SocketFactory
) -> None:
    sock = sockets.new()
    with pytest.raises(multisock.ValidationError) as caught:
        sock.share(process_id)
    assert isinstance(caught.value, exc)
    if hasattr(socket.socket, "share"):
        with socket.socket() as plain, pytest.raises(exc):
            getattr(plain, "share")(process_id)  # noqa: B009 - Windows-only method
    text = str(caught.value)
    for fragment in ("share()", "process_id", repr(process_id), "allowed:"):
        assert fragment in text, f"{fragment!r} not in {text!r}"


@pytest.mark.requires("validation:share", "feature:fromshare")
def test_fromshare_refuses_what_share_did_not_make(sockets: SocketFactory) -> None:
    for data, exc in (("text", TypeError), (b"", ValueError), (b"x" * 10, ValueError)):
        with pytest.raises(multisock.ValidationError) as caught:
            multisock.fromshare(data)  # type: ignore[arg-type]
        assert isinstance(caught.value, exc), data
        if hasattr(socket, "fromshare"):
            with pytest.raises(exc):
                getattr(socket, "fromshare")(data)  # noqa: B009 - Windows-only function
        assert "fromshare()" in str(caught.value)
        assert "allowed:" in str(caught.value)


@pytest.mark.requires("validation:share", "method:share", "feature:fromshare")
def test_fromshare_refuses_garbage_of_the_right_size(sockets: SocketFactory) -> None:
    sock = sockets.new()
    # share() data for this process; taken back at once, so no duplicate is left over.
    data = sock.share(os.getpid())
    sockets.track(multisock.fromshare(data))
    garbage = bytes(len(data))
    with pytest.raises(OSError) as caught:
        multisock.fromshare(garbage)
    assert isinstance(caught.value, multisock.ValidationError)
    if hasattr(socket, "fromshare"):
        with pytest.raises(OSError):
            getattr(socket, "fromshare")(garbage)  # noqa: B009 - Windows-only function
    assert "allowed:" in str(caught.value)
