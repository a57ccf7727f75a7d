"""Credentials of consumer systems, the OAuth token endpoint and its key set."""

from __future__ import annotations

import base64
import datetime
import re
from typing import Any

from django.db import IntegrityError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Form, Router, Status

from egov.bridge import issuing
from egov.bridge.api.schemas import (
    ApiKeyIn,
    CertificateIn,
    CertificateOut,
    CredentialsOut,
    IssuedClientOut,
    IssuedKeyOut,
    RotateIn,
)
from egov.bridge.models import ApiKey, ClientCertificate, OAuthClient
from egov.bridge.queries import credential_systems
from egov.core.api_auth import token_or_session
from egov.core.exceptions import Conflict, InvalidInput, NotFound
from egov.core.models import InformationSystem

router = Router(tags=["bridge: credentials"])


def _system(request: HttpRequest, organization: str, subsystem: str) -> InformationSystem:
    found = (
        credential_systems(request.user)
        .filter(organization__code=organization.upper(), subsystem_code=subsystem)
        .first()
    )
    if found is None:
        raise NotFound(code="system_not_found")
    return found


def _issued_key(issued: issuing.IssuedSecret) -> dict[str, Any]:
    key = issued.credential
    return {
        "prefix": key.prefix,
        "name": key.name,
        "created_at": key.created_at,
        "expires_at": key.expires_at,
        "revoked_at": key.revoked_at,
        "last_used_at": key.last_used_at,
        "key": issued.secret,
    }


@router.get(
    "/systems/{organization}/{subsystem}/credentials",
    response=CredentialsOut,
    auth=token_or_session,
    summary="Credentials of a consumer system (never their secrets)",
)
def list_credentials(request: HttpRequest, organization: str, subsystem: str) -> dict[str, Any]:
    system = _system(request, organization, subsystem)
    return {
        "system": system.xroad_address,
        "api_keys": list(system.api_keys.all()),
        "oauth_clients": list(system.oauth_clients.all()),
        "certificates": list(system.certificates.all()),
    }


@router.post(
    "/systems/{organization}/{subsystem}/api-keys",
    response={201: IssuedKeyOut},
    auth=token_or_session,
    summary="Issue an API key (shown once)",
)
def create_api_key(
    request: HttpRequest, organization: str, subsystem: str, payload: ApiKeyIn
) -> Status[dict[str, Any]]:
    system = _system(request, organization, subsystem)
    return Status(201, _issued_key(issuing.issue_api_key(system, payload.name)))


def _api_key(request: HttpRequest, prefix: str) -> ApiKey:
    found = ApiKey.objects.filter(
        prefix=prefix, system__in=credential_systems(request.user)
    ).first()
    if found is None:
        raise NotFound(code="api_key_not_found")
    return found


@router.post(
    "/api-keys/{prefix}/rotate",
    response={201: IssuedKeyOut},
    auth=token_or_session,
    summary="Rotate an API key; the old one works for the overlap period",
)
def rotate_api_key(request: HttpRequest, prefix: str, payload: RotateIn) -> Status[dict[str, Any]]:
    old = _api_key(request, prefix)
    if old.revoked_at:
        raise Conflict(_("A revoked key cannot be rotated."), code="key_revoked")
    issued = issuing.rotate_api_key(old, datetime.timedelta(hours=payload.overlap_hours))
    return Status(201, _issued_key(issued))


@router.post(
    "/api-keys/{prefix}/revoke",
    response={204: None},
    auth=token_or_session,
    summary="Revoke an API key at once",
)
def revoke_api_key(request: HttpRequest, prefix: str) -> Status[None]:
    issuing.revoke(_api_key(request, prefix))
    return Status(204, None)


@router.post(
    "/systems/{organization}/{subsystem}/oauth-clients",
    response={201: IssuedClientOut},
    auth=token_or_session,
    summary="Register an OAuth 2.0 client (secret shown once)",
)
def create_oauth_client(
    request: HttpRequest, organization: str, subsystem: str
) -> Status[dict[str, Any]]:
    issued = issuing.issue_oauth_client(_system(request, organization, subsystem))
    client = issued.credential
    return Status(
        201,
        {
            "client_id": client.client_id,
            "created_at": client.created_at,
            "revoked_at": None,
            "last_used_at": None,
            "client_secret": issued.secret,
        },
    )


@router.post(
    "/oauth-clients/{client_id}/revoke",
    response={204: None},
    auth=token_or_session,
    summary="Revoke an OAuth client",
)
def revoke_oauth_client(request: HttpRequest, client_id: str) -> Status[None]:
    found = OAuthClient.objects.filter(
        client_id=client_id, system__in=credential_systems(request.user)
    ).first()
    if found is None:
        raise NotFound(code="oauth_client_not_found")
    issuing.revoke(found)
    return Status(204, None)


@router.post(
    "/systems/{organization}/{subsystem}/certificates",
    response={201: CertificateOut},
    auth=token_or_session,
    summary="Register a client certificate fingerprint for mutual TLS",
)
def add_certificate(
    request: HttpRequest, organization: str, subsystem: str, payload: CertificateIn
) -> Status[ClientCertificate]:
    system = _system(request, organization, subsystem)
    fingerprint = re.sub(r"[^0-9a-f]", "", payload.fingerprint.lower())
    if len(fingerprint) != 64:
        message = _("A SHA-256 fingerprint has 64 hexadecimal digits.")
        raise InvalidInput(message, errors=[{"field": "fingerprint", "message": message}])
    try:
        certificate = ClientCertificate.objects.create(
            system=system, fingerprint=fingerprint, subject=payload.subject[:300]
        )
    except IntegrityError as error:
        raise Conflict(
            _("This certificate is already registered."), code="duplicate_certificate"
        ) from error
    return Status(201, certificate)


def _oauth_error(error: str, description: str, status: int = 400) -> JsonResponse:
    """OAuth 2.0 (RFC 6749 §5.2) errors have their own format, which clients expect."""
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["Cache-Control"] = "no-store"
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="egov"'
    return response


@router.post("/oauth/token", auth=None, summary="OAuth 2.0 token endpoint (client credentials)")
def token(
    request: HttpRequest,
    grant_type: Form[str] = "",
    client_id: Form[str] = "",
    client_secret: Form[str] = "",
) -> JsonResponse:
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            client_id, _sep, client_secret = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return _oauth_error("invalid_client", "Malformed Basic credentials.", 401)
    if grant_type != "client_credentials":
        return _oauth_error("unsupported_grant_type", "Only client_credentials is supported.")
    client = issuing.authenticate_client(client_id, client_secret)
    if client is None:
        return _oauth_error("invalid_client", "Unknown client or wrong secret.", 401)
    access_token, lifetime = issuing.issue_access_token(client)
    response = JsonResponse(
        {"access_token": access_token, "token_type": "Bearer", "expires_in": lifetime}
    )
    response["Cache-Control"] = "no-store"
    return response


@router.get("/oauth/jwks", auth=None, summary="Public keys that sign access tokens (JWKS)")
def jwks(request: HttpRequest) -> dict[str, Any]:
    return issuing.jwks()
