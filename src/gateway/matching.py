"""Endpoint identity: how a method and a path become the key that access rules are written for.

The catalog (control plane) stores access grants as ``(METHOD, /path/{template})`` pairs taken
from a provider's OpenAPI document; the gateway receives concrete requests and must decide which
grant, if any, covers them. Both sides use this module so that they can never disagree. The
rules, in order:

Methods
    Upper-cased. Only the eight OpenAPI 3.0/3.1 operation methods are endpoints: ``GET PUT POST
    DELETE OPTIONS HEAD PATCH TRACE``. Anything else is a ``ValueError``.

Paths (templates and concrete paths alike)
    * A path is the part of the URL after the server's base URL and before ``?`` or ``#``;
      a path that still contains ``?`` or ``#``, whitespace or a control character is rejected.
    * Exactly one leading slash: missing ones are added, repeated slashes anywhere are collapsed
      into one (``//a///b`` is ``/a/b``).
    * No trailing slash, except for the root path ``/``; the empty path is ``/``.
    * Dot segments (``.`` and ``..``, also percent-encoded as ``%2e``) are rejected: they are
      never part of an API path and are the classic way to slip past a prefix rule.
    * Paths are case-sensitive.

Templates
    * ``{name}`` stands for exactly one path segment, so a template and a concrete path with a
      different number of segments never match.
    * A segment may mix text and parameters (``/files/{name}.{ext}``), but two parameters must
      be separated by literal text, a parameter name must be non-empty, contain no ``/``, ``{``
      or ``}``, and be used once per template.
    * Two templates that differ only in parameter names (``/a/{id}`` and ``/a/{key}``) are the
      same endpoint (``PathTemplate.shape``); OpenAPI forbids such pairs.

Matching a concrete path
    * The concrete path is normalised as above; if that fails it matches nothing.
    * It is split on ``/`` *before* percent-decoding, then each segment is decoded (UTF-8).
      A segment with a malformed escape, invalid UTF-8, or that decodes to something containing
      ``/`` or equal to ``.``/``..`` matches nothing (fail closed: ``%2F`` cannot add segments).
    * Literal text is compared with the decoded segment (template literals are decoded too, so
      ``/a%20b`` and ``/a b`` in a template mean the same).
    * Parameter values are returned decoded and are never empty.
    * When several templates match, the most specific wins: compare segments left to right, a
      segment without parameters beats one with parameters (OpenAPI: concrete paths are matched
      before templated ones). ``PathTemplate.specificity`` is the sort key.

Server URLs (``servers[].url``) are not part of the endpoint: the gateway strips the service's
base path before applying these rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, unquote

__all__ = [
    "HTTP_METHODS",
    "InvalidPathTemplate",
    "PathTemplate",
    "best_match",
    "normalise_endpoint",
    "normalise_method",
    "normalise_path",
]

HTTP_METHODS: Final = frozenset(
    {"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"}
)

_FORBIDDEN_CHARS: Final = re.compile(r"[\s\x00-\x1f\x7f?#]")
_BAD_ESCAPE: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PARAM: Final = re.compile(r"\{([^{}]*)\}")
# Characters kept verbatim when a literal or a value is encoded back into a path segment:
# RFC 3986 pchar without "/" (sub-delims, ":" and "@").
_SEGMENT_SAFE: Final = "!$&'()*+,;=:@"


class InvalidPathTemplate(ValueError):
    """A path template that cannot be matched unambiguously; the message says why."""


def normalise_method(method: str) -> str:
    """Upper-case ``method`` and check that it is an OpenAPI operation method."""
    upper = method.upper()
    if upper not in HTTP_METHODS:
        raise ValueError(f"'{method}' is not an HTTP method that OpenAPI can describe.")
    return upper


def normalise_path(path: str) -> str:
    """Apply the path rules from the module docstring; ``ValueError`` when they forbid it."""
    if _FORBIDDEN_CHARS.search(path):
        raise ValueError(
            f"The path '{path}' contains a query, fragment, whitespace or control character."
        )
    segments = [segment for segment in path.split("/") if segment]
    for segment in segments:
        if unquote(segment) in {".", ".."}:
            raise ValueError(f"The path '{path}' contains a '.' or '..' segment.")
    return "/" + "/".join(segments)


def normalise_endpoint(method: str, path: str) -> tuple[str, str]:
    """The canonical ``(METHOD, /path)`` pair that grants and gateway lookups are keyed on."""
    return normalise_method(method), normalise_path(path)


def _decode_segment(segment: str) -> str | None:
    """Percent-decode one raw segment, or ``None`` when it must not match anything."""
    if _BAD_ESCAPE.search(segment):
        return None
    try:
        decoded = unquote(segment, errors="strict")
    except UnicodeDecodeError:
        return None
    if "/" in decoded or decoded in {".", ".."}:
        return None
    return decoded


@dataclass(frozen=True, slots=True)
class _Segment:
    """One template segment: its pieces, ``(text, is_parameter)``, and a matcher."""

    pieces: tuple[tuple[str, bool], ...]
    pattern: re.Pattern[str] | None

    @property
    def literal(self) -> str | None:
        """The decoded text of a segment without parameters."""
        return self.pieces[0][0] if self.pattern is None else None

    @property
    def names(self) -> tuple[str, ...]:
        """Parameter names in this segment."""
        return tuple(text for text, is_parameter in self.pieces if is_parameter)

    @property
    def shape(self) -> str:
        """Canonical text with parameters shown as ``{}`` (literal braces stay encoded)."""
        return "".join(
            "{}" if is_parameter else quote(text, safe=_SEGMENT_SAFE)
            for text, is_parameter in self.pieces
        )


def _compile_segment(raw: str, template: str, seen: set[str]) -> _Segment:
    """Turn ``raw`` (one segment of ``template``) into a matcher; ``seen`` collects names."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for found in _PARAM.finditer(raw):
        text = raw[position : found.start()]
        if "{" in text or "}" in text:
            raise InvalidPathTemplate(f"The path template '{template}' has unbalanced braces.")
        if text:
            pieces.append((unquote(text), False))
        elif pieces:
            raise InvalidPathTemplate(
                f"The path template '{template}' has two parameters next to each other; "
                "separate them with literal text."
            )
        name = found.group(1)
        if not name:
            raise InvalidPathTemplate(f"The path template '{template}' has an empty '{{}}'.")
        if name in seen:
            raise InvalidPathTemplate(
                f"The path template '{template}' uses the parameter '{name}' more than once."
            )
        seen.add(name)
        pieces.append((name, True))
        position = found.end()
    tail = raw[position:]
    if "{" in tail or "}" in tail:
        raise InvalidPathTemplate(f"The path template '{template}' has unbalanced braces.")
    if tail:
        pieces.append((unquote(tail), False))
    if not any(is_parameter for _text, is_parameter in pieces):
        return _Segment(pieces=tuple(pieces), pattern=None)
    # Group names must be identifiers, so parameters are numbered in template order; this
    # segment's names were just added to ``seen``, so its first number is:
    regex: list[str] = []
    index = len(seen) - sum(1 for _text, is_parameter in pieces if is_parameter)
    for text, is_parameter in pieces:
        if is_parameter:
            regex.append(f"(?P<p{index}>.+?)")
            index += 1
        else:
            regex.append(re.escape(text))
    return _Segment(pieces=tuple(pieces), pattern=re.compile("".join(regex), re.DOTALL))


class PathTemplate:
    """A compiled OpenAPI path template such as ``/persons/{iin}/extract``.

    Compiling once lets the gateway match many requests cheaply; construction raises
    :class:`InvalidPathTemplate` for templates that the module rules forbid.
    """

    __slots__ = ("_group_names", "_segments", "template")

    def __init__(self, template: str) -> None:
        try:
            self.template: str = normalise_path(template)
        except ValueError as error:
            raise InvalidPathTemplate(str(error)) from error
        seen: set[str] = set()
        raw_segments = self.template.split("/")[1:] if self.template != "/" else []
        self._segments: tuple[_Segment, ...] = tuple(
            _compile_segment(raw, self.template, seen) for raw in raw_segments
        )
        # Regex group names must be identifiers; map the generated ones back to the real names.
        self._group_names: dict[str, str] = {}
        index = 0
        for segment in self._segments:
            for name in segment.names:
                self._group_names[f"p{index}"] = name
                index += 1

    def __repr__(self) -> str:
        return f"PathTemplate({self.template!r})"

    def __str__(self) -> str:
        return self.template

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PathTemplate) and other.template == self.template

    def __hash__(self) -> int:
        return hash(self.template)

    @property
    def parameters(self) -> tuple[str, ...]:
        """Parameter names in the order they appear."""
        return tuple(name for segment in self._segments for name in segment.names)

    @property
    def segment_count(self) -> int:
        """How many segments a concrete path needs to match (``/`` has none)."""
        return len(self._segments)

    @property
    def shape(self) -> str:
        """The template with parameter names erased: equal shapes are the same endpoint."""
        return "/" + "/".join(segment.shape for segment in self._segments)

    @property
    def specificity(self) -> tuple[int, ...]:
        """Sort key: smaller is more specific (literal segments first, left to right)."""
        return tuple(0 if segment.literal is not None else 1 for segment in self._segments)

    def matches(self, concrete_path: str) -> dict[str, str] | None:
        """Decoded parameter values when ``concrete_path`` is an instance of this template."""
        try:
            path = normalise_path(concrete_path)
        except ValueError:
            return None
        raw_segments = path.split("/")[1:] if path != "/" else []
        if len(raw_segments) != len(self._segments):
            return None
        values: dict[str, str] = {}
        for raw, segment in zip(raw_segments, self._segments, strict=True):
            decoded = _decode_segment(raw)
            if decoded is None:
                return None
            if segment.pattern is None:
                if decoded != segment.literal:
                    return None
                continue
            found = segment.pattern.fullmatch(decoded)
            if found is None:
                return None
            for group, value in found.groupdict().items():
                values[self._group_names[group]] = value
        return values

    def expand(self, values: Mapping[str, str]) -> str:
        """The concrete path for ``values``, percent-encoded.

        ``KeyError`` when a value is missing; ``ValueError`` for a value that :meth:`matches`
        could never give back (empty, ``.``, ``..`` or containing ``/``).
        """
        parts: list[str] = []
        for segment in self._segments:
            out: list[str] = []
            for text, is_parameter in segment.pieces:
                if is_parameter:
                    value = values[text]
                    if not value or value in {".", ".."} or "/" in value:
                        raise ValueError(f"'{value}' cannot be the value of a path parameter.")
                    out.append(quote(value, safe=_SEGMENT_SAFE))
                else:
                    out.append(quote(text, safe=_SEGMENT_SAFE))
            parts.append("".join(out))
        return "/" + "/".join(parts)


def best_match(
    templates: Iterable[PathTemplate], concrete_path: str
) -> tuple[PathTemplate, dict[str, str]] | None:
    """The most specific template matching ``concrete_path`` with its values, if any."""
    found: list[tuple[tuple[int, ...], str, PathTemplate, dict[str, str]]] = []
    for template in templates:
        values = template.matches(concrete_path)
        if values is not None:
            found.append((template.specificity, template.template, template, values))
    if not found:
        return None
    found.sort(key=lambda item: (item[0], item[1]))
    _key, _text, template, values = found[0]
    return template, values
