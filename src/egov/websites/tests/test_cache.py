"""The page cache (the view's mark, the ASGI front) and the query budget of an uncached page."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import httpx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.asgi import application
from egov.testing.auth import log_in
from egov.websites import cache, skeleton
from egov.websites.models import AppealsPage, NewsIndexPage, NewsPage
from egov.websites.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _news(sites) -> NewsPage:  # type: ignore[no-untyped-def]
    index = NewsIndexPage.objects.child_of(sites.justice).get()
    news = NewsPage(title="Жаңалық", slug="cached", lead="Бірінші нұсқа")
    index.add_child(instance=news)
    return skeleton.publish(news)  # type: ignore[return-value]


def _get(path: str, cookies: dict[str, str] | None = None, **headers: str) -> httpx.Response:
    """A request through the whole ASGI application, page cache in front, as a server sends it."""

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=application)  # type: ignore[arg-type]
        async with httpx.AsyncClient(
            transport=transport, base_url="http://localhost:8000", cookies=cookies
        ) as client:
            return await client.get(path, headers=headers)

    return asyncio.run(call())


def test_an_uncached_news_page_takes_at_most_15_queries(sites, client, settings) -> None:
    settings.EGOV_WEBSITES_CACHE_SECONDS = 0
    news = _news(sites)
    client.get(news.url)  # warm Wagtail's site-root cache, as any running server has
    with CaptureQueriesContext(connection) as queries:
        assert client.get(news.url).status_code == 200
    assert len(queries) <= 15, "\n".join(query["sql"] for query in queries)


def test_only_what_every_anonymous_reader_gets_is_marked_shareable(sites, client) -> None:
    news = _news(sites)
    response = client.get(news.url)
    assert (
        response[cache.SHAREABLE] == "300"
        and "csrfmiddlewaretoken" not in response.content.decode()
    )
    appeals = AppealsPage.objects.descendant_of(sites.justice).live().first()
    assert appeals is not None
    assert cache.SHAREABLE not in client.get(appeals.url)  # its form carries a CSRF token
    assert cache.SHAREABLE not in client.get(news.url, {"preview": "1"})
    log_in(client, "justice_editor", PASSWORD)
    personal = client.get(news.url)
    assert cache.SHAREABLE not in personal and "X-Accel-Expires" not in personal


@pytest.mark.django_db(transaction=True)
def test_readers_get_the_stored_copy_until_something_is_published(sites: Any, settings) -> None:
    news = _news(sites)
    first = _get(news.url)
    assert first.status_code == 200 and first.headers["X-Cache"] == "miss"
    assert cache.SHAREABLE not in first.headers
    second = _get(news.url)
    assert second.headers["X-Cache"] == "hit" and second.content == first.content
    # A proxy in front may keep it, for less than EGOV_WEBSITES_PROXY_SECONDS from now.
    expires = int(second.headers["X-Accel-Expires"].removeprefix("@"))
    assert time.time() - 2 < expires < time.time() + settings.EGOV_WEBSITES_PROXY_SECONDS - 1
    assert "s-maxage" in second.headers["Cache-Control"]
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    news.lead = "Екінші нұсқа"
    skeleton.publish(news)
    third = _get(news.url)
    assert third.headers["X-Cache"] == "miss" and "Екінші нұсқа" in third.text


@pytest.mark.django_db(transaction=True)
def test_languages_scripts_and_sessions_are_not_mixed_up(sites: Any) -> None:
    news = _news(sites)
    kazakh = _get(news.url)
    assert _get(news.url).headers["X-Cache"] == "hit"
    english = _get(news.url, cookies={"django_language": "en"})
    assert english.headers["X-Cache"] == "miss" and english.text != kazakh.text
    latin = _get(f"/kk-latn{news.url}")
    assert latin.headers["X-Cache"] == "miss" and "Jañalyq" in latin.text
    russian = _get(news.url, **{"Accept-Language": "ru"})
    assert russian.headers["X-Cache"] == "miss" and '<html lang="ru">' in russian.text
    plain = _get(news.url, cookies={"egov_display": "plain"})
    assert plain.headers["X-Cache"] == "miss" and 'class="gov-site plain"' in plain.text
    assert "X-Cache" not in _get(news.url, cookies={"sessionid": "anything"}).headers


def test_a_new_generation_is_seen_by_every_process(settings, tmp_path) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.DATA_DIR = tmp_path  # the in-process cache: the generation is a stamp file
    before = cache.generation()
    cache.invalidate()
    after = cache.generation()
    cache.invalidate()
    assert len({before, after, cache.generation()}) == 3
    assert (tmp_path / "websites-cache.generation").exists()


def test_with_redis_the_generation_is_shared_there(settings, tmp_path) -> None:
    from egov.testing.services import require_redis

    require_redis()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["EGOV_REDIS_URL"],
        }
    }
    settings.DATA_DIR = tmp_path
    before = cache.generation()
    cache.invalidate()
    assert cache.generation() != before
    assert not (tmp_path / "websites-cache.generation").exists()
