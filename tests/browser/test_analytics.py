"""Smart Data in a real browser, in Kazakh, Russian and English: the catalog, a dataset, an
indicator, the trade dashboard (filtered, then drilled down to a region), the embed — each checked
with axe-core against WCAG 2.2 AA (any violation fails) — and a tile's export link."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.django_db(transaction=True)
axe = Axe()
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TRADE = "/analytics/dashboards/kz-tj-trade/"


def conforms(page: Any) -> None:
    """No WCAG 2.x A/AA violation of any impact on the page as it is now."""
    results = axe.run(
        page, options={"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    )
    found = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
    ]
    assert found == [], f"{page.url}: {found}"


@pytest.fixture
def content(transactional_db: Any, tmp_path: Any, settings: Any) -> Iterator[None]:
    from egov.analytics import demo as analytics_demo
    from egov.analytics import store
    from egov.core import demo as core_demo

    settings.EGOV_ANALYTICS_DIR = tmp_path / "analytics"
    store.reset_engine()
    core_demo.load()
    analytics_demo.load()
    yield
    store.reset_engine()


@pytest.fixture(params=["kk", "ru", "en"])
def localized(request: Any, browser: Any, live_server: Any) -> Iterator[tuple[Any, str]]:
    language = request.param
    context = browser.new_context(locale=language, base_url=live_server.url, accept_downloads=True)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened, language
    context.close()


def test_analytics_pages_meet_wcag_aa(localized: tuple[Any, str], content: None) -> None:
    page, language = localized
    page.goto("/analytics/")
    assert page.locator("html").get_attribute("lang") == language
    conforms(page)
    page.locator("a[href='/analytics/datasets/bilateral_trade/']").first.click()
    page.wait_for_url("**/datasets/bilateral_trade/")
    conforms(page)

    page.goto("/analytics/indicators/kz-tj-turnover/")
    assert page.locator("svg").count() >= 1
    conforms(page)

    page.goto(TRADE)
    conforms(page)
    page.locator("#f-start").fill("2024-01-01")
    page.locator("#f-end").fill("2024-12-31")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**start=2024-01-01**")
    conforms(page)
    drill = page.locator("a[href*='region=']:not([href$='region='])").first
    region = drill.get_attribute("href").rsplit("region=", 1)[1]
    drill.click()
    page.wait_for_url(f"**region={region}**")
    assert page.locator("#f-region").input_value() == region
    conforms(page)

    page.goto("/analytics/embed/indicator/kz-tj-turnover/")
    assert page.locator("html").get_attribute("lang") == language
    conforms(page)


def log_in(page: Any, username: str) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from egov.testing.auth import current_token

    page.goto("/account/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(f"{username}-demo-2026")
    page.locator("main form button[type=submit]").click()
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    page.locator("input[name=token]").fill(current_token(device))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")


def test_editing_forms_meet_wcag_aa(localized: tuple[Any, str], content: None) -> None:
    """The analyst's forms, also as they come back with errors next to the fields."""
    page, _language = localized
    log_in(page, "analyst")
    page.goto("/analytics/datasets/bilateral_trade/")
    page.locator("a[href='/analytics/datasets/bilateral_trade/edit/']").click()
    conforms(page)
    page.locator("#id_title_kk").fill("")
    page.locator("main form button[type=submit]").click()
    assert page.locator(".has-error #id_title_kk").count() == 1
    conforms(page)
    page.goto("/analytics/indicators/kz-tj-turnover/")
    page.locator("a[href='/analytics/indicators/kz-tj-turnover/edit/']").click()
    conforms(page)
    page.locator("#id_sql").fill("DELETE FROM bilateral_trade")
    page.locator("#id_targets").fill("someday")
    page.locator("main form button[type=submit]").click()
    assert page.locator(".has-error").count() == 2
    conforms(page)


def test_a_tile_exports_through_its_link(page: Any, content: None) -> None:
    page.goto(f"{TRADE}?start=2024-01-01&end=2024-02-29")
    tile = page.locator("section.tile").nth(4)
    with page.expect_download() as waiting:
        tile.get_by_role("link", name="CSV").click()
    download = waiting.value
    assert download.suggested_filename == "kz-tj-trade-4.csv"
    lines = download.path().read_text(encoding="utf-8").strip().splitlines()
    assert lines[0].split(",") == ["region", "value"] and len(lines) > 2
    with page.expect_download() as waiting:
        tile.get_by_role("link", name="PNG").click()
    assert waiting.value.path().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_check_fails_on_a_violation(browser: Any) -> None:
    page = browser.new_page()
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"></main></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        conforms(page)
    page.close()
