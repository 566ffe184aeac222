"""share(process_id) and fromshare(data): a duplicate of a socket for exactly one process.

Windows' methods; a backend that declares them elsewhere must keep their meaning. The first
tests hold for every such backend: ``multisock.fromshare(data)``, called without naming a
backend, must find the one whose ``share()`` made the data. The last ones hold for backends
that serve shares as time-limited offers of one duplicate, checked against the caller's
process id (feature ``share_offers``: linux_ext).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

import multisock

from .flavours import SocketFactory
from .hygiene import open_descriptors

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
    with pytest.raises(multisock.ValidationError) as caught:
        multisock.fromshare(garbage)
    if hasattr(socket, "fromshare"):  # the stdlib's type, where the stdlib has fromshare
        with pytest.raises(Exception) as stdlib_caught:
            getattr(socket, "fromshare")(garbage)  # noqa: B009 - Windows-only function
        assert isinstance(caught.value, type(stdlib_caught.value))
    assert "allowed:" in str(caught.value)


# -- backends that serve shares as offers (feature share_offers) ---------------------------

CHILD_TIMEOUT = 60.0


def _offers_running() -> int:
    return sum(t.name.startswith("multisock-share") for t in threading.enumerate())


def _settle(predicate: Any, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)
    return bool(predicate())


@pytest.mark.requires("feature:share_offers", "method:share")
def test_share_data_is_good_for_one_duplicate(sockets: SocketFactory) -> None:
    sock = sockets.new(socket.AF_INET, socket.SOCK_DGRAM)
    data = sock.share(os.getpid())
    sockets.track(multisock.fromshare(data))
    with pytest.raises(ConnectionRefusedError, match="no longer offered"):
        multisock.fromshare(data)


@pytest.mark.requires("feature:share_offers", "method:share")
def test_share_for_another_process_is_refused_here(sockets: SocketFactory) -> None:
    sock = sockets.new()
    other = os.getppid()
    data = sock.share(other)
    descriptors = open_descriptors()
    with pytest.raises(PermissionError) as caught:
        multisock.fromshare(data)
    assert f"for process {other}, not {os.getpid()}" in str(caught.value)
    assert open_descriptors() == descriptors
    assert _offers_running() == 1  # refusing a caller does not end the offer
    sock.close()  # closing the socket does
    assert _offers_running() == 0
    with pytest.raises(ConnectionRefusedError, match="no longer offered"):
        multisock.fromshare(data)


@pytest.mark.requires("feature:share_offers", "method:share")
def test_an_offer_expires(sockets: SocketFactory) -> None:
    sock = sockets.new()
    data = sock.share(os.getpid(), timeout=0.2)
    assert _settle(lambda: _offers_running() == 0), "the offer did not expire"
    with pytest.raises(ConnectionRefusedError):
        multisock.fromshare(data)


@pytest.mark.requires("feature:share_offers", "method:share")
def test_detach_withdraws_offers(sockets: SocketFactory) -> None:
    sock = sockets.new()
    data = sock.share(os.getpid())
    os.close(sock.detach())
    assert _offers_running() == 0
    with pytest.raises(ConnectionRefusedError):
        multisock.fromshare(data)


OFFER_CHILD = textwrap.dedent(
    """
    import os, sys
    import multisock
    data = bytes.fromhex(sys.stdin.readline())
    try:
        listener = multisock.fromshare(data)
    except PermissionError as exc:
        print(exc, flush=True)
        sys.exit(3)
    with listener:
        connection, _ = listener.accept()
        with connection:
            connection.sendall(b"accepted by %d" % os.getpid())
    """
)


def _child() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", OFFER_CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )


def _send(child: subprocess.Popen[bytes], data: bytes) -> None:
    assert child.stdin is not None
    child.stdin.write(data.hex().encode() + b"\n")
    child.stdin.close()


@pytest.mark.requires("feature:share_offers", "method:share")
def test_a_child_process_cannot_use_data_shared_with_another(sockets: SocketFactory) -> None:
    listener = sockets.listener()
    with _child() as child:
        _send(child, listener.share(os.getpid()))
        assert child.wait(CHILD_TIMEOUT) == 3
        assert child.stdout is not None
        said = child.stdout.read().decode()
    assert f"for process {os.getpid()}, not {child.pid}" in said
    sockets.track(multisock.fromshare(listener.share(os.getpid())))  # this process still may


Call = Callable[[Any], Any]
NOT_BYTES: Any = "data"
BAD_SHARES: dict[str, tuple[Call, type[BaseException], str]] = {
    "timeout zero": (lambda s: s.share(1, timeout=0), ValueError, "timeout"),
    "timeout str": (lambda s: s.share(1, timeout="1"), TypeError, "timeout"),
    "data str": (lambda s: multisock.fromshare(NOT_BYTES), TypeError, "data"),
    "data unknown": (lambda s: multisock.fromshare(b"not share data"), ValueError, "data"),
    "data cut": (lambda s: multisock.fromshare(s.share(1)[:-3]), ValueError, "malformed"),
}


@pytest.mark.requires("validation:share", "feature:share_offers")
@pytest.mark.parametrize("case", sorted(BAD_SHARES))
def test_bad_share_arguments_are_refused(case: str, sockets: SocketFactory) -> None:
    call, expected, mentions = BAD_SHARES[case]
    sock = sockets.new()
    with pytest.raises(expected) as caught:
        call(sock)
    assert isinstance(caught.value, multisock.ValidationError)
    assert mentions in str(caught.value)
    sock.close()
    assert _offers_running() == 0
