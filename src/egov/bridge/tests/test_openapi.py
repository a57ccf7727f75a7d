"""The OpenAPI layer: validation verdicts and messages, the read model, endpoint matching.

No database: everything here is pure functions over documents in ``data/`` or built inline.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from egov.bridge.openapi import (
    InvalidOpenApi,
    InvalidPathTemplate,
    OpenApiDocument,
    PathTemplate,
    Violation,
    best_match,
    normalise_endpoint,
    normalise_path,
    validate_document,
)
from egov.bridge.openapi import validate as validate_module
from egov.bridge.openapi.model import iter_schemas

# The demo services double as realistic fixtures.
DATA = Path(__file__).parent.parent / "demo_data"
LEGAL_ENTITIES = DATA / "legal_entities.openapi.yaml"
ADDRESSES = DATA / "addresses.openapi.json"
CIVIL_REGISTRY = DATA / "civil_registry.openapi.yaml"
FIXTURES = [LEGAL_ENTITIES, ADDRESSES, CIVIL_REGISTRY]


def load(path: Path) -> dict[str, Any]:
    """A fixture as plain data, for tests that break it on purpose."""
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def minimal(version: str = "3.0.3", **extra: Any) -> dict[str, Any]:
    return {"openapi": version, "info": {"title": "T", "version": "1"}, "paths": {}, **extra}


def violations(raw: Any, **kwargs: Any) -> list[Violation]:
    with pytest.raises(InvalidOpenApi) as caught:
        validate_document(raw, **kwargs)
    assert caught.value.violations, "a refusal always says why"
    return caught.value.violations


def paths_of(found: list[Violation]) -> set[str]:
    return {violation.path for violation in found}


# --- Valid documents -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def legal() -> OpenApiDocument:
    return validate_document(LEGAL_ENTITIES.read_bytes())


@pytest.fixture(scope="module")
def addresses() -> OpenApiDocument:
    return validate_document(ADDRESSES.read_bytes())


@pytest.fixture(scope="module")
def civil() -> OpenApiDocument:
    return validate_document(CIVIL_REGISTRY.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.name)
def test_fixtures_are_valid_from_bytes_text_and_data(path: Path) -> None:
    from_bytes = validate_document(path.read_bytes())
    from_text = validate_document(path.read_text(encoding="utf-8"))
    from_data = validate_document(load(path))
    assert from_bytes.endpoints() == from_text.endpoints() == from_data.endpoints()
    assert from_bytes.operations, "demo services must offer something"
    for operation in from_bytes.operations:
        assert operation.summary, f"{operation.key} needs a summary for the catalog"
        assert operation.operation_id
        assert any(response.is_error for response in operation.responses), operation.key


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.name)
def test_fixtures_pass_the_python_validator_too(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With or without the jsonschema-rs shortcut the verdict is the same."""
    monkeypatch.setattr(validate_module, "_quick_check", lambda version: None)
    assert validate_document(path.read_bytes()).endpoints()


def test_legal_entity_registry_model(legal: OpenApiDocument) -> None:
    assert legal.openapi_version == "3.0.3"
    assert (legal.title, legal.version) == ("Legal Entity Registry", "2.3.0")
    assert legal.description and "BIN" in legal.description
    assert legal.servers[0].url.endswith("/legal-entities/v2")
    assert legal.endpoints() == [
        ("GET", "/legal-entities"),
        ("GET", "/legal-entities/{bin}"),
        ("GET", "/legal-entities/{bin}/management"),
    ]
    lookup = legal.find_operation("get", "/legal-entities/{bin}/")
    assert lookup is not None and lookup.operation_id == "getLegalEntity"
    assert lookup.security == [{"bridgeToken": []}]
    assert [(p.name, p.location, p.required) for p in lookup.parameters] == [
        ("bin", "path", True),
        ("Accept-Language", "header", False),
    ]
    bin_parameter = lookup.parameters[0]
    assert bin_parameter.example == "050840001233"
    assert bin_parameter.schema_summary is not None
    assert bin_parameter.schema_summary.constraints == {"pattern": "^[0-9]{12}$"}
    assert [response.status for response in lookup.responses] == [
        "200",
        "400",
        "401",
        "404",
        "429",
        "5XX",
    ]
    ok = lookup.responses[0]
    assert ok.schema is not None and ok.schema.label == "LegalEntity"
    assert [header.name for header in ok.headers] == ["Last-Modified"]
    rows = {row.path: row for row in ok.schema.rows()}
    assert rows["bin"].required and rows["bin"].schema.example == "050840001233"
    assert rows["fullName.ru"].depth == 1
    assert rows["registeredOn"].schema.label == "string<date>"
    assert rows["headOfficeBin"].schema.label == "string | null"
    assert rows["status"].schema.enum == ["active", "suspended", "in_liquidation", "liquidated"]
    invalid_bin = lookup.responses[1]
    assert invalid_bin.primary is not None
    assert invalid_bin.primary.media_type == "application/problem+json"
    assert isinstance(invalid_bin.example, dict) and invalid_bin.example["status"] == 400
    search = legal.find_operation("GET", "/legal-entities")
    assert search is not None
    page_size = next(p for p in search.parameters if p.name == "pageSize")
    assert page_size.schema_summary is not None
    assert page_size.schema_summary.default == 20
    assert page_size.schema_summary.constraints == {"minimum": 1, "maximum": 100}
    assert legal.components.security_schemes["bridgeToken"].bearer_format == "JWT"
    assert [name for name, _ops in legal.operations_by_tag()] == ["Entities", "Management"]


def test_address_register_model(addresses: OpenApiDocument) -> None:
    assert addresses.openapi_version == "3.1.0"
    assert addresses.summary
    # Server variables are filled with their defaults.
    assert addresses.servers[0].url == "https://bridge.example.gov/providers/addresses/v1"
    address = addresses.components.schemas["AddressObject"]
    by_name = {prop.name: prop for prop in address.properties}
    assert by_name["replacedBy"].schema.label == "string | null"
    # "$ref" with a sibling description (3.1): the description wins, the target stays.
    assert by_name["location"].schema.ref == "Point"
    assert by_name["location"].schema.description == "Entrance of the building, when surveyed."
    # oneOf [self, null]: a nullable reference to itself, cut where it repeats.
    parent = by_name["parent"].schema
    assert parent.recursive and parent.ref == "AddressObject" and parent.nullable
    assert parent.label == "AddressObject | null"
    assert not any(row.path.startswith("parent.") for row in address.rows())
    search = addresses.find_operation("GET", "/addresses/search")
    assert search is not None
    query = search.parameters[0]
    assert query.name == "q" and query.example == "Almaty Abay 150/230 of 12"
    assert [example.name for example in query.examples] == ["latin", "cyrillic"]
    lookup = addresses.find_operation("GET", "/addresses/{rca}")
    assert lookup is not None
    assert lookup.responses[0].primary is not None
    assert lookup.responses[0].primary.examples[0].summary == "An office in a business centre"


def test_civil_registry_model(civil: OpenApiDocument) -> None:
    extract = civil.find_operation("GET", "/persons/{iin}/extract")
    assert extract is not None
    # Path-level parameters are merged in; the order is path, query, header.
    assert [(p.name, p.location) for p in extract.parameters] == [
        ("iin", "path"),
        ("purpose", "query"),
        ("acts", "query"),
        ("X-Consent-Id", "header"),
        ("X-Request-Id", "header"),
    ]
    acts = next(p for p in extract.parameters if p.name == "acts")
    assert acts.schema_summary is not None and acts.schema_summary.label == "array<string>"
    assert acts.example == ["birth", "marriage"]
    body = extract.responses[0].schema
    assert body is not None and body.ref == "CivilStatusExtract"
    rows = {row.path: row for row in body.rows()}
    assert rows["name.latin.lastName"].depth == 2
    assert rows["acts"].schema.label == "array<BirthAct | MarriageAct | DeathAct>"
    assert rows["issuedAt"].schema.read_only
    # allOf inheritance: the parts' properties are merged, later parts refining earlier ones.
    death = civil.components.schemas["DeathAct"]
    assert death.extends == ["ActRecord"]
    merged = {prop.name: prop for prop in death.properties}
    assert list(merged) == [
        "kind",
        "actNumber",
        "registeredOn",
        "registryOffice",
        "dateOfDeath",
        "causeOfDeath",
    ]
    assert merged["kind"].required and merged["kind"].schema.enum == ["death"]
    assert merged["dateOfDeath"].required
    order = civil.find_operation("POST", "/persons/{iin}/extract/documents")
    assert order is not None and order.request_body is not None
    assert order.request_body.required
    assert order.request_body.example == {"act": "birth", "language": "ru"}
    download = civil.find_operation("GET", "/extracts/{extractId}")
    assert download is not None
    assert download.responses[0].primary is not None
    assert download.responses[0].primary.media_type == "application/pdf"


def test_templates_can_print_summaries(legal: OpenApiDocument) -> None:
    """Templates print schemas and properties directly; they show as type labels."""
    lookup = legal.find_operation("GET", "/legal-entities/{bin}")
    assert lookup is not None and lookup.responses[0].schema is not None
    schema = lookup.responses[0].schema
    assert str(schema) == schema.summary == "LegalEntity"
    registered = next(prop for prop in schema.properties if prop.name == "registeredOn")
    assert registered.summary == "string<date>"
    assert registered.description == "Date of first state registration."
    assert lookup.anchor == "get--legal-entities--bin"
    assert [p.name for p in lookup.parameters_in("header")] == ["Accept-Language"]


def test_samples_are_assembled_from_property_examples(legal: OpenApiDocument) -> None:
    lookup = legal.find_operation("GET", "/legal-entities/{bin}")
    assert lookup is not None
    sample = lookup.responses[0].example
    assert isinstance(sample, dict)
    assert sample["bin"] == "050840001233"
    assert sample["fullName"] == {
        "kk": "«Алатау Софт» ЖШС",
        "ru": "ТОО «Алатау Софт»",
        "en": "Alatau Soft LLP",
    }
    assert json.loads(lookup.responses[0].example_json) == sample


def test_to_json_is_the_document_as_json(legal: OpenApiDocument) -> None:
    exported: Any = legal.to_json()
    assert exported == json.loads(json.dumps(load(LEGAL_ENTITIES)))
    exported["info"]["title"] = "changed"
    fresh: Any = legal.to_json()
    assert fresh["info"]["title"] == "Legal Entity Registry", "callers get a copy"
    again = validate_document(legal.to_json_text())
    assert again.endpoints() == legal.endpoints()
    assert "Алатау" in legal.to_json_text(), "no \\u escapes in the download"


def test_yaml_is_normalised_to_json_values() -> None:
    raw = b"""
openapi: 3.0.3
info: {title: T, version: 2024-01-01}
paths:
  /a:
    get:
      responses:
        200: {description: OK}
"""
    document = validate_document(raw)
    data: Any = document.to_json()
    assert data["info"]["version"] == "2024-01-01", "dates stay the text they were"
    assert list(data["paths"]["/a"]["get"]["responses"]) == ["200"], "integer keys become text"
    assert document.version == "2024-01-01"


def test_match_picks_the_most_specific_template(addresses: OpenApiDocument) -> None:
    found = addresses.match("get", "/addresses/search")
    assert found is not None and found[0].operation_id == "searchAddresses" and found[1] == {}
    found = addresses.match("GET", "//addresses/02000010042553/")
    assert found is not None
    assert found[0].operation_id == "getAddress"
    assert found[1] == {"rca": "02000010042553"}
    assert addresses.match("POST", "/addresses/search") is None
    assert addresses.match("BREW", "/addresses/search") is None
    assert addresses.find_operation("BREW", "/regions") is None


# --- Invalid documents -----------------------------------------------------------------------


def broken_legal(change: Any) -> dict[str, Any]:
    data = load(LEGAL_ENTITIES)
    change(data)
    return data


def _drop_title(data: dict[str, Any]) -> None:
    del data["info"]["title"]


def _bad_status(data: dict[str, Any]) -> None:
    data["paths"]["/legal-entities"]["get"]["responses"]["20x"] = {"description": "x"}


def _no_slash(data: dict[str, Any]) -> None:
    data["paths"]["items"] = {}


def _unknown_field(data: dict[str, Any]) -> None:
    data["paths"]["/legal-entities"]["get"]["summery"] = "typo"


def _wrong_type(data: dict[str, Any]) -> None:
    data["paths"]["/legal-entities"]["get"]["parameters"][0]["required"] = "yes"


def _bad_enum(data: dict[str, Any]) -> None:
    data["components"]["schemas"]["Person"]["type"] = "obj"


def _no_description(data: dict[str, Any]) -> None:
    del data["components"]["responses"]["NotFound"]["description"]


def _query_in_path(data: dict[str, Any]) -> None:
    data["paths"]["/legal-entities"]["get"]["parameters"][0]["in"] = "body"


@pytest.mark.parametrize(
    ("change", "path", "fragment"),
    [
        (_drop_title, "/info", "'title' is missing"),
        (_bad_status, "/paths/~1legal-entities/get/responses/20x", "not a response code"),
        (_no_slash, "/paths/items", "must start with '/'"),
        (_unknown_field, "/paths/~1legal-entities/get/summery", "'summery' is not allowed"),
        (
            _wrong_type,
            "/paths/~1legal-entities/get/parameters/0/required",
            "Expected true or false",
        ),
        (_bad_enum, "/components/schemas/Person/type", '"obj" is not one of'),
        (_no_description, "/components/responses/NotFound", "'description' is missing"),
        (_query_in_path, "/paths/~1legal-entities/get/parameters/0/in", '"body" is not one of'),
    ],
    ids=lambda value: getattr(value, "__name__", "") if callable(value) else "",
)
def test_schema_violations_point_at_the_offending_value(
    change: Any, path: str, fragment: str
) -> None:
    found = violations(broken_legal(change))
    matching = [violation for violation in found if violation.path == path]
    assert matching, f"expected a violation at {path}, got {found}"
    assert any(fragment in violation.message for violation in matching), matching


def test_all_violations_are_reported_at_once() -> None:
    def many(data: dict[str, Any]) -> None:
        _drop_title(data)
        _bad_status(data)
        _no_slash(data)
        _unknown_field(data)

    found = violations(broken_legal(many))
    assert {
        "/info",
        "/paths/~1legal-entities/get/responses/20x",
        "/paths/items",
        "/paths/~1legal-entities/get/summery",
    } <= paths_of(found)


def test_messages_are_sentences() -> None:
    found = violations(broken_legal(_wrong_type)) + violations(broken_legal(_bad_enum))
    for violation in found:
        assert violation.message[0].isupper() and violation.message.endswith("."), violation


def test_violations_are_capped() -> None:
    data = minimal()
    data["paths"] = {f"/p{i}": {"get": {"responses": {"200": {}}}} for i in range(150)}
    with pytest.raises(InvalidOpenApi) as caught:
        validate_document(data)
    assert len(caught.value.violations) == validate_module.MAX_VIOLATIONS
    assert caught.value.truncated
    assert "more+" in str(caught.value)


def test_semantic_violations() -> None:
    data = minimal(
        paths={
            "/items/{id}": {
                "get": {
                    "operationId": "same",
                    "responses": {"200": {"description": "OK"}},
                }
            },
            "/items/{key}/": {
                "parameters": [
                    {"name": "key", "in": "path", "required": True, "schema": {}},
                    {"name": "ghost", "in": "path", "required": True, "schema": {}},
                ],
                "get": {
                    "operationId": "same",
                    "parameters": [
                        {"name": "q", "in": "query", "schema": {}},
                        {"name": "q", "in": "query", "schema": {}},
                    ],
                    "responses": {"200": {"description": "OK"}},
                },
            },
            "/a/{x}{y}": {},
            "/b": {},
            "/b/": {},
        }
    )
    found = {violation.path: violation.message for violation in violations(data)}
    assert "'{id}'" in found["/paths/~1items~1{id}/get"]
    assert "cannot be told apart" in found["/paths/~1items~1{key}~1"]
    assert "'ghost' is declared" in found["/paths/~1items~1{key}~1/parameters/1"]
    assert "already used by GET /items/{id}" in found["/paths/~1items~1{key}~1/get/operationId"]
    assert "declared twice" in found["/paths/~1items~1{key}~1/get/parameters/1"]
    assert "next to each other" in found["/paths/~1a~1{x}{y}"]
    assert "same endpoint as '/b'" in found["/paths/~1b~1"]


def test_duplicate_tags() -> None:
    data = minimal(tags=[{"name": "A"}, {"name": "B"}, {"name": "A"}])
    assert paths_of(violations(data)) == {"/tags/2/name"}


def test_references_must_resolve_inside_the_document() -> None:
    ok = {"200": {"description": "OK"}}
    data = minimal(
        paths={
            "/a": {
                "get": {
                    "parameters": [
                        {"$ref": "#/components/parameters/Missing"},
                        {"$ref": "https://example.com/common.yaml#/Limit"},
                    ],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Thing/properties/x"}
                                }
                            },
                        }
                    },
                }
            },
            "/b": {"get": {"responses": ok}},
        },
        components={"schemas": {"Thing": {"type": "object"}}},
    )
    found = {violation.path: violation.message for violation in violations(data)}
    assert set(found) == {
        "/paths/~1a/get/parameters/0/$ref",
        "/paths/~1a/get/parameters/1/$ref",
        "/paths/~1a/get/responses/200/content/application~1json/schema/$ref",
    }
    assert "cannot be resolved" in found["/paths/~1a/get/parameters/0/$ref"]
    assert "outside this document" in found["/paths/~1a/get/parameters/1/$ref"]
    assert (
        "has no member 'properties'"
        in found["/paths/~1a/get/responses/200/content/application~1json/schema/$ref"]
    )


def test_a_loop_of_references_is_refused() -> None:
    data = minimal(
        components={
            "schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"$ref": "#/components/schemas/A"},
            }
        }
    )
    found = violations(data)
    assert paths_of(found) == {"/components/schemas/A/$ref", "/components/schemas/B/$ref"}
    assert all("loop of references" in violation.message for violation in found)


def test_refs_inside_examples_are_data() -> None:
    data = minimal(
        components={
            "schemas": {
                "Link": {
                    "type": "object",
                    "properties": {"default": {"type": "string"}},
                    "example": {"$ref": "not/a/reference"},
                }
            }
        }
    )
    assert validate_document(data).components.schemas["Link"].example == {"$ref": "not/a/reference"}


def test_recursive_schemas_are_cut_at_the_repeated_reference() -> None:
    data = minimal(
        "3.1.0",
        components={
            "schemas": {
                "Node": {
                    "type": "object",
                    "properties": {
                        "children": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Node"},
                        },
                        "peer": {"$ref": "#/components/schemas/Peer"},
                    },
                },
                "Peer": {
                    "type": "object",
                    "properties": {"node": {"$ref": "#/components/schemas/Node"}},
                },
            }
        },
    )
    node = validate_document(data).components.schemas["Node"]
    children = node.properties[0].schema
    assert children.label == "array<Node>"
    assert children.items is not None and children.items.recursive
    assert node.properties[1].schema.properties[0].schema.recursive
    assert len(list(iter_schemas(node))) < 10
    assert [row.path for row in node.rows()] == ["children", "peer", "peer.node"]


def test_schema_objects_are_checked_against_their_dialect() -> None:
    data = minimal(
        "3.1.0",
        components={
            "schemas": {
                "Bad": {"type": "strng"},
                "Default": {"type": "integer", "default": "ten"},
                "Required": {"allOf": [{"type": "object"}], "required": ["missing"]},
            }
        },
    )
    found = {violation.path: violation.message for violation in violations(data)}
    assert "not one of the allowed values" in found["/components/schemas/Bad/type"]
    assert "default value" in found["/components/schemas/Default"]
    assert "'missing'" in found["/components/schemas/Required"]


def test_parameter_needs_schema_or_content() -> None:
    for version in ("3.0.3", "3.1.0"):
        data = minimal(
            version,
            paths={
                "/a": {
                    "get": {
                        "parameters": [{"name": "q", "in": "query"}],
                        "responses": {"200": {"description": "OK"}},
                    }
                }
            },
        )
        found = violations(data)
        assert (
            Violation("/paths/~1a/get/parameters/0", "One of 'schema' or 'content' is required.")
            in found
        ), found


def test_external_references_are_never_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("validation must not open URLs")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    data = minimal(
        "3.1.0",
        components={
            "schemas": {
                "Remote": {"$ref": "https://example.com/schemas/person.json"},
                "File": {"$ref": "file:///etc/passwd"},
                "Relative": {"$ref": "person.yaml#/Person"},
            }
        },
    )
    found = violations(data)
    assert paths_of(found) == {
        "/components/schemas/Remote/$ref",
        "/components/schemas/File/$ref",
        "/components/schemas/Relative/$ref",
    }


BROKEN = [_drop_title, _bad_status, _no_slash, _unknown_field, _wrong_type, _bad_enum]


@pytest.mark.parametrize(
    ("path", "change"),
    [(path, None) for path in FIXTURES] + [(LEGAL_ENTITIES, change) for change in BROKEN],
    ids=lambda value: getattr(value, "name", None) or getattr(value, "__name__", "valid"),
)
def test_quick_check_agrees_with_the_detailed_validator(path: Path, change: Any) -> None:
    """jsonschema-rs only answers yes/no; it must never say yes where jsonschema says no."""
    data = load(path)
    if change is not None:
        change(data)
    version = data["openapi"][:3]
    quick = validate_module._quick_check(version)
    if quick is None:
        pytest.skip("jsonschema-rs is not installed")
    assert quick(data) == validate_module._detailed_validator(version).is_valid(data)


# --- Refusals before validation --------------------------------------------------------------


def test_swagger_2_is_refused_clearly() -> None:
    found = violations(b'{"swagger": "2.0", "info": {"title": "T", "version": "1"}, "paths": {}}')
    assert len(found) == 1
    assert found[0].path == "/swagger"
    assert "Swagger 2.0 documents are not supported" in found[0].message
    assert "OpenAPI 3.0 or 3.1" in found[0].message


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"info": {}}, "no 'openapi' field"),
        (b"openapi: 3.0\ninfo: {}\n", "must be text"),
        (minimal("3.2.0"), "'3.2.0' is not supported"),
        (minimal("2.0"), "'2.0' is not supported"),
    ],
)
def test_only_openapi_3_0_and_3_1(raw: Any, fragment: str) -> None:
    found = violations(raw)
    assert found[0].path == "/openapi" and fragment in found[0].message


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"", "empty"),
        (b"  \n", "empty"),
        (b"\xff\xfe{", "not UTF-8"),
        (b'{"openapi": "3.0.3",', "not valid JSON"),
        (b'{"a": 1, "a": 2}', "appears twice"),
        (b'{"a": NaN}', "not valid JSON"),
        (b"openapi: 3.0.3\n  bad: [\n", "not valid YAML"),
        (b"a: 1\na: 2\n", "appears twice"),
        (b"---\na: 1\n---\nb: 2\n", "not valid YAML"),
        (b"- just\n- a list\n", "must be an object"),
        (b"openapi: 3.0.3\nblob: !!binary aGVsbG8=\n", "cannot be represented in JSON"),
        (b"openapi: 3.0.3\nx: .nan\n", "finite"),
        ({"openapi": "3.0.3", "x": {1.5: "a"}}, "not text"),
    ],
)
def test_unparseable_input(raw: Any, fragment: str) -> None:
    found = violations(raw)
    assert len(found) == 1 and fragment in found[0].message, found


def test_oversize_documents_are_refused_before_parsing() -> None:
    raw = json.dumps(minimal(**{"x-padding": "x" * 2_000})).encode()
    for form in (raw, raw.decode(), json.loads(raw)):
        found = violations(form, max_bytes=1_000)
        assert "larger than the limit of 1,000 bytes" in found[0].message
    # Multi-byte characters count as bytes, not characters.
    assert violations("я" * 600, max_bytes=1_000)[0].message.startswith("The document is larger")
    assert validate_document(raw, max_bytes=len(raw)).title == "T"


BILLION_LAUGHS = b"""openapi: 3.0.3
info: {title: T, version: '1'}
paths: {}
x-a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
x-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
x-e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
x-f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
x-g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
x-h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
x-i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_yaml_alias_bomb_is_refused_quickly() -> None:
    started = time.perf_counter()
    found = violations(BILLION_LAUGHS)
    assert time.perf_counter() - started < 2
    assert "expands to too many values" in found[0].message


def test_too_many_aliases_are_refused() -> None:
    aliases = ", ".join(["*v"] * (validate_module.MAX_ALIASES + 1))
    raw = f"openapi: 3.0.3\nx-v: &v 1\nx-list: [{aliases}]\n"
    assert "YAML aliases" in violations(raw)[0].message


def test_recursive_alias_is_refused() -> None:
    assert "nested more than" in violations(b"openapi: 3.0.3\nx-loop: &a [*a]\n")[0].message


def test_modest_alias_use_is_accepted() -> None:
    raw = b"""openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /a:
    get:
      responses:
        '404': &notFound {description: Not found}
  /b:
    get:
      responses:
        '404': *notFound
"""
    document = validate_document(raw)
    assert [op.responses[0].description for op in document.operations] == ["Not found"] * 2


@pytest.mark.parametrize("form", ["json", "yaml"])
def test_deep_nesting_is_refused(form: str) -> None:
    depth = validate_module.MAX_DEPTH + 5
    if form == "json":
        raw = '{"openapi": "3.0.3", "x-deep": ' + "[" * depth + "]" * depth + "}"
    else:
        raw = "openapi: 3.0.3\nx-deep:\n" + "".join(
            "  " * level + f"k{level}:\n" for level in range(1, depth)
        )
    assert "nested more than" in violations(raw)[0].message


def test_very_deep_json_does_not_crash() -> None:
    raw = "[" * 100_000 + "]" * 100_000
    assert "nested" in violations(raw)[0].message


def test_shared_python_objects_count_as_expanded() -> None:
    """A mapping handed in directly gets the same budget treatment as YAML aliases."""
    shared: list[Any] = ["x"] * 50
    for _level in range(6):
        shared = [shared] * 50
    data = minimal()
    data["x-bomb"] = shared
    assert "too many values" in violations(data, max_bytes=10_000)[0].message


def test_documents_are_copied_not_shared() -> None:
    data = load(LEGAL_ENTITIES)
    before = copy.deepcopy(data)
    document = validate_document(data)
    data["info"]["title"] = "changed later"
    exported: Any = document.to_json()
    assert exported["info"]["title"] == before["info"]["title"]


# --- Endpoint rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/persons/{iin}/extract", ("GET", "/persons/{iin}/extract")),
        ("Post", "persons/{iin}/extract/", ("POST", "/persons/{iin}/extract")),
        ("delete", "//a///b//", ("DELETE", "/a/b")),
        ("GET", "", ("GET", "/")),
        ("GET", "/", ("GET", "/")),
        ("GET", "///", ("GET", "/")),
    ],
)
def test_normalise_endpoint(method: str, path: str, expected: tuple[str, str]) -> None:
    assert normalise_endpoint(method, path) == expected


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("FETCH", "/a"),
        ("", "/a"),
        ("GET", "/a?b=1"),
        ("GET", "/a#top"),
        ("GET", "/a b"),
        ("GET", "/a/../b"),
        ("GET", "/a/%2e%2E/b"),
        ("GET", "/./a"),
        ("GET", "/a\n"),
    ],
)
def test_normalise_endpoint_refuses(method: str, path: str) -> None:
    with pytest.raises(ValueError):
        normalise_endpoint(method, path)


@pytest.mark.parametrize(
    "template",
    ["/a/{", "/a/}", "/a/{}", "/a/{x}{y}", "/a/{x}/b/{x}", "/a/{x/y}", "/a/../b", "/a?x"],
)
def test_invalid_templates(template: str) -> None:
    with pytest.raises(InvalidPathTemplate):
        PathTemplate(template)


def test_template_matching_examples() -> None:
    template = PathTemplate("/persons/{iin}/extract")
    assert template.parameters == ("iin",)
    assert template.matches("/persons/870315301239/extract") == {"iin": "870315301239"}
    assert template.matches("persons/870315301239/extract/") == {"iin": "870315301239"}
    assert template.matches("/persons/a%20b/extract") == {"iin": "a b"}
    assert template.matches("/persons/870315301239") is None
    assert template.matches("/persons//extract") is None, "empty segments collapse"
    assert template.matches("/persons/a%2Fb/extract") is None, "%2F never adds a segment"
    assert template.matches("/persons/%2e%2e/extract") is None
    assert template.matches("/persons/%zz/extract") is None
    assert template.matches("/persons/%ff/extract") is None, "not UTF-8"
    assert template.matches("/Persons/1/extract") is None, "case-sensitive"
    mixed = PathTemplate("/files/{name}.{ext}")
    assert mixed.matches("/files/report.pdf") == {"name": "report", "ext": "pdf"}
    assert mixed.matches("/files/report") is None
    assert PathTemplate("/").matches("") == {}
    assert PathTemplate("/a%20b/{x}").matches("/a%20b/1") == {"x": "1"}
    assert PathTemplate("/a%20b/{x}").matches("/a%20%62/1") == {"x": "1"}
    assert PathTemplate("/a/{id}").shape == PathTemplate("/a/{key}/").shape == "/a/{}"


def test_best_match_prefers_literal_segments() -> None:
    templates = [PathTemplate(t) for t in ["/{kind}/me", "/users/{id}", "/users/me", "/{a}/{b}"]]
    found = best_match(templates, "/users/me")
    assert found is not None and found[0].template == "/users/me"
    found = best_match(templates, "/users/42")
    assert found is not None and found == (PathTemplate("/users/{id}"), {"id": "42"})
    found = best_match(templates, "/groups/me")
    assert found is not None and found[0].template == "/{kind}/me"
    assert best_match(templates, "/a/b/c") is None


LITERAL = st.text(
    alphabet=st.characters(
        codec="utf-8",
        exclude_characters="/{}?#%",
        exclude_categories=["Cc", "Zs", "Zl", "Zp", "Cs"],
    ),
    min_size=1,
    max_size=8,
).filter(lambda text: text not in {".", ".."} and text.strip() == text)
NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True)
VALUE = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="/", exclude_categories=["Cs"]),
    min_size=1,
    max_size=12,
).filter(lambda text: text not in {".", ".."})


@st.composite
def templates_with_values(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    """A template of whole-segment literals and parameters, and a value for each parameter."""
    segments = draw(st.lists(st.one_of(LITERAL, NAME.map(lambda n: "{" + n + "}")), max_size=6))
    names = [segment[1:-1] for segment in segments if segment.startswith("{")]
    assume(len(set(names)) == len(names))
    values = {name: draw(VALUE) for name in names}
    return "/" + "/".join(segments), values


@settings(max_examples=200, deadline=None)
@given(templates_with_values())
def test_an_expanded_template_matches_with_the_same_values(
    case: tuple[str, dict[str, str]],
) -> None:
    text, values = case
    template = PathTemplate(text)
    concrete = template.expand(values)
    assert template.matches(concrete) == values
    assert template.matches(concrete + "/") == values
    assert normalise_path(concrete) == concrete


@settings(max_examples=200, deadline=None)
@given(templates_with_values(), st.lists(LITERAL | VALUE.map(lambda v: v), max_size=8))
def test_different_segment_counts_never_match(
    case: tuple[str, dict[str, str]], segments: list[str]
) -> None:
    text, _values = case
    template = PathTemplate(text)
    assume(len(segments) != template.segment_count)
    concrete = "/" + "/".join(quote(segment, safe="") for segment in segments)
    assert template.matches(concrete) is None


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="/ab.%2e{}", max_size=20))
def test_normalise_path_is_idempotent(path: str) -> None:
    try:
        once = normalise_path(path)
    except ValueError:
        return
    assert normalise_path(once) == once
    assert once.startswith("/") and "//" not in once
    assert once == "/" or not once.endswith("/")
