"""Calling providers: a pooled HTTP client, timeouts, retries and a circuit breaker per upstream.

* One keep-alive pool per process: the lean native client (:mod:`gateway.httpclient`) by
  default, ``aiohttp`` as the alternative (chosen by measurement, see
  docs/adr/0005-gateway-server-and-client.md). The breaker and pool are keyed by the service's
  upstream URL.
* The service timeout covers connecting, sending and receiving the response head; exceeding it is
  ``upstream_timeout`` (504). Failing to connect or losing the connection is
  ``upstream_unavailable`` (502).
* Idempotent methods are retried (``retries`` more times) only when the connection failed before
  a response arrived; timeouts are never retried, so a hanging provider costs one timeout.
* The breaker opens after ``failures`` consecutive failures (connection errors, timeouts, 502,
  503, 504) and answers ``circuit_open`` (503) at once for ``reset_seconds``; then one trial call
  is let through (half-open): success closes it, failure opens it again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Final, Protocol
from urllib.parse import urlsplit

import aiohttp
import yarl

from gateway import httpclient
from gateway.errors import GatewayError

IDEMPOTENT: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
FAILURE_STATUSES: Final = frozenset({502, 503, 504})


class CircuitBreaker:
    """Consecutive-failure breaker with a half-open trial."""

    __slots__ = ("_trial", "failures", "opened_at", "reset_seconds", "state", "threshold")

    def __init__(self, threshold: int, reset_seconds: float) -> None:
        self.threshold = max(1, threshold)
        self.reset_seconds = reset_seconds
        self.failures = 0
        self.state = "closed"
        self.opened_at = 0.0
        self._trial = False

    def before_call(self) -> None:
        if self.state == "closed":
            return
        now = time.monotonic()
        if self.state == "open":
            if now - self.opened_at < self.reset_seconds:
                retry = self.reset_seconds - (now - self.opened_at)
                raise GatewayError(
                    "circuit_open",
                    "The provider failed repeatedly; calls are paused for a moment.",
                    retry_after=max(1, int(retry + 0.999)),
                )
            self.state = "half_open"
            self._trial = False
        if self.state == "half_open":
            if self._trial:
                raise GatewayError(
                    "circuit_open", "The provider is being probed; try again shortly.", 1
                )
            self._trial = True

    def success(self) -> None:
        self.failures = 0
        self.state = "closed"
        self._trial = False

    def failure(self) -> None:
        self.failures += 1
        if self.state == "half_open" or self.failures >= self.threshold:
            self.state = "open"
            self.opened_at = time.monotonic()
            self._trial = False


class UpstreamResponse(Protocol):
    status: int
    headers: list[tuple[bytes, bytes]]

    @property
    def content_length(self) -> int | None: ...

    def chunks(self) -> AsyncIterator[bytes]: ...

    def release(self) -> None: ...


async def read_all(response: UpstreamResponse, limit: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    async for chunk in response.chunks():
        size += len(chunk)
        if size > limit:
            raise GatewayError(
                "upstream_response_too_large", "The provider's response exceeds the limit."
            )
        parts.append(chunk)
    return parts[0] if len(parts) == 1 else b"".join(parts)


class _AiohttpResponse:
    """Adapter so that the aiohttp client (kept for comparison) looks like the native one."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self.status = response.status
        self.headers = list(response.raw_headers)

    @property
    def content_length(self) -> int | None:
        return self._response.content_length

    async def chunks(self) -> AsyncIterator[bytes]:
        async for chunk in self._response.content.iter_any():
            yield chunk

    def release(self) -> None:
        self._response.release()


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str
    port: int
    base_path: str


def parse_upstream(url: str) -> Target:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"unsupported upstream URL {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return Target(parts.scheme, parts.hostname, port, parts.path.rstrip("/"))


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class UpstreamPool:
    """The shared client and the breakers, one per upstream origin."""

    def __init__(
        self,
        connect_timeout: float,
        retries: int,
        breaker_failures: int,
        breaker_reset_seconds: float,
        pool_size: int,
        client: str = "native",
    ) -> None:
        self.connect_timeout = connect_timeout
        self.retries = retries
        self.breaker_failures = breaker_failures
        self.breaker_reset_seconds = breaker_reset_seconds
        self.pool_size = pool_size
        self.client_kind = client
        self.breakers: dict[str, CircuitBreaker] = {}
        self._targets: dict[str, Target] = {}
        self._native: httpclient.Client | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self.client_kind == "aiohttp":
            connector = aiohttp.TCPConnector(
                limit=self.pool_size, limit_per_host=self.pool_size, keepalive_timeout=4.0
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding", "Accept", "Content-Type"),
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        else:
            self._native = httpclient.Client(max_idle_per_origin=self.pool_size)

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._native is not None:
            self._native.close()

    def target(self, upstream: str) -> Target:
        found = self._targets.get(upstream)
        if found is None:
            found = self._targets[upstream] = parse_upstream(upstream)
        return found

    def breaker(self, upstream: str) -> CircuitBreaker:
        found = self.breakers.get(upstream)
        if found is None:
            found = self.breakers[upstream] = CircuitBreaker(
                self.breaker_failures, self.breaker_reset_seconds
            )
        return found

    async def _send(
        self,
        method: str,
        target: Target,
        path: str,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        timeout: float,
    ) -> UpstreamResponse:
        if self._native is not None:
            return await self._native.request(
                method,
                target.scheme,
                target.host,
                target.port,
                target.base_path + path,
                headers,
                body,
                min(self.connect_timeout, timeout),
                timeout,
                max_idle=None if method in IDEMPOTENT else 1.0,
                head_timeout=timeout,
            )
        assert self._session is not None, "UpstreamPool.start() was not called"
        url = f"{target.scheme}://{target.host}:{target.port}{target.base_path}{path}"
        async with asyncio.timeout(timeout):
            return await self._aiohttp(method, url, headers, body, timeout)

    async def _aiohttp(
        self, method: str, url: str, headers: list[tuple[bytes, bytes]], body: bytes, timeout: float
    ) -> UpstreamResponse:
        assert self._session is not None
        response = await self._session.request(
            method,
            yarl.URL(url, encoded=True),
            headers=[(n.decode("latin-1"), v.decode("latin-1")) for n, v in headers],
            data=body if body else None,
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(
                total=None, sock_connect=min(self.connect_timeout, timeout), sock_read=timeout
            ),
        )
        return _AiohttpResponse(response)

    async def call(
        self,
        method: str,
        upstream: str,
        path: str,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        timeout: float,
    ) -> UpstreamResponse:
        """Send ``method path`` (path includes the query) to ``upstream``; map failures."""
        target = self.target(upstream)
        breaker = self.breaker(upstream)
        breaker.before_call()
        attempts = 1 + (self.retries if method in IDEMPOTENT else 0)
        deadline = time.monotonic() + timeout
        for attempt in range(attempts + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                breaker.failure()
                raise GatewayError("upstream_timeout", "The provider did not answer in time.")
            try:
                response = await self._send(method, target, path, headers, body, remaining)
            except httpclient.StaleConnection:
                if method in IDEMPOTENT and attempt < attempts:
                    continue  # a pooled connection went away; a fresh one is tried
                breaker.failure()
                raise GatewayError(
                    "upstream_unavailable", "The provider closed the connection."
                ) from None
            except TimeoutError as error:
                breaker.failure()
                raise GatewayError(
                    "upstream_timeout", "The provider did not answer in time."
                ) from error
            except (aiohttp.ClientError, OSError, ConnectionError) as error:
                if isinstance(error, aiohttp.ServerTimeoutError):
                    breaker.failure()
                    raise GatewayError(
                        "upstream_timeout", "The provider did not answer in time."
                    ) from error
                if attempt + 1 < attempts:
                    continue
                breaker.failure()
                raise GatewayError(
                    "upstream_unavailable", "The provider could not be reached."
                ) from error
            if response.status in FAILURE_STATUSES:
                breaker.failure()
            else:
                breaker.success()
            return response
        raise AssertionError("unreachable")  # pragma: no cover
