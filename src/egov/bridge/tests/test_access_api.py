"""The access workflow through the API: file, decide, grant; sides, roles and conflicts."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from egov.bridge.models import AccessRequest, Grant
from egov.core.models import AuditRecord, Notification

pytestmark = pytest.mark.django_db


def _post(client, url: str, body: dict) -> object:  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body), content_type="application/json")


def _file(world, who: str = "integrator", **changes: object):  # type: ignore[no-untyped-def]
    body = {
        "consumer_organization": "CONS",
        "consumer_subsystem": "crm",
        "service": world.version.service.passport_id,
        "version": "v1",
        "endpoints": [
            {"method": "get", "path": "/entities/{bin}/"},
            {"method": "GET", "path": "/entities"},
        ],
        "purpose": "Check a company before signing a contract.",
        "legal_basis": "Civil Code, art. 7",
        "expected_calls_per_day": 100,
        "ip_ranges": ["10.1.0.0/16", "192.0.2.7"],
        "technical_contact": "ops@cons.example",
        **changes,
    }
    return _post(world.client(who), "/api/bridge/requests", body)


def test_filing_normalises_and_notifies_the_provider(world) -> None:  # type: ignore[no-untyped-def]
    response = _file(world)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted"
    assert body["endpoints"] == [
        {"method": "GET", "path": "/entities"},
        {"method": "GET", "path": "/entities/{bin}"},
    ]
    assert body["ip_ranges"] == ["10.1.0.0/16", "192.0.2.7/32"]
    assert body["allowed_actions"] == ["approve", "reject", "request_changes", "withdraw"]
    assert Notification.objects.filter(user=world.users["approver"]).exists()
    assert AuditRecord.objects.filter(object_type="bridge.accessrequest", action="create").exists()


def test_unknown_endpoint_and_bad_ranges_say_which_field(world) -> None:  # type: ignore[no-untyped-def]
    response = _file(world, endpoints=[{"method": "DELETE", "path": "/entities"}])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "endpoints"
    response = _file(world, ip_ranges=["10.0.0.0/33"])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "ip_ranges"
    response = _file(world, technical_contact="not-an-address")
    assert response.json()["errors"][0]["field"] == "technical_contact"


def test_only_the_consumer_side_files(world) -> None:  # type: ignore[no-untyped-def]
    assert _file(world, who="approver").status_code == 403
    assert _file(world, who="outsider_integrator").status_code == 403
    assert AccessRequest.objects.count() == 0


def test_approval_creates_a_grant_and_impossible_moves_answer_409(world) -> None:  # type: ignore[no-untyped-def]
    pk = _file(world).json()["id"]
    url = f"/api/bridge/requests/{pk}/decision"
    # The consumer cannot approve its own request.
    assert _post(world.client("integrator"), url, {"action": "approve"}).status_code == 403
    # Another organization's approver does not even see it.
    assert _post(world.client("outsider"), url, {"action": "approve"}).status_code == 404
    narrowed = {
        "action": "approve",
        "endpoints": [{"method": "GET", "path": "/entities/{bin}"}],
        "quota_per_day": 50,
    }
    response = _post(world.client("approver"), url, narrowed)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    grant = Grant.objects.get(request_id=pk)
    assert grant.endpoints == [{"method": "GET", "path": "/entities/{bin}"}]
    assert grant.quota_per_day == 50
    assert grant.ip_ranges == ["10.1.0.0/16", "192.0.2.7/32"]
    again = _post(world.client("approver"), url, {"action": "reject", "reason": "late"})
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    assert again.json()["allowed"] == []


def test_approval_cannot_widen_the_request(world) -> None:  # type: ignore[no-untyped-def]
    pk = _file(world, endpoints=[{"method": "GET", "path": "/entities"}]).json()["id"]
    wider = {"action": "approve", "endpoints": [{"method": "POST", "path": "/entities"}]}
    response = _post(world.client("approver"), f"/api/bridge/requests/{pk}/decision", wider)
    assert response.status_code == 422
    assert AccessRequest.objects.get(pk=pk).status == "submitted"


def test_rejection_needs_a_reason_and_reaches_the_consumer(  # type: ignore[no-untyped-def]
    world, django_capture_on_commit_callbacks
) -> None:
    pk = _file(world).json()["id"]
    url = f"/api/bridge/requests/{pk}/decision"
    assert _post(world.client("approver"), url, {"action": "reject"}).status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(world.client("approver"), url, {"action": "reject", "reason": "No basis."})
    assert response.json()["status"] == "rejected"
    assert response.json()["comments"][0]["body"] == "No basis."
    assert Notification.objects.filter(user=world.users["integrator"]).exists()
    assert any(world.users["integrator"].email in m.to for m in mail.outbox)


def test_changes_requested_then_resubmitted(world) -> None:  # type: ignore[no-untyped-def]
    pk = _file(world).json()["id"]
    url = f"/api/bridge/requests/{pk}/decision"
    _post(world.client("approver"), url, {"action": "request_changes", "reason": "Narrow IPs."})
    response = _post(world.client("integrator"), url, {"action": "resubmit"})
    assert response.json()["status"] == "submitted"
    comment = _post(
        world.client("integrator"),
        f"/api/bridge/requests/{pk}/comments",
        {"body": "Narrowed to one host."},
    )
    assert comment.status_code == 201
    assert [c["body"] for c in comment.json()["comments"]] == [
        "Narrow IPs.",
        "Narrowed to one host.",
    ]


def test_requests_of_others_do_not_leak(world) -> None:  # type: ignore[no-untyped-def]
    pk = _file(world).json()["id"]
    assert world.client("outsider").get(f"/api/bridge/requests/{pk}").status_code == 404
    assert world.client("citizen").get("/api/bridge/requests").json()["count"] == 0
    assert world.client("approver").get("/api/bridge/requests").json()["count"] == 1
    assert world.client("operator").get("/api/bridge/requests").json()["count"] == 1


def test_grants_can_be_suspended_and_revoked_by_the_provider(world) -> None:  # type: ignore[no-untyped-def]
    pk = _file(world).json()["id"]
    _post(world.client("approver"), f"/api/bridge/requests/{pk}/decision", {"action": "approve"})
    grant = Grant.objects.get(request_id=pk)
    url = f"/api/bridge/grants/{grant.pk}/status"
    assert _post(world.client("integrator"), url, {"action": "suspend"}).status_code == 403
    assert (
        _post(world.client("approver"), url, {"action": "suspend"}).json()["status"] == "suspended"
    )
    assert _post(world.client("approver"), url, {"action": "resume"}).json()["status"] == "active"
    assert _post(world.client("approver"), url, {"action": "revoke"}).json()["status"] == "revoked"
    assert _post(world.client("approver"), url, {"action": "resume"}).status_code == 409


def test_unauthenticated_calls_are_refused(client, world) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/bridge/requests")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
