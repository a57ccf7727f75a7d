"""How /api/ callers prove who they are: a personal API token, or the browser session.

Tokens (`Authorization: Bearer egt_…`) are 256-bit random strings stored as SHA-256 hashes and
shown once. A session caller must have passed the second factor where their roles need one (the
middleware sees to that) and sends the CSRF token on unsafe methods.
"""

from __future__ import annotations

import hashlib
import secrets

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from egov.core.models import ApiToken, User

TOKEN_PREFIX = "egt_"


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=secret[:12],
        token_hash=hashlib.sha256(secret.encode()).hexdigest(),
    )
    return token, secret


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        digest = hashlib.sha256(token.encode()).hexdigest()
        now = timezone.now()
        found = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=digest, revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None or (found.expires_at and found.expires_at <= now):
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


token_or_session = [TokenAuth(), django_auth]
