"""Request and response bodies of the consent API."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Schema


class ConsentIn(Schema):
    consumer_organization: str = Field(max_length=32, examples=["DEMOBANK"])
    consumer_subsystem: str = Field(max_length=64, examples=["loans"])
    subject_id: str = Field(max_length=32, examples=["900101300123"])
    services: list[str] = Field(min_length=1, max_length=20, examples=[["TJ-MINJUST-S-0001"]])
    purpose: str = Field(min_length=3, max_length=2000)
    legal_basis: str = Field(min_length=3, max_length=300)
    days: int = Field(ge=1, le=1095, description="How long the consent lasts once granted.")
    webhook_url: str = Field("", max_length=500, description="Where status changes are POSTed.")


class ServiceRef(Schema):
    passport_id: str
    address: str
    name: str

    @staticmethod
    def resolve_address(obj: Any) -> str:
        return str(obj.xroad_address)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.name)


class ConsentOut(Schema):
    id: str
    status: str
    subject_id: str
    consumer: str
    consumer_organization: str
    services: list[ServiceRef]
    purpose: str
    legal_basis: str
    valid_from: datetime.datetime
    valid_until: datetime.datetime
    created_at: datetime.datetime
    decided_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    allowed_actions: list[str]

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return str(obj.public_id)

    @staticmethod
    def resolve_status(obj: Any) -> str:
        return str(obj.effective_status())

    @staticmethod
    def resolve_consumer(obj: Any) -> str:
        return str(obj.consumer.xroad_address)

    @staticmethod
    def resolve_consumer_organization(obj: Any) -> str:
        return str(obj.consumer.organization.name)

    @staticmethod
    def resolve_services(obj: Any) -> list[Any]:
        return list(obj.services.all())

    @staticmethod
    def resolve_allowed_actions(obj: Any, context: Any) -> list[str]:
        request = context["request"] if context else None
        user = getattr(request, "user", None)
        if user is None or not getattr(user, "personal_id", None):
            return []
        return list(obj.citizen_actions()) if user.personal_id == obj.subject_id else []


class RevisionOut(Schema):
    number: int
    status: str
    content: dict[str, Any]
    prev_hash: str
    hash: str
    kid: str
    signature: str
    created_at: datetime.datetime


class CodeOut(Schema):
    channel: str
    expires_in: int


class DecisionIn(Schema):
    action: str = Field(examples=["grant"], description="grant or refuse")
    code: str = Field(max_length=12, description="The one-time code sent to you.")


class RevokeIn(Schema):
    reason: str = Field("", max_length=500)


class AccessOut(Schema):
    at: datetime.datetime
    organization: str
    consumer: str
    service: str
    service_address: str
    purpose: str
    consent: str
    outcome: str
    status: int | None


class ChainCheckOut(Schema):
    consent: str
    revisions: int
    ok: bool
    problems: list[str]


class FindingOut(Schema):
    kind: str
    at: datetime.datetime
    subject_id: str
    consumer: str
    service_address: str
    request_id: str
    consent: str
    detail: str


class ReportOut(Schema):
    period_from: datetime.datetime
    period_until: datetime.datetime
    accesses: int
    consents_checked: int
    broken_chains: list[ChainCheckOut]
    findings: list[FindingOut]
