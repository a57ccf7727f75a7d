"""Build the Latin -> Cyrillic exception lexicon from hunspell-kk.

Usage (after ``apt-get install hunspell-kk``)::

    python -m egov.core.script.build_lexicon            # writes data/lexicon-2018.txt, -2021.txt
    python -m egov.core.script.build_lexicon --dev 0.1  # also report accuracy on unseen stems

Steps: read the .dic stems, expand every stem with its suffix flags from the .aff file
(hunspell-kk has one suffix level, about 1.2 million forms), convert each form to Latin, and
decode it back with the rules and the lexicon built so far. Forms are visited shortest
Latin first, so a stem enters before its inflected forms; a form is added only when the
decoder still gets it (in any of its capitalisations) wrong. The result is written as
Cyrillic words, one per line, in the order they were added (earlier entries win ties).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .latin import to_latin
from .lexicon import DATA_DIR, Lexicon, add, decode, fold
from .rules import RULES
from .tables import ALPHABETS, CYRILLIC_LOWER, Alphabet, caps, tables, title

DIC = Path("/usr/share/hunspell/kk_KZ.dic")
AFF = Path("/usr/share/hunspell/kk_KZ.aff")


@dataclass(frozen=True, slots=True)
class Suffix:
    strip: str
    add: str
    condition: re.Pattern[str]


def read_lines(path: Path) -> list[str]:
    # The files carry a BOM and CRLF line ends.
    return path.read_text(encoding="utf-8-sig").splitlines()


def parse_aff(path: Path) -> dict[str, list[Suffix]]:
    """SFX rules by flag (hunspell-kk uses single-character flags and no prefixes)."""
    rules: dict[str, list[Suffix]] = {}
    for line in read_lines(path):
        f = line.split()
        if len(f) >= 5 and f[0] == "SFX":
            strip = "" if f[2] == "0" else f[2]
            affix = f[3].split("/")[0]
            rules.setdefault(f[1], []).append(
                Suffix(strip, "" if affix == "0" else affix, re.compile(f"(?:{f[4]})$"))
            )
    return rules


def read_dic(path: Path) -> Iterator[tuple[str, str]]:
    """(stem, flags) for every entry made only of table letters (skips mixed-script noise)."""
    letters = set(CYRILLIC_LOWER)
    for line in read_lines(path)[1:]:  # the first line is the entry count
        if not line.strip():
            continue
        stem, _, flags = line.split()[0].partition("/")
        if stem and set(stem) <= letters:
            yield stem, flags


def expand(stem: str, flags: str, rules: dict[str, list[Suffix]]) -> Iterator[str]:
    yield stem
    for flag in flags:
        for sfx in rules.get(flag, ()):
            if stem.endswith(sfx.strip) and sfx.condition.search(stem):
                yield stem[: len(stem) - len(sfx.strip)] + sfx.add


def variants(latin: str, alphabet: Alphabet) -> list[str]:
    """The keys a word can arrive with: 2018 capitals hide whether I is і or и/й."""
    if alphabet == "2021":
        return [latin]
    t = tables(alphabet)
    return [latin, fold(title(latin, t.upper), t), fold(caps(latin, t.upper), t)]


def build(words: Iterable[str], alphabet: Alphabet) -> tuple[list[str], Lexicon]:
    """Entries (in insertion order) such that every word decodes correctly, ties aside."""
    rs = RULES[alphabet]
    t = tables(alphabet)
    keyed = sorted({(len(lat), lat, w) for w in words for lat in (to_latin(w, alphabet),)})
    lex: Lexicon = {}
    entries: list[str] = []
    for _, latin, word in keyed:
        for key in variants(latin, alphabet):
            if decode(key, lex, rs)[0] != word:
                if add(lex, word, t):
                    entries.append(word)
                break
    return entries, lex


def accuracy(words: Iterable[str], lex: Lexicon, alphabet: Alphabet) -> tuple[int, int]:
    """(correct, total) over all capitalisation variants of ``words``."""
    rs = RULES[alphabet]
    ok = total = 0
    for w in words:
        for key in variants(to_latin(w, alphabet), alphabet):
            total += 1
            ok += decode(key, lex, rs)[0] == w
    return ok, total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dic", type=Path, default=DIC)
    ap.add_argument("--aff", type=Path, default=AFF)
    ap.add_argument("--out", type=Path, default=DATA_DIR)
    ap.add_argument("--alphabet", choices=ALPHABETS, action="append")
    ap.add_argument("--stems-only", action="store_true", help="do not expand suffix flags")
    ap.add_argument(
        "--dev",
        type=float,
        default=0.0,
        help="hold out this fraction of stems (with their forms), report accuracy on them, "
        "and write nothing",
    )
    args = ap.parse_args(argv)
    if not args.dic.is_file() or not args.aff.is_file():
        print(f"missing {args.dic} or {args.aff}: apt-get install hunspell-kk", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    rules = {} if args.stems_only else parse_aff(args.aff)
    stems = list(read_dic(args.dic))
    dev: list[tuple[str, str]] = []
    if args.dev:
        rng = random.Random(2021)
        rng.shuffle(stems)
        cut = int(len(stems) * args.dev)
        dev, stems = stems[:cut], stems[cut:]
    forms = {f for stem, flags in stems for f in expand(stem, flags, rules)}
    dev_forms = {f for stem, flags in dev for f in expand(stem, flags, rules)} - forms
    print(f"{len(stems)} stems, {len(forms)} forms ({time.perf_counter() - t0:.1f}s)")

    for alphabet in args.alphabet or ALPHABETS:
        entries, lex = build(forms, alphabet)
        ok, total = accuracy(forms, lex, alphabet)
        print(
            f"{alphabet}: {len(entries)} entries; training forms {ok / total:.4%} correct "
            f"({time.perf_counter() - t0:.1f}s)"
        )
        if args.dev:
            ok, total = accuracy(dev_forms, lex, alphabet)
            ok0, _ = accuracy(dev_forms, {}, alphabet)
            print(
                f"{alphabet}: unseen forms {ok / total:.4%} correct "
                f"(rules alone {ok0 / total:.4%}, {total} keys)"
            )
            continue
        path = args.out / f"lexicon-{alphabet}.txt"
        header = (
            f"# Kazakh Latin ({alphabet}) -> Cyrillic exception lexicon: {len(entries)} words.\n"
            f"# Generated by egov.core.script.build_lexicon from hunspell-kk "
            f"({args.dic.name}{'' if args.stems_only else ' + ' + args.aff.name}); "
            f"do not edit.\n"
        )
        path.write_text(header + "".join(w + "\n" for w in entries), encoding="utf-8")
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
