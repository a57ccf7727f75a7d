"""Letter tables for Kazakh Cyrillic -> Latin (2018 and 2021 alphabets).

Source: ``shared/reference/kazakh-latin.md``. Letters that no decree names (ё, ц, ч, щ, ъ, ь,
э, ю, я) follow published 2018 news practice; for 2021 the first convention listed in the
reference is used (ц -> ts, ч -> tş, щ -> şş, ю -> iu, я -> ia, ё -> io).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Final, Literal

Alphabet = Literal["2018", "2021"]
ALPHABETS: Final[tuple[Alphabet, ...]] = ("2018", "2021")
DEFAULT_ALPHABET: Final[Alphabet] = "2021"

# Cyrillic lowercase letter, 2018 Latin, 2021 Latin ("-" = the letter is dropped).
_ROWS: Final[str] = """
а a a
ә á ä
б b b
в v v
г g g
ғ ǵ ğ
д d d
е e e
ё ıo io
ж j j
з z z
и ı i
й ı i
к k k
қ q q
л l l
м m m
н n n
ң ń ñ
о o o
ө ó ö
п p p
р r r
с s s
т t t
у ý u
ұ u ū
ү ú ü
ф f f
х h h
һ h h
ц s ts
ч ch tş
ш sh ş
щ sh şş
ъ - -
ы y y
і i ı
ь - -
э e e
ю ıý iu
я ıa ia
"""

# Latin lowercase -> capital, spelled out: Python's upper() would turn the 2021 i (и/й)
# into I, which is the 2021 capital of ı (і).
_LATIN_CASE: Final[dict[Alphabet, tuple[str, str]]] = {
    "2018": ("aábcdefgǵhıijklmnńoópqrstuúvyýz", "AÁBCDEFGǴHIIJKLMNŃOÓPQRSTUÚVYÝZ"),
    "2021": ("aäbdefgğhiıjklmnñoöpqrsştuūüvyz", "AÄBDEFGĞHİIJKLMNÑOÖPQRSŞTUŪÜVYZ"),
}


def _rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in _ROWS.strip().splitlines():
        cyr, l18, l21 = line.split()
        rows.append((cyr, "" if l18 == "-" else l18, "" if l21 == "-" else l21))
    return rows


ROWS: Final[list[tuple[str, str, str]]] = _rows()
CYRILLIC_LOWER: Final[str] = "".join(r[0] for r in ROWS)
CYRILLIC_UPPER: Final[str] = CYRILLIC_LOWER.upper()
CYRILLIC_LETTERS: Final[frozenset[str]] = frozenset(CYRILLIC_LOWER + CYRILLIC_UPPER)
# Letters that exist only in Russian loans; round trips need the lexicon for them.
RUSSIAN_ONLY: Final[str] = "ёцчщъьэюя"


@dataclass(frozen=True, slots=True)
class Tables:
    """Everything the converters need for one alphabet, precomputed."""

    alphabet: Alphabet
    lower: dict[str, str]  # Cyrillic lowercase letter -> Latin lowercase
    upper: dict[str, str]  # Latin lowercase letter -> Latin capital
    lower_of: dict[str, str]  # Latin capital -> Latin lowercase
    translate: dict[int, str]  # str.translate table: lowercase + title-case capitals
    fast: list[str]  # the same as a list indexed by code point (see _identity)
    all_caps: dict[int, str]  # str.translate table for all-caps words (Ш -> SH)
    latin_letters: frozenset[str]  # both cases


def title(latin: str, upper: dict[str, str]) -> str:
    """Capitalise the first letter with the alphabet's own case table."""
    return upper[latin[0]] + latin[1:] if latin else ""


def caps(latin: str, upper: dict[str, str]) -> str:
    return "".join(upper[ch] for ch in latin)


# str.translate looks characters up with __getitem__: a list indexed by code point is about
# 30% faster than a dict. Characters past its end raise IndexError, which translate treats
# as "leave unchanged" (slowly, so the list covers everything up to the symbol blocks).
_IDENTITY: Final[tuple[str, ...]] = tuple(chr(cp) for cp in range(0x2500))


def _build(alphabet: Alphabet) -> Tables:
    col = 1 if alphabet == "2018" else 2
    lower = {row[0]: row[col] for row in ROWS}
    small, capital = _LATIN_CASE[alphabet]
    upper = dict(zip(small, capital, strict=True))
    # 2018 I is the capital of both ı and i; lowercasing it is a guess the reverse
    # converter makes itself, so keep only the unambiguous capitals here.
    lower_of = {c: s for s, c in upper.items() if capital.count(c) == 1}
    translate: dict[int, str] = {}
    all_caps: dict[int, str] = {}
    for cyr, lat in lower.items():
        translate[ord(cyr)] = lat
        translate[ord(cyr.upper())] = title(lat, upper)
        all_caps[ord(cyr)] = lat
        all_caps[ord(cyr.upper())] = caps(lat, upper)
    fast = list(_IDENTITY)
    for cp, lat in translate.items():
        fast[cp] = lat
    return Tables(
        alphabet=alphabet,
        fast=fast,
        lower=lower,
        upper=upper,
        lower_of=lower_of,
        translate=translate,
        all_caps=all_caps,
        latin_letters=frozenset(small + capital),
    )


TABLES: Final[dict[Alphabet, Tables]] = {a: _build(a) for a in ALPHABETS}


def tables(alphabet: str) -> Tables:
    """The tables for ``alphabet`` ("2018" or "2021"); ValueError for anything else."""
    try:
        return TABLES[alphabet]  # type: ignore[index]
    except KeyError:
        raise ValueError(f"unknown alphabet {alphabet!r}; expected one of {ALPHABETS}") from None


def _is_cyrillic_letter(cp: int) -> bool:
    return unicodedata.category(chr(cp)).startswith("L") and "CYRILLIC" in unicodedata.name(
        chr(cp), ""
    )


_CYRILLIC_BLOCKS: Final[tuple[tuple[int, int], ...]] = (
    (0x0400, 0x052F),  # Cyrillic, Cyrillic Supplement
    (0x1C80, 0x1C8F),  # Cyrillic Extended-C
    (0x2DE0, 0x2DFF),  # Cyrillic Extended-A (combining letters)
    (0xA640, 0xA69F),  # Cyrillic Extended-B
    (0x1E030, 0x1E08F),  # Cyrillic Extended-D
)


def _char_class(cps: list[int]) -> str:
    """A regex character class body for code points, compressed into ranges."""
    parts: list[str] = []
    cps = sorted(cps)
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        parts.append(f"\\U{cps[i]:08x}" if i == j else f"\\U{cps[i]:08x}-\\U{cps[j]:08x}")
        i = j + 1
    return "".join(parts)


# Cyrillic-script letters that are not in the table (Tajik ӣ ӯ ҳ ҷ, Ukrainian є ї ґ, ...):
# they pass through unchanged and are counted.
UNKNOWN_CYRILLIC_CLASS: Final[str] = _char_class(
    [
        cp
        for lo, hi in _CYRILLIC_BLOCKS
        for cp in range(lo, hi + 1)
        if _is_cyrillic_letter(cp) and chr(cp) not in CYRILLIC_LETTERS
    ]
)

# Combining marks that can ride on a Cyrillic letter after NFC (stress accents, titlo, ...).
COMBINING_CLASS: Final[str] = _char_class(
    [
        cp
        for lo, hi in (
            (0x0300, 0x036F),
            (0x0483, 0x0489),
            (0x1AB0, 0x1AFF),
            (0x1DC0, 0x1DFF),
            (0x20D0, 0x20FF),
            (0x2DE0, 0x2DFF),
            (0xA66F, 0xA67D),
            (0xFE20, 0xFE2F),
        )
        for cp in range(lo, hi + 1)
        if unicodedata.category(chr(cp)) in ("Mn", "Me")
    ]
)


def is_cyrillic(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _CYRILLIC_BLOCKS)
