"""Shipping message-log records to the control plane (``POST /api/bridge/calls``).

The control plane keeps a copy of every record for usage figures, the citizen's data tracker and
analytics. Shipping is at least once and stays off the request path:

- The shipper reads records from the log store after they are committed, on a connection of its
  own; the request path only sets an event when the writer has written a batch.
- The store keeps, per chain, the highest sequence number the control plane has confirmed
  (``gateway_log_shipping``); it moves only after a ``200``, so a restarted gateway resumes there
  and a record is never skipped. The control plane stores by ``(chain, seq)``: resending is
  harmless.
- One batch at a time is in memory; while the control plane is away the records simply wait in
  the store, and the shipper backs off (1 s … 60 s, with jitter).
- One process per store ships (a lock file beside a SQLite store, an advisory lock on
  PostgreSQL); the other workers stand by and take over when it goes.
- Records are shipped in sequence order per chain. A missing sequence number (records can reach
  the store out of order after a spill) holds its chain back until it arrives, or for at most
  ``GAP_SECONDS``, after which the shipper goes on and logs the gap.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import aiohttp

from gateway.messagelog import Entry, LogStore, Unshipped, last_positions

log = logging.getLogger("gateway.shipping")

PATH: Final = "/api/bridge/calls"
STANDBY_SECONDS: Final = 5.0
GAP_SECONDS: Final = 300.0
MAX_BACKOFF: Final = 60.0


class ShippingError(RuntimeError):
    """The control plane did not take a batch; it is sent again later."""


@dataclass
class ShipperStats:
    shipped: int = 0
    rejected: int = 0
    batches: int = 0
    failures: int = 0
    leader: bool = False
    last_error: str | None = None
    last_shipped_at: float | None = None


class Shipper:
    """Ships ``store``'s records to ``control_plane_url`` until :meth:`stop`."""

    def __init__(
        self,
        store: LogStore,
        control_plane_url: str,
        token: Callable[[], str | None],
        batch_size: int = 200,
        interval_seconds: float = 1.0,
    ) -> None:
        self.store = store
        self.url = control_plane_url.rstrip("/") + PATH
        self.token = token
        self.batch_size = max(1, batch_size)
        self.interval = interval_seconds
        self.stats = ShipperStats()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._gaps: dict[tuple[str, int], float] = {}  # (chain, missing seq) → first seen

    def wake(self) -> None:
        """Records were written (called by the log writer; costs the request path nothing)."""
        self._wake.set()

    async def start(self) -> None:
        # The store connects on first use: a store that is down must not stop the gateway.
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=30.0, connect=5.0)
        )
        self._task = asyncio.create_task(self._run(), name="log-shipper")

    async def stop(self, drain_seconds: float = 2.0) -> None:
        """Stop; first try briefly to ship what is waiting (the rest waits in the store)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.stats.leader and self.stats.last_error is None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.drain(), drain_seconds)
        if self._session is not None:
            await self._session.close()
        await self.store.close()

    async def drain(self) -> None:
        while await self.ship_once():
            pass

    async def _run(self) -> None:
        delay = 1.0
        while True:
            try:
                self.stats.leader = await self.store.try_lead()
                if not self.stats.leader:
                    await asyncio.sleep(STANDBY_SECONDS)
                    continue
                self._wake.clear()
                await self.drain()
                delay = 1.0
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the control plane or the store is away: try again later
                self.stats.failures += 1
                self.stats.last_error = f"{type(error).__name__}: {error}"[:300]
                log.warning("shipping records failed", extra={"error": self.stats.last_error})
                await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # noqa: S311
                delay = min(delay * 2, MAX_BACKOFF)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)

    def _in_order(self, backlog: list[Unshipped]) -> tuple[list[Entry], list[tuple[str, int]]]:
        """Per chain, the records that follow the confirmed position without a gap; and the
        positions to give up on (records that stayed missing for ``GAP_SECONDS``)."""
        now = time.monotonic()
        confirmed = {chain.chain: chain.shipped for chain in backlog}
        # Forget gaps that filled (or chains that are done).
        self._gaps = {
            key: seen for key, seen in self._gaps.items() if key[1] > confirmed.get(key[0], 1 << 62)
        }
        out: list[Entry] = []
        skips: list[tuple[str, int]] = []
        for chain in backlog:
            expected = chain.shipped + 1
            entries = chain.entries
            if not entries:  # the rest of the chain is missing (deleted or not yet written)
                if self._overdue(chain.chain, expected, now):
                    log.error(
                        "message log records are missing; not shipping them",
                        extra={"chain": chain.chain, "from": expected, "to": chain.written},
                    )
                    skips.append((chain.chain, chain.written))
                continue
            for entry in entries:
                if entry.seq != expected:
                    if not self._overdue(chain.chain, expected, now):
                        break
                    log.error(
                        "message log has a gap; shipping past it",
                        extra={"chain": chain.chain, "missing_from": expected, "next": entry.seq},
                    )
                out.append(entry)
                expected = entry.seq + 1
        return out, skips

    def _overdue(self, chain: str, missing: int, now: float) -> bool:
        first_seen = self._gaps.setdefault((chain, missing), now)
        if now - first_seen < GAP_SECONDS:
            return False
        del self._gaps[(chain, missing)]
        return True

    async def ship_once(self) -> bool:
        """Ship one batch; ``True`` when a full batch went (more may be waiting)."""
        entries, skips = self._in_order(await self.store.unshipped(self.batch_size))
        if skips:
            await self.store.mark_shipped(skips)
        if not entries:
            return False
        result = await self._post(entries)
        for refused in result.get("rejected", []):
            # The control plane will never take it; the record stays in this gateway's log.
            log.error("control plane refused a record", extra={"record": refused})
        await self.store.mark_shipped(last_positions(entries))
        self.stats.shipped += int(result.get("accepted", 0))
        self.stats.rejected += len(result.get("rejected", []))
        self.stats.batches += 1
        self.stats.last_error = None
        self.stats.last_shipped_at = time.time()
        return len(entries) >= self.batch_size

    async def _post(self, entries: list[Entry]) -> dict[str, Any]:
        assert self._session is not None
        token = self.token()
        if not token:
            raise ShippingError("no gateway token is configured")
        payload = {
            "records": [
                {"chain": e.chain, "seq": e.seq, "hash": e.hash, "body": e.body} for e in entries
            ]
        }
        headers = {"Authorization": f"Bearer {token}"}
        async with self._session.post(self.url, json=payload, headers=headers) as response:
            if response.status == 200:
                document: dict[str, Any] = await response.json(content_type=None)
                return document
            text = (await response.read())[:200].decode(errors="replace")
            if response.status == 413 and self.batch_size > 1:
                self.batch_size = max(1, self.batch_size // 2)
            raise ShippingError(f"control plane answered {response.status}: {text}")
