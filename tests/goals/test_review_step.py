"""The review step of a goal document's import: every sentence with what was read from it,
confirmed or corrected before anything is saved (issue 22, item 2)."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bibliotal.core import uploads
from bibliotal.core.models import Branch
from bibliotal.goals.models import Target

DATA = Path(__file__).resolve().parents[1] / "data" / "goals"
SEED = (DATA / "maal-budget-2021.txt").read_bytes()
GUIDANCE = "Bibliotekets ansatte vejleder borgerne"


def review_data(response, **changes) -> dict:
    """The POST a manager sends who changes nothing on the review page, with ``changes``
    (``{sentence start: {field: value}}``-like: key ``"<words>|<field>"``)."""
    confirm, formset = response.context["confirm"], response.context["formset"]
    data = {
        "confirm": "1",
        "token": confirm.initial["token"],
        "year": confirm.initial["year"] or "",
    }
    for name, value in formset.management_form.initial.items():
        data[f"{formset.prefix}-{name}"] = value
    for form in formset:
        for name in form.fields:
            value = form.initial.get(name)
            if name == "branches":
                value = [str(v) for v in value or []]
            elif value is None or value is False:
                continue
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            data[form.add_prefix(name)] = value
        for key, value in changes.items():
            words, name = key.split("|")
            if words in form.sentence:
                if value is None:
                    data.pop(form.add_prefix(name), None)
                else:
                    data[form.add_prefix(name)] = value
    return data


def preview(client, data=SEED, name="maal-2021.txt"):
    upload = SimpleUploadedFile(name, data, content_type="text/plain")
    response = client.post(reverse("goals:document_import"), {"document": upload})
    assert response.status_code == 200
    return response


@pytest.fixture
def manager(client, world):
    client.force_login(world.manager)
    client.cookies["django_language"] = "en"
    return client


def card(response, words):
    return next(f for f in response.context["formset"] if words in f.sentence)


def test_the_cards_are_prefilled_with_what_was_read(manager):
    response = preview(manager)
    guidance = card(response, GUIDANCE)
    assert guidance.initial["indicator"] == "guidance"
    assert guidance.initial["kind"] == "at_least"
    assert guidance.initial["threshold"] == Decimal("45000")
    visits = card(response, "Antallet af borgere der besøger")
    assert visits.initial["kind"] == "increase" and visits.initial["baseline_year"] == 2020
    qualitative = [f for f in response.context["formset"] if f.proposal.is_qualitative]
    assert qualitative and all(f.initial["kind"] == "qualitative" for f in qualitative)
    page = response.content.decode()
    assert '<legend class="review-sentence">Bibliotekets ansatte vejleder' in page
    assert 'value="45000' in page
    assert "Read as goals that need a target" in page
    assert Target.objects.count() == 0


def test_corrections_are_saved_and_a_left_out_sentence_is_not(manager, world):
    response = preview(manager)
    north = Branch.objects.get(name="Nord Bibliotek")
    data = review_data(
        response,
        **{
            f"{GUIDANCE}|threshold": "46000",
            f"{GUIDANCE}|indicator": "visits",
            f"{GUIDANCE}|branches": [str(north.pk)],
            "Minimum 9.000 skoleelever|leave_out": "on",
        },
    )
    saved = manager.post(reverse("goals:document_import"), data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    target = Target.objects.get(source_text__startswith=GUIDANCE)
    assert target.threshold == Decimal("46000") and target.indicator == "visits"
    assert target.scope == Target.Scope.BRANCHES and list(target.branches.all()) == [north]
    assert not Target.objects.filter(source_text__contains="Minimum 9.000 skoleelever").exists()
    count = Target.objects.count()
    # The same file again changes nothing: the corrections stay, the left-out one stays out.
    again = preview(manager)
    assert "already imported" in again.content.decode()
    assert manager.post(reverse("goals:document_import"), review_data(again)).status_code == 302
    assert Target.objects.count() == count
    target.refresh_from_db()
    assert target.threshold == Decimal("46000") and target.indicator == "visits"


def test_an_invalid_card_names_the_sentence_and_saves_nothing(manager):
    response = preview(manager)
    token = response.context["confirm"].initial["token"]
    data = review_data(response, **{f"{GUIDANCE}|threshold": None})
    invalid = manager.post(reverse("goals:document_import"), data)
    assert invalid.status_code == 400
    page = invalid.content.decode()
    assert "“Bibliotekets ansatte vejleder" in page and "Number: Give the number to reach" in page
    assert Target.objects.count() == 0
    assert uploads.path_of(token) is not None  # the file is still kept
    # Corrected, the same token saves.
    data[card(invalid, GUIDANCE).add_prefix("threshold")] = "45500"
    saved = manager.post(reverse("goals:document_import"), data)
    assert saved.status_code == 302
    assert Target.objects.get(source_text__startswith=GUIDANCE).threshold == Decimal("45500")
    assert uploads.path_of(token) is None


def test_a_changed_file_keeps_the_corrected_targets(manager):
    response = preview(manager)
    data = review_data(response, **{f"{GUIDANCE}|threshold": "47000"})
    assert manager.post(reverse("goals:document_import"), data).status_code == 302
    changed = SEED.decode().replace("Minimum 30.000 personer", "Minimum 31.000 personer").encode()
    again = preview(manager, changed, "maal-2021-rettet.txt")
    kept = [t.source_text for a in again.context["review"][0]["areas"] for t in a["kept"]]
    assert any(GUIDANCE in s for s in kept)
    assert manager.post(reverse("goals:document_import"), review_data(again)).status_code == 302
    assert Target.objects.get(source_text__startswith=GUIDANCE).threshold == Decimal("47000")
    assert Target.objects.filter(source_text__contains="Minimum 31.000 personer").exists()
