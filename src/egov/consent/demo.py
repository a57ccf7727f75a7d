"""Consent demo: the demo citizen has a bank's consent in force, a telecom's request waiting, and
accesses in the data tracker. Loading twice changes nothing.

The accesses are real: once ``egov demo`` has the gateway running it calls `call_gateway()`,
which asks for the citizen's civil registry extract twice through the gateway, once from the
bank's loan system (the consent covers it: answered) and once from its card system (no consent:
refused). The gateway ships both records to the control plane, where the tracker reads them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.db import transaction

from egov.bridge import issuing, workflow
from egov.bridge.choices import RequestStatus
from egov.bridge.models import AccessRequest, ApiKey, Service
from egov.consent import flow, otp
from egov.consent.choices import CodePurpose, ConsentStatus
from egov.consent.models import Auditor, Consent
from egov.core.demo import DEMO_PASSWORD_SUFFIX
from egov.core.models import InformationSystem, Organization, User

# The bank's second system: it has access to the civil registry, but no consent of the citizen.
CARDS_NAMES = {
    "name_kk": "Карта жүйесі",
    "name_ru": "Карточная система",
    "name_en": "Card system",
    "name_tg": "Низоми кортҳо",
}
CARDS_KEY_FILE = "demo-cards-api-key.txt"
EXTRACT = {"method": "GET", "path": "/persons/{iin}/extract"}


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


def _approved_access(system: InformationSystem, service: Service, purpose: str) -> None:
    """The system's approved access to the extract endpoint the demo calls (filed once)."""
    version = service.versions.get(version="v1")
    access = next(
        (
            request
            for request in AccessRequest.objects.filter(consumer=system, version=version)
            if EXTRACT in request.endpoints
        ),
        None,
    )
    if access is None:
        access = workflow.file_request(
            User.objects.get(username="integrator"),
            system,
            version,
            workflow.RequestInput(
                endpoints=[EXTRACT],
                purpose=purpose,
                legal_basis="Law of the Republic of Kazakhstan on Personal Data, art. 8",
                expected_calls_per_day=100,
                ip_ranges=["127.0.0.0/8"],
                technical_contact="api@demo.example",
            ),
        )
    if access.status == RequestStatus.SUBMITTED:
        workflow.decide(access, User.objects.get(username="approver"), "approve")


def _cards_system(service: Service) -> InformationSystem:
    cards, _ = InformationSystem.objects.get_or_create(
        organization=Organization.objects.get(code="DEMOBANK"),
        subsystem_code="cards",
        defaults=CARDS_NAMES,
    )
    _approved_access(cards, service, "Check a card applicant's civil status.")
    key_file = settings.DATA_DIR / CARDS_KEY_FILE
    if not ApiKey.objects.filter(system=cards, name="demo").exists() or not key_file.exists():
        ApiKey.objects.filter(system=cards, name="demo").delete()
        key_file.write_text(issuing.issue_api_key(cards, "demo").secret)
    return cards


@transaction.atomic
def load() -> list[str]:
    citizen = User.objects.get(username="citizen")
    service = Service.objects.get(code="civil-extract")
    bank = InformationSystem.objects.get(organization__code="DEMOBANK", subsystem_code="loans")
    telco = InformationSystem.objects.get(
        organization__code="DEMOTEL", subsystem_code="subscribers"
    )
    # Both bank systems may call the personal-data service, so that their calls reach the
    # consent check; only the loan system has the citizen's consent.
    _approved_access(bank, service, "Confirm a borrower's marital status with their consent.")
    _cards_system(service)
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
    Auditor.objects.get_or_create(
        user=User.objects.get(username="operator"),
        defaults={"authority": "Personal data protection authority (demo)"},
    )
    return [
        "Consents: log in as the citizen, then open My data with the one-time code printed here",
        f"  citizen {citizen.username} / {citizen.username}{DEMO_PASSWORD_SUFFIX},"
        f" identifier {citizen.personal_id}: /consent/",
        f"  one consent in force ({active.public_id}), one request waiting; the accesses in"
        " My data come from the gateway calls made once it runs",
        "  gateway call: add  -H 'X-Subject-Id: " + str(citizen.personal_id) + "'  to a call of "
        f"{service.xroad_address}/v1/persons/{citizen.personal_id}/extract",
    ]


@dataclass(frozen=True)
class DemoCall:
    system: InformationSystem
    key_file: str
    expected: int


def _wait_for_policy(gateway_url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            ready = requests.get(f"{gateway_url}/readyz", timeout=2).json()
            if ready["checks"]["snapshot"]["version"] is not None:
                return True
        except (requests.RequestException, ValueError, KeyError, TypeError):
            pass
        time.sleep(0.2)
    return False


def _error_code(answer: requests.Response) -> str:
    try:
        return str(answer.json().get("code", ""))
    except (ValueError, AttributeError):
        return ""


def call_gateway(gateway_url: str, timeout: float = 30.0) -> list[str]:
    """Ask for the demo citizen's extract through the running gateway: once with, once without
    consent. Returns a line per call for the terminal."""
    citizen = User.objects.get(username="citizen")
    service = Service.objects.get(code="civil-extract")
    bank = InformationSystem.objects.get(organization__code="DEMOBANK", subsystem_code="loans")
    cards = InformationSystem.objects.get(organization__code="DEMOBANK", subsystem_code="cards")
    if not _wait_for_policy(gateway_url, timeout):
        return ["Consents: the gateway has no policy yet; no calls made for the data tracker"]
    url = f"{gateway_url}/r1/{service.xroad_address}/v1/persons/{citizen.personal_id}/extract"
    lines = ["Consents: calls for the citizen's data through the gateway (see My data):"]
    for call in (
        DemoCall(bank, "demo-api-key.txt", 200),
        DemoCall(cards, CARDS_KEY_FILE, 403),
    ):
        headers = {
            "X-API-Key": (settings.DATA_DIR / call.key_file).read_text().strip(),
            "X-Road-Client": call.system.xroad_address,
            "X-Subject-Id": str(citizen.personal_id),
        }
        try:
            answer = requests.get(url, headers=headers, timeout=10)
        except requests.RequestException as error:
            lines.append(f"  {call.system.xroad_address}: failed ({type(error).__name__})")
            continue
        code = "" if answer.ok else _error_code(answer)
        mark = "" if answer.status_code == call.expected else "  (unexpected)"
        lines.append(f"  {call.system.xroad_address}: {answer.status_code} {code}".rstrip() + mark)
    return lines
