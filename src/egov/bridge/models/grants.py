"""Grants: what an approval allows, until when, how often and from where."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.bridge.choices import GrantStatus
from egov.bridge.models.catalog import ServiceVersion
from egov.bridge.models.requests import AccessRequest
from egov.core.models import InformationSystem


class Grant(models.Model):
    request = models.OneToOneField(
        AccessRequest,
        verbose_name=_("request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grant",
    )
    consumer = models.ForeignKey(
        InformationSystem,
        verbose_name=_("consumer system"),
        on_delete=models.PROTECT,
        related_name="grants",
    )
    version = models.ForeignKey(
        ServiceVersion,
        verbose_name=_("service version"),
        on_delete=models.PROTECT,
        related_name="grants",
    )
    endpoints = models.JSONField(_("endpoints"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    rate_per_minute = models.PositiveIntegerField(_("calls per minute"))
    quota_per_day = models.PositiveIntegerField(_("calls per day"))
    ip_ranges = models.JSONField(_("source IP ranges"), default=list)
    status = models.CharField(
        _("status"), max_length=16, choices=GrantStatus.choices, default=GrantStatus.ACTIVE
    )
    expiry_notice_sent_at = models.DateTimeField(_("expiry notice sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.consumer.xroad_address} → {self.version}"

    @property
    def provider_organization(self) -> Any:
        return self.version.service.provider.organization

    @property
    def consumer_organization(self) -> Any:
        return self.consumer.organization

    def is_in_force(self, at: Any = None) -> bool:
        at = at or timezone.now()
        return self.status == GrantStatus.ACTIVE and self.valid_from <= at < self.valid_until
