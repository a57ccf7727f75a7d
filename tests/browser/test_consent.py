"""The citizen's cabinet in a real browser: log in, open the cabinet with a code, grant a pending
request (also by keyboard alone), read the data tracker, revoke. Every cabinet page and the
auditor's report is checked with axe-core in Kazakh, Russian and English against WCAG 2.2 AA."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.bridge.models import Service
from egov.consent.models import Consent
from egov.consent.tests.conftest import RecordingChannel
from egov.consent.tests.factories import call_record
from egov.core.models import InformationSystem, User
from egov.testing.auth import current_token

pytestmark = pytest.mark.django_db(transaction=True)
axe = Axe()
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LOCALES = {"kk": "kk-KZ", "ru": "ru-RU", "en": "en-US"}


def conforms(page: Any) -> None:
    """No WCAG 2.2 A/AA violation of any impact on the page as it is now."""
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    violations = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
    ]
    assert violations == [], f"{page.url}: {violations}"


def log_in(page: Any, username: str) -> None:
    page.goto("/account/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(f"{username}-demo-2026")
    page.locator("main form button[type=submit]").last.click()
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is not None:  # staff prove a second factor; citizens do so when opening the cabinet
        page.locator("#id_token").fill(current_token(device))
        page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/")


def unlock_cabinet(page: Any, channel: RecordingChannel) -> None:
    page.goto("/consent/")
    page.wait_for_url("**/consent/unlock/**")
    conforms(page)
    page.locator("button[name=send]").click()
    page.locator("#id_token").fill(channel.last_code())
    page.locator("#id_token").press("Enter")
    page.wait_for_url("**/consent/")


@pytest.fixture
def channel(monkeypatch: pytest.MonkeyPatch) -> RecordingChannel:
    """The console/test channel: the code the platform sends is read here, as from a phone."""
    from egov.consent import otp

    recording = RecordingChannel()
    monkeypatch.setattr(otp, "channel", lambda: recording)
    return recording


@pytest.fixture
def demo(transactional_db: Any) -> None:
    from egov.bridge import demo as bridge_demo
    from egov.consent import demo as consent_demo
    from egov.core import demo as core_demo

    core_demo.load()
    bridge_demo.load()
    consent_demo.load()
    citizen = User.objects.get(username="citizen")
    service = Service.objects.get(code="civil-extract")
    bank = InformationSystem.objects.get(organization__code="DEMOBANK", subsystem_code="loans")
    cards = InformationSystem.objects.get(organization__code="DEMOBANK", subsystem_code="cards")
    granted = Consent.objects.get(consumer=bank)
    call_record(str(citizen.personal_id), bank, service, consent_id=granted.public_id)
    call_record(str(citizen.personal_id), cards, service, status=403, error="no_consent")


@pytest.fixture
def citizen_page(browser: Any, live_server: Any, demo: None) -> Iterator[Any]:
    context = browser.new_context(locale="en-US", base_url=live_server.url)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def pending_consent() -> Consent:
    return Consent.objects.get(status="requested")


def test_grant_see_the_tracker_and_revoke(citizen_page: Any, channel: RecordingChannel) -> None:
    page = citizen_page
    log_in(page, "citizen")
    unlock_cabinet(page, channel)
    assert "Requests awaiting my decision" in page.content()
    request = pending_consent()
    page.get_by_role("link", name=request.consumer.organization.name_en).first.click()
    page.wait_for_url(f"**/consent/consents/{request.public_id}/")
    page.get_by_role("button", name="Send me a code").click()
    # A wrong code is refused next to the field and nothing is decided.
    page.get_by_label("Six-digit code").fill("12345a")
    page.get_by_role("button", name="Grant").click()
    assert page.locator(".has-error").count() >= 1
    conforms(page)
    assert pending_consent().pk == request.pk
    page.get_by_label("Six-digit code").fill(channel.last_code())
    page.get_by_role("button", name="Grant").click()
    assert "You granted the consent." in page.content()
    request.refresh_from_db()
    assert request.status == "granted"

    page.goto("/consent/tracker/")
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    assert "Demo Bank" in rows.first.inner_text()
    page.get_by_label("Outcome").select_option("refused")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("tbody tr").count() == 1

    page.goto(f"/consent/consents/{request.public_id}/")
    page.get_by_label("Why (optional)").fill("I changed my mind.")
    page.get_by_role("button", name="Revoke consent").click()
    assert "The consent is revoked" in page.content()
    request.refresh_from_db()
    assert request.status == "revoked"


def test_grant_with_the_keyboard_alone(citizen_page: Any, channel: RecordingChannel) -> None:
    page = citizen_page
    log_in(page, "citizen")
    unlock_cabinet(page, channel)
    request = pending_consent()
    page.goto(f"/consent/consents/{request.public_id}/")

    def tab_to(selector: str) -> None:
        """Press Tab until the element has focus (as a keyboard user would), then stop."""
        target = page.locator(selector)
        for _ in range(60):
            page.keyboard.press("Tab")
            if target.evaluate("element => element === document.activeElement"):
                return
        raise AssertionError(f"{selector} cannot be reached with Tab")

    tab_to("button[value=send_code]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to("#id_token")
    page.keyboard.type(channel.last_code())
    tab_to("button[value=grant]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "You granted the consent." in page.content()
    request.refresh_from_db()
    assert request.status == "granted"


@pytest.mark.parametrize("language", list(LOCALES))
def test_cabinet_and_audit_pages_meet_wcag_22_aa(
    browser: Any, live_server: Any, demo: None, channel: RecordingChannel, language: str
) -> None:
    context = browser.new_context(locale=LOCALES[language], base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, "citizen")
        unlock_cabinet(page, channel)
        assert page.locator("html").get_attribute("lang") == language
        conforms(page)
        granted = Consent.objects.get(status="granted")
        for url in (
            f"/consent/consents/{pending_consent().public_id}/",
            f"/consent/consents/{granted.public_id}/",
            "/consent/tracker/",
            "/consent/tracker/?outcome=nonsense",  # a filter with an error
            "/consent/settings/",
        ):
            page.goto(url)
            conforms(page)
        page.locator("#id_phone").fill("not a phone")
        page.locator("main form button[type=submit]").click()
        assert page.locator(".has-error").count() == 1
        conforms(page)
        page.locator("form[action*='logout'] button").click()

        log_in(page, "operator")
        page.goto("/consent/audit/")
        assert page.locator("h1").count() == 1
        conforms(page)
        page.goto("/consent/audit/?since=not-a-date")
        conforms(page)
    finally:
        context.close()


def test_the_check_catches_a_violation(page: Any) -> None:
    """The WCAG check above can fail: an unlabeled field and an image without text do."""
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"><input></main></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        conforms(page)
