"""Smart Data fixtures: a warehouse in a temporary folder, organizations with one user per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from egov.analytics import store
from egov.core.api_auth import issue_token
from egov.core.models import Membership, Organization, User
from egov.core.tests.factories import OrganizationFactory, UserFactory


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Ibis 12 still calls an API that DuckDB 1.5 deprecates (see the engines' conftest)."""
    for item in items:
        item.add_marker(
            pytest.mark.filterwarnings(
                "ignore:fetch_arrow_table\\(\\) is deprecated:DeprecationWarning"
            )
        )
        item.add_marker(pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning"))


@pytest.fixture(autouse=True)
def _warehouse(tmp_path: Any, settings: Any) -> Iterator[None]:
    settings.EGOV_ANALYTICS_DIR = tmp_path / "analytics"
    store.reset_engine()
    yield
    store.reset_engine()


@dataclass
class World:
    owner: Organization
    other: Organization
    child: Organization
    users: dict[str, User]
    tokens: dict[str, str]

    def client(self, who: str) -> Client:
        if who == "anonymous":
            return Client(HTTP_ACCEPT_LANGUAGE="en")
        return Client(HTTP_AUTHORIZATION=f"Bearer {self.tokens[who]}", HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def world(db: Any) -> World:
    owner = OrganizationFactory(code="STAT")
    child = OrganizationFactory(code="STAT-ALA", parent=owner, kind="territorial")
    other = OrganizationFactory(code="MINFIN")
    roles = {
        "analyst": ("analyst", owner),
        "child_analyst": ("analyst", child),
        "other_analyst": ("analyst", other),
        "other_editor": ("editor", other),
        "operator": ("operator", None),
        "citizen": ("citizen", None),
    }
    users, tokens = {}, {}
    for name, (role, organization) in roles.items():
        user = UserFactory(username=name, email=f"{name}@example.org")
        Membership.objects.create(user=user, role=role, organization=organization)
        users[name] = user
        tokens[name] = issue_token(user, "tests")[1]
    return World(owner, other, child, users, tokens)
