"""The warehouse: numbered versions, atomic publish, quarantine, restore."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from egov.analytics.engines import (
    CsvOptions,
    DuckDBEngine,
    LoadRejected,
    NotNull,
    QualityGateFailed,
    References,
    SchemaDrift,
    Unique,
    UnknownDataset,
    Warehouse,
)

NOW = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path / "warehouse")


def test_each_load_is_a_new_version_with_a_manifest(warehouse: Warehouse, tmp_path: Path) -> None:
    source = write(tmp_path / "trade.csv", "region,amount\nKZ-ALA,10\nKZ-AST,20\n")
    first = warehouse.load("trade", source, loaded_by="analyst@example.kz", now=NOW)
    assert first.version.version == 1 and first.version.rows == 2
    assert first.version.schema == (("region", "string"), ("amount", "int64"))
    assert first.version.source_sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert first.version.sha256 == hashlib.sha256(first.version.data_path.read_bytes()).hexdigest()
    assert first.version.source == {"format": "csv", "file": "trade.csv"}
    assert first.version.loaded_by == "analyst@example.kz"
    assert first.version.created_at == NOW

    write(source, "region,amount\nKZ-ALA,11\n")
    second = warehouse.load("trade", source)
    assert second.version.version == 2
    current = warehouse.current("trade")
    assert current is not None and current.version == 2 and current.rows == 1
    assert [v.version for v in warehouse.versions("trade")] == [1, 2]
    assert warehouse.datasets() == ["trade"]
    manifest = json.loads((current.path / "manifest.json").read_text())
    assert manifest["rows"] == 1 and manifest["encoding"] == "utf-8"


def test_a_rejected_load_leaves_the_published_version(warehouse: Warehouse, tmp_path: Path) -> None:
    source = write(tmp_path / "trade.csv", "region,amount\nKZ-ALA,10\n")
    warehouse.load("trade", source)
    write(source, "region,amount\nKZ-ALA,10\nbroken,row,here\n")
    with pytest.raises(LoadRejected):
        warehouse.load("trade", source)
    current = warehouse.current("trade")
    assert current is not None and current.version == 1
    assert not any((warehouse.root / "trade" / "staging").iterdir())


def test_a_load_that_dies_half_way_changes_nothing(warehouse: Warehouse, tmp_path: Path) -> None:
    source = write(tmp_path / "trade.csv", "region,amount\n" + "KZ-ALA,1\n" * 50_000)
    warehouse.load("trade", source)
    calls = 0

    def crash(done: int, total: int | None) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt  # e.g. the worker is stopped mid-load

    write(source, "region,amount\n" + "KZ-AST,2\n" * 50_000)
    with pytest.raises(KeyboardInterrupt):
        warehouse.load("trade", source, csv_options=CsvOptions(block_size=16_384), progress=crash)
    current = warehouse.current("trade")
    assert current is not None and current.version == 1
    table = pq.read_table(current.data_path)
    assert set(table.column("region").to_pylist()) == {"KZ-ALA"}
    assert not any((warehouse.root / "trade" / "staging").iterdir())
    # The next load gets the next number; nothing half-written is ever published.
    assert warehouse.load("trade", source).version.version == 2


def test_schema_drift_stops_until_a_person_accepts_it(warehouse: Warehouse, tmp_path: Path) -> None:
    source = write(tmp_path / "trade.csv", "region,amount\nKZ-ALA,10\n")
    warehouse.load("trade", source)
    write(source, "region,amount,currency\nKZ-ALA,10,KZT\n")
    with pytest.raises(SchemaDrift) as caught:
        warehouse.load("trade", source)
    assert caught.value.details == {"added": ["currency"], "missing": []}
    assert warehouse.current("trade").version == 1  # type: ignore[union-attr]
    result = warehouse.load("trade", source, accept_schema_change=True)
    assert result.version.version == 2 and "currency" in dict(result.version.schema)


def test_later_loads_keep_the_published_types(warehouse: Warehouse, tmp_path: Path) -> None:
    source = write(tmp_path / "t.csv", "code,amount\n001,1.5\n")
    warehouse.load("t", source, csv_options=CsvOptions(column_types={"code": pa.string()}))
    write(source, "code,amount\n002,2\n")  # would infer int64 on its own
    version = warehouse.load("t", source).version
    assert pq.read_table(version.data_path).to_pylist() == [{"code": "002", "amount": 2.0}]
    write(source, "code,amount\n003,lots\n")
    with pytest.raises(LoadRejected) as caught:
        warehouse.load("t", source)
    assert caught.value.code == "bad_values"
    assert caught.value.details["problems"][0]["line"] == 2


def test_blocking_gates_quarantine_the_load(warehouse: Warehouse, tmp_path: Path) -> None:
    regions = write(tmp_path / "regions.csv", "code\nKZ-ALA\nKZ-AST\n")
    warehouse.load("regions", regions)
    source = write(tmp_path / "trade.csv", "region,amount\nKZ-ALA,10\n")
    gates = [
        NotNull(column="amount"),
        References(column="region", dataset="regions", ref_column="code"),
        Unique(columns=("region",), severity="warning"),
    ]
    first = warehouse.load("trade", source, gates=gates)
    assert first.report is not None and first.report.passed
    assert first.version.quality is not None and first.version.quality["passed"] is True

    write(source, "region,amount\nKZ-ALA,10\nKZ-XXX,\nKZ-ALA,5\n")
    with pytest.raises(QualityGateFailed) as caught:
        warehouse.load("trade", source, gates=gates)
    report = caught.value.details["report"]
    failed = {r["gate"]["kind"]: r["failing_rows"] for r in report["results"] if not r["passed"]}
    assert failed == {"not_null": 1, "references": 1, "unique": 2}
    assert warehouse.current("trade").version == 1  # type: ignore[union-attr]
    quarantined = warehouse.quarantined("trade")
    assert len(quarantined) == 1 and quarantined[0]["id"] == caught.value.details["quarantine"]
    folder = warehouse.root / "trade" / "quarantine" / quarantined[0]["id"]
    assert pq.read_table(folder / "data.parquet").num_rows == 3


def test_warnings_alone_publish(warehouse: Warehouse, tmp_path: Path) -> None:
    source = write(tmp_path / "trade.csv", "region,amount\nKZ-ALA,10\nKZ-ALA,\n")
    result = warehouse.load("trade", source, gates=[NotNull(column="amount", severity="warning")])
    assert result.report is not None and len(result.report.warnings) == 1
    assert result.version.version == 1


def test_gates_can_run_on_a_given_engine(warehouse: Warehouse, tmp_path: Path) -> None:
    source = write(tmp_path / "trade.csv", "region,amount\nKZ-ALA,10\n")
    with DuckDBEngine() as engine:
        warehouse.load("trade", source, gates=[NotNull(column="amount")], engine=engine)
        assert engine.datasets == frozenset()  # the staged data is not left behind


def test_restore_and_register(warehouse: Warehouse, tmp_path: Path) -> None:
    source = write(tmp_path / "trade.csv", "region,amount\nKZ-ALA,10\n")
    warehouse.load("trade", source)
    write(source, "region,amount\nKZ-ALA,99\n")
    warehouse.load("trade", source)
    warehouse.restore("trade", 1)
    with DuckDBEngine() as engine:
        assert warehouse.register(engine) == ["trade"]
        assert engine.sql("SELECT amount FROM trade").column(0).to_pylist() == [10]
    with pytest.raises(UnknownDataset):
        warehouse.restore("trade", 7)
    assert warehouse.prune("trade", keep=1) == []  # v2 is the newest, v1 is published
    warehouse.restore("trade", 2)
    assert warehouse.prune("trade", keep=1) == [1]


def test_arrow_sources_and_bad_names(warehouse: Warehouse) -> None:
    result = warehouse.load("calls", pa.table({"service": ["a", "b"], "n": [1, 2]}))
    assert result.version.rows == 2 and result.version.source == {"format": "arrow"}
    with pytest.raises(Exception) as caught:
        warehouse.load("../escape", pa.table({"x": [1]}))
    assert getattr(caught.value, "code", "") == "bad_dataset_name"
    assert warehouse.current("nothing_here") is None
