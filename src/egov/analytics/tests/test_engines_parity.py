"""Every indicator and dashboard query of the built-in content, on DuckDB and on Spark: the same
numbers (the issue's shared cross-engine suite for the app's content)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from egov.analytics import definitions, demo, store, tiles
from egov.analytics.engines import (
    Dimension,
    DuckDBEngine,
    Frequency,
    SparkEngine,
    compare_results,
    compute,
    stop_spark,
)
from egov.analytics.models import Indicator, Tile
from egov.testing.services import unavailable

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkEngine]:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        unavailable("Spark needs Java 17")
    engine = SparkEngine(master="local[1]")
    yield engine
    engine.close()
    stop_spark()


def _queries() -> list[tuple[str, Indicator, dict[str, Any]]]:
    out = []
    for indicator in Indicator.objects.all():
        out.append((f"{indicator.code} by period", indicator, {"by": [Dimension.PERIOD]}))
    for tile in Tile.objects.select_related("indicator", "dashboard"):
        by = () if tile.kind == "kpi" else (tile.by,)
        params = tiles._params(tile, tiles.Filters(), by)
        out.append(
            (
                f"{tile.dashboard.slug} tile {tile.position}",
                tile.indicator,
                {
                    "by": [Dimension(b) for b in params.by],
                    "filters": {Dimension(k): list(v) for k, v in params.filters.items()},
                    "start": params.start,
                    "end": params.end,
                    "frequency": Frequency(params.frequency) if params.frequency else None,
                },
            )
        )
    return out


def test_duckdb_and_spark_give_the_same_numbers(registry, spark) -> None:  # type: ignore[no-untyped-def]
    demo.load()
    house = store.warehouse()
    duck = DuckDBEngine(threads=1)
    try:
        house.register(duck)
        house.register(spark)
        queries = _queries()
        assert len(queries) >= 25
        for label, indicator, kwargs in queries:
            engine_indicator = definitions.to_engine(indicator)
            left = compute(duck, engine_indicator, **kwargs)
            right = compute(spark, engine_indicator, **kwargs)
            differences = compare_results(left, right, rel_tol=1e-9)
            assert not differences, (label, differences)
    finally:
        duck.close()
