"""Indicators: defined once (an Ibis expression or read-only SQL), computed on any engine.

An :class:`Indicator` produces a *base table* at its finest grain: one column per dimension it
declares (period, region, organization, category — mapped to the base table's column names) and
a measure column (``value``; for ratios also a ``denominator``). :func:`compute` rolls the base
table up to the dimensions asked for, filters by dimension values and a period range, truncates
periods to the indicator's frequency (or a coarser one), and applies row-level rules inside the
engine query. The result has the columns ``period``/``region``/``organization``/``category`` (the
ones asked for) and ``value``, sorted by them.

Roll-up by ``aggregation``: ``sum``, ``min``, ``max``, ``count`` and ``mean`` of the base values;
``ratio`` is ``sum(value) / sum(denominator) × factor`` (so error *rates* roll up correctly).

Series helpers (:func:`series`, :func:`year_over_year`, :func:`period_total`, :func:`rolling_sum`,
:func:`plan_vs_actual`) are pure functions on results.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, Literal

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from egov.analytics.engines.engine import Engine
from egov.analytics.engines.errors import AnalyticsError
from egov.analytics.engines.sqlguard import RowRule

__all__ = [
    "Aggregation",
    "Dimension",
    "Frequency",
    "Indicator",
    "Observation",
    "PlanActual",
    "compute",
    "compute_expr",
    "period_total",
    "plan_vs_actual",
    "rolling_sum",
    "series",
    "year_over_year",
]


class Dimension(StrEnum):
    PERIOD = "period"
    REGION = "region"
    ORGANIZATION = "organization"
    CATEGORY = "category"


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"

    @property
    def unit(self) -> str:
        return _UNITS[self]

    @property
    def rank(self) -> int:
        return list(Frequency).index(self)

    def periods_per_year(self) -> int:
        return {"daily": 365, "weekly": 52, "monthly": 12, "quarterly": 4, "yearly": 1}[self.value]


_UNITS: Final = {
    Frequency.DAILY: "D",
    Frequency.WEEKLY: "W",
    Frequency.MONTHLY: "M",
    Frequency.QUARTERLY: "Q",
    Frequency.YEARLY: "Y",
}

Aggregation = Literal["sum", "mean", "min", "max", "count", "ratio"]
TableSource = Callable[[str], ir.Table]
"""What an indicator expression receives: a function from dataset name to Ibis table."""


@dataclass(frozen=True)
class Indicator:
    """An indicator definition. Give exactly one of ``sql`` and ``expression``."""

    code: str
    dimensions: Mapping[Dimension, str]
    frequency: Frequency = Frequency.MONTHLY
    unit: str = ""
    sql: str | None = None
    expression: Callable[[TableSource], ir.Table] | None = field(default=None, compare=False)
    value: str = "value"
    aggregation: Aggregation = "sum"
    denominator: str | None = None
    factor: float = 1.0
    datasets: tuple[str, ...] = ()
    """Datasets the expression reads (derived from the SQL for SQL indicators)."""

    def __post_init__(self) -> None:
        if (self.sql is None) == (self.expression is None):
            raise AnalyticsError(
                f"Indicator {self.code!r} needs exactly one of sql and expression.",
                code="bad_indicator",
            )
        if self.aggregation == "ratio" and not self.denominator:
            raise AnalyticsError(
                f"Indicator {self.code!r} is a ratio and needs a denominator column.",
                code="bad_indicator",
            )
        unknown = [d for d in self.dimensions if not isinstance(d, Dimension)]
        if unknown:
            raise AnalyticsError(
                f"Indicator {self.code!r} has unknown dimensions {unknown}.", code="bad_indicator"
            )

    def inputs(self, engine: Engine) -> frozenset[str]:
        """The datasets it reads (for lineage: dataset → indicator)."""
        if self.sql is not None:
            return engine.validate(self.sql).tables
        return frozenset(self.datasets)

    def base(self, engine: Engine, *, row_rules: Sequence[RowRule] = ()) -> ir.Table:
        """The finest-grain table, read through ``row_rules``."""
        if self.sql is not None:
            table = engine.sql_table(self.sql, row_rules=row_rules)
        else:
            assert self.expression is not None
            table = self.expression(lambda name: engine.table(name, row_rules=row_rules))
        needed = [*self.dimensions.values(), self.value]
        if self.denominator:
            needed.append(self.denominator)
        missing = [c for c in needed if c not in table.columns]
        if missing:
            raise AnalyticsError(
                f"Indicator {self.code!r} gives no column {', '.join(missing)}.",
                code="bad_indicator",
                columns=missing,
            )
        return table


def compute_expr(
    engine: Engine,
    indicator: Indicator,
    *,
    by: Sequence[Dimension] = (Dimension.PERIOD,),
    filters: Mapping[Dimension, Sequence[Any]] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    frequency: Frequency | None = None,
    row_rules: Sequence[RowRule] = (),
) -> ir.Table:
    """The Ibis expression of :func:`compute` (to compile, inspect or compose)."""
    by = [Dimension(d) for d in by]
    for dimension in [*by, *(filters or {})]:
        if dimension not in indicator.dimensions:
            raise AnalyticsError(
                f"Indicator {indicator.code!r} has no dimension {dimension.value!r}.",
                code="unknown_dimension",
                dimension=dimension.value,
            )
    frequency = frequency or indicator.frequency
    if frequency.rank < indicator.frequency.rank:
        raise AnalyticsError(
            f"Indicator {indicator.code!r} is {indicator.frequency.value}; it cannot be shown "
            f"{frequency.value}.",
            code="frequency_too_fine",
        )
    table = indicator.base(engine, row_rules=row_rules)
    columns = indicator.dimensions
    period_column = columns.get(Dimension.PERIOD)
    if period_column is not None:
        if start is not None:
            table = table.filter(table[period_column] >= ibis.literal(start))
        if end is not None:
            table = table.filter(table[period_column] <= ibis.literal(end))
    for dimension, values in (filters or {}).items():
        column = table[columns[dimension]]
        table = table.filter(column.isin(list(values)) if values else ibis.literal(False))
    keys: dict[str, ir.Value] = {}
    for dimension in by:
        column = table[columns[dimension]]
        if dimension is Dimension.PERIOD:
            keys[dimension.value] = column.cast("date").truncate(frequency.unit)
        else:
            keys[dimension.value] = column
    measure = table[indicator.value]
    value: ir.Value
    if indicator.aggregation == "sum":
        value = measure.sum()
    elif indicator.aggregation == "mean":
        value = measure.mean()
    elif indicator.aggregation == "min":
        value = measure.min()
    elif indicator.aggregation == "max":
        value = measure.max()
    elif indicator.aggregation == "count":
        value = measure.count()
    else:
        assert indicator.denominator is not None
        denominator = table[indicator.denominator].sum().cast("float64")
        value = measure.sum().cast("float64") / denominator.nullif(0) * indicator.factor
    if keys:
        result = table.group_by(**keys).aggregate(value=value)
        return result.order_by(list(keys))
    return table.aggregate(value=value)


def compute(
    engine: Engine,
    indicator: Indicator,
    *,
    by: Sequence[Dimension] = (Dimension.PERIOD,),
    filters: Mapping[Dimension, Sequence[Any]] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    frequency: Frequency | None = None,
    row_rules: Sequence[RowRule] = (),
    limit: int | None = None,
) -> pa.Table:
    """Compute ``indicator`` by the dimensions ``by`` on ``engine``; see the module's notes."""
    expr = compute_expr(
        engine,
        indicator,
        by=by,
        filters=filters,
        start=start,
        end=end,
        frequency=frequency,
        row_rules=row_rules,
    )
    return engine.execute(expr, limit=limit)


# -- series helpers (pure) ------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Observation:
    period: dt.date
    value: float


def series(result: pa.Table, *, period: str = "period", value: str = "value") -> list[Observation]:
    """Observations from a result with a period and a value column (nulls skipped), by period."""
    periods = result.column(period).to_pylist()
    values = result.column(value).to_pylist()
    out = [
        Observation(_as_date(p), _as_float(v))
        for p, v in zip(periods, values, strict=True)
        if p is not None and v is not None
    ]
    return sorted(out)


def year_over_year(
    observations: Sequence[Observation],
) -> list[tuple[Observation, Observation | None, float | None]]:
    """Each observation, the one a year earlier (same month and day), and the relative change."""
    by_period = {o.period: o for o in observations}
    out: list[tuple[Observation, Observation | None, float | None]] = []
    for current in sorted(observations):
        previous = by_period.get(_year_before(current.period))
        out.append((current, previous, change(current.value, previous.value if previous else None)))
    return out


def change(current: float | None, previous: float | None) -> float | None:
    """Relative change ``current / previous − 1``; None when it is undefined."""
    if current is None or previous is None or previous == 0:
        return None
    return current / previous - 1


def period_total(observations: Sequence[Observation], start: dt.date, end: dt.date) -> float | None:
    """The sum of observations with ``start ≤ period ≤ end`` (None if there are none)."""
    values = [o.value for o in observations if start <= o.period <= end]
    return sum(values) if values else None


def rolling_sum(observations: Sequence[Observation], window: int) -> list[Observation]:
    """Sum over the last ``window`` observations, from the first full window on (e.g. 12 months)."""
    ordered = sorted(observations)
    out = []
    for index in range(window - 1, len(ordered)):
        chunk = ordered[index - window + 1 : index + 1]
        out.append(Observation(ordered[index].period, sum(o.value for o in chunk)))
    return out


@dataclass(frozen=True)
class PlanActual:
    period: dt.date
    plan: float | None
    actual: float | None

    @property
    def gap(self) -> float | None:
        if self.plan is None or self.actual is None:
            return None
        return self.actual - self.plan

    @property
    def achieved(self) -> float | None:
        """Actual as a share of plan (1.0 = plan met)."""
        if self.plan in (None, 0) or self.actual is None:
            return None
        return self.actual / self.plan


def plan_vs_actual(plan: Sequence[Observation], actual: Sequence[Observation]) -> list[PlanActual]:
    """Plan and actual side by side for every period in either."""
    plans = {o.period: o.value for o in plan}
    actuals = {o.period: o.value for o in actual}
    return [PlanActual(p, plans.get(p), actuals.get(p)) for p in sorted(plans.keys() | actuals)]


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _as_float(value: Any) -> float:
    if isinstance(value, decimal.Decimal):
        return float(value)
    return float(value)
