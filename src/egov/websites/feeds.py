"""RSS and Atom feeds: the portal's (national news), each body's (news, documents, vacancies) and
each feed section's (news, documents, vacancies), at `<page>/feed/` (RSS) and `<page>/feed/atom/`.

Only live, public pages appear. Under /kk-latn/ the feed is in Latin script, with Latin links.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

from egov.websites import reading

FEED_ITEMS = 30


class FeedRoutesMixin(RoutablePageMixin):  # type: ignore[misc]
    """`feed/` (RSS 2.0) and `feed/atom/` (Atom 1.0) under the page."""

    @path("feed/")  # type: ignore[untyped-decorator]
    def rss_feed(self, request: HttpRequest) -> HttpResponse:
        return serve_feed(self, request, atom=False)

    @path("feed/atom/")  # type: ignore[untyped-decorator]
    def atom_feed(self, request: HttpRequest) -> HttpResponse:
        return serve_feed(self, request, atom=True)


def section_types() -> tuple[type[Page], ...]:
    from egov.websites.models import DocumentsIndexPage, NewsIndexPage, VacanciesPage

    return (NewsIndexPage, DocumentsIndexPage, VacanciesPage)


def feed_owner(page: Page, ancestors: Sequence[Page]) -> Page | None:
    """The feed section this page is, or belongs to (its ancestors are already loaded)."""
    from django.contrib.contenttypes.models import ContentType

    sections = section_types()
    if isinstance(page, sections):
        return page
    wanted = {ContentType.objects.get_for_model(model).pk for model in sections}
    return next((item for item in reversed(ancestors) if item.content_type_id in wanted), None)


def entries(owner: Page) -> Any:
    from egov.websites.models import (
        AgencySite,
        LegalActPage,
        NewsPage,
        PortalHomePage,
        VacancyPage,
    )

    if isinstance(owner, PortalHomePage):
        pages = Page.objects.descendant_of(owner).type(NewsPage)
    elif isinstance(owner, AgencySite):
        pages = Page.objects.descendant_of(owner).type(NewsPage, LegalActPage, VacancyPage)
    else:
        pages = owner.get_children()
    return (
        pages.live()
        .public()
        .filter(alias_of__isnull=True)
        .order_by("-first_published_at", "-pk")
        .specific()[:FEED_ITEMS]
    )


def _summary(item: Page) -> str:
    from egov.websites.models import VacancyPage

    if isinstance(item, VacancyPage):
        return f"{item.position} — {item.deadline.isoformat()}"
    for name in ("lead", "summary", "search_description"):
        value = getattr(item, name, "")
        if value:
            return str(value)
    return ""


def feed_title(owner: Page) -> str:
    from egov.websites.models import AgencySite, PortalHomePage

    if isinstance(owner, PortalHomePage | AgencySite):
        return str(owner.title)
    agency = owner.get_parent()
    return f"{agency.title if agency else ''} — {owner.title}"


def serve_feed(owner: Page, request: HttpRequest, atom: bool) -> HttpResponse:
    served = reading.current(request)

    def link(page: Page) -> str:
        return request.build_absolute_uri(served.path(page.get_url(request) or "/"))

    generator = Atom1Feed if atom else Rss201rev2Feed
    feed = generator(
        title=served.text(feed_title(owner)),
        link=link(owner),
        description=served.text(owner.search_description or owner.title),
        language=served.tag,
        feed_url=request.build_absolute_uri(),
    )
    zone = timezone.get_current_timezone()
    for item in entries(owner):
        date = getattr(item, "date", None) or timezone.localdate()
        feed.add_item(
            title=served.text(item.title),
            link=link(item),
            description=served.text(_summary(item)),
            pubdate=item.first_published_at
            or datetime.datetime.combine(date, datetime.time(9), zone),
            updateddate=item.last_published_at,
            unique_id=f"urn:uuid:{item.translation_key}",
        )
    response = HttpResponse(content_type=f"{feed.content_type}")
    feed.write(response, "utf-8")
    return response
