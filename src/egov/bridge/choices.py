"""Closed vocabularies of Smart Bridge."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Classification(models.TextChoices):
    PUBLIC = "public", _("Public")
    RESTRICTED = "restricted", _("Restricted")
    PERSONAL = "personal", _("Personal data")


class Category(models.TextChoices):
    REGISTRIES = "registries", _("State registries")
    CIVIL = "civil", _("Civil status")
    PROPERTY = "property", _("Property and addresses")
    TRANSPORT = "transport", _("Transport")
    FINANCE = "finance", _("Finance and taxes")
    SOCIAL = "social", _("Social protection")
    OTHER = "other", _("Other")


class Lifecycle(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    DEPRECATED = "deprecated", _("Deprecated")
    RETIRED = "retired", _("Retired")


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting decision")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class GrantStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


class LogDurability(models.TextChoices):
    """When a call's message-log record is committed (docs/gateway.md, "Message log")."""

    BY_CLASSIFICATION = "", _("By classification (personal data: before the response)")
    SYNC = "sync", _("Before the response is released (sync)")
    ASYNC = "async", _("In batches right after the response (async)")
