"""Setting up one's own library service without the demo: `bibliotal setup`, with and without
questions and from the library website, and the setup page a fresh database leads to."""

from __future__ import annotations

import builtins
import csv
import getpass
import socket
import stat
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation

from bibliotal.core import fakesite, http, website_libraries
from bibliotal.core import setup as core_setup
from bibliotal.core.models import (
    AuditEntry,
    Branch,
    CalendarHours,
    IntegrationRun,
    Membership,
    Organisation,
    Role,
    ServicePoint,
    Website,
    WebsiteBranch,
)
from bibliotal.digital.models import Platform
from bibliotal.events.models import EventType
from bibliotal.goals.models import Target
from bibliotal.guidance.models import GuidanceTopic

FOUNDING_DOCUMENT = Path(__file__).resolve().parents[1] / "data" / "goals" / "maal-budget-2021.txt"
PASSWORD = "Rugbrød-og-kaffe-42"
CODE = "abc123-def456-0a1b2c"
HERNING = {
    "organisation": "Herning Bibliotekerne",
    "municipality": "657",
    "libraries": ["Herning Bibliotek"],
    "admin": "chef",
    "admin_email": "chef@example.dk",
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv("BIBLIOTAL_ADMIN_PASSWORD", PASSWORD)


def run_setup(**options) -> str:
    out = StringIO()
    call_command("setup", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def nothing_created() -> bool:
    return not Organisation.objects.exists() and not get_user_model().objects.exists()


# -- the municipalities ----------------------------------------------------------------------------


def test_the_bundled_list_holds_the_98_municipalities_with_danmarks_statistiks_codes():
    with core_setup.MUNICIPALITIES_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 98
    assert len({r["code"] for r in rows}) == 98
    assert len({r["name"] for r in rows}) == 98
    known = {r["code"]: r["name"] for r in rows}
    assert known["101"] == "København"
    assert known["147"] == "Frederiksberg"
    assert known["400"] == "Bornholm"
    assert known["657"] == "Herning"
    assert known["751"] == "Aarhus"
    assert known["851"] == "Aalborg"
    assert known["860"] == "Hjørring"
    assert known["492"] == "Ærø"
    assert "411" not in known  # Christiansø is no municipality
    # The same as the Statbank reader's list, which also knows Christiansø.
    from bibliotal.reports.municipalities import MUNICIPALITIES

    assert known == {c: n for c, n in MUNICIPALITIES.items() if c != "411"}


def test_municipalities_are_chosen_by_code_or_by_name():
    assert core_setup.check_municipality("657") == "657"
    assert core_setup.check_municipality("Herning") == "657"
    assert core_setup.check_municipality("hjørring kommune") == "860"
    names = [name for _code, name in core_setup.municipality_choices()]
    assert names[0] == "Aabenraa" and names[-1] == "Ærø"


# -- the command -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_setup_and_the_founding_document_give_the_nine_targets(password):
    output = run_setup(
        organisation="Herning Bibliotekerne",
        municipality="657",
        libraries=["Herning Bibliotek"],
        admin="chef",
        admin_email="chef@example.dk",
    )
    organisation = Organisation.objects.get()
    assert (organisation.name, organisation.municipality_code) == ("Herning Bibliotekerne", "657")
    branch = Branch.objects.get()
    assert branch.name == "Herning Bibliotek"
    desk = ServicePoint.objects.get()
    assert (desk.branch, desk.name, desk.kind) == (branch, "Skranken", ServicePoint.Kind.DESK)
    assert GuidanceTopic.objects.filter(organisation=organisation).count() >= 5
    assert EventType.objects.filter(organisation=organisation).exists()
    assert Platform.objects.filter(organisation=organisation, name="eReolen").exists()
    chef = get_user_model().objects.get()
    assert chef.username == "chef" and chef.email == "chef@example.dk"
    assert chef.check_password(PASSWORD)
    assert (chef.membership.organisation, chef.membership.role) == (
        organisation,
        Role.ADMINISTRATOR,
    )
    assert "Created Herning Bibliotekerne (municipality Herning, code 657)." in output
    assert "bibliotal goals import FILE --year" in output
    # Audited as the command, passwords never shown.
    entries = AuditEntry.objects.filter(organisation_id=organisation.pk)
    assert entries.filter(model="core.Organisation", action="create").exists()
    assert set(entries.values_list("source", flat=True)) == {"command"}
    assert all(
        name.endswith("(bibliotal setup)") for name in entries.values_list("actor_name", flat=True)
    )
    assert PASSWORD not in str(list(AuditEntry.objects.values_list("changes", flat=True)))

    call_command("goals", "import", str(FOUNDING_DOCUMENT), "--year", "2021", stdout=StringIO())
    measurable = Target.objects.filter(
        focus_area__budget_year__organisation=organisation, focus_area__budget_year__year=2021
    ).exclude(kind="qualitative")
    assert measurable.count() == 9
    assert sorted(measurable.values_list("indicator", flat=True)) == sorted(
        [
            "visits",
            "new_users",
            "guidance",
            "pupils_taught",
            "event_participants",
            "digital_unique_users",
            "child_ebook_loans",
            "ebook_loans",
            "eaudiobook_loans",
        ]
    )


@pytest.mark.django_db
def test_an_organisation_of_that_name_is_refused_and_nothing_more_is_made(password):
    run_setup(**HERNING)
    with pytest.raises(CommandError) as refused:
        run_setup(**{**HERNING, "organisation": "herning bibliotekerne", "admin": "chef2"})
    assert str(refused.value) == "An organisation called herning bibliotekerne exists already."
    assert Organisation.objects.count() == 1
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_without_questions_every_missing_value_is_named(monkeypatch):
    monkeypatch.delenv("BIBLIOTAL_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError) as refused:
        run_setup(organisation="Herning Bibliotekerne", interactive=False)
    assert str(refused.value) == (
        "Without questions (--no-input) these are needed too: --municipality, --admin, "
        "--admin-email, --library, BIBLIOTAL_ADMIN_PASSWORD"
    )
    assert nothing_created()


@pytest.mark.django_db
def test_bad_values_are_all_refused_at_once_and_nothing_is_made(monkeypatch):
    monkeypatch.setenv("BIBLIOTAL_ADMIN_PASSWORD", "herning2021")
    with pytest.raises(CommandError) as refused:
        run_setup(
            organisation="Herning Bibliotekerne",
            municipality="658",
            libraries=["Herning Bibliotek", "herning  bibliotek"],
            admin="chef",
            admin_email="chef.example.dk",
            interactive=False,
        )
    lines = str(refused.value).splitlines()
    assert lines[0] == (
        "658 is not one of the 98 municipalities: give Danmarks Statistik's three-digit code, "
        "e.g. 657 for Herning."
    )
    assert "The library herning bibliotek is named twice." in lines
    assert "chef.example.dk is not an e-mail address." in lines
    assert any("too short" in line and "at least 12 characters" in line for line in lines)
    assert nothing_created()


@pytest.mark.django_db
def test_a_weak_password_from_the_environment_is_refused(monkeypatch):
    monkeypatch.setenv("BIBLIOTAL_ADMIN_PASSWORD", "kort")
    with pytest.raises(CommandError) as refused:
        run_setup(**HERNING)
    assert str(refused.value).startswith("BIBLIOTAL_ADMIN_PASSWORD: ")
    assert nothing_created()


@pytest.mark.django_db
def test_interactively_each_value_is_asked_checked_and_asked_again(monkeypatch):
    monkeypatch.delenv("BIBLIOTAL_ADMIN_PASSWORD", raising=False)
    answers = iter(
        [
            "Hjørring Kommune",  # municipality, by name
            "",  # the organisation: the default, "Hjørring Bibliotekerne"
            "",  # no website
            "",  # library 1: the default, "Hjørring Bibliotek"
            "hjørring bibliotek",  # named twice: asked again
            "Sindal Bibliotek",
            "",  # the end of the list
            "chef",
            "chef(at)example.dk",  # not an e-mail address: asked again
            "chef@example.dk",
        ]
    )
    prompts = []

    def answer(prompt=""):
        prompts.append(prompt)
        return next(answers)

    passwords = iter(["kort", PASSWORD, "not the same", PASSWORD, PASSWORD])
    monkeypatch.setattr(builtins, "input", answer)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(passwords))
    errors = StringIO()
    call_command("setup", stdout=StringIO(), stderr=errors)
    organisation = Organisation.objects.get()
    assert (organisation.name, organisation.municipality_code) == ("Hjørring Bibliotekerne", "860")
    assert list(Branch.objects.values_list("name", flat=True)) == [
        "Hjørring Bibliotek",
        "Sindal Bibliotek",
    ]
    assert get_user_model().objects.get().check_password(PASSWORD)
    assert prompts[1] == "Name of the library service [Hjørring Bibliotekerne]: "
    assert prompts[3] == "Library 1 [Hjørring Bibliotek]: "
    said = errors.getvalue()
    assert "The library hjørring bibliotek is named twice." in said
    assert "chef(at)example.dk is not an e-mail address." in said
    assert "This password is too short." in said
    assert "The two passwords differ. Try again." in said
    assert next(answers, None) is None and next(passwords, None) is None


# -- the library website ---------------------------------------------------------------------


@pytest.fixture
def site(settings):
    settings.BIBLIOTAL_ALLOW_LOCAL_SOURCES = True
    server = fakesite.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_the_libraries_and_their_opening_hours_come_from_the_website(site, password):
    output = run_setup(
        organisation="Herning Bibliotekerne",
        municipality="657",
        libraries=["Herning Bibliotek"],  # named by hand and on the website: one library
        website=site + "/",
        admin="chef",
        admin_email="chef@example.dk",
    )
    organisation = Organisation.objects.get()
    assert Website.objects.get(organisation=organisation).url == site
    names = sorted(name for _id, name, _isil in fakesite.LIBRARIES)
    assert sorted(Branch.objects.values_list("name", flat=True)) == names
    herning = Branch.objects.get(name="Herning Bibliotek")
    assert (herning.street, herning.postcode, herning.city, herning.isil) == (
        "Østergade 8",
        "7400",
        "Herning",
        "DK-765700",
    )
    assert Branch.objects.get(name="Aulum Bibliotek").address == "7490 Aulum"
    assert ServicePoint.objects.filter(name="Skranken").count() == len(fakesite.LIBRARIES)
    ids = {
        m.value: m.branch.name
        for m in WebsiteBranch.objects.filter(kind=WebsiteBranch.Kind.ID).select_related("branch")
    }
    assert ids == {str(i): name for i, name, _isil in fakesite.LIBRARIES if i != 7}
    assert (
        WebsiteBranch.objects.filter(kind=WebsiteBranch.Kind.NAME, branch__isnull=True).count() == 0
    )
    # The opening hours as the nightly sync imports them: every library with hours has its
    # calendar; the mobile library has none on the website.
    run = IntegrationRun.objects.get(organisation=organisation)
    assert run.ok and run.trigger == "command"
    with_hours = set(CalendarHours.objects.values_list("branch__name", flat=True))
    assert with_hours == set(names) - {"Bogbussen"}
    assert f"From the library website {site}:" in output
    assert "Opening hours for " in output


@pytest.mark.django_db
def test_a_website_that_cannot_be_reached_stops_the_setup_before_anything_is_made(
    settings, password, monkeypatch
):
    settings.BIBLIOTAL_ALLOW_LOCAL_SOURCES = True
    monkeypatch.setattr(http, "BACKOFF_SECONDS", 0)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(CommandError) as refused:
        run_setup(**HERNING, website=f"http://127.0.0.1:{port}")
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(
        f"The library website http://127.0.0.1:{port} could not be read, so nothing was set up:"
    )
    assert nothing_created()
    assert not IntegrationRun.objects.exists()


def test_a_library_page_gives_its_name():
    page = b"<html><head><title>Herning Bibliotek | Herning Bibliotekerne</title></head></html>"
    assert website_libraries.page_title(page) == "Herning Bibliotek"
    og = b'<meta property="og:title" content="Aulum Bibliotek &amp; Kulturhus">'
    assert website_libraries.page_title(og) == "Aulum Bibliotek & Kulturhus"
    assert website_libraries.page_title(b"<html></html>") == ""


# -- the setup page ------------------------------------------------------------------------------


def form_data(**changes) -> dict:
    return {
        "setup_code": CODE,
        "organisation": "Herning Bibliotekerne",
        "municipality": "657",
        "libraries": "Herning Bibliotek\r\nAulum Bibliotek\r\n",
        "website": "",
        "username": "chef",
        "email": "chef@example.dk",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **changes,
    }


@pytest.fixture
def code(settings, tmp_path):
    settings.BIBLIOTAL_SETUP_CODE = CODE
    settings.DATA_DIR = tmp_path
    return CODE


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
def test_a_fresh_database_leads_every_page_to_the_setup_form(english, code):
    client = english
    for path in ("/", reverse("core:login"), "/goals/", "/admin/"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, "/setup/"), path
    assert client.get("/healthz").status_code != 302
    assert client.get("/api/v1/openapi.json").status_code == 200
    page = client.get("/setup/")
    assert page.status_code == 200
    text = page.content.decode()
    assert '<select name="municipality"' in text
    assert text.count("<option") == 98 + 1
    assert '<option value="657">Herning</option>' in text
    assert 'autocomplete="new-password"' in text


@pytest.mark.django_db
def test_the_setup_form_creates_the_organisation_and_logs_the_administrator_in(english, code):
    client = english
    response = client.post("/setup/", form_data())
    assert (response.status_code, response["Location"]) == (302, "/")
    organisation = Organisation.objects.get()
    assert sorted(Branch.objects.values_list("name", flat=True)) == [
        "Aulum Bibliotek",
        "Herning Bibliotek",
    ]
    chef = get_user_model().objects.get()
    assert Membership.objects.get(user=chef).role == Role.ADMINISTRATOR
    home = client.get("/")
    assert home.status_code == 200
    assert home.context["user"] == chef
    message = " ".join(str(m) for m in home.context["messages"])
    assert "Created Herning Bibliotekerne" in message
    assert "bibliotal goals import FILE --year" in message
    assert client.get("/setup/").status_code == 404
    entry = AuditEntry.objects.get(model="core.Organisation", object_id=str(organisation.pk))
    assert (entry.source, entry.actor_name) == ("web", "chef (setup page, 127.0.0.1)")


@pytest.mark.django_db
def test_the_setup_form_says_what_is_wrong_and_creates_nothing(english, code):
    response = english.post(
        "/setup/",
        form_data(
            setup_code="wrong",
            municipality="999",
            libraries="Herning Bibliotek\nHERNING BIBLIOTEK",
            email="chef",
            password2="something else",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["setup_code"] == ["That is not the setup code."]
    assert "Select a valid choice" in errors["municipality"][0]
    assert errors["libraries"] == ["The library HERNING BIBLIOTEK is named twice."]
    assert errors["email"] == ["chef is not an e-mail address."]
    assert nothing_created()
    weak = english.post("/setup/", form_data(password1="herning2021", password2="herning2021"))
    assert "This password is too short" in " ".join(weak.context["form"].errors["password1"])
    differ = english.post("/setup/", form_data(password2=PASSWORD + "!"))
    assert differ.context["form"].errors["password2"] == ["The two passwords differ."]
    assert nothing_created()


@pytest.mark.django_db
def test_the_setup_page_reads_the_website_too(english, code, site):
    response = english.post("/setup/", form_data(libraries="", website=site))
    assert response.status_code == 302
    assert Branch.objects.count() == len(fakesite.LIBRARIES)
    assert IntegrationRun.objects.get().trigger == "page"


@pytest.mark.django_db
def test_the_setup_page_is_gone_once_an_organisation_exists(client, world):
    assert client.get("/setup/").status_code == 404
    response = client.get("/")
    assert response["Location"].startswith(reverse("core:login"))


@pytest.mark.django_db
def test_an_account_without_an_organisation_keeps_its_login_page(english, code):
    get_user_model().objects.create_superuser("root", "root@example.dk", PASSWORD)
    assert english.get(reverse("core:login")).status_code == 200
    assert english.get("/setup/").status_code == 200


@pytest.mark.django_db
def test_a_setup_that_another_one_beat_is_turned_back_to_the_login(english, code, monkeypatch):
    """The page was open on a fresh database, but another setup finished first."""
    real = core_setup.needs_setup
    calls = []

    def stale_then_real():
        calls.append(1)
        return True if len(calls) == 1 else real()

    core_setup.set_up(
        core_setup.SetupRequest(
            organisation="Holstebro Bibliotekerne",
            municipality_code="661",
            libraries=["Holstebro Bibliotek"],
            username="anden",
            email="anden@example.dk",
            password=PASSWORD,
        )
    )
    monkeypatch.setattr(core_setup, "needs_setup", stale_then_real)
    response = english.post("/setup/", form_data(), follow=True)
    assert response.redirect_chain[0] == (reverse("core:login"), 302)
    assert "Bibliotal has been set up already: log in." in response.content.decode()
    assert list(Organisation.objects.values_list("name", flat=True)) == ["Holstebro Bibliotekerne"]
    assert not get_user_model().objects.filter(username="chef").exists()


@pytest.mark.django_db(transaction=True)
def test_two_setups_at_the_same_time_make_one_organisation(monkeypatch):
    """The second waits for the first one's transaction and then sees its organisation."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # The test database's shared in-memory cache answers "table is locked" at once where a
        # database file waits for the write lock (BEGIN IMMEDIATE, with a busy timeout).
        pytest.skip("needs a database file or PostgreSQL")
    inside = threading.Event()

    def slow_step(organisation, branches):
        inside.set()
        time.sleep(0.5)  # the other setup starts meanwhile

    monkeypatch.setitem(
        core_setup._steps, "test.slow", core_setup.SetupStep(0, "test.slow", slow_step)
    )
    outcomes = []

    def attempt(name, user):
        # The active language is per thread: the message is made in English inside the thread.
        with translation.override("en"):
            try:
                _set_up(name, user)
                outcomes.append("created")
            except core_setup.SetupError as exc:
                outcomes.append(str(exc))
            except Exception as exc:
                outcomes.append(repr(exc))
            finally:
                connection.close()

    def _set_up(name, user):
        core_setup.set_up(
            core_setup.SetupRequest(
                organisation=name,
                municipality_code="657",
                libraries=["Herning Bibliotek"],
                username=user,
                email=f"{user}@example.dk",
                password=PASSWORD,
            ),
            first_only=True,
        )

    first = threading.Thread(target=attempt, args=("Herning Bibliotekerne", "chef"))
    second = threading.Thread(target=attempt, args=("Andre Bibliotekerne", "anden"))
    with translation.override("en"):
        first.start()
        assert inside.wait(10)
        second.start()
        first.join(20)
        second.join(20)
    assert sorted(outcomes) == ["Bibliotal has been set up already: log in.", "created"]
    assert list(Organisation.objects.values_list("name", flat=True)) == ["Herning Bibliotekerne"]


# -- the setup code ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_configured_code_one_is_made_once_and_kept_from_others(settings, tmp_path):
    settings.BIBLIOTAL_SETUP_CODE = ""
    settings.DATA_DIR = tmp_path
    made = core_setup.setup_code()
    assert len(made) == 20 and core_setup.setup_code() == made
    kept = tmp_path / "setup-code"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert core_setup.announcement("http://127.0.0.1:8000") == (
        f"Bibliotal is not set up yet: open http://127.0.0.1:8000/setup/ and give the setup "
        f"code {made} (or run bibliotal setup)."
    )
    assert core_setup.code_matches(f"  {made.upper()} ")
    assert not core_setup.code_matches("")
    core_setup.set_up(
        core_setup.SetupRequest(
            organisation="Herning Bibliotekerne",
            municipality_code="657",
            libraries=["Herning Bibliotek"],
            username="chef",
            email="chef@example.dk",
            password=PASSWORD,
        )
    )
    assert core_setup.announcement("http://127.0.0.1:8000") == ""
