"""Closed vocabularies of the consent registry."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting your decision")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


# What a citizen may do with a consent in a given status.
CITIZEN_ACTIONS: dict[str, tuple[str, ...]] = {
    ConsentStatus.REQUESTED: ("grant", "refuse"),
    ConsentStatus.GRANTED: ("revoke",),
}


class CodePurpose(models.TextChoices):
    CABINET = "cabinet", _("Opening the cabinet")
    DECISION = "decision", _("Deciding on a consent")


class WebhookState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
