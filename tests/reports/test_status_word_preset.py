"""The preset "indfriet / delvis indfriet / ikke indfriet" for an organisation's status words."""

from __future__ import annotations

from django.urls import reverse

from bibliotal.goals.models import GoalSettings


def test_the_preset_fills_the_words_in_unsaved_and_saving_keeps_them(client, world):
    url = reverse("reports:settings_edit")
    client.force_login(world.manager)
    page = client.get(url).content.decode()
    assert 'name="preset" value="indfriet"' in page
    filled = client.post(
        url, {"preset": "indfriet", "word_no_data": "Ingen tal", "at_risk_ratio": "0.9"}
    )
    assert filled.status_code == 200
    assert not GoalSettings.objects.filter(organisation=world.organisation).exists()  # unsaved
    form = filled.context["form"]
    assert form["word_achieved"].value() == "Indfriet"
    assert form["word_at_risk"].value() == "Delvis indfriet"
    assert form["word_not_achieved"].value() == "Ikke indfriet"
    assert form["word_no_data"].value() == "Ingen tal"  # a word the preset has none for is kept
    assert 'value="Delvis indfriet"' in filled.content.decode()
    data = {name: form[name].value() for name in form.fields}
    assert client.post(url, data).status_code == 302
    saved = GoalSettings.objects.get(organisation=world.organisation)
    assert (saved.word_achieved, saved.word_at_risk, saved.word_not_achieved) == (
        "Indfriet",
        "Delvis indfriet",
        "Ikke indfriet",
    )
    assert saved.status_word("achieved") == "Indfriet"


def test_staff_cannot_use_the_preset(client, world):
    client.force_login(world.staff)
    response = client.post(reverse("reports:settings_edit"), {"preset": "indfriet"})
    assert response.status_code == 403
    assert not GoalSettings.objects.filter(organisation=world.organisation).exists()
