"""Where an analytics indicator's public chart can be embedded from, if anywhere.

The websites do not import the analytics app: they ask the URL configuration. The analytics app
serves a public chart at `/analytics/embed/indicator/<code>/` (URL name
`analytics:embed-indicator`); where it does not, the indicator block stays a link.
"""

from __future__ import annotations

from urllib.parse import quote

from django.urls import NoReverseMatch, Resolver404, resolve, reverse

EMBED_ROUTES = ("analytics:embed-indicator", "analytics-indicator-embed")
EMBED_PATH = "/analytics/embed/indicator/{code}/"


def embed_url(code: str) -> str | None:
    """The address of the indicator's embeddable chart, or None when nothing serves it."""
    if not code:
        return None
    for name in EMBED_ROUTES:
        try:
            return reverse(name, kwargs={"code": code})
        except NoReverseMatch:
            continue
    path = EMBED_PATH.format(code=quote(code, safe=""))
    try:
        resolve(path)
    except Resolver404:
        return None
    return path
