"""A reader's display preferences (language, the plain version) kept in cookies, set by GET links.

Preferences are not secrets and change nothing on the server, so they need no CSRF token; keeping
tokens out of public pages is what lets every anonymous reader share one cached copy of a page.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

ONE_YEAR = 60 * 60 * 24 * 365


def redirect_back(request: HttpRequest, fallback: str = "/") -> HttpResponseRedirect:
    """Back to `next` (or the referring page) when it is on this site; elsewhere, to `fallback`."""
    target = request.GET.get("next") or request.META.get("HTTP_REFERER") or fallback
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = fallback
    response = HttpResponseRedirect(target)
    response["Cache-Control"] = "no-store"
    return response


def remember(response: HttpResponseRedirect, name: str, value: str | None) -> None:
    """Keep `value` for a year in the reader's browser; None forgets it."""
    if value is None:
        response.delete_cookie(name, samesite="Lax")
        return
    response.set_cookie(
        name,
        value,
        max_age=ONE_YEAR,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
