"""Which consents a user may see: their own as data subject, their organizations' as consumer,
all of them as auditor or operator."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from egov.consent.models import Consent
from egov.consent.permissions import ConsentAction, can_audit
from egov.core.permissions import organizations_for


def visible_consents(user: Any) -> QuerySet[Consent]:
    consents = Consent.objects.select_related("consumer__organization").prefetch_related(
        "services__provider__organization"
    )
    if can_audit(user):
        return consents
    reach = Q(pk__in=[])
    if getattr(user, "is_authenticated", False):
        organizations = organizations_for(user, ConsentAction.VIEW_CONSUMER)
        if organizations:
            reach |= Q(consumer__organization_id__in=organizations)
        if user.personal_id:
            reach |= Q(subject_id=user.personal_id)
    return consents.filter(reach)
