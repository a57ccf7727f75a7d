"""The public side, through the pages: every page type, the frame, directory, search, appeals."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from egov.websites import skeleton
from egov.websites.models import (
    AgencySite,
    Appeal,
    AppealsPage,
    DocumentsIndexPage,
    LegalActPage,
    NewsIndexPage,
    NewsPage,
    VacanciesPage,
    VacancyPage,
)

pytestmark = pytest.mark.django_db


def _add(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    return skeleton.publish(page)


def test_every_section_is_one_click_from_every_page(sites, client) -> None:
    section_urls = [page.url for page in sites.justice.get_children().live()]
    assert len(section_urls) == 9  # the standard skeleton
    for url in ["/gov/minjust/", *section_urls]:
        html = client.get(url).content.decode()
        for section in section_urls:
            assert f'href="{section}"' in html, f"{section} missing from the menu of {url}"
        assert 'aria-label="Breadcrumbs"' in html or "breadcrumbs" in html
        assert html.count("<h1") == 1


def test_breadcrumbs_lead_back_to_the_portal(sites, client) -> None:
    news_index = NewsIndexPage.objects.child_of(sites.justice).get()
    news = _add(news_index, NewsPage(title="Жаңалық", slug="first", lead="Қысқаша"))
    html = client.get(news.url).content.decode()
    crumbs = html[html.index('class="breadcrumbs"') : html.index("</ol>")]
    assert 'href="/gov/"' in crumbs
    assert 'href="/gov/minjust/"' in crumbs
    assert f'href="{news_index.url}"' in crumbs
    assert 'aria-current="page">Жаңалық' in crumbs


def test_portal_directory_filters_by_type_region_and_name(sites, client) -> None:
    home = client.get("/gov/").content.decode()
    assert 'href="/gov/minjust/"' in home and 'href="/gov/mddiai/"' in home
    local = client.get("/gov/directory/", {"kind": "local_administration"}).content.decode()
    assert "AKIMAT" not in local  # codes are not shown; names are
    assert "Алматы қаласының әкімдігі" in local
    assert "Әділет министрлігі" not in local
    region = client.get("/gov/directory/", {"region": "KZ-75"}).content.decode()
    assert "Алматы қаласының әділет департаменті" in region
    assert "Цифрлық даму министрлігі" not in region
    named = client.get("/gov/directory/", {"q": "цифрл"}).content.decode()
    assert "Цифрлық даму министрлігі" in named and "Әділет министрлігі" not in named
    assert client.get("/gov/directory/", {"kind": "nonsense"}).status_code == 200


def test_national_news_and_search_across_every_body(sites, client) -> None:
    justice_news = NewsIndexPage.objects.child_of(sites.justice).get()
    digital_news = NewsIndexPage.objects.child_of(sites.digital).get()
    _add(justice_news, NewsPage(title="Медиация туралы заң жобасы", slug="mediation", lead="Заң"))
    _add(digital_news, NewsPage(title="Цифрлық құжаттар қосылды", slug="docs", lead="Цифр"))
    home = client.get("/gov/").content.decode()
    assert "Медиация туралы заң жобасы" in home and "Цифрлық құжаттар қосылды" in home
    everywhere = client.get("/gov/search/", {"q": "заң жобасы"}).content.decode()
    assert "Медиация туралы заң жобасы" in everywhere
    only_digital = client.get("/gov/search/", {"q": "заң", "agency": "mddiai"}).content.decode()
    assert "Медиация" not in only_digital
    documents_only = client.get("/gov/search/", {"q": "заң", "kind": "documents"}).content.decode()
    assert "Медиация" not in documents_only
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    future = client.get("/gov/search/", {"q": "заң", "since": tomorrow}).content.decode()
    assert "Медиация" not in future
    # A Kazakh reader may type in Latin script.
    latin = client.get("/gov/search/", {"q": "zañ jobasy"}).content.decode()
    assert "Медиация туралы заң жобасы" in latin
    assert client.get("/gov/search/", {"since": "not-a-date", "q": "x"}).status_code == 200


def test_a_very_broad_search_lists_the_newest_first(sites, client, monkeypatch) -> None:
    from egov.websites import search

    news = NewsIndexPage.objects.child_of(sites.justice).get()
    _add(news, NewsPage(title="Салық есебі ескі", slug="old", lead="Салық"))
    _add(news, NewsPage(title="Салық есебі жаңа", slug="new", lead="Салық"))
    ranked = client.get("/gov/search/", {"q": "салық"}).content.decode()
    assert "Салық есебі жаңа" in ranked and 'class="notice"' not in ranked
    monkeypatch.setattr(search, "BROAD", 1)  # two matches are now "very many", counted
    monkeypatch.setattr(search, "estimated_matches", lambda texts: None)
    html = client.get("/gov/search/", {"q": "салық"}).content.decode()
    assert 'class="notice"' in html  # add words or filters
    assert html.index("Салық есебі жаңа") < html.index("Салық есебі ескі")


def test_postgresql_estimates_how_broad_a_query_is(sites) -> None:
    from django.db import connection

    from egov.testing.services import require_postgres
    from egov.websites import search

    require_postgres()
    news = NewsIndexPage.objects.child_of(sites.justice).get()
    for number in range(8):
        _add(news, NewsPage(title=f"Салық есебі {number}", slug=f"tax-{number}", lead="Салық"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE wagtailsearch_indexentry")
    common = search.estimated_matches(["салық"])
    rare = search.estimated_matches(["астрофизика"])
    assert common is not None and rare is not None and common > rare


def test_documents_with_requisites_filters_and_file(sites, client, settings, tmp_path) -> None:
    from egov.websites.tests.factories import document

    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    index = DocumentsIndexPage.objects.child_of(sites.justice).get()
    workspace = sites.justice.organization.website_workspace
    act = _add(
        index,
        LegalActPage(
            title="Тіркеу қағидалары туралы",
            slug="order-112",
            doc_type="order",
            number="112",
            signed_on=datetime.date(2025, 3, 14),
            signatory="Министр",
            text="<p>Мәтін.</p>",
            file=document("order-112", workspace.collection),
        ),
    )
    _add(
        index,
        LegalActPage(
            title="Ескі есеп",
            slug="old-report",
            doc_type="report",
            status="lapsed",
            lapsed_on=datetime.date(2024, 1, 1),
        ),
    )
    listing = client.get(index.url).content.decode()
    assert "Тіркеу қағидалары туралы" in listing and "Ескі есеп" in listing
    orders = client.get(index.url, {"doc_type": "order", "status": "in_force"}).content.decode()
    assert "Тіркеу қағидалары туралы" in orders and "Ескі есеп" not in orders
    assert "Ескі есеп" not in client.get(index.url, {"year": 2025}).content.decode()
    page = client.get(act.url).content.decode()
    for requisite in ("112", "Министр", "2025", "<p>Мәтін.</p>", "download"):
        assert requisite in page
    file_url = page.split('href="/gov/documents/')[1].split('"')[0]
    download = client.get(f"/gov/documents/{file_url}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"text"


def test_a_legal_act_needs_number_date_and_signatory(sites) -> None:
    from django.core.exceptions import ValidationError

    act = LegalActPage(title="Бұйрық", slug="x", doc_type="order")
    with pytest.raises(ValidationError) as error:
        act.full_clean()
    assert {"number", "signed_on", "signatory"} <= set(error.value.message_dict)


def test_vacancies_split_open_and_closed_competitions(sites, client) -> None:
    index = VacanciesPage.objects.child_of(sites.justice).get()
    today = timezone.localdate()
    _add(index, VacancyPage(title="Сарапшы", slug="a", position="Бас сарапшы", deadline=today))
    _add(
        index,
        VacancyPage(
            title="Маман", slug="b", position="Маман", deadline=today - datetime.timedelta(days=1)
        ),
    )
    html = client.get(index.url).content.decode()
    open_part, closed_part = html.split("<h2>")[1:3]
    assert "Бас сарапшы" in open_part and "Маман" not in open_part
    assert "Маман" in closed_part


def test_a_citizen_asks_and_the_published_answer_appears(sites, client) -> None:
    page = AppealsPage.objects.child_of(sites.justice).get()
    form = client.get(page.url).content.decode()
    assert '<label for="id_question">' in form
    bad = client.post(
        page.url, {"name": "", "email": "not-an-email", "subject": "", "question": ""}
    )
    assert bad.status_code == 200
    assert 'class="error"' in bad.content.decode()
    assert not Appeal.objects.exists()
    response = client.post(
        page.url,
        {
            "name": "Асель",
            "email": "asel@example.org",
            "subject": "Апостиль",
            "question": "Қанша уақыт?",
            "may_publish": "on",
        },
        follow=True,
    )
    appeal = Appeal.objects.get()
    assert appeal.number == "MINJUST-A-0001"
    assert appeal.number in response.content.decode()
    assert appeal.language == "kk" and appeal.may_publish
    assert "Қанша уақыт?" not in client.get(page.url).content.decode()  # not answered yet
    from egov.websites import appeals

    with pytest.MonkeyPatch.context():
        appeals.answer(appeal, sites.users["justice_editor"], "Үш жұмыс күні.", published=True)
    html = client.get(page.url).content.decode()
    assert "Қанша уақыт?" in html and "Үш жұмыс күні." in html and "Асель" not in html


def test_answers_are_mailed_to_the_citizen(sites, django_capture_on_commit_callbacks) -> None:
    from egov.websites import appeals

    appeal = Appeal.objects.create(
        organization=sites.justice.organization,
        number="MINJUST-A-0009",
        language="ru",
        name="Иван",
        email="ivan@example.org",
        subject="Вопрос",
        question="?",
    )
    with django_capture_on_commit_callbacks(execute=True):
        appeals.answer(appeal, sites.users["justice_editor"], "Ответ", published=True)
    assert mail.outbox[-1].to == ["ivan@example.org"]
    assert "MINJUST-A-0009" in mail.outbox[-1].subject
    appeal.refresh_from_db()
    assert appeal.published is False  # the citizen did not agree to publication


def test_rss_feed_and_sitemap(sites, client) -> None:
    news_index = NewsIndexPage.objects.child_of(sites.justice).get()
    _add(news_index, NewsPage(title="Жаңа қызмет", slug="service", lead="Қысқаша"))
    feed = client.get(f"{news_index.url}feed/")
    assert feed["Content-Type"].startswith("application/rss+xml")
    assert "Жаңа қызмет" in feed.content.decode()
    sitemap = client.get("/gov/sitemap.xml").content.decode()
    assert "http://testserver/gov/minjust/news/service/" in sitemap
    assert 'hreflang="kk-Latn" href="http://testserver/kk-latn/gov/minjust/"' in sitemap
    assert 'hreflang="ru"' in sitemap


def test_kazakh_site_pages_are_served_in_latin(sites, client) -> None:
    response = client.get("/kk-latn/gov/minjust/")
    assert response.status_code == 200
    assert response["Content-Language"] == "kk-Latn"
    html = response.content.decode()
    assert "Ädılet ministrlıgı" in html  # Әділет министрлігі, 2021 alphabet
    assert "Әділет министрлігі" not in html
    assert 'href="/kk-latn/gov/minjust/about/"' in html


def test_each_language_gets_its_translation_or_the_original(sites, client) -> None:
    about = sites.justice.get_children().get(slug="about").specific
    russian = about.get_translation(
        sites.portal.get_translation(
            __import__("wagtail.models", fromlist=["Locale"]).Locale.objects.get(language_code="ru")
        ).locale
    )
    from wagtail.actions.convert_alias import ConvertAliasPageAction

    ConvertAliasPageAction(russian).execute(skip_permission_checks=True)
    russian = Page.objects.get(pk=russian.pk).specific
    russian.title = "Об органе"
    skeleton.publish(russian)
    client.cookies["django_language"] = "ru"
    assert "<h1>Об органе</h1>" in client.get(about.url).content.decode()
    client.cookies["django_language"] = "en"
    assert f"<h1>{about.title}</h1>" in client.get(about.url).content.decode()  # the alias


def test_the_plain_version_persists_across_pages(sites, client) -> None:
    response = client.get("/gov/display/", {"mode": "plain", "next": "/gov/minjust/"})
    assert response.status_code == 302 and response["Location"] == "/gov/minjust/"
    assert 'class="gov-site plain"' in client.get("/gov/minjust/about/").content.decode()
    assert 'class="gov-site plain"' in client.get("/gov/").content.decode()
    client.get("/gov/display/", {"mode": "standard", "next": "https://evil.example/"})
    assert 'class="gov-site plain"' not in client.get("/gov/").content.decode()


def test_platform_paths_stay_the_platforms(sites, client) -> None:
    assert client.get("/").status_code == 200
    assert b"gov-site" not in client.get("/").content
    assert client.get("/gov/no-such-body/").status_code == 404
    assert AgencySite.objects.filter(slug="minjust").count() == 3  # kk, and stand-ins in ru, en


def test_a_restricted_section_stays_private_in_every_language(sites, client) -> None:
    index = NewsIndexPage.objects.child_of(sites.justice).get()
    news = _add(index, NewsPage(title="Ішкі хабарлама", slug="internal"))
    skeleton.mirror(news)
    PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.LOGIN)
    for language in ("kk", "ru"):  # the Russian tree holds aliases of the Kazakh pages
        client.cookies["django_language"] = language
        response = client.get(news.url)
        assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert client.get(sites.justice.url).status_code == 200  # the rest of the site is public


def test_kazakh_words_are_found_in_other_forms_on_postgresql(sites, client) -> None:
    from django.db import connection

    from egov.testing.services import require_postgres, unavailable
    from egov.websites import search_config

    require_postgres()
    if not search_config.install(connection):
        unavailable(
            "the Kazakh dictionary is not on this PostgreSQL: docs/deploy/postgresql-kazakh.sh"
        )
    news = NewsIndexPage.objects.child_of(sites.justice).get()
    _add(news, NewsPage(title="Қала тұрғындары үшін жаңа қызмет", slug="residents", lead="Жаңалық"))
    _add(news, NewsPage(title="Жаңа заң қабылданды", slug="law", lead="Жаңалық"))
    # The page says "тұрғындары" (its residents), the reader types "тұрғын" (resident).
    assert "Қала тұрғындары үшін" in client.get("/gov/search/", {"q": "тұрғын"}).content.decode()
    # The page says "заң" (law), the reader types "заңдар" (laws).
    assert "Жаңа заң қабылданды" in client.get("/gov/search/", {"q": "заңдар"}).content.decode()
