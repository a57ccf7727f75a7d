"""The registry in the back-office, through its real pages: reach, isolation, second factor."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.core.models import AuditRecord, Organization
from egov.core.tests.factories import MembershipFactory
from egov.testing.auth import current_token, log_in, log_in_demo

pytestmark = pytest.mark.django_db


def test_staff_must_prove_a_second_factor_before_the_back_office(client, registry) -> None:  # type: ignore[no-untyped-def]
    log_in(client, "orgadmin", "orgadmin-demo-2026", second_factor=False)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("second-factor"))
    response = client.post(reverse("second-factor"), {"token": "000000"})
    assert response.context["form"].has_error("token")
    device = TOTPDevice.objects.get(user__username="orgadmin")
    device.throttle_reset()  # a wrong code makes the next try wait; skip the wait here
    client.post(reverse("second-factor"), {"token": current_token(device)})
    assert client.get("/admin/").status_code == 200


def test_first_use_enrols_an_authenticator(client, registry) -> None:  # type: ignore[no-untyped-def]
    membership = MembershipFactory(role="editor")
    log_in(client, membership.user.username, "a-long-test-password", second_factor=False)
    page = client.get(reverse("second-factor")).content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=membership.user)
    assert not device.confirmed
    client.post(reverse("second-factor"), {"token": current_token(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


def test_citizens_do_not_reach_the_back_office(client, registry) -> None:  # type: ignore[no-untyped-def]
    log_in_demo(client, "citizen")
    response = client.get("/admin/")
    assert response.status_code in (302, 403)
    assert not response.get("Location", "").startswith("/admin/")


def test_an_administrator_sees_and_edits_only_their_organizations(client, registry) -> None:  # type: ignore[no-untyped-def]
    log_in_demo(client, "orgadmin")
    listing = client.get(reverse("organization:index")).content.decode()
    assert "MINJUST-REG" in listing
    assert "MDDIAI" not in listing
    other = Organization.objects.get(code="MDDIAI")
    assert client.get(reverse("organization:edit", args=[other.pk])).status_code == 404
    assert client.get(reverse("organization:inspect", args=[other.pk])).status_code == 404
    own = Organization.objects.get(code="MINJUST-REG")
    form = client.get(reverse("organization:edit", args=[own.pk]))
    assert form.status_code == 200
    data = {field.html_name: field.value() or "" for field in form.context["form"]}
    data.update(name_en="Registration Committee (renamed)")
    response = client.post(reverse("organization:edit", args=[own.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    own.refresh_from_db()
    assert own.name_en == "Registration Committee (renamed)"
    entry = AuditRecord.objects.filter(action="update").order_by("-seq").first()
    assert entry.actor_name == "orgadmin"
    assert entry.after == {"name_en": "Registration Committee (renamed)"}


def test_only_the_operator_reads_the_audit_log(client, registry) -> None:  # type: ignore[no-untyped-def]
    log_in_demo(client, "orgadmin")
    assert client.get(reverse("auditrecord:index")).status_code in (302, 403)
    client.post(reverse("logout"))
    log_in_demo(client, "operator")
    assert client.get(reverse("auditrecord:index")).status_code == 200
