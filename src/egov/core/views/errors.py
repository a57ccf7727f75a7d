"""Error pages: HTML for people, problem details for API clients."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from egov.core.exceptions import problem_response


def _respond(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    wants_json = request.path.startswith("/api/") or "json" in request.headers.get("Accept", "")
    if wants_json:
        return problem_response(request, status, code, message)
    context = {"status": status, "message": message}
    return render(request, "core/error.html", context, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _respond(request, 400, "bad_request", _("The request was not understood."))


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _respond(request, 403, "forbidden", _("You are not allowed to do this."))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _respond(request, 404, "not_found", _("Nothing exists at this address."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _respond(request, 500, "server_error", _("Something went wrong on our side."))
