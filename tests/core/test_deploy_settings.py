"""Production settings from the environment: `check --deploy` clean under the README's settings,
HTTPS enforced where asked, and a warning while the demo's accounts are open to anyone."""

import os
import subprocess
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.urls import reverse

from bibliotal.core.checks import no_demo_accounts
from bibliotal.core.demo import PASSWORD

BIN = Path(sys.executable).parent / "bibliotal"
PRODUCTION = {  # the README's systemd unit (its database aside)
    "BIBLIOTAL_ALLOWED_HOSTS": "bibliotal.herning.dk",
    "BIBLIOTAL_CSRF_TRUSTED_ORIGINS": "https://bibliotal.herning.dk",
    "BIBLIOTAL_SECURE_COOKIES": "true",
    "BIBLIOTAL_BEHIND_TLS_PROXY": "true",
    "BIBLIOTAL_SSL_REDIRECT": "true",
    "BIBLIOTAL_HSTS_SECONDS": "31536000",
    "BIBLIOTAL_HSTS_INCLUDE_SUBDOMAINS": "true",
    "BIBLIOTAL_EMAIL_HOST": "smtp.herning.dk",
}


def test_check_deploy_is_clean_under_the_readmes_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIBLIOTAL_")}
    env.pop("DATABASE_URL", None)
    env.update(PRODUCTION, BIBLIOTAL_DATA_DIR=str(tmp_path))
    subprocess.run([str(BIN), "migrate", "-v0"], env=env, check=True, capture_output=True)
    run = subprocess.run(
        [str(BIN), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr + run.stdout
    assert "no issues" in run.stdout


def test_the_demo_accounts_with_their_published_password_are_a_warning(db):
    user = get_user_model().objects.create_user(username="leder", password=PASSWORD)
    [warning] = no_demo_accounts(None)
    assert warning.id == "bibliotal.W003" and "leder" in warning.msg
    user.set_password("en-helt-anden-lang-adgangskode")
    user.save()
    assert no_demo_accounts(None) == []


def test_plain_http_is_redirected_but_the_health_check_is_not(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    login = client.get(reverse("core:login"))
    assert login.status_code == 301 and login.url.startswith("https://")
    assert client.get(reverse("core:healthz")).status_code == 200
    secure = client.get(reverse("core:login"), secure=True)
    assert secure.headers["Strict-Transport-Security"] == "max-age=3600"
