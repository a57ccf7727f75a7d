"""System checks that keep a deployment honest."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def production_database(app_configs: Any, **kwargs: Any) -> list[Any]:
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        return [
            Warning(
                "Production runs on PostgreSQL; the audit log's append-only trigger needs it.",
                hint="Set DATABASE_URL=postgres://…",
                id="egov.W001",
            )
        ]
    return []


@register()
def country_languages(app_configs: Any, **kwargs: Any) -> list[Any]:
    profile = settings.COUNTRY
    if profile.default_language not in profile.languages:
        return [
            Error(
                f"The country profile {profile.code} does not list its default language.",
                id="egov.E001",
            )
        ]
    return []
