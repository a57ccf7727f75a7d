"""Catalog operations shared by the pages and the API: declare and describe datasets, lineage."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from egov.analytics.choices import ColumnClass, LoadStatus, Visibility
from egov.analytics.models import Column, Dashboard, Dataset, Indicator
from egov.core.exceptions import InvalidInput
from egov.core.models.translated import translated_names

DATASET_FIELDS = (
    "title",
    "description",
    "tags",
    "licence",
    "frequency",
    "visibility",
    "row_column",
    "quality_rules",
    "malformed_policy",
)


def _errors(error: ValidationError) -> InvalidInput:
    return InvalidInput(
        errors=[
            {"field": field, "message": str(message)}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    )


def _check_dataset(dataset: Dataset) -> None:
    errors: dict[str, Any] = {}
    if dataset.visibility == Visibility.PUBLIC and dataset.row_column:
        errors["row_column"] = _("A public dataset cannot have row-level rules.")
    try:
        dataset.full_clean()
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise _errors(ValidationError(errors))


def apply_fields(dataset: Dataset, data: Mapping[str, Any]) -> None:
    for field in DATASET_FIELDS:
        if field in ("title", "description"):
            for column in translated_names(field):
                if column in data:
                    setattr(dataset, column, data[column] or "")
        elif field in data and data[field] is not None:
            setattr(dataset, field, data[field])


@transaction.atomic
def declare_columns(dataset: Dataset, columns: Iterable[Mapping[str, Any]]) -> None:
    """Declare or re-classify columns; a personal identifier must be declared before its load."""
    for position, item in enumerate(columns):
        name = str(item.get("name") or "").strip()
        classification = item.get("classification") or ColumnClass.INTERNAL
        if not name or classification not in ColumnClass.values:
            raise InvalidInput(
                errors=[{"field": f"columns.{position}", "message": _("Give a name and a class.")}]
            )
        published = dataset.current_version is not None
        column = dataset.columns.filter(name=name).first()
        becomes_personal = classification == ColumnClass.IDENTIFIER and (
            column is None or column.classification != ColumnClass.IDENTIFIER
        )
        if published and becomes_personal and column is not None:
            # Raw values are already in the published versions: pseudonymising from now on would
            # leave them there. The column must be re-ingested (a schema decision) instead.
            raise InvalidInput(
                errors=[
                    {
                        "field": f"columns.{position}.classification",
                        "message": _(
                            "This column is already loaded unpseudonymised; load the data again "
                            "with the column removed, then declare it."
                        ),
                    }
                ]
            )
        column = column or Column(dataset=dataset, name=name, position=position)
        column.classification = classification
        for lang_field in translated_names("title") + translated_names("description"):
            if lang_field in item:
                setattr(column, lang_field, item[lang_field] or "")
        column.save()


@transaction.atomic
def create_dataset(organization: Any, name: str, data: Mapping[str, Any]) -> Dataset:
    dataset = Dataset(name=name, organization=organization)
    apply_fields(dataset, data)
    if Dataset.objects.filter(name=name).exists():
        raise InvalidInput(
            code="dataset_exists",
            errors=[{"field": "name", "message": _("A dataset with this name exists.")}],
        )
    _check_dataset(dataset)
    dataset.save()
    declare_columns(dataset, data.get("columns") or [])
    return dataset


@transaction.atomic
def update_dataset(dataset: Dataset, data: Mapping[str, Any]) -> Dataset:
    apply_fields(dataset, data)
    _check_dataset(dataset)
    dataset.save()
    if data.get("columns"):
        declare_columns(dataset, data["columns"])
    return dataset


def check_source(kind: str, config: Any) -> None:
    """The API's side of ``Source.clean``: the same messages as problem details."""
    from egov.analytics.models.catalog import source_problems

    problems = source_problems(kind, config)
    if problems:
        raise InvalidInput(errors=[{"field": f, "message": str(m)} for f, m in problems.items()])


def search(queryset: QuerySet[Dataset], q: str = "", tag: str = "") -> QuerySet[Dataset]:
    if q:
        text = Q(name__icontains=q)
        for column in translated_names("title") + translated_names("description"):
            text |= Q(**{f"{column}__icontains": q})
        text |= Q(columns__name__icontains=q)
        queryset = queryset.filter(text).distinct()
    if tag:
        queryset = queryset.filter(tags__icontains=f'"{tag}"')
    return queryset


def lineage(dataset: Dataset) -> dict[str, Any]:
    """source → dataset → indicators → dashboards."""
    last = dataset.loads.filter(status=LoadStatus.PUBLISHED).order_by("-pk").first()
    indicators = list(Indicator.objects.filter(datasets=dataset).order_by("code"))
    dashboards = list(
        Dashboard.objects.filter(tiles__indicator__in=indicators).distinct().order_by("slug")
    )
    return {
        "source": (
            {
                "kind": last.source_kind,
                **{
                    k: v
                    for k, v in last.source_info.items()
                    if k in {"file", "service", "path", "kind"}
                },
            }
            if last
            else None
        ),
        "dataset": dataset.name,
        "indicators": [i.code for i in indicators],
        "dashboards": [d.slug for d in dashboards],
    }


def quality_history(dataset: Dataset, count: int = 10) -> list[float]:
    return [
        float(score)
        for score in dataset.loads.exclude(quality_score=None)
        .order_by("-pk")
        .values_list("quality_score", flat=True)[:count]
        if score is not None
    ]
