"""Kazakh Latin (2018 or 2021) -> Cyrillic: rules plus the exception lexicon.

Text is split into Latin words; URLs, e-mail addresses and domain names are left alone,
and so is everything that is not a Latin letter. Each word is decoded in lowercase (see
:mod:`.lexicon`) and its capitalisation is put back afterwards: all caps, title case,
lowercase, or, for mixed words such as ``ShYǴYS`` or ``QRda``, piece by piece.
"""

from __future__ import annotations

import functools
import re
from typing import Final

from .latin import Conversion, nfc
from .lexicon import decode, fold, load
from .rules import RULES
from .tables import Alphabet, tables

_LETTER: Final[str] = r"A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF"
_TLD: Final[str] = r"(?:kz|ru|com|org|net|gov|edu|int|info|biz|io|eu|uk|de|tr|cn|us)"
_TOKEN: Final[re.Pattern[str]] = re.compile(
    r"(?P<skip>"
    r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s<>\"']+"  # URL
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail address
    rf"|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.{_TLD}\b"  # bare domain name
    rf")|(?P<word>[{_LETTER}]+)"
)
# Python lowercases İ to i + U+0307; that i is the 2021 i (и/й).
_DOTTED_I: Final[re.Pattern[str]] = re.compile("i\u0307")


def _pieces(word: str) -> list[str]:
    """Split a mixed-case word into pieces that are each lower, Title or UPPER case."""
    pieces: list[str] = []
    start = 0
    n = len(word)
    k = 1
    while k < n:
        if word[k].isupper() and word[k - 1].islower():
            pieces.append(word[start:k])  # fooBar -> foo | Bar
            start = k
        elif (
            word[k].islower()
            and k - start >= 2
            and word[k - 1].isupper()
            and word[start : k - 1].isupper()
        ):
            pieces.append(word[start : k - 1])  # QRda -> QR | da; ShYǴYSSh -> ... | Sh
            start = k - 1
        k += 1
    pieces.append(word[start:])
    return pieces


@functools.lru_cache(maxsize=200_000)
def _word(word: str, alphabet: Alphabet) -> tuple[str, str]:
    t = tables(alphabet)
    rs = RULES[alphabet]
    lex = load(alphabet)
    if not (word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())):
        pieces = _pieces(word)
        if len(pieces) > 1:
            parts = [_word(p, alphabet) for p in pieces]
            return "".join(p[0] for p in parts), "".join(p[1] for p in parts)
    cyr, unknown = decode(fold(word, t), lex, rs)
    if len(word) > 1 and word.isupper():
        return cyr.upper(), unknown
    if word[0].isupper():
        return cyr[:1].upper() + cyr[1:], unknown
    return cyr, unknown


def convert(text: str, alphabet: str = "2021") -> Conversion:
    """Transliterate Kazakh Latin in ``text`` to Cyrillic, counting letters outside the table."""
    t = tables(alphabet)
    if not text:
        return Conversion("")
    text = nfc(text)
    if "\u0307" in text:
        text = _DOTTED_I.sub("i", text)
    unknown: list[str] = []

    def repl(m: re.Match[str]) -> str:
        word = m.group("word")
        if word is None:
            return m.group()
        cyr, missing = _word(word, t.alphabet)
        if missing:
            unknown.append(missing)
        return cyr

    out = _TOKEN.sub(repl, text)
    letters = "".join(unknown)
    return Conversion(out, len(letters), frozenset(letters))


def to_cyrillic(text: str, alphabet: str = "2021") -> str:
    """Transliterate Kazakh Latin to Cyrillic (rules + lexicon); the rest passes through."""
    return convert(text, alphabet).text
