"""The standard skeleton: every body's site gets the same sections, in the same order."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from wagtail.models import Locale, Page

from egov.core.models import Organization

# slug, title (translated in the site's language), page type name
SECTIONS = (
    ("about", gettext_noop("About"), "AboutPage"),
    ("news", gettext_noop("News"), "NewsIndexPage"),
    ("documents", gettext_noop("Documents"), "DocumentsIndexPage"),
    ("services", gettext_noop("Public services"), "ServicesPage"),
    ("contacts", gettext_noop("Contacts"), "ContactsPage"),
    ("vacancies", gettext_noop("Vacancies"), "VacanciesPage"),
    ("budget", gettext_noop("Budget and procurement"), "BudgetPage"),
    ("faq", gettext_noop("Questions and answers"), "FaqPage"),
    ("appeals", gettext_noop("Appeals"), "AppealsPage"),
)


def publish(page: Page, user: Any = None) -> Page:
    revision = page.save_revision(user=user, log_action=True)
    revision.publish(user=user, skip_permission_checks=True)
    page.refresh_from_db()
    return page


def mirror(page: Page) -> None:
    """Stand-ins (aliases) in every other language, as the editor does when it creates a page."""
    for locale in Locale.objects.exclude(pk=page.locale_id):
        if not page.has_translation(locale):
            page.copy_for_translation(locale, copy_parents=True, alias=True)


def add_sections(site: Page, live: bool = True) -> list[Page]:
    from egov.websites import models

    language = site.locale.language_code
    existing = {type(child) for child in site.get_children().specific()}
    added = []
    with translation.override(language):
        for slug, title, type_name in SECTIONS:
            page_type = getattr(models, type_name)
            if page_type in existing:
                continue
            section = page_type(title=_(title), slug=slug, locale=site.locale)
            site.add_child(instance=section)
            if live:
                publish(section)
            else:
                section.save_revision()
            added.append(section)
    return added


def create_site(
    portal: Page, organization: Organization, slug: str | None = None, **fields: Any
) -> Page:
    """A body's site with every standard section, live, secured and mirrored in each language."""
    from egov.websites import access
    from egov.websites.models import AgencySite

    found = AgencySite.objects.filter(organization=organization, locale=portal.locale).first()
    if found is not None:
        return found
    with translation.override(portal.locale.language_code):
        title = fields.pop("title", None) or str(organization.name)
    site = AgencySite(
        title=title,
        slug=slug or organization.code.lower(),
        organization=organization,
        locale=portal.locale,
        **fields,
    )
    portal.add_child(instance=site)
    publish(site)
    add_sections(site)
    mirror(site)
    for section in site.get_children():
        mirror(section)
    access.secure_site(site)
    return site
