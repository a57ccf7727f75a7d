"""Closed vocabularies of Smart Data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public (open data)")
    INTERNAL = "internal", _("Internal (every organization on the platform)")
    RESTRICTED = "restricted", _("Restricted (owner and organizations it shares with)")


class ColumnClass(models.TextChoices):
    """What a column holds; personal identifiers are pseudonymised when a load arrives."""

    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    SENSITIVE = "sensitive", _("Sensitive")
    IDENTIFIER = "identifier", _("Personal identifier (pseudonymised)")


class SourceKind(models.TextChoices):
    UPLOAD = "upload", _("File upload")
    POSTGRES = "postgres", _("PostgreSQL database")
    BRIDGE = "bridge", _("Smart Bridge service")
    CALL_RECORDS = "call_records", _("Smart Bridge message log")
    GENERATED = "generated", _("Generated (demo)")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    IRREGULAR = "irregular", _("Irregular")


class MalformedPolicy(models.TextChoices):
    REJECT = "reject", _("Reject the load")
    QUARANTINE = "quarantine", _("Leave the rows out and report them")


class LoadStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    QUARANTINED = "quarantined", _("Quarantined")
    NEEDS_DECISION = "needs_decision", _("Waiting for a schema decision")
    DISCARDED = "discarded", _("Discarded")


class DefinitionKind(models.TextChoices):
    SQL = "sql", _("Read-only SQL")
    EXPRESSION = "expression", _("Ibis expression")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    MEAN = "mean", _("Mean")
    MIN = "min", _("Minimum")
    MAX = "max", _("Maximum")
    COUNT = "count", _("Count")
    RATIO = "ratio", _("Ratio")


class TargetSeries(models.TextChoices):
    """Which series a target is assessed against (seasonal months project badly)."""

    PERIODS = "periods", _("Each period")
    ROLLING_YEAR = "rolling_year", _("Rolling twelve months")
    YEARLY = "yearly", _("Calendar-year totals")
    CUMULATIVE = "cumulative", _("Running total")


class TargetStatus(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    NO_DATA = "no_data", _("No data")


class TileKind(models.TextChoices):
    KPI = "kpi", _("Key figure")
    LINE = "line", _("Line chart")
    BAR = "bar", _("Bar chart")
    TABLE = "table", _("Table")


class TileDimension(models.TextChoices):
    PERIOD = "period", _("Period")
    REGION = "region", _("Region")
    ORGANIZATION = "organization", _("Organization")
    CATEGORY = "category", _("Category")
