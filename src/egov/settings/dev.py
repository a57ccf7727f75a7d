"""The demo and local development: embedded defaults, plain HTTP on localhost."""

from egov.settings.base import *  # noqa: F403
from egov.settings.env import env

DEBUG = False
EGOV_DEMO = True
SECRET_KEY = env("SECRET_KEY") or "demo-only-not-secret-change-me-in-production-please-0123456789"
# The demo runs on http://127.0.0.1; production settings turn these on.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Serve static files straight from the apps: no collectstatic step before the demo starts.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None  # type: ignore[assignment]  # WhiteNoise serves from the apps
# Mail goes to the console unless an SMTP server is configured.
if not env("SMTP_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# A demo-only pseudonymisation key (public, so not secret); production must set its own.
EGOV_ANALYTICS_PSEUDONYM_KEYS = (
    env("ANALYTICS_PSEUDONYM_KEYS") or "demo=ZGVtby1vbmx5LXBzZXVkb255bS1rZXktbm90LXNlY3JldC0wMQ=="
)
