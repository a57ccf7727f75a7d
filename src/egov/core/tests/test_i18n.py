"""Languages: complete catalogs, the switcher, and pages answering in the chosen language."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from egov.core.catalogs import (
    TRANSLATED_LANGUAGES,
    catalog_path,
    missing_translations,
    source_messages,
)

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_catalog_has_every_string(language: str) -> None:
    """Fails when code or templates gain a string the catalog lacks: run update_catalogs."""
    messages = source_messages(settings.SRC_DIR)
    assert len(messages) > 50
    assert missing_translations(catalog_path(LOCALE_DIR, language), messages) == []


def test_extraction_sees_python_and_templates() -> None:
    messages = source_messages(settings.SRC_DIR)
    assert "Platform operator" in messages  # choices.py
    assert "Skip to content" in messages  # base.html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"),
    [("kk", 'lang="kk"'), ("ru", 'lang="ru"'), ("en", 'lang="en"')],
)
def test_switcher_changes_the_page_language(client, language: str, text: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert f"<html {text}>" in page
    assert 'name="language"' in page


@pytest.mark.django_db
def test_pages_are_translated(client) -> None:  # type: ignore[no-untyped-def]
    russian = client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Войти" in russian or "Вход" in russian
