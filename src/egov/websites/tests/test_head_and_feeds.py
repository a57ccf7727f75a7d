"""What pages tell crawlers and link previews: hreflang, canonical, Open Graph; feeds; sitemap."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from wagtail.actions.convert_alias import ConvertAliasPageAction
from wagtail.models import Locale, Page

from egov.websites import skeleton
from egov.websites.models import (
    DocumentsIndexPage,
    LegalActPage,
    NewsIndexPage,
    NewsPage,
    VacanciesPage,
    VacancyPage,
)

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _add(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    return skeleton.publish(page)


def _meta(html: str, name: str) -> list[str]:
    return re.findall(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', html)


def _links(html: str, rel: str) -> dict[str, str]:
    found = re.findall(rf'<link rel="{rel}" hreflang="([^"]+)" href="([^"]+)"', html)
    return dict(found)


@pytest.fixture
def news(sites) -> NewsPage:  # type: ignore[no-untyped-def]
    index = NewsIndexPage.objects.child_of(sites.justice).get()
    page = _add(index, NewsPage(title="Жаңа қызмет", slug="service", lead="Қысқаша мазмұны"))
    return page  # type: ignore[return-value]


def _translate_to_russian(page: Page, title: str) -> Page:
    skeleton.mirror(page)
    russian = page.get_translation(Locale.objects.get(language_code="ru"))
    ConvertAliasPageAction(russian).execute(skip_permission_checks=True)
    russian = Page.objects.get(pk=russian.pk).specific
    russian.title = title
    return skeleton.publish(russian)


def test_open_graph_and_canonical(news, client) -> None:
    html = client.get(news.url).content.decode()
    assert _meta(html, "og:title") == ["Жаңа қызмет"]
    assert _meta(html, "og:type") == ["article"]
    assert _meta(html, "og:description") == ["Қысқаша мазмұны"]
    assert _meta(html, "og:locale") == ["kk_KZ"]
    assert _meta(html, "og:url") == [f"http://testserver{news.url}?lang=kk"]
    assert f'<link rel="canonical" href="http://testserver{news.url}?lang=kk">' in html
    logo = _meta(client.get("/gov/minjust/").content.decode(), "og:type")
    assert logo == ["website"]
    # The stylesheet is in the head, not in the body.
    assert html.index("websites.css") < html.index("</head>")


def test_hreflang_names_every_translation_and_kazakh_latin(news, client) -> None:
    alternates = _links(client.get(news.url).content.decode(), "alternate")
    assert alternates == {
        "kk": f"http://testserver{news.url}?lang=kk",
        "kk-Latn": f"http://testserver/kk-latn{news.url}",
        "x-default": f"http://testserver{news.url}",
    }  # the ru and en stand-ins only repeat the Kazakh text: not versions of their own
    _translate_to_russian(news, "Новая услуга")
    alternates = _links(client.get(news.url).content.decode(), "alternate")
    assert alternates["ru"] == f"http://testserver{news.url}?lang=ru"
    assert "en" not in alternates


def test_the_lang_parameter_picks_the_version_unless_the_reader_chose(news, client) -> None:
    _translate_to_russian(news, "Новая услуга")
    russian = client.get(news.url, {"lang": "ru"})
    assert russian["Content-Language"] == "ru"
    html = russian.content.decode()
    assert "<h1>Новая услуга</h1>" in html
    assert _meta(html, "og:locale") == ["ru_RU"] and _meta(html, "og:locale:alternate") == ["kk_KZ"]
    assert client.get(news.url, {"lang": "xx"}).status_code == 200  # ignored, not an error
    client.cookies["django_language"] = "kk"  # the reader's own choice wins
    assert "<h1>Жаңа қызмет</h1>" in client.get(news.url, {"lang": "ru"}).content.decode()


def test_latin_pages_describe_themselves_in_latin(news, client) -> None:
    html = client.get(f"/kk-latn{news.url}").content.decode()
    assert _meta(html, "og:title") == ["Jaña qyzmet"]
    assert _meta(html, "og:description") == ["Qysqaşa mazmūny"]
    assert f'<link rel="canonical" href="http://testserver/kk-latn{news.url}">' in html


def test_feeds_per_body_and_section_in_rss_and_atom(sites, news, client) -> None:
    documents = DocumentsIndexPage.objects.child_of(sites.justice).get()
    _add(
        documents,
        LegalActPage(
            title="Бұйрық",
            slug="order-1",
            doc_type="order",
            number="1",
            signed_on="2026-01-05",
            signatory="Министр",
        ),
    )
    vacancies = VacanciesPage.objects.child_of(sites.justice).get()
    _add(
        vacancies, VacancyPage(title="Сарапшы", slug="a", position="Сарапшы", deadline="2026-12-01")
    )
    digital = NewsIndexPage.objects.child_of(sites.digital).get()
    _add(digital, NewsPage(title="Цифрлық жаңалық", slug="d"))

    def atom_titles(url: str) -> list[str]:
        response = client.get(url)
        assert response["Content-Type"].startswith("application/atom+xml")
        root = ET.fromstring(response.content)
        return [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]

    assert set(atom_titles("/gov/minjust/feed/atom/")) == {"Жаңа қызмет", "Бұйрық", "Сарапшы"}
    assert atom_titles(f"{documents.url}feed/atom/") == ["Бұйрық"]
    assert atom_titles(f"{vacancies.url}feed/atom/") == ["Сарапшы"]
    assert set(atom_titles("/gov/feed/atom/")) == {"Жаңа қызмет", "Цифрлық жаңалық"}
    rss = client.get(f"{vacancies.url}feed/")
    assert rss["Content-Type"].startswith("application/rss+xml")
    assert "Сарапшы — 2026-12-01" in rss.content.decode()
    latin = client.get("/kk-latn/gov/minjust/feed/").content.decode()
    assert "Jaña qyzmet" in latin and "http://testserver/kk-latn/gov/minjust/news/service/" in latin
    html = client.get(news.url).content.decode()
    assert (
        'type="application/atom+xml" title="Әділет министрлігі" href="/gov/minjust/feed/atom/"'
        in html
    )


def test_sitemap_lists_each_language_version_with_its_alternates(news, client) -> None:
    _translate_to_russian(news, "Новая услуга")
    root = ET.fromstring(client.get("/gov/sitemap.xml").content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    entries = {
        url.findtext("s:loc", namespaces=ns): {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)
        }
        for url in root.findall("s:url", ns)
    }
    base = f"http://testserver{news.url}"
    for loc in (f"{base}?lang=kk", f"{base}?lang=ru", f"http://testserver/kk-latn{news.url}"):
        assert entries[loc] == {
            "kk": f"{base}?lang=kk",
            "kk-Latn": f"http://testserver/kk-latn{news.url}",
            "ru": f"{base}?lang=ru",
            "x-default": base,
        }
    assert f"{base}?lang=en" not in entries  # only a stand-in in English


def test_text_in_another_language_than_the_readers_is_marked(news, client) -> None:
    skeleton.mirror(news)
    assert '<div class="page-content">' in client.get(news.url).content.decode()
    client.cookies["django_language"] = "en"  # the English stand-in repeats the Kazakh text
    assert '<div class="page-content" lang="kk">' in client.get(news.url).content.decode()
    _translate_to_russian(news, "Новая услуга")
    client.cookies["django_language"] = "ru"
    assert '<div class="page-content">' in client.get(news.url).content.decode()
