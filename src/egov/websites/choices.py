"""Closed vocabularies of the government websites."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NewsKind(models.TextChoices):
    NEWS = "news", _("News")
    PRESS_RELEASE = "press_release", _("Press release")


class DocumentType(models.TextChoices):
    LAW = "law", _("Law")
    DECREE = "decree", _("Decree")
    RESOLUTION = "resolution", _("Resolution")
    ORDER = "order", _("Order")
    REGULATION = "regulation", _("Regulation")
    REPORT = "report", _("Report")
    FORM = "form", _("Form or template")
    OTHER = "other", _("Other document")


# Legal acts must carry their requisites: number, date and signatory.
LEGAL_ACTS = frozenset(
    {
        DocumentType.LAW,
        DocumentType.DECREE,
        DocumentType.RESOLUTION,
        DocumentType.ORDER,
        DocumentType.REGULATION,
    }
)


class DocumentStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    LAPSED = "lapsed", _("Lapsed")
    DRAFT = "draft", _("Draft for discussion")


class AppealStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed without answer")


class TranslationState(models.TextChoices):
    SOURCE = "source", _("Original")
    MISSING = "missing", _("Missing")
    DRAFT = "draft", _("Not published")
    OUTDATED = "outdated", _("Outdated")
    CURRENT = "current", _("Up to date")


class Rating(models.TextChoices):
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")
