"""Start the demo upstream and the gateway as subprocesses (for ``make demo`` and tests).

    from gateway.launch import start_demo
    processes = start_demo()          # control plane expected on :8000
    ...
    processes.stop()

The gateway gets its token from ``var/gateway-token.txt`` (written by the control plane's demo)
and, for the demo only, trusts the snapshot keys the control plane lists at
``/api/bridge/snapshots/keys`` when it starts (trust on first use; production configures the
key ids and keys explicitly).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from gateway.config import from_env


@dataclass
class Processes:
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def wait(self) -> None:
        while all(proc.poll() is None for proc in self.procs):
            time.sleep(0.5)

    def stop(self, timeout: float = 10.0) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + timeout
        for proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_http(url: str, timeout: float = 15.0) -> bool:
    """Poll ``url`` until it answers (any status) or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1.0):  # noqa: S310
                return True
        except urllib.error.HTTPError:
            return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    return False


def fetch_trusted_keys(control_plane_url: str, out: Path) -> bool:
    try:
        with urllib.request.urlopen(  # noqa: S310
            control_plane_url.rstrip("/") + "/api/bridge/snapshots/keys", timeout=5
        ) as response:
            document = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return False
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return True


def start_upstream(
    port: int = 8090, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gateway.cli", "demo-upstream", "--port", str(port)],
        env={**os.environ, **(env or {})},
    )


def start_gateway(
    port: int = 8080, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
        env={**os.environ, **(env or {})},
    )


def start_demo(
    control_plane_url: str = "http://127.0.0.1:8000",
    gateway_port: int = 8080,
    upstream_port: int = 8090,
    state_dir: Path = Path("var/gateway"),
    token_file: Path = Path("var/gateway-token.txt"),
) -> Processes:
    """Start both, wait until they answer, and return them (call ``stop()`` when done)."""
    env = {
        "EGOV_GATEWAY_CONTROL_PLANE_URL": control_plane_url,
        "EGOV_GATEWAY_TOKEN_FILE": str(token_file),
        "EGOV_GATEWAY_STATE_DIR": str(state_dir),
    }
    configured = from_env()
    if not configured.trusted_keys and configured.trusted_keys_file is None:
        boot = state_dir / "trusted-keys.boot.json"
        if fetch_trusted_keys(control_plane_url, boot) or boot.exists():
            env["EGOV_GATEWAY_TRUSTED_KEYS_FILE"] = str(boot)
    processes = Processes()
    processes.procs.append(start_upstream(upstream_port))
    processes.procs.append(start_gateway(gateway_port, env))
    wait_http(f"http://127.0.0.1:{upstream_port}/fast")
    wait_http(f"http://127.0.0.1:{gateway_port}/healthz")
    return processes
