"""Consent enforcement end to end: the real control plane (Django live server, the consent
registry and its feed) and a real gateway process in front of the demo provider.

A personal-data call is refused until the citizen grants consent, works (naming the consent in the
log record) once granted, stops after a revocation without a new snapshot, and stops at the
consent's end time even though nobody tells the gateway.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from gwtest import GATEWAY_TOKEN, GatewayProcess, _env, free_port

from egov.bridge import catalog, issuing, signing, snapshots
from egov.bridge.models import Grant, ServiceVersion, SigningKey
from egov.bridge.tests.factories import ServiceFactory
from egov.bridge.views.snapshots import issue_gateway_token
from egov.consent import flow, otp
from egov.consent.choices import CodePurpose
from egov.consent.models import Consent
from egov.core.demo import with_check_digit
from egov.core.models import Membership, User
from egov.core.tests.factories import InformationSystemFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
DEMO_DATA = Path(flow.__file__).parent.parent / "bridge" / "demo_data"
SUBJECT = with_check_digit("90010130001")


class Phone:
    name = "test"

    def __init__(self) -> None:
        self.last = ""

    def send(self, user: Any, text: str) -> None:
        self.last = text.rsplit(" ", 1)[-1].rstrip(".")


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> float:
    """Seconds until `predicate` held; fails after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"not within {timeout} s")


@pytest.fixture
def control_plane(transactional_db: Any, live_server: Any, servers: tuple[int, int, Path]) -> Any:
    upstream_port = servers[0]
    provider = InformationSystemFactory(
        organization=OrganizationFactory(code="CIVREG"), subsystem_code="civil-registry"
    )
    service = ServiceFactory(
        provider=provider,
        code="civil-extract",
        classification="personal",
        upstream_url=f"http://127.0.0.1:{upstream_port}/civil-extract",
    )
    version = ServiceVersion(service=service, version="v1")
    catalog.accept_document(version, (DEMO_DATA / "civil_registry.openapi.yaml").read_bytes())
    version.save()
    catalog.change_lifecycle(version, "publish")
    bank_org = OrganizationFactory(code="BANK", kind="business", member_class="COM")
    bank = InformationSystemFactory(organization=bank_org, subsystem_code="loans")
    now = datetime.datetime.now(datetime.UTC)
    Grant.objects.create(
        consumer=bank,
        version=version,
        endpoints=[{"method": "GET", "path": "/persons/{iin}/extract"}],
        valid_from=now - datetime.timedelta(days=1),
        valid_until=now + datetime.timedelta(days=30),
        rate_per_minute=6000,
        quota_per_day=100000,
        ip_ranges=[],
    )
    integrator = UserFactory(username="integrator")
    Membership.objects.create(user=integrator, role="integrator", organization=bank_org)
    citizen = UserFactory(username="citizen", personal_id=SUBJECT)
    Membership.objects.create(user=citizen, role="citizen", organization=None)
    key = issuing.issue_api_key(bank, "e2e").secret
    token = issue_gateway_token("e2e")[1]
    snapshots.publish()
    snapshot_key = signing.published(SigningKey.Purpose.SNAPSHOT)[0]
    return {
        "url": live_server.url,
        "service": service,
        "bank": bank,
        "integrator": integrator,
        "citizen": citizen,
        "api_key": key,
        "token": token,
        "trusted": f"{snapshot_key.kid}={snapshot_key.public_key}",
    }


@pytest.fixture
def gateway(control_plane: Any, tmp_path: Path) -> Iterator[GatewayProcess]:
    env = _env(
        EGOV_GATEWAY_CONTROL_PLANE_URL=control_plane["url"],
        EGOV_GATEWAY_TOKEN=control_plane["token"],
        EGOV_GATEWAY_TRUSTED_KEYS=control_plane["trusted"],
        EGOV_GATEWAY_STATE_DIR=str(tmp_path / "gw"),
        EGOV_GATEWAY_POLL_WAIT=str(2),
        EGOV_GATEWAY_ACCESS_LOG="0",
        EGOV_GATEWAY_SHIP="0",
    )
    assert GATEWAY_TOKEN  # the fake control plane's token is not used here
    process = GatewayProcess(free_port(), tmp_path / "gw", env, tmp_path / "gateway.log")
    process.start(wait_for_version=1)
    try:
        yield process
    finally:
        process.stop()


def _call(gateway: GatewayProcess, control_plane: Any) -> requests.Response:
    address = control_plane["service"].xroad_address
    return requests.get(
        f"{gateway.url}/r1/{address}/v1/persons/{SUBJECT}/extract",
        headers={
            "X-API-Key": control_plane["api_key"],
            "X-Road-Client": control_plane["bank"].xroad_address,
            "X-Subject-Id": SUBJECT,
        },
        timeout=10,
    )


def _grant(control_plane: Any, phone: Phone) -> Consent:
    consent = flow.request_consent(
        control_plane["integrator"],
        flow.ConsentRequest(
            consumer=control_plane["bank"],
            subject_id=SUBJECT,
            services=[control_plane["service"].passport_id],
            purpose="Mortgage application",
            legal_basis="Law on Personal Data, art. 8",
            days=30,
        ),
    )
    otp.issue(control_plane["citizen"], CodePurpose.DECISION, consent.public_id, via=phone)
    return flow.decide(control_plane["citizen"], consent, "grant", phone.last)


def _logged(gateway: GatewayProcess) -> list[dict[str, Any]]:
    with sqlite3.connect(gateway.state_dir / "messagelog.sqlite3") as db:
        return [json.loads(body) for (body,) in db.execute("SELECT body FROM gateway_log_record")]


def test_consent_is_enforced_from_grant_to_revocation(
    control_plane: Any, gateway: GatewayProcess
) -> None:
    refused = _call(gateway, control_plane)
    assert refused.status_code == 403
    assert refused.json()["code"] == "no_consent"

    consent = _grant(control_plane, Phone())
    # The refusal was cached; the registry's change feed drops it, no new snapshot needed.
    wait_for(lambda: _call(gateway, control_plane).status_code == 200)
    assert _call(gateway, control_plane).json()["iin"] == SUBJECT

    flow.revoke(control_plane["citizen"], consent)
    wait_for(lambda: _call(gateway, control_plane).status_code == 403, timeout=3.0)
    assert _call(gateway, control_plane).json()["code"] == "no_consent"

    wait_for(lambda: any(r.get("consent") for r in _logged(gateway)))
    records = _logged(gateway)
    allowed = [r for r in records if r["status"] == 200]
    assert allowed and {r["consent"] for r in allowed} == {consent.public_id}
    assert all(r["subject_id"] == SUBJECT for r in records)
    assert {r["error"] for r in records if r["status"] == 403} == {"no_consent"}


def test_a_consent_stops_at_its_end_time_without_telling_the_gateway(
    control_plane: Any, gateway: GatewayProcess
) -> None:
    consent = _grant(control_plane, Phone())
    ends = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=2)
    # Shortened behind the registry's back: no revision, so no change reaches the gateway.
    Consent.objects.filter(pk=consent.pk).update(valid_until=ends)
    wait_for(lambda: _call(gateway, control_plane).status_code == 200)
    wait_for(lambda: datetime.datetime.now(datetime.UTC) > ends, timeout=4.0)
    late = _call(gateway, control_plane)
    assert late.status_code == 403 and late.json()["code"] == "no_consent"


def test_the_gateway_fails_closed_when_the_registry_is_unreachable(
    control_plane: Any, tmp_path: Path
) -> None:
    # A gateway that has the snapshot but cannot reach the registry refuses personal calls.
    env = _env(
        EGOV_GATEWAY_CONTROL_PLANE_URL=control_plane["url"],
        EGOV_GATEWAY_TOKEN=control_plane["token"],
        EGOV_GATEWAY_TRUSTED_KEYS=control_plane["trusted"],
        EGOV_GATEWAY_STATE_DIR=str(tmp_path / "gw2"),
        EGOV_GATEWAY_ACCESS_LOG="0",
        EGOV_GATEWAY_SHIP="0",
    )
    process = GatewayProcess(free_port(), tmp_path / "gw2", env, tmp_path / "gateway2.log")
    process.start(wait_for_version=1)
    process.stop()
    env["EGOV_GATEWAY_CONTROL_PLANE_URL"] = f"http://127.0.0.1:{free_port()}"
    offline = GatewayProcess(free_port(), tmp_path / "gw2", env, tmp_path / "gateway3.log")
    offline.start(wait_for_version=1)
    try:
        response = _call(offline, control_plane)
        assert response.status_code == 503
        assert response.json()["code"] == "consent_unavailable"
    finally:
        offline.stop()


def test_unknown_gateways_learn_nothing(control_plane: Any) -> None:
    base = control_plane["url"]
    for path in ("/api/consent/gateway/check?consumer=a&subject=b", "/api/consent/gateway/changes"):
        assert requests.get(base + path, timeout=5).status_code == 401
        wrong = requests.get(base + path, headers={"Authorization": "Bearer egw_x"}, timeout=5)
        assert wrong.status_code == 401
    assert User.objects.filter(username="citizen").exists()
