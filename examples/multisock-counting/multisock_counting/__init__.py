"""An example third-party multisock backend: POSIX sockets that count the bytes they move.

It is the template for writing a backend: a socket class, a Backend that declares what it
supports, a ``multisock_backend`` hook, and an entry point in pyproject.toml. Run the
conformance suite against it with ``multisock conformance --backend counting``.
"""

from __future__ import annotations

from typing import Any

from multisock import Backend, Capabilities, hookimpl
from multisock_cpython import CPythonBackend
from multisock_posix import CAPABILITIES as POSIX
from multisock_posix import PosixSocket

__all__ = ["CountingBackend", "CountingSocket", "multisock_backend"]


class CountingSocket(PosixSocket):
    """A POSIX socket with ``bytes_sent`` and ``bytes_received`` counters.

    Wrapping the send/recv family in Python costs a function call per operation; that is
    this backend's feature, and why it is chosen only by name.
    """

    __slots__ = ("bytes_received", "bytes_sent")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bytes_sent = 0
        self.bytes_received = 0

    def send(self, data: Any, flags: int = 0, /) -> int:
        sent = super().send(data, flags)
        self.bytes_sent += sent
        return sent

    def sendall(self, data: Any, flags: int = 0, /) -> None:
        super().sendall(data, flags)
        self.bytes_sent += memoryview(data).nbytes

    def sendto(self, data: Any, flags_or_address: Any, *address: Any) -> int:
        sent = super().sendto(data, flags_or_address, *address)
        self.bytes_sent += sent
        return sent

    def recv(self, bufsize: int, flags: int = 0, /) -> bytes:
        data = super().recv(bufsize, flags)
        self.bytes_received += len(data)
        return data

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        received = super().recv_into(buffer, nbytes, flags)
        self.bytes_received += received
        return received

    def recvfrom(self, bufsize: int, flags: int = 0, /) -> tuple[bytes, Any]:
        data, address = super().recvfrom(bufsize, flags)
        self.bytes_received += len(data)
        return data, address

    def recvfrom_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> tuple[int, Any]:
        received, address = super().recvfrom_into(buffer, nbytes, flags)
        self.bytes_received += received
        return received, address


class CountingBackend(CPythonBackend):
    """POSIX sockets that count the bytes they send and receive (an example backend)."""

    # Chosen only when asked for by name: general-purpose backends come first.
    priority = 100
    socket_cls = CountingSocket

    @property
    def capabilities(self) -> Capabilities:
        return POSIX.replace(features=POSIX.features | {"byte_counting"})

    def unavailable_reason(self) -> str | None:
        from multisock_posix import PosixBackend  # noqa: PLC0415 - same platform needs

        return PosixBackend().unavailable_reason()


@hookimpl
def multisock_backend() -> Backend:
    return CountingBackend()
