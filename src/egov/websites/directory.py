"""The portal's directory of state bodies and its national news feed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from egov.core.choices import OrganizationKind, Status
from egov.core.models import Organization
from egov.core.models.translated import translated_names

# The kinds of organization that are state bodies and belong in the directory.
STATE_BODIES = (
    OrganizationKind.MINISTRY,
    OrganizationKind.COMMITTEE,
    OrganizationKind.TERRITORIAL,
    OrganizationKind.LOCAL_ADMINISTRATION,
    OrganizationKind.STATE_ENTERPRISE,
)
AGENCY_PATH_LENGTH = 3 * Page.steplen  # root, portal, agency


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Name of the body"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Type"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, portal: Page, data: Any = None) -> None:
        super().__init__(data)
        kind_field: Any = self.fields["kind"]
        kind_field.choices = [("", _("All types"))] + [
            (kind.value, kind.label) for kind in STATE_BODIES
        ]
        region_field: Any = self.fields["region"]
        region_field.choices = [
            ("", _("All regions")),
            ("-", _("Whole country")),
            *settings.COUNTRY.region_choices(_language()),
        ]


@dataclass(frozen=True)
class Body:
    organization: Organization
    site: Page | None

    @property
    def region_name(self) -> str:
        if not self.organization.region:
            return ""
        try:
            return str(settings.COUNTRY.region(self.organization.region).display_name(_language()))
        except KeyError:
            return str(self.organization.region)


def bodies(
    portal: Page, request: HttpRequest, form: DirectoryFilterForm | None = None
) -> list[Body]:
    from egov.websites.models import AgencySite

    organizations: Any = Organization.objects.filter(
        kind__in=list(STATE_BODIES), status=Status.ACTIVE
    ).order_by("code")
    if form is not None and form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            organizations = organizations.filter(kind=data["kind"])
        if data["region"] == "-":
            organizations = organizations.filter(region="")
        elif data["region"]:
            organizations = organizations.filter(region=data["region"])
    if form is not None and form.is_valid() and form.cleaned_data["q"]:
        # Compared in Python: SQLite folds the case of Latin letters only, not Cyrillic.
        wanted = form.cleaned_data["q"].casefold()
        names = ["code", *translated_names("name"), *translated_names("short_name")]
        organizations = [
            organization
            for organization in organizations
            if any(wanted in str(getattr(organization, name) or "").casefold() for name in names)
        ]
    sites: dict[int, Page] = {}
    # The site in the portal's language first, then the original.
    for site in AgencySite.objects.live().order_by("-locale_id"):
        if site.locale_id == portal.locale_id or site.organization_id not in sites:
            sites[site.organization_id] = site
    return [Body(organization, sites.get(organization.pk)) for organization in organizations]


@dataclass(frozen=True)
class NewsItem:
    page: Page
    agency: Page | None


def national_news(portal: Page, limit: int = 10) -> list[NewsItem]:
    """The latest news of every body, each with the body it comes from (two queries)."""
    from egov.websites.models import AgencySite, NewsPage

    agencies = {site.path: site for site in AgencySite.objects.descendant_of(portal)}
    news = NewsPage.objects.live().descendant_of(portal).order_by("-date", "-pk")[:limit]
    return [NewsItem(item, agencies.get(item.path[:AGENCY_PATH_LENGTH])) for item in news]
