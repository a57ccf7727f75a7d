"""Endpoint matching now lives in the gateway package, shared by the control and data planes.

This module re-exports it so that existing imports keep working; see :mod:`gateway.matching`
for the rules.
"""

from __future__ import annotations

from gateway.matching import (
    HTTP_METHODS,
    InvalidPathTemplate,
    PathTemplate,
    best_match,
    normalise_endpoint,
    normalise_method,
    normalise_path,
)

__all__ = [
    "HTTP_METHODS",
    "InvalidPathTemplate",
    "PathTemplate",
    "best_match",
    "normalise_endpoint",
    "normalise_method",
    "normalise_path",
]
