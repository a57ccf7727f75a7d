"""What gateways ask the registry: one consumer's consents for one subject, and what changed.

Both endpoints take a gateway node's token (``Authorization: Bearer egw_…``), like snapshots.

``GET /api/consent/gateway/check?consumer=ADDRESS&subject=ID`` answers the consents in force or
starting later (granted, not ended) with their services and validity, plus ``cursor``: the newest
revision id read *before* the consents, so every later change has a greater id.

``GET /api/consent/gateway/changes?after=CURSOR&wait=SECONDS`` answers the (consumer, subject)
pairs whose consents changed after ``CURSOR``, oldest first, holding the request up to ``wait``
seconds (at most 30) until there is one; it checks every 0.2 s, so a revocation reaches a waiting
gateway well within a second. Without ``after`` it answers the current cursor at once.
If the database cannot be read both answer 503 ``registry_unavailable`` with ``Retry-After``;
the gateway then refuses personal calls (fail closed) and retries.
The protocol and the gateway's cache are described in docs/gateway.md.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from asgiref.sync import sync_to_async
from django.db import DatabaseError
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse

from egov.bridge.views.snapshots import authenticated_gateway
from egov.consent.models import Consent, ConsentRevision
from egov.core.exceptions import problem_response

log = logging.getLogger(__name__)

POLL_SECONDS = 0.2
MAX_WAIT_SECONDS = 30.0
BATCH = 1000


def _cursor() -> int:
    return int(ConsentRevision.objects.aggregate(top=Max("id"))["top"] or 0)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def consents_for(consumer: str, subject: str) -> dict[str, Any]:
    cursor = _cursor()
    parts = consumer.split("/")
    found: list[dict[str, Any]] = []
    if len(parts) == 4:
        # Narrow by the subsystem code in SQL; the full address is compared below.
        candidates = (
            Consent.objects.filter(
                subject_id=subject, status="granted", consumer__subsystem_code=parts[3]
            )
            .select_related("consumer__organization")
            .prefetch_related("services__provider__organization")
        )
        for consent in candidates:
            if consent.ended or consent.consumer.xroad_address != consumer:
                continue
            found.append(
                {
                    "id": consent.public_id,
                    "services": sorted(s.xroad_address for s in consent.services.all()),
                    "valid_from": _iso(consent.valid_from),
                    "valid_until": _iso(consent.valid_until),
                }
            )
    return {"consumer": consumer, "subject": subject, "cursor": cursor, "consents": found}


def changes_after(after: int) -> dict[str, Any]:
    rows = list(
        ConsentRevision.objects.filter(id__gt=after)
        .order_by("id")
        .select_related("consent__consumer__organization")[:BATCH]
    )
    pairs: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for revision in rows:
        pair = (revision.consent.consumer.xroad_address, revision.consent.subject_id)
        if pair not in seen:
            seen.add(pair)
            pairs.append({"consumer": pair[0], "subject": pair[1]})
    return {
        "cursor": rows[-1].id if rows else after,
        "changes": pairs,
        "more": len(rows) == BATCH,
    }


def _unauthenticated(request: HttpRequest) -> HttpResponse:
    return problem_response(request, 401, "gateway_unauthenticated", "A gateway token is needed.")


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


GatewayView = Callable[[HttpRequest], Coroutine[Any, Any, HttpResponse]]


def _unavailable_without_database(view: GatewayView) -> GatewayView:
    """A database outage is the registry being unavailable (503), not a server error."""

    @functools.wraps(view)
    async def guarded(request: HttpRequest) -> HttpResponse:
        try:
            return await view(request)
        except DatabaseError as error:
            log.warning("consent registry unavailable: %s", type(error).__name__)
            response = problem_response(
                request,
                503,
                "registry_unavailable",
                "The consent registry cannot read its database; try again shortly.",
            )
            response["Retry-After"] = "5"
            return _no_store(response)

    return guarded


@_unavailable_without_database
async def check(request: HttpRequest) -> HttpResponse:
    if await authenticated_gateway(request) is None:
        return _unauthenticated(request)
    consumer = request.GET.get("consumer", "")
    subject = request.GET.get("subject", "")
    if not consumer or not subject or len(consumer) > 250 or len(subject) > 40:
        return problem_response(
            request, 400, "invalid_check", "Name the consumer's address and the subject."
        )
    document = await sync_to_async(consents_for)(consumer, subject)
    return _no_store(JsonResponse(document))


@_unavailable_without_database
async def changes(request: HttpRequest) -> HttpResponse:
    if await authenticated_gateway(request) is None:
        return _unauthenticated(request)
    try:
        wait = min(max(float(request.GET.get("wait", "0")), 0.0), MAX_WAIT_SECONDS)
        after = int(request.GET["after"]) if "after" in request.GET else None
    except ValueError:
        return problem_response(request, 400, "invalid_cursor", "after and wait are numbers.")
    if after is not None and not 0 <= after < 2**63:
        return problem_response(request, 400, "invalid_cursor", "after is out of range.")
    if after is None:
        cursor = await sync_to_async(_cursor)()
        return _no_store(JsonResponse({"cursor": cursor, "changes": [], "more": False}))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        document = await sync_to_async(changes_after)(after)
        if document["changes"] or loop.time() >= deadline:
            return _no_store(JsonResponse(document))
        await asyncio.sleep(POLL_SECONDS)
