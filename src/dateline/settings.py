"""Dateline's one settings module, driven by DATELINE_* environment variables.

Every variable read here is listed in docs/settings.md (a test keeps the two in
step). With none set, Dateline runs on this machine alone: SQLite under ./var,
local-memory cache, debug off, loopback host names only.
"""

from __future__ import annotations

import ipaddress
import zoneinfo
from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

from dateline.core.config import answers_to_loopback_only, load_or_create_secret_key
from dateline.core.csp import CSPConfigError, parse_extra
from dateline.core.database import configure_postgresql, parse_pool
from dateline.core.replicas.config import replica_databases

env = environ.Env()

# --- Where things live -------------------------------------------------------

DATA_DIR = Path(env.str("DATELINE_DATA_DIR", default="var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

# --- Core switches ---------------------------------------------------------------

DEBUG = env.bool("DATELINE_DEBUG", default=False)

# None when unset: `dateline serve` checks the value actually given.
DATELINE_SECRET_KEY_FROM_ENV: str | None = env.str("DATELINE_SECRET_KEY", default=None)
SECRET_KEY = DATELINE_SECRET_KEY_FROM_ENV or load_or_create_secret_key(DATA_DIR)

ALLOWED_HOSTS: list[str] = env.list(
    "DATELINE_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"]
)

# --- The agency --------------------------------------------------------------

# The defaults name the fictional demo agency; a real newsroom sets its own.
DATELINE_AGENCY_NAME: str = env.str(
    "DATELINE_AGENCY_NAME", default="Meridian News Agency"
)
DATELINE_AGENCY_SIGNATURE: str = env.str(
    "DATELINE_AGENCY_SIGNATURE", default="MERIDIAN"
).strip("/ ")

TIME_ZONE: str = env.str("DATELINE_TIME_ZONE", default="Europe/Helsinki")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(
        f"DATELINE_TIME_ZONE: {TIME_ZONE!r} is not an IANA time zone "
        "(for example Europe/Moscow or UTC)."
    )
USE_TZ = True

LANGUAGE_CODE: str = env.str("DATELINE_LANGUAGE", default="en")
USE_I18N = True

# --- Applications ------------------------------------------------------------

INSTALLED_APPS = [
    "dateline.core",
    "dateline.audit",  # on the core floor: any app may record an act
    "dateline.content",
    "dateline.feed",
    "dateline.search",
    "dateline.popularity",
    "dateline.newsroom",  # before django.contrib.admin: it overrides admin templates
    "dateline.syndication",
    "dateline.api",
    "dateline.markets",
    "dateline.worker",
    "dateline.pagecache",
    "dateline.partners",
    "dateline.places",
    "dateline.adverts",
    "dateline.agency",  # the agency's own pages (About, Contact…)
    "dateline.site",
    "dateline.demo",
    "dateline.backup",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.humanize",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Two-factor authentication for the newsroom (dateline/newsroom/twofactor):
    # authenticator apps, backup codes and passkeys.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "django_prose_editor",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # its bundled Swagger UI, served as our static files
    "simple_history",
    "axes",  # login throttling: after the apps whose templates it may use
]

MIDDLEWARE = [
    # Before anything keeps or echoes it: a host we do not serve, or a port
    # that cannot exist (127.0.0.1:99999), is a 400 (dateline.core.hosts).
    "dateline.core.hosts.HostCheckMiddleware",
    # Then: a kept page costs no other middleware. The headers the security
    # and CSP middleware add are kept with the page, so a hit answered here
    # and one answered by the WSGI wrapper (dateline.wsgi) are the same.
    "dateline.pagecache.middleware.PageCacheMiddleware",
    # A view that fails for want of the database answers 503, not 500
    # (core/outage.py); the page cache above serves its last good copy.
    "dateline.core.outage.DatabaseOutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "dateline.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Inside the page cache: a kept page is kept compressed (the key holds gzip).
    "dateline.core.compression.TextCompressionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "dateline.places.middleware.CityCookieVaryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # NEWSROOM_MIDDLEWARE, for every request but a reader's: a GET or HEAD
    # outside the newsroom with no session cookie (core/readers.py).
    "dateline.core.readers.NewsroomMiddleware",
]
NEWSROOM_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed a second factor.
    "django_otp.middleware.OTPMiddleware",
    # A person who owes a second factor reaches only the two-factor pages.
    "dateline.newsroom.twofactor.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as django-axes asks: turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out login before any password is
# checked, then Django's own accounts.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "dateline.urls"
WSGI_APPLICATION = "dateline.wsgi.application"

# The public pages are Jinja2 (dateline.site.jinja, docs/decisions/templates.md),
# looked up first; the newsroom and Django's own apps keep Django's templates.
PUBLIC_TEMPLATE_DIRS = [
    Path(__file__).resolve().parent / app / "templates"
    for app in ("site", "adverts", "popularity", "partners")
]
TEMPLATES = [
    {
        "BACKEND": "dateline.site.jinja.Jinja2",
        "DIRS": PUBLIC_TEMPLATE_DIRS,
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "dateline.site.jinja.environment",
            # The request, the CSRF token and these: what the pages read.
            "context_processors": [
                "dateline.site.context_processors.site",
                "dateline.adverts.context_processors.adverts",
            ],
        },
    },
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

# --- Database ----------------------------------------------------------------

# How long a request waits for the database before it gives up and answers
# 503 (core/outage.py): PostgreSQL's connect_timeout, SQLite's busy timeout
# (a writer waiting for another's lock). Seconds, not minutes: a reader held
# that long has gone, and a server's workers would all be waiting.
DATELINE_DATABASE_TIMEOUT: int = env.int("DATELINE_DATABASE_TIMEOUT", default=5)
if not 1 <= DATELINE_DATABASE_TIMEOUT <= 600:
    raise ImproperlyConfigured("DATELINE_DATABASE_TIMEOUT: 1 to 600 seconds.")

_SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": DATELINE_DATABASE_TIMEOUT,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
        # Pages of the file kept by each connection, on top of the OS's
        # cache: 8 MiB, not 20. The cache fills up in every server worker
        # (16 MiB more resident at 100k items); measured, the pages and
        # searches cost the same CPU with 2, 8 or 20 MiB
        # (docs/decisions/serve-memory.md).
        "PRAGMA cache_size=-8000;"
    ),
}

# PostgreSQL only: pooled connections per process, and PgBouncer in front
# (core/database.py, docs/deploy.md).
DATELINE_DATABASE_POOL = parse_pool(env.str("DATELINE_DATABASE_POOL", default=""))
DATELINE_DATABASE_PGBOUNCER: bool = env.bool(
    "DATELINE_DATABASE_PGBOUNCER", default=False
)

_database_url: str | None = env.str("DATELINE_DATABASE_URL", default=None)
if _database_url:
    _default_db: dict[str, Any] = env.db_url_config(_database_url)
else:
    _default_db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "dateline.sqlite3",
    }
if _default_db["ENGINE"] == "django.db.backends.sqlite3":
    _default_db["OPTIONS"] = {**_SQLITE_OPTIONS, **_default_db.get("OPTIONS", {})}
    # Keep each thread's connection between requests: opening one (and
    # running the PRAGMAs above) cost a cold article page about a tenth of its
    # CPU, and a new connection starts with an empty page cache.
    _default_db.setdefault("CONN_MAX_AGE", 600)
elif _default_db["ENGINE"] in {
    "django.db.backends.postgresql",
    "django.contrib.gis.db.backends.postgis",
}:
    _default_db.setdefault("CONN_MAX_AGE", 60)
    _default_db["CONN_HEALTH_CHECKS"] = True
    # libpq's own default is to wait for ever for a server that does not
    # answer; a connect_timeout in the URL's query wins.
    _default_db["OPTIONS"] = {
        "connect_timeout": DATELINE_DATABASE_TIMEOUT,
        **_default_db.get("OPTIONS", {}),
    }
    configure_postgresql(
        _default_db,
        pool=DATELINE_DATABASE_POOL,
        pgbouncer=DATELINE_DATABASE_PGBOUNCER,
        timeout=DATELINE_DATABASE_TIMEOUT,
    )
    INSTALLED_APPS.append("django.contrib.postgres")
else:
    raise ImproperlyConfigured(
        "DATELINE_DATABASE_URL: Dateline runs on PostgreSQL (postgres://…) "
        "or SQLite (sqlite:///path); leave it unset for SQLite under the data dir."
    )
DATABASES = {"default": _default_db}
# Streaming read replicas of the primary for public reads (core/replicas):
# aliases replica1, replica2, … with the primary's connection options.
DATABASES.update(
    replica_databases(
        env.list("DATELINE_DATABASE_REPLICA_URLS", default=[]), _default_db
    )
)
# A replica further behind than this is skipped: its reads go to the primary.
DATELINE_REPLICA_MAX_LAG_SECONDS: float = env.float(
    "DATELINE_REPLICA_MAX_LAG_SECONDS", default=5.0
)
if not 0 < DATELINE_REPLICA_MAX_LAG_SECONDS <= 3600:
    raise ImproperlyConfigured("DATELINE_REPLICA_MAX_LAG_SECONDS: 0 to 3600 seconds.")
if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["dateline.core.replicas.routing.ReplicaRouter"]
    # Last: the innermost, so that it sees a view's failure first.
    MIDDLEWARE.append("dateline.core.replicas.routing.ReplicaMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache -------------------------------------------------------------------

DATELINE_REDIS_URL: str | None = env.str("DATELINE_REDIS_URL", default=None)
# A Redis that is down or hangs must cost a page milliseconds, not seconds:
# a connection is given up after 0.1 s and an answer after 0.25 s (a kept page
# of 2 MB crosses a LAN in a few ms), with no retries, and then the cache is
# left alone for a second (dateline.core.blockcache).
REDIS_CLIENT_OPTIONS: dict[str, float] = {
    "socket_connect_timeout": 0.1,
    "socket_timeout": 0.25,
}
CACHES: dict[str, dict[str, Any]]
if DATELINE_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DATELINE_REDIS_URL,
            "KEY_PREFIX": "dateline",
            "OPTIONS": dict(REDIS_CLIENT_OPTIONS),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "dateline",
        }
    }

# --- Background jobs -----------------------------------------------------------

# `dateline worker` runs the queue and the periodic jobs (dateline/worker).
# The queue is a database table by default; Redis (RQ) when asked for.
DATELINE_TASK_QUEUE: str = env.str(
    "DATELINE_TASK_QUEUE", default="redis" if DATELINE_REDIS_URL else "database"
)
if DATELINE_TASK_QUEUE == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif DATELINE_TASK_QUEUE == "redis" and DATELINE_REDIS_URL:
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    RQ_QUEUES = {"default": {"URL": DATELINE_REDIS_URL, "DEFAULT_TIMEOUT": 600}}
elif DATELINE_TASK_QUEUE == "immediate":
    # Jobs run inside the request or command that enqueues them: for tests.
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured(
        "DATELINE_TASK_QUEUE: database, or redis with DATELINE_REDIS_URL set."
    )

# Outbound fetches (partner feeds, rates, weather: dateline/core/fetch.py)
# refuse addresses inside the network (loopback, private, link-local, cloud
# metadata…) unless trusted here: networks an operator names, or everything.
DATELINE_FETCH_ALLOW_PRIVATE: bool = env.bool(
    "DATELINE_FETCH_ALLOW_PRIVATE", default=False
)
DATELINE_FETCH_ALLOWED_NETWORKS: list[str] = env.list(
    "DATELINE_FETCH_ALLOWED_NETWORKS", default=[]
)
for _network in DATELINE_FETCH_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network.strip(), strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"DATELINE_FETCH_ALLOWED_NETWORKS: {_network!r} is not a network; "
            "addresses or networks, comma-separated, e.g. 10.1.2.0/24,192.0.2.7."
        ) from None

# Where the worker reads each day's official exchange rates; unset, no job.
DATELINE_ECB_RATES_URL: str | None = env.str("DATELINE_ECB_RATES_URL", default=None)
DATELINE_CBR_RATES_URL: str | None = env.str("DATELINE_CBR_RATES_URL", default=None)

# --- Page cache --------------------------------------------------------------

# Whole pages for readers (dateline/pagecache): in Redis when it is set, else
# in files under the data dir, which every server process on the machine shares.
DATELINE_PAGE_CACHE: bool = env.bool("DATELINE_PAGE_CACHE", default=True)
# How long a kept page may live. Changes to content make pages stale at once;
# this bounds what changes without an edit (Most read, the weather).
DATELINE_PAGE_CACHE_SECONDS: int = env.int("DATELINE_PAGE_CACHE_SECONDS", default=60)
if not 1 <= DATELINE_PAGE_CACHE_SECONDS <= 86_400:
    raise ImproperlyConfigured("DATELINE_PAGE_CACHE_SECONDS: 1 to 86400 seconds.")
# While making a page fails for want of the database, readers get the last
# good copy of it, kept this long after it was made (0: none kept); caches in
# front are told the same with Cache-Control's stale-if-error.
DATELINE_STALE_IF_ERROR_SECONDS: int = env.int(
    "DATELINE_STALE_IF_ERROR_SECONDS", default=6 * 3600
)
if not 0 <= DATELINE_STALE_IF_ERROR_SECONDS <= 7 * 86_400:
    raise ImproperlyConfigured(
        "DATELINE_STALE_IF_ERROR_SECONDS: 0 to 604800 seconds (0 keeps no copies)."
    )
# Behind deploy/nginx.conf: kept pages of plain requests are also written as
# files under pages/, which nginx serves itself (pagecache/files.py).
DATELINE_PAGE_FILES: bool = env.bool("DATELINE_PAGE_FILES", default=False)
DATELINE_PAGE_FILES_DIR = DATA_DIR / "pages"
# Caches in front of us (Varnish, nginx with a purge module) to send
# ``PURGE <path>`` to when an item changes; none by default.
DATELINE_PURGE_URLS: list[str] = env.list("DATELINE_PURGE_URLS", default=[])
if any(not url.startswith(("http://", "https://")) for url in DATELINE_PURGE_URLS):
    raise ImproperlyConfigured(
        "DATELINE_PURGE_URLS: http(s) addresses of caches, e.g. http://127.0.0.1:6081."
    )
if DATELINE_REDIS_URL:
    CACHES["pages"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": DATELINE_REDIS_URL,
        "KEY_PREFIX": "dateline-pages",
        "OPTIONS": dict(REDIS_CLIENT_OPTIONS),
    }
else:
    CACHES["pages"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": DATA_DIR / "pagecache",
        "OPTIONS": {"MAX_ENTRIES": 20_000, "CULL_FREQUENCY": 4},
    }

# --- Static and media files ------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# One machine serves its own uploads; set false when nginx or a CDN does.
DATELINE_SERVE_MEDIA: bool = env.bool("DATELINE_SERVE_MEDIA", default=True)

STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "dateline.core.staticfiles.StaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 60

# Uploads and their renditions in an S3-compatible bucket instead (AWS S3,
# MinIO, Ceph, …), switched on by naming the bucket. Files are public and
# their names never reused, so a CDN can cache them for good.
DATELINE_S3_BUCKET: str = env.str("DATELINE_S3_BUCKET", default="")
if DATELINE_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": DATELINE_S3_BUCKET,
            "endpoint_url": env.str("DATELINE_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("DATELINE_S3_REGION", default=None),
            "access_key": env.str("DATELINE_S3_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("DATELINE_S3_SECRET_ACCESS_KEY", default=None),
            "custom_domain": env.str("DATELINE_S3_PUBLIC_DOMAIN", default=None),
            "querystring_auth": False,
            "file_overwrite": False,
            # Names are never reused (core/uploads.py): cache them for good.
            "object_parameters": {
                "CacheControl": "public, max-age=31536000, immutable"
            },
        },
    }

# --- Security ----------------------------------------------------------------

DATELINE_HTTPS: bool = env.bool("DATELINE_HTTPS", default=False)
if DATELINE_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31_536_000
# The currencies the header's converter offers (ISO 4217 codes); the first is
# the agency's own, which the converter turns into euros unless asked otherwise.
DATELINE_CURRENCIES: list[str] = [
    code.strip().upper()
    for code in env.list(
        "DATELINE_CURRENCIES", default=["USD", "EUR", "RUB", "GBP", "JPY"]
    )
    if code.strip()
]
if any(len(code) != 3 or not code.isalpha() for code in DATELINE_CURRENCIES):
    raise ImproperlyConfigured("DATELINE_CURRENCIES: ISO 4217 codes, e.g. USD,EUR,RUB.")
# Reverse proxies in front of the app (nginx, a load balancer) that append the
# client's address to X-Forwarded-For; 0 trusts the peer's address only.
DATELINE_PROXY_HOPS: int = env.int("DATELINE_PROXY_HOPS", default=0)
if DATELINE_PROXY_HOPS < 0:
    raise ImproperlyConfigured("DATELINE_PROXY_HOPS: a number of proxies, 0 or more.")
# The API's anonymous rate limit tells clients apart by the same address.
NINJA_NUM_PROXIES = DATELINE_PROXY_HOPS
X_FRAME_OPTIONS = "DENY"
# Sources added to the public pages' strict Content-Security-Policy (for an ad
# network, say): "script-src https://ads.example; frame-src https://ads.example".
try:
    DATELINE_CSP_EXTRA = parse_extra(env.str("DATELINE_CSP_EXTRA", default=""))
except CSPConfigError as error:
    raise ImproperlyConfigured(f"DATELINE_CSP_EXTRA: {error}") from None
# Report violations instead of blocking (to try out a changed policy).
DATELINE_CSP_REPORT_ONLY: bool = env.bool("DATELINE_CSP_REPORT_ONLY", default=False)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_HTTPONLY = True

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "admin:login"
# Where a passkey's second step goes when the page named no next address.
LOGIN_REDIRECT_URL = "admin:index"

# --- Login throttling (django-axes; docs/settings.md) ------------------------------

# Wrong passwords for one account from one address before that pair is
# locked out, and for how long. The lockout is by the pair: whoever guesses
# at an account is stopped, and nobody can lock an account out for its owner
# from another address (see docs/settings.md for why not by name alone).
DATELINE_LOGIN_FAILURE_LIMIT: int = env.int("DATELINE_LOGIN_FAILURE_LIMIT", default=10)
if not 1 <= DATELINE_LOGIN_FAILURE_LIMIT <= 1000:
    raise ImproperlyConfigured("DATELINE_LOGIN_FAILURE_LIMIT: 1 to 1000 attempts.")
DATELINE_LOGIN_COOLOFF_MINUTES: int = env.int(
    "DATELINE_LOGIN_COOLOFF_MINUTES", default=15
)
if not 1 <= DATELINE_LOGIN_COOLOFF_MINUTES <= 10_080:
    raise ImproperlyConfigured("DATELINE_LOGIN_COOLOFF_MINUTES: 1 to 10080 minutes.")
AXES_FAILURE_LIMIT = DATELINE_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=DATELINE_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The address by DATELINE_PROXY_HOPS, as everywhere else.
AXES_CLIENT_IP_CALLABLE = "dateline.core.clients.client_address"
# The same page whether the name exists or not (dateline.newsroom.views).
AXES_LOCKOUT_CALLABLE = "dateline.newsroom.views.lockout"
# Failures and lockouts go to the audit log (dateline.audit), not the log.
AXES_VERBOSE = False

# --- Cities and weather (the header's city selector) ---------------------------

# The slug of the city shown to readers who have not chosen one; unset (or
# not an active city), the newsroom's first city.
DATELINE_DEFAULT_CITY: str = env.str("DATELINE_DEFAULT_CITY", default="").strip()
# Off unless named: pages then show no weather at all.
DATELINE_WEATHER_PROVIDER: str = (
    env.str("DATELINE_WEATHER_PROVIDER", default="").strip().lower()
)
if DATELINE_WEATHER_PROVIDER not in {"", "open-meteo"}:
    raise ImproperlyConfigured(
        "DATELINE_WEATHER_PROVIDER: open-meteo, or unset for no weather."
    )
DATELINE_WEATHER_URL: str = env.str(
    "DATELINE_WEATHER_URL", default="https://api.open-meteo.com/v1/forecast"
).strip()
if not DATELINE_WEATHER_URL.startswith(("http://", "https://")) or "?" in (
    DATELINE_WEATHER_URL
):
    raise ImproperlyConfigured(
        "DATELINE_WEATHER_URL: the forecast endpoint's http(s) address, without "
        "a query, e.g. https://api.open-meteo.com/v1/forecast."
    )

# --- Newsroom ----------------------------------------------------------------

# No revert button on history pages by default; the newsroom's articles offer
# it to whoever may change the item, and save it through content.services
# (newsroom/admin/articles.py, docs/decisions/newsroom-security.md).
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Two-factor authentication (dateline/newsroom/twofactor) ---------------------

# Editors, Chiefs and superusers pass a second factor (an authenticator app's
# code, a passkey or a backup code) before any newsroom page. On wherever the
# site answers to a name beyond loopback, i.e. every real deployment (`dateline
# serve` refuses to serve beyond loopback without DATELINE_ALLOWED_HOSTS); off
# by default only while it answers to loopback names alone (`make demo`, local
# development). docs/settings.md explains the choice.
DATELINE_REQUIRE_TWO_FACTOR: bool = env.bool(
    "DATELINE_REQUIRE_TWO_FACTOR",
    default=not answers_to_loopback_only(ALLOWED_HOSTS),
)
# The name authenticator apps show beside the code.
OTP_TOTP_ISSUER = DATELINE_AGENCY_NAME
# Superusers see devices in the newsroom, never their secret keys.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Passkeys are a second factor after the password, never a login of their own.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = DATELINE_AGENCY_NAME
# The relying party is the host the newsroom is reached at (checked against
# ALLOWED_HOSTS), and the only origin accepted is that host's own, so the
# package's fixed list of origins is not used (its check E030 asks for one).
OTP_WEBAUTHN_RP_ID_CALLABLE = "dateline.newsroom.twofactor.passkeys.relying_party_id"
OTP_WEBAUTHN_HELPER_CLASS = "dateline.newsroom.twofactor.passkeys.PasskeyHelper"
SILENCED_SYSTEM_CHECKS = [
    "otp_webauthn.E030",
    # The admin's and django-axes' middleware run from NEWSROOM_MIDDLEWARE,
    # which those checks do not read; dateline.E028 checks it instead.
    "admin.E408",
    "admin.E409",
    "admin.E410",
    "axes.W002",
]

# --- Logging -----------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env.str("DATELINE_LOG_LEVEL", default="INFO"),
    },
}
