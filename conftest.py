"""Shared fixtures for every test package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache (log-in throttling and caches keep state there)."""
    cache.clear()


@pytest.fixture(autouse=True)
def _append_only_audit_log(request: pytest.FixtureRequest) -> Iterator[None]:
    """Keep the audit triggers on in every test, yet let transactional tests empty the database.

    Tests that commit are cleaned by flushing every table, which the triggers rightly refuse; such
    tests drop them at teardown, and the next test that uses the database puts them back.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None and "db" not in request.fixturenames:
        yield
        return
    transactional = "transactional_db" in request.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.db import connection

    from egov.core import audit_triggers

    audit_triggers.install(connection)
    yield
    if transactional:
        audit_triggers.remove(connection)


@pytest.fixture
def registry(db):  # type: ignore[no-untyped-def]
    """The demo registry: organizations, systems and one user per role."""
    from egov.core import demo

    demo.load()
    return demo
