"""Request-wide rules: who is acting (for the audit log) and the second factor for staff."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from egov.core import audit
from egov.core.exceptions import problem_response

# Reachable before the second factor is proven: the factor's own pages, leaving, and assets.
OPEN_PREFIXES = ("/account/", "/i18n/", "/static/", "/healthz")


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = audit.Actor(user.pk, user.get_username(), client_ip(request))
        else:
            actor = audit.Actor(None, "anonymous", client_ip(request))
        with audit.acting_as(actor):
            return self.get_response(request)


class SecondFactorMiddleware:
    """Staff who logged in with a password only may go nowhere but to prove their second factor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and user.needs_second_factor
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return problem_response(
                    request, 403, "second_factor_required", "Prove your second factor first."
                )
            target = reverse("second-factor")
            return HttpResponseRedirect(f"{target}?next={request.get_full_path()}")
        return self.get_response(request)
