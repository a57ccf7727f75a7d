"""Where gateways ship their message-log records (authenticated with the gateway node token)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema
from ninja.security import HttpBearer

from egov.bridge import usage
from egov.bridge.models import GatewayNode
from egov.bridge.views.snapshots import GATEWAY_TOKEN_PREFIX, token_digest
from egov.core.exceptions import EgovError

MAX_RECORDS = 1000

router = Router(tags=["bridge: gateways"])


class GatewayUnauthenticated(EgovError):
    status = 401
    code = "gateway_unauthenticated"
    default_message = _("A gateway token is needed.")


class GatewayToken(HttpBearer):
    """``Authorization: Bearer egw_…``: the token issued to a gateway node."""

    def __call__(self, request: HttpRequest) -> Any:
        # No bearer header at all is the same refusal as a wrong token (the snapshot endpoint's).
        found = super().__call__(request)
        if found is None:
            raise GatewayUnauthenticated()
        return found

    def authenticate(self, request: HttpRequest, token: str) -> GatewayNode:
        node = None
        if token.startswith(GATEWAY_TOKEN_PREFIX):
            node = GatewayNode.objects.filter(token_hash=token_digest(token)).first()
        if node is None:
            raise GatewayUnauthenticated()
        return node


class ShippedRecord(Schema):
    chain: str = Field(min_length=1, max_length=100)
    seq: int = Field(ge=1, le=2**63 - 1)
    hash: str = Field(pattern="^[0-9a-f]{64}$", description="SHA-256 of prev + LF + body")
    body: str = Field(
        min_length=2, max_length=64_000, description="The record's canonical JSON, as logged"
    )


class CallBatchIn(Schema):
    records: list[ShippedRecord] = Field(max_length=MAX_RECORDS)


class RejectedRecord(Schema):
    chain: str
    seq: int
    code: str = Field(examples=["hash_mismatch"])
    detail: str


class CallBatchOut(Schema):
    accepted: int
    rejected: list[RejectedRecord]


@router.post(
    "/calls",
    auth=GatewayToken(),
    response=CallBatchOut,
    summary="Ship message-log records (gateways only)",
    description="Gateways send their message-log records here, at least once; records are "
    "stored by (chain, seq), so sending one again changes nothing. Records whose hash does not "
    "match their body are refused one by one and listed in `rejected`.",
)
def ship_calls(request: HttpRequest, payload: CallBatchIn) -> dict[str, Any]:
    node: GatewayNode = request.auth  # type: ignore[attr-defined]
    outcome = usage.ingest(
        node,
        (usage.Shipped(r.chain, r.seq, r.hash, r.body) for r in payload.records),
    )
    return {"accepted": outcome.accepted, "rejected": outcome.rejected}
