"""The request path through a real gateway process: authentication, grants, consent, limits."""

from __future__ import annotations

import base64
import hashlib
import time
from pathlib import Path

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from gwtest import (
    API_KEY,
    CONSUMER,
    OTHER_KEY,
    PROVIDER,
    GatewayProcess,
    World,
    legal_path,
    make_gateway,
    svc_path,
)


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_a_granted_call_reaches_the_provider(gateway: GatewayProcess) -> None:
    response = gateway.call("GET", legal_path(), headers={"X-Road-Client": CONSUMER})
    assert response.status_code == 200, response.text
    assert response.json()["bin"] == "120540012345"
    assert response.headers["X-Road-Client"] == CONSUMER
    assert response.headers["X-Road-Service"] == f"{PROVIDER}/legal-entity"
    assert response.headers["X-Request-Id"]
    assert response.headers["X-Road-Request-Hash"]


def test_version_segment_is_optional(gateway: GatewayProcess) -> None:
    response = gateway.call("GET", legal_path(version=""))
    assert response.status_code == 200, response.text


def _signature_parts(header: str) -> dict[str, str]:
    parts = dict(item.strip().split("=", 1) for item in header.split(","))
    return {k: v.strip('"') for k, v in parts.items()}


def _gateway_key(gateway: GatewayProcess) -> Ed25519PublicKey:
    keys = requests.get(gateway.url + "/keys", timeout=5).json()["keys"]
    return Ed25519PublicKey.from_public_bytes(_b64url_decode(keys[0]["public_key"]))


def test_identity_assertion_for_the_provider(gateway: GatewayProcess) -> None:
    response = gateway.call("GET", svc_path("echo", "/echo"), headers={"X-Subject-Id": "S1"})
    upstream = dict(response.json()["headers"])
    parts = _signature_parts(upstream["egov-gateway-signature"])
    assert parts["scope"] == "assertion"
    signed = "\n".join(
        ["assertion", CONSUMER, f"{PROVIDER}/echo", "v1", "2", "S1", parts["ts"]]
    ).encode()
    _gateway_key(gateway).verify(_b64url_decode(parts["sig"]), signed)
    assert abs(int(parts["ts"]) - time.time()) < 60


def test_request_id_is_kept_and_identity_is_signed_for_the_provider(
    world: World, tmp_path: Path
) -> None:
    gateway = make_gateway(world, tmp_path, EGOV_GATEWAY_UPSTREAM_SIGNATURE="request")
    gateway.start(wait_for_version=world.version)
    response = gateway.call(
        "POST",
        svc_path("echo", "/echo?a=1"),
        data=b'{"x": 1}',
        headers={
            "X-Request-Id": "req-123",
            "Content-Type": "application/json",
            "Connection": "keep-alive, X-Secret-Hop",
            "X-Secret-Hop": "must not pass",
            "Egov-Consumer": "KZ/GOV/spoofed/system",
            "X-Subject-Id": "900101300123",
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers["X-Request-Id"] == "req-123"
    echoed = response.json()
    upstream = {name: value for name, value in echoed["headers"]}
    assert upstream["x-request-id"] == "req-123"
    assert upstream["egov-consumer"] == CONSUMER
    assert "x-api-key" not in upstream
    assert "x-secret-hop" not in upstream
    assert echoed["body"] == '{"x": 1}'
    assert echoed["query"] == "a=1"
    # The signature covers method, target, consumer, service, version, ids and the body hash.
    public = _gateway_key(gateway)
    parts = _signature_parts(upstream["egov-gateway-signature"])
    signed = "\n".join(
        [
            "POST",
            "/echo?a=1",
            CONSUMER,
            f"{PROVIDER}/echo",
            "v1",
            "req-123",
            "900101300123",
            parts["ts"],
            hashlib.sha256(b'{"x": 1}').hexdigest(),
        ]
    ).encode()
    public.verify(_b64url_decode(parts["sig"]), signed)  # raises when it does not verify


def test_missing_and_unknown_credentials(gateway: GatewayProcess) -> None:
    missing = requests.get(gateway.url + legal_path(), timeout=5)
    assert missing.status_code == 401
    assert missing.headers["Content-Type"] == "application/problem+json"
    assert missing.json()["code"] == "missing_credential"
    unknown = gateway.call("GET", legal_path(), headers={"X-API-Key": "egk_nope"})
    assert unknown.status_code == 401
    assert unknown.json()["code"] == "unknown_credential"


def test_xroad_style_errors(gateway: GatewayProcess) -> None:
    response = gateway.call(
        "GET", legal_path(), headers={"X-API-Key": "egk_nope", "X-Road-Client": CONSUMER}
    )
    assert response.status_code == 401
    assert response.headers["X-Road-Error"] == "Client.Unauthorized"
    body = response.json()
    assert body["type"] == "Client.Unauthorized"
    assert body["code"] == "unknown_credential"
    assert body["detail"] == response.headers["X-Request-Id"]


def test_client_header_must_match_the_credential(gateway: GatewayProcess) -> None:
    response = gateway.call(
        "GET", legal_path(), headers={"X-Road-Client": "KZ/COM/080340000084/other"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "client_mismatch"
    malformed = gateway.call("GET", legal_path(), headers={"X-Road-Client": "KZ/COM"})
    assert malformed.status_code == 400
    assert malformed.json()["code"] == "invalid_client_header"


def test_deny_by_default(gateway: GatewayProcess) -> None:
    # The grant covers /legal-entities/{bin}, not the management endpoint.
    response = gateway.call("GET", legal_path("/legal-entities/120540012345/management"))
    assert response.status_code == 403
    assert response.json()["code"] == "no_grant"
    # Not an endpoint of the service at all.
    unknown = gateway.call("GET", legal_path("/secret"))
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "unknown_endpoint"
    # A dot segment never matches a template.
    dots = gateway.call("GET", legal_path("/legal-entities/%2e%2e"))
    assert dots.status_code == 404
    missing = gateway.call("GET", f"/r1/{PROVIDER}/nothing/v1/x")
    assert missing.status_code == 404
    assert missing.json()["code"] == "unknown_service"


def test_source_address_must_be_in_the_grant_ranges(gateway: GatewayProcess) -> None:
    response = gateway.call("GET", legal_path(), headers={"X-API-Key": OTHER_KEY})
    assert response.status_code == 403
    assert response.json()["code"] == "ip_not_allowed"


def test_grant_outside_validity_window(world: World, gateway: GatewayProcess) -> None:
    world.grants[0]["valid_until"] = "2021-01-01T00:00:00+00:00"
    gateway.wait_version(world.publish())
    response = gateway.call("GET", legal_path())
    assert response.status_code == 403
    assert response.json()["code"] == "no_grant"


def test_personal_data_needs_subject_and_consent(world: World, gateway: GatewayProcess) -> None:
    path = svc_path("civil-extract", "/persons/900101300123/extract", "civil-registry")
    assert gateway.call("GET", path).json()["code"] == "subject_required"
    refused = gateway.call("GET", path, headers={"X-Subject-Id": "900101300123"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "no_consent"
    world.consents = [
        {
            "id": "c-1",
            "subject": "900101300123",
            "consumer": CONSUMER,
            "service": "KZ/GOV/010340000012/civil-registry/civil-extract",
            "valid_from": "2020-01-01T00:00:00+00:00",
            "valid_until": "2099-01-01T00:00:00+00:00",
        }
    ]
    gateway.wait_version(world.publish())
    allowed = gateway.call("GET", path, headers={"X-Subject-Id": "900101300123"})
    assert allowed.status_code == 200, allowed.text
    other = gateway.call("GET", path, headers={"X-Subject-Id": "800101300999"})
    assert other.json()["code"] == "no_consent"


def test_rate_limit_answers_429_with_retry_after(gateway: GatewayProcess) -> None:
    path = svc_path("limited", "/legal-entities/120540012345")
    statuses = [gateway.call("GET", path).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]
    limited = gateway.call("GET", path)
    assert limited.json()["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1


def test_oauth_bearer_token(world: World, gateway: GatewayProcess) -> None:
    now = int(time.time())
    claims = {
        "iss": "http://cp.test",
        "aud": "egov-gateway",
        "sub": CONSUMER,
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": "t1",
    }
    good = world.token_key.jwt(claims)
    response = requests.get(
        gateway.url + legal_path(), headers={"Authorization": f"Bearer {good}"}, timeout=5
    )
    assert response.status_code == 200, response.text
    for bad in (
        world.token_key.jwt({**claims, "exp": now - 3600}),
        world.token_key.jwt({**claims, "aud": "someone-else"}),
        good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),
    ):
        refused = requests.get(
            gateway.url + legal_path(), headers={"Authorization": f"Bearer {bad}"}, timeout=5
        )
        assert refused.status_code == 401, bad
        assert refused.json()["code"] == "unknown_credential"


def test_certificate_header_is_ignored_from_untrusted_peers(gateway: GatewayProcess) -> None:
    response = requests.get(
        gateway.url + legal_path(), headers={"X-Client-Cert-Sha256": "ab" * 32}, timeout=5
    )
    assert response.status_code == 401


def test_request_size_limit(world: World, tmp_path: Path) -> None:
    process = make_gateway(world, tmp_path, EGOV_GATEWAY_MAX_REQUEST_BYTES="1000")
    process.start(wait_for_version=world.version)
    try:
        response = process.call("POST", svc_path("echo", "/echo"), data=b"x" * 5000)
        assert response.status_code == 413
        assert response.json()["code"] == "payload_too_large"
        assert process.call("POST", svc_path("echo", "/echo"), data=b"x" * 500).ok
    finally:
        process.stop()


def test_metadata_services(gateway: GatewayProcess) -> None:
    listed = gateway.call("GET", f"/r1/{PROVIDER}/listMethods").json()
    codes = {entry["service_code"] for entry in listed["service"]}
    assert {"legal-entity", "echo", "down"} <= codes
    allowed = gateway.call("GET", f"/r1/{PROVIDER}/allowedMethods").json()
    legal = next(e for e in allowed["service"] if e["service_code"] == "legal-entity")
    assert legal["endpoint_list"] == [{"method": "GET", "path": "/legal-entities/{bin}"}]
    clients = gateway.call("GET", "/r1/listClients").json()
    assert any(m["id"].get("subsystem_code") == "loans" for m in clients["member"])
    openapi = gateway.call("GET", f"/r1/{PROVIDER}/getOpenAPI?serviceCode=legal-entity")
    assert openapi.status_code == 200
    assert openapi.json()["openapi"].startswith("3.")


def test_health_ready_and_metrics(gateway: GatewayProcess) -> None:
    assert requests.get(gateway.url + "/healthz", timeout=5).json() == {"status": "ok"}
    ready = requests.get(gateway.url + "/readyz", timeout=5).json()
    assert ready["status"] == "ready"
    assert ready["checks"]["snapshot"]["source"] == "control-plane"
    gateway.call("GET", legal_path())
    metrics = requests.get(gateway.url + "/metrics", timeout=5).text
    assert "egov_gateway_calls_total" in metrics
    assert "egov_gateway_call_seconds_bucket" in metrics
    assert f'consumer="{CONSUMER}"' in metrics


def test_api_key_revoked_by_a_new_snapshot(world: World, gateway: GatewayProcess) -> None:
    assert gateway.call("GET", legal_path()).status_code == 200
    world.grants = [g for g in world.grants if g["id"] != 1]
    gateway.wait_version(world.publish())
    assert gateway.call("GET", legal_path()).json()["code"] == "no_grant"
    assert API_KEY  # the key itself still authenticates; only the grant is gone


def test_large_responses_are_streamed_and_head_works(gateway: GatewayProcess) -> None:
    response = gateway.call("GET", svc_path("echo", "/bytes/3000000"), stream=True)
    assert response.status_code == 200
    assert "content-length" not in response.headers  # streamed, not buffered
    assert sum(len(chunk) for chunk in response.iter_content(65536)) == 3000000
    head = gateway.call("HEAD", legal_path())
    assert head.status_code in (200, 404)  # HEAD is not an endpoint of the service
    assert head.content == b""


def test_response_size_limit_cuts_the_connection(world: World, tmp_path: Path) -> None:
    process = make_gateway(world, tmp_path, EGOV_GATEWAY_MAX_RESPONSE_BYTES="100000")
    process.start(wait_for_version=world.version)
    assert len(process.call("GET", svc_path("echo", "/bytes/50000")).content) == 50000
    cut = False
    try:
        response = process.call("GET", svc_path("echo", "/bytes/400000"), stream=True)
        received = sum(len(chunk) for chunk in response.iter_content(65536))
        cut = received < 400000
    except requests.RequestException:
        cut = True
    assert cut
    assert process.call("GET", legal_path()).status_code == 200  # the gateway carries on
