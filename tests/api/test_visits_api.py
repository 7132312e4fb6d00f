"""Counter files over the API: the same rules, messages and idempotence as the import page."""

from datetime import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from bibliotal.core.models import AuditEntry
from bibliotal.visits.models import DailyVisits
from tests.conftest import weekly_schedule

FILE = "Dato;Tid;Tæller;Ind;Ud\n07-09-2021;10:00;Nord-1;12;10\n07-09-2021;11:00;Nord-1;20;18\n"


def token_for(username, capsys):
    call_command("token", "create", username, "--name", "Tællerscript")
    return {"Authorization": f"Bearer {capsys.readouterr().out.strip()}"}


@pytest.fixture
def manager(world, capsys):
    weekly_schedule(world.north, staffed=(time(10), time(18)), weekdays=range(6))
    return token_for("manager", capsys)


def upload(client, headers, text=FILE, name="nord.csv", **form):
    return client.post(
        "/api/v1/visits/counter-files",
        {"file": SimpleUploadedFile(name, text.encode("cp1252")), **form},
        headers=headers,
    )


def test_a_script_imports_a_counter_file_once(client, world, manager):
    dry = upload(client, manager, branch_id=world.north.pk, dry_run="true")
    assert dry.status_code == 200, dry.content
    assert (dry.json()["created"], dry.json()["dry_run"]) == (2, True)
    assert not DailyVisits.objects.exists()

    done = upload(client, manager, branch_id=world.north.pk, rule="half")
    assert done.json()["new_sensors"] == ["Nord-1"]
    assert DailyVisits.objects.get().visits == 30  # (12 + 10 + 20 + 18) / 2
    assert AuditEntry.objects.filter(actor=world.manager).exists()

    again = upload(client, manager, branch_id=world.north.pk)
    assert again.json()["already_imported"] is True

    days = client.get(
        "/api/v1/visits/days", {"from": "2021-09-01", "to": "2021-09-30"}, headers=manager
    ).json()
    assert [(d["day"], d["sensor"], d["visits"], d["estimated"]) for d in days] == [
        ("2021-09-07", "Nord-1", 30.0, False)
    ]


def test_a_faulty_file_answers_every_row_and_saves_nothing(client, world, manager):
    bad = FILE + "08-09-2021;25:00;Nord-1;3;1\n09-09-2021;10:00;Nord-1;x;1\n"
    response = upload(client, manager, text=bad, branch_id=world.north.pk)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["line"], e["column"], e["value"]) for e in errors] == [
        (4, "dato/tid", "08-09-2021 25:00"),
        (5, "ind", "x"),
    ]
    assert not DailyVisits.objects.exists()


def test_staff_may_not_import_and_other_libraries_are_not_found(client, world, manager, capsys):
    staff = token_for("staff", capsys)
    assert upload(client, staff).status_code == 403
    foreign = upload(client, manager, branch_id=world.other_branch.pk)
    assert foreign.status_code == 404


def test_a_long_period_is_refused(client, world, manager):
    response = client.get(
        "/api/v1/visits/days", {"from": "2020-01-01", "to": "2021-12-31"}, headers=manager
    )
    assert response.status_code == 422


def test_a_script_names_the_format_and_hears_what_cleaning_flagged(client, world, manager):
    hella = (
        "record_id;timestamp;period;status;Nord-1_SUM_IN;Nord-1_SUM_OUT\n"
        "1;2021-09-07 11:00:00;3600;0;12;10\n"
        "2;2021-09-12 11:00:00;3600;1;4;4\n"
    )
    wrong = upload(client, manager, text=hella, branch_id=world.north.pk, preset="axis")
    assert wrong.status_code == 422
    assert "Interval start" in wrong.json()["errors"][0]["column"]
    done = upload(client, manager, text=hella, branch_id=world.north.pk, preset="hella")
    body = done.json()
    assert (body["format"], body["created"]) == ("hella", 2)
    # Sunday 12 September is closed (Monday to Saturday only) and the sensor was covered;
    # Wednesday to Saturday have no counts and are estimated.
    assert body["flagged"] == {"closed": 1, "suspect": 1, "estimated": 4}
