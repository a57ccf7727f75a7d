"""Consents and their signed, hash-chained revisions.

A `Consent` row is the current state, kept for fast look-ups (the gateway's check, the cabinet);
the evidence is its `ConsentRevision` chain: every change appends a revision holding the full
terms as they stood, the hash of the previous revision and an Ed25519 signature. Revisions are
never edited or deleted (`egov.consent.revisions` writes them; the database refuses changes).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.consent.choices import CITIZEN_ACTIONS, ConsentStatus
from egov.core.models import InformationSystem
from egov.core.validators import validate_person_identifier

_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


def new_public_id() -> str:
    return "CNS-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))


class ConsentQuerySet(models.QuerySet["Consent"]):
    def effective(self, at: Any = None) -> ConsentQuerySet:
        """Granted and within their validity at `at` (default: now)."""
        at = at or timezone.now()
        return self.filter(status=ConsentStatus.GRANTED, valid_from__lte=at, valid_until__gt=at)

    def open(self, at: Any = None) -> ConsentQuerySet:
        """Awaiting a decision, or granted and not yet ended: what a new request may not overlap."""
        at = at or timezone.now()
        return self.filter(
            status__in=[ConsentStatus.REQUESTED, ConsentStatus.GRANTED], valid_until__gt=at
        )


class Consent(models.Model):
    public_id = models.CharField(
        _("consent id"), max_length=20, unique=True, default=new_public_id, editable=False
    )
    subject_id = models.CharField(
        _("data subject"), max_length=32, validators=[validate_person_identifier]
    )
    consumer = models.ForeignKey(
        InformationSystem,
        verbose_name=_("consumer system"),
        on_delete=models.PROTECT,
        related_name="consents",
    )
    services = models.ManyToManyField(
        "bridge.Service", verbose_name=_("services"), related_name="consents"
    )
    purpose = models.TextField(_("purpose"), max_length=2000)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=16, choices=ConsentStatus.choices, default=ConsentStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    webhook_url = models.URLField(_("webhook URL"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-created_at"]
        indexes = [
            # The gateway's check and the overlap test: one consumer, one subject.
            models.Index(fields=["consumer", "subject_id", "status"], name="consent_lookup"),
            # The cabinet: one subject's consents.
            models.Index(fields=["subject_id", "-created_at"], name="consent_subject"),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def organization(self) -> Any:
        return self.consumer.organization

    @property
    def ended(self) -> bool:
        return self.valid_until <= timezone.now()

    def citizen_actions(self) -> tuple[str, ...]:
        return () if self.ended else CITIZEN_ACTIONS.get(self.status, ())

    def effective_status(self) -> str:
        """The status as it stands now: past its end time, an open consent has expired."""
        if self.ended and self.status in (ConsentStatus.GRANTED, ConsentStatus.REQUESTED):
            return ConsentStatus.EXPIRED
        return self.status


class RevisionQuerySet(models.QuerySet["ConsentRevision"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("consent revisions are never edited")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("consent revisions are never deleted")


class ConsentRevision(models.Model):
    """One signed state of a consent: `hash` is SHA-256 of the previous hash, "\\n", the content."""

    consent = models.ForeignKey(
        Consent, verbose_name=_("consent"), on_delete=models.PROTECT, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("revision"))
    status = models.CharField(_("status"), max_length=16, choices=ConsentStatus.choices)
    content = models.JSONField(_("signed content"))
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    kid = models.CharField(_("key id"), max_length=32)
    signature = models.CharField(_("signature"), max_length=128)
    created_at = models.DateTimeField(_("created"))

    objects = RevisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent revision")
        verbose_name_plural = _("consent revisions")
        ordering = ["consent_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["consent", "number"], name="consent_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.consent_id}#{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("consent revisions are never edited")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("consent revisions are never deleted")
