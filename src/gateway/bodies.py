"""Request and response bodies kept, encrypted, beside message-log records.

Only services whose snapshot entry sets ``store_bodies`` have their bodies kept. The hash-chained
record is unchanged: it already holds SHA-256 of both bodies, so a decrypted body proves itself
against the record (and the record against its chain and signed checkpoints).

Sealing
    AES-256-GCM, a fresh 96-bit random nonce per body, under the current body key. The associated
    data ``egov-gateway-body/1\\n{chain}\\n{seq}\\n{part}\\n{kid}`` binds a ciphertext to its record
    and part: moved elsewhere it no longer decrypts. Each row names its key id, so keys rotate
    without re-encryption: new bodies use the current key, the others stay for reading.
Not kept
    A body larger than ``BODY_MAX_BYTES`` (row note ``too_large``), or any body while the gateway
    has no key (``no_key``; ``/readyz`` raises ``body_key_missing``). The record still has the hash.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gateway.config import PREFIX, ConfigError

FORMAT: Final = "egov-gateway-body/1"
PARTS: Final = ("request", "response")
KEY_BYTES: Final = 32
TOO_LARGE: Final = "too_large"
NO_KEY: Final = "no_key"


class BodyError(ValueError):
    """A stored body cannot be opened or does not match its record (the message says why)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    """Strict base64url: a character outside the alphabet is an error, not skipped."""
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def parse_keys(text: str, source: str) -> dict[str, bytes]:
    """``kid=base64url,…`` (or one per line; ``#`` starts a comment) → ``{kid: 32-byte key}``.

    The message of a ``ConfigError`` names ``source`` and the key id, never key material.
    """
    keys: dict[str, bytes] = {}
    for line in text.replace(",", "\n").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        kid, sep, value = line.partition("=")
        kid = kid.strip()
        if not sep or not kid:
            raise ConfigError(f"{source}: write body keys as kid=base64url")
        try:
            raw = _unb64(value.strip())
        except (ValueError, binascii.Error) as error:
            raise ConfigError(f"{source}: key {kid!r} is not base64url") from error
        if len(raw) != KEY_BYTES:
            raise ConfigError(f"{source}: key {kid!r} must be {KEY_BYTES} bytes (AES-256)")
        keys[kid] = raw
    return keys


def new_key_line() -> str:
    """A fresh ``kid=base64url`` line for ``BODY_KEYS`` / ``BODY_KEYS_FILE``."""
    return f"body-{secrets.token_hex(4)}={_b64(AESGCM.generate_key(bit_length=256))}"


@dataclass(frozen=True, slots=True)
class SealedBody:
    """One part of one record as stored: ciphertext (with the GCM tag) or the reason for none."""

    part: str
    size: int
    kid: str | None = None
    nonce: bytes | None = None
    ciphertext: bytes | None = None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "part": self.part,
            "size": self.size,
            "kid": self.kid,
            "nonce": _b64(self.nonce) if self.nonce is not None else None,
            "ciphertext": _b64(self.ciphertext) if self.ciphertext is not None else None,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SealedBody:
        nonce, ciphertext = data.get("nonce"), data.get("ciphertext")
        return cls(
            part=str(data["part"]),
            size=int(data["size"]),
            kid=data.get("kid"),
            nonce=_unb64(nonce) if nonce is not None else None,
            ciphertext=_unb64(ciphertext) if ciphertext is not None else None,
            note=data.get("note"),
        )


def associated_data(chain: str, seq: int, part: str, kid: str) -> bytes:
    return f"{FORMAT}\n{chain}\n{seq}\n{part}\n{kid}".encode()


@dataclass
class VaultStats:
    stored: int = 0
    too_large: int = 0
    no_key: int = 0


class BodyVault:
    """Seals bodies with the current key; opens them with any configured key."""

    def __init__(
        self, keys: Mapping[str, bytes], current: str | None = None, max_bytes: int = 1 << 20
    ) -> None:
        if current is not None and current not in keys:
            raise ConfigError(f"{PREFIX}BODY_KEY_ID: no body key {current!r} is configured")
        self._ciphers = {kid: AESGCM(key) for kid, key in keys.items()}
        self.current = current if current is not None else next(iter(keys), None)
        self.max_bytes = max_bytes
        self.stats = VaultStats()

    @property
    def kids(self) -> list[str]:
        return list(self._ciphers)

    def seal(self, chain: str, seq: int, part: str, data: bytes | None, size: int) -> SealedBody:
        """``data`` is ``None`` when the body was not captured whole (it was over the cap)."""
        if data is None or len(data) > self.max_bytes:
            self.stats.too_large += 1
            return SealedBody(part, size, note=TOO_LARGE)
        if self.current is None:
            self.stats.no_key += 1
            return SealedBody(part, size, note=NO_KEY)
        nonce = os.urandom(12)
        ciphertext = self._ciphers[self.current].encrypt(
            nonce, data, associated_data(chain, seq, part, self.current)
        )
        self.stats.stored += 1
        return SealedBody(part, len(data), self.current, nonce, ciphertext)

    def open(self, chain: str, seq: int, body: SealedBody) -> bytes:
        if body.ciphertext is None or body.nonce is None or body.kid is None:
            raise BodyError(f"the {body.part} body was not kept ({body.note or 'no ciphertext'})")
        cipher = self._ciphers.get(body.kid)
        if cipher is None:
            raise BodyError(f"the {body.part} body is sealed with key {body.kid!r}, not given")
        try:
            return cipher.decrypt(
                body.nonce, body.ciphertext, associated_data(chain, seq, body.part, body.kid)
            )
        except InvalidTag as error:
            raise BodyError(
                f"the {body.part} body does not decrypt: altered, moved or another key"
            ) from error


def open_and_check(
    vault: BodyVault, chain: str, seq: int, record: Mapping[str, Any], body: SealedBody
) -> bytes:
    """Decrypt ``body`` and check it against the record's ``{part}_sha256``."""
    plaintext = vault.open(chain, seq, body)
    expected = record.get(f"{body.part}_sha256")
    if hashlib.sha256(plaintext).hexdigest() != expected:
        raise BodyError(f"the {body.part} body does not match the record's SHA-256")
    return plaintext


def vault_from_settings(
    text: str | None, file: Path | None, current: str | None, max_bytes: int
) -> BodyVault:
    """Keys from ``BODY_KEYS`` and ``BODY_KEYS_FILE`` (both may be given; the file's come after)."""
    keys: dict[str, bytes] = {}
    if text:
        keys.update(parse_keys(text, f"{PREFIX}BODY_KEYS"))
    if file is not None:
        try:
            content = file.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(f"{PREFIX}BODY_KEYS_FILE: cannot read {file}: {error}") from error
        for kid, key in parse_keys(content, f"{PREFIX}BODY_KEYS_FILE").items():
            keys.setdefault(kid, key)
    return BodyVault(keys, current, max_bytes)


def wants_bodies(raw_services: Iterable[Mapping[str, Any]]) -> list[str]:
    """Addresses of the snapshot services that ask for their bodies to be kept."""
    return [str(raw.get("address")) for raw in raw_services if raw.get("store_bodies") is True]
