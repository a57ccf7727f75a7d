"""What the websites keep beside pages: citizens' appeals, change requests, agency workspaces."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.websites.choices import AppealStatus


class Appeal(models.Model):
    """A citizen's question to a state body, its answer, and whether the answer is public."""

    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    number = models.CharField(_("number"), max_length=48, unique=True, editable=False)
    language = models.CharField(_("language"), max_length=8)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    subject = models.CharField(_("subject"), max_length=300)
    question = models.TextField(_("question"))
    may_publish = models.BooleanField(
        _("the question and answer may be published without the name"), default=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AppealStatus.choices, default=AppealStatus.RECEIVED
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published = models.BooleanField(_("answer published on the website"), default=False)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.number} — {self.subject}"


class ChangeRequest(models.Model):
    """Information that must reach a section: the clock of "updated within N working days"."""

    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="website_change_requests",
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("section"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    summary = models.CharField(_("what has to change"), max_length=500)
    received_on = models.DateField(_("received on"), default=datetime.date.today)
    due_on = models.DateField(_("due on"), editable=False)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["resolved_at", "due_on"]

    def __str__(self) -> str:
        return self.summary

    def save(self, *args: object, **kwargs: object) -> None:
        calendar = settings.COUNTRY.calendar()
        self.due_on = calendar.add_working_days(
            self.received_on, settings.EGOV_WEBSITES_UPDATE_WORKING_DAYS
        )
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def overdue(self) -> bool:
        return self.resolved_at is None and self.due_on < timezone.localdate()


class AgencyWorkspace(models.Model):
    """The Wagtail groups, collection and workflow that fence one body's editors in."""

    organization = models.OneToOneField(
        "core.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="website_workspace",
    )
    editors = models.OneToOneField(
        "auth.Group", verbose_name=_("editors"), on_delete=models.PROTECT, related_name="+"
    )
    moderators = models.OneToOneField(
        "auth.Group", verbose_name=_("moderators"), on_delete=models.PROTECT, related_name="+"
    )
    collection = models.OneToOneField(
        "wagtailcore.Collection",
        verbose_name=_("collection"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    workflow = models.OneToOneField(
        "wagtailcore.Workflow",
        verbose_name=_("workflow"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("agency workspace")
        verbose_name_plural = _("agency workspaces")

    def __str__(self) -> str:
        return str(self.organization.code)
