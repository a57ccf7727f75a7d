"""The translation status matrix: for each page of a body's site, each language's state.

A page is written in the deployment's default language (the source); every other content language
shows as missing (no page, or only the stand-in alias that repeats the source), not published,
outdated (the source was published again after the translation) or up to date.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from wagtail.models import Locale, Page

from egov.websites.choices import TranslationState


def content_languages() -> list[str]:
    return [str(code) for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]


def source_language() -> str:
    return str(settings.LANGUAGE_CODE)


@dataclass
class Cell:
    language: str
    state: TranslationState
    page: Page | None = None


@dataclass
class Row:
    source: Page
    cells: list[Cell] = field(default_factory=list)

    @property
    def needs_work(self) -> bool:
        return any(
            cell.state
            in (TranslationState.MISSING, TranslationState.OUTDATED, TranslationState.DRAFT)
            for cell in self.cells
        )


@dataclass
class Matrix:
    languages: list[str]
    rows: list[Row]

    def count(self, state: TranslationState) -> int:
        return sum(1 for row in self.rows for cell in row.cells if cell.state == state)

    @property
    def missing(self) -> int:
        return self.count(TranslationState.MISSING)

    @property
    def outdated(self) -> int:
        return self.count(TranslationState.OUTDATED) + self.count(TranslationState.DRAFT)

    @property
    def cells(self) -> int:
        return sum(len(row.cells) for row in self.rows) - len(self.rows)


def state_of(source: Page, translation: Page | None) -> TranslationState:
    if translation is None or translation.alias_of_id is not None:
        return TranslationState.MISSING
    if not translation.live:
        return TranslationState.DRAFT
    if (
        source.last_published_at
        and translation.last_published_at
        and source.last_published_at > translation.last_published_at
    ):
        return TranslationState.OUTDATED
    return TranslationState.CURRENT


def source_site(site: Page) -> Page:
    """The site in the source language (the one translations are made from)."""
    locale = Locale.objects.filter(language_code=source_language()).first()
    if locale is None or site.locale_id == locale.pk:
        return site
    return site.get_translation_or_none(locale) or site


def matrix(site: Page) -> Matrix:
    """Two queries: the source pages, and every translation of them."""
    source = source_site(site)
    languages = content_languages()
    pages = list(source.get_descendants(inclusive=True).live().order_by("path"))
    translations = {
        (page.translation_key, page.locale.language_code): page
        for page in Page.objects.filter(
            translation_key__in=[page.translation_key for page in pages]
        )
        .exclude(locale_id=source.locale_id)
        .select_related("locale")
    }
    rows = []
    for page in pages:
        row = Row(page)
        for language in languages:
            if language == source.locale.language_code:
                row.cells.append(Cell(language, TranslationState.SOURCE, page))
                continue
            translated = translations.get((page.translation_key, language))
            row.cells.append(Cell(language, state_of(page, translated), translated))
        rows.append(row)
    return Matrix(languages, rows)
