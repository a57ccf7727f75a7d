"""Kazakh pages in Latin script, generated from the Cyrillic ones: the /kk-latn/ URL prefix.

Any page of the platform is also served under /kk-latn/…: the request is handled as the Kazakh
page, and the HTML answer is transliterated (text nodes only, `lang` becomes kk-Latn), its internal
links and redirects keep the prefix, and it says `Content-Language: kk-Latn`. Conversions are cached
by the content's hash, so serving the same page again costs one hash and one cache read.
"""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from egov.core.middleware import DualModeMiddleware
from egov.core.script import to_latin_html

PREFIX = "/kk-latn"
LANGUAGE_TAG = "kk-Latn"
# Paths that are not pages: their links are left as they are.
NOT_PAGES = (
    "/static/",
    "/media/",
    "/api/",
    "/admin/",
    "/i18n/",
    "/language/",
    "/healthz",
    PREFIX + "/",
)
# Internal links and form targets; a link written `hreflang="kk" href=…` points at the Cyrillic
# page on purpose (the script switch, the alternate link) and is left alone.
LINK = re.compile(r'(?<!hreflang="kk")(\s(?:href|action)=")(/[^"]*)(")')
CACHE_SECONDS = 60 * 60 * 24
CSRF_VALUE = re.compile(r'(?<=name="csrfmiddlewaretoken" value=")[^"]*')
CSRF_PLACEHOLDER = "egov-csrf-token-placeholder"


def alphabet() -> str:
    return str(getattr(settings, "EGOV_KK_LATIN_ALPHABET", "2021"))


def latin_url(path: str) -> str:
    """The Latin twin of a platform path (paths that are not pages stay as they are)."""
    if not path.startswith("/") or path.startswith(NOT_PAGES) or path == PREFIX:
        return path
    return PREFIX + path


def cyrillic_url(path: str) -> str:
    if path == PREFIX or path.startswith(PREFIX + "/"):
        return path[len(PREFIX) :] or "/"
    return path


def is_latin_request(request: HttpRequest) -> bool:
    return bool(getattr(request, "kk_latin", False))


def transliterate_page(html: str) -> str:
    # CSRF tokens differ on every response; set them aside so that equal pages hash equally.
    tokens = CSRF_VALUE.findall(html)
    template = CSRF_VALUE.sub(CSRF_PLACEHOLDER, html)
    key = f"kk-latn:{alphabet()}:{hashlib.sha256(template.encode()).hexdigest()}"
    cached = cache.get(key)
    if cached is None:
        converted = to_latin_html(template, alphabet())
        cached = LINK.sub(lambda m: m.group(1) + latin_url(m.group(2)) + m.group(3), converted)
        cache.set(key, cached, CACHE_SECONDS)
    pieces = str(cached).split(CSRF_PLACEHOLDER)
    return "".join(piece + token for piece, token in zip(pieces, [*tokens, ""], strict=False))


class LatinScriptMiddleware(DualModeMiddleware):
    """Strips /kk-latn from the path on the way in and transliterates the page on the way out."""

    def before(self, request: HttpRequest) -> HttpResponse | None:
        path = request.path_info
        if path == PREFIX or path.startswith(PREFIX + "/"):
            request.path_info = cyrillic_url(path)
            request.kk_latin = True  # type: ignore[attr-defined]
            translation.activate("kk")
            request.LANGUAGE_CODE = "kk"
        return None

    def after(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not is_latin_request(request):
            return response
        if response.has_header("Location"):
            response["Location"] = latin_url(response["Location"])
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and not response.streaming:
            charset = response.charset or "utf-8"
            response.content = transliterate_page(response.content.decode(charset)).encode(charset)
            if response.has_header("Content-Length"):  # set further in, for the Cyrillic body
                response["Content-Length"] = str(len(response.content))
            response["Content-Language"] = LANGUAGE_TAG
        response["Vary"] = ", ".join(filter(None, [response.get("Vary"), "Accept-Language"]))
        return response
