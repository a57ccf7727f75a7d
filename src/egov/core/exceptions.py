"""The platform's errors and their one wire format, RFC 9457 problem details."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

PROBLEM_CONTENT_TYPE = "application/problem+json"


class EgovError(Exception):
    """Root of the platform's deliberate errors: `code` is stable, `message` is localised."""

    status = 400
    code = "error"
    default_message: Any = _("The request could not be processed.")

    def __init__(self, message: Any = None, *, code: str | None = None, **extra: Any) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.extra = extra
        super().__init__(str(self.message))


class NotFound(EgovError):
    status = 404
    code = "not_found"
    default_message = _("Nothing exists at this address.")


class Forbidden(EgovError):
    status = 403
    code = "forbidden"
    default_message = _("You are not allowed to do this.")


class Conflict(EgovError):
    status = 409
    code = "conflict"
    default_message = _("This conflicts with the current state.")


class InvalidInput(EgovError):
    status = 422
    code = "invalid_input"
    default_message = _("Some fields are not valid.")


def problem_body(
    status: int, code: str, detail: Any, instance: str = "", **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"urn:egov:problem:{code}",
        "title": code.replace("_", " ").capitalize(),
        "status": status,
        "code": code,
        "detail": str(detail),
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def problem_response(
    request: HttpRequest | None, status: int, code: str, detail: Any, **extra: Any
) -> HttpResponse:
    instance = request.path if request is not None else ""
    body = problem_body(status, code, detail, instance, **extra)
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
