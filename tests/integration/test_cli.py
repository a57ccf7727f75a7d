"""The `egov` command: help for every command, an idempotent demo set-up, demo codes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from egov import cli
from egov.core.models import AuditRecord, InformationSystem, Membership, Organization, User


@pytest.mark.parametrize("command", [[], ["demo"], ["serve"], ["check"], ["audit", "verify"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "egov.cli", *command, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert "usage: egov" in result.stdout
    assert len(result.stdout.splitlines()) > 3


@pytest.mark.django_db
def test_demo_setup_is_idempotent(capsys, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EGOV_DEMO = True

    def counts() -> list[int]:
        models = (Organization, InformationSystem, User, Membership, AuditRecord)
        return [model.objects.count() for model in models]

    assert cli.main(["demo", "--no-serve"]) == 0
    first = counts()
    assert cli.main(["demo", "--no-serve"]) == 0
    assert counts() == first
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/admin/" in out
    assert "operator-demo-2026" in out
    assert cli.main(["totp", "operator"]) == 0
    code = capsys.readouterr().out.strip()
    assert len(code) == 6 and code.isdigit()


@pytest.mark.django_db
def test_codes_are_never_printed_outside_a_demo(capsys, registry, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EGOV_DEMO = False
    assert cli.main(["totp", "operator"]) == 1


@pytest.mark.django_db
def test_check_passes_on_a_sound_deployment(registry) -> None:  # type: ignore[no-untyped-def]
    assert cli.main(["check"]) == 0


@pytest.mark.django_db
def test_audit_verify_reports_the_broken_record(capsys) -> None:  # type: ignore[no-untyped-def]
    from egov.core.tests.factories import OrganizationFactory
    from egov.core.tests.test_audit import tamper

    OrganizationFactory.create_batch(3)
    assert cli.main(["audit", "verify"]) == 0
    tamper("UPDATE core_auditrecord SET object_repr = 'forged' WHERE seq = %s", [2])
    assert cli.main(["audit", "verify"]) == 2
    assert "BROKEN at record 2" in capsys.readouterr().err


@pytest.mark.django_db
def test_key_rotation_from_the_command_line(capsys) -> None:  # type: ignore[no-untyped-def]
    from egov.bridge.models import SigningKey

    assert cli.main(["keys", "rotate", "token"]) == 0
    assert cli.main(["keys", "rotate", "token"]) == 0
    keys = SigningKey.objects.filter(purpose="token")
    assert keys.count() == 2
    assert keys.filter(retired_at__isnull=True).count() == 1
