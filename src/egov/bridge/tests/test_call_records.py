"""Gateways ship message-log records to POST /api/bridge/calls; they become CallRecords."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from egov.bridge import issuing, snapshots, usage, workflow
from egov.bridge.models import ApiKey, CallRecord, ClientCertificate, GatewayNode, Service
from egov.bridge.views.snapshots import issue_gateway_token
from gateway.messagelog import Chain, Entry

pytestmark = pytest.mark.django_db

URL = "/api/bridge/calls"


def _grant(world: Any) -> Any:
    request = workflow.file_request(
        world.users["integrator"],
        world.consumer_system,
        world.version,
        workflow.RequestInput(
            [{"method": "GET", "path": "/entities/{bin}"}],
            "Checking partners.",
            "Civil Code",
            10,
            [],
            "ops@cons.example",
        ),
    )
    workflow.decide(request, world.users["approver"], "approve")
    return request.grant


def _fields(world: Any, **extra: Any) -> dict[str, Any]:
    service = world.version.service
    return {
        "kind": "call",
        "request_id": "req-1",
        "message_id": "req-1",
        "started_at": "2026-03-01T10:00:00.000000+00:00",
        "finished_at": "2026-03-01T10:00:00.020000+00:00",
        "latency_ms": 20.5,
        "consumer": world.consumer_system.xroad_address,
        "credential": None,
        "provider": service.provider.xroad_address,
        "service": service.xroad_address,
        "version": "v1",
        "endpoint": "GET /entities/{bin}",
        "grant": None,
        "subject_id": None,
        "user_id": "EE:alice",
        "issue": None,
        "client_ip": "127.0.0.1",
        "status": 200,
        "error": None,
        "request_bytes": 0,
        "response_bytes": 321,
        "request_sha256": None,
        "response_sha256": "ab" * 32,
        "node": "gateway",
        **extra,
    }


def _wire(entries: list[Entry]) -> str:
    return json.dumps(
        {
            "records": [
                {"chain": e.chain, "seq": e.seq, "hash": e.hash, "body": e.body} for e in entries
            ]
        }
    )


def _ship(token: str, entries: list[Entry]) -> Any:
    return Client().post(
        URL, _wire(entries), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_only_gateways_may_ship(world) -> None:  # type: ignore[no-untyped-def]
    entry = Chain("gw-a").append(_fields(world))
    anonymous = Client().post(URL, _wire([entry]), content_type="application/json")
    assert anonymous.status_code == 401
    assert anonymous["Content-Type"] == "application/problem+json"
    assert anonymous.json()["code"] == "gateway_unauthenticated"
    wrong = _ship("egw_not-a-token", [entry])
    assert wrong.json()["code"] == "gateway_unauthenticated"
    # A person's API token is not a gateway token.
    person = world.client("operator").post(URL, _wire([entry]), content_type="application/json")
    assert person.status_code == 401
    assert not CallRecord.objects.exists()


def test_a_record_becomes_a_call_record_with_its_references(world) -> None:  # type: ignore[no-untyped-def]
    grant = _grant(world)
    node, token = issue_gateway_token("gw-test")
    key = issuing.issue_api_key(world.consumer_system, "prod").credential
    chain = Chain("gw-test-1")
    entries = [
        chain.append(
            _fields(
                world,
                grant=grant.pk,
                credential=f"api_key:{key.prefix}",
                subject_id="870412300415",
                consent="cns-42",
            )
        ),
        chain.append(_fields(world, request_id="req-2", status=403, error="no_grant")),
    ]
    response = _ship(token, entries)
    assert response.status_code == 200, response.content
    assert response.json() == {"accepted": 2, "rejected": []}
    record = CallRecord.objects.get(chain="gw-test-1", seq=1)
    assert record.record_hash == entries[0].hash
    assert record.node == node
    assert record.consumer_system == world.consumer_system
    assert record.service == world.version.service
    assert record.grant == grant
    assert record.consent_id == "cns-42"
    assert record.subject_id == "870412300415"
    assert record.credential == f"api_key:{key.prefix}"
    assert record.started_at == datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC)
    assert (record.status, record.response_bytes, record.latency_ms) == (200, 321, 20.5)
    assert CallRecord.objects.get(seq=2).error == "no_grant"
    node.refresh_from_db()
    assert node.last_seen_at is not None


def test_shipping_twice_changes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    _node, token = issue_gateway_token("gw-test")
    chain = Chain("gw-twice")
    entries = [chain.append(_fields(world, request_id=f"r{n}")) for n in range(3)]
    assert _ship(token, entries[:2]).json()["accepted"] == 2
    assert _ship(token, entries).json()["accepted"] == 3
    assert _ship(token, entries + entries).json()["accepted"] == 3
    assert CallRecord.objects.filter(chain="gw-twice").count() == 3


def test_an_altered_record_is_refused_alone(world) -> None:  # type: ignore[no-untyped-def]
    _node, token = issue_gateway_token("gw-test")
    chain = Chain("gw-tamper")
    good, bad = chain.append(_fields(world)), chain.append(_fields(world, request_id="r2"))
    altered = Entry(bad.chain, bad.seq, bad.hash, bad.body.replace('"status":200', '"status":201'))
    moved = Entry(good.chain, 7, good.hash, good.body)
    response = _ship(token, [good, altered, moved])
    assert response.status_code == 200
    assert response.json()["accepted"] == 1
    assert {(r["seq"], r["code"]) for r in response.json()["rejected"]} == {
        (2, "hash_mismatch"),
        (7, "position_mismatch"),
    }
    assert list(CallRecord.objects.values_list("seq", flat=True)) == [1]


def test_unknown_addresses_and_grants_stay_unresolved(world) -> None:  # type: ignore[no-untyped-def]
    _node, token = issue_gateway_token("gw-test")
    entry = Chain("gw-unknown").append(
        _fields(world, consumer="KZ/COM/999/none", service="XX/GOV/1/a/b", grant=999_999)
    )
    assert _ship(token, [entry]).json()["accepted"] == 1
    record = CallRecord.objects.get()
    assert (record.consumer_system, record.service, record.grant) == (None, None, None)
    assert record.consumer == "KZ/COM/999/none"


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        json.dumps({"records": "x"}),
        json.dumps({"records": [{"chain": "c", "seq": 0, "hash": "00", "body": "{}"}]}),
        json.dumps({"records": [{"chain": "c", "seq": 1, "hash": "z" * 64, "body": "{}"}]}),
    ],
)
def test_malformed_batches_are_problems_not_errors(world, payload) -> None:  # type: ignore[no-untyped-def]
    _node, token = issue_gateway_token("gw-test")
    response = Client().post(
        URL, payload, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"


def test_unusable_fields_are_refused_with_a_reason(world) -> None:  # type: ignore[no-untyped-def]
    _node, token = issue_gateway_token("gw-test")
    chain = Chain("gw-fields")
    entries = [
        chain.append(_fields(world, started_at="yesterday")),
        chain.append(_fields(world, status="ok")),
        chain.append(_fields(world, response_bytes=-1)),
        chain.append(_fields(world, kind="other")),
        chain.append(_fields(world, user_id="x\x00" + "y" * 500)),
    ]
    response = _ship(token, entries).json()
    assert [r["seq"] for r in response["rejected"]] == [1, 2, 3, 4]
    assert {r["code"] for r in response["rejected"]} == {"invalid_field"}
    assert CallRecord.objects.get().user_id == "x" + "y" * 199  # cut to the column, NUL gone


def test_credential_last_use_is_recorded_but_not_on_every_call(world) -> None:  # type: ignore[no-untyped-def]
    node, _token = issue_gateway_token("gw-test")
    key = issuing.issue_api_key(world.consumer_system, "prod").credential
    certificate = ClientCertificate.objects.create(
        system=world.consumer_system, fingerprint="cd" * 32
    )
    base = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=1)
    chain = Chain("gw-use")

    def call(at: datetime.datetime, credential: str) -> usage.Shipped:
        entry = chain.append(_fields(world, started_at=at.isoformat(), credential=credential))
        return usage.Shipped(entry.chain, entry.seq, entry.hash, entry.body)

    usage.ingest(node, [call(base, f"api_key:{key.prefix}")])
    key.refresh_from_db()
    assert key.last_used_at == base
    # Within the resolution: no write.
    usage.ingest(node, [call(base + datetime.timedelta(seconds=20), f"api_key:{key.prefix}")])
    assert ApiKey.objects.get(pk=key.pk).last_used_at == base
    # An older record arriving late never moves it back.
    usage.ingest(node, [call(base - datetime.timedelta(minutes=30), f"api_key:{key.prefix}")])
    assert ApiKey.objects.get(pk=key.pk).last_used_at == base
    later = base + datetime.timedelta(minutes=5)
    usage.ingest(
        node,
        [
            call(later, f"api_key:{key.prefix}"),
            call(later, f"certificate:{certificate.fingerprint}"),
        ],
    )
    assert ApiKey.objects.get(pk=key.pk).last_used_at == later
    assert ClientCertificate.objects.get(pk=certificate.pk).last_used_at == later


def test_the_credentials_page_and_api_show_last_use(world) -> None:  # type: ignore[no-untyped-def]
    node, _token = issue_gateway_token("gw-test")
    key = issuing.issue_api_key(world.consumer_system, "prod").credential
    certificate = ClientCertificate.objects.create(
        system=world.consumer_system, fingerprint="ef" * 32
    )
    at = datetime.datetime(2026, 2, 3, 4, 5, tzinfo=datetime.UTC)
    chain = Chain("gw-shown")
    for credential in (f"api_key:{key.prefix}", f"certificate:{certificate.fingerprint}"):
        entry = chain.append(_fields(world, started_at=at.isoformat(), credential=credential))
        usage.ingest(node, [usage.Shipped(entry.chain, entry.seq, entry.hash, entry.body)])
    listing = world.client("integrator").get("/api/bridge/systems/CONS/crm/credentials").json()
    [shown_key] = [k for k in listing["api_keys"] if k["prefix"] == key.prefix]
    assert shown_key["last_used_at"].startswith("2026-02-03T04:05")
    [shown_cert] = [c for c in listing["certificates"] if c["fingerprint"] == "ef" * 32]
    assert shown_cert["last_used_at"].startswith("2026-02-03T04:05")


def test_snapshots_carry_durability_and_body_storage(world) -> None:  # type: ignore[no-untyped-def]
    service = world.version.service
    Service.objects.filter(pk=service.pk).update(classification="personal")
    snapshots.publish()
    listed = {s["address"]: s for s in json.loads(snapshots.publish().body)["services"]}
    assert listed[service.xroad_address]["log_durability"] == "sync"
    assert listed[service.xroad_address]["store_bodies"] is False
    Service.objects.filter(pk=service.pk).update(
        classification="public", log_durability="", store_bodies=True
    )
    listed = {s["address"]: s for s in json.loads(snapshots.publish().body)["services"]}
    assert listed[service.xroad_address]["log_durability"] == "async"
    assert listed[service.xroad_address]["store_bodies"] is True
    Service.objects.filter(pk=service.pk).update(log_durability="sync")
    listed = {s["address"]: s for s in json.loads(snapshots.publish().body)["services"]}
    assert listed[service.xroad_address]["log_durability"] == "sync"
    assert GatewayNode.objects.count() == 0
