"""Kazakh Cyrillic -> Latin inside HTML: text nodes only.

A regex tokenizer (following the HTML5 tokenizer closely enough for this job) splits markup
from text. Tags, attributes, comments, CDATA, raw-text elements (script, style, textarea,
...) and everything inside ``<code>``, ``<pre>`` or an element with ``translate="no"``
(until a descendant says ``translate="yes"``) are copied unchanged. ``lang="kk"`` (and
``kk-Cyrl``, ``kk-KZ``, ...) on translated elements becomes ``kk-Latn``. The text nodes
that are translated are joined with a separator, converted in one call, and split again,
so the per-node cost is a list append. The output differs from the input only inside text
nodes and ``lang`` values, so it is exactly as well-formed as the input; nothing raises on
broken markup.
"""

from __future__ import annotations

import html.entities
import re
from typing import Final

from .latin import Conversion, convert
from .tables import CYRILLIC_LETTERS, is_cyrillic, tables

_ATTRS: Final[str] = (
    r"(?:[\t\n\f\r /]++"
    r"|[^\t\n\f\r />][^\t\n\f\r />=]*+"
    r"""(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:"[^"]*+"|'[^']*+'|[^\t\n\f\r >]*+))?+)*+"""
)
# Elements whose content is not markup; it is copied up to the matching end tag.
_RAW: Final[tuple[str, ...]] = (
    "script",
    "style",
    "textarea",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
)
_RAW_ELEMENT: Final[str] = "|".join(
    rf"<(?i:{name})(?=[\t\n\f\r />]){_ATTRS}>.*?(?:</(?i:{name})(?=[\t\n\f\r />])[^>]*+>|\Z)"
    for name in _RAW
)
# One capturing group, so that split() returns [text, markup, text, markup, ..., text].
_SPLIT: Final[re.Pattern[str]] = re.compile(
    # comment: <!--> and <!---> are complete, an unclosed one runs to the end (as in HTML5)
    r"(<!--(?:-?>|.*?(?:--!?>|\Z))"
    r"|<!\[CDATA\[.*?(?:\]\]>|\Z)"
    r"|<[!?][^>]*+>?"  # doctype, processing instruction, bogus comment
    rf"|{_RAW_ELEMENT}"  # script, style, ... with their content and end tag
    rf"|</?[A-Za-z][^\t\n\f\r />]*+{_ATTRS}>"
    r"|</(?:[^A-Za-z>][^>]*+)?>)",  # bogus end tag
    re.DOTALL,
)
_TAG: Final[re.Pattern[str]] = re.compile(rf"<(/?)([A-Za-z][^\t\n\f\r />]*+)({_ATTRS})")
_ATTR: Final[re.Pattern[str]] = re.compile(
    r"""(?P<name>[^\t\n\f\r />][^\t\n\f\r />=]*)"""
    r"""(?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<uq>[^\t\n\f\r >]*)))?"""
)
_VOID: Final[frozenset[str]] = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "keygen",
    }
)
_NO_TRANSLATE: Final[frozenset[str]] = frozenset({"code", "pre"})
_ENTITY: Final[re.Pattern[str]] = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)

# Region kinds on the element stack.
_HARD, _NO, _YES = 0, 1, 2


class _Region:
    """An open element that changes translation: code/pre, translate="no" or "yes"."""

    __slots__ = ("depth", "kind", "name")

    def __init__(self, name: str, kind: int) -> None:
        self.name = name
        self.kind = kind
        self.depth = 1  # open elements of this name inside it, itself included


def _translating(stack: list[_Region]) -> bool:
    # code/pre anywhere above wins; otherwise the nearest translate attribute decides.
    if any(r.kind == _HARD for r in stack):
        return False
    return stack[-1].kind == _YES if stack else True


def _lang_latn(value: str) -> str | None:
    """kk / kk-Cyrl / kk-KZ / kk-Cyrl-KZ -> kk-Latn[-KZ]; None for anything else."""
    parts = value.strip().split("-")
    if parts[0].lower() != "kk":
        return None
    rest = parts[1:]
    if rest and len(rest[0]) == 4 and rest[0].isalpha():
        if rest[0].lower() != "cyrl":
            return None  # kk-Latn already, or kk-Arab: leave it
        rest = rest[1:]
    return "-".join(["kk", "Latn", *rest])


def _attributes(attrs: str) -> tuple[str | None, list[tuple[int, int, str]]]:
    """The translate value, and (start, end, new value) edits for lang attributes."""
    translate = None
    edits: list[tuple[int, int, str]] = []
    for m in _ATTR.finditer(attrs):
        name = m.group("name").lower()
        if name not in ("lang", "xml:lang", "translate"):
            continue
        group = "dq" if m.group("dq") is not None else "sq" if m.group("sq") is not None else "uq"
        value = m.group(group)
        if name == "translate":
            # A bare or empty translate attribute means "yes".
            translate = (value or "").strip().lower()
            continue
        if value is None:
            continue
        new = _lang_latn(value)
        if new is not None:
            edits.append((m.start(group), m.end(group), new))
    return translate, edits


def _decode_entity(m: re.Match[str]) -> str:
    """Cyrillic written as a character reference (&#1096; &shcy;) is converted as well."""
    ref = m.group()[1:-1]
    try:
        if ref.startswith(("#x", "#X")):
            ch = chr(int(ref[2:], 16))
        elif ref.startswith("#"):
            ch = chr(int(ref[1:]))
        else:
            ch = html.entities.html5.get(ref + ";", "")
    except (ValueError, OverflowError):
        return m.group()
    return ch if len(ch) == 1 and (ch in CYRILLIC_LETTERS or is_cyrillic(ch)) else m.group()


def _separator(doc: str) -> str:
    for cp in (0, *range(0xE000, 0xF8FF)):
        if chr(cp) not in doc:
            return chr(cp)
    raise ValueError("no free separator character")  # pragma: no cover - needs 6400 PUA chars


_LOOK_HEADS: Final[tuple[str, ...]] = (
    "code",
    "pre>",
    "pre ",
    "pre/",
    "pre\t",
    "pre\n",
    "pre\r",
    "pre\f",
)


def convert_html(doc: str, alphabet: str = "2021") -> Conversion:
    """Transliterate the text nodes of an HTML document or fragment."""
    tables(alphabet)  # validate early
    if not doc:
        return Conversion("")
    parts = _SPLIT.split(doc)  # even indexes: text; odd: markup
    skipped: dict[int, str] = {}  # text parts left alone, by index
    stack: list[_Region] = []
    translating = True
    for i in range(1, len(parts), 2):
        tok = parts[i]
        # Only code/pre and lang/translate attributes matter while no region is open; this
        # inline test (which may say yes too often, never too rarely) keeps the loop cheap.
        if stack or (
            tok[1] not in "/!?"
            and (
                "ang" in tok
                or "late" in tok
                or "ANG" in tok
                or "LATE" in tok
                or (tok[1] in "cCpP" and tok[1:5].lower() in _LOOK_HEADS)
            )
        ):
            parts[i], translating = _tag(tok, stack, translating)
        if not translating and parts[i + 1]:
            skipped[i + 1] = parts[i + 1]
            parts[i + 1] = ""
    if not any(parts[0::2]):
        for i, text in skipped.items():
            parts[i] = text
        return Conversion("".join(parts))
    sep = _separator(doc)
    joined = sep.join(parts[0::2])
    if "&" in joined:
        joined = _ENTITY.sub(_decode_entity, joined)
    result = convert(joined, alphabet)
    pieces = result.text.split(sep)
    if len(pieces) != (len(parts) + 1) // 2:  # pragma: no cover - the separator is unique
        raise AssertionError("separator lost in conversion")
    parts[0::2] = pieces
    for i, text in skipped.items():
        parts[i] = text
    return Conversion("".join(parts), result.unknown_count, result.unknown_letters)


def _tag(tok: str, stack: list[_Region], translating: bool) -> tuple[str, bool]:
    """Track code/pre/translate regions for one markup token; rewrite lang if needed."""
    m = _TAG.match(tok)
    if m is None:
        return tok, translating  # comment, doctype, CDATA, bogus end tag
    close, name, attrs = m.group(1, 2, 3)
    name = name.lower()
    if name in _RAW:
        return tok, translating  # opaque: its end tag is part of the same token
    if close:
        for k in range(len(stack) - 1, -1, -1):
            region = stack[k]
            if region.name == name:
                region.depth -= 1
                if region.depth == 0:
                    del stack[k:]  # also closes regions left open inside it
                    translating = _translating(stack)
                break
        return tok, translating
    kind = _HARD if name in _NO_TRANSLATE else None
    translate, edits = _attributes(attrs) if attrs else (None, [])
    if kind is None and translate in ("no", "yes", ""):
        kind = _NO if translate == "no" else _YES
    opens = name not in _VOID and not tok.endswith("/>")
    if opens and kind is not None:
        stack.append(_Region(name, kind))
        translating = _translating(stack)
    elif opens:
        for region in reversed(stack):
            if region.name == name:
                region.depth += 1
                break
    if edits and translating:
        offset = m.start(3)
        for start, stop, value in reversed(edits):
            tok = tok[: offset + start] + value + tok[offset + stop :]
    return tok, translating


def to_latin_html(doc: str, alphabet: str = "2021") -> str:
    """Transliterate the text nodes of HTML; markup, code and translate="no" stay as they are."""
    return convert_html(doc, alphabet).text
