"""Big Care's one settings module, driven by the environment.

With nothing set it runs the demo: SQLite in ``var/``, Celery tasks eager in-process, a development
secret and field keys generated once into ``var/keys.json``. With ``DATABASE_URL`` and
``CELERY_BROKER_URL`` it uses PostgreSQL and real workers. ``BIGCARE_ENV=production`` refuses to
start without real keys from the environment.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from bigcare import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.get_str("BIGCARE_VAR_DIR", str(BASE_DIR / "var")))

PRODUCTION = env.get_str("BIGCARE_ENV", "development") == "production"
DEBUG = env.get_bool("DEBUG", not PRODUCTION)

_keys = env.production_keys() if PRODUCTION else env.development_keys(VAR_DIR / "keys.json")
SECRET_KEY = _keys["secret_key"]
# AES-GCM keys for identity numbers by key id; the first is used to encrypt, all decrypt (rotation).
BIGCARE_FIELD_KEYS: dict[str, bytes] = _keys["field_keys"]
BIGCARE_FIELD_KEY_ID: str = next(iter(BIGCARE_FIELD_KEYS))
# HMAC key of the RRN blind index. Changing it means re-indexing every record.
BIGCARE_INDEX_KEY: bytes = _keys["index_key"]

ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "axes",
    "django_htmx",
    "csp",
    "bigcare",
    "intake",
    "matching",
    "cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Static files from the app itself: city networks are closed, there is no CDN to lean on.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bigcare.middleware.IdleTimeoutMiddleware",
    "bigcare.middleware.NoStoreMiddleware",
    # Axes last, as its documentation asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bigcare.urls"
WSGI_APPLICATION = "bigcare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env.get_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'bigcare.sqlite3'}"),
        conn_max_age=env.get_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the demo server read while an import writes; the timeout rides out short locks.
    # IMMEDIATE: a transaction takes the write lock when it begins, so a concurrent writer waits
    # (up to the timeout) instead of failing with "database is locked" when a read turns into a
    # write inside a transaction that another writer has overtaken (#12 item 15).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"

# Lock out by username only: a community centre's staff share one network address, so locking by
# address would lock out the whole centre after one person's typos.
AXES_FAILURE_LIMIT = env.get_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env.get_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# Deliberate (see above): axes warns when the address is not part of the lockout key.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

SESSION_COOKIE_AGE = 8 * 3600  # one working day
SESSION_IDLE_TIMEOUT = env.get_int("SESSION_IDLE_MINUTES", 20) * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS only outside development: redirect plain HTTP, and tell browsers never to try it (HSTS).
# Behind a proxy that terminates TLS, BIGCARE_TLS_PROXY=true trusts its X-Forwarded-Proto header
# (the proxy must set it and strip the client's); SECURE_SSL_REDIRECT=false leaves the redirect
# to the proxy. /health stays reachable over HTTP for the load balancer's probes.
SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health$"]
SECURE_HSTS_SECONDS = env.get_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.get_bool("BIGCARE_TLS_PROXY", False) else None
)
# Content-Security-Policy (django-csp): this site's own files only, no inline script, style or
# handler (templates attach behaviour from static/bigcare.js), no framing, no plugins (#12 item 15).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Uploaded extracts are sealed (encrypted) chunk by chunk as they arrive: no handler keeps a
# clear copy in a temporary file (intake/uploads.py, docs/intake.md "What is kept").
FILE_UPLOAD_HANDLERS = ["intake.uploads.SealingUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Days an imported file is kept (sealed) for resuming and re-importing, then destroyed.
BIGCARE_IMPORT_FILE_DAYS = env.get_int("BIGCARE_IMPORT_FILE_DAYS", 30)
# An unfinished import with no progress for this long has lost its worker: it may be resumed.
BIGCARE_IMPORT_STALE_SECONDS = env.get_int("BIGCARE_IMPORT_STALE_SECONDS", 120)
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Processes that validate an import's parts while its transaction COPYs the previous ones
# (intake.staging); 0 validates in a thread of the importing process. One per core by default:
# the database server's backend is the import's other busy process.
INTAKE_WORKERS = env.get_int(
    "BIGCARE_INTAKE_WORKERS",
    len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
)

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None  # no anonymous grants, ever

# Celery: eager and in-process unless a broker is configured (DESIGN.md principle 8).
_BROKER = env.get_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not _BROKER
# Eager tasks never reach a broker, but kombu still resolves one: an in-process transport keeps
# it from looking for a server on localhost.
CELERY_BROKER_URL = _BROKER or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.get_int("CELERY_VISIBILITY", 3600)}
# Eligibility screening every night at 02:30 Seoul time, after the evening imports (issue 6).
CELERY_BEAT_SCHEDULE = {
    "screen-eligibility-nightly": {
        "task": "cases.screen_eligibility",
        "schedule": crontab(hour=2, minute=30),
    },
    # After the screening: due dates within three days and the night's new crisis signals.
    "case-alerts-nightly": {
        "task": "cases.nightly_alerts",
        "schedule": crontab(hour=3, minute=0),
    },
    "destroy-expired-import-files": {
        "task": "intake.tasks.destroy_expired_files",
        "schedule": crontab(hour=3, minute=15),
    },
    # The linkage model retrains at 01:45, before screening reads the residents (matching.drift).
    "retrain-linkage-nightly": {
        "task": "matching.tasks.retrain_nightly",
        "schedule": crontab(hour=1, minute=45),
    },
}
# An incremental linkage run whose drift crosses a threshold (matching.drift.THRESHOLDS) is
# followed at once by a retraining run. Off, only the nightly schedule retrains.
LINKAGE_AUTO_RETRAIN = env.get_bool("LINKAGE_AUTO_RETRAIN", True)

# Error pages and mails show no person: variables by type only, identity numbers masked.
DEFAULT_EXCEPTION_REPORTER = "bigcare.error_reports.RedactingExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "bigcare.error_reports.PersonalDataFilter"

# No identity number in any log line (bigcare.logs): a record factory redacts every record of every
# logger; runserver's request log (django.server) and django.request are re-declared here so that
# their handlers format through the redaction too.
LOGGING_CONFIG = "bigcare.logs.configure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_rrn": {"()": "bigcare.logs.RedactRRN"}},
    "formatters": {
        "redacted": {"()": "bigcare.logs.RedactingFormatter"},
        "django.server": {
            "()": "bigcare.logs.RedactingServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_rrn"],
            "formatter": "redacted",
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "filters": ["redact_rrn"],
            "formatter": "django.server",
        },
    },
    "root": {"handlers": ["console"], "level": env.get_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "bigcare": {"level": env.get_str("LOG_LEVEL", "INFO"), "propagate": True},
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
