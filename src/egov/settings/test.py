"""The test suite: fast hashing, in-process caches unless EGOV_REDIS_URL is given."""

import tempfile
from pathlib import Path

from egov.settings.dev import *  # noqa: F403
from egov.settings.oidc import oidc_settings

EGOV_DEMO = False
# Files the code writes (demo credentials, media) go to a throw-away folder, not the checkout.
DATA_DIR = Path(tempfile.mkdtemp(prefix="egov-test-"))
MEDIA_ROOT = DATA_DIR / "media"
EGOV_ANALYTICS_DIR = DATA_DIR / "analytics"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Log-in through an identity provider is tested against a real OIDC server the tests start; its
# endpoints are set per test.
OIDC_ISSUER = "http://127.0.0.1/oidc"
globals().update(oidc_settings(OIDC_ISSUER, "egov-test", "test-client-secret"))
INSTALLED_APPS = [*INSTALLED_APPS, "mozilla_django_oidc"]  # noqa: F405
AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "egov.core.oidc.NationalIdBackend"]  # noqa: F405
