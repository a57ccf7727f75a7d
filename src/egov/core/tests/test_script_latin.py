"""Kazakh Cyrillic -> Latin, plain text (egov.core.script; no Django, no database)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov.core.script import convert, to_latin
from egov.core.script.tables import CYRILLIC_LOWER, CYRILLIC_UPPER, is_cyrillic

# Expected values typed from shared/reference/kazakh-latin.md, independently of tables.py:
# letter -> (lowercase, capital at the start of a Title word, capital inside an ALL-CAPS word)
EXPECTED: dict[str, dict[str, tuple[str, str, str]]] = {
    "2018": {
        "а": ("a", "A", "A"),
        "ә": ("á", "Á", "Á"),
        "б": ("b", "B", "B"),
        "в": ("v", "V", "V"),
        "г": ("g", "G", "G"),
        "ғ": ("ǵ", "Ǵ", "Ǵ"),
        "д": ("d", "D", "D"),
        "е": ("e", "E", "E"),
        "ё": ("ıo", "Io", "IO"),
        "ж": ("j", "J", "J"),
        "з": ("z", "Z", "Z"),
        "и": ("ı", "I", "I"),
        "й": ("ı", "I", "I"),
        "к": ("k", "K", "K"),
        "қ": ("q", "Q", "Q"),
        "л": ("l", "L", "L"),
        "м": ("m", "M", "M"),
        "н": ("n", "N", "N"),
        "ң": ("ń", "Ń", "Ń"),
        "о": ("o", "O", "O"),
        "ө": ("ó", "Ó", "Ó"),
        "п": ("p", "P", "P"),
        "р": ("r", "R", "R"),
        "с": ("s", "S", "S"),
        "т": ("t", "T", "T"),
        "у": ("ý", "Ý", "Ý"),
        "ұ": ("u", "U", "U"),
        "ү": ("ú", "Ú", "Ú"),
        "ф": ("f", "F", "F"),
        "х": ("h", "H", "H"),
        "һ": ("h", "H", "H"),
        "ц": ("s", "S", "S"),
        "ч": ("ch", "Ch", "CH"),
        "ш": ("sh", "Sh", "SH"),
        "щ": ("sh", "Sh", "SH"),
        "ъ": ("", "", ""),
        "ы": ("y", "Y", "Y"),
        "і": ("i", "I", "I"),
        "ь": ("", "", ""),
        "э": ("e", "E", "E"),
        "ю": ("ıý", "Iý", "IÝ"),
        "я": ("ıa", "Ia", "IA"),
    },
    "2021": {
        "а": ("a", "A", "A"),
        "ә": ("ä", "Ä", "Ä"),
        "б": ("b", "B", "B"),
        "в": ("v", "V", "V"),
        "г": ("g", "G", "G"),
        "ғ": ("ğ", "Ğ", "Ğ"),
        "д": ("d", "D", "D"),
        "е": ("e", "E", "E"),
        "ё": ("io", "İo", "İO"),
        "ж": ("j", "J", "J"),
        "з": ("z", "Z", "Z"),
        "и": ("i", "İ", "İ"),
        "й": ("i", "İ", "İ"),
        "к": ("k", "K", "K"),
        "қ": ("q", "Q", "Q"),
        "л": ("l", "L", "L"),
        "м": ("m", "M", "M"),
        "н": ("n", "N", "N"),
        "ң": ("ñ", "Ñ", "Ñ"),
        "о": ("o", "O", "O"),
        "ө": ("ö", "Ö", "Ö"),
        "п": ("p", "P", "P"),
        "р": ("r", "R", "R"),
        "с": ("s", "S", "S"),
        "т": ("t", "T", "T"),
        "у": ("u", "U", "U"),
        "ұ": ("ū", "Ū", "Ū"),
        "ү": ("ü", "Ü", "Ü"),
        "ф": ("f", "F", "F"),
        "х": ("h", "H", "H"),
        "һ": ("h", "H", "H"),
        "ц": ("ts", "Ts", "TS"),
        "ч": ("tş", "Tş", "TŞ"),
        "ш": ("ş", "Ş", "Ş"),
        "щ": ("şş", "Şş", "ŞŞ"),
        "ъ": ("", "", ""),
        "ы": ("y", "Y", "Y"),
        "і": ("ı", "I", "I"),
        "ь": ("", "", ""),
        "э": ("e", "E", "E"),
        "ю": ("iu", "İu", "İU"),
        "я": ("ia", "İa", "İA"),
    },
}
CASES = [(a, cyr, *exp) for a, table in EXPECTED.items() for cyr, exp in table.items()]


def test_expected_tables_cover_the_alphabet() -> None:
    for table in EXPECTED.values():
        assert "".join(sorted(table)) == "".join(sorted(CYRILLIC_LOWER))


@pytest.mark.parametrize(("alphabet", "cyr", "lower", "title", "caps"), CASES)
def test_every_letter_in_both_cases(
    alphabet: str, cyr: str, lower: str, title: str, caps: str
) -> None:
    assert to_latin(cyr, alphabet) == lower
    assert to_latin(cyr.upper() + "а", alphabet) == title + "a"  # start of a Title word
    assert to_latin("А" + cyr.upper() + "А", alphabet) == "A" + caps + "A"  # inside ALL CAPS
    assert to_latin(cyr.upper(), alphabet) == title  # a lone capital is a title-case word


def test_attested_2018_egemen() -> None:
    cyr = "Қазақстан Республикасының Ішкі істер министрлігінің бұйрығы"
    expected = "Qazaqstan Respýblıkasynyń Ishki ister mınıstrliginiń buıryǵy"
    assert to_latin(cyr, "2018") == expected


def test_attested_2021_wikipedia() -> None:
    cyr = "Бұрыңғы өткен заманда, бір данышпан кісі"
    assert to_latin(cyr, "2021") == "Būryñğy ötken zamanda, bır danyşpan kısı"


def test_default_alphabet_is_2021() -> None:
    assert to_latin("кісі") == "kısı"


@pytest.mark.parametrize(
    ("cyr", "y2018", "y2021"),
    [
        ("Шығыс", "Shyǵys", "Şyğys"),
        ("ШЫҒЫС", "SHYǴYS", "ŞYĞYS"),
        ("ШҚО", "SHQO", "ŞQO"),
        ("ТАШ", "TASH", "TAŞ"),
        ("Ш.", "Sh.", "Ş."),
        ("ЧЕМПИОН", "CHEMPION", "TŞEMPİON"),
        ("Чехия", "Chehııa", "Tşehiia"),
        ("ЮНЕСКО-ның", "IÝNESKO-nyń", "İUNESKO-nyñ"),
        ("Щучье", "Shýche", "Şşutşe"),
        ("ШЫҒЫСШығыс", "SHYǴYSShyǵys", "ŞYĞYSŞyğys"),  # a caps run ending a word
    ],
)
def test_digraph_capitalisation(cyr: str, y2018: str, y2021: str) -> None:
    assert to_latin(cyr, "2018") == y2018
    assert to_latin(cyr, "2021") == y2021


def test_2021_capitals_come_from_the_table_not_upper() -> None:
    assert to_latin("и И і І й Й", "2021") == "i İ ı I i İ"
    assert to_latin("ИІ", "2021") == "İI"
    assert to_latin("и И і І", "2018") == "ı I i I"


def test_nfc_first_decomposed_letters() -> None:
    decomposed = unicodedata.normalize("NFD", "Қайда? Ёлка")  # й and ё decompose
    assert decomposed != "Қайда? Ёлка"
    assert to_latin(decomposed, "2018") == "Qaıda? Iolka"
    assert to_latin(decomposed, "2021") == "Qaida? İolka"


def test_stray_combining_marks_on_cyrillic_are_dropped() -> None:
    # О + U+0301 would otherwise become Ó, which is the 2018 letter for Ө.
    result = convert("О\u0301ЛЕ, мо\u0301ре, за\u0300мок, ш\u0483", "2018")
    assert result.text == "OLE, more, zamok, sh"
    assert result.unknown_count == 0


@pytest.mark.parametrize(
    ("text", "expected", "unknown"),
    [
        ("К\u0301", "K", 0),  # NFC would make Macedonian Ќ: the mark is stray
        ("и\u0304", "ı", 0),  # NFC would make Tajik ӣ
        ("і\u0308", "i", 0),  # ... Ukrainian ї
        ("е\u0308\u0301", "ıo", 0),  # ё plus a stress mark
        ("ӣ", "ӣ", 1),  # a precomposed Tajik letter is a real letter: kept, counted
        ("ӣ\u0301", "ӣ", 1),
    ],
)
def test_marks_that_nfc_would_compose(text: str, expected: str, unknown: int) -> None:
    result = convert(text, "2018")
    assert (result.text, result.unknown_count) == (expected, unknown)


def test_marks_not_on_cyrillic_are_kept() -> None:
    # They belong to other text (or were orphans already); NFC still applies.
    assert to_latin("q\u0301 Ш \u0301 e\u0301", "2018") == "q\u0301 Sh \u0301 é"


@pytest.mark.parametrize(
    "text",
    [
        "https://egov.kz/cms/kk/services?id=42#top",
        "info@egov.kz",
        "ABC xyz 0123456789 — «» “” !?.,;:()[]{} € ₸ № 😀 中文",
        "Tab\tnewline\n and spaces  ",
    ],
)
def test_non_cyrillic_passes_through(text: str) -> None:
    assert to_latin(text, "2018") == text
    assert to_latin(text, "2021") == text
    assert convert(text).unknown_count == 0


def test_urls_inside_kazakh_text() -> None:
    text = "Сайт: https://egov.kz/kk, пошта: info@egov.kz."
    assert to_latin(text, "2018") == "Saıt: https://egov.kz/kk, poshta: info@egov.kz."


@pytest.mark.parametrize(
    ("cyr", "y2018", "y2021"),
    [
        ("цирк", "sırk", "tsirk"),
        ("чай", "chaı", "tşai"),
        ("щётка", "shıotka", "şşiotka"),
        ("съезд", "sezd", "sezd"),
        ("компьютер", "kompıýter", "kompiuter"),
        ("яблоко", "ıabloko", "iabloko"),
        ("юбка", "ıýbka", "iubka"),
        ("ёлка", "ıolka", "iolka"),
        ("этаж", "etaj", "etaj"),
        ("Привет, как дела?", "Prıvet, kak dela?", "Privet, kak dela?"),
    ],
)
def test_russian_letters_use_the_same_table(cyr: str, y2018: str, y2021: str) -> None:
    assert to_latin(cyr, "2018") == y2018
    assert to_latin(cyr, "2021") == y2021


def test_letters_outside_the_table_pass_through_and_are_counted() -> None:
    result = convert("ӣ ӯ ҳ ҷ ғ қ Ҳ є", "2021")
    assert result.text == "ӣ ӯ ҳ ҷ ğ q Ҳ є"
    assert result.unknown_count == 6
    assert result.unknown_letters == frozenset("ӣӯҳҷҲє")


def test_empty_and_invalid_alphabet() -> None:
    assert to_latin("") == ""
    assert convert("", "2018").unknown_count == 0
    with pytest.raises(ValueError, match="alphabet"):
        to_latin("а", "2017")


def test_ten_megabytes() -> None:
    text = "Қазақстан Республикасы ШЫҒЫС өңірі, цирк және ӣ. " * 200_000
    assert len(text.encode()) > 10_000_000
    result = convert(text, "2018")
    assert result.text.startswith("Qazaqstan Respýblıkasy SHYǴYS óńiri, sırk jáne ӣ. ")
    assert result.unknown_count == 200_000


KAZAKH_RUSSIAN = CYRILLIC_LOWER + CYRILLIC_UPPER
MARKS = ["", "", "", "\u0301", "\u0300", "\u0306", "\u0308", "\u0301\u0483"]
# Kazakh and Russian letters, possibly decomposed or carrying stray marks, and punctuation.
texts = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(KAZAKH_RUSSIAN), st.sampled_from(MARKS)).map("".join),
        st.sampled_from(list(" .,-–«»!?\n0123456789")),
    ),
    max_size=100,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(texts, st.sampled_from(["2018", "2021"]))
def test_output_never_contains_cyrillic_or_combining_marks(text: str, alphabet: str) -> None:
    out = convert(text, alphabet)
    assert not any(is_cyrillic(ch) for ch in out.text)
    assert not any(unicodedata.combining(ch) for ch in out.text)
    assert out.unknown_count == 0


@settings(max_examples=100, deadline=None)
@given(texts, st.sampled_from(["2018", "2021"]))
def test_latin_output_is_a_fixed_point(text: str, alphabet: str) -> None:
    once = to_latin(text, alphabet)
    assert to_latin(once, alphabet) == once


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=100), st.sampled_from(["2018", "2021"]))
def test_any_text_never_crashes(text: str, alphabet: str) -> None:
    result = convert(text, alphabet)
    assert result.unknown_count >= 0
