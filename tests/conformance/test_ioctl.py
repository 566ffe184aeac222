"""ioctl (Windows' WSAIoctl): typed, validated values for each declared control code.

Each control code is tested where a backend declares it and the platform defines it; what
the platform refuses at run time (Wine has no SIO_LOOPBACK_FAST_PATH; SIO_RCVALL needs a raw
socket and administrator rights) is unsupported here, with the platform's exact error.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

import pytest

import multisock
from multisock.ioctls import IOCTLS, Control, KeepaliveValues, RcvAll
from multisock.options import OPTIONS

from .flavours import STDLIB, SocketFactory

KEEPALIVE_VALS = IOCTLS["SIO_KEEPALIVE_VALS"]
RCVALL = IOCTLS["SIO_RCVALL"]
FAST_PATH = IOCTLS["SIO_LOOPBACK_FAST_PATH"]
# What a platform answers for a control code or socket kind it does not offer.
NOT_HERE = {
    errno.ENOPROTOOPT,
    errno.EPROTONOSUPPORT,
    errno.EACCES,
    getattr(errno, "EOPNOTSUPP", -1),
    getattr(errno, "ESOCKTNOSUPPORT", -1),
}


def code(control: Control[Any]) -> int:
    number = control.code
    assert number is not None  # the plugin skips a control code the platform lacks
    return number


def keepalive_on(sock: Any) -> bool:
    return bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE))


@pytest.mark.requires("ioctl:SIO_KEEPALIVE_VALS")
def test_keepalive_vals_switch_keepalive_on_and_off(sockets: SocketFactory) -> None:
    sock = sockets.new()
    assert not keepalive_on(sock)
    assert sock.ioctl(code(KEEPALIVE_VALS), (1, 10_000, 3_000)) == 0
    assert keepalive_on(sock)
    off = KeepaliveValues(onoff=False, keepalivetime=10_000, keepaliveinterval=3_000)
    assert sock.ioctl(code(KEEPALIVE_VALS), off) == 0
    assert not keepalive_on(sock)


@pytest.mark.requires("ioctl:SIO_KEEPALIVE_VALS")
def test_keepalive_vals_times_read_back(sockets: SocketFactory, unsupported_here: Any) -> None:
    sock = sockets.new()
    sock.ioctl(code(KEEPALIVE_VALS), [1, 45_000, 7_000])  # any 3-item sequence, as the stdlib
    idle, interval = OPTIONS["TCP_KEEPIDLE"], OPTIONS["TCP_KEEPINTVL"]
    if not (idle.available and interval.available):
        unsupported_here("no TCP_KEEPIDLE and TCP_KEEPINTVL here to read the times back")
    try:
        times = (sock.get_option(idle), sock.get_option(interval))
    except OSError as exc:
        if exc.errno in NOT_HERE:
            unsupported_here(exc)
        raise
    assert times == (45, 7)


@pytest.mark.requires("ioctl:SIO_KEEPALIVE_VALS")
def test_keepalive_vals_on_a_live_connection(sockets: SocketFactory) -> None:
    a, b = sockets.tcp_pair()
    values = KeepaliveValues(onoff=True, keepalivetime=60_000, keepaliveinterval=1_000)
    assert a.ioctl(code(KEEPALIVE_VALS), values) == 0
    assert keepalive_on(a)
    a.sendall(b"still connected")
    assert b.recv(64) == b"still connected"


@pytest.mark.requires("ioctl:SIO_RCVALL", "type:SOCK_RAW")
def test_rcvall_on_a_raw_socket(sockets: SocketFactory, unsupported_here: Any) -> None:
    try:  # raw sockets need administrator rights on Windows; Wine has none of this kind
        raw = sockets.new(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IP)
    except OSError as exc:
        unsupported_here(exc)
    raw.bind(("127.0.0.1", 0))  # SIO_RCVALL wants an interface, not the wildcard address
    try:
        assert raw.ioctl(code(RCVALL), RcvAll.ON) == 0
    except OSError as exc:
        if exc.errno in NOT_HERE:
            unsupported_here(exc)
        raise
    assert raw.ioctl(code(RCVALL), RcvAll.OFF) == 0


@pytest.mark.requires("ioctl:SIO_LOOPBACK_FAST_PATH")
def test_loopback_fast_path(sockets: SocketFactory, unsupported_here: Any) -> None:
    server, client = sockets.new(), sockets.new()
    for sock in (server, client):  # both ends, before they connect
        try:
            assert sock.ioctl(code(FAST_PATH), True) == 0
        except OSError as exc:
            if exc.errno in NOT_HERE:
                unsupported_here(exc)
            raise
    server.bind(("127.0.0.1", 0))
    server.listen()
    client.connect(server.getsockname())
    accepted, _ = server.accept()
    sockets.track(accepted)
    client.sendall(b"fast")
    assert accepted.recv(16) == b"fast"


# (control, value, the exception it must also be, what the message must mention)
BAD: dict[str, tuple[str, Any, type[BaseException], tuple[str, ...]]] = {
    "keepalive time too big": (
        "SIO_KEEPALIVE_VALS",
        (1, 2**32, 3_000),
        OverflowError,
        ("keepalivetime", "4294967296", "0..4294967295", "milliseconds"),
    ),
    "keepalive interval negative": (
        "SIO_KEEPALIVE_VALS",
        (1, 1_000, -1),
        OverflowError,
        ("keepaliveinterval", "-1"),
    ),
    "keepalive onoff too big": (
        "SIO_KEEPALIVE_VALS",
        (2**32, 1_000, 1_000),
        OverflowError,
        ("onoff", "4294967296"),
    ),
    "keepalive time str": ("SIO_KEEPALIVE_VALS", (1, "10s", 1_000), TypeError, ("'10s'",)),
    "keepalive time float": ("SIO_KEEPALIVE_VALS", (1, 1.5, 1_000), TypeError, ("1.5",)),
    "keepalive two items": ("SIO_KEEPALIVE_VALS", (1, 1_000), TypeError, ("3 items",)),
    "keepalive an int": ("SIO_KEEPALIVE_VALS", 1_000, TypeError, ("KeepaliveValues",)),
    "keepalive None": ("SIO_KEEPALIVE_VALS", None, TypeError, ("None",)),
    "rcvall unknown mode": ("SIO_RCVALL", 9, OSError, ("SIO_RCVALL", "9", "RCVALL_OFF")),
    "rcvall negative": ("SIO_RCVALL", -1, OSError, ("-1",)),
    "rcvall str": ("SIO_RCVALL", "on", TypeError, ("'on'",)),
    "fast path str": ("SIO_LOOPBACK_FAST_PATH", "yes", TypeError, ("'yes'", "bool")),
    "fast path too big": ("SIO_LOOPBACK_FAST_PATH", 2**32, OverflowError, ("4294967296",)),
    "fast path negative": ("SIO_LOOPBACK_FAST_PATH", -1, OverflowError, ("-1",)),
}


def stdlib_refuses(control: int, value: Any) -> type[BaseException] | None:
    """What the stdlib raises for the value before any system call, if anything."""
    factory = SocketFactory(STDLIB)
    try:
        factory.new().ioctl(control, value)
    except OSError:
        return None  # the system's answer to a value the stdlib passed on
    except Exception as exc:
        return type(exc)
    finally:
        factory.close_all()
    return None


@pytest.mark.requires("validation:ioctl", "ioctl:{control}")
@pytest.mark.parametrize(
    ("label", "control"), [(label, case[0]) for label, case in BAD.items()], ids=list(BAD)
)
def test_bad_value_is_refused(label: str, control: str, sockets: SocketFactory) -> None:
    _, value, exc, mentions = BAD[label]
    number = code(IOCTLS[control])
    sock = sockets.new()
    with pytest.raises(multisock.ValidationError) as caught:
        sock.ioctl(number, value)
    error = caught.value
    assert isinstance(error, exc)
    stdlib_type = stdlib_refuses(number, value)
    if stdlib_type is not None:
        assert isinstance(error, stdlib_type), f"the stdlib raises {stdlib_type.__name__}"
    text = str(error)
    for fragment in ("ioctl()", control, "allowed:", *mentions):
        assert fragment in text, f"{fragment!r} not in {text!r}"
    assert not keepalive_on(sock)  # nothing was applied


@pytest.mark.requires("method:ioctl")
def test_unknown_control_code_is_unsupported(
    sockets: SocketFactory, backend_name: str, capabilities: Any
) -> None:
    sock = sockets.new()
    with pytest.raises(multisock.UnsupportedOperation) as caught:
        sock.ioctl(0x12345, 1)
    error = caught.value
    assert isinstance(error, ValueError)  # what the stdlib raises for a code it does not know
    assert error.errno == errno.EOPNOTSUPP
    assert error.backend == backend_name
    for fragment in ("ioctl()", str(0x12345), backend_name, *capabilities.ioctls):
        assert fragment in str(error)
    if hasattr(socket.socket, "ioctl"):
        with socket.socket() as plain, pytest.raises(ValueError):
            getattr(plain, "ioctl")(0x12345, 1)  # noqa: B009 - Windows-only method


@pytest.mark.requires("validation:ioctl", "method:ioctl")
def test_control_code_must_be_an_int(sockets: SocketFactory) -> None:
    sock = sockets.new()
    with pytest.raises(TypeError) as caught:
        sock.ioctl("SIO_KEEPALIVE_VALS", (1, 1_000, 1_000))
    assert isinstance(caught.value, multisock.ValidationError)
    assert "control" in str(caught.value)
    assert "allowed:" in str(caught.value)
