"""Property-based fuzzing of the whole API from its own OpenAPI schema: no input may cause a 5xx.

Schemathesis generates requests (valid and invalid) for every operation and calls the application
in-process over WSGI, authenticated as the platform operator so that the deepest code paths run.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from egov.core.api_auth import issue_token
from egov.core.demo import load as load_registry
from egov.core.models import User

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def operator_token(db) -> str:  # type: ignore[no-untyped-def]
    load_registry()
    from egov.bridge import demo as bridge_demo

    bridge_demo.load()
    return issue_token(User.objects.get(username="operator"), "fuzz")[1]


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
