"""The goal pages: who sees them, editing with validation, and import with a preview."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from bibliotal.core.models import AuditEntry
from bibliotal.goals.indicators import DailyValue
from bibliotal.goals.models import FocusArea, Target
from bibliotal.goals.services import import_budget_document
from tests.goals.conftest import FakeProvider, every_day
from tests.goals.test_review_step import review_data

DATA = Path(__file__).resolve().parents[1] / "data" / "goals"
SEED = (DATA / "maal-budget-2021.txt").read_bytes()


@pytest.fixture
def goals_2021(world):
    import_budget_document(organisation=world.organisation, data=SEED, filename="seed.txt")
    return Target.objects.get(indicator="guidance")


@pytest.mark.parametrize("who", ["staff", "coordinator", "manager", "administrator"])
def test_every_member_sees_the_goals(client, world, goals_2021, who):
    client.force_login(getattr(world, who))
    response = client.get(reverse("goals:year_list"))
    assert response.status_code == 302 and response.url == reverse("goals:year_detail", args=[2021])
    page = client.get(response.url).content.decode()
    assert "Borgernes mulighed for læring." in page and "mindst 45.000" in page
    assert "At skabe litterære og kulturelle aktiviteter" in page  # needs a target
    detail = client.get(reverse("goals:target_detail", args=[2021, goals_2021.pk]))
    assert detail.status_code == 200


def test_outsiders_and_other_organisations_see_no_goals(client, world, goals_2021):
    client.force_login(world.outsider)
    assert client.get(reverse("goals:year_detail", args=[2021])).status_code == 403
    client.force_login(world.stranger)
    assert client.get(reverse("goals:year_detail", args=[2021])).status_code == 404
    url = reverse("goals:target_detail", args=[2021, goals_2021.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"), [("staff", 403), ("coordinator", 403), ("manager", 200)]
)
def test_only_managers_edit_targets_and_import(client, world, goals_2021, who, status):
    client.force_login(getattr(world, who))
    assert (
        client.get(reverse("goals:target_edit", args=[2021, goals_2021.pk])).status_code == status
    )
    assert client.get(reverse("goals:document_import")).status_code == status


def form_data(target, **changes):
    data = {
        "kind": target.kind,
        "indicator": target.indicator,
        "threshold": target.threshold or "",
        "baseline_year": target.baseline_year or "",
        "percent": target.percent or "",
        "measure": target.measure,
        "normalisation": target.normalisation,
        "scope": target.scope,
        "area_type": "",
        "period_start": "",
        "period_end": "",
        "comment": "",
        "status_override": "",
        "override_reason": "",
    }
    data.update(changes)
    return data


def test_a_manager_edits_a_target_and_it_is_audited(client, world, goals_2021):
    client.force_login(world.manager)
    url = reverse("goals:target_edit", args=[2021, goals_2021.pk])
    response = client.post(
        url, form_data(goals_2021, threshold="46000", comment="Byrådet hævede målet")
    )
    assert response.status_code == 302
    goals_2021.refresh_from_db()
    assert goals_2021.threshold == Decimal("46000") and goals_2021.comment
    entry = AuditEntry.objects.filter(model="goals.Target", action="update").latest("id")
    assert entry.actor == world.manager and entry.changes["threshold"] == ["45000.00", "46000.00"]


def test_bad_target_input_is_explained_and_nothing_is_saved(client, world, goals_2021):
    client.force_login(world.manager)
    url = reverse("goals:target_edit", args=[2021, goals_2021.pk])
    response = client.post(
        url,
        form_data(goals_2021, kind="increase", baseline_year="2022", status_override="achieved"),
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Basisåret skal ligge før 2021." in content
    assert "Skriv hvorfor status er sat manuelt." in content
    goals_2021.refresh_from_db()
    assert goals_2021.kind == "at_least"


def test_a_qualitative_goal_gets_a_target(client, world, goals_2021):
    qualitative = Target.objects.get(kind="qualitative")
    client.force_login(world.manager)
    response = client.post(
        reverse("goals:target_edit", args=[2021, qualitative.pk]),
        form_data(qualitative, kind="at_least", indicator="events_held", threshold="900"),
    )
    assert response.status_code == 302
    qualitative.refresh_from_db()
    assert (qualitative.kind, qualitative.indicator) == ("at_least", "events_held")


def test_a_manager_comments_on_a_focus_area(client, world, goals_2021):
    area = FocusArea.objects.get(title="Borgernes mulighed for læring.")
    client.force_login(world.manager)
    client.post(
        reverse("goals:focusarea_edit", args=[2021, area.pk]),
        {"comment": "Nedlukningen ramte IT-caféen."},
    )
    area.refresh_from_db()
    assert area.comment == "Nedlukningen ramte IT-caféen."
    page = client.get(reverse("goals:year_detail", args=[2021])).content.decode()
    assert "Nedlukningen ramte IT-caféen." in page


def test_import_shows_a_preview_then_saves(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.manager)
    upload = SimpleUploadedFile("maal-2021.txt", SEED, content_type="text/plain")
    preview = client.post(reverse("goals:document_import"), {"document": upload})
    content = preview.content.decode()
    assert preview.status_code == 200 and "Forhåndsvisning" in content
    assert '<legend class="review-sentence">Bibliotekets ansatte vejleder' in content
    assert Target.objects.count() == 0  # nothing saved before confirming
    reviewed = review_data(preview)  # the review page sent as it was filled in
    response = client.post(reverse("goals:document_import"), reviewed)
    assert response.status_code == 302
    assert Target.objects.exclude(kind="qualitative").count() == 9
    # The kept file is taken once: the same confirmation again saves nothing twice.
    again = client.post(reverse("goals:document_import"), reviewed)
    assert again.status_code == 302 and again.url == reverse("goals:document_import")
    assert Target.objects.exclude(kind="qualitative").count() == 9


def test_a_broken_upload_names_the_line_and_saves_nothing(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.manager)
    upload = SimpleUploadedFile("forkert.txt", (DATA / "broken-no-focus-area.txt").read_bytes())
    response = client.post(reverse("goals:document_import"), {"document": upload})
    assert response.status_code == 400
    assert "forkert.txt, linje 3, kolonne 1: Denne blok har intet Fokusområde." in (
        response.content.decode()
    )
    assert FocusArea.objects.count() == 0


def test_the_overview_takes_a_bounded_number_of_queries(
    client, world, goals_2021, provide, django_assert_max_num_queries
):
    provide(
        "guidance",
        FakeProvider(
            [
                DailyValue(world.north.pk, d, 130.0)
                for d in every_day(2021)
                if d <= date(2021, 6, 30)
            ]
        ),
    )
    client.force_login(world.manager)
    # A fixed number per target, however many days and figures: the digital indicators ask
    # one question each (unique users two per year: the goal's platform, then its figures).
    # Each open-hours calendar asks once whether the library website covers any of its days;
    # the visits target asks once how many of its hours are held out for review; one statement
    # fingerprints what the opening calendars read, so that they are kept between requests;
    # six read the data stamp under which each target's progress is kept.
    with django_assert_max_num_queries(59):
        response = client.get(reverse("goals:year_detail", args=[2021]), {"at": "2021-06-30"})
    assert response.status_code == 200
