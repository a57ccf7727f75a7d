"""Images in rich text are served under /media/ (and nothing else is); the indicator block."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from egov.websites import indicators, skeleton
from egov.websites.models import ContentPage
from egov.websites.models.blocks import IndicatorBlock
from egov.websites.tests.factories import document, image

pytestmark = pytest.mark.django_db


def _content_page(sites, body) -> ContentPage:  # type: ignore[no-untyped-def]
    page = ContentPage(title="Бағдарлама", slug="programme", body=body)
    sites.justice.add_child(instance=page)
    return skeleton.publish(page)  # type: ignore[return-value]


def test_rich_text_images_are_served_from_media(sites, client) -> None:
    collection = sites.justice.organization.website_workspace.collection
    photo = image("Ғимарат", collection, description="Министрлік ғимараты")
    embed = f'<embed embedtype="image" id="{photo.pk}" format="fullwidth" alt="Ғимарат"/>'
    page = _content_page(sites, [("paragraph", f"<p>Мәтін</p>{embed}")])
    html = client.get(page.url).content.decode()
    source = re.search(r'<img alt="Ғимарат"[^>]* src="(/media/images/[^"]+)"', html)
    assert source, html
    response = client.get(source.group(1))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert "sandbox" in response["Content-Security-Policy"]
    assert client.head(source.group(1)).status_code == 200
    assert client.post(source.group(1)).status_code == 405


def test_media_serves_images_only(sites, client) -> None:
    collection = sites.justice.organization.website_workspace.collection
    private = document("secret", collection)
    photo = image("Сурет", collection)
    assert client.get(f"/media/{photo.file.name}").status_code == 200  # the original image
    for name in (
        private.file.name,  # documents go through /gov/documents/ and its privacy checks
        "images/../documents/secret.txt",
        "images/missing.png",
        "images/.hidden.png",
        "images/a/b.png",
        "settings.py",
    ):
        assert client.get(f"/media/{name}").status_code == 404, name


@pytest.fixture
def public_indicator(sites):  # type: ignore[no-untyped-def]
    from egov.analytics.models import Indicator

    return Indicator.objects.create(
        code="kz-tj-turnover",
        organization=sites.justice.organization,
        name_kk="Тауар айналымы",
        visibility="public",
    )


def test_the_indicator_block_embeds_the_analytics_chart(sites, client, public_indicator) -> None:
    block = ("indicator", {"title": "Тауар айналымы", "code": "kz-tj-turnover", "url": ""})
    page = _content_page(sites, [block])
    html = client.get(page.url).content.decode()
    assert '<iframe src="/analytics/embed/indicator/kz-tj-turnover/" title="Тауар айналымы"' in html
    assert '<a href="/analytics/embed/indicator/kz-tj-turnover/">Тауар айналымы</a>' in html
    client.get("/gov/display/", {"mode": "plain", "next": "/gov/"})
    plain = client.get(page.url).content.decode()  # no images in the plain version: the link
    assert "<iframe" not in plain and 'href="/analytics/embed/indicator/kz-tj-turnover/"' in plain
    public_indicator.visibility = "internal"  # no longer public: no chart, no broken frame
    public_indicator.save()
    client.get("/gov/display/", {"mode": "standard", "next": "/gov/"})
    assert "<iframe" not in client.get(page.url).content.decode()


def test_without_analytics_the_indicator_block_is_a_link(sites, client, monkeypatch) -> None:
    # A deployment where nothing serves the embed view (neither by name nor by address).
    monkeypatch.setattr(indicators, "EMBED_ROUTES", ("no-such-route",))
    monkeypatch.setattr(indicators, "EMBED_PATH", "/nowhere/embed/{code}/")
    block = {"title": "Тауар айналымы", "code": "kz-tj-turnover", "url": "https://stat.example/x"}
    page = _content_page(sites, [("indicator", block)])
    html = client.get(page.url).content.decode()
    assert "<iframe" not in html
    assert '<a href="https://stat.example/x">Тауар айналымы</a>' in html


def test_an_indicator_needs_a_code_or_an_address(public_indicator) -> None:
    block = IndicatorBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"title": "Көрсеткіш", "code": "", "url": ""}))
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"title": "Көрсеткіш", "code": "../admin", "url": ""}))
    with pytest.raises(ValidationError):  # well-formed, but no public indicator has it
        block.clean(block.to_python({"title": "К", "code": "gdp.q", "url": ""}))
    assert block.clean(block.to_python({"title": "К", "code": "kz-tj-turnover", "url": ""}))["code"]
