"""Pulling policy snapshots from the control plane and holding the one in force.

``PolicyHolder`` keeps the current :class:`~gateway.snapshot.Policy` and when it was last
confirmed current. ``SnapshotClient`` long-polls ``GET /api/bridge/snapshots/latest?wait=25`` with
``If-None-Match`` and the gateway token, verifies every new body before using it, stores it on disk,
and backs off exponentially (with jitter, up to a minute) while the control plane is away.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import time
from pathlib import Path

import aiohttp

from gateway.snapshot import (
    Policy,
    SnapshotError,
    SnapshotFile,
    StoredSnapshot,
    TrustStore,
    compile_policy,
    verify_snapshot,
)

log = logging.getLogger("gateway.snapshot")

CONFIRM_WRITE_INTERVAL = 60.0


class PolicyHolder:
    """The policy in force, where it came from and how fresh it is."""

    def __init__(self, trust: TrustStore, store: SnapshotFile | None) -> None:
        self.trust = trust
        self.store = store
        self.policy: Policy | None = None
        self.confirmed_at: float | None = None
        self.source = "none"
        self.last_error: str | None = None
        self._stored: StoredSnapshot | None = None
        self._meta_written_at = 0.0

    @property
    def age_seconds(self) -> float | None:
        """Seconds since the control plane last confirmed the policy (or since it was loaded)."""
        return None if self.confirmed_at is None else max(0.0, time.time() - self.confirmed_at)

    def accept(self, body: bytes, signature: str, etag: str, source: str) -> Policy:
        """Verify, compile and install a snapshot; ``SnapshotError`` leaves the old one in force."""
        document = verify_snapshot(body, signature, self.trust)
        policy = compile_policy(document, etag)
        if self.policy is not None and policy.version < self.policy.version:
            raise SnapshotError(
                f"snapshot version {policy.version} is older than {self.policy.version}"
            )
        self.trust.learn(policy.snapshot_keys)
        self.policy = policy
        self.confirmed_at = time.time()
        self.source = source
        self.last_error = None
        self._stored = StoredSnapshot(body, signature, etag, self.confirmed_at)
        if self.store is not None:
            self.store.save(self._stored)
            self._meta_written_at = self.confirmed_at
        log.info(
            "policy snapshot in force",
            extra={"snapshot_version": policy.version, "source": source},
        )
        return policy

    def confirm(self) -> None:
        """The control plane said our snapshot is still the latest."""
        self.confirmed_at = time.time()
        self.source = "control-plane"
        self.last_error = None
        if (
            self.store is not None
            and self._stored is not None
            and self.confirmed_at - self._meta_written_at >= CONFIRM_WRITE_INTERVAL
        ):
            self._stored = StoredSnapshot(
                self._stored.body, self._stored.signature, self._stored.etag, self.confirmed_at
            )
            self.store.save_meta(self._stored)
            self._meta_written_at = self.confirmed_at

    def load_from_disk(self) -> bool:
        """Start from the last good snapshot on disk, if there is one that still verifies."""
        if self.store is None:
            return False
        stored = self.store.load()
        if stored is None:
            return False
        try:
            document = verify_snapshot(stored.body, stored.signature, self.trust)
            policy = compile_policy(document, stored.etag)
        except SnapshotError as error:
            self.last_error = f"snapshot on disk rejected: {error}"
            log.error("snapshot on disk rejected", extra={"error": str(error)})
            return False
        self.trust.learn(policy.snapshot_keys)
        self.policy = policy
        self.confirmed_at = stored.confirmed_at
        self.source = "disk"
        self._stored = stored
        self._meta_written_at = stored.confirmed_at
        log.info("policy snapshot loaded from disk", extra={"snapshot_version": policy.version})
        return True


class SnapshotClient:
    """Keeps ``holder`` up to date from the control plane until :meth:`stop`."""

    def __init__(
        self,
        holder: PolicyHolder,
        control_plane_url: str,
        token: str | None,
        wait_seconds: float = 25.0,
        token_file: Path | None = None,
    ) -> None:
        self.holder = holder
        self.url = control_plane_url.rstrip("/") + "/api/bridge/snapshots/latest"
        self.token = token
        self.token_file = token_file
        self.wait_seconds = wait_seconds
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self.first_attempt = asyncio.Event()

    def _token(self) -> str | None:
        if self.token:
            return self.token
        if self.token_file is not None and self.token_file.exists():
            return self.token_file.read_text(encoding="utf-8").strip() or None
        return None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=None, connect=5.0, sock_read=None)
        )
        self._task = asyncio.create_task(self._run(), name="snapshot-client")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._session is not None:
            await self._session.close()

    async def fetch_once(self, wait: float) -> str:
        """One request; returns ``"updated"``, ``"unchanged"`` or raises on failure."""
        assert self._session is not None
        headers = {"Accept": "application/json"}
        token = self._token()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        policy = self.holder.policy
        if policy is not None:
            headers["If-None-Match"] = f'"{policy.etag}"'
        params = {"wait": str(int(wait))} if wait > 0 and policy is not None else {}
        timeout = aiohttp.ClientTimeout(total=wait + 15.0, connect=5.0)
        async with self._session.get(
            self.url, headers=headers, params=params, timeout=timeout
        ) as response:
            if response.status == 304:
                self.holder.confirm()
                return "unchanged"
            body = await response.read()
            if response.status != 200:
                text = body[:200].decode(errors="replace")
                raise SnapshotError(f"control plane answered {response.status}: {text}")
            signature = response.headers.get("Egov-Signature", "")
            etag = response.headers.get("ETag", "").strip().strip('"')
            if not etag:
                etag = hashlib.sha256(body).hexdigest()
            if policy is not None and etag == policy.etag:
                self.holder.confirm()
                return "unchanged"
            self.holder.accept(body, signature, etag, "control-plane")
            return "updated"

    async def _run(self) -> None:
        delay = 1.0
        wait = 0.0
        while True:
            try:
                await self.fetch_once(wait)
                delay = 1.0
                wait = self.wait_seconds
            except asyncio.CancelledError:
                raise
            except (aiohttp.ClientError, TimeoutError, SnapshotError, OSError) as error:
                self.holder.last_error = f"{type(error).__name__}: {error}"
                log.warning("snapshot fetch failed", extra={"error": self.holder.last_error})
                self.first_attempt.set()
                await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # noqa: S311
                delay = min(delay * 2, 60.0)
                wait = 0.0
                continue
            self.first_attempt.set()
