"""RFC 3161 time stamps of signed message-log checkpoints (optional: ``EGOV_GATEWAY_TSA_URL``).

A checkpoint's signature says which node vouched for a chain; a time-stamp authority (TSA) adds
independent evidence of *when*. The message imprint is SHA-256 of the checkpoint's signed body
(which holds the chain hash at its ``seq``), so one time stamp covers every record up to there.

Protocol (RFC 3161 over HTTP): ``POST`` a DER ``TimeStampReq`` (version 1, SHA-256 imprint, a
random 64-bit nonce, ``certReq``) as ``application/timestamp-query``; the answer is a DER
``TimeStampResp``. Its token (CMS ``SignedData`` over a ``TSTInfo``) is accepted when the status
is granted and the token's imprint and nonce are ours; with ``TSA_CERT_FILE`` its signature must
also verify with that certificate. The token is kept in ``gateway_log_timestamp``.

The :class:`Timestamper` runs beside the writer and never blocks calls: it stamps the newest
checkpoint of its chain at most every ``TSA_INTERVAL`` seconds; when the TSA fails it backs off
(1 s … 60 s) and tries again with whatever checkpoint is newest then, and ``/readyz`` shows
``timestamping_failing``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import hashlib
import logging
import random
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, cast
from urllib.parse import urlsplit

import aiohttp
from asn1crypto import cms, core, pem, tsp, x509
from cryptography import x509 as cx509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from gateway.config import PREFIX, ConfigError
from gateway.messagelog import Checkpoint, LogStore, Stamp, iso

log = logging.getLogger("gateway.timestamps")

QUERY_TYPE: Final = "application/timestamp-query"
REPLY_TYPE: Final = "application/timestamp-reply"
MAX_BACKOFF: Final = 60.0
MAX_REPLY_BYTES: Final = 256 * 1024
_HASHES: Final[dict[str, type[hashes.HashAlgorithm]]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


class TimestampError(ValueError):
    """A time-stamp reply or token that cannot be accepted (the message says why)."""


def imprint(checkpoint_body: str | bytes) -> bytes:
    """What is time-stamped for a checkpoint: SHA-256 of its signed body."""
    data = checkpoint_body.encode() if isinstance(checkpoint_body, str) else checkpoint_body
    return hashlib.sha256(data).digest()


def build_request(digest: bytes, nonce: int) -> bytes:
    return cast(
        bytes,
        tsp.TimeStampReq(
            {
                "version": "v1",
                "message_imprint": {
                    "hash_algorithm": {"algorithm": "sha256"},
                    "hashed_message": digest,
                },
                "nonce": nonce,
                "cert_req": True,
            }
        ).dump(),
    )


class Reply(core.Sequence):  # type: ignore[misc]
    """``TimeStampResp`` as RFC 3161 has it: the token is optional (absent when refused)."""

    _fields = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


@dataclass(frozen=True)
class TokenInfo:
    gen_time: datetime.datetime
    serial: int
    policy: str
    nonce: int | None


def token_from_reply(reply: bytes, digest: bytes, nonce: int) -> tuple[bytes, TokenInfo]:
    """The DER token of a granted reply for ``digest`` and ``nonce``; ``TimestampError`` else."""
    try:
        response = Reply.load(reply)
        status = response["status"]["status"].native
    except (ValueError, TypeError, KeyError) as error:
        raise TimestampError(f"not a TimeStampResp: {error}") from error
    if status not in ("granted", "granted_with_mods"):
        text = response["status"]["status_string"].native
        raise TimestampError(f"the TSA answered {status}: {'; '.join(text or [])}".rstrip(": "))
    token = response["time_stamp_token"]
    if token.native is None:
        raise TimestampError("the reply grants but carries no token")
    der = cast(bytes, token.dump())
    info = check_token(der, digest, nonce)
    return der, info


def _tst_info(token: Any) -> Any:
    if token["content_type"].native != "signed_data":
        raise TimestampError("the token is not CMS SignedData")
    encap = token["content"]["encap_content_info"]
    if encap["content_type"].native != "tst_info":
        raise TimestampError("the token does not carry a TSTInfo")
    return encap["content"].parsed


def check_token(
    der: bytes,
    digest: bytes,
    nonce: int | None = None,
    certificates: Sequence[x509.Certificate] = (),
) -> TokenInfo:
    """Check a token's imprint (and nonce); with ``certificates``, also its signature.

    A signature counts only from one of ``certificates`` (the TSA's, configured or given to
    ``log verify``), never from a certificate the token carries itself.
    """
    try:
        token = cms.ContentInfo.load(der)
        info = _tst_info(token)
        message = info["message_imprint"]
        algorithm = message["hash_algorithm"]["algorithm"].native
        hashed = message["hashed_message"].native
        found = TokenInfo(
            gen_time=info["gen_time"].native,
            serial=int(info["serial_number"].native),
            policy=str(info["policy"].native),
            nonce=info["nonce"].native,
        )
    except TimestampError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise TimestampError(f"the token cannot be read: {error}") from error
    if algorithm != "sha256" or hashed != digest:
        raise TimestampError("the token's message imprint is not the checkpoint's hash")
    if nonce is not None and found.nonce != nonce:
        raise TimestampError("the token's nonce is not the request's (a replayed answer)")
    if certificates:
        _check_signature(token["content"], certificates, found.gen_time)
    return found


def _signer_matches(sid: Any, certificate: x509.Certificate) -> bool:
    if sid.name == "issuer_and_serial_number":
        return bool(
            sid.chosen["issuer"] == certificate.issuer
            and sid.chosen["serial_number"].native == certificate.serial_number
        )
    return bool(sid.chosen.native == certificate.key_identifier)


def _check_signature(
    signed_data: Any, certificates: Sequence[x509.Certificate], gen_time: datetime.datetime
) -> None:
    signers = signed_data["signer_infos"]
    if len(signers) != 1:
        raise TimestampError("a time-stamp token has exactly one signer")
    signer = signers[0]
    certificate = next((c for c in certificates if _signer_matches(signer["sid"], c)), None)
    if certificate is None:
        raise TimestampError("the token is not signed by the given TSA certificate")
    usage = certificate.extended_key_usage_value
    if usage is None or "time_stamping" not in usage.native:
        raise TimestampError("the TSA certificate is not for time stamping (extendedKeyUsage)")
    validity = certificate["tbs_certificate"]["validity"]
    if not validity["not_before"].native <= gen_time <= validity["not_after"].native:
        raise TimestampError("the token's time is outside the TSA certificate's validity")
    digest_name = signer["digest_algorithm"]["algorithm"].native
    algorithm = _HASHES.get(digest_name)
    if algorithm is None:
        raise TimestampError(f"unsupported digest algorithm {digest_name}")
    attributes = signer["signed_attrs"]
    if not attributes.native:
        raise TimestampError("the token has no signed attributes")
    values = {attribute["type"].native: attribute["values"] for attribute in attributes}
    if values.get("content_type") is None or values["content_type"][0].native != "tst_info":
        raise TimestampError("the signed content type is not TSTInfo")
    content = signed_data["encap_content_info"]["content"].contents
    hasher = hashes.Hash(algorithm())
    hasher.update(content)
    if values.get("message_digest") is None or values["message_digest"][0].native != (
        hasher.finalize()
    ):
        raise TimestampError("the signed digest does not match the TSTInfo (token altered)")
    _check_ess(values, certificate)
    # The signature is over the DER of the attributes as a SET (RFC 5652, 5.4), not [0].
    signed = b"\x31" + attributes.dump()[1:]
    public = cx509.load_der_x509_certificate(certificate.dump()).public_key()
    signature = signer["signature"].native
    kind = signer["signature_algorithm"].signature_algo
    try:
        if isinstance(public, rsa.RSAPublicKey) and kind == "rsassa_pkcs1v15":
            public.verify(signature, signed, padding.PKCS1v15(), algorithm())
        elif isinstance(public, rsa.RSAPublicKey) and kind == "rsassa_pss":
            pss = padding.PSS(padding.MGF1(algorithm()), padding.PSS.AUTO)
            public.verify(signature, signed, pss, algorithm())
        elif isinstance(public, ec.EllipticCurvePublicKey) and kind == "ecdsa":
            public.verify(signature, signed, ec.ECDSA(algorithm()))
        elif isinstance(public, ed25519.Ed25519PublicKey) and kind == "ed25519":
            public.verify(signature, signed)
        else:
            raise TimestampError(f"unsupported signature algorithm {kind}")
    except InvalidSignature as error:
        raise TimestampError("the token's signature does not verify") from error


def _check_ess(values: dict[str, Any], certificate: x509.Certificate) -> None:
    """RFC 5816: the signing-certificate attribute, when present, must name this certificate."""
    if values.get("signing_certificate_v2") is not None:
        entry = values["signing_certificate_v2"][0]["certs"][0]
        name = entry["hash_algorithm"]["algorithm"].native
        if name not in _HASHES:
            raise TimestampError(f"unsupported ESS hash algorithm {name}")
        expected = hashlib.new(name, certificate.dump()).digest()
    elif values.get("signing_certificate") is not None:
        entry = values["signing_certificate"][0]["certs"][0]
        expected = hashlib.sha1(certificate.dump()).digest()  # noqa: S324 - RFC 2634's ESSCertID
    else:
        return
    if entry["cert_hash"].native != expected:
        raise TimestampError("the token names another signing certificate (ESS)")


def load_certificates(paths: Iterable[Path]) -> list[x509.Certificate]:
    """TSA certificates from PEM (one or more) or DER files; ``ValueError`` when unreadable."""
    found: list[x509.Certificate] = []
    for path in paths:
        data = path.read_bytes()
        if pem.detect(data):
            found.extend(x509.Certificate.load(der) for _kind, _h, der in pem.unarmor(data, True))
        else:
            found.append(x509.Certificate.load(data))
    for certificate in found:
        certificate.native  # noqa: B018 - parse now, so a damaged file fails here
    return found


def certificates_from_settings(path: Path | None) -> list[x509.Certificate]:
    """The TSA certificate(s) of ``TSA_CERT_FILE``; a ``ConfigError`` names the variable."""
    if path is None:
        return []
    try:
        return load_certificates([path])
    except (OSError, ValueError, TypeError) as error:
        raise ConfigError(f"{PREFIX}TSA_CERT_FILE: no certificate in {path}: {error}") from error


def safe_url(url: str) -> str:
    """The TSA URL without credentials, for logs and /readyz."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


@dataclass
class TimestamperStats:
    stamped: int = 0
    failures: int = 0
    last_error: str | None = None
    last_stamped_at: float | None = None
    last_stamped: str | None = None  # "chain#seq"


class Timestamper:
    """Stamps this process's newest checkpoint at the TSA and keeps the token in the store."""

    def __init__(
        self,
        url: str,
        store: LogStore,
        certificates: Sequence[x509.Certificate] = (),
        interval_seconds: float = 60.0,
        timeout_seconds: float = 10.0,
    ) -> None:
        self.url = url
        self.store = store
        self.certificates = list(certificates)
        self.interval = interval_seconds
        self.timeout = timeout_seconds
        self.stats = TimestamperStats()
        self._latest: Checkpoint | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def pending(self) -> bool:
        return self._latest is not None

    def checkpoint_written(self, checkpoint: Checkpoint) -> None:
        """Told by the writer after each committed checkpoint; the newest one supersedes."""
        self._latest = checkpoint
        self._wake.set()

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.timeout, connect=min(self.timeout, 5.0))
        )
        self._task = asyncio.create_task(self._run(), name="log-timestamper")

    async def stop(self, drain_seconds: float = 2.0) -> None:
        """Stop; first try briefly to stamp the last checkpoint (the chain ends with it)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._latest is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.stamp_latest(), drain_seconds)
        if self._session is not None:
            await self._session.close()
        await self.store.close()

    async def _run(self) -> None:
        delay = 1.0
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.stamp_latest()
                delay = 1.0
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the TSA or the store is away: the next try is later
                self.stats.failures += 1
                self.stats.last_error = f"{type(error).__name__}: {error}"[:300]
                log.warning(
                    "time-stamping a checkpoint failed",
                    extra={"tsa": safe_url(self.url), "error": self.stats.last_error},
                )
                self._wake.set()  # try again, with whatever checkpoint is newest by then
                await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # noqa: S311
                delay = min(delay * 2, MAX_BACKOFF)
                continue
            await asyncio.sleep(self.interval)  # at most one time stamp per interval

    async def stamp_latest(self) -> None:
        checkpoint = self._latest
        if checkpoint is None:
            return
        digest = imprint(checkpoint.body)
        nonce = secrets.randbits(63)
        reply = await self._post(build_request(digest, nonce))
        token, info = token_from_reply(reply, digest, nonce)
        if self.certificates:
            check_token(token, digest, nonce, self.certificates)
        await self.store.save_timestamp(
            Stamp(checkpoint.chain, checkpoint.seq, safe_url(self.url), token, info.gen_time)
        )
        if self._latest is checkpoint:
            self._latest = None
        self.stats.stamped += 1
        self.stats.last_error = None
        self.stats.last_stamped_at = time.time()
        self.stats.last_stamped = f"{checkpoint.chain}#{checkpoint.seq}"

    async def _post(self, query: bytes) -> bytes:
        if self._session is None:
            raise RuntimeError("the timestamper is not started")
        async with self._session.post(
            self.url, data=query, headers={"Content-Type": QUERY_TYPE, "Accept": REPLY_TYPE}
        ) as response:
            if response.status != 200:
                raise TimestampError(f"the TSA answered HTTP {response.status}")
            kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if kind != REPLY_TYPE:
                raise TimestampError(f"the TSA answered {kind or 'no content type'}")
            body = await response.content.read(MAX_REPLY_BYTES + 1)
            if len(body) > MAX_REPLY_BYTES:
                raise TimestampError("the TSA's reply is too large")
            return body

    def readiness(self) -> dict[str, Any]:
        stats = self.stats
        return {
            "tsa": safe_url(self.url),
            "stamped": stats.stamped,
            "pending": self.pending,
            "last_stamped": stats.last_stamped,
            "last_stamped_at": iso(stats.last_stamped_at) if stats.last_stamped_at else None,
            "last_error": stats.last_error,
        }


def verify_stamps(
    stamps: Iterable[Stamp],
    checkpoints: Iterable[Checkpoint],
    certificates: Sequence[x509.Certificate] = (),
) -> tuple[int, list[str]]:
    """Check stored tokens against their checkpoints: (number checked, problems)."""
    bodies = {(c.chain, c.seq): c.body for c in checkpoints}
    problems: list[str] = []
    count = 0
    for stamp in stamps:
        count += 1
        where = f"time stamp of checkpoint {stamp.chain}#{stamp.seq}"
        body = bodies.get((stamp.chain, stamp.seq))
        if body is None:
            problems.append(f"{where}: the checkpoint is gone")
            continue
        try:
            check_token(stamp.token, imprint(body), None, certificates)
        except TimestampError as error:
            problems.append(f"{where}: {error}")
    return count, problems
