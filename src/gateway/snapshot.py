"""Policy snapshots: verifying the signed bytes, compiling them into lookup tables, keeping them.

The format is ``egov-policy-snapshot/1`` (docs/reference/policy-snapshot.md). A snapshot is
accepted only when its Ed25519 signature over the exact body bytes verifies with a trusted key;
a trusted snapshot may then introduce further keys (``snapshot_keys``), which is how the control
plane rotates its key without reconfiguring gateways. The last good snapshot is stored on disk
(body, signature header and when it was last confirmed current) so that a restarted gateway can
serve while the control plane is away.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from gateway import crypto
from gateway.matching import InvalidPathTemplate, PathTemplate, best_match, normalise_method

FORMAT: Final = "egov-policy-snapshot/1"
_SIGNATURE_PART: Final = re.compile(r'\s*(\w+)\s*=\s*"([^"]*)"\s*')

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class SnapshotError(ValueError):
    """A snapshot that must not be used; the message says why."""


def parse_signature_header(header: str) -> tuple[str, str]:
    """``kid="…", sig="…"`` → ``(kid, sig)``."""
    parts: dict[str, str] = {}
    for piece in header.split(","):
        found = _SIGNATURE_PART.fullmatch(piece)
        if found is None:
            raise SnapshotError("the Egov-Signature header is malformed")
        parts[found.group(1)] = found.group(2)
    if not parts.get("kid") or not parts.get("sig"):
        raise SnapshotError("the Egov-Signature header needs kid and sig")
    return parts["kid"], parts["sig"]


def _timestamp(value: Any) -> float | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise SnapshotError(f"{value!r} is not a timestamp")
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise SnapshotError(f"{value!r} is not an ISO 8601 timestamp") from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed.timestamp()


def _endpoints(raw: Iterable[Any]) -> tuple[tuple[str, PathTemplate], ...]:
    endpoints = []
    for pair in raw:
        method, path = pair[0], pair[1]
        try:
            endpoints.append((normalise_method(method), PathTemplate(path)))
        except (ValueError, InvalidPathTemplate) as error:
            raise SnapshotError(f"endpoint {method} {path}: {error}") from error
    return tuple(endpoints)


@dataclass(frozen=True, slots=True)
class Version:
    version: str
    status: str
    endpoints: tuple[tuple[str, PathTemplate], ...]
    by_method: Mapping[str, tuple[PathTemplate, ...]]
    rate_per_minute: int | None
    quota_per_day: int | None

    def endpoint(self, method: str, path: str) -> PathTemplate | None:
        """The most specific endpoint template of ``method`` that ``path`` is an instance of."""
        templates = self.by_method.get(method)
        if not templates:
            return None
        found = best_match(templates, path)
        return found[0] if found else None


@dataclass(frozen=True, slots=True)
class Service:
    address: str
    passport: str
    provider: str
    code: str
    classification: str
    upstream: str
    timeout_seconds: float
    versions: Mapping[str, Version]
    default_version: str
    raw: Mapping[str, Any]

    @property
    def personal(self) -> bool:
        return self.classification == "personal"


@dataclass(frozen=True, slots=True)
class Grant:
    id: int
    consumer: str
    service: str
    version: str
    endpoints: frozenset[tuple[str, str]]
    valid_from: float | None
    valid_until: float | None
    rate_per_minute: int | None
    quota_per_day: int | None
    ip_ranges: tuple[IPNetwork, ...]

    def covers(self, method: str, template: str) -> bool:
        return (method, template) in self.endpoints

    def valid_at(self, now: float) -> bool:
        if self.valid_from is not None and now < self.valid_from:
            return False
        return self.valid_until is None or now < self.valid_until

    def allows_address(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
        if not self.ip_ranges:
            return True  # the grant names no ranges: any source address
        if address is None:
            return False
        return any(address in network for network in self.ip_ranges)


@dataclass(frozen=True, slots=True)
class ApiKey:
    system: str
    prefix: str
    expires_at: float | None


@dataclass(frozen=True, slots=True)
class Consent:
    """A data subject's consent to one consumer for one service (format: docs/gateway.md)."""

    id: str
    subject: str
    consumer: str
    service: str
    valid_from: float | None
    valid_until: float | None

    def valid_at(self, now: float) -> bool:
        if self.valid_from is not None and now < self.valid_from:
            return False
        return self.valid_until is None or now < self.valid_until


@dataclass(frozen=True, slots=True)
class ConsentRegistryRef:
    """Where the control plane's consent registry answers (paths on the control plane)."""

    check: str
    changes: str


@dataclass(frozen=True)
class Policy:
    """A verified snapshot compiled into the tables the request path looks things up in."""

    version: int
    issued_at: str
    instance: str
    etag: str
    services: Mapping[str, Service]
    grants: Mapping[tuple[str, str, str], tuple[Grant, ...]]
    grants_by_consumer: Mapping[str, tuple[Grant, ...]]
    api_keys: Mapping[str, ApiKey]
    oauth_issuer: str | None
    oauth_audience: str
    jwks: Mapping[str, Ed25519PublicKey]
    certificates: Mapping[str, str]
    consents: Mapping[tuple[str, str, str], tuple[Consent, ...]]
    snapshot_keys: tuple[tuple[str, str, bool], ...]
    systems: frozenset[str] = field(default_factory=frozenset)
    consent_registry: ConsentRegistryRef | None = None

    def grants_for(self, consumer: str, service: str, version: str) -> tuple[Grant, ...]:
        return self.grants.get((consumer, service, version), ())

    def consent_for(self, consumer: str, service: str, subject: str, now: float) -> Consent | None:
        for consent in self.consents.get((consumer, service, subject), ()):
            if consent.valid_at(now):
                return consent
        return None


def _version_key(name: str) -> tuple[tuple[int, str], ...]:
    """Natural order for version names (v2 < v10)."""
    return tuple(
        (int(part), "") if part.isdigit() else (-1, part) for part in re.split(r"(\d+)", name)
    )


def compile_policy(document: Mapping[str, Any], etag: str) -> Policy:
    """Turn a parsed snapshot into a :class:`Policy`; ``SnapshotError`` when it is malformed."""
    if document.get("format") != FORMAT:
        raise SnapshotError(f"unsupported snapshot format {document.get('format')!r}")
    try:
        return _compile(document, etag)
    except SnapshotError:
        raise
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise SnapshotError(f"malformed snapshot: {error!r}") from error


def _compile(document: Mapping[str, Any], etag: str) -> Policy:
    services: dict[str, Service] = {}
    for raw in document["services"]:
        versions: dict[str, Version] = {}
        for entry in raw["versions"]:
            endpoints = _endpoints(entry["endpoints"])
            by_method: dict[str, list[PathTemplate]] = {}
            for method, template in endpoints:
                by_method.setdefault(method, []).append(template)
            versions[entry["version"]] = Version(
                version=entry["version"],
                status=entry.get("status", "published"),
                endpoints=endpoints,
                by_method={method: tuple(items) for method, items in by_method.items()},
                rate_per_minute=entry.get("rate_per_minute"),
                quota_per_day=entry.get("quota_per_day"),
            )
        if not versions:
            continue
        published = [name for name, v in versions.items() if v.status == "published"]
        default = max(published or list(versions), key=_version_key)
        services[raw["address"]] = Service(
            address=raw["address"],
            passport=raw.get("passport", ""),
            provider=raw["provider"],
            code=raw["code"],
            classification=raw.get("classification", "restricted"),
            upstream=raw["upstream"].rstrip("/"),
            timeout_seconds=float(raw.get("timeout_ms") or 10000) / 1000.0,
            versions=versions,
            default_version=default,
            raw=raw,
        )
    grants: dict[tuple[str, str, str], list[Grant]] = {}
    by_consumer: dict[str, list[Grant]] = {}
    for raw in document["grants"]:
        grant = Grant(
            id=int(raw["id"]),
            consumer=raw["consumer"],
            service=raw["service"],
            version=raw["version"],
            endpoints=frozenset(
                (method, str(template)) for method, template in _endpoints(raw["endpoints"])
            ),
            valid_from=_timestamp(raw.get("valid_from")),
            valid_until=_timestamp(raw.get("valid_until")),
            rate_per_minute=raw.get("rate_per_minute"),
            quota_per_day=raw.get("quota_per_day"),
            ip_ranges=tuple(
                ipaddress.ip_network(text, strict=False) for text in raw.get("ip_ranges") or ()
            ),
        )
        grants.setdefault((grant.consumer, grant.service, grant.version), []).append(grant)
        by_consumer.setdefault(grant.consumer, []).append(grant)
    credentials = document.get("credentials") or {}
    api_keys = {
        entry["hash"].lower(): ApiKey(
            system=entry["system"],
            prefix=entry.get("prefix", ""),
            expires_at=_timestamp(entry.get("expires_at")),
        )
        for entry in credentials.get("api_keys") or ()
    }
    oauth = credentials.get("oauth") or {}
    jwks: dict[str, Ed25519PublicKey] = {}
    for key in (oauth.get("jwks") or {}).get("keys") or ():
        if key.get("kty") == "OKP" and key.get("crv") == "Ed25519" and key.get("kid"):
            jwks[key["kid"]] = crypto.public_key(key["x"])
    certificates = {
        entry["fingerprint"].lower().replace(":", ""): entry["system"]
        for entry in credentials.get("certificates") or ()
    }
    consents: dict[tuple[str, str, str], list[Consent]] = {}
    for raw in document.get("consents") or ():
        consent = Consent(
            id=str(raw.get("id", "")),
            subject=str(raw["subject"]),
            consumer=raw["consumer"],
            service=raw["service"],
            valid_from=_timestamp(raw.get("valid_from")),
            valid_until=_timestamp(raw.get("valid_until")),
        )
        consents.setdefault((consent.consumer, consent.service, consent.subject), []).append(
            consent
        )
    registry = document.get("consent_registry")
    consent_registry = (
        ConsentRegistryRef(check=str(registry["check"]), changes=str(registry["changes"]))
        if registry
        else None
    )
    systems: set[str] = set()
    systems.update(key.system for key in api_keys.values())
    systems.update(certificates.values())
    systems.update(service.provider for service in services.values())
    systems.update(consumer for consumer in by_consumer)
    return Policy(
        version=int(document["version"]),
        issued_at=str(document.get("issued_at", "")),
        instance=str(document.get("instance", "")),
        etag=etag,
        services=services,
        grants={key: tuple(value) for key, value in grants.items()},
        grants_by_consumer={key: tuple(value) for key, value in by_consumer.items()},
        api_keys=api_keys,
        oauth_issuer=oauth.get("issuer"),
        oauth_audience=oauth.get("audience") or "egov-gateway",
        jwks=jwks,
        certificates=certificates,
        consents={key: tuple(value) for key, value in consents.items()},
        snapshot_keys=tuple(
            (entry["kid"], entry["public_key"], bool(entry.get("retired")))
            for entry in document.get("snapshot_keys") or ()
        ),
        systems=frozenset(systems),
        consent_registry=consent_registry,
    )


class TrustStore:
    """Keys that may sign snapshots: configured ones, plus those a trusted snapshot introduced.

    Learned keys are persisted beside the snapshot, so a key rotation survives a restart while
    the control plane is down.
    """

    def __init__(self, configured: Mapping[str, str], learned_file: Path | None = None) -> None:
        self._configured = {kid: crypto.public_key(value) for kid, value in configured.items()}
        self._learned: dict[str, Ed25519PublicKey] = {}
        self._learned_text: dict[str, str] = {}
        self._file = learned_file
        if learned_file is not None and learned_file.exists():
            try:
                stored = json.loads(learned_file.read_text(encoding="utf-8"))
                for kid, value in stored.items():
                    self._learned[kid] = crypto.public_key(value)
                    self._learned_text[kid] = value
            except (ValueError, AttributeError, OSError):
                pass  # a damaged file only loses learned keys; configured ones still work

    def key(self, kid: str) -> Ed25519PublicKey | None:
        return self._configured.get(kid) or self._learned.get(kid)

    @property
    def kids(self) -> list[str]:
        return sorted(set(self._configured) | set(self._learned))

    def learn(self, keys: Iterable[tuple[str, str, bool]]) -> None:
        """Replace learned keys with the list from a verified snapshot."""
        learned: dict[str, Ed25519PublicKey] = {}
        text: dict[str, str] = {}
        for kid, value, _retired in keys:
            try:
                learned[kid] = crypto.public_key(value)
            except ValueError:
                continue
            text[kid] = value
        if text == self._learned_text:
            return
        self._learned, self._learned_text = learned, text
        if self._file is not None:
            atomic_write(self._file, json.dumps(text, sort_keys=True).encode())


def verify_snapshot(body: bytes, signature_header: str, trust: TrustStore) -> dict[str, Any]:
    """Check the signature over ``body`` and parse it; ``SnapshotError`` otherwise."""
    kid, signature = parse_signature_header(signature_header)
    key = trust.key(kid)
    if key is None:
        raise SnapshotError(f"snapshot signed with untrusted key {kid!r}")
    if not crypto.verify(key, signature, body):
        raise SnapshotError(f"snapshot signature by {kid!r} does not verify")
    try:
        document = json.loads(body)
    except ValueError as error:
        raise SnapshotError("snapshot body is not JSON") from error
    if not isinstance(document, dict):
        raise SnapshotError("snapshot body is not a JSON object")
    return document


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


@dataclass(frozen=True)
class StoredSnapshot:
    body: bytes
    signature: str
    etag: str
    confirmed_at: float


class SnapshotFile:
    """The last good snapshot on disk: the exact bytes, plus ``snapshot.meta.json``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.meta_path = path.with_name(path.stem + ".meta.json")

    def save(self, stored: StoredSnapshot) -> None:
        atomic_write(self.path, stored.body)
        self.save_meta(stored)

    def save_meta(self, stored: StoredSnapshot) -> None:
        meta = {
            "signature": stored.signature,
            "etag": stored.etag,
            "confirmed_at": stored.confirmed_at,
        }
        atomic_write(self.meta_path, json.dumps(meta).encode())

    def load(self) -> StoredSnapshot | None:
        try:
            body = self.path.read_bytes()
            meta = json.loads(self.meta_path.read_text(encoding="utf-8"))
            return StoredSnapshot(
                body=body,
                signature=str(meta["signature"]),
                etag=str(meta["etag"]),
                confirmed_at=float(meta["confirmed_at"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None


def now() -> float:
    return time.time()
