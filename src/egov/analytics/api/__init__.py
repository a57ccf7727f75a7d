"""The Smart Data API, mounted at /api/analytics/."""

from __future__ import annotations

from ninja import Router

from egov.analytics.api import data, reporting

router = Router()
router.add_router("", data.router)
router.add_router("", reporting.router)
