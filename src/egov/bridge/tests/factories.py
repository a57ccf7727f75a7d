"""Factories and a small valid OpenAPI document for Smart Bridge tests."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from egov.bridge import catalog
from egov.bridge.models import Service, ServiceVersion
from egov.core.tests.factories import InformationSystemFactory


def openapi_document(title: str = "Registry") -> dict[str, Any]:
    entity = {
        "type": "object",
        "required": ["bin", "name"],
        "properties": {"bin": {"type": "string"}, "name": {"type": "string"}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1.0.0"},
        "paths": {
            "/entities/{bin}": {
                "get": {
                    "operationId": "getEntity",
                    "summary": "One legal entity",
                    "parameters": [
                        {
                            "name": "bin",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^[0-9]{12}$"},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "Found",
                            "content": {"application/json": {"schema": entity}},
                        },
                        "404": {"description": "Unknown"},
                    },
                }
            },
            "/entities": {
                "get": {
                    "operationId": "searchEntities",
                    "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "Matches"}},
                },
                "post": {
                    "operationId": "registerEntity",
                    "requestBody": {"content": {"application/json": {"schema": entity}}},
                    "responses": {"201": {"description": "Registered"}},
                },
            },
        },
    }


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = Service

    provider = factory.SubFactory(InformationSystemFactory)
    code = factory.Sequence(lambda n: f"service-{n}")
    name_kk = factory.Sequence(lambda n: f"Қызмет {n}")
    name_en = factory.Sequence(lambda n: f"Service {n}")
    category = "registries"
    classification = "public"
    upstream_url = "http://127.0.0.1:9/upstream"


def published_version(service: Service | None = None, version: str = "v1") -> ServiceVersion:
    found = ServiceVersion(service=service or ServiceFactory(), version=version)
    catalog.accept_document(found, openapi_document())
    found.save()
    catalog.change_lifecycle(found, "publish")
    return found
