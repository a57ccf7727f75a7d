"""The exception lexicon for Latin -> Cyrillic, and the word decoder that uses it.

The shipped files (``data/lexicon-2018.txt``, ``data/lexicon-2021.txt``) list Cyrillic words,
one per line, for which the letter rules give the wrong Cyrillic. Their Latin keys are
computed at load time with the forward converter, so the files cannot drift out of step
with the tables. ``build_lexicon.py`` makes them from hunspell-kk.

A key is the Latin word lowercased, except that a 2018 capital I stays "I" (it may be і or
и/й). Each entry is stored under its lowercase key and, for 2018, under its title-case and
all-caps keys as well (unless the line lists fewer). Lookup takes the longest key that is a
prefix of the word, so one entry (министр, компьютер, or just a stem such as мобиль) also
serves the inflected forms; the rules finish the ending.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Final

from .latin import to_latin
from .rules import CAPITAL_I, RuleSet, resolve_capital_i, rules_to_cyrillic
from .tables import Alphabet, Tables, caps, tables, title

DATA_DIR: Final[Path] = Path(__file__).resolve().parent / "data"

# Shorter prefixes match too many unrelated words.
MIN_PREFIX: Final[int] = 4

Lexicon = dict[str, str]


def fold(word: str, t: Tables) -> str:
    """The lookup key of a Latin word: lowercase, 2018 capital I kept as the marker."""
    lower_of = t.lower_of
    return "".join(lower_of.get(ch, ch) for ch in word)


# Which capitalisations an entry serves: l(owercase), t(itle case), c(aps). Only 2018 needs
# more than one key per word, because its capital I may stand for і or for и/й.
VARIANTS: Final[dict[Alphabet, str]] = {"2018": "ltc", "2021": "l"}


def variant_keys(latin: str, t: Tables) -> dict[str, str]:
    """The key of each capitalisation of a lowercase Latin word."""
    keys = {"l": latin}
    if t.alphabet == "2018" and latin:
        keys["t"] = fold(title(latin, t.upper), t)
        keys["c"] = fold(caps(latin, t.upper), t)
    return keys


def entry_keys(cyrillic: str, flags: str, t: Tables) -> list[str]:
    """The keys under which a lexicon entry is stored."""
    vk = variant_keys(to_latin(cyrillic, t.alphabet), t)
    return list(dict.fromkeys(vk[f] for f in flags if f in vk))


def add(lex: Lexicon, cyrillic: str, flags: str, t: Tables) -> list[str]:
    """Store an entry; a key already taken keeps its earlier entry. Returns the new keys."""
    new = [key for key in entry_keys(cyrillic, flags, t) if key not in lex]
    for key in new:
        lex[key] = cyrillic
    return new


def decode(key: str, lex: Lexicon, rs: RuleSet) -> tuple[str, str]:
    """Lowercase Cyrillic for a key, and the letters that were outside the alphabet."""
    hit = lex.get(key)
    if hit is not None:
        return hit, ""
    word = resolve_capital_i(key, rs) if CAPITAL_I in key else key
    for n in range(len(key) - 1, MIN_PREFIX - 1, -1):
        hit = lex.get(key[:n])
        if hit is not None:
            rest, unknown = rules_to_cyrillic(word, rs, n)
            return hit + rest, unknown
    return rules_to_cyrillic(word, rs)


def parse(text: str) -> list[tuple[str, str]]:
    """Lexicon file lines: ``word`` or ``word flags``; ``#`` starts a comment line."""
    out = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            word, _, flags = line.strip().partition(" ")
            out.append((word, flags))
    return out


@functools.cache
def load(alphabet: Alphabet) -> Lexicon:
    """The shipped lexicon for ``alphabet`` (loaded once, on first use)."""
    t = tables(alphabet)
    path = DATA_DIR / f"lexicon-{alphabet}.txt"
    lex: Lexicon = {}
    if path.is_file():
        for word, flags in parse(path.read_text(encoding="utf-8")):
            add(lex, word, flags or VARIANTS[alphabet], t)
    return lex
