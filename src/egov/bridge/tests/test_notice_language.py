"""People are told in their own language, whatever language the person acting uses."""

from __future__ import annotations

import json

import pytest
from django.utils import translation
from django.utils.translation import gettext

from egov.bridge import workflow
from egov.core.models import Notification

pytestmark = pytest.mark.django_db


def _request(world):  # type: ignore[no-untyped-def]
    return workflow.file_request(
        world.users["integrator"],
        world.consumer_system,
        world.version,
        workflow.RequestInput(
            [{"method": "GET", "path": "/entities/{bin}"}],
            "Checking partners.",
            "Civil Code",
            10,
            [],
            "ops@cons.example",
        ),
    )


def _in(language: str, message: str, **values: object) -> str:
    with translation.override(language):
        return gettext(message) % {k: gettext(str(v)) for k, v in values.items()}


def test_an_approver_acting_in_russian_tells_a_kazakh_reader_in_kazakh(world) -> None:  # type: ignore[no-untyped-def]
    integrator = world.users["integrator"]
    integrator.preferred_language = "kk"
    integrator.save()
    access = _request(world)
    approve = world.client("approver").post(
        f"/api/bridge/requests/{access.pk}/decision",
        json.dumps({"action": "approve"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert approve.status_code == 200, approve.content
    access.refresh_from_db()
    suspend = world.client("approver").post(
        f"/api/bridge/grants/{access.grant.pk}/status",
        json.dumps({"action": "suspend", "reason": "Audit"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert suspend.status_code == 200, suspend.content
    assert suspend["Content-Language"] == "ru"  # the approver works in Russian
    notices = list(Notification.objects.filter(user=integrator).values_list("subject", flat=True))
    expected_decision = _in(
        "kk", "Access request #%(id)s: %(status)s", id=access.pk, status="Approved"
    )
    expected_grant = _in(
        "kk", "Grant for %(service)s: %(status)s", service=world.version, status="Suspended"
    )
    assert expected_decision in notices
    assert expected_grant in notices
    assert expected_grant != _in(
        "ru", "Grant for %(service)s: %(status)s", service=world.version, status="Suspended"
    )


def test_without_a_preference_the_country_default_language_is_used(world, settings) -> None:  # type: ignore[no-untyped-def]
    approver = world.users["approver"]
    assert approver.preferred_language == ""
    with translation.override("ru"):
        access = _request(world)
    [notice] = Notification.objects.filter(user=approver)
    assert notice.subject == _in(settings.LANGUAGE_CODE, "New access request #%(id)s", id=access.pk)
