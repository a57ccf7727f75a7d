"""Smart Bridge's periodic jobs, run by the platform's worker."""

from __future__ import annotations

import datetime

from django.utils import timezone

from egov.bridge import catalog, workflow
from egov.bridge.choices import Lifecycle
from egov.bridge.models import ServiceVersion
from egov.core.worker import periodic


@periodic(every=datetime.timedelta(hours=1))
def send_expiry_notices() -> int:
    return workflow.send_expiry_notices()


@periodic(every=datetime.timedelta(hours=1))
def retire_due_versions() -> int:
    """Deprecated versions whose retirement date has come stop being routable."""
    due = ServiceVersion.objects.filter(
        status=Lifecycle.DEPRECATED, retire_on__lte=timezone.localdate()
    )
    count = 0
    for version in due:
        catalog.change_lifecycle(version, "retire")
        count += 1
    return count
