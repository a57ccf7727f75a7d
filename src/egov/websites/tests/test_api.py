"""The read-only JSON API at /api/websites/: sites, pages by type, news, documents; languages."""

from __future__ import annotations

import datetime

import pytest
from wagtail.models import Page, PageViewRestriction

from egov.websites import skeleton
from egov.websites.models import DocumentsIndexPage, LegalActPage, NewsIndexPage, NewsPage

pytestmark = pytest.mark.django_db


def _add(parent: Page, page: Page, live: bool = True) -> Page:
    page.live = live
    parent.add_child(instance=page)
    if live:
        return skeleton.publish(page)
    page.save_revision()
    return page


@pytest.fixture
def content(sites):  # type: ignore[no-untyped-def]
    justice_news = NewsIndexPage.objects.child_of(sites.justice).get()
    digital_news = NewsIndexPage.objects.child_of(sites.digital).get()
    _add(
        justice_news,
        NewsPage(
            title="Медиация туралы заң жобасы",
            slug="mediation",
            lead="Талқылауға шығарылды",
            date=datetime.date(2026, 3, 2),
            body=[("paragraph", "<p>Жоба <b>мәтіні</b>.</p>")],
        ),
    )
    _add(
        justice_news,
        NewsPage(title="Баспасөз релизі", slug="press", kind="press_release", lead="Релиз"),
    )
    _add(digital_news, NewsPage(title="Цифрлық құжаттар", slug="docs", lead="Цифр"))
    _add(justice_news, NewsPage(title="Жоба әлі жарияланбаған", slug="draft"), live=False)
    secret = _add(justice_news, NewsPage(title="Жабық жаңалық", slug="secret"))
    PageViewRestriction.objects.create(page=secret, restriction_type="password", password="x")
    documents = DocumentsIndexPage.objects.child_of(sites.justice).get()
    _add(
        documents,
        LegalActPage(
            title="Тіркеу қағидалары",
            slug="order-112",
            doc_type="order",
            number="112",
            signed_on=datetime.date(2025, 3, 14),
            signatory="Министр",
            text="<p>Қағида мәтіні.</p>",
        ),
    )
    _add(
        documents,
        LegalActPage(
            title="Ескі есеп",
            slug="old",
            doc_type="report",
            status="lapsed",
            lapsed_on=datetime.date(2024, 1, 1),
            signed_on=datetime.date(2023, 5, 1),
        ),
    )
    return sites


def _titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


def test_sites_are_listed_with_their_body_contacts_and_feeds(content, client) -> None:
    response = client.get("/api/websites/sites", {"lang": "kk"})
    body = response.json()
    assert response["Content-Language"] == "kk"
    assert body["count"] == 2
    justice = next(item for item in body["items"] if item["slug"] == "minjust")
    assert justice["organization"]["code"] == "MINJUST"
    assert justice["contacts"]["phone"] == "+7 7172 00 00 01"
    assert justice["url"] == "http://testserver/gov/minjust/?lang=kk"
    assert justice["feeds"]["atom"] == "http://testserver/gov/minjust/feed/atom/"
    assert justice["translated"] is True and justice["language"] == "kk"
    only = client.get("/api/websites/sites", {"organization": "mddiai"}).json()
    assert [item["slug"] for item in only["items"]] == ["mddiai"]
    detail = client.get("/api/websites/sites/minjust").json()
    assert [section["type"] for section in detail["sections"]][:3] == [
        "about",
        "news-section",
        "documents-section",
    ]
    assert len(detail["sections"]) == 9


def test_other_languages_give_stand_ins_and_kazakh_latin(content, client) -> None:
    russian = client.get("/api/websites/sites/minjust", {"lang": "ru"})
    assert russian["Content-Language"] == "ru"
    data = russian.json()
    assert data["translated"] is False and data["language"] == "kk"  # a stand-in repeats kk
    assert data["url"].endswith("/gov/minjust/?lang=ru")
    latin = client.get("/api/websites/news", {"lang": "kk-Latn", "site": "minjust"})
    assert latin["Content-Language"] == "kk-Latn"
    item = latin.json()["items"][-1]
    assert item["title"] == "Mediatsiia turaly zañ jobasy"
    assert item["body_html"].count("<b>mätını</b>") == 1  # HTML kept, text converted
    assert item["url"] == "http://testserver/kk-latn/gov/minjust/news/mediation/"
    # Without `lang`, the reader's language.
    client.cookies["django_language"] = "en"
    assert client.get("/api/websites/sites")["Content-Language"] == "en"


def test_an_unknown_language_is_a_problem_not_a_guess(content, client) -> None:
    response = client.get("/api/websites/news", {"lang": "de"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "unsupported_language"
    assert set(problem["languages"]) == {"kk", "kk-latn", "ru", "en"}


def test_only_live_public_pages_by_type(content, client) -> None:
    titles = _titles(client.get("/api/websites/pages", {"type": "news", "lang": "kk"}))
    assert set(titles) == {"Медиация туралы заң жобасы", "Баспасөз релизі", "Цифрлық құжаттар"}
    sections = _titles(
        client.get("/api/websites/pages", {"type": "vacancies", "site": "minjust", "lang": "kk"})
    )
    assert len(sections) == 1
    everything = client.get("/api/websites/pages", {"lang": "kk", "limit": 500}).json()
    assert "Жабық жаңалық" not in [item["title"] for item in everything["items"]]
    bad = client.get("/api/websites/pages", {"type": "secret-stuff"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].endswith("type")


def test_news_filters_and_pagination(content, client) -> None:
    press = _titles(client.get("/api/websites/news", {"kind": "press_release", "lang": "kk"}))
    assert press == ["Баспасөз релизі"]
    dated = _titles(client.get("/api/websites/news", {"until": "2026-03-02", "lang": "kk"}))
    assert dated == ["Медиация туралы заң жобасы"]
    digital = _titles(client.get("/api/websites/news", {"site": "mddiai", "lang": "kk"}))
    assert digital == ["Цифрлық құжаттар"]
    first = client.get("/api/websites/news", {"limit": 1, "lang": "kk"}).json()
    assert first["count"] == 3 and len(first["items"]) == 1
    assert client.get("/api/websites/news", {"limit": 0}).status_code == 422
    assert client.get("/api/websites/news", {"since": "yesterday"}).status_code == 422
    missing = client.get("/api/websites/news", {"site": "nobody"})
    assert missing.status_code == 404 and missing.json()["code"] == "site_not_found"


def test_documents_carry_their_requisites(content, client) -> None:
    response = client.get("/api/websites/documents", {"lang": "kk"})
    order = response.json()["items"][0]
    assert order["number"] == "112" and order["signed_on"] == "2025-03-14"
    assert order["signatory"] == "Министр" and order["status"] == "in_force"
    assert order["text_html"] == "<p>Қағида мәтіні.</p>" and order["file"] is None
    lapsed = _titles(client.get("/api/websites/documents", {"status": "lapsed", "lang": "kk"}))
    assert lapsed == ["Ескі есеп"]
    assert _titles(client.get("/api/websites/documents", {"year": 2025, "lang": "kk"})) == [
        "Тіркеу қағидалары"
    ]
    assert client.get("/api/websites/documents", {"doc_type": "poem"}).status_code == 422


def test_one_page_in_full_and_in_another_language(content, client) -> None:
    news = NewsPage.objects.get(slug="mediation", locale__language_code="kk")
    data = client.get(f"/api/websites/pages/{news.pk}").json()
    assert data["type"] == "news" and data["site"] == "minjust"
    assert data["content"]["lead"] == "Талқылауға шығарылды"
    assert data["content"]["kind_label"]
    assert "<b>мәтіні</b>" in data["content"]["body"]
    assert client.get(f"/api/websites/pages/{news.pk}", {"lang": "ru"}).status_code == 404
    skeleton.mirror(news)  # the stand-ins an editor's new page gets
    russian = client.get(f"/api/websites/pages/{news.pk}", {"lang": "ru"}).json()
    assert russian["id"] != news.pk and russian["translation_key"] == data["translation_key"]
    assert russian["translated"] is False and russian["language"] == "kk"
    draft = NewsPage.objects.get(slug="draft", locale__language_code="kk")
    for page_id in (draft.pk, 999_999):
        response = client.get(f"/api/websites/pages/{page_id}")
        assert response.status_code == 404 and response.json()["code"] == "page_not_found"
    assert client.get("/api/websites/pages/0").status_code == 422
