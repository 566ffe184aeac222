"""The spec itself: every method exists, declared ones are implemented, the others raise
UnsupportedOperation naming the backends that do support them."""

from __future__ import annotations

import errno
import socket
from typing import Any

import pytest

import multisock
from multisock.api import SPEC_ATTRIBUTES, SPEC_METHODS
from multisock.registry import REGISTRY

from .flavours import SocketFactory

# Arguments that reach the method body (never used: the call must fail first).
CALLS: dict[str, tuple[Any, ...]] = {
    "ioctl": (0, 0),
    "share": (1,),
    "sendmsg_afalg": (),
    "recvmsg": (1,),
    "recvmsg_into": ([bytearray(1)],),
    "sendmsg": ([b"x"],),
}


@pytest.mark.requires("spec:methods")
def test_every_spec_method_and_attribute_exists(sockets: SocketFactory) -> None:
    sock = sockets.new()
    for name in SPEC_METHODS:
        assert callable(getattr(sock, name)), name
    for name in SPEC_ATTRIBUTES:
        assert isinstance(getattr(sock, name), int), name


@pytest.mark.requires("spec:methods")
def test_declared_methods_are_implemented(backend_name: str, capabilities: Any) -> None:
    with multisock.Socket(socket.AF_INET, socket.SOCK_DGRAM, backend=backend_name) as sock:
        cls = type(sock)
    stubs = [
        m for m in sorted(capabilities.methods) if getattr(cls, m) is getattr(multisock.Socket, m)
    ]
    assert not stubs, f"declared but left as the spec's unsupported default: {stubs}"


@pytest.mark.requires("spec:unsupported")
@pytest.mark.parametrize("method", SPEC_METHODS)
def test_undeclared_method_raises_unsupported_operation(
    method: str, backend_name: str, capabilities: Any, sockets: SocketFactory
) -> None:
    if method in capabilities.methods:
        pytest.skip(f"not applicable: {backend_name} declares {method}")
    sock = sockets.new()
    kwargs = {"op": 0} if method == "sendmsg_afalg" else {}
    with pytest.raises(multisock.UnsupportedOperation) as caught:
        getattr(sock, method)(*CALLS.get(method, ()), **kwargs)
    exc = caught.value
    assert isinstance(exc, OSError)
    assert exc.errno == errno.EOPNOTSUPP
    assert exc.backend == backend_name
    assert f"{method}()" in str(exc)
    assert backend_name in str(exc)
    assert exc.supported_by == REGISTRY.supporting(method)
    for other in exc.supported_by:
        assert other in str(exc)
