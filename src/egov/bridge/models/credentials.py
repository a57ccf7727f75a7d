"""Credentials of consumer systems. Secrets are shown once and stored only as hashes."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.core.models import InformationSystem


class CredentialQuerySet(models.QuerySet["ApiKey"]):
    def usable(self, at: Any = None) -> CredentialQuerySet:
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=at)
        )


class ApiKey(models.Model):
    system = models.ForeignKey(
        InformationSystem,
        verbose_name=_("system"),
        on_delete=models.CASCADE,
        related_name="api_keys",
    )
    name = models.CharField(_("name"), max_length=100)
    # The visible start of the key (egk_ab12cd34) identifies it in lists and logs.
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(_("hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = CredentialQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def organization(self) -> Any:
        return self.system.organization


class OAuthClient(models.Model):
    system = models.ForeignKey(
        InformationSystem,
        verbose_name=_("system"),
        on_delete=models.CASCADE,
        related_name="oauth_clients",
    )
    client_id = models.CharField(_("client id"), max_length=64, unique=True)
    secret_hash = models.CharField(_("secret hash"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("OAuth client")
        verbose_name_plural = _("OAuth clients")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.client_id

    @property
    def organization(self) -> Any:
        return self.system.organization


class ClientCertificate(models.Model):
    system = models.ForeignKey(
        InformationSystem,
        verbose_name=_("system"),
        on_delete=models.CASCADE,
        related_name="certificates",
    )
    fingerprint = models.CharField(
        _("SHA-256 fingerprint"),
        max_length=64,
        unique=True,
        help_text=_("64 hexadecimal digits of the certificate's SHA-256 fingerprint."),
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    not_after = models.DateTimeField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("client certificate")
        verbose_name_plural = _("client certificates")

    def __str__(self) -> str:
        return f"{self.fingerprint[:16]}… {self.subject}"

    @property
    def organization(self) -> Any:
        return self.system.organization


class SigningKey(models.Model):
    """Ed25519 keys: one signs policy snapshots, one signs access tokens; rotated, never deleted."""

    class Purpose(models.TextChoices):
        SNAPSHOT = "snapshot", _("Policy snapshots")
        TOKEN = "token", _("Access tokens")
        CONSENT = "consent", _("Consent revisions and webhooks")

    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    kid = models.CharField(_("key id"), max_length=32, unique=True)
    public_key = models.CharField(_("public key"), max_length=64)
    private_key_encrypted = models.TextField(_("private key (encrypted)"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.purpose}:{self.kid}"
