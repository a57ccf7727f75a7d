"""Gateways' message-log records arriving at the control plane: check, resolve, upsert.

A gateway ships each record exactly as its log stores it: chain, sequence number, hash and the
canonical JSON body. The hash is recomputed here (SHA-256 of ``prev`` + LF + body), so a record
that was altered on the way is refused rather than stored. Records are upserted by
``(chain, seq)``, which makes shipping at-least-once safe: a batch sent twice changes nothing.

A record that cannot be used (bad hash, unreadable fields) is refused on its own and named in
the answer; the rest of the batch is stored. The evidence itself stays in the gateway's log.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from egov.bridge.models import ApiKey, CallRecord, ClientCertificate, GatewayNode, Grant, Service
from egov.core.models import InformationSystem

# Credential last-use times are kept to this resolution: a busy key is written about once a
# minute, not on every call.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
KINDS = frozenset({"call", "outcome"})
# Record field → CallRecord column for the plain text columns (cut to the column's length).
_TEXT = {
    "request_id": "request_id",
    "consumer": "consumer",
    "credential": "credential",
    "provider": "provider",
    "service": "service_address",
    "version": "version",
    "endpoint": "endpoint",
    "subject_id": "subject_id",
    "consent": "consent_id",
    "user_id": "user_id",
    "issue": "issue",
    "error": "error",
}
_LENGTHS = {f.name: f.max_length for f in CallRecord._meta.concrete_fields}
_UPDATED = [
    f.name
    for f in CallRecord._meta.concrete_fields
    if f.name not in ("id", "chain", "seq", "received_at")
]


@dataclass(frozen=True)
class Shipped:
    """One record as a gateway sends it."""

    chain: str
    seq: int
    hash: str
    body: str


@dataclass
class Outcome:
    accepted: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)


class Unusable(ValueError):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _text(value: Any, column: str) -> str:
    if value is None:
        return ""
    length = _LENGTHS.get(column) or 200
    # NUL cannot be stored by PostgreSQL; the gateway's own log keeps the exact value.
    return str(value).replace("\x00", "")[:length]


def _count(value: Any, name: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise Unusable("invalid_field", f"{name} must be a non-negative integer.")
    return value


def _time(value: Any) -> datetime.datetime:
    if not isinstance(value, str):
        raise Unusable("invalid_field", "started_at must be an ISO 8601 timestamp.")
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise Unusable("invalid_field", "started_at must be an ISO 8601 timestamp.") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def parse(shipped: Shipped) -> dict[str, Any]:
    """The record's fields after checking that they are the ones its hash covers."""
    try:
        fields = json.loads(shipped.body)
    except ValueError as error:
        raise Unusable("invalid_body", "The body is not JSON.") from error
    if not isinstance(fields, dict):
        raise Unusable("invalid_body", "The body is not a JSON object.")
    if fields.get("chain") != shipped.chain or fields.get("seq") != shipped.seq:
        raise Unusable("position_mismatch", "The body names another chain or sequence number.")
    prev = fields.get("prev")
    if not isinstance(prev, str):
        raise Unusable("invalid_body", "The body has no previous hash.")
    digest = hashlib.sha256(prev.encode() + b"\n" + shipped.body.encode()).hexdigest()
    if digest != shipped.hash:
        raise Unusable("hash_mismatch", "The record's hash does not match its body.")
    if fields.get("kind", "call") not in KINDS:
        raise Unusable("invalid_field", "kind must be call or outcome.")
    status = fields.get("status")
    if status is not None and (
        isinstance(status, bool) or not isinstance(status, int) or not 0 <= status < 1000
    ):
        raise Unusable("invalid_field", "status must be an HTTP status code.")
    latency = fields.get("latency_ms")
    if latency is not None and (
        isinstance(latency, bool) or not isinstance(latency, int | float) or latency < 0
    ):
        raise Unusable("invalid_field", "latency_ms must be a non-negative number.")
    grant = fields.get("grant")
    if grant is not None and (isinstance(grant, bool) or not isinstance(grant, int)):
        raise Unusable("invalid_field", "grant must be a grant id.")
    return fields


def _build(shipped: Shipped, fields: Mapping[str, Any], node: GatewayNode) -> CallRecord:
    record = CallRecord(
        chain=shipped.chain,
        seq=shipped.seq,
        record_hash=shipped.hash,
        node=node,
        kind=fields.get("kind", "call"),
        started_at=_time(fields.get("started_at")),
        latency_ms=fields.get("latency_ms"),
        status=fields.get("status"),
        request_bytes=_count(fields.get("request_bytes"), "request_bytes"),
        response_bytes=_count(fields.get("response_bytes"), "response_bytes"),
    )
    for name, column in _TEXT.items():
        setattr(record, column, _text(fields.get(name), column))
    return record


class _Resolver:
    """Addresses and ids in records → rows, looked up once per batch."""

    def __init__(self, records: list[tuple[CallRecord, Mapping[str, Any]]]) -> None:
        self.systems = _by_address(
            InformationSystem.objects.select_related("organization"),
            {r.consumer for r, _ in records if r.consumer},
            lambda parts: {
                "organization__member_class": parts[1],
                "organization__member_code": parts[2],
                "subsystem_code": parts[3],
            },
            4,
        )
        self.services = _by_address(
            Service.objects.select_related("provider__organization"),
            {r.service_address for r, _ in records if r.service_address},
            lambda parts: {
                "provider__organization__member_class": parts[1],
                "provider__organization__member_code": parts[2],
                "provider__subsystem_code": parts[3],
                "code": parts[4],
            },
            5,
        )
        grant_ids = {f["grant"] for _, f in records if isinstance(f.get("grant"), int)}
        self.grants = set(
            Grant.objects.filter(pk__in=[g for g in grant_ids if 0 < g < 2**63]).values_list(
                "pk", flat=True
            )
        )

    def apply(self, record: CallRecord, fields: Mapping[str, Any]) -> None:
        record.consumer_system = self.systems.get(record.consumer)
        record.service = self.services.get(record.service_address)
        grant = fields.get("grant")
        record.grant_id = grant if grant in self.grants else None


def _by_address(
    queryset: models.QuerySet[Any], addresses: Iterable[str], lookup: Any, parts: int
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    condition = models.Q(pk__in=[])
    for address in addresses:
        pieces = address.split("/")
        if len(pieces) == parts:
            condition |= models.Q(**lookup(pieces))
    for row in queryset.filter(condition):
        found[row.xroad_address] = row  # the instance part is checked by comparing addresses
    return found


def _touch_credentials(records: Iterable[CallRecord]) -> None:
    """Move last-use times forward, at most once per LAST_USED_RESOLUTION per credential."""
    latest: dict[str, datetime.datetime] = {}
    for record in records:
        if record.credential and record.kind == "call":
            seen = latest.get(record.credential)
            if seen is None or record.started_at > seen:
                latest[record.credential] = record.started_at
    now = timezone.now()
    for credential, used_at in latest.items():
        method, _sep, identifier = credential.partition(":")
        model: type[ApiKey] | type[ClientCertificate]
        if method == "api_key":
            model, lookup = ApiKey, {"prefix": identifier}
        elif method == "certificate":
            model, lookup = ClientCertificate, {"fingerprint": identifier}
        else:
            continue  # OAuth clients: the token endpoint records their use when it issues tokens
        used_at = min(used_at, now)  # a gateway's clock ahead of ours must not set the future
        model.objects.filter(**lookup).filter(
            models.Q(last_used_at__isnull=True)
            | models.Q(last_used_at__lt=used_at - LAST_USED_RESOLUTION)
        ).update(last_used_at=used_at)


def ingest(node: GatewayNode, batch: Iterable[Shipped]) -> Outcome:
    """Store a batch from ``node``; see the module docstring."""
    outcome = Outcome()
    records: list[tuple[CallRecord, Mapping[str, Any]]] = []
    # One row per position: PostgreSQL refuses to upsert the same row twice in one statement.
    unique = {(shipped.chain, shipped.seq): shipped for shipped in batch}
    for shipped in unique.values():
        try:
            fields = parse(shipped)
            records.append((_build(shipped, fields, node), fields))
        except Unusable as error:
            outcome.rejected.append(
                {
                    "chain": shipped.chain,
                    "seq": shipped.seq,
                    "code": error.code,
                    "detail": error.detail,
                }
            )
    resolver = _Resolver(records)
    for record, values in records:
        resolver.apply(record, values)
    with transaction.atomic():
        if records:
            CallRecord.objects.bulk_create(
                [record for record, _ in records],
                update_conflicts=True,
                unique_fields=["chain", "seq"],
                update_fields=_UPDATED,
            )
        _touch_credentials(record for record, _ in records)
        GatewayNode.objects.filter(pk=node.pk).update(last_seen_at=timezone.now())
    outcome.accepted = len(records)
    return outcome
