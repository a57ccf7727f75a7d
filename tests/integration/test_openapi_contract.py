"""docs/openapi.json is the API's contract; CI fails when the code and the contract differ."""

from __future__ import annotations

import json
from pathlib import Path

from egov.api import api

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_committed_schema_matches_the_code() -> None:
    """Regenerate with `make docs` after an intended change, and commit the diff."""
    current = json.loads(json.dumps(api.get_openapi_schema()))
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == current
