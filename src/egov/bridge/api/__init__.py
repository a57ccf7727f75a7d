"""The Smart Bridge API, mounted at /api/bridge/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from egov.bridge import signing
from egov.bridge.api import access, calls, catalog, credentials
from egov.bridge.models import SigningKey

router = Router()
router.add_router("", catalog.router)
router.add_router("", access.router)
router.add_router("", credentials.router)
router.add_router("", calls.router)


@router.get(
    "/snapshots/keys", tags=["bridge: snapshots"], summary="Keys that sign policy snapshots"
)
def snapshot_keys(request: HttpRequest) -> dict[str, Any]:
    return {
        "keys": [
            {
                "kid": key.kid,
                "public_key": key.public_key,
                "alg": "Ed25519",
                "retired": key.retired_at is not None,
            }
            for key in signing.published(SigningKey.Purpose.SNAPSHOT)
        ]
    }
