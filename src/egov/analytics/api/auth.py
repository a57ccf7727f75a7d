"""Who calls: a token or a session when there is one, else an anonymous reader of public data."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from egov.core.api_auth import token_or_session


def _anonymous(request: HttpRequest) -> Any:
    return request.user if hasattr(request, "user") else True


# Reads: public objects need no log-in, but a token or session widens what the caller sees.
readers = [*token_or_session, _anonymous]
