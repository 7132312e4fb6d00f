"""The library website (dpl-cms): events and opening hours from recorded files and from a local
fake server on 127.0.0.1, with its failures. No test leaves the machine."""

from __future__ import annotations

import json
import socket
import threading
from datetime import date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from bibliotal.core import http as core_http
from bibliotal.core.http import FetchError, check_address, fetch
from bibliotal.core.imports import ImportRejected
from bibliotal.core.models import (
    CalendarCoverage,
    CalendarHours,
    Closure,
    IntegrationRun,
    OpeningCategory,
    Website,
    WebsiteBranch,
)
from bibliotal.core.opening import opening_calendar, opening_day
from bibliotal.core.website import import_opening_hours, sync_opening_hours
from bibliotal.events.dplcms import import_events_dplcms, sync_events
from bibliotal.events.models import CategoryMapping, EventOccurrence, EventSeries, EventType
from tests.conftest import weekly_schedule

DATA = Path(__file__).resolve().parent.parent / "data" / "dplcms"
UUID = "0b6c1d2e-1111-4a4a-9b9b-00000000000"
QUICK = {"timeout": 0.5, "retries": 2, "backoff": 0}


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def hours_from_today() -> bytes:
    """The recorded opening hours moved so that their first day (6 September 2021) is today."""
    shift = timezone.localdate() - date(2021, 9, 6)
    rows = json.loads(read("opening_hours.json"))
    for row in rows:
        row["date"] = (date.fromisoformat(row["date"]) + shift).isoformat()
    return json.dumps(rows).encode()


def hours(
    number: int, day: str, opens: str, closes: str, title: str, *, branch_id: int = 11, **more
) -> dict:
    """One opening-hours instance as the website writes it (the north library by default)."""
    return {
        "id": number,
        "category": {"title": title},
        "date": day,
        "start_time": opens,
        "end_time": closes,
        "branch_id": branch_id,
        "branch_isil_id": "DK-700001" if branch_id == 11 else "",
        **more,
    }


@pytest.fixture
def mapped(world):
    """The website calls the south library "Sydby Bibliotek" and numbers it 12; the north one
    is found by its name and its ISIL code."""
    world.north.isil = "DK-700001"
    world.north.save()
    WebsiteBranch.objects.create(
        organisation=world.organisation, kind="name", value="Sydby Bibliotek", branch=world.south
    )
    WebsiteBranch.objects.create(
        organisation=world.organisation, kind="id", value="12", branch=world.south
    )
    for name in ("Forfatterarrangement", "Læseklub"):
        EventType.objects.get_or_create(organisation=world.organisation, name=name)
    CategoryMapping.objects.create(
        organisation=world.organisation,
        category="Litteratur",
        event_type=EventType.objects.get(
            organisation=world.organisation, name="Forfatterarrangement"
        ),
    )
    return world


def occurrence(n: int) -> EventOccurrence:
    return EventOccurrence.objects.get(external_uid=f"{UUID}{n}")


# -- events from a saved file --------------------------------------------------------------------


def test_a_saved_events_file_imports_with_its_states_places_series_and_gaps(mapped):
    world = mapped
    result = import_events_dplcms(
        organisation=world.organisation, data=read("events.json"), filename="events.json"
    )
    assert (result.created, result.updated, result.cancelled) == (5, 0, 1)
    author = occurrence(1)
    assert author.status == EventOccurrence.Status.HELD  # Occurred
    assert author.branch == world.north  # same name as the library
    assert author.event_type.name == "Forfatterarrangement"  # through the mapping table
    assert author.capacity == 120
    assert author.partners == "Herning Boghandel"
    assert author.description == "Forfatteren fortæller om sin nye roman."  # no HTML
    assert author.audience == "adults"
    assert author.source == EventOccurrence.Source.DPLCMS
    assert timezone.localtime(author.starts_at) == datetime(
        2021, 9, 8, 19, 0, tzinfo=timezone.get_current_timezone()
    )
    assert author.attendance_total is None  # the website has no attendance
    club, cancelled = occurrence(2), occurrence(3)
    assert club.branch == world.south  # "Sydby Bibliotek" through the mapping table
    assert club.status == EventOccurrence.Status.PLANNED  # Active
    assert cancelled.status == EventOccurrence.Status.CANCELLED
    assert club.series == cancelled.series  # one series.uuid, one series
    assert EventSeries.objects.filter(organisation=world.organisation).count() == 4
    online = occurrence(4)
    assert online.mode == EventOccurrence.Mode.ONLINE
    assert online.branch is None and online.place == "Teams"
    assert online.capacity == 40
    bus = occurrence(5)
    assert bus.branch is None
    assert bus.place == "Skolen i Fjelstervang, Skolevej 2, 6933 Kibæk"  # kept, not dropped
    # What nobody has mapped is listed for an administrator.
    assert result.unmapped_branches == ["Bogbussen"]
    assert sorted(result.unmapped_categories) == ["Digital hjælp", "Fortælling"]
    assert WebsiteBranch.objects.get(value="Bogbussen").branch is None
    assert CategoryMapping.objects.get(category="Fortælling").event_type is None
    assert "Bogbussen" in result.summary()


def test_the_same_file_twice_changes_nothing(mapped):
    world = mapped
    import_events_dplcms(organisation=world.organisation, data=read("events.json"), filename="a")
    before = list(EventOccurrence.objects.order_by("pk").values())
    again = import_events_dplcms(
        organisation=world.organisation, data=read("events.json"), filename="a"
    )
    assert again.already_imported
    assert list(EventOccurrence.objects.order_by("pk").values()) == before
    # The same answer fetched on another day (a new window) is read again: still no change.
    third = import_events_dplcms(
        organisation=world.organisation,
        data=read("events.json"),
        filename="b",
        from_date=date(2021, 9, 1),
    )
    assert (third.created, third.updated, third.unchanged) == (0, 0, 5)
    assert EventOccurrence.objects.count() == 5


def test_a_later_answer_updates_marks_what_disappeared_and_keeps_attendance(mapped):
    world = mapped
    import_events_dplcms(organisation=world.organisation, data=read("events.json"), filename="a")
    author = occurrence(1)
    author.attendance_total = 87
    author.attendance_children = 0
    author.save()
    bus = occurrence(5)
    # A saved file speaks only for its own days: the bus on 6 October, after the file's last
    # day, is not marked gone …
    partial = import_events_dplcms(
        organisation=world.organisation, data=read("events-later.json"), filename="b"
    )
    assert (partial.created, partial.updated, partial.missing) == (0, 1, 0)
    # … unless it says it runs further (a sync's answer runs to the website's last event).
    later = import_events_dplcms(
        organisation=world.organisation,
        data=read("events-later.json"),
        filename="b",
        to_date=date(2021, 12, 31),
    )
    assert (later.created, later.updated, later.missing) == (0, 0, 1)
    assert EventOccurrence.objects.count() == 5  # nothing duplicated, nothing deleted
    author.refresh_from_db()
    assert author.attendance_total == 87
    club = occurrence(2)
    assert club.title == "Læseklub for børn 8-10 år"
    bus.refresh_from_db()
    assert bus.missing_from_source
    assert bus.status == EventOccurrence.Status.CANCELLED  # no attendance: no longer counted
    # Back on the website: counted again, with its own state.
    import_events_dplcms(
        organisation=world.organisation,
        data=read("events.json"),
        filename="c",
        to_date=date(2021, 12, 31),
    )
    bus.refresh_from_db()
    assert not bus.missing_from_source
    assert bus.status == EventOccurrence.Status.PLANNED


def many_events(count: int) -> bytes:
    """``count`` events made from the recorded ones, each with a uuid and a series of its own,
    as the website gives them."""
    template = json.loads(read("events.json"))
    events = []
    for n in range(count):
        event = json.loads(json.dumps(template[n % len(template)]))
        event["uuid"] = f"{UUID[:-3]}{n:04d}"
        event["series"] = {"uuid": f"series-{n:04d}"}
        events.append(event)
    return json.dumps(events).encode()


@pytest.mark.parametrize("count", [10, 200])
def test_reading_the_website_again_asks_the_database_the_same_few_times_for_any_size(
    mapped, django_assert_max_num_queries, count
):
    """The nightly case: the same answer read for a new window. The number of queries does not
    grow with the number of events (it once asked three times for every event)."""
    data = many_events(count)
    first = import_events_dplcms(organisation=mapped.organisation, data=data, filename="a")
    assert first.created == count
    with django_assert_max_num_queries(20):
        again = import_events_dplcms(
            organisation=mapped.organisation,
            data=data,
            filename="b",
            from_date=date(2021, 9, 1),
        )
    assert (again.created, again.updated, again.unchanged) == (0, 0, count)
    assert EventOccurrence.objects.count() == count
    assert EventSeries.objects.filter(organisation=mapped.organisation).count() == count


def test_events_at_libraries_marked_not_ours_are_left_out(mapped):
    WebsiteBranch.objects.create(
        organisation=mapped.organisation, kind="name", value="Bogbussen", ignored=True
    )
    result = import_events_dplcms(
        organisation=mapped.organisation, data=read("events.json"), filename="a"
    )
    assert result.created == 4
    assert not EventOccurrence.objects.filter(external_uid=f"{UUID}5").exists()
    assert result.unmapped_branches == []


def test_a_title_changed_by_hand_is_kept_until_the_website_changes_it(mapped):
    world = mapped
    import_events_dplcms(organisation=world.organisation, data=read("events.json"), filename="a")
    author = occurrence(1)
    author.title = "Forfatteraften (flyttet til salen)"
    author.save()
    data = json.loads(read("events.json"))
    data[0]["updated_at"] = "2021-09-01T00:00:00+00:00"  # the site changed nothing we import
    import_events_dplcms(
        organisation=world.organisation, data=json.dumps(data).encode(), filename="b"
    )
    author.refresh_from_db()
    assert author.title == "Forfatteraften (flyttet til salen)"


@pytest.mark.parametrize(
    ("change", "field", "value"),
    [
        (lambda e: e.update(state="Postponed"), "state", "Postponed"),
        (lambda e: e["date_time"].update(start="8. september"), "date_time.start", "8. september"),
        (lambda e: e.update(ticket_capacity=-5), "ticket_capacity", "-5"),
        (lambda e: e.update(uuid=""), "uuid", ""),
    ],
)
def test_a_bad_event_is_refused_naming_line_field_and_value(mapped, change, field, value):
    data = json.loads(read("events.json"))
    change(data[2])
    text = json.dumps(data, indent=2, ensure_ascii=False)
    with pytest.raises(ImportRejected) as caught:
        import_events_dplcms(
            organisation=mapped.organisation, data=text.encode(), filename="events.json"
        )
    error = caught.value.errors[0]
    assert (error.filename, error.column, error.value) == ("events.json", field, value)
    if field != "uuid":
        assert error.line == text.count("\n", 0, text.index(data[2]["uuid"])) + 1
    assert EventOccurrence.objects.count() == 0  # nothing half-written


def test_malformed_json_is_refused_with_its_line_and_column(mapped):
    with pytest.raises(ImportRejected) as caught:
        import_events_dplcms(
            organisation=mapped.organisation,
            data=b'[\n  {"uuid": "x",\n   "title": }\n]',
            filename="broken.json",
        )
    error = caught.value.errors[0]
    assert (error.line, error.column) == (3, "13")
    assert "JSON" in error.message


# -- opening hours from a saved file -------------------------------------------------------------


def test_opening_hours_become_the_day_level_calendar_where_they_cover(mapped):
    world = mapped
    weekly_schedule(world.north, staffed=(time(9), time(20)))  # the pattern elsewhere
    result = import_opening_hours(
        organisation=world.organisation,
        data=read("opening_hours.json"),
        filename="opening_hours.json",
    )
    assert result.libraries == ["Nord Bibliotek", "Syd Bibliotek"]
    assert result.unmapped_branches == ["99"]
    assert result.unmapped_categories == ["Særåbent"]
    assert result.added == 21
    calendar = opening_calendar(
        branches=[world.north], start=date(2021, 9, 5), end=date(2021, 9, 13)
    )[world.north.pk]
    monday = calendar[date(2021, 9, 6)]
    # Med betjening 10–18 is staffed; Selvbetjening 8–22 adds 8–10 and 18–22; Borgerservice
    # and Telefontid are not open to visitors.
    assert monday.staffed_minutes == 8 * 60
    assert monday.self_service_minutes == 6 * 60
    assert not calendar[date(2021, 9, 8)].is_open  # covered, no instance: closed
    assert calendar[date(2021, 9, 11)].staffed_minutes == 4 * 60  # Åbent
    sunday = calendar[date(2021, 9, 12)]
    assert (sunday.staffed_minutes, sunday.self_service_minutes) == (0, 14 * 60)  # Særåbent waits
    # Outside the covered dates the weekly pattern applies.
    assert calendar[date(2021, 9, 5)].staffed_minutes == 11 * 60
    assert calendar[date(2021, 9, 13)].staffed_minutes == 11 * 60
    # Mapping the category counts its hours at once, without a new sync.
    OpeningCategory.objects.filter(title="Særåbent").update(kind="staffed")
    sunday = opening_day(branch=world.north, day=date(2021, 9, 12))
    assert (sunday.staffed_minutes, sunday.self_service_minutes) == (4 * 60, 10 * 60)
    # The south library, known by its id: covered 6–12 September, open two afternoons.
    south = opening_calendar(branches=[world.south], start=date(2021, 9, 6), end=date(2021, 9, 12))
    assert [d.day.day for d in south[world.south.pk].values() if d.is_open] == [7, 9]
    # The ISIL found the north library's id: it is remembered for the next sync.
    assert WebsiteBranch.objects.get(kind="id", value="11").branch == world.north


def test_the_website_calendar_still_yields_to_closures_and_replaces_holidays(mapped):
    world = mapped
    data = [
        hours(1, "2021-12-24", "10:00", "13:00", "Åbent"),
        hours(2, "2021-12-27", "10:00", "24:00", "Åbent"),
    ]
    import_opening_hours(
        organisation=world.organisation, data=json.dumps(data).encode(), filename="jul.json"
    )
    assert opening_day(branch=world.north, day=date(2021, 12, 24)).staffed_minutes == 3 * 60
    assert not opening_day(branch=world.north, day=date(2021, 12, 25)).is_open
    assert opening_day(branch=world.north, day=date(2021, 12, 27)).staffed_minutes == 14 * 60
    Closure.objects.create(
        organisation=world.organisation,
        start_date=date(2021, 12, 27),
        end_date=date(2021, 12, 27),
        reason="Vandskade",
    )
    assert not opening_day(branch=world.north, day=date(2021, 12, 27)).is_open


def test_the_same_opening_hours_twice_change_nothing_and_coverage_merges(mapped):
    world = mapped
    args = {"organisation": world.organisation, "data": read("opening_hours.json"), "filename": "h"}
    import_opening_hours(**args)
    rows = list(CalendarHours.objects.order_by("pk").values_list("pk", flat=True))
    again = import_opening_hours(**args)
    assert (again.added, again.removed, again.unchanged) == (0, 0, 21)
    assert list(CalendarHours.objects.order_by("pk").values_list("pk", flat=True)) == rows
    # A following week extends the covered dates instead of adding a second span.
    monday = [hours(5001, "2021-09-13", "10:00", "16:00", "Åbent")]
    import_opening_hours(
        organisation=world.organisation,
        data=json.dumps(monday).encode(),
        filename="next",
        from_date=date(2021, 9, 13),
        to_date=date(2021, 9, 19),
        branch_ids=["11", "12"],
    )
    spans = CalendarCoverage.objects.filter(branch=world.north)
    # The answer has hours up to Monday the 13th, so it speaks for the days up to then.
    assert [(s.start_date, s.end_date) for s in spans] == [(date(2021, 9, 6), date(2021, 9, 13))]
    assert opening_day(branch=world.north, day=date(2021, 9, 13)).staffed_minutes == 6 * 60


def test_an_empty_or_partial_answer_closes_no_library(mapped):
    world = mapped
    weekly_schedule(world.south, staffed=(time(10), time(16)))
    before = opening_day(branch=world.south, day=date(2021, 9, 20))
    result = import_opening_hours(
        organisation=world.organisation,
        data=b"[]",
        filename="empty",
        from_date=date(2021, 9, 20),
        to_date=date(2021, 12, 19),
        branch_ids=["12"],
    )
    assert result.without_hours == ["Syd Bibliotek"]
    assert "Syd Bibliotek" in result.summary()
    assert not CalendarCoverage.objects.filter(branch=world.south).exists()
    assert opening_day(branch=world.south, day=date(2021, 9, 20)) == before


def test_bad_opening_hours_are_refused_naming_the_field(mapped):
    data = json.loads(read("opening_hours.json"))
    data[3]["end_time"] = "09:00"  # the same as the start: no hours at all
    with pytest.raises(ImportRejected) as caught:
        import_opening_hours(
            organisation=mapped.organisation,
            data=json.dumps(data, indent=2).encode(),
            filename="h.json",
        )
    error = caught.value.errors[0]
    assert (error.column, error.value) == ("end_time", "09:00")
    assert error.line == json.dumps(data, indent=2).split("\n").index('    "id": 1004,') + 1
    assert not CalendarHours.objects.exists()


# -- the network: a local fake website ----------------------------------------------------------


class FakeSite:
    """Serves recorded answers on 127.0.0.1; ``modes[path]`` says how to answer."""

    def __init__(self):
        self.modes: dict[str, tuple] = {}
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                site.requests.append(self.path)
                path = self.path.split("?")[0]
                mode, *rest = site.modes.get(path, ("missing",))
                if mode == "missing":
                    self.send_error(404)
                    return
                if mode == "redirect":
                    self.send_response(302)
                    self.send_header("Location", rest[0])
                    self.end_headers()
                    return
                if mode == "silent":
                    threading.Event().wait(2)  # never answers within the timeout
                    return
                if mode == "error":
                    self.send_error(503)
                    return
                body = rest[0]
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if mode == "halfway":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def site(settings):
    settings.BIBLIOTAL_ALLOW_LOCAL_SOURCES = True
    fake = FakeSite()
    yield fake
    fake.close()


@pytest.fixture
def website(mapped, site, monkeypatch):
    monkeypatch.setattr(core_http, "TIMEOUT_SECONDS", 0.5)
    monkeypatch.setattr(core_http, "BACKOFF_SECONDS", 0)
    return Website.objects.create(organisation=mapped.organisation, url=site.url)


def test_a_sync_reads_both_endpoints_and_records_what_changed(website, site, mapped):
    site.modes["/api/v1/events"] = ("ok", read("events.json"))
    site.modes["/api/v1/opening_hours"] = ("ok", hours_from_today())
    events = sync_events(website=website)
    hours = sync_opening_hours(website=website)
    assert events.created == 5
    assert hours.libraries == ["Nord Bibliotek", "Syd Bibliotek"]
    today = timezone.localdate()
    assert site.requests == [
        f"/api/v1/events?from_date={today - timedelta(days=30)}",
        f"/api/v1/opening_hours?from_date={today}&to_date={today + timedelta(days=90)}",
    ]
    runs = IntegrationRun.objects.filter(organisation=mapped.organisation).order_by("started_at")
    assert [(r.integration, r.ok) for r in runs] == [
        ("website_events", True),
        ("website_hours", True),
    ]
    assert runs[0].changes["created"] == 5
    assert "bibliotek: Bogbussen" in runs[0].unmapped
    # The covered dates are the ones asked for, even beyond the answer's own dates.
    # The recorded week is all the website has published, and the south library's last hours
    # in it are on its fourth day: its calendar covers the days up to then.
    assert CalendarCoverage.objects.get(branch=mapped.south).end_date == today + timedelta(days=3)
    assert CalendarCoverage.objects.get(branch=mapped.north).end_date == today + timedelta(days=6)
    # The nightly sync of the same answer changes nothing.
    assert sync_events(website=website).already_imported
    assert EventOccurrence.objects.count() == 5


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("malformed", "did not answer with valid JSON"),
        ("halfway", "stopped halfway"),
        ("silent", "no answer within 0.5 seconds"),
        ("error", "503"),
    ],
)
def test_a_failed_sync_keeps_the_last_good_data_and_says_why(
    website, site, mapped, mode, words, english
):
    site.modes["/api/v1/events"] = ("ok", read("events.json"))
    sync_events(website=website)
    changed = json.loads(read("events-later.json"))
    body = json.dumps(changed).encode()
    site.modes["/api/v1/events"] = ("ok", body[:-40]) if mode == "malformed" else (mode, body)
    before = list(EventOccurrence.objects.order_by("pk").values())
    with pytest.raises((FetchError, ImportRejected)) as caught:
        sync_events(website=website)
    message = str(caught.value) if mode != "malformed" else str(caught.value.errors[0])
    if mode == "malformed":
        assert "JSON" in message
    else:
        assert words in message
    assert list(EventOccurrence.objects.order_by("pk").values()) == before
    failed = IntegrationRun.objects.filter(ok=False).get()
    assert failed.error and failed.finished_at
    if mode in ("halfway", "silent", "error"):
        # tried again with backoff before giving up: 1 + 2 retries after the good sync's call
        assert len(site.requests) == 1 + 1 + core_http.RETRIES


def test_a_retry_that_succeeds_is_enough(site):
    calls = []

    class Flaky(BaseHTTPRequestHandler):
        def do_GET(self):
            calls.append(self.path)
            if len(calls) < 3:
                self.send_error(502 if len(calls) == 1 else 429)  # a server error, too many asked
                return
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"[]")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        answer = fetch(
            f"http://127.0.0.1:{server.server_address[1]}/x", allowed_host="127.0.0.1", **QUICK
        )
    finally:
        server.shutdown()
        server.server_close()
    assert answer.json() == [] and answer.attempts == 3


def test_only_the_configured_host_is_contacted(site, settings, english):
    site.modes["/moved"] = ("redirect", "http://localhost:1/api/v1/events")
    with pytest.raises(FetchError, match="not on the configured host"):
        fetch(f"{site.url}/moved", allowed_host="127.0.0.1", **QUICK)
    with pytest.raises(FetchError, match="not on the configured host"):
        fetch("https://example.org/api/v1/events", allowed_host="herningbib.dk", **QUICK)
    settings.BIBLIOTAL_ALLOW_LOCAL_SOURCES = False
    with pytest.raises(FetchError, match="https://"):
        check_address(f"{site.url}/api/v1/events", allowed_host="127.0.0.1")
    with pytest.raises(FetchError, match="private network"):
        check_address("https://127.0.0.1/api/v1/events", allowed_host="127.0.0.1")
    assert site.requests == ["/moved"]


def test_the_sync_command_and_its_failure(website, site, mapped):
    site.modes["/api/v1/events"] = ("ok", read("events.json"))
    site.modes["/api/v1/opening_hours"] = ("ok", hours_from_today())
    org = ["--organisation", mapped.organisation.name]
    call_command("sync", "dplcms", *org, stdout=(out := _Buffer()))
    assert "5 nye" in out.text and "Nord Bibliotek" in out.text
    site.modes["/api/v1/opening_hours"] = ("error", b"")
    with pytest.raises(CommandError, match="503"):
        call_command("sync", "dplcms", "--hours-only", *org, stdout=_Buffer(), stderr=_Buffer())


def test_the_nightly_task_syncs_every_active_website_and_schedules_the_next(website, site):
    from django_tasks_db.models import DBTaskResult

    from bibliotal.core.tasks import next_night, nightly_sync, schedule_nightly

    site.modes["/api/v1/events"] = ("ok", read("events.json"))
    site.modes["/api/v1/opening_hours"] = ("error", b"")
    failures = nightly_sync.call()
    assert failures == 1  # the hours failed; the events still came in
    assert EventOccurrence.objects.count() == 5
    assert set(IntegrationRun.objects.values_list("trigger", flat=True)) == {"task"}
    waiting = DBTaskResult.objects.filter(task_path=nightly_sync.module_path, status="READY")
    assert waiting.count() == 1
    schedule_nightly()  # a second worker start does not queue a second one
    assert waiting.count() == 1
    moment = timezone.localtime(waiting.get().run_after)
    assert (moment.hour, moment.minute) == (2, 30)
    evening = timezone.make_aware(datetime(2021, 9, 8, 23, 0))
    assert timezone.localtime(next_night(evening)) == timezone.make_aware(
        datetime(2021, 9, 9, 2, 30)
    )


class _Buffer:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


# -- the pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("administrator", 200), ("manager", 403), ("staff", 403), ("outsider", 403)],
)
def test_only_administrators_see_the_integrations(client, world, who, status):
    client.force_login(getattr(world, who))
    for name in ("integrations", "website_branches", "opening_categories"):
        assert client.get(f"/{name.replace('_', '-')}/" if False else _url(name)).status_code == (
            status
        )


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(f"core:{name}")


def test_the_status_page_shows_last_sync_changes_failures_and_gaps(client, website, site, mapped):
    client.force_login(mapped.administrator)
    site.modes["/api/v1/events"] = ("ok", read("events.json"))
    site.modes["/api/v1/opening_hours"] = ("silent",)
    response = client.post(_url("integrations"), {"action": "sync"}, follow=True)
    page = response.content.decode()
    assert "5 nye" in page  # what changed
    assert "intet svar inden for 0.5 sekunder" in page or "no answer within" in page
    assert "Bogbussen" in page  # the gap, for an administrator
    assert "1 bibliotek på hjemmesiden har intet bibliotek i Bibliotal" in page


def test_a_saved_file_on_the_page_and_the_mapping_tables(client, mapped):
    client.force_login(mapped.administrator)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        _url("integrations"),
        {
            "action": "file",
            "file-kind": "hours",
            "file-file": SimpleUploadedFile("hours.json", read("opening_hours.json")),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert CalendarHours.objects.filter(branch=mapped.north).count() == 19
    run = IntegrationRun.objects.get()
    assert (run.integration, run.trigger, run.ok) == ("website_hours", "file", True)
    # Map the unknown library 99 to the north library on the mapping page.
    rows = list(
        WebsiteBranch.objects.filter(organisation=mapped.organisation).order_by(
            "-branch", "ignored", "kind", "value"
        )
    )
    data = {"form-TOTAL_FORMS": len(rows), "form-INITIAL_FORMS": len(rows)}
    for index, row in enumerate(rows):
        data[f"form-{index}-id"] = row.pk
        data[f"form-{index}-branch"] = (
            mapped.north.pk if row.value == "99" else (row.branch_id or "")
        )
    assert client.post(_url("website_branches"), data).status_code == 302
    assert WebsiteBranch.objects.get(value="99").branch == mapped.north
    # A bad file says what is wrong and writes nothing.
    response = client.post(
        _url("integrations"),
        {
            "action": "file",
            "file-kind": "events",
            "file-file": SimpleUploadedFile("e.json", b'{"uuid": 1'),
        },
    )
    assert response.status_code == 400
    assert "e.json, linje 1" in response.content.decode()


def test_the_website_form_refuses_an_address_without_https(client, mapped):
    client.force_login(mapped.administrator)
    response = client.post(
        _url("integrations"),
        {
            "action": "website",
            "website-url": "http://herningbib.dk",
            "website-active": "on",
            "website-events_days_back": 30,
            "website-hours_days_ahead": 90,
        },
    )
    assert response.status_code == 400
    assert not Website.objects.exists()
    response = client.post(
        _url("integrations"),
        {
            "action": "website",
            "website-url": "https://herningbib.dk/",
            "website-active": "on",
            "website-events_days_back": 30,
            "website-hours_days_ahead": 90,
        },
    )
    assert response.status_code == 302
    assert Website.objects.get().url == "https://herningbib.dk"


def test_the_nightly_task_fetches_statbank_again_only_monthly_where_fetched_before(
    world, monkeypatch
):
    from bibliotal.core.tasks import refresh_statistics
    from bibliotal.reports.statbank import api

    fetched = []
    monkeypatch.setattr(
        "bibliotal.reports.statbank.sync_statbank",
        lambda *, organisation, trigger: fetched.append((organisation, trigger)),
    )
    now = timezone.now()
    assert refresh_statistics(now=now) == 0
    assert fetched == []  # never fetched from the API: an upload is not a reason to fetch
    run = IntegrationRun.objects.create(
        organisation=world.organisation, integration="statbank", ok=True, source=api.API_BASE
    )
    refresh_statistics(now=now + timedelta(days=29))
    assert fetched == []
    refresh_statistics(now=run.started_at + timedelta(days=31))
    assert fetched == [(world.organisation, "task")]


def test_a_server_that_trickles_is_stopped_at_the_deadline(site, monkeypatch, english):
    import time as clock

    class Trickle(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b" ")
                self.wfile.flush()
                clock.sleep(0.1)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(core_http, "DEADLINE_SECONDS", 1.0)
    started = clock.monotonic()
    try:
        with pytest.raises(FetchError):
            fetch(
                f"http://127.0.0.1:{server.server_address[1]}/x",
                allowed_host="127.0.0.1",
                timeout=0.5,
                retries=0,
            )
    finally:
        server.shutdown()
        server.server_close()
    assert clock.monotonic() - started < 5  # not the ten seconds the server would take


# -- what a review found -------------------------------------------------------------------------


def test_an_empty_answer_marks_no_event_as_gone(mapped):
    """A website that answers [] by mistake must not cancel every event of the window."""
    world = mapped
    import_events_dplcms(organisation=world.organisation, data=read("events.json"), filename="a")
    result = import_events_dplcms(
        organisation=world.organisation,
        data=b"[]",
        filename="b",
        from_date=date(2021, 9, 1),
        to_date=date(9999, 12, 31),
    )
    assert (result.missing, result.empty) == (0, True)
    assert "no event is marked as gone" in result.summary() or "intet arrangement" in (
        result.summary()
    )
    assert not EventOccurrence.objects.filter(missing_from_source=True).exists()
    assert EventOccurrence.objects.filter(status=EventOccurrence.Status.CANCELLED).count() == 1


def test_a_held_event_gone_from_the_website_stays_held_and_is_marked(mapped):
    world = mapped
    import_events_dplcms(organisation=world.organisation, data=read("events.json"), filename="a")
    data = [e for e in json.loads(read("events.json")) if e["uuid"] != f"{UUID}1"]
    result = import_events_dplcms(
        organisation=world.organisation,
        data=json.dumps(data).encode(),
        filename="b",
        from_date=date(2021, 9, 1),
        to_date=date(2021, 12, 31),
    )
    assert result.missing == 1
    author = occurrence(1)
    assert author.missing_from_source
    assert author.status == EventOccurrence.Status.HELD  # the website said it took place
    # Back on the website as Active: it took place all the same, and is held still.
    back = json.loads(read("events.json"))
    back[0]["state"] = "Active"
    import_events_dplcms(
        organisation=world.organisation,
        data=json.dumps(back).encode(),
        filename="c",
        from_date=date(2021, 9, 1),
        to_date=date(2021, 12, 31),
    )
    author.refresh_from_db()
    assert (author.missing_from_source, author.status) == (False, EventOccurrence.Status.HELD)


def test_a_mapping_made_after_an_import_applies_when_the_same_answer_is_read_again(mapped):
    world = mapped
    first = import_events_dplcms(
        organisation=world.organisation, data=read("events.json"), filename="a"
    )
    assert "Bogbussen" in first.unmapped_branches
    assert occurrence(5).branch is None
    WebsiteBranch.objects.filter(value="Bogbussen").update(branch=world.north)
    again = import_events_dplcms(
        organisation=world.organisation, data=read("events.json"), filename="a"
    )
    assert not again.already_imported
    assert again.updated == 1
    assert occurrence(5).branch == world.north
    third = import_events_dplcms(
        organisation=world.organisation, data=read("events.json"), filename="a"
    )
    assert third.already_imported  # and then, unchanged, it is the same import again


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ticket_capacity", 10**20),
        ("ticket_capacity", "²"),
        ("branches", "Nord Bibliotek"),
        ("categories", "Litteratur"),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_not_read_letter_by_letter(mapped, field, value):
    data = json.loads(read("events.json"))
    data[1][field] = value
    text = json.dumps(data, indent=2, ensure_ascii=False)
    with pytest.raises(ImportRejected) as caught:
        import_events_dplcms(organisation=mapped.organisation, data=text.encode(), filename="e")
    error = caught.value.errors[0]
    assert (error.column, error.value) == (field, str(value)[:80])
    assert error.line == text.count("\n", 0, text.index(data[1]["uuid"])) + 1
    assert not EventOccurrence.objects.exists()
    assert not WebsiteBranch.objects.filter(value="N").exists()


def test_an_event_without_a_uuid_is_named_by_its_own_line(mapped):
    data = json.loads(read("events.json"))
    data[3]["uuid"] = ""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    with pytest.raises(ImportRejected) as caught:
        import_events_dplcms(organisation=mapped.organisation, data=text.encode(), filename="e")
    error = caught.value.errors[0]
    assert error.column == "uuid"
    # Without a uuid the event is named by the line on which it begins.
    assert error.line == text.count("\n", 0, text.rindex("{", 0, text.index('"uuid": ""'))) + 1


def test_an_unexpected_failure_of_one_sync_leaves_the_other_to_run(
    client, website, site, mapped, monkeypatch
):
    from bibliotal.events import dplcms

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(dplcms, "import_events_dplcms", broken)
    site.modes["/api/v1/events"] = ("ok", read("events.json"))
    site.modes["/api/v1/opening_hours"] = ("ok", hours_from_today())
    client.force_login(mapped.administrator)
    response = client.post(_url("integrations"), {"action": "sync"}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Synkroniseringen mislykkedes uventet" in page
    assert "a bug" not in page  # the error's text is for the log
    runs = {r.integration: r for r in IntegrationRun.objects.all()}
    assert runs["website_events"].state == "failed"
    assert runs["website_hours"].state == "succeeded"  # the hours were still synced
    assert CalendarHours.objects.filter(branch=mapped.south).exists()
    org = ["--organisation", mapped.organisation.name]
    with pytest.raises(CommandError, match="RuntimeError"):
        call_command("sync", "dplcms", *org, stdout=_Buffer(), stderr=_Buffer())
    assert IntegrationRun.objects.filter(integration="website_hours", ok=True).count() == 2


def test_a_sync_still_running_is_shown_as_running_not_failed(client, mapped):
    client.force_login(mapped.administrator)
    IntegrationRun.objects.create(organisation=mapped.organisation, integration="website_events")
    IntegrationRun.objects.create(
        organisation=mapped.organisation,
        integration="website_hours",
        started_at=timezone.now() - timedelta(hours=3),
    )
    page = client.get(_url("integrations")).content.decode()
    assert ">kører</span>" in page
    assert ">afbrudt, intet ændret</span>" in page
    assert ">mislykkedes</span>" not in page


def test_the_website_calendar_changes_are_in_the_audit_log(mapped):
    from bibliotal.core.models import AuditEntry

    import_opening_hours(
        organisation=mapped.organisation, data=read("opening_hours.json"), filename="h.json"
    )
    entries = AuditEntry.objects.filter(
        organisation=mapped.organisation, changes__has_key="calendar_hours"
    )
    assert sorted(e.object_repr for e in entries) == ["Nord Bibliotek", "Syd Bibliotek"]
    north = entries.get(object_repr="Nord Bibliotek")
    assert len(north.changes["calendar_hours"]["added"]) == 19
    assert north.changes["calendar_hours"]["removed"] == []
    import_opening_hours(
        organisation=mapped.organisation, data=read("opening_hours.json"), filename="h.json"
    )
    assert entries.count() == 2  # nothing changed, nothing more to audit


def test_hours_published_for_some_weeks_leave_the_weekly_pattern_after_them(mapped):
    """A website publishes its hours some weeks ahead; the weeks after are not closed days (the
    year's forecast counts them), the weekly pattern applies there."""
    world = mapped
    weekly_schedule(world.north, staffed=(time(9), time(20)))
    import_opening_hours(
        organisation=world.organisation,
        data=read("opening_hours.json"),  # 6–12 September 2021
        filename="h.json",
        from_date=date(2021, 9, 6),
        to_date=date(2021, 12, 4),
        branch_ids=["11", "12"],
    )
    assert CalendarCoverage.objects.get(branch=world.north).end_date == date(2021, 9, 12)
    assert not opening_day(branch=world.north, day=date(2021, 9, 8)).is_open  # published: closed
    assert opening_day(branch=world.north, day=date(2021, 10, 6)).staffed_minutes == 11 * 60


def test_hours_past_midnight_go_to_each_day(mapped):
    world = mapped
    data = [
        hours(1, "2021-10-01", "18:00", "02:00", "Selvbetjening"),
        hours(2, "2021-10-02", "08:00", "12:00", "Selvbetjening"),
    ]
    import_opening_hours(
        organisation=world.organisation, data=json.dumps(data).encode(), filename="nat.json"
    )
    assert opening_day(branch=world.north, day=date(2021, 10, 1)).self_service_minutes == 6 * 60
    assert opening_day(branch=world.north, day=date(2021, 10, 2)).self_service_minutes == 6 * 60


def test_an_event_on_the_first_day_of_the_sync_window_is_not_marked_gone(website, site, mapped):
    """The website may read from_date in UTC and leave out that day's early events."""
    today = timezone.localdate()
    events = json.loads(read("events.json"))[:3]
    days = [today - timedelta(days=30), today - timedelta(days=29), today + timedelta(days=10)]
    for event, day in zip(events, days, strict=True):
        start = timezone.make_aware(datetime.combine(day, time(7)))
        event["date_time"] = {"start": start.isoformat(), "end": None}
        event["state"] = "Active"
    site.modes["/api/v1/events"] = ("ok", json.dumps(events).encode())
    assert sync_events(website=website).created == 3
    site.modes["/api/v1/events"] = ("ok", json.dumps(events[2:]).encode())
    assert sync_events(website=website).missing == 1
    assert not occurrence(1).missing_from_source  # the window's first day: not judged
    assert occurrence(2).missing_from_source


def test_the_mapping_page_lists_what_waits_first_and_the_menu_marks_only_integrations(
    client, mapped
):
    WebsiteBranch.objects.create(organisation=mapped.organisation, kind="name", value="Bogbussen")
    client.force_login(mapped.administrator)
    page = client.get(_url("website_branches")).content.decode()
    assert page.index("Bogbussen") < page.index("Sydby Bibliotek")  # unmapped before mapped
    assert page.count('aria-current="page"') == 1
    assert 'href="/integrations/" aria-current="page"' in page


def test_an_event_at_two_libraries_stays_at_one_whatever_the_order_of_the_website(mapped):
    world = mapped
    data = json.loads(read("events.json"))
    data[0]["branches"] = ["Nord Bibliotek", "Sydby Bibliotek"]
    import_events_dplcms(
        organisation=world.organisation, data=json.dumps(data).encode(), filename="a"
    )
    assert occurrence(1).branch == world.north
    data[0]["branches"] = ["Sydby Bibliotek", "Nord Bibliotek"]
    again = import_events_dplcms(
        organisation=world.organisation,
        data=json.dumps(data).encode(),
        filename="b",
        from_date=date(2021, 9, 1),
    )
    assert (again.updated, again.unchanged) == (0, 5)
    assert occurrence(1).branch == world.north
    data[0]["branches"] = ["Sydby Bibliotek"]  # the website moves it: it moves
    import_events_dplcms(
        organisation=world.organisation,
        data=json.dumps(data).encode(),
        filename="c",
        from_date=date(2021, 9, 1),
    )
    assert occurrence(1).branch == world.south


def test_round_the_clock_hours_and_the_night_after_the_last_published_day(mapped):
    """00:00–00:00 is the whole day; hours past midnight on the last published day do not make
    the next day a covered, nearly closed one."""
    world = mapped
    weekly_schedule(world.north, staffed=(time(9), time(20)))
    data = [
        hours(1, "2021-10-04", "00:00", "00:00", "Selvbetjening"),
        hours(2, "2021-10-05", "18:00", "02:00", "Med betjening"),
    ]
    import_opening_hours(
        organisation=world.organisation, data=json.dumps(data).encode(), filename="døgn.json"
    )
    assert opening_day(branch=world.north, day=date(2021, 10, 4)).self_service_minutes == 24 * 60
    assert opening_day(branch=world.north, day=date(2021, 10, 5)).staffed_minutes == 6 * 60
    assert CalendarCoverage.objects.get(branch=world.north).end_date == date(2021, 10, 5)
    assert opening_day(branch=world.north, day=date(2021, 10, 6)).staffed_minutes == 11 * 60


def test_each_library_is_covered_up_to_its_own_last_published_day(mapped):
    world = mapped
    weekly_schedule(world.south, staffed=(time(10), time(16)))
    rows = [
        hours(n, f"2021-11-{day:02d}", "10:00", "12:00", "Åbent", branch_id=branch)
        for n, (branch, day) in enumerate([(11, 1), (11, 30), (12, 1), (12, 5)], start=1)
    ]
    world.north.isil = ""
    world.north.save()
    WebsiteBranch.objects.create(
        organisation=world.organisation, kind="id", value="11", branch=world.north
    )
    import_opening_hours(
        organisation=world.organisation,
        data=json.dumps(rows).encode(),
        filename="nov.json",
        from_date=date(2021, 11, 1),
        to_date=date(2021, 12, 31),
    )
    spans = {c.branch_id: c.end_date for c in CalendarCoverage.objects.all()}
    assert spans == {world.north.pk: date(2021, 11, 30), world.south.pk: date(2021, 11, 5)}
    # The south library published a week: the weeks after keep its weekly pattern.
    assert opening_day(branch=world.south, day=date(2021, 11, 16)).staffed_minutes == 6 * 60


def test_the_capacity_limit_is_written_the_danish_way(mapped):
    data = json.loads(read("events.json"))
    data[0]["ticket_capacity"] = 10**9
    with pytest.raises(ImportRejected) as caught:
        import_events_dplcms(
            organisation=mapped.organisation, data=json.dumps(data).encode(), filename="e"
        )
    assert caught.value.errors[0].message == "Kapaciteten må højst være 1.000.000."
