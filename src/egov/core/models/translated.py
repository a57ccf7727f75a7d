"""Fields that people read, stored once per UI language with a fallback.

`name = TranslatedField(models.CharField, max_length=300)` adds the real columns `name_kk`,
`name_ru`, `name_en` and `name_tg`; reading `obj.name` gives the active language, else the
country profile's default language, else the first language that has text. Separate columns
(not JSON) keep the values searchable, sortable and editable as ordinary form fields.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import get_language

LANGUAGES: tuple[str, ...] = ("kk", "ru", "en", "tg")


def fallback_chain(language: str | None) -> list[str]:
    """Languages to try, in order, for a reader of `language`."""
    default = settings.COUNTRY.default_language
    chain = [code for code in (language, default) if code]
    return [*dict.fromkeys(chain + list(settings.COUNTRY.languages) + list(LANGUAGES))]


class TranslatedText:
    """Descriptor reading the best available translation of a TranslatedField."""

    def __init__(self, base: str) -> None:
        self.base = base

    def __get__(self, obj: models.Model | None, owner: type) -> Any:
        if obj is None:
            return self
        return translate(obj, self.base, (get_language() or "").split("-")[0])


def translate(obj: models.Model, base: str, language: str | None) -> str:
    for code in fallback_chain(language):
        value = getattr(obj, f"{base}_{code}", "")
        if value:
            return str(value)
    return ""


class TranslatedField:
    """Declares one column per language; not a Django field itself."""

    def __init__(
        self, field_class: type[models.Field[Any, Any]], verbose_name: Any = "", **kwargs: Any
    ) -> None:
        self.field_class = field_class
        self.verbose_name = verbose_name
        self.kwargs = kwargs

    def contribute_to_class(self, cls: type[models.Model], name: str) -> None:
        for code in LANGUAGES:
            field = self.field_class(
                verbose_name=format_lazy("{} ({})", self.verbose_name, code),
                blank=True,
                **self.kwargs,
            )
            cls.add_to_class(f"{name}_{code}", field)
        setattr(cls, name, TranslatedText(name))


def translated_names(base: str) -> list[str]:
    """The column names behind a TranslatedField, e.g. for search fields and forms."""
    return [f"{base}_{code}" for code in LANGUAGES]
