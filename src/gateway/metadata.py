"""X-Road metadata services (listClients, listMethods, allowedMethods, getOpenAPI); sandbox.

``listMethods``/``allowedMethods`` answer from the snapshot (one entry per service version, with
``service_version``). ``getOpenAPI`` and the sandbox fetch the OpenAPI document from the control
plane's public catalog (``/api/bridge/services/{passport}/versions/{version}/openapi.json``) and
cache it per policy version.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import aiohttp

from gateway.errors import GatewayError
from gateway.snapshot import Policy, Service


def _split(address: str) -> dict[str, str]:
    parts = address.split("/")
    out = {
        "xroad_instance": parts[0],
        "member_class": parts[1] if len(parts) > 1 else "",
        "member_code": parts[2] if len(parts) > 2 else "",
    }
    if len(parts) > 3:
        out["subsystem_code"] = parts[3]
    return out


def list_clients(policy: Policy) -> dict[str, Any]:
    members: dict[str, dict[str, Any]] = {}
    for system in sorted(policy.systems):
        parts = _split(system)
        member = "/".join(system.split("/")[:3])
        members.setdefault(
            member,
            {
                "id": {
                    "object_type": "MEMBER",
                    **{k: v for k, v in parts.items() if k != "subsystem_code"},
                },
                "name": member,
            },
        )
        members[system] = {"id": {"object_type": "SUBSYSTEM", **parts}, "name": system}
    return {"member": list(members.values())}


def list_methods(policy: Policy, provider: str, consumer: str | None, now: float) -> dict[str, Any]:
    """Services of ``provider``; with ``consumer``, only endpoints its valid grants cover."""
    services: list[dict[str, Any]] = []
    for service in policy.services.values():
        if service.provider != provider:
            continue
        for name, version in sorted(service.versions.items()):
            endpoints = [(method, template.template) for method, template in version.endpoints]
            if consumer is not None:
                allowed: set[tuple[str, str]] = set()
                for grant in policy.grants_for(consumer, service.address, name):
                    if grant.valid_at(now):
                        allowed |= grant.endpoints
                endpoints = [pair for pair in endpoints if pair in allowed]
                if not endpoints:
                    continue
            services.append(
                {
                    **_split(service.address),
                    "object_type": "SERVICE",
                    "service_code": service.code,
                    "service_version": name,
                    "service_type": "OPENAPI",
                    "endpoint_list": [{"method": m, "path": p} for m, p in endpoints],
                }
            )
    return {"service": services}


class Metadata:
    """Fetches OpenAPI documents from the control plane (cached per policy version)."""

    def __init__(self, control_plane_url: str | None) -> None:
        self.base = control_plane_url.rstrip("/") if control_plane_url else None
        self._session: aiohttp.ClientSession | None = None
        self._cache: dict[tuple[int, str, str], bytes] = {}

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10.0))

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def document(self, policy: Policy, service: Service, version: str) -> bytes:
        key = (policy.version, service.passport, version)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if self.base is None or self._session is None:
            raise GatewayError("upstream_unavailable", "No control plane is configured.")
        url = f"{self.base}/api/bridge/services/{service.passport}/versions/{version}/openapi.json"
        try:
            async with self._session.get(url) as response:
                body = await response.read()
                if response.status != 200:
                    raise GatewayError(
                        "upstream_unavailable",
                        f"The catalog has no OpenAPI document for {service.passport} {version}.",
                    )
        except (aiohttp.ClientError, TimeoutError) as error:
            raise GatewayError("upstream_unavailable", "The catalog cannot be reached.") from error
        if len(self._cache) > 256:
            self._cache.clear()
        self._cache[key] = body
        return body

    async def get_openapi(
        self, policy: Policy, provider: str, query: str
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        params = parse_qs(query)
        code = (params.get("serviceCode") or [""])[0]
        service = policy.services.get(f"{provider}/{code}")
        if service is None:
            raise GatewayError("unknown_service", f"{provider} has no service {code!r}.")
        version = (params.get("version") or [service.default_version])[0]
        if version not in service.versions:
            raise GatewayError("unknown_version", f"{service.address} has no version {version}.")
        body = await self.document(policy, service, version)
        return (
            200,
            [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            body,
        )

    async def sandbox(
        self, policy: Policy, service: Service, version: str, method: str, template: str
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """An answer built from the OpenAPI examples, without calling the provider."""
        document = json.loads(await self.document(policy, service, version))
        status, example = example_response(document, method, template)
        body = json.dumps(example, ensure_ascii=False).encode()
        return (
            status,
            [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"egov-sandbox", b"1"),
            ],
            body,
        )


def _resolve(document: dict[str, Any], node: Any, depth: int = 0) -> Any:
    while isinstance(node, dict) and "$ref" in node and depth < 20:
        reference = str(node["$ref"])
        if not reference.startswith("#/"):
            return {}
        target: Any = document
        for part in reference[2:].split("/"):
            target = (
                target.get(part.replace("~1", "/").replace("~0", "~"), {})
                if isinstance(target, dict)
                else {}
            )
        node = target
        depth += 1
    return node


def _from_schema(document: dict[str, Any], schema: Any, depth: int = 0) -> Any:
    schema = _resolve(document, schema)
    if not isinstance(schema, dict) or depth > 8:
        return None
    if "example" in schema:
        return schema["example"]
    if schema.get("examples") and isinstance(schema["examples"], list):
        return schema["examples"][0]
    for combined in ("allOf", "oneOf", "anyOf"):
        if schema.get(combined):
            if combined == "allOf":
                merged: dict[str, Any] = {}
                for part in schema[combined]:
                    value = _from_schema(document, part, depth + 1)
                    if isinstance(value, dict):
                        merged.update(value)
                return merged
            return _from_schema(document, schema[combined][0], depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object" or "properties" in schema:
        return {
            name: _from_schema(document, sub, depth + 1)
            for name, sub in (schema.get("properties") or {}).items()
        }
    if kind == "array":
        return [_from_schema(document, schema.get("items"), depth + 1)]
    if schema.get("enum"):
        return schema["enum"][0]
    return {"string": "string", "integer": 0, "number": 0, "boolean": True}.get(str(kind))


def example_response(document: dict[str, Any], method: str, template: str) -> tuple[int, Any]:
    """The first success response's example for ``method template`` (built from the schema)."""
    operation = _resolve(document, (document.get("paths") or {}).get(template, {}))
    operation = _resolve(document, (operation or {}).get(method.lower(), {}))
    responses = (operation or {}).get("responses") or {}
    for code in sorted(responses):
        if not str(code).startswith("2"):
            continue
        response = _resolve(document, responses[code])
        content = (response or {}).get("content") or {}
        media: Any = content.get("application/json") or next(iter(content.values()), {})
        media = _resolve(document, media)
        if "example" in media:
            return int(code), media["example"]
        examples = media.get("examples") or {}
        for example in examples.values():
            example = _resolve(document, example)
            if isinstance(example, dict) and "value" in example:
                return int(code), example["value"]
        return int(code), _from_schema(document, media.get("schema"))
    return 200, {}
