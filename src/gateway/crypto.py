"""Ed25519 helpers: base64url keys and signatures, the gateway's own signing key."""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key(text: str) -> Ed25519PublicKey:
    """A raw 32-byte Ed25519 public key in base64url; ``ValueError`` when it is not one."""
    raw = b64url_decode(text)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def verify(key: Ed25519PublicKey, signature_b64url: str, data: bytes) -> bool:
    try:
        key.verify(b64url_decode(signature_b64url), data)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class SigningKey:
    """The gateway node's key: signs log checkpoints and the consumer identity sent upstream."""

    kid: str
    private: Ed25519PrivateKey

    @property
    def public_b64url(self) -> str:
        return b64url(public_raw(self.private.public_key()))

    def sign(self, data: bytes) -> str:
        return b64url(self.private.sign(data))


def load_or_create_signing_key(path: Path) -> SigningKey:
    """Read ``kid`` and the raw private key from ``path``; create both (mode 0600) if missing."""
    if path.exists():
        kid, _, secret = path.read_text(encoding="utf-8").strip().partition(":")
        return SigningKey(kid, Ed25519PrivateKey.from_private_bytes(b64url_decode(secret)))
    path.parent.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    kid = f"gw-{secrets.token_hex(6)}"
    temporary = path.with_name(path.name + f".{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(f"{kid}:{b64url(raw)}\n")
    try:
        os.link(temporary, path)  # first process wins; others read what it wrote
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return load_or_create_signing_key(path)
