"""Access requests: a consumer system asks for endpoints of a service version."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.bridge.choices import RequestStatus
from egov.bridge.models.catalog import ServiceVersion
from egov.core.models import InformationSystem

S = RequestStatus

# What may happen next, by status. Anything else answers 409 with these.
TRANSITIONS: dict[str, dict[str, str]] = {
    S.SUBMITTED: {
        "approve": S.APPROVED,
        "reject": S.REJECTED,
        "request_changes": S.CHANGES_REQUESTED,
        "withdraw": S.WITHDRAWN,
    },
    S.CHANGES_REQUESTED: {"resubmit": S.SUBMITTED, "withdraw": S.WITHDRAWN},
    S.APPROVED: {},
    S.REJECTED: {},
    S.WITHDRAWN: {},
}
PROVIDER_ACTIONS = frozenset({"approve", "reject", "request_changes"})
CONSUMER_ACTIONS = frozenset({"resubmit", "withdraw"})


class AccessRequest(models.Model):
    consumer = models.ForeignKey(
        InformationSystem,
        verbose_name=_("consumer system"),
        on_delete=models.PROTECT,
        related_name="access_requests",
    )
    version = models.ForeignKey(
        ServiceVersion,
        verbose_name=_("service version"),
        on_delete=models.PROTECT,
        related_name="access_requests",
    )
    endpoints = models.JSONField(_("endpoints"), help_text=_("Method and path template pairs."))
    purpose = models.TextField(_("purpose"))
    legal_basis = models.CharField(_("legal basis"), max_length=500)
    expected_calls_per_day = models.PositiveIntegerField(_("expected calls per day"))
    ip_ranges = models.JSONField(_("source IP ranges"), default=list)
    technical_contact = models.EmailField(_("technical contact"))
    status = models.CharField(
        _("status"), max_length=24, choices=RequestStatus.choices, default=S.SUBMITTED
    )
    due_on = models.DateField(_("decision due"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.consumer.xroad_address} → {self.version}"

    @property
    def provider_organization(self) -> Any:
        return self.version.service.provider.organization

    @property
    def consumer_organization(self) -> Any:
        return self.consumer.organization

    def allowed_actions(self) -> list[str]:
        return sorted(TRANSITIONS.get(self.status, {}))

    @property
    def is_overdue(self) -> bool:
        return self.status == S.SUBMITTED and self.due_on < timezone.localdate()


class RequestComment(models.Model):
    request = models.ForeignKey(
        AccessRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.author} on #{self.request_id}"
