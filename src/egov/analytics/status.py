"""Target status of each indicator: on track, at risk or off track — and who hears of a change.

The series a target is assessed on is the indicator's national figure by period, optionally as
rolling twelve-month or calendar-year totals (seasonal months project badly), computed without
row-level rules: the status is the official one. The target watched is the next one still ahead,
else the last. When the status changes, the owner organization's analysts and administrators get
a notification (``egov.core.notify``).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from egov.analytics.choices import TargetSeries, TargetStatus
from egov.analytics.engines import (
    Assessment,
    Frequency,
    Observation,
    Status,
    assess,
    rolling_sum,
    status_changed,
)
from egov.analytics.engines import Target as EngineTarget
from egov.analytics.models import Indicator, Target
from egov.analytics.queries import Params, compute_rows
from egov.core.choices import Role
from egov.core.notify import deferred, notify, people_with_roles

log = logging.getLogger(__name__)
STATUS_LABELS = dict(TargetStatus.choices)


def observations(indicator: Indicator) -> list[Observation]:
    if "period" not in (indicator.dimensions or {}):
        return []
    rows = compute_rows(indicator, Params(by=("period",)))
    points = [
        Observation(dt.date.fromisoformat(str(r["period"])[:10]), float(r["value"]))
        for r in rows
        if r.get("period") is not None and r.get("value") is not None
    ]
    return sorted(points)


def watched_series(indicator: Indicator, points: list[Observation]) -> list[Observation]:
    kind = indicator.target_series
    if kind == TargetSeries.ROLLING_YEAR:
        return rolling_sum(points, Frequency(indicator.frequency).periods_per_year())
    if kind == TargetSeries.CUMULATIVE:
        total, out = 0.0, []
        for point in points:
            total += point.value
            out.append(Observation(point.period, total))
        return out
    if kind == TargetSeries.YEARLY:
        years: dict[int, float] = {}
        for point in points:
            years[point.period.year] = years.get(point.period.year, 0.0) + point.value
        return [Observation(dt.date(year, 12, 31), value) for year, value in sorted(years.items())]
    return points


def watched_target(indicator: Indicator, today: dt.date) -> Target | None:
    targets = list(indicator.targets.order_by("date"))
    ahead = [t for t in targets if t.date >= today]
    return ahead[0] if ahead else (targets[-1] if targets else None)


def evaluate(indicator: Indicator, today: dt.date | None = None) -> Assessment | None:
    today = today or timezone.localdate()
    target = watched_target(indicator, today)
    if target is None:
        return None
    points = watched_series(indicator, observations(indicator))
    return assess(
        points,
        EngineTarget(target.date, target.value, target.baseline_date, target.baseline_value),
        as_of=today,
    )


def refresh(indicator: Indicator, today: dt.date | None = None) -> str:
    """Assess the indicator, store the status, notify when it changed. Returns the status."""
    assessment = evaluate(indicator, today)
    status = assessment.status if assessment else Status.NO_DATA
    detail: dict[str, Any] = assessment.to_dict() if assessment else {}
    previous = indicator.status
    changed = status_changed(previous, status) and str(previous) != str(status)
    fields: dict[str, Any] = {"status": str(status), "status_detail": detail}
    if changed:
        fields["status_changed_at"] = timezone.now()
    Indicator.objects.filter(pk=indicator.pk).update(**fields)
    if changed:
        transaction.on_commit(lambda: _tell(indicator, str(previous), str(status)))
    indicator.status = str(status)
    return str(status)


def _tell(indicator: Indicator, previous: str, current: str) -> None:
    people = people_with_roles(indicator.organization, [Role.ANALYST, Role.ORG_ADMIN])
    # Each recipient reads the texts, the status labels and the indicator's name in their own
    # language: nothing is put together before ``notify`` switches to it.
    before, after = STATUS_LABELS.get(previous, previous), STATUS_LABELS.get(current, current)
    notify(
        people,
        deferred(
            _("Indicator %(code)s is now: %(status)s"), {"code": indicator.code, "status": after}
        ),
        deferred(
            _("The target status of %(name)s changed from %(before)s to %(after)s."),
            {"name": _name_of(indicator), "before": before, "after": after},
        ),
        url=f"/analytics/indicators/{indicator.code}/",
    )


def _current_name(indicator: Indicator) -> str:
    return str(indicator.name)  # the translation of the language active now


_name_of = lazy(_current_name, str)


def refresh_for_dataset(dataset_id: int) -> None:
    for indicator in Indicator.objects.filter(datasets__pk=dataset_id).distinct():
        try:
            refresh(indicator)
        except Exception:  # one broken indicator must not hide the others' status
            log.exception("status of %s failed", indicator.code)
