"""Django settings for JointCase.

One module, driven by the environment so that the same code runs as the embedded demo
(SQLite, no configuration), in tests (SQLite or PostgreSQL chosen by ``DATABASE_URL``) and in
production (``JOINTCASE_ENV=production``), where missing secrets stop the service instead of
being defaulted. See docs/operations.md for every variable.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from jointcase.lib.env import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_mapping,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(env_str("JOINTCASE_VAR_DIR", str(REPO_DIR / "var")))
NODE_MODULES = Path(env_str("JOINTCASE_NODE_MODULES", str(REPO_DIR / "node_modules")))

#: development | demo | test | production. Demo adds demo-only conveniences (demo-otp). Any
#: other value stops start-up: a misspelt "production" must not run as development.
JOINTCASE_ENV = env_choice(
    "JOINTCASE_ENV", "development", ("development", "demo", "test", "production")
)
PRODUCTION = JOINTCASE_ENV == "production"
DEMO_MODE = JOINTCASE_ENV == "demo"
# Every variable below is read through jointcase.lib.env: a value it cannot read stops start-up
# with ImproperlyConfigured naming the variable (docs/operations.md, "Settings").
# The old private names, for settings added before the strict reader.
_env_list = env_list
_env_int = env_int


if PRODUCTION:
    missing = [
        name
        for name in ("JOINTCASE_SECRET_KEY", "JOINTCASE_ALLOWED_HOSTS", "JOINTCASE_KEYRING")
        if not env_str(name)
    ]
    if missing:
        raise ImproperlyConfigured(
            "JointCase refuses to start in production without: "
            + ", ".join(missing)
            + ". See docs/operations.md."
        )
    SECRET_KEY = env_str("JOINTCASE_SECRET_KEY")
    ALLOWED_HOSTS = env_list("JOINTCASE_ALLOWED_HOSTS")
    DEBUG = False
else:
    # Non-production key: fine for the demo and tests, refused by `check --deploy`.
    SECRET_KEY = env_str(
        "JOINTCASE_SECRET_KEY", "insecure-development-key-not-for-production-use-0123456789"
    )
    ALLOWED_HOSTS = env_list("JOINTCASE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
    DEBUG = env_bool("JOINTCASE_DEBUG", False)

#: Directory holding the key-encryption keys and the audit signing key (outside the database).
KEYRING_PATH = Path(env_str("JOINTCASE_KEYRING", str(VAR_DIR / "keyring")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "django_tasks",
    "django_tasks_db",
    "jointcase.audit",
    "jointcase.agencies",
    "jointcase.accounts",
    "jointcase.access",
    "jointcase.people",
    "jointcase.cases",
    "jointcase.material",
    "jointcase.notifications",
    "jointcase.meetings",
    "jointcase.risk",
    "jointcase.supervision",
    "jointcase.workforce",
    "jointcase.exchange",
    "jointcase.seed",
    "jointcase.home",
]

# The header middleware sits outside the sign-in gates so that every response, redirects to
# sign-in and error pages included, carries the CSP, framing and caching headers.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jointcase.home.middleware.StaticAssetsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "jointcase.home.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jointcase.accounts.middleware.SessionPolicyMiddleware",
    "jointcase.accounts.middleware.RequireSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "jointcase.audit.purpose.PurposeRequiredMiddleware",
    "jointcase.access.middleware.HiddenRefusalMiddleware",
    "jointcase.accounts.idempotency.IdempotencyMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "jointcase.accounts.backends.UserBackend",
    "django_otp_webauthn.backends.WebAuthnBackend",
]
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

ROOT_URLCONF = "jointcase.urls"
WSGI_APPLICATION = "jointcase.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "jointcase.jinja2.environment",
            "autoescape": True,
        },
    },
    {
        # The Django admin (system administrators only, behind MFA) keeps its own templates.
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

# --- Database -------------------------------------------------------------------------------
_sqlite_path = VAR_DIR / "jointcase.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL", default=f"sqlite:///{_sqlite_path}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so
        # that two writers of the audit chain queue instead of failing mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # PostgreSQL's JIT compiles any plan it estimates as costly, which took ~0.5 s of a 0.7 s
    # cross-case material list at stress scale; JointCase's queries are short OLTP reads that
    # never repay it. Off for our sessions only (the server's setting is untouched).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Passwords and authentication -----------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if JOINTCASE_ENV == "test":
    PASSWORD_HASHERS.insert(0, "jointcase.accounts.hashers.TestArgon2PasswordHasher")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

#: Failed sign-ins allowed per account (and, separately, per source address) within the
#: window before further attempts are refused until the window passes. The lock is always
#: temporary, so an attacker cannot lock a real user out indefinitely.
SIGN_IN_THROTTLE = {
    "ACCOUNT_LIMIT": env_int("JOINTCASE_THROTTLE_ACCOUNT_LIMIT", 5),
    "ADDRESS_LIMIT": env_int("JOINTCASE_THROTTLE_ADDRESS_LIMIT", 20),
    "WINDOW_SECONDS": env_int("JOINTCASE_THROTTLE_WINDOW_SECONDS", 15 * 60),
}

# --- Sessions -------------------------------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT_SECONDS = env_int("JOINTCASE_SESSION_IDLE_SECONDS", 15 * 60)
SESSION_ABSOLUTE_TIMEOUT_SECONDS = env_int("JOINTCASE_SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "jointcase_session"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "jointcase.home.views.csrf_failure"

# --- Security headers -----------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("JOINTCASE_SSL_REDIRECT", True)
    # The load balancer's liveness probe may speak plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env_list("JOINTCASE_CSRF_TRUSTED_ORIGINS")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# --- MFA ------------------------------------------------------------------------------------
OTP_TOTP_ISSUER = "JointCase"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_WEBAUTHN_RP_NAME = "JointCase"
OTP_WEBAUTHN_RP_ID = env_str("JOINTCASE_WEBAUTHN_RP_ID", "localhost")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list("JOINTCASE_WEBAUTHN_ORIGINS", "http://localhost:8000")
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
#: Days an API token lives when its creator does not say (every token expires).
JOINTCASE_API_TOKEN_DAYS = env_int("JOINTCASE_API_TOKEN_DAYS", 90)
#: The longest life anyone may give an API token.
JOINTCASE_API_TOKEN_MAX_DAYS = env_int("JOINTCASE_API_TOKEN_MAX_DAYS", 365)
#: How long an API write's ``Idempotency-Key`` and its answer are kept (a retry within this
#: window gets the first answer again).
JOINTCASE_IDEMPOTENCY_HOURS = env_int("JOINTCASE_IDEMPOTENCY_HOURS", 24)
#: How many API requests one token may make, as "N/period" (s, min, hour, day); over it the
#: API answers 429 with Retry-After. Counted in the database cache, so every web process
#: shares the count.
JOINTCASE_API_RATE = env_str("JOINTCASE_API_RATE", "600/min")
#: Webhooks: plain http URLs only in the demo (everywhere else https); each attempt's timeout;
#: how many attempts before a delivery is given up; the first retry's wait (doubled each time).
JOINTCASE_WEBHOOK_HTTP_ALLOWED = env_bool("JOINTCASE_WEBHOOK_HTTP_ALLOWED", DEMO_MODE)
JOINTCASE_WEBHOOK_TIMEOUT_SECONDS = env_int("JOINTCASE_WEBHOOK_TIMEOUT_SECONDS", 10)
JOINTCASE_WEBHOOK_MAX_ATTEMPTS = env_int("JOINTCASE_WEBHOOK_MAX_ATTEMPTS", 8)
JOINTCASE_WEBHOOK_BACKOFF_SECONDS = env_int("JOINTCASE_WEBHOOK_BACKOFF_SECONDS", 30)

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Shared by every process: the API's rate limits (a table made by accounts' migrations).
    "shared": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "jointcase_cache",
    },
}
#: Hours a single-use enrolment link (new user, second factor reset) stays usable.
JOINTCASE_ENROLMENT_LINK_HOURS = env_int("JOINTCASE_ENROLMENT_LINK_HOURS", 72)

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", NODE_MODULES / "govuk-frontend" / "dist" / "govuk"),
    ("moj", NODE_MODULES / "@ministryofjustice" / "frontend" / "moj"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
]
#: GOV.UK and MoJ Frontend stylesheets refer to their fonts and images under /assets/;
#: ``jointcase.home.middleware.StaticAssetsMiddleware`` serves both folders there.
FRONTEND_ASSET_DIRS = [
    NODE_MODULES / "govuk-frontend" / "dist" / "govuk" / "assets",
    NODE_MODULES / "@ministryofjustice" / "frontend" / "moj" / "assets",
]
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Background work ------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("JOINTCASE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Service ---------------------------------------------------------------------------------
SERVICE_NAME = "JointCase"
#: The highest classification this deployment may hold (docs/design.md "System high").
SYSTEM_HIGH = env_choice(
    "JOINTCASE_SYSTEM_HIGH", "SECRET", ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET")
)
#: Benchmark-only switch (the request-cost benchmark turns the audit off). Production refuses
#: to start without the audit: every read, denial and write must reach the chain (docs/design.md).
AUDIT_ENABLED = env_bool("JOINTCASE_AUDIT_ENABLED", True)
if PRODUCTION and not AUDIT_ENABLED:
    raise ImproperlyConfigured(
        "JointCase refuses to start in production with the audit off "
        "(JOINTCASE_AUDIT_ENABLED). See docs/operations.md."
    )

EMAIL_BACKEND = env_str("JOINTCASE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "JOINTCASE_LOG_LEVEL", "WARNING", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
        ),
    },
}

# --- Audit ----------------------------------------------------------------------------------
#: Names this deployment in signed checkpoints, so a witness holding several can tell them apart.
AUDIT_SERVICE_ID = env_str("JOINTCASE_AUDIT_SERVICE_ID", "jointcase")
#: A partner's witness endpoint: every checkpoint is POSTed there as JSON (empty: not posted).
JOINTCASE_AUDIT_WITNESS_URL = env_str("JOINTCASE_AUDIT_WITNESS_URL", "")
JOINTCASE_AUDIT_WITNESS_TIMEOUT = env_float(
    "JOINTCASE_AUDIT_WITNESS_TIMEOUT", 5.0, minimum=0.1, maximum=300
)
#: Minutes between the periodic signed checkpoints made by the worker.
JOINTCASE_AUDIT_CHECKPOINT_MINUTES = env_int("JOINTCASE_AUDIT_CHECKPOINT_MINUTES", 15)
#: The protective marking of audit reports (pages and CSV exports): who saw which case is itself
#: sensitive personal data.
AUDIT_REPORT_MARKING = env_str("JOINTCASE_AUDIT_REPORT_MARKING", "OFFICIAL-SENSITIVE")
#: Rows shown on each page of an audit report.
AUDIT_REPORT_PAGE_ROWS = env_int("JOINTCASE_AUDIT_REPORT_PAGE_ROWS", 50)
AUDIT_EXPORT_MAX_ROWS = env_int("JOINTCASE_AUDIT_EXPORT_MAX_ROWS", 100_000)

# --- Register (people and cases) ------------------------------------------------------------
#: Months before the expected release date when a case in custody enters PRE_RELEASE.
JOINTCASE_PRE_RELEASE_MONTHS = env_int("JOINTCASE_PRE_RELEASE_MONTHS", 6)
#: The required-checks rules file (empty: the bundled risk/data/rules/required_checks.yaml).
JOINTCASE_CHECK_RULES = env_str("JOINTCASE_CHECK_RULES", "")
#: The contact standards file (empty: the bundled supervision/data/standards.yaml).
JOINTCASE_CONTACT_STANDARDS = env_str("JOINTCASE_CONTACT_STANDARDS", "")
#: How many days before required training lapses its holder and their manager are told.
JOINTCASE_TRAINING_EXPIRY_NOTICE_DAYS = env_int("JOINTCASE_TRAINING_EXPIRY_NOTICE_DAYS", 30)
#: The prison training course catalogue (empty: the bundled workforce/data/courses.yaml).
JOINTCASE_TRAINING_COURSES = env_str("JOINTCASE_TRAINING_COURSES", "")
#: The caseload weights file (empty: the bundled workforce/data/weights.yaml).
JOINTCASE_WORKFORCE_WEIGHTS = env_str("JOINTCASE_WORKFORCE_WEIGHTS", "")
#: The partner sources file in force (empty: the bundled ``exchange/data/sources.yaml``).
JOINTCASE_EXCHANGE_SOURCES = env_str("JOINTCASE_EXCHANGE_SOURCES", "")
#: Rows written per transaction by an import (each chunk also advances the resume position).
JOINTCASE_IMPORT_CHUNK_ROWS = env_int("JOINTCASE_IMPORT_CHUNK_ROWS", 1000)

# --- Material ---------------------------------------------------------------------------------
#: The largest upload accepted (docs/design.md: default 25 MB); larger files are refused with a message.
JOINTCASE_UPLOAD_MAX_BYTES = env_int("JOINTCASE_UPLOAD_MAX_BYTES", 25 * 1024 * 1024)
#: Minutes a break-glass access lasts (docs/design.md "Decision": a short, configurable time).
JOINTCASE_BREAKGLASS_MINUTES = env_int("JOINTCASE_BREAKGLASS_MINUTES", 30)
#: Days an approved request for access to an item lasts, unless the approver chooses otherwise.
JOINTCASE_MATERIAL_GRANT_DAYS = env_int("JOINTCASE_MATERIAL_GRANT_DAYS", 30)
#: Years an item is kept when its author gives no retention date; after ``retain_until`` the
#: daily retention job (``jointcase material retention``) destroys its data keys.
JOINTCASE_MATERIAL_RETENTION_YEARS = env_int("JOINTCASE_MATERIAL_RETENTION_YEARS", 7)
#: Uploaded files are streamed to a temporary file above this size (Django's default 2.5 MB);
#: file data never counts towards DATA_UPLOAD_MAX_MEMORY_SIZE, so a 25 MB upload reaches
#: ``uploads.upload_check``, which refuses a larger one with a clear message.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Meetings ---------------------------------------------------------------------------------
#: Working days before the due date when the owner of an open action is reminded.
JOINTCASE_ACTION_DUE_SOON_WORKING_DAYS = env_int("JOINTCASE_ACTION_DUE_SOON_WORKING_DAYS", 3)
#: Working days overdue after which the owner's line manager is notified.
JOINTCASE_ACTION_ESCALATE_MANAGER_WORKING_DAYS = env_int(
    "JOINTCASE_ACTION_ESCALATE_MANAGER_WORKING_DAYS", 2
)
#: Further working days still open after which the senior operational lead or CT supervisor of
#: the case team is notified.
JOINTCASE_ACTION_ESCALATE_SENIOR_WORKING_DAYS = env_int(
    "JOINTCASE_ACTION_ESCALATE_SENIOR_WORKING_DAYS", 5
)
#: Also e-mail action reminders and escalations (a link only, never protected content).
JOINTCASE_ACTION_EMAIL = env_bool("JOINTCASE_ACTION_EMAIL", False)
#: The address of this service, put before the links in e-mails (empty: relative links).
JOINTCASE_BASE_URL = env_str("JOINTCASE_BASE_URL", "")

#: Record linkage (docs/exchange.md, "Record linkage"): an incoming person record whose best
#: match probability reaches the upper threshold links to that person; from the lower threshold
#: up to the upper it waits in the review queue; below the lower it becomes a new person.
JOINTCASE_LINK_UPPER = env_float("JOINTCASE_LINK_UPPER", 0.95, minimum=0.0, maximum=1.0)
JOINTCASE_LINK_LOWER = env_float("JOINTCASE_LINK_LOWER", 0.5, minimum=0.0, maximum=1.0)
if JOINTCASE_LINK_LOWER > JOINTCASE_LINK_UPPER:
    raise ImproperlyConfigured("JOINTCASE_LINK_LOWER must not be above JOINTCASE_LINK_UPPER.")
#: Where Splink runs a batch linkage (an import's linkage stage, ``jointcase link run``):
#: "duckdb" (embedded, in process) or "spark" (pyspark, the optional extra, and Java 17), for
#: national extracts (docs/exchange.md "Linkage on Spark"). Live matching stays on DuckDB.
JOINTCASE_LINK_BACKEND = env_choice("JOINTCASE_LINK_BACKEND", "duckdb", ("duckdb", "spark"))
#: The Spark master the linkage's session connects to ("local[2]": in process, two threads).
JOINTCASE_SPARK_MASTER = env_str("JOINTCASE_SPARK_MASTER", "local[2]")
#: Further Spark settings, "spark.NAME=VALUE" items separated by semicolons.
JOINTCASE_SPARK_CONF = env_mapping("JOINTCASE_SPARK_CONF", key_prefix="spark.")
#: Where Splink writes its intermediate tables on Spark (every executor must reach it).
JOINTCASE_SPARK_CHECKPOINT_DIR = env_str(
    "JOINTCASE_SPARK_CHECKPOINT_DIR", str(VAR_DIR / "spark-checkpoints")
)
#: How Splink cuts Spark's query plans between steps: parquet files in the checkpoint
#: directory, Spark checkpoints there, or kept in executor memory (persist).
JOINTCASE_SPARK_BREAK_LINEAGE = env_choice(
    "JOINTCASE_SPARK_BREAK_LINEAGE", "parquet", ("parquet", "checkpoint", "persist")
)

# "Known to you?" and live matching (docs/exchange.md): at most this many asks per user
# (the page, the API, the person form's match) in any window of this many seconds.
JOINTCASE_KNOWN_RATE_LIMIT = env_int("JOINTCASE_KNOWN_RATE_LIMIT", 30, minimum=1)
JOINTCASE_KNOWN_RATE_WINDOW_SECONDS = env_int(
    "JOINTCASE_KNOWN_RATE_WINDOW_SECONDS", 60 * 60, minimum=1
)
