"""Targets: is an indicator on track to reach its target by the target date?

The rule (:func:`assess`), with ``as_of`` (default: today) and the observations up to it:

1. No observation → ``no_data``.
2. The *baseline* is the target's baseline value and date when given, else the first
   observation. The target is *upward* if its value is at least the baseline, else *downward*.
3. When the target date has passed (``as_of ≥ target.date``): the last observation on or before
   the target date decides — ``on_track`` if it reached the target (``≥`` upward, ``≤``
   downward), else ``off_track``.
4. When the latest observation already reaches the target → ``on_track``.
5. Otherwise the trend is projected to the target date: a least-squares line through the last
   ``rule.window`` observations (time in days); with a single observation, the line from the
   baseline to it. No line can be drawn (one point, no earlier baseline) → ``no_data``.
6. ``progress = (projected − baseline) / (target − baseline)``, the share of the required change
   the trend delivers by the target date: ``≥ 1`` → ``on_track``; ``≥ rule.at_risk_from``
   (default 0.9) → ``at_risk``; else ``off_track``.

Seasonal monthly series project badly; assess annual totals or :func:`rolling_sum` over twelve
months instead (the Django app decides which series a target watches).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from egov.analytics.engines.indicators import Observation

__all__ = ["Assessment", "Rule", "Status", "Target", "assess", "status_changed"]


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Target:
    date: dt.date
    value: float
    baseline_date: dt.date | None = None
    baseline_value: float | None = None


@dataclass(frozen=True)
class Rule:
    at_risk_from: float = 0.9
    window: int = 12

    def __post_init__(self) -> None:
        if not 0 < self.at_risk_from <= 1:
            raise ValueError("at_risk_from must be in (0, 1]")
        if self.window < 2:
            raise ValueError("window must be at least 2")


@dataclass(frozen=True)
class Assessment:
    status: Status
    reason: str
    latest: Observation | None = None
    baseline: float | None = None
    projected: float | None = None
    progress: float | None = None
    slope_per_year: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "reason": self.reason,
            "latest": None
            if self.latest is None
            else {"period": self.latest.period.isoformat(), "value": self.latest.value},
            "baseline": self.baseline,
            "projected": self.projected,
            "progress": self.progress,
            "slope_per_year": self.slope_per_year,
        }


def assess(
    observations: Iterable[Observation | tuple[dt.date, float]],
    target: Target,
    *,
    as_of: dt.date | None = None,
    rule: Rule | None = None,
) -> Assessment:
    """The status of ``target`` given ``observations`` (see the module's rule)."""
    rule = rule or Rule()
    as_of = as_of or dt.date.today()
    points = sorted(
        o if isinstance(o, Observation) else Observation(o[0], float(o[1])) for o in observations
    )
    points = [p for p in points if p.period <= as_of]
    if not points:
        return Assessment(Status.NO_DATA, "no observations yet")
    latest = points[-1]
    if target.baseline_value is not None:
        baseline, baseline_date = target.baseline_value, target.baseline_date
    else:
        baseline, baseline_date = points[0].value, points[0].period
    upward = target.value >= baseline

    def reached(value: float) -> bool:
        return value >= target.value if upward else value <= target.value

    if as_of >= target.date:
        final = [p for p in points if p.period <= target.date]
        if not final:
            return Assessment(Status.OFF_TRACK, "no observation by the target date", latest)
        last = final[-1]
        if reached(last.value):
            return Assessment(Status.ON_TRACK, "target reached by its date", last, baseline)
        return Assessment(
            Status.OFF_TRACK, "target date passed without reaching it", last, baseline
        )
    if reached(latest.value):
        return Assessment(Status.ON_TRACK, "target already reached", latest, baseline)
    window = points[-rule.window :]
    line = _fit(window)
    if line is None and baseline_date is not None and baseline_date < latest.period:
        line = _fit([Observation(baseline_date, baseline), latest])
    if line is None:
        return Assessment(Status.NO_DATA, "not enough observations for a trend", latest, baseline)
    slope, intercept = line
    projected = slope * target.date.toordinal() + intercept
    needed = target.value - baseline
    progress = (projected - baseline) / needed if needed else (1.0 if reached(projected) else 0.0)
    if progress >= 1:
        status, reason = Status.ON_TRACK, "the trend reaches the target by its date"
    elif progress >= rule.at_risk_from:
        status, reason = Status.AT_RISK, "the trend falls slightly short of the target"
    else:
        status, reason = Status.OFF_TRACK, "the trend falls short of the target"
    return Assessment(status, reason, latest, baseline, projected, progress, slope * 365.25)


def status_changed(previous: Status | str | None, current: Status | str) -> bool:
    """Whether a notification is due: the status differs from the last one recorded."""
    return previous is None or Status(previous) != Status(current)


def _fit(points: Sequence[Observation]) -> tuple[float, float] | None:
    """Least-squares slope and intercept of value over the date's ordinal; None if undefined."""
    if len(points) < 2:
        return None
    xs = [float(p.period.toordinal()) for p in points]
    ys = [p.value for p in points]
    mean_x = sum(xs) / len(xs)
    mean_y = sum(ys) / len(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    return slope, mean_y - slope * mean_x
