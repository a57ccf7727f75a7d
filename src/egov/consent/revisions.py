"""Signed, hash-chained consent revisions: writing them and proving them.

Each revision's content is the consent's full terms at that moment, as canonical JSON. Its hash is
SHA-256 over the previous revision's hash, a newline and that JSON; the first revision links to
SHA-256 of ``egov-consent/1:{consent id}``. The hash is signed with the registry's Ed25519 key
(`egov.bridge.signing`, purpose ``consent``; public keys at /api/consent/keys), so an auditor can
prove what was agreed when without trusting the database.

Revisions are also the gateways' change feed: their ids are the feed cursor. On PostgreSQL writers
take one advisory lock, so ids are committed in order and no gateway can skip a revision.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from egov.bridge import signing
from egov.bridge.models import SigningKey
from egov.bridge.snapshots import canonical
from egov.consent.models import Consent, ConsentRevision

KEY_PURPOSE = SigningKey.Purpose.CONSENT
_PG_LOCK_KEY = 0x65676F76636E73  # "egovcns"


def genesis(public_id: str) -> str:
    return hashlib.sha256(f"egov-consent/1:{public_id}".encode()).hexdigest()


def chain_hash(prev_hash: str, content: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(content)).hexdigest()


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def content_of(consent: Consent, number: int, actor: str, reason: str, at: Any) -> dict[str, Any]:
    return {
        "format": "egov-consent-revision/1",
        "consent": consent.public_id,
        "revision": number,
        "status": consent.status,
        "subject": consent.subject_id,
        "consumer": consent.consumer.xroad_address,
        "services": sorted(service.xroad_address for service in consent.services.all()),
        "purpose": consent.purpose,
        "legal_basis": consent.legal_basis,
        "valid_from": _iso(consent.valid_from),
        "valid_until": _iso(consent.valid_until),
        "actor": actor,
        "reason": reason,
        "at": _iso(at),
    }


def lock_registry() -> None:
    """Serialise consent writers (PostgreSQL; SQLite has one writer at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def append(consent: Consent, actor: str, reason: str = "") -> ConsentRevision:
    """Record the consent's current state as its next revision (inside the caller's transaction)."""
    with transaction.atomic():
        lock_registry()
        previous = consent.revisions.order_by("-number").only("number", "hash").first()
        number = previous.number + 1 if previous else 1
        prev_hash = previous.hash if previous else genesis(consent.public_id)
        at = timezone.now()
        content = content_of(consent, number, actor, reason, at)
        digest = chain_hash(prev_hash, content)
        key = signing.current(KEY_PURPOSE)
        return ConsentRevision.objects.create(
            consent=consent,
            number=number,
            status=consent.status,
            content=content,
            prev_hash=prev_hash,
            hash=digest,
            kid=key.kid,
            signature=key.sign(digest.encode()),
            created_at=at,
        )


def public_keys() -> dict[str, str]:
    return dict(SigningKey.objects.filter(purpose=KEY_PURPOSE).values_list("kid", "public_key"))


@dataclass
class ChainCheck:
    consent: str
    revisions: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(consent: Consent, keys: dict[str, str] | None = None) -> ChainCheck:
    """Recompute the chain and check every signature; each problem names the revision."""
    keys = public_keys() if keys is None else keys
    check = ChainCheck(consent.public_id)
    expected_prev = genesis(consent.public_id)
    last: ConsentRevision | None = None
    for index, revision in enumerate(consent.revisions.order_by("number"), start=1):
        check.revisions += 1
        where = f"revision {revision.number}"
        if revision.number != index:
            check.problems.append(f"{where}: expected number {index} (a revision is missing)")
        if revision.prev_hash != expected_prev:
            check.problems.append(f"{where}: does not link to the previous revision")
        if chain_hash(revision.prev_hash, revision.content) != revision.hash:
            check.problems.append(f"{where}: content does not match its hash")
        if revision.content.get("status") != revision.status:
            check.problems.append(f"{where}: status differs from the signed content")
        public = keys.get(revision.kid)
        if public is None or not signing.verify(public, revision.hash.encode(), revision.signature):
            check.problems.append(f"{where}: signature does not verify")
        expected_prev = revision.hash
        last = revision
    if last is None:
        check.problems.append("no revisions")
    elif last.status != consent.status:
        check.problems.append(
            f"the consent says {consent.status}, its last signed revision says {last.status}"
        )
    return check
