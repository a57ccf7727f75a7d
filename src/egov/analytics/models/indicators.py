"""The indicator registry: definitions (read-only SQL or an Ibis expression), targets, status."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.analytics.choices import (
    Aggregation,
    DefinitionKind,
    Frequency,
    TargetSeries,
    TargetStatus,
    Visibility,
)
from egov.core.models import Organization
from egov.core.models.organizations import require_default_language
from egov.core.models.translated import TranslatedField


class Indicator(models.Model):
    code = models.SlugField(_("code"), max_length=63, unique=True)
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="indicators", verbose_name=_("owner")
    )
    name = TranslatedField(models.CharField, _("name"), max_length=300)
    description = TranslatedField(models.TextField, _("description"))
    methodology = TranslatedField(models.TextField, _("methodology"))
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    frequency = models.CharField(
        _("frequency"),
        max_length=16,
        choices=[c for c in Frequency.choices if c[0] != "irregular"],
        default="monthly",
    )
    kind = models.CharField(
        _("definition"), max_length=16, choices=DefinitionKind.choices, default="sql"
    )
    sql = models.TextField(_("SQL"), blank=True)
    # An Ibis expression declared as data: {"dataset": …, "filters": [[column, op, value], …]}.
    expression = models.JSONField(_("expression"), default=dict, blank=True)
    value_column = models.CharField(_("value column"), max_length=63, default="value")
    dimensions = models.JSONField(
        _("dimensions"),
        default=dict,
        blank=True,
        help_text=_('Dimension → column, e.g. {"period": "month", "region": "region"}.'),
    )
    aggregation = models.CharField(
        _("aggregation"), max_length=10, choices=Aggregation.choices, default="sum"
    )
    denominator = models.CharField(_("denominator column"), max_length=63, blank=True)
    factor = models.FloatField(_("factor"), default=1.0)
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default="restricted"
    )
    datasets = models.ManyToManyField(
        "analytics.Dataset", blank=True, related_name="indicators", verbose_name=_("reads")
    )
    target_series = models.CharField(
        _("assess targets on"),
        max_length=16,
        choices=TargetSeries.choices,
        default="periods",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TargetStatus.choices, default="no_data"
    )
    status_detail = models.JSONField(default=dict, blank=True)
    status_changed_at = models.DateTimeField(_("status since"), null=True, blank=True)
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        require_default_language(self, "name")
        from egov.analytics import definitions

        definitions.check(self)


class Target(models.Model):
    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="targets")
    date = models.DateField(_("target date"))
    value = models.FloatField(_("target value"))
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    baseline_value = models.FloatField(_("baseline value"), null=True, blank=True)
    label = TranslatedField(models.CharField, _("label"), max_length=300)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator", "date"]

    def __str__(self) -> str:
        return f"{self.indicator.code} → {self.value:g} by {self.date}"
