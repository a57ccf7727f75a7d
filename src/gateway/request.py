"""What the request path works with: the call record, identifiers, header rules, and the
identity headers sent to providers (``Egov-Gateway-Signature``, see docs/gateway.md).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import ipaddress
import itertools
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote

from gateway import crypto
from gateway.auth import Identity
from gateway.snapshot import Grant, Service

HOP_BY_HOP: Final = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"trailers",
        b"transfer-encoding",
        b"upgrade",
        b"proxy-connection",
    }
)
# Never forwarded upstream: hop-by-hop, length (recomputed), host, and gateway-only headers.
DROP_UPSTREAM: Final = HOP_BY_HOP | {
    b"host",
    b"content-length",
    b"expect",  # the body has been read already
    b"x-forwarded-for",
    b"forwarded",
}
DROP_DOWNSTREAM: Final = HOP_BY_HOP | {
    b"server",
    b"date",
    b"x-road-client",
    b"x-road-service",
    b"x-road-id",
    b"x-road-request-hash",
    b"x-road-request-id",
    b"x-road-error",
    b"x-request-id",
}
_REQUEST_ID_OK: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:"
)
SHA256_EMPTY: Final = hashlib.sha256(b"").hexdigest()
METADATA_SERVICES: Final = frozenset({"listMethods", "allowedMethods", "getOpenAPI"})
ASSERTION_SECONDS: Final = 30
GAUGE_SECONDS: Final = 5.0
SMALL_BODY: Final = 64 * 1024  # responses up to this size are read whole and sent at once


def unquote_part(part: str) -> str:
    return unquote(part) if "%" in part else part


@functools.lru_cache(maxsize=4096)
def ip_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text)


_ids: dict[str, Any] = {"pid": -1, "prefix": "", "counter": itertools.count(1)}


def new_id() -> str:
    """A unique id: a random per-process prefix and a counter (no system call per request)."""
    if _ids["pid"] != os.getpid():  # first use in this (possibly forked) process
        _ids.update(pid=os.getpid(), prefix=secrets.token_hex(8), counter=itertools.count(1))
    return f"{_ids['prefix']}{next(_ids['counter']):016x}"


def request_id(value: bytes | None) -> str:
    if value:
        text = value.decode("latin-1")
        if 0 < len(text) <= 128 and all(char in _REQUEST_ID_OK for char in text):
            return text
    return new_id()


def client_identifier(value: str) -> str | None:
    """``INSTANCE/CLASS/CODE/SUBSYSTEM`` with each part percent-decoded, or ``None``."""
    parts = [unquote_part(part) for part in value.strip().split("/")]
    if len(parts) != 4 or not all(parts):
        return None
    return "/".join(parts)


@dataclass(slots=True)
class Call:
    """What the request path learned about one call (for the log record and metrics)."""

    request_id: str
    message_id: str
    started: float
    perf_started: float
    method: str
    client_ip: str
    xroad: bool
    service: Service | None = None
    version: str | None = None
    endpoint: str | None = None
    identity: Identity | None = None
    grant: Grant | None = None
    subject_id: str | None = None
    consent_id: str | None = None
    status: int = 0
    error: str | None = None
    request_bytes: int = 0
    response_bytes: int = 0
    request_sha256: str = SHA256_EMPTY
    response_sha256: str = SHA256_EMPTY
    upstream_seconds: float | None = None
    user_id: str | None = None
    issue: str | None = None
    # Bodies kept for services that ask (store_bodies): whole, or None when over the cap
    keep_bodies: bool = False
    request_body: bytes | None = None
    response_body: bytes | None = None


class ProviderIdentity:
    """Builds the headers that tell a provider who calls, signed with the node key."""

    def __init__(self, key: crypto.SigningKey, mode: str, drop: frozenset[bytes]) -> None:
        self.key = key
        self.mode = mode
        self.drop = drop
        self._assertions: dict[tuple[str, str, str, int, str, int], str] = {}

    def upstream_headers(
        self,
        headers: dict[bytes, bytes],
        call: Call,
        identity: Identity,
        grant: Grant,
        target: str,
    ) -> list[tuple[bytes, bytes]]:
        drop = self.drop
        connection = headers.get(b"connection")
        if connection:
            drop = drop | {token.strip().lower() for token in connection.split(b",")}
        out: list[tuple[bytes, bytes]] = []
        for name, value in headers.items():
            if name in drop or name.startswith((b"egov-", b"x-road-")):
                continue
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                continue  # the consumer's access token is not the provider's business
            out.append((name, value))
        assert call.service is not None and call.version is not None
        signature = self.signature(call, identity, grant, target)
        system = identity.system.encode()
        out += [
            (b"x-request-id", call.request_id.encode()),
            (b"x-forwarded-for", call.client_ip.encode()),
            (b"x-road-client", system),
            (b"x-road-service", call.service.address.encode()),
            (b"x-road-id", call.message_id.encode()),
            (b"egov-consumer", system),
            (b"egov-grant", str(grant.id).encode()),
            (b"egov-service-version", call.version.encode()),
            (b"egov-gateway-signature", signature.encode()),
        ]
        if call.subject_id:
            out.append((b"egov-subject-id", call.subject_id.encode()))
        if call.user_id:
            out.append((b"x-road-userid", call.user_id.encode()))
        if call.issue:
            out.append((b"x-road-issue", call.issue.encode()))
        return out

    def signature(self, call: Call, identity: Identity, grant: Grant, target: str) -> str:
        """``Egov-Gateway-Signature``: bound to this request, or a cached identity assertion."""
        assert call.service is not None and call.version is not None
        if self.mode == "assertion":
            window = int(call.started) // ASSERTION_SECONDS * ASSERTION_SECONDS
            key = (
                identity.system,
                call.service.address,
                call.version,
                grant.id,
                call.subject_id or "",
                window,
            )
            cached = self._assertions.get(key)
            if cached is None:
                signed = "\n".join(["assertion", *map(str, key)]).encode()
                cached = (
                    f'kid="{self.key.kid}", ts="{window}", scope="assertion", '
                    f'sig="{self.key.sign(signed)}"'
                )
                if len(self._assertions) > 10000:
                    self._assertions.clear()
                self._assertions[key] = cached
            return cached
        timestamp = str(int(call.started))
        signed = "\n".join(
            [
                call.method,
                target,
                identity.system,
                call.service.address,
                call.version,
                call.request_id,
                call.subject_id or "",
                timestamp,
                call.request_sha256,
            ]
        ).encode()
        return f'kid="{self.key.kid}", ts="{timestamp}", sig="{self.key.sign(signed)}"'

    @staticmethod
    def response_headers(call: Call) -> list[tuple[bytes, bytes]]:
        out = [(b"x-request-id", call.request_id.encode())]
        if call.xroad:
            out.append((b"x-road-id", call.message_id.encode()))
            if call.identity is not None:
                out.append((b"x-road-client", call.identity.system.encode()))
            if call.service is not None:
                out.append((b"x-road-service", call.service.address.encode()))
            out.append((b"x-road-request-id", call.request_id.encode()))
            request_hash = hashlib.sha512(bytes.fromhex(call.request_sha256)).digest()
            out.append((b"x-road-request-hash", base64.b64encode(request_hash)))
        return out


def header_text(value: bytes | None) -> str | None:
    if value is None:
        return None
    text = value.decode("utf-8", errors="replace").strip()
    return text[:256] or None


def load_keys_file(path: Any) -> dict[str, str]:
    """A file as served by ``GET /api/bridge/snapshots/keys`` → ``{kid: public_key}``."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    keys = data.get("keys", data) if isinstance(data, dict) else data
    if isinstance(keys, dict):
        return {str(kid): str(value) for kid, value in keys.items()}
    return {str(entry["kid"]): str(entry["public_key"]) for entry in keys}
