"""Build the Latin -> Cyrillic exception lexicon from hunspell-kk.

Usage (after ``apt-get install hunspell-kk``)::

    python -m egov.core.script.build_lexicon            # writes data/lexicon-2018.txt, -2021.txt
    python -m egov.core.script.build_lexicon --dev 0.1  # also report accuracy on unseen stems

Steps: read the .dic stems, expand every stem with its suffix flags from the .aff file
(hunspell-kk has one suffix level, about 1.2 million forms), convert each form to Latin, and
decode it back with the rules and the lexicon built so far. Forms are visited shortest
Latin first, so a stem enters before its inflected forms. When the decoder gets a form
wrong (in any capitalisation it can arrive in), the builder stores the shortest prefix of
it (at least MIN_PREFIX Latin letters) that fixes it without breaking any other dictionary
form, or else the whole form. Homographs (two words, one Latin spelling) keep the reading
the rules give. The result is written in the order entries were added.
"""

from __future__ import annotations

import argparse
import bisect
import random
import re
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .latin import to_latin
from .lexicon import (
    DATA_DIR,
    MIN_PREFIX,
    VARIANTS,
    Lexicon,
    add,
    decode,
    entry_keys,
    variant_keys,
)
from .rules import RULES, RuleSet
from .tables import ALPHABETS, CYRILLIC_LOWER, Alphabet, Tables, tables

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


@dataclass(slots=True)
class Builder:
    """Grows the lexicon for one alphabet over a fixed set of dictionary words."""

    alphabet: Alphabet
    words: list[str]
    prefixes: bool = True  # try to store a short stem instead of the whole word
    max_affected: int = 3000  # a stem that would touch more forms is too general
    lex: Lexicon = field(default_factory=dict)
    entries: list[tuple[str, str]] = field(default_factory=list)
    t: Tables = field(init=False)
    rs: RuleSet = field(init=False)
    # (Latin length, Latin, word, keys by capitalisation), shortest first
    items: list[tuple[int, str, str, dict[str, str]]] = field(init=False)
    pairs: list[tuple[str, str]] = field(init=False)  # every (key, word), sorted
    owners: dict[str, set[str]] = field(init=False)  # key -> the words that have it

    def __post_init__(self) -> None:
        t = tables(self.alphabet)
        self.t = t
        self.rs = RULES[self.alphabet]
        self.items = sorted(
            (len(lat), lat, w, variant_keys(lat, t))
            for w in set(self.words)
            for lat in (to_latin(w, self.alphabet),)
        )
        self.pairs = sorted({(k, w) for _, _, w, vk in self.items for k in vk.values()})
        self.owners = {}
        for k, w in self.pairs:
            self.owners.setdefault(k, set()).add(w)

    def ok(self, key: str, word: str) -> bool:
        return decode(key, self.lex, self.rs)[0] == word

    def with_prefix(self, prefix: str) -> list[tuple[str, str]]:
        lo = bisect.bisect_left(self.pairs, (prefix,))
        hi = bisect.bisect_left(self.pairs, (prefix + "\U0010ffff",))
        return self.pairs[lo:hi]

    def run(self) -> list[tuple[str, str]]:
        for _, _, word, vk in self.items:
            failing = ""
            for flag, key in vk.items():
                got = decode(key, self.lex, self.rs)[0]
                # Another dictionary word with the same key already comes out: a true
                # homograph, and the rules' reading (the native spelling) keeps the key.
                if got == word or got in self.owners[key] or key in self.lex:
                    continue
                failing += flag
            if not failing:
                continue
            entry = self._stem_fix(word, failing, vk) if self.prefixes else None
            if entry is None:
                add(self.lex, word, failing, self.t)
                entry = word
            self.entries.append((entry, failing))
        return self.entries

    def _stem_fix(self, word: str, failing: str, vk: dict[str, str]) -> str | None:
        """The shortest proper prefix of ``word`` that fixes it and breaks no other form."""
        for i in range(1, len(word)):
            if word[i] in "ьъ":  # keep the dropped letter with its stem (мобиль-, объект-)
                continue
            stem = word[:i]
            if len(to_latin(stem, self.alphabet)) < MIN_PREFIX:
                continue
            keys = [k for k in entry_keys(stem, failing, self.t) if k not in self.lex]
            if not keys:
                continue
            affected = [p for k in keys for p in self.with_prefix(k)]
            if len(affected) > self.max_affected:
                continue
            before = [self.ok(k, w) for k, w in affected]
            add(self.lex, stem, failing, self.t)
            if all(self.ok(vk[f], word) for f in failing) and all(
                self.ok(k, w) or not was for (k, w), was in zip(affected, before, strict=True)
            ):
                return stem
            for k in keys:
                del self.lex[k]
        return None


def accuracy(words: Iterable[str], lex: Lexicon, alphabet: Alphabet) -> tuple[int, int]:
    """(correct, total) over all capitalisation variants of ``words``."""
    rs = RULES[alphabet]
    t = tables(alphabet)
    ok = total = 0
    for w in words:
        for key in set(variant_keys(to_latin(w, alphabet), t).values()):
            total += 1
            ok += decode(key, lex, rs)[0] == w
    return ok, total


def write(path: Path, entries: list[tuple[str, str]], alphabet: Alphabet, source: str) -> None:
    header = (
        f"# Kazakh Latin ({alphabet}) -> Cyrillic exception lexicon: {len(entries)} entries.\n"
        f"# Generated by egov.core.script.build_lexicon from {source}; do not edit.\n"
        f"# A line is a Cyrillic word or stem, optionally followed by the capitalisations\n"
        f"# it serves (l = lowercase, t = title case, c = all caps; default: all).\n"
    )
    full = VARIANTS[alphabet]
    lines = [w if flags == full else f"{w} {flags}" for w, flags in entries]
    path.write_text(header + "".join(ln + "\n" for ln in lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dic", type=Path, default=DIC)
    ap.add_argument("--aff", type=Path, default=AFF)
    ap.add_argument("--out", type=Path, default=DATA_DIR)
    ap.add_argument("--alphabet", choices=ALPHABETS, action="append")
    ap.add_argument("--stems-only", action="store_true", help="do not expand suffix flags")
    ap.add_argument(
        "--no-stems", action="store_true", help="store whole words only, never a shorter stem"
    )
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
        rng = random.Random(2021)  # noqa: S311 - a reproducible split, not a secret
        rng.shuffle(stems)
        cut = int(len(stems) * args.dev)
        dev, stems = stems[:cut], stems[cut:]
    forms = {f for stem, flags in stems for f in expand(stem, flags, rules)}
    dev_forms = {f for stem, flags in dev for f in expand(stem, flags, rules)} - forms
    print(f"{len(stems)} stems, {len(forms)} forms ({time.perf_counter() - t0:.1f}s)")

    for alphabet in args.alphabet or ALPHABETS:
        builder = Builder(alphabet, sorted(forms), prefixes=not args.no_stems)
        entries = builder.run()
        ok, total = accuracy(forms, builder.lex, alphabet)
        print(
            f"{alphabet}: {len(entries)} entries; dictionary forms {ok / total:.4%} correct "
            f"({time.perf_counter() - t0:.1f}s)"
        )
        if args.dev:
            ok, total = accuracy(dev_forms, builder.lex, alphabet)
            ok0, _ = accuracy(dev_forms, {}, alphabet)
            print(
                f"{alphabet}: unseen forms {ok / total:.4%} correct "
                f"(rules alone {ok0 / total:.4%}, {total} keys)"
            )
            continue
        path = args.out / f"lexicon-{alphabet}.txt"
        source = f"hunspell-kk ({args.dic.name}{'' if args.stems_only else ' + ' + args.aff.name})"
        write(path, entries, alphabet, source)
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
