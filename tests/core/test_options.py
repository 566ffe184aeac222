"""The typed option registry: declarations, value kinds, and setsockopt's plain forms."""

from __future__ import annotations

import errno
import socket
import struct

import pytest
from pydantic import SecretBytes

from multisock import ValidationError, options
from multisock.options import (
    OPTIONS,
    Linger,
    Membership,
    check_getsockopt,
    check_setsockopt,
    lookup,
)


def test_every_option_names_a_known_level() -> None:
    for option in OPTIONS.values():
        assert option.level_name in {
            "SOL_SOCKET",
            "IPPROTO_IP",
            "IPPROTO_IPV6",
            "IPPROTO_TCP",
            "IPPROTO_UDP",
            "SOL_ALG",
        }
        assert option.doc.endswith(".") or option.doc.endswith(")")


def test_platform_numbers_come_from_the_socket_module() -> None:
    nodelay = OPTIONS["TCP_NODELAY"]
    assert (nodelay.level, nodelay.optname) == (socket.IPPROTO_TCP, socket.TCP_NODELAY)
    assert lookup(socket.IPPROTO_TCP, socket.TCP_NODELAY) is nodelay
    assert lookup(socket.SOL_SOCKET, 9999) is None
    assert all(option.available for option in options.available())


@pytest.mark.skipif(not socket.__name__ or not hasattr(socket, "SO_REUSEADDR"), reason="n/a")
def test_exclusiveaddruse_is_only_available_on_windows() -> None:
    assert OPTIONS["SO_EXCLUSIVEADDRUSE"].available == hasattr(socket, "SO_EXCLUSIVEADDRUSE")


class TestKinds:
    def test_flag_accepts_any_c_int_like_the_stdlib(self) -> None:
        flag = OPTIONS["SO_REUSEADDR"]
        assert flag.validate(True) is True
        assert flag.validate(5) is True
        assert flag.validate(0) is False
        assert flag.kind.encode(True) == 1
        assert flag.kind.decode(4) is True

    @pytest.mark.parametrize(
        ("value", "exc"), [("yes", TypeError), (2**31, OverflowError), (1.0, TypeError)]
    )
    def test_flag_rejects(self, value: object, exc: type[BaseException]) -> None:
        with pytest.raises(exc) as caught:
            OPTIONS["TCP_NODELAY"].validate(value)
        assert isinstance(caught.value, ValidationError)
        assert "set_option(): invalid TCP_NODELAY" in str(caught.value)

    def test_an_int_beyond_c_int_is_also_a_type_error_as_in_the_stdlib(self) -> None:
        with pytest.raises(OverflowError) as caught:
            OPTIONS["SO_RCVBUF"].validate(2**40)
        assert isinstance(caught.value, TypeError)

    def test_integer_range_is_the_kernel_s_einval(self) -> None:
        with pytest.raises(OSError) as caught:
            OPTIONS["TCP_KEEPCNT"].validate(128)
        assert caught.value.errno == errno.EINVAL
        assert "allowed: an integer 1..127" in str(caught.value)
        assert OPTIONS["TCP_KEEPCNT"].validate(127) == 127

    def test_integer_holes(self) -> None:
        ttl = OPTIONS["IP_TTL"]
        assert ttl.validate(-1) == -1
        assert ttl.validate(1) == 1
        with pytest.raises(OSError, match="except 0"):
            ttl.validate(0)

    def test_struct_from_model_tuple_and_bytes(self) -> None:
        linger = OPTIONS["SO_LINGER"]
        assert linger.validate((1, 5)) == Linger(onoff=True, seconds=5)
        assert linger.validate({"onoff": 0, "seconds": 0}) == Linger(onoff=False, seconds=0)
        encoded = linger.kind.encode(Linger(onoff=True, seconds=5))
        assert encoded == struct.pack("ii", 1, 5)
        assert linger.kind.decode(encoded) == Linger(onoff=True, seconds=5)

    def test_struct_errors(self) -> None:
        with pytest.raises(ValueError) as caught:
            OPTIONS["SO_LINGER"].validate((1, -1))
        assert isinstance(caught.value, ValidationError)
        assert "SO_LINGER seconds" in str(caught.value)
        with pytest.raises(TypeError, match="not a Linger"):
            OPTIONS["SO_LINGER"].validate(5)

    def test_membership_encodes_two_addresses(self) -> None:
        join = OPTIONS["IP_ADD_MEMBERSHIP"]
        value = join.validate(("239.1.2.3", "127.0.0.1"))
        assert join.kind.encode(value) == socket.inet_aton("239.1.2.3") + socket.inet_aton(
            "127.0.0.1"
        )
        with pytest.raises(ValueError, match="not an IPv4 address"):
            Membership(group="nope")

    def test_text(self) -> None:
        device = OPTIONS["SO_BINDTODEVICE"]
        assert device.validate("eth0") == "eth0"
        assert device.validate(b"lo\0") == "lo"
        assert device.kind.encode("lo") == b"lo"
        assert device.kind.decode(b"lo\0\0\0") == "lo"
        for bad in ("x" * 16, "", "é"):
            with pytest.raises(OSError):
                device.validate(bad)
        with pytest.raises(TypeError):
            device.validate(5)

    def test_read_only_options_refuse_writes(self) -> None:
        with pytest.raises(OSError) as caught:
            OPTIONS["SO_TYPE"].validate(1)
        assert caught.value.errno == errno.ENOPROTOOPT
        assert "read-only" in str(caught.value)


class TestSecret:
    KEY = b"\x13\x37supersecretkey!!"

    def test_a_key_becomes_secret_bytes(self) -> None:
        secret = OPTIONS["ALG_SET_KEY"].validate(self.KEY)
        assert isinstance(secret, SecretBytes)
        assert self.KEY not in repr(secret).encode()
        assert OPTIONS["ALG_SET_KEY"].kind.encode(secret) == self.KEY

    @pytest.mark.parametrize("bad", [b"", b"k" * 2000, "a str key", 12345])
    def test_errors_never_show_the_key(self, bad: object) -> None:
        with pytest.raises(ValidationError) as caught:
            OPTIONS["ALG_SET_KEY"].validate(bad)
        text = str(caught.value) + repr(caught.value)
        assert "<secret>" in text
        if isinstance(bad, bytes | str) and bad:
            assert str(bad)[2:12] not in text
        assert caught.value.value is None
        assert caught.value.__cause__ is None

    def test_plain_setsockopt_of_a_key_is_checked_without_showing_it(self) -> None:
        alg = options._constant("SOL_ALG", 279)
        if alg is None or OPTIONS["ALG_SET_KEY"].optname is None:
            pytest.skip("unsupported here: no SOL_ALG on this platform")
        with pytest.raises(OSError) as caught:
            check_setsockopt(alg, OPTIONS["ALG_SET_KEY"].optname, b"", None)
        assert "<secret>" in str(caught.value)


class TestPlainForms:
    def test_known_option_all_forms(self) -> None:
        check_setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1, None)
        check_setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, b"\1\0\0\0", None)
        check_setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 1), None)

    @pytest.mark.parametrize(
        ("level", "name", "value", "optlen", "exc", "fragment"),
        [
            (socket.SOL_SOCKET, socket.SO_REUSEADDR, "x", None, TypeError, "SO_REUSEADDR"),
            (socket.SOL_SOCKET, socket.SO_REUSEADDR, b"\1", None, OSError, "shorter than a C int"),
            (socket.SOL_SOCKET, socket.SO_LINGER, b"\1" * 4, None, OSError, "exactly 8 bytes"),
            (socket.SOL_SOCKET, socket.SO_REUSEADDR, 1, 4, TypeError, "optlen"),
            ("x", 1, 1, None, TypeError, "level"),
            (socket.SOL_SOCKET, 2**40, 1, None, OverflowError, "optname"),
            (socket.SOL_SOCKET, 9999, None, None, TypeError, "None needs an optlen"),
            (socket.SOL_SOCKET, 9999, 1.5, None, TypeError, "neither an int nor a buffer"),
        ],
    )
    def test_bad(
        self,
        level: object,
        name: object,
        value: object,
        optlen: object,
        exc: type[BaseException],
        fragment: str,
    ) -> None:
        with pytest.raises(exc) as caught:
            check_setsockopt(level, name, value, optlen)
        assert isinstance(caught.value, ValidationError)
        assert fragment in str(caught.value)
        assert str(caught.value).startswith(("setsockopt(): invalid", "[Errno"))

    def test_unknown_options_keep_the_three_stdlib_forms(self) -> None:
        check_setsockopt(socket.SOL_SOCKET, 9999, 1, None)
        check_setsockopt(socket.SOL_SOCKET, 9999, bytearray(b"ab"), None)
        check_setsockopt(socket.SOL_SOCKET, 9999, None, 4)

    def test_getsockopt_buflen(self) -> None:
        check_getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)
        check_getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, None)
        for bad in (0, 1025, -1):
            with pytest.raises(OSError, match="buflen"):
                check_getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, bad)
