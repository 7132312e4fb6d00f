"""An unknown sensor is refused with the remedy of the place the message is read: on the
import page its form field and a link to the sensors page, on the command line ``--branch``, in
the API ``branch_id``."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from bibliotal.core.models import ApiToken
from bibliotal.visits.models import CounterReading

FILE = "Dato;Tid;Tæller;Ind;Ud\n07-09-2021;10:00;Nord-1;12;10\n".encode("cp1252")


def test_the_page_points_to_its_own_field_and_links_the_sensors_page(client, world):
    client.force_login(world.manager)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("visits:import"), {"file": SimpleUploadedFile("t.csv", FILE), "rule": "half"}
    )
    assert response.status_code == 400
    [error] = response.context["errors"]
    assert error == (
        "t.csv, line 2, column tæller: Unknown sensor: choose a library in the field “Create "
        "unknown sensors at” to create it there, or add it on the sensors page first. "
        "(value: 'Nord-1')"
    )
    assert "--branch" not in response.content.decode()
    assert error.link == (reverse("visits:sensors"), "Go to the sensors page")
    assert f'<a href="{reverse("visits:sensors")}">Go to the sensors page</a>' in (
        response.content.decode()
    )
    assert not CounterReading.objects.exists()


def test_the_danish_page_names_the_field_as_the_form_labels_it(client, world):
    client.force_login(world.manager)
    response = client.post(
        reverse("visits:import"), {"file": SimpleUploadedFile("t.csv", FILE), "rule": "half"}
    )
    content = response.content.decode()
    with translation.override("da"):
        label = str(translation.gettext("Create unknown sensors at"))
    assert f"“{label}”" in content  # in the message …
    assert f">{label}</label>" in content  # … as on the field itself


def test_the_command_line_points_to_branch(world, tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(FILE)
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("import", "visits", str(path), "--organisation", world.organisation.name)
    message = str(error.value)
    assert "import with --branch LIBRARY to create it at that library" in message
    assert "Create unknown sensors at" not in message


def test_the_command_with_branch_creates_the_sensor(world, tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(FILE)
    out = io.StringIO()
    with translation.override("en"):
        call_command(
            "import",
            "visits",
            str(path),
            "--branch",
            world.north.name,
            "--organisation",
            world.organisation.name,
            stdout=out,
        )
    assert "New sensors: Nord-1" in out.getvalue()


def test_the_api_points_to_branch_id(client, world):
    _token, key = ApiToken.issue(user=world.manager, name="test")
    client.cookies["django_language"] = "en"  # Danish whatever the client asks for, else
    response = client.post(
        "/api/v1/visits/counter-files",
        {"file": SimpleUploadedFile("t.csv", FILE)},
        headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"},
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["message"].startswith("Unknown sensor: send branch_id to create it")
    assert error["value"] == "Nord-1"
