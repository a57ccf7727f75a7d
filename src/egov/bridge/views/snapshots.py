"""The snapshot endpoint gateways pull: exact signed bytes, ETag, and long polling for changes.

GET /api/bridge/snapshots/latest with `Authorization: Bearer egw_…` (a gateway node's token).
`If-None-Match: "<etag>"` answers 304 when nothing changed; adding `?wait=N` (up to 30 s) holds the
request until a newer snapshot exists, so a change reaches a waiting gateway within a poll interval
(0.2 s). The body is the canonical JSON that the `Egov-Signature` header signs.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils import timezone

from egov.bridge.models import GatewayNode, PolicySnapshot
from egov.core.exceptions import problem_response

GATEWAY_TOKEN_PREFIX = "egw_"
POLL_SECONDS = 0.2
MAX_WAIT_SECONDS = 30.0


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_gateway_token(name: str) -> tuple[GatewayNode, str]:
    token = GATEWAY_TOKEN_PREFIX + secrets.token_urlsafe(32)
    node, _created = GatewayNode.objects.update_or_create(
        name=name, defaults={"token_hash": token_digest(token)}
    )
    return node, token


async def authenticated_gateway(request: HttpRequest) -> GatewayNode | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith(f"Bearer {GATEWAY_TOKEN_PREFIX}"):
        return None
    return await GatewayNode.objects.filter(token_hash=token_digest(header[7:])).afirst()


def _etags(request: HttpRequest) -> set[str]:
    header = request.headers.get("If-None-Match", "")
    return {tag.strip().strip('"') for tag in header.split(",") if tag.strip()}


async def latest(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    node = await authenticated_gateway(request)
    if node is None:
        return problem_response(
            request, 401, "gateway_unauthenticated", "A gateway token is needed."
        )
    try:
        wait = min(max(float(request.GET.get("wait", "0")), 0.0), MAX_WAIT_SECONDS)
    except ValueError:
        return problem_response(request, 400, "invalid_wait", "wait is a number of seconds.")
    known = _etags(request)
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        snapshot = await PolicySnapshot.objects.order_by("-version").afirst()
        if snapshot is None:
            return problem_response(request, 503, "no_snapshot", "No policy has been published.")
        if snapshot.etag not in known or asyncio.get_running_loop().time() >= deadline:
            break
        await asyncio.sleep(POLL_SECONDS)
    await GatewayNode.objects.filter(pk=node.pk).aupdate(
        last_seen_at=timezone.now(), last_version=snapshot.version
    )
    if snapshot.etag in known:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(snapshot.body.encode(), content_type="application/json")
        response["Egov-Signature"] = f'kid="{snapshot.kid}", sig="{snapshot.signature}"'
    response["ETag"] = f'"{snapshot.etag}"'
    response["Egov-Snapshot-Version"] = str(snapshot.version)
    response["Cache-Control"] = "no-store"
    return response
