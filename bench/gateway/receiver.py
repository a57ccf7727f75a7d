"""A control plane's records endpoint for the benchmark: takes shipped batches, keeps a count.

Run as ``uvicorn receiver:app``; ``GET /count`` answers how many records arrived. Everything
else (the snapshot endpoint) answers 404, so the benchmarked gateway serves its snapshot from
disk and only the shipping traffic is added.
"""

from __future__ import annotations

import json
from typing import Any

_received = 0


async def _send(send: Any, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def app(scope: Any, receive: Any, send: Any) -> None:
    global _received
    if scope["type"] != "http":
        return
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    if scope["path"] == "/count":
        await _send(send, 200, json.dumps({"records": _received}).encode())
    elif scope["path"] == "/api/bridge/calls" and scope["method"] == "POST":
        count = len(json.loads(b"".join(chunks))["records"])
        _received += count
        await _send(send, 200, json.dumps({"accepted": count, "rejected": []}).encode())
    else:
        await _send(send, 404, b"{}")
