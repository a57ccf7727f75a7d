"""`egov demo`, run for real: once the gateway is up, its scripted calls for the demo citizen go
through the gateway and come back to the control plane as the citizen's tracked accesses."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
DEMO_UPSTREAM_PORT = 8090  # the demo services' upstream URLs name it


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _citizen_calls(database: Path) -> list[tuple[str, int, str, str]]:
    if not database.exists():
        return []
    try:
        with sqlite3.connect(database, timeout=5) as connection:
            return connection.execute(
                "SELECT consumer, status, error, consent_id FROM bridge_callrecord"
                " WHERE subject_id = (SELECT personal_id FROM core_user WHERE username = 'citizen')"
                " ORDER BY consumer"
            ).fetchall()
    except sqlite3.OperationalError:  # not migrated yet, or busy
        return []


def _errors(log: str) -> str:
    lines = [line for line in log.splitlines() if "INFO wagtail" not in line]
    return "\n".join(lines[-80:])


def test_the_demo_calls_the_gateway_for_the_citizen(tmp_path: Path) -> None:
    if _port_taken(DEMO_UPSTREAM_PORT):
        pytest.fail(f"port {DEMO_UPSTREAM_PORT} (the demo providers) is in use")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE") and not key.startswith("EGOV_")
    }
    env.update(PYTHONPATH=str(SRC), EGOV_DATA_DIR=str(tmp_path))
    if "EGOV_REDIS_URL" in os.environ:
        env["EGOV_REDIS_URL"] = os.environ["EGOV_REDIS_URL"]
    web, gateway = _free_port(), _free_port()
    command = ["demo", "--port", str(web), "--gateway-port", str(gateway)]
    log = (tmp_path / "demo.log").open("wb")
    demo = subprocess.Popen(
        [sys.executable, "-m", "egov.cli", *command],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    database = tmp_path / "egov.sqlite3"
    try:
        deadline = time.monotonic() + 420  # a fresh demo database takes a few minutes
        while len(calls := _citizen_calls(database)) < 2:
            assert demo.poll() is None, _errors((tmp_path / "demo.log").read_text())
            assert time.monotonic() < deadline, "the demo's calls never reached the tracker"
            time.sleep(1)
    finally:
        demo.send_signal(signal.SIGTERM)
        demo.wait(30)
        log.close()
    output = (tmp_path / "demo.log").read_text()
    assert "curl -H" in output and f"http://127.0.0.1:{gateway}/r1/" in output
    refused, answered = calls  # by consumer: cards, loans
    assert answered[0].endswith("/loans") and answered[1:3] == (200, "")
    assert answered[3].startswith("CNS-")
    assert refused[0].endswith("/cards") and refused[1:] == (403, "no_consent", "")
    assert not _port_taken(gateway), "the demo left its gateway running"
