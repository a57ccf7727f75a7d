"""Log-in through a national identity provider, over the real OpenID Connect protocol."""

from __future__ import annotations

import datetime
from urllib.parse import urlparse

import pytest
import requests
from django.test import override_settings

from egov.core.models import AuditRecord, User
from egov.core.tests.factories import UserFactory
from egov.testing.identifiers import make_iin
from egov.testing.oidc_provider import LocalIdentityProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():  # type: ignore[no-untyped-def]
    running = LocalIdentityProvider("egov-test", "test-client-secret")
    with running, override_settings(**running.settings()):
        yield running


def _log_in(client, provider) -> object:  # type: ignore[no-untyped-def]
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302
    assert start["Location"].startswith(provider.issuer + "/authorize")
    redirect = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert redirect.status_code == 302
    callback = urlparse(redirect.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def test_a_first_log_in_creates_a_citizen(client, provider) -> None:  # type: ignore[no-untyped-def]
    iin = make_iin(datetime.date(1990, 4, 12), "female")
    provider.subject = {"sub": "abc", "personal_id": iin, "given_name": "Aigerim"}
    response = _log_in(client, provider)
    assert response.status_code == 302
    assert not response["Location"].startswith("/account/login")
    user = User.objects.get(personal_id=iin)
    assert user.first_name == "Aigerim"
    assert not user.has_usable_password()
    assert user.roles() == {"citizen"}
    assert int(client.session["_auth_user_id"]) == user.pk
    assert AuditRecord.objects.filter(action="login", actor_id=user.pk).exists()


def test_an_existing_person_is_matched_by_identifier(client, provider) -> None:  # type: ignore[no-untyped-def]
    iin = make_iin(datetime.date(1985, 1, 30), "male")
    existing = UserFactory(personal_id=iin)
    provider.subject = {"sub": "xyz", "personal_id": iin}
    _log_in(client, provider)
    assert int(client.session["_auth_user_id"]) == existing.pk
    assert User.objects.filter(personal_id=iin).count() == 1


def test_an_invalid_identifier_is_refused(client, provider) -> None:  # type: ignore[no-untyped-def]
    provider.subject = {"sub": "bad", "personal_id": "123"}
    response = _log_in(client, provider)
    assert response["Location"].startswith("/account/login")
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(username="id123").exists()
