"""Tell people about something: an in-app notification and an e-mail (SMTP; console in the demo)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.functional import lazy

from egov.core.models import Notification, Organization, User

log = logging.getLogger(__name__)


def _interpolate(message: Any, values: Mapping[str, Any]) -> str:
    return str(message) % {name: str(value) for name, value in values.items()}


# A message with its values, put together only when it is read: ``notify`` reads it in each
# recipient's language. Pass ``gettext_lazy`` texts and lazy values (choice labels), never
# ``gettext`` results, which are already in the language of whoever acted.
deferred = lazy(_interpolate, str)


def people_with_roles(organization: Organization, roles: Iterable[str]) -> list[User]:
    """Active users holding one of `roles` in the organization or above it."""
    reach = organization.lineage_ids(include_self=True)
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organization_id__in=reach,
            memberships__role__in=list(roles),
        ).distinct()
    )


def notify(users: Iterable[User], subject: Any, body: Any = "", url: str = "") -> int:
    """Notify each user in their preferred language; mail goes out after the transaction commits."""
    sent = 0
    for user in {u.pk: u for u in users}.values():
        language = user.preferred_language or settings.LANGUAGE_CODE
        with translation.override(language):
            text_subject, text_body = str(subject)[:300], str(body)
        Notification.objects.create(user=user, subject=text_subject, body=text_body, url=url)
        if user.email:
            transaction.on_commit(partial(_mail, user, text_subject, text_body, url))
        sent += 1
    return sent


def _mail(user: User, subject: str, body: str, url: str) -> None:
    link = f"\n\n{settings.SITE_URL}{url}" if url else ""
    try:
        send_mail(subject, body + link, None, [user.email])
    except OSError:
        # The in-app notification exists; a mail server outage must not undo a decision.
        log.warning("could not e-mail notification to user %s", user.pk)
