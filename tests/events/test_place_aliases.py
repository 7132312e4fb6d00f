"""An event at "Hovedbiblioteket, Østergade 8, Herning" is Herning Bibliotek's, whichever file
brings it (iCalendar, a table, the library website), when the library goes by that name or has
that address; and it counts toward a target for the chosen libraries."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from bibliotal.core.models import Branch, BranchAlias
from bibliotal.events.dplcms import import_events_dplcms
from bibliotal.events.models import EventOccurrence
from bibliotal.events.services import import_events_csv, import_events_ical
from bibliotal.goals.models import BudgetYear, FocusArea, Target
from bibliotal.goals.reporting import status_rows

PLACE = "Hovedbiblioteket, Østergade 8, Herning"


@pytest.fixture
def herning(world):
    """Herning Bibliotek (north) and Aulum Bibliotek (south); a 2021 target of events held at
    Herning Bibliotek only."""
    Branch.objects.filter(pk=world.north.pk).update(name="Herning Bibliotek", city="Herning")
    Branch.objects.filter(pk=world.south.pk).update(name="Aulum Bibliotek", city="Aulum")
    world.north.refresh_from_db()
    world.south.refresh_from_db()
    area = FocusArea.objects.create(
        budget_year=BudgetYear.objects.create(organisation=world.organisation, year=2021),
        title="Kultur",
    )
    world.target = Target.objects.create(
        focus_area=area,
        indicator="events_held",
        kind="at_least",
        threshold=Decimal("10"),
        scope=Target.Scope.BRANCHES,
    )
    world.target.branches.set([world.north])
    return world


def held_at_herning(world) -> float:
    [row] = status_rows(organisation=world.organisation, year=2021, at=date(2021, 12, 31))
    return row["actual"]


def ical(location: str) -> bytes:
    escaped = location.replace(",", "\\,")
    return (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n"
        "BEGIN:VEVENT\nUID:foredrag@example\nSUMMARY:Foredrag\n"
        "DTSTART;TZID=Europe/Copenhagen:20210907T190000\n"
        f"LOCATION:{escaped}\nEND:VEVENT\nEND:VCALENDAR\n"
    ).encode()


def load_ical(world, location: str):
    return import_events_ical(
        organisation=world.organisation,
        data=ical(location),
        filename="p.ics",
        default_branch=world.south,  # where an event that names no library of ours goes
        window_start=date(2021, 1, 1),
        window_end=date(2021, 12, 31),
    )


@pytest.mark.parametrize(
    ("alias", "street"),
    [("Hovedbiblioteket", ""), ("", "Østergade 8"), ("Østergade 8, Herning", "")],
)
def test_an_ical_event_at_another_name_or_the_address_is_at_the_library(herning, alias, street):
    if alias:
        BranchAlias.objects.create(branch=herning.north, text=alias)
    Branch.objects.filter(pk=herning.north.pk).update(street=street)
    load_ical(herning, PLACE)
    event = EventOccurrence.objects.get(external_uid="foredrag@example")
    assert event.branch == herning.north
    assert event.place == PLACE  # what the calendar said is kept
    assert held_at_herning(herning) == 1.0


def test_without_the_other_name_the_event_goes_where_the_file_says(herning):
    load_ical(herning, PLACE)
    assert EventOccurrence.objects.get().branch == herning.south
    assert not held_at_herning(herning)  # no event at Herning Bibliotek


def test_an_outside_place_in_the_libraries_town_is_not_the_library(herning):
    BranchAlias.objects.create(branch=herning.north, text="Hovedbiblioteket")
    load_ical(herning, "Messecenter Herning")
    assert EventOccurrence.objects.get().branch == herning.south


def test_a_table_row_at_another_name_or_the_address_is_at_the_library(herning):
    BranchAlias.objects.create(branch=herning.north, text="Hovedbiblioteket")
    Branch.objects.filter(pk=herning.south.pk).update(street="Torvet 1")
    data = (
        "titel;dato;start;slut;bibliotek;sted\n"
        f"Foredrag;07-09-2021;19:00;21:00;;{PLACE}\n"
        "Strikkecafé;08-09-2021;14:00;16:00;Hovedbiblioteket;\n"
        "Bogbytte;09-09-2021;10:00;12:00;;Torvet 1, 7490 Aulum\n"
        "Koncert;10-09-2021;20:00;22:00;;Messecenter Herning\n"
    ).encode()
    import_events_csv(organisation=herning.organisation, data=data, filename="p.csv")
    where = dict(EventOccurrence.objects.values_list("title", "branch__name"))
    assert where == {
        "Foredrag": "Herning Bibliotek",
        "Strikkecafé": "Herning Bibliotek",
        "Bogbytte": "Aulum Bibliotek",
        "Koncert": None,
    }
    assert held_at_herning(herning) == 2.0


def dplcms_event(number: int, *, branches, address) -> dict:
    return {
        "uuid": f"0b6c1d2e-2222-4a4a-9b9b-00000000000{number}",
        "title": f"Arrangement {number}",
        "state": "Occurred",
        "date_time": {"start": f"2021-09-0{number}T17:00:00+00:00"},
        "branches": branches,
        "address": address,
        "categories": [],
    }


def test_a_website_event_at_another_name_or_the_address_is_at_the_library(herning):
    BranchAlias.objects.create(branch=herning.north, text="Hovedbiblioteket")
    Branch.objects.filter(pk=herning.north.pk).update(street="Østergade 8")
    address = {"locationType": "physical", "location": "Hovedbiblioteket"}
    address |= {"street": "Østergade 8", "zip_code": "7400", "city": "Herning"}
    events = [
        dplcms_event(1, branches=["Hovedbiblioteket"], address={}),
        dplcms_event(2, branches=[], address=address),
        dplcms_event(3, branches=[], address={"street": "Østergade 8", "city": "Herning"}),
        dplcms_event(4, branches=["Bogbussen"], address={"location": "Skolen i Fjelstervang"}),
    ]
    result = import_events_dplcms(
        organisation=herning.organisation, data=json.dumps(events).encode(), filename="e.json"
    )
    branches = [
        o.branch for o in EventOccurrence.objects.order_by("external_uid").select_related("branch")
    ]
    assert branches == [herning.north, herning.north, herning.north, None]
    assert result.unmapped_branches == ["Bogbussen"]  # "Hovedbiblioteket" needs no mapping
    assert held_at_herning(herning) == 3.0


def test_an_alias_added_on_the_page_places_the_same_website_answer_again(client, herning):
    events = [dplcms_event(1, branches=["Hovedbiblioteket"], address={})]
    data = json.dumps(events).encode()
    import_events_dplcms(organisation=herning.organisation, data=data, filename="e.json")
    assert EventOccurrence.objects.get().branch is None
    client.force_login(herning.administrator)
    response = client.post(
        reverse("core:branch_edit", args=[herning.north.pk]),
        {
            "name": "Herning Bibliotek",
            "city": "Herning",
            "area_type": "city",
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "0",
            "aliases-0-text": "Hovedbiblioteket",
        },
    )
    assert response.status_code == 302
    again = import_events_dplcms(organisation=herning.organisation, data=data, filename="e.json")
    assert not again.already_imported
    assert EventOccurrence.objects.get().branch == herning.north
    assert held_at_herning(herning) == 1.0


def test_the_command_option_finds_the_library_by_another_name(herning):
    from bibliotal.events.importing import _options

    BranchAlias.objects.create(branch=herning.north, text="Hovedbiblioteket")
    assert _options(herning.organisation, {"branch": "hovedbiblioteket"})["branch"] == herning.north
    with pytest.raises(ValueError, match="No library is called 'Musikhuset'"):
        _options(herning.organisation, {"branch": "Musikhuset"})
