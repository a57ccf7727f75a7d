"""Consent demo: the demo citizen has a bank's consent in force, a telecom's request waiting, and
accesses in the data tracker. Loading twice changes nothing.

The accesses are call records as a gateway would ship them; calls made through the running demo
gateway (with ``X-Subject-Id``) join them once the gateway ships its log.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from egov.bridge import workflow
from egov.bridge.choices import RequestStatus
from egov.bridge.models import AccessRequest, CallRecord, Service
from egov.consent import flow, otp
from egov.consent.choices import CodePurpose, ConsentStatus
from egov.consent.models import Auditor, Consent
from egov.core.demo import DEMO_PASSWORD_SUFFIX
from egov.core.models import InformationSystem, User


class _Handed:
    """Stands in for the citizen's phone while the demo decides on their behalf."""

    name = "demo"
    code = ""

    def send(self, user: Any, text: str) -> None:
        self.code = text.rsplit(" ", 1)[-1].rstrip(".")


def _consent(
    requester: User, consumer: InformationSystem, citizen: User, service: Service, purpose: str
) -> Consent:
    existing = Consent.objects.filter(consumer=consumer, subject_id=citizen.personal_id).first()
    if existing is not None:
        return existing
    return flow.request_consent(
        requester,
        flow.ConsentRequest(
            consumer=consumer,
            subject_id=str(citizen.personal_id),
            services=[service.passport_id],
            purpose=purpose,
            legal_basis="Law of the Republic of Kazakhstan on Personal Data, art. 8",
            days=180,
        ),
    )


def _accesses(citizen: User, consent: Consent, service: Service) -> None:
    if CallRecord.objects.filter(chain="demo-seed").exists():
        return
    now = timezone.now()
    consumer = consent.consumer
    for index, (hours, status, error, consent_id) in enumerate(
        [
            (50, 403, "no_consent", ""),
            (30, 200, "", consent.public_id),
            (6, 200, "", consent.public_id),
            (1, 200, "", consent.public_id),
        ],
        start=1,
    ):
        CallRecord.objects.create(
            chain="demo-seed",
            seq=index,
            record_hash=f"{index:064x}",
            request_id=f"demo-{index}",
            started_at=now - datetime.timedelta(hours=hours),
            latency_ms=12.5,
            consumer=consumer.xroad_address,
            consumer_system=consumer,
            provider=service.provider.xroad_address,
            service_address=service.xroad_address,
            service=service,
            version="v1",
            endpoint="GET /persons/{iin}/extract",
            subject_id=str(citizen.personal_id),
            consent_id=consent_id,
            status=status,
            error=error,
        )


@transaction.atomic
def load() -> list[str]:
    citizen = User.objects.get(username="citizen")
    service = Service.objects.get(code="civil-extract")
    bank = InformationSystem.objects.get(organization__code="DEMOBANK", subsystem_code="loans")
    telco = InformationSystem.objects.get(
        organization__code="DEMOTEL", subsystem_code="subscribers"
    )
    # The bank's access request for the personal-data service is approved, so that its calls
    # reach the consent check.
    pending_access = AccessRequest.objects.filter(
        consumer=bank, version__service=service, status=RequestStatus.SUBMITTED
    ).first()
    if pending_access is not None:
        workflow.decide(pending_access, User.objects.get(username="approver"), "approve")
    active = _consent(
        User.objects.get(username="integrator"),
        bank,
        citizen,
        service,
        "Confirm the borrower's marital status for a mortgage application.",
    )
    if active.status == ConsentStatus.REQUESTED:
        phone = _Handed()
        otp.issue(citizen, CodePurpose.DECISION, active.public_id, via=phone)
        active = flow.decide(citizen, active, "grant", phone.code)
    _consent(
        User.objects.get(username="telecom"),
        telco,
        citizen,
        service,
        "Confirm a subscriber's identity when they sign a contract.",
    )
    _accesses(citizen, active, service)
    Auditor.objects.get_or_create(
        user=User.objects.get(username="operator"),
        defaults={"authority": "Personal data protection authority (demo)"},
    )
    return [
        "Consents: log in as the citizen, then open My data with the one-time code printed here",
        f"  citizen {citizen.username} / {citizen.username}{DEMO_PASSWORD_SUFFIX},"
        f" identifier {citizen.personal_id}: /consent/",
        f"  one consent in force ({active.public_id}), one request waiting, 4 accesses",
        "  gateway call: add  -H 'X-Subject-Id: " + str(citizen.personal_id) + "'  to a call of "
        f"{service.xroad_address}/v1/persons/{citizen.personal_id}/extract",
    ]
