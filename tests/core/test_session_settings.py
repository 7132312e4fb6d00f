"""A login lasts a working day on shared desk computers, and can end when the browser closes;
paired desk tablets tally on their device cookie and are not logged out with it."""

import json
import os
import subprocess
import sys

from django.urls import reverse

from bibliotal.api.guidance import KIOSK_COOKIE
from bibliotal.core.models import ServicePoint
from bibliotal.guidance.models import KioskDevice
from tests.conftest import PASSWORD


def settings_under(tmp_path, **env):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("BIBLIOTAL_", "DATABASE_URL"))
    }
    environment.update({"BIBLIOTAL_DATA_DIR": str(tmp_path), **env})
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from bibliotal import settings as s; print(json.dumps(["
            "s.SESSION_COOKIE_AGE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE, "
            "[p.variable for p in s.SETTINGS_PROBLEMS]]))",
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(run.stdout)


def test_a_login_lasts_twelve_hours_unless_the_environment_says_otherwise(tmp_path):
    assert settings_under(tmp_path) == [12 * 3600, False, []]
    assert settings_under(
        tmp_path, BIBLIOTAL_SESSION_HOURS="8", BIBLIOTAL_SESSION_BROWSER_CLOSE="yes"
    ) == [8 * 3600, True, []]


def test_a_bad_number_of_hours_is_a_problem_and_the_default_holds(tmp_path):
    age, _close, problems = settings_under(tmp_path, BIBLIOTAL_SESSION_HOURS="0")
    assert age == 12 * 3600 and problems == ["BIBLIOTAL_SESSION_HOURS"]


def login(client):
    response = client.post(reverse("core:login"), {"username": "staff", "password": PASSWORD})
    assert response.status_code == 302
    return response.cookies["sessionid"]


def test_the_session_cookie_lives_for_the_configured_hours(client, world, settings):
    settings.SESSION_COOKIE_AGE = 12 * 3600
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = False
    assert login(client)["max-age"] == 12 * 3600


def test_with_browser_close_the_session_cookie_ends_with_the_browser(client, world, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    cookie = login(client)
    assert cookie["max-age"] == "" and cookie["expires"] == ""


def test_a_paired_tablet_keeps_its_own_cookie_whatever_the_session(client, world, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    desk = ServicePoint.objects.get(branch=world.north)
    device = KioskDevice(service_point=desk, name="Tablet")
    key = device.set_new_key()
    device.save()
    response = client.post(reverse("guidance:kiosk_pair"), {"key": key})
    assert response.status_code == 302
    cookie = response.cookies[KIOSK_COOKIE]
    assert int(cookie["max-age"]) > 300 * 24 * 3600
    client.cookies.pop("sessionid", None)  # the browser was closed
    assert client.get(reverse("guidance:tally", args=[desk.pk])).status_code == 200
