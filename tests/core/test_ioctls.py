"""multisock.ioctls: the typed ioctl values, checked on every platform (no socket needed)."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

import multisock
from multisock.capabilities import Capabilities
from multisock.ioctls import IOCTLS, RCVALL_MAX, KeepaliveValues, RcvAll, check_control, lookup

KEEPALIVE_VALS = IOCTLS["SIO_KEEPALIVE_VALS"]
RCVALL = IOCTLS["SIO_RCVALL"]
FAST_PATH = IOCTLS["SIO_LOOPBACK_FAST_PATH"]


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        ((1, 60_000, 10_000), (1, 60_000, 10_000)),
        ([0, 0, 0], (0, 0, 0)),
        ((True, 2**32 - 1, 1), (1, 2**32 - 1, 1)),
        ((7, 1, 1), (1, 1, 1)),  # nonzero is on, as the DWORD Windows reads
        (KeepaliveValues(onoff=False, keepalivetime=5, keepaliveinterval=6), (0, 5, 6)),
    ],
)
def test_keepalive_vals_accepts_plain_and_typed_values(value: Any, plain: Any) -> None:
    assert KEEPALIVE_VALS.plain(value) == plain


@pytest.mark.parametrize(
    ("value", "exc", "argument"),
    [
        ((1, 2**32, 1), OverflowError, "SIO_KEEPALIVE_VALS keepalivetime"),
        ((1, 1, -1), OverflowError, "SIO_KEEPALIVE_VALS keepaliveinterval"),
        ((-1, 1, 1), OverflowError, "SIO_KEEPALIVE_VALS onoff"),
        ((1, "1", 1), TypeError, "SIO_KEEPALIVE_VALS keepalivetime"),
        ((1, 1.0, 1), TypeError, "SIO_KEEPALIVE_VALS keepalivetime"),
        ((1, 1), TypeError, "SIO_KEEPALIVE_VALS"),
        ((1, 1, 1, 1), TypeError, "SIO_KEEPALIVE_VALS"),
        ({"onoff": 1}, TypeError, "SIO_KEEPALIVE_VALS"),
        (None, TypeError, "SIO_KEEPALIVE_VALS"),
    ],
)
def test_keepalive_vals_refuses_bad_values(
    value: Any, exc: type[BaseException], argument: str
) -> None:
    with pytest.raises(multisock.ValidationError) as caught:
        KEEPALIVE_VALS.validate(value)
    error = caught.value
    assert isinstance(error, exc)
    assert not isinstance(error.__cause__, pydantic.ValidationError)
    assert (error.method, error.argument) == ("ioctl", argument)
    assert str(error).startswith(f"ioctl(): invalid {argument} ")
    assert "allowed:" in str(error)


def test_keepalive_values_model_refuses_like_the_plain_form() -> None:
    with pytest.raises(OverflowError) as caught:
        KeepaliveValues(onoff=True, keepalivetime=2**32, keepaliveinterval=1)
    assert isinstance(caught.value, multisock.ValidationError)
    assert "milliseconds" in str(caught.value)


@pytest.mark.parametrize("mode", [*RcvAll, 0, 3, True])
def test_rcvall_modes(mode: Any) -> None:
    assert RCVALL.validate(mode) == RcvAll(int(mode))
    assert RCVALL.plain(mode) == int(mode)
    assert RCVALL_MAX is RcvAll.IPLEVEL
    assert int(RCVALL_MAX) == 3


@pytest.mark.parametrize(("mode", "exc"), [(4, OSError), (-1, OSError), ("on", TypeError)])
def test_rcvall_refuses_what_winsock_would(mode: Any, exc: type[BaseException]) -> None:
    with pytest.raises(exc) as caught:
        RCVALL.validate(mode)
    assert isinstance(caught.value, multisock.ValidationError)
    assert "RCVALL_OFF..RCVALL_MAX" in str(caught.value)


@pytest.mark.parametrize(("value", "on"), [(True, True), (False, False), (0, False), (5, True)])
def test_fast_path_switch(value: Any, on: bool) -> None:
    assert FAST_PATH.validate(value) is on
    assert FAST_PATH.plain(value) == int(on)


@pytest.mark.parametrize(("value", "exc"), [(2**32, OverflowError), (-1, OverflowError)])
def test_fast_path_refuses_what_does_not_fit_a_dword(value: Any, exc: type[BaseException]) -> None:
    with pytest.raises(exc):
        FAST_PATH.validate(value)
    with pytest.raises(TypeError):
        FAST_PATH.validate("yes")


def test_control_codes() -> None:
    assert check_control(5) == 5
    with pytest.raises(TypeError) as caught:
        check_control("SIO_RCVALL")
    assert isinstance(caught.value, multisock.ValidationError)
    for control in IOCTLS.values():
        assert control.available == (control.code is not None)
        if control.code is not None:
            assert lookup(control.code) is control
    assert lookup(0x12345) is None


def test_unsupported_control_is_an_unsupported_operation_and_a_value_error() -> None:
    error = multisock.UnsupportedControl(
        0x98000004, "demo", {"SIO_RCVALL"}, ("other",), name="SIO_KEEPALIVE_VALS"
    )
    assert isinstance(error, multisock.UnsupportedOperation)
    assert isinstance(error, ValueError)
    assert error.control == 0x98000004
    for fragment in ("SIO_KEEPALIVE_VALS (0x98000004)", "'demo'", "SIO_RCVALL", "other"):
        assert fragment in str(error)


def test_capabilities_name_only_known_control_codes() -> None:
    empty: frozenset[str] = frozenset()
    declared = Capabilities(families=empty, types=empty, methods=empty, ioctls={"SIO_RCVALL"})
    assert declared.features_matrix()["ioctl"] == {"SIO_RCVALL"}
    with pytest.raises(ValueError, match=r"Capabilities\.ioctls: not known names"):
        Capabilities(families=empty, types=empty, methods=empty, ioctls={"SIO_NOPE"})
