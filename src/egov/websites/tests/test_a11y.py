"""The accessibility check that gates publishing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from egov.websites import a11y
from egov.websites.models import FaqPage, LegalActPage, NewsPage


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """The messages are read in English here; the catalogs translate them for editors."""
    with translation.override("en"):
        yield


def test_headings_must_not_skip_levels_or_use_the_title_level() -> None:
    assert a11y.check_html("<h2>A</h2><h3>B</h3><h2>C</h2>", "Text") == []
    problems = a11y.check_html("<h2>A</h2><h4>B</h4>", "Text")
    assert len(problems) == 1 and "use level 3" in problems[0]
    assert "level 1" in a11y.check_html("<h1>Title again</h1>", "Text")[0]
    assert "empty" in a11y.check_html("<h2> </h2>", "Text")[0]
    # A field shown under its own h2 starts at h3.
    assert a11y.check_html("<h3>A</h3>", "Text", a11y._Outline(base=3)) == []
    assert a11y.check_html("<h4>A</h4>", "Text", a11y._Outline(base=3)) != []


@pytest.mark.parametrize(
    "text", ["here", "Click here", "Подробнее", "мұнда", "бештар", "толығырақ."]
)
def test_link_text_must_say_where_it_leads(text: str) -> None:
    problems = a11y.check_html(f'<p><a href="/x">{text}</a></p>', "Text")
    assert problems and "means nothing on its own" in problems[0]


def test_links_and_images_need_text() -> None:
    assert "no text" in a11y.check_html('<a href="/x"></a>', "Text")[0]
    assert (
        a11y.check_html('<a href="/x"><img src="a.png" alt="Map of the district"></a>', "T") == []
    )
    assert "alt text" in a11y.check_html('<embed embedtype="image" id="1" alt=""/>', "Text")[0]
    assert a11y.check_html('<embed embedtype="image" id="1" alt="A bridge"/>', "Text") == []
    assert (
        a11y.check_html(
            '<p><a href="/gov/minjust/documents/">Documents of the ministry</a></p>', "T"
        )
        == []
    )


@pytest.mark.django_db
def test_tables_need_a_caption_and_header_row() -> None:
    page = NewsPage(
        title="T",
        body=[("table", {"data": [["a", "b"]], "first_row_is_table_header": False})],
    )
    problems = a11y.check_page(page)
    assert any("caption" in problem for problem in problems)
    assert any("header row" in problem for problem in problems)


@pytest.mark.django_db
def test_stream_rich_text_and_question_blocks_are_walked() -> None:
    page = NewsPage(title="T", body=[("paragraph", "<h2>A</h2><h4>B</h4>")])
    assert any("jumps to level 4" in problem for problem in a11y.check_page(page))
    faq = FaqPage(
        title="FAQ",
        questions=[("question", {"question": "Q?", "answer": "<h3>More</h3><p>A</p>"})],
    )
    assert a11y.check_page(faq) == []  # the question is an h2, so the answer's h3 fits
    faq = FaqPage(
        title="FAQ",
        questions=[("question", {"question": "Q?", "answer": "<h4>More</h4>"})],
    )
    assert a11y.check_page(faq) != []


@pytest.mark.django_db
def test_fields_shown_under_a_heading_start_one_level_deeper() -> None:
    act = LegalActPage(title="Act", doc_type="other", text="<h3>Article 1</h3><p>Text</p>")
    assert a11y.check_page(act) == []
    act.text = "<h2>Article 1</h2>"
    assert a11y.check_page(act) == []  # h2 directly after the section's h2 is allowed
    act.text = "<h4>Article 1</h4>"
    assert a11y.check_page(act) != []
