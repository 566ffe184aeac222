"""Descriptor passing (SCM_RIGHTS), credentials (SCM_CREDENTIALS), SO_PEERCRED, and Linux's
abstract Unix namespace: within one process and across processes.

Received descriptors are owned objects: every test counts the process's open descriptors
before and after, beside the hygiene check that does so around every test.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

import multisock
from multisock import UnixAddress
from multisock.ancillary import (
    ControlTruncated,
    Credentials,
    OwnedFd,
    ReceivedFds,
    Rights,
)
from multisock.options import OPTIONS

from .flavours import Flavour, SocketFactory, assert_like_stdlib
from .hygiene import open_descriptors

CHILD_TIMEOUT = 60.0


@contextmanager
def no_new_descriptors() -> Iterator[None]:
    """Assert the block leaves exactly as many descriptors open as it found."""
    before = open_descriptors()
    yield
    assert open_descriptors() == before, "descriptors were left open"


@contextmanager
def pipe() -> Iterator[tuple[int, int]]:
    read_end, write_end = os.pipe()
    try:
        yield read_end, write_end
    finally:
        os.close(read_end)
        os.close(write_end)


def unix_pair(sockets: SocketFactory, kind: int = socket.SOCK_STREAM) -> tuple[Any, Any]:
    return sockets.pair(socket.AF_UNIX, kind)


@pytest.mark.requires("feature:fd_passing", "ancillary:SCM_RIGHTS")
def test_a_passed_descriptor_reaches_the_same_file(sockets: SocketFactory) -> None:
    a, b = unix_pair(sockets)
    with no_new_descriptors(), pipe() as (read_end, write_end):
        assert a.send_fds([b"fd"], [write_end]) == 2
        data, fds, flags, _address = b.recv_fds(16, 1)
        assert (data, flags, len(fds)) == (b"fd", 0, 1)
        assert isinstance(fds, ReceivedFds)
        with fds:
            (received,) = fds
            assert isinstance(received, OwnedFd)
            assert received.fileno() != write_end
            assert os.get_inheritable(received.fileno()) is False  # close-on-exec
            os.write(received.fileno(), b"through the copy")
        assert received.closed
        assert os.read(read_end, 100) == b"through the copy"


@pytest.mark.requires("feature:fd_passing", "ancillary:SCM_RIGHTS")
def test_several_descriptors_and_sockets_in_one_message(sockets: SocketFactory) -> None:
    a, b = unix_pair(sockets, socket.SOCK_DGRAM)
    x, y = unix_pair(sockets)
    with no_new_descriptors(), pipe() as (read_end, write_end):
        a.send_fds([b"three"], [read_end, write_end, x])  # an object with fileno() too
        data, fds, _, _ = b.recv_fds(16, 3)
        with fds:
            assert data == b"three"
            assert len(fds) == 3
            with multisock.Socket(fileno=fds[2].detach()) as copy:
                copy.sendall(b"via the passed socket")
                assert y.recv(64) == b"via the passed socket"
            assert fds[2].closed  # detached: no longer this object's to close


@pytest.mark.requires("feature:fd_passing", "ancillary:SCM_RIGHTS")
def test_detach_hands_the_descriptor_over(sockets: SocketFactory) -> None:
    a, b = unix_pair(sockets)
    with no_new_descriptors(), pipe() as (_read_end, write_end):
        a.send_fds([b"x"], [write_end])
        _, fds, _, _ = b.recv_fds(1, 1)
        (number,) = fds.detach()
        fds.close()  # closes nothing: the number is the caller's now
        os.fstat(number)
        os.close(number)
        with pytest.raises(ValueError, match="closed or detached"):
            fds[0].fileno()


@pytest.mark.requires("feature:fd_passing", "ancillary:SCM_RIGHTS")
def test_an_unclosed_received_descriptor_is_closed_when_collected(sockets: SocketFactory) -> None:
    a, b = unix_pair(sockets)
    with no_new_descriptors(), pipe() as (_read_end, write_end):
        a.send_fds([b"x"], [write_end])
        _, fds, _, _ = b.recv_fds(1, 1)
        number = fds[0].fileno()
        with pytest.warns(ResourceWarning, match="unclosed received descriptor"):
            del fds  # the last reference: CPython finalizes the descriptors at once
        with pytest.raises(OSError):
            os.fstat(number)


@pytest.mark.requires("feature:fd_passing", "ancillary:SCM_RIGHTS")
@pytest.mark.parametrize("sent", [2, 12])
def test_too_small_a_control_buffer_closes_what_arrived(sent: int, sockets: SocketFactory) -> None:
    a, b = unix_pair(sockets)
    with no_new_descriptors(), pipe() as (_read_end, write_end):
        a.send_fds([b"data"], [write_end] * sent)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ResourceWarning)
            with pytest.raises(ControlTruncated) as caught:
                b.recv_fds(16, 1)
    exc = caught.value
    assert isinstance(exc, OSError)
    assert exc.closed == 1  # the kernel installed one, multisock closed it
    assert exc.data == b"data"
    assert "MSG_CTRUNC" in str(exc)
    assert "maxfds" in str(exc)
    with no_new_descriptors():
        a.send_fds([b"next"], [a])
        with pytest.raises(ControlTruncated) as no_room:
            b.recv_message(16, ancbufsize=0)
    assert no_room.value.closed == 0
    assert no_room.value.data == b"next"


@pytest.mark.requires("feature:fd_passing", "ancillary:SCM_RIGHTS")
def test_typed_rights_in_sendmsg_and_recv_message(sockets: SocketFactory) -> None:
    a, b = unix_pair(sockets, socket.SOCK_SEQPACKET)
    with no_new_descriptors(), pipe() as (read_end, write_end):
        assert a.sendmsg([b"typed"], [Rights([write_end])]) == 5
        with b.recv_message(64, maxfds=4) as message:
            assert message.data == b"typed"
            assert len(message.fds) == 1
            assert message.credentials is None
            assert message.other == []
            os.write(message.fds[0].fileno(), b"!")
        assert os.read(read_end, 1) == b"!"


@pytest.mark.requires("ancillary:SCM_CREDENTIALS", "option:SO_PASSCRED")
def test_so_passcred_receives_the_senders_credentials(sockets: SocketFactory) -> None:
    a, b = unix_pair(sockets, socket.SOCK_DGRAM)
    b.set_option(OPTIONS["SO_PASSCRED"], True)
    a.send(b"who")
    with b.recv_message(16) as message:
        assert message.data == b"who"
        assert message.credentials == Credentials.current()
    a.sendmsg([b"explicit"], [Credentials.current()])
    with b.recv_message(16) as message:
        assert (message.data, message.credentials) == (b"explicit", Credentials.current())


@pytest.mark.requires("ancillary:SCM_CREDENTIALS")
def test_claiming_another_processes_credentials_is_refused(sockets: SocketFactory) -> None:
    a, _ = unix_pair(sockets, socket.SOCK_DGRAM)
    if os.getuid() == 0:
        pytest.skip("not applicable: root may claim any credentials")
    forged = Credentials(pid=1, uid=0, gid=0)
    with pytest.raises(PermissionError):
        a.sendmsg([b"forged"], [forged])


BAD_SENDS: dict[str, tuple[Callable[[Any, int], Any], type[BaseException], str]] = {
    "fds str": (lambda s, fd: s.send_fds([b"x"], "3"), TypeError, "fds"),
    "fds negative": (lambda s, fd: s.send_fds([b"x"], [-1]), ValueError, "fds[0]"),
    "fds float": (lambda s, fd: s.send_fds([b"x"], [fd, 1.5]), TypeError, "fds[1]"),
    "too many": (lambda s, fd: s.send_fds([b"x"], [fd] * 254), OSError, "253"),
    "no data": (lambda s, fd: s.send_fds([], [fd]), ValueError, "data"),
    "buffers bytes": (lambda s, fd: s.send_fds(b"x", [fd]), TypeError, "buffers"),
    "buffers of str": (lambda s, fd: s.send_fds(["x"], [fd]), TypeError, "buffers[0]"),
    "maxfds big": (lambda s, fd: s.recv_fds(1, 254), ValueError, "maxfds"),
    "maxfds str": (lambda s, fd: s.recv_fds(1, "1"), TypeError, "maxfds"),
    "ancdata int": (lambda s, fd: s.sendmsg([b"x"], 5), TypeError, "ancdata"),
}


@pytest.mark.requires("validation:fd_passing", "feature:fd_passing")
@pytest.mark.parametrize("case", sorted(BAD_SENDS))
def test_bad_descriptor_arguments_are_refused(case: str, sockets: SocketFactory) -> None:
    call, expected, mentions = BAD_SENDS[case]
    a, b = unix_pair(sockets)
    with no_new_descriptors(), pipe() as (_read_end, write_end):
        with pytest.raises(expected) as caught:
            call(a, write_end)
        assert isinstance(caught.value, multisock.ValidationError)
        assert mentions in str(caught.value)
        assert "allowed" in str(caught.value)
        a.setblocking(False)
        b.setblocking(False)
        with pytest.raises(BlockingIOError):  # nothing was sent
            b.recv(1)


CHILD = textwrap.dedent(
    """
    import os, sys
    import multisock
    channel = multisock.Socket(fileno=int(sys.argv[1]), backend=sys.argv[2])
    with channel:
        data, fds, _, _ = channel.recv_fds(16, 1)
        with fds:
            listener = multisock.Socket(fileno=fds[0].detach(), backend=sys.argv[2])
        with listener:
            connection, _ = listener.accept()
            with connection:
                connection.sendall(b"accepted by %d" % os.getpid())
        channel.sendall(b"done")
    """
)


@pytest.mark.requires("feature:fd_passing", "ancillary:SCM_RIGHTS", "family:AF_INET")
def test_a_child_process_accepts_on_a_passed_listening_socket(
    sockets: SocketFactory, backend_name: str
) -> None:
    parent, child_end = unix_pair(sockets)
    listener = sockets.listener()
    address = listener.getsockname()
    fd = child_end.fileno()
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(fd), backend_name], pass_fds=[fd])
    try:
        child_end.close()
        parent.send_fds([b"L"], [listener])
        listener.close()  # the child's copy is the only one now
        client = sockets.new()
        client.settimeout(CHILD_TIMEOUT)
        client.connect(address)
        assert client.recv(64) == b"accepted by %d" % child.pid
        parent.settimeout(CHILD_TIMEOUT)
        assert parent.recv(16) == b"done"
    finally:
        assert child.wait(CHILD_TIMEOUT) == 0


# -- SO_PEERCRED and the abstract namespace ----------------------------------------------------


def abstract_name() -> bytes:
    return b"multisock-test-" + secrets.token_hex(8).encode()


@pytest.mark.requires("feature:abstract_unix", "family:AF_UNIX")
def test_abstract_addresses_bind_connect_and_read_back(sockets: SocketFactory) -> None:
    name = abstract_name()
    server = sockets.new(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(UnixAddress.abstract(name))
    server.listen()
    assert server.getsockname() == b"\0" + name
    local = server.local_address
    assert isinstance(local, UnixAddress)
    assert local.is_abstract
    assert local.name == name
    client = sockets.new(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(b"\0" + name)  # the plain form works as well
    accepted, _ = server.accept()
    sockets.track(accepted)
    client.sendall(b"abstract")
    assert accepted.recv(16) == b"abstract"
    assert client.peer_address == local


@pytest.mark.requires("feature:abstract_unix", "family:AF_UNIX")
def test_abstract_autobind_like_the_stdlib(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        sock = s.new(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind("")  # Linux picks a unique abstract name
        name = sock.getsockname()
        return type(name), name[:1], len(name)

    assert assert_like_stdlib(scenario, flavour).value == (bytes, b"\0", 6)


@pytest.mark.requires("feature:abstract_unix", "family:AF_UNIX")
def test_abstract_names_are_validated(sockets: SocketFactory) -> None:
    with pytest.raises(OSError, match="too long"):
        UnixAddress.abstract(b"x" * 108)  # 108 bytes after the NUL: one too many
    assert UnixAddress.abstract(b"x" * 107).name == b"x" * 107
    too_long = b"\0" + b"x" * 108
    with socket.socket(socket.AF_UNIX) as theirs, pytest.raises(OSError):
        theirs.bind(too_long)
    with pytest.raises(OSError) as caught:
        sockets.new(socket.AF_UNIX, socket.SOCK_STREAM).bind(too_long)
    assert isinstance(caught.value, multisock.ValidationError)
    assert "abstract" in str(caught.value)


@pytest.mark.requires("feature:peer_credentials", "option:SO_PEERCRED")
def test_peer_credentials_of_a_socketpair(sockets: SocketFactory) -> None:
    a, _ = unix_pair(sockets)
    assert (a.peer_credentials.pid, a.peer_credentials.uid, a.peer_credentials.gid) == (
        os.getpid(),
        os.getuid(),
        os.getgid(),
    )


PEER = textwrap.dedent(
    """
    import socket, sys
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(bytes.fromhex(sys.argv[1]))
        sock.recv(1)
    """
)


@pytest.mark.requires("feature:peer_credentials", "option:SO_PEERCRED", "feature:abstract_unix")
def test_peer_credentials_name_another_process(sockets: SocketFactory) -> None:
    address = b"\0" + abstract_name()
    server = sockets.new(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(address)
    server.listen()
    server.settimeout(CHILD_TIMEOUT)
    child = subprocess.Popen([sys.executable, "-c", PEER, address.hex()])
    try:
        accepted, _ = server.accept()
        sockets.track(accepted)
        credentials = accepted.get_option(OPTIONS["SO_PEERCRED"])
        assert (credentials.pid, credentials.uid, credentials.gid) == (
            child.pid,
            os.getuid(),
            os.getgid(),
        )
        assert accepted.peer_credentials == credentials
        accepted.sendall(b"k")
    finally:
        assert child.wait(CHILD_TIMEOUT) == 0
