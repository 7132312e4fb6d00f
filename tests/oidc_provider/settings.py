"""Settings of the test provider (``DJANGO_SETTINGS_MODULE=tests.oidc_provider.settings``)."""

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

DIRECTORY = Path(os.environ["OIDC_PROVIDER_DIR"])

SECRET_KEY = "the-test-provider-only-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
]
# Tables straight from the models: starting takes a moment, not the migrations' seconds.
MIGRATION_MODULES = {app.rsplit(".", 1)[-1]: None for app in INSTALLED_APPS}
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.oidc_provider.urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DIRECTORY / "provider.sqlite3",
        "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20},
    }
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "/accounts/login/"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.locmem.Loader",
                    {
                        "registration/login.html": (
                            '<form method="post">{% csrf_token %}{{ form }}'
                            '<input type="hidden" name="next" value="{{ next }}">'
                            "<button>Log ind</button></form>"
                        ),
                        "oauth2_provider/logout_confirm.html": "{{ error }}",
                    },
                )
            ],
        },
    }
]

_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii"),
    "OIDC_ISS_ENDPOINT": os.environ["OIDC_PROVIDER_ISSUER"],
    "OAUTH2_VALIDATOR_CLASS": "tests.oidc_provider.validators.Validator",
    "SCOPES": {"openid": "OpenID Connect", "email": "E-mail", "profile": "Name"},
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
}

# Every request the provider answers, for the tests to see which endpoints Bibliotal called.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "requests": {"class": "logging.FileHandler", "filename": DIRECTORY / "requests.log"}
    },
    "loggers": {"django.server": {"handlers": ["requests"], "level": "INFO", "propagate": False}},
}
