"""Indicators and dashboards as YAML documents: export, import, and version history with restore.

A document is what lives in git: plain YAML with the multilingual texts, the definition, targets
and tiles, and organizations by code. Every save through the pages, the API or an import records
a :class:`~egov.analytics.models.Revision` holding the document, so restoring an earlier state is
importing its document again (which itself becomes the newest revision).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egov.analytics.models import Dashboard, Indicator, Revision, Target, Tile
from egov.analytics.models.catalog import Dataset
from egov.core.exceptions import InvalidInput, NotFound
from egov.core.models import Organization
from egov.core.models.translated import LANGUAGES

KIND = "egov.analytics/v1"
MAX_DOCUMENT_BYTES = 1_000_000


def _texts(obj: Any, base: str) -> dict[str, str]:
    return {code: v for code in LANGUAGES if (v := getattr(obj, f"{base}_{code}", ""))}


def _set_texts(obj: Any, base: str, texts: Any) -> None:
    if texts is None:
        return
    if isinstance(texts, str):
        texts = {"en": texts}
    if not isinstance(texts, dict):
        raise InvalidInput(errors=[{"field": base, "message": _("Give a text per language.")}])
    for code in LANGUAGES:
        setattr(obj, f"{base}_{code}", str(texts.get(code, "") or ""))


def indicator_document(indicator: Indicator) -> dict[str, Any]:
    return {
        "kind": "indicator",
        "code": indicator.code,
        "organization": indicator.organization.code,
        "name": _texts(indicator, "name"),
        "description": _texts(indicator, "description"),
        "methodology": _texts(indicator, "methodology"),
        "unit": indicator.unit,
        "frequency": indicator.frequency,
        "definition": (
            {"sql": indicator.sql}
            if indicator.kind == "sql"
            else {"expression": indicator.expression}
        ),
        "value": indicator.value_column,
        "dimensions": indicator.dimensions,
        "aggregation": indicator.aggregation,
        **({"denominator": indicator.denominator} if indicator.denominator else {}),
        **({"factor": indicator.factor} if indicator.factor != 1.0 else {}),
        "visibility": indicator.visibility,
        "target_series": indicator.target_series,
        "targets": [
            {
                "date": t.date.isoformat(),
                "value": t.value,
                **({"baseline_date": t.baseline_date.isoformat()} if t.baseline_date else {}),
                **({"baseline_value": t.baseline_value} if t.baseline_value is not None else {}),
                **({"label": _texts(t, "label")} if _texts(t, "label") else {}),
            }
            for t in indicator.targets.order_by("date")
        ],
    }


def dashboard_document(dashboard: Dashboard) -> dict[str, Any]:
    return {
        "kind": "dashboard",
        "slug": dashboard.slug,
        "organization": dashboard.organization.code,
        "title": _texts(dashboard, "title"),
        "description": _texts(dashboard, "description"),
        "visibility": dashboard.visibility,
        "tiles": [
            {
                "kind": tile.kind,
                "indicator": tile.indicator.code,
                **({"title": _texts(tile, "title")} if _texts(tile, "title") else {}),
                "by": tile.by,
                **({"frequency": tile.frequency} if tile.frequency else {}),
                **({"filters": tile.filters} if tile.filters else {}),
                "limit": tile.limit,
            }
            for tile in dashboard.tiles.select_related("indicator").order_by("position", "pk")
        ],
    }


def to_yaml(documents: list[dict[str, Any]]) -> str:
    return yaml.safe_dump_all(
        [{"apiVersion": KIND, **d} for d in documents], allow_unicode=True, sort_keys=False
    )


def parse(text: str) -> list[dict[str, Any]]:
    if len(text.encode()) > MAX_DOCUMENT_BYTES:
        raise InvalidInput(_("The YAML document is too large."), code="document_too_large")
    try:
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = {"line": mark.line + 1, "column": mark.column + 1} if mark else {}
        raise InvalidInput(_("The YAML could not be read."), code="bad_yaml", **where) from error
    for document in documents:
        if not isinstance(document, dict) or document.get("kind") not in {"indicator", "dashboard"}:
            raise InvalidInput(
                _("Each document needs kind: indicator or kind: dashboard."), code="bad_document"
            )
    return documents


def _organization(code: Any) -> Organization:
    found = Organization.objects.filter(code=str(code or "").upper()).first()
    if found is None:
        raise InvalidInput(
            _("Unknown organization."),
            code="organization_not_found",
            errors=[{"field": "organization", "message": _("Unknown organization.")}],
        )
    return found


def _full_clean(obj: Any) -> None:
    try:
        obj.full_clean(validate_unique=False)
    except ValidationError as error:
        raise InvalidInput(
            errors=[
                {"field": f, "message": str(m)}
                for f, messages in error.message_dict.items()
                for m in messages
            ]
        ) from error


def _date(value: Any, field: str) -> dt.date:
    try:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise InvalidInput(
            errors=[{"field": field, "message": _("Give a date as YYYY-MM-DD.")}]
        ) from error


def apply_indicator(doc: dict[str, Any]) -> Indicator:
    code = str(doc.get("code") or "")
    indicator = Indicator.objects.filter(code=code).first() or Indicator(code=code)
    indicator.organization = _organization(doc.get("organization"))
    for base in ("name", "description", "methodology"):
        _set_texts(indicator, base, doc.get(base, {}))
    definition = doc.get("definition") or {}
    if not isinstance(definition, dict):
        definition = {}
    indicator.kind = "sql" if "sql" in definition else "expression"
    indicator.sql = str(definition.get("sql") or "")
    indicator.expression = definition.get("expression") or {}
    for field, key in (
        ("unit", "unit"),
        ("frequency", "frequency"),
        ("value_column", "value"),
        ("dimensions", "dimensions"),
        ("aggregation", "aggregation"),
        ("denominator", "denominator"),
        ("factor", "factor"),
        ("visibility", "visibility"),
        ("target_series", "target_series"),
    ):
        if key in doc:
            setattr(indicator, field, doc[key])
    _full_clean(indicator)
    indicator.save()
    from egov.analytics import definitions

    indicator.datasets.set(Dataset.objects.filter(name__in=definitions.inputs(indicator)))
    targets = doc.get("targets") or []
    if not isinstance(targets, list):
        raise InvalidInput(errors=[{"field": "targets", "message": _("Give a list of targets.")}])
    indicator.targets.all().delete()
    for index, item in enumerate(targets):
        if not isinstance(item, dict):
            raise InvalidInput(errors=[{"field": f"targets.{index}", "message": _("Not valid.")}])
        target = Target(
            indicator=indicator,
            date=_date(item.get("date"), f"targets.{index}.date"),
            value=float(item.get("value") or 0),
            baseline_date=_date(item["baseline_date"], f"targets.{index}.baseline_date")
            if item.get("baseline_date")
            else None,
            baseline_value=item.get("baseline_value"),
        )
        _set_texts(target, "label", item.get("label", {}))
        target.save()
    return indicator


def apply_dashboard(doc: dict[str, Any]) -> Dashboard:
    slug = str(doc.get("slug") or "")
    dashboard = Dashboard.objects.filter(slug=slug).first() or Dashboard(slug=slug)
    dashboard.organization = _organization(doc.get("organization"))
    _set_texts(dashboard, "title", doc.get("title", {}))
    _set_texts(dashboard, "description", doc.get("description", {}))
    if "visibility" in doc:
        dashboard.visibility = doc["visibility"]
    _full_clean(dashboard)
    dashboard.save()
    tiles = doc.get("tiles") or []
    if not isinstance(tiles, list):
        raise InvalidInput(errors=[{"field": "tiles", "message": _("Give a list of tiles.")}])
    dashboard.tiles.all().delete()
    for position, item in enumerate(tiles):
        field = f"tiles.{position}"
        if not isinstance(item, dict):
            raise InvalidInput(errors=[{"field": field, "message": _("Not valid.")}])
        indicator = Indicator.objects.filter(code=str(item.get("indicator") or "")).first()
        if indicator is None:
            raise InvalidInput(
                errors=[{"field": f"{field}.indicator", "message": _("Unknown indicator.")}]
            )
        tile = Tile(
            dashboard=dashboard,
            position=position,
            kind=item.get("kind", "kpi"),
            indicator=indicator,
            by=item.get("by", "period"),
            frequency=item.get("frequency", "") or "",
            filters=item.get("filters") or {},
            limit=int(item.get("limit") or 24),
        )
        _set_texts(tile, "title", item.get("title", {}))
        try:
            tile.full_clean(exclude=["dashboard", "indicator"])
        except ValidationError as error:
            raise InvalidInput(
                errors=[
                    {"field": f"{field}.{f}", "message": str(m)}
                    for f, ms in error.message_dict.items()
                    for m in ms
                ]
            ) from error
        if tile.by not in (indicator.dimensions or {}) and tile.kind != "kpi":
            raise InvalidInput(
                errors=[
                    {"field": f"{field}.by", "message": _("The indicator has no such dimension.")}
                ]
            )
        tile.save()
    return dashboard


def record(obj: Indicator | Dashboard, user: Any = None, note: str = "") -> Revision:
    """Store the object's current document as its next revision."""
    if isinstance(obj, Indicator):
        kind, key, document = Revision.Kind.INDICATOR, obj.code, indicator_document(obj)
    else:
        kind, key, document = Revision.Kind.DASHBOARD, obj.slug, dashboard_document(obj)
    last = Revision.objects.filter(kind=kind, key=key).order_by("-number").first()
    number = (last.number if last else 0) + 1
    type(obj).objects.filter(pk=obj.pk).update(revision=number)
    obj.revision = number
    return Revision.objects.create(
        kind=kind,
        key=key,
        number=number,
        content=to_yaml([document]),
        note=note[:300],
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


@transaction.atomic
def import_documents(text: str, user: Any, authorize: Any) -> list[Indicator | Dashboard]:
    """Apply every document (indicators first), all or nothing; ``authorize(kind, org)`` checks."""
    documents = parse(text)
    documents.sort(key=lambda d: 0 if d["kind"] == "indicator" else 1)
    done: list[Indicator | Dashboard] = []
    for document in documents:
        authorize(document["kind"], _organization(document.get("organization")))
        existing = (
            Indicator.objects.filter(code=str(document.get("code") or "")).first()
            if document["kind"] == "indicator"
            else Dashboard.objects.filter(slug=str(document.get("slug") or "")).first()
        )
        if existing is not None:  # replacing another organization's object needs its rights too
            authorize(document["kind"], existing.organization)
        obj = (
            apply_indicator(document)
            if document["kind"] == "indicator"
            else apply_dashboard(document)
        )
        record(obj, user, _("Imported from YAML"))
        if isinstance(obj, Indicator):
            transaction.on_commit(partial(refresh_status, obj.pk))
        done.append(obj)
    return done


def refresh_status(pk: int) -> None:
    from egov.analytics import status

    indicator = Indicator.objects.filter(pk=pk).first()
    if indicator is not None:
        status.refresh(indicator)


@transaction.atomic
def restore(kind: str, key: str, number: int, user: Any) -> Indicator | Dashboard:
    revision = Revision.objects.filter(kind=kind, key=key, number=number).first()
    if revision is None:
        raise NotFound(code="revision_not_found")
    document = parse(revision.content)[0]
    obj = apply_indicator(document) if kind == "indicator" else apply_dashboard(document)
    record(obj, user, _("Restored revision %(number)s") % {"number": number})
    from egov.analytics.signals import event

    event("revision_restored", obj, number=number)
    return obj
