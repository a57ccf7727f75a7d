"""Faults against real processes on loopback: providers, control plane, log store, overload."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from gwtest import (
    API_KEY,
    Key,
    World,
    free_port,
    legal_path,
    make_gateway,
    svc_path,
    unavailable,
)

from gateway import crypto, logarchive


def _timed(call: object) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = call()  # type: ignore[operator]
    return response, time.monotonic() - started


def test_upstream_down_is_502_within_the_connect_timeout(gateway: object) -> None:
    response, elapsed = _timed(lambda: gateway.call("GET", svc_path("down", "/x")))  # type: ignore[attr-defined]
    assert response.status_code == 502
    assert response.json()["code"] == "upstream_unavailable"
    assert elapsed < 1.5


def test_hanging_upstream_is_504_at_the_timeout(gateway: object) -> None:
    response, elapsed = _timed(
        lambda: gateway.call("GET", svc_path("echo", "/sleep?seconds=5"))  # type: ignore[attr-defined]
    )
    assert response.status_code == 504
    assert response.json()["code"] == "upstream_timeout"
    assert 0.9 <= elapsed < 2.5  # the service timeout is 1000 ms; not retried


def test_circuit_opens_and_closes(gateway: object) -> None:
    call = gateway.call  # type: ignore[attr-defined]
    for _ in range(3):
        failing = call("GET", svc_path("echo", "/status/503"))
        assert failing.status_code == 503
        assert "code" not in failing.json() or failing.json().get("status") == 503
    opened, elapsed = _timed(lambda: call("GET", svc_path("echo", "/status/200")))
    assert opened.status_code == 503
    assert opened.json()["code"] == "circuit_open"
    assert int(opened.headers["Retry-After"]) >= 1
    assert elapsed < 0.5
    ready = requests.get(gateway.url + "/readyz", timeout=5).json()  # type: ignore[attr-defined]
    assert ready["checks"]["open_circuits"]
    time.sleep(1.2)  # EGOV_GATEWAY_BREAKER_RESET=1
    trial = call("GET", svc_path("echo", "/status/200"))
    assert trial.status_code == 200
    assert call("GET", svc_path("echo", "/status/200")).status_code == 200


def test_half_open_failure_opens_again(gateway: object) -> None:
    call = gateway.call  # type: ignore[attr-defined]
    for _ in range(3):
        assert call("GET", svc_path("down", "/x")).status_code == 502
    assert call("GET", svc_path("down", "/x")).json()["code"] == "circuit_open"
    time.sleep(1.2)
    assert call("GET", svc_path("down", "/x")).json()["code"] == "upstream_unavailable"
    assert call("GET", svc_path("down", "/x")).json()["code"] == "circuit_open"


def test_idempotent_calls_are_retried_once_on_connection_failure(gateway: object) -> None:
    # POST to a dead upstream: one attempt; GET: one retry. Both fail fast with 502.
    call = gateway.call  # type: ignore[attr-defined]
    assert call("GET", svc_path("down", "/x")).status_code == 502


def test_control_plane_down_serves_from_the_disk_snapshot(world: World, tmp_path: Path) -> None:
    first = make_gateway(world, tmp_path)
    first.start(wait_for_version=world.version)
    assert first.call("GET", legal_path()).status_code == 200
    first.stop()
    dead = f"http://127.0.0.1:{free_port()}"
    second = make_gateway(
        world, tmp_path, EGOV_GATEWAY_CONTROL_PLANE_URL=dead, EGOV_GATEWAY_SNAPSHOT_MAX_AGE="1"
    )
    second.start()
    try:
        response = second.call("GET", legal_path())
        assert response.status_code == 200, response.text
        time.sleep(1.1)
        ready = requests.get(second.url + "/readyz", timeout=5)
        assert ready.status_code == 200  # alarms, but does not refuse unless configured to
        body = ready.json()
        assert body["checks"]["snapshot"]["source"] == "disk"
        assert "snapshot_stale" in body["alarms"]
        assert body["checks"]["snapshot"]["last_error"]
        assert second.call("GET", legal_path()).status_code == 200
    finally:
        second.stop()
    third = make_gateway(
        world,
        tmp_path,
        EGOV_GATEWAY_CONTROL_PLANE_URL=dead,
        EGOV_GATEWAY_SNAPSHOT_MAX_AGE="1",
        EGOV_GATEWAY_REFUSE_WHEN_STALE="1",
    )
    third.start()
    try:
        refused = third.call("GET", legal_path())
        assert refused.status_code == 503
        assert refused.json()["code"] == "policy_unavailable"
        assert requests.get(third.url + "/readyz", timeout=5).status_code == 503
    finally:
        third.stop()


def test_no_snapshot_at_all_refuses(world: World, tmp_path: Path) -> None:
    process = make_gateway(
        world, tmp_path, EGOV_GATEWAY_CONTROL_PLANE_URL=f"http://127.0.0.1:{free_port()}"
    )
    process.start()
    try:
        response = process.call("GET", legal_path())
        assert response.status_code == 503
        assert response.json()["code"] == "policy_unavailable"
    finally:
        process.stop()


def test_key_rotation_and_untrusted_signatures(world: World, gateway: object) -> None:
    successor = Key("sna-test2")
    world.extra_snapshot_keys = [
        {"kid": successor.kid, "public_key": successor.public, "retired": False}
    ]
    gateway.wait_version(world.publish())  # type: ignore[attr-defined]
    # Signed by the successor, which only the previous snapshot introduced.
    gateway.wait_version(world.publish(key=successor))  # type: ignore[attr-defined]
    stranger = Key("sna-evil")
    forged = world.publish(key=stranger)
    time.sleep(1.0)
    ready = requests.get(gateway.url + "/readyz", timeout=5).json()  # type: ignore[attr-defined]
    assert ready["checks"]["snapshot"]["version"] == forged - 1
    assert "untrusted" in (ready["checks"]["snapshot"]["last_error"] or "")
    assert gateway.call("GET", legal_path()).status_code == 200  # type: ignore[attr-defined]


def _records(state_dir: Path) -> list[dict[str, object]]:
    path = state_dir / "messagelog.sqlite3"
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT body FROM gateway_log_record").fetchall()
    import json

    return [json.loads(row[0]) for row in rows]


def test_kill_9_keeps_every_sync_record_that_got_a_2xx(world: World, tmp_path: Path) -> None:
    process = make_gateway(world, tmp_path)
    process.start(wait_for_version=world.version)
    ok_ids: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + 2.0

    def worker() -> None:
        session = requests.Session()
        while time.monotonic() < stop_at:
            request_id = uuid.uuid4().hex
            try:
                response = session.get(
                    process.url + svc_path("synced", "/legal-entities/120540012345"),
                    headers={"X-API-Key": API_KEY, "X-Request-Id": request_id},
                    timeout=5,
                )
            except requests.RequestException:
                continue
            if 200 <= response.status_code < 300:
                with lock:
                    ok_ids.append(request_id)

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(worker) for _ in range(8)]
        time.sleep(1.0)
        assert process.proc is not None
        os.killpg(process.proc.pid, signal.SIGKILL)  # the server and its workers
        for future in futures:
            future.result(timeout=30)
    process.proc.wait(10)
    assert len(ok_ids) > 20
    logged = {str(record["request_id"]) for record in _records(process.state_dir)}
    missing = [request_id for request_id in ok_ids if request_id not in logged]
    assert not missing, f"{len(missing)} of {len(ok_ids)} 2xx sync calls have no record"


def test_overload_is_refused_and_the_gateway_survives(world: World, tmp_path: Path) -> None:
    process = make_gateway(world, tmp_path, EGOV_GATEWAY_MAX_IN_FLIGHT="10")
    process.start(wait_for_version=world.version)
    try:

        def one(_: int) -> int:
            try:
                return process.call(
                    "GET", svc_path("echo", "/sleep?seconds=0.3"), timeout=20
                ).status_code
            except requests.RequestException:
                return -1

        with ThreadPoolExecutor(100) as pool:
            statuses = list(pool.map(one, range(100)))
        assert statuses.count(503) > 0
        assert statuses.count(200) >= 10
        assert set(statuses) <= {200, 503}
        assert process.proc is not None and process.proc.poll() is None
        rss = subprocess.run(
            ["ps", "-o", "rss=", "-g", str(process.proc.pid)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert len(rss) >= 1
        assert sum(int(kb) for kb in rss) < 400 * 1024  # the server and its workers
        assert process.call("GET", legal_path()).status_code == 200
    finally:
        process.stop()


def _postgres_url() -> str:
    return os.environ.get(
        "EGOV_GATEWAY_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/egov_gateway_test"
    )


def test_log_store_down_sync_fails_closed_async_catches_up(world: World, tmp_path: Path) -> None:
    url = _postgres_url()
    name = url.rsplit("/", 1)[1]
    try:
        import psycopg

        admin = psycopg.connect(
            url.rsplit("/", 1)[0] + "/postgres", autocommit=True, connect_timeout=3
        )
        if (
            admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            is None
        ):
            admin.execute(f'CREATE DATABASE "{name}"')
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("DROP TABLE IF EXISTS gateway_log_record, gateway_log_checkpoint")
    except Exception as error:
        unavailable(f"needs PostgreSQL at {url}: {error}")
        return
    process = make_gateway(world, tmp_path, EGOV_GATEWAY_LOG_STORE=url)
    process.start(wait_for_version=world.version)
    try:
        synced = svc_path("synced", "/legal-entities/120540012345")
        assert process.call("GET", synced).status_code == 200
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        codes = [process.call("GET", synced).json().get("code") for _ in range(3)]
        assert "log_unavailable" in codes
        assert process.call("GET", synced).status_code == 503
        ready = requests.get(process.url + "/readyz", timeout=5).json()
        assert "log_store_down" in ready["alarms"]
        for _ in range(5):
            assert process.call("GET", legal_path()).status_code == 200  # async keeps serving
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            ready = requests.get(process.url + "/readyz", timeout=5).json()
            if ready["checks"]["log_store"]["up"] and ready["checks"]["log_store"]["backlog"] == 0:
                break
            time.sleep(0.2)
        assert ready["checks"]["log_store"]["up"]
        assert process.call("GET", synced).status_code == 200
    finally:
        process.stop()
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.close()
    key = crypto.load_or_create_signing_key(process.state_dir / "gateway-signing.key")
    records, checkpoints = logarchive.read_store(url)
    entries = list(records)
    report = logarchive.verify(entries, checkpoints, {key.kid: key.private.public_key()})
    assert report.ok, report.problems
    statuses = [entry.fields.get("status") for entry in entries]
    assert statuses.count(200) >= 7  # 1 sync before, 5 async during, 1 sync after the outage


def test_the_aiohttp_client_behaves_the_same(world: World, tmp_path: Path) -> None:
    process = make_gateway(world, tmp_path, EGOV_GATEWAY_HTTP_CLIENT="aiohttp")
    process.start(wait_for_version=world.version)
    assert process.call("GET", legal_path()).status_code == 200
    posted = process.call("POST", svc_path("echo", "/echo"), data=b"abc")
    assert posted.json()["body"] == "abc"
    down, elapsed = _timed(lambda: process.call("GET", svc_path("down", "/x")))
    assert down.json()["code"] == "upstream_unavailable" and elapsed < 1.5
    hung, elapsed = _timed(lambda: process.call("GET", svc_path("echo", "/sleep?seconds=5")))
    assert hung.json()["code"] == "upstream_timeout" and 0.9 <= elapsed < 2.5


def test_log_store_away_at_start_is_probed_until_it_is_back(world: World, tmp_path: Path) -> None:
    """No traffic is needed for the gateway to notice its store is back (sync services refuse)."""
    url = _postgres_url()
    name = url.rsplit("/", 1)[1]
    try:
        import psycopg

        admin = psycopg.connect(
            url.rsplit("/", 1)[0] + "/postgres", autocommit=True, connect_timeout=3
        )
        if (
            admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            is None
        ):
            admin.execute(f'CREATE DATABASE "{name}"')
    except Exception as error:
        unavailable(f"needs PostgreSQL at {url}: {error}")
        return
    admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    try:
        process = make_gateway(world, tmp_path, EGOV_GATEWAY_LOG_STORE=url)
        process.start(wait_for_version=world.version)
        synced = svc_path("synced", "/legal-entities/120540012345")
        assert process.call("GET", synced).json()["code"] == "log_unavailable"
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            ready = requests.get(process.url + "/readyz", timeout=5).json()
            if ready["checks"]["log_store"]["up"]:
                break
            time.sleep(0.2)
        assert ready["checks"]["log_store"]["up"]
        assert process.call("GET", synced).status_code == 200
    finally:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.close()
