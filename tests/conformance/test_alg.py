"""AF_ALG, the Linux kernel crypto API: published test vectors, argument checks, secret keys.

The vectors are published facts, written down here: FIPS 180-2 (SHA-256), RFC 4231 (HMAC-SHA256),
NIST SP 800-38A F.2.1/F.2.2 (AES-128-CBC) and McGrew & Viega's GCM test case 4 (AES-128-GCM
with associated data). On a kernel without AF_ALG these tests say "unsupported here".
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import logging
import secrets
import socket
import traceback
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import SecretBytes

from multisock import AlgAddress
from multisock.options import OPTIONS

from .flavours import Flavour, SocketFactory, assert_like_stdlib

AF_ALG: int = getattr(socket, "AF_ALG", -1)
SOL_ALG: int = getattr(socket, "SOL_ALG", 279)
ALG_SET_KEY: int = getattr(socket, "ALG_SET_KEY", 1)
ALG_OP_ENCRYPT: int = getattr(socket, "ALG_OP_ENCRYPT", 1)
ALG_OP_DECRYPT: int = getattr(socket, "ALG_OP_DECRYPT", 0)
ALG_SET_AEAD_AUTHSIZE: int = getattr(socket, "ALG_SET_AEAD_AUTHSIZE", 5)
h = bytes.fromhex

# FIPS 180-2, appendix B.1 and B.2.
SHA256 = [
    (b"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (
        b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    ),
]
# RFC 4231, test cases 1 and 2.
HMAC_SHA256 = [
    (b"\x0b" * 20, b"Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    (
        b"Jefe",
        b"what do ya want for nothing?",
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    ),
]
# NIST SP 800-38A, F.2.1 CBC-AES128.Encrypt (F.2.2 is the same vector decrypted).
CBC_KEY = h("2b7e151628aed2a6abf7158809cf4f3c")
CBC_IV = h("000102030405060708090a0b0c0d0e0f")
CBC_PLAIN = h(
    "6bc1bee22e409f96e93d7e117393172a"
    "ae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52ef"
    "f69f2445df4f9b17ad2b417be66c3710"
)
CBC_CIPHER = h(
    "7649abac8119b246cee98e9b12e9197d"
    "5086cb9b507219ee95db113a917678b2"
    "73bed6b8e3c1743b7116e69e22229516"
    "3ff1caa1681fac09120eca307586e1a7"
)
# The Galois/Counter Mode specification (McGrew, Viega), test case 4: AES-128, 96-bit IV,
# 20 bytes of associated data, a 60-byte plaintext, a 128-bit tag.
GCM_KEY = h("feffe9928665731c6d6a8f9467308308")
GCM_IV = h("cafebabefacedbaddecaf888")
GCM_AAD = h("feedfacedeadbeeffeedfacedeadbeefabaddad2")
GCM_PLAIN = h(
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
)
GCM_CIPHER = h(
    "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
    "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
)
GCM_TAG = h("5bc94fbc3221a5db94fae95ae7121a47")

Make = Callable[..., Any]


@pytest.fixture
def algorithm(sockets: SocketFactory, unsupported_here: Any) -> Make:
    """``algorithm(type, name, key=None)``: a bound (and keyed) AF_ALG socket of the backend.

    Says "unsupported here" when the kernel has no AF_ALG (errno 97) or not that algorithm.
    """
    try:
        sockets.new(AF_ALG, socket.SOCK_SEQPACKET).close()
    except OSError as exc:
        if exc.errno == errno.EAFNOSUPPORT:
            unsupported_here(exc)
        raise

    def make(kind: str, name: str, key: bytes | None = None) -> Any:
        sock = sockets.new(AF_ALG, socket.SOCK_SEQPACKET)
        try:
            sock.bind(AlgAddress(type=kind, name=name))
        except FileNotFoundError:
            unsupported_here(f"the kernel offers no {kind} algorithm {name!r}")
        if key is not None:
            sock.set_option(OPTIONS["ALG_SET_KEY"], SecretBytes(key))
        return sock

    return make


def operation(sockets: SocketFactory, tfm: Any) -> Any:
    op, _ = tfm.accept()
    sockets.track(op)
    return op


@pytest.mark.requires("family:AF_ALG", "type:SOCK_SEQPACKET")
@pytest.mark.parametrize(("data", "digest"), SHA256, ids=["abc", "448-bit"])
def test_sha256_vectors(data: bytes, digest: str, algorithm: Make, sockets: SocketFactory) -> None:
    op = operation(sockets, algorithm("hash", "sha256"))
    op.sendall(data)
    result = op.recv(32)
    assert result.hex() == digest
    assert result == hashlib.sha256(data).digest()


@pytest.mark.requires("family:AF_ALG", "type:SOCK_SEQPACKET")
def test_hash_input_in_pieces(algorithm: Make, sockets: SocketFactory) -> None:
    op = operation(sockets, algorithm("hash", "sha256"))
    data = SHA256[1][0]
    op.sendall(data[:10], socket.MSG_MORE)
    op.sendall(data[10:30], socket.MSG_MORE)
    op.sendall(data[30:])
    assert op.recv(32).hex() == SHA256[1][1]


@pytest.mark.requires("family:AF_ALG", "option:ALG_SET_KEY")
@pytest.mark.parametrize(("key", "data", "mac"), HMAC_SHA256, ids=["rfc4231-1", "rfc4231-2"])
def test_hmac_sha256_vectors(
    key: bytes, data: bytes, mac: str, algorithm: Make, sockets: SocketFactory
) -> None:
    op = operation(sockets, algorithm("hash", "hmac(sha256)", key))
    op.sendall(data)
    result = op.recv(32)
    assert result.hex() == mac
    assert result == hmac.new(key, data, hashlib.sha256).digest()


@pytest.mark.requires("family:AF_ALG", "method:sendmsg_afalg")
def test_aes_cbc_encrypt_sp800_38a(algorithm: Make, sockets: SocketFactory) -> None:
    op = operation(sockets, algorithm("skcipher", "cbc(aes)", CBC_KEY))
    assert op.sendmsg_afalg([CBC_PLAIN], op=ALG_OP_ENCRYPT, iv=CBC_IV) == len(CBC_PLAIN)
    assert op.recv(len(CBC_PLAIN)) == CBC_CIPHER


@pytest.mark.requires("family:AF_ALG", "method:sendmsg_afalg")
def test_aes_cbc_decrypt_sp800_38a(algorithm: Make, sockets: SocketFactory) -> None:
    op = operation(sockets, algorithm("skcipher", "cbc(aes)", CBC_KEY))
    # In two parts: the kernel joins them (MSG_MORE) before deciphering.
    op.sendmsg_afalg([CBC_CIPHER[:32]], op=ALG_OP_DECRYPT, iv=bytearray(CBC_IV), flags=0x8000)
    op.sendmsg_afalg([memoryview(CBC_CIPHER)[32:]], op=ALG_OP_DECRYPT)
    assert op.recv(len(CBC_CIPHER)) == CBC_PLAIN


def _gcm(algorithm: Make, sockets: SocketFactory) -> Any:
    tfm = algorithm("aead", "gcm(aes)", GCM_KEY)
    tfm.set_option(OPTIONS["ALG_SET_AEAD_AUTHSIZE"], len(GCM_TAG))
    return operation(sockets, tfm)


@pytest.mark.requires("family:AF_ALG", "option:ALG_SET_AEAD_AUTHSIZE")
def test_aes_gcm_encrypt_with_associated_data(algorithm: Make, sockets: SocketFactory) -> None:
    op = _gcm(algorithm, sockets)
    op.sendmsg_afalg([GCM_AAD, GCM_PLAIN], op=ALG_OP_ENCRYPT, iv=GCM_IV, assoclen=len(GCM_AAD))
    result = op.recv(len(GCM_AAD) + len(GCM_PLAIN) + len(GCM_TAG))
    assert result[: len(GCM_AAD)] == GCM_AAD
    assert result[len(GCM_AAD) : -len(GCM_TAG)] == GCM_CIPHER
    assert result[-len(GCM_TAG) :] == GCM_TAG


@pytest.mark.requires("family:AF_ALG", "option:ALG_SET_AEAD_AUTHSIZE")
def test_aes_gcm_decrypt_checks_the_tag(algorithm: Make, sockets: SocketFactory) -> None:
    op = _gcm(algorithm, sockets)
    sealed = GCM_AAD + GCM_CIPHER + GCM_TAG
    op.sendmsg_afalg([sealed], op=ALG_OP_DECRYPT, iv=GCM_IV, assoclen=len(GCM_AAD))
    assert op.recv(len(sealed) - len(GCM_TAG))[len(GCM_AAD) :] == GCM_PLAIN
    forged = sealed[:-1] + bytes([sealed[-1] ^ 1])
    op.sendmsg_afalg([forged], op=ALG_OP_DECRYPT, iv=GCM_IV, assoclen=len(GCM_AAD))
    with pytest.raises(OSError) as caught:
        op.recv(len(sealed))
    assert caught.value.errno == errno.EBADMSG


@pytest.mark.requires("method:sendmsg_afalg", "family:AF_ALG")
def test_sendmsg_afalg_returns_what_the_stdlib_returns(algorithm: Make, flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        tfm = s.new(AF_ALG, socket.SOCK_SEQPACKET)
        tfm.bind(("skcipher", "cbc(aes)"))
        tfm.setsockopt(SOL_ALG, ALG_SET_KEY, CBC_KEY)
        op, _ = tfm.accept()
        s.track(op)
        sent = op.sendmsg_afalg([CBC_PLAIN[:16], CBC_PLAIN[16:]], op=ALG_OP_ENCRYPT, iv=CBC_IV)
        return sent, op.recv(64)

    assert assert_like_stdlib(scenario, flavour).value == (64, CBC_CIPHER)


BAD_AFALG: dict[str, tuple[dict[str, Any], type[BaseException]]] = {
    "op missing": ({}, TypeError),
    "op str": ({"op": "encrypt"}, TypeError),
    "op negative": ({"op": -1}, TypeError),
    "op unknown": ({"op": 7}, OSError),
    "op huge": ({"op": 2**40}, TypeError),
    "iv str": ({"op": 1, "iv": "0123456789abcdef"}, TypeError),
    "iv int": ({"op": 1, "iv": 16}, TypeError),
    "assoclen negative": ({"op": 1, "assoclen": -1}, TypeError),
    "assoclen float": ({"op": 1, "assoclen": 1.0}, TypeError),
    "assoclen huge": ({"op": 1, "assoclen": 2**40}, OverflowError),
    "flags str": ({"op": 1, "flags": "0"}, TypeError),
    "msg bytes": ({"msg": b"abc", "op": 1}, TypeError),
    "msg of ints": ({"msg": [1, 2], "op": 1}, TypeError),
    "msg int": ({"msg": 5, "op": 1}, TypeError),
}


@pytest.mark.requires("validation:sendmsg_afalg", "family:AF_ALG", "method:sendmsg_afalg")
@pytest.mark.parametrize("case", sorted(BAD_AFALG))
def test_sendmsg_afalg_refuses_bad_arguments(
    case: str, algorithm: Make, sockets: SocketFactory
) -> None:
    kwargs, expected = BAD_AFALG[case]
    op = operation(sockets, algorithm("skcipher", "cbc(aes)", CBC_KEY))
    with pytest.raises(expected) as caught:
        op.sendmsg_afalg(**kwargs)
    message = str(caught.value)
    if "op" in kwargs:  # every refusal but the missing keyword is ours, and says what is allowed
        assert "sendmsg_afalg()" in message
        assert "allowed" in message
    # Nothing was sent: the next, valid, request gives the published result.
    op.sendmsg_afalg([CBC_PLAIN], op=ALG_OP_ENCRYPT, iv=CBC_IV)
    assert op.recv(64) == CBC_CIPHER


@pytest.mark.requires("validation:sendmsg_afalg", "family:AF_ALG", "method:sendmsg_afalg")
@pytest.mark.parametrize("case", sorted(k for k, v in BAD_AFALG.items() if v[1] is not OSError))
def test_sendmsg_afalg_errors_are_the_stdlibs_types(
    case: str, algorithm: Make, flavour: Flavour
) -> None:
    kwargs, _ = BAD_AFALG[case]

    def scenario(s: SocketFactory) -> Any:
        tfm = s.new(AF_ALG, socket.SOCK_SEQPACKET)
        tfm.bind(("skcipher", "cbc(aes)"))
        tfm.setsockopt(SOL_ALG, ALG_SET_KEY, CBC_KEY)
        op, _ = tfm.accept()
        s.track(op)
        return op.sendmsg_afalg(**kwargs)

    assert assert_like_stdlib(scenario, flavour).error is not None


@pytest.mark.requires("method:sendmsg_afalg", "family:AF_INET")
def test_sendmsg_afalg_on_another_family_like_the_stdlib(flavour: Flavour) -> None:
    def scenario(s: SocketFactory) -> Any:
        return s.new(socket.AF_INET, socket.SOCK_DGRAM).sendmsg_afalg([b"x"], op=ALG_OP_ENCRYPT)

    assert isinstance(assert_like_stdlib(scenario, flavour).error, OSError)


BAD_ADDRESSES = {
    "type too long": ("hash" * 4, "sha256"),
    "name too long": ("hash", "s" * 64),
    "type bytes": (b"hash", "sha256"),
    "name NUL": ("hash", "sha\x00" + "256"),
    "one item": ("hash",),
    "five items": ("hash", "sha256", 0, 0, 0),
    "feat str": ("hash", "sha256", "0"),
}


@pytest.mark.requires("validation:addresses", "family:AF_ALG")
@pytest.mark.parametrize("case", sorted(BAD_ADDRESSES))
def test_bad_alg_addresses_fail_like_the_stdlib(
    case: str, algorithm: Make, flavour: Flavour
) -> None:
    def scenario(s: SocketFactory) -> Any:
        return s.new(AF_ALG, socket.SOCK_SEQPACKET).bind(BAD_ADDRESSES[case])

    error = assert_like_stdlib(scenario, flavour).error
    assert error is not None
    assert "bind()" in str(error)


@pytest.mark.requires("validation:addresses", "family:AF_ALG")
def test_alg_feat_and_mask_reach_the_kernel_whole(algorithm: Make, sockets: SocketFactory) -> None:
    # The stdlib keeps the low 16 bits of feat and mask; the kernel's fields are 32 bits and
    # it refuses bits it does not know (EINVAL), which it must get to see.
    sock = sockets.new(AF_ALG, socket.SOCK_SEQPACKET)
    with pytest.raises(OSError) as caught:
        sock.bind(AlgAddress(type="hash", name="sha256", feat=0x10000, mask=0x10000))
    assert caught.value.errno == errno.EINVAL
    sock.bind(("hash", "sha256", 0, 0))
    assert AlgAddress.from_sockaddr(("hash", "sha256", 2**32 - 1)).feat == 2**32 - 1


# -- the key is a secret ------------------------------------------------------------------------


def _assert_hidden(key: bytes | str | int, *texts: str) -> None:
    if isinstance(key, int):
        forms = {str(key), hex(key)}
    else:
        raw = key.encode() if isinstance(key, str) else key
        forms = {repr(key), raw.hex(), raw.decode("latin-1"), repr(raw)[2:-1]}
    for text in texts:
        for form in filter(None, forms):
            assert form not in text, "the key appeared in an error, repr or log"


def _everything_about(exc: BaseException) -> list[str]:
    chain = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    texts = [str(exc), repr(exc), chain, repr(exc.args), repr(vars(exc))]
    for linked in (exc.__cause__, exc.__context__):
        if linked is not None:
            texts += _everything_about(linked)
    return texts


def _key(size: int) -> bytes:
    # Made at run time: a literal key would be in the source lines a traceback prints.
    return secrets.token_bytes(size)


BAD_KEYS: dict[str, Callable[[], Any]] = {
    "too long": lambda: _key(1025),
    "empty": lambda: b"",
    "str": lambda: "str-key-" + secrets.token_hex(12),
    "int": lambda: int.from_bytes(_key(16), "big"),
    "too long, wrapped": lambda: SecretBytes(_key(2048)),
}


@pytest.mark.requires("option:ALG_SET_KEY")
@pytest.mark.parametrize("case", sorted(BAD_KEYS))
@pytest.mark.parametrize("how", ["setsockopt", "set_option"])
def test_a_refused_key_never_appears_in_the_error(
    case: str, how: str, sockets: SocketFactory, caplog: pytest.LogCaptureFixture
) -> None:
    key = BAD_KEYS[case]()
    shown = key.get_secret_value() if isinstance(key, SecretBytes) else key
    sock = sockets.new(socket.AF_INET, socket.SOCK_STREAM)  # refused before any system call
    caplog.set_level(logging.DEBUG)
    call: Callable[[], None] = {
        "setsockopt": lambda: sock.setsockopt(SOL_ALG, ALG_SET_KEY, key),
        "set_option": lambda: sock.set_option(OPTIONS["ALG_SET_KEY"], key),
    }[how]
    with pytest.raises((TypeError, OSError)) as caught:
        call()
    exc = caught.value
    assert "ALG_SET_KEY" in str(exc)
    assert "allowed" in str(exc)
    assert getattr(exc, "value", None) is None
    assert getattr(exc, "secret", None) is True
    _assert_hidden(shown, *_everything_about(exc), caplog.text, repr(sock))


@pytest.mark.requires("option:ALG_SET_KEY")
def test_a_key_the_kernel_refuses_never_appears_in_the_error(
    sockets: SocketFactory, caplog: pytest.LogCaptureFixture
) -> None:
    key = _key(32)
    sock = sockets.new(socket.AF_INET, socket.SOCK_STREAM)  # no SOL_ALG here: ENOPROTOOPT
    caplog.set_level(logging.DEBUG)
    calls: list[Callable[[], None]] = [
        lambda: sock.setsockopt(SOL_ALG, ALG_SET_KEY, key),
        lambda: sock.setsockopt(SOL_ALG, ALG_SET_KEY, SecretBytes(key)),
        lambda: sock.set_option(OPTIONS["ALG_SET_KEY"], SecretBytes(key)),
    ]
    for call in calls:
        with pytest.raises(OSError) as caught:
            call()
        assert caught.value.errno == errno.ENOPROTOOPT
        _assert_hidden(key, *_everything_about(caught.value), caplog.text)
    wrapped = SecretBytes(key)
    _assert_hidden(key, repr(wrapped), str(wrapped), repr(OPTIONS["ALG_SET_KEY"]))


@pytest.mark.requires("option:ALG_SET_KEY", "family:AF_ALG")
def test_a_wrong_size_key_for_aes_never_appears_in_the_error(
    algorithm: Make, sockets: SocketFactory, caplog: pytest.LogCaptureFixture
) -> None:
    key = _key(15)  # AES takes 16, 24 or 32 bytes: the kernel says EINVAL
    tfm = algorithm("skcipher", "cbc(aes)")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(OSError) as caught:
        tfm.set_option(OPTIONS["ALG_SET_KEY"], SecretBytes(key))
    assert caught.value.errno == errno.EINVAL
    _assert_hidden(key, *_everything_about(caught.value), caplog.text, repr(tfm))
    with pytest.raises((TypeError, OSError)) as read:
        tfm.get_option(OPTIONS["ALG_SET_KEY"])  # write-only
    _assert_hidden(key, *_everything_about(read.value))


@pytest.mark.requires("option:ALG_SET_AEAD_AUTHSIZE")
@pytest.mark.parametrize(("value", "expected"), [(0, OSError), (65, OSError), ("16", TypeError)])
def test_aead_authsize_is_validated(
    value: object, expected: type[BaseException], sockets: SocketFactory
) -> None:
    sock = sockets.new(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(expected) as caught:
        sock.set_option(OPTIONS["ALG_SET_AEAD_AUTHSIZE"], value)
    assert "ALG_SET_AEAD_AUTHSIZE" in str(caught.value)
    with pytest.raises(expected):
        sock.setsockopt(SOL_ALG, ALG_SET_AEAD_AUTHSIZE, None, value)
    with pytest.raises(TypeError):  # the stdlib's form: None and the size as optlen
        sock.setsockopt(SOL_ALG, ALG_SET_AEAD_AUTHSIZE, 16)
