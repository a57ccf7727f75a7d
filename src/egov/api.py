"""The one JSON API under /api/: a router per app, errors as problem details, OpenAPI 3.1."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from egov.analytics.api import router as analytics_router
from egov.bridge.api import router as bridge_router
from egov.consent.api import router as consent_router
from egov.core.api import router as core_router
from egov.core.exceptions import EgovError, problem_response
from egov.websites.api import router as websites_router

api = NinjaAPI(
    title="eGov Platform API",
    version="1",
    description="Registry, Smart Bridge, websites and analytics of the eGov Platform.",
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("/core/", core_router, tags=["core"])
api.add_router("/bridge/", bridge_router)
api.add_router("/consent/", consent_router)
api.add_router("/analytics/", analytics_router)
api.add_router("/websites/", websites_router)


@api.exception_handler(EgovError)
def _egov_error(request: HttpRequest, exc: EgovError) -> HttpResponse:
    return problem_response(request, exc.status, exc.code, exc.message, **exc.extra)


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: list[dict[str, Any]] = [
        {"field": ".".join(str(part) for part in error.get("loc", [])), "message": error.get("msg")}
        for error in exc.errors
    ]
    return problem_response(
        request, 422, "invalid_input", _("Some fields are not valid."), errors=errors
    )


@api.exception_handler(ValidationError)
def _invalid_model(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": field, "message": str(message)}
        for field, messages in (
            exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        ).items()
        for message in messages
    ]
    return problem_response(
        request, 422, "invalid_input", _("Some fields are not valid."), errors=errors
    )


@api.exception_handler(DataError)
def _unstorable(request: HttpRequest, exc: DataError) -> HttpResponse:
    # Values the database cannot hold (a NUL character, a number out of range): bad input.
    return problem_response(
        request, 400, "invalid_characters", _("The request holds values that cannot be stored.")
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(request, 404, "not_found", _("Nothing exists at this address."))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem_response(request, 403, "forbidden", _("You are not allowed to do this."))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(request, 401, "unauthenticated", _("Log in first."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = "malformed_request" if exc.status_code == 400 else "http_error"
    return problem_response(request, exc.status_code, code, str(exc))
