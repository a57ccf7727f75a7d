"""The permission matrix: each role, each action, in own, subordinate and unrelated bodies."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from egov.core.choices import Role
from egov.core.models import AuditRecord, Membership
from egov.core.permissions import Action, has_permission, organizations_for, require
from egov.core.tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

A = Action
VIEW_ONLY = {A.VIEW_ORGANIZATION, A.VIEW_SYSTEM}
# What each role may do inside the organization where it is held (and beneath it), written out
# by hand so that a change to the rules has to change this table too.
EXPECTED: dict[str, set[Action]] = {
    Role.ORG_ADMIN: {
        A.VIEW_ORGANIZATION,
        A.ADD_ORGANIZATION,
        A.CHANGE_ORGANIZATION,
        A.VIEW_SYSTEM,
        A.ADD_SYSTEM,
        A.CHANGE_SYSTEM,
        A.DELETE_SYSTEM,
        A.VIEW_MEMBERSHIP,
        A.MANAGE_MEMBERSHIP,
    },
    Role.SERVICE_OWNER: {A.VIEW_ORGANIZATION, A.VIEW_SYSTEM, A.ADD_SYSTEM, A.CHANGE_SYSTEM},
    Role.APPROVER: VIEW_ONLY,
    Role.INTEGRATOR: VIEW_ONLY,
    Role.EDITOR: VIEW_ONLY,
    Role.MODERATOR: VIEW_ONLY,
    Role.TRANSLATOR: VIEW_ONLY,
    Role.ANALYST: VIEW_ONLY,
    Role.CITIZEN: set(),
    Role.OPERATOR: set(Action),
}


@pytest.fixture
def tree():  # type: ignore[no-untyped-def]
    ministry = OrganizationFactory(code="MIN")
    committee = OrganizationFactory(code="MIN-COM", parent=ministry, kind="committee")
    other = OrganizationFactory(code="OTHER")
    return ministry, committee, other


@pytest.mark.parametrize("role", list(Role))
def test_matrix(role: str, tree) -> None:  # type: ignore[no-untyped-def]
    ministry, committee, other = tree
    user = UserFactory()
    platform_wide = role in (Role.OPERATOR, Role.CITIZEN)
    Membership.objects.create(
        user=user, role=role, organization=None if platform_wide else ministry
    )
    wrong = []
    for action in Action:
        allowed_inside = action in EXPECTED[role]
        for organization, expected in (
            (ministry, allowed_inside),
            (committee, allowed_inside),
            (other, role == Role.OPERATOR),
        ):
            if has_permission(user, action, organization) != expected:
                wrong.append((action.value, organization.code, expected))
    assert wrong == []


def test_anonymous_and_inactive_users_may_do_nothing(tree) -> None:  # type: ignore[no-untyped-def]
    ministry, _committee, _other = tree
    inactive = UserFactory(is_active=False)
    Membership.objects.create(user=inactive, role=Role.OPERATOR)
    for user in (AnonymousUser(), inactive):
        assert not any(has_permission(user, action, ministry) for action in Action)
        assert not any(has_permission(user, action) for action in Action)


def test_a_role_below_does_not_reach_up(tree) -> None:  # type: ignore[no-untyped-def]
    ministry, committee, _other = tree
    user = UserFactory()
    Membership.objects.create(user=user, role=Role.ORG_ADMIN, organization=committee)
    assert has_permission(user, A.CHANGE_ORGANIZATION, committee)
    assert not has_permission(user, A.CHANGE_ORGANIZATION, ministry)


def test_organizations_for_lists_the_reach(tree) -> None:  # type: ignore[no-untyped-def]
    ministry, committee, _other = tree
    user = UserFactory()
    Membership.objects.create(user=user, role=Role.ORG_ADMIN, organization=ministry)
    assert organizations_for(user, A.CHANGE_ORGANIZATION) == sorted([ministry.pk, committee.pk])
    assert organizations_for(user, A.DELETE_ORGANIZATION) == []
    operator = UserFactory()
    Membership.objects.create(user=operator, role=Role.OPERATOR)
    assert organizations_for(operator, A.DELETE_ORGANIZATION) is None


def test_refusals_are_audited(tree) -> None:  # type: ignore[no-untyped-def]
    ministry, _committee, _other = tree
    user = UserFactory()
    with pytest.raises(PermissionDenied):
        require(user, A.CHANGE_ORGANIZATION, ministry)
    entry = AuditRecord.objects.order_by("-seq").first()
    assert entry.action == "permission_denied"
    assert entry.detail == {"action": "core.change_organization", "user": user.pk}
    assert entry.object_id == str(ministry.pk)
