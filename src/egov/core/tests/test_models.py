"""Registry models: translated fields, identifiers, hierarchy and membership rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from egov.core.models import Membership
from egov.core.tests.factories import (
    InformationSystemFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_translated_names_fall_back_to_the_default_language() -> None:
    organization = OrganizationFactory(name_kk="Әділет", name_ru="Юстиция", name_en="")
    with translation.override("ru"):
        assert organization.name == "Юстиция"
    with translation.override("en"):
        assert organization.name == "Әділет"  # the Kazakhstan profile's default is kk


def test_the_default_language_name_is_required() -> None:
    organization = OrganizationFactory.build(name_kk="")
    with pytest.raises(ValidationError) as error:
        organization.full_clean()
    assert "name_kk" in error.value.message_dict


def test_an_invalid_bin_is_rejected_with_the_reason() -> None:
    organization = OrganizationFactory.build(identifier="123")
    with pytest.raises(ValidationError) as error:
        organization.full_clean()
    assert error.value.error_dict["identifier"][0].code == "length"


def test_member_code_defaults_to_the_identifier_and_addresses_compose() -> None:
    system = InformationSystemFactory(subsystem_code="registry")
    organization = system.organization
    assert organization.member_code == organization.identifier
    assert system.xroad_address == f"KZ/GOV/{organization.identifier}/registry"


def test_an_organization_cannot_sit_under_its_own_descendant() -> None:
    ministry = OrganizationFactory()
    committee = OrganizationFactory(parent=ministry)
    ministry.parent = committee
    with pytest.raises(ValidationError) as error:
        ministry.full_clean()
    assert "parent" in error.value.message_dict


def test_platform_roles_have_no_organization_and_others_need_one() -> None:
    user = UserFactory()
    organization = OrganizationFactory()
    with pytest.raises(ValidationError):
        Membership(user=user, role="operator", organization=organization).full_clean()
    with pytest.raises(ValidationError):
        Membership(user=user, role="editor", organization=None).full_clean()
    Membership(user=user, role="editor", organization=organization).full_clean()


def test_personal_identifier_is_checked() -> None:
    user = UserFactory.build(personal_id="900101300000")
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert "personal_id" in error.value.message_dict
