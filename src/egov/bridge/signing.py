"""Ed25519 keys for snapshots and access tokens: created on first use, rotated, kept encrypted.

Private keys are encrypted with a key derived from the deployment's secret, so a copy of the
database alone does not yield them. Retired keys stay published (JWKS, snapshot key list) until
what they signed has expired.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import secrets
from dataclasses import dataclass

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from egov.bridge.models import SigningKey


def _fernet() -> Fernet:
    derived = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"egov-signing-keys").derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class KeyPair:
    kid: str
    private: Ed25519PrivateKey

    @property
    def public_raw(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    def sign(self, data: bytes) -> str:
        return b64url(self.private.sign(data))


def _load(key: SigningKey) -> KeyPair:
    raw = _fernet().decrypt(key.private_key_encrypted.encode())
    return KeyPair(key.kid, Ed25519PrivateKey.from_private_bytes(raw))


@transaction.atomic
def rotate(purpose: str) -> KeyPair:
    """Create a new current key for `purpose`; the previous one is retired but still published."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    SigningKey.objects.filter(purpose=purpose, retired_at__isnull=True).update(
        retired_at=timezone.now()
    )
    key = SigningKey.objects.create(
        purpose=purpose,
        kid=f"{purpose[:3]}-{secrets.token_hex(6)}",
        public_key=b64url(public),
        private_key_encrypted=_fernet().encrypt(raw_private).decode(),
    )
    return _load(key)


def current(purpose: str) -> KeyPair:
    key = SigningKey.objects.filter(purpose=purpose, retired_at__isnull=True).first()
    return _load(key) if key else rotate(purpose)


def published(purpose: str) -> list[SigningKey]:
    """Keys verifiers should accept: the current one and recently retired ones."""
    horizon = timezone.now() - datetime.timedelta(days=7)
    return list(
        SigningKey.objects.filter(purpose=purpose)
        .exclude(retired_at__lt=horizon)
        .order_by("-created_at")
    )


def verify(public_b64url: str, data: bytes, signature_b64url: str) -> bool:
    """Check a signature the way gateways do (used by tests and `egov` tooling)."""
    from cryptography.exceptions import InvalidSignature

    def decode(text: str) -> bytes:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    try:
        Ed25519PublicKey.from_public_bytes(decode(public_b64url)).verify(
            decode(signature_b64url), data
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
