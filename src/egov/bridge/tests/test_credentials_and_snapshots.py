"""Credentials shown once and stored hashed; signed snapshots that follow every change."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time

import jwt
import pytest
from asgiref.sync import sync_to_async
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.test import AsyncClient

from egov.bridge import signing, snapshots, workflow
from egov.bridge.models import ApiKey, OAuthClient, PolicySnapshot, SigningKey
from egov.bridge.views.snapshots import issue_gateway_token
from egov.core.models import AuditRecord

pytestmark = pytest.mark.django_db

KEYS_URL = "/api/bridge/systems/CONS/crm"


def _post(client, url: str, body: object = None) -> object:  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_an_api_key_is_shown_once_and_stored_as_a_hash(world) -> None:  # type: ignore[no-untyped-def]
    response = _post(world.client("integrator"), f"{KEYS_URL}/api-keys", {"name": "prod"})
    assert response.status_code == 201
    secret = response.json()["key"]
    assert secret.startswith("egk_") and len(secret) > 40
    stored = ApiKey.objects.get(prefix=response.json()["prefix"])
    assert stored.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    listing = world.client("integrator").get(f"{KEYS_URL}/credentials").content.decode()
    assert secret not in listing
    assert stored.prefix in listing
    for entry in AuditRecord.objects.filter(object_type="bridge.apikey"):
        assert secret not in json.dumps(entry.after)
        assert "key_hash" not in (entry.after or {})  # not even the hash


def test_only_the_consumers_integrators_manage_its_keys(world) -> None:  # type: ignore[no-untyped-def]
    assert _post(world.client("approver"), f"{KEYS_URL}/api-keys", {"name": "x"}).status_code == 404
    assert world.client("outsider").get(f"{KEYS_URL}/credentials").status_code == 404


def test_rotation_keeps_the_old_key_for_the_overlap(world) -> None:  # type: ignore[no-untyped-def]
    first = _post(world.client("integrator"), f"{KEYS_URL}/api-keys", {"name": "prod"}).json()
    rotated = _post(
        world.client("integrator"),
        f"/api/bridge/api-keys/{first['prefix']}/rotate",
        {"overlap_hours": 2},
    )
    assert rotated.status_code == 201
    old = ApiKey.objects.get(prefix=first["prefix"])
    assert old.expires_at is not None
    assert ApiKey.objects.usable().filter(pk=old.pk).exists()
    revoke = _post(world.client("integrator"), f"/api/bridge/api-keys/{first['prefix']}/revoke")
    assert revoke.status_code == 204
    assert not ApiKey.objects.usable().filter(pk=old.pk).exists()


def test_client_credentials_give_a_token_that_verifies_with_the_jwks(client, world) -> None:  # type: ignore[no-untyped-def]
    issued = _post(world.client("integrator"), f"{KEYS_URL}/oauth-clients").json()
    assert (
        OAuthClient.objects.get(client_id=issued["client_id"]).secret_hash
        != issued["client_secret"]
    )
    denied = client.post(
        "/api/bridge/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": issued["client_id"],
            "client_secret": "wrong",
        },
    )
    assert denied.status_code == 401
    assert denied.json()["error"] == "invalid_client"
    basic = base64.b64encode(f"{issued['client_id']}:{issued['client_secret']}".encode()).decode()
    response = client.post(
        "/api/bridge/oauth/token",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 200, response.content
    token = response.json()["access_token"]
    keys = client.get("/api/bridge/oauth/jwks").json()["keys"]
    header = jwt.get_unverified_header(token)
    jwk = next(k for k in keys if k["kid"] == header["kid"])
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(jwk["x"] + "=="))
    claims = jwt.decode(token, public, algorithms=["EdDSA"], audience="egov-gateway")
    assert claims["sub"] == world.consumer_system.xroad_address
    unsupported = client.post(
        "/api/bridge/oauth/token", {"grant_type": "password"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert unsupported.json()["error"] == "unsupported_grant_type"


def _approve(world) -> object:  # type: ignore[no-untyped-def]
    request = workflow.file_request(
        world.users["integrator"],
        world.consumer_system,
        world.version,
        workflow.RequestInput(
            [{"method": "GET", "path": "/entities/{bin}"}],
            "Checking partners.",
            "Civil Code",
            10,
            ["10.0.0.0/8"],
            "ops@cons.example",
        ),
    )
    workflow.decide(request, world.users["approver"], "approve")
    return request.grant


def test_a_snapshot_carries_the_policy_and_a_valid_signature(world) -> None:  # type: ignore[no-untyped-def]
    grant = _approve(world)
    key = _post(world.client("integrator"), f"{KEYS_URL}/api-keys", {"name": "p"}).json()["key"]
    snapshot = snapshots.publish()
    document = json.loads(snapshot.body)
    assert document["format"] == "egov-policy-snapshot/1"
    assert [g["id"] for g in document["grants"]] == [grant.pk]
    assert document["grants"][0]["endpoints"] == [["GET", "/entities/{bin}"]]
    hashes = [k["hash"] for k in document["credentials"]["api_keys"]]
    assert hashlib.sha256(key.encode()).hexdigest() in hashes
    assert key not in snapshot.body
    assert document["services"][0]["versions"][0]["endpoints"]
    public = SigningKey.objects.get(kid=snapshot.kid).public_key
    assert signing.verify(public, snapshot.body.encode(), snapshot.signature)
    assert not signing.verify(public, snapshot.body.encode() + b" ", snapshot.signature)
    assert snapshots.publish().version == snapshot.version  # nothing changed, no new version


def test_revocation_leaves_the_next_snapshot(world) -> None:  # type: ignore[no-untyped-def]
    grant = _approve(world)
    before = snapshots.publish()
    workflow.change_grant(grant, world.users["approver"], "revoke")
    after = snapshots.publish()
    assert after.version == before.version + 1
    assert json.loads(after.body)["grants"] == []


def test_key_rotation_keeps_the_previous_key_published(world) -> None:  # type: ignore[no-untyped-def]
    first = snapshots.publish()
    signing.rotate(SigningKey.Purpose.SNAPSHOT)
    second = snapshots.publish()
    assert second.kid != first.kid
    listed = json.loads(second.body)["snapshot_keys"]
    assert {k["kid"] for k in listed} >= {first.kid, second.kid}


def test_snapshot_endpoint_needs_a_gateway_token_and_honours_etags(client, world) -> None:  # type: ignore[no-untyped-def]
    snapshots.publish()
    _node, token = issue_gateway_token("test")
    assert client.get("/api/bridge/snapshots/latest").status_code == 401
    response = client.get("/api/bridge/snapshots/latest", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    latest = PolicySnapshot.objects.order_by("-version").first()
    assert response.content == latest.body.encode()
    assert response["Egov-Signature"] == f'kid="{latest.kid}", sig="{latest.signature}"'
    unchanged = client.get(
        "/api/bridge/snapshots/latest",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IF_NONE_MATCH=response["ETag"],
    )
    assert unchanged.status_code == 304


@pytest.mark.django_db(transaction=True)
def test_a_waiting_gateway_hears_of_a_change_within_a_second(world) -> None:  # type: ignore[no-untyped-def]
    grant = _approve(world)
    first = snapshots.publish()
    _node, token = issue_gateway_token("waiting")

    async def scenario() -> tuple[int, float, str]:
        started = time.monotonic()
        waiting = asyncio.ensure_future(
            AsyncClient().get(
                "/api/bridge/snapshots/latest",
                {"wait": "10"},
                headers={"Authorization": f"Bearer {token}", "If-None-Match": f'"{first.etag}"'},
            )
        )
        await asyncio.sleep(0.3)
        # Revoking commits and publishes on commit, as in production.
        await sync_to_async(workflow.change_grant)(grant, world.users["approver"], "revoke")
        response = await waiting
        return response.status_code, time.monotonic() - started, response["Egov-Snapshot-Version"]

    status, waited, version = asyncio.run(scenario())
    assert status == 200
    assert int(version) > first.version
    assert waited < 0.3 + 1.0
