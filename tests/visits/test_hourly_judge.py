"""The hourly check on whole columns (``visits.plausibility._judge``) gives each hour exactly
the verdict ``core.plausibility.judge`` gives it against the sensor's other hours with visits in
the same hour of the week: the same kind, normal, history and modified z, to the last bit."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from bibliotal.core import plausibility as core
from bibliotal.visits import frames, plausibility
from bibliotal.visits.models import Sensor

TZ = ZoneInfo("Europe/Copenhagen")
FIRST = int(datetime(2021, 3, 1, tzinfo=UTC).timestamp())  # the spring hour comes in March
SENSORS = [
    Sensor(pk=1, name="Ind", rule=Sensor.Rule.IN),
    Sensor(pk=2, name="Halv", rule=Sensor.Rule.HALF),
    Sensor(pk=3, name="Ud", rule=Sensor.Rule.OUT),
]
# Mostly an ordinary hour, some empty, some far above, a few above any ceiling; hours and
# half hours, readings of a day or two.
COUNTS = st.one_of(
    st.integers(20, 90), st.just(0), st.integers(400, 3000), st.integers(3601, 50_000)
)
LENGTHS = st.sampled_from([3600, 3600, 3600, 1800, 5400, 9000, 86_400, 172_800])


def reference(sensor, hours):
    """Each of the batch's hours judged one at a time, as the check did before it ran on
    columns: against the same slot's other hours with visits."""
    rows = []
    for _id, epoch, count_in, count_out, until, mine in hours:
        local = datetime.fromtimestamp(epoch, TZ)
        length = max(1, round((until - epoch) / 3600))
        visits = sensor.visits(count_in, count_out)
        slot = (local.weekday(), local.hour if length < 24 else -1)
        rows.append((epoch, slot, length, visits, mine))
    found = {}
    for epoch, slot, length, visits, mine in rows:
        if not mine:
            continue
        history = [v for _e, s, _l, v, _m in rows if s == slot and v > 0]
        if visits > 0:
            history.remove(visits)
        found[epoch] = core.judge(
            visits,
            history,
            ceiling=plausibility.DAILY_CEILING
            if length >= 24
            else min(plausibility.HOURLY_CEILING * length, plausibility.DAILY_CEILING),
            min_excess=plausibility.MIN_EXCESS * (length if length < 24 else 10),
        )
    return found


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(SENSORS),
            st.integers(0, 24 * 7 * 10),  # an hour in ten weeks
            COUNTS,
            COUNTS,
            LENGTHS,
            st.booleans(),
        ),
        min_size=1,
        max_size=120,
    )
)
def test_each_hour_gets_the_verdict_judge_gives_it(drawn):
    hours, seen = [], set()
    for sensor, offset, count_in, count_out, length, mine in drawn:
        epoch = FIRST + offset * 3600
        if (sensor.pk, epoch) in seen:
            continue  # one row per sensor and hour, as frames.hourly groups them
        seen.add((sensor.pk, epoch))
        hours.append((sensor.pk, epoch, count_in, count_out, epoch + length, int(mine)))
    hours.sort()
    rows = hours
    hours = pl.DataFrame(rows, schema=frames.HOURS, orient="row")
    result = plausibility.CheckResult([], {})
    plausibility._judge(SENSORS, hours, result, TZ)
    # A few slots at a time (memory bounded by the pairs of hours judged together): the same.
    few = plausibility.CheckResult([], {})
    kept, plausibility.PAIRS_AT_A_TIME = plausibility.PAIRS_AT_A_TIME, 7
    try:
        plausibility._judge(SENSORS, hours, few, TZ)
    finally:
        plausibility.PAIRS_AT_A_TIME = kept
    assert (few.checked, few.short, few.findings) == (
        result.checked,
        result.short,
        result.findings,
    )

    expected = {
        sensor.pk: reference(sensor, [h for h in rows if h[0] == sensor.pk]) for sensor in SENSORS
    }
    assert result.checked == sum(len(v) for v in expected.values())
    short = {
        sensor.name: sum(v.kind == core.SHORT for v in expected[sensor.pk].values())
        for sensor in SENSORS
    }
    assert result.short == {name: n for name, n in short.items() if n}
    held = [
        (sensor.pk, epoch, verdict)
        for sensor in SENSORS
        for epoch, verdict in sorted(expected[sensor.pk].items())
        if verdict.held
    ]
    assert [(f.sensor.pk, int(f.starts_at.timestamp()), f.verdict) for f in result.findings] == held
