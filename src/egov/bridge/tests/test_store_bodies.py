"""Providers ask gateways to keep bodies (``store_bodies``) through the API and the form."""

from __future__ import annotations

import json

import pytest

from egov.bridge import snapshots
from egov.bridge.models import Service
from egov.bridge.tests.test_pages import _client

pytestmark = pytest.mark.django_db

SERVICE = {
    "provider_organization": "PROV",
    "provider_subsystem": "registry",
    "code": "deeds",
    "name_kk": "Актілер",
    "name_en": "Deeds",
    "category": "property",
    "classification": "restricted",
    "upstream_url": "http://127.0.0.1:9/deeds",
}


def _listed(address: str) -> dict[str, object]:
    services = json.loads(snapshots.publish().body)["services"]
    return {entry["address"]: entry for entry in services}.get(address, {})


def test_the_api_sets_store_bodies(world) -> None:  # type: ignore[no-untyped-def]
    client = world.client("owner")
    kept = client.post(
        "/api/bridge/services",
        json.dumps({**SERVICE, "store_bodies": True}),
        content_type="application/json",
    )
    assert kept.status_code == 201, kept.content
    assert Service.objects.get(code="deeds").store_bodies is True
    plain = client.post(
        "/api/bridge/services",
        json.dumps({**SERVICE, "code": "plans"}),
        content_type="application/json",
    )
    assert plain.status_code == 201
    assert Service.objects.get(code="plans").store_bodies is False
    wrong = client.post(
        "/api/bridge/services",
        json.dumps({**SERVICE, "code": "maps", "store_bodies": "sometimes"}),
        content_type="application/json",
    )
    assert wrong.status_code == 422
    assert not Service.objects.filter(code="maps").exists()


def test_the_form_sets_store_bodies_and_the_snapshot_carries_it(world) -> None:  # type: ignore[no-untyped-def]
    client = _client(world, "owner")  # a signed-in session with a second factor
    form = client.get("/bridge/manage/new/")
    assert 'name="store_bodies"' in form.content.decode()
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
            "store_bodies": "on",
        },
    )
    assert created.status_code == 302, created.context["form"].errors
    service = Service.objects.get(code="extracts")
    assert service.store_bodies is True
    # Only published versions reach the snapshot; the world's published service does.
    published = world.version.service
    Service.objects.filter(pk=published.pk).update(store_bodies=True)
    assert _listed(published.xroad_address)["store_bodies"] is True
