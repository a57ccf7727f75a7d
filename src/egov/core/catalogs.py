"""The platform's message catalogs without GNU gettext: find the strings, keep the .po files whole.

`source_messages()` reads every translatable string of the platform (gettext calls in Python, the
`translate` tag in templates); `update_catalog()` adds the new ones to a .po file and marks those
that disappeared as obsolete; `missing_translations()` lists what a language still lacks, which a
test turns into a failure.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path

import polib

GETTEXT_NAMES = frozenset({"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "_lazy"})
TEMPLATE_TAG = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1\s*(?:as\s+\w+\s*)?%}""")
# Parts of the tree that hold no user-facing strings of ours.
SKIPPED_DIRS = frozenset({"tests", "migrations", "__pycache__", "script", "countries"})
TRANSLATED_LANGUAGES = ("kk", "ru", "tg")  # English is the source language


def _python_messages(path: Path) -> Iterable[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        first = node.args[0]
        if (
            name in GETTEXT_NAMES
            and isinstance(first, ast.Constant)
            and isinstance(first.value, str)
        ):
            yield first.value


def _template_messages(path: Path) -> Iterable[str]:
    for match in TEMPLATE_TAG.finditer(path.read_text(encoding="utf-8")):
        yield match.group(2)


def _files(root: Path, suffix: str) -> Iterable[Path]:
    for path in sorted(root.rglob(f"*{suffix}")):
        if not SKIPPED_DIRS & set(path.relative_to(root).parts[:-1]):
            yield path


def source_messages(root: Path) -> dict[str, str]:
    """msgid → the first file that uses it."""
    found: dict[str, str] = {}
    for path in _files(root, ".py"):
        for message in _python_messages(path):
            found.setdefault(message, str(path.relative_to(root)))
    for path in _files(root, ".html"):
        for message in _template_messages(path):
            found.setdefault(message, str(path.relative_to(root)))
    return found


def catalog_path(locale_dir: Path, language: str) -> Path:
    return locale_dir / language / "LC_MESSAGES" / "django.po"


def update_catalog(path: Path, language: str, messages: dict[str, str]) -> tuple[int, int]:
    """Add new msgids, mark vanished ones obsolete. Returns (added, obsoleted)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog = polib.pofile(str(path)) if path.exists() else polib.POFile()
    catalog.metadata = {
        "Project-Id-Version": "egov-platform",
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        **{k: v for k, v in catalog.metadata.items() if k == "Plural-Forms"},
    }
    known = {entry.msgid: entry for entry in catalog}
    added = 0
    for msgid, where in messages.items():
        entry = known.get(msgid)
        if entry is None:
            catalog.append(polib.POEntry(msgid=msgid, msgstr="", occurrences=[(where, "")]))
            added += 1
        elif entry.obsolete:
            entry.obsolete = False
    obsoleted = 0
    for entry in catalog:
        if entry.msgid not in messages and not entry.obsolete:
            entry.obsolete = True
            obsoleted += 1
    catalog.sort(key=lambda entry: entry.msgid)
    catalog.save(str(path))
    return added, obsoleted


def missing_translations(path: Path, messages: Iterable[str]) -> list[str]:
    """The msgids with no usable translation (absent, empty or fuzzy) in the catalog at `path`."""
    if not path.exists():
        return sorted(messages)
    catalog = polib.pofile(str(path))
    done = {e.msgid for e in catalog if e.msgstr and not e.obsolete and "fuzzy" not in e.flags}
    return sorted(set(messages) - done)
