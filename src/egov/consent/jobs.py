"""The consent registry's periodic jobs, run by the platform's worker."""

from __future__ import annotations

import datetime

from egov.consent import flow, tracker
from egov.core.worker import periodic


@periodic(every=datetime.timedelta(minutes=1))
def expire_consents() -> int:
    return flow.expire_due()


@periodic(every=datetime.timedelta(minutes=15))
def notify_new_accesses() -> int:
    return tracker.notify_new_accesses()
