"""Snapshot verification, compilation, key rotation and the disk copy (no servers needed)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from gwtest import CONSUMER, Key, canonical

from gateway.snapshot import (
    SnapshotError,
    SnapshotFile,
    TrustStore,
    compile_policy,
    parse_signature_header,
)
from gateway.snapshot_client import PolicyHolder


def _document(version: int, keys: list[Key]) -> dict[str, object]:
    return {
        "format": "egov-policy-snapshot/1",
        "version": version,
        "issued_at": "2026-11-26T13:20:00+00:00",
        "instance": "KZ",
        "services": [
            {
                "address": "KZ/GOV/1/reg/svc",
                "passport": "X-S-0001",
                "provider": "KZ/GOV/1/reg",
                "code": "svc",
                "classification": "public",
                "upstream": "http://127.0.0.1:1/svc/",
                "timeout_ms": 1500,
                "versions": [
                    {"version": "v2", "status": "published", "endpoints": [["GET", "/a/{id}"]]},
                    {"version": "v10", "status": "published", "endpoints": [["get", "/a/b"]]},
                    {"version": "v1", "status": "deprecated", "endpoints": [["GET", "/a"]]},
                ],
            }
        ],
        "grants": [
            {
                "id": 1,
                "consumer": CONSUMER,
                "service": "KZ/GOV/1/reg/svc",
                "version": "v2",
                "endpoints": [["GET", "/a/{id}"]],
                "valid_from": "2020-01-01T00:00:00+00:00",
                "valid_until": None,
                "rate_per_minute": 5,
                "quota_per_day": None,
                "ip_ranges": [],
            }
        ],
        "credentials": {"api_keys": [], "oauth": {}, "certificates": []},
        "consents": [],
        "snapshot_keys": [{"kid": k.kid, "public_key": k.public, "retired": False} for k in keys],
    }


def _signed(document: dict[str, object], key: Key) -> tuple[bytes, str, str]:
    body = canonical(document)
    return body, f'kid="{key.kid}", sig="{key.sign(body)}"', hashlib.sha256(body).hexdigest()


def test_signature_header_parsing() -> None:
    assert parse_signature_header('kid="a", sig="b"') == ("a", "b")
    for bad in ("", 'kid="a"', "kid=a, sig=b", 'kid="a", sig=""'):
        with pytest.raises(SnapshotError):
            parse_signature_header(bad)


def test_compiled_policy() -> None:
    policy = compile_policy(_document(3, []), "etag")
    service = policy.services["KZ/GOV/1/reg/svc"]
    assert service.default_version == "v10"  # natural order: v10 is newer than v2
    assert service.upstream == "http://127.0.0.1:1/svc"
    assert service.timeout_seconds == 1.5
    template = service.versions["v2"].endpoint("GET", "/a/42")
    assert template is not None and template.template == "/a/{id}"
    assert service.versions["v10"].endpoint("GET", "/a/b") is not None  # method upper-cased
    grant = policy.grants_for(CONSUMER, "KZ/GOV/1/reg/svc", "v2")[0]
    assert grant.covers("GET", "/a/{id}") and not grant.covers("POST", "/a/{id}")
    assert grant.allows_address(None)  # no ranges: any source
    with pytest.raises(SnapshotError):
        compile_policy({**_document(1, []), "format": "other/1"}, "e")
    broken = _document(1, [])
    broken["grants"] = [{"id": 1}]
    with pytest.raises(SnapshotError):
        compile_policy(broken, "e")


def test_holder_verifies_rotates_and_refuses(tmp_path: Path) -> None:
    first, second, stranger = Key("k1"), Key("k2"), Key("evil")
    trust = TrustStore({first.kid: first.public}, tmp_path / "learned.json")
    holder = PolicyHolder(trust, SnapshotFile(tmp_path / "snapshot.json"))
    holder.accept(*_signed(_document(1, [first, second]), first), "test")
    assert holder.policy is not None and holder.policy.version == 1
    # The successor introduced by a trusted snapshot signs the next one.
    holder.accept(*_signed(_document(2, [second]), second), "test")
    assert holder.policy.version == 2
    with pytest.raises(SnapshotError, match="untrusted"):
        holder.accept(*_signed(_document(3, [stranger]), stranger), "test")
    body, signature, etag = _signed(_document(4, [second]), second)
    with pytest.raises(SnapshotError, match="does not verify"):
        holder.accept(body.replace(b'"version":4', b'"version":5'), signature, etag, "test")
    with pytest.raises(SnapshotError, match="older"):
        holder.accept(*_signed(_document(1, [second]), second), "test")
    assert holder.policy.version == 2
    assert json.loads((tmp_path / "learned.json").read_text()) == {second.kid: second.public}

    # A restart without the control plane: the disk copy verifies with the learned key.
    restarted = PolicyHolder(
        TrustStore({first.kid: first.public}, tmp_path / "learned.json"),
        SnapshotFile(tmp_path / "snapshot.json"),
    )
    assert restarted.load_from_disk()
    assert restarted.policy is not None and restarted.policy.version == 2
    assert restarted.source == "disk"
    # A tampered disk copy is refused.
    (tmp_path / "snapshot.json").write_bytes(
        (tmp_path / "snapshot.json").read_bytes().replace(b"127.0.0.1:1", b"10.9.9.9:1")
    )
    tampered = PolicyHolder(
        TrustStore({first.kid: first.public}, tmp_path / "learned.json"),
        SnapshotFile(tmp_path / "snapshot.json"),
    )
    assert not tampered.load_from_disk()
    assert tampered.policy is None
    assert "rejected" in (tampered.last_error or "")
