"""Finding backends (entry points + pluggy) and choosing one for a socket.

Discovery happens once, lazily, on first need: ``import multisock`` loads no plugin.
"""

from __future__ import annotations

import errno
import os
import socket
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final, Protocol

import pluggy

from . import hookspecs
from .backend import Backend
from .capabilities import TYPE_FLAGS, Capabilities, family_name, type_name
from .errors import BackendNotFound, BackendUnavailable, NoSuitableBackend

if TYPE_CHECKING:
    from .api import Socket

__all__ = ["ENTRY_POINT_GROUP", "ENV_VAR", "REGISTRY", "BackendInfo", "Registry"]

ENTRY_POINT_GROUP: Final = "multisock.backends"
ENV_VAR: Final = "MULTISOCK_BACKEND"


class Origin(Protocol):
    """Where a backend comes from: its distribution's name and version."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...


class _Given:
    """The origin of a plugin registered in-process, as the caller stated it."""

    __slots__ = ("name", "version")

    def __init__(self, name: str, version: str) -> None:
        self.name, self.version = name, version


class BackendInfo:
    """An installed backend, as ``multisock.backends()`` reports it.

    ``distribution`` and ``version`` are read from the distribution's metadata on first use:
    parsing it is costly, and choosing a backend for a socket never needs it.
    """

    __slots__ = (
        "_dist",
        "_origin",
        "available",
        "capabilities",
        "description",
        "name",
        "priority",
        "reason",
    )

    def __init__(
        self,
        name: str,
        origin: Origin | None,
        reason: str | None,
        capabilities: Capabilities | None = None,
        priority: int = 1000,
        description: str = "",
    ) -> None:
        self.name = name
        self._origin = origin
        self._dist: tuple[str | None, str | None] | None = None
        self.available = reason is None and capabilities is not None
        self.reason = reason
        self.capabilities = capabilities
        self.priority = priority
        self.description = description

    def _distribution(self) -> tuple[str | None, str | None]:
        if self._dist is None:
            origin = self._origin
            self._dist = (origin.name, origin.version) if origin is not None else (None, None)
        return self._dist

    @property
    def distribution(self) -> str | None:
        """The name of the distribution that registered the backend (None when unknown)."""
        return self._distribution()[0]

    @property
    def version(self) -> str | None:
        """That distribution's version."""
        return self._distribution()[1]

    def counts(self) -> dict[str, int]:
        """How many names each capability section declares."""
        if self.capabilities is None:
            return {}
        return {k: len(v) for k, v in self.capabilities.features_matrix().items()}

    def __repr__(self) -> str:
        state = "available" if self.available else f"unavailable: {self.reason}"
        return f"<BackendInfo {self.name!r} from {self.distribution} {self.version}: {state}>"


class _Entry:
    __slots__ = ("backend", "info")

    def __init__(self, info: BackendInfo, backend: Backend | None) -> None:
        self.info, self.backend = info, backend


class Registry:
    """The installed backends, and the cached choice of socket class per request."""

    def __init__(self, group: str = ENTRY_POINT_GROUP) -> None:
        self._group = group
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] | None = None
        self._extra: list[tuple[str, object, Origin | None]] = []
        #: ``(family, type, proto, backend) -> class`` of requests already served; cleared in
        #: place by reload(), so holders of ``choices.get`` stay current.
        self.choices: dict[tuple[object, object, object, object], type[Socket]] = {}
        self._names: dict[type[Any], str] = {}
        self._env: str | None = None

    # -- discovery -------------------------------------------------------------------------

    def _load(self) -> dict[str, _Entry]:
        entries = self._entries
        if entries is not None:
            return entries
        with self._lock:
            if self._entries is None:
                self._entries = self._discover()
                self._env = os.environ.get(ENV_VAR) or None
            return self._entries

    def _discover(self) -> dict[str, _Entry]:
        import importlib_metadata  # noqa: PLC0415 - costly to import; only discovery needs it

        manager = pluggy.PluginManager(hookspecs.PROJECT)
        manager.add_hookspecs(hookspecs)
        entries: dict[str, _Entry] = {}
        plugins: list[tuple[str, object, Origin | None]] = []
        for ep in importlib_metadata.entry_points(group=self._group):
            if ep.name in entries or any(ep.name == p[0] for p in plugins):
                continue  # the same distribution seen twice on sys.path
            try:
                plugins.append((ep.name, ep.load(), ep.dist))
            except Exception as exc:  # a broken plugin must not hide the others
                entries[ep.name] = _unavailable(ep.name, ep.dist, f"import failed: {exc!r}")
        plugins.extend(self._extra)
        for name, plugin, origin in plugins:
            entries[name] = self._register(manager, name, plugin, origin)
        return entries

    def _register(
        self,
        manager: pluggy.PluginManager,
        name: str,
        plugin: object,
        origin: Origin | None,
    ) -> _Entry:
        try:
            manager.register(plugin, name=name)
            impls = [
                i for i in manager.hook.multisock_backend.get_hookimpls() if i.plugin_name == name
            ]
            if not impls:
                raise TypeError("the plugin does not implement the multisock_backend hook")
            backend = impls[0].function()
            if not isinstance(backend, Backend):
                raise TypeError(
                    f"multisock_backend() returned {type(backend).__name__}, not a Backend"
                )
            capabilities = backend.capabilities
            reason = backend.unavailable_reason()
        except Exception as exc:
            return _unavailable(name, origin, f"plugin failed: {exc!r}")
        info = BackendInfo(
            name, origin, reason, capabilities, backend.priority, backend.description
        )
        return _Entry(info, backend)

    def add(
        self,
        name: str,
        plugin: object,
        *,
        distribution: str | None = None,
        version: str | None = None,
    ) -> None:
        """Register a plugin without an entry point (tests, applications); effective at once."""
        origin = _Given(distribution, version or "") if distribution is not None else None
        with self._lock:
            self._extra.append((name, plugin, origin))
        self.reload()

    def remove(self, name: str) -> None:
        """Undo :meth:`add`."""
        with self._lock:
            self._extra = [e for e in self._extra if e[0] != name]
        self.reload()

    def reload(self) -> None:
        """Forget what was discovered (and the MULTISOCK_BACKEND value read with it)."""
        with self._lock:
            self._entries = None
            self.choices.clear()
            self._names.clear()

    # -- queries ---------------------------------------------------------------------------

    def infos(self) -> list[BackendInfo]:
        """Every installed backend, in the order choice considers them."""
        entries = self._load().values()
        return sorted(
            (e.info for e in entries), key=lambda i: (not i.available, i.priority, i.name)
        )

    def names(self) -> list[str]:
        return [info.name for info in self.infos()]

    def get(self, name: str) -> Backend:
        """The named backend; BackendNotFound or BackendUnavailable if it cannot serve."""
        entry = self._load().get(name)
        if entry is None:
            installed = ", ".join(self.names()) or "none"
            raise BackendNotFound(
                f"no backend named {name!r} is installed (installed: {installed}); "
                f"install its distribution or pick one of those"
            )
        if entry.backend is None or not entry.info.available:
            raise BackendUnavailable(name, entry.info.reason or "unknown")
        return entry.backend

    def available(self) -> Iterator[tuple[str, Backend]]:
        for info in self.infos():
            if info.available:
                yield info.name, self.get(info.name)

    def supporting(self, name: str) -> tuple[str, ...]:
        """The available backends that declare ``name`` as a method or a feature."""
        return tuple(
            info.name
            for info in self.infos()
            if info.available
            and info.capabilities
            and (name in info.capabilities.methods or name in info.capabilities.features)
        )

    def name_of(self, cls: type[Any]) -> str:
        """The registered name of the backend serving instances of ``cls``.

        Known from ``Socket()``'s choices, else asked of the available backends (by
        priority) for the classes of the sockets they declare, however the socket was made.
        """
        name = self._names.get(cls)
        if name is None:
            self._index_classes()
            name = self._names.get(cls)
        return name if name is not None else cls.__module__.split(".")[0]

    def _index_classes(self) -> None:
        for name, backend in self.available():
            for family in backend.capabilities.families:
                for kind in backend.capabilities.types:
                    numbers = getattr(socket, family, None), getattr(socket, kind, None)
                    if None not in numbers:
                        cls = backend.socket_class(numbers[0], numbers[1], 0)  # type: ignore[arg-type]
                        self._names.setdefault(cls, name)

    # -- choice ----------------------------------------------------------------------------

    def choose(self, family: int, kind: int, proto: int, name: str | None) -> type[Socket]:
        """The socket class for a request; cached, so repeated requests cost a dict lookup."""
        key = (family, kind, proto, name)
        try:
            return self.choices[key]
        except KeyError:
            pass
        chosen, backend = self.backend_for(family, kind, name)
        cls = backend.socket_class(family, kind & ~TYPE_FLAGS, proto)
        self._names.setdefault(cls, chosen)
        self.choices[key] = cls
        return cls

    def backend_for(self, family: int, kind: int, name: str | None) -> tuple[str, Backend]:
        """The backend (and its name) that serves this family and type.

        ``name`` if given, else MULTISOCK_BACKEND if set, else the first available backend
        whose declaration covers the request.
        """
        self._load()
        requested = name if name is not None else self._env
        if requested is not None:
            backend = self.get(requested)
            if not backend.capabilities.covers(family, kind):
                raise self._uncovered(family, kind, only=requested)
            return requested, backend
        for chosen, backend in self.available():
            if backend.capabilities.covers(family, kind):
                return chosen, backend
        raise self._uncovered(family, kind)

    def _uncovered(self, family: int, kind: int, only: str | None = None) -> NoSuitableBackend:
        fam = family_name(family) or str(family)
        typ = type_name(kind) or str(kind)
        servers = [
            info.name
            for info in self.infos()
            if info.available and info.capabilities and info.capabilities.covers(family, kind)
        ]
        which = f"the {only!r} backend does not" if only else "no available backend does"
        hint = f"backends that do: {', '.join(servers)}" if servers else "no installed backend does"
        code = (
            errno.EAFNOSUPPORT
            if family_name(family) is None or not servers
            else errno.ESOCKTNOSUPPORT
        )
        return NoSuitableBackend(code, f"{which} serve {fam}/{typ} sockets ({hint})")


def _unavailable(name: str, origin: Origin | None, reason: str) -> _Entry:
    return _Entry(BackendInfo(name, origin, reason), None)


#: The process-wide registry behind ``multisock.Socket`` and friends.
REGISTRY: Final = Registry()
