"""Small helpers of the Smart Data tests."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client


def declare(client: Client, name: str, organization: str = "STAT", **fields: Any) -> Any:
    body = {"name": name, "organization": organization, "title_kk": name.title(), **fields}
    return client.post("/api/analytics/datasets", body, content_type="application/json")


def upload(
    client: Client, name: str, content: bytes, filename: str = "data.csv", accept: bool = False
) -> Any:
    data: dict[str, Any] = {"file": SimpleUploadedFile(filename, content)}
    if accept:
        data["accept_schema_change"] = "true"
    return client.post(f"/api/analytics/datasets/{name}/loads", data)
