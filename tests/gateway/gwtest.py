"""Helpers and fixtures for gateway tests: real server processes on 127.0.0.1, signed snapshots.

Servers (demo upstream, fake control plane, gateway) run as subprocesses on free loopback ports;
every wait is bounded. Tests that need PostgreSQL or Redis skip without them, and fail instead
when ``EGOV_STRICT=1``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

T = TypeVar("T")
HERE = Path(__file__).parent
ROOT = HERE.parent.parent
SRC = ROOT / "src"
CONSUMER = "KZ/COM/080340000084/loans"
OTHER = "KZ/COM/090340000900/subscribers"
PROVIDER = "KZ/GOV/010340000012/legal-entities"
API_KEY = "egk_test-consumer-key-0001"
OTHER_KEY = "egk_test-other-key-0002"
GATEWAY_TOKEN = "egw_test-token"


def strict() -> bool:
    return os.environ.get("EGOV_STRICT", "").lower() in {"1", "true", "yes", "on"}


def unavailable(reason: str) -> None:
    if strict():
        pytest.fail(f"EGOV_STRICT=1 and a required service is missing: {reason}")
    pytest.skip(reason)


def fresh_postgres_log(suffix: str) -> str:
    """An empty PostgreSQL database of the test's own for a log store (``suffix`` names it)."""
    base = os.environ.get(
        "EGOV_GATEWAY_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/egov_gateway_test"
    )
    url = base + suffix
    server, name = url.rsplit("/", 1)
    try:
        import psycopg

        with psycopg.connect(server + "/postgres", autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    except Exception as error:
        unavailable(f"needs PostgreSQL at {url}: {error}")
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass
class Key:
    kid: str
    private: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    @property
    def public(self) -> str:
        raw = self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return b64url(raw)

    def sign(self, data: bytes) -> str:
        return b64url(self.private.sign(data))

    def jwt(self, claims: dict[str, Any]) -> str:
        header = b64url(canonical({"alg": "EdDSA", "kid": self.kid, "typ": "JWT"}))
        payload = b64url(canonical(claims))
        return f"{header}.{payload}.{self.sign(f'{header}.{payload}'.encode())}"


def service(
    code: str,
    upstream: str,
    endpoints: list[list[str]],
    classification: str = "public",
    timeout_ms: int = 2000,
    subsystem: str = "legal-entities",
    **extra: Any,
) -> dict[str, Any]:
    provider = f"KZ/GOV/010340000012/{subsystem}"
    return {
        "address": f"{provider}/{code}",
        "passport": f"TEST-S-{code}",
        "provider": provider,
        "code": code,
        "classification": classification,
        "upstream": upstream,
        "timeout_ms": timeout_ms,
        "versions": [
            {
                "version": "v1",
                "status": "published",
                "endpoints": endpoints,
                "rate_per_minute": None,
                "quota_per_day": None,
            }
        ],
        **extra,
    }


def grant(
    grant_id: int,
    consumer: str,
    svc: dict[str, Any],
    endpoints: list[list[str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": grant_id,
        "consumer": consumer,
        "service": svc["address"],
        "version": "v1",
        "endpoints": endpoints if endpoints is not None else svc["versions"][0]["endpoints"],
        "valid_from": "2020-01-01T00:00:00+00:00",
        "valid_until": "2099-01-01T00:00:00+00:00",
        "rate_per_minute": None,
        "quota_per_day": None,
        "ip_ranges": ["127.0.0.0/8"],
        **extra,
    }


@dataclass
class World:
    """Upstream + control plane processes and the snapshot the control plane serves."""

    upstream_port: int
    cp_port: int
    cp_dir: Path
    snapshot_key: Key
    token_key: Key
    version: int = 0
    services: list[dict[str, Any]] = field(default_factory=list)
    grants: list[dict[str, Any]] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)
    extra_snapshot_keys: list[dict[str, Any]] = field(default_factory=list)

    @property
    def upstream(self) -> str:
        return f"http://127.0.0.1:{self.upstream_port}"

    @property
    def control_plane(self) -> str:
        return f"http://127.0.0.1:{self.cp_port}"

    def document(self) -> dict[str, Any]:
        return {
            "format": "egov-policy-snapshot/1",
            "version": self.version,
            "issued_at": "2026-11-26T13:20:00+00:00",
            "instance": "KZ",
            "services": self.services,
            "grants": self.grants,
            "credentials": {
                "api_keys": [
                    {
                        "hash": hashlib.sha256(API_KEY.encode()).hexdigest(),
                        "prefix": API_KEY[:12],
                        "system": CONSUMER,
                        "expires_at": None,
                    },
                    {
                        "hash": hashlib.sha256(OTHER_KEY.encode()).hexdigest(),
                        "prefix": OTHER_KEY[:12],
                        "system": OTHER,
                        "expires_at": None,
                    },
                ],
                "oauth": {
                    "issuer": "http://cp.test",
                    "audience": "egov-gateway",
                    "jwks": {
                        "keys": [
                            {
                                "kty": "OKP",
                                "crv": "Ed25519",
                                "x": self.token_key.public,
                                "kid": self.token_key.kid,
                                "alg": "EdDSA",
                                "use": "sig",
                            }
                        ]
                    },
                },
                "certificates": [{"fingerprint": "ab" * 32, "system": CONSUMER}],
            },
            "consents": self.consents,
            "snapshot_keys": [
                {
                    "kid": self.snapshot_key.kid,
                    "public_key": self.snapshot_key.public,
                    "retired": False,
                },
                *self.extra_snapshot_keys,
            ],
        }

    def publish(self, key: Key | None = None) -> int:
        """Sign and serve a new version (as the control plane would)."""
        key = key or self.snapshot_key
        self.version += 1
        body = canonical(self.document())
        (self.cp_dir / "body.json").write_bytes(body)
        (self.cp_dir / "signature.txt").write_text(f'kid="{key.kid}", sig="{key.sign(body)}"')
        (self.cp_dir / "version.txt").write_text(str(self.version))
        return self.version

    def standard(self) -> None:
        up = self.upstream
        dead = f"http://127.0.0.1:{free_port()}"
        legal = service(
            "legal-entity",
            f"{up}/legal-entity",
            [
                ["GET", "/legal-entities"],
                ["GET", "/legal-entities/{bin}"],
                ["GET", "/legal-entities/{bin}/management"],
            ],
        )
        echo = service(
            "echo",
            f"{up}/_test",
            [
                ["GET", "/echo"],
                ["POST", "/echo"],
                ["PUT", "/echo"],
                ["GET", "/sleep"],
                ["GET", "/status/{code}"],
                ["GET", "/bytes/{n}"],
            ],
            timeout_ms=1000,
        )
        down = service("down", dead, [["GET", "/x"]], timeout_ms=1000)
        civil = service(
            "civil-extract",
            f"{up}/civil-extract",
            [["GET", "/persons/{iin}/extract"]],
            classification="personal",
            subsystem="civil-registry",
        )
        synced = service(
            "synced",
            f"{up}/legal-entity",
            [["GET", "/legal-entities/{bin}"]],
            log_durability="sync",
        )
        limited = service("limited", f"{up}/legal-entity", [["GET", "/legal-entities/{bin}"]])
        self.services = [legal, echo, down, civil, synced, limited]
        self.grants = [
            grant(1, CONSUMER, legal, [["GET", "/legal-entities/{bin}"]]),
            grant(2, CONSUMER, echo),
            grant(3, CONSUMER, down),
            grant(4, CONSUMER, civil),
            grant(5, CONSUMER, synced),
            grant(6, CONSUMER, limited, rate_per_minute=3, quota_per_day=1000),
            grant(7, OTHER, legal, [["GET", "/legal-entities/{bin}"]], ip_ranges=["10.0.0.0/8"]),
        ]
        self.consents = []


def _wait(url: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up within {timeout}s")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_GATEWAY_")}
    env["PYTHONPATH"] = f"{SRC}{os.pathsep}{HERE}{os.pathsep}" + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = open(log, "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        args, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    """Signal the process group (servers may have worker processes) and wait for the leader."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
    # Workers that outlived their leader (after SIGKILL of the leader) go too.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int, Path]]:
    """One demo upstream and one fake control plane for the whole session."""
    base = tmp_path_factory.mktemp("servers")
    cp_dir = base / "cp"
    cp_dir.mkdir()
    upstream_port, cp_port = free_port(), free_port()
    upstream = spawn(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "gateway.demo_upstream:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(upstream_port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "1",
        ],
        _env(),
        base / "upstream.log",
    )
    cp = spawn(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "fake_control_plane:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(cp_port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "1",
        ],
        _env(EGOV_FAKE_CP_DIR=str(cp_dir), EGOV_FAKE_CP_TOKEN=GATEWAY_TOKEN),
        base / "cp.log",
    )
    try:
        _wait(f"http://127.0.0.1:{upstream_port}/fast")
        _wait(f"http://127.0.0.1:{cp_port}/")
        yield upstream_port, cp_port, cp_dir
    finally:
        stop(upstream)
        stop(cp)


@pytest.fixture
def world(servers: tuple[int, int, Path]) -> World:
    upstream_port, cp_port, cp_dir = servers
    snapshot_key, token_key = Key("sna-test1"), Key("tok-test1")
    found = World(upstream_port, cp_port, cp_dir, snapshot_key, token_key)
    (cp_dir / "keys.json").write_text(
        json.dumps(
            {
                "keys": [
                    {"kid": snapshot_key.kid, "public_key": snapshot_key.public, "retired": False}
                ]
            }
        )
    )
    found.standard()
    found.publish()
    return found


@dataclass
class GatewayProcess:
    port: int
    state_dir: Path
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait_for_version: int | None = None, timeout: float = 20.0) -> None:
        self.proc = spawn(
            [sys.executable, "-m", "gateway.cli", "serve", "--port", str(self.port)],
            self.env,
            self.log,
        )
        _STARTED.append(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gateway exited: {self.log.read_text()[-3000:]}")
            try:
                ready = requests.get(self.url + "/readyz", timeout=1).json()
                version = ready["checks"]["snapshot"]["version"]
                if wait_for_version is None or (version or 0) >= wait_for_version:
                    return
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"gateway not ready: {self.log.read_text()[-3000:]}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None:
            stop(self.proc, sig)

    def wait_version(self, version: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = requests.get(self.url + "/readyz", timeout=2).json()
            if (ready["checks"]["snapshot"]["version"] or 0) >= version:
                return
            time.sleep(0.05)
        raise AssertionError(f"gateway did not reach snapshot v{version}")

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"X-API-Key": API_KEY, **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", 15)
        return requests.request(method, self.url + path, headers=headers, **kwargs)


_STARTED: list[GatewayProcess] = []


@pytest.fixture(autouse=True)
def _stop_gateways() -> Iterator[None]:
    """Whatever a test started is stopped, even when the test failed half-way."""
    yield
    while _STARTED:
        _STARTED.pop().stop(signal.SIGKILL)


def make_gateway(world: World, tmp_path: Path, **env: str) -> GatewayProcess:
    state = tmp_path / "gw-state"
    settings = {
        "EGOV_GATEWAY_CONTROL_PLANE_URL": world.control_plane,
        "EGOV_GATEWAY_TOKEN": GATEWAY_TOKEN,
        "EGOV_GATEWAY_TRUSTED_KEYS": f"{world.snapshot_key.kid}={world.snapshot_key.public}",
        "EGOV_GATEWAY_STATE_DIR": str(state),
        "EGOV_GATEWAY_POLL_WAIT": "2",
        "EGOV_GATEWAY_ACCESS_LOG": "0",
        "EGOV_GATEWAY_BREAKER_FAILURES": "3",
        "EGOV_GATEWAY_BREAKER_RESET": "1",
        "EGOV_GATEWAY_CONNECT_TIMEOUT": "1",
    }
    settings.update(env)
    return GatewayProcess(free_port(), state, _env(**settings), tmp_path / "gateway.log")


@pytest.fixture
def gateway(world: World, tmp_path: Path) -> Iterator[GatewayProcess]:
    process = make_gateway(world, tmp_path)
    process.start(wait_for_version=world.version)
    try:
        yield process
    finally:
        process.stop()


def legal_path(rest: str = "/legal-entities/120540012345", version: str = "/v1") -> str:
    return f"/r1/{PROVIDER}/legal-entity{version}{rest}"


def svc_path(code: str, rest: str, subsystem: str = "legal-entities") -> str:
    return f"/r1/KZ/GOV/010340000012/{subsystem}/{code}/v1{rest}"


def run_async(make: Callable[[], Coroutine[Any, Any, T]], timeout: float = 60.0) -> T:
    """Run a coroutine to completion in a thread of its own.

    Other test packages (the browser tests' Playwright, for one) can leave an event loop
    running in the main thread, where ``asyncio.run`` would refuse to start.
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(asyncio.wait_for(make(), timeout))
        except BaseException as error:  # handed to the calling thread
            outcome["error"] = error

    thread = threading.Thread(target=target, name="gateway-test-loop")
    thread.start()
    thread.join(timeout + 5)
    if "error" in outcome:
        raise outcome["error"]
    if "value" not in outcome:
        raise TimeoutError("the coroutine did not finish")
    return cast(T, outcome["value"])
