"""A whole budget book (issue 22, item 3): the libraries' section read alone, another section
chosen on the page, by the command and over the API, and a 300-page book with the libraries on
pages 180–183."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from bibliotal.goals.models import FocusArea, Target
from bibliotal.goals.services import import_budget_document

ROOT = Path(__file__).resolve().parents[2]
FOUNDING = (ROOT / "tests" / "data" / "goals" / "maal-budget-2021.txt").read_text(encoding="utf-8")
_spec = importlib.util.spec_from_file_location(
    "budget_bench", ROOT / "bench" / "budget_document.py"
)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

MUSEUMS = "Serviceområde 1 Museer"


@pytest.fixture(scope="module")
def book() -> bytes:
    """30 pages, the libraries' goals on pages 12–15, the other service areas around them."""
    return bench.budget_book(30, libraries_at=12, founding=FOUNDING)


def measurable(result):
    return [
        t
        for document in result.documents
        for area in document.focus_areas
        for t in area.targets
        if not t.is_qualitative
    ]


# -- 300 pages -----------------------------------------------------------------------------------


def test_a_300_page_book_imports_the_libraries_goals_on_pages_180_to_183_alone(world):
    pdf = bench.budget_book(300, libraries_at=180, founding=FOUNDING)
    result = import_budget_document(organisation=world.organisation, data=pdf, filename="b.pdf")
    assert result.section.title == "Serviceområde 14 Biblioteker"
    assert (result.section.first_page, result.section.last_page) == (180, 183)
    assert len(result.sections) == 25
    areas = FocusArea.objects.filter(budget_year__organisation=world.organisation)
    assert areas.count() == 4
    assert set(areas.values_list("service_area", flat=True)) == {"14 Biblioteker"}
    saved = Target.objects.filter(focus_area__in=areas)
    assert saved.exclude(kind="qualitative").count() == 9
    # Nothing of the other service areas: their goal ("… brugere af museer …") and the running
    # header and footer ("Budget 2021", "Side 181 af 300") are not in any goal.
    texts = " ".join(saved.values_list("source_text", flat=True))
    assert "brugere af" not in texts and "Side" not in texts and "Bind 2" not in texts
    # The same targets as the founding document as a text file.
    text = import_budget_document(
        organisation=world.other_organisation,
        data=FOUNDING.encode("utf-8"),
        filename="maal.txt",
        dry_run=True,
    )
    expected = sorted((t.indicator, t.kind, t.threshold, t.percent) for t in measurable(text))
    got = saved.exclude(kind="qualitative").values_list("indicator", "kind", "threshold", "percent")
    assert sorted(got) == expected


# -- another section ----------------------------------------------------------------------------


def test_a_section_is_chosen_by_its_heading_or_a_part_of_it(world, book):
    by_part = import_budget_document(
        organisation=world.organisation, data=book, filename="b.pdf", section="museer", dry_run=True
    )
    assert by_part.section.title == MUSEUMS
    [document] = by_part.documents
    assert [a.texts["title"] for a in document.focus_areas] == ["Et godt museer."]
    assert [t.indicator for t in measurable(by_part)] == ["event_participants"]
    # The filler text, the bullets and the budget table after "Mål" are no goals of it.
    [area] = document.focus_areas
    assert area.texts["goal_text"] == (
        "Antallet af brugere af museer skal stige med 5 procent i forhold til 2020, "
        "og mindst 1.200 borgere skal deltage i arrangementer."
    )
    assert len(area.targets) == 1
    assert not Target.objects.exists()


def test_an_unknown_or_ambiguous_section_names_those_there_are(world, book):
    from bibliotal.goals.services import BudgetImportError

    for name in ("Svømmehaller", "Serviceområde"):
        with pytest.raises(BudgetImportError) as caught:
            import_budget_document(
                organisation=world.organisation, data=book, filename="b.pdf", section=name
            )
        [message] = caught.value.problems
        assert f"“{name}”" in message and f"“{MUSEUMS}”" in message
        assert len(caught.value.sections) == len(
            import_budget_document(
                organisation=world.organisation, data=book, filename="b.pdf", dry_run=True
            ).sections
        )


@pytest.fixture
def manager(client, world):
    client.force_login(world.manager)
    client.cookies["django_language"] = "en"
    return client


def test_the_page_reads_another_section_of_the_same_file_and_saves_it(manager, world, book):
    url = reverse("goals:document_import")
    first = manager.post(url, {"document": SimpleUploadedFile("budget.pdf", book)})
    assert first.status_code == 200
    page = first.content.decode()
    assert "Read from the section “Serviceområde 14 Biblioteker”" in page
    assert "Pages 12–15." in page
    choice = first.context["section_form"]
    assert choice is not None
    assert f'<option value="{MUSEUMS}"' in page and "(pages " in page
    token = first.context["confirm"].initial["token"]

    again = manager.post(url, {"reread": "1", "token": token, "year": "", "section": MUSEUMS})
    assert again.status_code == 200
    assert again.context["preview"].section.title == MUSEUMS
    assert again.context["confirm"].initial["token"] == token  # the same kept file
    assert again.context["confirm"].initial["section"] == MUSEUMS
    assert f'<option value="{MUSEUMS}" selected' in again.content.decode()

    from tests.goals.test_review_step import review_data

    saved = manager.post(url, review_data(again) | {"section": MUSEUMS})
    assert saved.status_code == 302
    assert set(FocusArea.objects.values_list("service_area", flat=True)) == {"1 Museer"}


def test_a_section_gone_keeps_the_choice_on_the_page(manager, book):
    url = reverse("goals:document_import")
    first = manager.post(url, {"document": SimpleUploadedFile("budget.pdf", book)})
    token = first.context["confirm"].initial["token"]
    empty = manager.post(
        url, {"reread": "1", "token": token, "year": "", "section": "Svømmehaller"}
    )
    assert empty.status_code == 400
    assert empty.context["problems"] and empty.context["section_form"] is not None
    assert "Read this section" in empty.content.decode()


def test_a_gone_preview_asks_for_the_file_again(manager):
    gone = manager.post(
        reverse("goals:document_import"), {"reread": "1", "token": "x" * 32, "section": "A"}
    )
    assert gone.status_code == 302


def test_the_command_takes_a_section_and_names_the_others(world, book, tmp_path, capsys):
    path = tmp_path / "budget.pdf"
    path.write_bytes(book)
    here = ("--organisation", world.organisation.name)
    call_command("goals", "import", str(path), "--section", "Museer", "--dry-run", *here)
    out = capsys.readouterr().out
    # The command speaks Danish.
    assert f"Læst fra delen “{MUSEUMS}”, side" in out
    assert "Andre dele fundet:" in out and "“Serviceområde 14 Biblioteker”" in out
    assert not Target.objects.exists()
    call_command("import", "goals", str(path), "--section", "Serviceområde 14 Biblioteker", *here)
    assert Target.objects.exclude(kind="qualitative").count() == 9
    with pytest.raises(CommandError, match="“Svømmehaller”"):
        call_command("goals", "import", str(path), "--section", "Svømmehaller", *here)


# -- over the API -------------------------------------------------------------------------------


@pytest.fixture
def bearer(world, capsys):
    call_command("token", "create", "manager", "--name", "Budgetscript")
    return {"Authorization": f"Bearer {capsys.readouterr().out.strip()}"}


def test_the_api_reads_a_budget_book_and_a_chosen_section(client, world, book, bearer):
    def post(**form):
        return client.post(
            "/api/v1/goals/documents",
            {"file": SimpleUploadedFile("budget.pdf", book), **form},
            headers=bearer,
        )

    dry = post(dry_run="true")
    assert dry.status_code == 200, dry.content
    answer = dry.json()
    assert answer["dry_run"] is True and not Target.objects.exists()
    assert answer["section"] == {
        "title": "Serviceområde 14 Biblioteker",
        "first_page": 12,
        "last_page": 15,
    }
    assert MUSEUMS in [s["title"] for s in answer["sections"]]
    [document] = answer["documents"]
    assert document["year"] == 2021 and len(document["focus_areas"]) == 4
    guidance = next(
        t
        for area in document["focus_areas"]
        for t in area["targets"]
        if t["indicator"] == "guidance"
    )
    assert (guidance["kind"], guidance["threshold"]) == ("at_least", 45000.0)

    museums = post(section="Museer")
    assert museums.status_code == 200
    assert museums.json()["section"]["title"] == MUSEUMS
    assert Target.objects.filter(focus_area__service_area="1 Museer").exists()
    assert post(section="Museer").json()["unchanged"] is True

    unknown = post(section="Svømmehaller")
    assert unknown.status_code == 422
    assert "Svømmehaller" in unknown.json()["errors"][0]["message"]


def test_the_api_refuses_a_file_that_is_no_goal_document(client, bearer):
    client.cookies["django_language"] = "en"
    response = client.post(
        "/api/v1/goals/documents",
        {"file": SimpleUploadedFile("mål.zip", b"PK\x03\x04" + bytes(range(256)))},
        headers=bearer,
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert "zip archive" in error["message"] and "damaged" in error["message"]
    assert "\\x" not in error["value"] and "PK" not in error["value"]


# -- left-out sentences --------------------------------------------------------------------------


def test_a_left_out_sentence_stays_out_of_a_changed_file_until_taken_in(manager, world):
    from tests.goals.test_review_step import SEED, card, preview, review_data

    left = "Minimum 9.000 skoleelever"
    first = preview(manager)
    data = review_data(first, **{f"{left}|leave_out": "on"})
    assert manager.post(reverse("goals:document_import"), data).status_code == 302
    assert not Target.objects.filter(source_text__contains=left).exists()
    area = FocusArea.objects.get(goal_text__contains=left)
    assert any(left in s for s in area.left_out)

    changed = SEED.decode().replace("Minimum 30.000 personer", "Minimum 31.000 personer").encode()
    # The command (no review) keeps it out.
    result = import_budget_document(
        organisation=world.organisation, data=changed, filename="rettet.txt", dry_run=True
    )
    planned = [a for a in result.documents[0].focus_areas if any(left in s for s in a.left_out)]
    assert planned
    # The page offers it again, ticked to leave out, saying why.
    again = preview(manager, changed, "rettet.txt")
    offered = card(again, left)
    assert offered.initial["leave_out"] is True
    assert "Left out when this document was imported before" in again.content.decode()
    # Saved as it stands: still out.
    assert manager.post(reverse("goals:document_import"), review_data(again)).status_code == 302
    assert not Target.objects.filter(source_text__contains=left).exists()

    # Unticked on a later file, it is taken in and no longer remembered as left out.
    later = changed.decode().replace("Minimum 31.000", "Minimum 32.000").encode()
    third = preview(manager, later, "rettet-igen.txt")
    data = review_data(third, **{f"{left}|leave_out": None})
    assert manager.post(reverse("goals:document_import"), data).status_code == 302
    assert Target.objects.filter(source_text__contains=left, indicator="pupils_taught").exists()
    area.refresh_from_db()
    assert not any(left in s for s in area.left_out)
