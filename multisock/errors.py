"""Exceptions raised by multisock.

Every invalid argument raises an instance of :class:`ValidationError` that is *also* an
instance of the exception type the standard library raises for the same input (TypeError,
OverflowError, ValueError, OSError or socket.gaierror), so code written against
``socket.socket`` keeps catching what it caught before.
"""

from __future__ import annotations

import errno as _errno
import socket as _socket
from collections.abc import Iterable
from typing import Final

__all__ = [
    "BackendError",
    "BackendNotFound",
    "BackendUnavailable",
    "NoSuitableBackend",
    "UnsupportedControl",
    "UnsupportedOperation",
    "ValidationError",
    "invalid",
]

# How many characters of a bad value a message shows: enough to recognise it, never a dump.
_VALUE_REPR_LIMIT: Final = 80


class ValidationError(Exception):
    """An argument failed validation before any system call was made.

    Attributes:
        method: the call that was refused, e.g. ``"bind"``.
        argument: the argument (or part of it) that was wrong, e.g. ``"address port"``.
        value: the offending value (``None`` when it is a secret).
        allowed: what would have been accepted, in words.
    """

    method: str
    argument: str
    value: object
    allowed: str
    problem: str
    secret: bool

    def relabel(self, *, method: str, argument: str) -> ValidationError:
        """The same failure, reported for the call that passed the value on (``bind()``
        rather than ``InetAddress()``), with ``argument`` prefixed to the argument's name."""
        kind = next(k for k, cls in _KINDS.items() if type(self) is cls)
        return invalid(
            kind,
            method=method,
            argument=f"{argument} {self.argument}".strip(),
            value=self.value,
            problem=self.problem,
            allowed=self.allowed,
            errno=getattr(self, "errno", None),
            secret=self.secret,
        )


class ValidationTypeError(ValidationError, TypeError):
    """An argument of the wrong type."""


class ValidationValueError(ValidationError, ValueError):
    """An argument of the right type but an unacceptable value."""


class ValidationOverflowError(ValidationError, OverflowError):
    """A number outside the range its C field can hold."""


class ValidationOSError(ValidationError, OSError):
    """A value the operating system would refuse (the stdlib raises OSError for it)."""


class ValidationGaiError(ValidationError, _socket.gaierror):
    """A host that cannot be a valid name or address (the stdlib raises gaierror for it)."""


class ValidationOverflowTypeError(ValidationError, OverflowError, TypeError):
    """Out of range where the stdlib happens to report a TypeError (setsockopt with a huge int)."""


_KINDS: Final[dict[str, type[ValidationError]]] = {
    "type": ValidationTypeError,
    "value": ValidationValueError,
    "overflow": ValidationOverflowError,
    "os": ValidationOSError,
    "gai": ValidationGaiError,
    "overflow_type": ValidationOverflowTypeError,
}


def describe(value: object) -> str:
    """A short repr of a value for an error message."""
    text = repr(value)
    if len(text) > _VALUE_REPR_LIMIT:
        text = text[: _VALUE_REPR_LIMIT - 3] + "..."
    return text


def invalid(
    kind: str,
    *,
    method: str,
    argument: str,
    value: object,
    problem: str,
    allowed: str,
    errno: int | None = None,
    secret: bool = False,
) -> ValidationError:
    """Build (not raise) the validation error for one bad argument.

    ``kind`` picks the stdlib exception type: one of ``type``, ``value``, ``overflow``, ``os``,
    ``gai`` or ``overflow_type``. With ``secret=True`` the value is never put in the message
    nor kept on the exception.
    """
    shown = "<secret>" if secret else describe(value)
    message = f"{method}(): invalid {argument} {shown}: {problem}; allowed: {allowed}"
    cls = _KINDS[kind]
    exc: ValidationError
    if kind == "os":
        exc = cls(errno if errno is not None else _errno.EINVAL, message)
    elif kind == "gai":
        exc = cls(errno if errno is not None else _socket.EAI_NONAME, message)
    else:
        exc = cls(message)
    exc.method = method
    exc.argument = argument
    exc.value = None if secret else value
    exc.allowed = allowed
    exc.problem = problem
    exc.secret = secret
    return exc


class BackendError(Exception):
    """Base class for errors about choosing or loading a backend."""


class BackendNotFound(BackendError, LookupError):
    """No installed backend has the requested name."""


class BackendUnavailable(BackendError):
    """The backend is installed but cannot work here; ``reason`` says why."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"backend {name!r} is unavailable on this platform: {reason}")
        self.name = name
        self.reason = reason


class NoSuitableBackend(OSError, BackendNotFound):
    """No available backend serves the requested family, type and protocol.

    An OSError (errno EAFNOSUPPORT, ESOCKTNOSUPPORT or EPROTONOSUPPORT) because that is what
    the stdlib raises when the kernel cannot create such a socket.
    """


class UnsupportedOperation(OSError):
    """The serving backend does not implement this method (errno EOPNOTSUPP).

    ``operation`` is the method name, ``backend`` the serving backend, and ``supported_by``
    the installed backends that do implement it.
    """

    def __init__(self, operation: str, backend: str, supported_by: tuple[str, ...]) -> None:
        if supported_by:
            hint = "backends that support it: " + ", ".join(supported_by)
        else:
            hint = "no installed backend supports it"
        super().__init__(
            _errno.EOPNOTSUPP,
            f"{operation}() is not supported by the {backend!r} backend ({hint})",
        )
        self.operation = operation
        self.backend = backend
        self.supported_by = supported_by


class UnsupportedControl(UnsupportedOperation, ValueError):
    """An ioctl control code the serving backend does not handle (errno EOPNOTSUPP).

    Also a ValueError, which is what the stdlib raises for a control code it does not know.
    ``control`` is the code, ``handled`` the control codes the backend does handle.
    """

    def __init__(
        self,
        control: int,
        backend: str,
        handled: Iterable[str],
        supported_by: tuple[str, ...] = (),
        name: str | None = None,
    ) -> None:
        what = f"{name} ({control:#x})" if name else str(control)
        handles = ", ".join(sorted(handled)) or "no control code"
        hint = f"; backends that support it: {', '.join(supported_by)}" if supported_by else ""
        OSError.__init__(
            self,
            _errno.EOPNOTSUPP,
            f"ioctl(): control code {what} is not supported by the {backend!r} backend "
            f"(it handles {handles}){hint}",
        )
        self.operation = "ioctl"
        self.backend = backend
        self.supported_by = supported_by
        self.control = control
        self.handled = tuple(sorted(handled))
