"""A small read model of a validated OpenAPI document, for rendering docs and naming endpoints.

Templates should not walk raw OpenAPI (``$ref``s, 3.0 versus 3.1 spellings, path-level
parameters); this module does that once: references are resolved, parameters merged, schemas
summarised into plain dataclasses. Recursive schemas stop at the repeated reference and show
its name (``Schema.recursive``), so every summary is finite.

Build it with :func:`egov.bridge.openapi.validate.validate_document`; :func:`build_document`
assumes the document has passed validation and only defends against crashes, not nonsense.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Final, cast

from ._json import (
    JsonObject,
    JsonValue,
    UnresolvableRef,
    escape_token,
    find_anchors,
    resolve_ref,
)
from .matching import (
    InvalidPathTemplate,
    PathTemplate,
    best_match,
    normalise_method,
    normalise_path,
)

__all__ = [
    "OPERATION_METHODS",
    "Body",
    "Components",
    "Example",
    "MediaType",
    "OpenApiDocument",
    "Operation",
    "Parameter",
    "Property",
    "Response",
    "Schema",
    "SchemaRow",
    "SecurityScheme",
    "Server",
    "Tag",
    "build_document",
    "iter_schemas",
]

OPERATION_METHODS: Final = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_LOCATION_ORDER: Final = {"path": 0, "query": 1, "header": 2, "cookie": 3}
_CONSTRAINT_KEYS: Final = (
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
)
# Summaries deeper than this are cut (only possible with absurd inline nesting).
_MAX_SCHEMA_DEPTH: Final = 32


@dataclass(frozen=True, slots=True)
class Property:
    """One property of an object schema."""

    name: str
    required: bool
    schema: Schema

    @property
    def summary(self) -> str:
        """The property's type label, for a table cell."""
        return self.schema.label

    @property
    def description(self) -> str | None:
        """The property's description."""
        return self.schema.description


@dataclass(frozen=True, slots=True)
class SchemaRow:
    """One line of a flattened schema table; ``path`` is dotted (``items[].name``)."""

    path: str
    name: str
    depth: int
    required: bool
    schema: Schema


@dataclass(frozen=True, slots=True, repr=False)
class Schema:
    """What a reader needs to know about a schema, without JSON Schema's full generality.

    ``type`` is the single non-null type (``None`` when untyped or several); ``types`` lists
    them all. ``ref`` is the component name when the schema came from a reference; when
    ``recursive`` is true the schema is that name only, because it contains itself.
    ``constraints`` keeps the validation keywords under their OpenAPI names.
    """

    type: str | None = None
    types: list[str] = field(default_factory=list)
    format: str | None = None
    title: str | None = None
    description: str | None = None
    nullable: bool = False
    enum: list[JsonValue] = field(default_factory=list)
    default: JsonValue = None
    has_default: bool = False
    constraints: dict[str, JsonValue] = field(default_factory=dict)
    properties: list[Property] = field(default_factory=list)
    additional_properties: Schema | None = None
    items: Schema | None = None
    variants: list[Schema] = field(default_factory=list)
    variant_kind: str | None = None
    extends: list[str] = field(default_factory=list)
    examples: list[JsonValue] = field(default_factory=list)
    read_only: bool = False
    write_only: bool = False
    deprecated: bool = False
    ref: str | None = None
    recursive: bool = False

    @property
    def label(self) -> str:
        """A compact, language-neutral type notation: ``array<Person>``, ``string<date>``."""
        if self.recursive and self.ref:
            text = self.ref
        elif self.variants:
            text = " | ".join(variant.label for variant in self.variants)
        elif self.type == "array" and self.items is not None:
            text = f"array<{self.items.label}>"
        elif self.ref and (self.type in (None, "object") or self.properties):
            text = self.ref
        elif self.types:
            text = " | ".join(self.types)
            if self.format:
                text = f"{text}<{self.format}>"
        else:
            text = "any"
        return f"{text} | null" if self.nullable and not text.endswith("| null") else text

    def __repr__(self) -> str:
        return f"<Schema {self.label}>"

    def sample(self, *, max_depth: int = 6) -> JsonValue:
        """An example value: the schema's own, else one assembled from its parts' examples.

        ``None`` when nothing in the schema gives a hint.
        """
        return self._sample(max_depth)

    def _sample(self, depth: int) -> JsonValue:
        if self.examples:
            return self.examples[0]
        if self.has_default:
            return self.default
        if self.enum:
            return self.enum[0]
        if depth <= 0 or self.recursive:
            return None
        if self.variants:
            return self.variants[0]._sample(depth - 1)
        if self.type == "array" and self.items is not None:
            item = self.items._sample(depth - 1)
            return [item] if item is not None else None
        if self.properties:
            values = {prop.name: prop.schema._sample(depth - 1) for prop in self.properties}
            present: JsonObject = {
                name: value for name, value in values.items() if value is not None
            }
            return present or None
        return None

    @property
    def summary(self) -> str:
        """Same as :attr:`label` (templates print a schema as its label)."""
        return self.label

    def __str__(self) -> str:
        return self.label

    @property
    def example(self) -> JsonValue:
        """The first example, if any (``None`` otherwise)."""
        return self.examples[0] if self.examples else None

    def rows(self, *, max_depth: int = 8, max_rows: int = 500) -> list[SchemaRow]:
        """Properties flattened for a table, nested objects and arrays of objects indented."""
        rows: list[SchemaRow] = []
        self._collect_rows(rows, "", 0, max_depth, max_rows)
        return rows

    def _collect_rows(
        self, rows: list[SchemaRow], prefix: str, depth: int, max_depth: int, max_rows: int
    ) -> None:
        if depth >= max_depth or self.recursive:
            return
        target = self.items if self.type == "array" and self.items is not None else self
        if target is not self:
            prefix = f"{prefix}[]" if prefix else "[]"
        if target.recursive:
            return
        for prop in target.properties:
            if len(rows) >= max_rows:
                return
            path = f"{prefix}.{prop.name}" if prefix else prop.name
            rows.append(SchemaRow(path, prop.name, depth, prop.required, prop.schema))
            prop.schema._collect_rows(rows, path, depth + 1, max_depth, max_rows)


@dataclass(frozen=True, slots=True)
class Example:
    """A named example (``examples`` map of a media type or parameter)."""

    name: str
    summary: str | None
    description: str | None
    value: JsonValue


@dataclass(frozen=True, slots=True)
class Parameter:
    """A parameter after merging path-level and operation-level declarations."""

    name: str
    location: str
    required: bool
    description: str | None
    schema_summary: Schema | None
    example: JsonValue
    deprecated: bool = False
    examples: list[Example] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class MediaType:
    """One content type of a body, e.g. ``application/json`` with its schema."""

    media_type: str
    schema_summary: Schema | None
    example: JsonValue
    examples: list[Example] = field(default_factory=list)

    @property
    def is_json(self) -> bool:
        """``application/json`` and ``+json`` types."""
        base = self.media_type.split(";", 1)[0].strip().lower()
        return base == "application/json" or base.endswith("+json")

    @property
    def example_json(self) -> str:
        """:attr:`example` as indented JSON text."""
        return _pretty(self.example)


def _primary(content: list[MediaType]) -> MediaType | None:
    return next((item for item in content if item.is_json), content[0] if content else None)


def _example(primary: MediaType | None) -> JsonValue:
    if primary is None:
        return None
    if primary.example is None and primary.schema_summary is not None:
        return primary.schema_summary.sample()
    return primary.example


def _pretty(value: JsonValue) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


@dataclass(frozen=True, slots=True)
class Body:
    """A request body."""

    description: str | None
    required: bool
    content: list[MediaType]

    @property
    def primary(self) -> MediaType | None:
        """The JSON content if there is one, else the first."""
        return _primary(self.content)

    @property
    def schema(self) -> Schema | None:
        """The primary content's schema."""
        primary = self.primary
        return primary.schema_summary if primary else None

    @property
    def example(self) -> JsonValue:
        """The primary content's example, else a sample assembled from its schema."""
        return _example(self.primary)

    @property
    def example_json(self) -> str:
        """:attr:`example` as indented JSON text."""
        return _pretty(self.example)


@dataclass(frozen=True, slots=True)
class Response:
    """One response of an operation; ``status`` is ``"200"``, ``"4XX"`` or ``"default"``."""

    status: str
    description: str
    content: list[MediaType]
    headers: list[Parameter] = field(default_factory=list)

    @property
    def primary(self) -> MediaType | None:
        """The JSON content if there is one, else the first."""
        return _primary(self.content)

    @property
    def schema(self) -> Schema | None:
        """The primary content's schema."""
        primary = self.primary
        return primary.schema_summary if primary else None

    @property
    def example(self) -> JsonValue:
        """The primary content's example, else a sample assembled from its schema."""
        return _example(self.primary)

    @property
    def example_json(self) -> str:
        """:attr:`example` as indented JSON text."""
        return _pretty(self.example)

    @property
    def is_error(self) -> bool:
        """4xx and 5xx responses; ``default`` usually describes errors too."""
        return self.status[:1] in ("4", "5") or self.status == "default"


@dataclass(frozen=True, slots=True)
class Operation:
    """One endpoint: an HTTP method on a path template.

    ``method`` and ``path`` are normalised (see :mod:`egov.bridge.openapi.matching`), so
    ``(operation.method, operation.path)`` is exactly the key access requests use. ``security``
    is the effective requirement list (the operation's own, else the document's).
    """

    method: str
    path: str
    operation_id: str | None
    summary: str | None
    description: str | None
    tags: list[str]
    parameters: list[Parameter]
    request_body: Body | None
    responses: list[Response]
    deprecated: bool
    security: list[dict[str, list[str]]]
    template: PathTemplate = field(repr=False, compare=False)

    @property
    def key(self) -> tuple[str, str]:
        """``(METHOD, /path/{template})``."""
        return self.method, self.path

    @property
    def anchor(self) -> str:
        """A stable HTML id for this operation."""
        text = f"{self.method}-{self.path}".lower()
        return "".join(char if char.isalnum() else "-" for char in text).strip("-")

    def parameters_in(self, location: str) -> list[Parameter]:
        """Parameters of one location (``path``, ``query``, ``header`` or ``cookie``)."""
        return [parameter for parameter in self.parameters if parameter.location == location]


@dataclass(frozen=True, slots=True)
class Server:
    """A base URL the API is served from (variables filled with their defaults)."""

    url: str
    description: str | None


@dataclass(frozen=True, slots=True)
class Tag:
    """A group of operations."""

    name: str
    description: str | None


@dataclass(frozen=True, slots=True)
class SecurityScheme:
    """How clients authenticate; ``scopes`` merges the scopes of all OAuth2 flows."""

    name: str
    type: str
    description: str | None
    scheme: str | None = None
    bearer_format: str | None = None
    location: str | None = None
    parameter_name: str | None = None
    openid_connect_url: str | None = None
    scopes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Components:
    """Named schemas (for a "models" section) and security schemes."""

    schemas: dict[str, Schema] = field(default_factory=dict)
    security_schemes: dict[str, SecurityScheme] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OpenApiDocument:
    """A validated document: ``version`` is the API's own (``info.version``).

    ``openapi_version`` is the OpenAPI release the document is written in; ``raw`` the
    normalised document as JSON values (see :meth:`to_json`).
    """

    version: str
    title: str
    description: str | None
    servers: list[Server]
    operations: list[Operation]
    components: Components
    openapi_version: str = ""
    summary: str | None = None
    tags: list[Tag] = field(default_factory=list)
    security: list[dict[str, list[str]]] = field(default_factory=list)
    raw: JsonObject = field(default_factory=dict, repr=False, compare=False)

    def endpoints(self) -> list[tuple[str, str]]:
        """Every ``(METHOD, /path/{template})`` pair, sorted."""
        return sorted(operation.key for operation in self.operations)

    def find_operation(self, method: str, path: str) -> Operation | None:
        """The operation for a method and path *template*, compared after normalisation."""
        try:
            key = normalise_method(method), normalise_path(path)
        except ValueError:
            return None
        for operation in self.operations:
            if operation.key == key:
                return operation
        return None

    def match(self, method: str, concrete_path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation serving a concrete request path, with its path parameter values."""
        try:
            wanted = normalise_method(method)
        except ValueError:
            return None
        candidates = {op.template: op for op in self.operations if op.method == wanted}
        found = best_match(candidates, concrete_path)
        if found is None:
            return None
        template, values = found
        return candidates[template], values

    def operations_by_tag(self) -> list[tuple[str, list[Operation]]]:
        """Operations grouped by their first tag, in the document's tag order; untagged last."""
        order = [tag.name for tag in self.tags]
        groups: dict[str, list[Operation]] = {}
        for operation in self.operations:
            name = operation.tags[0] if operation.tags else ""
            if name not in order:
                order.append(name)
            groups.setdefault(name, []).append(operation)
        named = [(name, groups[name]) for name in order if name and name in groups]
        return named + ([("", groups[""])] if "" in groups else [])

    def to_json(self) -> JsonObject:
        """The whole document as plain JSON values (a fresh copy), for storage and download.

        YAML uploads come back as the equivalent JSON: keys are text (``200:`` -> ``"200"``),
        dates stay the text they were written as, aliases are expanded.
        """
        return cast(JsonObject, json.loads(json.dumps(self.raw)))

    def to_json_text(self, *, indent: int | None = 2) -> str:
        """:meth:`to_json` serialised, UTF-8 friendly (no ``\\u`` escapes)."""
        return json.dumps(self.raw, ensure_ascii=False, indent=indent) + "\n"


# --- Building ----------------------------------------------------------------------------------


def _text(value: JsonValue) -> str | None:
    return value if isinstance(value, str) and value else None


def _object(value: JsonValue) -> JsonObject:
    return value if isinstance(value, dict) else {}


def _list(value: JsonValue) -> list[JsonValue]:
    return value if isinstance(value, list) else []


def _ref_name(ref: str) -> str:
    """``#/components/schemas/Person`` -> ``Person``."""
    token = ref.rsplit("/", 1)[-1].lstrip("#")
    return token.replace("~1", "/").replace("~0", "~") or ref


_JSON_TYPES: Final[dict[type, str]] = {
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    dict: "object",
    list: "array",
}


def _merge_property(merged: dict[str, Property], prop: Property) -> None:
    """Later declarations refine earlier ones; required anywhere means required."""
    earlier = merged.get(prop.name)
    merged[prop.name] = replace(prop, required=prop.required or bool(earlier and earlier.required))


def _is_null(schema: Schema) -> bool:
    """``{type: "null"}``: the other half of 3.1's ``oneOf: [X, {type: null}]`` idiom."""
    return not schema.types and schema.nullable and not schema.ref and not schema.properties


def _status_key(status: str) -> tuple[int, str]:
    if status.isdigit():
        return int(status), status
    if len(status) == 3 and status[0].isdigit():
        return int(status[0]) * 100 + 99, status  # "4XX" after every specific 4xx
    return 1000, status


class _Builder:
    """Resolves references once per document; component schemas are summarised once."""

    def __init__(self, document: JsonObject) -> None:
        self.document = document
        self.anchors = find_anchors(document)
        self.cache: dict[str, Schema] = {}
        self.stack: list[str] = []

    def resolve(self, value: JsonValue) -> JsonObject:
        """Follow references (not schemas: those keep their names) to an object."""
        seen: set[str] = set()
        while isinstance(value, dict) and isinstance(value.get("$ref"), str):
            ref = cast(str, value["$ref"])
            if ref in seen:
                return {}
            seen.add(ref)
            try:
                value = resolve_ref(self.document, ref, self.anchors)
            except UnresolvableRef:
                return {}
        return _object(value)

    # Schemas -----------------------------------------------------------------------------

    def schema(self, value: JsonValue, depth: int = 0) -> Schema:
        if isinstance(value, bool):
            return Schema() if value else Schema(types=["never"], type="never")
        if not isinstance(value, dict):
            return Schema()
        ref = value.get("$ref")
        if isinstance(ref, str):
            return self._referenced(ref, value, depth)
        if depth > _MAX_SCHEMA_DEPTH:
            return Schema(description=_text(value.get("description")))
        return self._inline(value, depth)

    def _referenced(self, ref: str, value: JsonObject, depth: int) -> Schema:
        name = _ref_name(ref)
        if ref in self.stack:
            return Schema(ref=name, recursive=True)
        summary = self.cache.get(ref)
        if summary is None:
            try:
                target = resolve_ref(self.document, ref, self.anchors)
            except UnresolvableRef:
                return Schema(ref=name, recursive=True)
            self.stack.append(ref)
            try:
                summary = self.schema(target, depth + 1)
            finally:
                self.stack.pop()
            if not summary.recursive:
                summary = replace(summary, ref=name)
            self.cache[ref] = summary
        # OpenAPI 3.1 allows a description or title next to "$ref"; it wins for this use.
        description, title = _text(value.get("description")), _text(value.get("title"))
        if description or title:
            return replace(
                summary,
                description=description or summary.description,
                title=title or summary.title,
            )
        return summary

    def _inline(self, value: JsonObject, depth: int) -> Schema:
        raw_type = value.get("type")
        types = (
            [raw_type]
            if isinstance(raw_type, str)
            else [item for item in _list(raw_type) if isinstance(item, str)]
        )
        nullable = value.get("nullable") is True or "null" in types
        types = [item for item in types if item != "null"]
        enum = list(_list(value.get("enum")))
        if "const" in value:
            enum = [value["const"]]
        examples = list(_list(value.get("examples")))
        if "example" in value:
            examples.insert(0, value["example"])
        required_names = {item for item in _list(value.get("required")) if isinstance(item, str)}
        properties = [
            Property(name, name in required_names, self.schema(prop, depth + 1))
            for name, prop in _object(value.get("properties")).items()
        ]
        # allOf is nearly always inheritance: show the union of the parts' properties, later
        # parts refining earlier ones, the schema's own declarations last.
        extends: list[str] = []
        base_type: str | None = None
        merged: dict[str, Property] = {}
        for part in _list(value.get("allOf")):
            summary = self.schema(part, depth + 1)
            if summary.ref:
                extends.append(summary.ref)
            base_type = base_type or summary.type
            for prop in summary.properties:
                _merge_property(merged, prop)
            if not examples and summary.examples:
                examples = list(summary.examples)
        for prop in properties:
            _merge_property(merged, prop)
        properties = [
            replace(prop, required=True) if prop.name in required_names else prop
            for prop in merged.values()
        ]
        variants: list[Schema] = []
        variant_kind: str | None = None
        for kind in ("oneOf", "anyOf"):
            options = _list(value.get(kind))
            if options:
                variant_kind = kind
                variants = [self.schema(option, depth + 1) for option in options]
                break
        if variants:
            non_null = [variant for variant in variants if not _is_null(variant)]
            if len(non_null) == 1 and len(variants) == 2:
                nullable, variants, variant_kind = True, [], None
                only = non_null[0]
                if not types and not properties:
                    return replace(
                        only,
                        nullable=True,
                        description=_text(value.get("description")) or only.description,
                    )
        if not types and base_type:
            types = [base_type]
        if not types and properties:
            types = ["object"]
        if not types and enum:
            inferred = {_JSON_TYPES.get(type(item), "") for item in enum if item is not None}
            types = sorted(inferred) if len(inferred) == 1 and "" not in inferred else []
        additional = value.get("additionalProperties")
        items = value.get("items")
        return Schema(
            type=types[0] if len(types) == 1 else None,
            types=types,
            format=_text(value.get("format")),
            title=_text(value.get("title")),
            description=_text(value.get("description")),
            nullable=nullable,
            enum=enum,
            default=value.get("default"),
            has_default="default" in value,
            constraints={key: value[key] for key in _CONSTRAINT_KEYS if key in value},
            properties=properties,
            additional_properties=(
                self.schema(additional, depth + 1) if isinstance(additional, dict) else None
            ),
            items=self.schema(items, depth + 1) if isinstance(items, dict | bool) else None,
            variants=variants,
            variant_kind=variant_kind,
            extends=extends,
            examples=examples,
            read_only=value.get("readOnly") is True,
            write_only=value.get("writeOnly") is True,
            deprecated=value.get("deprecated") is True,
        )

    # Parameters, bodies, responses ---------------------------------------------------------

    def examples(self, value: JsonValue) -> list[Example]:
        found: list[Example] = []
        for name, raw in _object(value).items():
            example = self.resolve(raw)
            found.append(
                Example(
                    name=name,
                    summary=_text(example.get("summary")),
                    description=_text(example.get("description")),
                    value=example.get("value"),
                )
            )
        return found

    def media_types(self, value: JsonValue) -> list[MediaType]:
        result: list[MediaType] = []
        for media_type, raw in _object(value).items():
            item = self.resolve(raw)
            summary = self.schema(item["schema"]) if "schema" in item else None
            examples = self.examples(item.get("examples"))
            example = item.get("example")
            if example is None and examples:
                example = examples[0].value
            if example is None and summary is not None:
                example = summary.example
            result.append(MediaType(media_type, summary, example, examples))
        return result

    def parameter(self, value: JsonValue, header: str | None = None) -> Parameter | None:
        """A Parameter Object, or a Header Object named ``header`` (same shape, no name/in)."""
        item = self.resolve(value)
        name = header if header is not None else item.get("name")
        location = "header" if header is not None else item.get("in")
        if not isinstance(name, str) or not isinstance(location, str):
            return None
        summary: Schema | None = None
        if "schema" in item:
            summary = self.schema(item["schema"])
        else:
            content = self.media_types(item.get("content"))
            summary = content[0].schema_summary if content else None
        examples = self.examples(item.get("examples"))
        example = item.get("example")
        if example is None and examples:
            example = examples[0].value
        if example is None and summary is not None:
            example = summary.example
        return Parameter(
            name=name,
            location=location,
            required=item.get("required") is True or location == "path",
            description=_text(item.get("description")),
            schema_summary=summary,
            example=example,
            deprecated=item.get("deprecated") is True,
            examples=examples,
        )

    def parameters(self, shared: JsonValue, own: JsonValue) -> list[Parameter]:
        merged: dict[tuple[str, str], Parameter] = {}
        for raw in [*_list(shared), *_list(own)]:
            parameter = self.parameter(raw)
            if parameter is not None:
                merged[(parameter.name, parameter.location)] = parameter  # own ones win
        return sorted(merged.values(), key=lambda p: _LOCATION_ORDER.get(p.location, 9))

    def body(self, value: JsonValue) -> Body | None:
        if value is None:
            return None
        item = self.resolve(value)
        return Body(
            description=_text(item.get("description")),
            required=item.get("required") is True,
            content=self.media_types(item.get("content")),
        )

    def responses(self, value: JsonValue) -> list[Response]:
        result: list[Response] = []
        for status, raw in _object(value).items():
            if status.startswith("x-"):
                continue
            item = self.resolve(raw)
            headers = [
                header
                for name, raw_header in _object(item.get("headers")).items()
                if (header := self.parameter(raw_header, name)) is not None
            ]
            result.append(
                Response(
                    status=status.upper() if status != "default" else status,
                    description=_text(item.get("description")) or "",
                    content=self.media_types(item.get("content")),
                    headers=headers,
                )
            )
        return sorted(result, key=lambda response: _status_key(response.status))

    # Document ----------------------------------------------------------------------------

    def operations(self, security: list[dict[str, list[str]]]) -> list[Operation]:
        result: list[Operation] = []
        for key, raw_item in _object(self.document.get("paths")).items():
            try:
                template = PathTemplate(key)
            except InvalidPathTemplate:
                continue
            item = self.resolve(raw_item)
            for method in OPERATION_METHODS:
                if method not in item:
                    continue
                operation = _object(item[method])
                own_security = operation.get("security")
                result.append(
                    Operation(
                        method=method.upper(),
                        path=template.template,
                        operation_id=_text(operation.get("operationId")),
                        summary=_text(operation.get("summary")),
                        description=_text(operation.get("description")),
                        tags=[tag for tag in _list(operation.get("tags")) if isinstance(tag, str)],
                        parameters=self.parameters(
                            item.get("parameters"), operation.get("parameters")
                        ),
                        request_body=self.body(operation.get("requestBody")),
                        responses=self.responses(operation.get("responses")),
                        deprecated=operation.get("deprecated") is True,
                        security=(
                            _security(own_security) if isinstance(own_security, list) else security
                        ),
                        template=template,
                    )
                )
        return result

    def security_schemes(self) -> dict[str, SecurityScheme]:
        schemes: dict[str, SecurityScheme] = {}
        components = _object(self.document.get("components"))
        for name, raw in _object(components.get("securitySchemes")).items():
            item = self.resolve(raw)
            scopes: dict[str, str] = {}
            for flow in _object(item.get("flows")).values():
                for scope, text in _object(_object(flow).get("scopes")).items():
                    scopes.setdefault(scope, text if isinstance(text, str) else "")
            schemes[name] = SecurityScheme(
                name=name,
                type=_text(item.get("type")) or "",
                description=_text(item.get("description")),
                scheme=_text(item.get("scheme")),
                bearer_format=_text(item.get("bearerFormat")),
                location=_text(item.get("in")),
                parameter_name=_text(item.get("name")),
                openid_connect_url=_text(item.get("openIdConnectUrl")),
                scopes=scopes,
            )
        return schemes


def _security(value: JsonValue) -> list[dict[str, list[str]]]:
    return [
        {
            name: [scope for scope in _list(scopes) if isinstance(scope, str)]
            for name, scopes in requirement.items()
        }
        for requirement in _list(value)
        if isinstance(requirement, dict)
    ]


def _server(value: JsonValue) -> Server | None:
    item = _object(value)
    url = item.get("url")
    if not isinstance(url, str):
        return None
    for name, variable in _object(item.get("variables")).items():
        default = _object(variable).get("default")
        if isinstance(default, str):
            url = url.replace("{" + name + "}", default)
    return Server(url=url, description=_text(item.get("description")))


def build_document(data: JsonObject) -> OpenApiDocument:
    """The read model of a document that :func:`validate_document` accepted."""
    builder = _Builder(data)
    info = _object(data.get("info"))
    security = _security(data.get("security"))
    components = _object(data.get("components"))
    schemas = {
        name: builder.schema({"$ref": f"#/components/schemas/{escape_token(name)}"})
        for name in _object(components.get("schemas"))
    }
    return OpenApiDocument(
        version=str(info.get("version", "")),
        title=str(info.get("title", "")),
        description=_text(info.get("description")),
        servers=[server for raw in _list(data.get("servers")) if (server := _server(raw))],
        operations=builder.operations(security),
        components=Components(schemas=schemas, security_schemes=builder.security_schemes()),
        openapi_version=str(data.get("openapi", "")),
        summary=_text(info.get("summary")),
        tags=[
            Tag(name=name, description=_text(tag.get("description")))
            for tag in _list(data.get("tags"))
            if isinstance(tag, dict) and isinstance(name := tag.get("name"), str)
        ],
        security=security,
        raw=data,
    )


def iter_schemas(schema: Schema) -> Iterator[Schema]:
    """``schema`` and every schema inside it, each once (useful for tests and linting)."""
    seen: set[int] = set()
    stack = [schema]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend(prop.schema for prop in current.properties)
        stack.extend(current.variants)
        if current.items is not None:
            stack.append(current.items)
        if current.additional_properties is not None:
            stack.append(current.additional_properties)
