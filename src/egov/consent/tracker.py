"""The citizen's data tracker: every gateway call that named them as the data subject.

It reads the control plane's copy of the gateways' message logs (`egov.bridge.CallRecord`), one
page at a time, through the indexes of migration consent/0002: a page's ids come from the index
alone and only then its rows, so a deep page costs an index walk, not a table scan; the filters'
choices are found by skipping through an index. The purpose shown is the consent's (or, without
one, the access request's). Exports: CSV (streamed) and PDF (`egov.consent.pdf`).
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Min, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.bridge.models import CallRecord
from egov.consent.models import CitizenSettings, Consent
from egov.core.notify import deferred, notify

OUTCOMES = {
    "provided": gettext_lazy("Data provided"),
    "refused": gettext_lazy("Refused by the gateway"),
    "failed": gettext_lazy("Failed"),
}
RELATED = ("consumer_system__organization", "service", "grant__request")


@dataclass(frozen=True)
class Filters:
    service: str = ""
    consumer: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None
    outcome: str = ""


@dataclass(frozen=True)
class Access:
    at: datetime.datetime
    organization: str
    consumer: str
    service: str
    service_address: str
    purpose: str
    consent: str
    outcome: str
    status: int | None

    @property
    def outcome_label(self) -> str:
        return str(OUTCOMES.get(self.outcome, self.outcome))


def outcome_of(status: int | None, error: str) -> str:
    if status is not None and status < 400 and not error:
        return "provided"
    if status in (400, 401, 403, 404, 405, 413, 429):
        return "refused"
    return "failed"


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def accesses_of(subject_id: str, filters: Filters = Filters()) -> QuerySet[CallRecord]:
    records = CallRecord.objects.filter(subject_id=subject_id, kind="call")
    if filters.service:
        records = records.filter(service_address=filters.service)
    if filters.consumer:
        records = records.filter(consumer=filters.consumer)
    if filters.since:
        records = records.filter(started_at__gte=_day_start(filters.since))
    if filters.until:
        records = records.filter(
            started_at__lt=_day_start(filters.until + datetime.timedelta(days=1))
        )
    if filters.outcome == "provided":
        records = records.filter(status__lt=400, error="")
    elif filters.outcome in ("refused", "failed"):
        records = records.exclude(status__lt=400, error="")
    return records.order_by("-started_at", "-id").select_related(*RELATED)


def filter_choices(subject_id: str, limit: int = 200) -> tuple[list[str], list[str]]:
    """The services and the systems a subject's accesses name, sorted, at most ``limit`` each."""
    return (
        _distinct(subject_id, "service_address", limit),
        _distinct(subject_id, "consumer", limit),
    )


def _distinct(subject_id: str, field: str, limit: int) -> list[str]:
    """Distinct values, each the smallest one after the last: one probe of the (subject_id,
    field) index per value, where DISTINCT reads every one of the subject's records."""
    records = CallRecord.objects.filter(subject_id=subject_id, kind="call")
    found: list[str] = []
    while len(found) < limit:
        after = found[-1] if found else ""
        value = records.filter(**{f"{field}__gt": after}).aggregate(value=Min(field))["value"]
        if value is None:
            break
        found.append(value)
    return found


def _page(records: Iterable[CallRecord]) -> list[CallRecord]:
    """The records of a page. Given as a (sliced) query, its ids are read first, from the index
    alone, then those rows with what they refer to: in one query the database would read (and
    join) every row an OFFSET skips, which for a deep page of a busy subject is most of them."""
    if not isinstance(records, QuerySet):
        return list(records)
    ids = list(records.values_list("pk", flat=True))
    found = CallRecord.objects.select_related(*RELATED).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def rows(records: Iterable[CallRecord]) -> list[Access]:
    """Readable rows for one page of records (at most three queries, whatever the size: the
    page's ids, its rows, the consents' purposes)."""
    records = _page(records)
    consent_ids = {record.consent_id for record in records if record.consent_id}
    purposes = dict(
        Consent.objects.filter(public_id__in=consent_ids).values_list("public_id", "purpose")
    )
    found = []
    for record in records:
        system = record.consumer_system
        organization = str(system.organization.name) if system else record.consumer
        request = record.grant.request if record.grant_id and record.grant else None
        purpose = purposes.get(record.consent_id) or (request.purpose if request else "")
        outcome = outcome_of(record.status, record.error)
        found.append(
            Access(
                at=record.started_at,
                organization=organization,
                consumer=record.consumer,
                service=str(record.service.name) if record.service else record.service_address,
                service_address=record.service_address,
                purpose=purpose,
                consent=record.consent_id,
                outcome=outcome,
                status=record.status,
            )
        )
    return found


def headers() -> list[str]:
    return [
        _("Date and time"),
        _("Organization"),
        _("System"),
        _("Service"),
        _("Purpose"),
        _("Consent"),
        _("Outcome"),
    ]


def cells(access: Access) -> list[str]:
    return [
        timezone.localtime(access.at).strftime("%Y-%m-%d %H:%M:%S"),
        access.organization,
        access.consumer,
        access.service,
        access.purpose,
        access.consent,
        access.outcome_label,
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(records: QuerySet[CallRecord], chunk: int = 1000) -> Iterator[str]:
    """The whole filtered tracker as CSV lines, read in chunks (never all in memory)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so spreadsheet programs read the file as UTF-8 (Cyrillic names)
    yield writer.writerow(headers())
    batch: list[CallRecord] = []
    for record in records.iterator(chunk_size=chunk):
        batch.append(record)
        if len(batch) == chunk:
            yield from (writer.writerow(cells(access)) for access in rows(batch))
            batch = []
    yield from (writer.writerow(cells(access)) for access in rows(batch))


def notify_new_accesses() -> int:
    """Tell citizens who opted in how many new accesses to their data there were."""
    told = 0
    for choice in CitizenSettings.objects.filter(
        notify_new_accesses=True, user__is_active=True, user__personal_id__isnull=False
    ).select_related("user"):
        records = CallRecord.objects.filter(subject_id=choice.user.personal_id, kind="call")
        if choice.notified_until is not None:
            records = records.filter(started_at__gt=choice.notified_until)
        summary: dict[str, Any] = records.aggregate(latest=Max("started_at"))
        if summary["latest"] is None:
            continue
        count = records.count()
        notify(
            [choice.user],
            gettext_lazy("New accesses to your data"),
            deferred(
                gettext_lazy("%(count)s new accesses to your data were recorded."), {"count": count}
            ),
            reverse("consent:tracker"),
        )
        choice.notified_until = summary["latest"]
        choice.save(update_fields=["notified_until"])
        told += 1
    return told
