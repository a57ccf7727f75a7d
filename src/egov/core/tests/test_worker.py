"""The worker: periodic jobs run once per period, whatever the number of workers."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from egov.core import worker
from egov.core.models import PeriodicJobRun

pytestmark = pytest.mark.django_db


def test_a_due_job_runs_once_per_period(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls = []
    job = worker.PeriodicJob("tests.count", datetime.timedelta(hours=1), lambda: calls.append(1))
    monkeypatch.setattr(worker, "_jobs", {job.name: job})
    now = timezone.now()
    assert worker.run_due_jobs(now) == ["tests.count"]
    assert worker.run_due_jobs(now + datetime.timedelta(minutes=30)) == []  # a second worker
    assert worker.run_due_jobs(now + datetime.timedelta(minutes=61)) == ["tests.count"]
    assert len(calls) == 2


def test_a_failing_job_keeps_its_error_and_others_run(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken() -> None:
        raise RuntimeError("upstream down")

    ran = []
    jobs = [
        worker.PeriodicJob("tests.broken", datetime.timedelta(minutes=5), broken),
        worker.PeriodicJob("tests.fine", datetime.timedelta(minutes=5), lambda: ran.append(1)),
    ]
    monkeypatch.setattr(worker, "_jobs", {job.name: job for job in jobs})
    assert worker.run_due_jobs() == ["tests.broken", "tests.fine"]
    assert "upstream down" in PeriodicJobRun.objects.get(name="tests.broken").last_error
    assert ran == [1]


def test_the_platform_registers_its_jobs() -> None:
    names = {job.name for job in worker.jobs()}
    assert "egov.bridge.jobs.send_expiry_notices" in names
    assert "egov.bridge.jobs.retire_due_versions" in names
