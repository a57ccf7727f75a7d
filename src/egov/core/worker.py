"""The platform's task worker: queued tasks (django-tasks, database backend) and periodic jobs.

Apps register periodic jobs with `@periodic(every=...)`. Each worker process wakes every second,
claims the jobs that are due (a conditional UPDATE, so with several workers each job runs once per
period), runs them, then drains the task queue. `egov worker` runs it; `egov demo` starts one.
"""

from __future__ import annotations

import datetime
import logging
import signal
import time
import traceback
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from types import FrameType

from django.db import IntegrityError, close_old_connections
from django.db.models import Q
from django.utils import timezone

from egov.core.models import PeriodicJobRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: datetime.timedelta
    run: Callable[[], object]


_jobs: dict[str, PeriodicJob] = {}


def periodic(every: datetime.timedelta) -> Callable[[Callable[[], object]], Callable[[], object]]:
    def register(function: Callable[[], object]) -> Callable[[], object]:
        name = f"{function.__module__}.{function.__qualname__}"
        _jobs[name] = PeriodicJob(name, every, function)
        return function

    return register


def jobs() -> list[PeriodicJob]:
    return list(_jobs.values())


def claim(job: PeriodicJob, now: datetime.datetime) -> bool:
    """True for exactly one caller per period, across processes."""
    with suppress(IntegrityError):  # another worker may have created the row a moment ago
        PeriodicJobRun.objects.get_or_create(
            name=job.name, defaults={"last_started_at": now - job.every}
        )
    due = Q(name=job.name) & Q(last_started_at__lte=now - job.every)
    return PeriodicJobRun.objects.filter(due).update(last_started_at=now) == 1


def run_due_jobs(now: datetime.datetime | None = None) -> list[str]:
    now = now or timezone.now()
    ran = []
    for job in jobs():
        if not claim(job, now):
            continue
        error = ""
        try:
            job.run()
        except Exception:  # one failing job must not stop the others; the error is kept
            error = traceback.format_exc()
            log.exception("periodic job %s failed", job.name)
        PeriodicJobRun.objects.filter(name=job.name).update(
            last_finished_at=timezone.now(), last_error=error[-5000:]
        )
        ran.append(job.name)
    return ran


def drain_task_queue() -> None:
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"egov-{uuid.uuid4().hex[:8]}",
        excluded_queue_names=[],
    ).run()


class Loop:
    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self.running = True

    def stop(self, signum: int, frame: FrameType | None) -> None:
        self.running = False

    def run(self) -> None:
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        log.info("worker started with %d periodic jobs", len(_jobs))
        while self.running:
            close_old_connections()
            run_due_jobs()
            drain_task_queue()
            time.sleep(self.interval)
