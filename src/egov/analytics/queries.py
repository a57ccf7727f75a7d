"""Indicator results for a reader: row-level rules in the engine query, results cached.

The cache key holds everything a result depends on — the indicator's definition (revision), the
parameters, the reader's row-level rules and the SHA-256 of each dataset version it reads — so a
new load or a changed definition is never served stale, and nothing needs invalidating.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache

from egov.analytics import access, definitions, store
from egov.analytics.engines import AnalyticsError, Dimension, Frequency, compute
from egov.analytics.exceptions import AnalyticsProblem
from egov.analytics.models import Indicator

MAX_ROWS = 5000


@dataclass(frozen=True)
class Params:
    by: tuple[str, ...] = ("period",)
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    start: dt.date | None = None
    end: dt.date | None = None
    frequency: str | None = None

    def key(self) -> str:
        return json.dumps(
            [
                list(self.by),
                {k: sorted(map(str, v)) for k, v in sorted(self.filters.items())},
                str(self.start),
                str(self.end),
                self.frequency,
            ]
        )


def plain(value: Any) -> Any:
    """A JSON-ready value: decimals as floats, dates as ISO text."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def cache_key(indicator: Indicator, params: Params, user: Any) -> tuple[str, list[Any]]:
    datasets = list(indicator.datasets.all())
    rules = access.row_rules(user, datasets)
    versions = sorted(f"{d.name}:{d.current_sha256}" for d in datasets)
    text = "|".join(
        [
            indicator.code,
            str(indicator.revision),
            indicator.updated_at.isoformat() if indicator.updated_at else "",
            params.key(),
            access.rules_key(rules),
            *versions,
        ]
    )
    return "analytics:q:" + hashlib.sha256(text.encode()).hexdigest(), rules


def results(indicator: Indicator, params: Params, user: Any) -> list[dict[str, Any]]:
    """Rows ``{period|region|organization|category: …, value: …}``, sorted by the dimensions."""
    key, rules = cache_key(indicator, params, user)
    found = cache.get(key)
    if found is not None:
        return list(found)
    rows = compute_rows(indicator, params, rules)
    cache.set(key, rows, settings.EGOV_ANALYTICS_CACHE_SECONDS)
    return rows


def compute_rows(
    indicator: Indicator, params: Params, rules: Sequence[Any] = ()
) -> list[dict[str, Any]]:
    names = [d.name for d in indicator.datasets.all()]
    try:
        by = [Dimension(b) for b in params.by]
        filters = {Dimension(k): list(v) for k, v in params.filters.items() if v}
        frequency = Frequency(params.frequency) if params.frequency else None
        with store.engine_for(names) as engine:
            table = compute(
                engine,
                definitions.to_engine(indicator),
                by=by,
                filters=filters,
                start=params.start,
                end=params.end,
                frequency=frequency,
                row_rules=rules,
                limit=MAX_ROWS,
            )
    except ValueError as error:
        raise AnalyticsProblem(AnalyticsError(str(error), code="unknown_dimension")) from error
    except AnalyticsError as error:
        raise AnalyticsProblem(error) from error
    return [{k: plain(v) for k, v in row.items()} for row in table.to_pylist()]


def dimension_values(indicator: Indicator, dimension: str, user: Any) -> list[str]:
    """The values a filter on ``dimension`` can take (for the dashboard's filter lists)."""
    if dimension not in (indicator.dimensions or {}):
        return []
    rows = results(indicator, Params(by=(dimension,)), user)
    return [str(r[dimension]) for r in rows if r.get(dimension) is not None]
