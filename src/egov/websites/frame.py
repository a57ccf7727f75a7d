"""The frame every website page shares: the body's header, its menu, breadcrumbs, contacts.

Three queries: the ancestors (loaded once per request, shared with the privacy check), the agency
with its logo and organization, and the agency's menu. Every section is one click from any page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest
from wagtail.models import Page

DISPLAY_COOKIE = "egov_display"  # "plain": larger text, high contrast, no images


def plain_display(request: HttpRequest) -> bool:
    return request.COOKIES.get(DISPLAY_COOKIE) == "plain"


def frame_context(page: Page, request: HttpRequest) -> dict[str, Any]:
    from egov.websites.models import AgencySite

    ancestors = [item for item in page.ancestors if item.depth > 1]
    agency_type = ContentType.objects.get_for_model(AgencySite).pk
    agency: AgencySite | None = None
    if isinstance(page, AgencySite):
        agency = page
    else:
        agency_ids = [item.pk for item in ancestors if item.content_type_id == agency_type]
        if agency_ids:
            agency = (
                AgencySite.objects.select_related("logo", "organization")
                .filter(pk=agency_ids[-1])
                .first()
            )
    menu = list(agency.get_children().live().in_menu()) if agency else []
    portal = ancestors[0] if ancestors else page
    return {
        "agency": agency,
        "portal": portal,
        "breadcrumbs": ancestors,
        "site_menu": menu,
        "plain_display": plain_display(request),
    }
