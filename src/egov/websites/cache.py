"""The page cache: anonymous readers of website pages get a stored copy, served before Django runs.

Two halves. The view (`serve`) renders a page through Wagtail and marks the response as shareable
when it is the same for every anonymous reader: a GET without a session, a pending message or a
preview, answered 200 with HTML, no cookie set and no CSRF token used (pages with a POST form, such
as an appeal form, are rendered each time). The ASGI front (`PageCache`, wrapped around the whole
application) stores marked responses — body and final headers, after every middleware — and
answers later requests with the same key itself: no middleware, no thread hop, no query.

The key is what can change an anonymous reader's page: host, path and query (the /kk-latn/ prefix
included), the chosen language (its cookie, else Accept-Language) and the display-mode cookie.

Publishing, unpublishing, moving a page or answering an appeal starts a new generation, so a change
reaches readers at once (stale copies are never served again and expire). Every process must see
a new generation — the task worker publishes scheduled pages for the web processes — so it lives
in the cache when the cache is shared (Redis), else in a stamp file beside the database.
`EGOV_WEBSITES_CACHE_SECONDS` bounds how long a copy lives; 0 turns the cache off. A shared page
also tells a caching proxy in front how long it may keep it (`EGOV_WEBSITES_PROXY_SECONDS`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, HttpResponse
from wagtail import views as wagtail_views

from egov.websites import reading
from egov.websites.frame import DISPLAY_COOKIE

GENERATION_KEY = "websites:generation"
SHAREABLE = "X-Egov-Shareable"  # set by the view, consumed (never sent) by the front
PREFIXES = ("/gov/", "/kk-latn/gov/")
UPDATE_MARGIN = 0.1  # seconds a caching proxy may take to fetch a fresh copy (see proxy_headers)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]  # Django types its handler more narrowly
Headers = list[tuple[bytes, bytes]]


def seconds() -> int:
    return int(getattr(settings, "EGOV_WEBSITES_CACHE_SECONDS", 0))


def proxy_seconds() -> int:
    return int(getattr(settings, "EGOV_WEBSITES_PROXY_SECONDS", 0))


# --- generations ---


def _shared_cache() -> bool:
    return not isinstance(caches["default"], LocMemCache)


def _stamp() -> Path:
    return Path(settings.DATA_DIR) / "websites-cache.generation"


def generation() -> str:
    if _shared_cache():
        return str(cache.get(GENERATION_KEY) or 1)
    try:
        stamp = os.stat(_stamp())
    except FileNotFoundError:
        return "0"
    return f"{stamp.st_ino}:{stamp.st_mtime_ns}"


def invalidate(*args: Any, **kwargs: Any) -> None:
    """Start a new generation: every stored page is out of date, in every process."""
    if _shared_cache():
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.set(GENERATION_KEY, 2, None)
        return
    stamp = _stamp()
    stamp.parent.mkdir(parents=True, exist_ok=True)
    # A new file swapped in: the stamp's inode changes even within one clock tick.
    handle, temporary = tempfile.mkstemp(dir=stamp.parent, prefix=".websites-cache-")
    os.close(handle)
    os.replace(temporary, stamp)


# --- the view's half ---


def cacheable(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return (
        seconds() > 0
        and request.method == "GET"
        and not (user is not None and user.is_authenticated)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.GET.get("preview")
    )


def serve(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's page serving; a response every anonymous reader would get is marked shareable."""
    reading.apply_parameter(request)
    response = wagtail_views.serve(request, path)
    if not cacheable(request):
        return response  # type: ignore[no-any-return]
    if hasattr(response, "render") and not response.is_rendered:
        response.render()  # rendered now to learn whether it asked for a CSRF token
    if (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    ):
        response[SHAREABLE] = str(seconds())
    return response  # type: ignore[no-any-return]


# --- the front's half ---


def request_key(scope: Scope) -> str | None:
    """The cache key of an anonymous reader's GET of a website page; None when it is not one."""
    if scope["type"] != "http" or scope["method"] != "GET" or seconds() <= 0:
        return None
    path = scope["path"]
    if not path.startswith(PREFIXES):
        return None
    headers = dict(scope["headers"])  # ASGI gives lower-case names; a repeated one keeps its last
    try:
        cookies = SimpleCookie(headers.get(b"cookie", b"").decode("latin-1"))
    except CookieError:
        return None
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return None
    query = scope.get("query_string", b"")
    if b"preview" in query and parse_qs(query.decode("latin-1")).get("preview"):
        return None
    language = cookies.get(settings.LANGUAGE_COOKIE_NAME)
    display = cookies.get(DISPLAY_COOKIE)
    parts = [
        headers.get(b"host", b"").decode("latin-1"),
        path,
        query.decode("latin-1"),
        f"cookie:{language.value}"
        if language
        else headers.get(b"accept-language", b"").decode("latin-1"),
        display.value if display else "",
    ]
    return "websites:page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def lookup(key: str) -> tuple[Headers, bytes] | None:
    if _shared_cache():  # one round trip for the generation and the copy
        found = cache.get_many([GENERATION_KEY, key])
        current, entry = str(found.get(GENERATION_KEY) or 1), found.get(key)
    else:
        current, entry = generation(), cache.get(key)
    if entry is None or entry[0] != current:
        return None
    return entry[1], entry[2]


def store(key: str, headers: Headers, body: bytes, lifetime: int, at_generation: str) -> None:
    cache.set(key, (at_generation, headers, body), lifetime)


def proxy_headers() -> Headers:
    """What a caching proxy in front (docs/deploy/nginx) may do with a shared page, as of now.

    nginx keeps a copy until the end of the whole second its expiry names, so "N seconds from
    now" could mean almost N + 1. The expiry sent is the last whole second that ends at least
    UPDATE_MARGIN before now + N: every copy's life, plus the proxy's fetch of its successor (it
    serves the old copy meanwhile), stays within N seconds. Computed per response: stored copies
    are served for longer than one.
    """
    lifetime = proxy_seconds()
    if lifetime <= 0:
        return []
    expires = int(time.time() + lifetime - 1 - UPDATE_MARGIN)
    return [
        (b"x-accel-expires", f"@{expires}".encode()),
        (b"cache-control", f"public, max-age=0, s-maxage={lifetime}".encode()),
    ]


class PageCache:
    """ASGI middleware: answers website page requests from the page cache, fills it on a miss."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = request_key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        # The cache is called synchronously: the in-process one is a dictionary, and a round trip
        # to Redis is shorter than handing the call to a thread would be.
        found = lookup(key)
        if found is not None:
            headers, body = found
            start = {"type": "http.response.start", "status": 200}
            shared = [*headers, *proxy_headers(), (b"x-cache", b"hit")]
            await send({**start, "headers": shared})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, _Recorder(send, key, generation()).send)


class _Recorder:
    """Passes a response through; keeps a copy of one the view marked shareable."""

    def __init__(self, send: Send, key: str, at_generation: str) -> None:
        self._send = send
        self._key = key
        self._generation = at_generation  # read before rendering: a publish meanwhile wins
        self._lifetime = 0
        self._headers: Headers = []
        self._body: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            marker = SHAREABLE.lower().encode()
            headers = [(name.lower(), value) for name, value in message.get("headers", [])]
            lifetime = [int(value) for name, value in headers if name == marker]
            kept = [(name, value) for name, value in headers if name != marker]
            if lifetime and message["status"] == 200 and b"set-cookie" not in dict(kept):
                self._lifetime = lifetime[0]
                kept = [(name, value) for name, value in kept if name != b"cache-control"]
                self._headers = kept
                kept = [*kept, *proxy_headers(), (b"x-cache", b"miss")]
            message = {**message, "headers": kept}
        elif message["type"] == "http.response.body" and self._lifetime:
            self._body.append(message.get("body", b""))
            if not message.get("more_body", False):
                body = b"".join(self._body)
                store(self._key, self._headers, body, self._lifetime, self._generation)
        await self._send(message)
