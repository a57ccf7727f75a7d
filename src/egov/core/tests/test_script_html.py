"""Kazakh Cyrillic -> Latin inside HTML (egov.core.script.markup; no Django, no database)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov.core.script import convert_html, to_latin, to_latin_html
from egov.core.script.tables import is_cyrillic


def test_text_nodes_only() -> None:
    doc = '<p class="Шығыс" title="Ішкі істер" data-x=\'Қ\'>Шығыс <b>ҚАЗАҚСТАН</b></p>'
    assert to_latin_html(doc, "2018") == (
        '<p class="Шығыс" title="Ішкі істер" data-x=\'Қ\'>Shyǵys <b>QAZAQSTAN</b></p>'
    )


def test_href_src_class_id_untouched() -> None:
    doc = '<a href="/kk/жаңалықтар/" id="бас"><img src="/сурет.png" alt="сурет">Жаңалықтар</a>'
    assert to_latin_html(doc, "2021") == (
        '<a href="/kk/жаңалықтар/" id="бас"><img src="/сурет.png" alt="сурет">Jañalyqtar</a>'
    )


@pytest.mark.parametrize("element", ["script", "style", "textarea", "SCRIPT"])
def test_raw_text_elements_untouched(element: str) -> None:
    doc = f"<{element} type='x'>var s = '<p>Қазақ</p>';</{element}>Қазақ"
    assert (
        to_latin_html(doc, "2018")
        == f"<{element} type='x'>var s = '<p>Қазақ</p>';</{element}>Qazaq"
    )


def test_code_and_pre_untouched_with_nesting() -> None:
    doc = "<pre>Қазақ <i>тілі</i></pre>ш<code>жоқ<code>ішкі</code>жоқ</code>бар<PRE>Ш</PRE>"
    assert to_latin_html(doc, "2018") == (
        "<pre>Қазақ <i>тілі</i></pre>sh<code>жоқ<code>ішкі</code>жоқ</code>bar<PRE>Ш</PRE>"
    )


def test_translate_no_covers_descendants_and_yes_reenables() -> None:
    doc = (
        '<div translate="no">Аты <div>Жөні</div> Тегі '
        '<span translate="yes">Иә <code>код</code></span> Ғ</div>Соңы'
    )
    assert to_latin_html(doc, "2018") == (
        '<div translate="no">Аты <div>Жөні</div> Тегі '
        '<span translate="yes">Iá <code>код</code></span> Ғ</div>Sońy'
    )


def test_bare_or_empty_translate_means_yes() -> None:
    doc = '<div translate=no>Ш<b translate>Ш</b><i translate="">Ш</i><u translate=x>Ш</u></div>'
    assert to_latin_html(doc, "2021") == (
        '<div translate=no>Ш<b translate>Ş</b><i translate="">Ş</i><u translate=x>Ш</u></div>'
    )


def test_short_and_bang_comments() -> None:
    assert to_latin_html("<!-->Ш<!--->Ш<!-- ш --!>Ш", "2021") == "<!-->Ş<!--->Ş<!-- ш --!>Ş"


def test_translate_no_on_void_element_and_self_closing() -> None:
    doc = '<img translate="no" src="x">Ш<br/>Ш<svg><path translate="no"/></svg>Ш'
    assert (
        to_latin_html(doc, "2021")
        == '<img translate="no" src="x">Ş<br/>Ş<svg><path translate="no"/></svg>Ş'
    )


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ('<html lang="kk">', '<html lang="kk-Latn">'),
        ("<p lang='kk-Cyrl'>", "<p lang='kk-Latn'>"),
        ("<p lang=kk-KZ>", "<p lang=kk-Latn-KZ>"),
        ('<p LANG="KK-Cyrl-KZ">', '<p LANG="kk-Latn-KZ">'),
        ('<p xml:lang="kk" lang="kk">', '<p xml:lang="kk-Latn" lang="kk-Latn">'),
        ('<p lang="kk-Latn">', '<p lang="kk-Latn">'),
        ('<p lang="kk-Arab">', '<p lang="kk-Arab">'),
        ('<p lang="ru">', '<p lang="ru">'),
        ('<p hreflang="kk">', '<p hreflang="kk">'),
    ],
)
def test_lang_attributes(tag: str, expected: str) -> None:
    assert to_latin_html(tag + "Сәлем", "2018") == expected + "Sálem"


def test_lang_not_rewritten_where_nothing_is_converted() -> None:
    doc = '<code lang="kk">код</code><div translate="no"><p lang="kk">мәтін</p></div>'
    assert to_latin_html(doc, "2018") == doc


def test_comments_doctype_cdata_untouched() -> None:
    doc = "<!DOCTYPE html><!-- Қазақ --><svg><![CDATA[Қазақ]]></svg><?xml Қ?>Қ"
    assert (
        to_latin_html(doc, "2018")
        == "<!DOCTYPE html><!-- Қазақ --><svg><![CDATA[Қазақ]]></svg><?xml Қ?>Q"
    )


def test_character_references_to_cyrillic_are_converted() -> None:
    assert to_latin_html("&#1096;ы &#x448; &shcy; &amp; &lt;ш&gt; &bogus; &#99999999;", "2018") == (
        "shy sh sh &amp; &lt;sh&gt; &bogus; &#99999999;"
    )


def test_attribute_with_gt_inside_quotes() -> None:
    assert to_latin_html('<a title="x>Ы">Ы</a>', "2018") == '<a title="x>Ы">Y</a>'


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ("", ""),
        ("Ш", "Sh"),
        ("a < b және c > d", "a < b jáne c > d"),
        ("<p>Ашық<div>жабық", "<p>Ashyq<div>jabyq"),
        ("</p>Ш</div>", "</p>Sh</div>"),
        ("<p", "<p"),
        ("<p class='Ш", "<p class='Sh"),  # EOF inside a tag: not a tag, so text
        ("<!-- Ш", "<!-- Ш"),  # unclosed comment runs to the end
        ("<script>Ш", "<script>Ш"),  # unclosed script runs to the end
        ("<pre>Ш", "<pre>Ш"),
        ("</>Ш<>", "</>Sh<>"),
        ("<<<Ш>>>", "<<<Sh>>>"),
        ("</code>Ш", "</code>Sh"),
        ("<b><i>Ш</b></i>", "<b><i>Sh</b></i>"),
        ("<div translate=no><p>Ш</div>Ш", "<div translate=no><p>Ш</div>Sh"),
    ],
)
def test_invalid_html_never_crashes(doc: str, expected: str) -> None:
    assert to_latin_html(doc, "2018") == expected


def test_unknown_letters_counted_in_html() -> None:
    result = convert_html("<p>ӣ ҷ Ш</p><code>ӣ</code>", "2021")
    assert result.text == "<p>ӣ ҷ Ş</p><code>ӣ</code>"
    assert result.unknown_count == 2


def test_invalid_alphabet() -> None:
    with pytest.raises(ValueError, match="alphabet"):
        to_latin_html("<p>а</p>", "latin")


class _Events(HTMLParser):
    """Records the structure html.parser sees: tags with attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, object]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", (tag, [(k, v) for k, v in attrs if k != "lang"])))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("startend", (tag, attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        self.events.append(("data", data))


def events(doc: str) -> list[tuple[str, object]]:
    parser = _Events()
    parser.feed(doc)
    parser.close()
    merged: list[tuple[str, object]] = []
    for ev in parser.events:  # the parser may split text arbitrarily
        if ev[0] == "data" and merged and merged[-1][0] == "data":
            merged[-1] = ("data", str(merged[-1][1]) + str(ev[1]))
        else:
            merged.append(ev)
    return merged


WORDS = ["Қазақстан", "ШЫҒЫС", "шығыс", "Ішкі", "істер", "цирк", "Яблоко", "әлем", "x < y", "A&B"]
ATTR_VALUES = ["kk", "kk-Cyrl", "ru", "Шығыс", "a b", "x>y", "no", "yes"]
TAGS = ["p", "div", "span", "b", "code", "pre", "a", "em"]


@st.composite
def element(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(TAGS))
    attrs = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["class", "title", "lang", "translate", "href"]),
                st.sampled_from(ATTR_VALUES),
            ),
            max_size=3,
            unique_by=lambda kv: kv[0],
        )
    )
    attr_text = "".join(f' {k}="{v}"' for k, v in attrs)
    children = draw(
        st.lists(
            st.one_of(
                st.sampled_from(WORDS).map(lambda w: w.replace("&", "&amp;").replace("<", "&lt;")),
                element(depth + 1) if depth < 3 else st.sampled_from(WORDS[:3]),
            ),
            max_size=4,
        )
    )
    return f"<{tag}{attr_text}>{' '.join(children)}</{tag}>"


@settings(max_examples=150, deadline=None)
@given(st.lists(element(), min_size=1, max_size=3).map("".join), st.sampled_from(["2018", "2021"]))
def test_structure_is_preserved_and_text_converted(doc: str, alphabet: str) -> None:
    out = to_latin_html(doc, alphabet)
    before, after = events(doc), events(out)
    assert len(before) == len(after)
    for (kind_in, val_in), (kind_out, val_out) in zip(before, after, strict=True):
        assert kind_in == kind_out
        if kind_in == "data":
            assert val_out in (val_in, to_latin(str(val_in), alphabet))
        else:
            assert val_in == val_out  # tags and attributes (lang aside) unchanged


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("<>/!-?=\"' abpreCODEscript[]&#;ШқІ\u0301")), max_size=80)
)
def test_garbage_never_crashes_and_only_cyrillic_changes(doc: str) -> None:
    out = to_latin_html(doc, "2018")
    if not any(is_cyrillic(ch) for ch in doc) and "\u0301" not in doc:
        assert out == doc  # (with U+0301 text nodes may change: they are NFC-normalised)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=20).map(" ".join))
def test_plain_text_document_equals_plain_mode(text: str) -> None:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    expected = to_latin(text, "2021").replace("&", "&amp;").replace("<", "&lt;")
    assert to_latin_html(escaped, "2021") == expected
