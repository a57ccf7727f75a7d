"""The citizen's cabinet pages: unlocking with a code, deciding, revoking, the data tracker and
its exports. Every page is refused to everyone but the citizen it belongs to."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.consent.models import CitizenSettings, Consent
from egov.consent.tests.conftest import World
from egov.consent.tests.factories import call_record
from egov.testing.auth import log_in

pytestmark = pytest.mark.django_db

PAGES = [
    "/consent/",
    "/consent/tracker/",
    "/consent/tracker.csv",
    "/consent/tracker.pdf",
    "/consent/settings/",
]


def unlocked(world: World, who: str = "citizen") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users[who])
    assert client.post("/consent/unlock/", {"send": "1"}).status_code == 200
    response = client.post(
        "/consent/unlock/", {"token": world.channel.last_code(), "next": "/consent/"}
    )
    assert response.status_code == 302 and response["Location"] == "/consent/"
    return client


def test_every_page_needs_a_logged_in_citizen_with_a_code(world: World) -> None:
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    for url in [*PAGES, "/consent/unlock/"]:
        assert anonymous.get(url).status_code == 302, url
        assert "/account/login/" in anonymous.get(url)["Location"]
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    TOTPDevice.objects.create(user=world.users["integrator"], name="app", confirmed=True)
    log_in(staff, "integrator", "a-long-test-password")
    for url in [*PAGES, "/consent/unlock/"]:
        assert staff.get(url).status_code == 403, url
    citizen = Client(HTTP_ACCEPT_LANGUAGE="en")
    citizen.force_login(world.users["citizen"])
    for url in PAGES:
        response = citizen.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/consent/unlock/")


def test_a_wrong_code_keeps_the_cabinet_closed(world: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users["citizen"])
    client.post("/consent/unlock/", {"send": "1"})
    code = world.channel.last_code()
    response = client.post(
        "/consent/unlock/", {"token": "000000" if code != "000000" else "111111"}
    )
    assert response.status_code == 200
    assert "not valid" in response.content.decode()
    assert client.get("/consent/").status_code == 302


def test_pending_request_granted_with_a_code_then_revoked(world: World) -> None:
    consent_id = world.ask().json()["id"]
    client = unlocked(world)
    page = client.get("/consent/").content.decode()
    assert consent_id in page and "Requests awaiting my decision" in page
    detail = f"/consent/consents/{consent_id}/"
    text = client.get(detail).content.decode()
    assert "Check the borrower" in text and "Law on Personal Data" in text
    client.post(detail, {"action": "send_code"})
    granted = client.post(detail, {"action": "grant", "token": world.channel.last_code()})
    assert granted.status_code == 302
    assert Consent.objects.get(public_id=consent_id).status == "granted"
    revoked = client.post(detail, {"action": "revoke", "reason": "changed my mind"})
    assert revoked.status_code == 302
    assert Consent.objects.get(public_id=consent_id).status == "revoked"
    again = client.post(detail, {"action": "revoke"})
    assert again.status_code == 200 and "cannot be done" in again.content.decode()


def test_a_wrong_decision_code_says_so_on_the_field(world: World) -> None:
    consent_id = world.ask().json()["id"]
    client = unlocked(world)
    detail = f"/consent/consents/{consent_id}/"
    client.post(detail, {"action": "send_code"})
    code = world.channel.last_code()
    response = client.post(
        detail, {"action": "grant", "token": "000000" if code != "000000" else "111111"}
    )
    assert response.status_code == 200
    assert 'id="id_token_error"' in response.content.decode()
    assert Consent.objects.get(public_id=consent_id).status == "requested"


def test_someone_elses_consent_is_not_found(world: World) -> None:
    consent_id = world.ask().json()["id"]
    neighbour = unlocked(world, "neighbour")
    assert neighbour.get(f"/consent/consents/{consent_id}/").status_code == 404
    assert (
        neighbour.post(f"/consent/consents/{consent_id}/", {"action": "revoke"}).status_code == 404
    )
    assert consent_id not in neighbour.get("/consent/").content.decode()


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_tracker_lists_only_my_accesses_and_filters_them(world: World) -> None:
    mine, theirs = world.users["citizen"].personal_id, world.users["neighbour"].personal_id
    for _ in range(30):
        call_record(mine, world.bank, world.personal)
    call_record(mine, world.bank, world.personal, status=403, error="no_consent")
    call_record(theirs, world.bank, world.personal)
    client = unlocked(world)
    page = client.get("/consent/tracker/")
    text = page.content.decode()
    assert "Accesses found: 31" in text
    assert text.count("<tr><td>") == 25  # one page
    assert "1 / 2" in text
    refused = client.get("/consent/tracker/", {"outcome": "refused"}).content.decode()
    assert "Accesses found: 1" in refused and "Refused by the gateway" in refused
    rows = _rows(b"".join(client.get("/consent/tracker.csv").streaming_content))
    assert rows[0][0] == "Date and time"
    assert len(rows) == 32
    assert all(row[2] == world.bank.xroad_address for row in rows[1:])
    only_refused = _rows(
        b"".join(client.get("/consent/tracker.csv", {"outcome": "refused"}).streaming_content)
    )
    assert len(only_refused) == 2
    neighbour_rows = _rows(
        b"".join(unlocked(world, "neighbour").get("/consent/tracker.csv").streaming_content)
    )
    assert len(neighbour_rows) == 2


def test_the_tracker_pdf_holds_cyrillic_names(world: World) -> None:
    world.bank.organization.name_en = "Банк Демо"
    world.bank.organization.save()
    call_record(world.users["citizen"].personal_id, world.bank, world.personal)
    response = unlocked(world).get("/consent/tracker.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    from fpdf import FPDF  # noqa: F401  (the document embeds a Unicode font subset)

    assert b"/FontFile2" in response.content


def test_invalid_filters_are_ignored_not_a_500(world: World) -> None:
    client = unlocked(world)
    response = client.get("/consent/tracker/", {"since": "not-a-date", "page": "x"})
    assert response.status_code == 200


def test_notification_choice_and_phone(world: World) -> None:
    client = unlocked(world)
    bad = client.post("/consent/settings/", {"phone": "12", "notify_new_accesses": "on"})
    assert bad.status_code == 200 and "international form" in bad.content.decode()
    ok = client.post("/consent/settings/", {"phone": "+77011234567", "notify_new_accesses": "on"})
    assert ok.status_code == 302
    saved = CitizenSettings.objects.get(user=world.users["citizen"])
    assert saved.notify_new_accesses and saved.phone == "+77011234567"


def test_opted_in_citizens_hear_of_new_accesses(world: World) -> None:
    from egov.consent import tracker
    from egov.core.models import Notification

    citizen: Any = world.users["citizen"]
    CitizenSettings.objects.create(user=citizen, notify_new_accesses=True)
    CitizenSettings.objects.create(user=world.users["neighbour"], notify_new_accesses=False)
    call_record(citizen.personal_id, world.bank, world.personal)
    call_record(world.users["neighbour"].personal_id, world.bank, world.personal)
    assert tracker.notify_new_accesses() == 1
    # Written in the citizen's own language, whatever the worker's.
    assert Notification.objects.filter(user=citizen, url="/consent/tracker/").count() == 1
    assert tracker.notify_new_accesses() == 0  # nothing new since
    assert not Notification.objects.filter(user=world.users["neighbour"]).exists()
