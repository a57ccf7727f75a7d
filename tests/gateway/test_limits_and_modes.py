"""Rate limits (in-process and Redis), sandbox mode, and a few settings."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest
import requests
from gwtest import World, free_port, legal_path, make_gateway, svc_path, unavailable

from gateway.config import ConfigError, from_env
from gateway.limits import LocalLimiter


def test_token_bucket_refills_and_quota_counts() -> None:
    limiter = LocalLimiter()
    assert [limiter.check("g", 60, None).allowed for _ in range(60)] == [True] * 60
    refused = limiter.check("g", 60, None)
    assert not refused.allowed and refused.reason == "rate" and refused.retry_after == 1
    time.sleep(1.05)  # one token a second
    assert limiter.check("g", 60, None).allowed
    quota = LocalLimiter()
    assert [quota.check("q", None, 2).allowed for _ in range(3)] == [True, True, False]
    assert quota.check("q", None, 2).reason == "quota"
    shared = LocalLimiter(share=2)  # two worker processes: each takes half
    assert [shared.check("s", 4, None).allowed for _ in range(3)] == [True, True, False]


def test_settings_are_validated() -> None:
    with pytest.raises(ConfigError, match="EGOV_GATEWAY_PORT"):
        from_env({"EGOV_GATEWAY_PORT": "eighty"})
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        from_env({"EGOV_GATEWAY_TRUSTED_PROXIES": "not-an-ip"})
    settings = from_env(
        {"EGOV_GATEWAY_TRUSTED_KEYS": "a=AAAA, b=BBBB", "EGOV_GATEWAY_REFUSE_WHEN_STALE": "yes"}
    )
    assert dict(settings.trusted_keys) == {"a": "AAAA", "b": "BBBB"}
    assert settings.refuse_when_stale


def _redis_url() -> str:
    url = os.environ.get("EGOV_GATEWAY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as error:
        unavailable(f"needs Redis at {url}: {error}")
    return url


def test_redis_limits_are_exact_across_worker_processes(world: World, tmp_path: Path) -> None:
    url = _redis_url()
    process = make_gateway(
        world,
        tmp_path,
        EGOV_GATEWAY_REDIS_URL=url,
        EGOV_GATEWAY_WORKERS="2",
        EGOV_GATEWAY_REDIS_PREFIX=f"egw-test-{uuid.uuid4().hex[:8]}:",
    )
    process.start(wait_for_version=world.version)
    path = svc_path("limited", "/legal-entities/120540012345")
    # New connections each time, so both worker processes take calls.
    statuses = [
        process.call("GET", path, headers={"Connection": "close"}).status_code for _ in range(10)
    ]
    assert statuses.count(200) == 3, statuses  # rate_per_minute=3 for the whole node
    assert statuses.count(429) == 7
    ready = requests.get(process.url + "/readyz", timeout=5).json()
    assert ready["checks"]["redis"]["up"] is True


def test_redis_down_falls_back_to_local_limits(world: World, tmp_path: Path) -> None:
    process = make_gateway(
        world, tmp_path, EGOV_GATEWAY_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"
    )
    process.start(wait_for_version=world.version)
    assert process.call("GET", legal_path()).status_code == 200
    ready = requests.get(process.url + "/readyz", timeout=5).json()
    assert ready["status"] == "degraded"
    assert "redis_down" in ready["alarms"]
    statuses = [
        process.call("GET", svc_path("limited", "/legal-entities/120540012345")).status_code
        for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]


def test_sandbox_answers_from_the_openapi_examples(world: World, tmp_path: Path) -> None:
    process = make_gateway(world, tmp_path, EGOV_GATEWAY_SANDBOX_SERVICES="legal-entity")
    process.start(wait_for_version=world.version)
    response = process.call("GET", legal_path())
    assert response.status_code == 200, response.text
    assert response.json() == {"bin": "000000000000", "name": "Sandbox LLP"}
    assert response.headers["Egov-Sandbox"] == "1"
    # Grants still apply in the sandbox.
    assert process.call("GET", legal_path("/legal-entities/1/management")).status_code == 403


def test_metrics_add_up_across_worker_processes(world: World, tmp_path: Path) -> None:
    process = make_gateway(world, tmp_path, EGOV_GATEWAY_WORKERS="2")
    process.start(wait_for_version=world.version)
    for _ in range(10):
        response = process.call("GET", legal_path(), headers={"Connection": "close"})
        assert response.status_code == 200
    for _ in range(3):  # whichever worker answers the scrape, it reports both
        text = requests.get(process.url + "/metrics", timeout=5).text
        total = sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("egov_gateway_calls_total{") and 'status="200"' in line
        )
        assert total == 10, text[:2000]
