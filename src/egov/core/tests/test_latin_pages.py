"""Kazakh pages served in Latin script under /kk-latn/, the switcher, the filter and the CLI."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from django.template import Context, Template

from egov.core import latin

pytestmark = pytest.mark.django_db
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def _text(html: str) -> str:
    """The visible text of a page: without tags, scripts, styles and code."""
    html = re.sub(r"<(script|style|code|pre)\b.*?</\1>", "", html, flags=re.S)
    html = re.sub(r'<[^>]*translate="no"[^>]*>.*?</[^>]+>', "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_a_kazakh_page_has_a_latin_twin(client, registry) -> None:  # type: ignore[no-untyped-def]
    cyrillic = client.get("/", HTTP_ACCEPT_LANGUAGE="kk")
    page = client.get("/kk-latn/", HTTP_ACCEPT_LANGUAGE="ru")
    assert page.status_code == 200
    assert page["Content-Language"] == "kk-Latn"
    assert int(page.get("Content-Length", len(page.content))) == len(page.content)
    body = page.content.decode()
    assert '<html lang="kk-Latn">' in body
    assert CYRILLIC.search(cyrillic.content.decode())
    # Only the script switch (which names the Cyrillic page in Cyrillic) may stay Cyrillic.
    leftovers = {m.group(0) for m in CYRILLIC.finditer(_text(body).replace("Қазақша", ""))}
    assert leftovers == set()
    assert 'hreflang="kk-Latn"' in body and 'hreflang="kk" href="http://testserver/"' in body


def test_links_and_redirects_keep_the_reader_in_latin(client, registry) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/kk-latn/bridge/").content.decode()
    assert 'href="/kk-latn/bridge/"' in body
    assert 'href="/static/egov/platform.css"' in body
    # The way back to Cyrillic keeps the reader in Kazakh.
    assert 'hreflang="kk" href="/language/?language=kk&amp;next=/bridge/"' in body
    redirect = client.get("/kk-latn/bridge/requests/")
    assert redirect.status_code == 302
    assert redirect["Location"].startswith("/kk-latn/account/login/")


def test_a_repeat_costs_no_conversion(client, registry, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls = []
    real = latin.to_latin_html
    monkeypatch.setattr(latin, "to_latin_html", lambda html, a: calls.append(1) or real(html, a))
    first = client.get("/kk-latn/account/login/").content.decode()
    second = client.get("/kk-latn/account/login/").content.decode()
    assert len(calls) == 1
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.sub("", first) == token.sub("", second)
    assert token.search(second)  # each answer keeps its own CSRF token


def test_the_deployment_chooses_the_alphabet(client, registry, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EGOV_KK_LATIN_ALPHABET = "2018"
    assert "Servıster" in client.get("/kk-latn/bridge/").content.decode()
    settings.EGOV_KK_LATIN_ALPHABET = "2021"
    assert "Servister" in client.get("/kk-latn/bridge/").content.decode()


def test_the_switch_appears_only_for_kazakh(client) -> None:  # type: ignore[no-untyped-def]
    assert "Qazaqsha" in client.get("/", HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert "Qazaqsha" not in client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()


def test_template_filter_converts_fragments() -> None:
    rendered = Template(
        '{% load kazakh_script %}{{ text|kk_latin:"2018" }}|{{ html|kk_latin }}'
    ).render(Context({"text": "Шығыс <б>", "html": Template("<b>Шығыс</b>").render(Context())}))
    assert rendered == "Shyǵys &lt;b&gt;|<b>Şyğys</b>"


def test_cli_converts_standard_input() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "egov.cli", "translit", "--alphabet", "2018"],
        input="Қазақстан",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout == "Qazaqstan"
    back = subprocess.run(
        [sys.executable, "-m", "egov.cli", "translit", "--reverse", "--alphabet", "2018"],
        input="Qazaqstan",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert back.stdout == "Қазақстан"
