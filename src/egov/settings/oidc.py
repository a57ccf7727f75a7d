"""OpenID Connect log-in to a national identity provider (mozilla-django-oidc)."""

from __future__ import annotations

from typing import Any

from egov.settings.env import env


def oidc_settings(issuer: str, client_id: str, client_secret: str) -> dict[str, Any]:
    """Django settings for an identity provider at `issuer`; endpoints may be set one by one."""
    issuer = issuer.rstrip("/")
    return {
        "OIDC_RP_CLIENT_ID": client_id,
        "OIDC_RP_CLIENT_SECRET": client_secret,
        "OIDC_OP_AUTHORIZATION_ENDPOINT": env("OIDC_AUTHORIZATION_ENDPOINT", f"{issuer}/authorize"),
        "OIDC_OP_TOKEN_ENDPOINT": env("OIDC_TOKEN_ENDPOINT", f"{issuer}/token"),
        "OIDC_OP_USER_ENDPOINT": env("OIDC_USERINFO_ENDPOINT", f"{issuer}/userinfo"),
        "OIDC_OP_JWKS_ENDPOINT": env("OIDC_JWKS_ENDPOINT", f"{issuer}/jwks"),
        "OIDC_RP_SIGN_ALGO": env("OIDC_SIGN_ALGO", "RS256"),
        "OIDC_RP_SCOPES": env("OIDC_SCOPES", "openid profile"),
        "OIDC_USE_NONCE": True,
        "OIDC_PERSONAL_ID_CLAIM": env("OIDC_PERSONAL_ID_CLAIM", "personal_id"),
        "OIDC_TIMEOUT": 10,
        "LOGIN_REDIRECT_URL_FAILURE": "/account/login/?oidc=failed",
    }
