"""The data tracker's reading path: filter choices by index skips, pages read ids first, and the
indexes of migration consent/0002 serving those queries (bench/consent.py measures them at
100,000 accesses)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egov.bridge.models import CallRecord
from egov.consent import tracker
from egov.consent.tests.conftest import World
from egov.consent.tests.factories import call_record
from egov.core.models import InformationSystem

pytestmark = pytest.mark.django_db


def _other_bank() -> InformationSystem:
    return InformationSystem.objects.get(organization__code="OTHERBANK")


def _record_as(record: CallRecord, **addresses: str) -> None:
    """The addresses as a gateway wrote them, e.g. of a system the control plane does not know."""
    CallRecord.objects.filter(pk=record.pk).update(**addresses)


def test_filter_choices_name_each_service_and_system_of_my_calls_once(world: World) -> None:
    mine, theirs = world.users["citizen"].personal_id, world.users["neighbour"].personal_id
    other = _other_bank()
    for _ in range(3):
        call_record(mine, world.bank, world.personal)
    call_record(mine, other, world.public)
    outcome = call_record(mine, other, world.public, kind="outcome")
    _record_as(outcome, service_address="KZ/GOV/1/x/outcome")
    _record_as(call_record(theirs, world.bank, world.personal), consumer="KZ/COM/9/not-mine")

    services, systems = tracker.filter_choices(mine)

    assert services == sorted([world.personal.xroad_address, world.public.xroad_address])
    assert systems == sorted([world.bank.xroad_address, other.xroad_address])
    assert tracker.filter_choices(theirs) == (
        [world.personal.xroad_address],
        ["KZ/COM/9/not-mine"],
    )
    assert tracker.filter_choices("000000000000") == ([], [])
    assert tracker.filter_choices(mine, limit=1) == (services[:1], systems[:1])


def test_a_deep_page_reads_its_ids_first_and_keeps_the_order(world: World) -> None:
    mine = world.users["citizen"].personal_id
    start = timezone.now() - datetime.timedelta(days=3)
    for minute in range(60):  # pairs share a time: the id decides between them
        call_record(
            mine, world.bank, world.personal, at=start + datetime.timedelta(minutes=minute // 2)
        )
    call_record(world.users["neighbour"].personal_id, world.bank, world.personal)
    everything = tracker.rows(list(tracker.accesses_of(mine)))
    assert [access.at for access in everything] == sorted(
        (access.at for access in everything), reverse=True
    )

    with CaptureQueriesContext(connection) as queries:
        middle = tracker.rows(tracker.accesses_of(mine)[25:50])

    assert middle == everything[25:50]
    assert len(queries) <= 3  # ids, rows, consents' purposes
    ids_query = queries.captured_queries[0]["sql"]
    assert ids_query.startswith('SELECT "bridge_callrecord"."id"')
    assert "OFFSET 25" in ids_query
    assert tracker.rows(tracker.accesses_of(mine)[50:75]) == everything[50:]
    ordered = list(
        CallRecord.objects.filter(subject_id=mine)
        .order_by("-started_at", "-id")
        .values_list("pk", flat=True)
    )
    assert [r.pk for r in tracker._page(tracker.accesses_of(mine)[25:50])] == ordered[25:50]


def _plan(sql: str, params: tuple[object, ...]) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A test table is tiny, so the planner would rather scan it; ask whether the index
            # can serve the query at all.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


def test_the_tracker_indexes_serve_its_queries(world: World) -> None:
    mine = world.users["citizen"].personal_id
    call_record(mine, world.bank, world.personal)
    page = tracker.accesses_of(mine)[50:75].values_list("pk", flat=True)
    count = tracker.accesses_of(mine).order_by()
    services = CallRecord.objects.filter(
        subject_id=mine, kind="call", service_address__gt=""
    ).order_by("service_address")[:1]

    assert "consent_call_tracker" in _plan(*page.query.sql_with_params())
    assert "consent_call_" in _plan(*count.values("pk").query.sql_with_params())
    assert "consent_call_services" in _plan(*services.values("pk").query.sql_with_params())
