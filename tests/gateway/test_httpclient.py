"""The native upstream client against a raw HTTP server on 127.0.0.1 (odd but legal answers)."""

from __future__ import annotations

import asyncio

import pytest
from gwtest import run_async

from gateway import httpclient

ANSWERS = {
    b"/close": b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end",
    b"/early": (
        b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    ),
    b"/chunked": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    ),
    b"/once": b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nonce",
    b"/head": b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
}


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            request = await reader.readuntil(b"\r\n\r\n")
            path = request.split(b" ", 2)[1]
            writer.write(ANSWERS[path])
            await writer.drain()
            if path in (b"/close", b"/once"):
                break  # /once: keep-alive promised, but the server hangs up afterwards
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    writer.close()


async def _read(response: httpclient.Response) -> bytes:
    body = b"".join([chunk async for chunk in response.chunks()])
    response.release()
    return body


def test_bodies_and_connection_reuse() -> None:
    async def run() -> None:
        server = await asyncio.start_server(_serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = httpclient.Client(idle_seconds=10)

        async def get(path: str, method: str = "GET") -> httpclient.Response:
            return await client.request(method, "http", "127.0.0.1", port, path, [], b"", 1.0, 2.0)

        closing = await get("/close")
        assert closing.status == 200
        assert await _read(closing) == b"until the end"
        early = await get("/early")
        assert early.status == 200
        assert await _read(early) == b"ok"
        assert await _read(await get("/chunked")) == b"abcde"
        head = await get("/head", "HEAD")
        assert head.content_length == 100
        assert await _read(head) == b""
        assert await _read(await get("/once")) == b"once"
        await asyncio.sleep(0.05)  # the server has hung up on the pooled connection
        assert await _read(await get("/once")) == b"once"  # noticed: a fresh one is used
        # Hung up while the connection is being reused: reported as stale, so callers retry.
        connection = client._idle[("http", "127.0.0.1", port)][-1]
        connection.reused = True
        connection._reset(False)
        connection.connection_lost(None)
        with pytest.raises(httpclient.StaleConnection):
            await connection._head
        client.close()
        server.close()
        await server.wait_closed()

    run_async(run, 20)
