"""From an indicator row to the engine's ``Indicator``: checked on save, compiled on use.

An indicator is read-only SQL (validated with SQLGlot against the catalog: one SELECT over
datasets only) or an Ibis expression declared as data — a dataset and filters — so that nothing a
person types is ever executed as Python:

    {"dataset": "bilateral_trade", "filters": [["flow", "in", ["export", "import"]]]}
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

import ibis.expr.types as ir
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from egov.analytics.choices import DefinitionKind
from egov.analytics.engines import (
    AnalyticsError,
    Dimension,
    Frequency,
    validate_sql,
)
from egov.analytics.engines import Indicator as EngineIndicator
from egov.analytics.exceptions import message_for
from egov.analytics.models import Dataset, Indicator

OPERATORS: Mapping[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}


def catalog_names() -> list[str]:
    return list(Dataset.objects.values_list("name", flat=True))


def inputs(indicator: Indicator) -> set[str]:
    """The datasets the definition reads (lineage: dataset → indicator)."""
    if indicator.kind == DefinitionKind.SQL:
        return set(validate_sql(indicator.sql, catalog_names()).tables)
    return {str(indicator.expression.get("dataset", ""))}


def _filter(table: ir.Table, spec: Any) -> ir.Table:
    column, op, value = spec
    if op == "in":
        return table.filter(table[column].isin(list(value)))
    return table.filter(OPERATORS[op](table[column], value))


def _expression(spec: Mapping[str, Any]) -> Callable[[Callable[[str], ir.Table]], ir.Table]:
    def build(tables: Callable[[str], ir.Table]) -> ir.Table:
        table = tables(str(spec["dataset"]))
        for item in spec.get("filters") or []:
            table = _filter(table, item)
        return table

    return build


def to_engine(indicator: Indicator) -> EngineIndicator:
    dimensions = {Dimension(k): str(v) for k, v in (indicator.dimensions or {}).items()}
    common: dict[str, Any] = {
        "code": indicator.code,
        "dimensions": dimensions,
        "frequency": Frequency(indicator.frequency),
        "unit": indicator.unit,
        "value": indicator.value_column or "value",
        "aggregation": indicator.aggregation,
        "denominator": indicator.denominator or None,
        "factor": indicator.factor,
    }
    if indicator.kind == DefinitionKind.SQL:
        return EngineIndicator(sql=indicator.sql, **common)
    spec = indicator.expression or {}
    return EngineIndicator(
        expression=_expression(spec), datasets=(str(spec.get("dataset", "")),), **common
    )


def check(indicator: Indicator) -> None:
    """Say per field what is wrong with a definition (used by ``Indicator.clean``)."""
    errors: dict[str, str] = {}
    dims = indicator.dimensions
    if not isinstance(dims, dict) or not all(
        k in {d.value for d in Dimension} and isinstance(v, str) and v for k, v in dims.items()
    ):
        errors["dimensions"] = _(
            "Map dimensions (period, region, organization, category) to column names."
        )
    if indicator.aggregation == "ratio" and not indicator.denominator:
        errors["denominator"] = _("A ratio needs a denominator column.")
    names = catalog_names()
    if indicator.kind == DefinitionKind.SQL:
        try:
            validate_sql(indicator.sql, names)
        except AnalyticsError as error:
            reason = error.details.get("reason", "")
            detail = f" ({error.message})" if reason else ""
            errors["sql"] = f"{message_for(error)}{detail}"
    else:
        spec = indicator.expression
        if not isinstance(spec, dict) or spec.get("dataset") not in names:
            errors["expression"] = _('Name a dataset of the catalog in "dataset".')
        else:
            for item in spec.get("filters") or []:
                if (
                    not isinstance(item, list | tuple)
                    or len(item) != 3
                    or not isinstance(item[0], str)
                    or item[1] not in {*OPERATORS, "in"}
                    or (item[1] == "in" and not isinstance(item[2], list))
                ):
                    errors["expression"] = _(
                        "Each filter is [column, operator, value]; operators: eq, ne, gt, ge, "
                        "lt, le, in (with a list)."
                    )
                    break
    if errors:
        raise ValidationError(errors)
