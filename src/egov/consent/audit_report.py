"""The auditor's report: consents compared with the accesses in the message log.

For every successful call to a personal-data service in the period it asks whether a consent
covered it: none named (``without_consent``), one that does not exist or does not cover this
consumer, subject and service (``outside_scope``), one not yet granted or already past its end
(``outside_validity``), one already revoked (``after_revocation``). Every consent those calls
named, and every consent changed in the period, has its revision chain verified.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from egov.bridge.choices import Classification
from egov.bridge.models import CallRecord
from egov.consent import revisions
from egov.consent.choices import ConsentStatus
from egov.consent.models import Consent

MAX_FINDINGS = 1000
MAX_CHAINS = 5000


@dataclass
class Finding:
    kind: str
    at: datetime.datetime
    subject_id: str
    consumer: str
    service_address: str
    request_id: str
    consent: str
    detail: str


@dataclass
class Report:
    period_from: datetime.datetime
    period_until: datetime.datetime
    accesses: int = 0
    consents_checked: int = 0
    broken_chains: list[revisions.ChainCheck] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period_from": self.period_from,
            "period_until": self.period_until,
            "accesses": self.accesses,
            "consents_checked": self.consents_checked,
            "broken_chains": [{**check.__dict__, "ok": check.ok} for check in self.broken_chains],
            "findings": [finding.__dict__ for finding in self.findings],
        }


def _bounds(
    since: datetime.date | None, until: datetime.date | None
) -> tuple[datetime.datetime, datetime.datetime]:
    today = timezone.localdate()
    since = since or today - datetime.timedelta(days=30)
    until = until or today
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(until, datetime.time.min))
    return start, end + datetime.timedelta(days=1)


def judge(record: CallRecord, consent: Consent | None, services: set[str]) -> tuple[str, str]:
    """('', '') when the consent covered the call, else the finding's kind and why."""
    if not record.consent_id:
        return "without_consent", "the call named no consent"
    if consent is None:
        return "outside_scope", "the consent named does not exist"
    if (
        consent.subject_id != record.subject_id
        or consent.consumer.xroad_address != record.consumer
        or record.service_address not in services
    ):
        return "outside_scope", "the consent does not cover this consumer, subject or service"
    ended = consent.ended_at
    if consent.status == ConsentStatus.REVOKED and ended and ended <= record.started_at:
        return "after_revocation", f"revoked at {ended.isoformat()}"
    if consent.decided_at is None or record.started_at < consent.decided_at:
        return "outside_validity", "the call came before the consent was granted"
    if not consent.valid_from <= record.started_at < consent.valid_until:
        return "outside_validity", "the call came outside the consent's validity"
    return "", ""


def build(since: datetime.date | None = None, until: datetime.date | None = None) -> Report:
    start, end = _bounds(since, until)
    report = Report(start, end)
    calls = (
        CallRecord.objects.filter(
            kind="call",
            started_at__gte=start,
            started_at__lt=end,
            status__lt=400,
            service__classification=Classification.PERSONAL,
        )
        .exclude(subject_id="")
        .order_by("started_at", "id")
    )
    consents: dict[str, Consent | None] = {}
    covered: dict[str, set[str]] = {}
    for record in calls.iterator(chunk_size=2000):
        report.accesses += 1
        if record.consent_id and record.consent_id not in consents:
            found = (
                Consent.objects.filter(public_id=record.consent_id)
                .select_related("consumer__organization")
                .prefetch_related("services__provider__organization")
                .first()
            )
            consents[record.consent_id] = found
            covered[record.consent_id] = (
                {s.xroad_address for s in found.services.all()} if found else set()
            )
        consent = consents.get(record.consent_id)
        kind, detail = judge(record, consent, covered.get(record.consent_id, set()))
        if kind and len(report.findings) < MAX_FINDINGS:
            report.findings.append(
                Finding(
                    kind,
                    record.started_at,
                    record.subject_id,
                    record.consumer,
                    record.service_address,
                    record.request_id,
                    record.consent_id,
                    detail,
                )
            )
    changed = Consent.objects.filter(
        revisions__created_at__gte=start, revisions__created_at__lt=end
    ).distinct()
    to_check = {c.pk: c for c in consents.values() if c is not None}
    to_check.update({c.pk: c for c in changed[:MAX_CHAINS]})
    keys = revisions.public_keys()
    for consent in list(to_check.values())[:MAX_CHAINS]:
        check = revisions.verify(consent, keys)
        report.consents_checked += 1
        if not check.ok:
            report.broken_chains.append(check)
    return report
