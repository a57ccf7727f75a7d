"""Grant expiry notices and version retirement, as the worker runs them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from egov.bridge import catalog, jobs, workflow
from egov.bridge.models import Grant
from egov.core.models import Notification

pytestmark = pytest.mark.django_db


def _grant(world) -> Grant:  # type: ignore[no-untyped-def]
    request = workflow.file_request(
        world.users["integrator"],
        world.consumer_system,
        world.version,
        workflow.RequestInput(
            [{"method": "GET", "path": "/entities"}],
            "Checking partners.",
            "Civil Code",
            10,
            [],
            "ops@cons.example",
        ),
    )
    workflow.decide(
        request,
        world.users["approver"],
        "approve",
        approval=workflow.Approval(valid_until=timezone.now() + datetime.timedelta(days=10)),
    )
    return request.grant


def test_both_sides_hear_once_that_a_grant_ends_soon(world) -> None:  # type: ignore[no-untyped-def]
    _grant(world)
    Notification.objects.all().delete()
    assert jobs.send_expiry_notices() == 1
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert {"integrator", "approver"} <= told
    assert jobs.send_expiry_notices() == 0


def test_deprecated_versions_retire_on_their_date(world) -> None:  # type: ignore[no-untyped-def]
    catalog.change_lifecycle(world.version, "deprecate", retire_on=timezone.localdate())
    assert jobs.retire_due_versions() == 1
    world.version.refresh_from_db()
    assert world.version.status == "retired"
