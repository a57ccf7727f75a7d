"""The engine interface on DuckDB (Spark runs the same in test_parity.py)."""

from __future__ import annotations

import decimal
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from egov.analytics.engines import (
    AnalyticsError,
    DuckDBEngine,
    EngineError,
    RowRule,
    SqlRejected,
    UnknownDataset,
    compare_results,
    connect,
)


def test_connect_defaults_to_in_memory_duckdb() -> None:
    with connect() as engine:
        assert isinstance(engine, DuckDBEngine) and engine.database == ":memory:"
    with pytest.raises(AnalyticsError) as caught:
        connect("oracle")  # type: ignore[arg-type]
    assert caught.value.code == "unknown_engine"


def test_register_parquet_csv_and_arrow(
    duck: DuckDBEngine, tmp_path: Path, trade_parquet: Path
) -> None:
    duck.register("trade", trade_parquet)
    csv = tmp_path / "regions.csv"
    csv.write_text("code,name\nKZ-ALA,Almaty\nKZ-AST,Astana\nKZ-SHY,Shymkent\n")
    duck.register("regions", csv)
    duck.register("targets", pa.table({"region": ["KZ-ALA"], "target": [1.0]}))
    assert duck.datasets == {"trade", "regions", "targets"}

    trade = duck.table("trade")
    regions = duck.table("regions")
    joined = trade.join(regions, trade.region == regions.code)
    result = duck.execute(
        joined.group_by("name").aggregate(total=joined.amount.sum()).order_by("name")
    )
    assert result.column("name").to_pylist() == ["Almaty", "Astana", "Shymkent"]
    assert duck.execute(duck.table("targets").count()).column(0)[0].as_py() == 1


def test_registering_again_replaces_the_version(duck: DuckDBEngine, tmp_path: Path) -> None:
    for n, rows in enumerate(([1, 2, 3], [10, 20])):
        path = tmp_path / f"v{n}.parquet"
        pq.write_table(pa.table({"x": rows}), path)
        duck.register("numbers", path)
        assert duck.sql("SELECT SUM(x) AS s FROM numbers").column("s")[0].as_py() == sum(rows)
    duck.register("numbers", pa.table({"x": [7]}))
    assert duck.sql("SELECT SUM(x) AS s FROM numbers").column("s")[0].as_py() == 7
    duck.register("numbers", tmp_path / "v0.parquet")
    assert duck.sql("SELECT COUNT(*) AS n FROM numbers").column("n")[0].as_py() == 3
    duck.unregister("numbers")
    assert "numbers" not in duck.datasets
    with pytest.raises(UnknownDataset):
        duck.table("numbers")


def test_a_folder_of_parquet_files_is_one_dataset(duck: DuckDBEngine, tmp_path: Path) -> None:
    folder = tmp_path / "parts"
    folder.mkdir()
    for part in range(3):
        pq.write_table(pa.table({"x": [part] * 10}), folder / f"part-{part}.parquet")
    duck.register("parts", folder)
    assert duck.execute(duck.table("parts").x.sum()).column(0)[0].as_py() == 30


def test_names_and_missing_files(duck: DuckDBEngine, tmp_path: Path) -> None:
    with pytest.raises(AnalyticsError) as caught:
        duck.register("Bad Name", pa.table({"x": [1]}))
    assert caught.value.code == "bad_dataset_name"
    with pytest.raises(UnknownDataset):
        duck.register("gone", tmp_path / "gone.parquet")


def test_sql_is_validated_against_the_registered_datasets(
    duck: DuckDBEngine, trade_parquet: Path
) -> None:
    duck.register("trade", trade_parquet)
    result = duck.sql("SELECT region, COUNT(*) AS n FROM trade GROUP BY region ORDER BY region")
    assert result.column("n").to_pylist() == [96, 96, 96]
    with pytest.raises(SqlRejected):
        duck.sql("SELECT * FROM read_parquet('/etc/passwd')")
    with pytest.raises(SqlRejected):
        duck.sql("SELECT * FROM duckdb_settings()")
    with pytest.raises(SqlRejected):
        duck.sql("DROP VIEW trade")
    assert "trade" in duck.datasets  # still there
    assert duck.sql("SELECT * FROM trade", limit=5).num_rows == 5


def test_engine_errors_are_wrapped(duck: DuckDBEngine, trade_parquet: Path) -> None:
    duck.register("trade", trade_parquet)
    with pytest.raises(EngineError) as caught:
        duck.sql("SELECT no_such_column FROM trade")
    assert "no_such_column" in caught.value.message


def test_row_rules_apply_to_tables_and_sql(duck: DuckDBEngine, trade_parquet: Path) -> None:
    duck.register("trade", trade_parquet)
    rules = [RowRule("trade", "organization", ("ORG1",))]
    table = duck.table("trade", row_rules=rules)
    orgs = duck.execute(table.select("organization").distinct())
    assert orgs.column(0).to_pylist() == ["ORG1"]
    result = duck.sql("SELECT DISTINCT organization FROM trade", row_rules=rules)
    assert result.column(0).to_pylist() == ["ORG1"]
    nothing = duck.sql(
        "SELECT COUNT(*) AS n FROM trade", row_rules=[RowRule("trade", "region", ())]
    )
    assert nothing.column("n")[0].as_py() == 0
    empty = duck.table("trade", row_rules=[RowRule("trade", "region", ())]).count()
    assert duck.execute(empty).column(0)[0].as_py() == 0
    with pytest.raises(EngineError) as caught:
        duck.table("trade", row_rules=[RowRule("trade", "nope", ("x",))])
    assert caught.value.code == "bad_row_rule"


def test_scalars_and_columns_come_back_as_tables(duck: DuckDBEngine, trade_parquet: Path) -> None:
    trade = duck.register("trade", trade_parquet)
    assert duck.execute(trade.amount.max().name("top")).column_names == ["top"]
    assert duck.execute(trade.region).num_rows == 288
    assert "SUM" in duck.compile(trade.amount.sum())
    assert len(duck.to_pandas(trade.limit(3))) == 3


def test_long_queries_time_out(duck: DuckDBEngine) -> None:
    big = duck.register("big", pa.table({"x": list(range(20_000))}))
    other = big.view()
    cross = big.cross_join(other.rename(y="x")).filter(ibis._.x * ibis._.y % 7 == 3).count()
    with pytest.raises(EngineError) as caught:
        duck.execute(cross, timeout=0.2)
    assert caught.value.code == "timeout"
    assert duck.execute(big.count()).column(0)[0].as_py() == 20_000  # still usable


def test_a_database_file_serves_read_only_readers(tmp_path: Path, trade_parquet: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    with DuckDBEngine(database) as writer:
        writer.register("trade", trade_parquet)
    with DuckDBEngine(database, read_only=True) as reader:
        # The view persisted in the file; a reader registers its own datasets as temporary views.
        reader.register("trade", trade_parquet)
        assert reader.sql("SELECT COUNT(*) AS n FROM trade").column("n")[0].as_py() == 288


def test_compare_results_ignores_order_and_numeric_types() -> None:
    left = pa.table({"k": ["a", "b"], "v": pa.array([1, 2], pa.int64())})
    right = pa.table(
        {
            "v": pa.array([decimal.Decimal(2), decimal.Decimal(1)], pa.decimal128(38, 0)),
            "k": ["b", "a"],
        }
    )
    assert compare_results(left, right) == []
    worse = pa.table({"k": ["a", "b"], "v": [1.0, 2.5]})
    assert compare_results(left, worse) == ["row 1, v: 2.0 vs 2.5"]
    assert compare_results(left, pa.table({"k": ["a"], "v": [1]})) == ["row counts differ: 2 vs 1"]
