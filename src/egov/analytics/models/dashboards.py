"""Dashboards: pages of tiles over indicators, with filters that apply across the tiles."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.analytics.choices import TileDimension, TileKind, Visibility
from egov.core.models import Organization
from egov.core.models.organizations import require_default_language
from egov.core.models.translated import TranslatedField


class Dashboard(models.Model):
    slug = models.SlugField(_("address"), max_length=63, unique=True)
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="dashboards", verbose_name=_("owner")
    )
    title = TranslatedField(models.CharField, _("title"), max_length=300)
    description = TranslatedField(models.TextField, _("description"))
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default="restricted"
    )
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("dashboard")
        verbose_name_plural = _("dashboards")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    def clean(self) -> None:
        require_default_language(self, "title")


class Tile(models.Model):
    dashboard = models.ForeignKey(Dashboard, models.CASCADE, related_name="tiles")
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=TileKind.choices)
    title = TranslatedField(models.CharField, _("title"), max_length=300)
    indicator = models.ForeignKey(
        "analytics.Indicator", models.PROTECT, related_name="tiles", verbose_name=_("indicator")
    )
    by = models.CharField(
        _("broken down by"), max_length=16, choices=TileDimension.choices, default="period"
    )
    frequency = models.CharField(_("frequency"), max_length=16, blank=True)
    # Fixed filters of the tile, {"category": ["agri"]}; the dashboard's filters come on top.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    limit = models.PositiveIntegerField(_("rows shown"), default=24)

    class Meta:
        verbose_name = _("tile")
        verbose_name_plural = _("tiles")
        ordering = ["dashboard", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.dashboard.slug} #{self.position} {self.kind}"

    def display_title(self) -> str:
        if self.title:
            return str(self.title)
        if self.kind == TileKind.KPI:
            return str(self.indicator.name)
        return f"{self.indicator.name}: {TileDimension(self.by).label}"


class Revision(models.Model):
    """A saved state of a dashboard or an indicator, as the YAML its export gives (restorable)."""

    class Kind(models.TextChoices):
        DASHBOARD = "dashboard", _("Dashboard")
        INDICATOR = "indicator", _("Indicator")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=63)  # the dashboard's slug or the indicator's code
    number = models.PositiveIntegerField()
    content = models.TextField()  # YAML
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["kind", "key", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "number"], name="analytics_revision_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} r{self.number}"
