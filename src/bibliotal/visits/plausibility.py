"""Is an imported hour plausible? Each sensor's hours against its own normal for that hour of
the week, and against a ceiling (``core.plausibility`` judges).

The normal of an hour (Tuesday 14–15, say) is the median of the sensor's visits in the same
hour of the week over the twelve weeks before the file and the file itself, leaving out hours
without visits (closed, or nothing to count); at least four such hours, or only the ceiling is
checked and the preview says so (a new sensor's first weeks).

The ceiling, ``HOURLY_CEILING`` visits an hour for one sensor, is one person every second for
the whole hour through one entrance: more than any Danish library sees in its busiest hour
(Dokk1 in Aarhus, the largest, counts some 3,000–4,000 visits on a whole day). For readings of
a day or longer the ceiling is ``DAILY_CEILING`` a day.

An hour found is written as a ``HeldHour`` when the file is imported: the readings stay as
counted, and the visits indicator leaves the hour out until a person accepts or corrects it
(``decide``). Re-importing the same readings keeps a decision; new counts for the hour are
judged afresh.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from bibliotal.core import plausibility
from bibliotal.visits.models import HeldHour, Sensor

HOURLY_CEILING = 3600  # one person a second through one entrance, all hour long
DAILY_CEILING = 20_000  # readings of a day or longer: five times Dokk1's busiest days
MIN_EXCESS = 50  # visits above the normal an hour must have, at least, to be held
HISTORY_WEEKS = 12
HOUR_SECONDS = 3600
SENSORS_AT_A_TIME = 20  # sensors whose hours are read together
PAIRS_AT_A_TIME = 1_000_000  # an hour and another of its slot, judged together (_judge)
ONE = Decimal("0.1")
HOUR = timedelta(hours=1)


@dataclass
class Finding:
    """One hour held for review, as the preview names it."""

    sensor: Sensor
    starts_at: datetime
    hours: int
    count_in: int
    count_out: int
    visits: Decimal
    verdict: plausibility.Verdict
    line: int | None = None
    column: str = ""
    decided: str = ""  # a decision already made on these same counts

    @property
    def day(self) -> date:
        return timezone.localtime(self.starts_at).date()

    def when(self) -> str:
        local = timezone.localtime(self.starts_at)
        day = formats.date_format(local.date(), "DATE_FORMAT")
        if self.hours >= 24:
            return f"{WEEKDAYS[local.weekday()]} {day}"
        end = local + HOUR * self.hours
        return _("%(weekday)s %(day)s, %(start)s–%(end)s") % {
            "weekday": WEEKDAYS[local.weekday()],
            "day": day,
            "start": f"{local:%H}",
            "end": f"{end:%H}",
        }

    def sentence(self, filename: str) -> str:
        """File, line, column, value and the normal compared with, in the user's language."""
        where = _("%(file)s, line %(line)s, column “%(column)s”") % {
            "file": filename,
            "line": self.line if self.line is not None else "?",
            "column": self.column or "?",
        }
        value = formats.number_format(self.visits, 0, force_grouping=True)
        what = _("%(sensor)s, %(when)s: %(value)s visits (in %(in)s, out %(out)s)") % {
            "sensor": self.sensor.name,
            "when": self.when(),
            "value": value,
            "in": formats.number_format(self.count_in, 0, force_grouping=True),
            "out": formats.number_format(self.count_out, 0, force_grouping=True),
        }
        verdict = self.verdict
        if verdict.kind == plausibility.CEILING:
            why = _(
                "above the ceiling of %(ceiling)s visits for one sensor (one person a second "
                "through one entrance)"
            ) % {"ceiling": formats.number_format(verdict.ceiling, 0, force_grouping=True)}
            if verdict.median is not None:
                why += "; " + _("normally %(normal)s") % {
                    "normal": formats.number_format(round(verdict.median), 0, force_grouping=True)
                }
        else:
            why = _(
                "far above the normal of %(normal)s (the median of %(n)d earlier same hours of "
                "the week)"
            ) % {
                "normal": formats.number_format(round(verdict.median), 0, force_grouping=True),
                "n": verdict.history,
            }
        return f"{where}: {what}, {why}."


@dataclass
class CheckResult:
    findings: list[Finding]
    short: dict[str, int]  # sensor name → hours checked only against the ceiling
    checked: int = 0


def _round(value) -> Decimal:
    return Decimal(str(value)).quantize(ONE, rounding=ROUND_HALF_UP)


def _judge(sensors: list[Sensor], hours, result, tz) -> None:
    """Judge the sensors' hours that the batch wrote against each one's own normal and the
    ceiling, on whole columns: exactly ``core.plausibility.judge`` of each hour against the
    sensor's other hours with visits in the same hour of the week (a reading of a day or more:
    the same weekday), the hour itself left out of its own normal. ``hours``: ``frames.hourly``
    of these sensors, as a frame."""
    import polars as pl

    from bibliotal.visits import frames

    frame = hours.rename({"hour": "epoch", "ours": "mine"})
    if frame.filter(pl.col("mine") > 0).is_empty():
        return
    by_pk = {sensor.pk: sensor for sensor in sensors}
    rules = pl.DataFrame(
        {"sensor_id": list(by_pk), "rule": [sensor.rule for sensor in by_pk.values()]},
        schema={"sensor_id": pl.Int64, "rule": pl.String},
    )
    seconds = pl.col("until") - pl.col("epoch")
    whole, part = seconds // HOUR_SECONDS, seconds % HOUR_SECONDS
    # Python's round() of the hours: half to even.
    rounded = whole + (2 * part > HOUR_SECONDS) + ((2 * part == HOUR_SECONDS) & (whole % 2 == 1))
    local = pl.from_epoch("epoch", time_unit="s").dt.replace_time_zone("UTC")
    local = local.dt.convert_time_zone(str(tz))
    frame = (
        frame.with_row_index("rid")
        .join(rules, on="sensor_id", how="left")
        .with_columns(
            visits=frames.visits_column(),
            length=pl.max_horizontal(pl.lit(1, pl.Int64), rounded),
            weekday=local.dt.weekday(),
            hour=local.dt.hour().cast(pl.Int64),
        )
        .with_columns(
            slot=pl.when(pl.col("length") < 24).then(pl.col("hour")).otherwise(-1),
        )
    )
    slot = ["sensor_id", "weekday", "slot"]
    # Each hour meets every other hour of its slot: a year's file has 64 weeks of them. The
    # slots are judged so many at a time that they make about PAIRS_AT_A_TIME such meetings
    # (one slot's more at most), so that memory is bounded by that, not by the file.
    has_visits, is_ours = pl.col("visits") > 0, pl.col("mine") > 0
    chunks = (
        frame.group_by(slot)
        .agg(pairs=has_visits.sum().cast(pl.Int64) * is_ours.sum().cast(pl.Int64))
        .sort(slot)
        .with_columns(chunk=pl.col("pairs").cum_sum() // PAIRS_AT_A_TIME)
        .select(*slot, "chunk")
    )
    frame = frame.join(chunks, on=slot)
    judged = pl.concat(
        [
            _judged(frame.filter(pl.col("chunk") == chunk), slot)
            for chunk in frame.filter(is_ours)["chunk"].unique().sort()
        ]
    )
    result.checked += judged.height
    for sensor_id, short in (
        judged.filter(pl.col("kind") == plausibility.SHORT).group_by("sensor_id").len().rows()
    ):
        name = by_pk[sensor_id].name
        result.short[name] = result.short.get(name, 0) + short
    held = judged.filter(pl.col("kind").is_in([plausibility.OUTLIER, plausibility.CEILING]))
    for row in held.sort("sensor_id", "epoch").iter_rows(named=True):
        outlier = row["kind"] == plausibility.OUTLIER
        result.findings.append(
            Finding(
                sensor=by_pk[row["sensor_id"]],
                starts_at=datetime.fromtimestamp(row["epoch"], UTC),
                hours=min(row["length"], 24),
                count_in=row["count_in"],
                count_out=row["count_out"],
                visits=_round(row["visits"]),
                verdict=plausibility.Verdict(
                    row["kind"],
                    row["visits"],
                    row["ceiling"],
                    row["normal"],
                    row["n"],
                    row["z"] if outlier else None,
                ),
            )
        )


def _judged(frame, slot: list[str]):
    """The verdict of each of the batch's hours in ``frame`` (whole slots)."""
    import polars as pl

    history = frame.filter(pl.col("visits") > 0).select(
        *slot, pl.col("rid").alias("other"), pl.col("visits").alias("past")
    )
    ours = frame.filter(pl.col("mine") > 0)
    pairs = (
        ours.select("rid", *slot)
        .join(history, on=slot)
        .filter(pl.col("other") != pl.col("rid"))
        .with_columns(log=pl.col("past").log1p())
    )
    centres = pairs.group_by("rid").agg(
        n=pl.len(),
        normal=_median(pl.col("past")),
        centre=_median(pl.col("log")),
    )
    spreads = (
        pairs.join(centres.select("rid", "centre"), on="rid")
        .group_by("rid")
        .agg(mad=_median((pl.col("log") - pl.col("centre")).abs()))
    )
    daily = pl.col("length") >= 24
    return (
        ours.join(centres, on="rid", how="left")
        .join(spreads, on="rid", how="left")
        .with_columns(
            n=pl.col("n").fill_null(0),
            ceiling=pl.when(daily)
            .then(DAILY_CEILING)
            .otherwise(pl.min_horizontal(HOURLY_CEILING * pl.col("length"), DAILY_CEILING))
            .cast(pl.Float64),
            min_excess=MIN_EXCESS * pl.when(daily).then(10).otherwise(pl.col("length")),
        )
        .with_columns(
            z=(0.6745 * (pl.col("visits").log1p() - pl.col("centre")))
            / pl.max_horizontal(pl.col("mad"), pl.lit(plausibility._MAD_FLOOR)),
        )
        .with_columns(
            kind=pl.when(pl.col("visits") > pl.col("ceiling"))
            .then(pl.lit(plausibility.CEILING))
            .when(pl.col("n") < plausibility.MIN_HISTORY)
            .then(pl.lit(plausibility.SHORT))
            .when(
                (pl.col("z") > plausibility.Z_LIMIT)
                & (pl.col("visits") - pl.col("normal") >= pl.col("min_excess"))
            )
            .then(pl.lit(plausibility.OUTLIER))
            .otherwise(pl.lit(plausibility.OK))
        )
    )


def _median(values):
    """``statistics.median`` of each group's values, to the last bit: the middle value, or
    the mean of the middle two as ``(a + b) / 2``."""
    import polars as pl

    ordered = values.sort()
    n = values.len().cast(pl.Int64)
    middle = ordered.get(n // 2)
    below = ordered.get(pl.max_horizontal(n // 2 - 1, 0))
    return pl.when(n % 2 == 1).then(middle).otherwise((below + middle) / 2)


def check_readings(
    *, spans: list[tuple[Sensor, date, date]], batch_id: int, written=None
) -> CheckResult:
    """Judge every hour of the batch's readings (created or replaced by it) for the sensors and
    days given; the readings must already be written (a dry run rolls them back afterwards)."""
    from bibliotal.visits import frames  # polars only when readings are checked

    tz = timezone.get_current_timezone()
    result = CheckResult([], {})
    # One grouped query per span of days (a file's sensors mostly share theirs).
    by_span: dict[tuple[date, date], list[Sensor]] = defaultdict(list)
    for sensor, first, last in spans:
        by_span[(first, last)].append(sensor)
    for (first, last), sensors in by_span.items():
        start = datetime.combine(first - timedelta(weeks=HISTORY_WEEKS), datetime.min.time(), tz)
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tz)
        # A few sensors at a time: memory bounded by the slice, not by the file.
        for at in range(0, len(sensors), SENSORS_AT_A_TIME):
            part = sensors[at : at + SENSORS_AT_A_TIME]
            hours = frames.hourly(
                [s.pk for s in part], start, end, batch_id, written, as_frame=True
            )
            _judge(part, hours, result, tz)
    result.findings.sort(key=lambda f: (f.sensor.name, f.starts_at))
    existing = {
        (h.sensor_id, h.starts_at): h
        for h in HeldHour.objects.filter(
            sensor_id__in={f.sensor.pk for f in result.findings},
            starts_at__in={f.starts_at for f in result.findings},
        )
    }
    for finding in result.findings:
        held = existing.get((finding.sensor.pk, finding.starts_at))
        if held is not None and (held.count_in, held.count_out) == (
            finding.count_in,
            finding.count_out,
        ):
            finding.decided = held.decision if held.decision != HeldHour.Decision.HELD else ""
    return result


def explain_short(short: dict[str, int]) -> list[str]:
    return [
        _(
            "%(sensor)s has too little history for a normal (fewer than %(n)d earlier hours "
            "with visits in the same hour of the week): its %(hours)d hours were only checked "
            "against the ceiling of %(ceiling)s visits an hour."
        )
        % {
            "sensor": name,
            "n": plausibility.MIN_HISTORY,
            "hours": hours,
            "ceiling": formats.number_format(HOURLY_CEILING, 0, force_grouping=True),
        }
        for name, hours in sorted(short.items())
    ]


def hold(*, findings: list[Finding], spans, batch, filename: str) -> None:
    """Write the findings as held hours; a decision on the same counts stands, new counts are
    held afresh, and a held hour the file has since made plausible is released."""
    from bibliotal.visits import frames  # polars only when readings are checked

    found = {(f.sensor.pk, f.starts_at): f for f in findings}
    tz = timezone.get_current_timezone()
    by_sensor = {sensor.pk: (sensor, first, last) for sensor, first, last in spans}
    if by_sensor:
        low = min(first for _s, first, _l in spans)
        high = max(last for _s, _f, last in spans)
        stale = HeldHour.objects.filter(
            sensor_id__in=by_sensor,
            starts_at__gte=datetime.combine(low, datetime.min.time(), tz),
            starts_at__lt=datetime.combine(high + timedelta(days=1), datetime.min.time(), tz),
        )
        ours: dict[int, set[int]] = {}
        for held in stale:
            sensor, first, last = by_sensor[held.sensor_id]
            if not first <= timezone.localtime(held.starts_at).date() <= last:
                continue
            if (sensor.pk, held.starts_at) in found:
                continue
            if sensor.pk not in ours:  # the hours the batch wrote, asked only when needed
                ours[sensor.pk] = {
                    epoch
                    for _id, epoch, *_counts, mine in frames.hourly(
                        [sensor.pk],
                        datetime.combine(first, datetime.min.time(), tz),
                        datetime.combine(last + timedelta(days=1), datetime.min.time(), tz),
                        batch.pk,
                    )
                    if mine
                }
            if int(held.starts_at.timestamp()) in ours[sensor.pk]:
                held.delete()  # the file brought new, plausible counts for the hour (audited)
    for finding in findings:
        held = HeldHour.objects.filter(sensor=finding.sensor, starts_at=finding.starts_at).first()
        same = held is not None and (held.count_in, held.count_out) == (
            finding.count_in,
            finding.count_out,
        )
        if same:
            continue
        held = held or HeldHour(sensor=finding.sensor, starts_at=finding.starts_at)
        held.branch_id = finding.sensor.branch_id
        held.day = finding.day
        held.count_in, held.count_out, held.visits = (
            finding.count_in,
            finding.count_out,
            finding.visits,
        )
        median = finding.verdict.median
        held.normal = _round(median) if median is not None else None
        held.history = finding.verdict.history
        held.reason = (
            HeldHour.Reason.CEILING
            if finding.verdict.kind == plausibility.CEILING
            else HeldHour.Reason.OUTLIER
        )
        held.filename, held.line, held.column = filename[:255], finding.line, finding.column[:100]
        held.batch = batch
        held.decision, held.corrected_visits = HeldHour.Decision.HELD, None
        held.decided_by = held.decided_at = None
        held.save()


class DecisionError(ValueError):
    pass


def _whole_number() -> str:
    return _("Write the correct number of visits as a whole number.")


@transaction.atomic
def decide(*, held: HeldHour, accept: bool, corrected=None, user=None) -> HeldHour:
    """Accept the hour as counted, or correct it to a number of visits; the counted value is
    kept either way, and the change is audited (``HeldHour`` is registered with the log)."""
    if accept:
        held.decision, held.corrected_visits = HeldHour.Decision.ACCEPTED, None
    else:
        try:
            value = Decimal(str(corrected).replace(".", "").replace(",", ".").strip())
        except (ArithmeticError, ValueError):
            raise DecisionError(_whole_number()) from None
        if value < 0 or value != value.to_integral_value():
            raise DecisionError(_whole_number())
        if value > HOURLY_CEILING * 24:
            raise DecisionError(
                _("%(value)s visits is above the ceiling too; write the number really counted.")
                % {"value": formats.number_format(value, 0, force_grouping=True)}
            )
        held.decision, held.corrected_visits = HeldHour.Decision.CORRECTED, _round(value)
    held.decided_by, held.decided_at = user, timezone.now()
    held.save()
    return held


def held_counts(*, organisation, start: date, end: date, branch_ids) -> int:
    held = HeldHour.objects.filter(
        branch__organisation=organisation,
        day__gte=start,
        day__lte=end,
        decision=HeldHour.Decision.HELD,
    )
    if branch_ids is not None:
        held = held.filter(branch_id__in=branch_ids)
    return held.count()
