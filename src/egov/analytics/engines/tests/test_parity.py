"""The same indicators give the same numbers on DuckDB and Spark (local[1], one session)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from egov.analytics.engines import (
    AllowedValues,
    Dimension,
    DuckDBEngine,
    Frequency,
    NotNull,
    Range,
    References,
    RowRule,
    SparkEngine,
    Unique,
    UnknownDataset,
    compare_results,
    compute,
    evaluate,
)

from .test_indicators import ERROR_RATE, TURNOVER_SQL

QUERIES = [
    (TURNOVER_SQL, [Dimension.PERIOD, Dimension.REGION], None),
    (TURNOVER_SQL, [Dimension.CATEGORY], Frequency.YEARLY),
    (TURNOVER_SQL, [Dimension.PERIOD], Frequency.QUARTERLY),
    (ERROR_RATE, [Dimension.REGION, Dimension.ORGANIZATION], None),
    (ERROR_RATE, [Dimension.PERIOD], Frequency.YEARLY),
]


def test_indicators_agree_on_duckdb_and_spark(
    duck: DuckDBEngine, spark_engine: SparkEngine, trade_parquet: Path
) -> None:
    for engine in (duck, spark_engine):
        engine.register("trade", trade_parquet)
    for indicator, by, frequency in QUERIES:
        results = [
            compute(engine, indicator, by=by, frequency=frequency, start=dt.date(2023, 3, 1))
            for engine in (duck, spark_engine)
        ]
        assert results[0].num_rows > 0
        assert compare_results(*results, rel_tol=1e-9) == [], (indicator.code, by, frequency)

    rules = [RowRule("trade", "region", ("KZ-AST", "KZ-SHY"))]
    sql = (
        "WITH m AS (SELECT date_trunc('month', day) AS month, commodity, amount FROM trade) "
        "SELECT commodity, COUNT(*) AS n, SUM(amount) AS total, AVG(amount) AS mean "
        "FROM m WHERE month >= DATE '2024-01-01' GROUP BY commodity"
    )
    results = [engine.sql(sql, row_rules=rules) for engine in (duck, spark_engine)]
    assert results[0].num_rows == 4
    assert compare_results(*results) == []


def test_quality_gates_agree_on_duckdb_and_spark(
    duck: DuckDBEngine, spark_engine: SparkEngine
) -> None:
    payments = pa.table(
        {
            "id": [1, 2, 3, 3, None],
            "region": ["KZ-ALA", "KZ-XXX", "KZ-AST", None, "KZ-ALA"],
            "amount": [10.0, -1.0, 5.0, 7.0, None],
        }
    )
    regions = pa.table({"code": ["KZ-ALA", "KZ-AST"]})
    gates = [
        NotNull(column="region"),
        Unique(columns=("id",)),
        Range(column="amount", min=0),
        AllowedValues(column="region", values=("KZ-ALA", "KZ-AST")),
        References(column="region", dataset="regions", ref_column="code"),
    ]
    counts = []
    for engine in (duck, spark_engine):
        engine.register("payments", payments)
        engine.register("regions", regions)
        report = evaluate(engine, "payments", gates)
        counts.append([(r.passed, r.failing_rows, len(r.sample)) for r in report.results])
    assert (
        counts[0]
        == counts[1]
        == [
            (False, 1, 1),
            (False, 2, 1),
            (False, 1, 1),
            (False, 1, 1),
            (False, 1, 1),
        ]
    )


def test_spark_registers_csv_and_replaces_versions(
    spark_engine: SparkEngine, tmp_path: Path
) -> None:
    csv = tmp_path / "regions.csv"
    csv.write_text("code,population\nKZ-ALA,2200000\nKZ-AST,1400000\n")
    spark_engine.register("regions_csv", csv)
    assert spark_engine.sql("SELECT SUM(population) AS p FROM regions_csv").column("p")[
        0
    ].as_py() == (3_600_000)
    spark_engine.register("regions_csv", pa.table({"code": ["KZ-SHY"], "population": [1_200_000]}))
    assert spark_engine.sql("SELECT COUNT(*) AS n FROM regions_csv").column("n")[0].as_py() == 1
    spark_engine.unregister("regions_csv")
    with pytest.raises(UnknownDataset):
        spark_engine.table("regions_csv")
