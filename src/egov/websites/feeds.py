"""RSS feeds: each body's news section has one at <section>/feed/."""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed
from wagtail.models import Page

FEED_ITEMS = 30


def news_feed(section: Page, request: HttpRequest) -> HttpResponse:
    from egov.websites.models import NewsIndexPage

    assert isinstance(section, NewsIndexPage)
    link = request.build_absolute_uri(section.get_url(request) or "/")
    parent = section.get_parent()
    feed = Rss201rev2Feed(
        title=f"{parent.title if parent else ''} — {section.title}",
        link=link,
        description=section.search_description or section.title,
        language=section.locale.language_code,
        feed_url=request.build_absolute_uri(),
    )
    zone = timezone.get_current_timezone()
    for item in section.items()[:FEED_ITEMS]:
        feed.add_item(
            title=item.title,
            link=request.build_absolute_uri(item.get_url(request) or "/"),
            description=item.lead,
            pubdate=item.first_published_at
            or datetime.datetime.combine(item.date, datetime.time(9), zone),
            unique_id=str(item.translation_key),
        )
    response = HttpResponse(content_type="application/rss+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response
