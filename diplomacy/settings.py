"""Settings for the diplomacy forum.

One module, configured from the environment. Every knob is read once here,
with a default that is safe for a developer's machine; the README lists them.
"""

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def local_secret_key() -> str:
    """A key generated once and kept in a git-ignored file: for development, and for
    `manage.py serve_lan` (a teacher's laptop), which passes it with debug off."""
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = local_secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "forum.apps.ForumAdminConfig",  # django.contrib.admin, with the moderation desk first
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "csp",  # django-csp: its system checks catch a policy written in the pre-4.0 format
    "django_tasks",  # the backport of Django 6.0's django.tasks
    "django_tasks_db",  # its database backend and `manage.py db_worker`
    "rest_framework",  # the API under /api/v1/ (forum/views/api.py)
    "drf_spectacular",  # its OpenAPI 3 schema
    "drf_spectacular_sidecar",  # Swagger UI's files, served as our own static files: no CDN
    "lti_tool",  # django-lti: platform registrations, deployments, keys; launches and NRPS/AGS (forum/services/lti.py)
    "forum",
]

MIDDLEWARE = [
    # Outermost: the request id and one log line per request, timed around everything below (forum/requestlog.py).
    "forum.requestlog.RequestLogMiddleware",
    # /healthz, answered before host checks, the HTTPS redirect and sessions (forum/health.py).
    "forum.health.HealthCheckMiddleware",
    # Then, so it compresses what every other middleware has written (with Django's BREACH mitigation).
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "forum.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The reader's language (its cookie, else Accept-Language): after sessions, before CommonMiddleware.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After it, so it answers first: pages of a session begun by an LTI launch may be framed by that platform.
    "forum.middleware.LtiFrameMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "forum.caching.ContentVersionMiddleware",
    "forum.middleware.ChoosePasswordMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "diplomacy.urls"
WSGI_APPLICATION = "diplomacy.wsgi.application"

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
                "forum.context_processors.notifications",
            ],
        },
    },
]

# Database: SQLite in the checkout unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE transactions
    # take the write lock up front, so concurrent writers wait (up to the
    # timeout) instead of failing with "database is locked" half-way through.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file too: an in-memory database shared between threads reports
    # "table is locked" at once instead of waiting, so concurrency could not be tested.
    # One file per test process, so two test runs on one machine never meet.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"forum-test-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Counters every process shares (rate limits, the content version that makes cached pages stale):
# Redis when REDIS_URL is set, else this SQLite file, shared by the processes of this machine (forum/shared.py).
SHARED_STATE_PATH = Path(os.environ.get("DJANGO_SHARED_STATE_PATH") or BASE_DIR / "shared-state.sqlite3")

# Cache: Redis when REDIS_URL is set (shared by every process), else local memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Fails open (forum/cache_backends.py): with Redis gone, pages are served uncached and writes go on.
    CACHES = {
        "default": {
            "BACKEND": "forum.cache_backends.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    # Sessions in the database with Redis in front: members stay logged in when Redis goes away.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Each process's own copy of what never changes under its key (pages keyed by the content version,
# comment cards keyed by what they show), in front of the shared cache: a hit costs no round trip.
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "forum-local",
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

AUTH_USER_MODEL = "forum.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "forum:home"
LOGOUT_REDIRECT_URL = "forum:home"

# The client's address: how many reverse proxies stand in front of the app
# (0: the socket's address; never a header the client could forge).
TRUSTED_PROXIES = int(os.environ.get("DJANGO_TRUSTED_PROXIES", "0"))

# Failed logins: five in a row for one username from one address lock that
# username at that address for 15 minutes; its classmates behind the same
# school address can still log in. A success clears that pair only.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "forum.client_ip.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Against password spraying (many usernames, a few tries each): this many failed
# logins from one address, whoever they were for, refuse every login from it
# until the 15-minute window ends (counted in the cache: forum/ratelimit.py).
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "100"))

# The interface in three languages (README: "Languages"): each named in its own language, so a reader
# finds theirs whatever the page is in. The choice is kept in the language cookie for a year.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files need collectstatic; a developer's runserver
    # serves the plain files straight from static/.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Background tasks (django-tasks with django-tasks-db's backend). "database": each task is a row in the
# database that `manage.py db_worker` runs, so the request never waits for it (production: DATABASE_URL
# set, debug off). "immediate": it runs at once in the process that enqueued it, so a developer's
# `make run` and a teacher's laptop need no worker.
TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND = os.environ.get("DJANGO_TASKS_BACKEND") or (
    "database" if os.environ.get("DATABASE_URL") and not DEBUG else "immediate"
)
if TASKS_BACKEND not in TASKS_BACKENDS:
    raise ImproperlyConfigured(f"DJANGO_TASKS_BACKEND must be one of {', '.join(TASKS_BACKENDS)}.")
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[TASKS_BACKEND]}}

# Email: every message is queued as a task (forum/mail.py); the task sends it with EMAIL_DELIVERY_BACKEND,
# SMTP when a host is given, else the console, and tries a failed send again after each of these delays.
EMAIL_BACKEND = "forum.mail.QueuedEmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    # A server that accepts the connection and then hangs must not hold the worker forever.
    EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
else:
    EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_RETRY_DELAYS = [60, 300, 1800]  # seconds: four attempts over about 36 minutes
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "forum@localhost")

# HTTPS: on by default whenever debug is off. Behind a proxy that ends TLS,
# set DJANGO_PROXY_SSL_HEADER=1 so Django trusts X-Forwarded-Proto.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("DJANGO_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# A learning platform (LTI) shows the forum in an iframe of its own site: the browser sends the session and CSRF
# cookies there only if they are SameSite=None, which browsers accept only with Secure, so over HTTPS.
# Django's CSRF token and Origin checks still guard every POST. DJANGO_LTI_IFRAME_COOKIES=0 keeps them Lax.
LTI_IFRAME_COOKIES = env_bool("DJANGO_LTI_IFRAME_COOKIES", HTTPS) and HTTPS
SESSION_COOKIE_SAMESITE = "None" if LTI_IFRAME_COOKIES else "Lax"
CSRF_COOKIE_SAMESITE = "None" if LTI_IFRAME_COOKIES else "Lax"
# Origins that may frame the forum's LTI pages besides those a launch's signed claims name (the platform's own
# site): for a platform whose pages live on another host than its issuer, e.g. "https://school.instructure.com".
LTI_FRAME_ORIGINS = env_list("DJANGO_LTI_FRAME_ORIGINS", "")

# Content-Security-Policy (django-csp): scripts, styles, fonts and requests from this site only. No inline
# <script>, no on* handler, no style="" attribute and no <style> element anywhere: scripts live in static/js/,
# result bars take their width from a class (forum_tags.bar_width), and htmx's indicator styles are in site.css
# (its <meta name="htmx-config"> turns off the <style> it would add). Images: this site, and the data: URLs
# Bootstrap's CSS draws its icons with; the QR code is inline SVG, which is no image request at all.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
# The API (README: "API"): a member's token (Authorization: Bearer ...) or their session, whose writes need the
# CSRF token as the site's forms do. JSON in and out; a service's ValidationError is a 400, a rate limit a 429.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "forum.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "forum.api.schema.ForumAutoSchema",
    "EXCEPTION_HANDLER": "forum.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Peace Talks Forum API",
    "DESCRIPTION": "Articles, topics, the public discussion and the factor results; with a token, posting "
    "comments and ranking the factors, under the site's rules. Make a token on your account settings page.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Powerful browser features the site never uses, switched off for it and anything it could embed
# (forum.middleware.PermissionsPolicyMiddleware; `browsing-topics` replaced the retired `interest-cohort`).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"

# Logs go to stderr (journald, or the files `make prod-up` writes). Every record carries the id of the request
# it was written in (forum/requestlog.py); `forum.request` writes one JSON line per request, at INFO.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "forum.requestlog.RequestIdFilter"}},
    "formatters": {
        "console": {"format": "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s"},
        "line": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "console"},
        "requests": {"class": "logging.StreamHandler", "formatter": "line"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {
        "forum.request": {
            "handlers": ["requests"],
            "level": os.environ.get("DJANGO_REQUEST_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
    },
}

# Errors to Sentry, only when a DSN is given (sentry-sdk; its Django integration is switched on by itself).
# No personal data is sent: no cookies, no user names, no addresses.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,
    )
