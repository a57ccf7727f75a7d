"""The database triggers that keep the audit log append-only, per database engine."""

from __future__ import annotations

from typing import Any

POSTGRES_INSTALL = """
CREATE OR REPLACE FUNCTION core_auditrecord_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE TRIGGER core_auditrecord_no_change
    BEFORE UPDATE OR DELETE ON core_auditrecord
    FOR EACH ROW EXECUTE FUNCTION core_auditrecord_append_only();
CREATE OR REPLACE TRIGGER core_auditrecord_no_truncate
    BEFORE TRUNCATE ON core_auditrecord
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditrecord_append_only();
"""
POSTGRES_REMOVE = """
DROP TRIGGER IF EXISTS core_auditrecord_no_truncate ON core_auditrecord;
DROP TRIGGER IF EXISTS core_auditrecord_no_change ON core_auditrecord;
DROP FUNCTION IF EXISTS core_auditrecord_append_only();
"""
SQLITE_INSTALL = [
    """CREATE TRIGGER IF NOT EXISTS core_auditrecord_no_update BEFORE UPDATE ON core_auditrecord
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE is not allowed'); END""",
    """CREATE TRIGGER IF NOT EXISTS core_auditrecord_no_delete BEFORE DELETE ON core_auditrecord
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE is not allowed'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS core_auditrecord_no_update",
    "DROP TRIGGER IF EXISTS core_auditrecord_no_delete",
]
STATEMENTS = {
    "install": {"postgresql": [POSTGRES_INSTALL], "sqlite": SQLITE_INSTALL},
    "remove": {"postgresql": [POSTGRES_REMOVE], "sqlite": SQLITE_REMOVE},
}


def _run(connection: Any, which: str) -> None:
    for statement in STATEMENTS[which].get(connection.vendor, []):
        with connection.cursor() as cursor:
            cursor.execute(statement, None)


def install(connection: Any) -> None:
    _run(connection, "install")


def remove(connection: Any) -> None:
    """Only for emptying a test database; production never removes them."""
    _run(connection, "remove")
