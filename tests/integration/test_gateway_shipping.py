"""End to end: a call through the real gateway becomes a CallRecord in the real control plane.

The control plane runs as Django's live server (its policy snapshot endpoint and the records
endpoint); the gateway and the demo provider run as their own processes, as in production.
"""

from __future__ import annotations

import copy
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from egov.bridge import catalog, issuing, signing, snapshots, workflow
from egov.bridge.models import ApiKey, CallRecord, GatewayNode, ServiceVersion, SigningKey
from egov.bridge.tests.factories import ServiceFactory, openapi_document
from egov.bridge.views.snapshots import issue_gateway_token
from egov.core.models import Membership
from egov.core.tests.factories import InformationSystemFactory, OrganizationFactory, UserFactory
from gateway import launch

SRC = Path(__file__).resolve().parents[2] / "src"
POLL_WAIT = 2  # seconds the gateway's long polls wait at the control plane


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _document() -> dict[str, Any]:
    document = copy.deepcopy(openapi_document())
    document["paths"] = {"/legal-entities/{bin}": document["paths"]["/entities/{bin}"]}
    return document


def _published(service: Any) -> ServiceVersion:
    version = ServiceVersion(service=service, version="v1")
    catalog.accept_document(version, _document())
    version.save()
    catalog.change_lifecycle(version, "publish")
    return version


def _grant(version: ServiceVersion, consumer: Any, integrator: Any, approver: Any) -> Any:
    request = workflow.file_request(
        integrator,
        consumer,
        version,
        workflow.RequestInput(
            [{"method": "GET", "path": "/legal-entities/{bin}"}],
            "Checking partners.",
            "Civil Code",
            10,
            [],
            "ops@bank.example",
        ),
    )
    workflow.decide(request, approver, "approve")
    return request.grant


@pytest.fixture
def upstream_port() -> Iterator[int]:
    port = _free_port()
    env = {"PYTHONPATH": str(SRC)}
    process = launch.start_upstream(port, env)
    try:
        assert launch.wait_http(f"http://127.0.0.1:{port}/fast")
        yield port
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.django_db(transaction=True)
def test_calls_through_the_gateway_become_call_records(
    live_server: Any, upstream_port: int, tmp_path: Path
) -> None:
    provider_org = OrganizationFactory(code="REG")
    consumer_org = OrganizationFactory(code="BANK", kind="business", member_class="COM")
    provider = InformationSystemFactory(organization=provider_org, subsystem_code="registry")
    consumer = InformationSystemFactory(organization=consumer_org, subsystem_code="loans")
    approver, integrator = UserFactory(), UserFactory()
    Membership.objects.create(user=approver, role="approver", organization=provider_org)
    Membership.objects.create(user=integrator, role="integrator", organization=consumer_org)
    upstream = f"http://127.0.0.1:{upstream_port}"
    public = ServiceFactory(
        provider=provider, code="legal-entity", upstream_url=f"{upstream}/legal-entity"
    )
    personal = ServiceFactory(
        provider=provider,
        code="legal-entity-personal",
        classification="personal",
        upstream_url=f"{upstream}/legal-entity",
    )
    public_grant = _grant(_published(public), consumer, integrator, approver)
    _grant(_published(personal), consumer, integrator, approver)
    key = issuing.issue_api_key(consumer, "prod")
    node, token = issue_gateway_token("gw-e2e")
    snapshots.publish()
    snapshot_key = SigningKey.objects.get(kid=signing.current(SigningKey.Purpose.SNAPSHOT).kid)

    port = _free_port()
    env = {
        "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "EGOV_GATEWAY_CONTROL_PLANE_URL": live_server.url,
        "EGOV_GATEWAY_TOKEN": token,
        "EGOV_GATEWAY_TRUSTED_KEYS": f"{snapshot_key.kid}={snapshot_key.public_key}",
        "EGOV_GATEWAY_STATE_DIR": str(tmp_path / "gateway"),
        "EGOV_GATEWAY_NODE_NAME": "gw-e2e",
        "EGOV_GATEWAY_POLL_WAIT": str(POLL_WAIT),
        "EGOV_GATEWAY_ACCESS_LOG": "0",
        "EGOV_GATEWAY_SERVER": "uvicorn",
    }
    gateway = launch.start_gateway(port, {k: v for k, v in env.items() if v})
    base = f"http://127.0.0.1:{port}"
    try:
        assert launch.wait_http(f"{base}/healthz", 20), "the gateway did not start"
        deadline = time.monotonic() + 20
        while (
            requests.get(f"{base}/readyz", timeout=2).json()["checks"]["snapshot"]["version"]
            is None
        ):
            assert time.monotonic() < deadline, "the gateway got no snapshot"
            time.sleep(0.1)
        headers = {"X-API-Key": key.secret, "X-Road-Client": consumer.xroad_address}
        ok = requests.get(
            f"{base}/r1/{public.xroad_address}/v1/legal-entities/120540012345",
            headers=headers,
            timeout=10,
        )
        assert ok.status_code == 200, ok.text
        asked = time.monotonic()
        refused = requests.get(
            f"{base}/r1/{personal.xroad_address}/v1/legal-entities/120540012345",
            headers={**headers, "X-Subject-Id": "870412300415"},
            timeout=10,
        )
        assert refused.status_code == 403  # no consent yet: refused, and still on record

        # The citizen's data tracker reads these: they must arrive within seconds.
        while not CallRecord.objects.filter(subject_id="870412300415").exists():
            assert time.monotonic() - asked < 5, "the personal-data record did not arrive"
            time.sleep(0.1)
        deadline = time.monotonic() + 5
        while CallRecord.objects.count() < 2:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        gateway.terminate()
        gateway.wait(15)
        # The live server (threads, not ASGI) does not notice a client going away: it finishes
        # the gateway's last long polls (snapshot, consent changes) up to POLL_WAIT seconds
        # later. Let them end while this test may still use the database.
        time.sleep(POLL_WAIT + 1)
    call = CallRecord.objects.get(request_id=ok.headers["X-Request-Id"])
    assert call.status == 200
    assert call.node == node
    assert call.service == public
    assert call.consumer_system == consumer
    assert call.grant == public_grant
    assert call.endpoint == "GET /legal-entities/{bin}"
    assert call.credential == f"api_key:{key.credential.prefix}"
    assert call.response_bytes > 0
    tracked = CallRecord.objects.get(subject_id="870412300415")
    assert (tracked.status, tracked.error, tracked.service) == (403, "no_consent", personal)
    assert ApiKey.objects.get(pk=key.credential.pk).last_used_at is not None
    assert GatewayNode.objects.get(pk=node.pk).last_seen_at is not None
    assert sys.executable  # the gateway ran under this interpreter (launch uses it)
