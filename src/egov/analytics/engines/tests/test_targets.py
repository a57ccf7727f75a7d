"""Targets: on track, at risk, off track by the documented rule."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.analytics.engines import Observation, Rule, Status, Target, assess
from egov.analytics.engines.targets import status_changed


def yearly(values: dict[int, float]) -> list[Observation]:
    return [Observation(dt.date(y, 12, 31), v) for y, v in values.items()]


# Turnover doubling to $2 billion by the end of 2030 from about $1 billion in 2023.
TARGET = Target(date=dt.date(2030, 12, 31), value=2000.0)
AS_OF = dt.date(2026, 6, 1)


def test_a_trend_that_reaches_the_target_is_on_track() -> None:
    result = assess(yearly({2023: 1000, 2024: 1150, 2025: 1300}), TARGET, as_of=AS_OF)
    assert result.status is Status.ON_TRACK
    assert result.projected == pytest.approx(2050, rel=0.01)
    assert result.progress is not None and result.progress > 1
    assert result.slope_per_year == pytest.approx(150, rel=0.01)


def test_a_trend_slightly_short_is_at_risk() -> None:
    # Projected about 1,910 of 2,000 from a 1,000 baseline: 91% of the way.
    result = assess(yearly({2023: 1000, 2024: 1130, 2025: 1260}), TARGET, as_of=AS_OF)
    assert result.status is Status.AT_RISK
    assert 0.9 <= (result.progress or 0) < 1


def test_a_flat_or_falling_trend_is_off_track() -> None:
    assert assess(yearly({2023: 1000, 2024: 1010, 2025: 1020}), TARGET, as_of=AS_OF).status is (
        Status.OFF_TRACK
    )
    assert assess(yearly({2023: 1000, 2024: 900}), TARGET, as_of=AS_OF).status is Status.OFF_TRACK


def test_the_at_risk_band_is_a_parameter() -> None:
    observations = yearly({2023: 1000, 2024: 1130, 2025: 1260})
    assert assess(observations, TARGET, as_of=AS_OF, rule=Rule(at_risk_from=0.95)).status is (
        Status.OFF_TRACK
    )
    with pytest.raises(ValueError):
        Rule(at_risk_from=0)


def test_downward_targets() -> None:
    # An error rate to bring from 5% down to 1% by the end of 2025.
    target = Target(date=dt.date(2025, 12, 31), value=1.0)
    monthly = [Observation(dt.date(2024, m, 1), 5.0 - 0.25 * (m - 1)) for m in range(1, 13)]
    assert assess(monthly, target, as_of=dt.date(2024, 12, 31)).status is Status.ON_TRACK
    slow = [Observation(dt.date(2024, m, 1), 5.0 - 0.05 * (m - 1)) for m in range(1, 13)]
    assert assess(slow, target, as_of=dt.date(2024, 12, 31)).status is Status.OFF_TRACK


def test_reached_missed_and_no_data() -> None:
    assert assess(yearly({2023: 1000, 2025: 2100}), TARGET, as_of=AS_OF).status is Status.ON_TRACK
    late = assess(yearly({2029: 1800, 2030: 1900}), TARGET, as_of=dt.date(2031, 3, 1))
    assert (
        late.status is Status.OFF_TRACK and late.reason == "target date passed without reaching it"
    )
    met = assess(yearly({2029: 1800, 2030: 2001}), TARGET, as_of=dt.date(2031, 3, 1))
    assert met.status is Status.ON_TRACK
    assert assess([], TARGET, as_of=AS_OF).status is Status.NO_DATA
    assert assess(yearly({2025: 1200}), TARGET, as_of=AS_OF).status is Status.NO_DATA
    # Observations after ``as_of`` are not used.
    assert assess(yearly({2023: 1000, 2027: 5000}), TARGET, as_of=AS_OF).status is Status.NO_DATA


def test_an_explicit_baseline_gives_a_trend_from_one_observation() -> None:
    target = Target(
        date=dt.date(2030, 12, 31),
        value=2000.0,
        baseline_date=dt.date(2023, 12, 31),
        baseline_value=1000.0,
    )
    result = assess([(dt.date(2025, 12, 31), 1400.0)], target, as_of=AS_OF)
    assert result.status is Status.ON_TRACK and result.baseline == 1000.0
    assert result.to_dict()["latest"] == {"period": "2025-12-31", "value": 1400.0}


def test_status_change_notifications() -> None:
    assert status_changed(None, Status.ON_TRACK)
    assert status_changed("on_track", Status.AT_RISK)
    assert not status_changed("at_risk", "at_risk")
