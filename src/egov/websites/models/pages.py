"""The page types of the government websites: the portal, an agency's site and its sections.

Every agency gets the same skeleton (`egov.websites.skeleton`); the templates are shared, so an
agency sets only its name, logo and contacts. Pages exist once per content language (Wagtail's
locales); `SitePage.publish` refuses content that fails the accessibility check.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import path
from wagtail.documents import get_document_model_string
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model_string
from wagtail.models import Orderable, Page, PageViewRestriction
from wagtail.search import index

from egov.websites.admin_forms import SitePageForm
from egov.websites.choices import LEGAL_ACTS, DocumentStatus, DocumentType, NewsKind
from egov.websites.feeds import FeedRoutesMixin
from egov.websites.models.blocks import (
    RICH_TEXT_FEATURES,
    BodyBlock,
    BudgetBlock,
    ContactBlock,
    QuestionBlock,
    ServiceLinkBlock,
    UnitBlock,
)

PER_PAGE = 20
# Slugs the portal keeps for its own pages (search, directory) and files.
RESERVED_SLUGS = frozenset(
    {"search", "directory", "documents", "images", "sitemap", "display", "feed"}
)


class SitePage(Page):  # type: ignore[misc]
    """What every website page shares: the accessibility gate and the site's frame."""

    base_form_class = SitePageForm
    show_in_menus_default = True
    # Where the page's rich-text fields sit: their first heading must not be deeper than this.
    heading_base: ClassVar[dict[str, int]] = {}
    # Images shown beside text that says the same (a logo beside the name): no alt text needed.
    decorative_images: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        abstract = True

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from egov.websites.frame import frame_context
        from egov.websites.meta import head_context

        context: dict[str, Any] = super().get_context(request, *args, **kwargs)
        frame = frame_context(self, request)
        context.update(frame)
        context["head"] = head_context(self, frame, request)
        return context

    def publish(self, revision: Any, *args: Any, **kwargs: Any) -> Any:
        from egov.websites import a11y

        problems = a11y.check_page(revision.as_object())
        if problems:
            raise a11y.AccessibilityError(problems)
        return super().publish(revision, *args, **kwargs)

    @cached_property
    def ancestors(self) -> list[Page]:
        """The pages above this one, root first: loaded once per request for the privacy check
        and the frame (breadcrumbs, portal, agency)."""
        return list(self.get_ancestors())

    def get_view_restrictions(self) -> Any:
        # As Wagtail's own (an alias counts as its original; Wagtail points aliases at originals,
        # never at other aliases), without loading the ancestors a second time.
        ids = {page.alias_of_id or page.pk for page in [self, *self.ancestors]}
        return PageViewRestriction.objects.filter(page_id__in=ids)

    @cached_property
    def agency(self) -> AgencySite | None:
        if isinstance(self, AgencySite):
            return self
        return (  # type: ignore[no-any-return]
            AgencySite.objects.ancestor_of(self)
            .select_related("organization", "logo")
            .order_by("-depth")
            .first()
        )


class PortalHomePage(FeedRoutesMixin, SitePage):
    """The country's government portal: the directory of bodies, national news and search."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels: ClassVar[list[Any]] = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types: ClassVar[list[str]] = ["wagtailcore.Page"]
    subpage_types: ClassVar[list[str]] = ["websites.AgencySite", "websites.ContentPage"]
    search_fields: ClassVar[list[Any]] = [*Page.search_fields, index.SearchField("intro")]

    class Meta:
        verbose_name = _("government portal")
        verbose_name_plural = _("government portals")

    def route(self, request: HttpRequest, path_components: list[str]) -> Any:
        from django.http import Http404

        try:
            return super().route(request, path_components)
        except Http404:
            # A body whose site has no page in this language yet: show the original instead.
            source = self.get_translations().filter(locale__language_code=self.default_language)
            original = source.specific().first()
            if original is None or not path_components:
                raise
            return original.route(request, path_components)

    @property
    def default_language(self) -> str:
        return str(settings.LANGUAGE_CODE)

    @path("")  # type: ignore[untyped-decorator]
    def home(self, request: HttpRequest) -> HttpResponse:
        from egov.websites import directory

        return self.render(  # type: ignore[no-any-return]
            request,
            context_overrides={
                "news": directory.national_news(self, limit=6),
                "bodies": directory.bodies(self, request)[:12],
                "filters": directory.DirectoryFilterForm(self, request.GET or None),
            },
        )

    @path("directory/")  # type: ignore[untyped-decorator]
    def directory(self, request: HttpRequest) -> HttpResponse:
        from egov.websites import directory

        form = directory.DirectoryFilterForm(self, request.GET or None)
        bodies = directory.bodies(self, request, form)
        return self.render(  # type: ignore[no-any-return]
            request,
            template="websites/directory.html",
            context_overrides={
                "form": form,
                "bodies": Paginator(bodies, 50).get_page(request.GET.get("page")),
                "section_title": _("Directory of state bodies"),
            },
        )

    @path("search/")  # type: ignore[untyped-decorator]
    def search(self, request: HttpRequest) -> HttpResponse:
        from egov.websites import search

        form = search.SearchForm(self, request.GET or None)
        found = search.run(self, form)
        results = Paginator(found.ids, PER_PAGE).get_page(request.GET.get("page"))
        results.object_list = search.load(list(results.object_list))
        return self.render(  # type: ignore[no-any-return]
            request,
            template="websites/search.html",
            context_overrides={
                "form": form,
                "results": results,
                "newest_first": found.newest_first,
                "section_title": _("Search"),
            },
        )


class AgencySite(FeedRoutesMixin, SitePage):
    """The home of one state body's website; the organization comes from the core registry."""

    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="websites",
    )
    logo = models.ForeignKey(
        get_image_model_string(),
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lead = models.TextField(_("short description"), blank=True)
    address = models.TextField(_("address"), blank=True)
    working_hours = models.CharField(_("working hours"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    decorative_images: ClassVar[frozenset[str]] = frozenset({"logo"})
    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("organization"),
        FieldPanel("logo"),
        FieldPanel("lead"),
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldPanel("working_hours"),
                FieldRowPanel([FieldPanel("phone"), FieldPanel("email")]),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
            ],
            heading=_("Contacts"),
        ),
    ]
    parent_page_types: ClassVar[list[str]] = ["websites.PortalHomePage"]
    subpage_types: ClassVar[list[str]] = [
        "websites.AboutPage",
        "websites.NewsIndexPage",
        "websites.DocumentsIndexPage",
        "websites.ServicesPage",
        "websites.ContactsPage",
        "websites.VacanciesPage",
        "websites.BudgetPage",
        "websites.FaqPage",
        "websites.AppealsPage",
        "websites.ContentPage",
    ]
    search_fields: ClassVar[list[Any]] = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.SearchField("address"),
    ]

    class Meta:
        verbose_name = _("agency website")
        verbose_name_plural = _("agency websites")

    def clean(self) -> None:
        super().clean()
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": _("This address is reserved by the portal.")})
        if self.organization_id and self.locale_id:
            others = AgencySite.objects.filter(
                organization_id=self.organization_id, locale_id=self.locale_id
            ).exclude(pk=self.pk)
            if others.exists():
                raise ValidationError(
                    {"organization": _("This organization already has a website.")}
                )

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        news_index = NewsIndexPage.objects.child_of(self).live().first()
        context["news"] = (
            NewsPage.objects.child_of(news_index).live().order_by("-date", "-pk")[:4]
            if news_index
            else []
        )
        context["news_index"] = news_index
        return context

    @property
    def map_url(self) -> str:
        if self.latitude is None or self.longitude is None:
            return ""
        return (
            "https://www.openstreetmap.org/?mlat="
            f"{self.latitude}&mlon={self.longitude}#map=17/{self.latitude}/{self.longitude}"
        )


class SectionPage(SitePage):
    """A standard section under an agency's site."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    parent_page_types: ClassVar[list[str]] = ["websites.AgencySite"]
    search_fields: ClassVar[list[Any]] = [*Page.search_fields, index.SearchField("intro")]

    class Meta:
        abstract = True


class AboutPage(SectionPage):
    mission = RichTextField(_("mission"), blank=True, features=RICH_TEXT_FEATURES)
    functions = RichTextField(_("functions"), blank=True, features=RICH_TEXT_FEATURES)
    structure = StreamField(
        [("unit", UnitBlock())], verbose_name=_("structure"), blank=True, use_json_field=True
    )

    heading_base: ClassVar[dict[str, int]] = {"mission": 3, "functions": 3}
    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("mission"),
        FieldPanel("functions"),
        InlinePanel("leaders", label=_("Leadership")),
        FieldPanel("structure"),
    ]
    subpage_types: ClassVar[list[str]] = ["websites.ContentPage"]
    max_count_per_parent = 1
    search_fields: ClassVar[list[Any]] = [
        *SectionPage.search_fields,
        index.SearchField("mission"),
        index.SearchField("functions"),
    ]

    class Meta:
        verbose_name = _("about the body")
        verbose_name_plural = _("about the body")


class Leader(Orderable):  # type: ignore[misc]
    page = ParentalKey(AboutPage, on_delete=models.CASCADE, related_name="leaders")
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=300)
    photo = models.ForeignKey(
        get_image_model_string(),
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    biography = RichTextField(_("biography"), blank=True, features=RICH_TEXT_FEATURES)
    reception = models.CharField(_("reception of citizens"), max_length=300, blank=True)

    panels: ClassVar[list[Any]] = [
        FieldPanel("name"),
        FieldPanel("position"),
        FieldPanel("photo"),
        FieldPanel("biography"),
        FieldPanel("reception"),
    ]

    class Meta(Orderable.Meta):  # type: ignore[misc]
        verbose_name = _("leader")
        verbose_name_plural = _("leadership")

    def __str__(self) -> str:
        return f"{self.name}, {self.position}"


class NewsIndexPage(FeedRoutesMixin, SectionPage):
    content_panels: ClassVar[list[Any]] = [*Page.content_panels, FieldPanel("intro")]
    subpage_types: ClassVar[list[str]] = ["websites.NewsPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("news section")
        verbose_name_plural = _("news sections")

    def items(self, kind: str = "") -> models.QuerySet[NewsPage]:
        items = NewsPage.objects.child_of(self).live().order_by("-date", "-pk")
        if kind in NewsKind.values:
            items = items.filter(kind=kind)
        return items  # type: ignore[no-any-return]

    @path("")  # type: ignore[untyped-decorator]
    def listing(self, request: HttpRequest) -> HttpResponse:
        kind = request.GET.get("kind", "")
        return self.render(  # type: ignore[no-any-return]
            request,
            context_overrides={
                "items": Paginator(self.items(kind), PER_PAGE).get_page(request.GET.get("page")),
                "kind": kind,
                "kinds": NewsKind.choices,
            },
        )


class NewsPage(SitePage):
    date = models.DateField(_("date"), default=datetime.date.today)
    kind = models.CharField(
        _("kind"), max_length=16, choices=NewsKind.choices, default=NewsKind.NEWS
    )
    lead = models.TextField(_("lead paragraph"), blank=True)
    image = models.ForeignKey(
        get_image_model_string(),
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(BodyBlock(), verbose_name=_("text"), blank=True, use_json_field=True)

    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("date"), FieldPanel("kind")]),
        FieldPanel("lead"),
        FieldPanel("image"),
        FieldPanel("body"),
    ]
    parent_page_types: ClassVar[list[str]] = ["websites.NewsIndexPage"]
    subpage_types: ClassVar[list[str]] = []
    show_in_menus_default = False
    search_fields: ClassVar[list[Any]] = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.SearchField("body"),
        index.FilterField("date"),
        index.FilterField("kind"),
    ]

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")


class DocumentsIndexPage(FeedRoutesMixin, SectionPage):
    content_panels: ClassVar[list[Any]] = [*Page.content_panels, FieldPanel("intro")]
    subpage_types: ClassVar[list[str]] = ["websites.LegalActPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("documents section")
        verbose_name_plural = _("documents sections")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from egov.websites.forms import DocumentFilterForm

        context = super().get_context(request, *args, **kwargs)
        form = DocumentFilterForm(request.GET or None)
        items = LegalActPage.objects.child_of(self).live().order_by("-signed_on", "-pk")
        items = form.apply(items)
        context["form"] = form
        context["items"] = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
        return context


class LegalActPage(SitePage):
    """A legal act or other official document, as hypertext and as a file, with its requisites."""

    doc_type = models.CharField(_("type"), max_length=16, choices=DocumentType.choices)
    number = models.CharField(_("number"), max_length=64, blank=True)
    signed_on = models.DateField(_("date"), null=True, blank=True)
    signatory = models.CharField(_("signatory"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.IN_FORCE
    )
    lapsed_on = models.DateField(_("lapsed on"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    text = RichTextField(_("text"), blank=True, features=RICH_TEXT_FEATURES)
    file = models.ForeignKey(
        get_document_model_string(),
        verbose_name=_("file"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    heading_base: ClassVar[dict[str, int]] = {"text": 3}
    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("doc_type"), FieldPanel("number")]),
                FieldRowPanel([FieldPanel("signed_on"), FieldPanel("signatory")]),
                FieldRowPanel([FieldPanel("status"), FieldPanel("lapsed_on")]),
            ],
            heading=_("Requisites"),
        ),
        FieldPanel("summary"),
        FieldPanel("text"),
        FieldPanel("file"),
    ]
    parent_page_types: ClassVar[list[str]] = ["websites.DocumentsIndexPage"]
    subpage_types: ClassVar[list[str]] = []
    show_in_menus_default = False
    search_fields: ClassVar[list[Any]] = [
        *Page.search_fields,
        index.SearchField("number"),
        index.SearchField("signatory"),
        index.SearchField("summary"),
        index.SearchField("text"),
        index.FilterField("doc_type"),
        index.FilterField("status"),
        index.FilterField("signed_on"),
    ]

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def clean(self) -> None:
        super().clean()
        if self.doc_type in LEGAL_ACTS:
            missing = {
                name: _("A legal act needs its %(requisite)s.") % {"requisite": label}
                for name, label in (
                    ("number", _("number")),
                    ("signed_on", _("date")),
                    ("signatory", _("signatory")),
                )
                if not getattr(self, name)
            }
            if missing:
                raise ValidationError(missing)
        if self.status == DocumentStatus.LAPSED and not self.lapsed_on:
            raise ValidationError({"lapsed_on": _("Say when the document lapsed.")})

    @property
    def missing_requisites(self) -> list[str]:
        """What the compliance monitor reports: requisites, the hypertext and the file."""
        missing = [
            str(label)
            for name, label in (
                ("number", _("number")),
                ("signed_on", _("date")),
                ("signatory", _("signatory")),
                ("text", _("text")),
                ("file_id", _("file")),
            )
            if not getattr(self, name)
        ]
        return missing


class ServicesPage(SectionPage):
    services = StreamField(
        [("service", ServiceLinkBlock())],
        verbose_name=_("public services"),
        blank=True,
        use_json_field=True,
    )

    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("services"),
    ]
    subpage_types: ClassVar[list[str]] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("public services section")
        verbose_name_plural = _("public services sections")


class ContactsPage(SectionPage):
    departments = StreamField(
        [("contact", ContactBlock())],
        verbose_name=_("departments"),
        blank=True,
        use_json_field=True,
    )

    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("departments"),
    ]
    subpage_types: ClassVar[list[str]] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("contacts section")
        verbose_name_plural = _("contacts sections")


class VacanciesPage(FeedRoutesMixin, SectionPage):
    content_panels: ClassVar[list[Any]] = [*Page.content_panels, FieldPanel("intro")]
    subpage_types: ClassVar[list[str]] = ["websites.VacancyPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("vacancies section")
        verbose_name_plural = _("vacancies sections")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        today = timezone.localdate()
        vacancies = VacancyPage.objects.child_of(self).live()
        context["open"] = vacancies.filter(deadline__gte=today).order_by("deadline")
        context["closed"] = vacancies.filter(deadline__lt=today).order_by("-deadline")[:20]
        return context


class VacancyPage(SitePage):
    position = models.CharField(_("position"), max_length=300)
    department = models.CharField(_("department"), max_length=300, blank=True)
    category = models.CharField(_("category of the post"), max_length=64, blank=True)
    salary = models.CharField(_("salary"), max_length=100, blank=True)
    deadline = models.DateField(_("applications until"))
    duties = RichTextField(_("duties"), blank=True, features=RICH_TEXT_FEATURES)
    requirements = RichTextField(_("requirements"), blank=True, features=RICH_TEXT_FEATURES)
    how_to_apply = RichTextField(_("how to apply"), blank=True, features=RICH_TEXT_FEATURES)

    heading_base: ClassVar[dict[str, int]] = {"duties": 3, "requirements": 3, "how_to_apply": 3}
    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("position"),
        FieldRowPanel([FieldPanel("department"), FieldPanel("category")]),
        FieldRowPanel([FieldPanel("salary"), FieldPanel("deadline")]),
        FieldPanel("duties"),
        FieldPanel("requirements"),
        FieldPanel("how_to_apply"),
    ]
    parent_page_types: ClassVar[list[str]] = ["websites.VacanciesPage"]
    subpage_types: ClassVar[list[str]] = []
    show_in_menus_default = False
    search_fields: ClassVar[list[Any]] = [
        *Page.search_fields,
        index.SearchField("position"),
        index.SearchField("duties"),
        index.SearchField("requirements"),
        index.FilterField("deadline"),
    ]

    class Meta:
        verbose_name = _("vacancy")
        verbose_name_plural = _("vacancies")

    @property
    def is_open(self) -> bool:
        return self.deadline >= timezone.localdate()


class BudgetPage(SectionPage):
    """Open budget and procurement plans: tables and attachments."""

    body = StreamField(BudgetBlock(), verbose_name=_("content"), blank=True, use_json_field=True)
    open_budget_url = models.URLField(_("open budgets portal"), blank=True)

    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("open_budget_url"),
    ]
    subpage_types: ClassVar[list[str]] = ["websites.ContentPage"]
    max_count_per_parent = 1
    search_fields: ClassVar[list[Any]] = [*SectionPage.search_fields, index.SearchField("body")]

    class Meta:
        verbose_name = _("budget and procurement section")
        verbose_name_plural = _("budget and procurement sections")


class FaqPage(SectionPage):
    questions = StreamField(
        [("question", QuestionBlock())],
        verbose_name=_("questions"),
        blank=True,
        use_json_field=True,
    )

    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("questions"),
    ]
    subpage_types: ClassVar[list[str]] = []
    max_count_per_parent = 1
    search_fields: ClassVar[list[Any]] = [
        *SectionPage.search_fields,
        index.SearchField("questions"),
    ]

    class Meta:
        verbose_name = _("questions and answers section")
        verbose_name_plural = _("questions and answers sections")


class AppealsPage(SectionPage):
    """Citizens ask the body a question here; published answers are listed below the form."""

    content_panels: ClassVar[list[Any]] = [*Page.content_panels, FieldPanel("intro")]
    subpage_types: ClassVar[list[str]] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("appeals section")
        verbose_name_plural = _("appeals sections")

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from django.contrib import messages

        from egov.websites import appeals
        from egov.websites.forms import AppealForm

        agency = self.agency
        if request.method == "POST" and agency is not None:
            form = AppealForm(request.POST)
            if form.is_valid():
                appeal = appeals.submit(agency.organization, form, self.locale.language_code)
                messages.success(
                    request,
                    _("Your appeal %(number)s is registered. The answer will come by e-mail.")
                    % {"number": appeal.number},
                )
                return HttpResponseRedirect(self.get_url(request) or "/")
        else:
            form = AppealForm()
        context = self.get_context(request, *args, **kwargs)
        context["form"] = form
        context["answered"] = (
            appeals.published_for(agency.organization) if agency is not None else []
        )
        return self.render_response(request, context)

    def render_response(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        from django.template.response import TemplateResponse

        return TemplateResponse(request, self.get_template(request), context)


class ContentPage(SitePage):
    """Any other page: an accessibility statement, a programme, a leader's full biography."""

    lead = models.TextField(_("lead paragraph"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("text"), blank=True, use_json_field=True)

    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("lead"),
        FieldPanel("body"),
    ]
    subpage_types: ClassVar[list[str]] = ["websites.ContentPage"]
    search_fields: ClassVar[list[Any]] = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.SearchField("body"),
    ]

    class Meta:
        verbose_name = _("content page")
        verbose_name_plural = _("content pages")


# The standard sections, in menu order: the skeleton every agency gets.
SECTION_TYPES: tuple[type[SectionPage], ...] = (
    AboutPage,
    NewsIndexPage,
    DocumentsIndexPage,
    ServicesPage,
    ContactsPage,
    VacanciesPage,
    BudgetPage,
    FaqPage,
    AppealsPage,
)
