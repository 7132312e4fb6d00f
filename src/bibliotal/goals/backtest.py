"""The back-test: the forecaster replayed on an organisation's own past years.

For every complete past year and every month end, the year's total is forecast from what was
known that day (the year's figures to that day and the years before it) and set against what the
year came to. Closures are read as registered today: a closure entered after the fact (a sudden
lockdown) counts as known in advance, so such a year looks easier to forecast than it was.

Reads indicators through their providers only, like the rest of the goals app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from bibliotal.core.models import Branch
from bibliotal.goals import forecast, indicators
from bibliotal.goals.reporting import indicator_series

YEARS = 3
EARLIEST_YEAR = 2000


@dataclass(frozen=True)
class IndicatorBacktest:
    key: str
    name: str
    result: forecast.Backtest

    def row(self, *, points: bool = False) -> dict:
        summary = self.result.summary()
        row = {"indicator": self.key, "indicator_name": self.name, **summary}
        if points:
            row["months"] = [
                {
                    "year": p.year,
                    "at": p.at.isoformat(),
                    "actual_year": round(p.truth, 4),
                    "forecast": _round(p.forecast),
                    "forecast_low": _round(p.low),
                    "forecast_high": _round(p.high),
                    "inside": p.inside,
                    "naive": _round(p.naive),
                }
                for p in self.result.points
            ]
        return row


def _round(value):
    return round(value, 4) if value is not None else None


def organisation_backtest(
    *, organisation, indicator: str | None = None, today: date | None = None, years: int = YEARS
) -> list[IndicatorBacktest]:
    """The back-test of every additive indicator with figures (or of ``indicator``) on its last
    ``years`` complete years with figures before ``today``'s year, for the whole organisation;
    the years before those serve as their history."""
    today = today or timezone.localdate()
    last = today.year - 1
    chosen = [
        i
        for i in indicators.all_indicators()
        if i.additive and i.provider is not None and (indicator is None or i.key == indicator)
    ]
    if indicator is not None and not chosen:
        known = ", ".join(i.key for i in indicators.all_indicators() if i.additive)
        raise KeyError(
            _("%(key)s is not an indicator that is forecast (one of: %(known)s).")
            % {"key": indicator, "known": known}
        )
    branches = list(Branch.objects.filter(organisation=organisation))
    cache: dict = {}
    results = []
    for one in chosen:
        measure = one.measures[0]
        prefetched = list(
            one.provider.daily_values(
                organisation=organisation,
                start=date(EARLIEST_YEAR, 1, 1),
                end=date(last, 12, 31),
                branch_ids=None,
                measure=measure,
            )
        )
        with_figures = sorted({item.day.year for item in prefetched})
        if not with_figures:
            continue
        replayed = with_figures[-years:]
        first = replayed[0] - forecast.HISTORY_YEARS
        series = {
            year: indicator_series(
                one,
                organisation=organisation,
                branches=branches,
                branch_ids=None,
                measure=measure,
                start=date(year, 1, 1),
                end=date(year, 12, 31),
                cache=cache,
                prefetched=prefetched,
            )
            for year in with_figures
            if year >= first
        }
        result = forecast.backtest(
            start=date(last, 1, 1), end=date(last, 12, 31), series=series, years=set(replayed)
        )
        if result.points:
            results.append(IndicatorBacktest(one.key, str(one.name), result))
    return results


def _share(value) -> str:
    """A share the reader's way: 77 % (with the space Danish and English documents use)."""
    if value is None:
        return "–"
    return f"{formats.number_format(round(value * 100), 0)} %"


def write_backtest(found: list[IndicatorBacktest], *, format: str, stream) -> None:
    """The back-test as JSON (with every month's forecast) or as a table, one row a indicator."""
    if format == "json":
        import json

        stream.write(json.dumps([b.row(points=True) for b in found], ensure_ascii=False, indent=2))
        return
    if not found:
        stream.write(_("No complete past year with figures to replay the forecast on."))
        return
    header = [
        _("indicator"),
        _("years"),
        _("inside the range"),
        _("mean error"),
        _("mean width"),
        _("naive error"),
    ]
    rows = []
    for one in found:
        s = one.result.summary()
        years = s["years"]
        rows.append(
            [
                one.key,
                f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0]),
                f"{s['inside']}/{s['forecasts']} ({_share(s['coverage'])})",
                _share(s["mape"]),
                _share(s["mean_width"]),
                _share(s["naive_mape"])
                + (f" ({_share(s['paired_mape'])})" if s["naive_mape"] is not None else ""),
            ]
        )
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        stream.write("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    total_in = sum(b.result.inside for b in found)
    total = sum(len(b.result.forecasts) for b in found)
    if total:
        stream.write(
            _(
                "All indicators: the year ended inside the 80 %% range %(inside)s of %(total)s "
                "times (%(share)s). Naive error: this year so far × last year's whole ÷ last "
                "year's same period, with the method's own error on the same months in brackets."
            )
            % {"inside": total_in, "total": total, "share": _share(total_in / total)}
        )
