"""Django settings for OneVisit. Every deployment knob is an environment variable (see .env.example)."""

import json
from pathlib import Path

import dj_database_url

from onevisit.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ONEVISIT_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "onevisit-insecure-development-key-change-me-in-production")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", ["http://127.0.0.1:8000", "http://localhost:8000"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "onevisit.accounts",
    "onevisit.history",
    "onevisit.orgs",
    "onevisit.workdays",
    "onevisit.catalog",
    "onevisit.cases",
    "onevisit.notifications",
    "onevisit.documents",
    "onevisit.portal",
    "onevisit.datahub",
    "onevisit.licences",
    "onevisit.rules",
    "onevisit.archive",
    "onevisit.payments",
    "onevisit.appointments",
    "onevisit.console",
    "onevisit.queue",
    "onevisit.mandates",
    "onevisit.events",
    "onevisit.scale",
]

# The demo data (manage.py load_demo) is an app a production deployment can leave out.
if env_bool("ONEVISIT_DEMO_APP", True):
    INSTALLED_APPS.append("onevisit.demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "onevisit.scale.replica.ReplicaMiddleware",
]

ROOT_URLCONF = "onevisit.urls"
WSGI_APPLICATION = "onevisit.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "onevisit" / "templates"],
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

# The embedded default is an SQLite file in WAL mode; production and CI point DATABASE_URL at PostgreSQL.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'onevisit.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME", "") or None}
else:
    DATABASES["default"]["TEST"] = {"NAME": env_str("PG_TEST_NAME", "") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("ONEVISIT_STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("ONEVISIT_MEDIA_ROOT", str(VAR_DIR / "media")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"

LOGIN_URL = "/admin/login/"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Working-day calendar: what to do with a date in a year that has no loaded arrangement.
# "error" (default) refuses; "weekdays" counts Monday-Friday and marks the result provisional.
# Only an operator may choose the second, explicitly.
WORKDAYS_UNKNOWN_YEAR_POLICY = env_str("ONEVISIT_WORKDAYS_UNKNOWN_YEAR_POLICY", "error")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # The demo SMS gateway only logs: its messages (sign-in codes, case notices) must reach the console.
    "loggers": {"onevisit.notifications": {"level": "INFO"}},
}

# Portal: notifications, citizen sign-in, documents.
TEMPLATES[0]["OPTIONS"]["context_processors"].append("onevisit.portal.context.portal")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "OneVisit 政务服务 <noreply@onevisit.localhost>")
ONEVISIT_SMS_GATEWAY = env_str("ONEVISIT_SMS_GATEWAY", "onevisit.notifications.backends.LoggingSmsGateway")
# Public address used in QR codes and notices (the case status page is under it).
ONEVISIT_PUBLIC_URL = env_str("ONEVISIT_PUBLIC_URL", "http://127.0.0.1:8000")
# Citizen sign-in: the demo provider is on unless switched off; OIDC is on when its issuer is set.
ONEVISIT_DEMO_SIGNIN = env_bool("ONEVISIT_DEMO_SIGNIN", True)
ONEVISIT_OIDC_ISSUER = env_str("ONEVISIT_OIDC_ISSUER", "")
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
if ONEVISIT_OIDC_ISSUER:
    from onevisit.portal.oidc_settings import *  # noqa: E402,F403

    AUTHENTICATION_BACKENDS.append("onevisit.portal.oidc.CitizenOIDCBackend")

# Cases: share of the promised time after which a case turns yellow; upload limits (type by content).
# Case numbers on PostgreSQL are taken on a connection of their own (autocommit), so submissions of one item
# never wait on each other's counter row; a failed submission leaves a gap (docs/decisions/0003).
ONEVISIT_NUMBERS_OUTSIDE_TRANSACTION = env_bool("ONEVISIT_NUMBERS_OUTSIDE_TRANSACTION", True)
ONEVISIT_NOTICE_DAYS = env_int("ONEVISIT_NOTICE_DAYS", 10)  # working days to answer a one-time notice
ONEVISIT_WARNING_SHARE = float(env_str("ONEVISIT_WARNING_SHARE", "0.8"))
ONEVISIT_UPLOAD_MAX_BYTES = env_int("ONEVISIT_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
ONEVISIT_UPLOAD_TYPES = env_list(
    "ONEVISIT_UPLOAD_TYPES", ["application/pdf", "image/png", "image/jpeg", "application/ofd"]
)
# Data hub: per-resource external providers as JSON ({"death": {"class": "...HttpProvider", "base_url": ...}}),
# and how long a worker may cache a sharing permission (0 = never; a revocation waits at most this long).
DATAHUB_PROVIDERS = json.loads(env_str("ONEVISIT_DATAHUB_PROVIDERS", "{}"))
DATAHUB_PERMISSION_CACHE_SECONDS = env_int("ONEVISIT_DATAHUB_PERMISSION_CACHE_SECONDS", 0)
# E-licences: departments' private signing keys are stored encrypted with a key derived from this value.
KEY_ENCRYPTION_KEY = env_str("ONEVISIT_KEY_ENCRYPTION_KEY", "onevisit-development-key-encryption-key-change-me")
LICENCE_SIGNER = env_str("ONEVISIT_LICENCE_SIGNER", "onevisit.licences.signing.TongsuoSm2Signer")
# Project-wide static files (base stylesheet) live in onevisit/static, outside any app.
STATICFILES_DIRS = [BASE_DIR / "onevisit" / "static"]
# Past one machine (docs/decisions/0020, 0021; docs/scaling.md). Without any of these variables the platform
# runs as the embedded default: events published in-process, tasks run in-process, no broker, no Redis.
# RabbitMQ (events to department systems, and the task queue): e.g. amqp://guest:guest@127.0.0.1:5672/onevisit
ONEVISIT_AMQP_URL = env_str("ONEVISIT_AMQP_URL", "")
# "inprocess": each commit publishes its events itself (embedded default); "process": `manage.py run_publisher`
ONEVISIT_EVENTS_PUBLISHER = env_str("ONEVISIT_EVENTS_PUBLISHER", "inprocess")
ONEVISIT_EVENTS_EXCHANGE = env_str("ONEVISIT_EVENTS_EXCHANGE", "onevisit.events")
ONEVISIT_EVENTS_SOURCE = env_str("ONEVISIT_EVENTS_SOURCE", "/onevisit")
ONEVISIT_OUTBOX_SHARDS = env_int("ONEVISIT_OUTBOX_SHARDS", 16)  # change only with the publishers stopped, drained
ONEVISIT_EVENTS_RETENTION_DAYS = env_int("ONEVISIT_EVENTS_RETENTION_DAYS", 30)
ONEVISIT_BENCH_WITHOUT_OUTBOX = env_bool("ONEVISIT_BENCH_WITHOUT_OUTBOX", False)  # the outbox's A/B cost only
ONEVISIT_WEBHOOK_TIMEOUT = float(env_str("ONEVISIT_WEBHOOK_TIMEOUT", "5"))
ONEVISIT_WEBHOOK_MAX_ATTEMPTS = env_int("ONEVISIT_WEBHOOK_MAX_ATTEMPTS", 12)
ONEVISIT_WEBHOOK_BACKOFF_BASE = float(env_str("ONEVISIT_WEBHOOK_BACKOFF_BASE", "1"))
ONEVISIT_WEBHOOK_BACKOFF_MAX = float(env_str("ONEVISIT_WEBHOOK_BACKOFF_MAX", "300"))
ONEVISIT_WEBHOOK_LEASE_SECONDS = float(env_str("ONEVISIT_WEBHOOK_LEASE_SECONDS", "15"))
ONEVISIT_WEBHOOK_ALLOW_HTTP = env_bool("ONEVISIT_WEBHOOK_ALLOW_HTTP", True)  # department intranets often lack TLS
# Celery (onevisit/celery.py): the broker is RabbitMQ; without one every task runs in-process at once.
CELERY_BROKER_URL = env_str("ONEVISIT_TASKS_BROKER_URL", ONEVISIT_AMQP_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True  # acknowledged after the task ran: a killed worker's task is delivered again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = env_str("ONEVISIT_TASKS_QUEUE", "onevisit.tasks")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "run-due-reactions": {"task": "onevisit.run_due_reactions", "schedule": 30.0},
    "webhooks-due": {"task": "onevisit.webhooks_due", "schedule": 5.0},
    "retry-notifications": {"task": "onevisit.retry_notifications", "schedule": 60.0},
    "flag-overdue-gaps": {"task": "onevisit.flag_overdue_gaps", "schedule": 3600.0},
    "ensure-partitions": {"task": "onevisit.ensure_partitions", "schedule": 86400.0},
    "prune-outbox": {"task": "onevisit.prune_outbox", "schedule": 86400.0},
}
# Who runs the seam's after-commit reactions and sends stored notifications: in-process after the commit
# (default), or "onevisit.events.tasks.dispatch_reactions" / "...dispatch_notification" (the task queue).
ONEVISIT_REACTION_DISPATCHER = env_str("ONEVISIT_REACTION_DISPATCHER", "")
ONEVISIT_NOTIFICATION_DISPATCHER = env_str("ONEVISIT_NOTIFICATION_DISPATCHER", "")
# A streaming replica for dashboards, public pages and indicators (onevisit/scale/replica.py); never worklists
# or anything that must read its own writes. Tests mirror it to the default database unless a test points it at
# the real replica (tests/scale/test_replica.py).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["onevisit.scale.replica.ReplicaRouter"]
ONEVISIT_REPLICA_VIEWS = env_list("ONEVISIT_REPLICA_VIEWS", [
    "portal:home", "portal:search", "catalog:home", "catalog:item_guide", "catalog:bundle_guide", "datahub-sharing",
    "console:supervisor",
])
ONEVISIT_REPLICA_PIN_SECONDS = env_int("ONEVISIT_REPLICA_PIN_SECONDS", 10)
# Redis (REDIS_URL): the cache (sign-in limits, the data hub's permission cache, rate limits) and the sessions,
# shared by every node. Without it: the default cache and database sessions.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": env_str("ONEVISIT_CACHE_PREFIX", "onevisit")}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # read from Redis, kept in the database too
