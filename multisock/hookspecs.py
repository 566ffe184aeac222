"""The hooks a multisock plugin may implement.

A plugin is a module (or object) registered in the ``multisock.backends`` entry-point group::

    # pyproject.toml of a backend distribution
    [project.entry-points."multisock.backends"]
    counting = "multisock_counting"

    # multisock_counting/__init__.py
    from multisock import hookimpl

    @hookimpl
    def multisock_backend():
        return CountingBackend()

The entry point's name is the backend's registered name (``sock.backend``, ``backend=``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .backend import Backend

__all__ = ["PROJECT", "hookimpl", "hookspec", "multisock_backend"]

PROJECT = "multisock"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def multisock_backend() -> Backend:  # type: ignore[empty-body]
    """Return the :class:`multisock.Backend` this plugin provides.

    Called once per plugin, the first time multisock needs its backends (never at import).
    Must return a Backend instance, even on a platform where it cannot work: its
    ``unavailable_reason()`` then says why. Must not create sockets or do I/O; an exception
    raised here marks this plugin's backend unavailable, with the exception as the reason,
    and does not affect other plugins.
    """
