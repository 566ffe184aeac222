"""Validation at the API boundary: bad input is refused before any system call.

Each bad input must raise a multisock.ValidationError that is also an instance of the
exception type the stdlib raises for it (checked by running the stdlib on the same input),
with a message naming the call, the argument, the value and what is allowed; and must leave
nothing open (the hygiene check counts descriptors around every test).
"""

from __future__ import annotations

import math
import os
import socket
from dataclasses import dataclass
from typing import Any

import pytest

import multisock
from multisock.options import OPTIONS

from .flavours import STDLIB, SocketFactory


@dataclass(frozen=True)
class Case:
    kind: str  # the socket to call it on
    call: str  # evaluated with ``sock`` bound
    exc: type[BaseException]  # what it must also be
    mentions: tuple[str, ...] = ()  # fragments the message must contain


H = "'127.0.0.1'"
LINGER_SIZE = OPTIONS["SO_LINGER"].kind.buflen  # struct linger: 8 bytes on POSIX, 4 on Windows
CASES: dict[str, Case] = {
    "bind port too big": Case(
        "tcp",
        "sock.bind(('127.0.0.1', 70000))",
        OverflowError,
        ("bind()", "port", "70000", "0..65535"),
    ),
    "bind port negative": Case(
        "tcp", "sock.bind(('127.0.0.1', -1))", OverflowError, ("port", "-1")
    ),
    "bind port str": Case("tcp", "sock.bind(('127.0.0.1', '80'))", TypeError, ("port", "'80'")),
    "bind port float": Case("tcp", "sock.bind(('127.0.0.1', 80.0))", TypeError, ("port", "80.0")),
    "bind not a tuple": Case("tcp", "sock.bind('127.0.0.1:80')", TypeError, ("address", "tuple")),
    "bind list": Case("tcp", "sock.bind(['127.0.0.1', 0])", TypeError, ("address",)),
    "bind short tuple": Case("tcp", "sock.bind(('127.0.0.1',))", TypeError, ("address",)),
    "bind long tuple": Case("tcp", "sock.bind(('127.0.0.1', 0, 1))", TypeError, ("address",)),
    "bind host int": Case("tcp", "sock.bind((1, 80))", TypeError, ("host",)),
    "bind host NUL": Case("tcp", "sock.bind(('a\\0b', 0))", TypeError, ("host", "null")),
    "bind host bad octet": Case(
        "tcp", "sock.bind(('256.1.1.1', 0))", socket.gaierror, ("host", "256.1.1.1", "IPv4")
    ),
    "bind host empty label": Case(
        "tcp", "sock.bind(('a..b', 0))", socket.gaierror, ("host", "a..b", "host name")
    ),
    "bind IPv6 host on AF_INET": Case(
        "tcp", "sock.bind(('::1', 0))", socket.gaierror, ("host", "::1")
    ),
    "connect port too big": Case(
        "tcp", "sock.connect(('127.0.0.1', 65536))", OverflowError, ("connect()", "port")
    ),
    "connect_ex port str": Case(
        "tcp", "sock.connect_ex(('127.0.0.1', 'http'))", TypeError, ("connect_ex()", "port")
    ),
    "sendto port too big": Case(
        "udp", "sock.sendto(b'x', ('127.0.0.1', 70000))", OverflowError, ("sendto()", "port")
    ),
    "sendto flags form": Case(
        "udp", "sock.sendto(b'x', 0, ('127.0.0.1', -5))", OverflowError, ("sendto()", "port")
    ),
    "sendto host": Case(
        "udp", "sock.sendto(b'x', ('bad host', 9))", socket.gaierror, ("host", "bad host")
    ),
    "flowinfo too big": Case(
        "tcp6", "sock.bind(('::1', 0, 2**20))", OverflowError, ("flowinfo", "1048576")
    ),
    "scope_id too big": Case(
        "tcp6", "sock.bind(('::1', 0, 0, 2**32))", OverflowError, ("scope_id",)
    ),
    "scope_id str": Case("tcp6", "sock.bind(('::1', 0, 0, 'x'))", TypeError, ("scope_id",)),
    "IPv4 host on AF_INET6": Case(
        "tcp6", "sock.bind(('127.0.0.1', 0))", socket.gaierror, ("host",)
    ),
    "bad IPv6 literal": Case("tcp6", "sock.bind(('::g', 0))", socket.gaierror, ("host", "::g")),
    "AF_INET6 tuple too long": Case(
        "tcp6", "sock.bind(('::1', 0, 0, 0, 0))", TypeError, ("address",)
    ),
    "unix path too long": Case(
        "unix", "sock.bind('/tmp/' + 'x' * 200)", OSError, ("path", "too long")
    ),
    "unix path int": Case("unix", "sock.bind(5)", TypeError, ("path",)),
    "setsockopt bool str": Case(
        "tcp",
        "sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 'yes')",
        TypeError,
        ("setsockopt()", "SO_REUSEADDR"),
    ),
    "setsockopt int overflow": Case(
        "tcp",
        "sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2**40)",
        TypeError,
        ("SO_RCVBUF", "C int"),
    ),
    "setsockopt negative buffer": Case(
        "tcp",
        "sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, -1)",
        OSError,
        ("SO_RCVBUF", "-1"),
    ),
    "setsockopt linger buffer": Case(
        "tcp",
        "sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'x')",
        OSError,
        ("SO_LINGER", f"{LINGER_SIZE} bytes"),
    ),
    "setsockopt ttl zero": Case(
        "tcp",
        "sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 0)",
        OSError,
        ("IP_TTL", "-1..255"),
    ),
    "setsockopt ttl 256": Case(
        "tcp", "sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 256)", OSError, ("IP_TTL", "256")
    ),
    "setsockopt None without optlen": Case(
        "tcp",
        "sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, None)",
        TypeError,
        ("SO_REUSEADDR",),
    ),
    "setsockopt level str": Case(
        "tcp", "sock.setsockopt('SOL_SOCKET', 1, 1)", TypeError, ("level",)
    ),
    "setsockopt read-only": Case(
        "tcp",
        "sock.setsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 1)",
        OSError,
        ("SO_TYPE", "read-only"),
    ),
    "getsockopt buflen zero": Case(
        "tcp",
        "sock.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 0)",
        OSError,
        ("buflen", "1..1024"),
    ),
    "getsockopt buflen huge": Case(
        "tcp",
        "sock.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 2000)",
        OSError,
        ("buflen", "2000"),
    ),
    "getsockopt level str": Case("tcp", "sock.getsockopt('x', 1)", TypeError, ("level",)),
    "settimeout negative": Case(
        "tcp", "sock.settimeout(-1)", ValueError, ("settimeout()", "-1", "negative")
    ),
    "settimeout str": Case("tcp", "sock.settimeout('1')", TypeError, ("settimeout()",)),
    "settimeout nan": Case("tcp", "sock.settimeout(math.nan)", ValueError, ("NaN",)),
    "settimeout huge": Case("tcp", "sock.settimeout(1e300)", OverflowError, ("settimeout()",)),
    "listen str": Case("tcp", "sock.listen('5')", TypeError, ("listen()", "backlog")),
    "listen overflow": Case("tcp", "sock.listen(2**40)", OverflowError, ("listen()", "backlog")),
    "shutdown bad mode": Case(
        "tcp", "sock.shutdown(5)", OSError, ("shutdown()", "how", "SHUT_RDWR")
    ),
    "shutdown str": Case("tcp", "sock.shutdown('both')", TypeError, ("shutdown()", "how")),
}

TYPED: dict[str, tuple[str, type[BaseException], tuple[str, ...]]] = {
    "linger negative": (
        "sock.set_option(OPTIONS['SO_LINGER'], (1, -1))",
        ValueError,
        ("SO_LINGER", "seconds"),
    ),
    "ttl out of range": ("sock.set_option(OPTIONS['IP_TTL'], 300)", OSError, ("IP_TTL", "300")),
    "read-only option": (
        "sock.set_option(OPTIONS['SO_ERROR'], 1)",
        OSError,
        ("SO_ERROR", "read-only"),
    ),
    "bool option given a str": (
        "sock.set_option(OPTIONS['TCP_NODELAY'], 'on')",
        TypeError,
        ("TCP_NODELAY",),
    ),
    "keepalive idle zero": ("sock.set_keepalive(Keepalive(idle=0))", ValueError, ("idle",)),
}

SOCKETS = {
    "tcp": (socket.AF_INET, socket.SOCK_STREAM),
    "udp": (socket.AF_INET, socket.SOCK_DGRAM),
    "tcp6": (socket.AF_INET6, socket.SOCK_STREAM),
    "unix": (getattr(socket, "AF_UNIX", -1), socket.SOCK_STREAM),
}
FAMILY_NAMES = {"tcp": "AF_INET", "udp": "AF_INET", "tcp6": "AF_INET6", "unix": "AF_UNIX"}


def stdlib_raises(case: Case) -> type[BaseException] | None:
    factory = SocketFactory(STDLIB)
    try:
        sock = factory.new(*SOCKETS[case.kind])
        try:
            eval(case.call, {"sock": sock, "socket": socket, "math": math})
        except Exception as exc:
            return type(exc)
        return None
    finally:
        factory.close_all()


def check_message(exc: BaseException, mentions: tuple[str, ...]) -> None:
    text = str(exc)
    assert "allowed:" in text, text
    for fragment in mentions:
        assert fragment in text, f"{fragment!r} not in {text!r}"


@pytest.mark.requires("validation:arguments")
@pytest.mark.parametrize("label", list(CASES))
def test_bad_argument_is_refused_like_the_stdlib(
    label: str, sockets: SocketFactory, capabilities: Any, backend_name: str
) -> None:
    case = CASES[label]
    family = FAMILY_NAMES[case.kind]
    if family not in capabilities.families:
        pytest.skip(f"unsupported by {backend_name}: family {family} is not declared")
    sock = sockets.new(*SOCKETS[case.kind])
    with pytest.raises(multisock.ValidationError) as caught:
        eval(case.call, {"sock": sock, "socket": socket, "math": math})
    assert isinstance(caught.value, case.exc)
    stdlib_type = stdlib_raises(case)
    if stdlib_type is not None:
        assert isinstance(caught.value, stdlib_type), f"the stdlib raises {stdlib_type.__name__}"
    check_message(caught.value, case.mentions)
    assert (
        caught.value.__cause__ is None
        or not isinstance(caught.value.__cause__, Exception)
        or "pydantic" not in type(caught.value.__cause__).__module__
    )


@pytest.mark.requires("validation:typed")
@pytest.mark.parametrize("label", list(TYPED))
def test_bad_typed_value_is_refused(label: str, sockets: SocketFactory) -> None:
    call, exc, mentions = TYPED[label]
    sock = sockets.new()
    env = {"sock": sock, "OPTIONS": multisock.options.OPTIONS, "Keepalive": multisock.Keepalive}
    with pytest.raises(exc) as caught:
        eval(call, env)
    assert isinstance(caught.value, multisock.ValidationError)
    check_message(caught.value, mentions)


# POSIX refuses a negative descriptor (ValueError); Windows asks Winsock (an OSError).
NEGATIVE_FD_ERROR = ValueError if os.name == "posix" else OSError


@pytest.mark.requires("validation:constructor")
@pytest.mark.parametrize(
    ("args", "exc"),
    [
        (("AF_INET",), TypeError),
        ((2**40,), OverflowError),
        ((socket.AF_INET, "stream"), TypeError),
        ((socket.AF_INET, socket.SOCK_STREAM, 0, -5), NEGATIVE_FD_ERROR),
    ],
)
def test_bad_constructor_arguments(
    args: tuple[Any, ...], exc: type[BaseException], backend_name: str
) -> None:
    with pytest.raises(exc) as caught:
        multisock.Socket(*args, backend=backend_name)
    assert isinstance(caught.value, multisock.ValidationError)
    with pytest.raises(exc):
        socket.socket(*args)


@pytest.mark.requires("validation:constructor")
def test_unknown_family_names_the_backends(backend_name: str) -> None:
    with pytest.raises(OSError) as caught:
        multisock.Socket(12345, socket.SOCK_STREAM, backend=backend_name)
    assert isinstance(caught.value, multisock.NoSuitableBackend)
    assert backend_name in str(caught.value)


@pytest.mark.requires("validation:addresses")
def test_address_models_are_accepted_everywhere(sockets: SocketFactory) -> None:
    a, b = sockets.udp_pair()
    target = multisock.InetAddress(host="127.0.0.1", port=b.getsockname()[1])
    a.sendto(b"model", target)
    assert b.recvfrom(10)[0] == b"model"
    server = sockets.new()
    server.bind(multisock.InetAddress(host="127.0.0.1", port=0))
    server.listen()
    client = sockets.new()
    client.connect(server.local_address)
    accepted, _ = server.accept()
    sockets.track(accepted)
    assert accepted.peer_address == client.local_address
    assert isinstance(client.local_address, multisock.InetAddress)


@pytest.mark.requires("validation:addresses")
def test_a_model_of_the_wrong_family_is_refused(sockets: SocketFactory) -> None:
    sock = sockets.new(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(TypeError) as caught:
        sock.bind(multisock.Inet6Address(host="::1", port=0))
    assert isinstance(caught.value, multisock.ValidationError)
