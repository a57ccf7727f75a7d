"""Smart Bridge fixtures: a provider and a consumer organization with one user per role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from egov.bridge.models import ServiceVersion
from egov.bridge.tests.factories import ServiceFactory, published_version
from egov.core.api_auth import issue_token
from egov.core.models import InformationSystem, Membership, Organization, User
from egov.core.tests.factories import InformationSystemFactory, OrganizationFactory, UserFactory


@dataclass
class World:
    provider_org: Organization
    consumer_org: Organization
    provider_system: InformationSystem
    consumer_system: InformationSystem
    version: ServiceVersion
    users: dict[str, User]
    tokens: dict[str, str]

    def client(self, who: str) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {self.tokens[who]}")


@pytest.fixture
def world(db: Any) -> World:
    provider_org = OrganizationFactory(code="PROV")
    consumer_org = OrganizationFactory(code="CONS", kind="business", member_class="COM")
    outsider_org = OrganizationFactory(code="OUT")
    provider_system = InformationSystemFactory(organization=provider_org, subsystem_code="registry")
    consumer_system = InformationSystemFactory(organization=consumer_org, subsystem_code="crm")
    service = ServiceFactory(provider=provider_system, code="entity")
    version = published_version(service)
    roles = {
        "owner": ("service_owner", provider_org),
        "approver": ("approver", provider_org),
        "integrator": ("integrator", consumer_org),
        "outsider": ("approver", outsider_org),
        "outsider_integrator": ("integrator", outsider_org),
        "operator": ("operator", None),
        "citizen": ("citizen", None),
    }
    users, tokens = {}, {}
    for name, (role, organization) in roles.items():
        user = UserFactory(username=name, email=f"{name}@example.org")
        Membership.objects.create(user=user, role=role, organization=organization)
        users[name] = user
        tokens[name] = issue_token(user, "tests")[1]
    return World(
        provider_org, consumer_org, provider_system, consumer_system, version, users, tokens
    )
