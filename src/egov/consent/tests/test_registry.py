"""Revision chains, expiry, the gateways' check and change feed, and the auditor's report."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from egov.bridge import snapshots
from egov.bridge.views.snapshots import issue_gateway_token
from egov.consent import audit_report, flow, revisions
from egov.consent.models import Consent, ConsentRevision
from egov.consent.tests.conftest import World
from egov.consent.tests.factories import call_record

pytestmark = pytest.mark.django_db


def _granted(world: World) -> Consent:
    consent_id = world.ask().json()["id"]
    world.decide("citizen", consent_id, "grant")
    return Consent.objects.get(public_id=consent_id)


def test_tampering_with_a_revision_is_found(world: World) -> None:
    consent = _granted(world)
    assert revisions.verify(consent).ok
    with pytest.raises(TypeError):
        consent.revisions.update(status="refused")
    first = consent.revisions.get(number=1)
    content = {**first.content, "purpose": "Something else"}
    with connection.cursor() as cursor:  # behind the application's back
        cursor.execute(
            "UPDATE consent_consentrevision SET content = %s WHERE id = %s",
            [snapshots.canonical(content).decode(), first.pk],
        )
    check = revisions.verify(consent)
    assert not check.ok
    assert check.problems == ["revision 1: content does not match its hash"]
    Consent.objects.filter(pk=consent.pk).update(status="requested")
    consent.refresh_from_db()
    assert any("last signed revision" in p for p in revisions.verify(consent).problems)


def test_expiry_is_recorded_as_a_revision(world: World) -> None:
    consent = _granted(world)
    assert flow.expire_due() == 0
    assert flow.expire_due(consent.valid_until + datetime.timedelta(seconds=1)) == 1
    consent.refresh_from_db()
    assert consent.status == "expired"
    assert consent.revisions.last().content["actor"] == "system"
    assert revisions.verify(consent).ok


def _gateway_client() -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_gateway_token('gw-test')[1]}")


def test_the_gateway_check_answers_granted_consents_only(world: World) -> None:
    gateway = _gateway_client()
    consumer, subject = world.bank.xroad_address, world.users["citizen"].personal_id
    url = "/api/consent/gateway/check"
    empty = gateway.get(url, {"consumer": consumer, "subject": subject}).json()
    assert empty["consents"] == [] and empty["cursor"] == 0
    pending = world.ask().json()["id"]
    assert gateway.get(url, {"consumer": consumer, "subject": subject}).json()["consents"] == []
    world.decide("citizen", pending)
    found = gateway.get(url, {"consumer": consumer, "subject": subject}).json()
    assert found["cursor"] == ConsentRevision.objects.latest("id").id
    assert found["consents"][0]["id"] == pending
    assert found["consents"][0]["services"] == [world.personal.xroad_address]
    other = gateway.get(url, {"consumer": consumer + "x", "subject": subject}).json()
    assert other["consents"] == []
    assert gateway.get(url, {"consumer": consumer}).status_code == 400
    assert Client().get(url, {"consumer": consumer, "subject": subject}).status_code == 401


def test_the_change_feed_names_changed_pairs_after_a_cursor(world: World) -> None:
    gateway = _gateway_client()
    url = "/api/consent/gateway/changes"
    start = gateway.get(url).json()
    assert start == {"cursor": 0, "changes": [], "more": False}
    consent = _granted(world)
    changed = gateway.get(url, {"after": 0}).json()
    pair = {"consumer": world.bank.xroad_address, "subject": consent.subject_id}
    newest = ConsentRevision.objects.latest("id").id
    assert changed["changes"] == [pair] and changed["cursor"] == newest
    assert gateway.get(url, {"after": newest, "wait": 0}).json()["changes"] == []
    for bad in ({"after": "x"}, {"after": -1}, {"after": 2**70}, {"wait": "soon", "after": 1}):
        response = gateway.get(url, bad)
        assert response.status_code == 400, bad
        assert response.json()["code"] == "invalid_cursor"


def test_the_gateway_endpoints_answer_503_when_the_database_fails(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from egov.consent import feed

    gateway = _gateway_client()

    def broken(*args: object) -> dict[str, object]:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(feed, "changes_after", broken)
    monkeypatch.setattr(feed, "consents_for", broken)
    for url, query in (
        ("/api/consent/gateway/changes", {"after": 0, "wait": 0}),
        ("/api/consent/gateway/check", {"consumer": world.bank.xroad_address, "subject": "1"}),
    ):
        response = gateway.get(url, query)
        assert response.status_code == 503, url
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "registry_unavailable"
        assert response["Retry-After"] == "5"


def test_the_snapshot_names_the_registry_not_the_consents(world: World) -> None:
    _granted(world)
    policy = snapshots.compile_policy()
    assert policy["consents"] == []
    assert policy["consent_registry"] == {
        "check": "/api/consent/gateway/check",
        "changes": "/api/consent/gateway/changes",
    }


def test_the_audit_report_finds_uncovered_accesses(world: World) -> None:
    consent = _granted(world)
    subject = consent.subject_id
    now = timezone.now()
    covered = call_record(subject, world.bank, world.personal, consent_id=consent.public_id)
    call_record(subject, world.bank, world.personal)  # without consent
    call_record(subject, world.bank, world.personal, status=403, error="no_consent")  # refused
    call_record(
        subject,
        world.bank,
        world.personal,
        consent_id=consent.public_id,
        at=consent.decided_at - datetime.timedelta(minutes=5),
    )
    call_record(
        world.users["neighbour"].personal_id,
        world.bank,
        world.personal,
        consent_id=consent.public_id,
    )
    flow.revoke(world.users["citizen"], consent)
    consent.refresh_from_db()
    call_record(
        subject,
        world.bank,
        world.personal,
        consent_id=consent.public_id,
        at=consent.ended_at + datetime.timedelta(seconds=5),
    )
    report = audit_report.build(
        now.date() - datetime.timedelta(days=1), now.date() + datetime.timedelta(days=1)
    )
    kinds = sorted(finding.kind for finding in report.findings)
    assert kinds == ["after_revocation", "outside_scope", "outside_validity", "without_consent"]
    assert report.accesses == 5
    assert covered.request_id not in {finding.request_id for finding in report.findings}
    assert report.consents_checked == 1 and report.broken_chains == []
    page = Client()
    page.force_login(world.users["auditor"])
    text = page.get("/consent/audit/").content.decode()
    assert "after_revocation" in text and "without_consent" in text
    citizen = Client()
    citizen.force_login(world.users["citizen"])
    assert citizen.get("/consent/audit/").status_code == 403
    api = world.api("auditor").get("/api/consent/audit/report").json()
    assert len(api["findings"]) == 4
