"""Settings shared by every environment, read from `EGOV_*` variables (docs/configuration.md)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from egov.core.countries import get_profile
from egov.settings.env import env, env_bool, env_list, required
from egov.settings.oidc import oidc_settings

SRC_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = SRC_DIR.parent.parent
DATA_DIR = Path(env("DATA_DIR") or BASE_DIR / "var")

COUNTRY = get_profile(env("COUNTRY", "kz") or "kz")

DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "egov.core",
    "egov.bridge",
    "egov.consent",
    "egov.websites",
    "egov.analytics",
    # Wagtail is the one back-office.
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.table_block",
    "wagtail.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "egov.core.middleware.BodySizeMiddleware",
    "egov.core.middleware.StaticFilesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "egov.core.latin.LatinScriptMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "egov.core.middleware.SecondFactorMiddleware",
    "egov.core.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    # Moved or renamed website pages answer with a redirect instead of a 404.
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "egov.urls"
WSGI_APPLICATION = "egov.wsgi.application"
ASGI_APPLICATION = "egov.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "egov.core.context_processors.platform",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'egov.sqlite3'}",
        # 0: under ASGI every request runs in a thread of its own, so a kept connection is never
        # reused and stays open until collected (a stream of requests exhausts the server).
        conn_max_age=0,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- authentication ---
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "egov.core.auth.RoleBackend",  # permissions from memberships and roles
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5") or 5)
AXES_COOLOFF_TIME = float(env("LOGIN_COOLOFF_HOURS", "1") or 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = COUNTRY.branding.platform_name.get("en", "eGov Platform")

# OpenID Connect log-in to a national identity provider, on when its issuer is configured.
OIDC_ISSUER = env("OIDC_ISSUER")
if OIDC_ISSUER:
    globals().update(
        oidc_settings(
            OIDC_ISSUER,
            required("EGOV_OIDC_CLIENT_ID", "the client id registered at the identity provider."),
            required("EGOV_OIDC_CLIENT_SECRET", "the client secret from the identity provider."),
        )
    )
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("egov.core.oidc.NationalIdBackend")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Wagtail's admin sets inline styles on its widgets.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- languages ---
ALL_LANGUAGES = ("kk", "ru", "en", "tg")
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English", "tg": "Тоҷикӣ"}
LANGUAGE_CODE = COUNTRY.default_language
LANGUAGES = [(code, LANGUAGE_NAMES[code]) for code in COUNTRY.languages]
LOCALE_PATHS = [SRC_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = COUNTRY.timezone
# Kazakh pages are also served in Latin script under /kk-latn/, in this alphabet (2018 or 2021).
EGOV_KK_LATIN_ALPHABET = env("KK_LATIN_ALPHABET", "2021") or "2021"
# Website pages exist once per content language (a page tree per locale, see docs/websites.md).
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- static files ---
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- back-office ---
WAGTAIL_SITE_NAME = COUNTRY.branding.platform_name.get(COUNTRY.default_language, "eGov Platform")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILADMIN_LOGIN_URL = "/account/login/"  # one log-in page, with the second factor behind it
WAGTAIL_FRONTEND_LOGIN_URL = WAGTAILADMIN_LOGIN_URL  # for pages restricted to logged-in readers
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Kazakh, Russian and English words stemmed in one index (egov.websites.search_config).
    WAGTAILSEARCH_BACKENDS["default"]["SEARCH_CONFIG"] = "egov"
# --- government websites (egov.websites) ---
WAGTAILREDIRECTS_AUTO_CREATE = True  # a moved or renamed page leaves a redirect behind
# A page created in the default language gets a stand-in (alias) in every other one.
WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE = True
WAGTAILIMAGES_IMAGE_FORM_BASE = "egov.websites.forms.ImageForm"  # alt text is required
# Working days an agency has to update a section after a recorded change request.
EGOV_WEBSITES_UPDATE_WORKING_DAYS = int(env("WEBSITES_UPDATE_WORKING_DAYS", "3") or 3)
# How long a rendered public page may be served from the cache (0 turns the cache off).
EGOV_WEBSITES_CACHE_SECONDS = int(env("WEBSITES_CACHE_SECONDS", "300") or 300)
# How long a caching proxy in front (docs/deploy/nginx) may keep a shared page: publishing shows
# within this many seconds without a purge call.
EGOV_WEBSITES_PROXY_SECONDS = int(env("WEBSITES_PROXY_SECONDS", "1") or 0)

# --- Smart Data (egov.analytics, docs/analytics.md) ---
# The warehouse (versioned Parquet datasets) and uploads waiting to be loaded.
EGOV_ANALYTICS_DIR = Path(env("ANALYTICS_DIR") or DATA_DIR / "analytics")
EGOV_ANALYTICS_ENGINE = env("ANALYTICS_ENGINE", "duckdb") or "duckdb"  # duckdb | spark
EGOV_ANALYTICS_SPARK_MASTER = env("ANALYTICS_SPARK_MASTER", "local[2]") or "local[2]"
# HMAC keys for personal identifiers: "k2=<base64>,k1=<base64>" (the first is current).
EGOV_ANALYTICS_PSEUDONYM_KEYS = env("ANALYTICS_PSEUDONYM_KEYS", "") or ""
EGOV_ANALYTICS_PSEUDONYM_KEY_ID = env("ANALYTICS_PSEUDONYM_KEY_ID", "") or ""  # default: the first
EGOV_ANALYTICS_CACHE_SECONDS = int(env("ANALYTICS_CACHE_SECONDS", "300") or 300)
# Where the analytics system calls Smart Bridge services (the gateway) with its own API key.
EGOV_ANALYTICS_GATEWAY_URL = env("ANALYTICS_GATEWAY_URL", "http://127.0.0.1:8080") or ""
EGOV_ANALYTICS_GATEWAY_API_KEY = env("ANALYTICS_GATEWAY_API_KEY", "") or ""

# --- mail ---
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env("SMTP_HOST", "127.0.0.1") or "127.0.0.1"
EMAIL_PORT = int(env("SMTP_PORT", "25") or 25)
EMAIL_HOST_USER = env("SMTP_USER", "") or ""
EMAIL_HOST_PASSWORD = env("SMTP_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("SMTP_STARTTLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("MAIL_FROM", "egov@localhost") or "egov@localhost"

# --- tasks ---
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- the platform ---
EGOV_STRICT = env_bool("STRICT")
EGOV_DEMO = False
EGOV_REVIEW_WORKING_DAYS = int(env("REVIEW_WORKING_DAYS", "10") or 10)
EGOV_ACCESS_TOKEN_SECONDS = int(env("ACCESS_TOKEN_SECONDS", "300") or 300)
# Consents (docs/consent.md): how one-time codes reach citizens (console | email | sms).
EGOV_CONSENT_OTP_CHANNEL = env("CONSENT_OTP_CHANNEL", "console") or "console"
EGOV_CONSENT_SMS_URL = env("CONSENT_SMS_URL", "") or ""
EGOV_CONSENT_SMS_TOKEN = env("CONSENT_SMS_TOKEN", "") or ""
EGOV_PDF_FONT = env("PDF_FONT", "") or ""
EGOV_MAX_OPENAPI_BYTES = int(env("MAX_OPENAPI_BYTES", "5000000") or 5_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = EGOV_MAX_OPENAPI_BYTES + 100_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
    },
}
