"""CampaignHub settings: one module, every value from the environment (django-environ).

Embedded defaults (SQLite, a filesystem Celery broker, file email) make `make run` work with
nothing installed; DATABASE_URL / REDIS_URL / EMAIL_URL switch to real services.
"""

import os
import re
import sys
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from core.time_zones import time_zone_names

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # runtime files of the embedded defaults (git-ignored)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _bool(name: str, default: bool) -> bool:
    """A yes/no setting; a typo (DEBUG=treu) fails at start instead of silently meaning "no"."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def _int(name: str, default: int) -> int:
    try:
        return env.int(name, default=default)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {os.environ[name]!r}.") from exc


# pytest >= 8.2 exports PYTEST_VERSION while it runs; tests get fast hashing and a memory outbox.
TESTING = "PYTEST_VERSION" in os.environ or "pytest" in sys.argv[0]

DEBUG = _bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-campaignhub-0123456789"
if len(SECRET_KEY) < 50 and not (DEBUG or TESTING):
    # Django's own check (security.W009) only warns, and only under `check --deploy`.
    raise ImproperlyConfigured(
        f"SECRET_KEY must be at least 50 characters when DEBUG is off (it has {len(SECRET_KEY)})."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# Absolute links (emails, in-app items, .ics) follow the port the app was started on unless set.
SITE_URL = (
    env.url("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}").geturl().rstrip("/")
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

TIME_ZONE = env.str("TIME_ZONE", default="UTC")
if TIME_ZONE not in time_zone_names():
    raise ImproperlyConfigured(f"TIME_ZONE {TIME_ZONE!r} is not a known IANA time zone.")
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en-gb"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served locally: no CDN needed
    "simple_history",
    "csp",
    "axes",
    # CampaignHub's apps, lowest first: each may import only from the apps above it in this list
    # (tests/test_architecture.py fails the build otherwise; README "Architecture").
    "core",
    "people",
    "identity",
    "campaigns",
    "rollout",
    "explainers",
    "briefings",
    "workplan",
    "planning",
    "notifications",
    "search",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "people.middleware.UserTimezoneMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into the lockout page
]

ROOT_URLCONF = "campaignhub.urls"
WSGI_APPLICATION = "campaignhub.wsgi.application"

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
                "people.context_processors.navigation",
                "notifications.context_processors.bell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: WAL lets readers run beside the writer, IMMEDIATE
    # transactions take the write lock up front so a dispatch claim never deadlocks mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not :memory:, so a Celery worker process in the integration tests sees the same data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", _int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery ------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    # Larger than any work we hand the broker; the schedule itself lives in the database.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "filesystem://"
    # Every folder the transport uses, exchange tables (control_folder) included: kombu's default for
    # those is `control/` in the working directory. campaignhub/celery.py creates them on first use.
    _broker_dir = Path(env.str("CELERY_FILESYSTEM_DIR", default=str(VAR_DIR / "broker")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # Each consumer lists its folder this often when idle: the tick worker picks beat's message
        # up within a quarter second (kombu's default is 1 s), for one directory listing per poll.
        "polling_interval": 0.25,
    }

CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # fan-out chunks are long; do not hoard them on one worker
CELERY_TASK_ACKS_LATE = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# The tick has its own queue, consumed by its own worker process (Procfile `tick`), so it never
# waits behind email chunks (CELERY_TASK_DEFAULT_QUEUE, consumed by `worker`): a stage due while a
# large fan-out drains is claimed at the next tick. Everything else goes to the default queue.
CELERY_TASK_DEFAULT_QUEUE = "celery"
TICK_QUEUE = "tick"
CELERY_TASK_ROUTES = {"rollout.tasks.dispatch_due": {"queue": TICK_QUEUE}}
DISPATCH_INTERVAL_SECONDS = _int("DISPATCH_INTERVAL_SECONDS", default=30)
if DISPATCH_INTERVAL_SECONDS < 1:
    raise ImproperlyConfigured("DISPATCH_INTERVAL_SECONDS must be at least 1.")
# Dispatch engine (rollout/dispatch.py): email rows per chunk task, seconds without a heartbeat
# before a claim counts as abandoned (must exceed EMAIL_TIMEOUT), and email retry policy.
DISPATCH_CHUNK_SIZE = _int("DISPATCH_CHUNK_SIZE", default=500)
# People (a range of user ids) per fan-out INSERT … SELECT; each range re-reads the audience, so keep it large.
DISPATCH_INSERT_BATCH = _int("DISPATCH_INSERT_BATCH", default=250_000)
# 60 s: a killed chunk is sent again within about a minute, before the next stage is due; a healthy
# chunk, however slow, keeps its claim fresh with a heartbeat (rollout/heartbeat.py) every quarter of it.
DISPATCH_STALE_SECONDS = _int("DISPATCH_STALE_SECONDS", default=60)
EMAIL_MAX_ATTEMPTS = _int("EMAIL_MAX_ATTEMPTS", default=5)
EMAIL_RETRY_BASE_SECONDS = _int("EMAIL_RETRY_BASE_SECONDS", default=60)
if min(DISPATCH_CHUNK_SIZE, DISPATCH_INSERT_BATCH, EMAIL_MAX_ATTEMPTS) < 1 or DISPATCH_STALE_SECONDS < 4:
    raise ImproperlyConfigured(
        "DISPATCH_CHUNK_SIZE and EMAIL_MAX_ATTEMPTS >= 1, DISPATCH_STALE_SECONDS >= 4."
    )
CELERY_BEAT_SCHEDULE = {
    "dispatch-due": {
        "task": "rollout.tasks.dispatch_due",
        "schedule": timedelta(seconds=DISPATCH_INTERVAL_SECONDS),
        # A tick that waited longer than one interval is dropped, not replayed: the next tick does its work.
        "options": {"expires": max(DISPATCH_INTERVAL_SECONDS - 1, 1)},
    },
    # Hourly tick; each person gets the digest once, on Monday from 08:00 in their own zone
    # (planning.digest: the Monday is the period lock).
    # Notifications of explainers published and items overdue, and emails due for a retry (notifications.tick).
    "notification-tick": {
        "task": "notifications.tasks.notification_tick",
        "schedule": timedelta(seconds=DISPATCH_INTERVAL_SECONDS),
        "options": {"expires": max(DISPATCH_INTERVAL_SECONDS - 1, 1)},
    },
    "planning-weekly-digest": {
        "task": "planning.tasks.send_weekly_digests",
        "schedule": timedelta(hours=1),
        "options": {"expires": 60 * 59},
    },
    # Hourly: the workplan's deliverable_overdue signal, once per deliverable and due date
    # (workplan.schedule.announce_overdue claims each row with compare-and-set).
    "workplan-overdue-deliverables": {
        "task": "workplan.tasks.announce_overdue_deliverables",
        "schedule": timedelta(hours=1),
        "options": {"expires": 60 * 59},
    },
}

# --- Planning --------------------------------------------------------------------------------
# Announcements per audience per week before the load page and the forms warn; an audience may
# override it (planning.AudienceCap, in the admin).
PLANNING_WEEKLY_CAP = _int("PLANNING_WEEKLY_CAP", default=3)
if PLANNING_WEEKLY_CAP < 1:
    raise ImproperlyConfigured("PLANNING_WEEKLY_CAP must be at least 1.")

# --- Email -----------------------------------------------------------------------------------
if "EMAIL_URL" in os.environ:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="campaignhub@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = _int("EMAIL_TIMEOUT", default=30)
if DISPATCH_STALE_SECONDS <= EMAIL_TIMEOUT:
    # A chunk blocked on a slow SMTP server would look abandoned and be re-claimed mid-send.
    raise ImproperlyConfigured(
        f"DISPATCH_STALE_SECONDS ({DISPATCH_STALE_SECONDS}) must be longer than EMAIL_TIMEOUT ({EMAIL_TIMEOUT})."
    )

# Branded email (templates/email/base.html): the organisation's name and colour in every app email.
ORG_NAME = env.str("ORG_NAME", default="CampaignHub").strip()
ORG_COLOR = env.str("ORG_COLOR", default="#1f4fbf").strip().lower()
if not ORG_NAME or len(ORG_NAME) > 80 or any(c in ORG_NAME for c in "\r\n<>"):
    raise ImproperlyConfigured("ORG_NAME must be 1-80 characters on one line, without < or >.")
if not re.fullmatch(r"#[0-9a-f]{6}", ORG_COLOR):
    raise ImproperlyConfigured(f"ORG_COLOR must be a colour like #1f4fbf, not {ORG_COLOR!r}.")

# --- Auth ------------------------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sign-in throttling (django-axes) on /accounts/login/ and /admin/login/: LOGIN_FAILURE_LIMIT failed
# attempts for one username from one address lock that pair out for LOGIN_LOCKOUT_MINUTES; every
# failure and lockout is logged (logger "axes") and kept in the admin (Axes > Access attempts).
# The address is REMOTE_ADDR: behind a proxy that is the proxy's, so the lockout acts per username.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out pair before checking a password
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = _int("LOGIN_FAILURE_LIMIT", default=5)
_lockout_minutes = _int("LOGIN_LOCKOUT_MINUTES", default=15)
if min(AXES_FAILURE_LIMIT, _lockout_minutes) < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be at least 1.")
AXES_COOLOFF_TIME = timedelta(minutes=_lockout_minutes)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A failure during the lockout does not restart it: the wait the page promises holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Name the username and address in the audit line (axes masks both by default); passwords stay masked,
# and so do the single-use secrets of the other sign-in paths (an SSO callback's code and state).
AXES_SENSITIVE_PARAMETERS = ["code", "state", "token"]

# --- Single sign-on (OpenID Connect; identity/oidc.py, README "Single sign-on") ----------------
# Off unless OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set: then the sign-in page offers
# "Sign in with OIDC_PROVIDER_NAME". The endpoints are given explicitly (no network call at start;
# `manage.py oidc_discover ISSUER` prints them from the provider's discovery document).
OIDC_ISSUER = env.str("OIDC_ISSUER", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_ENABLED = bool(OIDC_ISSUER or OIDC_RP_CLIENT_ID or OIDC_RP_CLIENT_SECRET)
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="your company account")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_JWKS_URI", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_USERINFO_ENDPOINT", default="")  # optional: ID-token claims suffice
OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
OIDC_CREATE_UNKNOWN = _bool("OIDC_CREATE_UNKNOWN", default=False)
OIDC_USE_PKCE = True
OIDC_TIMEOUT = _int("OIDC_TIMEOUT_SECONDS", default=10)
OIDC_CLOCK_SKEW_SECONDS = _int("OIDC_CLOCK_SKEW_SECONDS", default=60)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
if OIDC_ENABLED:
    _oidc_missing = [
        name
        for name, value in (
            ("OIDC_ISSUER", OIDC_ISSUER),
            ("OIDC_CLIENT_ID", OIDC_RP_CLIENT_ID),
            ("OIDC_CLIENT_SECRET", OIDC_RP_CLIENT_SECRET),
            ("OIDC_AUTHORIZATION_ENDPOINT", OIDC_OP_AUTHORIZATION_ENDPOINT),
            ("OIDC_TOKEN_ENDPOINT", OIDC_OP_TOKEN_ENDPOINT),
            ("OIDC_JWKS_URI", OIDC_OP_JWKS_ENDPOINT),
        )
        if not value
    ]
    if _oidc_missing:
        raise ImproperlyConfigured(
            f"Single sign-on needs {', '.join(_oidc_missing)} as well "
            "(`manage.py oidc_discover ISSUER` prints the endpoints)."
        )
    # Asymmetric only: the ID token's signature is checked against the provider's published keys.
    if OIDC_RP_SIGN_ALGO not in (
        "RS256",
        "RS384",
        "RS512",
        "PS256",
        "PS384",
        "PS512",
        "ES256",
        "ES384",
        "ES512",
    ):
        raise ImproperlyConfigured(
            f"OIDC_SIGN_ALGO must be an RS, PS or ES algorithm, not {OIDC_RP_SIGN_ALGO!r}."
        )
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "identity.oidc.OIDCBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Emailed sign-in links and password reset (identity/links.py) -----------------------------
# A link works once, within SIGN_IN_LINK_MINUTES. Asking for sign-in or reset emails is limited per
# address and per client address within that same window (Django's cache counts).
AUTHENTICATION_BACKENDS += ["identity.links.SignInLinkBackend"]  # after axes' backend: lockouts apply
SIGN_IN_LINK_MINUTES = _int("SIGN_IN_LINK_MINUTES", default=15)
SIGN_IN_EMAILS_PER_ADDRESS = _int("SIGN_IN_EMAILS_PER_ADDRESS", default=5)
SIGN_IN_EMAILS_PER_CLIENT = _int("SIGN_IN_EMAILS_PER_CLIENT", default=50)
if min(SIGN_IN_LINK_MINUTES, SIGN_IN_EMAILS_PER_ADDRESS, SIGN_IN_EMAILS_PER_CLIENT) < 1:
    raise ImproperlyConfigured(
        "SIGN_IN_LINK_MINUTES, SIGN_IN_EMAILS_PER_ADDRESS and SIGN_IN_EMAILS_PER_CLIENT must be at least 1."
    )
# --- SCIM 2.0 provisioning (identity/scim.py; README "Provisioning with SCIM") ------------------
# The identity provider presents a bearer token: SCIM_TOKEN from the environment, or one an admin
# issues in the Django admin (Identity > SCIM tokens; only its SHA-256 is stored). Unset and no
# admin token: /scim/v2/ answers 401 to everyone.
SCIM_TOKEN = env.str("SCIM_TOKEN", default="")
if SCIM_TOKEN and len(SCIM_TOKEN) < 32:
    raise ImproperlyConfigured(
        f"SCIM_TOKEN must be at least 32 characters (it has {len(SCIM_TOKEN)}); "
        "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
    )
SCIM_SERVICE_PROVIDER = {
    "BASE_LOCATION_GETTER": "identity.scim_schema.site_url",  # meta.location links start at SITE_URL
    "AUTH_CHECK_MIDDLEWARE": "identity.scim_auth.ScimBearerTokenCheck",
    "USER_ADAPTER": "identity.scim.ScimUserAdapter",
    "USER_FILTER_PARSER": "identity.scim_schema.UserFilter",
    "GROUP_MODEL": "identity.models.ScimGroup",
    "GROUP_ADAPTER": "identity.scim.ScimGroupAdapter",
    "GROUP_FILTER_PARSER": "identity.scim_schema.GroupFilter",
    "SERVICE_PROVIDER_CONFIG_MODEL": "identity.scim.ServiceProviderConfig",
    "SCHEMAS_GETTER": "identity.scim_schema.all_schemas",
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="CampaignHub SCIM"',
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "Authorization: Bearer <SCIM_TOKEN or a token issued in the Django admin>",
            "primary": True,
        }
    ],
}

# --- Static and uploaded files ---------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# In development and tests whitenoise serves straight from the finders; production runs collectstatic.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
ASSET_MAX_UPLOAD_MB = _int("ASSET_MAX_UPLOAD_MB", default=20)
# Nothing serves MEDIA_ROOT directly: campaigns.views.asset_file checks who may see the file. Behind
# nginx it can hand the sending back with X-Accel-Redirect to an `internal` location with this
# prefix (e.g. /protected-media/, aliased to MEDIA_ROOT); behind Apache or lighttpd with
# mod_xsendfile, MEDIA_X_SENDFILE=true sends X-Sendfile with the file's path. Both off: Django
# streams the file itself.
MEDIA_ACCEL_REDIRECT_PREFIX = env.str("MEDIA_ACCEL_REDIRECT_PREFIX", default="")
if MEDIA_ACCEL_REDIRECT_PREFIX and not (
    MEDIA_ACCEL_REDIRECT_PREFIX.startswith("/") and MEDIA_ACCEL_REDIRECT_PREFIX.endswith("/")
):
    raise ImproperlyConfigured(
        f"MEDIA_ACCEL_REDIRECT_PREFIX must start and end with '/', not {MEDIA_ACCEL_REDIRECT_PREFIX!r}."
    )
MEDIA_X_SENDFILE = _bool("MEDIA_X_SENDFILE", default=False)
# Employee CSV uploads (people.ImportJob): the largest file the web accepts, and how long a running
# import may go without saving a batch before its page calls it failed and offers "Run again".
IMPORT_MAX_UPLOAD_MB = _int("IMPORT_MAX_UPLOAD_MB", default=50)
IMPORT_STALE_SECONDS = _int("IMPORT_STALE_SECONDS", default=180)
if IMPORT_MAX_UPLOAD_MB < 1 or IMPORT_STALE_SECONDS < 30:
    raise ImproperlyConfigured("IMPORT_MAX_UPLOAD_MB must be >= 1 and IMPORT_STALE_SECONDS >= 30.")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security (production values unless DEBUG) -----------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp): scripts and styles only from our own
# files, so a stored script or an inline handler that slips into a page does not run. Pages keep
# their behaviour in static/js/app.js and their look in static/css/app.css; /api/docs/ loads its
# start script from a URL (SpectacularSwaggerSplitView). Images may be data: URIs (admin, Swagger).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
if not DEBUG and not TESTING:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto (the README's deployment).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe over plain HTTP inside the network; a redirect would read as "down".
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preload-list submission is a one-way decision for the domain's owner, not a default we
        # can make for them (README, "Production"); HSTS itself is on.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: DRF answers an anonymous call with the first class's challenge, so this gives
    # 401 + `WWW-Authenticate: Token` (session first gives a bare 403). Browser calls still sign in
    # by session, and SessionAuthentication still enforces CSRF on them.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CampaignHub API",
    "DESCRIPTION": "Campaigns, audiences and internal rollouts. Role and embargo rules apply as on the web pages.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models share a field name with different choices: name each set so the schema stays stable.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "workplan.api.CAMPAIGN_STATUSES",
        "DeliverableStatusEnum": "workplan.api.DELIVERABLE_STATUSES",
        "AssetKindEnum": "campaigns.models.Asset.Kind",
    },
}

# --- Logging ---------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
