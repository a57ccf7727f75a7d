"""Published website content as plain data, in one reading (language and script): what the JSON
API (`egov.websites.api`) returns. Only what a reader of the public site could see.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils import translation
from modelcluster.fields import ParentalKey
from wagtail.fields import RichTextField, StreamField
from wagtail.images.views.serve import generate_image_url
from wagtail.models import Page
from wagtail.rich_text import expand_db_html

from egov.websites.reading import Reading, with_parameter

IMAGE_FILTER = "max-960x720"
AGENCY_PATH_LENGTH = 3 * Page.steplen  # root, portal, agency
# Fields of Wagtail's Page a reader has no use for: workflow, locking, tree bookkeeping.
PAGE_FIELDS = ("id", "title", "search_description")


def page_types() -> dict[str, type[Page]]:
    from egov.websites import models as pages

    return {
        "portal": pages.PortalHomePage,
        "site": pages.AgencySite,
        "about": pages.AboutPage,
        "news-section": pages.NewsIndexPage,
        "news": pages.NewsPage,
        "documents-section": pages.DocumentsIndexPage,
        "document": pages.LegalActPage,
        "services": pages.ServicesPage,
        "contacts": pages.ContactsPage,
        "vacancies": pages.VacanciesPage,
        "vacancy": pages.VacancyPage,
        "budget": pages.BudgetPage,
        "faq": pages.FaqPage,
        "appeals": pages.AppealsPage,
        "content": pages.ContentPage,
    }


def type_key(page: Page) -> str:
    wanted = type(page)
    return next((key for key, model in page_types().items() if model is wanted), "page")


@dataclass
class Publisher:
    """Turns pages into data for one request and one reading."""

    request: HttpRequest
    reading: Reading
    _agencies: dict[str, str] | None = field(default=None, init=False)
    _originals: dict[int, str] = field(default_factory=dict, init=False)

    def absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path)

    def page_url(self, page: Page) -> str:
        path = page.get_url(self.request) or "/"
        if self.reading.latin:
            return self.absolute(self.reading.path(path))
        return self.absolute(with_parameter(path, self.reading.language))

    def image_url(self, image: Any) -> str | None:
        return self.absolute(generate_image_url(image, IMAGE_FILTER)) if image else None

    def file(self, document: Any) -> dict[str, Any] | None:
        if document is None:
            return None
        return {
            "url": self.absolute(document.url),
            "title": self.reading.text(document.title),
            "extension": document.file_extension,
            "size": document.file_size,
        }

    def site_slug(self, page: Page) -> str | None:
        if self._agencies is None:
            from egov.websites.models import AgencySite

            self._agencies = dict(
                AgencySite.objects.filter(locale_id=page.locale_id).values_list("path", "slug")
            )
        return self._agencies.get(page.path[:AGENCY_PATH_LENGTH])

    def language_of(self, page: Page) -> str:
        """The language of the page's text: a stand-in's is its original's."""
        if not page.alias_of_id:
            return self.reading.language  # every page listed is in the chosen locale
        if page.alias_of_id not in self._originals:
            found = Page.objects.filter(pk=page.alias_of_id).values_list(
                "locale__language_code", flat=True
            )
            self._originals[page.alias_of_id] = str(found.first() or self.reading.language)
        return self._originals[page.alias_of_id]

    def summary(self, page: Page) -> dict[str, Any]:
        return {
            "id": page.pk,
            "type": type_key(page),
            "title": self.reading.text(page.title),
            "url": self.page_url(page),
            "site": self.site_slug(page),
            "language": self.language_of(page),
            "translated": not page.alias_of_id,
            "translation_key": str(page.translation_key),
            "search_description": self.reading.text(page.search_description),
            "first_published_at": page.first_published_at,
            "last_published_at": page.last_published_at,
        }

    def value(self, model_field: models.Field[Any, Any], value: Any) -> Any:
        """One field's value as JSON-ready data: text in the reading, HTML rendered, links."""
        if value is None or value == "":
            return None if value is None else ""
        if isinstance(model_field, RichTextField):
            return self.reading.html(expand_db_html(value))
        if isinstance(model_field, StreamField):
            return self.reading.html(str(value.render_as_block()))
        if isinstance(model_field, models.ForeignKey):
            related = model_field.related_model
            if getattr(related, "get_rendition", None):
                return self.image_url(value)
            if hasattr(value, "file_extension"):
                return self.file(value)
            return getattr(value, "code", None) or str(value.pk)
        if isinstance(value, datetime.date | datetime.datetime):
            return value.isoformat()
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, str) and not model_field.choices:
            return self.reading.text(value)
        return value

    def fields(self, obj: models.Model, skip: Sequence[str] = ()) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for model_field in obj._meta.concrete_fields:
            if model_field.model is Page or model_field.name in skip:
                continue
            if model_field.one_to_one or isinstance(model_field, ParentalKey):
                continue  # the link to the base page, or back to the owner
            data[model_field.name] = self.value(model_field, getattr(obj, model_field.name))
            if model_field.choices:
                label = getattr(obj, f"get_{model_field.name}_display")()
                data[f"{model_field.name}_label"] = self.reading.text(str(label))
        return data

    def content(self, page: Page) -> dict[str, Any]:
        """Everything the page type adds to a page, with its inline children (leadership)."""
        data = self.fields(page)
        for relation in page._meta.related_objects:
            if isinstance(relation.field, ParentalKey):
                children = getattr(page, relation.get_accessor_name()).all()
                data[relation.name] = [
                    self.fields(child, skip=("id", "sort_order")) for child in children
                ]
        return data

    def detail(self, page: Page) -> dict[str, Any]:
        return {**self.summary(page), "content": self.content(page)}

    def news(self, page: Any) -> dict[str, Any]:
        return {
            **self.summary(page),
            "date": page.date,
            "kind": page.kind,
            "lead": self.reading.text(page.lead),
            "image": self.image_url(page.image),
            "body_html": self.value(type(page)._meta.get_field("body"), page.body),
        }

    def document(self, page: Any) -> dict[str, Any]:
        return {
            **self.summary(page),
            "doc_type": page.doc_type,
            "doc_type_label": self.reading.text(str(page.get_doc_type_display())),
            "number": page.number,
            "signed_on": page.signed_on,
            "signatory": self.reading.text(page.signatory),
            "status": page.status,
            "status_label": self.reading.text(str(page.get_status_display())),
            "lapsed_on": page.lapsed_on,
            "summary": self.reading.text(page.summary),
            "text_html": self.reading.html(expand_db_html(page.text)) if page.text else "",
            "file": self.file(page.file),
        }

    def site(self, site: Any, sections: Sequence[Page] | None = None) -> dict[str, Any]:
        organization = site.organization
        url = site.get_url(self.request) or "/"
        data = {
            **self.summary(site),
            "slug": site.slug,
            "lead": self.reading.text(site.lead),
            "logo": self.image_url(site.logo),
            "organization": {
                "code": organization.code,
                "name": self.reading.text(organization.name),
                "kind": organization.kind,
                "region": organization.region,
            },
            "contacts": {
                "address": self.reading.text(site.address),
                "working_hours": self.reading.text(site.working_hours),
                "phone": site.phone,
                "email": site.email,
                "latitude": float(site.latitude) if site.latitude is not None else None,
                "longitude": float(site.longitude) if site.longitude is not None else None,
            },
            "feeds": {
                "rss": self.absolute(self.reading.path(f"{url}feed/")),
                "atom": self.absolute(self.reading.path(f"{url}feed/atom/")),
            },
        }
        if sections is not None:
            data["sections"] = [
                {
                    "id": section.pk,
                    "type": type_key(section),
                    "title": self.reading.text(section.title),
                    "url": self.page_url(section),
                }
                for section in sections
            ]
        return data


class Mapped(Sequence[dict[str, Any]]):
    """A query set seen through a conversion, for pagination: only the page asked for is built."""

    def __init__(self, queryset: Any, convert: Callable[[Any], dict[str, Any]], language: str):
        self.queryset = queryset
        self.convert = convert
        self.language = language

    def __len__(self) -> int:
        return int(self.queryset.count())

    def __getitem__(self, index: Any) -> Any:
        with translation.override(self.language):
            if isinstance(index, slice):
                return [self.convert(item) for item in self.queryset[index]]
            return self.convert(self.queryset[index])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self[0 : len(self)])
