"""RFC 3161 time stamps of checkpoints, against a real (test) TSA over HTTP."""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from asn1crypto import tsp, x509
from gwtest import SRC, GatewayProcess, World, legal_path, make_gateway
from tsa_server import Authority, Tsa, TsaServer, make_authority

from gateway import timestamps


@pytest.fixture(scope="module")
def authority() -> Authority:
    return make_authority("rsa")


@pytest.fixture
def tsa(authority: Authority) -> Iterator[TsaServer]:
    server = TsaServer(Tsa(authority))
    try:
        yield server
    finally:
        server.close()


def _certificate(authority: Authority) -> x509.Certificate:
    return x509.Certificate.load(authority.der)


def _stamp(tsa: Tsa, digest: bytes, nonce: int) -> bytes:
    status, _kind, reply = tsa.reply(timestamps.build_request(digest, nonce))
    assert status == 200
    return reply


# --------------------------------------------------------------------------- the protocol


def test_the_request_is_a_proper_timestampreq() -> None:
    digest = hashlib.sha256(b"checkpoint").digest()
    request = tsp.TimeStampReq.load(timestamps.build_request(digest, 12345)).native
    assert request["version"] == "v1"
    assert request["message_imprint"]["hash_algorithm"]["algorithm"] == "sha256"
    assert request["message_imprint"]["hashed_message"] == digest
    assert request["nonce"] == 12345
    assert request["cert_req"] is True


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_a_granted_token_checks_out_with_the_tsa_certificate(kind: str) -> None:
    authority = make_authority(kind)
    digest, nonce = hashlib.sha256(b"cp").digest(), secrets.randbits(63)
    token, info = timestamps.token_from_reply(_stamp(Tsa(authority), digest, nonce), digest, nonce)
    assert info.nonce == nonce and info.serial == 1
    checked = timestamps.check_token(token, digest, nonce, [_certificate(authority)])
    assert abs(checked.gen_time.timestamp() - time.time()) < 60
    with pytest.raises(timestamps.TimestampError, match="imprint"):
        timestamps.check_token(token, hashlib.sha256(b"other").digest())


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("reject", "rejection: policy not accepted"),
        ("wrong_nonce", "nonce"),
        ("garbage", "TimeStampResp"),
    ],
)
def test_bad_replies_are_refused(authority: Authority, mode: str, message: str) -> None:
    digest, nonce = hashlib.sha256(b"cp").digest(), 77
    with pytest.raises(timestamps.TimestampError, match=message):
        timestamps.token_from_reply(_stamp(Tsa(authority, mode=mode), digest, nonce), digest, nonce)


def test_forged_and_altered_tokens_fail_the_signature_check(authority: Authority) -> None:
    digest, nonce = hashlib.sha256(b"cp").digest(), 5
    certificate = _certificate(authority)
    # Signed by another key while naming the TSA's certificate.
    impostor = Tsa(Authority(make_authority("rsa").key, authority.certificate))
    forged, _ = timestamps.token_from_reply(_stamp(impostor, digest, nonce), digest, nonce)
    with pytest.raises(timestamps.TimestampError, match="signature does not verify"):
        timestamps.check_token(forged, digest, nonce, [certificate])
    # A genuine token whose TSTInfo was changed afterwards (its serial number).
    token, info = timestamps.token_from_reply(_stamp(Tsa(authority), digest, nonce), digest, nonce)
    serial = bytes([0x02, 0x01, info.serial])
    altered = token.replace(serial, bytes([0x02, 0x01, info.serial + 1]), 1)
    assert altered != token
    with pytest.raises(timestamps.TimestampError, match="altered"):
        timestamps.check_token(altered, digest, nonce, [certificate])
    # Checked against another TSA's certificate.
    with pytest.raises(timestamps.TimestampError, match="not signed by the given"):
        timestamps.check_token(token, digest, nonce, [_certificate(make_authority("ec"))])


def test_a_certificate_without_time_stamping_usage_is_not_trusted() -> None:
    authority = make_authority("ec", usage=False)
    digest = hashlib.sha256(b"cp").digest()
    token, _ = timestamps.token_from_reply(_stamp(Tsa(authority), digest, 1), digest, 1)
    with pytest.raises(timestamps.TimestampError, match="extendedKeyUsage"):
        timestamps.check_token(token, digest, 1, [_certificate(authority)])


# --------------------------------------------------------------------------- through the gateway


def _ready(gateway: GatewayProcess) -> dict[str, Any]:
    answer: dict[str, Any] = requests.get(gateway.url + "/readyz", timeout=2).json()
    return answer


def _until(gateway: GatewayProcess, test: Any, timeout: float = 15.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = _ready(gateway)
        if test(ready):
            return ready
        time.sleep(0.1)
    raise AssertionError(f"not reached: {ready}")


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(SRC), **env},
    )


def test_checkpoints_are_time_stamped_and_verified(
    world: World, tmp_path: Path, tsa: TsaServer, authority: Authority
) -> None:
    certificate = authority.write_pem(tmp_path / "tsa.pem")
    gateway = make_gateway(
        world,
        tmp_path,
        EGOV_GATEWAY_TSA_URL=tsa.url,
        EGOV_GATEWAY_TSA_CERT_FILE=str(certificate),
        EGOV_GATEWAY_TSA_INTERVAL="0",
    )
    gateway.start(wait_for_version=world.version)
    for _ in range(3):
        assert gateway.call("GET", legal_path()).status_code == 200
        time.sleep(0.2)
    ready = _until(gateway, lambda r: r["checks"]["timestamps"]["stamped"] >= 1)
    assert ready["checks"]["timestamps"]["tsa"] == tsa.url
    assert "timestamping_failing" not in ready["alarms"]
    gateway.stop()
    assert tsa.tsa.requests and all(r["cert_req"] for r in tsa.tsa.requests)

    env = {"EGOV_GATEWAY_STATE_DIR": str(gateway.state_dir)}
    good = _cli("log", "verify", "--tsa-cert", str(certificate), env=env)
    assert good.returncode == 0, good.stdout + good.stderr
    stamped = int(good.stdout.split(" time stamps")[0].rsplit(" ", 1)[1])
    assert stamped >= 1
    archive = tmp_path / "archive.jsonl"
    assert _cli("log", "export", "--out", str(archive), env=env).returncode == 0
    offline = _cli(
        "log", "verify", "--archive", str(archive), "--tsa-cert", str(certificate), env={}
    )
    assert offline.returncode == 0, offline.stdout
    assert f"{stamped} time stamps" in offline.stdout
    stranger = make_authority("ec").write_pem(tmp_path / "other.pem")
    wrong = _cli("log", "verify", "--tsa-cert", str(stranger), env=env)
    assert wrong.returncode == 1 and "not signed by the given TSA certificate" in wrong.stdout

    # A genuine token of something else, put in place of a checkpoint's, does not match it.
    digest = hashlib.sha256(b"another document").digest()
    foreign, _ = timestamps.token_from_reply(_stamp(tsa.tsa, digest, 9), digest, 9)
    store = gateway.state_dir / "messagelog.sqlite3"
    with sqlite3.connect(store) as db:
        db.execute("UPDATE gateway_log_timestamp SET token = ?", (foreign,))
    moved = _cli("log", "verify", env=env)
    assert moved.returncode == 1
    assert "imprint is not the checkpoint's hash" in moved.stdout


def test_a_failing_tsa_never_blocks_calls_and_shows_in_readyz(
    world: World, tmp_path: Path, tsa: TsaServer
) -> None:
    tsa.tsa.mode = "down"
    gateway = make_gateway(
        world, tmp_path, EGOV_GATEWAY_TSA_URL=tsa.url, EGOV_GATEWAY_TSA_INTERVAL="0"
    )
    gateway.start(wait_for_version=world.version)
    assert gateway.call("GET", legal_path()).status_code == 200
    ready = _until(gateway, lambda r: "timestamping_failing" in r["alarms"])
    assert "HTTP 503" in ready["checks"]["timestamps"]["last_error"]
    assert ready["checks"]["timestamps"]["pending"] is True
    for _ in range(5):
        assert gateway.call("GET", legal_path()).status_code == 200
    tsa.tsa.mode = "ok"  # back: the newest checkpoint is stamped on the next try
    ready = _until(gateway, lambda r: r["checks"]["timestamps"]["stamped"] >= 1, timeout=20)
    assert "timestamping_failing" not in ready["alarms"]
    gateway.stop()
    verified = _cli("log", "verify", env={"EGOV_GATEWAY_STATE_DIR": str(gateway.state_dir)})
    assert verified.returncode == 0, verified.stdout
    assert "checked against their checkpoints only" in verified.stdout
