"""Request and response bodies of the Smart Data API."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Schema


class SourceIn(Schema):
    organization: str = Field(max_length=32, examples=["MDDIAI"])
    name: str = Field(max_length=200)
    kind: str = Field(examples=["postgres"])
    config: dict[str, Any] = Field(
        examples=[{"dsn_env": "EGOV_ANALYTICS_SOURCE_STATS", "query": "SELECT * FROM payments"}]
    )
    schedule_minutes: int = Field(0, ge=0, le=525_600)


class SourceOut(Schema):
    id: int
    organization: str
    name: str
    kind: str
    config: dict[str, Any]
    schedule_minutes: int
    last_run_at: datetime.datetime | None

    @staticmethod
    def resolve_organization(obj: Any) -> str:
        return str(obj.organization.code)


class ColumnIn(Schema):
    name: str = Field(max_length=128, examples=["iin"])
    classification: str = Field("internal", examples=["identifier"])
    title_kk: str = ""
    title_ru: str = ""
    title_en: str = ""
    title_tg: str = ""
    description_en: str = ""


class ColumnOut(Schema):
    name: str
    position: int
    data_type: str
    title: str
    description: str
    classification: str


class DatasetIn(Schema):
    name: str = Field(max_length=63, examples=["bilateral_trade"])
    organization: str = Field(max_length=32, examples=["MDDIAI"])
    title_kk: str = Field("", max_length=300)
    title_ru: str = Field("", max_length=300)
    title_en: str = Field("", max_length=300)
    title_tg: str = Field("", max_length=300)
    description_kk: str = ""
    description_ru: str = ""
    description_en: str = ""
    description_tg: str = ""
    tags: list[str] = []
    licence: str = Field("CC-BY-4.0", max_length=100)
    frequency: str = "monthly"
    visibility: str = "restricted"
    row_column: str = Field("", max_length=63)
    quality_rules: list[dict[str, Any]] = []
    malformed_policy: str = "reject"
    columns: list[ColumnIn] = []


class DatasetPatch(Schema):
    title_kk: str | None = Field(None, max_length=300)
    title_ru: str | None = Field(None, max_length=300)
    title_en: str | None = Field(None, max_length=300)
    title_tg: str | None = Field(None, max_length=300)
    description_kk: str | None = None
    description_ru: str | None = None
    description_en: str | None = None
    description_tg: str | None = None
    tags: list[str] | None = None
    licence: str | None = Field(None, max_length=100)
    frequency: str | None = None
    visibility: str | None = None
    row_column: str | None = Field(None, max_length=63)
    quality_rules: list[dict[str, Any]] | None = None
    malformed_policy: str | None = None
    columns: list[ColumnIn] | None = None
    source: int | None = Field(None, ge=1, le=2**62, description="a source's id")


class DatasetOut(Schema):
    name: str
    organization: str
    title: str
    description: str
    tags: list[str]
    licence: str
    frequency: str
    visibility: str
    row_column: str
    quality_rules: list[dict[str, Any]]
    malformed_policy: str
    source: int | None = Field(None, alias="source_id")
    current_version: int | None
    rows: int | None
    quality_score: float | None
    published_at: datetime.datetime | None
    columns: list[ColumnOut]

    @staticmethod
    def resolve_organization(obj: Any) -> str:
        return str(obj.organization.code)

    @staticmethod
    def resolve_columns(obj: Any) -> list[Any]:
        return list(obj.columns.all())


class LoadOut(Schema):
    id: int
    dataset: str
    status: str
    source_kind: str
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    progress_percent: int | None
    version: int | None
    rows: int | None
    sha256: str
    source_sha256: str
    columns: list[dict[str, Any]]
    encoding: str
    quality: dict[str, Any] | None
    quality_score: float | None
    quarantine_id: str
    problems: list[dict[str, Any]]
    problem_count: int
    error_code: str
    error_message: str
    error_details: dict[str, Any]

    @staticmethod
    def resolve_dataset(obj: Any) -> str:
        return str(obj.dataset.name)

    @staticmethod
    def resolve_columns(obj: Any) -> list[dict[str, Any]]:
        return list(obj.schema or [])


class VersionOut(Schema):
    version: int
    rows: int
    sha256: str
    created_at: datetime.datetime
    loaded_by: str
    published: bool


class DecisionIn(Schema):
    accept: bool


class SqlIn(Schema):
    sql: str = Field(
        max_length=20_000, examples=["SELECT region, SUM(value_usd) FROM trade GROUP BY 1"]
    )
    limit: int = Field(1000, ge=1, le=5000)


class RowsOut(Schema):
    columns: list[str]
    rows: list[dict[str, Any]]


class TargetOut(Schema):
    date: datetime.date
    value: float
    baseline_date: datetime.date | None
    baseline_value: float | None


class IndicatorOut(Schema):
    code: str
    organization: str
    name: str
    description: str
    methodology: str
    unit: str
    frequency: str
    kind: str
    sql: str
    expression: dict[str, Any]
    dimensions: dict[str, str]
    aggregation: str
    visibility: str
    status: str
    status_detail: dict[str, Any]
    status_changed_at: datetime.datetime | None
    revision: int
    datasets: list[str]
    targets: list[TargetOut]

    @staticmethod
    def resolve_organization(obj: Any) -> str:
        return str(obj.organization.code)

    @staticmethod
    def resolve_datasets(obj: Any) -> list[str]:
        return [d.name for d in obj.datasets.all()]

    @staticmethod
    def resolve_targets(obj: Any) -> list[Any]:
        return list(obj.targets.all())


class TileOut(Schema):
    position: int
    kind: str
    title: str
    indicator: str
    by: str
    frequency: str
    filters: dict[str, Any]

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return str(obj.display_title())

    @staticmethod
    def resolve_indicator(obj: Any) -> str:
        return str(obj.indicator.code)


class DashboardOut(Schema):
    slug: str
    organization: str
    title: str
    description: str
    visibility: str
    revision: int
    tiles: list[TileOut]

    @staticmethod
    def resolve_organization(obj: Any) -> str:
        return str(obj.organization.code)

    @staticmethod
    def resolve_tiles(obj: Any) -> list[Any]:
        return list(obj.tiles.select_related("indicator").all())


class RevisionOut(Schema):
    number: int
    note: str
    created_at: datetime.datetime
    created_by: str | None

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return obj.created_by.get_username() if obj.created_by else None


class ImportOut(Schema):
    indicators: list[str]
    dashboards: list[str]
