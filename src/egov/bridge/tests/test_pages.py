"""Smart Bridge pages, driven like a person would: forms, decisions, secrets shown once."""

from __future__ import annotations

import pytest
from django.test import Client

from egov.bridge.models import AccessRequest, ApiKey, Grant, Service
from egov.testing.auth import log_in

pytestmark = pytest.mark.django_db


def _client(world, who: str) -> Client:  # type: ignore[no-untyped-def]
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    TOTPDevice.objects.get_or_create(user=world.users[who], name="t", defaults={"confirmed": True})
    log_in(client, who, "a-long-test-password")
    return client


def test_catalog_and_passport_are_public_and_hide_the_upstream(client, world) -> None:  # type: ignore[no-untyped-def]
    passport = world.version.service.passport_id
    listing = client.get("/bridge/", {"q": "Service"}).content.decode()
    assert passport in listing
    page = client.get(f"/bridge/services/{passport}/").content.decode()
    assert "/entities/{bin}" in page
    assert "Parameters" in page or "Параметр" in page
    assert world.version.service.upstream_url not in page
    assert client.get("/bridge/services/NOPE-S-0001/").status_code == 404


def test_an_integrator_files_a_request_through_the_form(world) -> None:  # type: ignore[no-untyped-def]
    client = _client(world, "integrator")
    passport = world.version.service.passport_id
    url = f"/bridge/services/{passport}/v1/request/"
    form = client.get(url)
    assert form.status_code == 200
    invalid = client.post(url, {"consumer": world.consumer_system.pk, "purpose": "short"})
    assert invalid.status_code == 200
    errors = invalid.context["form"].errors
    assert {"endpoints", "purpose", "legal_basis", "technical_contact"} <= set(errors)
    response = client.post(
        url,
        {
            "consumer": world.consumer_system.pk,
            "endpoints": ["GET /entities/{bin}"],
            "purpose": "Check counterparties before contracts.",
            "legal_basis": "Civil Code",
            "expected_calls_per_day": 20,
            "ip_ranges": "10.0.0.0/8\n192.0.2.1",
            "technical_contact": "ops@cons.example",
        },
    )
    assert response.status_code == 302
    request = AccessRequest.objects.get()
    assert response["Location"] == f"/bridge/requests/{request.pk}/"
    assert request.ip_ranges == ["10.0.0.0/8", "192.0.2.1/32"]


def test_an_approver_decides_on_the_request_page(world) -> None:  # type: ignore[no-untyped-def]
    from egov.bridge import workflow

    request = workflow.file_request(
        world.users["integrator"],
        world.consumer_system,
        world.version,
        workflow.RequestInput(
            [{"method": "GET", "path": "/entities/{bin}"}, {"method": "GET", "path": "/entities"}],
            "Checking partners.",
            "Civil Code",
            10,
            [],
            "ops@cons.example",
        ),
    )
    client = _client(world, "approver")
    page = client.get(f"/bridge/requests/{request.pk}/")
    assert [value for value, _label in page.context["decision"].fields["action"].choices] == [
        "approve",
        "reject",
        "request_changes",
    ]
    missing_reason = client.post(
        f"/bridge/requests/{request.pk}/", {"decide": "1", "action": "reject"}
    )
    assert "reason" in missing_reason.context["decision"].errors
    approved = client.post(
        f"/bridge/requests/{request.pk}/",
        {
            "decide": "1",
            "action": "approve",
            "endpoints": ["GET /entities"],
            "valid_until": "2030-01-31",
        },
    )
    assert approved.status_code == 302
    grant = Grant.objects.get(request=request)
    assert grant.endpoints == [{"method": "GET", "path": "/entities"}]
    assert grant.valid_until.date().isoformat() == "2030-01-31"
    grants_page = client.get("/bridge/grants/").content.decode()
    assert "Suspend" in grants_page
    client.post("/bridge/grants/", {"grant": grant.pk, "action": "suspend"})
    grant.refresh_from_db()
    assert grant.status == "suspended"


def test_a_new_key_is_shown_once(world) -> None:  # type: ignore[no-untyped-def]
    client = _client(world, "integrator")
    url = "/bridge/systems/CONS/crm/credentials/"
    issued = client.post(url, {"op": "key", "name": "production"})
    secret = issued.context["issued"].secret
    assert secret in issued.content.decode()
    assert issued["Cache-Control"] == "no-store"
    again = client.get(url).content.decode()
    assert secret not in again
    assert ApiKey.objects.get().prefix in again
    assert _client(world, "approver").get(url).status_code == 404


def test_people_without_a_role_see_no_requests(world) -> None:  # type: ignore[no-untyped-def]
    client = _client(world, "citizen")
    page = client.get("/bridge/requests/")
    assert page.status_code == 200
    assert list(page.context["inbox"]) == []


def test_notifications_are_listed_and_marked_read(world) -> None:  # type: ignore[no-untyped-def]
    from egov.core.notify import notify

    notify([world.users["integrator"]], "Your request was approved", url="/bridge/requests/")
    client = _client(world, "integrator")
    assert "(1)" in client.get("/bridge/").content.decode()
    page = client.get("/account/notifications/").content.decode()
    assert "Your request was approved" in page
    assert "(1)" not in client.get("/bridge/").content.decode()


def test_a_service_owner_registers_and_publishes_through_pages(world) -> None:  # type: ignore[no-untyped-def]
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from egov.bridge.tests.factories import openapi_document

    client = _client(world, "owner")
    created = client.post(
        "/bridge/manage/new/",
        {
            "provider": world.provider_system.pk,
            "code": "extracts",
            "name_kk": "Үзінділер",
            "category": "registries",
            "classification": "personal",
            "upstream_url": "http://127.0.0.1:9/extracts",
            "timeout_ms": 5000,
            "sla_availability": "99.9",
            "sla_response_ms": 800,
        },
    )
    assert created.status_code == 302, created.context["form"].errors
    url = created["Location"]
    broken = SimpleUploadedFile("api.json", b'{"openapi": "3.1.0"}', "application/json")
    rejected = client.post(
        url, {"version": "v1", "document": broken, "rate_per_minute": 10, "quota_per_day": 100}
    )
    assert rejected.status_code == 200
    assert rejected.context["form"].non_field_errors()
    good = SimpleUploadedFile(
        "api.json", json.dumps(openapi_document()).encode(), "application/json"
    )
    saved = client.post(
        url, {"version": "v1", "document": good, "rate_per_minute": 10, "quota_per_day": 100}
    )
    assert saved.status_code == 302
    client.post(url, {"lifecycle": "publish", "version": "v1"})
    service = Service.objects.get(code="extracts")
    assert service.versions.get().status == "published"
    # Another organization's owner cannot manage it.
    assert _client(world, "integrator").get(url).status_code == 404
