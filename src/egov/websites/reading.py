"""Which language a reader gets: a page's `?lang=` and the API's `lang`, Kazakh in Latin included.

A page's address is the same in every language (the reader's choice picks the version); crawlers and
link previews carry no choice, so `?lang=xx` names a version explicitly. A reader who has chosen a
language keeps it: their choice wins over a parameter in a shared link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from egov.core import latin
from egov.core.script import to_latin, to_latin_html

PARAMETER = "lang"
LATIN_CODE = "kk-latn"


def content_languages() -> list[str]:
    return [str(code) for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]


def default_language() -> str:
    return str(settings.LANGUAGE_CODE)


def codes() -> list[str]:
    """Every value `lang` accepts: the content languages, and kk-latn where Kazakh is one."""
    languages = content_languages()
    return [*languages, LATIN_CODE] if "kk" in languages else languages


@dataclass(frozen=True)
class Reading:
    language: str  # a content language: kk, ru, en or tg
    latin: bool = False  # Kazakh, served in Latin script

    @property
    def code(self) -> str:
        return LATIN_CODE if self.latin else self.language

    @property
    def tag(self) -> str:
        """The BCP 47 tag (Content-Language, hreflang)."""
        return latin.LANGUAGE_TAG if self.latin else self.language

    def text(self, value: str) -> str:
        return to_latin(value, latin.alphabet()) if self.latin and value else value

    def html(self, value: str) -> str:
        return to_latin_html(value, latin.alphabet()) if self.latin and value else value

    def path(self, path: str) -> str:
        return latin.latin_url(path) if self.latin else path


def parse(code: str) -> Reading | None:
    """The reading `code` names (case does not matter), or None if the deployment has none."""
    wanted = code.strip().lower()
    if wanted == LATIN_CODE and LATIN_CODE in codes():
        return Reading("kk", latin=True)
    return Reading(wanted) if wanted in content_languages() else None


def current(request: HttpRequest) -> Reading:
    """The reading the request is being answered in (after the middleware chose it)."""
    language = (translation.get_language() or "").split("-")[0]
    if language not in content_languages():
        language = default_language()
    return Reading(language, latin=latin.is_latin_request(request) and language == "kk")


def apply_parameter(request: HttpRequest) -> None:
    """Serve a page in the language its `?lang=` names, unless the reader chose one."""
    chosen = parse(request.GET.get(PARAMETER, ""))
    if chosen is None or chosen.latin or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    if latin.is_latin_request(request):  # /kk-latn/ is Kazakh by its address
        return
    translation.activate(chosen.language)
    request.LANGUAGE_CODE = chosen.language


def with_parameter(path: str, language: str) -> str:
    """The address of one language version of a page (the bare address follows the reader)."""
    return f"{path}{'&' if '?' in path else '?'}{PARAMETER}={language}"
