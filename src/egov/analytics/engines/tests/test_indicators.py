"""Indicators: roll-ups by dimension, frequency, filters, row rules; series helpers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis.expr.types as ir
import pyarrow as pa
import pytest

from egov.analytics.engines import (
    AnalyticsError,
    Dimension,
    DuckDBEngine,
    Frequency,
    Indicator,
    Observation,
    RowRule,
    compute,
)
from egov.analytics.engines.indicators import (
    TableSource,
    change,
    period_total,
    plan_vs_actual,
    rolling_sum,
    series,
    year_over_year,
)

from .conftest import trade_table

DIMS = {
    Dimension.PERIOD: "day",
    Dimension.REGION: "region",
    Dimension.ORGANIZATION: "organization",
    Dimension.CATEGORY: "commodity",
}

TURNOVER_SQL = Indicator(
    code="trade-turnover",
    unit="USD",
    frequency=Frequency.MONTHLY,
    sql="SELECT day, region, organization, commodity, amount AS value FROM trade",
    dimensions=DIMS,
)


def _error_rate(tables: TableSource) -> ir.Table:
    t = tables("trade")
    return t.select("day", "region", "organization", "commodity", "errors", "calls")


ERROR_RATE = Indicator(
    code="error-rate",
    unit="%",
    expression=_error_rate,
    dimensions=DIMS,
    value="errors",
    denominator="calls",
    aggregation="ratio",
    factor=100.0,
    datasets=("trade",),
)


@pytest.fixture
def engine(duck: DuckDBEngine, trade_parquet: Path) -> DuckDBEngine:
    duck.register("trade", trade_parquet)
    return duck


def expected_totals(key: str) -> dict[object, float]:
    totals: dict[object, float] = {}
    for row in trade_table().to_pylist():
        k = row[key] if key != "month" else row["day"].replace(day=1)
        totals[k] = totals.get(k, 0.0) + row["amount"]
    return totals


def test_monthly_totals_by_region(engine: DuckDBEngine) -> None:
    result = compute(engine, TURNOVER_SQL, by=[Dimension.REGION])
    got = dict(
        zip(result.column("region").to_pylist(), result.column("value").to_pylist(), strict=True)
    )
    assert got == pytest.approx(expected_totals("region"))
    monthly = compute(engine, TURNOVER_SQL)
    assert monthly.column_names == ["period", "value"]
    got = dict(
        zip(monthly.column("period").to_pylist(), monthly.column("value").to_pylist(), strict=True)
    )
    assert got == pytest.approx(expected_totals("month"))
    assert monthly.num_rows == 24


def test_coarser_frequency_filters_and_ranges(engine: DuckDBEngine) -> None:
    yearly = compute(
        engine,
        TURNOVER_SQL,
        frequency=Frequency.YEARLY,
        filters={Dimension.REGION: ["KZ-ALA"], Dimension.CATEGORY: ["fruit", "grain"]},
        start=dt.date(2024, 1, 1),
    )
    rows = trade_table().to_pylist()
    expected = sum(
        r["amount"]
        for r in rows
        if r["region"] == "KZ-ALA"
        and r["commodity"] in {"fruit", "grain"}
        and r["day"].year == 2024
    )
    assert yearly.to_pylist() == [{"period": dt.date(2024, 1, 1), "value": pytest.approx(expected)}]
    quarterly = compute(engine, TURNOVER_SQL, frequency=Frequency.QUARTERLY)
    assert quarterly.num_rows == 8
    with pytest.raises(AnalyticsError) as caught:
        compute(engine, TURNOVER_SQL, frequency=Frequency.DAILY)
    assert caught.value.code == "frequency_too_fine"


def test_ratios_roll_up_as_ratios(engine: DuckDBEngine) -> None:
    result = compute(engine, ERROR_RATE, by=[Dimension.REGION])
    rows = trade_table().to_pylist()
    for region, value in zip(
        result.column("region").to_pylist(), result.column("value").to_pylist(), strict=True
    ):
        errors = sum(r["errors"] for r in rows if r["region"] == region)
        calls = sum(r["calls"] for r in rows if r["region"] == region)
        assert value == pytest.approx(100 * errors / calls)
    total = compute(engine, ERROR_RATE, by=[])
    assert total.column_names == ["value"]
    assert total.column("value")[0].as_py() == pytest.approx(
        100 * sum(r["errors"] for r in rows) / sum(r["calls"] for r in rows)
    )


def test_row_rules_limit_what_an_organization_sees(engine: DuckDBEngine) -> None:
    rules = [RowRule("trade", "organization", ("ORG2",))]
    for indicator in (TURNOVER_SQL, ERROR_RATE):
        result = compute(engine, indicator, by=[Dimension.ORGANIZATION], row_rules=rules)
        assert result.column("organization").to_pylist() == ["ORG2"]


def test_definitions_are_checked(engine: DuckDBEngine) -> None:
    with pytest.raises(AnalyticsError):
        Indicator(code="x", dimensions={})
    with pytest.raises(AnalyticsError):
        Indicator(code="x", dimensions={}, sql="SELECT 1", aggregation="ratio")
    no_region = Indicator(
        code="x", dimensions={Dimension.PERIOD: "day"}, sql="SELECT day, amount AS value FROM trade"
    )
    with pytest.raises(AnalyticsError) as caught:
        compute(engine, no_region, by=[Dimension.REGION])
    assert caught.value.code == "unknown_dimension"
    wrong = Indicator(code="x", dimensions={Dimension.PERIOD: "day"}, sql="SELECT day FROM trade")
    with pytest.raises(AnalyticsError) as caught:
        compute(engine, wrong)
    assert caught.value.code == "bad_indicator"
    assert TURNOVER_SQL.inputs(engine) == {"trade"}
    assert ERROR_RATE.inputs(engine) == {"trade"}


# -- series helpers -----------------------------------------------------------------------------


def months(year: int, values: list[float]) -> list[Observation]:
    return [Observation(dt.date(year, m + 1, 1), v) for m, v in enumerate(values)]


def test_year_on_year_agricultural_trade() -> None:
    # January–February agricultural trade, USD million: 84.9 in 2024, 8.9% above 2023.
    observations = months(2023, [37.0, 40.96]) + months(2024, [40.3, 44.6])
    now = period_total(observations, dt.date(2024, 1, 1), dt.date(2024, 2, 29))
    before = period_total(observations, dt.date(2023, 1, 1), dt.date(2023, 2, 28))
    assert now == pytest.approx(84.9)
    assert change(now, before) == pytest.approx(0.089, abs=0.0005)
    pairs = year_over_year(observations)
    assert pairs[2][1] == observations[0]
    assert pairs[2][2] == pytest.approx(40.3 / 37.0 - 1)
    assert pairs[0][1] is None and pairs[0][2] is None


def test_series_rolling_and_plan_vs_actual() -> None:
    table = pa.table(
        {"period": [dt.date(2024, 2, 1), dt.date(2024, 1, 1), None], "value": [2, 1, 5]}
    )
    assert series(table) == [
        Observation(dt.date(2024, 1, 1), 1.0),
        Observation(dt.date(2024, 2, 1), 2.0),
    ]
    rolled = rolling_sum(months(2024, [1, 2, 3, 4]), 3)
    assert [o.value for o in rolled] == [6, 9]
    rows = plan_vs_actual(months(2024, [10, 10]), months(2024, [12]))
    assert [(r.achieved, r.gap) for r in rows] == [(1.2, 2), (None, None)]
    assert change(1, 0) is None and change(None, 1) is None
