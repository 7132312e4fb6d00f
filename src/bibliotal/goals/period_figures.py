"""Period figures (unique users): judged on like periods, never summed. Pure (no database).

A unique-users figure holds only for its own period and method: a user active in January and
in February is one user in both months, so months are never added up to a year. The rule for a
target over a period (usually a calendar year) with a baseline year:

1. The figure for the whole period decides once it is reported (by the reference date): it is
   compared with the baseline year's figure for its whole period, and the status is final.
2. Before that the status is provisional. A figure for the period to date (from its first day
   to the last day reported, e.g. January–June) is compared with the same span of the baseline
   year, where that year has one.
3. Otherwise each reported period (a month, a quarter, a half-year) is compared with the same
   period of the baseline year, like with like. One length is used, the one whose compared
   periods cover the most days (the shorter on a tie), so no day weighs twice. The status
   follows the mean of the per-period ratios (each period weighs the same) against the ratio the
   target asks for: above 1 for "more than", 1 + p/100 for "p % more"; a threshold for the
   whole period is met when the baseline year's whole figure times that mean reaches it.
   Periods the baseline year has no figure for are named and left out.
4. The actual shown is the figure for the period to date where one exists, else the latest
   period's figure, labelled with its period (``PeriodComparison.shown``): never a month's
   figure as the year's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bibliotal.goals import progress as P
from bibliotal.goals.series import shift

MONTH = "month"
QUARTER = "quarter"
HALF_YEAR = "half_year"
YEAR = "year"
OTHER = "other"
TO_DATE = "to_date"  # one figure from the period's first day to the last day reported
KIND_ORDER = (MONTH, QUARTER, HALF_YEAR, OTHER)

NOTE_PROVISIONAL = "periods_provisional"
NOTE_BASELINE_PERIODS_MISSING = "baseline_periods_missing"


@dataclass(frozen=True)
class PeriodComparison:
    """What was compared with what. ``pairs`` holds each current period with the baseline
    year's same period; ``missing`` the baseline spans (start, end) that had no figure;
    ``shown`` the current figure shown as the actual and ``shown_baseline`` its counterpart."""

    kind: str
    pairs: tuple[tuple[P.Period, P.Period], ...] = ()
    missing: tuple[tuple[date, date], ...] = ()
    shown: P.Period | None = None
    shown_baseline: P.Period | None = None
    ratio: float | None = None
    final: bool = False

    @property
    def compared(self) -> int:
        return len(self.pairs)

    @property
    def rose(self) -> int:
        return sum(1 for now, before in self.pairs if now.value > before.value)

    @property
    def shown_is_part(self) -> bool:
        """The actual is the figure of a part of the target's period, not of the whole."""
        return self.shown is not None and not self.final


def period_kind(start: date, end: date) -> str:
    """A month, a calendar quarter, a half-year, a year, or another span."""
    if start.day != 1 or not _month_end(end):
        return OTHER
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 1:
        return MONTH
    if months == 3 and start.month in (1, 4, 7, 10):
        return QUARTER
    if months == 6 and start.month in (1, 7):
        return HALF_YEAR
    if months == 12 and start.month == 1:
        return YEAR
    return OTHER


def _month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def same_span(start: date, end: date, offset: int) -> tuple[date, date]:
    """The same span ``offset`` years away; a span ending on a month's last day ends on that
    month's last day there too (February 2021 is matched with 1–29 February 2020)."""
    last = shift(end, offset)
    if _month_end(end):
        following = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
        last = following - timedelta(days=1)
    return shift(start, offset), last


def _find(periods: Sequence[P.Period], start: date, end: date) -> P.Period | None:
    return next((p for p in periods if p.start == start and p.end == end), None)


def _days(period: P.Period) -> int:
    return (period.end - period.start).days + 1


def _not_overlapping(periods: list[P.Period]) -> list[P.Period]:
    """The periods in order, leaving out any that overlaps one kept before it."""
    kept: list[P.Period] = []
    for period in sorted(periods, key=lambda p: (p.start, p.end)):
        if not kept or period.start > kept[-1].end:
            kept.append(period)
    return kept


def _mean_ratio(pairs) -> float | None:
    ratios = [now.value / before.value for now, before in pairs if before.value > 0]
    return sum(ratios) / len(ratios) if ratios else None


def _required_ratio(spec: P.TargetSpec) -> float:
    return 1 + (spec.percent or 0) / 100 if spec.kind == P.INCREASE_PERCENT else 1.0


def compare(spec, result, at, current_periods, baseline_periods, at_risk_ratio):
    """Fill ``result`` (a ``progress.Progress``) for a period indicator by the rule above."""
    result.notes.append(P.NOTE_PERIOD_FIGURE)
    end_to_date = min(at, spec.end)
    reported = [p for p in current_periods if spec.start <= p.start and p.end <= end_to_date]
    if not reported:
        result.notes.append(P.NOTE_NOT_COMPARABLE if current_periods else P.NOTE_NO_DATA)
        return result
    offset = spec.baseline_year - spec.start.year if spec.baseline_year else None

    def same(period: P.Period) -> P.Period | None:
        if offset is None:
            return None
        return _find(baseline_periods, *same_span(period.start, period.end, offset))

    base_whole = (
        _find(baseline_periods, *same_span(spec.start, spec.end, offset))
        if offset is not None
        else None
    )
    result.baseline_full = base_whole.value if base_whole else None
    whole = _find(reported, spec.start, spec.end)
    if whole is not None:
        return _final(spec, result, whole, base_whole)
    result.final = False

    latest = max(p.end for p in reported)
    to_date = _find(reported, spec.start, latest)
    to_date_base = same(to_date) if to_date is not None else None
    if to_date is not None and (to_date_base is not None or offset is None):
        pairs = ((to_date, to_date_base),) if to_date_base is not None else ()
        comparison = PeriodComparison(
            TO_DATE,
            pairs,
            shown=to_date,
            shown_baseline=to_date_base,
            ratio=_mean_ratio(pairs),
        )
    else:
        comparison = _by_period(reported, same, to_date, offset)
    result.comparison = comparison
    if comparison.missing:
        result.notes.append(NOTE_BASELINE_PERIODS_MISSING)
    if comparison.shown is None:
        result.notes.append(P.NOTE_NOT_COMPARABLE)
        return result
    result.actual = comparison.shown.value
    if comparison.shown_baseline is not None:
        result.baseline = comparison.shown_baseline.value
    if comparison.pairs:
        result.notes.append(NOTE_PROVISIONAL)
    _judge(spec, result, comparison, reported, base_whole, at_risk_ratio)
    return result


def _by_period(reported, same, to_date, offset) -> PeriodComparison:
    """Like periods of one length, each against the same period of the baseline year."""
    best = None
    for kind in KIND_ORDER:
        periods = _not_overlapping([p for p in reported if period_kind(p.start, p.end) == kind])
        if not periods:
            continue
        pairs = tuple((p, same(p)) for p in periods if same(p) is not None)
        covered = sum(_days(p) for p, _before in pairs)
        if best is None or covered > best[0]:
            best = (covered, kind, periods, pairs)
    if best is None:
        return PeriodComparison(OTHER)
    _covered, kind, periods, pairs = best
    missing = (
        ()
        if offset is None
        else tuple(same_span(p.start, p.end, offset) for p in periods if same(p) is None)
    )
    if offset is not None and not pairs:
        return PeriodComparison(kind, missing=missing)  # nothing the baseline year can match
    shown = to_date or periods[-1]
    return PeriodComparison(
        kind,
        pairs,
        missing,
        shown=shown,
        shown_baseline=same(shown),
        ratio=_mean_ratio(pairs),
    )


def _final(spec, result, whole, base_whole):
    """The whole period's own figure decides, against the baseline year's whole figure."""
    result.final = True
    result.actual = whole.value
    result.comparison = PeriodComparison(
        YEAR,
        ((whole, base_whole),) if base_whole else (),
        shown=whole,
        shown_baseline=base_whole,
        final=True,
    )
    if spec.baseline_year:
        if base_whole is None:
            result.notes.append(P.NOTE_NO_BASELINE)
        else:
            result.baseline = base_whole.value
    if spec.kind in {P.AT_LEAST, P.AT_MOST}:
        target = spec.threshold
    else:
        target = P._target_value(spec, result.baseline)
    result.target_value = target
    if target is None:
        return result
    if target > 0:
        result.progress = result.actual / target
    result.status = P.ACHIEVED if P._meets(spec, result.actual, target) else P.NOT_ACHIEVED
    return result


def _judge(spec, result, comparison, reported, base_whole, at_risk_ratio) -> None:
    """A provisional status from the periods compared, and the target for the shown period."""
    ratio = comparison.ratio
    shown_base = comparison.shown_baseline
    to_date = comparison.shown.start == spec.start and comparison.shown.end == max(
        p.end for p in reported
    )
    if spec.kind in {P.AT_LEAST, P.AT_MOST}:
        threshold = spec.threshold or 0.0
        whole = base_whole.value if base_whole is not None else 0.0
        if shown_base is not None and whole > 0:
            # The threshold's share for the shown period, as the baseline year divided it.
            result.target_value = threshold * shown_base.value / whole
        else:
            result.target_value = threshold if to_date else None
        if result.target_value:
            result.progress = result.actual / result.target_value
        if spec.kind == P.AT_MOST and any(p.value > threshold for p in reported):
            result.status = P.OFF_TRACK  # no part of the period has more users than the whole
            return
        if ratio is None or whole <= 0:
            if spec.kind == P.AT_MOST and to_date:
                result.status = P.ON_TRACK  # under the cap so far, with nothing to scale by
            else:
                result.notes.append(P.NOTE_NOT_COMPARABLE)
            return
        indicated = ratio * whole
        if spec.kind == P.AT_LEAST:
            if indicated >= threshold:
                result.status = P.ON_TRACK
            elif indicated >= threshold * at_risk_ratio:
                result.status = P.AT_RISK
            else:
                result.status = P.OFF_TRACK
        elif indicated <= threshold:
            result.status = P.ON_TRACK
        elif threshold >= indicated * at_risk_ratio:
            result.status = P.AT_RISK
        else:
            result.status = P.OFF_TRACK
        return
    if shown_base is not None:
        result.target_value = P._target_value(spec, shown_base.value)
        if result.target_value:
            result.progress = result.actual / result.target_value
    if ratio is None:
        if comparison.pairs:
            # Every baseline figure compared was zero: any user at all is a rise.
            rose = all(now.value > 0 for now, _before in comparison.pairs)
            result.status = P.ON_TRACK if rose else P.OFF_TRACK
        return
    required = _required_ratio(spec)
    meets = ratio > required if spec.kind == P.INCREASE else ratio >= required
    if meets:
        result.status = P.ON_TRACK
    elif ratio >= required * at_risk_ratio:
        result.status = P.AT_RISK
    else:
        result.status = P.OFF_TRACK
