"""The built-in content: figures that match the published ones, statuses, idempotence."""

from __future__ import annotations

import pytest

from egov.analytics import demo
from egov.analytics.models import Dashboard, Dataset, Indicator, Load
from egov.testing.auth import log_in_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(registry):  # type: ignore[no-untyped-def]
    return demo.load()


def _data(client, code: str, **params: str):  # type: ignore[no-untyped-def]
    response = client.get(f"/api/analytics/indicators/{code}/data", params)
    assert response.status_code == 200, response.content
    return response.json()["rows"]


def test_trade_totals_match_the_published_figures(client, content) -> None:  # type: ignore[no-untyped-def]
    def agri(start: str, end: str) -> float:
        rows = _data(client, "kz-tj-agri-trade", by="", start=start, end=end)
        return rows[0]["value"]

    jan_feb_2024 = agri("2024-01-01", "2024-02-29")
    jan_feb_2023 = agri("2023-01-01", "2023-02-28")
    assert round(jan_feb_2024, 2) == 84_900_000.00
    assert round(jan_feb_2024 / jan_feb_2023 - 1, 3) == 0.089
    yearly = _data(client, "kz-tj-turnover", frequency="yearly")
    by_year = {r["period"][:4]: r["value"] for r in yearly}
    assert 0.95e9 < by_year["2023"] < 1.1e9  # doubling it is the $2 billion target
    positions = client.post(
        "/api/analytics/sql",
        {
            "sql": "SELECT COUNT(DISTINCT position) AS n, SUM(potential_usd) * 12 / "
            "COUNT(DISTINCT month) AS yearly FROM export_potential"
        },
        content_type="application/json",
    )
    assert positions.status_code == 401  # SQL needs an analyst; the figures are checked below
    rows = Dataset.objects.get(name="export_potential").rows
    assert rows == 85 * 33  # 85 positions, January 2024 – September 2026


def test_potential_and_statuses(client, content) -> None:  # type: ignore[no-untyped-def]
    log_in_demo(client, "analyst")
    response = client.post(
        "/api/analytics/sql",
        {
            "sql": "SELECT COUNT(DISTINCT position) AS n, SUM(potential_usd) AS total "
            "FROM export_potential WHERE month BETWEEN DATE '2024-01-01' AND DATE '2024-12-01'"
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    row = response.json()["rows"][0]
    assert row["n"] == 85
    assert abs(row["total"] - 190_000_000) < 100  # cents rounded per position and month
    turnover = Indicator.objects.get(code="kz-tj-turnover")
    assert turnover.status in {"off_track", "at_risk"}  # ~6% a year does not double by 2030
    assert turnover.status_detail["projected"] < 2e9
    assert Indicator.objects.get(code="kz-tj-export-potential").status != "no_data"
    realised = _data(client, "kz-tj-export-potential", by="", start="2024-01-01", end="2024-12-31")
    assert 20 < realised[0]["value"] < 60


def test_loading_twice_changes_nothing(content) -> None:  # type: ignore[no-untyped-def]
    counts = (Load.objects.count(), Indicator.objects.count(), Dashboard.objects.count())
    demo.load()
    assert (Load.objects.count(), Indicator.objects.count(), Dashboard.objects.count()) == counts
    assert Dashboard.objects.get(slug="kz-tj-trade").tiles.count() == 12
