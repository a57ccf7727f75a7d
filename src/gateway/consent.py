"""The consent check for personal-data calls: a local cache of the control plane's registry.

The snapshot does not list consents (a registry may hold millions); it names the registry's two
endpoints (``consent_registry``). For a call naming consumer C and data subject S the gateway
looks up (C, S) in its cache; on a miss it asks ``check`` once (concurrent misses for the same
pair share one request) and keeps the answer: the consents of S to C with their services and
validity, or none. Validity is compared with the clock on every call, so a consent stops working
at its end time even when nobody tells the gateway.

A background task long-polls ``changes`` for the (consumer, subject) pairs whose consents changed
and drops them from the cache, so a revocation (or a new grant) takes effect within the control
plane's poll interval (0.2 s) plus one round trip. Answers are cached only when they are at least
as new as the feed (their ``cursor``), so a fetch racing a change cannot bring a revoked consent
back. While the feed is broken nothing is cached and every personal call asks the registry; if
the registry cannot answer, the call is refused with ``consent_unavailable`` (fail closed).

Consents listed inline in a snapshot (``consents``, for small or offline deployments and tests)
are honoured first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import aiohttp

from gateway.errors import GatewayError
from gateway.snapshot import Consent, ConsentRegistryRef, Policy, SnapshotError, _timestamp

log = logging.getLogger("gateway.consent")

Key = tuple[str, str]  # (consumer, subject)
Entry = tuple[Consent, ...]


class ConsentCache:
    """A bounded LRU map from (consumer, subject) to that pair's consents."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Key, Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Key) -> Entry | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: Key, entry: Entry) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def evict(self, key: Key) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()


def parse_entry(document: dict[str, Any]) -> tuple[Entry, int]:
    """A ``check`` answer → one :class:`Consent` per covered service, and its cursor."""
    consumer, subject = str(document["consumer"]), str(document["subject"])
    found = []
    for raw in document["consents"]:
        for service in raw["services"]:
            found.append(
                Consent(
                    id=str(raw["id"]),
                    subject=subject,
                    consumer=consumer,
                    service=str(service),
                    valid_from=_timestamp(raw.get("valid_from")),
                    valid_until=_timestamp(raw.get("valid_until")),
                )
            )
    return tuple(found), int(document["cursor"])


class ConsentRegistry:
    """Answers "may this consumer receive this subject's data from this service now?"."""

    def __init__(
        self,
        control_plane_url: str | None,
        token: Callable[[], str | None],
        max_entries: int = 100_000,
        timeout_seconds: float = 2.0,
        wait_seconds: float = 25.0,
    ) -> None:
        self.base = (control_plane_url or "").rstrip("/")
        self.token = token
        self.timeout_seconds = timeout_seconds
        self.wait_seconds = wait_seconds
        self.cache = ConsentCache(max_entries)
        self.cursor: int | None = None  # the newest change the feed has applied
        self.feed_ok = False
        self.last_error: str | None = None
        self._ref: ConsentRegistryRef | None = None
        self._session: aiohttp.ClientSession | None = None
        self._feed: asyncio.Task[None] | None = None
        self._pending: dict[Key, asyncio.Future[tuple[Entry, int]]] = {}

    # ----------------------------------------------------------------------------- the check

    async def find(
        self, policy: Policy, consumer: str, service: str, subject: str, now: float
    ) -> Consent | None:
        inline = policy.consent_for(consumer, service, subject, now)
        if inline is not None or policy.consent_registry is None or not self.base:
            return inline
        self._ref = policy.consent_registry
        key = (consumer, subject)
        entry = self.cache.get(key) if self.feed_ok else None
        if entry is None:
            entry = await self._lookup(key)
        for consent in entry:
            if consent.service == service and consent.valid_at(now):
                return consent
        return None

    async def _lookup(self, key: Key) -> Entry:
        pending = self._pending.get(key)
        if pending is not None:
            entry, _cursor = await asyncio.shield(pending)
            return entry
        future: asyncio.Future[tuple[Entry, int]] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            entry, cursor = await self._fetch(key)
            future.set_result((entry, cursor))
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiting callers get it, nobody else must
            raise
        finally:
            del self._pending[key]
        if self.feed_ok and self.cursor is not None and cursor >= self.cursor:
            self.cache.put(key, entry)
        return entry

    async def _fetch(self, key: Key) -> tuple[Entry, int]:
        assert self._ref is not None
        session = await self._start()
        try:
            async with session.get(
                self.base + self._ref.check,
                params={"consumer": key[0], "subject": key[1]},
                headers=self._headers(),
                timeout=aiohttp.ClientTimeout(total=self.timeout_seconds),
            ) as response:
                if response.status != 200:
                    raise SnapshotError(f"consent registry answered {response.status}")
                return parse_entry(await response.json())
        except (
            aiohttp.ClientError,
            TimeoutError,
            SnapshotError,
            KeyError,
            TypeError,
            ValueError,
        ) as error:
            self.last_error = f"{type(error).__name__}: {error}"
            log.warning("consent check failed", extra={"error": self.last_error})
            raise GatewayError(
                "consent_unavailable",
                "The consent registry cannot be reached; the call is not forwarded.",
                5,
            ) from error

    def _headers(self) -> dict[str, str]:
        token = self.token()
        return {"Authorization": f"Bearer {token}"} if token else {}

    # ----------------------------------------------------------------------------- the feed

    async def _start(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=None, connect=5.0)
            )
            self._feed = asyncio.create_task(self._follow(), name="consent-feed")
        return self._session

    async def stop(self) -> None:
        if self._feed is not None:
            self._feed.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._feed
        if self._session is not None:
            await self._session.close()

    def apply(self, document: dict[str, Any]) -> None:
        """Drop the pairs a ``changes`` answer names and move the cursor on."""
        for change in document.get("changes") or ():
            self.cache.evict((str(change["consumer"]), str(change["subject"])))
        self.cursor = int(document["cursor"])

    async def _poll(self, wait: float) -> dict[str, Any]:
        assert self._session is not None and self._ref is not None
        params = {"wait": str(int(wait))}
        if self.cursor is not None:
            params["after"] = str(self.cursor)
        async with self._session.get(
            self.base + self._ref.changes,
            params=params,
            headers=self._headers(),
            timeout=aiohttp.ClientTimeout(total=wait + 15.0, connect=5.0),
        ) as response:
            if response.status != 200:
                raise SnapshotError(f"consent feed answered {response.status}")
            document: dict[str, Any] = await response.json()
            return document

    async def _follow(self) -> None:
        delay = 1.0
        while True:
            try:
                document = await self._poll(self.wait_seconds if self.cursor is not None else 0)
                self.apply(document)
                self.feed_ok, self.last_error, delay = True, None, 1.0
                if document.get("more"):
                    continue
            except asyncio.CancelledError:
                raise
            except (
                aiohttp.ClientError,
                TimeoutError,
                SnapshotError,
                KeyError,
                ValueError,
            ) as error:
                # Changes may be missed while the feed is down: trust nothing cached meanwhile.
                self.feed_ok = False
                self.cache.clear()
                self.last_error = f"{type(error).__name__}: {error}"
                log.warning("consent feed failed", extra={"error": self.last_error})
                await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # noqa: S311
                delay = min(delay * 2, 30.0)
