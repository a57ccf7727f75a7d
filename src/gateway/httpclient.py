"""A lean HTTP/1.1 client for upstream calls: asyncio protocol + httptools parser + keep-alive pool.

The gateway's hot path spends much of its time in the HTTP client; this one does only what a
reverse proxy needs (one request per connection at a time, keep-alive, streaming bodies with back
pressure, no cookies, redirects, decompression or proxies), which makes it several times cheaper
than a general-purpose client (docs/adr/0005-gateway-server-and-client.md has the numbers).

Idle connections are kept per origin for ``idle_seconds`` (below the usual 5 s server keep-alive
timeout) so that a stale connection is rarely picked; one that fails before any byte of the
response arrived is reported as :class:`StaleConnection` so that the caller may retry.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import deque
from collections.abc import AsyncIterator, Iterable
from typing import Final, cast

import httptools

HIGH_WATER: Final = 1024 * 1024


class StaleConnection(ConnectionError):
    """A reused keep-alive connection failed before the response started."""


class _Connection(asyncio.Protocol):
    __slots__ = (
        "_body_waiter",
        "_head",
        "buffered",
        "chunks",
        "closed",
        "complete",
        "error",
        "head_only",
        "headers",
        "idle_since",
        "informational",
        "keep_alive",
        "key",
        "loop",
        "parser",
        "paused",
        "received",
        "reused",
        "status",
        "transport",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop, key: tuple[str, str, int]) -> None:
        self.loop = loop
        self.key = key
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.reused = False
        self.idle_since = 0.0
        self._reset(False)

    def _reset(self, head_only: bool) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []
        self.buffered = 0
        self.paused = False
        self.complete = False
        self.received = False
        self.keep_alive = False
        self.head_only = head_only
        self.informational = False
        self.error: BaseException | None = None
        self._head: asyncio.Future[None] = self.loop.create_future()
        self._body_waiter: asyncio.Future[None] | None = None

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self.received = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(ConnectionError("upgrade responses are not supported"))
        except httptools.HttpParserError as error:
            self._fail(ConnectionError(f"malformed response: {error}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.complete:
            if self._head.done() and not self.headers_have_length():
                # A body delimited by the end of the connection ends here.
                self.complete = True
                self._wake()
                return
            if self.reused and not self.received:
                self._fail(StaleConnection("the keep-alive connection was closed"))
            else:
                self._fail(exc or ConnectionResetError("the provider closed the connection"))

    def pause_writing(self) -> None:  # pragma: no cover - large uploads only
        pass

    def resume_writing(self) -> None:  # pragma: no cover
        pass

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        if 100 <= status < 200 and status != 101:
            self.informational = True  # e.g. 103 Early Hints: wait for the real response
            self.headers = []
            return
        self.status = status
        self.keep_alive = self.parser.should_keep_alive()
        if not self._head.done():
            self._head.set_result(None)
        if self.head_only or self.status in (204, 304, 101):
            self.complete = True
            self.keep_alive = self.keep_alive and not self.head_only
            self._wake()

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)
        self.buffered += len(body)
        if self.buffered > HIGH_WATER and not self.paused and self.transport is not None:
            self.transport.pause_reading()
            self.paused = True
        self._wake()

    def on_message_complete(self) -> None:
        if self.informational:
            self.informational = False
            return
        self.complete = True
        self._wake()

    # helpers
    def headers_have_length(self) -> bool:
        for name, value in self.headers:
            lowered = name.lower()
            if lowered == b"content-length":
                return True
            if lowered == b"transfer-encoding" and b"chunked" in value.lower():
                return True
        return False

    def _wake(self) -> None:
        waiter = self._body_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _fail(self, error: BaseException) -> None:
        self.error = error
        if not self._head.done():
            self._head.set_exception(error)
        waiter = self._body_waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)
        if self.transport is not None:
            self.transport.close()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def head_timed_out(self) -> None:
        if not self._head.done():
            self._fail(TimeoutError("no response head in time"))


class Response:
    """An upstream response whose body is read (or streamed) after the head arrived."""

    __slots__ = ("_connection", "_pool", "_read_timeout", "_released", "headers", "status")

    def __init__(self, connection: _Connection, pool: Client, read_timeout: float) -> None:
        self._connection = connection
        self._pool = pool
        self._read_timeout = read_timeout
        self._released = False
        self.status = connection.status
        self.headers = connection.headers

    @property
    def content_length(self) -> int | None:
        for name, value in self.headers:
            if name.lower() == b"content-length":
                try:
                    return int(value)
                except ValueError:
                    return None
        return None

    async def chunks(self) -> AsyncIterator[bytes]:
        connection = self._connection
        while True:
            if connection.chunks:
                data = (
                    connection.chunks[0]
                    if len(connection.chunks) == 1
                    else b"".join(connection.chunks)
                )
                connection.chunks.clear()
                connection.buffered = 0
                if connection.paused and connection.transport is not None:
                    connection.transport.resume_reading()
                    connection.paused = False
                yield data
                continue
            if connection.complete:
                return
            if connection.error is not None:
                raise connection.error
            waiter: asyncio.Future[None] = connection.loop.create_future()
            connection._body_waiter = waiter
            try:
                await asyncio.wait_for(waiter, self._read_timeout)
            finally:
                connection._body_waiter = None

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        connection = self._connection
        if connection.complete and connection.keep_alive and not connection.closed:
            self._pool._put(connection)
        else:
            connection.close()


class Client:
    """Keep-alive pools per origin."""

    def __init__(self, max_idle_per_origin: int = 100, idle_seconds: float = 4.0) -> None:
        self.max_idle = max_idle_per_origin
        self.idle_seconds = idle_seconds
        self._idle: dict[tuple[str, str, int], deque[_Connection]] = {}
        self._ssl: ssl.SSLContext | None = None

    def _put(self, connection: _Connection) -> None:
        idle = self._idle.setdefault(connection.key, deque())
        if len(idle) >= self.max_idle:
            connection.close()
            return
        connection.idle_since = time.monotonic()
        idle.append(connection)

    def _take(self, key: tuple[str, str, int], max_idle: float | None) -> _Connection | None:
        idle = self._idle.get(key)
        if not idle:
            return None
        now = time.monotonic()
        limit = self.idle_seconds if max_idle is None else min(max_idle, self.idle_seconds)
        while idle:
            connection = idle.pop()  # most recently used first: the least likely to be stale
            if (
                connection.closed
                or connection.transport is None
                or connection.transport.is_closing()
                or now - connection.idle_since > limit
            ):
                connection.close()
                continue
            return connection
        return None

    async def _connect(self, key: tuple[str, str, int], connect_timeout: float) -> _Connection:
        scheme, host, port = key
        loop = asyncio.get_running_loop()
        context: ssl.SSLContext | None = None
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            context = self._ssl
        try:
            async with asyncio.timeout(connect_timeout):
                _transport, protocol = await loop.create_connection(
                    lambda: _Connection(loop, key),
                    host,
                    port,
                    ssl=context,
                    server_hostname=host if context else None,
                )
        except TimeoutError as error:
            raise ConnectionError(
                f"no connection to {host}:{port} in {connect_timeout}s"
            ) from error
        return protocol

    async def request(
        self,
        method: str,
        scheme: str,
        host: str,
        port: int,
        target: str,
        headers: Iterable[tuple[bytes, bytes]],
        body: bytes,
        connect_timeout: float,
        read_timeout: float,
        max_idle: float | None = None,
        head_timeout: float | None = None,
    ) -> Response:
        """Send the request and wait up to ``head_timeout`` (default ``read_timeout``) for the
        response head; connecting counts against it and is bounded by ``connect_timeout``.

        ``max_idle`` limits how long a pooled connection may have been idle to be reused (used
        for non-idempotent requests, which are never retried on a stale connection).
        """
        started = time.monotonic()
        if head_timeout is None:
            head_timeout = read_timeout
        key = (scheme, host, port)
        connection = self._take(key, max_idle)
        if connection is None:
            connection = await self._connect(key, connect_timeout)
        else:
            connection.reused = True
        connection._reset(method == "HEAD")
        head_timeout = max(0.0, head_timeout - (time.monotonic() - started))
        host_header = host if port in (80, 443) else f"{host}:{port}"
        lines = [f"{method} {target} HTTP/1.1\r\nHost: {host_header}\r\n".encode("latin-1")]
        for name, value in headers:
            lines.append(name + b": " + value + b"\r\n")
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(b"Content-Length: %d\r\n" % len(body))
        lines.append(b"\r\n")
        head = b"".join(lines)
        assert connection.transport is not None
        connection.transport.write(head + body if body and len(body) < 65536 else head)
        if body and len(body) >= 65536:
            connection.transport.write(body)
        # One timer instead of a timeout context: cheaper on the hot path.
        timer = connection.loop.call_later(head_timeout, connection.head_timed_out)
        try:
            await connection._head
        except BaseException:
            connection.close()
            raise
        finally:
            timer.cancel()
        return Response(connection, self, read_timeout)

    def close(self) -> None:
        for idle in self._idle.values():
            while idle:
                idle.pop().close()
        self._idle.clear()
