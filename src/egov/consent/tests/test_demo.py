"""The consent demo loads on top of the platform's and the bridge's, twice without change."""

from __future__ import annotations

from typing import Any

import pytest

from egov.consent import revisions
from egov.consent.models import Consent

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_consistent(registry: Any) -> None:
    from egov.bridge import demo as bridge_demo
    from egov.consent import demo

    bridge_demo.load()
    lines = demo.load()
    assert any("citizen" in line for line in lines)
    states = sorted(Consent.objects.values_list("status", flat=True))
    assert states == ["granted", "requested"]
    demo.load()
    assert Consent.objects.count() == 2
    assert all(revisions.verify(consent).ok for consent in Consent.objects.all())
