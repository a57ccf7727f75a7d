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
    response = client.get("/language/", {"language": language, "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/").content.decode()
    assert f"<html {text}>" in page
    assert 'name="language"' in page and "csrfmiddlewaretoken" not in page


@pytest.mark.django_db
def test_switcher_ignores_unknown_languages_and_foreign_addresses(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/language/", {"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert client.post("/language/", {"language": "ru"}).status_code == 405


@pytest.mark.django_db
def test_leaving_kazakh_leaves_the_latin_script(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/language/", {"language": "ru", "next": "/kk-latn/gov/"})
    assert response["Location"] == "/gov/" and response.cookies["django_language"].value == "ru"
    response = client.get("/language/", {"language": "kk", "next": "/kk-latn/gov/"})
    assert response["Location"] == "/kk-latn/gov/"


@pytest.mark.django_db
def test_pages_are_translated(client) -> None:  # type: ignore[no-untyped-def]
    russian = client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Войти" in russian or "Вход" in russian
