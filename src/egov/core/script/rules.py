"""Latin -> Cyrillic letter rules, without the lexicon.

The reverse direction is ambiguous: 2018 ı is и or й (and starts я, ю), s is с or ц, sh is ш
or щ; 2021 i is и or й, ts is тс or ц, tş is тш or ч. These rules pick the reading that is
most frequent in the Kazakh word list (counts from hunspell-kk, see build_lexicon.py); words
that need the other reading live in the lexicon.

Words reach this module lowercased and, for 2018, with every capital I already resolved to
ı or i (see :func:`resolve_capital_i`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .tables import TABLES, Alphabet

# The marker for a 2018 capital I whose lowercase (ı = и/й or i = і) is unknown.
CAPITAL_I: Final[str] = "I"


@dataclass(frozen=True, slots=True)
class RuleSet:
    alphabet: Alphabet
    iota: str  # the letter for и/й (2018 ı, 2021 i)
    u: str  # the letter for у, which after iota makes ю
    vowels: frozenset[str]
    back_vowels: frozenset[str]
    front_vowels: frozenset[str]
    single: dict[str, str]  # one Latin letter -> Cyrillic, the default reading


def _single(alphabet: Alphabet) -> dict[str, str]:
    out: dict[str, str] = {}
    # First table row wins: х before һ, с before ц, е before э, ш before щ.
    for cyr, lat in TABLES[alphabet].lower.items():
        if len(lat) == 1 and lat not in out:
            out[lat] = cyr
    return out


RULES: Final[dict[Alphabet, RuleSet]] = {
    "2018": RuleSet(
        alphabet="2018",
        iota="ı",
        u="ý",
        vowels=frozenset("aáeoóuúyıi"),
        back_vowels=frozenset("aouy"),
        front_vowels=frozenset("áeóú"),
        single=_single("2018"),
    ),
    "2021": RuleSet(
        alphabet="2021",
        iota="i",
        u="u",
        vowels=frozenset("aäeoöuūüyıi"),
        back_vowels=frozenset("aoūy"),
        front_vowels=frozenset("äeöü"),
        single=_single("2021"),
    ),
}

# Consonants after which ıa / ia reads as и + а (диалог, материал) rather than я.
_IA_SPLIT: Final[frozenset[str]] = frozenset("bdfghkmprstvz")
# Consonants that precede ц in -ция / -цио (акция, функция, конституция, революция).
_TS_BEFORE: Final[frozenset[str]] = frozenset("knp")


# Letters after which a word-initial 2018 I is і (counts from the word list).
_I_INITIAL_FRONT: Final[frozenset[str]] = frozenset("lrzsńj")


def resolve_capital_i(word: str, rs: RuleSet) -> str:
    """Replace each 2018 capital-I marker with ı (и/й) or i (і).

    і never stands next to another vowel, and it follows vowel harmony: it comes after a
    front vowel (or before one, at the start of a word), while и is the only choice in back
    syllables. Lexicon entries cover the words this gets wrong (mostly loans).
    """
    if CAPITAL_I not in word:
        return word
    out = list(word)
    n = len(word)
    for k, ch in enumerate(word):
        if ch != CAPITAL_I:
            continue
        prev = word[k - 1] if k else ""
        nxt = word[k + 1] if k + 1 < n else ""
        # "II" is ия/ий/ию (і never doubles or touches и); a resolved neighbour may be й,
        # a consonant, so only original vowels count as adjacent vowels.
        if nxt == CAPITAL_I or (prev and prev in rs.vowels) or (nxt and nxt in rs.vowels):
            out[k] = "ı"
            continue
        if k == 0:
            # Word-initial: іл-, ір-, із-, іс-, іш-, ің-, іж- against ин-, ит-, им-, ид-, ...
            out[k] = "i" if nxt in _I_INITIAL_FRONT else "ı"
        else:
            out[k] = "ı" if _harmony(out, k, rs) == "back" else "i"
    return "".join(out)


def _harmony(letters: list[str], k: int, rs: RuleSet) -> str:
    """Return "front" or "back": the nearest vowel before ``k`` (else after it) decides."""
    for j in [*range(k - 1, -1, -1), *range(k + 1, len(letters))]:
        ch = letters[j]
        if ch in rs.back_vowels:
            return "back"
        if ch in rs.front_vowels or ch == "i":
            return "front"
    return "front"


def _ts(w: str, k: int, rs: RuleSet) -> bool:
    """Whether the s (2018) or ts (2021) starting at ``k`` is ц."""
    n = len(w)
    j = k + (1 if rs.alphabet == "2018" else 2)
    nxt = w[j] if j < n else ""
    nxt2 = w[j + 1] if j + 1 < n else ""
    prev = w[k - 1] if k else ""
    if rs.alphabet == "2021":
        # Kazakh words never start with тс, and тс + и hardly occurs (-ция, -ции, цирк).
        return k == 0 or nxt == "i"
    if nxt == rs.iota and nxt2 in (rs.iota, "o"):
        return prev != "" and (prev in rs.vowels or prev in _TS_BEFORE)
    if nxt == rs.iota and nxt2 == "a":
        return prev in ("o", "ı", "n")
    return False


# Native тш is followed by these (патша, айтшы, кетші); elsewhere tş is ч (чемпион, очерк).
_TSH_BEFORE: Final[frozenset[str]] = frozenset("ayıöä")


def _ch_2021(w: str, k: int) -> bool:
    """Whether the 2021 tş at ``k`` is ч (no Kazakh word starts with тш)."""
    after = w[k + 2] if k + 2 < len(w) else ""
    return k == 0 or after not in _TSH_BEFORE


def rules_to_cyrillic(w: str, rs: RuleSet, start: int = 0) -> tuple[str, str]:
    """Convert ``w[start:]`` (lowercase Latin) to Cyrillic; ``w[:start]`` is context only.

    Returns the Cyrillic text and the letters outside the alphabet (kept as they are).
    """
    out: list[str] = []
    unknown = ""
    n = len(w)
    iota, u, vowels, single = rs.iota, rs.u, rs.vowels, rs.single
    is2018 = rs.alphabet == "2018"
    k = start
    while k < n:
        ch = w[k]
        nxt = w[k + 1] if k + 1 < n else ""
        prev = w[k - 1] if k else ""
        if ch == iota:
            if nxt == "a" and prev not in _IA_SPLIT:  # (a word start or a vowel is not in it)
                out.append("я")
                k += 2
                continue
            after = w[k + 2] if k + 2 < n else ""
            if nxt == u and not (after and after in vowels):
                out.append("ю")
                k += 2
                continue
            out.append("й" if prev and prev in vowels else "и")
        elif is2018 and ch == "s":
            if nxt == "h":
                out.append("ш")
                k += 2
                continue
            out.append("ц" if _ts(w, k, rs) else "с")
        elif is2018 and ch == "c" and nxt == "h":
            out.append("ч")
            k += 2
            continue
        elif not is2018 and ch == "t" and nxt == "s" and _ts(w, k, rs):
            out.append("ц")
            k += 2
            continue
        elif not is2018 and ch == "t" and nxt == "ş" and _ch_2021(w, k):
            out.append("ч")
            k += 2
            continue
        elif not is2018 and ch == "ş" and nxt == "ş":
            # щ (ащы, ұщы, ещё) outnumbers шш in the word list.
            out.append("щ")
            k += 2
            continue
        else:
            cyr = single.get(ch)
            if cyr is None:
                if ch.isalpha():
                    unknown += ch
                out.append(ch)
            else:
                out.append(cyr)
        k += 1
    return "".join(out), unknown
