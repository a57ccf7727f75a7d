"""Shared fixtures for every test package."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache (log-in throttling and caches keep state there)."""
    cache.clear()


@pytest.fixture
def registry(db):  # type: ignore[no-untyped-def]
    """The demo registry: organizations, systems and one user per role."""
    from egov.core import demo

    demo.load()
    return demo
