"""Public views beside the pages: the plain display switch and the sitemap."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.views.decorators.http import require_GET
from wagtail.models import Page, Site

from egov.core.preferences import redirect_back, remember
from egov.websites import meta
from egov.websites.frame import DISPLAY_COOKIE


@require_GET
def display(request: HttpRequest) -> HttpResponse:
    """Switch the version for the visually impaired on or off; it stays on across pages."""
    response = redirect_back(request, fallback="/gov/")
    remember(response, DISPLAY_COOKIE, "plain" if request.GET.get("mode") == "plain" else None)
    return response


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    """Every live page in each of its languages, with hreflang alternates (kk-Latn too)."""
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
        # One entry per language version (Kazakh also in Latin), each naming all the others.
        alternates = meta.alternates(base, url, {page.locale.language_code for page in versions})
        links = [
            f'<xhtml:link rel="alternate" hreflang="{item.tag}" href="{escape(item.href)}"/>'
            for item in alternates
        ]
        modified = max(filter(None, (page.last_published_at for page in versions)), default=None)
        for item in alternates:
            if item.tag == "x-default":
                continue
            lines.append(f"<url><loc>{escape(item.href)}</loc>")
            if modified:
                lines.append(f"<lastmod>{modified.date().isoformat()}</lastmod>")
            lines.extend(links)
            lines.append("</url>")
    lines.append("</urlset>")
    return HttpResponse("\n".join(lines), content_type="application/xml; charset=utf-8")
