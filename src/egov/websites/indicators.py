"""Where an analytics indicator's public chart can be embedded from, if anywhere.

The websites do not import the analytics app: they ask the URL configuration and the app
registry. The analytics app serves a public chart at `/analytics/embed/indicator/<code>/` (URL name
`analytics:embed-indicator`) for each public indicator; where it does not, or where the indicator
is not (or no longer) public, the indicator block stays a link.
"""

from __future__ import annotations

from urllib.parse import quote

from django.apps import apps
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

EMBED_ROUTES = ("analytics:embed-indicator", "analytics-indicator-embed")
EMBED_PATH = "/analytics/embed/indicator/{code}/"


def is_public(code: str) -> bool | None:
    """Whether the analytics platform has a public indicator with this code; None without it."""
    if not apps.is_installed("egov.analytics"):
        return None
    indicator = apps.get_model("analytics", "Indicator")
    return bool(indicator.objects.filter(code=code, visibility="public").exists())


def embed_url(code: str) -> str | None:
    """The address of the indicator's embeddable chart, or None when nothing serves it."""
    if not code or is_public(code) is False:
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
