"""The exception lexicon for Latin -> Cyrillic, and the word decoder that uses it.

The shipped files (``data/lexicon-2018.txt``, ``data/lexicon-2021.txt``) list Cyrillic words,
one per line, for which the letter rules give the wrong Cyrillic. Their Latin keys are
computed at load time with the forward converter, so the files cannot drift out of step
with the tables. ``build_lexicon.py`` makes them from hunspell-kk.

A key is the Latin word lowercased, except that a 2018 capital I stays "I" (it may be і or
и/й). Each entry is stored under its lowercase key and, for 2018, under its title-case and
all-caps keys as well. Lookup takes the longest key that is a prefix of the word, so one
stem (министр, компьютер) also serves its inflected forms; the rules finish the ending.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Final

from .latin import to_latin
from .rules import CAPITAL_I, RULES, RuleSet, resolve_capital_i, rules_to_cyrillic
from .tables import Alphabet, Tables, caps, tables, title

DATA_DIR: Final[Path] = Path(__file__).resolve().parent / "data"

# Shorter prefixes match too many unrelated words.
MIN_PREFIX: Final[int] = 4

Lexicon = dict[str, str]


def fold(word: str, t: Tables) -> str:
    """The lookup key of a Latin word: lowercase, 2018 capital I kept as the marker."""
    lower_of = t.lower_of
    return "".join(lower_of.get(ch, ch) for ch in word)


def keys_for(cyrillic: str, t: Tables) -> list[str]:
    """Every key under which a (lowercase) Cyrillic word is stored."""
    latin = to_latin(cyrillic, t.alphabet)
    keys = [latin]
    if t.alphabet == "2018" and latin:
        for variant in (title(latin, t.upper), caps(latin, t.upper)):
            key = fold(variant, t)
            if key not in keys:
                keys.append(key)
    return keys


def add(lex: Lexicon, cyrillic: str, t: Tables) -> bool:
    """Add a word under all its keys; an existing key keeps its (earlier) word.

    Returns whether any key was new (False: the word only collides with earlier ones).
    """
    added = False
    for key in keys_for(cyrillic, t):
        if key not in lex:
            lex[key] = cyrillic
            added = True
    return added


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


def parse(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@functools.cache
def load(alphabet: Alphabet) -> Lexicon:
    """The shipped lexicon for ``alphabet`` (loaded once, on first use)."""
    t = tables(alphabet)
    path = DATA_DIR / f"lexicon-{alphabet}.txt"
    lex: Lexicon = {}
    if path.is_file():
        for word in parse(path.read_text(encoding="utf-8")):
            add(lex, word, t)
    return lex


def rules_for(alphabet: Alphabet) -> RuleSet:
    return RULES[alphabet]
