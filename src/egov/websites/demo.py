"""Websites demo: the portal, full sites for three bodies and skeleton sites for three more, with
news, documents, leadership, contacts, vacancies, budget tables, FAQ, an answered appeal, open
change requests, and an editor and a moderator per body. Loading twice changes nothing.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.actions.convert_alias import ConvertAliasPageAction
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, Site

from egov.core.choices import Role
from egov.core.demo import DEMO_PASSWORD_SUFFIX, demo_key
from egov.core.models import Membership, Organization, User
from egov.websites import access, skeleton
from egov.websites.choices import AppealStatus
from egov.websites.demo_content import (
    AGENCIES,
    BUDGET_ROWS,
    ILLUSTRATION_ALT,
    INDICATOR,
    PORTAL,
    SECTION_INTROS,
    SECTION_TITLES,
    SERVICES,
    SMALL_AGENCIES,
)
from egov.websites.models import (
    AboutPage,
    AgencySite,
    Appeal,
    BudgetPage,
    ChangeRequest,
    ContactsPage,
    FaqPage,
    Leader,
    LegalActPage,
    NewsIndexPage,
    NewsPage,
    PortalHomePage,
    ServicesPage,
    VacanciesPage,
    VacancyPage,
)

PORTAL_SLUG = "gov"


def languages() -> list[str]:
    return [str(code) for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]


def source() -> str:
    return str(settings.LANGUAGE_CODE)


def _text(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts["ru"]


def _locales() -> dict[str, Locale]:
    return {code: Locale.objects.get_or_create(language_code=code)[0] for code in languages()}


def _translate(page: Page, language: str, **fields: Any) -> Page:
    """The page in another language: a real translation (not the alias stand-in), published."""
    locale = Locale.objects.get(language_code=language)
    target = page.get_translation_or_none(locale)
    if target is None:
        target = page.copy_for_translation(locale, copy_parents=True)
    elif target.alias_of_id is not None:
        ConvertAliasPageAction(target).execute(skip_permission_checks=True)
    target = Page.objects.get(pk=target.pk).specific
    for name, value in fields.items():
        setattr(target, name, value)
    return skeleton.publish(target)


def _add(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    skeleton.publish(page)
    skeleton.mirror(page)
    return page


def _portal(locales: dict[str, Locale]) -> PortalHomePage:
    texts = PORTAL.get(settings.COUNTRY.code, PORTAL["kz"])
    portal = PortalHomePage.objects.filter(locale=locales[source()]).first()
    if portal is None:
        root = Page.get_first_root_node()
        portal = PortalHomePage(
            title=_text(texts["title"], source()),
            slug=PORTAL_SLUG,
            intro=_text(texts["intro"], source()),
            locale=locales[source()],
        )
        root.add_child(instance=portal)
        skeleton.publish(portal)
        for language in languages():
            if language != source():
                _translate(
                    portal,
                    language,
                    title=_text(texts["title"], language),
                    intro=_text(texts["intro"], language),
                )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", root_page=portal, is_default_site=True)
    elif site.root_page_id != portal.pk:
        site.root_page = portal
        site.site_name = portal.title
        site.save()
    return portal  # type: ignore[no-any-return]


def _logo(code: str, initials: str, color: tuple[int, int, int], collection: Any) -> Any:
    image_model = get_image_model()
    found = image_model.objects.filter(title=f"{code} logo").first()
    if found is not None:
        return found
    canvas = PILImage.new("RGB", (224, 224), "white")
    draw = ImageDraw.Draw(canvas)
    draw.ellipse((8, 8, 216, 216), fill=color)
    draw.text((112, 112), initials, fill="white", anchor="mm", font_size=72)
    buffer = io.BytesIO()
    canvas.save(buffer, "PNG")
    image = image_model(
        title=f"{code} logo",
        description=f"{code} logo",
        collection=collection,
        file=ContentFile(buffer.getvalue(), name=f"{code.lower()}-logo.png"),
    )
    image.save()
    return image


def _illustration(code: str, color: tuple[int, int, int], collection: Any) -> Any:
    """A drawing of a building, for a news item's rich text (served from /media/images/)."""
    image_model = get_image_model()
    title = f"{code} building"
    found = image_model.objects.filter(title=title).first()
    if found is not None:
        return found
    canvas = PILImage.new("RGB", (960, 480), (226, 236, 240))
    draw = ImageDraw.Draw(canvas)
    draw.polygon([(180, 170), (480, 60), (780, 170)], fill=color)
    draw.rectangle((200, 170, 760, 420), fill=(250, 250, 250), outline=color, width=6)
    for left in range(240, 720, 80):
        draw.rectangle((left, 200, left + 40, 400), fill=color)
    buffer = io.BytesIO()
    canvas.save(buffer, "PNG")
    image = image_model(
        title=title,
        description=_text(ILLUSTRATION_ALT, "en"),
        collection=collection,
        file=ContentFile(buffer.getvalue(), name=f"{code.lower()}-building.png"),
    )
    image.save()
    return image


def _news_body(lead: dict[str, str], language: str, extras: dict[str, Any]) -> list[Any]:
    """A news item's text; the first one of a site also shows a picture (and an indicator)."""
    body: list[Any] = [("paragraph", f"<p>{_text(lead, language)}</p>")]
    picture = extras.get("picture")
    if picture is not None:
        alt = escape(_text(ILLUSTRATION_ALT, language))
        embed = f'<embed embedtype="image" id="{picture.pk}" format="fullwidth" alt="{alt}"/>'
        body.append(("paragraph", embed))
    if extras.get("indicator"):
        code, title = INDICATOR
        body.append(("indicator", {"title": _text(title, language), "code": code, "url": ""}))
    return body


def _document_file(title: str, number: str, text: str, collection: Any) -> Any:
    document_model = get_document_model()
    name = f"{title} ({number})"
    found = document_model.objects.filter(title=name).first()
    if found is not None:
        return found
    document = document_model(
        title=name,
        collection=collection,
        file=ContentFile(
            f"{title}\n№ {number}\n\n{text}\n".encode(), name=f"act-{number.replace('/', '-')}.txt"
        ),
    )
    document.save()
    return document


def _working_days_ago(days: int, hour: int = 10) -> datetime.datetime:
    day = settings.COUNTRY.calendar().add_working_days(timezone.localdate(), -days)
    return datetime.datetime.combine(day, datetime.time(hour), timezone.get_current_timezone())


def _sections(site: AgencySite) -> dict[str, Page]:
    return {page.slug: page.specific for page in site.get_children()}


def _translate_frame(site: AgencySite, data: dict[str, Any] | None) -> None:
    for slug, section in _sections(site).items():
        title = _text(SECTION_TITLES[slug], source()) if slug in SECTION_TITLES else None
        if title and section.title != title:
            section.title = title
            skeleton.publish(section)
    for language in languages():
        if language == source():
            continue
        with_lead = {"lead": _text(data["lead"], language)} if data else {}
        with_address = (
            {
                "address": _text(data["address"], language),
                "working_hours": _text(data["hours"], language),
            }
            if data
            else {}
        )
        name = str(site.organization.__dict__.get(f"name_{language}") or site.title)
        _translate(site, language, title=name, **with_lead, **with_address)
        for slug, section in _sections(site).items():
            if slug in SECTION_TITLES:
                _translate(section, language, title=_text(SECTION_TITLES[slug], language))


def _full_site(portal: PortalHomePage, data: dict[str, Any]) -> AgencySite:
    organization = Organization.objects.get(code=data["code"])
    existing = AgencySite.objects.filter(organization=organization, locale=portal.locale).first()
    if existing is not None:
        return existing  # type: ignore[no-any-return]
    lang = source()
    workspace = access.workspace_for(organization)
    logo = _logo(data["code"], data["initials"], data["color"], workspace.collection)
    site = skeleton.create_site(
        portal,
        organization,
        slug=data["slug"],
        logo=logo,
        lead=_text(data["lead"], lang),
        address=_text(data["address"], lang),
        working_hours=_text(data["hours"], lang),
        phone=data["phone"],
        email=data["email"],
        latitude=Decimal(data["lat"]),
        longitude=Decimal(data["lon"]),
    )
    sections = _sections(site)
    for slug, intro in SECTION_INTROS.items():
        sections[slug].intro = _text(intro, lang)
        skeleton.publish(sections[slug])

    about: AboutPage = sections["about"]
    about.mission = _text(data["mission"], lang)
    about.functions = _text(data["functions"], lang)
    about.structure = [
        ("unit", {"name": name, "head": head, "units": units})
        for name, head, units in data["structure"]
    ]
    about.leaders = [
        Leader(
            name=_text(name, lang),
            position=_text(position, lang),
            biography=_text(biography, lang),
            reception=reception,
        )
        for name, position, biography, reception in data["leaders"]
    ]
    skeleton.publish(about)

    news_index: NewsIndexPage = sections["news"]
    news_pages = []
    for index, (days_ago, kind, titles, leads) in enumerate(data["news"]):
        extras: dict[str, Any] = {}
        if index == 0:
            extras["picture"] = _illustration(data["code"], data["color"], workspace.collection)
            extras["indicator"] = data["code"] == "MDDIAI"
        published = _working_days_ago(days_ago)
        news = _add(
            news_index,
            NewsPage(
                title=_text(titles, lang),
                slug=slugify(titles["en"])[:80],
                date=published.date(),
                kind=kind,
                lead=_text(leads, lang),
                body=_news_body(leads, lang, extras),
            ),
        )
        NewsPage.objects.filter(pk=news.pk).update(
            first_published_at=published, last_published_at=published
        )
        news_pages.append((news, titles, leads, extras))

    documents = sections["documents"]
    for doc_type, number, days, signatory, status, titles in data["documents"]:
        title = _text(titles, lang)
        signed = timezone.localdate() + datetime.timedelta(days=days)
        text = f"<p>{title}.</p><h3>1. {_text(SECTION_TITLES['about'], lang)}</h3><p>{title}.</p>"
        _add(
            documents,
            LegalActPage(
                title=title,
                slug=slugify(f"{doc_type}-{number}"),
                doc_type=doc_type,
                number=number,
                signed_on=signed,
                signatory=_text(signatory, lang),
                status=status,
                lapsed_on=timezone.localdate() - datetime.timedelta(days=30)
                if status == "lapsed"
                else None,
                summary=title,
                text=text,
                file=_document_file(title, number, title, workspace.collection),
            ),
        )

    services: ServicesPage = sections["services"]
    services.services = [
        ("service", {"title": _text(title, lang), "description": "", "url": url})
        for title, url in SERVICES
    ]
    skeleton.publish(services)

    contacts: ContactsPage = sections["contacts"]
    contacts.departments = [
        (
            "contact",
            {"unit": name, "phone": data["phone"], "email": data["email"], "hours": ""},
        )
        for name, _head, _units in data["structure"]
    ]
    skeleton.publish(contacts)

    vacancies: VacanciesPage = sections["vacancies"]
    for days, positions, category in data["vacancies"]:
        position = _text(positions, lang)
        _add(
            vacancies,
            VacancyPage(
                title=position,
                slug=slugify(positions["en"])[:80],
                position=position,
                category=category,
                deadline=timezone.localdate() + datetime.timedelta(days=days),
                duties=f"<p>{position}.</p>",
                requirements="<ul><li>Higher education in law or public administration</li></ul>",
            ),
        )

    budget: BudgetPage = sections["budget"]
    header = [
        "Code",
        _text(SECTION_TITLES["budget"], lang),
        "Plan, thousand",
        "Actual, thousand",
    ]
    budget.body = [
        (
            "table",
            {
                "data": [
                    header,
                    *(
                        [code, _text(name, lang), plan, fact]
                        for code, name, plan, fact in BUDGET_ROWS
                    ),
                ],
                "first_row_is_table_header": True,
                "first_col_is_header": False,
                "table_caption": f"{header[1]} {timezone.localdate().year}",
            },
        ),
        (
            "attachment",
            {
                "document": _document_file(
                    f"{data['code']} procurement plan",
                    str(timezone.localdate().year),
                    "Annual procurement plan",
                    workspace.collection,
                ),
                "title": f"{_text(SECTION_TITLES['budget'], lang)} — {timezone.localdate().year}",
            },
        ),
    ]
    budget.open_budget_url = "https://budget.egov.kz/"
    skeleton.publish(budget)

    faq: FaqPage = sections["faq"]
    faq.questions = [
        ("question", {"question": _text(question, lang), "answer": _text(answer, lang)})
        for question, answer in data["faq"]
    ]
    skeleton.publish(faq)

    # Translations: the frame, About, news and FAQ; documents and vacancies wait (the matrix says).
    _translate_frame(site, data)
    for language in languages():
        if language == source():
            continue
        _translate(
            about,
            language,
            mission=_text(data["mission"], language),
            functions=_text(data["functions"], language),
            leaders=[
                Leader(
                    name=_text(name, language),
                    position=_text(position, language),
                    biography=_text(biography, language),
                    reception=reception,
                )
                for name, position, biography, reception in data["leaders"]
            ],
        )
        for news, titles, leads, extras in news_pages:
            _translate(
                news,
                language,
                title=_text(titles, language),
                lead=_text(leads, language),
                body=_news_body(leads, language, extras),
            )
        _translate(
            faq,
            language,
            questions=[
                ("question", {"question": _text(q, language), "answer": _text(a, language)})
                for q, a in data["faq"]
            ],
        )
    if data.get("appeal"):
        _appeal(organization, data["appeal"])
    return site  # type: ignore[no-any-return]


def _appeal(organization: Organization, data: tuple[Any, ...]) -> None:
    name, subjects, questions, answers = data
    lang = source()
    if Appeal.objects.filter(organization=organization).exists():
        return
    Appeal.objects.create(
        organization=organization,
        number=f"{organization.code}-A-0001",
        language=lang,
        name=name,
        email="citizen@demo.example",
        subject=_text(subjects, lang),
        question=_text(questions, lang),
        may_publish=True,
        status=AppealStatus.ANSWERED,
        answer=_text(answers, lang),
        answered_at=timezone.now(),
        published=True,
    )
    Appeal.objects.create(
        organization=organization,
        number=f"{organization.code}-A-0002",
        language=lang,
        name="Demo",
        email="citizen2@demo.example",
        subject=_text(subjects, lang),
        question=_text(questions, lang),
    )


def _small_site(portal: PortalHomePage, data: dict[str, Any]) -> AgencySite:
    organization = Organization.objects.get(code=data["code"])
    existing = AgencySite.objects.filter(organization=organization, locale=portal.locale).first()
    if existing is not None:
        return existing  # type: ignore[no-any-return]
    site = skeleton.create_site(
        portal, organization, slug=data["slug"], phone=data["phone"], email=data["email"]
    )
    news_index = _sections(site)["news"]
    published = _working_days_ago(1, hour=12)
    news = _add(
        news_index,
        NewsPage(
            title=_text(data["news"], source()),
            slug=slugify(data["news"]["en"])[:80],
            date=published.date(),
            lead=_text(data["news"], source()),
        ),
    )
    NewsPage.objects.filter(pk=news.pk).update(
        first_published_at=published, last_published_at=published
    )
    _translate_frame(site, None)
    return site  # type: ignore[no-any-return]


def _people() -> list[tuple[str, str, str]]:
    """An editor and a moderator per body (MINJUST's come from the core demo)."""
    people = [("editor", Role.EDITOR, "MINJUST"), ("moderator", Role.MODERATOR, "MINJUST")]
    for code, short in (("MDDIAI", "digital"), ("AKIMAT-ALA", "almaty")):
        people += [
            (f"editor-{short}", Role.EDITOR, code),
            (f"moderator-{short}", Role.MODERATOR, code),
        ]
    logins = []
    for username, role, code in people:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": username.split("-")[0].title()}
        )
        if created:
            user.set_password(f"{username}{DEMO_PASSWORD_SUFFIX}")
            user.save()
        Membership.objects.get_or_create(
            user=user, organization=Organization.objects.get(code=code), role=role
        )
        TOTPDevice.objects.get_or_create(
            user=user, name="demo", defaults={"key": demo_key(username), "confirmed": True}
        )
        logins.append((username, f"{username}{DEMO_PASSWORD_SUFFIX}", f"{role.label} · {code}"))
    return logins


def _change_requests() -> None:
    for code, slug, days_ago, summary in (
        ("MDDIAI", "contacts", 6, "New reception phone number of the press office"),
        ("AKIMAT-ALA", "vacancies", 1, "Competition for the post of chief specialist extended"),
    ):
        site = AgencySite.objects.filter(
            organization__code=code, locale__language_code=source()
        ).first()
        if site is None or ChangeRequest.objects.filter(organization=site.organization).exists():
            continue
        section = site.get_children().get(slug=slug)
        received = settings.COUNTRY.calendar().add_working_days(timezone.localdate(), -days_ago)
        ChangeRequest.objects.create(
            organization=site.organization, page=section, summary=summary, received_on=received
        )


@transaction.atomic
def load(base_url: str = "http://127.0.0.1:8000") -> list[str]:
    locales = _locales()
    portal = _portal(locales)
    sites = [_full_site(portal, data) for data in AGENCIES]
    sites += [_small_site(portal, data) for data in SMALL_AGENCIES]
    logins = _people()
    _change_requests()
    access.sync_all()
    lines = [
        "Government websites (IRBP):",
        f"  Portal         {base_url}{portal.url}",
        *[f"  {site.organization.code:<14} {base_url}{site.url}" for site in sites],
        f"  In Latin       {base_url}/kk-latn{portal.url}" if "kk" in languages() else "",
        f"  Compliance     {base_url}/admin/websites_compliance/",
        "  Website editors and moderators (second factor: `.venv/bin/egov totp USERNAME`):",
        *[f"    {username:<18} {password:<28} {what}" for username, password, what in logins],
    ]
    return [line for line in lines if line]
