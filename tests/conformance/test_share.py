"""share(process_id) and fromshare(data): a duplicate of a socket for exactly one process.

Windows' methods; a backend that declares them elsewhere must keep their meaning: the data lets
process ``process_id``, and no other, obtain a working duplicate.
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
from .plugin import open_descriptors

CHILD_TIMEOUT = 60.0


def _offers_running() -> int:
    return sum(t.name.startswith("multisock-share") for t in threading.enumerate())


def _settle(predicate: Any, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)
    return bool(predicate())


@pytest.mark.requires("method:share", "feature:fromshare")
def test_share_gives_this_process_a_working_duplicate(sockets: SocketFactory) -> None:
    a, b = sockets.tcp_pair()
    data = a.share(os.getpid())
    assert isinstance(data, bytes)
    copy = multisock.fromshare(data)
    sockets.track(copy)
    assert type(copy) is type(a)
    assert copy.fileno() != a.fileno()
    assert (copy.family, copy.type, copy.proto) == (a.family, a.type, a.proto)
    assert copy.getsockname() == a.getsockname()
    a.close()  # the duplicate is independent of the original
    copy.sendall(b"from the duplicate")
    assert b.recv(64) == b"from the duplicate"
    assert _settle(lambda: _offers_running() == 0), "the offer's thread outlived its use"


@pytest.mark.requires("method:share", "feature:fromshare")
def test_share_data_is_good_for_one_duplicate(sockets: SocketFactory) -> None:
    sock = sockets.new(socket.AF_INET, socket.SOCK_DGRAM)
    data = sock.share(os.getpid())
    sockets.track(multisock.fromshare(data))
    with pytest.raises(ConnectionRefusedError, match="no longer offered"):
        multisock.fromshare(data)


@pytest.mark.requires("method:share", "feature:fromshare")
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


@pytest.mark.requires("method:share", "feature:fromshare")
def test_an_offer_expires(sockets: SocketFactory) -> None:
    sock = sockets.new()
    data = sock.share(os.getpid(), timeout=0.2)
    assert _settle(lambda: _offers_running() == 0), "the offer did not expire"
    with pytest.raises(ConnectionRefusedError):
        multisock.fromshare(data)


@pytest.mark.requires("method:share", "feature:fromshare")
def test_detach_withdraws_offers(sockets: SocketFactory) -> None:
    sock = sockets.new()
    data = sock.share(os.getpid())
    os.close(sock.detach())
    assert _offers_running() == 0
    with pytest.raises(ConnectionRefusedError):
        multisock.fromshare(data)


CHILD = textwrap.dedent(
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
        [sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )


def _send(child: subprocess.Popen[bytes], data: bytes) -> None:
    assert child.stdin is not None
    child.stdin.write(data.hex().encode() + b"\n")
    child.stdin.close()


@pytest.mark.requires("method:share", "feature:fromshare")
def test_a_listening_socket_shared_with_a_child_process(sockets: SocketFactory) -> None:
    listener = sockets.listener()
    with _child() as child:
        try:
            _send(child, listener.share(child.pid))
            client = sockets.new()
            client.settimeout(CHILD_TIMEOUT)
            client.connect(listener.getsockname())
            assert client.recv(64) == b"accepted by %d" % child.pid
        finally:
            assert child.wait(CHILD_TIMEOUT) == 0


@pytest.mark.requires("method:share", "feature:fromshare")
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
    "pid str": (lambda s: s.share("1"), TypeError, "process_id"),
    "pid zero": (lambda s: s.share(0), ValueError, "process_id"),
    "pid huge": (lambda s: s.share(2**40), OverflowError, "process_id"),
    "timeout zero": (lambda s: s.share(1, timeout=0), ValueError, "timeout"),
    "timeout str": (lambda s: s.share(1, timeout="1"), TypeError, "timeout"),
    "data str": (lambda s: multisock.fromshare(NOT_BYTES), TypeError, "data"),
    "data unknown": (lambda s: multisock.fromshare(b"not share data"), ValueError, "data"),
    "data cut": (lambda s: multisock.fromshare(s.share(1)[:-3]), ValueError, "malformed"),
}


@pytest.mark.requires("validation:share", "method:share", "feature:fromshare")
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
