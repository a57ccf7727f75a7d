"""Bodies kept, encrypted, for services whose snapshot entry sets ``store_bodies``."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from gwtest import (
    SRC,
    GatewayProcess,
    World,
    fresh_postgres_log,
    grant,
    make_gateway,
    run_async,
    service,
    svc_path,
)

from gateway import bodies, crypto, logarchive, messagelog
from gateway.config import ConfigError

KEY_A = "body-a=" + crypto.b64url(bytes(range(32)))
KEY_B = "body-b=" + crypto.b64url(bytes(range(32, 64)))
SECRET = b'{"iin":"900101350123","note":"PLAINTEXT-MARKER-7f3a9c"}'


def _vault(text: str = KEY_A, current: str | None = None, cap: int = 1 << 20) -> bodies.BodyVault:
    return bodies.vault_from_settings(text, None, current, cap)


# --------------------------------------------------------------------------- sealing


def test_a_body_is_sealed_and_opens_only_in_its_place() -> None:
    vault = _vault()
    sealed = vault.seal("chain-1", 7, "request", SECRET, len(SECRET))
    assert sealed.kid == "body-a" and sealed.note is None
    assert sealed.ciphertext is not None and SECRET not in sealed.ciphertext
    assert vault.open("chain-1", 7, sealed) == SECRET
    # Bound to its record and part: moved, it no longer decrypts.
    for chain, seq, part in (("chain-1", 8, "request"), ("chain-2", 7, "request")):
        with pytest.raises(bodies.BodyError, match="does not decrypt"):
            vault.open(
                chain,
                seq,
                bodies.SealedBody(part, sealed.size, "body-a", sealed.nonce, sealed.ciphertext),
            )
    moved = bodies.SealedBody("response", sealed.size, "body-a", sealed.nonce, sealed.ciphertext)
    with pytest.raises(bodies.BodyError, match="does not decrypt"):
        vault.open("chain-1", 7, moved)


def test_tampered_ciphertext_fails() -> None:
    vault = _vault()
    sealed = vault.seal("c", 1, "response", SECRET, len(SECRET))
    assert sealed.ciphertext is not None
    flipped = bytes([sealed.ciphertext[0] ^ 1]) + sealed.ciphertext[1:]
    tampered = bodies.SealedBody("response", sealed.size, sealed.kid, sealed.nonce, flipped)
    with pytest.raises(bodies.BodyError, match="altered"):
        vault.open("c", 1, tampered)


def test_keys_rotate_and_the_hash_proves_the_body() -> None:
    old = _vault(KEY_A)
    sealed = old.seal("c", 3, "request", SECRET, len(SECRET))
    rotated = _vault(f"{KEY_B},{KEY_A}")  # the first key seals, the others still open
    assert rotated.current == "body-b"
    assert rotated.seal("c", 4, "request", b"x", 1).kid == "body-b"
    record = {"request_sha256": hashlib.sha256(SECRET).hexdigest()}
    assert bodies.open_and_check(rotated, "c", 3, record, sealed) == SECRET
    with pytest.raises(bodies.BodyError, match="SHA-256"):
        bodies.open_and_check(rotated, "c", 3, {"request_sha256": "0" * 64}, sealed)
    with pytest.raises(bodies.BodyError, match="not given"):
        _vault(KEY_B).open("c", 3, sealed)
    assert _vault(f"{KEY_B},{KEY_A}", current="body-a").current == "body-a"


def test_too_large_and_keyless_bodies_keep_only_the_reason() -> None:
    small = _vault(cap=10)
    assert small.seal("c", 1, "request", SECRET, len(SECRET)).note == bodies.TOO_LARGE
    assert small.seal("c", 1, "response", None, 10**9).note == bodies.TOO_LARGE
    keyless = bodies.BodyVault({})
    sealed = keyless.seal("c", 1, "request", SECRET, len(SECRET))
    assert sealed.note == bodies.NO_KEY and sealed.ciphertext is None
    with pytest.raises(bodies.BodyError, match="not kept"):
        keyless.open("c", 1, sealed)


def test_bad_keys_are_named_without_their_material() -> None:
    short = "k1=" + crypto.b64url(b"0123456789")
    for text, message in ((short, "32 bytes"), ("k1", "kid=base64url"), ("k1=***", "base64url")):
        with pytest.raises(ConfigError, match=message) as error:
            bodies.parse_keys(text, "EGOV_GATEWAY_BODY_KEYS")
        assert "0123456789" not in str(error.value) and "MDEy" not in str(error.value)
    with pytest.raises(ConfigError, match="BODY_KEY_ID"):
        _vault(KEY_A, current="nope")


# --------------------------------------------------------------------------- the writer and store


def test_the_writer_stores_bodies_encrypted_beside_the_record(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.sqlite3'}"
    key = crypto.load_or_create_signing_key(tmp_path / "key")
    vault = _vault()
    digest = hashlib.sha256(SECRET).hexdigest()

    async def run() -> None:
        writer = messagelog.LogWriter(
            messagelog.open_store(url),
            key,
            "node-b",
            tmp_path / "spill",
            flush_seconds=0.0,
            vault=vault,
        )
        await writer.start()
        fields = {
            "kind": "call",
            "request_id": "r1",
            "started_at": "2026-01-01T00:00:00",
            "request_sha256": digest,
            "response_sha256": digest,
            "status": 200,
        }
        await writer.append(
            fields, True, (("request", SECRET, len(SECRET)), ("response", SECRET, len(SECRET)))
        )
        await writer.append({**fields, "request_id": "r2"}, True)
        await writer.close()

    run_async(run, 30)
    for path in tmp_path.glob("log.sqlite3*"):  # the database, its WAL and shared memory
        assert SECRET not in path.read_bytes(), path
    found = list(logarchive.read_bodies(url))
    assert [(c, s, b.part) for c, s, b in found] == [
        ("node-b", 1, "request"),
        ("node-b", 1, "response"),
    ]
    (entry,) = logarchive.find_records(url, "r1")
    for _chain, _seq, sealed in found:
        assert bodies.open_and_check(vault, "node-b", 1, entry.fields, sealed) == SECRET
    assert "bodies" not in entry.body and "PLAINTEXT" not in entry.body  # the record is as before
    records, checkpoints = logarchive.read_store(url)
    assert logarchive.verify(records, checkpoints, {key.kid: key.private.public_key()}).ok


def test_spilled_bodies_survive_until_the_store_is_back(tmp_path: Path) -> None:
    db_path = tmp_path / "sub" / "log.sqlite3"
    key = crypto.load_or_create_signing_key(tmp_path / "key")
    vault = _vault()

    async def run() -> None:
        writer = messagelog.LogWriter(
            messagelog.SQLiteStore(f"sqlite:///{db_path}"),
            key,
            "node-s",
            tmp_path / "spill",
            batch_size=2,
            flush_seconds=0.0,
            buffer_records=2,
            vault=vault,
        )
        (tmp_path / "sub").write_text("not a directory")  # the store cannot open its file
        await writer.start()
        for number in range(6):
            await writer.append(
                {"kind": "call", "request_id": f"s{number}", "started_at": "2026-01-01T00:00:00"},
                False,
                (("request", SECRET, len(SECRET)),),
            )
        spilled = list((tmp_path / "spill").glob("*.jsonl"))
        assert spilled and all(SECRET not in path.read_bytes() for path in spilled)
        (tmp_path / "sub").unlink()
        for _ in range(100):
            if writer.healthy and writer.backlog == 0:
                break
            await asyncio.sleep(0.1)
        await writer.close()

    run_async(run, 30)
    found = list(logarchive.read_bodies(f"sqlite:///{db_path}"))
    assert len(found) == 6
    assert all(vault.open(c, s, b) == SECRET for c, s, b in found)


# --------------------------------------------------------------------------- through the gateway


def _kept_world(world: World) -> None:
    kept = service(
        "kept",
        f"{world.upstream}/_test",
        [["POST", "/echo"], ["GET", "/bytes/{n}"]],
        store_bodies=True,
    )
    world.services.append(kept)
    world.grants.append(grant(90, world.grants[0]["consumer"], kept))
    world.publish()


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args],
        capture_output=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(SRC), **env},
    )


def _gateway_with_bodies(world: World, tmp_path: Path, **env: str) -> GatewayProcess:
    _kept_world(world)
    gateway = make_gateway(world, tmp_path, **env)
    gateway.start(wait_for_version=world.version)
    return gateway


def _wait_written(gateway: GatewayProcess) -> None:
    for _ in range(100):
        if (
            requests.get(gateway.url + "/readyz", timeout=2).json()["checks"]["log_store"][
                "backlog"
            ]
            == 0
        ):
            return
        time.sleep(0.05)
    raise AssertionError("the log did not drain")


def test_gateway_keeps_bodies_only_for_services_that_ask(world: World, tmp_path: Path) -> None:
    keys_file = tmp_path / "body-keys"
    keys_file.write_text(f"# operator's body keys\n{KEY_A}\n")
    gateway = _gateway_with_bodies(
        world,
        tmp_path,
        EGOV_GATEWAY_BODY_KEYS_FILE=str(keys_file),
        EGOV_GATEWAY_BODY_MAX_BYTES="4096",
    )
    kept = gateway.call(
        "POST",
        svc_path("kept", "/echo"),
        data=SECRET,
        headers={"X-Request-Id": "kept-1", "Content-Type": "application/json"},
    )
    assert kept.status_code == 200
    assert kept.json()["body"] == SECRET.decode()  # the echo carries the body back
    plain = gateway.call(
        "POST", svc_path("echo", "/echo"), data=SECRET, headers={"X-Request-Id": "plain-1"}
    )
    assert plain.status_code == 200
    big = gateway.call("GET", svc_path("kept", "/bytes/100000"), headers={"X-Request-Id": "big-1"})
    assert big.status_code == 200 and len(big.content) == 100000
    _wait_written(gateway)
    ready = requests.get(gateway.url + "/readyz", timeout=2).json()
    assert ready["checks"]["bodies"]["keys"] == ["body-a"]
    assert ready["checks"]["bodies"]["services"] == 1
    assert "body_key_missing" not in ready["alarms"]
    gateway.stop()

    store = gateway.state_dir / "messagelog.sqlite3"
    for path in gateway.state_dir.rglob("*"):
        if path.is_file():
            assert b"PLAINTEXT-MARKER" not in path.read_bytes(), path
    with sqlite3.connect(store) as db:
        rows = db.execute(
            "SELECT r.request_id, b.part, b.kid, b.note FROM gateway_log_body b JOIN "
            "gateway_log_record r ON r.chain = b.chain AND r.seq = b.seq ORDER BY 1, 2"
        ).fetchall()
    assert rows == [
        ("big-1", "request", "body-a", None),  # an empty request body, sealed all the same
        ("big-1", "response", None, "too_large"),
        ("kept-1", "request", "body-a", None),
        ("kept-1", "response", "body-a", None),
    ]  # and nothing at all for plain-1

    env = {
        "EGOV_GATEWAY_STATE_DIR": str(gateway.state_dir),
        "EGOV_GATEWAY_BODY_KEYS_FILE": str(keys_file),
    }
    request = _cli("log", "body", "--request-id", "kept-1", "--part", "request", env=env)
    assert request.returncode == 0, request.stderr
    assert request.stdout == SECRET
    assert b"matches the record's SHA-256" in request.stderr
    out = tmp_path / "response.json"
    response = _cli("log", "body", "--request-id", "kept-1", "--out", str(out), env=env)
    assert response.returncode == 0, response.stderr
    assert out.read_bytes() == kept.content
    assert out.stat().st_mode & 0o077 == 0
    none = _cli("log", "body", "--request-id", "plain-1", env=env)
    assert none.returncode == 2 and b"no response body kept" in none.stderr
    keyless = _cli(
        "log",
        "body",
        "--request-id",
        "kept-1",
        env={"EGOV_GATEWAY_STATE_DIR": str(gateway.state_dir)},
    )
    assert keyless.returncode == 2 and b"no body key" in keyless.stderr

    # An archive carries the bodies still encrypted; the key opens them there too.
    archive = tmp_path / "archive.jsonl"
    assert _cli("log", "export", "--out", str(archive), env=env).returncode == 0
    assert b"PLAINTEXT-MARKER" not in archive.read_bytes()
    assert sum(json.loads(line)["type"] == "body" for line in archive.read_text().splitlines()) == 4
    offline = _cli(
        "log",
        "body",
        "--archive",
        str(archive),
        "--request-id",
        "kept-1",
        "--part",
        "request",
        env=env,
    )
    assert offline.returncode == 0 and offline.stdout == SECRET
    assert _cli("log", "verify", "--archive", str(archive), env=env).returncode == 0

    # A flipped byte of ciphertext is caught.
    with sqlite3.connect(store) as db:
        chain, seq, ciphertext = db.execute(
            "SELECT b.chain, b.seq, b.ciphertext FROM gateway_log_body b JOIN gateway_log_record "
            "r ON r.chain = b.chain AND r.seq = b.seq WHERE r.request_id = 'kept-1' AND "
            "b.part = 'request'"
        ).fetchone()
        flipped = bytes([ciphertext[0] ^ 0x80]) + ciphertext[1:]
        db.execute(
            "UPDATE gateway_log_body SET ciphertext = ? WHERE chain = ? AND seq = ? "
            "AND part = 'request'",
            (flipped, chain, seq),
        )
    tampered = _cli("log", "body", "--record", f"{chain}#{seq}", "--part", "request", env=env)
    assert tampered.returncode == 1
    assert b"does not decrypt" in tampered.stderr and SECRET not in tampered.stdout


def test_without_a_key_only_hashes_are_kept_and_readyz_says_so(
    world: World, tmp_path: Path
) -> None:
    gateway = _gateway_with_bodies(world, tmp_path)
    answer = gateway.call(
        "POST", svc_path("kept", "/echo"), data=SECRET, headers={"X-Request-Id": "nokey-1"}
    )
    assert answer.status_code == 200  # calls go on: the record has the bodies' hashes
    _wait_written(gateway)
    ready = requests.get(gateway.url + "/readyz", timeout=2).json()
    assert ready["status"] == "degraded"
    assert "body_key_missing" in ready["alarms"]
    assert ready["checks"]["bodies"]["no_key"] == 2
    gateway.stop()
    with sqlite3.connect(gateway.state_dir / "messagelog.sqlite3") as db:
        notes = db.execute("SELECT note, ciphertext FROM gateway_log_body").fetchall()
    assert notes == [("no_key", None), ("no_key", None)]


def test_a_malformed_body_key_stops_the_start_with_a_clear_message(
    world: World, tmp_path: Path
) -> None:
    gateway = make_gateway(world, tmp_path, EGOV_GATEWAY_BODY_KEYS="k1=c2hvcnQ")
    result = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "serve", "--port", str(gateway.port)],
        env=gateway.env,
        capture_output=True,
        timeout=30,
        text=True,
    )
    assert result.returncode == 2
    assert "EGOV_GATEWAY_BODY_KEYS" in result.stderr and "32 bytes" in result.stderr
    assert "c2hvcnQ" not in result.stderr


def test_new_body_key_prints_a_usable_line() -> None:
    result = _cli("keys", "new-body-key", env={})
    assert result.returncode == 0
    line = result.stdout.decode().strip()
    ((kid, key),) = bodies.parse_keys(line, "test").items()
    assert kid.startswith("body-") and len(key) == 32


def test_postgres_keeps_bodies_and_time_stamps(tmp_path: Path) -> None:
    url = fresh_postgres_log("_evidence")
    key = crypto.load_or_create_signing_key(tmp_path / "key")
    vault = _vault()
    digest = hashlib.sha256(SECRET).hexdigest()
    checkpoints: list[messagelog.Checkpoint] = []

    async def run() -> None:
        store = messagelog.open_store(url)
        writer = messagelog.LogWriter(
            store, key, "node-pg", tmp_path / "spill", flush_seconds=0.0, vault=vault
        )
        writer.on_checkpoint = checkpoints.append
        await writer.start()
        fields = {
            "kind": "call",
            "request_id": "pg-1",
            "started_at": "2026-01-01T00:00:00",
            "request_sha256": digest,
            "status": 200,
        }
        await writer.append(fields, True, (("request", SECRET, len(SECRET)),))
        await writer.append({**fields, "request_id": "pg-2"}, True)
        await store.save_timestamp(
            messagelog.Stamp("node-pg", checkpoints[-1].seq, "http://tsa.test/", b"\x30\x00")
        )
        await writer.close()

    run_async(run, 30)
    (entry,) = logarchive.find_records(url, "pg-1")
    found = list(logarchive.read_bodies(url, entry.chain, entry.seq))
    assert [b.part for _c, _s, b in found] == ["request"]
    sealed = found[0][2]
    assert sealed.ciphertext is not None and SECRET not in sealed.ciphertext
    assert bodies.open_and_check(vault, entry.chain, entry.seq, entry.fields, sealed) == SECRET
    assert list(logarchive.read_bodies(url, "node-pg", 2)) == []
    (stamp,) = logarchive.read_stamps(url)
    assert (stamp.chain, stamp.token) == ("node-pg", b"\x30\x00")
