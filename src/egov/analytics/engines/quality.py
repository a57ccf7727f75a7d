"""Quality gates as data, evaluated on the engine.

A gate is a small frozen dataclass (:class:`NotNull`, :class:`Unique`, :class:`Range`,
:class:`AllowedValues`, :class:`References`, :class:`Freshness`, :class:`RowCount`) that
round-trips through a JSON/YAML-ready dict (:meth:`Gate.to_dict`, :func:`gate_from_dict`), so the
catalog can store them per dataset. Each has a ``severity``: ``blocking`` gates stop a load from
being published (the warehouse quarantines it), ``warning`` gates are reported only.

:func:`evaluate` runs every gate as an Ibis query on the engine that holds the data (DuckDB or
Spark) and returns a :class:`QualityReport`: per gate, whether it passed, how many rows fail out of
how many, and a bounded sample of failing rows.

Null values fail only :class:`NotNull`; the other row checks ignore them (as SQL constraints do).
``score`` is the mean over gates of the share of rows that pass (dataset-level gates count 1 or 0).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from egov.analytics.engines.engine import Engine
from egov.analytics.engines.errors import AnalyticsError

__all__ = [
    "AllowedValues",
    "CheckResult",
    "Freshness",
    "Gate",
    "NotNull",
    "QualityReport",
    "Range",
    "References",
    "RowCount",
    "Severity",
    "Unique",
    "evaluate",
    "gate_from_dict",
    "gates_from_dicts",
]

Severity = Literal["blocking", "warning"]
DEFAULT_SAMPLE = 20


@dataclass(frozen=True, kw_only=True)
class Gate:
    """Base of every gate."""

    kind: ClassVar[str] = ""
    severity: Severity = "blocking"
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.describe()

    def describe(self) -> str:
        return self.kind

    def used_columns(self) -> tuple[str, ...]:
        return ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        for key, value in self.__dict__.items():
            if key == "name" and not value:
                continue
            if isinstance(value, dt.timedelta):
                value = value.total_seconds()
            elif isinstance(value, tuple):
                value = [_plain(v) for v in value]
            else:
                value = _plain(value)
            data[key] = value
        return data


@dataclass(frozen=True, kw_only=True)
class NotNull(Gate):
    kind: ClassVar[str] = "not_null"
    column: str

    def describe(self) -> str:
        return f"{self.column} is not null"

    def used_columns(self) -> tuple[str, ...]:
        return (self.column,)


@dataclass(frozen=True, kw_only=True)
class Unique(Gate):
    kind: ClassVar[str] = "unique"
    columns: tuple[str, ...]

    def describe(self) -> str:
        return f"({', '.join(self.columns)}) is unique"

    def used_columns(self) -> tuple[str, ...]:
        return self.columns


@dataclass(frozen=True, kw_only=True)
class Range(Gate):
    kind: ClassVar[str] = "range"
    column: str
    min: Any = None
    max: Any = None
    inclusive: bool = True

    def describe(self) -> str:
        low = "" if self.min is None else f"{self.min} {'≤' if self.inclusive else '<'} "
        high = "" if self.max is None else f" {'≤' if self.inclusive else '<'} {self.max}"
        return f"{low}{self.column}{high}"

    def used_columns(self) -> tuple[str, ...]:
        return (self.column,)


@dataclass(frozen=True, kw_only=True)
class AllowedValues(Gate):
    kind: ClassVar[str] = "allowed_values"
    column: str
    values: tuple[Any, ...]

    def describe(self) -> str:
        shown = ", ".join(map(str, self.values[:5])) + (", …" if len(self.values) > 5 else "")
        return f"{self.column} in ({shown})"

    def used_columns(self) -> tuple[str, ...]:
        return (self.column,)


@dataclass(frozen=True, kw_only=True)
class References(Gate):
    """Every non-null ``column`` value occurs in ``dataset``.``ref_column`` (default: same name)."""

    kind: ClassVar[str] = "references"
    column: str
    dataset: str
    ref_column: str = ""

    def describe(self) -> str:
        return f"{self.column} references {self.dataset}.{self.ref_column or self.column}"

    def used_columns(self) -> tuple[str, ...]:
        return (self.column,)


@dataclass(frozen=True, kw_only=True)
class Freshness(Gate):
    """The latest ``column`` (a date or timestamp) is at most ``max_age`` old."""

    kind: ClassVar[str] = "freshness"
    column: str
    max_age: dt.timedelta

    def describe(self) -> str:
        return f"latest {self.column} within {_age(self.max_age)}"

    def used_columns(self) -> tuple[str, ...]:
        return (self.column,)


@dataclass(frozen=True, kw_only=True)
class RowCount(Gate):
    kind: ClassVar[str] = "row_count"
    min_rows: int = 1
    max_rows: int | None = None

    def describe(self) -> str:
        high = "" if self.max_rows is None else f" and ≤ {self.max_rows}"
        return f"rows ≥ {self.min_rows}{high}"


GATES: Mapping[str, type[Gate]] = {
    g.kind: g for g in (NotNull, Unique, Range, AllowedValues, References, Freshness, RowCount)
}


def gate_from_dict(data: Mapping[str, Any]) -> Gate:
    """A gate from its dict form (as stored in the catalog or a YAML file)."""
    values = dict(data)
    kind = values.pop("kind", None)
    cls = GATES.get(str(kind))
    if cls is None:
        raise AnalyticsError(
            f"Unknown quality gate {kind!r}; known: {', '.join(sorted(GATES))}.",
            code="bad_gate",
        )
    if cls is Unique:
        columns = values.get("columns", ())
        values["columns"] = (columns,) if isinstance(columns, str) else tuple(columns)
    if cls is AllowedValues:
        values["values"] = tuple(values.get("values", ()))
    if cls is Freshness:
        age = values.get("max_age")
        values["max_age"] = (
            age if isinstance(age, dt.timedelta) else dt.timedelta(seconds=float(age or 0))
        )
    if values.get("severity", "blocking") not in ("blocking", "warning"):
        raise AnalyticsError(
            f"Severity {values['severity']!r} is not 'blocking' or 'warning'.", code="bad_gate"
        )
    try:
        return cls(**values)
    except TypeError as error:
        raise AnalyticsError(f"Gate {kind!r} is not valid: {error}", code="bad_gate") from error


def gates_from_dicts(items: Iterable[Mapping[str, Any]]) -> list[Gate]:
    return [gate_from_dict(item) for item in items]


@dataclass(frozen=True)
class CheckResult:
    gate: Gate
    passed: bool
    failing_rows: int
    total_rows: int
    sample: tuple[dict[str, Any], ...] = ()
    error: str | None = None
    observed: Any = None

    @property
    def blocking(self) -> bool:
        return not self.passed and self.gate.severity == "blocking"

    @property
    def pass_rate(self) -> float:
        if self.error is not None:
            return 0.0
        if isinstance(self.gate, Freshness | RowCount):
            return 1.0 if self.passed else 0.0
        if self.total_rows == 0:
            return 1.0
        return max(0.0, 1.0 - self.failing_rows / self.total_rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "gate": self.gate.to_dict(),
            "label": self.gate.label,
            "severity": self.gate.severity,
            "passed": self.passed,
            "failing_rows": self.failing_rows,
            "total_rows": self.total_rows,
            "sample": [dict(row) for row in self.sample],
            "error": self.error,
            "observed": _plain(self.observed),
        }


@dataclass(frozen=True)
class QualityReport:
    results: tuple[CheckResult, ...]
    total_rows: int
    checked_at: dt.datetime

    @property
    def passed(self) -> bool:
        """No blocking gate failed (warnings may have)."""
        return not any(r.blocking for r in self.results)

    @property
    def blocking_failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.blocking]

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.results if not r.passed and r.gate.severity == "warning"]

    @property
    def score(self) -> float:
        if not self.results:
            return 1.0
        return sum(r.pass_rate for r in self.results) / len(self.results)

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "score": round(self.score, 6),
            "total_rows": self.total_rows,
            "checked_at": self.checked_at.isoformat(),
            "results": [r.to_dict() for r in self.results],
        }


def evaluate(
    engine: Engine,
    table: ir.Table | str,
    gates: Sequence[Gate],
    *,
    sample: int = DEFAULT_SAMPLE,
    now: dt.datetime | None = None,
) -> QualityReport:
    """Run ``gates`` on ``table`` (an Ibis table of ``engine`` or a dataset name)."""
    target = engine.table(table) if isinstance(table, str) else table
    now = now or dt.datetime.now(dt.UTC)
    total = _scalar(engine, target.count())
    results = [_run(engine, target, gate, total, sample, now) for gate in gates]
    return QualityReport(results=tuple(results), total_rows=int(total or 0), checked_at=now)


def _run(
    engine: Engine, table: ir.Table, gate: Gate, total: int, sample: int, now: dt.datetime
) -> CheckResult:
    missing = [c for c in gate.used_columns() if c not in table.columns]
    if missing:
        return CheckResult(
            gate, False, total, total, error=f"column {', '.join(missing)} does not exist"
        )
    try:
        return _check(engine, table, gate, total, sample, now)
    except AnalyticsError as error:
        return CheckResult(gate, False, total, total, error=error.message)


def _check(
    engine: Engine, table: ir.Table, gate: Gate, total: int, sample: int, now: dt.datetime
) -> CheckResult:
    if isinstance(gate, NotNull):
        return _rows(engine, table, gate, table[gate.column].isnull(), total, sample)
    if isinstance(gate, Range):
        column = table[gate.column]
        low, high = _bound(gate.min, column), _bound(gate.max, column)
        bad: ir.BooleanValue | None = None
        if low is not None:
            clause = column < low if gate.inclusive else column <= low
            bad = clause if bad is None else bad | clause
        if high is not None:
            clause = column > high if gate.inclusive else column >= high
            bad = clause if bad is None else bad | clause
        if bad is None:
            return CheckResult(gate, True, 0, total)
        return _rows(engine, table, gate, column.notnull() & bad, total, sample)
    if isinstance(gate, AllowedValues):
        column = table[gate.column]
        return _rows(
            engine, table, gate, column.notnull() & ~column.isin(list(gate.values)), total, sample
        )
    if isinstance(gate, Unique):
        keys = list(gate.columns)
        present = table
        for key in keys:
            present = present.filter(present[key].notnull())
        groups = present.group_by(keys).aggregate(rows=ibis._.count())
        duplicated = groups.filter(groups.rows > 1)
        failing = _scalar(engine, duplicated.rows.sum()) or 0
        rows = engine.execute(duplicated.order_by([ibis.desc("rows"), *keys]).limit(sample))
        return CheckResult(gate, failing == 0, int(failing), total, _records(rows))
    if isinstance(gate, References):
        if gate.dataset not in engine.datasets:
            return CheckResult(
                gate, False, total, total, error=f"dataset {gate.dataset} is not loaded"
            )
        other = engine.table(gate.dataset)
        ref_column = gate.ref_column or gate.column
        if ref_column not in other.columns:
            return CheckResult(
                gate,
                False,
                total,
                total,
                error=f"{gate.dataset} has no column {ref_column}",
            )
        values = other.select(ref=other[ref_column]).distinct()
        present = table.filter(table[gate.column].notnull())
        orphans = present.anti_join(values, present[gate.column] == values.ref)
        failing = _scalar(engine, orphans.count()) or 0
        rows = engine.execute(orphans.limit(sample)) if failing else pa.table({})
        return CheckResult(gate, failing == 0, int(failing), total, _records(rows))
    if isinstance(gate, Freshness):
        latest = _scalar(engine, table[gate.column].max())
        if latest is None:
            return CheckResult(gate, False, 0, total, error="no values", observed=None)
        moment = _as_datetime(latest)
        age = now - moment
        return CheckResult(gate, age <= gate.max_age, 0, total, observed=moment)
    if isinstance(gate, RowCount):
        ok = total >= gate.min_rows and (gate.max_rows is None or total <= gate.max_rows)
        return CheckResult(gate, ok, 0, total, observed=total)
    raise AnalyticsError(f"Gate {gate.kind!r} cannot be evaluated.", code="bad_gate")


def _rows(
    engine: Engine,
    table: ir.Table,
    gate: Gate,
    predicate: ir.BooleanValue,
    total: int,
    sample: int,
) -> CheckResult:
    failing_rows = table.filter(predicate)
    failing = int(_scalar(engine, failing_rows.count()) or 0)
    rows = engine.execute(failing_rows.limit(sample)) if failing else pa.table({})
    return CheckResult(gate, failing == 0, failing, total, _records(rows))


def _scalar(engine: Engine, expr: ir.Scalar) -> Any:
    result = engine.execute(expr)
    value = result.column(0)[0].as_py() if result.num_rows else None
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _bound(value: Any, column: ir.Column) -> Any:
    if value is None:
        return None
    kind = column.type()
    if isinstance(value, str) and (kind.is_date() or kind.is_timestamp()):
        parsed = dt.datetime.fromisoformat(value)
        return parsed.date() if kind.is_date() else parsed
    return value


def _as_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time.max, tzinfo=dt.UTC)
    if isinstance(value, str):
        return _as_datetime(dt.datetime.fromisoformat(value))
    raise AnalyticsError(f"{value!r} is not a date or a timestamp.", code="bad_gate")


def _records(table: pa.Table) -> tuple[dict[str, Any], ...]:
    return tuple({k: _plain(v) for k, v in row.items()} for row in table.to_pylist())


def _plain(value: Any) -> Any:
    """A JSON-ready form of a value from a result row."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def _age(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400} days"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} hours"
    return f"{seconds} s"
