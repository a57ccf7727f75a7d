"""Stable error codes and how they are rendered: RFC 9457 problem+json or X-Road's error body.

Every refusal the gateway makes is a :class:`GatewayError` with a code from :data:`CODES`. The
code decides the HTTP status and the X-Road error type; the detail is a sentence for people.
Nothing else (no stack trace, no upstream address) reaches the consumer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class ErrorKind:
    status: int
    title: str
    xroad_type: str


CODES: Final[dict[str, ErrorKind]] = {
    "bad_request": ErrorKind(400, "Bad request", "Client.BadRequest"),
    "invalid_client_header": ErrorKind(400, "Invalid X-Road-Client header", "Client.BadRequest"),
    "subject_required": ErrorKind(400, "Data subject required", "Client.BadRequest"),
    "missing_credential": ErrorKind(401, "Credential required", "Client.Unauthorized"),
    "unknown_credential": ErrorKind(401, "Unknown credential", "Client.Unauthorized"),
    "client_mismatch": ErrorKind(403, "Client does not match credential", "Client.AccessDenied"),
    "no_grant": ErrorKind(403, "No access grant", "Server.ServerProxy.AccessDenied"),
    "ip_not_allowed": ErrorKind(
        403, "Source address not allowed", "Server.ServerProxy.AccessDenied"
    ),
    "no_consent": ErrorKind(403, "No consent of the data subject", "Server.ServerProxy.NoConsent"),
    "not_found": ErrorKind(404, "Not found", "Client.BadRequest"),
    "unknown_service": ErrorKind(404, "Unknown service", "Server.ClientProxy.UnknownService"),
    "unknown_version": ErrorKind(
        404, "Unknown service version", "Server.ClientProxy.UnknownService"
    ),
    "unknown_endpoint": ErrorKind(404, "Unknown endpoint", "Server.ServerProxy.UnknownEndpoint"),
    "method_not_allowed": ErrorKind(405, "Method not allowed", "Client.BadRequest"),
    "payload_too_large": ErrorKind(413, "Payload too large", "Client.PayloadTooLarge"),
    "rate_limited": ErrorKind(429, "Rate limit reached", "Server.ServerProxy.RateLimited"),
    "quota_exceeded": ErrorKind(429, "Daily quota used up", "Server.ServerProxy.QuotaExceeded"),
    "internal_error": ErrorKind(500, "Internal error", "Server.ServerProxy.InternalError"),
    "upstream_unavailable": ErrorKind(
        502, "Provider unavailable", "Server.ServerProxy.NetworkError"
    ),
    "upstream_response_too_large": ErrorKind(
        502, "Provider response too large", "Server.ServerProxy.ServiceFailed"
    ),
    "circuit_open": ErrorKind(
        503, "Provider temporarily cut off", "Server.ServerProxy.ServiceFailed"
    ),
    "log_unavailable": ErrorKind(
        503, "Message log unavailable", "Server.ServerProxy.DatabaseError"
    ),
    "policy_unavailable": ErrorKind(
        503, "No valid policy snapshot", "Server.ClientProxy.OutdatedGlobalConf"
    ),
    "overloaded": ErrorKind(503, "Gateway overloaded", "Server.ServerProxy.Overloaded"),
    "consent_unavailable": ErrorKind(
        503, "Consent registry unavailable", "Server.ServerProxy.NoConsent"
    ),
    "upstream_timeout": ErrorKind(504, "Provider timed out", "Server.ServerProxy.NetworkError"),
}

PROBLEM_TYPE_BASE: Final = "https://egov.example/problems/gateway/"


class GatewayError(Exception):
    """A refusal with a stable ``code``; ``retry_after`` becomes a ``Retry-After`` header."""

    def __init__(self, code: str, detail: str, retry_after: int | None = None) -> None:
        if code not in CODES:
            raise ValueError(f"unknown gateway error code {code!r}")
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.retry_after = retry_after

    @property
    def status(self) -> int:
        return CODES[self.code].status


def problem_body(error: GatewayError, request_id: str) -> bytes:
    kind = CODES[error.code]
    document = {
        "type": PROBLEM_TYPE_BASE + error.code,
        "title": kind.title,
        "status": kind.status,
        "code": error.code,
        "detail": error.detail,
        "request_id": request_id,
    }
    return json.dumps(document, ensure_ascii=False).encode()


def xroad_body(error: GatewayError, request_id: str) -> bytes:
    """X-Road's REST error body (type, message, detail), plus our stable ``code``."""
    kind = CODES[error.code]
    document = {
        "type": kind.xroad_type,
        "message": error.detail,
        "detail": request_id,
        "code": error.code,
    }
    return json.dumps(document, ensure_ascii=False).encode()


def render(
    error: GatewayError, request_id: str, xroad: bool
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, headers and body of the answer to ``error``."""
    kind = CODES[error.code]
    if xroad:
        body = xroad_body(error, request_id)
        headers = [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"x-road-error", kind.xroad_type.encode()),
        ]
    else:
        body = problem_body(error, request_id)
        headers = [(b"content-type", b"application/problem+json")]
    headers.append((b"content-length", str(len(body)).encode()))
    headers.append((b"x-request-id", request_id.encode()))
    if error.retry_after is not None:
        headers.append((b"retry-after", str(max(1, error.retry_after)).encode()))
    return kind.status, headers, body
