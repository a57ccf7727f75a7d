"""Authentication defaults: hashing, throttling, security headers, production refusing to start."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from egov.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_production_hashes_passwords_with_argon2() -> None:
    from egov.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_repeated_failures_lock_the_account(client) -> None:  # type: ignore[no-untyped-def]
    UserFactory(username="target")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "target", "password": "guess-guess-guess"})
    response = client.post(
        reverse("login"), {"username": "target", "password": "a-long-test-password"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_says_so_on_the_form(client) -> None:  # type: ignore[no-untyped-def]
    UserFactory(username="amina")
    response = client.post(
        reverse("login"),
        {"username": "amina", "password": "nope-nope-nope"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_pages_carry_a_content_security_policy(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def _production(**extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("EGOV_SECRET_KEY", "DATABASE_URL")}
    env.update(DJANGO_SETTINGS_MODULE="egov.settings.production", **extra)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SESSION_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_its_secret() -> None:
    result = _production()
    assert result.returncode != 0
    assert "Set EGOV_SECRET_KEY" in result.stderr


def test_production_turns_on_secure_cookies_and_hsts() -> None:
    result = _production(
        EGOV_SECRET_KEY="x" * 60, DATABASE_URL="postgres://egov@127.0.0.1:5432/egov"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "31536000"]
