"""What the cabinet keeps per citizen: one-time codes, notification choices, auditors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.consent.choices import CodePurpose


class OneTimeCode(models.Model):
    """A short-lived code sent through a channel; only its keyed hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="one_time_codes",
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=CodePurpose.choices)
    # What the code confirms, e.g. a consent id and the action; a code for one thing
    # cannot confirm another.
    target = models.CharField(_("confirms"), max_length=64, blank=True)
    code_hash = models.CharField(_("code hash"), max_length=64)
    channel = models.CharField(_("channel"), max_length=16)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "purpose", "target"], name="consent_code_lookup")]

    def __str__(self) -> str:
        return f"{self.purpose} code for user {self.user_id}"


class CitizenSettings(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="consent_settings",
    )
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    notify_new_accesses = models.BooleanField(_("tell me about new accesses"), default=False)
    # Accesses that started up to this moment have been notified.
    notified_until = models.DateTimeField(_("notified until"), null=True, blank=True)

    class Meta:
        verbose_name = _("citizen settings")
        verbose_name_plural = _("citizen settings")

    def __str__(self) -> str:
        return f"settings of user {self.user_id}"


class Auditor(models.Model):
    """A person of the data protection authority who may verify chains and read the report."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="consent_auditor",
    )
    authority = models.CharField(_("authority"), max_length=300)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("appointed"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent auditor")
        verbose_name_plural = _("consent auditors")

    def __str__(self) -> str:
        return f"auditor {self.user_id} ({self.authority})"
