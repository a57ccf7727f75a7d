"""What a page says about itself to crawlers and link previews: its language versions (hreflang),
its canonical address, Open Graph tags and its feeds. The sitemap uses the same alternates.

One query: the page's published language versions (stand-ins that only repeat the original are
not versions of their own).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.html import strip_tags
from django.utils.text import Truncator
from wagtail.images.views.serve import generate_image_url
from wagtail.models import Page

from egov.core import latin
from egov.websites import reading

DESCRIPTION_WORDS = 40
OG_IMAGE = "max-1200x630"
# Open Graph wants language_TERRITORY.
OG_LOCALES = {"kk": "kk_KZ", "ru": "ru_RU", "en": "en_US", "tg": "tg_TJ"}


@dataclass(frozen=True)
class Alternate:
    tag: str
    href: str


@dataclass(frozen=True)
class Feed:
    kind: str  # the MIME type
    title: str
    href: str


def versions(page: Page) -> dict[int, str]:
    """The page's versions published with their own text (by id), and their languages."""
    found = Page.objects.filter(
        translation_key=page.translation_key, live=True, alias_of__isnull=True
    ).values_list("pk", "locale__language_code")
    return dict(found.order_by())


def alternates(base: str, path: str, languages: Iterable[str]) -> list[Alternate]:
    """hreflang alternates of one address: each language explicitly, Kazakh also in Latin."""
    available = set(languages)
    found = []
    for language in reading.content_languages():
        if language not in available:
            continue
        found.append(Alternate(language, base + reading.with_parameter(path, language)))
        if language == "kk":
            found.append(Alternate(latin.LANGUAGE_TAG, base + latin.latin_url(path)))
    if found:
        found.append(Alternate("x-default", base + path))
    return found


def _description(page: Page) -> str:
    for name in ("search_description", "lead", "summary", "intro"):
        value = getattr(page, name, "")
        if value:
            return Truncator(strip_tags(str(value))).words(DESCRIPTION_WORDS)
    return ""


def _image(page: Page, agency: Page | None) -> Any:
    return getattr(page, "image", None) or (getattr(agency, "logo", None) if agency else None)


def feeds(
    page: Page, agency: Page | None, portal: Page, ancestors: list[Page], request: HttpRequest
) -> list[Feed]:
    """The feeds a reader of this page may follow: its section's, its body's or the portal's."""
    from egov.websites.feeds import feed_owner

    found: list[Feed] = []
    for owner in dict.fromkeys(filter(None, [feed_owner(page, ancestors), agency or portal])):
        url = owner.get_url(request)
        if not url:
            continue
        title = (
            owner.title
            if owner in (agency, portal)
            else f"{agency.title if agency else ''} — {owner.title}"
        )
        found.append(Feed("application/rss+xml", title, f"{url}feed/"))
        found.append(Feed("application/atom+xml", title, f"{url}feed/atom/"))
    return found


def head_context(page: Page, frame: dict[str, Any], request: HttpRequest) -> dict[str, Any]:
    from egov.websites.models import LegalActPage, NewsPage

    agency = frame["agency"]
    served = reading.current(request)
    base = f"{request.scheme}://{request.get_host()}"
    path = page.get_url(request) or request.path_info
    if request.path_info != path:  # a view of a routable page: the directory, search
        path = request.path_info
    by_page = versions(page)
    languages = set(by_page.values())
    # A stand-in repeats the original: the original's version is the one to index.
    shown = served.language if served.language in languages or not languages else None
    if shown is None:
        default = reading.default_language()
        shown = default if default in languages else sorted(languages)[0]
    canonical = latin.latin_url(path) if served.latin else reading.with_parameter(path, shown)
    # A stand-in repeats its original's text; an original may be shown for a missing language.
    written = by_page.get(page.alias_of_id or page.pk, served.language)
    image = _image(page, agency)
    article = isinstance(page, NewsPage | LegalActPage)
    return {
        # Text in another language than the reader's says so (lang): WCAG 3.1.2.
        "other_language": "" if written == served.language else written,
        "alternates": alternates(base, path, languages),
        "canonical": base + canonical,
        "og": {
            "type": "article" if article else "website",
            "description": served.text(_description(page)),
            "locale": OG_LOCALES.get(served.language, served.language),
            "locale_alternates": [
                OG_LOCALES.get(code, code) for code in sorted(languages - {served.language})
            ],
            "image": base + generate_image_url(image, OG_IMAGE) if image else "",
            "published": page.first_published_at if article else None,
        },
        "feeds": [
            Feed(feed.kind, served.text(feed.title), served.path(feed.href))
            for feed in feeds(page, agency, frame["portal"], frame["breadcrumbs"], request)
        ],
    }
