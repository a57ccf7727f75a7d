"""Tests that need a real service skip without it, except in strict mode (CI), where they fail."""

from __future__ import annotations

import os

import pytest
from django.db import connection


def strict() -> bool:
    return os.environ.get("EGOV_STRICT", "").lower() in {"1", "true", "yes", "on"}


def unavailable(reason: str) -> None:
    if strict():
        pytest.fail(f"EGOV_STRICT=1 and a required service is missing: {reason}")
    pytest.skip(reason)


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        unavailable("needs PostgreSQL: set DATABASE_URL=postgres://…")


def require_redis() -> None:
    url = os.environ.get("EGOV_REDIS_URL")
    if not url:
        unavailable("needs Redis: set EGOV_REDIS_URL=redis://…")
        return
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        unavailable(f"Redis at {url} does not answer: {error}")
