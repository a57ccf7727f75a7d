"""People using Smart Bridge in a browser: log in with a second factor, request access, decide.
Every page they pass is checked with axe-core for serious accessibility problems."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.testing.auth import current_token

pytestmark = pytest.mark.django_db(transaction=True)
axe = Axe()


def accessible(page: Any) -> None:
    """No serious or critical WCAG problems on the page as it is now."""
    results = axe.run(page)
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious


def log_in(page: Any, username: str) -> None:
    page.goto("/account/login/")
    accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"{username}-demo-2026")
    page.get_by_role("button", name="Log in").click()
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    page.get_by_label("Six-digit code").fill(current_token(device))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/")


@pytest.fixture
def demo(transactional_db: Any) -> None:
    from egov.bridge import demo as bridge_demo
    from egov.core import demo as core_demo

    core_demo.load()
    bridge_demo.load()


def test_request_access_then_approve(page: Any, demo: None) -> None:
    log_in(page, "integrator")
    page.goto("/bridge/")
    accessible(page)
    page.get_by_label("Search").fill("legal entity")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Legal entity lookup").click()
    accessible(page)
    page.get_by_role("link", name="Request access").click()
    accessible(page)
    page.get_by_role("button", name="Send the request").click()
    # Errors are shown next to their fields and the form keeps what was typed.
    assert page.locator(".has-error").count() >= 3
    page.get_by_label("GET /legal-entities/{bin}", exact=True).check()
    page.get_by_label("Purpose").fill("Check a company that applies for a loan.")
    page.get_by_label("Legal basis").fill("Law on Banks, art. 40")
    page.get_by_label("Expected calls per day").fill("200")
    page.get_by_label("Technical contact e-mail").fill("api@bank.example")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_url("**/bridge/requests/*/")
    assert "Awaiting decision" in page.content()
    request_url = page.url
    page.get_by_role("button", name="Log out").click()

    log_in(page, "owner")  # a service owner sees the request but cannot decide it
    page.goto(request_url)
    assert page.get_by_role("button", name="Save").count() == 0
    page.get_by_role("button", name="Log out").click()

    log_in(page, "approver")
    page.goto("/bridge/requests/")
    accessible(page)
    page.goto(request_url)
    accessible(page)
    page.get_by_label("Decision").select_option("approve")
    page.get_by_role("button", name="Save").click()
    assert "Approved" in page.content()


def test_kazakh_latin_twin_in_the_browser(page: Any, demo: None) -> None:
    page.goto("/kk-latn/bridge/")
    assert page.locator("html").get_attribute("lang") == "kk-Latn"
    assert "Servister katalogy" in page.content()
    page.get_by_role("link", name="Қазақша").click()
    assert "Сервистер каталогы" in page.content()
    accessible(page)
