"""Demo providers for the four demo services (``egov.bridge.demo``), as one small ASGI app.

Served at http://127.0.0.1:8090/<service-code>/… with made-up but plausible JSON:

* ``/legal-entity/legal-entities`` (search) and ``/legal-entity/legal-entities/{bin}[/management]``
* ``/address/addresses/{rca}[/children]``, ``/address/addresses/search``, ``/address/regions``
* ``/vehicle/vehicles/{plate}``, ``/vehicle/vehicles?vin=…``
* ``/civil-extract/persons/{iin}/extract``

Test hooks: ``/_test/sleep?seconds=N`` answers after N seconds, ``/_test/status/{code}`` answers
that status, ``/_test/echo`` echoes the request (method, path, headers, body) as JSON, and
``/_test/bytes/{n}`` streams ``n`` bytes. ``/fast`` answers a tiny JSON at once (benchmarks).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import parse_qs

from gateway.app import Receive, Scope, Send

LEGAL_ENTITY: dict[str, Any] = {
    "bin": "{bin}",
    "name": {"kk": "«Дала Агро» ЖШС", "ru": "ТОО «Дала Агро»", "en": "Dala Agro LLP"},
    "legalForm": "LLP",
    "status": "active",
    "registeredOn": "2012-05-17",
    "address": "Astana, Mangilik El avenue 55/20",
    "headOfficeBin": None,
    "activity": {"code": "01.11", "name": "Growing of cereals"},
}


def _legal_entity(bin_: str) -> dict[str, Any]:
    return {**LEGAL_ENTITY, "bin": bin_}


def route(method: str, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
    parts = [part for part in path.split("/") if part]
    if method not in ("GET", "HEAD"):
        return 405, {"code": "method_not_allowed"}
    match parts:
        case ["legal-entity", "legal-entities"]:
            name = (query.get("name") or ["Dala"])[0]
            return 200, {"items": [_legal_entity("120540012345")], "query": name, "total": 1}
        case ["legal-entity", "legal-entities", bin_]:
            if not (len(bin_) == 12 and bin_.isdigit()):
                return 400, {"code": "invalid_bin", "detail": "A BIN has 12 digits."}
            return 200, _legal_entity(bin_)
        case ["legal-entity", "legal-entities", bin_, "management"]:
            return 200, {
                "bin": bin_,
                "head": {"name": "Серик Ахметов", "position": "Director", "since": "2019-02-01"},
                "founders": [{"name": "Серик Ахметов", "share": 100.0}],
            }
        case ["address", "regions"]:
            return 200, [{"code": "02", "name": "Astana"}, {"code": "75", "name": "Almaty"}]
        case ["address", "addresses", "search"]:
            text = (query.get("q") or [""])[0]
            return 200, {"items": [{"rca": "02000010042553", "text": f"Astana, {text}".strip()}]}
        case ["address", "addresses", rca]:
            return 200, {
                "rca": rca,
                "kind": "building",
                "name": "55/20",
                "status": "active",
                "parents": [
                    {"kind": "street", "name": "Mangilik El avenue"},
                    {"kind": "city", "name": "Astana"},
                ],
            }
        case ["address", "addresses", rca, "children"]:
            return 200, {"rca": rca, "children": [{"rca": rca[:-2] + "01", "kind": "premise"}]}
        case ["vehicle", "vehicles", plate]:
            return 200, {
                "plate": plate,
                "vin": "XTA210990Y2766389",
                "make": "Lada",
                "model": "Granta",
                "year": 2019,
                "status": "registered",
            }
        case ["vehicle", "vehicles"]:
            vin = (query.get("vin") or [""])[0]
            return 200, [
                {
                    "plate": "123ABC02",
                    "vin": vin,
                    "make": "Lada",
                    "model": "Granta",
                    "year": 2019,
                    "status": "registered",
                }
            ] if vin else []
        case ["civil-extract", "persons", iin, "extract"]:
            return 200, {
                "iin": iin,
                "names": {"cyrillic": "Айгүл Серікқызы", "latin": "Aigül Serikqyzy"},
                "acts": [{"kind": "birth", "date": "1990-03-08", "place": "Almaty"}],
            }
        case ["fast"]:
            return 200, {"ok": True}
    return 404, {"code": "not_found", "path": path}


async def _read(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        chunk: bytes = message.get("body", b"")
        body += chunk
        if not message.get("more_body"):
            return body


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    path: str = scope["path"]
    query = parse_qs((scope.get("query_string") or b"").decode())
    method: str = scope["method"]
    status: int
    document: Any
    if path.startswith("/_test/"):
        status, document = await _test_hook(scope, receive, send, path, query)
        if status == 0:
            return
    else:
        status, document = route(method, path, query)
    body = json.dumps(document, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})


async def _test_hook(
    scope: Scope, receive: Receive, send: Send, path: str, query: dict[str, list[str]]
) -> tuple[int, Any]:
    parts = path.split("/")[2:]
    if parts[0] == "sleep":
        await asyncio.sleep(float((query.get("seconds") or ["30"])[0]))
        return 200, {"slept": True}
    if parts[0] == "status" and len(parts) > 1:
        return int(parts[1]), {"status": int(parts[1])}
    if parts[0] == "echo":
        body = await _read(receive)
        return 200, {
            "method": scope["method"],
            "path": path,
            "query": (scope.get("query_string") or b"").decode(),
            "headers": [[k.decode(), v.decode()] for k, v in scope["headers"]],
            "body": body.decode(errors="replace"),
        }
    if parts[0] == "bytes" and len(parts) > 1:
        size = int(parts[1])
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/octet-stream")],
            }
        )
        chunk = b"x" * 65536
        while size > 0:
            piece = chunk[: min(size, len(chunk))]
            size -= len(piece)
            await send({"type": "http.response.body", "body": piece, "more_body": size > 0})
        return 0, None
    return 404, {"code": "not_found"}
