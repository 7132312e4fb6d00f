"""The digital pages: who sees what, the import with its preview, the typed month, platforms,
loan quotas and campaigns."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from bibliotal.core.models import AuditEntry, ImportBatch
from bibliotal.digital.models import Campaign, DigitalFigure, Platform, QuotaChange

DATA = Path(__file__).resolve().parents[1] / "data" / "digital"

PAGES = {
    "digital:overview": "staff",
    "digital:campaign_list": "staff",
    "digital:import": "coordinator",
    "digital:grid": "coordinator",
    "digital:quotas": "coordinator",
    "digital:campaign_create": "coordinator",
    "digital:platforms": "manager",
}
ORDER = ["staff", "coordinator", "manager", "administrator"]


@pytest.mark.parametrize("name", PAGES)
def test_each_page_is_shown_to_the_roles_that_may_use_it(client, world, name):
    lowest = ORDER.index(PAGES[name])
    for who in ORDER:
        client.force_login(getattr(world, who))
        response = client.get(reverse(name))
        assert response.status_code == (200 if ORDER.index(who) >= lowest else 403), (name, who)
    client.force_login(world.outsider)
    assert client.get(reverse(name)).status_code == 403
    client.logout()
    assert client.get(reverse(name)).status_code == 302


@pytest.mark.django_db
def test_a_coordinator_checks_then_imports_a_counter_report(client, world):
    client.force_login(world.coordinator)
    upload = SimpleUploadedFile(
        "pr.tsv", (DATA / "infomedia_pr_2021q1.tsv").read_bytes(), "text/tab-separated-values"
    )
    preview = client.post(reverse("digital:import"), {"file": upload})
    text = preview.content.decode()
    assert preview.status_code == 200
    assert "Læst som: COUNTER Release 5-rapport" in text and "COUNTER-rapport PR." in text
    assert "12 tal tilføjet" in text and "Infomedia" in text
    assert not DigitalFigure.objects.exists()
    confirm = dict(preview.context["confirm"])
    done = client.post(reverse("digital:import"), {**confirm, "confirm": "1"})
    assert done.status_code == 302
    assert DigitalFigure.objects.count() == 12
    overview = client.get(reverse("digital:overview"), {"year": 2021}).content.decode()
    assert "Licensdatabaser (COUNTER)" in overview and "Searches_Platform" in overview
    assert "1.240" in overview
    listed = client.get(reverse("digital:import")).content.decode()
    assert "Seneste importer" in listed and "pr.tsv" in listed
    batch = ImportBatch.objects.get(kind="digital")
    undone = client.post(reverse("digital:import"), {"undo": batch.pk}, follow=True)
    assert "Importen af pr.tsv er fortrudt (12 tal)." in undone.content.decode()
    assert not DigitalFigure.objects.exists()
    assert AuditEntry.objects.filter(actor=world.coordinator, model="core.ImportBatch").exists()


@pytest.mark.django_db
def test_a_faulty_file_is_answered_with_its_rows(client, world):
    client.force_login(world.coordinator)
    upload = SimpleUploadedFile(
        "tal.csv", "platform;periode;måling;værdi\nX;2021;udlån;1\n".encode()
    )
    response = client.post(reverse("digital:import"), {"file": upload})
    assert response.status_code == 400
    assert "tal.csv, linje 2, kolonne platform" in response.content.decode()


@pytest.mark.django_db
def test_a_month_is_typed_changed_and_cleared_with_an_audit_trail(client, world):
    client.force_login(world.coordinator)
    client.get(reverse("digital:overview"))  # the usual platforms appear on first use
    go = Platform.objects.get(organisation=world.organisation, name="eReolen Go")
    url = reverse("digital:grid") + f"?platform={go.pk}&month=2021-03"
    page = client.get(url)
    assert (
        page.status_code == 200 and 'aria-label="Udlån, E-bog, Børn 0–13"' in page.content.decode()
    )
    saved = client.post(
        url,
        {
            "v-loans-ebook-children": "1.250",
            "v-loans-ebook-young": "310",
            "v-unique_users-none-all": "2400",
            "method": "login",
        },
    )
    assert saved.status_code == 302
    assert {
        (f.metric, f.age_band, f.value, f.method, f.source) for f in DigitalFigure.objects.all()
    } == {
        ("loans", "children", 1250, "", "typed"),
        ("loans", "young", 310, "", "typed"),
        ("unique_users", "all", 2400, "login", "typed"),
    }
    assert AuditEntry.objects.filter(actor=world.coordinator, action="create").count() >= 3
    bad = client.post(url, {"v-loans-ebook-children": "mange", "method": "login"})
    assert bad.status_code == 400
    assert "Udlån, E-bog, Børn 0–13: skriv et helt tal" in bad.content.decode()
    assert DigitalFigure.objects.count() == 3  # nothing half-saved
    cleared = client.post(
        url, {"v-loans-ebook-children": "1250", "method": "login", "estimated": "1"}
    )
    assert cleared.status_code == 302
    assert [(f.age_band, f.source) for f in DigitalFigure.objects.all()] == [
        ("children", "estimated")
    ]


@pytest.mark.django_db
def test_saving_a_month_leaves_imported_figures_imported(client, world):
    client.force_login(world.coordinator)
    client.get(reverse("digital:overview"))
    go = Platform.objects.get(organisation=world.organisation, name="eReolen Go")
    DigitalFigure.objects.create(
        platform=go,
        metric="loans",
        material="ebook",
        age_band="children",
        start=date(2021, 3, 1),
        end=date(2021, 3, 31),
        value=848,
    )
    url = reverse("digital:grid") + f"?platform={go.pk}&month=2021-03"
    assert 'value="848"' in client.get(url).content.decode()
    client.post(
        url, {"v-loans-ebook-children": "848", "v-loans-ebook-young": "185", "method": "login"}
    )
    assert dict(DigitalFigure.objects.values_list("age_band", "source")) == {
        "children": "imported",
        "young": "typed",
    }


@pytest.mark.django_db
def test_one_platform_at_a_time_is_the_goal_figure_for_unique_users(client, world):
    client.force_login(world.manager)
    client.get(reverse("digital:platforms"))
    first, second = Platform.objects.filter(organisation=world.organisation)[:2]
    for platform in (first, second):
        response = client.post(
            reverse("digital:platforms"),
            {
                "pk": platform.pk,
                "name": platform.name,
                "kind": platform.kind,
                "headline": "on",
                "active": "on",
            },
        )
        assert response.status_code == 302
    assert list(Platform.objects.filter(headline=True)) == [second]


@pytest.mark.django_db
def test_a_campaign_is_registered_and_compared(client, world):
    client.force_login(world.coordinator)
    client.get(reverse("digital:overview"))
    go = Platform.objects.get(organisation=world.organisation, name="eReolen Go")
    DigitalFigure.objects.create(
        platform=go,
        metric="loans",
        material="ebook",
        start=date(2021, 9, 1),
        end=date(2021, 9, 30),
        value=1200,
    )
    DigitalFigure.objects.create(
        platform=go,
        metric="loans",
        material="ebook",
        start=date(2021, 8, 1),
        end=date(2021, 8, 31),
        value=1000,
    )
    wrong = client.post(
        reverse("digital:campaign_create"),
        {"title": "Go", "start": "2021-09-30", "end": "2021-09-01", "target_group": "children"},
    )
    assert wrong.status_code == 400
    text = wrong.content.decode()
    assert "Slutningen må ikke ligge før starten." in text and "<legend>" in text
    created = client.post(
        reverse("digital:campaign_create"),
        {
            "title": "eReolen Go i skolerne",
            "offer": go.pk,
            "target_group": "children",
            "areas": ["rural"],
            "start": "2021-09-01",
            "end": "2021-09-30",
            "indicators": ["child_ebook_loans"],
        },
    )
    campaign = Campaign.objects.get()
    assert created.url == reverse("digital:campaign_detail", args=[campaign.pk])
    client.force_login(world.staff)
    page = client.get(created.url).content.decode()
    assert "Børns udlån af e-bøger" in page and "1.200" in page and "1.000" in page
    assert "+20" in page  # 1,200 against 1,000 before
    assert "Redigér kampagnen" not in page  # staff see, coordinators edit


@pytest.mark.django_db
def test_loan_quota_changes_are_kept_and_deleted(client, world):
    client.force_login(world.coordinator)
    client.get(reverse("digital:quotas"))
    ereolen = Platform.objects.get(organisation=world.organisation, name="eReolen")
    client.post(
        reverse("digital:quotas"),
        {"platform": ereolen.pk, "day": "2021-01-04", "quota_before": 3, "quota_after": 5},
    )
    change = QuotaChange.objects.get()
    assert (
        "eReolen: lånekvote 3 → 5"
        in client.get(reverse("digital:overview"), {"year": 2021}).content.decode()
    )
    client.post(reverse("digital:quotas"), {"delete": change.pk})
    assert not QuotaChange.objects.exists()


@pytest.mark.django_db
def test_the_command_imports_a_matomo_summary_for_a_named_platform(world, tmp_path):
    path = tmp_path / "matomo.csv"
    path.write_bytes((DATA / "matomo_visitssummary_2021.csv").read_bytes())
    out = io.StringIO()
    org = ["--organisation", world.organisation.name]
    with pytest.raises(CommandError, match="No platform is called 'Intranet'"):
        call_command("import", "digital", str(path), "--platform", "Intranet", *org, stdout=out)
    call_command("import", "digital", str(path), "--platform", "hjemmeside", *org, stdout=out)
    text = out.getvalue()
    assert "Læst som: Besøgsoversigt fra Matomo (webanalyse)." in text
    assert "matomo.csv: 11 tal tilføjet, 0 erstattet, 0 uændret." in text
