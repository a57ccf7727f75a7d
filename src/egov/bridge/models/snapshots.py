"""Policy snapshots: everything a gateway needs, versioned and signed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicySnapshot(models.Model):
    version = models.PositiveBigIntegerField(_("version"), unique=True)
    etag = models.CharField(_("ETag"), max_length=64)
    # The policy without its version and time: equal content means no new version is needed.
    content_hash = models.CharField(_("content hash"), max_length=64)
    body = models.TextField(_("document"))  # canonical JSON: exactly the signed bytes
    signature = models.CharField(_("signature"), max_length=128)
    kid = models.CharField(_("key id"), max_length=32)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("policy snapshot")
        verbose_name_plural = _("policy snapshots")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"snapshot {self.version}"


class GatewayNode(models.Model):
    """A gateway allowed to fetch snapshots (they contain upstream addresses and key hashes)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    last_version = models.PositiveBigIntegerField(_("last version fetched"), null=True, blank=True)

    class Meta:
        verbose_name = _("gateway node")
        verbose_name_plural = _("gateway nodes")

    def __str__(self) -> str:
        return self.name
