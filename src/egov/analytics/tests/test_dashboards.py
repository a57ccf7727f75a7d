"""Dashboards over the built-in content: tiles, filters, drill-down, exports, YAML, embed, open
data."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from PIL import Image

from egov.analytics import demo
from egov.analytics.models import Dashboard
from egov.testing.auth import log_in_demo

pytestmark = pytest.mark.django_db

TRADE = "/analytics/dashboards/kz-tj-trade/"


@pytest.fixture
def content(registry):  # type: ignore[no-untyped-def]
    demo.load()


def test_the_trade_dashboard_shows_every_tile(client, content) -> None:  # type: ignore[no-untyped-def]
    response = client.get(TRADE, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    tiles = response.context["tiles"]
    assert len(tiles) == 12 and not [t.error for t in tiles if t.error]
    agri = tiles[1]
    assert round(agri.value, 2) == 84_900_000.00 and round(agri.delta, 3) == 0.089
    page = response.content.decode()
    assert page.count("<svg") == 7 and "+8.9%" in page and "84.9M" in page
    assert "region=" in page  # drill-down links from the region breakdown


def test_filters_apply_across_tiles_and_drill_down_to_a_region(client, content) -> None:  # type: ignore[no-untyped-def]
    national = client.get(TRADE).context["tiles"]
    region = national[4].rows[0]["region"]
    filtered = client.get(TRADE, {"region": region}).context["tiles"]
    assert filtered[0].value < national[0].value
    by_region = filtered[4].rows
    assert [r["region"] for r in by_region] == [region]
    assert filtered[4].drill == ""  # already at the region
    window = client.get(TRADE, {"start": "2024-01-01", "end": "2024-02-29"}).context["tiles"]
    assert round(window[1].value, 2) == 84_900_000.00
    broken = client.get(TRADE, {"start": "not-a-date", "category": "x" * 500})
    assert broken.status_code == 200


def test_tiles_export_as_csv_xlsx_and_png(client, content) -> None:  # type: ignore[no-untyped-def]
    rows = client.get(f"{TRADE}tiles/4.csv")
    assert rows["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(rows.content.decode())))
    assert table[0].keys() == {"region", "value"} and len(table) == 8
    book = load_workbook(io.BytesIO(client.get(f"{TRADE}tiles/4.xlsx").content))
    sheet = book.active
    assert [c.value for c in sheet[1]] == ["region", "value"] and sheet.max_row == 9
    png = client.get(f"{TRADE}tiles/3.png")
    assert png["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    assert image.size[0] >= 640
    assert client.get(f"{TRADE}tiles/3.pdf").status_code == 404
    assert client.get(f"{TRADE}tiles/99.csv").status_code == 404
    ops = client.get("/analytics/dashboards/smart-bridge-operations/")
    assert ops.status_code == 404  # internal: not for anonymous readers


def test_dashboard_yaml_import_export_and_restore(client, content) -> None:  # type: ignore[no-untyped-def]
    exported = client.get("/analytics/yaml/dashboard/kz-tj-trade.yaml").content.decode()
    assert "slug: kz-tj-trade" in exported and "code: kz-tj-turnover" in exported
    log_in_demo(client, "analyst")
    changed = exported.replace("Bilateral trade: Kazakhstan – Tajikistan", "Trade (edited)")
    response = client.post("/analytics/dashboards/import/", {"document": changed})
    assert response.status_code == 302
    assert Dashboard.objects.get(slug="kz-tj-trade").title_en == "Trade (edited)"
    bad = client.post("/analytics/dashboards/import/", {"document": "kind: dashboard\nslug: x\n"})
    assert bad.status_code == 200 and bad.context["form"].errors
    page = client.get(TRADE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Version history" in page
    restored = client.post("/analytics/revisions/dashboard/kz-tj-trade/1/restore/")
    assert restored.status_code == 302
    dashboard = Dashboard.objects.get(slug="kz-tj-trade")
    assert dashboard.title_en.startswith("Bilateral trade") and dashboard.tiles.count() == 12


def test_public_indicators_can_be_embedded_by_irbp_pages(client, content) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/analytics/embed/indicator/kz-tj-turnover/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert "<svg" in response.content.decode()
    assert client.get("/analytics/embed/indicator/bridge-calls/").status_code == 404
    assert client.get(TRADE)["X-Frame-Options"] == "DENY"


def rows_of(name: str) -> int:
    from egov.analytics.models import Dataset

    return int(Dataset.objects.get(name=name).rows or 0)


def test_open_data_downloads_and_dcat(client, content) -> None:  # type: ignore[no-untyped-def]
    catalog = client.get("/analytics/opendata/catalog.jsonld")
    assert catalog["Content-Type"] == "application/ld+json"
    body = json.loads(catalog.content)
    names = {d["dct:identifier"] for d in body["dcat:dataset"]}
    assert names == {"bilateral_trade", "export_potential"}
    trade = next(d for d in body["dcat:dataset"] if d["dct:identifier"] == "bilateral_trade")
    assert {x["dct:format"] for x in trade["dcat:distribution"]} == {"CSV", "JSON"}
    assert {t["@language"] for t in trade["dct:title"]} == {"kk", "ru", "en", "tg"}
    text = b"".join(client.get("/analytics/opendata/bilateral_trade.csv").streaming_content)
    assert text.startswith("\ufeff".encode())
    lines = text.decode("utf-8-sig").splitlines()
    assert (
        lines[0].startswith("month,flow,commodity_group")
        and len(lines) == rows_of("bilateral_trade") + 1
    )
    rows = json.loads(
        b"".join(client.get("/analytics/opendata/export_potential.json").streaming_content)
    )
    assert len(rows) == 85 * 33
    assert client.get("/analytics/opendata/bridge_operations.csv").status_code == 404
