"""``gateway.launch.start_demo``: what ``make demo`` calls to run the gateway and demo upstream."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests
from gwtest import API_KEY, CONSUMER, GATEWAY_TOKEN, SRC, World, free_port

from gateway import launch


def test_start_demo_runs_gateway_and_upstream(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith("EGOV_GATEWAY_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PYTHONPATH", str(SRC))
    token_file = tmp_path / "gateway-token.txt"
    token_file.write_text(GATEWAY_TOKEN)
    gateway_port, upstream_port = free_port(), free_port()
    processes = launch.start_demo(
        control_plane_url=world.control_plane,
        gateway_port=gateway_port,
        upstream_port=upstream_port,
        state_dir=tmp_path / "state",
        token_file=token_file,
    )
    try:
        assert (tmp_path / "state" / "trusted-keys.boot.json").exists()
        ready = requests.get(f"http://127.0.0.1:{gateway_port}/readyz", timeout=5).json()
        assert ready["checks"]["snapshot"]["version"] == world.version
        upstream = requests.get(
            f"http://127.0.0.1:{upstream_port}/legal-entity/legal-entities/120540012345",
            timeout=5,
        )
        assert upstream.json()["bin"] == "120540012345"
        call = requests.get(
            f"http://127.0.0.1:{gateway_port}/r1/KZ/GOV/010340000012/legal-entities/"
            "legal-entity/v1/legal-entities/120540012345",
            headers={"X-API-Key": API_KEY, "X-Road-Client": CONSUMER},
            timeout=5,
        )
        assert call.status_code == 200, call.text
    finally:
        processes.stop()
    assert all(proc.poll() is not None for proc in processes.procs)
