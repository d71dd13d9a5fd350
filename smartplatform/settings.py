"""Settings for the Smart samhälle platform.

Everything that differs between machines comes from the environment (see the README's
configuration table); nothing here is edited per deployment. The embedded default is a
zero-setup run on one machine: SQLite, a local-memory cache and tasks in-process.
"""

from decimal import Decimal
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from smartplatform.env import env_bool, env_int, env_list, env_str, redis_db_url

# Lets model managers and admin classes be written with their type parameters.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# Production secrets have no default: without DEBUG the key must come from the environment.
SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-only-for-debug" if DEBUG else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
FRONTEND_URL = env_str("FRONTEND_URL", "http://127.0.0.1:8000").rstrip("/")
# This backend's own public address, for links in emails to the pages it serves itself (the
# signed answer page of a catalogue contact request).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# How many reverse proxies stand in front of the web processes. One rule for the client's
# address everywhere: throttling reads it from X-Forwarded-For only this many hops deep.
NUM_PROXIES = env_int("NUM_PROXIES", 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "allauth.usersessions",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "axes",
    "smartplatform.core",
    "smartplatform.accounts",
    "smartplatform.organisations",
    "smartplatform.assistance",
    "catalogue",
    "exchange",
    "matching",
    "notifications",
]

MIDDLEWARE = [
    "smartplatform.core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "smartplatform.core.middleware.ApiEdgeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smartplatform.urls"
WSGI_APPLICATION = "smartplatform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "smartplatform" / "templates"],
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

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no row locks: every write transaction takes the database lock up front
    # (IMMEDIATE), so two writers queue instead of failing half-way, and a writer waits up to
    # 20 seconds for the lock. WAL lets readers carry on while one writer works.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache in database 1, broker in database 0 ---------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_db_url(REDIS_URL, 1),
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "sp"),
            "OPTIONS": {
                # A cache outage must not turn throttled requests into 500s.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# Sessions stay in the database, so a cache outage logs nobody out.
SESSION_ENGINE = "smartplatform.core.sessions"

# --- Celery ---------------------------------------------------------------------------------
# The broker switch: with no broker URL, tasks and the event relay run in-process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", redis_db_url(REDIS_URL, 0) if REDIS_URL else "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
# The soft limit raises inside the task so it can clean up before the hard kill.
CELERY_TASK_SOFT_TIME_LIMIT = max(CELERY_TASK_TIME_LIMIT - 30, CELERY_TASK_TIME_LIMIT * 9 // 10)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# An unacknowledged task is handed to another worker after this long. Every countdown,
# ETA and retry back-off stays below it (a system check, smartplatform.E001, holds that line),
# or a delayed task would be delivered twice.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Workers look for the tasks of a dead worker every 10 s (one cheap Redis scan), so a
    # task whose worker was killed runs again just after the visibility timeout.
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# Publishing gives up quickly when the broker is away; the caller decides what that means.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TIMEZONE = "Europe/Stockholm"
CELERY_BEAT_SCHEDULE = {
    "sweep-event-outbox": {
        # The relay loop delivers events as they come; this sweep is the safety net that
        # re-sends anything the loop missed, e.g. while it was restarting.
        "task": "core.relay_events",
        "schedule": 30.0,
    },
    "purge-expired-idempotency-keys": {
        "task": "core.purge_idempotency_keys",
        "schedule": 3600.0,
    },
    "follow-up-catalogue-contact-requests": {
        "task": "catalogue.follow_up_contact_requests",
        "schedule": 3600.0,
    },
    "tell-moderators-of-waiting-items": {
        "task": "exchange.tell_moderators_of_waiting_items",
        "schedule": crontab(hour=8, minute=0),
    },
    "expire-listings": {
        "task": "exchange.expire_listings",
        "schedule": crontab(hour=6, minute=0),
    },
    "complete-past-bookings": {
        "task": "exchange.complete_past_bookings",
        "schedule": 3600.0,
    },
    "remind-tomorrows-bookings": {
        "task": "exchange.remind_tomorrows_bookings",
        "schedule": crontab(hour=17, minute=0),
    },
    "complete-silent-exchanges": {
        "task": "exchange.complete_silent_exchanges",
        "schedule": 3600.0,
    },
    "send-daily-notification-digests": {
        "task": "notifications.send_digests",
        "schedule": crontab(hour=7, minute=0),
        "args": ("daily",),
    },
    "send-weekly-notification-digests": {
        "task": "notifications.send_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week=1),
        "args": ("weekly",),
    },
    "resend-overdue-notification-emails": {
        # Emails whose task was lost (a broker away at the commit) or is overdue go out again.
        "task": "notifications.sweep_deliveries",
        "schedule": 300.0,
    },
    "recompute-matches": {
        # The whole marketplace matched again with the current engine, at night.
        "task": "matching.recompute_all",
        "schedule": crontab(hour=3, minute=15),
    },
    "ask-editors-to-confirm-catalogue-contacts": {
        "task": "catalogue.request_contact_confirmations",
        "schedule": crontab(hour=7, minute=30),
    },
}

# --- Domain events --------------------------------------------------------------------------
EVENT_RELAY_POLL_SECONDS = float(env_str("EVENT_RELAY_POLL_SECONDS", "0.5"))
EVENT_RELAY_BATCH_SIZE = env_int("EVENT_RELAY_BATCH_SIZE", 100)
# A delivery handed to the broker and not done after this long is handed over again
# (its message may have been lost with a Redis that kept no append-only file).
EVENT_DELIVERY_LEASE_SECONDS = env_int("EVENT_DELIVERY_LEASE_SECONDS", 900)
EVENT_DELIVERY_MAX_ATTEMPTS = env_int("EVENT_DELIVERY_MAX_ATTEMPTS", 10)
# /healthz/dependencies reports the relay as down when an event has waited longer than this.
EVENT_RELAY_MAX_LAG_SECONDS = env_int("EVENT_RELAY_MAX_LAG_SECONDS", 300)
# In the embedded setup the relay runs in the web process right after each commit.
EVENT_RELAY_IN_PROCESS = env_bool("EVENT_RELAY_IN_PROCESS", CELERY_TASK_ALWAYS_EAGER)

# --- Notifications --------------------------------------------------------------------------
# Email deliveries: tries before a delivery is given up as failed, and the longest back-off
# between two tries (below CELERY_VISIBILITY_TIMEOUT, checked by smartplatform.E001).
NOTIFICATION_EMAIL_MAX_ATTEMPTS = env_int("NOTIFICATION_EMAIL_MAX_ATTEMPTS", 8)
NOTIFICATION_RETRY_BASE_SECONDS = float(env_str("NOTIFICATION_RETRY_BASE_SECONDS", "30"))
NOTIFICATION_RETRY_MAX_SECONDS = env_int("NOTIFICATION_RETRY_MAX_SECONDS", 1800)
# A send holds its email, digest or webhook for this long (an attempt is counted first): a
# second task for it waits that out, and so does the retry of a send whose worker died.
# More than CELERY_TASK_TIME_LIMIT (smartplatform.E002 holds that line).
NOTIFICATION_SEND_LEASE_SECONDS = env_int("NOTIFICATION_SEND_LEASE_SECONDS", 600)
# Emails per sending task: one SMTP connection serves a chunk.
NOTIFICATION_EMAIL_CHUNK = env_int("NOTIFICATION_EMAIL_CHUNK", 50)
# Webhooks: tries before a delivery fails; plain http:// only for local development and tests.
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", False)
# Where the links in emails lead: the front end's pages for each kind of subject.
NOTIFICATION_FRONTEND_PATHS = {
    "exchange": f"{FRONTEND_URL}/exchanges/{{id}}",
    "booking": f"{FRONTEND_URL}/bookings/{{id}}",
    "listing": f"{FRONTEND_URL}/listings/{{id}}",
    "organisation": f"{FRONTEND_URL}/organisations/{{organisation_slug}}",
    "moderation": f"{SITE_URL}/admin/exchange/moderationqueueitem/",
    "announcement": f"{FRONTEND_URL}/announcements/{{id}}",
    "contact_request": f"{FRONTEND_URL}/catalogue/contact-requests/{{id}}",
}

# --- Idempotency-Key ------------------------------------------------------------------------
IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 3600
# A first request that has not finished after this long is presumed dead: its key is free.
IDEMPOTENCY_LEASE_SECONDS = env_int("IDEMPOTENCY_LEASE_SECONDS", 60)

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # locks out password guessing at the admin
    "django.contrib.auth.backends.ModelBackend",  # the admin's login form
    "allauth.account.auth_backends.AuthenticationBackend",  # the API's sign-in
]

# django-allauth, headless: the API signs people up and in; there are no HTML pages.
HEADLESS_ONLY = True
HEADLESS_CLIENTS = ("browser", "app")
HEADLESS_SERVE_SPECIFICATION = True
HEADLESS_SPECIFICATION_TEMPLATE_NAME = "headless/spec/redoc_offline.html"
# Emails carry codes, not links; these documented addresses are where a front end would
# show the rare link allauth still sends (a social sign-in error).
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": f"{FRONTEND_URL}/account/verify-email/{{key}}",
    "account_reset_password": f"{FRONTEND_URL}/account/password/reset",
    "account_reset_password_from_key": f"{FRONTEND_URL}/account/password/reset/key/{{key}}",
    "account_signup": f"{FRONTEND_URL}/account/signup",
    "socialaccount_login_error": f"{FRONTEND_URL}/account/provider/callback",
}
ACCOUNT_ADAPTER = "smartplatform.accounts.adapter.AccountAdapter"
HEADLESS_ADAPTER = "smartplatform.accounts.adapter.HeadlessAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "smartplatform.accounts.forms.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Smart samhälle: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# allauth's rate limits stay on (its defaults: e.g. 20 sign-ups a minute per address) and
# count in the shared cache, so every web process sees the same counts.
USERSESSIONS_TRACK_ACTIVITY = True
ALLAUTH_TRUSTED_PROXY_COUNT = NUM_PROXIES

# The admin's own sign-in form: five wrong passwords for one address from one client lock
# that pair out for an hour (the API's sign-in has allauth's rate limits instead).
AXES_ONLY_ADMIN_SITE = True
AXES_HANDLER = "smartplatform.accounts.admin_lockout.AdminOnlyAxesHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hour
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "smartplatform.core.clientip.client_ip"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

# Optional sign-in for municipal staff through OpenID Connect, e.g. Microsoft Entra ID:
# OIDC_SERVER_URL=https://login.microsoftonline.com/<tenant id>/v2.0 with the app
# registration's client id and secret. Off while OIDC_SERVER_URL is empty.
OIDC_SERVER_URL = env_str("OIDC_SERVER_URL", "")
SOCIALACCOUNT_ADAPTER = "smartplatform.accounts.social.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS: dict[str, Any] = {}
if OIDC_SERVER_URL:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": env_str("OIDC_PROVIDER_ID", "entra"),
                "name": env_str("OIDC_NAME", "Microsoft Entra ID"),
                "client_id": env_str("OIDC_CLIENT_ID"),
                "secret": env_str("OIDC_CLIENT_SECRET"),
                "settings": {"server_url": OIDC_SERVER_URL},
            }
        ],
    }
# An identity provider's sign-in never takes over an existing account just because the
# addresses match (allauth's default, kept on purpose): a staff member connects it while
# signed in, or their first provider sign-in creates their account.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Smart samhälle"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env_bool("STATIC_MANIFEST", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# --- Request limits -------------------------------------------------------------------------
# Bodies above this are refused with 413 before they are read.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BODY_BYTES", 1024 * 1024)
# File uploads (a picture) may be larger; they are streamed to disk, not held in memory.
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 5 * 1024 * 1024)

# --- Email ----------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Smart samhälle <noreply@smartsamhalle.se>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "smartplatform.core.authentication.SessionAuthentication",
        "smartplatform.core.authentication.SessionTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["smartplatform.core.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "smartplatform.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "smartplatform.core.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("THROTTLE_ANON_RATE", "120/min"),
        "user": env_str("THROTTLE_USER_RATE", "600/min"),
        "assisted_claim": env_str("THROTTLE_CLAIM_RATE", "10/hour"),
        "invitations": env_str("THROTTLE_INVITATION_RATE", "60/hour"),
        "contact_requests": env_str("THROTTLE_CONTACT_REQUEST_RATE", "10/hour"),
    },
    "NUM_PROXIES": NUM_PROXIES,
    "EXCEPTION_HANDLER": "smartplatform.core.errors.api_exception_handler",
    "DEFAULT_METADATA_CLASS": "smartplatform.core.metadata.EndpointMetadata",
    "DEFAULT_SCHEMA_CLASS": "smartplatform.core.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Smart samhälle API",
    "DESCRIPTION": (
        "The catalogue of the Familjen Helsingborg municipalities' smart-society projects and "
        "the exchange where municipalities and residents offer and request expertise, "
        "services, shared cars and meeting spaces. Every 4xx answer has the shape "
        "`{code, message, fields}`; `code` is stable and listed per operation."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "smartplatform.organisations.models.Organisation.Kind",
        "LinkKindEnum": "catalogue.models.ProjectLink.Kind",
        "ListingCompensationEnum": "exchange.models.Listing.Compensation",
        "ListingKindEnum": "exchange.models.Listing.Kind",
        "ListingCategoryEnum": "exchange.models.Listing.Category",
        "BusyReasonEnum": ["booked", "buffer", "blackout"],
        "ReportReasonEnum": "exchange.models.Report.Reason",
        "NotificationTypeEnum": "notifications.types.TYPE_CHOICES",
        "NotificationFrequencyEnum": "notifications.models.Frequency",
        "MunicipalityCodeEnum": "smartplatform.organisations.serializers.MUNICIPALITY_CODES",
        "MunicipalityKeyEnum": "smartplatform.organisations.serializers.MUNICIPALITY_KEYS",
    },
}

# --- Security (production defaults; DEBUG relaxes what plain HTTP on localhost needs) ------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if NUM_PROXIES else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every response, the admin, the API docs and the few HTML pages among them: scripts only from
# this site's own files (no inline script anywhere: the API docs load theirs from a URL),
# nothing framed, forms posted only here. Styles may be inline: the admin and the docs'
# bundles set style attributes, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],  # the authentication API's ReDoc parses in a worker
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Catalogue ------------------------------------------------------------------------------
# A contact request still unanswered this many working days after it was sent is sent again
# as a reminder; this many working days after the reminder the organisation's editors are told.
CATALOGUE_REMINDER_WORKING_DAYS = env_int("CATALOGUE_REMINDER_WORKING_DAYS", 5)
CATALOGUE_ESCALATION_WORKING_DAYS = env_int("CATALOGUE_ESCALATION_WORKING_DAYS", 3)
# How long the signed answer link in a contact request's email works.
CATALOGUE_ANSWER_LINK_DAYS = env_int("CATALOGUE_ANSWER_LINK_DAYS", 180)
# Editors are asked to confirm a contact this many days after it was last confirmed.
CATALOGUE_CONTACT_CONFIRMATION_DAYS = env_int("CATALOGUE_CONTACT_CONFIRMATION_DAYS", 365)

# --- Exchange and time bank -----------------------------------------------------------------
# How far below zero a member's or organisation's available hours may go (0 or less).
TIMEBANK_CREDIT_FLOOR_HOURS = env_str("TIMEBANK_CREDIT_FLOOR_HOURS", "-10")
try:
    if Decimal(TIMEBANK_CREDIT_FLOOR_HOURS) > 0:
        raise ImproperlyConfigured("TIMEBANK_CREDIT_FLOOR_HOURS must be 0 or less.")
except ArithmeticError as exc:
    raise ImproperlyConfigured("TIMEBANK_CREDIT_FLOOR_HOURS must be a number, e.g. -10.") from exc
# An exchange one side confirmed as done completes this many days later unless the other side
# disputed it.
EXCHANGE_AUTO_COMPLETE_DAYS = env_int("EXCHANGE_AUTO_COMPLETE_DAYS", 14)

# --- Demo -----------------------------------------------------------------------------------
DEMO_ADMIN_EMAIL = env_str("DEMO_ADMIN_EMAIL", "admin@example.com")
DEMO_ADMIN_PASSWORD = env_str("DEMO_ADMIN_PASSWORD", "demo-admin-2026")
DEMO_RESIDENT_PASSWORD = env_str("DEMO_RESIDENT_PASSWORD", "demo-resident-2026")

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    # Links that carry a secret in their URL are logged without it (core/logfilters.py).
    "filters": {"secrets": {"()": "smartplatform.core.logfilters.RedactSecrets"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["secrets"]}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django_redis": {"level": "ERROR"},
    },
}
