"""The only settings file of chibo.

Everything that differs between a laptop and a server comes from environment variables with safe
defaults: without any, chibo runs in development mode on an embedded SQLite database.
Production is `CHIBO_DEBUG=false` plus a secret key and the allowed host names.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from chibo.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("CHIBO_DEBUG", True)

_DEV_SECRET = "dev-only-insecure-key-never-use-in-production"
SECRET_KEY = env_str("CHIBO_SECRET_KEY", _DEV_SECRET)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("CHIBO_SECRET_KEY must be set when CHIBO_DEBUG is false")

ALLOWED_HOSTS = env_list("CHIBO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CHIBO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "js_lib_htmx",
    "ninja",
    "axes",
    "chibo.audit",
    "chibo.rulebook",
    "chibo.units",
    "chibo.accounts",
    "chibo.members",
    "chibo.committees",
    "chibo.meetings",
    "chibo.quality",
    "chibo.recruitment",
    "chibo.compliance",
    "chibo.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "chibo.audit.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "chibo.accounts.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chibo.urls"
WSGI_APPLICATION = "chibo.wsgi.application"

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
                "chibo.accounts.context_processors.roles",
            ],
        },
    },
]

# SQLite is the embedded default; DATABASE_URL=postgres://... selects PostgreSQL.
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'chibo.sqlite3'}",
        conn_max_age=env_int("CHIBO_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }


def _postgres_options(database: dj_database_url.DBConfig) -> None:
    """PostgreSQL's JIT compiler off for the application's sessions unless CHIBO_DB_JIT=on:
    it compiled the statement of a name searched across the whole Party for about 0,2 s of
    the page's 1,5, and a page's statements are over before compiling pays (decision 0021)."""
    postgres = database["ENGINE"] == "django.db.backends.postgresql"
    if postgres and not env_bool("CHIBO_DB_JIT", False):
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()


_postgres_options(DATABASES["default"])
# A PostgreSQL streaming replica for reports (docs/deploy.md): the pages marked
# @reads_from_replica read from it; writes and everything else use the primary.
if env_str("CHIBO_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        env_str("CHIBO_REPLICA_URL", ""),
        conn_max_age=env_int("CHIBO_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    # Under test the replica is the test database itself, as a real replica mirrors it.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    _postgres_options(DATABASES["replica"])
DATABASE_ROUTERS = ["chibo.lib.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end 8 hours after sign-in and after 30 idle minutes (SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = env_int("CHIBO_SESSION_HOURS", 8) * 3600
SESSION_IDLE_SECONDS = env_int("CHIBO_SESSION_IDLE_MINUTES", 30) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling: after 5 failures for one user name from one address, wait 15 minutes.
AXES_FAILURE_LIMIT = env_int("CHIBO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CHIBO_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lock ends a fixed time after the last counted failure, as the page says; retrying early
# does not push it further.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "chibo.accounts.views.locked_out"
AXES_VERBOSE = False

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["chibo.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development files are served from the apps' static folders as they change.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploaded files (meeting documents) live under var/media. They are served only through views
# that check who may read them, never at a public URL: MEDIA_URL is not routed anywhere.
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

# E-mail (meeting notices). The console backend prints mails in development; a server sets e.g.
# CHIBO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend with Django's EMAIL_HOST etc.
# Tests switch to the in-memory backend by themselves.
EMAIL_BACKEND = env_str("CHIBO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("CHIBO_FROM_EMAIL", "chibo <noreply@localhost>")
EMAIL_HOST = env_str("CHIBO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("CHIBO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("CHIBO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("CHIBO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("CHIBO_EMAIL_TLS", False)
EMAIL_TIMEOUT = env_int("CHIBO_EMAIL_TIMEOUT_SECONDS", 20)

# Production hardening; every value can be relaxed by its variable for a plain-HTTP test host.
SECURE_SSL_REDIRECT = env_bool("CHIBO_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("CHIBO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("CHIBO_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("CHIBO_LOG_LEVEL", "INFO")},
    # fontTools (PDF font subsetting) reports every glyph at INFO.
    "loggers": {"axes": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
