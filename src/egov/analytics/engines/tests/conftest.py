"""Fixtures for the engine layer's tests: no database, no Django (import-linter checks it)."""

from __future__ import annotations

import base64
import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from egov.analytics.engines import DuckDBEngine, KeyRing, SparkEngine
from egov.analytics.engines.engine import stop_spark

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Ibis 12 and pyspark 4.0 still call APIs that DuckDB 1.5 and pandas 3 deprecate."""
    for item in items:
        if Path(str(item.fspath)).parent == HERE:
            item.add_marker(
                pytest.mark.filterwarnings(
                    "ignore:fetch_arrow_table\\(\\) is deprecated:DeprecationWarning"
                )
            )
            item.add_marker(pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning"))


def strict() -> bool:
    return os.environ.get("EGOV_STRICT", "").lower() in {"1", "true", "yes", "on"}


def unavailable(reason: str) -> None:
    if strict():
        pytest.fail(f"EGOV_STRICT=1 and a required service is missing: {reason}")
    pytest.skip(reason)


KEY_1 = base64.b64encode(b"k1-test-key-material-0123456789abcdef").decode()
KEY_2 = base64.b64encode(b"k2-test-key-material-fedcba9876543210").decode()


@pytest.fixture
def keyring() -> KeyRing:
    return KeyRing.parse(f"k1={KEY_1},k2={KEY_2}", current_id="k1")


@pytest.fixture
def duck() -> Iterator[DuckDBEngine]:
    engine = DuckDBEngine(threads=2)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def spark_engine() -> Iterator[SparkEngine]:
    """One Spark session (local[1]) for the whole test session: start-up takes seconds."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        unavailable("Spark needs Java 17: apt-get install openjdk-17-jre-headless")
    engine = SparkEngine(master="local[1]")
    yield engine
    engine.close()
    stop_spark()


def trade_table() -> pa.Table:
    """A small trade dataset: months × regions × commodity groups, with exact cents."""
    rows = []
    regions = ["KZ-ALA", "KZ-AST", "KZ-SHY"]
    groups = ["fruit", "grain", "cotton", "metal"]
    for year in (2023, 2024):
        for month in range(1, 13):
            for r, region in enumerate(regions):
                for g, group in enumerate(groups):
                    amount = round(1000 + year % 100 * 7 + month * 13.25 + r * 101 + g * 37.5, 2)
                    rows.append(
                        {
                            "day": dt.date(year, month, 1 + (r + g) % 27),
                            "region": region,
                            "organization": f"ORG{(r + g) % 3}",
                            "commodity": group,
                            "amount": amount,
                            "errors": (month + r + g) % 5,
                            "calls": 20 + (month * 3 + r) % 11,
                        }
                    )
    return pa.Table.from_pylist(rows)


@pytest.fixture
def trade_parquet(tmp_path: Path) -> Path:
    path = tmp_path / "trade.parquet"
    pq.write_table(trade_table(), path)
    return path
