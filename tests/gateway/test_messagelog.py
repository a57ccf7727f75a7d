"""The message log: chains, checkpoints, stores, tamper detection, archives and the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from gwtest import SRC, fresh_postgres_log, legal_path, make_gateway, run_async

from gateway import crypto, logarchive, messagelog
from gateway.errors import GatewayError


def _fields(number: int) -> dict[str, object]:
    return {
        "kind": "call",
        "request_id": f"r{number}",
        "started_at": f"2026-01-01T00:00:{number:02d}",
        "consumer": "KZ/COM/1/loans",
        "service": "KZ/GOV/2/reg/svc",
        "status": 200,
        "subject_id": None,
    }


def _write(store_url: str, tmp: Path, count: int = 12, batch: int = 4) -> crypto.SigningKey:
    key = crypto.load_or_create_signing_key(tmp / "key")

    async def run() -> None:
        writer = messagelog.LogWriter(
            messagelog.open_store(store_url),
            key,
            "node-test",
            tmp / "spill",
            batch_size=batch,
            flush_seconds=0.0,
        )
        await writer.start()
        for number in range(1, count + 1):
            await writer.append(_fields(number), sync=(number % batch == 0))
        await writer.close()

    run_async(run, 60)
    return key


def _verify(url: str, key: crypto.SigningKey) -> logarchive.Report:
    records, checkpoints = logarchive.read_store(url)
    return logarchive.verify(records, checkpoints, {key.kid: key.private.public_key()})


@pytest.fixture
def sqlite_log(tmp_path: Path) -> tuple[str, crypto.SigningKey, Path]:
    path = tmp_path / "log.sqlite3"
    url = f"sqlite:///{path}"
    return url, _write(url, tmp_path), path


def test_an_untouched_log_verifies(sqlite_log: tuple[str, crypto.SigningKey, Path]) -> None:
    url, key, _path = sqlite_log
    report = _verify(url, key)
    assert report.ok, report.problems
    assert report.records == 12
    assert report.checkpoints >= 3
    assert report.unsealed == 0


def test_an_edited_record_is_detected(sqlite_log: tuple[str, crypto.SigningKey, Path]) -> None:
    url, key, path = sqlite_log
    with sqlite3.connect(path) as db:
        body = db.execute("SELECT body FROM gateway_log_record WHERE seq = 5").fetchone()[0]
        edited = body.replace('"status":200', '"status":404')
        assert edited != body
        db.execute("UPDATE gateway_log_record SET body = ? WHERE seq = 5", (edited,))
    report = _verify(url, key)
    assert not report.ok
    assert any("#5" in problem and "altered" in problem for problem in report.problems)


def test_a_rehashed_edit_is_still_detected(sqlite_log: tuple[str, crypto.SigningKey, Path]) -> None:
    """Recomputing the edited record's hash breaks the link to the next record."""
    url, key, path = sqlite_log
    with sqlite3.connect(path) as db:
        body = db.execute("SELECT body FROM gateway_log_record WHERE seq = 6").fetchone()[0]
        data = json.loads(body)
        data["consumer"] = "KZ/COM/9/someone-else"
        new_body = messagelog.canonical(data).decode()
        new_hash = messagelog.chain_hash(data["prev"], new_body.encode())
        db.execute(
            "UPDATE gateway_log_record SET body = ?, hash = ? WHERE seq = 6", (new_body, new_hash)
        )
    report = _verify(url, key)
    assert not report.ok
    assert any("#7" in p or "#6" in p for p in report.problems)


def test_a_deleted_record_is_detected(sqlite_log: tuple[str, crypto.SigningKey, Path]) -> None:
    url, key, path = sqlite_log
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM gateway_log_record WHERE seq = 3")
    report = _verify(url, key)
    assert any("missing" in problem for problem in report.problems)


def test_deleting_the_tail_is_detected(sqlite_log: tuple[str, crypto.SigningKey, Path]) -> None:
    url, key, path = sqlite_log
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM gateway_log_record WHERE seq > 9")
    report = _verify(url, key)
    assert any("deleted at the end" in problem for problem in report.problems)


def test_reordered_records_are_detected(sqlite_log: tuple[str, crypto.SigningKey, Path]) -> None:
    url, key, path = sqlite_log
    with sqlite3.connect(path) as db:
        db.execute("UPDATE gateway_log_record SET seq = -1 WHERE seq = 2")
        db.execute("UPDATE gateway_log_record SET seq = 2 WHERE seq = 3")
        db.execute("UPDATE gateway_log_record SET seq = 3 WHERE seq = -1")
    report = _verify(url, key)
    assert any("moved" in problem for problem in report.problems)


def test_a_forged_checkpoint_is_detected(sqlite_log: tuple[str, crypto.SigningKey, Path]) -> None:
    url, key, path = sqlite_log
    with sqlite3.connect(path) as db:
        body = db.execute("SELECT body FROM gateway_log_checkpoint LIMIT 1").fetchone()[0]
        db.execute(
            "UPDATE gateway_log_checkpoint SET body = ?",
            (body.replace('"records":', '"records":1'),),
        )
    report = _verify(url, key)
    assert any("signature does not verify" in problem for problem in report.problems)
    other = crypto.load_or_create_signing_key(path.parent / "other-key")
    foreign = logarchive.verify(
        *logarchive.read_store(url), {other.kid: other.private.public_key()}
    )
    assert any("unknown key" in problem for problem in foreign.problems)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(SRC), **(env or {})},
    )


def test_cli_verify_and_archive(
    sqlite_log: tuple[str, crypto.SigningKey, Path], tmp_path: Path
) -> None:
    url, key, _path = sqlite_log
    env = {"EGOV_GATEWAY_SIGNING_KEY_FILE": str(tmp_path / "key")}
    good = _cli("log", "verify", "--store", url, env=env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "OK" in good.stdout
    archive = tmp_path / "archive.jsonl"
    exported = _cli("log", "export", "--store", url, "--out", str(archive), env=env)
    assert exported.returncode == 0, exported.stderr
    public = f"{key.kid}={key.public_b64url}"
    # Verified away from the database, with only the public key.
    offline = _cli("log", "verify", "--archive", str(archive), "--public-key", public)
    assert offline.returncode == 0, offline.stdout
    lines = archive.read_text().splitlines()
    # Reordering two record lines.
    swapped = lines[:]
    swapped[2], swapped[3] = swapped[3], swapped[2]
    bad = tmp_path / "swapped.jsonl"
    bad.write_text("\n".join(swapped) + "\n")
    result = _cli("log", "verify", "--archive", str(bad), "--public-key", public)
    assert result.returncode == 1
    assert "out of order" in result.stdout or "missing" in result.stdout
    # Deleting a record line.
    removed = tmp_path / "removed.jsonl"
    removed.write_text("\n".join(lines[:4] + lines[5:]) + "\n")
    result = _cli("log", "verify", "--archive", str(removed), "--public-key", public)
    assert result.returncode == 1
    assert "missing" in result.stdout
    # Editing one record line (and its hash) still breaks the seal and the chain.
    record = json.loads(lines[6])
    record["body"] = record["body"].replace('"status":200', '"status":500')
    edited = tmp_path / "edited.jsonl"
    edited.write_text(
        "\n".join([*lines[:6], json.dumps(record, sort_keys=True), *lines[7:]]) + "\n"
    )
    result = _cli("log", "verify", "--archive", str(edited), "--public-key", public)
    assert result.returncode == 1
    assert "seal" in result.stdout and "altered" in result.stdout
    # Cutting the archive short (seal gone).
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:-3]) + "\n")
    result = _cli("log", "verify", "--archive", str(cut), "--public-key", public)
    assert result.returncode == 1


def test_spilled_records_reach_the_store_later(tmp_path: Path) -> None:
    """With the store away, async records spill to disk and are written once it is back."""
    db_path = tmp_path / "sub" / "log.sqlite3"
    key = crypto.load_or_create_signing_key(tmp_path / "key")

    async def run() -> None:
        store = messagelog.SQLiteStore(f"sqlite:///{db_path}")
        writer = messagelog.LogWriter(
            store,
            key,
            "node-spill",
            tmp_path / "spill",
            batch_size=2,
            flush_seconds=0.0,
            buffer_records=4,
        )
        (tmp_path / "sub").write_text("not a directory")  # the store cannot open its file
        await writer.start()
        assert not writer.healthy
        for number in range(1, 11):
            await writer.append(_fields(number), sync=False)
        with pytest.raises(GatewayError) as refused:
            await writer.append(_fields(99), sync=True)
        assert refused.value.code == "log_unavailable"
        assert list((tmp_path / "spill").glob("*.jsonl"))
        (tmp_path / "sub").unlink()
        for _ in range(100):
            if writer.healthy and writer.backlog == 0:
                break
            await asyncio.sleep(0.1)
        await writer.close()

    run_async(run, 30)
    report = _verify(f"sqlite:///{db_path}", key)
    assert report.ok, report.problems
    assert report.records == 11
    assert not list((tmp_path / "spill").glob("*.jsonl"))


def test_postgres_store(tmp_path: Path) -> None:
    import psycopg

    url = fresh_postgres_log("_messagelog")
    key = _write(url, tmp_path, count=20, batch=5)
    report = _verify(url, key)
    assert report.ok, report.problems
    assert report.records == 20
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("DELETE FROM gateway_log_record WHERE seq = 7")
    assert any("missing" in p for p in _verify(url, key).problems)


def test_every_call_leaves_a_record(world: object, tmp_path: Path) -> None:
    from gwtest import World

    assert isinstance(world, World)
    process = make_gateway(world, tmp_path)
    process.start(wait_for_version=world.version)
    try:
        for _ in range(3):
            assert process.call("GET", legal_path()).status_code == 200
        assert process.call("GET", legal_path("/nowhere")).status_code == 404
    finally:
        process.stop()
    url = f"sqlite:///{process.state_dir / 'messagelog.sqlite3'}"
    key = crypto.load_or_create_signing_key(process.state_dir / "gateway-signing.key")
    report = _verify(url, key)
    assert report.ok, report.problems
    assert report.records == 4
    records, _ = logarchive.read_store(url)
    bodies = [entry.fields for entry in records]
    assert [b["status"] for b in bodies] == [200, 200, 200, 404]
    first = bodies[0]
    assert first["consumer"] == "KZ/COM/080340000084/loans"
    assert first["endpoint"] == "GET /legal-entities/{bin}"
    assert first["version"] == "v1"
    assert len(first["response_sha256"]) == 64 and first["response_bytes"] > 0
    assert bodies[3]["error"] == "unknown_endpoint"
