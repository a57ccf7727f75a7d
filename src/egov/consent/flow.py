"""The consent flow: a consumer asks, the citizen grants or refuses (re-confirmed with a one-time
code), the citizen may revoke, and consents end at their end time.

Every change is one transaction: the new state, its signed revision, the citizen's notification
and the consumer's webhook stand or fall together. Errors are `EgovError`s with stable codes.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.bridge.choices import Classification
from egov.bridge.models import Service
from egov.consent import otp, revisions, webhooks
from egov.consent.choices import CodePurpose, ConsentStatus
from egov.consent.models import Consent, ConsentRevision
from egov.core.exceptions import Conflict, InvalidInput
from egov.core.models import InformationSystem, User
from egov.core.notify import notify
from egov.core.validators import validate_person_identifier

MAX_DAYS = 3 * 365


@dataclass(frozen=True)
class ConsentRequest:
    consumer: InformationSystem
    subject_id: str
    services: Sequence[str]  # passport ids
    purpose: str
    legal_basis: str
    days: int
    valid_from: datetime.datetime | None = None
    webhook_url: str = ""


def _field_error(code: str, field: str, message: Any) -> InvalidInput:
    return InvalidInput(message, code=code, errors=[{"field": field, "message": str(message)}])


def _services(passports: Sequence[str]) -> list[Service]:
    wanted = {passport.strip().upper() for passport in passports if passport.strip()}
    if not wanted:
        raise _field_error("no_services", "services", _("Name at least one service."))
    found = list(
        Service.objects.filter(passport_id__in=wanted).select_related("provider__organization")
    )
    unknown = sorted(wanted - {service.passport_id for service in found})
    if unknown:
        raise _field_error(
            "unknown_service",
            "services",
            _("No such service: %(services)s.") % {"services": ", ".join(unknown)},
        )
    public = sorted(s.passport_id for s in found if s.classification != Classification.PERSONAL)
    if public:
        raise _field_error(
            "service_not_personal",
            "services",
            _("These services hold no personal data and need no consent: %(services)s.")
            % {"services": ", ".join(public)},
        )
    return found


def subject_user(subject_id: str) -> User | None:
    return User.objects.filter(personal_id=subject_id, is_active=True).first()


def request_consent(user: User, data: ConsentRequest) -> Consent:
    subject = data.subject_id.strip()
    try:
        validate_person_identifier(subject)
    except ValidationError as error:
        raise _field_error("invalid_subject", "subject_id", error.messages[0]) from error
    services = _services(data.services)
    if not 1 <= data.days <= MAX_DAYS:
        raise _field_error(
            "invalid_duration",
            "days",
            _("A consent lasts from 1 to %(days)s days.") % {"days": MAX_DAYS},
        )
    valid_from = data.valid_from or timezone.now()
    valid_until = valid_from + datetime.timedelta(days=data.days)
    with transaction.atomic():
        revisions.lock_registry()
        overlapping = (
            Consent.objects.open()
            .filter(
                consumer=data.consumer,
                subject_id=subject,
                services__in=services,
                valid_from__lt=valid_until,
                valid_until__gt=valid_from,
            )
            .first()
        )
        if overlapping is not None:
            raise Conflict(
                _("A consent for these services is already requested or in force."),
                code="overlapping_consent",
                consent=overlapping.public_id,
            )
        consent = Consent.objects.create(
            subject_id=subject,
            consumer=data.consumer,
            purpose=data.purpose.strip(),
            legal_basis=data.legal_basis.strip(),
            valid_from=valid_from,
            valid_until=valid_until,
            requested_by=user,
            webhook_url=data.webhook_url,
        )
        consent.services.set(services)
        _changed(consent, f"user:{user.get_username()}")
        citizen = subject_user(subject)
        if citizen is not None:
            notify(
                [citizen],
                gettext_lazy("A new request for consent to use your data"),
                _("%(organization)s asks for your consent: %(purpose)s")
                % {"organization": data.consumer.organization.name, "purpose": consent.purpose},
                reverse("consent:consent", args=[consent.public_id]),
            )
    return consent


def _changed(consent: Consent, actor: str, reason: str = "") -> ConsentRevision:
    revision = revisions.append(consent, actor, reason)
    webhooks.enqueue(consent, revision)
    return revision


def citizens_consent(user: User, public_id: str) -> Consent | None:
    """The consent with this id if `user` is its data subject; for anyone else it does not exist."""
    if not user.personal_id:
        return None
    return (
        Consent.objects.filter(public_id=public_id, subject_id=user.personal_id)
        .select_related("consumer__organization")
        .first()
    )


def _refuse_action(consent: Consent, action: str) -> Conflict:
    allowed = list(consent.citizen_actions())
    if consent.status != ConsentStatus.REQUESTED and action in ("grant", "refuse"):
        return Conflict(
            _("This request has already been decided."), code="already_decided", allowed=allowed
        )
    return Conflict(
        _("This cannot be done to the consent now."), code="action_not_allowed", allowed=allowed
    )


def send_decision_code(user: User, consent: Consent) -> str:
    """Send the one-time code that confirms a decision on `consent`; returns the channel name."""
    if consent.status != ConsentStatus.REQUESTED:
        raise _refuse_action(consent, "grant")
    return otp.issue(user, CodePurpose.DECISION, consent.public_id).channel


def decide(user: User, consent: Consent, action: str, code: str) -> Consent:
    """Grant or refuse a requested consent; the one-time code re-confirms who decides."""
    if action not in ("grant", "refuse"):
        raise _field_error("invalid_action", "action", _("Choose grant or refuse."))
    if action not in consent.citizen_actions():
        raise _refuse_action(consent, action)
    # Checked before the decision's transaction, so a wrong code's attempt is counted for good.
    if not otp.verify(user, CodePurpose.DECISION, consent.public_id, code):
        raise _field_error(
            "invalid_code", "code", _("This code is not valid or has expired; ask for a new one.")
        )
    with transaction.atomic():
        locked = Consent.objects.select_for_update().get(pk=consent.pk)
        if action not in locked.citizen_actions():  # decided meanwhile, in another request
            raise _refuse_action(locked, action)
        locked.status = ConsentStatus.GRANTED if action == "grant" else ConsentStatus.REFUSED
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at"])
        _changed(locked, f"subject:{user.get_username()}")
    return locked


def revoke(user: User, consent: Consent, reason: str = "") -> Consent:
    """Withdraw a granted consent; the gateways stop honouring it within a second."""
    with transaction.atomic():
        locked = Consent.objects.select_for_update().get(pk=consent.pk)
        if "revoke" not in locked.citizen_actions():
            raise _refuse_action(locked, "revoke")
        locked.status = ConsentStatus.REVOKED
        locked.ended_at = timezone.now()
        locked.save(update_fields=["status", "ended_at"])
        _changed(locked, f"subject:{user.get_username()}", reason.strip()[:500])
    return locked


def expire_due(now: datetime.datetime | None = None) -> int:
    """Record the end of consents past their end time (gateways already stopped honouring them)."""
    now = now or timezone.now()
    count = 0
    due = Consent.objects.filter(
        status__in=[ConsentStatus.GRANTED, ConsentStatus.REQUESTED], valid_until__lte=now
    )
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            locked = Consent.objects.select_for_update().get(pk=pk)
            if locked.status not in (ConsentStatus.GRANTED, ConsentStatus.REQUESTED):
                continue  # decided meanwhile
            # A request nobody answered before its end time lapses as well.
            locked.status = ConsentStatus.EXPIRED
            locked.ended_at = locked.valid_until
            locked.save(update_fields=["status", "ended_at"])
            _changed(locked, "system")
            count += 1
    return count
