"""The websites' periodic jobs, run by the platform's worker (no cron to forget)."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from egov.core.choices import Role
from egov.core.notify import notify, people_with_roles
from egov.core.worker import periodic


@periodic(every=datetime.timedelta(minutes=1))
def publish_scheduled() -> str:
    """Wagtail's scheduled publishing and unpublishing (go-live and expiry dates)."""
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    return out.getvalue()


@periodic(every=datetime.timedelta(hours=1))
def sync_access() -> int:
    """Group membership follows roles on every change; this repairs anything that drifted."""
    from egov.websites import access

    return access.sync_all()


@periodic(every=datetime.timedelta(days=7))
def weekly_compliance_mail() -> int:
    """Each body's administrators get their site's compliance report once a week."""
    from egov.websites import compliance

    sent = 0
    for report in compliance.reports():
        lines = [f"{check.label}: {check.rating.label} — {check.detail}" for check in report.checks]
        sent += notify(
            people_with_roles(report.organization, [Role.ORG_ADMIN]),
            _("Website compliance this week"),
            "\n".join(lines),
            reverse("websites_compliance:detail", args=[report.organization.code]),
        )
    return sent
