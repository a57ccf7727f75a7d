"""Check an uploaded OpenAPI document and turn it into the catalog's read model.

Providers upload documents written by hand or by generators, so everything here assumes hostile
or sloppy input:

* Size is checked before parsing; YAML is parsed with a safe loader that also counts aliases and
  nesting (a "billion laughs" document is a few hundred bytes), and the parsed value is copied
  into plain JSON types under a budget, so shared aliases cannot expand without limit.
* Only OpenAPI 3.0.x and 3.1.x are accepted; Swagger 2.0 is refused with a pointer to converters.
* Structure is checked against the official schemas (``openapi-spec-validator``), collecting
  every violation rather than the first, each with the JSON Pointer of the offending value.
* Then the checks the schemas cannot express: references must stay inside the document and
  resolve; operation IDs, tags and parameters must be unique; every ``{param}`` of a path needs a
  path parameter (and the reverse); paths must be valid templates that do not collide under the
  endpoint rules of :mod:`egov.bridge.openapi.matching`.
* Last, ``openapi-spec-validator``'s own checks of Schema Objects (JSON Schema dialect, defaults),
  which assume a structurally valid document with resolvable references, so they run only when
  everything before passed. Remote reference resolution is disabled for them.

Messages are plain English sentences; the surrounding UI is translated by the caller.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, cast

import yaml
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from openapi_spec_validator.schemas import schema_v30, schema_v31
from openapi_spec_validator.validation.exceptions import (
    ExtraParametersError,
    OpenAPIValidationError,
)
from openapi_spec_validator.validation.keywords import SchemaValidator

from ._json import (
    JsonObject,
    JsonValue,
    UnresolvableRef,
    find_anchors,
    pointer,
    resolve_ref,
    walk_objects,
)
from .matching import InvalidPathTemplate, PathTemplate
from .model import OPERATION_METHODS, OpenApiDocument, build_document

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_VIOLATIONS",
    "InvalidOpenApi",
    "Violation",
    "parse_document",
    "validate_document",
]

MAX_VIOLATIONS: Final = 100
# Deeper than any sensible API description, shallow enough for recursive validators.
MAX_DEPTH: Final = 64
MAX_ALIASES: Final = 1_000
# Values visited while copying the parsed document: a floor for small documents, otherwise a
# multiple of what the source itself contains, so aliases can be reused but not explode.
MIN_VALUE_BUDGET: Final = 100_000
VALUE_BUDGET_FACTOR: Final = 10

_SUPPORTED_VERSION: Final = re.compile(r"3\.[01]\.\d+")


@dataclass(frozen=True, slots=True)
class Violation:
    """One problem: where (a JSON Pointer, ``""`` for the whole document) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '/'}: {self.message}"


class InvalidOpenApi(ValueError):
    """The document was refused; ``violations`` lists why (at most ``MAX_VIOLATIONS``)."""

    def __init__(self, violations: list[Violation], *, truncated: bool = False) -> None:
        self.violations = violations
        self.truncated = truncated
        first = str(violations[0]) if violations else "no details"
        more = len(violations) - 1
        suffix = f" (and {more} more{'+' if truncated else ''})" if more or truncated else ""
        super().__init__(f"The OpenAPI document is not valid: {first}{suffix}")


class _Full(Exception):
    """Raised inside the checks once enough violations are collected; nobody reads more."""


class _Collector:
    """Deduplicated, capped list of violations."""

    def __init__(self, limit: int = MAX_VIOLATIONS) -> None:
        self.limit = limit
        self.violations: list[Violation] = []
        self._seen: set[Violation] = set()
        self.truncated = False

    def add(self, path: str, message: str) -> None:
        violation = Violation(path, message)
        if violation in self._seen:
            return
        if len(self.violations) >= self.limit:
            self.truncated = True
            raise _Full
        self._seen.add(violation)
        self.violations.append(violation)

    def fail(self) -> InvalidOpenApi:
        return InvalidOpenApi(self.violations, truncated=self.truncated)


def _refuse(message: str, path: str = "") -> InvalidOpenApi:
    return InvalidOpenApi([Violation(path, message)])


# --- Parsing ---------------------------------------------------------------------------------


_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Safe loader that refuses duplicate keys and keeps timestamps as the strings they were."""

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:
                    continue  # unhashable key: the base class reports it
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key '{key}' appears twice", key_node.start_mark
                    )
                seen.add(key)
        return cast(dict[Any, Any], super().construct_mapping(node, deep=deep))


def _keep_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    """YAML 1.1 turns ``2024-01-01`` into a date; OpenAPI means the text (JSON has no dates)."""
    return str(loader.construct_scalar(cast(yaml.ScalarNode, node)))


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _keep_as_text)


def _yaml_problem(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.MarkedYAMLError) and error.problem:
        mark = error.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        return f"The document is not valid YAML: {error.problem}{where}."
    return f"The document is not valid YAML: {error}."


def _scan_yaml(text: str) -> int:
    """Count events, checking alias count and nesting before anything is built."""
    loader = _Loader(text)
    aliases = depth = events = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            events += 1
            if isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise _refuse(
                        f"The document uses more than {MAX_ALIASES} YAML aliases; "
                        "write the repeated parts out or use $ref instead."
                    )
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _refuse(f"The document is nested more than {MAX_DEPTH} levels deep.")
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    finally:
        loader.dispose()
    return events


def _load_yaml(text: str) -> tuple[object, int]:
    try:
        events = _scan_yaml(text)
        loader = _Loader(text)
        try:
            return loader.get_single_data(), events
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        raise _refuse(_yaml_problem(error)) from None
    except RecursionError:
        raise _refuse(f"The document is nested more than {MAX_DEPTH} levels deep.") from None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key '{key}' appears twice in one object")
        result[key] = value
    return result


def _not_a_number(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _load_json(text: str) -> object:
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_not_a_number)
    except json.JSONDecodeError as error:
        raise _refuse(
            f"The document is not valid JSON: {error.msg} "
            f"(line {error.lineno}, column {error.colno})."
        ) from None
    except ValueError as error:
        raise _refuse(f"The document is not valid JSON: {error}.") from None
    except RecursionError:
        raise _refuse(f"The document is nested more than {MAX_DEPTH} levels deep.") from None


class _Copier:
    """Copy parsed data into fresh JSON values, enforcing depth and an expansion budget."""

    def __init__(self, budget: int) -> None:
        self.left = budget
        self.parts: list[str | int] = []

    def _where(self) -> str:
        return pointer(self.parts)

    def copy(self, value: object, depth: int = 0) -> JsonValue:
        self.left -= 1
        if self.left < 0:
            raise _refuse(
                "The document expands to too many values (YAML aliases repeating large parts?)."
            )
        if isinstance(value, dict):
            if depth >= MAX_DEPTH:
                raise _refuse(f"The document is nested more than {MAX_DEPTH} levels deep.")
            result: JsonObject = {}
            for key, item in value.items():
                name = self._key(key)
                if name in result:
                    raise _refuse(f"The key '{name}' appears twice.", self._where())
                self.parts.append(name)
                result[name] = self.copy(item, depth + 1)
                self.parts.pop()
            return result
        if isinstance(value, list):
            if depth >= MAX_DEPTH:
                raise _refuse(f"The document is nested more than {MAX_DEPTH} levels deep.")
            items: list[JsonValue] = []
            for index, item in enumerate(value):
                self.parts.append(index)
                items.append(self.copy(item, depth + 1))
                self.parts.pop()
            return items
        if value is None or isinstance(value, bool | int | str):
            return value
        if isinstance(value, float):
            if not math.isfinite(value):
                raise _refuse(
                    "Numbers must be finite (JSON has no NaN or infinity).", self._where()
                )
            return value
        raise _refuse(
            f"A value of type '{type(value).__name__}' cannot be represented in JSON.",
            self._where(),
        )

    def _key(self, key: object) -> str:
        """YAML allows ``200:`` (an integer key); JSON, and so OpenAPI, means ``"200"``."""
        if isinstance(key, str):
            return key
        if key is None or isinstance(key, bool | int):
            return json.dumps(key)
        raise _refuse(f"The key {key!r} is not text.", self._where())


def parse_document(
    raw: bytes | str | Mapping[str, Any], *, max_bytes: int = 5_000_000
) -> JsonObject:
    """Parse JSON or YAML (or copy a mapping) into plain JSON values, within the limits.

    Raises :class:`InvalidOpenApi` with a single violation when the input is too big, not
    parseable, not an object, or built to exhaust memory.
    """
    too_big = f"The document is larger than the limit of {max_bytes:,} bytes."
    # JSON cannot share values, so its size bounds its value count; YAML aliases can, so a
    # YAML document gets a budget proportional to what it actually spells out.
    budget = max(MIN_VALUE_BUDGET, max_bytes)
    parsed: object
    if isinstance(raw, Mapping):
        parsed = raw
    else:
        if isinstance(raw, str):
            if len(raw) > max_bytes or len(raw.encode("utf-8", "surrogatepass")) > max_bytes:
                raise _refuse(too_big)
            text = raw.removeprefix("\ufeff")
        else:
            if len(raw) > max_bytes:
                raise _refuse(too_big)
            try:
                text = bytes(raw).decode("utf-8-sig")
            except UnicodeDecodeError:
                raise _refuse("The document is not UTF-8 text.") from None
        stripped = text.lstrip()
        if not stripped:
            raise _refuse("The document is empty.")
        if stripped.startswith(("{", "[")):
            parsed = _load_json(text)
        else:
            parsed, events = _load_yaml(text)
            budget = max(MIN_VALUE_BUDGET, VALUE_BUDGET_FACTOR * events)
    copier = _Copier(budget)
    data = copier.copy(parsed)
    if not isinstance(data, dict):
        raise _refuse("The document must be an object with 'openapi', 'info' and 'paths'.")
    if isinstance(raw, Mapping):
        size = len(json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        if size > max_bytes:
            raise _refuse(too_big)
    return data


def _check_version(data: JsonObject) -> str:
    """The OpenAPI version (``"3.0"`` or ``"3.1"``), or a refusal that says what to do."""
    if "swagger" in data:
        swagger = data["swagger"]
        release = (
            f"Swagger {swagger}" if isinstance(swagger, str) and len(swagger) < 10 else "Swagger"
        )
        raise _refuse(
            f"{release} documents are not supported. Convert the document to "
            "OpenAPI 3.0 or 3.1 (for example with swagger2openapi or the Swagger Editor) "
            "and upload it again.",
            "/swagger",
        )
    version = data.get("openapi")
    if version is None:
        raise _refuse(
            "The document has no 'openapi' field, so it is not an OpenAPI document.", "/openapi"
        )
    if not isinstance(version, str):
        raise _refuse(
            "The 'openapi' field must be text such as \"3.1.0\" (in YAML, quote the number).",
            "/openapi",
        )
    if not _SUPPORTED_VERSION.fullmatch(version):
        raise _refuse(
            f"OpenAPI version '{version}' is not supported; use OpenAPI 3.0.x or 3.1.x.",
            "/openapi",
        )
    return version[:3]


# --- Structural violations (official schemas) ------------------------------------------------

_TYPE_NAMES: Final = {
    "object": "an object",
    "array": "a list",
    "string": "text",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}
_QUOTED: Final = re.compile(r"'((?:[^'\\]|\\.)*)'")


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _show(value: object, limit: int = 60) -> str:
    """A short JSON rendering of ``value`` for messages."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return "The value is not valid."
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def _is_reference_branch(error: ValidationError) -> bool:
    """The "or a Reference Object" alternative failing because there is no ``$ref``."""
    return error.validator == "required" and list(error.validator_value) == ["$ref"]


def _is_kind_mismatch(error: ValidationError) -> bool:
    """An alternative for another kind of object (e.g. ``in: query`` when this is a path)."""
    return error.validator in ("enum", "const") and len(error.relative_path) == 1


def _is_type_mismatch(error: ValidationError) -> bool:
    return error.validator == "type" and not error.relative_path


def _required_alternatives(subschemas: object) -> list[str]:
    """``[{required: [a]}, {required: [b], ...}]`` -> ``["a", "b"]``; else ``[]``."""
    if not isinstance(subschemas, list):
        return []
    names: list[str] = []
    for subschema in subschemas:
        required = subschema.get("required") if isinstance(subschema, dict) else None
        if not isinstance(required, list):
            return []
        names.extend(str(name) for name in required)
    return names


def _merged_kind_error(
    parent: ValidationError, branches: list[list[ValidationError]]
) -> ValidationError | None:
    """Every alternative wants another value of the same field: list all values allowed."""
    mismatches = [sub for errors in branches for sub in errors if _is_kind_mismatch(sub)]
    fields = {tuple(sub.relative_path) for sub in mismatches}
    if len(fields) != 1:
        return None
    allowed: list[object] = []
    for sub in mismatches:
        values = sub.validator_value if sub.validator == "enum" else [sub.validator_value]
        allowed.extend(value for value in values if value not in allowed)
    return ValidationError(
        "no alternative accepts this value",
        validator="enum",
        validator_value=allowed,
        instance=mismatches[0].instance,
        path=list(fields.pop()),
        parent=parent,
    )


def _leaf_errors(error: ValidationError) -> list[ValidationError]:
    """The errors that explain a failed ``oneOf``/``anyOf``: those of the intended branch."""
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return [error]
    branches: dict[object, list[ValidationError]] = {}
    for sub in error.context:
        branch = sub.relative_schema_path[0] if sub.relative_schema_path else None
        branches.setdefault(branch, []).append(sub)
    candidates = [
        errors for errors in branches.values() if not any(map(_is_reference_branch, errors))
    ]
    specific = [errors for errors in candidates if not any(map(_is_kind_mismatch, errors))]
    if candidates and not specific:
        merged = _merged_kind_error(error, candidates)
        if merged is not None:
            return [merged]
    chosen = specific or candidates
    # A branch for another JSON type (a list where text was given) is not what was meant.
    same_type = [errors for errors in chosen if not any(map(_is_type_mismatch, errors))]
    chosen = same_type or chosen
    if len(chosen) != 1:
        return [error]
    return [leaf for sub in chosen[0] for leaf in _leaf_errors(sub)]


def _unexpected_names(error: ValidationError) -> list[str]:
    instance = error.instance if isinstance(error.instance, dict) else {}
    head = error.message.split(" does not match", 1)[0].split(" do not match", 1)[0]
    if "unexpected)" in error.message:
        head = error.message.rsplit("(", 1)[-1]
    return [name for name in _QUOTED.findall(head) if name in instance] or [
        name for name in _QUOTED.findall(head)
    ]


def _add_schema_error(
    error: ValidationError, parts: tuple[str | int, ...], out: _Collector
) -> None:
    """Turn one jsonschema error into sentences (one per unexpected key)."""
    where = pointer(parts)
    validator = error.validator
    instance = error.instance
    if validator in ("additionalProperties", "unevaluatedProperties"):
        for name in _unexpected_names(error):
            key_path = pointer((*parts, name))
            if parts and parts[-1] == "paths" and len(parts) == 1:
                out.add(key_path, f"The path '{name}' must start with '/'.")
            elif parts and parts[-1] == "responses":
                out.add(
                    key_path,
                    f"'{name}' is not a response code; use an HTTP status code such as "
                    "'200', a range such as '4XX', or 'default'.",
                )
            else:
                out.add(
                    key_path,
                    f"The field '{name}' is not allowed here (extension fields must start "
                    "with 'x-').",
                )
        return
    if validator == "required":
        found = _QUOTED.search(error.message)
        name = found.group(1) if found else str(error.validator_value)
        if name == "required" and isinstance(instance, dict) and instance.get("in") == "path":
            out.add(where, "A path parameter must have 'required: true'.")
        else:
            out.add(where, f"The required field '{name}' is missing.")
        return
    if validator == "type":
        expected = error.validator_value
        names = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_TYPE_NAMES.get(str(name), str(name)) for name in names)
        actual = _TYPE_NAMES[_json_type(instance)]
        out.add(where, f"Expected {wanted} here, but found {actual} ({_show(instance)}).")
        return
    if validator == "enum":
        allowed = ", ".join(_show(value, 30) for value in error.validator_value)
        out.add(where, f"The value {_show(instance)} is not one of the allowed values: {allowed}.")
        return
    if validator == "const":
        out.add(where, f"The value must be {_show(error.validator_value)}.")
        return
    if validator == "pattern":
        out.add(
            where,
            f"The value {_show(instance)} does not have the expected form "
            f"(pattern {error.validator_value}).",
        )
        return
    if validator == "format":
        out.add(where, f"The value {_show(instance)} is not a valid {error.validator_value}.")
        return
    if validator in ("minItems", "minProperties") and error.validator_value == 1:
        kind = "list" if isinstance(instance, list) else "object"
        out.add(where, f"This {kind} must not be empty.")
        return
    if validator == "uniqueItems":
        if not parts or parts[-1] not in ("parameters", "tags"):  # reported one by one
            out.add(where, "This list must not contain the same item twice.")
        return
    if validator in ("oneOf", "anyOf"):
        either = " or ".join(f"'{name}'" for name in _required_alternatives(error.validator_value))
        only_required = all(sub.validator == "required" for sub in error.context or [])
        if either and error.context and only_required:
            out.add(where, f"One of {either} is required.")
        elif either and not error.context:
            out.add(where, f"Use only one of {either}.")
        elif error.context:
            out.add(where, "This value does not match any of the forms OpenAPI allows here.")
        else:
            out.add(where, "This value matches more than one of the forms OpenAPI allows here.")
        return
    if validator == "not":
        both = " and ".join(f"'{name}'" for name in _required_alternatives([error.validator_value]))
        out.add(
            where, f"Do not use {both} together." if both else "This value is not allowed here."
        )
        return
    message = error.message
    if isinstance(instance, dict | list):
        # jsonschema starts many messages with the whole instance; keep them readable.
        rendered = repr(instance)
        if message.startswith(rendered):
            message = "The value" + message[len(rendered) :]
    out.add(where, _sentence(message))


def _official_schema(version: str) -> dict[str, Any]:
    return dict(schema_v30 if version == "3.0" else schema_v31)


@functools.cache
def _detailed_validator(version: str) -> Validator:
    """Pure-Python jsonschema: slow, but its errors carry the context messages are built from.

    Built here rather than taken from openapi-spec-validator, which switches to jsonschema-rs
    (whose errors lack that context) whenever that package is installed.
    """
    schema = _official_schema(version)
    return cast(Validator, validator_for(schema)(schema))


@functools.cache
def _quick_check(version: str) -> Callable[[object], bool] | None:
    """jsonschema-rs's yes/no answer, when installed: about 500 times faster on valid input."""
    try:
        import jsonschema_rs  # optional accelerator
    except ImportError:
        return None
    try:
        validator = jsonschema_rs.validator_for(
            _official_schema(version), validate_formats=False, offline=True
        )
    except Exception:  # any trouble building it: fall back to the Python validator
        return None
    return cast(Callable[[object], bool], validator.is_valid)


def _schema_violations(data: JsonObject, version: str, out: _Collector) -> None:
    quick = _quick_check(version)
    if quick is not None and quick(data):
        return
    for error in _detailed_validator(version).iter_errors(data):
        for leaf in _leaf_errors(error):
            _add_schema_error(leaf, tuple(leaf.absolute_path), out)


# --- Semantic violations -----------------------------------------------------------------------


def _ref_violations(data: JsonObject, out: _Collector) -> None:
    """Every ``$ref`` must point inside the document and reach something that exists."""
    anchors = find_anchors(data)
    for parts, node in walk_objects(data):
        ref = node.get("$ref")
        if not isinstance(ref, str):
            continue
        where = pointer((*parts, "$ref"))
        if not ref.startswith("#"):
            out.add(
                where,
                f"The reference '{ref}' points outside this document; the document must be "
                "self-contained (for example '#/components/schemas/Name').",
            )
            continue
        seen = [ref]
        target: JsonValue = node
        try:
            while isinstance(target, dict) and isinstance(target.get("$ref"), str):
                next_ref = cast(str, target["$ref"])
                if not next_ref.startswith("#"):
                    break  # reported where that reference is written
                target = resolve_ref(data, next_ref, anchors)
                if isinstance(target, dict) and target.get("$ref") in seen:
                    out.add(
                        where,
                        f"The reference '{ref}' leads to a loop of references that never "
                        "reaches a definition.",
                    )
                    break
                if isinstance(target, dict) and isinstance(target.get("$ref"), str):
                    seen.append(cast(str, target["$ref"]))
        except UnresolvableRef as error:
            if len(seen) == 1:
                out.add(where, f"The reference '{ref}' cannot be resolved: {error}.")


def _resolved(data: JsonObject, value: JsonValue) -> JsonValue:
    """Follow local references (bounded); a broken one gives ``None``, reported elsewhere."""
    for _step in range(32):
        if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
            return value
        try:
            value = resolve_ref(data, cast(str, value["$ref"]))
        except UnresolvableRef:
            return None
    return None


def _parameters(
    data: JsonObject, owner: JsonValue, parts: tuple[str | int, ...], out: _Collector
) -> list[tuple[str, str, tuple[str | int, ...], JsonObject]]:
    """``(name, in, location, parameter)`` for each parameter of a path item or operation."""
    if not isinstance(owner, dict) or not isinstance(owner.get("parameters"), list):
        return []
    found: list[tuple[str, str, tuple[str | int, ...], JsonObject]] = []
    seen: set[tuple[str, str]] = set()
    for index, raw in enumerate(cast(list[JsonValue], owner["parameters"])):
        parameter = _resolved(data, raw)
        if not isinstance(parameter, dict):
            continue
        name, location = parameter.get("name"), parameter.get("in")
        if not isinstance(name, str) or not isinstance(location, str):
            continue
        where = (*parts, "parameters", index)
        if (name, location) in seen:
            out.add(
                pointer(where),
                f"The {location} parameter '{name}' is declared twice in the same list.",
            )
        seen.add((name, location))
        found.append((name, location, where, parameter))
    return found


def _path_violations(data: JsonObject, out: _Collector) -> None:
    """Path templates, path parameters and operation IDs."""
    paths = data.get("paths")
    if not isinstance(paths, dict):
        return
    by_endpoint: dict[str, str] = {}
    by_shape: dict[str, str] = {}
    operation_ids: dict[str, str] = {}
    for key, raw_item in paths.items():
        if not key.startswith("/"):
            continue  # reported by the schema check
        item_parts: tuple[str | int, ...] = ("paths", key)
        try:
            template = PathTemplate(key)
        except InvalidPathTemplate as error:
            out.add(pointer(item_parts), _sentence(str(error)))
            continue
        if template.template in by_endpoint:
            out.add(
                pointer(item_parts),
                f"The path '{key}' is the same endpoint as '{by_endpoint[template.template]}' "
                "(trailing and repeated slashes are ignored).",
            )
        elif template.shape in by_shape:
            out.add(
                pointer(item_parts),
                f"The path '{key}' is the same endpoint as '{by_shape[template.shape]}'; "
                "paths that differ only in parameter names cannot be told apart.",
            )
        by_endpoint.setdefault(template.template, key)
        by_shape.setdefault(template.shape, key)
        item = _resolved(data, raw_item)
        if not isinstance(item, dict):
            continue
        in_template = set(template.parameters)
        shared = _parameters(data, item, item_parts, out)
        for name, location, where, _parameter in shared:
            if location == "path" and name not in in_template:
                out.add(
                    pointer(where),
                    f"The path parameter '{name}' is declared, but '{key}' has no '{{{name}}}'.",
                )
        shared_path_names = {name for name, location, *_rest in shared if location == "path"}
        for method in OPERATION_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            operation_parts = (*item_parts, method)
            own = _parameters(data, operation, operation_parts, out)
            declared = set(shared_path_names)
            for name, location, where, _parameter in own:
                if location != "path":
                    continue
                declared.add(name)
                if name not in in_template:
                    out.add(
                        pointer(where),
                        f"The path parameter '{name}' is declared, but '{key}' has no "
                        f"'{{{name}}}'.",
                    )
            for name in template.parameters:
                if name not in declared:
                    out.add(
                        pointer(operation_parts),
                        f"The path '{key}' has '{{{name}}}', but {method.upper()} declares no "
                        f"parameter with 'name: {name}' and 'in: path'.",
                    )
            operation_id = operation.get("operationId")
            if isinstance(operation_id, str):
                label = f"{method.upper()} {key}"
                if operation_id in operation_ids:
                    out.add(
                        pointer((*operation_parts, "operationId")),
                        f"The operationId '{operation_id}' is already used by "
                        f"{operation_ids[operation_id]}; operation IDs must be unique.",
                    )
                else:
                    operation_ids[operation_id] = label


def _tag_violations(data: JsonObject, out: _Collector) -> None:
    tags = data.get("tags")
    if not isinstance(tags, list):
        return
    seen: set[str] = set()
    for index, tag in enumerate(tags):
        name = tag.get("name") if isinstance(tag, dict) else None
        if isinstance(name, str):
            if name in seen:
                out.add(pointer(("tags", index, "name")), f"The tag '{name}' is declared twice.")
            seen.add(name)


# --- openapi-spec-validator's Schema Object checks ------------------------------------------


class _Local30Validator(OpenAPIV30SpecValidator):
    """No remote or file references: a provider's upload must not make us fetch URLs."""

    resolver_handlers: Mapping[str, Any] = {}  # type: ignore[assignment]


class _Local31Validator(OpenAPIV31SpecValidator):
    """See :class:`_Local30Validator`."""

    resolver_handlers: Mapping[str, Any] = {}  # type: ignore[assignment]


def _schema_locations(data: JsonObject) -> Iterator[tuple[str | int, ...]]:
    """Where Schema Objects start: component schemas and every ``schema`` field.

    Nested schemas are checked from their outermost schema; checking one twice is harmless
    because the collector drops repeated violations.
    """
    for parts, node in walk_objects(data):
        component = len(parts) == 3 and parts[:2] == ("components", "schemas")
        if component or (parts and parts[-1] == "schema" and "$ref" not in node):
            yield parts


def _keyword_violations(data: JsonObject, version: str, out: _Collector) -> None:
    validator_cls = _Local30Validator if version == "3.0" else _Local31Validator
    spec = validator_cls(data)
    schema_validator = cast(SchemaValidator, spec.keyword_validators_registry["schema"])
    for parts in _schema_locations(data):
        if any(isinstance(part, str) and "#" in part for part in parts):
            continue  # jsonschema-path would read '#' as a separator
        where = pointer(parts)
        try:
            errors = list(schema_validator(spec.schema_path.joinpath(*parts)))
        except Exception as crash:  # a validator bug must not make the upload fail obscurely
            out.add(where, _sentence(f"This schema could not be checked: {crash}"))
            continue
        for error in errors:
            if isinstance(error, ExtraParametersError):
                names = ", ".join(f"'{name}'" for name in _QUOTED.findall(error.message))
                out.add(
                    where,
                    f"The schema lists {names} under 'required' but defines no such property.",
                )
            elif isinstance(error, OpenAPIValidationError):
                for leaf in _leaf_errors(error):
                    _add_schema_error(leaf, (*parts, *leaf.absolute_path), out)
            else:
                out.add(
                    where,
                    _sentence(f"A default value does not match its schema: {error.message}"),
                )


# --- Entry point ----------------------------------------------------------------------------


def validate_document(
    raw: bytes | str | Mapping[str, Any], *, max_bytes: int = 5_000_000
) -> OpenApiDocument:
    """Parse and check an OpenAPI 3.0/3.1 document; :class:`InvalidOpenApi` lists every problem."""
    data = parse_document(raw, max_bytes=max_bytes)
    version = _check_version(data)
    out = _Collector()
    try:
        try:
            _schema_violations(data, version, out)
        except RecursionError:
            out.add("", f"The document is nested too deeply to check (limit {MAX_DEPTH}).")
        _ref_violations(data, out)
        _path_violations(data, out)
        _tag_violations(data, out)
        if not out.violations:
            _keyword_violations(data, version, out)
    except _Full:
        pass
    if out.violations:
        raise out.fail()
    return build_document(data)
