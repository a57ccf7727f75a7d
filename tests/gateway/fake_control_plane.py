"""A stand-in for the control plane's snapshot endpoints, run as its own server process in tests.

It serves whatever the test wrote into ``EGOV_FAKE_CP_DIR``: ``body.json`` (the exact bytes),
``signature.txt`` (the ``Egov-Signature`` value), ``version.txt`` and ``keys.json``; records
gateways ship to ``/api/bridge/calls`` are appended to ``calls.jsonl``. It speaks the
same protocol as ``egov.bridge.views.snapshots``: gateway token, ETag, 304 and ``?wait=``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

DIRECTORY = Path(os.environ.get("EGOV_FAKE_CP_DIR", "."))
TOKEN = os.environ.get("EGOV_FAKE_CP_TOKEN", "egw_test")


def _current() -> tuple[bytes, str, str, str] | None:
    try:
        body = (DIRECTORY / "body.json").read_bytes()
        signature = (DIRECTORY / "signature.txt").read_text().strip()
        version = (DIRECTORY / "version.txt").read_text().strip()
    except FileNotFoundError:
        return None
    return body, signature, version, hashlib.sha256(body).hexdigest()


async def _send(send: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _calls(headers: dict[bytes, bytes], receive: Any, send: Any) -> None:
    """Shipped message-log records: appended to ``calls.jsonl`` (one line per record received)."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    if headers.get(b"authorization", b"") != f"Bearer {TOKEN}".encode():
        await _send(send, 401, [], b'{"code":"gateway_unauthenticated"}')
        return
    if (DIRECTORY / "calls-down").exists():  # a test takes the control plane away
        await _send(send, 503, [], b'{"code":"unavailable"}')
        return
    records = json.loads(b"".join(chunks))["records"]
    with open(DIRECTORY / "calls.jsonl", "a", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")
    answer = json.dumps({"accepted": len(records), "rejected": []}).encode()
    await _send(send, 200, [(b"content-type", b"application/json")], answer)


async def app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    headers = dict(scope["headers"])
    path = scope["path"]
    if path == "/api/bridge/snapshots/keys":
        body = (DIRECTORY / "keys.json").read_bytes()
        await _send(send, 200, [(b"content-type", b"application/json")], body)
        return
    if path.startswith("/api/bridge/services/"):
        document = {
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/legal-entities/{bin}": {
                    "get": {
                        "responses": {
                            "200": {
                                "description": "ok",
                                "content": {
                                    "application/json": {
                                        "example": {"bin": "000000000000", "name": "Sandbox LLP"}
                                    }
                                },
                            }
                        }
                    }
                }
            },
        }
        await _send(
            send, 200, [(b"content-type", b"application/json")], json.dumps(document).encode()
        )
        return
    if path == "/api/bridge/calls":
        await _calls(headers, receive, send)
        return
    if path != "/api/bridge/snapshots/latest":
        await _send(send, 404, [], b"")
        return
    if headers.get(b"authorization", b"") != f"Bearer {TOKEN}".encode():
        await _send(
            send,
            401,
            [(b"content-type", b"application/problem+json")],
            b'{"code":"gateway_unauthenticated"}',
        )
        return
    query = parse_qs(scope.get("query_string", b"").decode())
    wait = min(float((query.get("wait") or ["0"])[0]), 30.0)
    known = {
        tag.strip().strip('"')
        for tag in headers.get(b"if-none-match", b"").decode().split(",")
        if tag.strip()
    }
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        current = _current()
        if current is None:
            await _send(send, 503, [], b'{"code":"no_snapshot"}')
            return
        if current[3] not in known or asyncio.get_running_loop().time() >= deadline:
            break
        await asyncio.sleep(0.1)
    body, signature, version, etag = current
    out = [(b"etag", f'"{etag}"'.encode()), (b"egov-snapshot-version", version.encode())]
    if etag in known:
        await _send(send, 304, out, b"")
        return
    out += [(b"content-type", b"application/json"), (b"egov-signature", signature.encode())]
    await _send(send, 200, out, body)
