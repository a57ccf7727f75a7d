"""Citizens reading the government websites in a real browser (Debian's Chromium).

axe-core checks every page type in every content language (Kazakh also in Latin script) and in the
version for the visually impaired, and fails on any WCAG 2.2 A/AA violation, whatever its impact.
Keyboard use, the persistent plain version and reading without JavaScript are tested as a reader
would meet them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from egov.testing.wagtail import ensure_roots

pytestmark = pytest.mark.django_db(transaction=True)
axe = Axe()
WCAG_22_AA = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    # Off by default in axe-core; WCAG 2.2 AA includes it (2.5.8, target size).
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}


def violations(page: Any) -> list[tuple[str, str, list[Any]]]:
    results = axe.run(page, options=WCAG_22_AA)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
    ]


def _languages() -> list[str]:
    codes = [str(code) for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]
    return [*codes, "kk-latn"] if "kk" in codes else codes


def _open(browser: Any, live_server: Any, language: str, **options: Any) -> Any:
    context = browser.new_context(locale="en-US", base_url=live_server.url, **options)
    if language != "kk-latn":
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    return opened


def _address(path: str, language: str) -> str:
    return f"/kk-latn{path}" if language == "kk-latn" else path


@pytest.fixture
def demo(transactional_db: Any) -> Iterator[dict[str, str]]:
    """The websites demo, plus a content page that uses every block; the pages to visit."""
    from egov.core import demo as core_demo
    from egov.websites import demo as websites_demo
    from egov.websites import skeleton
    from egov.websites.models import (
        AgencySite,
        AppealsPage,
        ContentPage,
        DocumentsIndexPage,
        LegalActPage,
        NewsPage,
        VacancyPage,
    )
    from egov.websites.tests.factories import document, image

    ensure_roots()
    core_demo.load()
    websites_demo.load()

    def site_of(code: str) -> AgencySite:
        return AgencySite.objects.get(
            organization__code=code, locale__language_code=settings.LANGUAGE_CODE
        )

    site = site_of("MINJUST")
    from egov.analytics.models import Indicator

    # The chart block shows a frame only for a public indicator (the demo's has no data here).
    Indicator.objects.get_or_create(
        code="kz-tj-turnover",
        defaults={
            "organization": site.organization,
            "name_kk": "Тауар айналымы",
            "visibility": "public",
        },
    )
    digital = NewsPage.objects.descendant_of(site_of("MDDIAI")).live().order_by("-date").first()
    collection = site.organization.website_workspace.collection
    picture = image("Карта", collection, description="Облыс орталықтарының картасы")
    page = ContentPage(
        title="Цифрландыру бағдарламасы",
        slug="programme",
        lead="Бағдарламаның негізгі бағыттары.",
        body=[
            ("paragraph", "<h2>Мақсаттар</h2><p>Мемлекеттік қызметтерді цифрландыру.</p>"),
            ("image", {"image": picture, "alt_text": "Облыс орталықтары", "decorative": False}),
            ("quote", {"text": "Цифр — бәріне ортақ.", "source": "Министр"}),
            (
                "table",
                {
                    "data": [["Жыл", "Қызметтер"], ["2025", "700"], ["2026", "800"]],
                    "first_row_is_table_header": True,
                    "first_col_is_header": False,
                    "table_caption": "Онлайн қызметтер",
                },
            ),
            ("attachment", {"document": document("plan", collection), "title": "Жоспар"}),
            ("indicator", {"title": "Тауар айналымы", "code": "kz-tj-turnover", "url": ""}),
        ],
    )
    site.add_child(instance=page)
    skeleton.publish(page)
    within = NewsPage.objects.descendant_of(site).live()
    pages = {
        "portal": "/gov/",
        "directory": "/gov/directory/?kind=ministry",
        "search": "/gov/search/?q=%D1%86%D0%B8%D1%84%D1%80",  # "цифр"
        "agency": site.url,
        "news item with a picture": next(
            item.url for item in within if "embedtype" in str(item.body.raw_data)
        ),
        "news item with an indicator": digital.url,
        "document": LegalActPage.objects.descendant_of(site).live().first().url,
        "vacancy": VacancyPage.objects.descendant_of(site).live().first().url,
        "content": page.url,
    }
    for section in site.get_children().live().specific():
        pages[type(section).__name__] = section.url
    assert DocumentsIndexPage.objects.descendant_of(site).exists()
    pages["appeal form with errors"] = AppealsPage.objects.child_of(site).get().url
    yield pages


def _visit(page: Any, name: str, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, (name, path)
    if name == "appeal form with errors":
        page.locator("form[method=post] button[type=submit]").first.click()
        page.wait_for_load_state()


def test_every_page_type_in_every_language_meets_wcag_22_aa(
    browser: Any, live_server: Any, demo: dict[str, str]
) -> None:
    found: dict[str, list[Any]] = {}
    for language in _languages():
        page = _open(browser, live_server, language)
        for name, path in demo.items():
            _visit(page, name, _address(path, language))
            assert page.locator("h1").count() == 1, (name, language)
            problems = violations(page)
            if problems:
                found[f"{language} {name} {path}"] = problems
        page.context.close()
    # The version for the visually impaired: its own colours, every page type.
    page = _open(browser, live_server, settings.LANGUAGE_CODE)
    page.goto("/gov/")
    page.locator(".display-switch button").click()
    for name, path in demo.items():
        _visit(page, name, path)
        assert page.locator(".gov-site.plain").count() == 1, name
        problems = violations(page)
        if problems:
            found[f"plain {name} {path}"] = problems
    page.context.close()
    assert found == {}, "\n".join(f"{where}: {problems}" for where, problems in found.items())


@pytest.fixture
def site(transactional_db: Any) -> Any:
    """A portal with the Ministry of Justice's site, a news item and an answered appeal."""
    from egov.core import demo as core_demo
    from egov.core.models import Organization
    from egov.websites import skeleton
    from egov.websites.models import NewsIndexPage, NewsPage
    from egov.websites.tests.factories import image, make_portal, make_site

    ensure_roots()
    core_demo.load()
    portal = make_portal()
    justice = make_site(portal, Organization.objects.get(code="MINJUST"), phone="+7 7172 00 00 01")
    news_index = NewsIndexPage.objects.child_of(justice).get()
    collection = justice.organization.website_workspace.collection
    photo = image("Ғимарат", collection, description="Министрлік ғимараты")
    embed = f'<embed embedtype="image" id="{photo.pk}" format="fullwidth" alt="Ғимарат"/>'
    news = NewsPage(
        title="Жаңа қызмет",
        slug="service",
        lead="Қысқаша",
        date=datetime.date(2026, 3, 2),
        body=[("paragraph", f"<p>Мәтін</p>{embed}")],
    )
    news_index.add_child(instance=news)
    skeleton.publish(news)
    skeleton.mirror(news)  # the stand-ins in other languages an editor's new page gets
    return justice


def _focused(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {
                tag: el.tagName, text: el.textContent.trim(), href: el.getAttribute('href'),
                inMain: !!el.closest('main'), inMenu: !!el.closest('.site-menu'),
                outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                visible: box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0,
            };
        }"""
    )


def test_keyboard_skip_link_menu_and_visible_focus(page: Any, site: Any) -> None:
    page.goto(site.url)
    page.keyboard.press("Tab")
    first = _focused(page)
    assert first["href"] == "#main" and first["visible"] and first["outline"], first
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert _focused(page)["inMain"], "the skip link leads into the main content"
    # Every section of the menu is reachable with Tab, each with a visible focus indicator.
    page.goto(site.url)
    sections = page.locator(".site-menu a").count()
    assert sections == 9
    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = _focused(page)
        assert focused["outline"] and focused["visible"], focused
        if focused["inMenu"]:
            reached.append(focused["href"])
        if len(reached) == sections:
            break
    assert len(reached) == sections, reached
    page.keyboard.press("Enter")  # the last section, opened from the keyboard
    page.wait_for_url(f"**{reached[-1]}")
    assert page.locator("h1").count() == 1


def test_the_plain_version_persists_across_pages(page: Any, site: Any) -> None:
    page.goto(site.url)
    assert (
        page.locator(".agency-name img").count() == 0
        or page.locator(".agency-name img").first.is_visible()
    )
    page.get_by_role("button", name="Version for the visually impaired").click()
    assert page.locator(".gov-site.plain").count() == 1
    page.locator(".site-menu a").nth(1).click()  # news
    page.get_by_role("link", name="Жаңа қызмет").click()
    assert page.locator(".gov-site.plain").count() == 1
    assert page.locator("main img:visible").count() == 0  # no images
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.gov-site')).fontSize)"
    )
    assert size >= 20  # larger text
    page.goto("/gov/")
    assert page.locator(".gov-site.plain").count() == 1
    page.get_by_role("button", name="Standard version").click()
    assert page.locator(".gov-site.plain").count() == 0


def test_pages_work_without_javascript(browser: Any, live_server: Any, site: Any) -> None:
    context = browser.new_context(
        locale="en-US", base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(site.url)
    assert page.locator("h1").inner_text() == site.title
    page.locator(".site-menu a").nth(1).click()
    page.get_by_role("link", name="Жаңа қызмет").click()
    picture = page.locator("main img[alt='Ғимарат']")
    assert picture.count() == 1
    page.wait_for_load_state("load")  # the click returns once the page commits, before images
    loaded = page.evaluate("document.querySelector(\"main img[alt='Ғимарат']\").naturalWidth")
    assert loaded > 0  # served from /media/ by the platform itself
    page.get_by_label("Search this site").fill("қызмет")
    page.get_by_role("button", name="Search", exact=True).click()
    assert "Жаңа қызмет" in page.locator("main").inner_text()
    page.get_by_role("button", name="Version for the visually impaired").click()
    assert page.locator(".gov-site.plain").count() == 1
    page.goto(f"{site.url}appeals/")
    page.get_by_label("Your name").fill("Асель")
    page.get_by_label("E-mail").last.fill("asel@example.org")
    page.get_by_label("Subject").fill("Апостиль")
    page.get_by_label("Your question").fill("Қанша уақыт?")
    page.get_by_role("button", name="Send the appeal").click()
    assert "MINJUST-A-0001" in page.locator("main").inner_text()
    context.close()
