"""Production: no default secrets, HTTPS only. Refuses to start without what it needs."""

from egov.settings.base import *  # noqa: F403
from egov.settings.env import env_bool, required

SECRET_KEY = required("EGOV_SECRET_KEY", "a long random string that signs sessions and tokens.")
required("DATABASE_URL", "the PostgreSQL database, e.g. postgres://egov@db/egov.")

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
