"""The audit log: what lands in it, that it cannot be changed, and that tampering is found."""

from __future__ import annotations

import itertools

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from egov.core import audit
from egov.core.models import AuditRecord, Organization
from egov.core.tests.factories import OrganizationFactory, UserFactory
from egov.testing.services import require_postgres

pytestmark = pytest.mark.django_db


def _last(action: str) -> AuditRecord:
    return AuditRecord.objects.filter(action=action).order_by("-seq").first()


def test_create_update_delete_are_recorded_with_before_and_after() -> None:
    organization = OrganizationFactory(name_en="Ministry of Tests")
    created = _last("create")
    assert created.object_type == "core.organization"
    assert created.object_id == str(organization.pk)
    assert created.after["name_en"] == "Ministry of Tests"

    organization.name_en = "Ministry of Better Tests"
    organization.save()
    updated = _last("update")
    assert updated.before == {"name_en": "Ministry of Tests"}
    assert updated.after == {"name_en": "Ministry of Better Tests"}

    pk = organization.pk
    organization.delete()
    deleted = _last("delete")
    assert deleted.object_id == str(pk)
    assert deleted.before["name_en"] == "Ministry of Better Tests"


def test_a_save_without_changes_records_nothing() -> None:
    organization = OrganizationFactory()
    count = AuditRecord.objects.count()
    organization.save()
    assert AuditRecord.objects.count() == count


def test_passwords_never_reach_the_log() -> None:
    user = UserFactory()
    user.set_password("another-long-password")
    user.save()
    for entry in AuditRecord.objects.filter(object_type="core.user"):
        assert "password" not in (entry.after or {})
        assert "password" not in (entry.before or {})


def test_login_logout_and_failed_login_are_recorded(client) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(username="amina")
    client.post(reverse("login"), {"username": "amina", "password": "wrong-password-here"})
    failed = _last("login_failed")
    assert failed.object_repr == "amina"
    assert failed.ip == "127.0.0.1"
    client.post(reverse("login"), {"username": "amina", "password": "a-long-test-password"})
    assert _last("login").actor_id == user.pk
    client.post(reverse("logout"))
    assert _last("logout").actor_id == user.pk


def test_actor_comes_from_the_request(client) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory()
    with audit.acting_as(audit.Actor(user.pk, user.username, "10.0.0.7")):
        OrganizationFactory()
    entry = _last("create")
    assert (entry.actor_id, entry.actor_name, entry.ip) == (user.pk, user.username, "10.0.0.7")


def test_chain_links_every_record_to_the_one_before() -> None:
    OrganizationFactory.create_batch(3)
    records = list(AuditRecord.objects.order_by("seq"))
    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    for previous, current in itertools.pairwise(records):
        assert current.prev_hash == previous.hash
    assert audit.verify_chain().ok


def test_the_database_refuses_updates_and_deletes() -> None:
    OrganizationFactory()
    entry = AuditRecord.objects.order_by("seq").first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=entry.pk).update(actor_name="someone else")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=entry.pk).delete()


def tamper(sql: str, params: list[object]) -> None:
    """Change the log as an attacker with database access would: around the trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditrecord DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE core_auditrecord ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER core_auditrecord_no_update")
            cursor.execute("DROP TRIGGER core_auditrecord_no_delete")
            cursor.execute(sql, params)


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("UPDATE core_auditrecord SET object_repr = 'forged' WHERE seq = %s", "content"),
        ("DELETE FROM core_auditrecord WHERE seq = %s", "missing"),
    ],
)
def test_verify_finds_the_first_tampered_record(sql: str, reason: str) -> None:
    OrganizationFactory.create_batch(4)
    assert audit.verify_chain().ok
    tamper(sql, [2])
    result = audit.verify_chain()
    assert not result.ok
    assert result.broken_seq == (2 if reason == "content" else 3)
    assert reason in result.reason


def test_postgres_trigger_also_refuses_truncate() -> None:
    require_postgres()
    OrganizationFactory()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_auditrecord")
    assert Organization.objects.exists()
