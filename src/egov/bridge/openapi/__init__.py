"""The OpenAPI layer of Smart Bridge: validation, a read model for docs, and endpoint matching.

Pure Python (no Django), so the gateway can share the endpoint rules with the control plane.
"""

from .matching import (
    HTTP_METHODS,
    InvalidPathTemplate,
    PathTemplate,
    best_match,
    normalise_endpoint,
    normalise_method,
    normalise_path,
)
from .model import (
    Body,
    Components,
    Example,
    MediaType,
    OpenApiDocument,
    Operation,
    Parameter,
    Property,
    Response,
    Schema,
    SchemaRow,
    SecurityScheme,
    Server,
    Tag,
)
from .validate import InvalidOpenApi, Violation, parse_document, validate_document

__all__ = [
    "HTTP_METHODS",
    "Body",
    "Components",
    "Example",
    "InvalidOpenApi",
    "InvalidPathTemplate",
    "MediaType",
    "OpenApiDocument",
    "Operation",
    "Parameter",
    "PathTemplate",
    "Property",
    "Response",
    "Schema",
    "SchemaRow",
    "SecurityScheme",
    "Server",
    "Tag",
    "Violation",
    "best_match",
    "normalise_endpoint",
    "normalise_method",
    "normalise_path",
    "parse_document",
    "validate_document",
]
