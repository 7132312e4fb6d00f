"""The accessibility statement a Danish public body must publish: readable by anyone, linked
from every page's footer (to the organisation's own WAS-Tool statement when it has one), kept by
administrators."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from bibliotal.core.models import AuditEntry, Organisation


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def only_one_organisation(world) -> None:
    world.stranger.delete()
    world.other_branch.delete()
    world.other_organisation.delete()


def test_anyone_reads_the_statement_of_the_organisation(english, world):
    only_one_organisation(world)
    organisation = world.organisation
    organisation.accessibility_email = "tilgaengelighed@testrup.example"
    organisation.accessibility_prepared = date(2026, 11, 30)
    organisation.accessibility_reviewed = date(2026, 12, 1)
    organisation.accessibility_deviations = "The opening-hours map has no text alternative.\n\n"
    organisation.save()
    response = english.get(reverse("core:accessibility"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Testrup Bibliotekerne" in page
    assert "partially compliant with the Web Content Accessibility Guidelines (WCAG) 2.1" in page
    assert "EN 301 549" in page
    assert "PDF/UA" in page  # Bibliotal's own known deviation
    assert "<li>The opening-hours map has no text alternative.</li>" in page
    assert 'href="mailto:tilgaengelighed@testrup.example"' in page
    assert "Agency for Digital Government (Digitaliseringsstyrelsen)" in page
    assert "30 November 2026" in page or "Nov. 30, 2026" in page
    assert "Change the accessibility statement" not in page


def test_a_statement_without_contact_says_so(english, world):
    page = english.get(reverse("core:accessibility_of", args=[world.organisation.pk]))
    assert "has not yet named an e-mail address" in page.content.decode()


def test_with_several_organisations_the_visitor_chooses_one(english, world):
    page = english.get(reverse("core:accessibility")).content.decode()
    assert reverse("core:accessibility_of", args=[world.organisation.pk]) in page
    assert reverse("core:accessibility_of", args=[world.other_organisation.pk]) in page
    english.force_login(world.staff)
    own = english.get(reverse("core:accessibility")).content.decode()
    assert "Accessibility statement" in own and "Testrup Bibliotekerne" in own
    assert "Andetsted" not in own


def test_every_page_s_footer_links_to_the_statement(english, world):
    only_one_organisation(world)
    built_in = reverse("core:accessibility_of", args=[world.organisation.pk])
    login = english.get(reverse("core:login")).content.decode()
    assert f'<a href="{built_in}">Accessibility statement</a>' in login
    english.force_login(world.staff)
    home = english.get(reverse("core:home")).content.decode()
    assert f'<a href="{built_in}">Accessibility statement</a>' in home


def test_the_footer_links_to_the_organisation_s_own_statement_when_set(english, world):
    url = "https://www.was.digst.dk/testrup-bibliotal"
    world.organisation.accessibility_statement_url = url
    world.organisation.save()
    programme = english.get(reverse("events:programme_of", args=[world.organisation.pk]))
    assert f'<a href="{url}">Accessibility statement</a>' in programme.content.decode()
    english.force_login(world.staff)
    home = english.get(reverse("core:home")).content.decode()
    assert f'<a href="{url}">Accessibility statement</a>' in home


@pytest.mark.parametrize(("who", "status"), [("staff", 403), ("manager", 403)])
def test_only_administrators_change_the_statement(english, world, who, status):
    english.force_login(getattr(world, who))
    assert english.get(reverse("core:accessibility_settings")).status_code == status


def test_an_administrator_completes_the_statement(english, world):
    english.force_login(world.administrator)
    settings_url = reverse("core:accessibility_settings")
    assert english.get(settings_url).status_code == 200
    refused = english.post(
        settings_url,
        {
            "accessibility_status": "full",
            "accessibility_prepared": "2026-12-01",
            "accessibility_reviewed": "2026-11-01",
        },
    )
    assert refused.status_code == 400
    assert "cannot be reviewed before it was prepared" in refused.content.decode()
    response = english.post(
        settings_url,
        {
            "accessibility_statement_url": "www.was.digst.dk/testrup",
            "accessibility_email": "web@testrup.example",
            "accessibility_status": "full",
            "accessibility_deviations": "",
            "accessibility_prepared": "2026-12-01",
            "accessibility_reviewed": "",
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(pk=world.organisation.pk)
    assert organisation.accessibility_statement_url == "https://www.was.digst.dk/testrup"
    assert organisation.accessibility_status == "full"
    assert AuditEntry.objects.filter(
        model="core.Organisation", object_id=str(organisation.pk), action="update"
    ).exists()
    statement = english.get(reverse("core:accessibility_of", args=[organisation.pk]))
    assert "Change the accessibility statement" in statement.content.decode()
    assert "fully compliant" in statement.content.decode()


def test_a_fresh_installation_shows_the_statement_page_not_the_setup(english, db):
    response = english.get(reverse("core:accessibility"))
    assert response.status_code == 200
    assert "No library service is set up" in response.content.decode()
