"""Django settings for motcua. Every value comes from the environment through ``motcua.conf``."""

from pathlib import Path

import dj_database_url

from motcua.conf import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent

DATA_DIR = Path(
    env(
        "MOTCUA_DATA_DIR",
        "var",
        "Directory for the SQLite database, uploaded files and static files; relative to the working directory.",
    )
).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env(
    "MOTCUA_SECRET_KEY",
    "dev-insecure-change-me",
    "Django secret key. Set a long random value in production.",
)
DEBUG = env_bool("MOTCUA_DEBUG", False, "Django debug mode (never in production).")
ALLOWED_HOSTS = env_list(
    "MOTCUA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver", "Comma-separated host names served."
)
CSRF_TRUSTED_ORIGINS = env_list(
    "MOTCUA_CSRF_TRUSTED_ORIGINS", "", "Comma-separated origins (https://host) trusted for CSRF."
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs page from its bundled assets (no CDN)
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "motcua.accounts",
    "motcua.worktime",
    "motcua.org",
    "motcua.catalog",
    "motcua.dossiers",
    "motcua.indicators",
    "motcua.feedback",
    "motcua.backoffice",
    "motcua.portal",
    "motcua.cli",
]

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
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "motcua.urls"

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

WSGI_APPLICATION = "motcua.wsgi.application"

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env(
            "DATABASE_URL",
            "",
            "Database URL. Empty: SQLite in WAL mode at MOTCUA_DATA_DIR/motcua.sqlite3; "
            "production: postgres://user:password@host:5432/name (psycopg 3).",
        )
        or f"sqlite:///{DATA_DIR / 'motcua.sqlite3'}",
    )
}
_postgres = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _auto_int(name: str, on_postgres: int, help: str) -> int:
    value = env(name, "auto", help)
    return (on_postgres if _postgres else 0) if value == "auto" else int(value)


DATABASES["default"]["CONN_MAX_AGE"] = _auto_int(
    "MOTCUA_DB_CONN_MAX_AGE",
    60,
    "Seconds to keep database connections open; auto: 60 on PostgreSQL (prepared statements live "
    "in a connection), 0 on SQLite.",
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
        # concurrent writers queue on busy_timeout instead of failing with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
_prepare_threshold = _auto_int(
    "MOTCUA_DB_PREPARE_THRESHOLD",
    5,
    "PostgreSQL only: executions of the same SQL after which psycopg prepares it on the server "
    "(Django OPTIONS server_side_binding=True, prepare_threshold=N); auto: 5; 0 = off (Django's "
    "client-side binding). Without it PostgreSQL plans the dossier look-up's joins on every call "
    "(592 instead of 5,144 look-ups/s, docs/benchmarks.md). Not for a transaction-pooling "
    "PgBouncer: set 0 there.",
)
if _postgres:
    from motcua.db import widen_psycopg_query_cache

    widen_psycopg_query_cache()
    if _prepare_threshold > 0:
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=_prepare_threshold
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Staff pages (@login_required) send to the officers' /dang-nhap/; citizen pages use
# MOTCUA_PORTAL_LOGIN_URL (``motcua.portal.views_account.citizen_login_required``).
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "backoffice:home"
LOGOUT_REDIRECT_URL = "login"
MOTCUA_PORTAL_LOGIN_URL = "portal:signin"
# Local accounts first (officers and citizens: username + password; citizens' username is their
# e-mail), then OpenID Connect (does nothing unless MOTCUA_OIDC_CLIENT_ID is set).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "motcua.accounts.backends.CitizenOIDCBackend",
]

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when its root is missing
MOTCUA_UPLOAD_MAX_BYTES = env_int(
    "MOTCUA_UPLOAD_MAX_BYTES",
    20 * 1024 * 1024,
    "Largest scanned file accepted at the counter (PDF/JPEG/PNG, type checked by content), in bytes.",
)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(
    env("MOTCUA_MEDIA_ROOT", "", "Directory for uploaded files. Empty: MOTCUA_DATA_DIR/media.")
    or DATA_DIR / "media"
).resolve()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve app static files without a collectstatic step

# --- Background tasks -----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env(
            "MOTCUA_TASKS_BACKEND",
            "motcua.taskqueue.DatabaseBackend",
            "Task backend (Django Tasks API). Tests use django_tasks.backends.immediate.ImmediateBackend.",
        ),
        "QUEUES": ["default"],
    }
}

# --- E-mail, SMS and notifications to applicants (motcua.feedback.notifications) --------------
EMAIL_BACKEND = env(
    "MOTCUA_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend",
    "Django e-mail backend. Default: print messages to the console; production: "
    "django.core.mail.backends.smtp.EmailBackend with the MOTCUA_EMAIL_* settings below.",
)
EMAIL_HOST = env("MOTCUA_EMAIL_HOST", "localhost", "SMTP server host name.")
EMAIL_PORT = env_int("MOTCUA_EMAIL_PORT", 25, "SMTP server port (587 with STARTTLS, 465 with SSL).")
EMAIL_HOST_USER = env("MOTCUA_EMAIL_USER", "", "SMTP user name (empty: no authentication).")
EMAIL_HOST_PASSWORD = env("MOTCUA_EMAIL_PASSWORD", "", "SMTP password.")
EMAIL_USE_TLS = env_bool("MOTCUA_EMAIL_USE_TLS", False, "Use STARTTLS on the SMTP connection.")
EMAIL_USE_SSL = env_bool("MOTCUA_EMAIL_USE_SSL", False, "Use implicit TLS (SMTPS, usually port 465).")
EMAIL_TIMEOUT = env_int("MOTCUA_EMAIL_TIMEOUT", 20, "Seconds to wait for the SMTP server.")
DEFAULT_FROM_EMAIL = env(
    "MOTCUA_EMAIL_FROM", "motcua <no-reply@localhost>", "Sender address of e-mails to citizens."
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MOTCUA_NOTIFICATIONS_ENABLED = env_bool(
    "MOTCUA_NOTIFICATIONS_ENABLED",
    True,
    "Notify applicants (e-mail, SMS) of every status change that concerns them, after commit, as "
    "background tasks.",
)
MOTCUA_NOTIFY_MAX_ATTEMPTS = env_int(
    "MOTCUA_NOTIFY_MAX_ATTEMPTS", 5, "Attempts to send one notification before it is marked failed."
)
MOTCUA_NOTIFY_RETRY_SECONDS = env_int(
    "MOTCUA_NOTIFY_RETRY_SECONDS",
    60,
    "Delay before the first retry of a failed notification; doubled at each further attempt.",
)
MOTCUA_SMS_PROVIDER = env(
    "MOTCUA_SMS_PROVIDER",
    "log",
    "SMS provider: `log` (writes the message to the log, phone number masked), the dotted path of a "
    "class with send_sms(phone, text), or empty for no SMS.",
)
MOTCUA_PETITION_DEADLINE_WORKING_DAYS = env_int(
    "MOTCUA_PETITION_DEADLINE_WORKING_DAYS",
    10,
    "Working days a unit has to answer a petition (phản ánh, kiến nghị), counted from its reception.",
)

# --- Working time ---------------------------------------------------------------------------
MOTCUA_TIME_ZONE = TIME_ZONE
MOTCUA_HOLIDAY_COUNTRY = env(
    "MOTCUA_HOLIDAY_COUNTRY", "VN", "Country whose public holidays the `holidays` package supplies."
)

# --- Dossiers ------------------------------------------------------------------------------
# Decree 118/2025 Art. 28 fixes the code's parts; its 2025 rendering is unverified, so it is set here.
MOTCUA_DOSSIER_CODE_DATE_FORMAT = env(
    "MOTCUA_DOSSIER_CODE_DATE_FORMAT", "%y%m%d", "strftime format of the reception date in dossier codes."
)
MOTCUA_DOSSIER_CODE_WIDTH = env_int(
    "MOTCUA_DOSSIER_CODE_WIDTH", 4, "Minimum digits of the daily running number in dossier codes."
)
MOTCUA_DOSSIER_CODE_PORTAL_PREFIX = env(
    "MOTCUA_DOSSIER_CODE_PORTAL_PREFIX",
    "000.00.00.G22",
    "Prefix of group (liên thông) dossiers filed online on the national portal (unverified).",
)
MOTCUA_SUPPLEMENT_POLICY = env(
    "MOTCUA_SUPPLEMENT_POLICY",
    "restart",
    "Default supplement clock for new dossiers: restart (Decree 118/2025 Art. 19(5)), pause or extend.",
)
MOTCUA_APPLICANT_STOP_NATIONAL_STATUS = env_int(
    "MOTCUA_APPLICANT_STOP_NATIONAL_STATUS",
    7,
    "National status code (7 or 8) synced for a stop at the applicant's request (unverified mapping).",
)

# --- Citizen portal ------------------------------------------------------------------------
# The look-up counter lives in Django's default cache. Without CACHES set that is LocMemCache,
# one per process: with several workers or machines configure a shared cache (Redis, Memcached
# or django.core.cache.backends.db.DatabaseCache), or each process allows its own quota.
MOTCUA_LOOKUP_ATTEMPTS = env_int(
    "MOTCUA_LOOKUP_ATTEMPTS",
    10,
    "Public dossier look-ups (code + secret) allowed per client IP per window; more get HTTP 429. "
    "Counted in Django's default cache: production with several processes needs a shared cache.",
)
MOTCUA_LOOKUP_WINDOW_SECONDS = env_int(
    "MOTCUA_LOOKUP_WINDOW_SECONDS", 600, "Length of the public look-up rate-limit window, in seconds."
)

# --- Citizen accounts and OpenID Connect sign-in (VNeID or any provider) --------------------
MOTCUA_EMAIL_VERIFY_MAX_AGE = env_int(
    "MOTCUA_EMAIL_VERIFY_MAX_AGE",
    3 * 24 * 3600,
    "Seconds an e-mail verification link stays valid (a signed link; no table).",
)
PASSWORD_RESET_TIMEOUT = env_int(
    "MOTCUA_PASSWORD_RESET_TIMEOUT", 24 * 3600, "Seconds a password-reset link stays valid."
)
MOTCUA_SIGNIN_ATTEMPTS = env_int(
    "MOTCUA_SIGNIN_ATTEMPTS",
    10,
    "Failed citizen sign-ins allowed per client IP and per e-mail address per window (also caps "
    "sign-ups and password-reset requests per IP); more get HTTP 429. Counted in Django's cache.",
)
MOTCUA_SIGNIN_WINDOW_SECONDS = env_int(
    "MOTCUA_SIGNIN_WINDOW_SECONDS", 900, "Length of the citizen sign-in rate-limit window, in seconds."
)
OIDC_RP_CLIENT_ID = env(
    "MOTCUA_OIDC_CLIENT_ID",
    "",
    "OpenID Connect client id registered with the identity provider (VNeID or another). Empty: "
    "OIDC sign-in is off and its button hidden.",
)
OIDC_RP_CLIENT_SECRET = env("MOTCUA_OIDC_CLIENT_SECRET", "", "OpenID Connect client secret.")
MOTCUA_OIDC_PROVIDER = env(
    "MOTCUA_OIDC_PROVIDER",
    "vneid",
    "Short provider name recorded on dossiers as the sign-in method `oidc:<name>`.",
)
MOTCUA_OIDC_ISSUER = env(
    "MOTCUA_OIDC_ISSUER",
    "",
    "Issuer (`iss`) the ID token must carry; stored with each account's `sub`. Empty: any issuer "
    "is accepted and the token's own `iss` is stored (set it in production).",
)
OIDC_OP_AUTHORIZATION_ENDPOINT = env(
    "MOTCUA_OIDC_AUTHORIZATION_ENDPOINT", "", "Provider's authorization endpoint URL."
)
OIDC_OP_TOKEN_ENDPOINT = env("MOTCUA_OIDC_TOKEN_ENDPOINT", "", "Provider's token endpoint URL.")
OIDC_OP_USER_ENDPOINT = env("MOTCUA_OIDC_USERINFO_ENDPOINT", "", "Provider's userinfo endpoint URL.")
OIDC_OP_JWKS_ENDPOINT = (
    env("MOTCUA_OIDC_JWKS_ENDPOINT", "", "Provider's JWKS URL (public keys that sign ID tokens).") or None
)
OIDC_RP_SIGN_ALGO = env("MOTCUA_OIDC_SIGN_ALGO", "RS256", "ID token signature algorithm (RS256, ES256…).")
OIDC_RP_SCOPES = env("MOTCUA_OIDC_SCOPES", "openid profile email", "Scopes requested, space-separated.")
OIDC_USE_PKCE = env_bool("MOTCUA_OIDC_USE_PKCE", True, "Send a PKCE S256 challenge with the request.")
OIDC_TIMEOUT = env_int("MOTCUA_OIDC_TIMEOUT", 10, "Seconds to wait for the provider's token/userinfo/JWKS.")
MOTCUA_OIDC_CLAIM_NAME = env("MOTCUA_OIDC_CLAIM_NAME", "name", "Claim holding the person's full name.")
MOTCUA_OIDC_CLAIM_EMAIL = env("MOTCUA_OIDC_CLAIM_EMAIL", "email", "Claim holding the e-mail address.")
MOTCUA_OIDC_CLAIM_IDENTITY = env(
    "MOTCUA_OIDC_CLAIM_IDENTITY",
    "",
    "Claim holding the 12-digit personal identification number (VNeID's claim name is not in our "
    "sources: set it from the provider's documentation). Empty: not read.",
)
MOTCUA_OIDC_IDENTITY_VERIFIED = env_bool(
    "MOTCUA_OIDC_IDENTITY_VERIFIED",
    False,
    "Whether the provider's accounts count as identity-verified (true for VNeID level 2); dossiers "
    "filed after such a sign-in record it.",
)
MOTCUA_OIDC_BUTTON_LABEL = env(
    "MOTCUA_OIDC_BUTTON_LABEL", "Đăng nhập bằng VNeID", "Label of the OpenID Connect sign-in button."
)
MOTCUA_OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID and OIDC_OP_AUTHORIZATION_ENDPOINT and OIDC_OP_TOKEN_ENDPOINT)
OIDC_AUTHENTICATION_CALLBACK_URL = "portal:oidc_callback"
OIDC_CREATE_USER = True
OIDC_REDIRECT_FIELD_NAME = "next"

# --- Printed forms (Circular 03/2025/TT-VPCP, Circular 01/2018/TT-VPCP) ---------------------
MOTCUA_PUBLIC_URL = env(
    "MOTCUA_PUBLIC_URL",
    "http://127.0.0.1:8000",
    "Public base URL; the receipt's QR code links to its look-up page (/tra-cuu/?ma=<code>).",
)
MOTCUA_FORM_PAPER_SIZES = env(
    "MOTCUA_FORM_PAPER_SIZES",
    "",
    "Paper per form, e.g. `receipt=A5,control_slip=A4,ledger=A4 landscape`. Empty: A5 for forms "
    "01–05, A4 for the control slip, A4 landscape for the ledger (the 2025 sizes are unverified).",
)
MOTCUA_FORM_PLACE = env("MOTCUA_FORM_PLACE", "Cà Mau", "Place name in the date line of printed forms.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("MOTCUA_LOG_LEVEL", "INFO", "Root log level.")},
    "loggers": {"weasyprint.progress": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
