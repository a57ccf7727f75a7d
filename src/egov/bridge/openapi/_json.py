"""JSON values, JSON Pointers and local ``$ref`` resolution shared by validation and the model.

Kept apart so that both modules follow references by exactly the same rules: a reference is
local when it starts with ``#``; ``#/a/b`` is a JSON Pointer (RFC 6901, percent-decoded first
as URI fragments are); ``#name`` is a JSON Schema ``$anchor`` in the same document.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Final, TypeAlias
from urllib.parse import unquote

__all__ = [
    "JsonObject",
    "JsonValue",
    "UnresolvableRef",
    "escape_token",
    "find_anchors",
    "pointer",
    "resolve_ref",
]

JsonValue: TypeAlias = "bool | int | float | str | list[JsonValue] | dict[str, JsonValue] | None"
JsonObject: TypeAlias = "dict[str, JsonValue]"

# Keys whose values are data (examples, defaults, enumerations, extensions), never OpenAPI
# structure: a "$ref" or "$anchor" inside them is just text.
DATA_KEYS: Final = frozenset({"example", "default", "enum", "const"})
# Objects whose keys are names chosen by the author (a property may be called "default").
NAME_MAPS: Final = frozenset(
    {
        "$defs",
        "callbacks",
        "content",
        "definitions",
        "dependentSchemas",
        "encoding",
        "examples",
        "headers",
        "links",
        "mapping",
        "parameters",
        "pathItems",
        "paths",
        "patternProperties",
        "properties",
        "requestBodies",
        "responses",
        "schemas",
        "securitySchemes",
        "variables",
        "webhooks",
    }
)


class UnresolvableRef(LookupError):
    """A local reference that points at nothing; the message says which step failed."""


def escape_token(token: str | int) -> str:
    """One JSON Pointer reference token (``~`` -> ``~0``, ``/`` -> ``~1``)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(parts: Iterable[str | int]) -> str:
    """A JSON Pointer for ``parts``; the document root is the empty string."""
    return "".join("/" + escape_token(part) for part in parts)


def is_data_key(parent_parts: tuple[str | int, ...], key: str) -> bool:
    """Whether ``key`` under ``parent_parts`` holds plain data rather than OpenAPI structure."""
    if parent_parts and parent_parts[-1] in NAME_MAPS:
        return False
    if key in DATA_KEYS or key.startswith("x-"):
        return True
    # An Example Object's "value", and a Schema's list of "examples" (3.1), are data too.
    return key == "value" and len(parent_parts) >= 2 and parent_parts[-2] == "examples"


def find_anchors(document: JsonValue) -> dict[str, JsonValue]:
    """Every ``$anchor`` in ``document`` mapped to the schema that declares it."""
    anchors: dict[str, JsonValue] = {}
    for _parts, node in walk_objects(document):
        anchor = node.get("$anchor")
        if isinstance(anchor, str):
            anchors.setdefault(anchor, node)
    return anchors


def walk_objects(
    document: JsonValue,
) -> Iterator[tuple[tuple[str | int, ...], dict[str, JsonValue]]]:
    """Every object in the document's structure with its path, skipping data values."""
    stack: list[tuple[tuple[str | int, ...], JsonValue]] = [((), document)]
    while stack:
        parts, node = stack.pop()
        if isinstance(node, dict):
            yield parts, node
            for key, value in reversed(node.items()):
                if isinstance(value, dict | list) and not is_data_key(parts, key):
                    if key == "examples" and isinstance(value, list):
                        continue
                    stack.append(((*parts, key), value))
        elif isinstance(node, list):
            for index in range(len(node) - 1, -1, -1):
                if isinstance(node[index], dict | list):
                    stack.append(((*parts, index), node[index]))


def resolve_ref(
    document: JsonValue, ref: str, anchors: dict[str, JsonValue] | None = None
) -> JsonValue:
    """The value a local ``$ref`` points at; :class:`UnresolvableRef` when there is none."""
    if not ref.startswith("#"):
        raise UnresolvableRef(f"'{ref}' is not a reference within this document")
    fragment = unquote(ref[1:])
    if fragment and not fragment.startswith("/"):
        found = (anchors if anchors is not None else find_anchors(document)).get(fragment)
        if found is None:
            raise UnresolvableRef(f"no schema declares the anchor '{fragment}'")
        return found
    node = document
    walked = ""
    for raw_token in fragment.split("/")[1:]:
        token = raw_token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            if token not in node:
                raise UnresolvableRef(f"'{walked or '#'}' has no member '{token}'")
            node = node[token]
        elif isinstance(node, list):
            if not token.isdigit() or (token != "0" and token.startswith("0")):
                raise UnresolvableRef(f"'{token}' is not an index of the list at '{walked}'")
            index = int(token)
            if index >= len(node):
                raise UnresolvableRef(f"the list at '{walked}' has no item {index}")
            node = node[index]
        else:
            raise UnresolvableRef(f"'{walked}' is not an object or a list")
        walked += "/" + raw_token
    return node
