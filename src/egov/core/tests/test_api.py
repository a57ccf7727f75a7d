"""The registry API: answers, filters, and errors as problem details."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_directory_lists_and_filters(client, registry) -> None:  # type: ignore[no-untyped-def]
    everything = client.get("/api/core/organizations").json()
    assert everything["count"] == 8
    businesses = client.get("/api/core/organizations", {"kind": "business"}).json()
    assert [item["code"] for item in businesses["items"]] == ["DEMOBANK"]
    found = client.get("/api/core/organizations", {"q": "юстиции"}).json()
    assert {item["code"] for item in found["items"]} == {"MINJUST", "MINJUST-ALA"}


def test_one_organization_with_its_gateway_address(client, registry) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/core/organizations/minjust-reg").json()
    assert body["parent"] == "MINJUST"
    assert body["xroad_address"] == f"KZ/GOV/{body['identifier']}"
    systems = client.get("/api/core/organizations/MINJUST-REG/systems").json()
    assert {s["xroad_address"] for s in systems} == {
        f"KZ/GOV/{body['identifier']}/realty-registry",
        f"KZ/GOV/{body['identifier']}/legal-entities",
    }


def test_names_follow_the_requested_language(client, registry) -> None:  # type: ignore[no-untyped-def]
    english = client.get("/api/core/organizations/MINJUST", HTTP_ACCEPT_LANGUAGE="en").json()
    russian = client.get("/api/core/organizations/MINJUST", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert english["name"] == "Ministry of Justice"
    assert russian["name"] == "Министерство юстиции"


def test_unknown_organization_is_a_problem_document(client, db) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/core/organizations/NOPE")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "organization_not_found"


def test_bad_parameters_say_which_field(client, db) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/core/organizations", {"limit": "many"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert any("limit" in error["field"] for error in body["errors"])


def test_unknown_path_under_api_is_a_problem_document(client, db) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/no/such/thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
