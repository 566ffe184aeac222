"""How conformance tests make sockets: the stdlib's way, or through one multisock backend.

Most tests run a scenario twice, once with the stdlib's flavour and once with the backend's,
and compare what happened: the backend must behave as the stdlib does on this platform.
"""

from __future__ import annotations

import socket as stdsocket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import multisock

__all__ = [
    "STDLIB",
    "BackendFlavour",
    "Flavour",
    "Outcome",
    "SocketFactory",
    "assert_like_stdlib",
    "outcome",
]


class Flavour:
    """Makes sockets. Subclasses: the stdlib, or a multisock backend."""

    name: str = "?"

    def socket(
        self,
        family: int = stdsocket.AF_INET,
        type: int = stdsocket.SOCK_STREAM,
        proto: int = 0,
        fileno: int | None = None,
    ) -> Any:
        raise NotImplementedError

    def socketpair(
        self, family: int | None = None, type: int = stdsocket.SOCK_STREAM, proto: int = 0
    ) -> tuple[Any, Any]:
        raise NotImplementedError

    def fromfd(self, fd: int, family: int, type: int, proto: int = 0) -> Any:
        raise NotImplementedError

    def create_connection(self, address: Any, timeout: Any = None, **kwargs: Any) -> Any:
        raise NotImplementedError

    def create_server(self, address: Any, **kwargs: Any) -> Any:
        raise NotImplementedError


class _Stdlib(Flavour):
    name = "stdlib"

    def socket(
        self,
        family: int = stdsocket.AF_INET,
        type: int = stdsocket.SOCK_STREAM,
        proto: int = 0,
        fileno: int | None = None,
    ) -> Any:
        return stdsocket.socket(family, type, proto, fileno)

    def socketpair(
        self, family: int | None = None, type: int = stdsocket.SOCK_STREAM, proto: int = 0
    ) -> tuple[Any, Any]:
        return stdsocket.socketpair(family, type, proto)

    def fromfd(self, fd: int, family: int, type: int, proto: int = 0) -> Any:
        return stdsocket.fromfd(fd, family, type, proto)

    def create_connection(self, address: Any, timeout: Any = None, **kwargs: Any) -> Any:
        return stdsocket.create_connection(address, timeout, **kwargs)

    def create_server(self, address: Any, **kwargs: Any) -> Any:
        return stdsocket.create_server(address, **kwargs)


STDLIB: Flavour = _Stdlib()


@dataclass(frozen=True)
class BackendFlavour(Flavour):
    """Sockets served by one multisock backend (always named with ``backend=``)."""

    name: str

    def socket(
        self,
        family: int = stdsocket.AF_INET,
        type: int = stdsocket.SOCK_STREAM,
        proto: int = 0,
        fileno: int | None = None,
    ) -> Any:
        return multisock.Socket(family, type, proto, fileno, backend=self.name)

    def socketpair(
        self, family: int | None = None, type: int = stdsocket.SOCK_STREAM, proto: int = 0
    ) -> tuple[Any, Any]:
        return multisock.socketpair(family, type, proto, backend=self.name)

    def fromfd(self, fd: int, family: int, type: int, proto: int = 0) -> Any:
        return multisock.fromfd(fd, family, type, proto, backend=self.name)

    def create_connection(self, address: Any, timeout: Any = None, **kwargs: Any) -> Any:
        return multisock.create_connection(address, timeout, backend=self.name, **kwargs)

    def create_server(self, address: Any, **kwargs: Any) -> Any:
        return multisock.create_server(address, backend=self.name, **kwargs)


LOOPBACK: dict[int, str] = {stdsocket.AF_INET: "127.0.0.1", stdsocket.AF_INET6: "::1"}


@dataclass
class SocketFactory:
    """Makes sockets of one flavour for a test, and closes every one of them afterwards."""

    flavour: Flavour
    made: list[Any] = field(default_factory=list)

    def track(self, *socks: Any) -> None:
        self.made.extend(socks)

    def new(
        self, family: int = stdsocket.AF_INET, type: int = stdsocket.SOCK_STREAM, proto: int = 0
    ) -> Any:
        sock = self.flavour.socket(family, type, proto)
        self.made.append(sock)
        return sock

    def pair(self, family: int | None = None, type: int = stdsocket.SOCK_STREAM) -> tuple[Any, Any]:
        a, b = self.flavour.socketpair(family, type)
        self.made += [a, b]
        return a, b

    def listener(self, family: int = stdsocket.AF_INET, backlog: int = 8) -> Any:
        server = self.new(family, stdsocket.SOCK_STREAM)
        server.bind((LOOPBACK[family], 0))
        server.listen(backlog)
        return server

    def tcp_pair(self, family: int = stdsocket.AF_INET) -> tuple[Any, Any]:
        """A connected (client, server-side) TCP pair over loopback."""
        server = self.listener(family)
        client = self.new(family, stdsocket.SOCK_STREAM)
        client.connect(server.getsockname())
        accepted, _ = server.accept()
        self.made.append(accepted)
        server.close()
        return client, accepted

    def udp_pair(self, family: int = stdsocket.AF_INET) -> tuple[Any, Any]:
        """Two UDP sockets bound to loopback ports."""
        a = self.new(family, stdsocket.SOCK_DGRAM)
        b = self.new(family, stdsocket.SOCK_DGRAM)
        a.bind((LOOPBACK[family], 0))
        b.bind((LOOPBACK[family], 0))
        return a, b

    def close_all(self) -> None:
        while self.made:
            self.made.pop().close()


@dataclass(frozen=True)
class Outcome:
    """What a call did: returned a value, or raised an exception."""

    value: Any = None
    error: BaseException | None = None

    def matches(self, expected: Outcome) -> bool:
        """Same return value; or an exception of the stdlib's type (and errno and Windows
        error code, if any)."""
        if expected.error is None:
            return self.error is None and self.value == expected.value
        if not isinstance(self.error, type(expected.error)):
            return False
        return all(
            getattr(expected.error, code, None) == getattr(self.error, code, None)
            for code in ("errno", "winerror")
        )

    def __str__(self) -> str:
        if self.error is not None:
            return f"raised {type(self.error).__name__}: {self.error}"
        return f"returned {self.value!r}"


def outcome(call: Callable[[], Any]) -> Outcome:
    try:
        return Outcome(value=call())
    except Exception as exc:
        return Outcome(error=exc)


def assert_like_stdlib(scenario: Callable[[SocketFactory], Any], flavour: Flavour) -> Outcome:
    """Run ``scenario`` with stdlib sockets and with the backend's; assert the same outcome.

    The same outcome is an equal return value, or an exception of the stdlib's type with the
    same errno. Every socket either run made is closed. Returns the backend's outcome.
    """
    outcomes = []
    for each in (STDLIB, flavour):
        factory = SocketFactory(each)
        try:
            outcomes.append(outcome(lambda: scenario(factory)))  # noqa: B023 - called at once
        finally:
            factory.close_all()
    expected, actual = outcomes
    assert actual.matches(expected), f"stdlib {expected}; {flavour.name} {actual}"
    return actual
