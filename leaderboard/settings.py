"""The one settings module, configured from environment variables.

DATABASE_URL         database URL; default: an SQLite file, db.sqlite3, in the project
DJANGO_SECRET_KEY    required unless DJANGO_DEBUG is on
DJANGO_DEBUG         "1"/"true"/"yes"/"on" turns debug on; off by default
DJANGO_ALLOWED_HOSTS comma-separated host names; default: localhost, 127.0.0.1, [::1]
DJANGO_HTTPS         "1" behind a TLS-terminating proxy that sets X-Forwarded-Proto:
                     redirect to https, secure cookies, HSTS
REDIS_URL            a Redis server shared by every worker for the page cache;
                     default: each process caches in its own memory
DJANGO_CONN_MAX_AGE  seconds to keep database connections open; default 60
DJANGO_QUERY_TIMEOUT_MS  milliseconds a query of the served site may run (503 past
                     it); 0, the default, is no limit; `make run` sets 10000
DJANGO_TRUSTED_PROXIES  how many proxies in front append to X-Forwarded-For (the
                     login lockout counts the address the outermost one saw);
                     default 0: the connection's own address
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent

# Where the texts that sources quote from are kept.
SEEDS_DIR = BASE_DIR / "seeds"


def env_flag(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # One line, no traceback: say which variable to set.
        raise SystemExit("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for local development).")
    # Only ever used with debug on, on a developer's machine.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    # Before staticfiles, so runserver serves static files the way production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tables2",
    "django_filters",
    "simple_history",
    "import_export",
    "axes",
    "leaderboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "leaderboard.web.middleware.StaticCSPMiddleware",
    "leaderboard.web.middleware.PermissionsPolicyMiddleware",
    # Records which editor made each change in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: locks out repeated failed admin logins.
    "axes.middleware.AxesMiddleware",
    # A query past DJANGO_QUERY_TIMEOUT_MS becomes a 503 that says so.
    "leaderboard.web.query_limits.QueryTimeoutMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "leaderboard.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "leaderboard.web.context_processors.data_changed",
            ],
        },
    },
]

WSGI_APPLICATION = "leaderboard.wsgi.application"

DATABASES = {
    # An empty DATABASE_URL means the default, as an unset one does.
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Safe under concurrency: readers never wait for a writer (WAL), a writer takes
    # its lock when its transaction starts (IMMEDIATE) and waits up to 20 s for another.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

# Each query of the served site gets this long (``make run`` sets 10 s); 0 is no
# limit, for management commands such as a restore.
QUERY_TIMEOUT_MS = int(os.environ.get("DJANGO_QUERY_TIMEOUT_MS", "0"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and QUERY_TIMEOUT_MS:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"options": f"-c statement_timeout={QUERY_TIMEOUT_MS}"}
    )

# Past days' copies of the data kept for ?as_of= pages (``reading.as_of``); older ones
# are dropped, and rebuilt if asked for again.
AS_OF_SNAPSHOTS_KEPT = int(os.environ.get("DJANGO_AS_OF_SNAPSHOTS_KEPT", "8"))
# Copies built by requests in an hour; past it a day not yet copied answers 503.
AS_OF_BUILDS_PER_HOUR = int(os.environ.get("DJANGO_AS_OF_BUILDS_PER_HOUR", "12"))

# Submissions anyone may send (``web.throttle``): kept ones per client address and
# overall in an hour, and refused attempts per address.
SUBMISSIONS_PER_HOUR_PER_CLIENT = int(
    os.environ.get("DJANGO_SUBMISSIONS_PER_HOUR_PER_CLIENT", "5")
)
SUBMISSIONS_PER_HOUR = int(os.environ.get("DJANGO_SUBMISSIONS_PER_HOUR", "100"))
SUBMISSION_ATTEMPTS_PER_HOUR_PER_CLIENT = int(
    os.environ.get("DJANGO_SUBMISSION_ATTEMPTS_PER_HOUR_PER_CLIENT", "30")
)

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that is down or stuck slows a page by at most this, never
            # breaks it (leaderboard.web.caching serves without the cache, and skips it
            # for PAGE_CACHE_RETRY_SECONDS after it fails).
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Each worker's own memory: at most this many pages of at most
            # PAGE_CACHE_MAX_BYTES each.
            "OPTIONS": {"MAX_ENTRIES": 200},
        }
    ),
}
# Rendered rows and the parts of pages many URLs share (``caching.per_data_version``):
# small entries, many of them (a row is about 2 KB), kept apart from whole pages so
# that neither pushes the other out. The same Redis where there is one.
CACHES["parts"] = (
    {**CACHES["default"], "KEY_PREFIX": "parts"}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "parts",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
)
# Pages larger than this are not cached (a page of 500 rows is about 1.5 MB).
PAGE_CACHE_MAX_BYTES = 256 * 1024
# After the page cache fails (Redis down or stalled), each process serves without it
# for this many seconds, then one request tries it again: a stalled Redis costs a
# process one timeout per interval, not one (or two) per request.
PAGE_CACHE_RETRY_SECONDS = 5
# Pages are cached under the data version, so entries never go stale; this only
# bounds how long superseded versions linger. 0 turns the page cache off (the
# benchmark harness measures both).
PAGE_CACHE_SECONDS = int(os.environ.get("DJANGO_PAGE_CACHE_SECONDS", "600"))
# Parts of pages many URLs share (the summary's counts and leaders, charts) are kept
# this long under the data version (``caching.per_data_version``), whether or not
# whole pages are; 0 computes them on every request.
PART_CACHE_SECONDS = int(os.environ.get("DJANGO_PART_CACHE_SECONDS", "3600"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic writes (and whitenoise serves from); a test server keeps its own.
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
# Where published data releases' files are kept (``DataRelease``): written once, served
# as they are. Keep it with the database: a release whose files are gone says so.
DATA_RELEASES_DIR = Path(
    os.environ.get("DJANGO_DATA_RELEASES_DIR") or BASE_DIR / "data_releases"
).resolve()
# Streamed exports kept on disk under the ETag they were built for
# (``leaderboard.web.downloads``): the first request for an export builds it, later
# ones until the data or the code changes are served the copy. "" keeps none. The
# copies least recently served go while all of them exceed DJANGO_DOWNLOADS_MAX_MB.
DOWNLOADS_DIR = os.environ.get("DJANGO_DOWNLOADS_DIR", str(BASE_DIR / "downloads"))
DOWNLOADS_MAX_BYTES = int(os.environ.get("DJANGO_DOWNLOADS_MAX_MB", "1024")) * 2**20
# manage.py backup writes this format (Django's JSON, read back as .json).
SERIALIZATION_MODULES = {"backup": "leaderboard.backup_format"}

# Security headers. Nothing on the site is inline (scripts, styles or handlers) or
# from another origin, so the policy needs neither 'unsafe-inline' nor any host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

HTTPS = env_flag("DJANGO_HTTPS")
# X-Forwarded-For is only as true as the proxies that wrote it: trusted only as far
# as this many proxies of ours (leaderboard.web.middleware.client_ip).
TRUSTED_PROXIES = int(os.environ.get("DJANGO_TRUSTED_PROXIES", "0"))
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS if host != "*"]

# Brute force on the admin login: after 5 failures for a username from an address,
# that pair is locked out for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
# A username and address pair is locked out after AXES_FAILURE_LIMIT failures, and so
# is a username tried from any number of addresses.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_RESET_ON_SUCCESS = True
# Behind the proxy, lock out the client's address, not the proxy's.
AXES_CLIENT_IP_CALLABLE = "leaderboard.web.middleware.client_ip"

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
