"""Shared fixtures for the core tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from multisock.registry import REGISTRY


@pytest.fixture
def fresh_registry() -> Iterator[None]:
    """Rediscover backends for this test, and again afterwards (env and plugins change)."""
    REGISTRY.reload()
    try:
        yield
    finally:
        REGISTRY.reload()


pytest_plugins = ["pytester"]
