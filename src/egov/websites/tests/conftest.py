"""Website fixtures: a portal with two bodies' sites and their staff, or the full demo."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from egov.core.models import Organization, User
from egov.websites.models import AgencySite, PortalHomePage


@dataclass
class Sites:
    portal: PortalHomePage
    justice: AgencySite
    digital: AgencySite
    users: dict[str, User]


@pytest.fixture
def sites(registry: Any) -> Sites:
    """Two bodies' sites (MINJUST, MDDIAI) with an editor and a moderator each, and an operator."""
    from egov.websites.tests.factories import make_portal, make_site, staff

    portal = make_portal()
    justice_org = Organization.objects.get(code="MINJUST")
    digital_org = Organization.objects.get(code="MDDIAI")
    justice = make_site(portal, justice_org, phone="+7 7172 00 00 01")
    digital = make_site(portal, digital_org)
    users = {
        "justice_editor": staff("justice_editor", "editor", justice_org),
        "justice_moderator": staff("justice_moderator", "moderator", justice_org),
        "digital_editor": staff("digital_editor", "editor", digital_org),
        "digital_moderator": staff("digital_moderator", "moderator", digital_org),
        "web_operator": staff("web_operator", "operator", None),
    }
    return Sites(portal, justice, digital, users)


@pytest.fixture
def portal(registry: Any) -> PortalHomePage:
    """The core demo registry plus the websites demo: portal, six sites, editors, moderators."""
    from egov.websites import demo

    demo.load()
    return PortalHomePage.objects.get(locale__language_code="kk")
