"""Kazakh Cyrillic -> Latin for plain text.

The bulk of the work is one ``str.translate`` with a table that already writes capitals in
title case (Ш -> Sh). Only two rarer things need a regex pass: runs of two or more
capitals (all-caps words and abbreviations, where Ш -> SH), and, when a quick scan of the
output finds them, combining marks left on Cyrillic letters or letters outside the table.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from .tables import (
    COMBINING_CLASS,
    CYRILLIC_LETTERS,
    CYRILLIC_LOWER,
    CYRILLIC_UPPER,
    TABLES,
    UNKNOWN_CYRILLIC_CLASS,
    Alphabet,
    Tables,
    is_cyrillic,
    tables,
)


@dataclass(frozen=True, slots=True)
class Conversion:
    """A converted text plus what could not be converted.

    ``unknown_count`` counts letters that passed through unchanged because they are not in
    the table (e.g. Tajik ӣ ҷ in Cyrillic input, w or x in Latin input).
    """

    text: str
    unknown_count: int = 0
    unknown_letters: frozenset[str] = field(default_factory=frozenset)


# Leading class keeps the regex engine on its fast "scan for a character set" path.
_CAPS_RUN: Final[re.Pattern[str]] = re.compile(f"[{CYRILLIC_UPPER}][{CYRILLIC_UPPER}]+")
_MARK_RUN: Final[re.Pattern[str]] = re.compile(f"[{COMBINING_CLASS}]+")
_SUSPECT: Final[re.Pattern[str]] = re.compile(f"[{UNKNOWN_CYRILLIC_CLASS}{COMBINING_CLASS}]")
_UNKNOWN: Final[re.Pattern[str]] = re.compile(f"[{UNKNOWN_CYRILLIC_CLASS}]")
_CYRILLIC_MARKS: Final[re.Pattern[str]] = re.compile(
    f"[{CYRILLIC_LOWER}{CYRILLIC_UPPER}{UNKNOWN_CYRILLIC_CLASS}][{COMBINING_CLASS}]+"
)


def _make_caps_sub(t: Tables) -> Callable[[re.Match[str]], str]:
    all_caps = t.all_caps
    title = t.translate

    def repl(m: re.Match[str]) -> str:
        run = m.group()
        end = m.end()
        s = m.string
        # "ШЫҒЫСШығыс": the last capital starts a title-case word, not the caps run.
        if end < len(s) and s[end].islower() and is_cyrillic(s[end]):
            return run[:-1].translate(all_caps) + run[-1].translate(title)
        return run.translate(all_caps)

    return repl


_CAPS_SUBS: Final[dict[Alphabet, Callable[[re.Match[str]], str]]] = {
    a: _make_caps_sub(t) for a, t in TABLES.items()
}


def _strip_marks(m: re.Match[str]) -> str:
    # A mark on a Cyrillic letter would land on the Latin output letter (О + U+0301 would
    # become Ó, a different 2018 letter), so it goes. Marks elsewhere belong to other text.
    start = m.start()
    if start and is_cyrillic(m.string[start - 1]):
        return ""
    return m.group()


def _translate(text: str, t: Tables) -> str:
    return _CAPS_RUN.sub(_CAPS_SUBS[t.alphabet], text).translate(t.fast)


def _fold_marks(m: re.Match[str]) -> str:
    # и + U+0306 is й and е + U+0308 is ё: keep such compositions when they give a table
    # letter. К + U+0301 would compose to Macedonian Ќ, and и + U+0304 to Tajik ӣ, which
    # would pass through as Cyrillic: there the marks are stray and go. (A precomposed ӣ in
    # the input is a real Tajik letter and stays, counted as unknown.)
    group = m.group()
    composed = unicodedata.normalize("NFC", group)
    return composed[0] if composed[0] in CYRILLIC_LETTERS else group[0]


def nfc(text: str) -> str:
    """NFC, with marks on Cyrillic letters folded as described in _fold_marks."""
    if unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", _CYRILLIC_MARKS.sub(_fold_marks, text))


def convert(text: str, alphabet: str = "2021") -> Conversion:
    """Transliterate Kazakh (and Russian) Cyrillic in ``text`` to Latin."""
    t = tables(alphabet)
    if not text:
        return Conversion("")
    text = nfc(text)
    out = _translate(text, t)
    if _SUSPECT.search(out) is None:
        return Conversion(out)
    stripped = _MARK_RUN.sub(_strip_marks, text)
    if stripped != text:
        out = _translate(stripped, t)
    unknown = _UNKNOWN.findall(out)
    return Conversion(out, len(unknown), frozenset(unknown))


def to_latin(text: str, alphabet: str = "2021") -> str:
    """Transliterate Kazakh Cyrillic to Latin; everything else passes through."""
    return convert(text, alphabet).text


__all__ = ["Alphabet", "Conversion", "convert", "nfc", "to_latin"]
