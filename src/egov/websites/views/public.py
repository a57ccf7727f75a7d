"""Public views beside the pages: the plain display switch and the sitemap."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from wagtail.models import Page, Site

from egov.core import latin
from egov.websites.frame import DISPLAY_COOKIE

ONE_YEAR = 60 * 60 * 24 * 365


@require_POST
def display(request: HttpRequest) -> HttpResponse:
    """Switch the version for the visually impaired on or off; it stays on across pages."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/gov/"
    response = HttpResponseRedirect(target)
    if request.POST.get("mode") == "plain":
        response.set_cookie(
            DISPLAY_COOKIE,
            "plain",
            max_age=ONE_YEAR,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    else:
        response.delete_cookie(DISPLAY_COOKIE, samesite="Lax")
    return response


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    """Every live page once, with its other languages as hreflang alternates (kk-Latn too)."""
    site = Site.find_for_request(request)
    if site is None:
        return HttpResponse(status=404)
    root = site.root_page
    roots = [root, *root.get_translations()]
    pages = Page.objects.none()
    for each in roots:
        pages = pages | Page.objects.descendant_of(each, inclusive=True)
    pages = pages.live().public().filter(alias_of__isnull=True).select_related("locale")
    by_key: dict[object, list[Page]] = {}
    for page in pages.order_by("path"):
        by_key.setdefault(page.translation_key, []).append(page)
    base = f"{request.scheme}://{request.get_host()}"
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for versions in by_key.values():
        source = versions[0]
        url = source.get_url(request)
        if not url:
            continue
        # One address serves every language (chosen by the reader); Kazakh also in Latin.
        lines.append(f"<url><loc>{base}{url}</loc>")
        if source.last_published_at:
            lines.append(f"<lastmod>{source.last_published_at.date().isoformat()}</lastmod>")
        for page in versions:
            language = page.locale.language_code
            lines.append(f'<xhtml:link rel="alternate" hreflang="{language}" href="{base}{url}"/>')
            if language == "kk":
                lines.append(
                    '<xhtml:link rel="alternate" hreflang="kk-Latn" '
                    f'href="{base}{latin.latin_url(url)}"/>'
                )
        lines.append("</url>")
    lines.append("</urlset>")
    return HttpResponse("\n".join(lines), content_type="application/xml; charset=utf-8")
