"""Digital offers over the API: files in with the page's rules, figures and campaigns out."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from bibliotal.digital.models import DigitalFigure

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def coordinator(world, capsys):
    call_command("token", "create", "coordinator", "--name", "Statistikscript")
    return {"Authorization": f"Bearer {capsys.readouterr().out.strip()}"}


def upload(client, headers, name, data, **form):
    return client.post(
        "/api/v1/digital/imports",
        {"file": SimpleUploadedFile(name, data), **form},
        headers=headers,
    )


def test_a_script_imports_a_counter_json_report_once_and_reads_the_figures(
    client, world, coordinator
):
    data = (DATA / "counter-r51" / "TRB1_sample_r51.json").read_bytes()
    dry = upload(client, coordinator, "trb1.json", data, dry_run="true")
    assert dry.status_code == 200, dry.content
    assert (dry.json()["report"], dry.json()["created"]) == ("TR_B1", 48)
    assert not DigitalFigure.objects.exists()
    done = upload(client, coordinator, "trb1.json", data)
    assert done.json()["new_platforms"] == ["Platform 1"]
    again = upload(client, coordinator, "trb1.json", data)
    assert again.json()["already_imported"] is True
    figures = client.get(
        "/api/v1/digital/figures",
        {"from": "2022-01-01", "to": "2022-12-31", "metric": "Total_Item_Requests"},
        headers=coordinator,
    ).json()
    assert len(figures) == 24
    assert sum(f["value"] for f in figures if f["item"] == "Title 1") == 9825
    assert {f["provenance"] for f in figures} == {"imported"}


def test_a_faulty_file_answers_422_with_every_row(client, world, coordinator):
    response = upload(
        client,
        coordinator,
        "tal.csv",
        "platform;periode;måling;værdi\nX;2021-13;udlån;x\n".encode(),
    )
    assert response.status_code == 422
    assert [e["column"] for e in response.json()["errors"]] == ["periode", "værdi"]


def test_a_campaign_is_created_and_comes_back_with_its_comparison(client, world, coordinator):
    created = client.post(
        "/api/v1/digital/campaigns",
        {
            "title": "Sommerlyd",
            "target_group": "adults",
            "areas": ["city"],
            "start": "2021-06-01",
            "end": "2021-08-31",
            "indicators": ["eaudiobook_loans"],
        },
        content_type="application/json",
        headers=coordinator,
    )
    assert created.status_code == 201, created.content
    detail = client.get(
        f"/api/v1/digital/campaigns/{created.json()['id']}", headers=coordinator
    ).json()
    (comparison,) = detail["comparison"]
    assert comparison["windows"]["before"] == ["2021-03-01", "2021-05-31"]
    assert comparison["during"] is None
    unknown = client.post(
        "/api/v1/digital/campaigns",
        {"title": "X", "start": "2021-06-01", "end": "2021-06-02", "indicators": ["nope"]},
        content_type="application/json",
        headers=coordinator,
    )
    assert unknown.status_code == 422


def test_staff_may_read_but_not_import(client, world, capsys):
    call_command("token", "create", "staff", "--name", "Læser")
    staff = {"Authorization": f"Bearer {capsys.readouterr().out.strip()}"}
    assert client.get("/api/v1/digital/platforms", headers=staff).status_code == 200
    refused = upload(client, staff, "x.csv", b"platform;periode\n")
    assert refused.status_code == 403
