"""The catalog through the API: register, validate documents, version lifecycle, visibility."""

from __future__ import annotations

import json

import pytest

from egov.bridge.tests.factories import openapi_document

pytestmark = pytest.mark.django_db


def _post(client, url: str, body: object) -> object:  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body), content_type="application/json")


SERVICE = {
    "provider_organization": "PROV",
    "provider_subsystem": "registry",
    "code": "addresses",
    "name_kk": "Мекенжайлар",
    "name_en": "Addresses",
    "category": "property",
    "classification": "restricted",
    "upstream_url": "http://127.0.0.1:9/addresses",
}


def test_register_a_service_with_a_readable_passport(world) -> None:  # type: ignore[no-untyped-def]
    response = _post(world.client("owner"), "/api/bridge/services", SERVICE)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["passport_id"] == "PROV-S-0002"
    assert "upstream_url" not in body
    duplicate = _post(world.client("owner"), "/api/bridge/services", SERVICE)
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "duplicate_service"


def test_only_the_providers_people_register(world) -> None:  # type: ignore[no-untyped-def]
    assert _post(world.client("integrator"), "/api/bridge/services", SERVICE).status_code == 403
    assert _post(world.client("approver"), "/api/bridge/services", SERVICE).status_code == 403


def test_an_invalid_document_lists_its_violations(world) -> None:  # type: ignore[no-untyped-def]
    passport = world.version.service.passport_id
    broken = openapi_document()
    del broken["info"]["title"]
    broken["paths"]["/entities/{bin}"]["get"]["responses"] = "none"
    response = _post(
        world.client("owner"),
        f"/api/bridge/services/{passport}/versions",
        {"version": "v2", "openapi": broken},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_openapi"
    fields = {error["field"] for error in body["errors"]}
    assert "/info" in fields or "/info/title" in fields
    assert any(field.startswith("/paths/~1entities~1{bin}/get") for field in fields)


def test_versions_move_through_their_lifecycle(world) -> None:  # type: ignore[no-untyped-def]
    passport = world.version.service.passport_id
    created = _post(
        world.client("owner"),
        f"/api/bridge/services/{passport}/versions",
        {"version": "v2", "openapi": openapi_document("Registry v2")},
    )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "draft"
    assert {e["path"] for e in created.json()["endpoints"]} == {"/entities", "/entities/{bin}"}
    # Drafts are invisible to consumers.
    listed = world.client("integrator").get(f"/api/bridge/services/{passport}").json()
    assert [v["version"] for v in listed["versions"]] == ["v1"]
    lifecycle = f"/api/bridge/services/{passport}/versions/v2/lifecycle"
    assert _post(world.client("owner"), lifecycle, {"action": "retire"}).status_code == 409
    assert (
        _post(world.client("owner"), lifecycle, {"action": "publish"}).json()["status"]
        == "published"
    )
    deprecated = _post(
        world.client("owner"),
        f"/api/bridge/services/{passport}/versions/v1/lifecycle",
        {"action": "deprecate", "retire_on": "2027-06-30"},
    )
    assert deprecated.json()["status"] == "deprecated"
    assert deprecated.json()["retire_on"] == "2027-06-30"


def test_catalog_search_and_document_download(client, world) -> None:  # type: ignore[no-untyped-def]
    passport = world.version.service.passport_id
    found = client.get("/api/bridge/services", {"q": "service"}).json()
    assert [s["passport_id"] for s in found["items"]] == [passport]
    assert client.get("/api/bridge/services", {"category": "civil"}).json()["count"] == 0
    document = client.get(f"/api/bridge/services/{passport}/versions/v1/openapi.json")
    assert document.status_code == 200
    assert document.json()["openapi"] == "3.1.0"
    assert client.get("/api/bridge/services/NOPE-S-0001").status_code == 404


def test_malformed_json_is_a_problem_not_a_crash(world) -> None:  # type: ignore[no-untyped-def]
    response = world.client("owner").post(
        "/api/bridge/services", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "malformed_request"


def test_values_the_database_cannot_hold_are_bad_input(world) -> None:  # type: ignore[no-untyped-def]
    response = _post(
        world.client("owner"),
        "/api/bridge/services",
        {**SERVICE, "provider_organization": "PR\x00OV"},
    )
    assert response.status_code in (400, 404, 422)
    assert response["Content-Type"] == "application/problem+json"


def test_an_oversized_body_is_refused_with_413(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    passport = world.version.service.passport_id
    body = {"version": "v9", "openapi": {"openapi": "3.1.0", "x": "y" * 2000}}
    response = _post(world.client("owner"), f"/api/bridge/services/{passport}/versions", body)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_catalog_filters_by_documentation_language(client, world) -> None:  # type: ignore[no-untyped-def]
    service = world.version.service
    service.description_ru = "Сведения о юридическом лице"
    service.save()
    assert client.get("/api/bridge/services", {"language": "ru"}).json()["count"] == 1
    assert client.get("/api/bridge/services", {"language": "tg"}).json()["count"] == 0
