"""A digital figure far outside its platform's normal is named in the preview and held out of
the goals until a person accepts or corrects it."""

from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from bibliotal.core.models import AuditEntry
from bibliotal.digital.importers import import_digital_file
from bibliotal.digital.models import DigitalFigure, Platform
from bibliotal.goals import indicators

# The official COUNTER sample, as copied into the tests' own data (the shared originals are
# not beside every checkout).
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "counter-r51"


@pytest.fixture
def ereolen(world):
    return Platform.objects.create(organisation=world.organisation, name="eReolen", kind="ereolen")


def months(*values, first=1):
    rows = ["platform;periode;måling;materialetype;værdi"]
    for offset, value in enumerate(values):
        rows.append(f"eReolen;2021-{first + offset:02d};udlån;e-bog;{value}")
    return ("\n".join(rows) + "\n").encode()


def run(world, data, filename="udlaan.csv", **options):
    return import_digital_file(
        organisation=world.organisation, data=data, filename=filename, **options
    )


def loans(world):
    provider = indicators.get("ebook_loans").provider
    return round(
        sum(
            v.value
            for v in provider.daily_values(
                organisation=world.organisation,
                start=date(2021, 1, 1),
                end=date(2021, 12, 31),
                branch_ids=None,
                measure="attendances",
            )
        )
    )


def held_out(world, key="ebook_loans"):
    return indicators.held_out(
        indicators.get(key),
        organisation=world.organisation,
        start=date(2021, 1, 1),
        end=date(2021, 12, 31),
        branch_ids=None,
        measure="attendances",
    )


@pytest.mark.django_db
def test_a_month_far_above_the_platforms_normal_is_named_held_and_accepted(world, ereolen):
    run(world, months(1200, 1150, 1300, 1250, 1180, 1220), filename="h1.csv")
    data = months(48000, first=7)
    preview = run(world, data, filename="juli.csv", dry_run=True)
    [sentence] = preview.implausible
    assert sentence.startswith("juli.csv, l")  # line 2, column “værdi” (Danish once compiled)
    assert " 2, " in sentence and "“værdi”" in sentence
    assert "48.000" in sentence and "1.210" in sentence and "6" in sentence
    assert not DigitalFigure.objects.filter(start=date(2021, 7, 1)).exists()

    run(world, data, filename="juli.csv")
    assert loans(world) == 7300  # July is left out
    assert held_out(world) == [indicators.HeldOut(1, "digital:held")]
    figure = DigitalFigure.objects.get(start=date(2021, 7, 1))
    assert figure.plausibility == "held" and "1.210" in figure.plausibility_note

    from bibliotal.digital.plausibility import decide

    decide(figure=figure, accept=False, corrected="4.800", user=world.manager)
    figure.refresh_from_db()
    assert (figure.value, figure.original_value, figure.plausibility) == (4800, 48000, "corrected")
    assert loans(world) == 7300 + 4800 and held_out(world) == []
    entry = AuditEntry.objects.filter(model="digital.DigitalFigure", action="update").last()
    assert entry.changes["value"] == [48000, 4800]
    # The same file changes nothing; another file with the reported value keeps the correction.
    assert run(world, data, filename="juli.csv").already_imported
    again = run(world, data + b"\n", filename="juli-igen.csv")
    assert again.unchanged == 1
    assert DigitalFigure.objects.get(start=date(2021, 7, 1)).value == 4800


@pytest.mark.django_db
def test_a_first_platform_month_is_checked_only_against_the_ceiling(world, ereolen):
    result = run(world, months(2000, 90000), dry_run=True)
    assert result.short_history == ["eReolen"] and result.implausible == []
    too_many = run(world, months(2000, 400000), dry_run=True)  # 10,000 a day × 28 days
    assert len(too_many.implausible) == 1 and "280.000" in too_many.implausible[0]


@pytest.mark.django_db
def test_the_review_page_accepts_a_held_figure_and_only_coordinators_see_it(client, world, ereolen):
    run(world, months(1200, 1150, 1300, 1250, 1180, 1220, 48000))
    figure = DigitalFigure.objects.get(plausibility="held")
    url = reverse("digital:held")
    client.force_login(world.staff)
    assert client.get(url).status_code == 403
    client.force_login(world.coordinator)
    assert "48.000" in client.get(url).content.decode()
    assert client.post(url, {"figure": figure.pk, "decision": "accept"}).status_code == 302
    figure.refresh_from_db()
    assert figure.plausibility == "accepted" and loans(world) == 7300 + 48000
    # A decided figure is not decided twice; another organisation finds nothing.
    assert client.post(url, {"figure": figure.pk, "decision": "accept"}).status_code == 404
    client.force_login(world.stranger)
    assert client.post(url, {"figure": figure.pk, "decision": "accept"}).status_code == 404


@pytest.mark.django_db
def test_the_real_counter_sample_passes_the_ceilings(world):
    data = (SAMPLES / "TRB1_sample_r51.tsv").read_bytes()
    result = run(world, data, filename="TRB1_sample_r51.tsv")
    assert result.created > 0 and result.implausible == []
    assert not DigitalFigure.objects.filter(plausibility="held").exists()
