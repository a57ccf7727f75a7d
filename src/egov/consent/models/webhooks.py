"""Webhook deliveries to consumers: one per consent revision, retried until delivered."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.consent.choices import WebhookState
from egov.consent.models.consents import Consent, ConsentRevision


class WebhookDelivery(models.Model):
    consent = models.ForeignKey(
        Consent, verbose_name=_("consent"), on_delete=models.CASCADE, related_name="webhooks"
    )
    revision = models.ForeignKey(
        ConsentRevision, verbose_name=_("revision"), on_delete=models.PROTECT, related_name="+"
    )
    url = models.URLField(_("URL"), max_length=500)
    state = models.CharField(
        _("state"), max_length=16, choices=WebhookState.choices, default=WebhookState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="consent_webhook_due")]

    def __str__(self) -> str:
        return f"webhook {self.pk} for {self.consent_id}: {self.state}"
