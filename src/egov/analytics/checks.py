"""Deployment checks: the warehouse folder is writable and personal data can be pseudonymised."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register

from egov.analytics.engines import PseudonymKeyError


@register(deploy=True)
def pseudonym_keys(app_configs: Any, **kwargs: Any) -> list[Any]:
    from egov.analytics import store

    try:
        if store.keyring() is None:
            return [
                Warning(
                    "EGOV_ANALYTICS_PSEUDONYM_KEYS is not set: loads with personal identifiers "
                    "will be refused.",
                    hint="Set it to id=<base64 of 32 random bytes> (openssl rand -base64 32).",
                    id="analytics.W001",
                )
            ]
    except PseudonymKeyError as error:
        return [Error(f"EGOV_ANALYTICS_PSEUDONYM_KEYS: {error}", id="analytics.E001")]
    return []


@register()
def engine_kind(app_configs: Any, **kwargs: Any) -> list[Any]:
    if settings.EGOV_ANALYTICS_ENGINE not in {"duckdb", "spark"}:
        return [Error("EGOV_ANALYTICS_ENGINE must be duckdb or spark.", id="analytics.E002")]
    return []
