"""The spec mirrors the stdlib's socket object; errors are both multisock's and the stdlib's."""

from __future__ import annotations

import errno
import socket

import pytest

import multisock
from multisock.api import SPEC_ATTRIBUTES, SPEC_METHODS
from multisock.errors import invalid

PLATFORM_SPECIFIC = {"ioctl", "share", "sendmsg_afalg", "recvmsg", "recvmsg_into", "sendmsg"}


def test_spec_names_are_the_stdlib_socket_object() -> None:
    here = {name for name in SPEC_METHODS if hasattr(socket.socket, name)}
    assert set(SPEC_METHODS) - here <= PLATFORM_SPECIFIC
    assert len(SPEC_METHODS) == len(set(SPEC_METHODS)) == 35
    for name in SPEC_ATTRIBUTES:
        assert hasattr(socket.socket, name)


def test_spec_declares_every_method_and_attribute() -> None:
    for name in (*SPEC_METHODS, *SPEC_ATTRIBUTES):
        assert name in vars(multisock.Socket), name


@pytest.mark.parametrize(
    ("kind", "types"),
    [
        ("type", (TypeError,)),
        ("value", (ValueError,)),
        ("overflow", (OverflowError,)),
        ("os", (OSError,)),
        ("gai", (socket.gaierror, OSError)),
        ("overflow_type", (OverflowError, TypeError)),
    ],
)
def test_error_kinds(kind: str, types: tuple[type[BaseException], ...]) -> None:
    exc = invalid(
        kind,
        method="bind",
        argument="address port",
        value=70000,
        problem="out of range",
        allowed="0..65535",
    )
    assert isinstance(exc, multisock.ValidationError)
    assert all(isinstance(exc, t) for t in types)
    assert "bind(): invalid address port 70000: out of range; allowed: 0..65535" in str(exc)
    assert (exc.method, exc.argument, exc.value, exc.allowed) == (
        "bind",
        "address port",
        70000,
        "0..65535",
    )


def test_os_errors_carry_an_errno() -> None:
    def errno_of(kind: str, code: int | None = None) -> int | None:
        exc = invalid(kind, method="m", argument="a", value=1, problem="p", allowed="x", errno=code)
        assert isinstance(exc, OSError)
        return exc.errno

    assert errno_of("os") == errno.EINVAL
    assert errno_of("os", errno.ENOPROTOOPT) == errno.ENOPROTOOPT
    assert errno_of("gai") == socket.EAI_NONAME


def test_long_values_are_shortened_and_secrets_hidden() -> None:
    exc = invalid("value", method="m", argument="a", value="x" * 500, problem="p", allowed="y")
    assert len(str(exc)) < 200
    secret = invalid(
        "value", method="m", argument="key", value=b"hunter2", problem="p", allowed="y", secret=True
    )
    assert "hunter2" not in str(secret) + repr(secret)
    assert secret.value is None
    relabelled = secret.relabel(method="setsockopt", argument="ALG_SET_KEY")
    assert "hunter2" not in str(relabelled)
    assert str(relabelled).startswith("setsockopt(): invalid ALG_SET_KEY key <secret>")


def test_unsupported_operation() -> None:
    exc = multisock.UnsupportedOperation("ioctl", "posix", ("winsock",))
    assert isinstance(exc, OSError)
    assert exc.errno == errno.EOPNOTSUPP
    assert (
        "ioctl() is not supported by the 'posix' backend (backends that support it: winsock)"
        in str(exc)
    )
    assert "no installed backend supports it" in str(multisock.UnsupportedOperation("x", "y", ()))
