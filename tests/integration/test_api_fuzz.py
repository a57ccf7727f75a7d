"""Property-based fuzzing of the whole API from its own OpenAPI schema: no input may cause a 5xx.

Schemathesis generates requests (valid and invalid) for every operation and calls the application
in-process over WSGI, authenticated as the platform operator so that the deepest code paths run.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from egov.core.api_auth import issue_token
from egov.core.demo import load as load_registry
from egov.core.models import User

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def operator_token(db) -> Iterator[str]:  # type: ignore[no-untyped-def]
    # Calls go straight to the WSGI app, not through Django's test client, so keep the test's
    # connection open across requests as the test client would.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    load_registry()
    from egov.bridge import demo as bridge_demo

    bridge_demo.load()
    yield issue_token(User.objects.get(username="operator"), "fuzz")[1]
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_input_breaks_the_api(case, operator_token) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {operator_token}"}
    response = case.call(headers=headers)
    case.validate_response(response, checks=[not_a_server_error])
