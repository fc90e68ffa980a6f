"""Django settings, all read from the environment.

Embedded defaults (SQLite, embedded search, development realm) apply when the
corresponding variables are unset; production sets DATABASE_URL, MEILISEARCH_URL
and KEYCLOAK_URL. See README.md for the full table.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.env import data_dir, env_bool, env_int, env_list, env_str
from portal.ops.cache import caches_from_url
from portal.ops.logs import formatters as log_formatters

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()

DEBUG = env_bool("DEBUG", default=False)
DEV_SECRET_KEY = "dev-insecure-secret-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG off) refuses to start with a default secret."
        )
    SECRET_KEY = DEV_SECRET_KEY
elif SECRET_KEY == DEV_SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured("SECRET_KEY is the development default; set a real secret for production.")

# "testserver" (Django's test client) is added by the test environment itself, never in production.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
#: The portal's external address, the one base URL of the settings: links in e-mails, the admin's base URL,
#: the development realm's issuer (`portal demo --port` sets it). `PORTAL_BASE_URL` is read only by
#: `python -m portal.demo.realm` (the redirect hosts of a realm file).
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Domain apps first so that their templates/translations take precedence.
    "portal.core",
    "portal.ops",
    "portal.audit",
    "portal.territory",
    "portal.partners",
    "portal.accounts",
    "portal.cases",
    "portal.community",
    "portal.consultations",
    "portal.notifications",
    "portal.casework",
    "portal.casework.intake",
    "portal.workspace",
    "portal.reports",
    "portal.demo",
    "identity",
    "search",
    "graph",
    "cms",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
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
    # Headless CMS
    "graphene_django",
    "grapple",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Background jobs: Django's Tasks API on the database queue (portal.jobs, `portal worker`)
    "django_tasks",
    "django_tasks_db",
    "portal.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.core.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.casework.middleware.CaseworkNotFoundForOutsiders",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "portal.ops.middleware.DjangoRouteMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.navigation.work_home",
            ],
        },
    },
]

WSGI_APPLICATION = None
ASGI_APPLICATION = "portal.asgi.app"

# --- Database -----------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'portal.sqlite3'}"
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0)
if _db["ENGINE"] == "django.db.backends.postgresql":
    # The GraphQL gateway runs outside Django's request handler, so connections are
    # pooled by psycopg instead of being kept per thread (CONN_MAX_AGE must be 0).
    if env_bool("DATABASE_POOL", default=True):
        _db.setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN", 1),
            "max_size": env_int("DATABASE_POOL_MAX", 10),
            "timeout": 10,
        }
    # A request waits at most DATABASE_LOCK_TIMEOUT_MS for a row lock and DATABASE_STATEMENT_TIMEOUT_MS for a
    # statement; the gateway answers such a refusal with a typed "try again" (graph.errors.TryAgain).
    # (Options given in DATABASE_URL come after these, so they win.)
    _options = _db.setdefault("OPTIONS", {})
    _options["options"] = (
        f"-c lock_timeout={env_int('DATABASE_LOCK_TIMEOUT_MS', 5000)} "
        f"-c statement_timeout={env_int('DATABASE_STATEMENT_TIMEOUT_MS', 60000)} "
        f"{_options.get('options', '')}"
    ).strip()
elif _db["ENGINE"] == "django.db.backends.sqlite3":
    _db.setdefault("OPTIONS", {}).update(
        {
            # Seconds a writer waits for SQLite's database lock before "database is locked" (a typed "try again").
            "timeout": env_int("DATABASE_SQLITE_BUSY_TIMEOUT", 20),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Language -----------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Yekaterinburg")
USE_TZ = True
# Django 6 default; set now so URL fields behave the same after the upgrade.
FORMS_URLFIELD_ASSUME_HTTPS = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or DATA_DIR / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or DATA_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Wagtail ------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Социальное сопровождение"
WAGTAILADMIN_BASE_URL = PUBLIC_BASE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "doc", "odt", "xlsx", "csv", "txt"]
# Pages have Russian originals and English translations (same URLs; the language cookie picks one,
# a page without a translation falls back to Russian): cms.models.LocalizedRoutingMixin.
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
# No external avatar service: the admin shows its built-in default avatar (no request leaves the portal).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor does the admin dashboard ask releases.wagtail.org for new versions (upgrades go through pyproject.toml).
WAGTAIL_ENABLE_UPDATE_CHECK = False

# --- Headless CMS (wagtail-grapple) ------------------------------------------
GRAPHENE = {"SCHEMA": "grapple.schema.schema"}
GRAPPLE = {"APPS": ["cms", "consultations", "community"], "EXPOSE_GRAPHIQL": DEBUG, "ADD_SEARCH_HIT": False}

# --- Auth ---------------------------------------------------------------------
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/home/"  # portal.navigation.role_home: each role's own home
WAGTAILADMIN_LOGIN_URL = LOGIN_URL
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- Identity (Keycloak) ------------------------------------------------------
# Unset KEYCLOAK_URL: the built-in development realm is served at /realms/<realm>/.
KEYCLOAK_URL = env_str("KEYCLOAK_URL").rstrip("/")
KEYCLOAK_REALM = env_str("KEYCLOAK_REALM", "portal")
KEYCLOAK_CLIENT_ID = env_str("KEYCLOAK_CLIENT_ID", "portal-web")
KEYCLOAK_CLIENT_SECRET = env_str("KEYCLOAK_CLIENT_SECRET", "portal-web-dev-secret")
KEYCLOAK_GATEWAY_CLIENT_ID = env_str("KEYCLOAK_GATEWAY_CLIENT_ID", "portal-gateway")
KEYCLOAK_LEEWAY_SECONDS = env_int("KEYCLOAK_LEEWAY_SECONDS", 30)
# The development realm never runs (nor is trusted) with DEBUG off unless explicitly allowed.
DEVREALM_ALLOW_WITHOUT_DEBUG = env_bool("DEVREALM_ALLOW_WITHOUT_DEBUG", default=False)
DEVREALM_ENABLED = not KEYCLOAK_URL and (DEBUG or DEVREALM_ALLOW_WITHOUT_DEBUG)
DEVREALM_KEY_DIR = DATA_DIR / "devrealm"

# --- Search (Meilisearch) -----------------------------------------------------
# Unset MEILISEARCH_URL: the embedded engine stores its index in the data folder.
MEILISEARCH_URL = env_str("MEILISEARCH_URL").rstrip("/")
MEILISEARCH_API_KEY = env_str("MEILISEARCH_API_KEY")
MEILISEARCH_SEARCH_KEY_UID = env_str("MEILISEARCH_SEARCH_KEY_UID")
MEILISEARCH_SEARCH_KEY = env_str("MEILISEARCH_SEARCH_KEY")
SEARCH_INDEX_PREFIX = env_str("SEARCH_INDEX_PREFIX", "portal")
SEARCH_EMBEDDED_PATH = Path(env_str("SEARCH_EMBEDDED_PATH") or DATA_DIR / "search.sqlite3")

# --- GraphQL gateway ----------------------------------------------------------
GRAPHQL_MAX_DEPTH = env_int("GRAPHQL_MAX_DEPTH", 10)
GRAPHQL_MAX_TOKENS = env_int("GRAPHQL_MAX_TOKENS", 2000)
GRAPHQL_MAX_ALIASES = env_int("GRAPHQL_MAX_ALIASES", 30)
GRAPHQL_MAX_PAGE_SIZE = 100
#: Query cost: 1 per field, times the page size (first/last/limit, capped) under lists (graph.limits).
GRAPHQL_MAX_COST = env_int("GRAPHQL_MAX_COST", 50000)
#: Assumed length of a list without paging arguments, for the cost.
GRAPHQL_COST_LIST_SIZE = env_int("GRAPHQL_COST_LIST_SIZE", 10)
#: Steps the linear limits walk may take for one document before it is refused as too complex.
GRAPHQL_VALIDATION_BUDGET = env_int("GRAPHQL_VALIDATION_BUDGET", 50000)
#: The gateway's own worker threads (graph.threads): reads and token checks; writes of mutations apart.
GRAPHQL_READ_THREADS = env_int("GRAPHQL_READ_THREADS", 8)
GRAPHQL_WRITE_THREADS = env_int("GRAPHQL_WRITE_THREADS", 4)
#: Seconds a gateway thread keeps its SQLite connection for the next unit of work (0: a connection per unit, as
#: CONN_MAX_AGE = 0 gives everywhere else). PostgreSQL connections come from the psycopg pool instead.
GRAPHQL_KEEP_CONNECTION_SECONDS = env_int("GRAPHQL_KEEP_CONNECTION_SECONDS", 300)
#: Largest request body /graphql reads (413 beyond).
GRAPHQL_MAX_BODY_BYTES = env_int("GRAPHQL_MAX_BODY_BYTES", 1024 * 1024)
GRAPHQL_MUTATIONS_PER_MINUTE = env_int("GRAPHQL_MUTATIONS_PER_MINUTE", 60)

# --- E-mail -------------------------------------------------------------------
#: E-mail goes through portal.ops.mail (counts sent/failed messages) to this backend.
EMAIL_BACKEND = "portal.ops.mail.MeteredEmailBackend"
EMAIL_DELIVERY_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@social-support.local")
#: Seconds to wait for the mail relay (delivery runs in `portal worker`, never in a web request).
EMAIL_TIMEOUT = 10
#: A queued e-mail (portal.core.mail) is given up after this many attempts (backoff 1, 2, 4 … 60 minutes: ~a day).
MAIL_MAX_ATTEMPTS = 30
#: A message still `sending` after this long (its worker died) is tried again.
MAIL_SENDING_TIMEOUT_MINUTES = 10

# --- Background jobs (portal.jobs) -------------------------------------------------
#: The queue: the database (default; `portal worker` runs the jobs). The tests run jobs inline
#: (django_tasks.backends.immediate.ImmediateBackend).
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
#: Seconds an idle worker waits before looking for jobs again; the scheduler's tick.
JOBS_POLL_INTERVAL = 1.0
JOBS_SCHEDULER_TICK = 5.0
#: /readyz reports the job queue degraded when its oldest waiting job is older than this.
JOBS_BACKLOG_MAX_MINUTES = 10
#: Finished jobs and delivered e-mail are removed after (days): portal.jobs.jobs.prune_finished, nightly.
JOBS_KEEP_SUCCESSFUL_DAYS = 7
JOBS_KEEP_FAILED_DAYS = 90
MAIL_KEEP_SENT_DAYS = 30

# Rate limits, throttles and caches: locmem (one process), Redis or the database (portal.ops.cache).
CACHES = caches_from_url(env_str("CACHE_URL"))

# Structured logs (portal.ops.logs): JSON lines in production, with request id, route and viewer pseudonym.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "portal.ops.logs.ContextFilter"}},
    "formatters": log_formatters(),
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context"]}},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "uvicorn": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO"), "propagate": False},
        "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        "portal": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
        "identity": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
        "identity.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "graph": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
        "search": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    },
}


# --- Identity: web sign-in, local sign-in throttle, the development realm -----
# The local (emergency) password sign-in is throttled by django-axes: LocalSignInThrottle first, its middleware
# last; a username is locked out from an address after LOGIN_FAILURE_LIMIT wrong passwords for LOGIN_LOCKOUT_MINUTES.
AUTHENTICATION_BACKENDS = ["identity.backends.LocalSignInThrottle", "identity.backends.KeycloakBackend",
                           "django.contrib.auth.backends.ModelBackend"]
INSTALLED_APPS.append("axes")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "identity.views.locked_out"
AXES_VERBOSE = False
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
                  "identity.middleware.TokenRefreshMiddleware")
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
#: Where the portal's server reaches the development realm (default: the request's own base URL).
IDENTITY_DEVREALM_URL = env_str("IDENTITY_DEVREALM_URL").rstrip("/")
#: Refresh the session's access token when it expires within this many seconds.
IDENTITY_REFRESH_MARGIN_SECONDS = env_int("IDENTITY_REFRESH_MARGIN_SECONDS", 60)
#: Service-account client of the `portal` realm used by `portal sync-realm` against a real Keycloak.
KEYCLOAK_ADMIN_CLIENT_ID = env_str("KEYCLOAK_ADMIN_CLIENT_ID", "portal-admin")
KEYCLOAK_ADMIN_CLIENT_SECRET = env_str("KEYCLOAK_ADMIN_CLIENT_SECRET")
#: Audience an access token must carry to be accepted by the gateway/portal.
KEYCLOAK_AUDIENCE = env_str("KEYCLOAK_AUDIENCE") or KEYCLOAK_GATEWAY_CLIENT_ID
KEYCLOAK_REALM_FILE = Path(env_str("KEYCLOAK_REALM_FILE") or BASE_DIR / "identity" / "realm" / "portal-realm.json")
#: Refetch the JWKS on an unknown `kid` at most once per this many seconds.
KEYCLOAK_JWKS_REFETCH_SECONDS = env_int("KEYCLOAK_JWKS_REFETCH_SECONDS", 10)
#: Issuer of the development realm (fixed, like Keycloak's KC_HOSTNAME): `<base>/realms/<realm>`; the
#: portal's server reaches the realm there, never at an address taken from a request's Host header.
DEVREALM_ISSUER = (IDENTITY_DEVREALM_URL or PUBLIC_BASE_URL) + f"/realms/{KEYCLOAK_REALM}"

# --- Search: index names ------------------------------------------------------
SEARCH_BACKLOG_MAX_MINUTES = env_int("SEARCH_BACKLOG_MAX_MINUTES", 10)
MEILISEARCH_INDEX_PREFIX = env_str("MEILISEARCH_INDEX_PREFIX") or SEARCH_INDEX_PREFIX
SEARCH_INDEX_PREFIX = MEILISEARCH_INDEX_PREFIX

# --- Public pages (cms) -------------------------------------------------------
# Anonymous public pages served from the shared cache (cms.page_cache): after the language and CSRF middleware,
# before authentication. A publish or a change of what the pages show starts a new generation at once; this
# bounds changes made without model signals (bulk updates), in seconds.
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.csrf.CsrfViewMiddleware") + 1,
                  "cms.page_cache.PublicPageCacheMiddleware")
PUBLIC_PAGE_CACHE_SECONDS = 300

# --- Public forms and registries (consultations, community) -------------------
#: Public forms: (submissions, window in seconds) per client, counted in the cache.
PUBLIC_FORM_RATE_LIMITS = {
    "question": (env_int("CONSULTATIONS_RATE_LIMIT", 5), 3600),
    "benefactor": (env_int("BENEFACTORS_RATE_LIMIT", 3), 3600),
    "offer": (env_int("OFFERS_RATE_LIMIT", 10), 3600),
}
#: Trust the first X-Forwarded-For address for rate limits (only behind a proxy that sets it).
PUBLIC_FORMS_TRUST_X_FORWARDED_FOR = env_bool("PUBLIC_FORMS_TRUST_X_FORWARDED_FOR", default=False)
#: k of the needs registry: every card (category, district, help, urgency, status, time since publication) is
#: shared by at least this many published needs, in every filtered list; rarer ones are coarsened or hidden.
COMMUNITY_MIN_GROUP_SIZE = env_int("COMMUNITY_MIN_GROUP_SIZE", 3)

# --- Operations ---------------------------------------------------------------
#: Client networks that may read /metrics (and other operator endpoints) without a token.
INTERNAL_NETWORKS = env_list("INTERNAL_NETWORKS", ["127.0.0.0/8", "::1/128"])
#: Bearer token that opens /metrics from anywhere (unset: internal network only).
METRICS_TOKEN = env_str("METRICS_TOKEN")
#: Where `portal backup` writes its archives by default.
BACKUP_DIR = Path(env_str("BACKUP_DIR") or DATA_DIR / "backups")
#: Days personal data is kept after a person's last case closed; then the nightly job anonymises it
#: (portal.cases.retention; 152-FZ art. 5 p. 7). Set it to the region's records schedule.
PERSONAL_DATA_RETENTION_DAYS = env_int("PERSONAL_DATA_RETENTION_DAYS", 1826)

# --- Security headers ---------------------------------------------------------
# portal.headers: the same set on every route, Starlette's included.
# Content-Security-Policy by django-csp, without 'unsafe-inline': scripts and styles come from the portal's
# own static files; the few inline <style> blocks carry the request's nonce ({{ request.csp_nonce }}).
from csp.constants import NONCE, NONE, SELF  # noqa: E402

# portal.headers.CSPMiddleware: django-csp's, with the settings' policy built once rather than per response.
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "portal.headers.CSPMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("portal.headers.CSPMiddleware") + 1, "portal.headers.CurrentRequestMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "frame-ancestors": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # Sign-out posts to /accounts/logout/, which redirects to Keycloak's end-session endpoint.
        "form-action": [SELF, *([KEYCLOAK_URL] if KEYCLOAK_URL else [])],
    },
}
#: HTTP Strict Transport Security over HTTPS in production (uvicorn's proxy headers tell HTTPS behind a proxy).
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
#: Bearer token that shows /readyz details (database, backlog, identity provider) from outside INTERNAL_NETWORKS.
READYZ_TOKEN = env_str("READYZ_TOKEN")
