"""The page cache and the query budget of an uncached page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.testing.auth import log_in
from egov.websites import skeleton
from egov.websites.models import NewsIndexPage, NewsPage
from egov.websites.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _news(sites) -> NewsPage:  # type: ignore[no-untyped-def]
    index = NewsIndexPage.objects.child_of(sites.justice).get()
    news = NewsPage(title="Жаңалық", slug="cached", lead="Бірінші нұсқа")
    index.add_child(instance=news)
    return skeleton.publish(news)  # type: ignore[return-value]


def test_an_uncached_news_page_takes_at_most_15_queries(sites, client, settings) -> None:
    settings.EGOV_WEBSITES_CACHE_SECONDS = 0
    news = _news(sites)
    client.get(news.url)  # warm Wagtail's site-root cache, as any running server has
    with CaptureQueriesContext(connection) as queries:
        assert client.get(news.url).status_code == 200
    assert len(queries) <= 15, "\n".join(query["sql"] for query in queries)


def test_readers_get_the_cached_copy_until_something_is_published(sites, client) -> None:
    news = _news(sites)
    first = client.get(news.url)
    assert first["X-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = client.get(news.url)
    assert second["X-Cache"] == "hit" and len(queries) == 0
    assert 'name="csrfmiddlewaretoken" value="egov' not in second.content.decode()
    news.lead = "Екінші нұсқа"
    skeleton.publish(news)
    third = client.get(news.url)
    assert third["X-Cache"] == "miss" and "Екінші нұсқа" in third.content.decode()


def test_logged_in_readers_and_other_languages_are_not_mixed_up(sites, client) -> None:
    news = _news(sites)
    client.get(news.url)
    client.cookies["django_language"] = "en"
    english = client.get(news.url)
    assert english["X-Cache"] == "miss"
    log_in(client, "justice_editor", PASSWORD)
    assert "X-Cache" not in client.get(news.url)
