"""The same counter week in each format: the presets, a user's own mapping, and what cleaning does.

The week (Nord Bibliotek is open Monday to Saturday, 10–18) is written by hand below as a
cumulative register read at 10, 13 and 16 o'clock, and cut into two files that overlap on
Friday. Hand-checked visits, (in + out) / 2 of the differences:

    Mon  6 Sep   in 40 + 60, out 40 + 60               = 100 (10:00 only sets the start)
    Tue  7 Sep   in 50 + 50, out 50 + 46               =  98
    Wed  8 Sep   in 30 + 70, out 30 + 70               = 100
    Thu  9 Sep   in 45 + 55, out 45 + 55               = 100
    Fri 10 Sep   in 20 + 60, out 20 + 60               =  80 (in both files: counted once)
    Sat 11 Sep   the register drops to 25: a reset, 25 + 35 = 60
    Sun 12 Sep   closed: 12 counted, kept as the original, visits 0
    Mon 13 Sep   missing: estimated from the Monday before = 100
    Tue 14 Sep   in 70 + 50, out 70 + 50               = 120
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from bibliotal.core.imports import ImportRejected
from bibliotal.visits.importers import import_counter_file
from bibliotal.visits.models import CounterFormat, CounterReading, DailyVisits, Sensor
from tests.conftest import weekly_schedule

# (day of September 2021, hour, register in, register out)
REGISTER = [
    (6, 10, 1000, 990), (6, 13, 1040, 1030), (6, 16, 1100, 1090),
    (7, 10, 1100, 1090), (7, 13, 1150, 1140), (7, 16, 1200, 1186),
    (8, 10, 1200, 1186), (8, 13, 1230, 1216), (8, 16, 1300, 1286),
    (9, 10, 1300, 1286), (9, 13, 1345, 1331), (9, 16, 1400, 1386),
    (10, 10, 1400, 1386), (10, 13, 1420, 1406), (10, 16, 1480, 1466),
    (11, 10, 1480, 1466), (11, 13, 25, 25), (11, 16, 60, 60),
    (12, 10, 60, 60), (12, 13, 70, 70), (12, 16, 72, 72),
    (14, 10, 72, 72), (14, 13, 142, 142), (14, 16, 192, 192),
]  # fmt: skip
FIRST = [r for r in REGISTER if r[0] <= 10]  # Monday to Friday
SECOND = [r for r in REGISTER if r[0] >= 10]  # Friday again, to Tuesday
EXPECTED = {
    date(2021, 9, 6): ("100.0", []),
    date(2021, 9, 7): ("98.0", []),
    date(2021, 9, 8): ("100.0", []),
    date(2021, 9, 9): ("100.0", []),
    date(2021, 9, 10): ("80.0", []),
    date(2021, 9, 11): ("60.0", ["reset"]),
    date(2021, 9, 12): ("0.0", ["closed"]),
    date(2021, 9, 13): ("100.0", ["estimated"]),
    date(2021, 9, 14): ("120.0", []),
}


def generic(rows):
    lines = ["Dato;Tid;Tæller;Ind;Ud"]
    lines += [f"{d:02d}-09-2021;{h:02d}:00;Nord-1;{i};{o}" for d, h, i, o in rows]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def axis(rows):
    lines = ["Serial number,ACCC8E0F00D1", "Name,Nord-1", "", "Interval start,Interval end,In,Out"]
    for d, h, i, o in rows:
        start = datetime(2021, 9, d, h)
        end = start + timedelta(hours=1)
        lines.append(f"{start:%Y-%m-%dT%H:%M:%S}+02:00,{end:%Y-%m-%dT%H:%M:%S}+02:00,{i},{o}")
    return ("\n".join(lines) + "\n").encode()


def hella(rows, *, covered=(8, 13)):
    lines = ["record_id;timestamp;period;status;Nord-1_SUM_IN;Nord-1_SUM_OUT"]
    for number, (d, h, i, o) in enumerate(rows, start=1):
        end = datetime(2021, 9, d, h) + timedelta(hours=1)  # Hella stamps the period's end
        status = 1 if (d, h) == covered else 0
        lines.append(f"{number};{end:%Y-%m-%d %H:%M:%S};3600;{status};{i};{o}")
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


@pytest.fixture
def nord(world):
    world.organisation.closed_on_public_holidays = False
    world.organisation.save()
    weekly_schedule(world.north, staffed=(time(10), time(18)), weekdays=range(6))
    Sensor.objects.create(
        organisation=world.organisation,
        branch=world.north,
        name="Nord-1",
        rule="half",
        register="cumulative",
    )
    return world


def load(world, data, name, **options):
    return import_counter_file(organisation=world.organisation, data=data, filename=name, **options)


def days():
    return {
        d.day: (str(d.visits), d.flags)
        for d in DailyVisits.objects.filter(sensor__name="Nord-1").order_by("day")
    }


@pytest.mark.parametrize(
    "writer, preset, extra",
    [
        (generic, "generic", {}),
        (axis, "axis", {}),
        (hella, "hella", {date(2021, 9, 8): ("100.0", ["suspect"])}),
    ],
)
def test_each_preset_gives_the_hand_checked_week(nord, writer, preset, extra):
    first = load(nord, writer(FIRST), f"uge-a.{preset}.csv")
    assert (first.format, first.created, first.new_sensors) == (preset, 14, [])
    second = load(nord, writer(SECOND), f"uge-b.{preset}.csv")
    # Friday's three readings are in both files: the overlap counts once.
    assert (second.created, second.unchanged, second.replaced) == (9, 3, 0)
    assert days() == {**EXPECTED, **extra}
    closed = DailyVisits.objects.get(day=date(2021, 9, 12))
    assert closed.original_visits == Decimal("12.0")  # the count is kept, not the visit
    assert sum(Decimal(v) for v, _flags in days().values()) == Decimal("758.0")


def test_a_named_preset_is_used_even_where_another_would_be_recognised(nord):
    with pytest.raises(ImportRejected) as error:
        load(nord, generic(FIRST), "uge.csv", preset="hella")
    assert str(error.value.errors[0]) == (
        "uge.csv, linje 1, kolonne timestamp, period, <count line>_SUM_IN: Overskriften "
        "mangler en påkrævet kolonne. (værdi: 'Dato;Tid;Tæller;Ind;Ud')"
    )
    with pytest.raises(ImportRejected) as error:
        load(nord, generic(FIRST), "uge.csv", preset="gates")
    assert "Der findes intet format med det navn" in str(error.value.errors[0])


def test_hella_stamps_the_end_so_a_midnight_row_belongs_to_the_day_before(nord):
    Sensor.objects.create(
        organisation=nord.organisation, branch=nord.north, name="Indgang", rule="in"
    )
    data = (
        b"record_id;timestamp;period;status;Indgang_SUM_IN;Indgang_SUM_OUT\n"
        b"1;2021-09-07 23:45:00;900;0;3;2\n"
        b"2;2021-09-08 00:00:00;900;5;4;4\n"
    )
    result = load(nord, data, "natten.csv")
    assert result.format == "hella"
    readings = CounterReading.objects.filter(sensor__name="Indgang").order_by("starts_at")
    starts = [(r.starts_at.astimezone().strftime("%d %H:%M"), r.suspect) for r in readings]
    assert starts == [("07 23:30", False), ("07 23:45", True)]  # status 5: too bright
    day = DailyVisits.objects.get(sensor__name="Indgang")
    # 23:30 on a Tuesday is outside opening hours (10–18): set aside, the count kept.
    assert (day.day, day.visits, day.original_visits) == (date(2021, 9, 7), 0, Decimal("7.0"))
    assert day.flags == ["suspect", "closed_hours"]


def test_a_saved_mapping_reads_a_format_of_her_own(nord):
    CounterFormat.objects.create(
        organisation=nord.organisation,
        name="porte",
        timestamp_column="Målt",
        timestamp_marks="end",
        interval_minutes=60,
        sensor_column="Port",
        in_column="Antal ind",
        out_column="Antal ud",
        status_column="Fejl",
        ok_statuses="nej",
    )
    lines = ["Målt;Port;Antal ind;Antal ud;Fejl"]
    for d, h, i, o in FIRST:
        lines.append(f"{d:02d}.09.2021 {h + 1:02d}:00;Nord-1;{i};{o};{'ja' if d == 9 else 'nej'}")
    result = load(nord, ("\n".join(lines) + "\n").encode("cp1252"), "porte.csv")
    assert (result.format, result.created) == ("porte", 14)
    reading = CounterReading.objects.order_by("starts_at").first()
    assert reading.starts_at.astimezone().strftime("%d %H:%M") == "06 13:00"  # 14:00 minus 1 hour
    assert days()[date(2021, 9, 9)] == ("100.0", ["suspect"])
    assert days()[date(2021, 9, 7)] == ("98.0", [])


def test_the_same_interval_twice_in_one_file_with_other_counts_is_refused(nord):
    Sensor.objects.create(
        organisation=nord.organisation, branch=nord.north, name="Syd-1", rule="in"
    )
    data = (
        b"Tidspunkt;Sensor;Ind;Ud\n"
        b"2021-09-07 10:00;Syd-1;5;5\n"
        b"2021-09-07 10:00;Syd-1;5;5\n"
        b"2021-09-07 11:00;Syd-1;6;6\n"
        b"2021-09-07 11:00;Syd-1;7;6\n"
    )
    with pytest.raises(ImportRejected) as error:
        load(nord, data, "dobbelt.csv")
    assert [str(e) for e in error.value.errors] == [
        "dobbelt.csv, linje 5, kolonne ind/ud: Denne sensor og dette interval kom tidligere i "
        "filen (linje 4) med andre tal. (værdi: '7/6')"
    ]
    assert CounterReading.objects.filter(sensor__name="Syd-1").count() == 0


def test_the_autumn_hour_that_happens_twice_is_read_in_order(nord):
    Sensor.objects.create(organisation=nord.organisation, branch=nord.north, name="Døgn", rule="in")
    rows = ["01:30", "02:00", "02:30", "02:00", "02:30", "03:00"]  # 31 October 2021, local time
    data = (
        "Dato;Tid;Sensor;Ind;Ud\n"
        + "".join(f"31-10-2021;{t};Døgn;{n};0\n" for n, t in enumerate(rows, start=1))
    ).encode()
    assert load(nord, data, "sommertid.csv").created == 6
    offsets = [
        r.starts_at.astimezone().strftime("%H:%M%z")
        for r in CounterReading.objects.filter(sensor__name="Døgn").order_by("starts_at")
    ]
    assert offsets == [
        "01:30+0200",
        "02:00+0200",
        "02:30+0200",
        "02:00+0100",
        "02:30+0100",
        "03:00+0100",
    ]


def test_the_page_keeps_a_users_format_and_previews_with_flags_explained(client, nord):
    client.force_login(nord.manager)
    response = client.post(
        reverse("visits:formats"),
        {
            "name": "porte",
            "timestamp_column": "Målt",
            "timestamp_marks": "start",
            "sensor_column": "Port",
            "in_column": "Antal ind",
            "out_column": "Antal ud",
            "ok_statuses": "0,ok",
        },
    )
    assert response.status_code == 302
    assert CounterFormat.objects.get(organisation=nord.organisation).in_column == "Antal ind"
    second = load(nord, hella(FIRST), "a.csv")
    assert second.created == 14
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("visits:import"),
        {"file": SimpleUploadedFile("b.csv", hella(SECOND)), "rule": "half", "preset": ""},
    )
    page = response.content.decode()
    assert "Hella" in page
    assert "1 dag uden tal er anslået" in page
    assert "1 dag med tal på en lukket dag" in page
    assert DailyVisits.objects.filter(day=date(2021, 9, 13)).count() == 0  # only a preview


def test_counts_outside_opening_hours_are_set_aside_and_can_be_restored(nord):
    from bibliotal.visits.cleaning import review_day

    Sensor.objects.create(
        organisation=nord.organisation, branch=nord.north, name="Aften", rule="in"
    )
    data = (
        b"Dato;Tid;Sensor;Ind;Ud\n"
        b"07-09-2021;09:45;Aften;2;0\n"  # staff, within the half hour before opening
        b"07-09-2021;12:00;Aften;30;28\n"
        b"07-09-2021;18:15;Aften;3;5\n"  # staff leaving
        b"07-09-2021;19:00;Aften;40;1\n"  # an evening event after closing
    )
    load(nord, data, "aften.csv")
    day = DailyVisits.objects.get(sensor__name="Aften")
    assert (day.visits, day.original_visits, day.flags) == (35, 75, ["closed_hours"])
    review_day(daily=day, accept=False)  # the manager knows the evening event counts
    day.refresh_from_db()
    assert (day.visits, day.review) == (75, "overruled")


def test_a_file_imported_before_is_said_so_and_offers_no_import(client, nord):
    from django.core.files.uploadedfile import SimpleUploadedFile

    load(nord, hella(FIRST), "a.csv")
    client.force_login(nord.manager)
    response = client.post(
        reverse("visits:import"),
        {"file": SimpleUploadedFile("a.csv", hella(FIRST)), "rule": "half", "preset": ""},
    )
    page = response.content.decode()
    assert "Denne fil er importeret før: intet er ændret." in page
    assert "Læst som" not in page and 'name="confirm"' not in page
