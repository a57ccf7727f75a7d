"""The catalog: sources, datasets with their columns and quality rules, and every load of them.

The data itself lives in the warehouse (``egov.analytics.engines.Warehouse``: immutable Parquet
versions published atomically); these rows describe it, say who may read it and keep the history
of each load — published, rejected, quarantined or waiting for a schema decision.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.analytics.choices import (
    ColumnClass,
    Frequency,
    LoadStatus,
    MalformedPolicy,
    SourceKind,
    Visibility,
)
from egov.core.models import Organization
from egov.core.models.organizations import require_default_language
from egov.core.models.translated import TranslatedField

name_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,62}$",
    _("Use lower-case Latin letters, digits and '_', starting with a letter (at most 63)."),
    code="dataset_name",
)


SOURCE_KEYS: dict[str, tuple[str, ...]] = {
    SourceKind.POSTGRES: ("dsn_env", "query"),
    SourceKind.BRIDGE: ("service", "client", "path"),
}


def source_problems(kind: str, config: Any) -> dict[str, Any]:
    """What is wrong with a source's configuration, per field (secrets stay in the environment)."""
    required = SOURCE_KEYS.get(kind)
    if required is None:
        return {"kind": _("Choose postgres or bridge.")}
    missing = [k for k in required if not isinstance(config, dict) or not config.get(k)]
    if missing:
        return {"config": _("Missing: %(keys)s.") % {"keys": ", ".join(missing)}}
    if kind == SourceKind.POSTGRES and not str(config["dsn_env"]).startswith("EGOV_"):
        return {"config": _("Name an environment variable starting with EGOV_ that holds the DSN.")}
    return {}


class Source(models.Model):
    """Where a dataset's loads come from, and when they run by themselves."""

    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="analytics_sources", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    # postgres: {"dsn_env": "EGOV_…", "query": "SELECT …"} (the DSN stays in the environment);
    # bridge: {"service": "MINJUST-S-0001", "version": "v1", "path": "/…", "params": {…},
    #          "items": "items", "page_param": "page", "page_size_param": "size"}.
    config = models.JSONField(_("configuration"), default=dict, blank=True)
    schedule_minutes = models.PositiveIntegerField(
        _("run every (minutes)"), default=0, help_text=_("0 runs it only on demand.")
    )
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("data source")
        verbose_name_plural = _("data sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def clean(self) -> None:
        problems = source_problems(self.kind, self.config)
        if problems:
            raise ValidationError(problems)


class Dataset(models.Model):
    name = models.CharField(
        _("name"),
        max_length=63,
        unique=True,
        validators=[name_validator],
        help_text=_("The name SQL and indicators use, e.g. bilateral_trade."),
    )
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="datasets", verbose_name=_("owner")
    )
    title = TranslatedField(models.CharField, _("title"), max_length=300)
    description = TranslatedField(models.TextField, _("description"))
    tags = models.JSONField(_("tags"), default=list, blank=True)
    licence = models.CharField(_("licence"), max_length=100, blank=True, default="CC-BY-4.0")
    frequency = models.CharField(
        _("update frequency"), max_length=16, choices=Frequency.choices, default="monthly"
    )
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default="restricted"
    )
    shared_with = models.ManyToManyField(
        Organization, blank=True, related_name="shared_datasets", verbose_name=_("shared with")
    )
    row_column = models.CharField(
        _("row-level column"),
        max_length=63,
        blank=True,
        help_text=_(
            "A column holding organization codes: readers outside the owner see only their rows."
        ),
    )
    source = models.ForeignKey(
        Source, models.SET_NULL, null=True, blank=True, related_name="datasets"
    )
    quality_rules = models.JSONField(
        _("quality rules"),
        default=list,
        blank=True,
        help_text=_('Quality gates, e.g. {"kind": "not_null", "column": "amount"}.'),
    )
    malformed_policy = models.CharField(
        _("malformed rows"), max_length=16, choices=MalformedPolicy.choices, default="reject"
    )
    # The published version as the warehouse knows it (kept here to list and cache by).
    current_version = models.PositiveIntegerField(_("published version"), null=True, blank=True)
    current_sha256 = models.CharField(max_length=64, blank=True)
    rows = models.BigIntegerField(_("rows"), null=True, blank=True)
    quality_score = models.FloatField(_("quality score"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        require_default_language(self, "title")
        from egov.analytics.engines import AnalyticsError, gates_from_dicts

        if not isinstance(self.quality_rules, list):
            raise ValidationError({"quality_rules": _("Give a list of quality rules.")})
        try:
            gates_from_dicts(self.quality_rules)
        except (AnalyticsError, KeyError, TypeError, ValueError) as error:
            raise ValidationError(
                {"quality_rules": _("A quality rule is not valid: %(error)s") % {"error": error}}
            ) from error
        if not isinstance(self.tags, list) or not all(isinstance(t, str) for t in self.tags):
            raise ValidationError({"tags": _("Give tags as a list of words.")})

    def personal_columns(self) -> list[str]:
        return list(
            self.columns.filter(classification=ColumnClass.IDENTIFIER).values_list(
                "name", flat=True
            )
        )


class Column(models.Model):
    dataset = models.ForeignKey(Dataset, models.CASCADE, related_name="columns")
    name = models.CharField(_("name"), max_length=128)
    position = models.PositiveIntegerField(_("position"), default=0)
    data_type = models.CharField(_("type"), max_length=64, blank=True)
    title = TranslatedField(models.CharField, _("title"), max_length=300)
    description = TranslatedField(models.TextField, _("meaning"))
    classification = models.CharField(
        _("classification"), max_length=16, choices=ColumnClass.choices, default="internal"
    )

    class Meta:
        verbose_name = _("column")
        verbose_name_plural = _("columns")
        ordering = ["dataset", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "name"], name="analytics_column_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dataset.name}.{self.name}"


class Load(models.Model):
    """One attempt to load a dataset: a versioned snapshot when published, a report when not."""

    dataset = models.ForeignKey(Dataset, models.CASCADE, related_name="loads")
    status = models.CharField(
        _("status"), max_length=20, choices=LoadStatus.choices, default="queued"
    )
    source_kind = models.CharField(_("source"), max_length=20, choices=SourceKind.choices)
    source_info = models.JSONField(_("source details"), default=dict, blank=True)
    upload = models.CharField(max_length=500, blank=True)  # a staged file under the uploads folder
    accept_schema_change = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    bytes_done = models.BigIntegerField(default=0)
    bytes_total = models.BigIntegerField(null=True, blank=True)
    # The snapshot (from the warehouse manifest) once published.
    version = models.PositiveIntegerField(_("version"), null=True, blank=True)
    rows = models.BigIntegerField(_("rows"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    source_sha256 = models.CharField(_("source SHA-256"), max_length=64, blank=True)
    schema = models.JSONField(_("schema"), default=list, blank=True)
    encoding = models.CharField(_("encoding"), max_length=32, blank=True)
    quality = models.JSONField(_("quality report"), null=True, blank=True)
    quality_score = models.FloatField(_("quality score"), null=True, blank=True)
    quarantine_id = models.CharField(max_length=100, blank=True)
    problems = models.JSONField(_("rows left out or refused"), default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    error_code = models.CharField(_("error"), max_length=60, blank=True)
    error_message = models.TextField(blank=True)
    error_details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("load")
        verbose_name_plural = _("loads")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.dataset.name} load {self.pk} ({self.status})"

    @property
    def progress_percent(self) -> int | None:
        if not self.bytes_total:
            return None
        return min(100, int(self.bytes_done * 100 / self.bytes_total))

    @property
    def finished(self) -> bool:
        return self.status not in {LoadStatus.QUEUED, LoadStatus.RUNNING}

    def snapshot(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "rows": self.rows,
            "sha256": self.sha256,
            "schema": self.schema,
        }
