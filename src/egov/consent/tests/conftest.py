"""Consent fixtures: a personal-data provider, a bank that asks, citizens, an auditor."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from egov.bridge.models import Service
from egov.bridge.tests.factories import ServiceFactory, published_version
from egov.consent import otp
from egov.consent.models import Auditor
from egov.core.api_auth import issue_token
from egov.core.demo import with_check_digit
from egov.core.models import InformationSystem, Membership, User
from egov.core.tests.factories import InformationSystemFactory, OrganizationFactory, UserFactory


@dataclass
class RecordingChannel:
    """A delivery channel that keeps what it sent, so tests can read the code like a phone."""

    name: str = "test"
    sent: list[tuple[str, str]] = field(default_factory=list)

    def send(self, user: Any, text: str) -> None:
        self.sent.append((user.get_username(), text))

    def last_code(self) -> str:
        return self.sent[-1][1].rsplit(" ", 1)[-1].rstrip(".")


@dataclass
class World:
    personal: Service
    public: Service
    bank: InformationSystem
    users: dict[str, User]
    tokens: dict[str, str]
    channel: RecordingChannel

    def api(self, who: str) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {self.tokens[who]}")

    def post(self, who: str, url: str, body: dict[str, Any]) -> Any:
        return self.api(who).post(url, json.dumps(body), content_type="application/json")

    def ask(self, who: str = "integrator", **changes: Any) -> Any:
        body = {
            "consumer_organization": "BANK",
            "consumer_subsystem": "loans",
            "subject_id": self.users["citizen"].personal_id,
            "services": [self.personal.passport_id],
            "purpose": "Check the borrower's marital status for a mortgage.",
            "legal_basis": "Law on Personal Data, art. 8",
            "days": 30,
            **changes,
        }
        return self.post(who, "/api/consent/consents", body)

    def code_for(self, who: str, consent_id: str) -> str:
        response = self.api(who).post(f"/api/consent/my/consents/{consent_id}/code")
        assert response.status_code == 202, response.content
        return self.channel.last_code()

    def decide(self, who: str, consent_id: str, action: str = "grant") -> Any:
        code = self.code_for(who, consent_id)
        return self.post(
            who, f"/api/consent/my/consents/{consent_id}/decision", {"action": action, "code": code}
        )


REAL_CHANNEL = otp.channel  # the settings-driven chooser, before tests replace it


def person_id(serial: int) -> str:
    return with_check_digit(f"900101300{serial:02d}")


@pytest.fixture
def channel(monkeypatch: pytest.MonkeyPatch) -> RecordingChannel:
    recording = RecordingChannel()
    monkeypatch.setattr(otp, "channel", lambda: recording)
    return recording


@pytest.fixture
def world(db: Any, channel: RecordingChannel) -> World:
    provider_org = OrganizationFactory(code="CIVREG")
    provider = InformationSystemFactory(organization=provider_org, subsystem_code="civil-registry")
    personal = ServiceFactory(provider=provider, code="civil-extract", classification="personal")
    public = ServiceFactory(provider=provider, code="statistics", classification="public")
    published_version(personal)
    published_version(public)
    bank_org = OrganizationFactory(code="BANK", kind="business", member_class="COM")
    other_org = OrganizationFactory(code="OTHERBANK", kind="business", member_class="COM")
    bank = InformationSystemFactory(organization=bank_org, subsystem_code="loans")
    InformationSystemFactory(organization=other_org, subsystem_code="loans")
    people: dict[str, tuple[str, Any, str | None]] = {
        "integrator": ("integrator", bank_org, None),
        "outsider": ("integrator", other_org, None),
        "citizen": ("citizen", None, person_id(1)),
        "neighbour": ("citizen", None, person_id(2)),
        "auditor": ("citizen", None, person_id(3)),
        "operator": ("operator", None, None),
    }
    users, tokens = {}, {}
    for name, (role, organization, personal_id) in people.items():
        user = UserFactory(username=name, email=f"{name}@example.org", personal_id=personal_id)
        Membership.objects.create(user=user, role=role, organization=organization)
        users[name] = user
        tokens[name] = issue_token(user, "tests")[1]
    Auditor.objects.create(user=users["auditor"], authority="Data protection authority")
    return World(personal, public, bank, users, tokens, channel)
