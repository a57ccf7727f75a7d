"""Request and response bodies of the Smart Bridge API."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Schema


class Endpoint(Schema):
    method: str = Field(examples=["GET"])
    path: str = Field(examples=["/legal-entities/{bin}"])


class VersionOut(Schema):
    version: str
    status: str
    endpoints: list[Endpoint]
    published_at: datetime.datetime | None
    deprecated_at: datetime.datetime | None
    retire_on: datetime.date | None
    rate_per_minute: int
    quota_per_day: int

    @staticmethod
    def resolve_endpoints(obj: Any) -> list[dict[str, str]]:
        return [{"method": m, "path": p} for m, p in obj.endpoints]


class ServiceOut(Schema):
    passport_id: str
    code: str
    name: str
    description: str
    organization: str
    provider: str
    address: str
    category: str
    tags: list[str]
    classification: str
    sla_availability: float
    sla_response_ms: int
    versions: list[VersionOut]

    @staticmethod
    def resolve_organization(obj: Any) -> str:
        return str(obj.provider.organization.code)

    @staticmethod
    def resolve_provider(obj: Any) -> str:
        return str(obj.provider.xroad_address)

    @staticmethod
    def resolve_address(obj: Any) -> str:
        return str(obj.xroad_address)

    @staticmethod
    def resolve_versions(obj: Any) -> list[Any]:
        return list(getattr(obj, "visible_versions", obj.versions.all()))


class ServiceIn(Schema):
    provider_organization: str = Field(examples=["MINJUST-REG"])
    provider_subsystem: str = Field(examples=["legal-entities"])
    code: str = Field(examples=["legal-entity"])
    name_kk: str = ""
    name_ru: str = ""
    name_en: str = ""
    name_tg: str = ""
    description_kk: str = ""
    description_ru: str = ""
    description_en: str = ""
    description_tg: str = ""
    category: str
    tags: list[str] = []
    classification: str
    upstream_url: str
    timeout_ms: int = 10_000
    sla_availability: float = 99.5
    sla_response_ms: int = 1000
    log_durability: str = Field("", description="sync, async, or empty: sync for personal data")
    store_bodies: bool = Field(
        False, description="gateways keep each call's bodies, encrypted, beside its log record"
    )


class VersionIn(Schema):
    version: str = Field(examples=["v1"])
    openapi: dict[str, Any] | None = None
    openapi_url: str | None = None
    rate_per_minute: int = Field(60, ge=1, le=100_000)
    quota_per_day: int = Field(10_000, ge=1, le=100_000_000)


class LifecycleIn(Schema):
    action: str = Field(examples=["publish"])
    retire_on: datetime.date | None = None


class RequestIn(Schema):
    consumer_organization: str = Field(examples=["DEMOBANK"])
    consumer_subsystem: str = Field(examples=["loans"])
    service: str = Field(examples=["MINJUST-REG-S-0001"])
    version: str = Field(examples=["v1"])
    endpoints: list[Endpoint]
    purpose: str = Field(min_length=10, max_length=5000)
    legal_basis: str = Field(min_length=3, max_length=500)
    expected_calls_per_day: int = Field(ge=1, le=100_000_000)
    ip_ranges: list[str] = []
    technical_contact: str = Field(max_length=254, examples=["api@bank.example"])


class CommentOut(Schema):
    author: str
    body: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_author(obj: Any) -> str:
        return str(obj.author.get_full_name() or obj.author.username)


class RequestOut(Schema):
    id: int
    consumer: str
    service: str
    version: str
    endpoints: list[Endpoint]
    purpose: str
    legal_basis: str
    expected_calls_per_day: int
    ip_ranges: list[str]
    technical_contact: str
    status: str
    due_on: datetime.date
    overdue: bool
    allowed_actions: list[str]
    decision_reason: str
    created_at: datetime.datetime
    comments: list[CommentOut]

    @staticmethod
    def resolve_consumer(obj: Any) -> str:
        return str(obj.consumer.xroad_address)

    @staticmethod
    def resolve_service(obj: Any) -> str:
        return str(obj.version.service.passport_id)

    @staticmethod
    def resolve_version(obj: Any) -> str:
        return str(obj.version.version)

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return bool(obj.is_overdue)

    @staticmethod
    def resolve_allowed_actions(obj: Any) -> list[str]:
        return list(obj.allowed_actions())

    @staticmethod
    def resolve_comments(obj: Any) -> list[Any]:
        return list(obj.comments.select_related("author"))


class DecisionIn(Schema):
    action: str = Field(examples=["approve"])
    reason: str = ""
    endpoints: list[Endpoint] | None = None
    rate_per_minute: int | None = Field(None, ge=1)
    quota_per_day: int | None = Field(None, ge=1)
    valid_until: datetime.datetime | None = None


class CommentIn(Schema):
    body: str = Field(min_length=1, max_length=5000)


class GrantOut(Schema):
    id: int
    consumer: str
    service: str
    version: str
    endpoints: list[Endpoint]
    valid_from: datetime.datetime
    valid_until: datetime.datetime
    rate_per_minute: int
    quota_per_day: int
    ip_ranges: list[str]
    status: str

    @staticmethod
    def resolve_consumer(obj: Any) -> str:
        return str(obj.consumer.xroad_address)

    @staticmethod
    def resolve_service(obj: Any) -> str:
        return str(obj.version.service.passport_id)

    @staticmethod
    def resolve_version(obj: Any) -> str:
        return str(obj.version.version)


class GrantActionIn(Schema):
    action: str = Field(examples=["suspend"])
    reason: str = ""


class ApiKeyOut(Schema):
    prefix: str
    name: str
    created_at: datetime.datetime
    expires_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    last_used_at: datetime.datetime | None


class IssuedKeyOut(ApiKeyOut):
    key: str = Field(description="Shown once; store it now.")


class ApiKeyIn(Schema):
    name: str = Field(min_length=1, max_length=100)


class RotateIn(Schema):
    overlap_hours: int = Field(24, ge=0, le=24 * 30)


class OAuthClientOut(Schema):
    client_id: str
    created_at: datetime.datetime
    revoked_at: datetime.datetime | None
    last_used_at: datetime.datetime | None


class IssuedClientOut(OAuthClientOut):
    client_secret: str = Field(description="Shown once; store it now.")


class CertificateIn(Schema):
    fingerprint: str = Field(pattern=r"^[0-9A-Fa-f:]{64,95}$")
    subject: str = ""


class CertificateOut(Schema):
    fingerprint: str
    subject: str
    created_at: datetime.datetime
    revoked_at: datetime.datetime | None
    last_used_at: datetime.datetime | None


class CredentialsOut(Schema):
    system: str
    api_keys: list[ApiKeyOut]
    oauth_clients: list[OAuthClientOut]
    certificates: list[CertificateOut]
