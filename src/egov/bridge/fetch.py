"""Fetching an OpenAPI document from a URL at registration: bounded in time and size."""

from __future__ import annotations

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from egov.core.exceptions import InvalidInput


def max_document_bytes() -> int:
    return int(getattr(settings, "EGOV_MAX_OPENAPI_BYTES", 5_000_000))


def fetch_document(url: str) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise _bad(url, _("Give an http or https address."))
    limit = max_document_bytes()
    try:
        with requests.get(url, timeout=10, stream=True, allow_redirects=True) as response:
            response.raise_for_status()
            body = b""
            for chunk in response.iter_content(65536):
                body += chunk
                if len(body) > limit:
                    raise _bad(
                        url, _("The document is larger than %(limit)d bytes.") % {"limit": limit}
                    )
            return body
    except requests.RequestException as error:
        raise _bad(
            url, _("The document could not be fetched: %(error)s") % {"error": error}
        ) from error


def _bad(url: str, message: str) -> InvalidInput:
    return InvalidInput(
        message, code="openapi_fetch_failed", errors=[{"field": "openapi_url", "message": message}]
    )
