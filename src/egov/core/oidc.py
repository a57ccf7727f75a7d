"""Log-in through a national identity provider: people are matched by their personal identifier.

A person who logs in for the first time gets an account (no password) and the citizen role; staff
roles are granted in the back-office as for anyone else.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from egov.core.choices import Role
from egov.core.models import Membership, User
from egov.core.validators import validate_person_identifier


class NationalIdBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    def personal_id(self, claims: dict[str, Any]) -> str:
        claim = getattr(settings, "OIDC_PERSONAL_ID_CLAIM", "personal_id")
        return str(claims.get(claim, "")).strip()

    def describe_user_by_claims(self, claims: dict[str, Any]) -> str:
        return "a person identified by the identity provider"  # never the identifier itself

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        try:
            validate_person_identifier(self.personal_id(claims))
        except ValidationError:
            return False
        return True

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        return User.objects.filter(personal_id=self.personal_id(claims), is_active=True)

    @transaction.atomic
    def create_user(self, claims: dict[str, Any]) -> User:
        personal_id = self.personal_id(claims)
        user = User(
            username=f"id{personal_id}",
            personal_id=personal_id,
            first_name=str(claims.get("given_name", ""))[:150],
            last_name=str(claims.get("family_name", ""))[:150],
        )
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, role=Role.CITIZEN)
        return user

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        names = {
            "first_name": str(claims.get("given_name", user.first_name))[:150],
            "last_name": str(claims.get("family_name", user.last_name))[:150],
        }
        if any(getattr(user, key) != value for key, value in names.items()):
            for key, value in names.items():
                setattr(user, key, value)
            user.save(update_fields=list(names))
        return user
