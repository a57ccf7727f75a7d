"""Shipping message-log records to the control plane: at least once, in order, resumable.

The receiving side here is a small HTTP server speaking the control plane's protocol
(``POST /api/bridge/calls``); the control plane itself is exercised end to end in
``tests/integration/test_gateway_shipping.py``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from aiohttp import web
from gwtest import World, free_port, fresh_postgres_log, legal_path, make_gateway, run_async

from gateway import crypto, messagelog, shipping

TOKEN = "egw_shipping-test"


def _fields(number: int) -> dict[str, object]:
    return {
        "kind": "call",
        "request_id": f"r{number}",
        "started_at": f"2026-01-01T00:00:{number % 60:02d}",
        "consumer": "KZ/COM/1/loans",
        "service": "KZ/GOV/2/reg/svc",
        "status": 200,
    }


class Receiver:
    """Records what arrives; ``down`` answers 503 like a control plane that is away."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.posts = 0
        self.down = False
        self.port = free_port()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def handle(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"code": "gateway_unauthenticated"}, status=401)
        self.posts += 1
        if self.down:
            return web.json_response({"code": "unavailable"}, status=503)
        records = (await request.json())["records"]
        self.received.extend(records)
        return web.json_response({"accepted": len(records), "rejected": []})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post(shipping.PATH, self.handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def positions(self) -> list[tuple[str, int]]:
        return [(r["chain"], r["seq"]) for r in self.received]


def _shipper(store_url: str, receiver: Receiver, batch: int = 50) -> shipping.Shipper:
    return shipping.Shipper(
        messagelog.open_store(store_url), receiver.url, lambda: TOKEN, batch, 0.2
    )


async def _until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def _log(store_url: str, tmp: Path, chain: str, count: int, shipper: Any = None) -> None:
    writer = messagelog.LogWriter(
        messagelog.open_store(store_url),
        crypto.load_or_create_signing_key(tmp / "key"),
        chain,
        tmp / f"spill-{chain}",
        batch_size=7,
        flush_seconds=0.0,
    )
    if shipper is not None:
        writer.on_written = shipper.wake
    await writer.start()
    for number in range(1, count + 1):
        await writer.append(_fields(number), sync=number % 5 == 0)
    await writer.close()


def _resumes_after_restart(store_url: str, tmp: Path) -> None:
    async def run() -> None:
        receiver = Receiver()
        await receiver.start()
        try:
            first = _shipper(store_url, receiver, batch=8)
            await first.start()
            await _log(store_url, tmp, "node-a", 30, first)
            await _until(lambda: len(receiver.received) >= 30)
            await first.stop()
            assert receiver.positions() == [("node-a", n) for n in range(1, 31)]
            # Every record arrives as the log holds it: the body hashes to the record's hash.
            record = receiver.received[0]
            body = json.loads(record["body"])
            assert record["hash"] == messagelog.chain_hash(body["prev"], record["body"].encode())
            # A restarted shipper starts after what was confirmed, also for a new chain.
            await _log(store_url, tmp, "node-b", 12)
            second = _shipper(store_url, receiver)
            await second.start()
            await _until(lambda: len(receiver.received) >= 42)
            await asyncio.sleep(0.5)
            await second.stop()
            assert len(receiver.received) == 42
            assert receiver.positions()[30:] == [("node-b", n) for n in range(1, 13)]
        finally:
            await receiver.stop()

    run_async(run, 60)


def test_records_are_shipped_once_and_resume_after_a_restart(tmp_path: Path) -> None:
    _resumes_after_restart(f"sqlite:///{tmp_path / 'log.sqlite3'}", tmp_path)


def test_postgres_store_ships_too(tmp_path: Path) -> None:
    url = fresh_postgres_log("_shipping")
    _resumes_after_restart(url, tmp_path)


def test_nothing_is_lost_while_the_control_plane_is_away(tmp_path: Path) -> None:
    store_url = f"sqlite:///{tmp_path / 'log.sqlite3'}"

    async def run() -> None:
        receiver = Receiver()
        receiver.down = True
        await receiver.start()
        shipper = _shipper(store_url, receiver)
        await shipper.start()
        try:
            await _log(store_url, tmp_path, "node-down", 20, shipper)
            await _until(lambda: shipper.stats.failures >= 2, 15)
            assert receiver.received == []
            assert shipper.stats.last_error and "503" in shipper.stats.last_error
            posts = receiver.posts
            await asyncio.sleep(1.0)
            assert receiver.posts - posts <= 2  # backing off, not hammering
            receiver.down = False
            await _until(lambda: len(receiver.received) >= 20, 20)
            assert sorted(receiver.positions()) == [("node-down", n) for n in range(1, 21)]
            assert shipper.stats.last_error is None
        finally:
            await shipper.stop()
            await receiver.stop()

    run_async(run, 60)


def test_one_process_ships_a_store_and_order_waits_for_gaps(tmp_path: Path) -> None:
    store_url = f"sqlite:///{tmp_path / 'log.sqlite3'}"

    async def run() -> None:
        receiver = Receiver()
        await receiver.start()
        chain = messagelog.Chain("node-gap")
        entries = [chain.append(_fields(n)) for n in range(1, 6)]
        store = messagelog.open_store(store_url)
        await store.open()
        # Record 3 reaches the store last (as after a spill): 4 and 5 wait for it.
        await store.write([entries[0], entries[1], entries[3], entries[4]], None)
        first, second = _shipper(store_url, receiver), _shipper(store_url, receiver)
        await first.start()
        await second.start()
        try:
            await _until(lambda: len(receiver.received) >= 2)
            await asyncio.sleep(0.5)
            assert receiver.positions() == [("node-gap", 1), ("node-gap", 2)]
            assert [first.stats.leader, second.stats.leader].count(True) == 1
            await store.write([entries[2]], None)
            first.wake()
            second.wake()
            await _until(lambda: len(receiver.received) >= 5)
            assert receiver.positions() == [("node-gap", n) for n in range(1, 6)]
        finally:
            await first.stop()
            await second.stop()
            await store.close()
            await receiver.stop()

    run_async(run, 60)


def test_a_gateway_ships_its_calls_and_keeps_serving_when_the_control_plane_is_away(
    world: World, tmp_path: Path
) -> None:
    """The real server process: calls are shipped within seconds; an absent receiver costs
    the consumers nothing and the records follow once it is back."""
    calls = world.cp_dir / "calls.jsonl"
    calls.unlink(missing_ok=True)
    gateway = make_gateway(world, tmp_path, EGOV_GATEWAY_SHIP_INTERVAL="0.2")
    gateway.start(wait_for_version=world.version)
    assert gateway.call("GET", legal_path()).status_code == 200

    def shipped() -> list[dict[str, Any]]:
        if not calls.exists():
            return []
        return [json.loads(line) for line in calls.read_text().splitlines() if line]

    deadline = time.monotonic() + 5
    while not shipped() and time.monotonic() < deadline:
        time.sleep(0.05)
    [first] = shipped()
    assert json.loads(first["body"])["request_id"]
    own = first["chain"]

    (world.cp_dir / "calls-down").write_text("")
    try:
        for _ in range(5):
            assert gateway.call("GET", legal_path()).status_code == 200
        time.sleep(1.0)
        ready = requests.get(gateway.url + "/readyz", timeout=5).json()
        assert "shipping_failing" in ready["alarms"]
        assert [r["seq"] for r in shipped() if r["chain"] == own] == [1]
    finally:
        (world.cp_dir / "calls-down").unlink()
    deadline = time.monotonic() + 15
    while len(shipped()) < 6 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [r["seq"] for r in shipped() if r["chain"] == own] == [1, 2, 3, 4, 5, 6]
    calls.unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _no_leftover_calls(servers: tuple[int, int, Path]) -> None:
    (servers[2] / "calls-down").unlink(missing_ok=True)
