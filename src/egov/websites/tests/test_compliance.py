"""The compliance monitor's rules, against the country's working-day calendar."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import timezone
from wagtail.models import Page

from egov.websites import compliance, skeleton, translations
from egov.websites.choices import Rating, TranslationState
from egov.websites.models import ChangeRequest, ContentPage, LegalActPage, NewsIndexPage, NewsPage

pytestmark = pytest.mark.django_db


def _news_on(index: Page, day: datetime.date, slug: str) -> None:
    news = NewsPage(title=slug, slug=slug)
    index.add_child(instance=news)
    skeleton.publish(news)
    moment = datetime.datetime.combine(day, datetime.time(11), timezone.get_current_timezone())
    NewsPage.objects.filter(pk=news.pk).update(first_published_at=moment)


def test_news_must_appear_every_working_day(sites) -> None:
    calendar = settings.COUNTRY.calendar()
    today = datetime.date(2026, 3, 25)  # a Wednesday; 21–23 March is Nauryz
    index = NewsIndexPage.objects.child_of(sites.justice).get()
    days = []
    day = today
    while len(days) < compliance.NEWS_WINDOW_WORKING_DAYS:
        day = calendar.add_working_days(day, -1)
        days.append(day)
    assert datetime.date(2026, 3, 23) not in days  # a holiday is not a day without news
    for number, day in enumerate(days):
        _news_on(index, day, f"n{number}")
    assert compliance.news_every_working_day(sites.justice, today).rating == Rating.GREEN
    NewsPage.objects.filter(slug="n0").delete()
    check = compliance.news_every_working_day(sites.justice, today)
    assert check.rating == Rating.AMBER and days[0].strftime("%d") in check.detail
    NewsPage.objects.filter(slug="n1").delete()
    assert compliance.news_every_working_day(sites.justice, today).rating == Rating.RED


def test_change_requests_are_due_in_working_days(sites) -> None:
    contacts = sites.justice.get_children().get(slug="contacts")
    friday = datetime.date(2026, 3, 13)
    request = ChangeRequest.objects.create(
        organization=sites.justice.organization,
        page=contacts,
        summary="New phone",
        received_on=friday,
    )
    assert request.due_on == datetime.date(2026, 3, 18)  # three working days, weekend skipped
    assert (
        compliance.change_requests(sites.justice, datetime.date(2026, 3, 18)).rating == Rating.GREEN
    )
    late = compliance.change_requests(sites.justice, datetime.date(2026, 3, 19))
    assert late.rating == Rating.RED and late.items
    # Publishing the section settles the request.
    ChangeRequest.objects.filter(pk=request.pk).update(received_on=timezone.localdate())
    skeleton.publish(contacts.specific)
    request.refresh_from_db()
    assert request.resolved_at is not None


def test_sections_documents_and_depth(sites) -> None:
    report = compliance.report(sites.justice)
    assert report.check("sections").rating == Rating.GREEN
    assert report.check("clicks").rating == Rating.GREEN
    faq = sites.justice.get_children().get(slug="faq").specific
    faq.unpublish()
    assert compliance.required_sections(sites.justice).rating == Rating.RED
    documents = sites.justice.get_children().get(slug="documents")
    act = LegalActPage(title="Есеп", slug="report", doc_type="report")
    documents.add_child(instance=act)
    skeleton.publish(act)
    check = compliance.document_requisites(sites.justice)
    assert check.rating == Rating.AMBER and "Есеп" in check.items[0][0]
    about = sites.justice.get_children().get(slug="about")
    parent = about
    for level in range(3):
        page = ContentPage(title=f"Level {level}", slug=f"level-{level}")
        parent.add_child(instance=page)
        skeleton.publish(page)
        parent = page
    assert compliance.three_clicks(sites.justice).rating == Rating.RED


def test_translation_matrix_tells_missing_outdated_and_current(sites) -> None:
    from wagtail.actions.convert_alias import ConvertAliasPageAction
    from wagtail.models import Locale

    matrix = translations.matrix(sites.justice)
    assert matrix.languages == ["kk", "ru", "en"]
    assert matrix.missing == len(matrix.rows) * 2  # only stand-ins so far
    about = sites.justice.get_children().get(slug="about").specific
    russian = about.get_translation(Locale.objects.get(language_code="ru"))
    ConvertAliasPageAction(russian).execute(skip_permission_checks=True)
    skeleton.publish(Page.objects.get(pk=russian.pk).specific)
    row = next(row for row in translations.matrix(sites.justice).rows if row.source.pk == about.pk)
    assert [cell.state for cell in row.cells] == [
        TranslationState.SOURCE,
        TranslationState.CURRENT,
        TranslationState.MISSING,
    ]
    skeleton.publish(about)  # the original changes after the translation
    row = next(row for row in translations.matrix(sites.justice).rows if row.source.pk == about.pk)
    assert row.cells[1].state == TranslationState.OUTDATED
    assert compliance.translation_status(sites.justice).rating == Rating.RED


def test_the_demo_is_idempotent_and_varied(portal, client) -> None:
    from egov.websites import demo
    from egov.websites.models import AgencySite

    count = Page.objects.count()
    lines = demo.load()
    assert Page.objects.count() == count
    assert any("/gov/minjust/" in line for line in lines)
    assert AgencySite.objects.filter(locale__language_code="kk").count() == 6
    ratings = {report.organization.code: report.rating for report in compliance.reports()}
    assert ratings["MDDIAI"] == Rating.RED  # a change request is late
    news = client.get("/gov/minjust/news/").content.decode()
    assert "Нотариустың онлайн кеңесі" in news
    client.cookies["django_language"] = "en"
    assert "Online consultations with a notary" in client.get("/gov/minjust/news/").content.decode()
    assert "MINJUST-A-0001" in client.get("/gov/minjust/appeals/").content.decode()
