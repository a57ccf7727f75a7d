"""Quality gates as data, evaluated on the engine."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest

from egov.analytics.engines import (
    AllowedValues,
    AnalyticsError,
    DuckDBEngine,
    Freshness,
    NotNull,
    Range,
    References,
    RowCount,
    Unique,
    evaluate,
    gate_from_dict,
)
from egov.analytics.engines.quality import gates_from_dicts

NOW = dt.datetime(2024, 3, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def loaded(duck: DuckDBEngine) -> DuckDBEngine:
    duck.register(
        "payments",
        pa.table(
            {
                "id": [1, 2, 3, 3, 4, 5, None],
                "region": ["KZ-ALA", "KZ-AST", "KZ-XXX", "KZ-ALA", None, "KZ-AST", "KZ-ALA"],
                "amount": [10.0, -5.0, 20.0, 1e9, 30.0, None, 40.0],
                "status": ["paid", "paid", "void", "lost", "paid", "paid", "paid"],
                "day": [dt.date(2024, 3, d) for d in (1, 2, 3, 4, 5, 6, 7)],
            }
        ),
    )
    duck.register("regions", pa.table({"code": ["KZ-ALA", "KZ-AST", "KZ-SHY"]}))
    return duck


def test_each_gate_counts_failing_rows(loaded: DuckDBEngine) -> None:
    gates = [
        NotNull(column="region"),
        Unique(columns=("id",)),
        Range(column="amount", min=0, max=1_000_000),
        AllowedValues(column="status", values=("paid", "void")),
        References(column="region", dataset="regions", ref_column="code"),
        Freshness(column="day", max_age=dt.timedelta(days=5)),
        RowCount(min_rows=1, max_rows=100),
    ]
    report = evaluate(loaded, "payments", gates, now=NOW)
    counts = {r.gate.kind: (r.passed, r.failing_rows) for r in report.results}
    assert counts == {
        "not_null": (False, 1),
        "unique": (False, 2),  # the two rows with id 3 (null ids are not duplicates)
        "range": (False, 2),  # -5 and 1e9; the null amount is not checked here
        "allowed_values": (False, 1),
        "references": (False, 1),  # KZ-XXX
        "freshness": (True, 0),
        "row_count": (True, 0),
    }
    assert report.total_rows == 7
    assert not report.passed
    assert len(report.blocking_failures) == 5


def test_samples_show_the_failing_rows(loaded: DuckDBEngine) -> None:
    report = evaluate(
        loaded,
        "payments",
        [
            References(column="region", dataset="regions", ref_column="code"),
            Unique(columns=("id",)),
        ],
        now=NOW,
    )
    orphans, duplicates = report.results
    assert [row["region"] for row in orphans.sample] == ["KZ-XXX"]
    assert orphans.sample[0]["day"] == "2024-03-03"  # JSON-ready
    assert duplicates.sample == ({"id": 3, "rows": 2},)
    json.dumps(report.to_dict())  # the whole report serialises


def test_samples_are_bounded(duck: DuckDBEngine) -> None:
    duck.register("many", pa.table({"x": [None] * 500}))
    report = evaluate(duck, "many", [NotNull(column="x")], sample=5)
    assert report.results[0].failing_rows == 500
    assert len(report.results[0].sample) == 5


def test_warnings_do_not_block(loaded: DuckDBEngine) -> None:
    report = evaluate(
        loaded,
        "payments",
        [NotNull(column="region", severity="warning"), RowCount(min_rows=1)],
        now=NOW,
    )
    assert report.passed
    assert [w.gate.kind for w in report.warnings] == ["not_null"]
    assert 0.9 < report.score < 1.0


def test_stale_data_fails_freshness(loaded: DuckDBEngine) -> None:
    report = evaluate(
        loaded,
        "payments",
        [Freshness(column="day", max_age=dt.timedelta(days=1))],
        now=NOW,
    )
    result = report.results[0]
    assert not result.passed
    assert result.observed == dt.datetime.combine(dt.date(2024, 3, 7), dt.time.max, tzinfo=dt.UTC)


def test_ranges_on_dates_and_exclusive_bounds(loaded: DuckDBEngine) -> None:
    report = evaluate(
        loaded,
        "payments",
        [
            Range(column="day", min="2024-03-02", max="2024-03-06"),
            Range(column="amount", min=10, inclusive=False),
        ],
    )
    assert [r.failing_rows for r in report.results] == [2, 2]


def test_missing_columns_and_datasets_fail_the_gate(loaded: DuckDBEngine) -> None:
    report = evaluate(
        loaded,
        "payments",
        [NotNull(column="nope"), References(column="region", dataset="elsewhere")],
    )
    assert [r.error for r in report.results] == [
        "column nope does not exist",
        "dataset elsewhere is not loaded",
    ]
    assert not report.passed


def test_gates_round_trip_through_dicts() -> None:
    gates = [
        NotNull(column="a", name="a present"),
        Unique(columns=("a", "b"), severity="warning"),
        Range(column="x", min=0, max=10, inclusive=False),
        AllowedValues(column="s", values=("x", "y")),
        References(column="r", dataset="regions", ref_column="code"),
        Freshness(column="day", max_age=dt.timedelta(days=2)),
        RowCount(min_rows=10),
    ]
    data = json.loads(json.dumps([g.to_dict() for g in gates]))
    assert gates_from_dicts(data) == gates
    assert gate_from_dict({"kind": "unique", "columns": "a"}) == Unique(columns=("a",))
    for bad in (
        {"kind": "nope"},
        {"kind": "not_null"},
        {"kind": "not_null", "column": "a", "severity": "x"},
    ):
        with pytest.raises(AnalyticsError):
            gate_from_dict(bad)
