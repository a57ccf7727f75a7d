"""Request-wide rules: static files, who is acting (for the audit log), the second factor for staff.

Every middleware here works both ways, sync and async, so that an async view (the gateways' long
poll for snapshots) runs without tying up the thread that serves the synchronous views.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from whitenoise.middleware import WhiteNoiseMiddleware

from egov.core import audit
from egov.core.exceptions import problem_response

# Reachable before the second factor is proven: the factor's own pages, leaving, and assets.
OPEN_PREFIXES = ("/account/", "/i18n/", "/static/", "/healthz")


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


class DualModeMiddleware:
    """`before()`, the rest of the chain inside `around()`, then `after()`, in either mode."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def before(self, request: HttpRequest) -> HttpResponse | None:
        """An early answer, or None to go on."""
        return None

    def after(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """The answer on its way out."""
        return response

    def around(self, request: HttpRequest) -> Any:
        """A context manager wrapped around the rest of the chain."""
        from contextlib import nullcontext

        return nullcontext()

    def __call__(self, request: HttpRequest) -> Any:
        if iscoroutinefunction(self):
            return self._acall(request)
        early = self.before(request)
        if early is not None:
            return early
        with self.around(request):
            return self.after(request, self.get_response(request))

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        # before() and around() may touch request.user, a lazy database read: off the event loop.
        early = await sync_to_async(self.before)(request)
        if early is not None:
            return early
        with await sync_to_async(self.around)(request):
            pending: Awaitable[HttpResponse] = self.get_response(request)
            return self.after(request, await pending)


class StaticFilesMiddleware(DualModeMiddleware, WhiteNoiseMiddleware):  # type: ignore[misc]
    """WhiteNoise, usable in an async chain (its own middleware is sync-only)."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        WhiteNoiseMiddleware.__init__(self, get_response)
        DualModeMiddleware.__init__(self, get_response)

    def before(self, request: HttpRequest) -> HttpResponse | None:
        found = (
            self.find_file(request.path_info)
            if self.autorefresh
            else self.files.get(request.path_info)
        )
        return self.serve(found, request) if found is not None else None


class AuditContextMiddleware(DualModeMiddleware):
    def after(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """The answer on its way out."""
        return response

    def around(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = audit.Actor(user.pk, user.get_username(), client_ip(request))
        else:
            actor = audit.Actor(None, "anonymous", client_ip(request))
        return audit.acting_as(actor)


class SecondFactorMiddleware(DualModeMiddleware):
    """Staff who logged in with a password only may go nowhere but to prove their second factor."""

    def before(self, request: HttpRequest) -> HttpResponse | None:
        if request.path.startswith(OPEN_PREFIXES) or request.path.startswith(
            "/api/bridge/snapshots/"
        ):
            return None
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or user.is_verified()
            or not user.needs_second_factor
        ):
            return None
        if request.path.startswith("/api/"):
            return problem_response(
                request, 403, "second_factor_required", "Prove your second factor first."
            )
        target = reverse("second-factor")
        return HttpResponseRedirect(f"{target}?next={request.get_full_path()}")


class BodySizeMiddleware(DualModeMiddleware):
    """API bodies over the configured limit get 413 before anything reads them."""

    def before(self, request: HttpRequest) -> HttpResponse | None:
        if not request.path.startswith("/api/"):
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return problem_response(
                request, 400, "bad_content_length", "Content-Length is not a number."
            )
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return problem_response(
                request, 413, "payload_too_large", f"The body is larger than {limit} bytes."
            )
        return None
