"""Compiling, signing and publishing policy snapshots (format: docs/reference/policy-snapshot.md).

A snapshot is canonical JSON (sorted keys, no spaces, UTF-8); the Ed25519 signature covers exactly
those bytes and travels beside them, so gateways verify without re-serialising. `publish()` compiles
the current policy and stores a new version only when something changed; signals call it after
every relevant commit, so approvals, revocations and key rotations reach gateways at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from egov.bridge import issuing, signing
from egov.bridge.choices import GrantStatus, Lifecycle
from egov.bridge.models import (
    ApiKey,
    ClientCertificate,
    Grant,
    PolicySnapshot,
    Service,
    SigningKey,
)

FORMAT = "egov-policy-snapshot/1"
NOTIFY_CHANNEL = "egov_policy_snapshot"
log = logging.getLogger(__name__)


def canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _consent_registry() -> dict[str, str] | None:
    """Where gateways check consents, relative to the control plane; None without a registry."""
    try:
        return {
            "check": reverse("consent-gateway-check"),
            "changes": reverse("consent-gateway-changes"),
        }
    except NoReverseMatch:
        return None  # personal-data calls are refused unless the snapshot lists consents


def compile_policy() -> dict[str, Any]:
    """Everything a gateway enforces, without version and time."""
    now = timezone.now()
    services = []
    for service in Service.objects.select_related("provider__organization").prefetch_related(
        "versions"
    ):
        versions = [
            {
                "version": version.version,
                "status": version.status,
                "endpoints": version.endpoints,
                "rate_per_minute": version.rate_per_minute,
                "quota_per_day": version.quota_per_day,
            }
            for version in service.versions.all()
            if version.status in (Lifecycle.PUBLISHED, Lifecycle.DEPRECATED)
        ]
        if not versions:
            continue
        services.append(
            {
                "address": service.xroad_address,
                "passport": service.passport_id,
                "provider": service.provider.xroad_address,
                "code": service.code,
                "classification": service.classification,
                "upstream": service.upstream_url,
                "timeout_ms": service.timeout_ms,
                "log_durability": service.effective_log_durability,
                "store_bodies": service.store_bodies,
                "versions": sorted(versions, key=lambda v: v["version"]),
            }
        )
    grants = [
        {
            "id": grant.pk,
            "consumer": grant.consumer.xroad_address,
            "service": grant.version.service.xroad_address,
            "version": grant.version.version,
            "endpoints": sorted([e["method"], e["path"]] for e in grant.endpoints),
            "valid_from": _iso(grant.valid_from),
            "valid_until": _iso(grant.valid_until),
            "rate_per_minute": grant.rate_per_minute,
            "quota_per_day": grant.quota_per_day,
            "ip_ranges": sorted(grant.ip_ranges),
        }
        for grant in Grant.objects.filter(status=GrantStatus.ACTIVE, valid_until__gt=now)
        .select_related("consumer__organization", "version__service__provider__organization")
        .order_by("pk")
    ]
    api_keys = [
        {
            "hash": key.key_hash,
            "prefix": key.prefix,
            "system": key.system.xroad_address,
            "expires_at": _iso(key.expires_at),
        }
        for key in ApiKey.objects.usable(now).select_related("system__organization").order_by("pk")
    ]
    certificates = [
        {"fingerprint": cert.fingerprint, "system": cert.system.xroad_address}
        for cert in ClientCertificate.objects.filter(revoked_at__isnull=True)
        .select_related("system__organization")
        .order_by("pk")
    ]
    return {
        "format": FORMAT,
        "instance": settings.COUNTRY.xroad_instance,
        "services": services,
        "grants": grants,
        "credentials": {
            "api_keys": api_keys,
            "oauth": {
                "issuer": settings.SITE_URL,
                "audience": issuing.TOKEN_AUDIENCE,
                "jwks": issuing.jwks(),
            },
            "certificates": certificates,
        },
        # Consents are not listed here (there may be millions): gateways ask the consent
        # registry per consumer and subject and follow its change feed (docs/gateway.md).
        "consents": [],
        "consent_registry": _consent_registry(),
        "snapshot_keys": [
            {"kid": key.kid, "public_key": key.public_key, "retired": key.retired_at is not None}
            for key in signing.published(SigningKey.Purpose.SNAPSHOT)
        ],
    }


def publish() -> PolicySnapshot:
    """Store and announce a new version if the policy changed; otherwise return the latest."""
    key = signing.current(SigningKey.Purpose.SNAPSHOT)  # first, so the snapshot lists it
    policy = compile_policy()
    content_hash = hashlib.sha256(canonical(policy)).hexdigest()
    for _attempt in range(5):
        latest = PolicySnapshot.objects.order_by("-version").first()
        if latest is not None and latest.content_hash == content_hash:
            return latest
        version = (latest.version if latest else 0) + 1
        document = {**policy, "version": version, "issued_at": timezone.now().isoformat()}
        body = canonical(document)
        try:
            with transaction.atomic():
                snapshot = PolicySnapshot.objects.create(
                    version=version,
                    etag=hashlib.sha256(body).hexdigest(),
                    content_hash=content_hash,
                    body=body.decode(),
                    signature=key.sign(body),
                    kid=key.kid,
                )
        except IntegrityError:
            continue  # another process published this version first; compare again
        _announce(snapshot.version)
        return snapshot
    raise RuntimeError("could not publish a policy snapshot")


def _announce(version: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, str(version)])


def publish_after_commit() -> None:
    """Called by signals: compile once the change is committed (a failure must not undo it)."""

    def run() -> None:
        try:
            publish()
        except Exception:  # the change stands; the next change or `egov bridge publish` retries
            log.exception("publishing a policy snapshot failed")

    transaction.on_commit(run)
