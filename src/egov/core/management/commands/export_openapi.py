"""Write the API's OpenAPI document, the contract that CI compares with the code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from egov.api import api


class Command(BaseCommand):
    help = "Write the OpenAPI 3.1 document of /api/ to a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        schema = api.get_openapi_schema()
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
