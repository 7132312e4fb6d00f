"""Events: the programme in from iCalendar and CSV, attendance, and what counts."""

import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from bibliotal.core.imports import ImportRejected
from bibliotal.core.models import Branch
from bibliotal.events.indicators import dst_events
from bibliotal.events.models import CategoryMapping, EventOccurrence, EventType
from bibliotal.events.services import enter_attendance, import_events_csv, import_events_ical
from bibliotal.goals.models import BudgetYear, FocusArea, Target
from bibliotal.goals.reporting import status_rows

DATA = Path(__file__).resolve().parents[1] / "data" / "events"
ICS = (DATA / "herning-programme.ics").read_bytes()
CPH = ZoneInfo("Europe/Copenhagen")


@pytest.fixture
def herning(world):
    Branch.objects.filter(pk=world.north.pk).update(name="Herning Bibliotek")
    Branch.objects.filter(pk=world.south.pk).update(name="Aulum Bibliotek")
    world.north.refresh_from_db()
    world.south.refresh_from_db()
    return world


def load(world, data=ICS, **options):
    return import_events_ical(
        organisation=world.organisation,
        data=data,
        filename="p.ics",
        default_branch=world.north,
        window_start=date(2021, 1, 1),
        window_end=date(2021, 12, 31),
        **options,
    )


def reading_club():
    return [
        (timezone.localtime(o.starts_at).strftime("%d.%m %H:%M"), o.status)
        for o in EventOccurrence.objects.filter(
            external_uid="laeseklub-2021@herning.example"
        ).order_by("starts_at")
    ]


def test_a_series_with_an_exception_a_moved_and_an_extra_date(herning):
    result = load(herning)
    assert (result.created, result.cancelled) == (9, 1)
    # Every second Tuesday from 7 September, six times; 19 October is an exception (EXDATE),
    # 5 October moved to Thursday 7 October (RECURRENCE-ID), 30 November added (RDATE).
    assert reading_club() == [
        ("07.09 19:00", "planned"),
        ("21.09 19:00", "planned"),
        ("07.10 19:00", "planned"),
        ("02.11 19:00", "planned"),
        ("16.11 19:00", "planned"),
        ("30.11 19:00", "planned"),
    ]
    moved = EventOccurrence.objects.get(
        external_uid="laeseklub-2021@herning.example", title__contains="flyttet"
    )
    assert moved.external_recurrence == "20211005T170000Z"  # keyed by the original date
    assert moved.series is not None and moved.series.occurrences.count() == 6
    assert moved.event_type.name == "Læseklub" and moved.audience == "adults"


def test_a_cancelled_event_is_kept_and_never_counted(herning):
    load(herning)
    author = EventOccurrence.objects.get(external_uid="forfatter-2021-11@herning.example")
    assert author.status == "cancelled" and author.branch == herning.south
    assert not EventOccurrence.objects.counted().filter(pk=author.pk).exists()


def test_importing_twice_duplicates_nothing_and_keeps_attendance(herning):
    load(herning)
    club = EventOccurrence.objects.filter(external_uid="laeseklub-2021@herning.example").first()
    enter_attendance(occurrence=club, user=herning.coordinator, total=14)
    again = load(herning)
    assert again.already_imported and EventOccurrence.objects.count() == 9
    changed = ICS.replace(b"Vi taler om m\xc3\xa5nedens bog.", b"Ny beskrivelse.")
    result = load(herning, data=changed)
    assert (result.created, result.updated) == (0, 5)  # the master's five occurrences
    assert EventOccurrence.objects.count() == 9
    club.refresh_from_db()
    assert (club.attendance_total, club.status, club.description) == (14, "held", "Ny beskrivelse.")


def test_an_occurrence_gone_from_the_calendar_is_marked_not_deleted(herning):
    load(herning)
    without_extra = ICS.replace(b"RDATE;TZID=Europe/Copenhagen:20211130T190000\r\n", b"").replace(
        b"RDATE;TZID=Europe/Copenhagen:20211130T190000\n", b""
    )
    result = load(herning, data=without_extra)
    assert result.missing == 1
    gone = EventOccurrence.objects.get(
        external_uid="laeseklub-2021@herning.example", starts_at__date=date(2021, 11, 30)
    )
    assert gone.missing_from_source and gone.status == "cancelled"


def test_categories_map_to_types_and_outside_hirers(herning):
    result = load(herning)
    assert result.unmapped_categories == ["Lokaleudlejning"]
    mapping = CategoryMapping.objects.get(category="Lokaleudlejning")
    assert mapping.event_type is None
    mapping.outside_hirer = True
    mapping.event_type = EventType.objects.get(organisation=herning.organisation, name="Andet")
    mapping.save()
    load(herning, data=ICS + b"\n")  # another file: the mapping applies
    hired = EventOccurrence.objects.get(external_uid="udlejning-2021@herning.example")
    assert hired.organiser == "outside_hirer" and not hired.counted


def test_the_big_childrens_day_is_all_day_at_an_outside_place(herning):
    load(herning)
    big = EventOccurrence.objects.get(external_uid="boernefolkemoede-2021@herning.example")
    assert big.all_day and big.place == "Messecenter Herning"
    assert big.audience == "families"


def test_a_broken_calendar_names_the_event_and_changes_nothing(herning):
    broken = ICS.replace(b"SUMMARY:B\xc3\xb8rnefolkem\xc3\xb8de\n", b"")
    with pytest.raises(ImportRejected) as error:
        load(herning, data=broken)
    assert str(error.value.errors[0]) == (
        "p.ics, linje 50, kolonne SUMMARY: Arrangementet har ingen titel. "
        "(værdi: 'boernefolkemoede-2021@herning.example')"
    )
    assert EventOccurrence.objects.count() == 0


def test_csv_imports_with_danish_dates_and_numbers_twice_without_duplicates(herning):
    Branch.objects.filter(pk=herning.north.pk).update(name="Nord Bibliotek")
    Branch.objects.filter(pk=herning.south.pk).update(name="Syd Bibliotek")
    data = (DATA / "programme.csv").read_bytes()
    result = import_events_csv(organisation=herning.organisation, data=data, filename="p.csv")
    assert result.created == 2
    theatre = EventOccurrence.objects.get(title="Børneteater")
    assert (theatre.capacity, theatre.organiser, theatre.audience) == (
        1200,
        "co_organised",
        "families",
    )
    assert timezone.localtime(theatre.starts_at) == datetime(2021, 9, 11, 11, 0, tzinfo=CPH)
    import_events_csv(organisation=herning.organisation, data=data + b"\n", filename="p2.csv")
    assert EventOccurrence.objects.count() == 2
    corrected = data.replace("Børneteater".encode(), "Børneteater: Lille Prins".encode())
    import_events_csv(organisation=herning.organisation, data=corrected, filename="p3.csv")
    assert EventOccurrence.objects.count() == 2  # a corrected title updates, no twin
    assert EventOccurrence.objects.filter(title="Børneteater: Lille Prins").exists()


def test_a_bad_csv_names_every_row_and_saves_nothing(world):
    with pytest.raises(ImportRejected) as error:
        import_events_csv(
            organisation=world.organisation,
            data=(DATA / "programme-broken.csv").read_bytes(),
            filename="p.csv",
        )
    assert [str(e) for e in error.value.errors] == [
        "p.csv, linje 2, kolonne dato: Skriv datoen som dd-mm-åååå. (værdi: '31-02-2021')",
        "p.csv, linje 3, kolonne titel: Titlen mangler. (værdi: '')",
        "p.csv, linje 4, kolonne bibliotek: Intet bibliotek har dette navn. "
        "(værdi: 'Øst Bibliotek')",
        "p.csv, linje 5, kolonne målgruppe: Brug børn, unge, voksne, familier eller alle. "
        "(værdi: 'pensionister')",
    ]
    assert EventOccurrence.objects.count() == 0


def past_event(world, branch=None, **fields):
    start = timezone.now() - timedelta(days=2)
    return EventOccurrence.objects.create(
        organisation=world.organisation,
        title="Bogcafé",
        starts_at=start,
        branch=branch or world.north,
        **fields,
    )


def test_participants_reach_the_goal_but_cancelled_and_hired_do_not(world):
    counted = past_event(world)
    enter_attendance(occurrence=counted, user=world.staff, total=40, children=5)
    hired = past_event(world, organiser="outside_hirer", attendance_total=100)
    cancelled = past_event(world, status="cancelled", attendance_total=70)
    area = FocusArea.objects.create(
        budget_year=BudgetYear.objects.create(
            organisation=world.organisation, year=counted.day.year
        ),
        title="Kultur",
    )
    Target.objects.create(
        focus_area=area, indicator="event_participants", kind="at_least", threshold=Decimal("30000")
    )
    Target.objects.create(
        focus_area=area, indicator="events_held", kind="at_least", threshold=Decimal("500")
    )
    rows = {
        r["indicator"]: r
        for r in status_rows(organisation=world.organisation, year=counted.day.year)
    }
    assert rows["event_participants"]["actual"] == 40.0
    assert rows["events_held"]["actual"] == 1.0
    assert (
        dst_events(organisation=world.organisation, start=date(2000, 1, 1), end=date(2100, 1, 1))[
            "participants"
        ]
        == 40
    )
    assert {hired.pk, cancelled.pk}.isdisjoint(
        EventOccurrence.objects.counted().values_list("pk", flat=True)
    )


def test_staff_enter_attendance_at_their_own_libraries_only(client, world):
    own = past_event(world)
    other = past_event(world, branch=world.south)
    client.force_login(world.staff)
    awaiting = client.get(reverse("events:awaiting")).content.decode()
    assert reverse("events:attendance", args=[own.pk]) in awaiting
    assert reverse("events:attendance", args=[other.pk]) not in awaiting
    response = client.post(
        reverse("events:attendance", args=[own.pk]),
        {"attendance_total": 25, "attendance_children": 30},
    )
    assert "En del kan ikke være flere end deltagerne i alt." in response.content.decode()
    response = client.post(
        reverse("events:attendance", args=[own.pk]),
        {"attendance_total": 25, "attendance_children": 3},
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.attendance_total, own.status, own.attendance_by) == (25, "held", world.staff)
    assert client.get(reverse("events:attendance", args=[other.pk])).status_code == 403
    client.force_login(world.outsider)
    assert client.get(reverse("events:awaiting")).status_code == 403


def test_the_api_takes_attendance_and_refuses_hired_events(client, world):
    own = past_event(world)
    hired = past_event(world, organiser="outside_hirer")
    client.force_login(world.staff)
    url = f"/api/v1/events/occurrences/{own.pk}/attendance"
    response = client.put(url, {"total": 30, "online": 5}, content_type="application/json")
    assert response.status_code == 422  # an on-site event has no online participants
    response = client.put(url, {"total": 30, "children": 4}, content_type="application/json")
    assert response.status_code == 200 and response.json()["attendance_total"] == 30
    assert (
        client.put(
            f"/api/v1/events/occurrences/{hired.pk}/attendance",
            {"total": 3},
            content_type="application/json",
        ).status_code
        == 422
    )


def test_the_public_programme_and_its_calendar(client, world):
    coming = EventOccurrence.objects.create(
        organisation=world.organisation,
        title="Forfatteraften",
        starts_at=timezone.now() + timedelta(days=5),
        branch=world.north,
    )
    EventOccurrence.objects.create(
        organisation=world.organisation,
        title="Haveforening",
        starts_at=timezone.now() + timedelta(days=5),
        branch=world.north,
        organiser="outside_hirer",
    )
    page = client.get(reverse("events:programme_of", args=[world.organisation.pk])).content.decode()
    assert "Forfatteraften" in page and "Haveforening" not in page
    feed = client.get(reverse("events:programme_ics", args=[world.organisation.pk])).content
    assert b"SUMMARY:Forfatteraften" in feed and b"Haveforening" not in feed
    assert coming.counted


def test_the_import_page_previews_then_imports(client, herning):
    from django.core.files.uploadedfile import SimpleUploadedFile

    soon = (timezone.localdate() + timedelta(days=10)).strftime("%Y%m%d")
    calendar = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:test\nBEGIN:VEVENT\nUID:club@test\n"
        f"SUMMARY:Læseklub\nDTSTART:{soon}T170000Z\nRRULE:FREQ=WEEKLY;COUNT=8\n"
        "CATEGORIES:Læseklub\nLOCATION:Herning Bibliotek\nEND:VEVENT\nEND:VCALENDAR\n"
    ).encode()
    client.force_login(herning.coordinator)
    preview = client.post(
        reverse("events:import"),
        {"file": SimpleUploadedFile("program.ics", calendar), "branch": herning.north.pk},
    )
    assert preview.status_code == 200 and EventOccurrence.objects.count() == 0
    assert "8 nye" in preview.content.decode()
    confirm = preview.context["confirm"]
    response = client.post(reverse("events:import"), {"confirm": "1", **confirm})
    assert response.status_code == 302
    assert EventOccurrence.objects.filter(event_type__name="Læseklub").count() == 8
    assert client.get(reverse("events:categories")).status_code == 200


def test_the_demo_draws_thirty_to_forty_thousand_in_a_normal_year(db):
    call_command("demo", "--no-serve")
    counted = EventOccurrence.objects.counted()
    per_year = {
        y: counted.filter(starts_at__year=y).aggregate(n=Sum("attendance_total"))["n"]
        for y in (2019, 2020, 2021)
    }
    assert 30_000 <= per_year[2019] <= 40_000
    assert counted.filter(attendance_total__gte=2000).exists()  # the Børnefolkemøde
    assert not counted.filter(
        starts_at__date__gte=date(2020, 3, 13), starts_at__date__lte=date(2020, 5, 17)
    ).exists()
    count = EventOccurrence.objects.count()
    call_command("demo", "--no-serve")
    assert EventOccurrence.objects.count() == count


def test_a_configured_feed_is_read_from_its_address_only(herning):
    import http.server
    import threading

    from bibliotal.events import feeds
    from bibliotal.events.feeds import FeedError, fetch_feed
    from bibliotal.events.models import EventFeed

    EventFeed.objects.create(
        organisation=herning.organisation, name="Intern", url="https://127.0.0.1/events.ics"
    )
    with pytest.raises(FeedError, match="privat netværk"):
        fetch_feed(organisation=herning.organisation, name="Intern")
    feeds.ALLOW_PRIVATE_HOSTS = True  # the test's own server lives on 127.0.0.1

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.end_headers()
            self.wfile.write(ICS)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        EventFeed.objects.create(
            organisation=herning.organisation,
            name="Hjemmesiden",
            url=f"http://127.0.0.1:{server.server_port}/events.ics",
            default_branch=herning.north,
        )
        result = fetch_feed(organisation=herning.organisation, name="Hjemmesiden")
    finally:
        server.shutdown()
        server.server_close()
    assert result.created + result.unchanged >= 0  # dates outside today's window import none
    feed = EventFeed.objects.get(name="Hjemmesiden")
    assert feed.last_fetched_at is not None and feed.last_error == ""
    EventFeed.objects.create(
        organisation=herning.organisation, name="Nede", url="http://127.0.0.1:9/nothing.ics"
    )
    try:
        with pytest.raises(FeedError, match="kunne ikke læses"):
            fetch_feed(organisation=herning.organisation, name="Nede")
    finally:
        feeds.ALLOW_PRIVATE_HOSTS = False
    assert EventFeed.objects.get(name="Nede").last_error


def test_the_api_creates_an_event_and_explains_mistakes(client, world):
    client.force_login(world.coordinator)
    payload = {
        "title": "Forfatteraften",
        "event_type": "Forfatterarrangement",
        "starts_at": "2021-11-11T19:30:00+01:00",
        "branch_id": world.north.pk,
        "audience": "adults",
    }
    response = client.post("/api/v1/events/occurrences", payload, content_type="application/json")
    assert response.status_code == 201 and response.json()["event_type"] == "Forfatterarrangement"
    bad = client.post(
        "/api/v1/events/occurrences",
        {**payload, "audience": "pets"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "audience" in bad.json()["detail"]
    client.force_login(world.staff)
    assert (
        client.post(
            "/api/v1/events/occurrences", payload, content_type="application/json"
        ).status_code
        == 403
    )


SINGLE = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:test
BEGIN:VEVENT
UID:talk@test
SUMMARY:Foredrag
DTSTART:20210301T180000Z
LOCATION:Herning Bibliotek
END:VEVENT
END:VCALENDAR
"""


def test_a_single_event_that_becomes_a_series_keeps_its_row_and_attendance(herning):
    load(herning, data=SINGLE)
    talk = EventOccurrence.objects.get()
    enter_attendance(occurrence=talk, user=herning.coordinator, total=20)
    series = SINGLE.replace(
        b"DTSTART:20210301T180000Z\n", b"DTSTART:20210301T180000Z\nRRULE:FREQ=WEEKLY;COUNT=3\n"
    )
    load(herning, data=series)
    assert EventOccurrence.objects.count() == 3
    talk.refresh_from_db()
    assert (talk.attendance_total, talk.external_recurrence, talk.missing_from_source) == (
        20,
        "20210301T180000Z",
        False,
    )


def test_an_event_removed_from_the_calendar_is_marked(herning):
    two = SINGLE.replace(
        b"END:VCALENDAR",
        b"BEGIN:VEVENT\nUID:other@test\nSUMMARY:Koncert\n"
        b"DTSTART:20210302T180000Z\nLOCATION:Herning Bibliotek\nEND:VEVENT\n"
        b"END:VCALENDAR",
    )
    load(herning, data=two)
    result = load(herning, data=SINGLE)
    assert result.missing == 1
    gone = EventOccurrence.objects.get(external_uid="other@test")
    assert gone.missing_from_source and gone.status == "cancelled"


def test_a_hand_correction_survives_a_reimport(herning):
    load(herning, data=SINGLE)
    talk = EventOccurrence.objects.get()
    talk.organiser = "outside_hirer"
    talk.save()
    load(herning, data=SINGLE.replace(b"SUMMARY:Foredrag", b"SUMMARY:Foredrag om bier"))
    talk.refresh_from_db()
    assert (talk.title, talk.organiser) == ("Foredrag om bier", "outside_hirer")


def test_the_source_cannot_cancel_an_event_people_came_to(herning, client):
    load(herning, data=SINGLE)
    talk = EventOccurrence.objects.get()
    enter_attendance(occurrence=talk, user=herning.coordinator, total=33)
    result = load(herning, data=SINGLE.replace(b"END:VEVENT", b"STATUS:CANCELLED\nEND:VEVENT"))
    talk.refresh_from_db()
    assert (talk.status, talk.attendance_total, result.conflicts) == ("held", 33, 1)
    # The conflict stays in sight after the import that found it.
    assert talk.cancelled_in_source
    client.force_login(herning.coordinator)
    month = talk.starts_at.strftime("%Y-%m")
    page = client.get(reverse("events:occurrence_list"), {"month": month}).content.decode()
    assert "aflyst i kalenderen, selv om der kom deltagere" in page


def test_two_events_with_one_uid_are_refused_with_their_lines(herning):
    twice = SINGLE.replace(
        b"END:VCALENDAR",
        b"BEGIN:VEVENT\nUID:talk@test\nSUMMARY:Andet\n"
        b"DTSTART:20210305T180000Z\nEND:VEVENT\nEND:VCALENDAR",
    )
    with pytest.raises(ImportRejected, match="begynder på linje 4"):
        load(herning, data=twice)


def test_the_window_moves_with_a_calendar_that_does_not_change(herning):
    weekly = SINGLE.replace(
        b"DTSTART:20210301T180000Z\n", b"DTSTART:20210301T180000Z\nRRULE:FREQ=WEEKLY\n"
    )
    import_events_ical(
        organisation=herning.organisation,
        data=weekly,
        filename="w.ics",
        window_start=date(2021, 1, 1),
        window_end=date(2021, 3, 8),
    )
    assert EventOccurrence.objects.count() == 2  # 1 and 8 March: the last day is in
    import_events_ical(
        organisation=herning.organisation,
        data=weekly,
        filename="w.ics",
        window_start=date(2021, 1, 1),
        window_end=date(2021, 3, 15),
    )
    assert EventOccurrence.objects.count() == 3


def test_attendance_waits_for_the_event(client, world):
    coming = EventOccurrence.objects.create(
        organisation=world.organisation,
        title="Snart",
        starts_at=timezone.now() + timedelta(days=30),
        branch=world.north,
    )
    client.force_login(world.staff)
    response = client.put(
        f"/api/v1/events/occurrences/{coming.pk}/attendance",
        {"total": 500},
        content_type="application/json",
    )
    assert response.status_code == 422
    coming.refresh_from_db()
    assert coming.attendance_total is None


@pytest.mark.parametrize("query", [{"year": "0"}, {"year": "99999"}, {"year": "-1"}])
def test_odd_years_and_months_do_not_fail(client, world, query):
    client.force_login(world.coordinator)
    assert client.get(reverse("events:report"), query).status_code == 200
    assert client.get(reverse("events:occurrence_list"), {"month": "9999-12"}).status_code == 200


def test_an_excel_programme_imports_with_real_date_and_time_cells(herning):
    from openpyxl import Workbook

    Branch.objects.filter(pk=herning.north.pk).update(name="Nord Bibliotek")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Titel", "Dato", "Start", "Slut", "Bibliotek", "Kapacitet"])
    sheet.append(["Bogcafé", date(2021, 9, 7), time(14, 0), time(16, 0), "Nord Bibliotek", 30])
    sheet.append(
        [
            "Strikkecafé",
            date(2021, 9, 8),
            datetime(1899, 12, 30, 10, 0),
            None,
            "Nord Bibliotek",
            None,
        ]
    )
    sheet.append(["Foredrag", "31-02-2021", time(19, 0), None, "Nord Bibliotek", None])
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(ImportRejected) as error:
        import_events_csv(organisation=herning.organisation, data=out.getvalue(), filename="p.xlsx")
    assert [str(e) for e in error.value.errors] == [
        "p.xlsx, linje 4, kolonne dato: Skriv datoen som dd-mm-åååå. (værdi: '31-02-2021')"
    ]
    sheet.delete_rows(4)
    out = io.BytesIO()
    workbook.save(out)
    result = import_events_csv(
        organisation=herning.organisation, data=out.getvalue(), filename="p.xlsx"
    )
    assert result.created == 2
    cafe = EventOccurrence.objects.get(title="Bogcafé")
    assert timezone.localtime(cafe.starts_at) == datetime(2021, 9, 7, 14, 0, tzinfo=CPH)
    assert cafe.capacity == 30
    knitting = EventOccurrence.objects.get(title="Strikkecafé")
    assert timezone.localtime(knitting.starts_at) == datetime(2021, 9, 8, 10, 0, tzinfo=CPH)


def test_participants_fall_on_the_local_day_and_an_event_of_no_library_counts(world):
    """The day of an event is its local day in Copenhagen, at the year's edges too; an event
    that belongs to no library counts for the whole organisation."""

    from bibliotal.events.indicators import EventParticipantsProvider, EventsHeldProvider

    zone = timezone.get_current_timezone()

    def at(*args):
        return timezone.make_aware(datetime(*args), zone)

    for starts_at, branch, total in [
        (at(2021, 12, 31, 23, 30), world.north, 10),  # 22:30 UTC: still New Year's Eve
        (at(2022, 1, 1, 0, 30), world.north, 20),  # 23:30 UTC the day before: 1 January
        (at(2021, 12, 31, 12), None, 5),
    ]:
        EventOccurrence.objects.create(
            organisation=world.organisation,
            title="Nytår",
            starts_at=starts_at,
            branch=branch,
            attendance_total=total,
        )
    found = EventParticipantsProvider().daily_values(
        organisation=world.organisation,
        start=date(2021, 12, 31),
        end=date(2021, 12, 31),
        branch_ids=None,
        measure="",
    )
    assert sorted((v.branch_id or 0, v.day, v.value) for v in found) == [
        (0, date(2021, 12, 31), 5.0),
        (world.north.pk, date(2021, 12, 31), 10.0),
    ]
    held = EventsHeldProvider().daily_values(
        organisation=world.organisation,
        start=date(2022, 1, 1),
        end=date(2022, 1, 1),
        branch_ids={world.north.pk},
        measure="",
    )
    assert [(v.day, v.value) for v in held] == [(date(2022, 1, 1), 1.0)]
