"""People-counter files in, cleaned, and fair visitor figures out."""

import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse

from bibliotal.core.imports import ImportRejected
from bibliotal.core.models import AuditEntry, Closure, ImportBatch
from bibliotal.goals.models import BudgetYear, FocusArea, Target
from bibliotal.goals.reporting import status_rows
from bibliotal.visits.cleaning import derive_days, review_day
from bibliotal.visits.importers import import_counter_file
from bibliotal.visits.models import CounterReading, DailyVisits, Sensor
from tests.conftest import weekly_schedule


@pytest.fixture
def counted(world):
    world.organisation.closed_on_public_holidays = False
    world.organisation.save()
    weekly_schedule(world.north, staffed=(time(10), time(18)), weekdays=range(6))  # not Sunday
    return world


def csv(*rows, header="Dato;Tid;Tæller;Ind;Ud"):
    return ("\n".join([header, *rows]) + "\n").encode("cp1252")


def load(world, data, **options):
    return import_counter_file(
        organisation=world.organisation, data=data, filename="t.csv", **options
    )


def test_a_new_sensor_is_created_and_visits_follow_its_rule(counted):
    data = csv("07-09-2021;10:00;Nord-1;12;10", "07-09-2021;11:00;Nord-1;1.234;1.230")
    result = load(counted, data, branch=counted.north, rule="half")
    assert (result.created, result.new_sensors) == (2, ["Nord-1"])
    day = DailyVisits.objects.get()
    # (12 + 10 + 1,234 + 1,230) / 2: never in + out.
    assert (day.count_in, day.count_out, day.visits, day.rule) == (
        1246,
        1240,
        Decimal("1243.0"),
        "half",
    )
    reading = CounterReading.objects.order_by("starts_at").first()
    assert str(reading.starts_at.astimezone().utcoffset()) in {"2:00:00", "0:00:00"}


def test_the_same_file_twice_changes_nothing_and_a_newer_file_replaces(counted):
    data = csv("07-09-2021;10:00;Nord-1;12;10", "07-09-2021;11:00;Nord-1;20;20")
    load(counted, data, branch=counted.north)
    assert load(counted, data).already_imported
    newer = csv("07-09-2021;10:00;Nord-1;14;12", "07-09-2021;11:00;Nord-1;20;20")
    result = load(counted, newer)
    assert (result.created, result.replaced, result.unchanged) == (0, 1, 1)
    assert DailyVisits.objects.get().visits == Decimal("33.0")
    entry = AuditEntry.objects.get(model="visits.CounterReading")
    assert entry.changes == {"in/out": [[12, 10], [14, 12]]}


def test_a_cumulative_register_is_differenced_and_a_drop_is_a_reset(counted):
    Sensor.objects.create(
        organisation=counted.organisation,
        branch=counted.north,
        name="Nord-1",
        rule="in",
        register="cumulative",
    )
    data = csv(
        "07-09-2021;10:00;Nord-1;1000;990",
        "07-09-2021;11:00;Nord-1;1030;1020",
        "07-09-2021;12:00;Nord-1;1080;1070",
        "07-09-2021;13:00;Nord-1;15;14",
        "07-09-2021;14:00;Nord-1;40;39",
    )
    load(counted, data)
    readings = list(CounterReading.objects.order_by("starts_at").values_list("count_in", "reset"))
    # The first value only sets the start; 1080 → 15 is a reset: 15 counted since.
    assert readings == [(30, False), (50, False), (15, True), (25, False)]
    day = DailyVisits.objects.get()
    assert day.visits == Decimal("120.0") and "reset" in day.flags


def test_a_bad_file_names_each_row_and_saves_nothing(counted):
    data = csv(
        "07-09-2021;10:00;Nord-1;12;10",
        "31-09-2021;11:00;Nord-1;20;20",
        "07-09-2021;12:00;Nord-1;tyve;20",
        "07-09-2021;13:00;Nord-1;-3;2",
        "07-09-2021;14:00;Syd-9;1;1",
    )
    with pytest.raises(ImportRejected) as error:
        load(counted, data)
    assert [str(e) for e in error.value.errors] == [
        "t.csv, linje 2, kolonne tæller: Ukendt sensor: vælg et bibliotek i feltet “Opret "
        "ukendte sensorer ved” for at oprette den dér, eller tilføj den først på siden "
        "Sensorer. (værdi: 'Nord-1')",
        "t.csv, linje 3, kolonne dato/tid: Ikke en dato og et tidspunkt; skriv f.eks. "
        "07-09-2021 08:15 eller 2021-09-07 08:15. (værdi: '31-09-2021 11:00')",
        "t.csv, linje 4, kolonne ind: Ikke et helt tal. (værdi: 'tyve')",
        "t.csv, linje 5, kolonne ind: Et antal kan ikke være negativt. (værdi: '-3')",
        "t.csv, linje 6, kolonne tæller: Ukendt sensor: vælg et bibliotek i feltet “Opret "
        "ukendte sensorer ved” for at oprette den dér, eller tilføj den først på siden "
        "Sensorer. (værdi: 'Syd-9')",
    ]
    assert CounterReading.objects.count() == 0 and Sensor.objects.count() == 0


def weeks_of_readings(world, sensor, days, per_day=100):
    for day in days:
        CounterReading.objects.create(
            sensor=sensor,
            starts_at=_at(day, 10),
            ends_at=_at(day, 11),
            count_in=per_day,
            count_out=per_day,
        )


def _at(day, hour):
    from datetime import datetime

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_closed_days_missing_days_and_spikes_are_flagged_and_explained(counted):
    sensor = Sensor.objects.create(
        organisation=counted.organisation, branch=counted.north, name="Nord-1", rule="in"
    )
    Closure.objects.create(
        organisation=counted.organisation,
        start_date=date(2021, 3, 1),
        end_date=date(2021, 3, 1),
        reason="Strømsvigt",
    )
    tuesdays = [
        date(2021, 2, 2),
        date(2021, 2, 9),
        date(2021, 2, 16),
        date(2021, 2, 23),
        date(2021, 3, 2),
    ]
    weeks_of_readings(counted, sensor, tuesdays[:4])
    weeks_of_readings(counted, sensor, [date(2021, 3, 1)], per_day=40)  # counted while closed
    weeks_of_readings(counted, sensor, [tuesdays[4]], per_day=180)  # 80 % above usual
    weeks_of_readings(counted, sensor, [date(2021, 3, 10)])  # after a missing Tuesday 9 March
    derive_days(sensor=sensor)
    closed = DailyVisits.objects.get(day=date(2021, 3, 1))
    assert (closed.visits, closed.original_visits, closed.flags) == (
        Decimal("0"),
        Decimal("40.0"),
        ["closed"],
    )
    assert "Strømsvigt" in closed.note
    spike = DailyVisits.objects.get(day=tuesdays[4])
    assert spike.flags == ["spike"] and spike.visits == Decimal("180.0")
    missing = DailyVisits.objects.get(day=date(2021, 3, 9))
    # The average of the previous four Tuesdays: (100 + 100 + 100 + 180) / 4.
    assert (missing.estimated, missing.visits, missing.flags) == (
        True,
        Decimal("120.0"),
        ["estimated"],
    )
    assert not DailyVisits.objects.filter(day=date(2021, 3, 7)).exists()  # Sunday: closed
    review_day(daily=closed, accept=False)
    closed.refresh_from_db()
    assert closed.visits == Decimal("40.0") and closed.review == "overruled"
    derive_days(sensor=sensor)  # a re-derivation keeps the decision
    assert DailyVisits.objects.get(day=date(2021, 3, 1)).visits == Decimal("40.0")


def test_visits_reach_the_goal_with_the_estimated_share(counted):
    sensor = Sensor.objects.create(
        organisation=counted.organisation, branch=counted.north, name="Nord-1", rule="in"
    )
    weeks_of_readings(
        counted,
        sensor,
        [
            date(2021, 2, 2),
            date(2021, 2, 9),
            date(2021, 2, 16),
            date(2021, 2, 23),
            date(2021, 3, 9),
        ],
    )
    derive_days(sensor=sensor)
    area = FocusArea.objects.create(
        budget_year=BudgetYear.objects.create(organisation=counted.organisation, year=2021),
        title="Mødested",
    )
    Target.objects.create(
        focus_area=area, indicator="visits", kind="at_least", threshold=Decimal("100000")
    )
    [row] = status_rows(organisation=counted.organisation, year=2021, at=date(2021, 3, 9))
    estimated = DailyVisits.objects.filter(estimated=True).aggregate(n=Sum("visits"))["n"]
    assert row["actual"] == float(500 + estimated)
    assert any("skøn" in note for note in row["notes"])


def test_manual_counts_and_new_users_are_typed(client, counted):
    client.force_login(counted.staff)
    response = client.post(
        reverse("visits:manual"), {"branch": counted.north.pk, "day": "2021-03-02", "visits": 87}
    )
    assert response.status_code == 302
    client.force_login(counted.manager)
    response = client.post(
        reverse("visits:new_users"),
        {"branch": counted.north.pk, "month": "2021-03", "registrations": 41},
    )
    assert response.status_code == 302
    from bibliotal.visits.models import ManualCount, NewUserCount

    assert ManualCount.objects.get().visits == 87
    assert NewUserCount.objects.get().month == date(2021, 3, 1)


@pytest.mark.parametrize(
    ("who", "page", "status"),
    [
        ("staff", "visits:overview", 200),
        ("staff", "visits:flags", 403),
        ("staff", "visits:import", 403),
        ("staff", "visits:formats", 403),
        ("manager", "visits:flags", 200),
        ("manager", "visits:formats", 200),
        ("outsider", "visits:overview", 403),
    ],
)
def test_who_sees_which_visits_page(client, world, who, page, status):
    client.force_login(getattr(world, who))
    assert client.get(reverse(page)).status_code == status


def test_the_demo_has_a_normal_year_and_what_cleaning_must_find(db):
    call_command("demo", "--no-serve")
    total = DailyVisits.objects.filter(day__year=2019).aggregate(n=Sum("visits"))["n"]
    assert 550_000 <= total <= 600_000
    flags = {f for day in DailyVisits.objects.exclude(flags=[]) for f in day.flags}
    assert {"reset", "estimated", "suspect", "closed"} <= flags


def test_the_import_page_previews_then_imports(client, counted):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(counted.manager)
    data = csv("07-09-2021;10:00;Nord-1;12;10", "07-09-2021;11:00;Nord-1;20;20")
    preview = client.post(
        reverse("visits:import"),
        {"file": SimpleUploadedFile("t.csv", data), "branch": counted.north.pk, "rule": "in"},
    )
    assert preview.status_code == 200 and CounterReading.objects.count() == 0
    confirm = preview.context["confirm"]
    response = client.post(reverse("visits:import"), {"confirm": "1", **confirm})
    assert response.status_code == 302
    assert DailyVisits.objects.get().visits == Decimal("32.0")
    # The stashed file is used once: confirming again finds nothing.
    assert client.post(reverse("visits:import"), {"confirm": "1", **confirm}).status_code == 404


def test_the_wide_format_has_a_column_pair_per_sensor(counted):
    data = csv(
        "07-09-2021;10:00;12;10;5;4",
        "07-09-2021;11:00;20;20;1;3",
        header="Dato;Tid;Hovedindgang ind;Hovedindgang ud;Gården ind;Gården ud",
    )
    result = load(counted, data, branch=counted.north, rule="half")
    assert sorted(result.new_sensors) == ["Gården", "Hovedindgang"]
    visits = dict(DailyVisits.objects.values_list("sensor__name", "visits"))
    assert visits == {"Hovedindgang": Decimal("31.0"), "Gården": Decimal("6.5")}


def xlsx(rows) -> bytes:
    """A workbook as Excel saves it: real date-time, time and number cells, not text."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_excel_workbook_imports_like_the_csv_file(counted):
    data = xlsx(
        [
            ["Tidspunkt", "Tæller", "Ind", "Ud"],
            [datetime(2021, 9, 7, 10, 0), "Nord-1", 12, 10],
            [datetime(2021, 9, 7, 11, 0), "Nord-1", 1234, 1230.0],
        ]
    )
    result = load(counted, data, branch=counted.north, rule="half")
    assert (result.created, result.new_sensors) == (2, ["Nord-1"])
    assert DailyVisits.objects.get().visits == Decimal("1243.0")
    assert load(counted, data, branch=counted.north).already_imported


def test_an_excel_row_error_names_the_row_excel_shows(counted):
    data = xlsx(
        [
            [],
            ["Dato", "Tid", "Tæller", "Ind", "Ud"],
            [date(2021, 9, 7), time(10, 0), "Nord-1", 12, 10],
            [date(2021, 9, 7), time(11, 0), "Nord-1", "mange", 10],
        ]
    )
    with pytest.raises(ImportRejected) as error:
        import_counter_file(
            organisation=counted.organisation, data=data, filename="juli.xlsx", branch=counted.north
        )
    assert str(error.value.errors[0]).startswith("juli.xlsx, linje 4, kolonne ind:")
    assert not DailyVisits.objects.exists()


def test_a_damaged_workbook_is_refused_with_its_name(counted):
    with pytest.raises(ImportRejected) as error:
        import_counter_file(
            organisation=counted.organisation, data=b"PK\x03\x04broken", filename="x.xlsx"
        )
    message = str(error.value.errors[0])
    assert message.startswith("x.xlsx, linje 1")
    assert "Excel" in message


def test_the_heat_map_averages_each_weekday_hour_over_its_days(world):
    from bibliotal.visits.heatmap import weekday_hour

    gate = Sensor.objects.create(
        organisation=world.organisation, branch=world.north, name="Nord-1", rule="half"
    )
    side = Sensor.objects.create(
        organisation=world.organisation, branch=world.north, name="Nord-2", rule="in"
    )

    def reading(sensor, day, hour, count_in, count_out, hours=1, **extra):
        CounterReading.objects.create(
            sensor=sensor,
            starts_at=_at(day, hour),
            ends_at=_at(day, hour) + timedelta(hours=hours),
            count_in=count_in,
            count_out=count_out,
            **extra,
        )

    tuesday, next_tuesday, wednesday = date(2021, 9, 7), date(2021, 9, 14), date(2021, 9, 8)
    reading(gate, tuesday, 10, 10, 10)  # half: 10
    reading(gate, next_tuesday, 10, 24, 16)  # half: 20
    reading(side, next_tuesday, 10, 6, 100)  # in: 6
    reading(gate, wednesday, 12, 4, 4)
    reading(gate, wednesday, 13, 900, 900, suspect=True)  # a fault: left out
    reading(gate, date(2021, 9, 9), 0, 500, 500, hours=24)  # a day's total says nothing of hours

    heat = weekday_hour(branch_ids=[world.north.pk], start=date(2021, 1, 1), end=date(2021, 12, 31))
    assert heat.hours == [10, 11, 12]
    assert heat.days == 3
    cells = {(row.weekday, cell.hour): cell for row in heat.rows for cell in row.cells}
    assert cells[2, 10].visits == 18  # (10 + 20 + 6) / two Tuesdays
    assert cells[2, 10].level == 5
    assert cells[3, 12].visits == 4 and cells[3, 12].level == 1
    assert cells[2, 11].visits is None and cells[2, 11].level == 0
    assert (
        weekday_hour(branch_ids=[world.south.pk], start=date(2021, 1, 1), end=date(2021, 12, 31))
        is None
    )


def test_the_heat_map_places_intervals_by_the_local_clock_when_it_changes(world):
    """The autumn night has two hours from two to three, the spring night none: each interval
    goes to the hour the library's clock showed (worked out from its epoch seconds in polars)."""
    from datetime import UTC, datetime

    from bibliotal.visits.heatmap import weekday_hour

    gate = Sensor.objects.create(
        organisation=world.organisation, branch=world.north, name="Nord-1", rule="in"
    )
    for starts_at, count_in in (
        (datetime(2021, 10, 31, 0, 0, tzinfo=UTC), 5),  # 02.00 summer time, a Sunday
        (datetime(2021, 10, 31, 1, 0, tzinfo=UTC), 7),  # 02.00 again, winter time
        (datetime(2021, 3, 28, 0, 45, tzinfo=UTC), 1),  # 01.45, before the clock skips to 03
        (datetime(2021, 3, 28, 1, 0, tzinfo=UTC), 2),  # 03.00 summer time
        (datetime(2021, 12, 31, 23, 30, tzinfo=UTC), 3),  # 00.30 on New Year's Day 2022
    ):
        CounterReading.objects.create(
            sensor=gate,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=15),
            count_in=count_in,
            count_out=0,
        )
    heat = weekday_hour(branch_ids=[world.north.pk], start=date(2021, 1, 1), end=date(2021, 12, 31))
    cells = {(row.weekday, cell.hour): cell.visits for row in heat.rows for cell in row.cells}
    assert heat.hours == [1, 2, 3]
    assert heat.days == 2  # two Sundays; New Year's Day 2022 is outside the year
    assert cells[7, 2] == 6  # (5 + 7) over two Sundays
    assert cells[7, 1] == 0.5 and cells[7, 3] == 1


def test_the_overview_shows_the_heat_map_in_danish(client, world):
    gate = Sensor.objects.create(
        organisation=world.organisation, branch=world.north, name="Nord-1", rule="half"
    )
    CounterReading.objects.create(
        sensor=gate,
        starts_at=_at(date(2021, 9, 7), 10),
        ends_at=_at(date(2021, 9, 7), 11),
        count_in=30,
        count_out=30,
    )
    client.force_login(world.staff)
    page = client.get(reverse("visits:overview"), {"year": 2021}).content.decode()
    assert "Hvornår kommer folk" in page
    assert '<th scope="row">Tirsdag</th><td class="heat-0">–</td>' not in page
    assert '<th scope="row">Tirsdag</th><td class="heat-5">30</td>' in page
    empty = client.get(reverse("visits:overview"), {"year": 2020}).content.decode()
    assert "ingen kort over timerne" in empty
    # The map is kept between requests, and made again when the readings change: a new one,
    # or one that a newer file marks faulty (readings change only by imports, each with its
    # batch).
    later = CounterReading.objects.create(
        sensor=gate,
        starts_at=_at(date(2021, 9, 14), 10),
        ends_at=_at(date(2021, 9, 14), 11),
        count_in=10,
        count_out=10,
    )
    page = client.get(reverse("visits:overview"), {"year": 2021}).content.decode()
    assert '<th scope="row">Tirsdag</th><td class="heat-5">20</td>' in page  # (30 + 10) / 2
    newer = ImportBatch.objects.create(
        organisation=world.organisation, kind="visits", filename="rettet.csv", sha256="rettet"
    )
    CounterReading.objects.filter(pk=later.pk).update(suspect=True, batch=newer)
    page = client.get(reverse("visits:overview"), {"year": 2021}).content.decode()
    assert '<th scope="row">Tirsdag</th><td class="heat-5">30</td>' in page


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_command_imports_with_a_progress_bar_on_a_terminal(counted, tmp_path):
    path = tmp_path / "nord.csv"
    rows = [
        f"{day:02d}-09-2021;{hour}:00;Nord-1;5;5" for day in range(1, 29) for hour in range(10, 18)
    ]
    path.write_bytes(csv(*rows))
    out, terminal = io.StringIO(), Terminal()
    call_command(
        "import",
        "visits",
        str(path),
        "--branch",
        "Nord Bibliotek",
        "--organisation",
        counted.organisation.name,
        stdout=out,
        stderr=terminal,
    )
    assert "224 nye intervaller" in out.getvalue()
    drawn = terminal.getvalue()
    for phase in ("Kontrollerer", "Skriver", "Renser"):  # the command speaks Danish
        assert f"{phase:<13} [{'#' * 30}] 100%" in drawn
    assert "6 / 6 kB" in drawn and "1 / 1" in drawn and "\r" in drawn  # bytes, sensors
    # Not a terminal (a log, a pipe): no bar, only the summary on stdout.
    quiet = io.StringIO()
    path.write_bytes(csv(*rows, "29-09-2021;10:00;Nord-1;5;5"))
    call_command(
        "import",
        "visits",
        str(path),
        "--organisation",
        counted.organisation.name,
        stdout=io.StringIO(),
        stderr=quiet,
    )
    assert quiet.getvalue() == ""


def test_visits_are_split_between_staffed_and_self_service_hours(client, world):
    from bibliotal.core.opening import opening_calendar
    from bibliotal.visits.split import staffed_split

    weekly_schedule(world.north, staffed=(time(10), time(16)), self_service=(time(7), time(22)))
    gate = Sensor.objects.create(
        organisation=world.organisation, branch=world.north, name="Nord-1", rule="half"
    )
    tuesday = date(2021, 9, 7)

    def reading(hour, minute, count, minutes=60, **extra):
        starts = _at(tuesday, hour) + timedelta(minutes=minute)
        CounterReading.objects.create(
            sensor=gate,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=minutes),
            count_in=count,
            count_out=count,
            **extra,
        )

    reading(8, 0, 4)  # self-service morning
    reading(10, 30, 10, minutes=15)  # staffed
    reading(17, 0, 6)  # self-service evening
    reading(23, 0, 2)  # after closing: counted apart
    reading(12, 0, 500, suspect=True)  # a fault: left out

    calendar = opening_calendar(
        branches=[world.north], start=date(2021, 1, 1), end=date(2021, 12, 31)
    )
    split = staffed_split(calendars=calendar, start=date(2021, 1, 1), end=date(2021, 12, 31))
    rows = {row.kind: row for row in split.rows}
    assert (rows["staffed"].visits, rows["staffed"].hours) == (10, 6)
    assert (rows["self_service"].visits, rows["self_service"].hours) == (10, 9)
    assert (rows["outside"].visits, rows["outside"].hours) == (2, None)
    assert rows["staffed"].share == pytest.approx(10 / 22)
    assert split.days == 1
    # The page reads the map and the split in one pass over the intervals: the same answers.
    from bibliotal.visits.heatmap import weekday_hour
    from bibliotal.visits.split import map_and_split

    year = {"start": date(2021, 1, 1), "end": date(2021, 12, 31)}
    heat, together = map_and_split(calendars=calendar, **year)
    assert together == split
    assert heat == weekday_hour(branch_ids=[world.north.pk], **year) and heat is not None

    client.force_login(world.staff)
    page = client.get(
        reverse("visits:overview"), {"year": 2021, "branch": world.north.pk}
    ).content.decode()
    assert '<th scope="row">Betjente timer</th><td>10</td>' in page
    assert '<th scope="row">Uden for åbningstiden</th><td>2</td>' in page


def test_new_users_import_from_the_library_system_replaces_typed_months(client, world):
    from bibliotal.visits.importers import import_new_users
    from bibliotal.visits.models import NewUserCount

    NewUserCount.objects.create(branch=world.north, month=date(2021, 3, 1), registrations=5)
    data = (
        "Måned;Filial;Nye lånere\n"
        "2021-03;Nord Bibliotek;41\n"
        "marts 2021;Syd Bibliotek;12\n"
        "04-2021;Nord Bibliotek;1.203\n"
    ).encode("cp1252")
    result = import_new_users(organisation=world.organisation, data=data, filename="fbs.csv")
    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)
    counts = {
        (c.branch.name, c.month.month): (c.registrations, c.source)
        for c in NewUserCount.objects.select_related("branch")
    }
    assert counts == {
        ("Nord Bibliotek", 3): (41, "imported"),
        ("Syd Bibliotek", 3): (12, "imported"),
        ("Nord Bibliotek", 4): (1203, "imported"),
    }
    assert AuditEntry.objects.filter(model="visits.NewUserCount", action="update").exists()
    assert import_new_users(
        organisation=world.organisation, data=data, filename="fbs.csv"
    ).already_imported

    bad = (
        "Måned;Filial;Nye lånere\n"
        "2021-13;Nord Bibliotek;4\n"
        "2021-05;Vest;2\n"
        "2021-05;Nord Bibliotek;-1\n"
    )
    client.force_login(world.manager)
    response = client.post(
        reverse("visits:new_users"),
        {"upload": "1", "file": io.BytesIO(bad.encode())},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "linje 2, kolonne måned: Ikke en måned" in page
    assert "linje 3, kolonne filial: Intet af jeres biblioteker hedder sådan" in page
    assert "linje 4, kolonne nye lånere: Ikke et helt tal på 0 eller mere" in page
    assert NewUserCount.objects.count() == 3
