"""Who is calling: API keys, OAuth2 bearer JWTs (EdDSA) and client-certificate fingerprints.

* API key: header ``X-API-Key: egk_…``; the snapshot holds SHA-256 hex hashes and expiry.
* OAuth2: ``Authorization: Bearer <JWT>``; EdDSA signature checked against the snapshot's JWKS,
  then ``exp``/``nbf`` (with leeway), ``aud`` and ``iss``; ``sub`` is the consumer system.
* Client certificate: the TLS terminator passes the SHA-256 fingerprint of the verified client
  certificate in ``X-Client-Cert-Sha256``; the header is believed only from trusted proxies.

The result is the consumer system's address (``INSTANCE/CLASS/CODE/SUBSYSTEM``).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Final

from gateway import crypto
from gateway.errors import GatewayError
from gateway.snapshot import Policy

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

TOKEN_CACHE_SIZE: Final = 4096


@dataclass(frozen=True, slots=True)
class Identity:
    system: str
    method: str  # "api_key" | "oauth" | "certificate"
    credential: str  # key prefix, token id or certificate fingerprint (never the secret)


class Authenticator:
    """Authenticates against the policy in force; caches verified tokens until they expire."""

    def __init__(self, leeway_seconds: float = 30.0) -> None:
        self.leeway = leeway_seconds
        self._tokens: OrderedDict[tuple[int, str], tuple[Identity, float]] = OrderedDict()

    def api_key(self, policy: Policy, key: str, now: float) -> Identity:
        digest = hashlib.sha256(key.encode()).hexdigest()
        found = policy.api_keys.get(digest)
        if found is None:
            raise GatewayError("unknown_credential", "The API key is not known to this gateway.")
        if found.expires_at is not None and now >= found.expires_at:
            raise GatewayError("unknown_credential", "The API key has expired.")
        return Identity(found.system, "api_key", found.prefix or key[:12])

    def bearer(self, policy: Policy, token: str, now: float) -> Identity:
        cache_key = (policy.version, token)
        cached = self._tokens.get(cache_key)
        if cached is not None:
            identity, expires = cached
            if now < expires + self.leeway:
                return identity
            del self._tokens[cache_key]
        identity, expires = self._verify_jwt(policy, token, now)
        self._tokens[cache_key] = (identity, expires)
        if len(self._tokens) > TOKEN_CACHE_SIZE:
            self._tokens.popitem(last=False)
        return identity

    def _verify_jwt(self, policy: Policy, token: str, now: float) -> tuple[Identity, float]:
        def refuse(why: str) -> GatewayError:
            return GatewayError("unknown_credential", f"The access token is not valid: {why}.")

        parts = token.split(".")
        if len(parts) != 3:
            raise refuse("not a JWT")
        try:
            header = json.loads(crypto.b64url_decode(parts[0]))
            claims: dict[str, Any] = json.loads(crypto.b64url_decode(parts[1]))
        except ValueError as error:
            raise refuse("undecodable") from error
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise refuse("undecodable")
        if header.get("alg") != "EdDSA":
            raise refuse("only EdDSA tokens are accepted")
        key = policy.jwks.get(str(header.get("kid")))
        if key is None:
            raise refuse("signed with an unknown key")
        if not crypto.verify(key, parts[2], f"{parts[0]}.{parts[1]}".encode()):
            raise refuse("bad signature")
        expires = claims.get("exp")
        if not isinstance(expires, int | float):
            raise refuse("no expiry")
        if now >= expires + self.leeway:
            raise refuse("expired")
        not_before = claims.get("nbf")
        if isinstance(not_before, int | float) and now + self.leeway < not_before:
            raise refuse("not yet valid")
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if policy.oauth_audience not in audiences:
            raise refuse("wrong audience")
        if policy.oauth_issuer and claims.get("iss") != policy.oauth_issuer:
            raise refuse("wrong issuer")
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise refuse("no subject")
        return Identity(subject, "oauth", str(claims.get("jti") or claims.get("client_id"))), float(
            expires
        )

    def certificate(self, policy: Policy, fingerprint: str) -> Identity:
        normalised = fingerprint.strip().lower().replace(":", "")
        system = policy.certificates.get(normalised)
        if system is None:
            raise GatewayError(
                "unknown_credential", "The client certificate is not registered for any system."
            )
        return Identity(system, "certificate", normalised)


def now() -> float:
    return time.time()
