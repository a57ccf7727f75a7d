"""What a tile shows: its rows for the reader and the dashboard's filters, a chart, a key figure.

Filters set on the dashboard (period window, region, organization, category) apply to every tile
on top of the tile's own; a bar or table by region links each region to the same dashboard
filtered to it (drill-down from national to region). A key figure is the indicator over the
window (or its latest period) with the change against the same window a year earlier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import get_language

from egov.analytics import charts, queries, status
from egov.analytics.choices import TileKind
from egov.analytics.engines import change
from egov.analytics.models import Tile

FILTER_DIMENSIONS = ("region", "organization", "category")


@dataclass(frozen=True)
class Filters:
    start: dt.date | None = None
    end: dt.date | None = None
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Filters:
        def day(text: str | None) -> dt.date | None:
            try:
                return dt.date.fromisoformat(text) if text else None
            except ValueError:
                return None

        values = {
            d: tuple(v for v in str(query.get(d, "")).split(",") if v)[:50]
            for d in FILTER_DIMENSIONS
            if query.get(d)
        }
        return cls(day(query.get("start")), day(query.get("end")), values)

    def query(self, **changes: str) -> str:
        from urllib.parse import urlencode

        data = {
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
            **{k: ",".join(v) for k, v in self.values.items()},
            **changes,
        }
        return urlencode({k: v for k, v in data.items() if v})


@dataclass
class TileView:
    tile: Tile
    title: str
    columns: list[str]
    rows: list[dict[str, Any]]
    unit: str
    value: float | None = None
    previous: float | None = None
    delta: float | None = None
    target: float | None = None
    target_date: dt.date | None = None
    status: str = ""
    drill: str = ""  # the dimension whose values link to a filtered dashboard
    error: str = ""

    def points(self) -> list[tuple[str, float]]:
        key = self.columns[0] if self.columns else "period"
        return [
            (label(key, r.get(key)), float(r["value"]))
            for r in self.rows
            if r.get("value") is not None
        ]

    def svg(self) -> str:
        kind = "bar" if self.tile.kind == TileKind.BAR else "line"
        return charts.svg(kind, self.points(), self.title)

    def png(self) -> bytes:
        kind = "bar" if self.tile.kind == TileKind.BAR else "line"
        return charts.png(kind, self.points(), self.title, self.target)


def label(dimension: str, value: Any) -> str:
    """How a dimension value reads: a period as its date, a region by its name."""
    if value is None:
        return ""
    if dimension == "period":
        return str(value)[:10]
    if dimension == "region":
        return region_names().get(str(value), str(value))
    return str(value)


def region_names() -> dict[str, str]:
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return {r.code: r.name.get(language) or r.code for r in settings.COUNTRY.regions}


def _params(tile: Tile, filters: Filters, by: tuple[str, ...]) -> queries.Params:
    dims = tile.indicator.dimensions or {}
    merged: dict[str, tuple[str, ...]] = {
        k: tuple(map(str, v)) for k, v in (tile.filters or {}).items() if k in FILTER_DIMENSIONS
    }
    merged.update(filters.values)
    start = filters.start or _day((tile.filters or {}).get("start"))
    end = filters.end or _day((tile.filters or {}).get("end"))
    return queries.Params(
        by=by,
        filters={k: v for k, v in merged.items() if k in dims},
        start=start,
        end=end,
        frequency=tile.frequency or None,
    )


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _year_back(day: dt.date | None) -> dt.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def build(tile: Tile, filters: Filters, user: Any) -> TileView:
    indicator = tile.indicator
    view = TileView(tile, str(tile.display_title()), [], [], indicator.unit)
    watched = status.watched_target(indicator, dt.date.today())
    if watched is not None:
        view.target, view.target_date = watched.value, watched.date
    view.status = indicator.status
    if tile.kind == TileKind.KPI:
        _kpi(view, tile, filters, user)
        return view
    by = tile.by if tile.by in (indicator.dimensions or {}) else "period"
    params = _params(tile, filters, (by,))
    rows = queries.results(indicator, params, user)
    if by == "period":
        rows = rows[-tile.limit :]
    else:
        rows = sorted(rows, key=lambda r: -(r.get("value") or 0))[: tile.limit]
    view.columns, view.rows = [by, "value"], rows
    if by in FILTER_DIMENSIONS and by == "region" and "region" not in filters.values:
        view.drill = by
    return view


def _kpi(view: TileView, tile: Tile, filters: Filters, user: Any) -> None:
    indicator = tile.indicator
    params = _params(tile, filters, ())
    if params.start or params.end:
        current = queries.results(indicator, params, user)
        earlier = queries.Params(
            by=(),
            filters=params.filters,
            start=_year_back(params.start),
            end=_year_back(params.end),
            frequency=params.frequency,
        )
        previous = queries.results(indicator, earlier, user)
        view.value = _first(current)
        view.previous = _first(previous)
    elif "period" in (indicator.dimensions or {}):
        rows = queries.results(indicator, _params(tile, filters, ("period",)), user)
        if rows:
            last = rows[-1]
            view.value = last.get("value")
            back = _year_back(dt.date.fromisoformat(str(last["period"])[:10]))
            match = [r for r in rows if str(r["period"])[:10] == str(back)]
            view.previous = match[0].get("value") if match else None
    else:
        view.value = _first(queries.results(indicator, params, user))
    view.delta = change(view.value, view.previous)
    view.columns = ["value"]
    view.rows = [{"value": view.value}]


def _first(rows: list[dict[str, Any]]) -> float | None:
    return rows[0].get("value") if rows else None
