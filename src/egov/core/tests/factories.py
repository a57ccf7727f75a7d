"""Factories for the core registry; identifiers are valid for the country the tests run with."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from egov.core.demo import with_check_digit
from egov.core.models import InformationSystem, Membership, Organization, User


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"ORG{n:04d}")
    kind = "ministry"
    member_class = "GOV"
    # Steps of 10 leave room for with_check_digit to move past serials that have no check digit.
    identifier = factory.Sequence(lambda n: with_check_digit(f"1501400{n * 10 % 10000:04d}"))
    name_kk = factory.Sequence(lambda n: f"Ұйым {n}")
    name_ru = factory.Sequence(lambda n: f"Организация {n}")
    name_en = factory.Sequence(lambda n: f"Organization {n}")


class InformationSystemFactory(DjangoModelFactory):
    class Meta:
        model = InformationSystem

    organization = factory.SubFactory(OrganizationFactory)
    subsystem_code = factory.Sequence(lambda n: f"system-{n}")
    name_kk = factory.Sequence(lambda n: f"Жүйе {n}")
    name_en = factory.Sequence(lambda n: f"System {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("a-long-test-password")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "org_admin"
