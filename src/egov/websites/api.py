"""The read-only JSON API of the government websites, mounted at /api/websites/.

Anyone may read it, without logging in: the bodies' sites, pages by type, news and documents. Only
live pages without view restrictions appear, in one reading: `lang` (kk, kk-latn, ru, en or tg, as
the deployment has them), else the reader's language (the language cookie, Accept-Language). A
stand-in page repeats its original until it is translated: `translated` is false and `language`
names the original's. Errors are problem details (RFC 9457) with a stable `code`.
"""

# No `from __future__ import annotations`: django-ninja reads the views' annotations through
# its pagination wrapper, which cannot resolve names given as strings.
import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.params.functions import Path, Query
from wagtail.models import Page

from egov.core.exceptions import InvalidInput, NotFound
from egov.core.pagination import Pagination
from egov.websites import reading
from egov.websites.choices import DocumentStatus, DocumentType, NewsKind
from egov.websites.models import AgencySite, LegalActPage, NewsPage
from egov.websites.published import Mapped, Publisher, page_types

router = Router(tags=["websites"])

PageType = Literal[
    "portal",
    "site",
    "about",
    "news-section",
    "news",
    "documents-section",
    "document",
    "services",
    "contacts",
    "vacancies",
    "vacancy",
    "budget",
    "faq",
    "appeals",
    "content",
]
LANG_HELP = "kk, kk-latn (Kazakh in Latin script), ru, en or tg, as the deployment offers them"


class PageOut(Schema):
    id: int
    type: str
    title: str
    url: str = Field(description="The page on the public site, in this language")
    site: str | None = Field(description="Slug of the body's site the page belongs to")
    language: str = Field(description="Language of the text (a stand-in's is its original's)")
    translated: bool = Field(description="False for a stand-in that repeats the original")
    translation_key: str = Field(description="The same for every language version of a page")
    search_description: str
    first_published_at: datetime.datetime | None
    last_published_at: datetime.datetime | None


class PageDetailOut(PageOut):
    content: dict[str, Any] = Field(
        description="The page type's own fields: text in the chosen language and script, rich "
        "text and blocks as HTML, images and files as links, dates in ISO 8601"
    )


class OrganizationRef(Schema):
    code: str
    name: str
    kind: str
    region: str


class ContactsOut(Schema):
    address: str
    working_hours: str
    phone: str
    email: str
    latitude: float | None
    longitude: float | None


class FeedsOut(Schema):
    rss: str
    atom: str


class SectionRef(Schema):
    id: int
    type: str
    title: str
    url: str


class SiteOut(PageOut):
    slug: str
    lead: str
    logo: str | None
    organization: OrganizationRef
    contacts: ContactsOut
    feeds: FeedsOut


class SiteDetailOut(SiteOut):
    sections: list[SectionRef]


class NewsOut(PageOut):
    date: datetime.date
    kind: str
    lead: str
    image: str | None
    body_html: str


class FileOut(Schema):
    url: str
    title: str
    extension: str
    size: int | None


class DocumentOut(PageOut):
    doc_type: str
    doc_type_label: str
    number: str
    signed_on: datetime.date | None
    signatory: str
    status: str
    status_label: str
    lapsed_on: datetime.date | None
    summary: str
    text_html: str
    file: FileOut | None


def _publisher(request: HttpRequest, lang: str, response: HttpResponse) -> Publisher:
    chosen = reading.parse(lang) if lang else reading.current(request)
    if chosen is None:
        raise InvalidInput(
            _("This language is not offered. Choose one of: %(codes)s.")
            % {"codes": ", ".join(reading.codes())},
            code="unsupported_language",
            languages=reading.codes(),
        )
    response["Content-Language"] = chosen.tag
    return Publisher(request, chosen)


def _published(model: type[Page], publisher: Publisher) -> Any:
    """Live, unrestricted pages of one type in the chosen language."""
    return model.objects.live().public().filter(locale__language_code=publisher.reading.language)


def _site(slug: str, publisher: Publisher) -> AgencySite:
    found = _published(AgencySite, publisher).filter(slug=slug).first()
    if found is None:
        raise NotFound(_("No body's website has this address."), code="site_not_found")
    return found  # type: ignore[no-any-return]


def _within(queryset: Any, site: str, publisher: Publisher) -> Any:
    return queryset.descendant_of(_site(site, publisher)) if site else queryset


@router.get("/sites", response=list[SiteOut], summary="Websites of state bodies")
@paginate(Pagination)
def list_sites(
    request: HttpRequest,
    response: HttpResponse,
    lang: str = Query("", description=LANG_HELP),
    organization: str = Query("", description="Code of the organization, e.g. MINJUST"),
) -> Any:
    publisher = _publisher(request, lang, response)
    sites = _published(AgencySite, publisher).select_related("organization", "logo")
    if organization:
        sites = sites.filter(organization__code=organization.upper())
    return Mapped(sites.order_by("path"), publisher.site, publisher.reading.language)


@router.get("/sites/{slug}", response=SiteDetailOut, summary="A body's website and its sections")
def site_detail(
    request: HttpRequest,
    response: HttpResponse,
    slug: str,
    lang: str = Query("", description=LANG_HELP),
) -> dict[str, Any]:
    publisher = _publisher(request, lang, response)
    site = _site(slug, publisher)
    sections = list(site.get_children().live().public().in_menu().specific())
    return publisher.site(site, sections)


@router.get("/pages", response=list[PageOut], summary="Published pages, by type and body")
@paginate(Pagination)
def list_pages(
    request: HttpRequest,
    response: HttpResponse,
    type: PageType | None = None,
    site: str = Query("", description="Slug of a body's site: only its pages"),
    lang: str = Query("", description=LANG_HELP),
) -> Any:
    publisher = _publisher(request, lang, response)
    models = [page_types()[type]] if type else list(page_types().values())
    pages = _within(_published(Page, publisher).type(*models), site, publisher)
    return Mapped(pages.order_by("path").specific(), publisher.summary, publisher.reading.language)


@router.get("/pages/{page_id}", response=PageDetailOut, summary="One published page")
def page_detail(
    request: HttpRequest,
    response: HttpResponse,
    page_id: int = Path(..., ge=1, le=2**31 - 1),
    lang: str = Query("", description=LANG_HELP + "; another language gives that version"),
) -> dict[str, Any]:
    publisher = _publisher(request, lang, response)
    websites = _published(Page, publisher).type(*page_types().values())
    found = websites.filter(pk=page_id).first()
    if found is None:
        # The page's version in the chosen language, if it has one.
        original = Page.objects.filter(pk=page_id).values_list("translation_key", flat=True)
        found = websites.filter(translation_key__in=list(original)).first()
    if found is None:
        raise NotFound(
            _("No published page has this number in this language."), code="page_not_found"
        )
    return publisher.detail(found.specific)


@router.get("/news", response=list[NewsOut], summary="News and press releases, newest first")
@paginate(Pagination)
def list_news(
    request: HttpRequest,
    response: HttpResponse,
    site: str = Query("", description="Slug of a body's site: only its news"),
    kind: NewsKind | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    lang: str = Query("", description=LANG_HELP),
) -> Any:
    publisher = _publisher(request, lang, response)
    news = _within(_published(NewsPage, publisher), site, publisher).select_related("image")
    if kind:
        news = news.filter(kind=kind)
    if since:
        news = news.filter(date__gte=since)
    if until:
        news = news.filter(date__lte=until)
    return Mapped(news.order_by("-date", "-pk"), publisher.news, publisher.reading.language)


@router.get(
    "/documents", response=list[DocumentOut], summary="Legal acts and other documents, newest first"
)
@paginate(Pagination)
def list_documents(
    request: HttpRequest,
    response: HttpResponse,
    site: str = Query("", description="Slug of a body's site: only its documents"),
    doc_type: DocumentType | None = None,
    status: DocumentStatus | None = None,
    year: int | None = Query(None, ge=1900, le=2999, description="Year of signing"),
    number: str = Query("", max_length=64, description="The document's number, exactly"),
    lang: str = Query("", description=LANG_HELP),
) -> Any:
    publisher = _publisher(request, lang, response)
    documents = _within(_published(LegalActPage, publisher), site, publisher)
    documents = documents.select_related("file")
    if doc_type:
        documents = documents.filter(doc_type=doc_type)
    if status:
        documents = documents.filter(status=status)
    if year:
        documents = documents.filter(signed_on__year=year)
    if number:
        documents = documents.filter(number=number)
    return Mapped(
        documents.order_by("-signed_on", "-pk"), publisher.document, publisher.reading.language
    )
