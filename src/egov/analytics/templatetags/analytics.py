"""Template filters for figures: short numbers, percentages, cells by column name."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from egov.analytics import charts

register = template.Library()


@register.filter
def short(value: Any) -> str:
    if value is None or value == "":
        return "—"
    try:
        return charts.short(float(value))
    except (TypeError, ValueError):
        return str(value)


@register.filter
def percent(value: Any) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:+.1f}%"


@register.filter
def share(value: Any) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.0f}%"


@register.filter
def cell(row: dict[str, Any], column: str) -> Any:
    value = row.get(column)
    return str(value)[:10] if column == "period" and value else value


@register.filter
def label(row: dict[str, Any], column: str) -> str:
    """A dimension value as people read it (a region's name rather than its code)."""
    from egov.analytics.tiles import label as dimension_label

    return dimension_label(column, row.get(column))


@register.filter
def heading(column: str) -> str:
    from django.utils.translation import gettext

    from egov.analytics.choices import TileDimension

    if column == "value":
        return gettext("Value")
    return str(dict(TileDimension.choices).get(column, column))


@register.filter
def safe_svg(value: str) -> SafeString:
    """Charts are built by egov.analytics.charts, which escapes every text it draws."""
    return mark_safe(value)  # noqa: S308
