"""Writing and verifying the audit log.

`record()` appends one hash-chained record; `verify_chain()` walks the chain and names the
first record whose hash or link does not hold. Who acted, and from where, comes from the request
being served (see AuditContextMiddleware) unless given explicitly.
"""

from __future__ import annotations

import contextvars
import datetime
import decimal
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from egov.core.models.audit import GENESIS_HASH, AuditRecord


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    ip: str | None


_current_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar(
    "egov_audit_actor", default=None
)

# Never copied into the log, whatever model they sit on.
SECRET_FIELDS = frozenset(
    {
        "password",
        "key",
        "secret",
        "token",
        "otp_secret",
        "key_hash",
        "secret_hash",
        "token_hash",
        "private_key_encrypted",
    }
)
# Changes that are bookkeeping, not decisions.
NOISE_FIELDS = frozenset({"last_login", "updated_at"})

_PG_LOCK_KEY = 0x45474F56  # "EGOV": serialises chain extension on PostgreSQL


@contextmanager
def acting_as(actor: Actor | None) -> Iterator[None]:
    token = _current_actor.set(actor)
    try:
        yield
    finally:
        _current_actor.reset(token)


def current_actor() -> Actor | None:
    return _current_actor.get()


def snapshot(instance: models.Model) -> dict[str, Any]:
    """A JSON-safe picture of a model's own columns, without secrets."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in SECRET_FIELDS or field.name in NOISE_FIELDS:
            continue
        data[field.attname] = _json_safe(getattr(instance, field.attname))
    return data


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return str(value)


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that differ, on both sides."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def record(
    action: str,
    *,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> AuditRecord:
    """Append one record to the chain."""
    actor = actor or current_actor() or Actor(None, "system", None)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
    entry = AuditRecord(
        at=timezone.now(),
        actor_id=actor.user_id,
        actor_name=actor.name[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        before=before,
        after=after,
        detail=_json_safe(detail) if detail is not None else None,
        ip=actor.ip,
    )
    for _attempt in range(20):
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
                last = AuditRecord.objects.order_by("-seq").only("seq", "hash").first()
                entry.seq = last.seq + 1 if last else 1
                entry.prev_hash = last.hash if last else GENESIS_HASH
                entry.hash = entry.compute_hash()
                entry.save(force_insert=True)
                return entry
        except IntegrityError:
            entry.pk = None  # another writer took this number: read the new tail and retry
    raise RuntimeError("could not extend the audit chain after 20 attempts")


@dataclass(frozen=True)
class Verification:
    checked: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_chain(batch_size: int = 2000) -> Verification:
    """Recompute every hash and link in order; stop at the first record that does not hold."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in AuditRecord.objects.order_by("seq").iterator(chunk_size=batch_size):
        if entry.seq != expected_seq:
            return Verification(checked, entry.seq, f"record {expected_seq} is missing")
        if entry.prev_hash != expected_prev:
            return Verification(checked, entry.seq, "the link to the previous record is broken")
        if entry.compute_hash() != entry.hash:
            return Verification(checked, entry.seq, "the content does not match its hash")
        expected_prev = entry.hash
        expected_seq += 1
        checked += 1
    return Verification(checked)
