"""Issuing consumer credentials: API keys, OAuth clients and their access tokens.

A secret is returned once, to the caller that created it, and stored only as a hash. API keys are
256-bit random strings, so a plain SHA-256 is a safe and fast lookup hash for gateways; OAuth
client secrets are checked only here, with the platform's password hasher.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from egov.bridge import signing
from egov.bridge.models import ApiKey, OAuthClient, SigningKey
from egov.core.models import InformationSystem

API_KEY_PREFIX = "egk_"
TOKEN_AUDIENCE = "egov-gateway"


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedSecret:
    """A credential together with its secret, which exists only in this object."""

    credential: Any
    secret: str


def issue_api_key(
    system: InformationSystem, name: str, expires_at: datetime.datetime | None = None
) -> IssuedSecret:
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        system=system,
        name=name[:100],
        prefix=key[:12],
        key_hash=hash_api_key(key),
        expires_at=expires_at,
    )
    return IssuedSecret(api_key, key)


@transaction.atomic
def rotate_api_key(old: ApiKey, overlap: datetime.timedelta) -> IssuedSecret:
    """A new key now; the old one works for `overlap` more, so clients switch without a gap."""
    fresh = issue_api_key(old.system, old.name, expires_at=None)
    end = timezone.now() + overlap
    if old.expires_at is None or old.expires_at > end:
        old.expires_at = end
        old.save(update_fields=["expires_at"])
    return fresh


def revoke(credential: ApiKey | OAuthClient) -> None:
    if credential.revoked_at is None:
        credential.revoked_at = timezone.now()
        credential.save(update_fields=["revoked_at"])


def issue_oauth_client(system: InformationSystem) -> IssuedSecret:
    secret = secrets.token_urlsafe(32)
    client = OAuthClient.objects.create(
        system=system,
        client_id=f"egc_{secrets.token_hex(10)}",
        secret_hash=make_password(secret),
    )
    return IssuedSecret(client, secret)


def authenticate_client(client_id: str, secret: str) -> OAuthClient | None:
    client = (
        OAuthClient.objects.select_related("system__organization")
        .filter(client_id=client_id, revoked_at__isnull=True)
        .first()
    )
    if client is None:
        make_password(secret)  # same cost whether or not the client exists
        return None
    return client if check_password(secret, client.secret_hash) else None


def token_lifetime() -> int:
    return int(getattr(settings, "EGOV_ACCESS_TOKEN_SECONDS", 300))


def issue_access_token(client: OAuthClient) -> tuple[str, int]:
    """A short-lived JWT (EdDSA) naming the consumer system; gateways verify it with the JWKS."""
    key = signing.current(SigningKey.Purpose.TOKEN)
    now = int(timezone.now().timestamp())
    lifetime = token_lifetime()
    claims = {
        "iss": settings.SITE_URL,
        "aud": TOKEN_AUDIENCE,
        "sub": client.system.xroad_address,
        "client_id": client.client_id,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
    }
    token = jwt.encode(claims, key.private, algorithm="EdDSA", headers={"kid": key.kid})
    OAuthClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return token, lifetime


def jwks() -> dict[str, Any]:
    """The public token keys, current and recently retired, as a JSON Web Key Set."""
    return {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": key.public_key,
                "kid": key.kid,
                "alg": "EdDSA",
                "use": "sig",
            }
            for key in signing.published(SigningKey.Purpose.TOKEN)
        ]
    }
