"""Reading a counter file on whole columns (``visits.vectorised``) gives what the row reader
gives: the same readings, days, flags, held hours and summary, file after file.

Each case imports the same files twice, into two organisations with the same libraries and
opening hours: once row by row, once on columns, and compares everything stored.
"""

from datetime import datetime, time, timedelta

import pytest

from bibliotal.core.imports import ImportRejected
from bibliotal.visits import vectorised
from bibliotal.visits.importers import import_counter_file
from bibliotal.visits.models import CounterReading, DailyVisits, HeldHour, Sensor
from tests.conftest import make_branch, weekly_schedule


def _long(rows, header="tidspunkt;sensor;ind;ud;status", crlf=True):
    end = "\r\n" if crlf else "\n"
    return (end.join([header, *rows]) + end).encode()


def busy_fortnight():
    """Three sensors, 15 minutes, 1–14 Sep 2021: a closed Sunday with counts, counts at night,
    a missing Wednesday for one sensor, a faulty interval, an hour far above the ceiling, a
    blank row, the same row twice in a row and once further down."""
    rows = []
    for day in range(1, 15):
        for quarter in range(0, 96):
            at = datetime(2021, 9, day) + timedelta(minutes=15 * quarter)
            for number, name in enumerate(("Hoved", "Børn", "Café")):
                if name == "Café" and day == 8:
                    continue
                busy = 10 <= at.hour < 18
                count = (day * 7 + quarter * 3 + number) % 11 if busy else 0
                if at.hour == 22 and day in (3, 9):
                    count = 4  # people at night: out of the day's visits
                if name == "Hoved" and day == 13 and at.hour == 12:
                    count = 1500  # 6,000 in an hour: held for review
                status = "fejl" if (name == "Børn" and day == 6 and at.hour == 11) else "ok"
                rows.append(f"{at:%Y-%m-%d %H:%M};{name};{count};{count + number % 2};{status}")
        if day == 4:
            rows.append("")
            rows.append(rows[-2])  # the same row again, at once
    rows.append(rows[100])  # and once more, far down
    return [_long(rows)]


def wide_with_dates():
    lines = ["Dato;Tid;Hovedindgang ind;Hovedindgang ud;Børn ind;Børn ud"]
    for day in range(6, 13):
        for hour in range(8, 20):
            empty = "" if (day, hour) == (7, 9) else str((day + hour) % 9)
            lines.append(
                f"{day:02d}-09-2021;{hour:02d}:00;{hour % 7};{hour % 5};{empty};{hour % 3}"
            )
    return ["\n".join(lines).encode("utf-8-sig")]


def autumn_night():
    """Local times through the night the clocks go back: 02:00–02:45 twice."""
    stamps = [f"2021-10-30 {h:02d}:{m:02d}" for h in range(10, 18) for m in (0, 15, 30, 45)]
    night = [f"2021-10-31 {h:02d}:{m:02d}" for h in range(0, 5) for m in (0, 15, 30, 45)]
    again = [f"2021-10-31 02:{m:02d}" for m in (0, 15, 30, 45)]
    night = night[:12] + again + night[12:]
    rows = [f"{s};Hoved;{i % 5};{i % 4};" for i, s in enumerate(stamps + night)]
    return [_long(rows, crlf=False)]


def registers():
    """A cumulative register (with a reset) and a gate that returns to zero each day, in two
    files: the second continues from the register stored by the first."""

    def file(days):
        rows = []
        for day in days:
            for hour in (10, 13, 16):
                value = 1000 + day * 100 + hour * 3
                if day == 9 and hour >= 13:
                    value = hour  # the register was reset
                gate = hour * 2
                rows.append(f"2021-09-{day:02d} {hour:02d}:00;Register;{value};{value - 4};")
                rows.append(f"2021-09-{day:02d} {hour:02d}:00;Port;{gate};{gate};")
        return _long(rows)

    return [file(range(6, 9)), file(range(8, 12))]


def corrected_again():
    """A file, then a corrected one: some intervals with new counts, some the same, a new day."""
    first = [f"2021-09-{d:02d} {h:02d}:00;Hoved;{h};{h};" for d in (6, 7) for h in range(10, 18)]
    second = [
        f"2021-09-{d:02d} {h:02d}:00;Hoved;{h + (d == 7 and h > 14)};{h};"
        for d in (6, 7, 8)
        for h in range(10, 18)
    ]
    return [_long(first), _long(second)]


def irregular():
    """Hourly, then every 15 minutes; a sensor's rows out of time order; a timestamp with a
    UTC offset."""
    rows = [f"2021-09-06 {h:02d}:00;Hoved;5;5;" for h in range(10, 13)]
    rows += [f"2021-09-06 13:{m:02d};Hoved;2;2;" for m in (0, 15, 30, 45)]
    rows += [
        "2021-09-07 12:00;Børn;3;3;",
        "2021-09-07 10:00;Børn;1;1;",
        "2021-09-07 11:00;Børn;2;2;",
    ]
    rows += ["2021-09-08T10:00:00+02:00;Børn;4;4;"]
    return [_long(rows)]


CASES = {
    "busy fortnight": busy_fortnight,
    "wide with dates": wide_with_dates,
    "autumn night": autumn_night,
    "registers": registers,
    "corrected again": corrected_again,
    "irregular": irregular,
}


def _library(organisation, name):
    branch = make_branch(organisation, name)
    weekly_schedule(branch, staffed=(time(10), time(18)), weekdays=range(6))
    Sensor.objects.create(
        organisation=organisation,
        branch=branch,
        name="Register",
        register=Sensor.Register.CUMULATIVE,
    )
    Sensor.objects.create(
        organisation=organisation,
        branch=branch,
        name="Port",
        register=Sensor.Register.CUMULATIVE,
        daily_reset=True,
    )
    return branch


def _stored(organisation):
    readings = sorted(
        (r.sensor.name, r.starts_at, r.ends_at, r.count_in, r.count_out, r.register_in,
         r.register_out, r.reset, r.suspect)
        for r in CounterReading.objects.filter(sensor__organisation=organisation).select_related(
            "sensor"
        )
    )  # fmt: skip
    days = sorted(
        (d.sensor.name, d.day, d.count_in, d.count_out, d.visits, d.original_visits,
         d.estimated, tuple(d.flags), d.review, d.note)
        for d in DailyVisits.objects.filter(branch__organisation=organisation).select_related(
            "sensor"
        )
    )  # fmt: skip
    held = sorted(
        (h.sensor.name, h.starts_at, h.count_in, h.count_out, h.visits)
        for h in HeldHour.objects.filter(sensor__organisation=organisation).select_related("sensor")
    )
    return readings, days, held


def _summary(result):
    return (
        result.created,
        result.replaced,
        result.unchanged,
        result.repeated,
        sorted(result.new_sensors),
        result.days,
        result.flagged,
        result.estimated,
        result.note,
        [(f.sensor.name, f.starts_at, f.line, f.column) for f in result.findings],
        result.short_history,
    )


def _import_all(organisation, branch, files):
    return [
        _summary(
            import_counter_file(
                organisation=organisation, data=data, filename=f"fil-{n}.csv", branch=branch
            )
        )
        for n, data in enumerate(files)
    ]


@pytest.mark.parametrize("case", CASES)
def test_columns_store_what_rows_store(world, monkeypatch, case):
    files = CASES[case]()
    rows_branch = _library(world.organisation, "Rækkerne")
    by_rows = _import_all(world.organisation, rows_branch, files)  # the row reader (off below)
    rows_stored = _stored(world.organisation)
    monkeypatch.setattr(vectorised, "ENABLED", True)
    read_on_columns = []
    original = vectorised.read

    def spy(*args, **kwargs):
        found = original(*args, **kwargs)
        read_on_columns.append(found is not None)
        return found

    monkeypatch.setattr(vectorised, "read", spy)
    columns_branch = _library(world.other_organisation, "Kolonnerne")
    by_columns = _import_all(world.other_organisation, columns_branch, files)
    assert read_on_columns == [True] * len(files)
    assert by_columns == by_rows
    assert _stored(world.other_organisation) == rows_stored
    assert rows_stored[0], "the case stores readings"


@pytest.fixture(autouse=True)
def _rows_first(monkeypatch):
    monkeypatch.setattr(vectorised, "ENABLED", False)


def test_the_busy_fortnight_exercises_every_rule(world):
    """The comparison above is only worth what its files hold: every flag and a held hour."""
    branch = _library(world.organisation, "Rækkerne")
    result = import_counter_file(
        organisation=world.organisation, data=busy_fortnight()[0], filename="a.csv", branch=branch
    )
    assert set(result.flagged) == {"closed", "closed_hours", "estimated", "suspect"}
    assert [f.sensor.name for f in result.findings] == ["Hoved"]
    assert result.repeated == 2


def test_a_faulty_file_is_named_by_the_row_reader(world, monkeypatch):
    """A bad cell far down a file read on columns still gets its line, column and value."""
    monkeypatch.setattr(vectorised, "ENABLED", True)
    rows = [f"2021-09-06 {h:02d}:00;Hoved;{h};{h};" for h in range(10, 18)]
    rows[5] = "2021-09-06 15:00;Hoved;12x;15;"
    with pytest.raises(ImportRejected) as rejected:
        import_counter_file(
            organisation=world.organisation, data=_long(rows), filename="fejl.csv",
            branch=world.north,
        )  # fmt: skip
    (error,) = rejected.value.errors
    assert (error.line, error.column, error.value) == (7, "ind", "12x")
    assert not CounterReading.objects.filter(sensor__organisation=world.organisation).exists()


@pytest.mark.parametrize("case", ["busy fortnight", "registers", "autumn night"])
def test_a_group_of_sensors_at_a_time_stores_the_same(world, monkeypatch, case):
    """A file read a few sensors at a time (bounded memory) stores what it stores read whole,
    and the days are then worked out from the readings read back."""
    files = CASES[case]()
    rows_branch = _library(world.organisation, "Rækkerne")
    by_rows = _import_all(world.organisation, rows_branch, files)
    monkeypatch.setattr(vectorised, "ENABLED", True)
    monkeypatch.setattr(vectorised, "GROUP_ROWS", 40)
    monkeypatch.setattr(vectorised, "KEEP_ROWS", 0)
    columns_branch = _library(world.other_organisation, "Kolonnerne")
    assert _import_all(world.other_organisation, columns_branch, files) == by_rows
    assert _stored(world.other_organisation) == _stored(world.organisation)


def test_a_late_surprise_rolls_back_what_the_columns_wrote(world, monkeypatch):
    """The second group holds a cumulative register through the autumn hour, which only the row
    reader reads: what the first group wrote is rolled back and the row reader reads it all."""
    plain = [f"2021-10-31 {h:02d}:{m:02d};Hoved;3;3;" for h in range(0, 5) for m in (0, 30)]
    register = [f"2021-10-31 {h:02d}:{m:02d};Register;{100 + 10 * h + m};{90 + 10 * h + m};"
                for h in range(0, 5) for m in (0, 30)]  # fmt: skip
    register = register[:6] + register[4:6] + register[6:]  # 02:00 and 02:30 again
    files = [_long(plain + register)]
    rows_branch = _library(world.organisation, "Rækkerne")
    by_rows = _import_all(world.organisation, rows_branch, files)
    monkeypatch.setattr(vectorised, "ENABLED", True)
    monkeypatch.setattr(vectorised, "GROUP_ROWS", 5)
    results = []
    original = vectorised.read

    def spy(*args, **kwargs):
        results.append(original(*args, **kwargs))
        return results[-1]

    monkeypatch.setattr(vectorised, "read", spy)
    columns_branch = _library(world.other_organisation, "Kolonnerne")
    assert _import_all(world.other_organisation, columns_branch, files) == by_rows
    assert results == [None]
    assert _stored(world.other_organisation) == _stored(world.organisation)
    assert len(_stored(world.organisation)[0]) == 21
