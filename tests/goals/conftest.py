from collections.abc import Iterable
from datetime import date

from bibliotal.goals import indicators, progress


class FakeProvider:
    """Serves fixed figures as an activity app's provider would."""

    def __init__(
        self,
        daily: Iterable[indicators.DailyValue] = (),
        periods: Iterable[indicators.PeriodValue] = (),
    ):
        self.daily = list(daily)
        self.periods = list(periods)
        self.calls = 0

    def daily_values(self, *, organisation, start, end, branch_ids, measure):
        self.calls += 1
        return [
            v
            for v in self.daily
            if start <= v.day <= end and (branch_ids is None or v.branch_id in branch_ids)
        ]

    def period_values(self, *, organisation, start, end, branch_ids, measure):
        self.calls += 1
        return [p for p in self.periods if start <= p.start and p.end <= end]


def every_day(year: int):
    day = date(year, 1, 1)
    from datetime import timedelta

    while day.year == year:
        yield day
        day += timedelta(days=1)


def target_spec(**fields) -> progress.TargetSpec:
    """A 2021 target against 2020 (more than the baseline), with ``fields`` changed."""
    defaults = {
        "kind": progress.INCREASE,
        "start": date(2021, 1, 1),
        "end": date(2021, 12, 31),
        "baseline_year": 2020,
    }
    return progress.TargetSpec(**{**defaults, **fields})
