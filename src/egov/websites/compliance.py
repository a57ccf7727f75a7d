"""The compliance monitor: how each body's site meets the rules for state bodies' websites.

The rules (see docs/websites.md): news published every working day; other sections updated within
N working days of a recorded change request; every required section present; documents carrying
their requisites, text and file; every page reachable in three clicks from the site's home; no
missing or outdated translations. Each rule rates green, amber or red; a site rates its worst.
Working days come from the country's calendar.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Page

from egov.websites import translations
from egov.websites.choices import Rating

NEWS_WINDOW_WORKING_DAYS = 5
MAX_CLICKS = 3
ORDER = {Rating.GREEN: 0, Rating.AMBER: 1, Rating.RED: 2}


@dataclass
class Check:
    key: str
    label: Any
    rating: Rating
    detail: str = ""
    items: list[tuple[str, str]] = field(default_factory=list)  # (text, back-office link)


@dataclass
class Report:
    site: Page
    checks: list[Check]

    @property
    def rating(self) -> Rating:
        return max((check.rating for check in self.checks), key=ORDER.__getitem__)

    @property
    def organization(self) -> Any:
        return self.site.organization

    def check(self, key: str) -> Check:
        return next(check for check in self.checks if check.key == key)


def _edit_link(page: Page) -> str:
    from django.urls import reverse

    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def news_every_working_day(site: Page, today: datetime.date) -> Check:
    from egov.websites.models import NewsPage

    calendar = settings.COUNTRY.calendar()
    days: list[datetime.date] = []
    day = today
    while len(days) < NEWS_WINDOW_WORKING_DAYS:
        day = calendar.add_working_days(day, -1)
        days.append(day)
    zone = timezone.get_current_timezone()
    since = datetime.datetime.combine(days[-1], datetime.time.min, zone)
    published = {
        timezone.localtime(moment).date()
        for moment in NewsPage.objects.descendant_of(site)
        .filter(first_published_at__gte=since)
        .values_list("first_published_at", flat=True)
        if moment
    }
    missed = [day for day in days if day not in published]
    rating = Rating.GREEN if not missed else Rating.AMBER if len(missed) == 1 else Rating.RED
    detail = (
        _("News was published on each of the last %(days)s working days.")
        % {"days": NEWS_WINDOW_WORKING_DAYS}
        if not missed
        else _("No news on these working days: %(dates)s.")
        % {"dates": ", ".join(date_format(day, "SHORT_DATE_FORMAT") for day in reversed(missed))}
    )
    return Check("news", gettext_lazy("News every working day"), rating, detail)


def change_requests(site: Page, today: datetime.date) -> Check:
    from egov.websites.models import ChangeRequest

    open_requests = list(
        ChangeRequest.objects.filter(
            organization_id=site.organization_id,
            resolved_at__isnull=True,
        ).select_related("page")
    )
    overdue = [request for request in open_requests if request.due_on < today]
    rating = Rating.RED if overdue else Rating.GREEN
    if overdue:
        detail = _("%(count)s change requests are past their deadline.") % {"count": len(overdue)}
    elif open_requests:
        detail = _("%(count)s change requests are open, none late.") % {"count": len(open_requests)}
    else:
        detail = _("No open change requests.")
    items = [
        (
            f"{request.summary} — {request.page.title} "
            f"({_('due')} {date_format(request.due_on, 'SHORT_DATE_FORMAT')})",
            _edit_link(request.page),
        )
        for request in overdue
    ]
    return Check(
        "changes",
        gettext_lazy("Sections updated within %(days)s working days")
        % {"days": settings.EGOV_WEBSITES_UPDATE_WORKING_DAYS},
        rating,
        detail,
        items,
    )


def required_sections(site: Page) -> Check:
    from egov.websites.models import SECTION_TYPES

    present = {type(page) for page in site.get_children().live().specific()}
    missing = [
        str(page_type._meta.verbose_name) for page_type in SECTION_TYPES if page_type not in present
    ]
    rating = Rating.RED if missing else Rating.GREEN
    detail = (
        _("All required sections are published.")
        if not missing
        else _("Missing or unpublished: %(sections)s.") % {"sections": ", ".join(missing)}
    )
    return Check("sections", gettext_lazy("Required sections present"), rating, detail)


def document_requisites(site: Page) -> Check:
    from egov.websites.models import LegalActPage

    incomplete = [
        (document, document.missing_requisites)
        for document in LegalActPage.objects.descendant_of(site).live()
        if document.missing_requisites
    ]
    rating = Rating.AMBER if incomplete else Rating.GREEN
    detail = (
        _("Every document has its number, date, signatory, text and file.")
        if not incomplete
        else _("%(count)s documents lack requisites.") % {"count": len(incomplete)}
    )
    items = [
        (f"{document.title}: {', '.join(missing)}", _edit_link(document))
        for document, missing in incomplete
    ]
    return Check(
        "documents", gettext_lazy("Documents carry their requisites"), rating, detail, items
    )


def three_clicks(site: Page) -> Check:
    """Sections are in the menu (one click); nothing lies deeper than three levels below home."""
    deep = list(site.get_descendants().live().filter(depth__gt=site.depth + MAX_CLICKS))
    hidden = list(site.get_children().live().filter(show_in_menus=False))
    rating = Rating.RED if deep or hidden else Rating.GREEN
    detail = (
        _("Every page is within %(clicks)s clicks of the home page.") % {"clicks": MAX_CLICKS}
        if rating == Rating.GREEN
        else _("%(deep)s pages lie too deep; %(hidden)s sections are not in the menu.")
        % {"deep": len(deep), "hidden": len(hidden)}
    )
    items = [(page.title, _edit_link(page)) for page in [*hidden, *deep]]
    return Check("clicks", gettext_lazy("Every page within three clicks"), rating, detail, items)


def translation_status(site: Page) -> Check:
    found = translations.matrix(site)
    missing, outdated, cells = found.missing, found.outdated, max(found.cells, 1)
    if missing * 2 > cells:
        rating = Rating.RED
    elif missing or outdated:
        rating = Rating.AMBER
    else:
        rating = Rating.GREEN
    detail = _("%(missing)s translations missing, %(outdated)s outdated or unpublished.") % {
        "missing": missing,
        "outdated": outdated,
    }
    return Check("translations", gettext_lazy("Translations complete and current"), rating, detail)


def report(site: Page, today: datetime.date | None = None) -> Report:
    site = translations.source_site(site)
    today = today or timezone.localdate()
    return Report(
        site,
        [
            news_every_working_day(site, today),
            change_requests(site, today),
            required_sections(site),
            document_requisites(site),
            three_clicks(site),
            translation_status(site),
        ],
    )


def reports(organization_ids: list[int] | None = None) -> list[Report]:
    from egov.websites.models import AgencySite

    sites = AgencySite.objects.filter(locale__language_code=translations.source_language())
    if organization_ids is not None:
        sites = sites.filter(organization_id__in=organization_ids)
    return [report(site) for site in sites.select_related("organization").order_by("title")]
