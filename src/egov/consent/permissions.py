"""Who may do what with consents.

Consumers act through the permissions engine (roles within the consumer organization). Citizens
act on their own consents only: the subject of a consent is the user whose personal identifier it
names, and nobody else reaches it through the cabinet (anything else is a 404). Auditors are
appointed people of the data protection authority (`Auditor`), plus the platform operator.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from egov.core.choices import Role
from egov.core.permissions import is_operator, memberships_of, register_rules


class ConsentAction(StrEnum):
    REQUEST = "consent.request"  # consumer: ask a data subject for consent
    VIEW_CONSUMER = "consent.view_consumer"  # consumer: read the consents it asked for


register_rules(
    {
        ConsentAction.REQUEST: frozenset({Role.ORG_ADMIN, Role.INTEGRATOR}),
        ConsentAction.VIEW_CONSUMER: frozenset({Role.ORG_ADMIN, Role.INTEGRATOR}),
    }
)


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_citizen(user: Any) -> bool:
    """A person with an identifier and the citizen role: they have a cabinet."""
    return (
        _active(user)
        and bool(getattr(user, "personal_id", None))
        and (None, Role.CITIZEN) in memberships_of(user)
    )


def can_audit(user: Any) -> bool:
    if not _active(user):
        return False
    if is_operator(user):
        return True
    from egov.consent.models import Auditor

    return Auditor.objects.filter(user=user, active=True).exists()


CABINET_SESSION_KEY = "egov_consent_cabinet"


def cabinet_open(request: Any) -> bool:
    """The citizen proved a one-time code in this session (personal API tokens count as proof)."""
    user = getattr(request, "user", None)
    if user is None or not is_citizen(user):
        return False
    if request.headers.get("Authorization", "").startswith("Bearer egt_"):
        return True
    return bool(request.session.get(CABINET_SESSION_KEY) == user.pk)
