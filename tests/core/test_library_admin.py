"""Administrators run the libraries from Bibliotal's own pages: libraries with their other names,
service points, opening hours and closures; everyone else reads them. Every change is audited,
and a closure entered on the page reaches the goals and the daily visits at once."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bibliotal.core.models import (
    AuditEntry,
    Branch,
    BranchAlias,
    Closure,
    OpeningHours,
    OpeningSchedule,
    ServicePoint,
)
from bibliotal.core.opening import opening_day
from tests.conftest import make_branch, weekly_schedule


@pytest.fixture
def admin(client, world):
    """The administrator, reading English (the messages are asserted in English)."""
    client.force_login(world.administrator)
    client.cookies["django_language"] = "en"
    return client


def library_data(**changes):
    data = {
        "name": "Vest Bibliotek",
        "street": "Vestergade 3",
        "postcode": "7400",
        "city": "Vestby",
        "area_type": "city",
        "isil": "dk-700003",
        "active_from": "",
        "active_to": "",
        "aliases-TOTAL_FORMS": "2",
        "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0",
        "aliases-MAX_NUM_FORMS": "1000",
        "aliases-0-text": "",
        "aliases-1-text": "",
    }
    data.update(changes)
    return data


def errors(response) -> str:
    return response.content.decode()


# -- who may -------------------------------------------------------------------------------------


def admin_urls(world):
    schedule = weekly_schedule(world.north)
    closure = Closure.objects.create(
        organisation=world.organisation,
        start_date=date(2021, 3, 1),
        end_date=date(2021, 3, 1),
        reason="Personaledag",
    )
    point = ServicePoint.objects.get(branch=world.north)
    pk = world.north.pk
    return [
        reverse("core:branch_create"),
        reverse("core:branch_edit", args=[pk]),
        reverse("core:branch_delete", args=[pk]),
        reverse("core:service_point_list", args=[pk]),
        reverse("core:service_point_edit", args=[pk, point.pk]),
        reverse("core:schedule_create", args=[pk]),
        reverse("core:schedule_edit", args=[pk, schedule.pk]),
        reverse("core:schedule_delete", args=[pk, schedule.pk]),
        reverse("core:closure_create"),
        reverse("core:closure_edit", args=[closure.pk]),
        reverse("core:closure_delete", args=[closure.pk]),
    ]


@pytest.mark.parametrize("who", ["staff", "coordinator", "manager", "outsider"])
def test_only_administrators_change_libraries_hours_and_closures(client, world, who):
    urls = admin_urls(world)
    client.force_login(getattr(world, who))
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "X"}).status_code == 403, url
    assert Branch.objects.filter(organisation=world.organisation).count() == 2
    assert Closure.objects.count() == 1


def test_the_anonymous_visitor_is_sent_to_log_in(client, world):
    for url in admin_urls(world):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("core:login"))


def test_another_organisations_administrator_finds_nothing(client, world):
    urls = admin_urls(world)
    from tests.conftest import make_user

    client.force_login(
        make_user("other-admin", role="administrator", organisation=world.other_organisation)
    )
    for url in urls[1:]:
        if "closures/new" in url or "libraries/new" in url:
            continue
        assert client.get(url).status_code == 404, url


def test_everyone_reads_the_pages_and_only_administrators_see_the_buttons(client, world):
    weekly_schedule(world.north)
    pages = [
        reverse("core:branch_list"),
        reverse("core:branch_detail", args=[world.north.pk]),
        reverse("core:closure_list"),
    ]
    client.cookies["django_language"] = "en"
    client.force_login(world.staff)
    for url in pages:
        page = client.get(url).content.decode()
        assert "Add a library" not in page and "Add a closure" not in page
        assert reverse("core:branch_edit", args=[world.north.pk]) not in page
    client.force_login(world.administrator)
    assert "Add a library" in client.get(pages[0]).content.decode()
    detail = client.get(pages[1]).content.decode()
    assert reverse("core:branch_edit", args=[world.north.pk]) in detail
    assert reverse("core:schedule_create", args=[world.north.pk]) + "?copy=" in detail
    assert reverse("core:service_point_list", args=[world.north.pk]) in detail
    assert "Add a closure" in client.get(pages[2]).content.decode()


# -- libraries -----------------------------------------------------------------------------------


def test_an_administrator_adds_a_library_with_other_names_and_it_is_audited(admin, world):
    mark = AuditEntry.objects.count() and AuditEntry.objects.latest("pk").pk
    response = admin.post(
        reverse("core:branch_create"),
        library_data(
            **{"aliases-0-text": "Vestbiblioteket", "aliases-1-text": "Vestergade 3, Vestby"}
        ),
    )
    branch = Branch.objects.get(organisation=world.organisation, name="Vest Bibliotek")
    assert response.status_code == 302 and response.url == reverse(
        "core:branch_detail", args=[branch.pk]
    )
    assert branch.isil == "DK-700003" and branch.address == "Vestergade 3, 7400 Vestby"
    assert sorted(branch.aliases.values_list("text", flat=True)) == [
        "Vestbiblioteket",
        "Vestergade 3, Vestby",
    ]
    entries = AuditEntry.objects.filter(pk__gt=mark, organisation=world.organisation)
    assert set(entries.values_list("action", flat=True)) == {"create"}
    assert set(entries.values_list("model", flat=True)) >= {"core.Branch", "core.BranchAlias"}
    assert {e.actor for e in entries} == {world.administrator}
    detail = admin.get(reverse("core:branch_detail", args=[branch.pk])).content.decode()
    assert "Vestbiblioteket; Vestergade 3, Vestby" in detail


def test_other_names_are_added_and_removed_on_the_edit_page(admin, world):
    keep = BranchAlias.objects.create(branch=world.north, text="Hovedbiblioteket")
    gone = BranchAlias.objects.create(branch=world.north, text="Nordgade 1")
    page = admin.get(reverse("core:branch_edit", args=[world.north.pk])).content.decode()
    assert 'value="Hovedbiblioteket"' in page and "Remove" in page
    data = library_data(
        name="Nord Bibliotek",
        isil="",
        **{
            "aliases-TOTAL_FORMS": "4",
            "aliases-INITIAL_FORMS": "2",
            "aliases-0-id": str(gone.pk),
            "aliases-0-text": "Nordgade 1",
            "aliases-0-DELETE": "on",
            "aliases-1-id": str(keep.pk),
            "aliases-1-text": "Hovedbiblioteket",
            "aliases-2-text": "  Nordby   Bibliotekshus ",
            "aliases-3-text": "",
        },
    )
    assert admin.post(reverse("core:branch_edit", args=[world.north.pk]), data).status_code == 302
    assert sorted(world.north.aliases.values_list("text", flat=True)) == [
        "Hovedbiblioteket",
        "Nordby Bibliotekshus",
    ]
    deleted = AuditEntry.objects.get(model="core.BranchAlias", action="delete")
    assert deleted.object_repr == "Nordgade 1" and deleted.actor == world.administrator
    assert deleted.organisation == world.organisation


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "syd bibliotek"}, "Another library already has this name."),
        ({"postcode": "74000"}, "A Danish postcode is four digits, e.g. 7400."),
        ({"isil": "765700"}, "An ISIL code is a country code, a hyphen"),
        (
            {"active_from": "2021-05-01", "active_to": "2021-04-30"},
            "The end cannot come before the start.",
        ),
        (
            {"aliases-0-text": "Syd Bibliotek"},
            "Syd Bibliotek already goes by this name or address.",
        ),
        (
            {"aliases-0-text": "Sydgade 2, Sydby"},
            "Syd Bibliotek already goes by this name or address.",
        ),
        (
            {"aliases-0-text": "Vestbib", "aliases-1-text": "vestbib"},
            "This name is in the list twice.",
        ),
        ({"aliases-0-text": "VEST bibliotek"}, "This is the library&#x27;s own name."),
    ],
)
def test_a_library_form_refuses_what_would_confuse_with_a_clear_message(
    admin, world, changes, message
):
    Branch.objects.filter(pk=world.south.pk).update(street="Sydgade 2")
    response = admin.post(reverse("core:branch_create"), library_data(**changes))
    assert response.status_code == 400
    assert message in errors(response)
    assert 'class="error-summary"' in errors(response)
    assert not Branch.objects.filter(name="Vest Bibliotek").exists()


def test_the_messages_are_danish_by_default(client, world):
    client.force_login(world.administrator)
    response = client.post(reverse("core:branch_create"), library_data(name="Syd Bibliotek"))
    assert response.status_code == 400
    assert "Ret venligst følgende" in response.content.decode()  # the summary's heading


def test_a_library_nothing_refers_to_is_deleted_with_its_own_settings(admin, world):
    branch = make_branch(world.organisation, "Pop-up Bibliotek")
    BranchAlias.objects.create(branch=branch, text="Pop-up")
    ServicePoint.objects.create(branch=branch, name="Disken")
    weekly_schedule(branch)
    url = reverse("core:branch_delete", args=[branch.pk])
    assert "This cannot be undone." in admin.get(url).content.decode()
    assert admin.post(url).status_code == 302
    assert not Branch.objects.filter(pk=branch.pk).exists()
    assert not OpeningSchedule.objects.filter(branch_id=branch.pk).exists()
    assert AuditEntry.objects.filter(
        model="core.Branch", action="delete", object_id=str(branch.pk)
    ).exists()
    assert AuditEntry.objects.filter(model="core.BranchAlias", action="delete").exists()


def test_a_library_with_figures_is_never_deleted_and_the_page_says_what_refers_to_it(admin, world):
    from bibliotal.events.models import EventOccurrence
    from bibliotal.goals.models import BudgetYear, FocusArea, Target

    EventOccurrence.objects.create(
        organisation=world.organisation,
        title="Bogcafé",
        branch=world.north,
        starts_at=timezone.now(),
    )
    Closure.objects.create(
        organisation=world.organisation,
        start_date=date(2021, 1, 4),
        end_date=date(2021, 1, 4),
        reason="Vandskade",
    ).branches.set([world.north])
    area = FocusArea.objects.create(
        budget_year=BudgetYear.objects.create(organisation=world.organisation, year=2021),
        title="Kultur",
    )
    Target.objects.create(
        focus_area=area, indicator="events_held", kind="at_least", scope="branches"
    ).branches.set([world.north])
    url = reverse("core:branch_delete", args=[world.north.pk])
    page = admin.get(url).content.decode()
    assert "Nord Bibliotek cannot be deleted" in page
    for line in ("Events: 1", "Closures: 1", "Targets: 1", "Memberships: 1"):
        assert f"<li>{line}</li>" in page, line
    assert "give it a last day (active to)" in page
    assert "<button" not in page.split("<main")[1].split("</main>")[0]
    response = admin.post(url)
    assert response.status_code == 409
    assert Branch.objects.filter(pk=world.north.pk).exists()
    assert Closure.objects.filter(reason="Vandskade").exists()


def test_a_library_taken_out_of_use_keeps_its_figures_and_counts_as_closed(admin, world):
    weekly_schedule(world.south)
    response = admin.post(
        reverse("core:branch_edit", args=[world.south.pk]),
        library_data(
            name="Syd Bibliotek", isil="", street="", city="Sydby", active_to="2021-06-30"
        ),
    )
    assert response.status_code == 302
    world.south.refresh_from_db()
    assert world.south.active_to == date(2021, 6, 30)
    assert opening_day(branch=world.south, day=date(2021, 6, 30)).is_open
    assert not opening_day(branch=world.south, day=date(2021, 7, 1)).is_open
    listing = admin.get(reverse("core:branch_list")).content.decode()
    assert "closed down 30 June 2021" in listing


# -- service points ------------------------------------------------------------------------------


def test_service_points_are_added_renamed_and_deactivated_not_deleted(admin, world):
    url = reverse("core:service_point_list", args=[world.north.pk])
    assert (
        admin.post(
            url, {"action": "add", "name": "IT-caféen", "kind": "it_cafe", "active": "on"}
        ).status_code
        == 302
    )
    cafe = ServicePoint.objects.get(branch=world.north, name="IT-caféen")
    assert cafe.kind == "it_cafe" and cafe.active
    refused = admin.post(url, {"action": "add", "name": "skranken", "kind": "desk", "active": "on"})
    assert refused.status_code == 400
    assert "The library already has a service point of this name." in refused.content.decode()
    edit = reverse("core:service_point_edit", args=[world.north.pk, cafe.pk])
    assert (
        admin.post(edit, {"name": "Digital hjælp", "kind": "desk", "active": "on"}).status_code
        == 302
    )
    cafe.refresh_from_db()
    assert (cafe.name, cafe.kind) == ("Digital hjælp", "desk")
    assert admin.post(url, {"action": "deactivate", "point": cafe.pk}).status_code == 302
    cafe.refresh_from_db()
    assert not cafe.active
    page = admin.get(url).content.decode()
    assert "Deactivated" in page and "Reactivate" in page
    admin.post(url, {"action": "reactivate", "point": cafe.pk})
    cafe.refresh_from_db()
    assert cafe.active
    changes = AuditEntry.objects.filter(model="core.ServicePoint", object_id=str(cafe.pk))
    assert [e.action for e in changes.order_by("pk")] == ["create", "update", "update", "update"]


def test_a_service_point_of_another_library_cannot_be_reached_through_this_one(admin, world):
    point = ServicePoint.objects.create(branch=world.south, name="Skranken")
    edit = reverse("core:service_point_edit", args=[world.north.pk, point.pk])
    assert admin.get(edit).status_code == 404
    url = reverse("core:service_point_list", args=[world.north.pk])
    assert admin.post(url, {"action": "deactivate", "point": point.pk}).status_code == 404


# -- opening hours -------------------------------------------------------------------------------


def week(**cells) -> dict:
    """The schedule form's data: name, validity and ``day0_staffed="10-18"``-style cells."""
    data = {"name": "Normal", "valid_from": "2021-01-01", "valid_to": ""}
    for weekday in range(7):
        data[f"day{weekday}_staffed"] = ""
        data[f"day{weekday}_self_service"] = ""
    data.update(cells)
    return data


def hours_of(schedule):
    return sorted(
        (h.weekday, h.kind, h.opens.strftime("%H:%M"), h.closes.strftime("%H:%M"))
        for h in schedule.hours.all()
    )


def test_a_week_of_hours_is_entered_in_one_form(admin, world):
    url = reverse("core:schedule_create", args=[world.north.pk])
    page = admin.get(url).content.decode()
    assert 'id="id_day0_staffed"' in page and "Monday, staffed" in page
    response = admin.post(
        url,
        week(
            day0_staffed="10-12, 14.00–18.00",
            day0_self_service="kl. 8 - 22",
            day5_staffed="10:00-14:00",
        ),
    )
    assert response.status_code == 302
    schedule = OpeningSchedule.objects.get(branch=world.north)
    assert hours_of(schedule) == [
        (0, "self_service", "08:00", "22:00"),
        (0, "staffed", "10:00", "12:00"),
        (0, "staffed", "14:00", "18:00"),
        (5, "staffed", "10:00", "14:00"),
    ]
    monday = opening_day(branch=world.north, day=date(2021, 3, 1))
    assert (monday.staffed_hours, monday.self_service_hours) == (6.0, 8.0)
    assert not opening_day(branch=world.north, day=date(2021, 3, 2)).is_open  # Tuesday
    assert AuditEntry.objects.filter(model="core.OpeningHours", action="create").count() == 4
    assert (
        "10.00–12.00, 14.00–18.00"
        in admin.get(
            reverse("core:schedule_edit", args=[world.north.pk, schedule.pk])
        ).content.decode()
    )


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (
            {"day0_staffed": "18-10"},
            "Monday, staffed: 18.00–10.00: the library must close after it opens.",
        ),
        (
            {"day1_staffed": "10-14, 13-18"},
            "10.00–14.00 and 13.00–18.00 overlap: write them as one period.",
        ),
        ({"day2_self_service": "10 til"}, "Write each period as opens–closes, e.g. 10.00–18.00"),
        ({"day3_staffed": "25-26"}, "25 is not a time of day; write e.g. 10.00 or 9.30."),
        ({"day4_self_service": "7-24"}, "Write 23.59 for the end of the day, not 24.00."),
        (
            {"valid_from": "2021-06-01", "valid_to": "2021-05-31"},
            "The end cannot come before the start.",
        ),
        ({"valid_from": ""}, "This field is required."),
    ],
)
def test_the_week_refuses_impossible_hours_naming_the_day(admin, world, cells, message):
    response = admin.post(reverse("core:schedule_create", args=[world.north.pk]), week(**cells))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not OpeningSchedule.objects.filter(branch=world.north).exists()


def test_a_self_service_period_may_cover_the_staffed_hours(admin, world):
    url = reverse("core:schedule_create", args=[world.north.pk])
    assert admin.post(url, week(day0_staffed="10-18", day0_self_service="7-22")).status_code == 302


def test_two_schedules_of_a_library_cannot_start_on_one_day(admin, world):
    weekly_schedule(world.north, valid_from=date(2021, 1, 1), name="Normal")
    response = admin.post(reverse("core:schedule_create", args=[world.north.pk]), week(name="Ny"))
    assert response.status_code == 400
    assert (
        "The schedule Normal of this library already starts on this day"
        in response.content.decode()
    )
    # Another library may start the same day.
    assert (
        admin.post(reverse("core:schedule_create", args=[world.south.pk]), week()).status_code
        == 302
    )


def test_summer_hours_start_as_a_copy_and_override_the_normal_ones(admin, world):
    normal = weekly_schedule(
        world.north, staffed=(time(10), time(18)), self_service=(time(7), time(22))
    )
    url = reverse("core:schedule_create", args=[world.north.pk]) + f"?copy={normal.pk}"
    page = admin.get(url).content.decode()
    assert 'value="Copy of Normal"' in page and 'value="10.00–18.00"' in page
    assert "Normal itself is not changed." in page
    data = week(name="Sommer 2021", valid_from="2021-07-01", valid_to="2021-08-08")
    for weekday in range(7):
        data[f"day{weekday}_staffed"] = "10-15" if weekday < 5 else ""
        data[f"day{weekday}_self_service"] = "7.00–22.00"
    assert admin.post(url, data).status_code == 302
    summer = OpeningSchedule.objects.get(branch=world.north, name="Sommer 2021")
    assert len(hours_of(summer)) == 12 and len(hours_of(normal)) == 14
    assert opening_day(branch=world.north, day=date(2021, 7, 5)).staffed_hours == 5.0
    assert opening_day(branch=world.north, day=date(2021, 8, 9)).staffed_hours == 8.0


def test_editing_a_schedule_changes_only_the_periods_that_changed(admin, world):
    schedule = weekly_schedule(world.north, staffed=(time(10), time(18)))
    kept = schedule.hours.get(weekday=1)
    data = week(name="Normal", valid_from="2019-01-01")
    for weekday in range(7):
        data[f"day{weekday}_staffed"] = "10-18"
    data["day0_staffed"] = "12-18"
    before = AuditEntry.objects.count()
    url = reverse("core:schedule_edit", args=[world.north.pk, schedule.pk])
    assert admin.post(url, data).status_code == 302
    assert schedule.hours.filter(pk=kept.pk).exists()
    assert schedule.hours.get(weekday=0).opens == time(12)
    new = AuditEntry.objects.filter(pk__gt=0).count() - before
    assert new == 2  # the old Monday deleted, the new one created


def test_a_schedule_is_deleted_after_asking(admin, world):
    schedule = weekly_schedule(world.north)
    url = reverse("core:schedule_delete", args=[world.north.pk, schedule.pk])
    assert "a day without opening hours counts as closed" in admin.get(url).content.decode()
    assert admin.post(url).status_code == 302
    assert not OpeningSchedule.objects.filter(pk=schedule.pk).exists()
    assert not OpeningHours.objects.filter(schedule_id=schedule.pk).exists()


def test_a_copy_of_another_organisations_schedule_is_not_found(admin, world):
    foreign = weekly_schedule(world.other_branch)
    url = reverse("core:schedule_create", args=[world.north.pk]) + f"?copy={foreign.pk}"
    assert admin.get(url).status_code == 404


# -- closures ------------------------------------------------------------------------------------


def closure_data(**changes):
    data = {
        "reason": "COVID-19",
        "start_date": "2021-03-02",
        "end_date": "",
        "start_time": "",
        "end_time": "",
        "scope": "all",
        "which": "all",
    }
    data.update(changes)
    return data


def test_a_closure_of_every_library_for_one_day(admin, world):
    response = admin.post(reverse("core:closure_create"), closure_data())
    closure = Closure.objects.get(reason="COVID-19")
    assert (
        response.status_code == 302 and response.url == reverse("core:closure_list") + "?year=2021"
    )
    assert (closure.start_date, closure.end_date, closure.whole_day) == (
        date(2021, 3, 2),
        date(2021, 3, 2),
        True,
    )
    assert not closure.branches.exists()
    listing = admin.get(response.url).content.decode()
    assert "COVID-19" in listing and reverse("core:closure_edit", args=[closure.pk]) in listing
    entry = AuditEntry.objects.get(model="core.Closure", action="create")
    assert entry.actor == world.administrator and entry.organisation == world.organisation


def test_a_part_day_self_service_closure_of_chosen_libraries(admin, world):
    weekly_schedule(world.north, staffed=(time(10), time(16)), self_service=(time(7), time(22)))
    data = closure_data(
        reason="Strejke",
        start_date="2021-03-01",
        end_date="2021-03-02",
        start_time="18:00",
        scope="self_service",
        which="chosen",
        branches=[world.north.pk],
    )
    assert admin.post(reverse("core:closure_create"), data).status_code == 302
    closure = Closure.objects.get(reason="Strejke")
    assert list(closure.branches.all()) == [world.north]
    day = opening_day(branch=world.north, day=date(2021, 3, 2))
    assert day.self_service_periods == ((420, 600), (960, 1080))  # 7–10 and 16–18


def test_a_closure_added_from_a_librarys_page_starts_with_that_library(admin, world):
    detail = admin.get(reverse("core:branch_detail", args=[world.south.pk])).content.decode()
    url = reverse("core:closure_create") + f"?branch={world.south.pk}"
    assert url in detail
    form = admin.get(url).context["form"]
    assert form["which"].value() == "chosen" and form["branches"].value() == [world.south.pk]
    other = reverse("core:closure_create") + f"?branch={world.other_branch.pk}"
    assert admin.get(other).status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"which": "chosen"}, "Choose at least one library, or choose all libraries above."),
        ({"end_date": "2021-03-01"}, "The last day cannot come before the first day."),
        ({"start_time": "12:00", "end_time": "11:00"}, "The closure must end after it starts."),
        ({"reason": ""}, "This field is required."),
        ({"start_date": "1850-01-01"}, "A date must lie between"),
    ],
)
def test_a_closure_form_refuses_what_cannot_be(admin, world, changes, message):
    response = admin.post(reverse("core:closure_create"), closure_data(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Closure.objects.exists()


def test_a_closure_is_edited_and_deleted(admin, world):
    closure = Closure.objects.create(
        organisation=world.organisation,
        start_date=date(2021, 3, 2),
        end_date=date(2021, 3, 2),
        reason="Kursus",
    )
    url = reverse("core:closure_edit", args=[closure.pk])
    assert admin.get(url).context["form"]["which"].value() == "all"
    data = closure_data(
        reason="Kursus", which="chosen", branches=[world.south.pk], end_date="2021-03-03"
    )
    assert admin.post(url, data).status_code == 302
    closure.refresh_from_db()
    assert list(closure.branches.all()) == [world.south] and closure.end_date == date(2021, 3, 3)
    linked = AuditEntry.objects.filter(model="core.Closure", action="update").order_by("pk")
    assert any(e.changes.get("branches") == {"added": ["Syd Bibliotek"]} for e in linked)
    assert admin.post(reverse("core:closure_delete", args=[closure.pk])).status_code == 302
    assert not Closure.objects.exists()
    assert AuditEntry.objects.filter(model="core.Closure", action="delete").exists()


# -- what depends on the open days follows at once -----------------------------------------------


@pytest.fixture
def counted_march(world):
    """North open every day 10–18, a sensor counting 100 visits on 1, 2 and 3 March 2021, and a
    2021 visits target for North."""
    from bibliotal.goals.models import BudgetYear, FocusArea, Target
    from bibliotal.visits.cleaning import derive_days
    from bibliotal.visits.models import CounterReading, Sensor

    world.organisation.closed_on_public_holidays = False
    world.organisation.save()
    weekly_schedule(world.north, staffed=(time(10), time(18)))
    sensor = Sensor.objects.create(organisation=world.organisation, branch=world.north, name="N-1")
    for day in (1, 2, 3):
        starts = timezone.make_aware(datetime(2021, 3, day, 11))
        CounterReading.objects.create(
            sensor=sensor,
            starts_at=starts,
            ends_at=starts + (timezone.timedelta(hours=1)),
            count_in=100,
            count_out=100,
        )
    derive_days(sensor=sensor)
    area = FocusArea.objects.create(
        budget_year=BudgetYear.objects.create(organisation=world.organisation, year=2021),
        title="Mødested",
    )
    target = Target.objects.create(
        focus_area=area,
        indicator="visits",
        kind="at_least",
        threshold=Decimal("1000"),
        scope="branches",
    )
    target.branches.set([world.north])
    return sensor


def panel_actual(world):
    from bibliotal.goals.dashboard import targets_panel

    [row] = targets_panel(None, world.organisation, date(2022, 1, 10))["rows"]
    return row["actual"]


def test_a_closure_entered_on_the_page_reaches_the_daily_visits_and_the_goals(
    admin, world, counted_march
):
    from bibliotal.goals.reporting import status_rows
    from bibliotal.visits.models import DailyVisits

    assert panel_actual(world) == 300.0  # worked out, and kept under the data stamp
    [row] = status_rows(organisation=world.organisation, year=2021, at=date(2021, 12, 31))
    open_days = row["actual_open_days"]
    response = admin.post(
        reverse("core:closure_create"),
        closure_data(reason="COVID-19", which="chosen", branches=[world.north.pk]),
    )
    assert response.status_code == 302
    closed = DailyVisits.objects.get(sensor=counted_march, day=date(2021, 3, 2))
    assert closed.visits == 0 and closed.original_visits == 100 and "closed" in closed.flags
    assert closed.note == "COVID-19"
    assert panel_actual(world) == 200.0  # the start page's figure, not the cached 300
    [row] = status_rows(organisation=world.organisation, year=2021, at=date(2021, 12, 31))
    assert row["actual"] == 200.0 and row["actual_open_days"] == open_days - 1
    closure = Closure.objects.get(reason="COVID-19")
    admin.post(reverse("core:closure_delete", args=[closure.pk]))
    reopened = DailyVisits.objects.get(sensor=counted_march, day=date(2021, 3, 2))
    assert reopened.visits == 100 and not reopened.flags
    assert panel_actual(world) == 300.0


def test_opening_hours_entered_later_make_a_counted_day_closed(admin, world, counted_march):
    """Summer hours closed on Tuesdays, entered after the counts: the Tuesday's count is set
    aside; deleting them brings it back."""
    from bibliotal.visits.models import DailyVisits

    data = week(name="Tirsdagslukket", valid_from="2021-03-01", valid_to="2021-03-07")
    for weekday in range(7):
        data[f"day{weekday}_staffed"] = "" if weekday == 1 else "10-18"
    assert (
        admin.post(reverse("core:schedule_create", args=[world.north.pk]), data).status_code == 302
    )
    assert DailyVisits.objects.get(day=date(2021, 3, 2)).visits == 0
    schedule = OpeningSchedule.objects.get(name="Tirsdagslukket")
    admin.post(reverse("core:schedule_delete", args=[world.north.pk, schedule.pk]))
    assert DailyVisits.objects.get(day=date(2021, 3, 2)).visits == 100
    assert panel_actual(world) == 300.0
