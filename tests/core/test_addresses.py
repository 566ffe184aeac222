"""Address models and the validation of the stdlib's plain address forms."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path
from typing import Any

import pytest

import multisock
from multisock.addresses import SUN_PATH_SIZE, model_for, sockaddr
from multisock.errors import ValidationError

GOOD_INET = [
    ("127.0.0.1", 80),
    ("", 0),
    ("<broadcast>", 9),
    ("localhost", 65535),
    ("example.com", 443),
    ("a_b.example", 1),
    ("xn--bcher-kva.example", 2),
    ("bücher.example", 3),
    (b"127.0.0.1", 4),
    (bytearray(b"10.0.0.1"), 5),
    ("127.1", 6),
    ("0x7f000001", 7),
    ("localhost.", 8),
    ("127.0.0.1", True),
]


@pytest.mark.parametrize("address", GOOD_INET, ids=repr)
def test_good_inet_addresses_pass_unchanged(address: tuple[Any, int]) -> None:
    assert sockaddr(socket.AF_INET, address, "bind") is address
    model = multisock.InetAddress.from_sockaddr(address)
    assert model.to_sockaddr() == address


BAD_INET: list[tuple[object, type[BaseException], str]] = [
    (("127.0.0.1", 65536), OverflowError, "port 65536: out of range; allowed: an integer 0..65535"),
    (("127.0.0.1", -1), OverflowError, "port -1"),
    (("127.0.0.1", "80"), TypeError, "port '80': str is not an integer"),
    (("127.0.0.1", 80.0), TypeError, "port 80.0: float is not an integer"),
    (("127.0.0.1", None), TypeError, "port None"),
    ("127.0.0.1:80", TypeError, "AF_INET address must be tuple, not str"),
    (["127.0.0.1", 80], TypeError, "must be tuple, not list"),
    (("127.0.0.1",), TypeError, "has 1 items"),
    (("127.0.0.1", 80, 0), TypeError, "has 3 items"),
    ((80, 80), TypeError, "str, bytes or bytearray expected, not int"),
    (("a\0b", 80), TypeError, "null character"),
    (("1.2.3.256", 80), socket.gaierror, "not a valid IPv4 address"),
    (("1.2.3.4.5", 80), socket.gaierror, "not a valid IPv4 address"),
    (("a..b", 80), socket.gaierror, "not a valid host name"),
    (("-lead.example", 80), socket.gaierror, "not a valid host name"),
    (("trail-.example", 80), socket.gaierror, "not a valid host name"),
    (("sp ace", 80), socket.gaierror, "not a valid host name"),
    (("x" * 64 + ".example", 80), socket.gaierror, "not a valid host name"),
    (("a." * 127 + "bc", 80), socket.gaierror, "not a valid host name"),
    (("::1", 80), socket.gaierror, "an IPv6 address in an AF_INET address"),
    ((b"\xff\xfe", 80), socket.gaierror, "not ASCII"),
]


@pytest.mark.parametrize(("address", "exc", "fragment"), BAD_INET, ids=repr)
def test_bad_inet_addresses(address: object, exc: type[BaseException], fragment: str) -> None:
    with pytest.raises(exc) as caught:
        sockaddr(socket.AF_INET, address, "connect")
    error = caught.value
    assert isinstance(error, ValidationError)
    message = str(error)
    assert message.count("connect(): invalid address") == 1
    assert fragment in message
    assert "allowed:" in message
    assert error.method == "connect"
    assert error.argument.startswith("address")


def test_a_gai_error_carries_the_getaddrinfo_code() -> None:
    with pytest.raises(socket.gaierror) as caught:
        sockaddr(socket.AF_INET, ("::1", 1), "bind")
    assert caught.value.errno == socket.EAI_ADDRFAMILY


GOOD_INET6 = [
    ("::1", 0),
    ("::1", 80, 0, 0),
    ("fe80::1%1", 1, 5, 2),
    ("fe80::1%eth0", 1),
    ("::ffff:127.0.0.1", 2),
    ("", 0),
    ("localhost", 1, 2**20 - 1, 2**32 - 1),
]


@pytest.mark.parametrize("address", GOOD_INET6, ids=repr)
def test_good_inet6_addresses(address: tuple[Any, ...]) -> None:
    assert sockaddr(socket.AF_INET6, address, "bind") is address
    model = multisock.Inet6Address.from_sockaddr(address)
    assert model.to_sockaddr()[: len(address)] == address


BAD_INET6: list[tuple[object, type[BaseException], str]] = [
    (("::1", 0, 2**20), OverflowError, "flowinfo 1048576"),
    (("::1", 0, -1), OverflowError, "flowinfo -1"),
    (("::1", 0, 0, 2**32), OverflowError, "scope_id 4294967296"),
    (("::1", 0, 0, -1), OverflowError, "scope_id -1"),
    (("::1", 0, 0, "x"), TypeError, "scope_id 'x'"),
    (("::1", 0, 0, 0, 0), TypeError, "has 5 items"),
    (("::1",), TypeError, "has 1 items"),
    (("::g", 0), socket.gaierror, "not a valid IPv6 address"),
    (("[::1]", 0), socket.gaierror, "not a valid IPv6 address"),
    (("fe80::1%bad scope", 0), socket.gaierror, "scope"),
    (("127.0.0.1", 0), socket.gaierror, "an IPv4 address in an AF_INET6 address"),
]


@pytest.mark.parametrize(("address", "exc", "fragment"), BAD_INET6, ids=repr)
def test_bad_inet6_addresses(address: object, exc: type[BaseException], fragment: str) -> None:
    with pytest.raises(exc) as caught:
        sockaddr(socket.AF_INET6, address, "sendto")
    assert isinstance(caught.value, ValidationError)
    assert fragment in str(caught.value)
    assert "sendto(): invalid address" in str(caught.value)


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="unsupported here: no AF_UNIX")
class TestUnix:
    def test_paths_of_every_form(self, tmp_path: Path) -> None:
        for path in ("/tmp/x.sock", b"/tmp/x.sock", tmp_path / "p.sock", "", b"\0abstract"):
            assert multisock.UnixAddress.from_sockaddr(path).path == os.fspath(path)

    def test_longest_paths(self) -> None:
        longest = "/" + "x" * (SUN_PATH_SIZE - 2)
        assert sockaddr(socket.AF_UNIX, longest, "bind") == longest
        abstract = b"\0" + b"y" * (SUN_PATH_SIZE - 1)
        assert sockaddr(socket.AF_UNIX, abstract, "bind") == abstract

    def test_too_long(self) -> None:
        with pytest.raises(OSError) as caught:
            sockaddr(socket.AF_UNIX, "/" + "x" * (SUN_PATH_SIZE - 1), "bind")
        assert isinstance(caught.value, ValidationError)
        assert caught.value.errno == errno.EINVAL
        assert "AF_UNIX path too long" in str(caught.value)
        assert f"at most {SUN_PATH_SIZE - 1} bytes" in str(caught.value)

    def test_wrong_type(self) -> None:
        with pytest.raises(TypeError, match="bytes-like object or str is required, not int"):
            sockaddr(socket.AF_UNIX, 5, "bind")

    def test_abstract_names(self) -> None:
        address = multisock.UnixAddress.abstract("svc")
        assert address.path == b"\0svc"
        assert address.is_abstract
        assert address.name == b"svc"
        assert not multisock.UnixAddress(path="/tmp/s").is_abstract
        assert multisock.UnixAddress(path="/tmp/s").name is None


class TestAlg:
    def test_good(self) -> None:
        model = multisock.AlgAddress.from_sockaddr(("hash", "sha256"))
        assert model.to_sockaddr() == ("hash", "sha256", 0, 0)
        assert multisock.AlgAddress(type="skcipher", name="cbc(aes)", feat=1, mask=2**32 - 1)

    @pytest.mark.parametrize(
        ("raw", "exc", "fragment"),
        [
            (("x" * 14, "sha256"), ValueError, "type"),
            (("hash", "n" * 64), ValueError, "name"),
            (("hash", "sha256", 2**32), OverflowError, "feat"),
            (("hash", "sha256", 0, -1), OverflowError, "mask"),
            (("hash", 5), TypeError, "name"),
            (("hash",), TypeError, "AF_ALG"),
            (("ha\0sh", "x"), ValueError, "null"),
        ],
    )
    def test_bad(self, raw: object, exc: type[BaseException], fragment: str) -> None:
        with pytest.raises(exc) as caught:
            multisock.AlgAddress.from_sockaddr(raw, method="bind")
        assert isinstance(caught.value, ValidationError)
        assert fragment in str(caught.value)

    def test_limits_match_the_kernel_struct(self) -> None:
        assert multisock.AlgAddress(type="x" * 13, name="n" * 63)


def test_models_raise_multisock_errors_when_constructed_directly() -> None:
    with pytest.raises(OverflowError) as caught:
        multisock.InetAddress(host="127.0.0.1", port=70000)
    assert isinstance(caught.value, ValidationError)
    assert str(caught.value).startswith("InetAddress(): invalid port 70000")
    with pytest.raises(TypeError):
        multisock.InetAddress(host="127.0.0.1", port=1, extra=1)  # type: ignore[call-arg]


def test_models_are_frozen_and_hashable() -> None:
    a = multisock.InetAddress(host="127.0.0.1", port=1)
    assert a == multisock.InetAddress(host="127.0.0.1", port=1)
    assert len({a, multisock.InetAddress(host="127.0.0.1", port=1)}) == 1


def test_model_of_the_wrong_family() -> None:
    with pytest.raises(TypeError, match="Inet6Address given to a socket of family"):
        sockaddr(socket.AF_INET, multisock.Inet6Address(host="::1", port=1), "bind")


def test_parse_address_and_model_for() -> None:
    assert model_for(socket.AF_INET) is multisock.InetAddress
    assert model_for(12345) is None
    parsed = multisock.parse_address(socket.AF_INET6, ("::1", 5, 0, 0))
    assert parsed == multisock.Inet6Address(host="::1", port=5)
    with pytest.raises(OSError, match="no address model"):
        multisock.parse_address(12345, ("x", 1))


def test_unknown_families_pass_through_for_the_kernel_to_judge() -> None:
    anything = object()
    assert sockaddr(12345, anything, "bind") is anything


def test_seen_hosts_are_remembered_but_bounded() -> None:
    from multisock import addresses  # noqa: PLC0415

    known = addresses._KNOWN_HOSTS[socket.AF_INET]
    for i in range(addresses._KNOWN_HOSTS_LIMIT + 10):
        sockaddr(socket.AF_INET, (f"host{i}.example", 1), "bind")
    assert len(known) <= addresses._KNOWN_HOSTS_LIMIT
    # A remembered host still has its port checked.
    with pytest.raises(OverflowError):
        sockaddr(socket.AF_INET, (f"host{addresses._KNOWN_HOSTS_LIMIT + 9}.example", 70000), "bind")
