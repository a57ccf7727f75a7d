"""A small RFC 3161 time-stamp authority for tests: real HTTP, real DER, real signatures.

It answers ``POST`` ``application/timestamp-query`` with a ``TimeStampResp`` whose token is CMS
``SignedData`` over a ``TSTInfo`` (the request's imprint and nonce, a serial, the time), signed
with a test key whose certificate ``cryptography`` made here (extendedKeyUsage timeStamping,
critical, as RFC 3161 requires). ``mode`` lets a test make it fail.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from asn1crypto import cms, core, tsp, x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass
class Authority:
    """A TSA's key and certificate (``cryptography`` objects plus the certificate's DER)."""

    key: PrivateKey
    certificate: cx509.Certificate

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def write_pem(self, path: Path) -> Path:
        path.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))
        return path


def make_authority(kind: str = "rsa", name: str = "Test TSA", usage: bool = True) -> Authority:
    key: PrivateKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if kind == "rsa"
        else ec.generate_private_key(ec.SECP256R1())
    )
    subject = cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        cx509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(cx509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
    )
    if usage:
        builder = builder.add_extension(
            cx509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return Authority(key, builder.sign(key, hashes.SHA256()))


def _sign(key: PrivateKey, data: bytes) -> tuple[bytes, str]:
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256()), "sha256_rsa"
    return key.sign(data, ec.ECDSA(hashes.SHA256())), "sha256_ecdsa"


def _length(size: int) -> bytes:
    """A DER length."""
    if size < 0x80:
        return bytes([size])
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


@dataclass
class Tsa:
    """The TSA's behaviour; a test changes ``mode``: ok, down, reject, wrong_nonce, garbage."""

    authority: Authority
    mode: str = "ok"
    requests: list[dict[str, Any]] = field(default_factory=list)
    _serials: Any = field(default_factory=lambda: itertools.count(1))

    def reply(self, query: bytes) -> tuple[int, str, bytes]:
        request = tsp.TimeStampReq.load(query)
        self.requests.append(request.native)
        if self.mode == "down":
            return 503, "text/plain", b"down for maintenance"
        if self.mode == "garbage":
            return 200, "application/timestamp-reply", b"\x30\x03\x02\x01"
        if self.mode == "reject":
            status = {"status": "rejection", "status_string": ["policy not accepted"]}
            # asn1crypto's TimeStampResp wants a token; RFC 3161 has none when refusing.
            info = tsp.PKIStatusInfo(status).dump()
            reply = core.Sequence.load(b"\x30" + _length(len(info)) + info).dump()
            return 200, "application/timestamp-reply", reply
        nonce = request["nonce"].native
        if self.mode == "wrong_nonce":
            nonce = (nonce or 0) + 1
        token = self.token(request["message_imprint"], nonce, bool(request["cert_req"].native))
        response = tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token})
        return 200, "application/timestamp-reply", response.dump()

    def token(self, imprint: Any, nonce: int | None, with_certificate: bool) -> cms.ContentInfo:
        info: dict[str, Any] = {
            "version": "v1",
            "policy": "1.3.6.1.4.1.99999.1",
            "message_imprint": imprint,
            "serial_number": next(self._serials),
            "gen_time": datetime.datetime.now(datetime.UTC).replace(microsecond=0),
        }
        if nonce is not None:
            info["nonce"] = nonce
        tst = tsp.TSTInfo(info)
        certificate = x509.Certificate.load(self.authority.der)
        attributes = cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
                cms.CMSAttribute(
                    {"type": "message_digest", "values": [hashlib.sha256(tst.dump()).digest()]}
                ),
                cms.CMSAttribute(
                    {
                        "type": "signing_certificate_v2",
                        "values": [
                            {"certs": [{"cert_hash": hashlib.sha256(self.authority.der).digest()}]}
                        ],
                    }
                ),
            ]
        )
        signature, algorithm = _sign(self.authority.key, b"\x31" + attributes.dump()[1:])
        signer = {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": {
                        "issuer": certificate.issuer,
                        "serial_number": certificate.serial_number,
                    }
                }
            ),
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": attributes,
            "signature_algorithm": {"algorithm": algorithm},
            "signature": signature,
        }
        signed_data = {
            "version": "v3",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {"content_type": "tst_info", "content": tst},
            "signer_infos": [signer],
        }
        if with_certificate:
            signed_data["certificates"] = [certificate]
        return cms.ContentInfo({"content_type": "signed_data", "content": signed_data})


class TsaServer:
    """``Tsa`` behind a threaded HTTP server on 127.0.0.1 (``url``); ``close()`` stops it."""

    def __init__(self, tsa: Tsa) -> None:
        self.tsa = tsa

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                query = self.rfile.read(length)
                if self.headers.get("Content-Type") != "application/timestamp-query":
                    status, kind, body = 415, "text/plain", b"wrong content type"
                else:
                    status, kind, body = tsa.reply(query)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/tsa"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
