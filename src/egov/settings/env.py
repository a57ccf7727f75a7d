"""Reading settings from the environment: the one place that knows the `EGOV_` prefix."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

PREFIX = "EGOV_"


def env(name: str, default: str | None = None) -> str | None:
    """`EGOV_<name>` from the environment, or the default."""
    return os.environ.get(PREFIX + name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    value = env(name, default) or ""
    return [item.strip() for item in value.split(",") if item.strip()]


def required(name: str, why: str) -> str:
    """A setting production cannot run without: refuse to start and say what to set."""
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"Set {name}: {why}")
    return value
