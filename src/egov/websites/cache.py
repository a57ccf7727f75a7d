"""The page cache: anonymous readers get a stored copy of a website page until anything changes.

Only what is the same for every anonymous reader is stored: a GET without a pending message, per
path, language, script and display mode. CSRF tokens are set aside and the reader's own is put
back. Publishing, unpublishing, moving a page or answering an appeal starts a new generation, so
a change reaches readers at once (the stale copies simply expire). `EGOV_WEBSITES_CACHE_SECONDS`
bounds how long a copy lives; 0 turns the cache off.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language
from wagtail import views as wagtail_views

from egov.core.latin import CSRF_PLACEHOLDER, CSRF_VALUE
from egov.websites import reading
from egov.websites.frame import plain_display

GENERATION_KEY = "websites:generation"


def seconds() -> int:
    return int(getattr(settings, "EGOV_WEBSITES_CACHE_SECONDS", 0))


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = 1
        cache.add(GENERATION_KEY, value, None)
    return int(value)


def invalidate(*args: Any, **kwargs: Any) -> None:
    """Start a new generation: every stored page is out of date."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def cacheable(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return (
        seconds() > 0
        and request.method in ("GET", "HEAD")
        and not (user is not None and user.is_authenticated)
        and "messages" not in request.COOKIES
        and not request.GET.get("preview")
    )


def key_for(request: HttpRequest) -> str:
    parts = [
        str(generation()),
        request.get_full_path(),
        get_language() or "",
        "latin" if getattr(request, "kk_latin", False) else "cyrillic",
        "plain" if plain_display(request) else "standard",
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"websites:page:{digest}"


def serve(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's page serving, with the cache in front of it."""
    reading.apply_parameter(request)
    if not cacheable(request):
        return wagtail_views.serve(request, path)  # type: ignore[no-any-return]
    key = key_for(request)
    stored = cache.get(key)
    if stored is not None:
        content_type, body = stored
        response = HttpResponse(body.replace(CSRF_PLACEHOLDER, get_token(request)))
        response["Content-Type"] = content_type
        response["X-Cache"] = "hit"
        return response
    response = wagtail_views.serve(request, path)
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    if (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.cookies
    ):
        body = CSRF_VALUE.sub(CSRF_PLACEHOLDER, response.content.decode(response.charset))
        cache.set(key, (response["Content-Type"], body), seconds())
        response["X-Cache"] = "miss"
    return response  # type: ignore[no-any-return]
