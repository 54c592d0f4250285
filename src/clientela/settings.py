"""Django settings for Clientela, read from the environment.

CLIENTELA_DATABASE_URL  sqlite:///path or postgres://user[:password]@host[:port]/db
                        (default: sqlite file ``clientela.sqlite3`` in the current folder)
CLIENTELA_SECRET_KEY    required outside the demo
CLIENTELA_DEBUG         1/true/yes to turn debug on
CLIENTELA_BASE_CURRENCY reporting currency (default PLN)
CLIENTELA_DEMO          set by ``clientela demo``: allows the built-in demo secret key
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from clientela.dburl import parse_database_url
from clientela.proxy import allowed_hosts, public_origin

BASE_DIR = Path(__file__).resolve().parent


def _hours_by_key(text: str) -> dict[str, int]:
    """``"urgent=4, high=8"`` → ``{"urgent": 4, "high": 8}``; ValueError naming the bad part.
    (Which keys exist is the app's to check: ``crm/service/apps.py``.)"""
    table: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{part!r}: expected PRIORITY=HOURS")
        try:
            hours = int(value)
        except ValueError:
            raise ValueError(f"{part!r}: hours must be a whole number") from None
        if hours <= 0:
            raise ValueError(f"{part!r}: hours must be positive")
        table[key.strip().lower()] = hours
    return table


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("CLIENTELA_DEBUG")
DEMO_MODE = _flag("CLIENTELA_DEMO")
# pytest (>= 8.2) sets PYTEST_VERSION; the test run gets a throwaway key like the demo.
TEST_RUN = "PYTEST_VERSION" in os.environ

SECRET_KEY = os.environ.get("CLIENTELA_SECRET_KEY", "")
if not SECRET_KEY:
    if DEMO_MODE or TEST_RUN:
        # Demo and tests only: a fixed, public key. Never used otherwise.
        SECRET_KEY = "clientela-demo-insecure-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "CLIENTELA_SECRET_KEY is not set: export a long random value, "
            'e.g. CLIENTELA_SECRET_KEY="$(python3 -c \'import secrets; print(secrets.token_urlsafe(50))\')"'
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "clientela.crm.accounts",
    "clientela.crm.parties",
    "clientela.crm.commerce",
    "clientela.crm.engagement",
    "clientela.crm.experiments",
    "clientela.crm.audit",
    "clientela.crm.privacy",
    "clientela.api",
    "clientela.crm.scoring",
    "clientela.crm.sales",
    "clientela.crm.tasks",
    "clientela.crm.notifications",
    "clientela.crm.service",
    "clientela.crm.feedback",
    "clientela.crm.loyalty",
    "clientela.crm.vocabularies",
    "clientela.crm.branding",
    "clientela.crm.voice",
    "clientela.demo",
    "clientela.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "clientela.api.gateway.ApiGatewayMiddleware",
    "clientela.security_headers.ContentSecurityPolicyMiddleware",
    "clientela.web.record_errors.RecordErrorsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "clientela.urls"
WSGI_APPLICATION = "clientela.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        os.environ.get("CLIENTELA_DATABASE_URL", ""),
        default_sqlite=Path.cwd() / "clientela.sqlite3",
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Older PBKDF2 hashes still verify and are upgraded to Argon2 at the next login.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = ["clientela.crm.accounts.login_guard.ThrottledModelBackend"]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("pl", "Polski"), ("ru", "Русский")]
# English dates as "2 Dec 2026, 14:05" (clientela/formats/en), not Django's American m/d/Y.
FORMAT_MODULE_PATH = ["clientela.formats"]
# The web interface's catalogues come first, so its wording wins over other apps' for shared
# strings ("Email", "Log out").
LOCALE_PATHS = [BASE_DIR / "web" / "locale"]
TIME_ZONE = os.environ.get("CLIENTELA_TIME_ZONE", "Europe/Warsaw")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Static files are served straight from the installed package through WhiteNoise's finders;
# CLIENTELA_STATIC_ROOT is only needed to run collectstatic for a front proxy.
STATIC_ROOT = os.environ.get("CLIENTELA_STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

BASE_CURRENCY = os.environ.get("CLIENTELA_BASE_CURRENCY", "PLN").upper()

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"
# The language chosen in the web interface is kept in this cookie for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"

if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    CSRF_COOKIE_HTTPONLY = False
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# Security defaults (issue 5). Cookies are Secure and HSTS is sent unless debug, the demo
# or the test run serve over plain http on loopback; CLIENTELA_SECURE_COOKIES overrides.
SECURE_COOKIES = _flag("CLIENTELA_SECURE_COOKIES", default=not (DEBUG or DEMO_MODE or TEST_RUN))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = int(os.environ.get("CLIENTELA_HSTS_SECONDS", "31536000")) if SECURE_COOKIES else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Failed logins per user name before further attempts are refused, and for how long.
LOGIN_FAILURE_LIMIT = int(os.environ.get("CLIENTELA_LOGIN_FAILURE_LIMIT", "10"))
LOGIN_LOCKOUT_SECONDS = 900

# REST API: requests per token (or session user) per window, "N/SECONDS".
API_RATE_LIMIT = os.environ.get("CLIENTELA_API_RATE_LIMIT", "6000/60")
API_IDEMPOTENCY_TTL_SECONDS = 24 * 3600

# Outgoing email (campaigns, survey invitations) through Django's SMTP backend.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("CLIENTELA_SMTP_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CLIENTELA_SMTP_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CLIENTELA_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CLIENTELA_SMTP_PASSWORD", "")
EMAIL_USE_TLS = _flag("CLIENTELA_SMTP_USE_TLS")
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("CLIENTELA_FROM_EMAIL", "clientela@localhost")
# Base URL of the public pages (survey answers, unsubscribe) used in links sent out.
PUBLIC_URL = os.environ.get("CLIENTELA_PUBLIC_URL", "http://localhost:8000")

# SMS through an HTTP gateway (crm/engagement/sms.py).
SMS_GATEWAY = os.environ.get(
    "CLIENTELA_SMS_GATEWAY", "clientela.crm.engagement.sms.HttpJsonGateway"
)
SMS_GATEWAY_URL = os.environ.get("CLIENTELA_SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("CLIENTELA_SMS_GATEWAY_TOKEN", "")
SMS_SENDER = os.environ.get("CLIENTELA_SMS_SENDER", "Clientela")

# Service cases: hours to resolve per priority, e.g. "urgent=4,high=8,normal=24,low=72".
try:
    SERVICE_SLA_HOURS = _hours_by_key(os.environ.get("CLIENTELA_SLA_HOURS", ""))
except ValueError as exc:
    raise ImproperlyConfigured(f"CLIENTELA_SLA_HOURS: {exc}") from None

# --- Production runtime (issue 13): shared cache, several processes, HTTPS behind a proxy ---
# The cache every web process shares (rate limits, login lockouts): the database by default
# (table created by `clientela migrate`), Redis with CLIENTELA_REDIS_URL (pip install redis).
REDIS_URL = os.environ.get("CLIENTELA_REDIS_URL", "").strip()
if REDIS_URL:
    if importlib.util.find_spec("redis") is None:
        raise ImproperlyConfigured(
            "CLIENTELA_REDIS_URL is set but the redis client is not installed: pip install redis"
        )
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "clientela.crm.shared_cache.SharedDatabaseCache",
            "LOCATION": "clientela_cache",
            # Expired entries are deleted first when the table passes this size.
            "OPTIONS": {"MAX_ENTRIES": 50_000, "CULL_FREQUENCY": 3},
        }
    }
# CLIENTELA_PUBLIC_URL, when set, is the site's origin: trusted for CSRF and an allowed host.
_public_url = os.environ.get("CLIENTELA_PUBLIC_URL", "").strip() or None
ALLOWED_HOSTS = allowed_hosts(configured=os.environ.get("CLIENTELA_ALLOWED_HOSTS"), public_url=_public_url)
CSRF_TRUSTED_ORIGINS = [public_origin(_public_url)[0]] if _public_url else []
# CLIENTELA_BEHIND_PROXY=1: a reverse proxy terminates TLS and sets X-Forwarded-Proto,
# X-Forwarded-Host and X-Forwarded-For; the app then sees requests as https (secure
# cookies, HSTS, CSRF origin checks) under the public host, and rate-limits the caller's
# address. Only set it when the app is reachable through the proxy alone.
BEHIND_PROXY = _flag("CLIENTELA_BEHIND_PROXY")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# Background jobs and schedules (crm/jobs; docs/operations.md "Jobs and schedules").
# The queue is django-tasks with its database backend, on the same database as the rest.
INSTALLED_APPS += ["django_tasks", "django_tasks_db", "clientela.crm.jobs", "clientela.crm.imports",
                   "clientela.crm.exports", "clientela.crm.playbooks", "clientela.crm.webhooks"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running job's worker beats every fifth of this; silent this long, the job is taken to
# be lost (worker killed) and retried. Also how long a killed scoring run holds its lease.
JOB_TIMEOUT_SECONDS = int(os.environ.get("CLIENTELA_JOB_TIMEOUT", "300"))
# First retry after this many seconds, doubling per attempt (at most 1 h), up to
# JOB_MAX_ATTEMPTS attempts.
JOB_RETRY_SECONDS = int(os.environ.get("CLIENTELA_JOB_RETRY_SECONDS", "30"))
JOB_MAX_ATTEMPTS = int(os.environ.get("CLIENTELA_JOB_MAX_ATTEMPTS", "5"))
# Exports asked for on the pages and the API (crm/exports): more rows than this are
# written by the worker as a job; every stored export is deleted after EXPORT_KEEP_DAYS.
EXPORT_JOB_ROWS = int(os.environ.get("CLIENTELA_EXPORT_JOB_ROWS", "10000"))
EXPORT_KEEP_DAYS = int(os.environ.get("CLIENTELA_EXPORT_KEEP_DAYS", "7"))
# Days after a survey invitation before its one reminder (the survey-reminders schedule);
# 0: no reminders.
SURVEY_REMINDER_DAYS = int(os.environ.get("CLIENTELA_SURVEY_REMINDER_DAYS", "7"))
# The largest file the import wizard (page and API) takes, in MB (10^6 bytes).
IMPORT_MAX_BYTES = int(os.environ.get("CLIENTELA_IMPORT_MAX_MB", "100")) * 1_000_000
# Import wizard uploads that never ran (drafts) or failed keep the uploaded file (which may
# hold personal data); the purge-imports schedule deletes them after this many days.
IMPORT_DRAFT_KEEP_DAYS = int(os.environ.get("CLIENTELA_IMPORT_DRAFT_KEEP_DAYS", "7"))
# Outbound webhooks (crm/webhooks, docs/webhooks.md): seconds before a receiver that does not
# answer is given up on (the attempt fails and is retried), attempts per delivery, days the
# delivery log is kept, and whether URLs on loopback or private networks are allowed (off:
# the worker would otherwise reach into the network it runs in; on for tests and intranets).
WEBHOOK_TIMEOUT_SECONDS = int(os.environ.get("CLIENTELA_WEBHOOK_TIMEOUT", "10"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("CLIENTELA_WEBHOOK_MAX_ATTEMPTS", "8"))
WEBHOOK_KEEP_DAYS = int(os.environ.get("CLIENTELA_WEBHOOK_KEEP_DAYS", "30"))
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = _flag("CLIENTELA_WEBHOOK_ALLOW_PRIVATE")
# Local time (TIME_ZONE) of the nightly scoring run, "HH:MM".
SCORING_TIME = os.environ.get("CLIENTELA_SCORING_TIME", "02:30")
if not re.fullmatch(r"([01]?[0-9]|2[0-3]):[0-5][0-9]", SCORING_TIME):
    raise ImproperlyConfigured(f"CLIENTELA_SCORING_TIME: {SCORING_TIME!r} is not a time HH:MM")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
