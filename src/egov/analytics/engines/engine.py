"""One engine interface over Ibis: embedded DuckDB (default) and Apache Spark.

An :class:`Engine` knows a set of *datasets*, each a name bound to one published version
(a Parquet file or folder, a CSV file, or an Arrow table). It runs Ibis expressions built from
:meth:`Engine.table`, and read-only SQL that :mod:`~egov.analytics.engines.sqlguard` accepted,
and returns Arrow tables (or pandas frames). Row-level rules are applied inside the engine query.

* :class:`DuckDBEngine` — in-process; an in-memory database by default (datasets are views over
  Parquet files, so every process can open the latest snapshot by itself), or a database file.
  DuckDB allows one writer process and many read-only ones.
* :class:`SparkEngine` — pyspark; ``local[N]`` on one machine, a cluster URL in production. One
  Spark session per process (:func:`spark_session`); its temporary views are the datasets.

The same Ibis expression or SQL gives the same numbers on both; :func:`compare_results` says
where two results differ, for the cross-engine test suite.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from egov.analytics.engines.errors import AnalyticsError, EngineError, UnknownDataset
from egov.analytics.engines.sqlguard import (
    RowRule,
    ValidatedQuery,
    apply_row_rules,
    is_dataset_name,
    validate_sql,
)

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import SparkSession

__all__ = [
    "DuckDBEngine",
    "Engine",
    "EngineKind",
    "SourceFormat",
    "SparkEngine",
    "compare_results",
    "connect",
    "spark_session",
    "stop_spark",
]

EngineKind = Literal["duckdb", "spark"]
SourceFormat = Literal["parquet", "csv", "arrow"]


@dataclass(frozen=True)
class Registration:
    """What a dataset name is bound to in an engine."""

    name: str
    format: SourceFormat
    location: str  # a path, or "<arrow>"


class Engine(ABC):
    """A query engine over named datasets. Use :func:`connect` to get one."""

    kind: ClassVar[EngineKind]
    dialect: ClassVar[str]

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self._registrations: dict[str, Registration] = {}
        self._lock = threading.RLock()

    # -- datasets -------------------------------------------------------------------------------

    @property
    def datasets(self) -> frozenset[str]:
        return frozenset(self._registrations)

    def registration(self, name: str) -> Registration:
        try:
            return self._registrations[name]
        except KeyError:
            raise UnknownDataset(f"Dataset {name!r} is not registered.", dataset=name) from None

    def register(
        self,
        name: str,
        source: str | Path | pa.Table,
        *,
        format: SourceFormat | None = None,
    ) -> ir.Table:
        """Bind ``name`` to ``source`` (replacing what it was bound to) and return its table."""
        _check_name(name)
        if isinstance(source, pa.Table):
            fmt: SourceFormat = "arrow"
        else:
            fmt = format or _guess_format(Path(source))
        with self._lock:
            try:
                if fmt == "arrow":
                    if not isinstance(source, pa.Table):
                        raise AnalyticsError("An Arrow dataset needs a pyarrow.Table.")
                    self._register_arrow(name, source)
                    location = "<arrow>"
                else:
                    path = Path(str(source)).resolve()
                    if not path.exists():
                        raise UnknownDataset(
                            f"{path} does not exist.", code="missing_file", path=str(path)
                        )
                    if fmt == "parquet":
                        self._register_parquet(name, path)
                    else:
                        self._register_csv(name, path)
                    location = str(path)
            except AnalyticsError:
                raise
            except Exception as error:
                raise EngineError(
                    f"Could not register {name!r}: {_first_line(error)}", dataset=name
                ) from error
            self._registrations[name] = Registration(name, fmt, location)
        return self.table(name)

    def unregister(self, name: str) -> None:
        with self._lock:
            self.registration(name)
            self._unregister(name)
            del self._registrations[name]

    def table(self, name: str, *, row_rules: Sequence[RowRule] = ()) -> ir.Table:
        """The dataset as an Ibis table, read through the row rules that concern it."""
        self.registration(name)
        table = self.backend.table(name)
        for rule in row_rules:
            if rule.dataset.lower() != name:
                continue
            if rule.column not in table.columns:
                raise EngineError(
                    f"Row rule on {name!r} names column {rule.column!r}, which it does not have.",
                    code="bad_row_rule",
                    dataset=name,
                    column=rule.column,
                )
            column = table[rule.column]
            table = table.filter(
                column.isin(list(rule.values)) if rule.values else ibis.literal(False)
            )
        return table

    # -- queries ---------------------------------------------------------------------------------

    def execute(self, expr: ir.Expr, *, limit: int | None = None) -> pa.Table:
        """Run an Ibis expression (a table, column or scalar) and return an Arrow table."""
        try:
            result = self.backend.to_pyarrow(expr, limit=limit)
        except AnalyticsError:
            raise
        except Exception as error:
            raise EngineError(f"The query failed: {_first_line(error)}") from error
        if isinstance(result, pa.Table):
            return result
        if isinstance(result, pa.ChunkedArray | pa.Array):
            return pa.table({_expr_name(expr): result})
        return pa.table({_expr_name(expr): pa.array([_scalar_value(result)])})

    def to_pandas(self, expr: ir.Expr, *, limit: int | None = None) -> pd.DataFrame:
        return self.execute(expr, limit=limit).to_pandas()

    def validate(
        self, sql: str, *, dialect: str = "duckdb", extra_functions: Sequence[str] = ()
    ) -> ValidatedQuery:
        """Check user SQL against the datasets registered here."""
        return validate_sql(sql, self.datasets, dialect=dialect, extra_functions=extra_functions)

    def sql_table(
        self,
        query: str | ValidatedQuery,
        *,
        dialect: str = "duckdb",
        row_rules: Sequence[RowRule] = (),
    ) -> ir.Table:
        """Validated read-only SQL as an Ibis table (to compose further, or to run)."""
        validated = (
            query if isinstance(query, ValidatedQuery) else self.validate(query, dialect=dialect)
        )
        unknown = validated.tables - self.datasets
        if unknown:
            raise UnknownDataset(
                f"Dataset {sorted(unknown)[0]!r} is not registered.", dataset=sorted(unknown)[0]
            )
        validated = apply_row_rules(validated, row_rules)
        text = validated.sql(self.dialect)
        try:
            return self.backend.sql(text, dialect=self.dialect)
        except Exception as error:
            raise EngineError(f"The query failed: {_first_line(error)}", sql=text) from error

    def sql(
        self,
        query: str | ValidatedQuery,
        *,
        dialect: str = "duckdb",
        limit: int | None = None,
        row_rules: Sequence[RowRule] = (),
    ) -> pa.Table:
        """Run read-only SQL (validated here unless it already was) and return an Arrow table."""
        return self.execute(
            self.sql_table(query, dialect=dialect, row_rules=row_rules), limit=limit
        )

    def compile(self, expr: ir.Expr) -> str:
        """The SQL this engine would run for ``expr`` (for logs and lineage)."""
        return str(ibis.to_sql(expr, dialect=self.dialect))

    def close(self) -> None:
        with self._lock:
            for name in list(self._registrations):
                with suppress(Exception):  # closing is best effort
                    self._unregister(name)
            self._registrations.clear()
            self._close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- backend specifics -----------------------------------------------------------------------

    @abstractmethod
    def _register_parquet(self, name: str, path: Path) -> None: ...

    @abstractmethod
    def _register_csv(self, name: str, path: Path) -> None: ...

    @abstractmethod
    def _register_arrow(self, name: str, table: pa.Table) -> None: ...

    @abstractmethod
    def _unregister(self, name: str) -> None: ...

    def _close(self) -> None:
        return None


class DuckDBEngine(Engine):
    """Embedded DuckDB: ``":memory:"`` (default) or a database file (``read_only`` for readers)."""

    kind = "duckdb"
    dialect = "duckdb"

    def __init__(
        self,
        database: str | Path = ":memory:",
        *,
        read_only: bool = False,
        threads: int | None = None,
        memory_limit: str | None = None,
    ) -> None:
        config: dict[str, Any] = {}
        if threads is not None:
            config["threads"] = threads
        if memory_limit is not None:
            config["memory_limit"] = memory_limit
        self.database = str(database)
        self.read_only = read_only
        backend = ibis.duckdb.connect(database=self.database, read_only=read_only, **config)
        super().__init__(backend)
        self._temporary = read_only or self.database == ":memory:"

    def _view(self, name: str, select: exp.Expression) -> None:
        create = exp.Create(
            kind="VIEW",
            this=exp.to_table(name, quoted=True),
            expression=select,
            replace=True,
            properties=exp.Properties(expressions=[exp.TemporaryProperty()])
            if self._temporary
            else None,
        )
        self._drop_arrow(name)
        self.backend.raw_sql(create.sql(dialect="duckdb"))

    def _drop_arrow(self, name: str) -> None:
        registration = self._registrations.get(name)
        if registration is not None and registration.format == "arrow":
            self.backend.con.unregister(name)

    def _register_parquet(self, name: str, path: Path) -> None:
        pattern = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
        reader = exp.func("read_parquet", exp.Literal.string(pattern))
        self._view(name, exp.select("*").from_(reader))

    def _register_csv(self, name: str, path: Path) -> None:
        reader = exp.func(
            "read_csv",
            exp.Literal.string(str(path)),
            exp.EQ(this=exp.column("header"), expression=exp.true()),
        )
        self._view(name, exp.select("*").from_(reader))

    def _register_arrow(self, name: str, table: pa.Table) -> None:
        if name in self._registrations and self._registrations[name].format != "arrow":
            self.backend.raw_sql(
                exp.Drop(kind="VIEW", this=exp.to_table(name, quoted=True), exists=True).sql(
                    dialect="duckdb"
                )
            )
        self.backend.con.register(name, table)

    def _unregister(self, name: str) -> None:
        registration = self._registrations[name]
        if registration.format == "arrow":
            self.backend.con.unregister(name)
        else:
            self.backend.raw_sql(
                exp.Drop(kind="VIEW", this=exp.to_table(name, quoted=True), exists=True).sql(
                    dialect="duckdb"
                )
            )

    def interrupt(self) -> None:
        """Stop the query running on this engine (from another thread)."""
        self.backend.con.interrupt()

    def execute(
        self, expr: ir.Expr, *, limit: int | None = None, timeout: float | None = None
    ) -> pa.Table:
        """Like :meth:`Engine.execute`; with ``timeout`` (seconds) a longer query is stopped."""
        if timeout is None:
            return super().execute(expr, limit=limit)
        timer = threading.Timer(timeout, self.interrupt)
        timer.start()
        try:
            return super().execute(expr, limit=limit)
        except EngineError as error:
            if not timer.is_alive():
                raise EngineError(
                    f"The query took longer than {timeout:g} s and was stopped.",
                    code="timeout",
                    timeout=timeout,
                ) from error
            raise
        finally:
            timer.cancel()

    def _close(self) -> None:
        self.backend.disconnect()


_SPARK_LOCK = threading.Lock()
_SPARK: SparkSession | None = None

SPARK_DEFAULTS: Mapping[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.ansi.enabled": "false",
    "spark.driver.extraJavaOptions": "-Dlog4j2.level=ERROR",
}


def spark_session(
    master: str = "local[1]",
    *,
    app_name: str = "egov-analytics",
    config: Mapping[str, str] | None = None,
) -> SparkSession:
    """The process's Spark session, created on first use (start-up takes seconds)."""
    global _SPARK
    with _SPARK_LOCK:
        if _SPARK is not None and not _spark_stopped(_SPARK):
            return _SPARK
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.master(master).appName(app_name)
        settings = {**SPARK_DEFAULTS, "spark.sql.shuffle.partitions": _partitions(master)}
        for key, value in {**settings, **(config or {})}.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        py4j = logging.getLogger("py4j")
        if py4j.level == logging.NOTSET:
            py4j.setLevel(logging.WARNING)  # it logs every connection at INFO
        _SPARK = session
        return session


def stop_spark() -> None:
    """Stop the process's Spark session (at shutdown; the next use starts a new one)."""
    global _SPARK
    with _SPARK_LOCK:
        if _SPARK is not None:
            _SPARK.stop()
            _SPARK = None


def _partitions(master: str) -> str:
    """Shuffle partitions: the cores of ``local[N]`` (Spark's 200 suit clusters, not one box)."""
    match = re.fullmatch(r"local\[(\d+)(?:,\d+)?\]", master)
    if match:
        return match.group(1)
    if master.startswith("local"):
        return str(os.cpu_count() or 2)
    return "200"


def _spark_stopped(session: SparkSession) -> bool:
    try:
        return bool(session.sparkContext._jsc is None)
    except Exception:
        return True


class SparkEngine(Engine):
    """Apache Spark through pyspark; the datasets are temporary views of the session."""

    kind = "spark"
    dialect = "spark"

    def __init__(self, session: SparkSession | None = None, *, master: str = "local[1]") -> None:
        self.session = session if session is not None else spark_session(master)
        super().__init__(ibis.pyspark.connect(self.session))

    def _register_parquet(self, name: str, path: Path) -> None:
        self.session.read.parquet(str(path)).createOrReplaceTempView(name)

    def _register_csv(self, name: str, path: Path) -> None:
        reader = self.session.read.option("header", "true").option("inferSchema", "true")
        reader.csv(str(path)).createOrReplaceTempView(name)

    def _register_arrow(self, name: str, table: pa.Table) -> None:
        self.session.createDataFrame(table).createOrReplaceTempView(name)

    def _unregister(self, name: str) -> None:
        self.session.catalog.dropTempView(name)


def connect(kind: EngineKind = "duckdb", **options: Any) -> Engine:
    """An engine by name: ``connect()`` is in-memory DuckDB, ``connect("spark", master=…)``."""
    if kind == "duckdb":
        return DuckDBEngine(**options)
    if kind == "spark":
        return SparkEngine(**options)
    raise AnalyticsError(
        f"Unknown engine {kind!r}; use 'duckdb' or 'spark'.", code="unknown_engine"
    )


# -- comparing results --------------------------------------------------------------------------


def compare_results(
    left: pa.Table,
    right: pa.Table,
    *,
    keys: Sequence[str] | None = None,
    rel_tol: float = 1e-9,
    abs_tol: float = 1e-9,
    max_differences: int = 20,
) -> list[str]:
    """Differences between two results, ignoring row order and numeric type; empty if equal.

    Rows are matched after sorting by ``keys`` (default: every non-floating column). Numbers
    compare with ``math.isclose``; integers, decimals and floats of equal value are equal, and so
    are dates and timestamps at midnight of that date.
    """
    problems: list[str] = []
    if sorted(left.column_names) != sorted(right.column_names):
        return [f"columns differ: {sorted(left.column_names)} vs {sorted(right.column_names)}"]
    if left.num_rows != right.num_rows:
        return [f"row counts differ: {left.num_rows} vs {right.num_rows}"]
    columns = list(left.column_names)
    left = _normalise(left.select(columns))
    right = _normalise(right.select(columns))
    if keys is None:
        keys = [c for c in columns if not pa.types.is_floating(left.schema.field(c).type)]
    order = [(k, "ascending") for k in keys] or [(c, "ascending") for c in columns]
    left_rows = left.sort_by(order).to_pylist()
    right_rows = right.sort_by(order).to_pylist()
    for index, (a, b) in enumerate(zip(left_rows, right_rows, strict=True)):
        for column in columns:
            if not _same(a[column], b[column], rel_tol, abs_tol):
                problems.append(f"row {index}, {column}: {a[column]!r} vs {b[column]!r}")
                if len(problems) >= max_differences:
                    return problems
    return problems


def _normalise(table: pa.Table) -> pa.Table:
    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        kind = field.type
        if pa.types.is_decimal(kind) or pa.types.is_integer(kind):
            column = pc.cast(column, pa.float64())
        elif pa.types.is_timestamp(kind):
            column = pc.cast(column, pa.timestamp("us"))
        elif pa.types.is_date(kind):
            column = pc.cast(pc.cast(column, pa.date32()), pa.timestamp("us"))
        elif pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
            column = pc.cast(column, pa.string())
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def _same(a: Any, b: Any, rel_tol: float, abs_tol: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)
    return bool(a == b)


# -- helpers ------------------------------------------------------------------------------------


def _check_name(name: str) -> None:
    if not is_dataset_name(name):
        raise AnalyticsError(
            f"{name!r} is not a valid dataset name: use lower-case letters, digits and '_', "
            "starting with a letter (at most 63 characters).",
            code="bad_dataset_name",
            dataset=name,
        )


def _guess_format(path: Path) -> SourceFormat:
    if path.is_dir() or path.suffix.lower() == ".parquet":
        return "parquet"
    if path.suffix.lower() in {".csv", ".txt"}:
        return "csv"
    raise AnalyticsError(
        f"Cannot tell the format of {path.name}; pass format='parquet' or 'csv'.",
        code="unknown_format",
    )


def _first_line(error: BaseException) -> str:
    lines = [line for line in str(error).strip().splitlines() if line.strip()]
    return lines[0][:500] if lines else type(error).__name__


def _expr_name(expr: ir.Expr) -> str:
    try:
        return str(expr.get_name())
    except Exception:
        return "value"


def _scalar_value(value: Any) -> Any:
    if isinstance(value, pa.Scalar):
        return value.as_py()
    return value


@contextmanager
def registered(engine: Engine, datasets: Mapping[str, str | Path | pa.Table]) -> Iterator[Engine]:
    """Register several datasets for the duration of a block (tests, one-off computations)."""
    for name, source in datasets.items():
        engine.register(name, source)
    try:
        yield engine
    finally:
        for name in datasets:
            if name in engine.datasets:
                engine.unregister(name)
