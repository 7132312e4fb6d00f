"""Django settings for Bibliotal, read from the environment (see README, "Configuration")."""

from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from bibliotal import envconf

PACKAGE_DIR = Path(__file__).resolve().parent

DATA_DIR = envconf.data_dir("BIBLIOTAL_DATA_DIR", "./var")
SECRET_KEY = envconf.secret_key("BIBLIOTAL_SECRET_KEY", DATA_DIR)
DEBUG = envconf.env_bool("BIBLIOTAL_DEBUG", False)
ALLOWED_HOSTS = envconf.env_list("BIBLIOTAL_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envconf.env_list("BIBLIOTAL_CSRF_TRUSTED_ORIGINS", [])

DATABASES = {
    "default": envconf.database(
        "DATABASE_URL", DATA_DIR, prepared="BIBLIOTAL_DB_PREPARED_STATEMENTS"
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "bibliotal.core",
    "bibliotal.goals",
    "bibliotal.guidance",
    "bibliotal.teaching",
    "bibliotal.events",
    "bibliotal.visits",
    "bibliotal.digital",
    "bibliotal.reports",
    "bibliotal.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bibliotal.core.middleware.LanguageMiddleware",
    # Before anything reads the body (CSRF reads the form): an upload over the limit is refused
    # from its declared length alone.
    "bibliotal.core.middleware.UploadLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A database without an organisation: every page but the API, static files and /healthz
    # leads to the setup page.
    "bibliotal.core.setup_views.SetupMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "bibliotal.core.middleware.AuditContextMiddleware",
    "bibliotal.core.middleware.ContentSecurityPolicyMiddleware",
    # django-axes must come last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "bibliotal.urls"
WSGI_APPLICATION = "bibliotal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bibliotal.core.context_processors.bibliotal",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "bibliotal.core.passwords.DanishCommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"
# A forgotten password's e-mail link works once, for an hour (core/password_reset.py).
PASSWORD_RESET_TIMEOUT = 60 * 60

# Guessing passwords: five failures for one user name from one address lock that pair for
# fifteen minutes; a success resets the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/lockout.html"
AXES_VERBOSE = False
# The address is the client's, also behind the TLS proxy (``core.proxy``): never the proxy's,
# which would let anyone's five failures lock a user name for everyone.
AXES_CLIENT_IP_CALLABLE = "bibliotal.core.proxy.client_ip"

# Sign-in with the municipality's accounts through OpenID Connect (Microsoft Entra ID, AD FS,
# Keycloak …): off until BIBLIOTAL_OIDC_ISSUER is set. The provider's discovery document is
# read at the first sign-in; BIBLIOTAL_OIDC_GROUPS turns the groups claim into a role and
# libraries at every sign-in (core/oidc.py). Passwords stay possible unless turned off, and then
# only for superusers (a way in when the provider is down). The provider guards its own
# sign-in, so django-axes counts password attempts only.
OPENID_CONNECT = envconf.oidc(
    issuer="BIBLIOTAL_OIDC_ISSUER",
    client_id="BIBLIOTAL_OIDC_CLIENT_ID",
    client_secret="BIBLIOTAL_OIDC_CLIENT_SECRET",
    scopes="BIBLIOTAL_OIDC_SCOPES",
    groups_claim="BIBLIOTAL_OIDC_GROUPS_CLAIM",
    groups="BIBLIOTAL_OIDC_GROUPS",
    organisation="BIBLIOTAL_OIDC_ORGANISATION",
    button_label="BIBLIOTAL_OIDC_BUTTON_LABEL",
    local_passwords="BIBLIOTAL_OIDC_LOCAL_PASSWORDS",
    provider_logout="BIBLIOTAL_OIDC_PROVIDER_LOGOUT",
)
if OPENID_CONNECT is not None:
    AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",  # first: a locked-out password login stops here
        "bibliotal.core.oidc.Backend",
        "django.contrib.auth.backends.ModelBackend"
        if OPENID_CONNECT.local_passwords
        else "bibliotal.core.oidc.SuperuserPasswordBackend",
    ]
    AXES_WHITELIST_CALLABLE = "bibliotal.core.oidc.not_a_password_attempt"

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
# Opening hours are whole minutes: no seconds in time fields.
FORMAT_MODULE_PATH = ["bibliotal.formats"]
TIME_ZONE = "Europe/Copenhagen"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = envconf.data_dir("BIBLIOTAL_STATIC_ROOT", str(DATA_DIR / "static"))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Messages live in the session, not in a cookie the browser can read (a pairing address is one).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A login lasts a working day, not weeks (desk computers are shared); it can also end when the
# browser closes. Paired desk tablets tally with their own device cookie, not with a login.
SESSION_COOKIE_AGE = envconf.env_int("BIBLIOTAL_SESSION_HOURS", 12, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = envconf.env_bool("BIBLIOTAL_SESSION_BROWSER_CLOSE", False)
SESSION_COOKIE_SECURE = envconf.env_bool("BIBLIOTAL_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind a TLS-terminating proxy: trust its X-Forwarded-Proto and X-Forwarded-For headers.
TRUST_PROXY_HEADERS = envconf.env_bool("BIBLIOTAL_BEHIND_TLS_PROXY", False)
# How many proxies that append to X-Forwarded-For stand in front of Bibliotal: the client's
# address is the entry this many places from the right (what a client writes itself is left).
BIBLIOTAL_PROXY_COUNT = envconf.env_int("BIBLIOTAL_PROXY_COUNT", 1, minimum=1)
if TRUST_PROXY_HEADERS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS only: redirect plain HTTP (the load balancer's health check excepted) and tell browsers
# to come back over HTTPS alone for this many seconds (HSTS; once sent it cannot be taken back
# before it runs out, so start small).
SECURE_SSL_REDIRECT = envconf.env_bool("BIBLIOTAL_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz(/live)?$"]
SECURE_HSTS_SECONDS = envconf.env_int("BIBLIOTAL_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envconf.env_bool("BIBLIOTAL_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = envconf.env_bool("BIBLIOTAL_HSTS_PRELOAD", False)
# The browsers' preload list binds the whole registered domain (herning.dk, not only this
# host) for years: the municipality's decision, not Bibliotal's; the check that asks for it is
# left out of `check --deploy` (BIBLIOTAL_HSTS_PRELOAD still turns it on).
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# E-mail (the monthly status e-mail, answers to teachers): through the SMTP server named by
# BIBLIOTAL_EMAIL_HOST; without one, nothing is sent and nothing of an e-mail is written to the
# server's log (no addresses): the outbox keeps it waiting (core/mail/backends.py).
EMAIL_HOST = envconf.env_str("BIBLIOTAL_EMAIL_HOST", "")
EMAIL_USE_TLS = envconf.env_bool("BIBLIOTAL_EMAIL_USE_TLS", False)  # STARTTLS, usually port 587
EMAIL_USE_SSL = envconf.env_bool("BIBLIOTAL_EMAIL_USE_SSL", False)  # TLS from the start, 465
envconf.email_security(
    "BIBLIOTAL_EMAIL_USE_TLS", EMAIL_USE_TLS, "BIBLIOTAL_EMAIL_USE_SSL", EMAIL_USE_SSL
)
EMAIL_PORT = envconf.env_int(
    "BIBLIOTAL_EMAIL_PORT", 465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25, minimum=1
)
EMAIL_HOST_USER = envconf.env_str("BIBLIOTAL_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envconf.env_str("BIBLIOTAL_EMAIL_HOST_PASSWORD", "")
EMAIL_TIMEOUT = envconf.env_int("BIBLIOTAL_EMAIL_TIMEOUT", 30, minimum=1)  # seconds
EMAIL_BACKEND = envconf.env_str(
    "BIBLIOTAL_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "bibliotal.core.mail.backends.NoServerBackend",
)
DEFAULT_FROM_EMAIL = envconf.env_str("BIBLIOTAL_FROM_EMAIL", "bibliotal@localhost")
# A teacher's name and e-mail are deleted this many days after the class was taught.
BIBLIOTAL_TEACHER_CONTACT_DAYS = envconf.env_int("BIBLIOTAL_TEACHER_CONTACT_DAYS", 30, minimum=0)

# Uploads: a file larger than this is refused before its body is read (413), on every page and
# in the API. A workbook is refused from its zip directory when it would unpack to more than
# BIBLIOTAL_MAX_UNPACKED_MB, before a sheet is read. The command line has no upload limit.
IMPORT_MAX_UPLOAD_BYTES = envconf.env_int("BIBLIOTAL_MAX_UPLOAD_MB", 100, minimum=1) * 10**6
IMPORT_MAX_UNPACKED_BYTES = envconf.env_int("BIBLIOTAL_MAX_UNPACKED_MB", 250, minimum=1) * 10**6
# Web imports of files larger than this run on the worker queue (`bibliotal worker`), with their
# progress shown on the page, so that no web worker is held past its timeout.
IMPORT_INLINE_BYTES = envconf.env_int("BIBLIOTAL_INLINE_IMPORT_MB", 5, minimum=0) * 10**6

# Integrations (library website, Danmarks Statistik) fetch only from their configured host and
# never from a private or local address, unless this is on (tests, the demo's fake website).
BIBLIOTAL_ALLOW_LOCAL_SOURCES = envconf.env_bool("BIBLIOTAL_ALLOW_LOCAL_SOURCES", False)

# While the database has no organisation every page leads to the setup page (/setup/), which
# asks for this code; unset, a code is made once into <data dir>/setup-code and printed by
# `bibliotal serve`, so only someone with the server's console or files can set Bibliotal up.
BIBLIOTAL_SETUP_CODE = envconf.env_str("BIBLIOTAL_SETUP_CODE", "").strip()

# Background tasks (the nightly sync) are kept in the database: `bibliotal worker` runs them.
# No broker is needed on one machine; on PostgreSQL several workers can share the queue.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

NINJA_PAGINATION_PER_PAGE = 100

SETTINGS_PROBLEMS = envconf.PROBLEMS
