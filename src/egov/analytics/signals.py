"""Every change to Smart Data's records is audited; named events say what a decision was."""

from __future__ import annotations

from typing import Any

from django.db import models

from egov.analytics.models import (
    Column,
    Dashboard,
    Dataset,
    Indicator,
    Load,
    Revision,
    Source,
    Target,
    Tile,
)
from egov.core import audit
from egov.core.choices import AuditAction
from egov.core.signals import audited

for _model in (Source, Dataset, Column, Load, Indicator, Target, Dashboard, Tile, Revision):
    audited(_model)


def event(name: str, obj: models.Model, **detail: Any) -> None:
    """A decision that is more than a field change (a restore, a schema decision, an import)."""
    audit.record(AuditAction.UPDATE, obj=obj, detail={"event": f"analytics.{name}", **detail})
