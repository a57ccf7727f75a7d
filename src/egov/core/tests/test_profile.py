"""My profile: any logged-in user picks the language of their notifications; the change is
audited, bad input is refused with a localised message next to the field."""

from __future__ import annotations

import pytest
from django.test import Client

from egov.core.models import AuditRecord, User
from egov.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def logged_in(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_the_account_menu_links_to_the_profile() -> None:
    page = logged_in(UserFactory()).get("/account/notifications/").content.decode()
    assert 'href="/account/profile/"' in page and "My profile" in page


def test_anonymous_visitors_are_sent_to_log_in() -> None:
    response = Client().get("/account/profile/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_choosing_a_language_saves_and_audits_it() -> None:
    user = UserFactory()
    client = logged_in(user)
    page = client.get("/account/profile/").content.decode()
    assert 'name="preferred_language"' in page and 'value="ru"' in page
    response = client.post("/account/profile/", {"preferred_language": "ru"})
    assert response.status_code == 302 and response["Location"] == "/account/profile/"
    user.refresh_from_db()
    assert user.preferred_language == "ru"
    change = AuditRecord.objects.filter(action="update", object_id=str(user.pk)).last()
    assert change is not None
    assert (change.before, change.after) == (
        {"preferred_language": ""},
        {"preferred_language": "ru"},
    )
    assert change.actor_id == user.pk
    assert "Your profile is saved." in client.get("/account/profile/").content.decode()

    client.post("/account/profile/", {"preferred_language": ""})  # back to the default
    user.refresh_from_db()
    assert user.preferred_language == ""


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Choose one of the languages in the list."), ("ru", 'lang="ru"')],
)
def test_an_unknown_language_is_refused_next_to_the_field(language: str, message: str) -> None:
    user = UserFactory(preferred_language="kk")
    client = logged_in(user, language)
    before = AuditRecord.objects.count()
    response = client.post("/account/profile/", {"preferred_language": "xx"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "has-error" in page and 'id="id_preferred_language_error"' in page
    assert message in page
    user.refresh_from_db()
    assert user.preferred_language == "kk"
    assert AuditRecord.objects.count() == before
