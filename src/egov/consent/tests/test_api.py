"""The consent flow through the API: ask, decide with a one-time code, revoke; bad input."""

from __future__ import annotations

import pytest

from egov.consent import revisions
from egov.consent.models import Consent, ConsentRevision, OneTimeCode
from egov.consent.tests.conftest import World
from egov.core.models import AuditRecord, Notification

pytestmark = pytest.mark.django_db


def test_a_request_is_stored_signed_and_shown_to_the_citizen(world: World) -> None:
    response = world.ask()
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "requested"
    assert body["id"].startswith("CNS-")
    assert [s["passport_id"] for s in body["services"]] == [world.personal.passport_id]
    consent = Consent.objects.get(public_id=body["id"])
    assert revisions.verify(consent).ok
    assert consent.revisions.get().content["status"] == "requested"
    assert Notification.objects.filter(user=world.users["citizen"]).exists()
    assert AuditRecord.objects.filter(object_type="consent.consent", action="create").exists()
    mine = world.api("citizen").get("/api/consent/my/consents").json()
    assert [item["id"] for item in mine["items"]] == [body["id"]]
    assert mine["items"][0]["allowed_actions"] == ["grant", "refuse"]


@pytest.mark.parametrize(
    ("changes", "status", "code", "field"),
    [
        ({"subject_id": "123456789012"}, 422, "invalid_subject", "subject_id"),
        ({"subject_id": "abc"}, 422, "invalid_subject", "subject_id"),
        ({"services": ["NOPE-S-0001"]}, 422, "unknown_service", "services"),
        ({"services": ["  "]}, 422, "no_services", "services"),
        ({"days": 0}, 422, "invalid_input", "body.payload.days"),
    ],
)
def test_bad_requests_say_what_is_wrong_and_write_nothing(
    world: World, changes: dict, status: int, code: str, field: str
) -> None:
    response = world.ask(**changes)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert response.json()["errors"][0]["field"] == field
    assert not Consent.objects.exists() and not ConsentRevision.objects.exists()


def test_a_non_personal_service_needs_no_consent(world: World) -> None:
    response = world.ask(services=[world.public.passport_id])
    assert response.status_code == 422
    assert response.json()["code"] == "service_not_personal"
    assert world.public.passport_id in response.json()["detail"]
    assert not Consent.objects.exists()


def test_overlapping_requests_are_refused(world: World) -> None:
    first = world.ask().json()
    second = world.ask(purpose="Another purpose for the same data.")
    assert second.status_code == 409
    assert second.json()["code"] == "overlapping_consent"
    assert second.json()["consent"] == first["id"]
    assert Consent.objects.count() == 1
    # Another subject is no overlap.
    assert world.ask(subject_id=world.users["neighbour"].personal_id).status_code == 201


def test_only_the_consumer_organization_may_ask(world: World) -> None:
    for who in ("outsider", "citizen"):
        assert world.ask(who).status_code == 403
    assert not Consent.objects.exists()
    unknown = world.ask(consumer_subsystem="nothing")
    assert unknown.status_code == 404 and unknown.json()["code"] == "system_not_found"


def test_grant_with_code_then_revoke(world: World) -> None:
    consent_id = world.ask().json()["id"]
    granted = world.decide("citizen", consent_id, "grant")
    assert granted.status_code == 200, granted.content
    assert granted.json()["status"] == "granted"
    assert granted.json()["allowed_actions"] == ["revoke"]
    polled = world.api("integrator").get(f"/api/consent/consents/{consent_id}").json()
    assert polled["status"] == "granted"
    assert polled["allowed_actions"] == []
    revoked = world.post(
        "citizen", f"/api/consent/my/consents/{consent_id}/revoke", {"reason": "Loan repaid"}
    )
    assert revoked.json()["status"] == "revoked"
    consent = Consent.objects.get(public_id=consent_id)
    check = revisions.verify(consent)
    assert check.ok and check.revisions == 3
    chain = world.api("integrator").get(f"/api/consent/consents/{consent_id}/revisions").json()
    assert [r["status"] for r in chain] == ["requested", "granted", "revoked"]
    assert chain[2]["content"]["reason"] == "Loan repaid"
    assert chain[1]["prev_hash"] == chain[0]["hash"]
    again = world.post("citizen", f"/api/consent/my/consents/{consent_id}/revoke", {})
    assert again.status_code == 409 and again.json()["code"] == "action_not_allowed"


def test_a_second_decision_is_refused(world: World) -> None:
    consent_id = world.ask().json()["id"]
    assert world.decide("citizen", consent_id, "refuse").json()["status"] == "refused"
    code = world.api("citizen").post(f"/api/consent/my/consents/{consent_id}/code")
    assert code.status_code == 409 and code.json()["code"] == "already_decided"
    second = world.post(
        "citizen",
        f"/api/consent/my/consents/{consent_id}/decision",
        {"action": "grant", "code": "000000"},
    )
    assert second.status_code == 409
    assert second.json()["code"] == "already_decided"
    assert second.json()["allowed"] == []
    assert Consent.objects.get(public_id=consent_id).revisions.count() == 2


def test_a_wrong_code_decides_nothing_and_counts(world: World) -> None:
    consent_id = world.ask().json()["id"]
    right = world.code_for("citizen", consent_id)
    wrong = "000000" if right != "000000" else "111111"
    response = world.post(
        "citizen",
        f"/api/consent/my/consents/{consent_id}/decision",
        {"action": "grant", "code": wrong},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_code"
    assert response.json()["errors"][0]["field"] == "code"
    assert Consent.objects.get(public_id=consent_id).status == "requested"
    assert OneTimeCode.objects.get().attempts == 1
    bad_action = world.post(
        "citizen",
        f"/api/consent/my/consents/{consent_id}/decision",
        {"action": "maybe", "code": right},
    )
    assert bad_action.status_code == 422 and bad_action.json()["code"] == "invalid_action"
    # The right code still works once, and only once.
    ok = world.post(
        "citizen",
        f"/api/consent/my/consents/{consent_id}/decision",
        {"action": "grant", "code": right},
    )
    assert ok.status_code == 200


def test_citizens_reach_only_their_own_consents(world: World) -> None:
    consent_id = world.ask().json()["id"]
    neighbour = world.api("neighbour")
    assert neighbour.get("/api/consent/my/consents").json()["items"] == []
    for method, url in [
        ("get", f"/api/consent/consents/{consent_id}"),
        ("get", f"/api/consent/consents/{consent_id}/revisions"),
        ("post", f"/api/consent/my/consents/{consent_id}/code"),
        ("post", f"/api/consent/my/consents/{consent_id}/revoke"),
    ]:
        extra = {"content_type": "application/json", "data": "{}"} if method == "post" else {}
        response = getattr(neighbour, method)(url, **extra)
        assert response.status_code == 404, (url, response.content)
        assert response.json()["code"] in ("consent_not_found", "not_found")
    decision = world.post(
        "neighbour",
        f"/api/consent/my/consents/{consent_id}/decision",
        {"action": "grant", "code": "123456"},
    )
    assert decision.status_code == 404
    # Another bank's integrator sees nothing either.
    assert world.api("outsider").get(f"/api/consent/consents/{consent_id}").status_code == 404
    assert world.api("outsider").get("/api/consent/consents").json()["items"] == []
    # Staff without an identifier have no cabinet.
    assert world.api("integrator").get("/api/consent/my/consents").status_code == 403
    assert world.api("operator").get("/api/consent/my/accesses").status_code == 403


def test_the_cabinet_api_needs_the_code_in_a_browser_session(world: World, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["citizen"])
    response = client.get("/api/consent/my/consents")
    assert response.status_code == 403
    assert response.json()["code"] == "cabinet_code_required"
    assert client.get("/api/consent/my/accesses").status_code == 403


def test_anonymous_callers_get_401(world: World, client) -> None:  # type: ignore[no-untyped-def]
    for url in ("/api/consent/consents", "/api/consent/my/consents", "/api/consent/audit/report"):
        assert client.get(url).status_code == 401
    assert client.get("/api/consent/keys").status_code == 200


def test_auditor_verifies_chains_and_nobody_else_may(world: World) -> None:
    consent_id = world.ask().json()["id"]
    world.decide("citizen", consent_id)
    url = f"/api/consent/audit/consents/{consent_id}/verify"
    for who in ("citizen", "integrator", "outsider"):
        assert world.api(who).get(url).status_code == 403
        assert world.api(who).get("/api/consent/audit/report").status_code == 403
    body = world.api("auditor").get(url).json()
    assert body == {"consent": consent_id, "revisions": 2, "ok": True, "problems": []}
    assert world.api("operator").get(url).status_code == 200
    keys = world.api("auditor").get("/api/consent/keys").json()["keys"]
    assert {key["kid"] for key in keys} == set(
        ConsentRevision.objects.values_list("kid", flat=True)
    )
