"""Shared mechanics for backends built on CPython's socket object (a library, not a backend)."""

from .base import CPythonBackend, CPythonSocket, serves

__all__ = ["CPythonBackend", "CPythonSocket", "serves"]
