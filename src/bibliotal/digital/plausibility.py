"""Is an imported digital figure plausible? Against its platform's own normal, and a ceiling
(``core.plausibility`` judges).

- **Normal**, for e-loans and unique users: the median of the same series (platform, metric,
  material type, age band, method, period length) over the 24 periods before the figure, from
  the database and from the file itself; at least four (``MIN_HISTORY``), or only the ceiling
  is checked and the preview says so (a platform's first months).
- **Ceiling** per metric and day of the period, for every figure: ``CEILINGS``. E-loans:
  10,000 a day on one platform is more than a whole year of eReolen's national loans (about
  9 M a year, 25,000 a day) could give one municipality: Copenhagen, a tenth of the country,
  would see about 2,500. Unique users: 1,000,000 in any period, more than the population of
  any Danish municipality. Visits, page views and the COUNTER metrics: 1,000,000 a day, far
  beyond any library's web site or licensed database.

A figure found is imported as reported but held (``plausibility="held"``): the loan and
unique-users indicators leave it out until a person accepts or corrects it on the review page
(``digital:held``); a correction keeps the reported value in ``original_value``. Re-importing
the same value keeps the decision.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from bibliotal.core import plausibility
from bibliotal.core.formatting import date_text
from bibliotal.digital.models import DigitalFigure, Metric, period_kind

HISTORY_PERIODS = 24
PER_DAY = {Metric.LOANS: 10_000}
PER_PERIOD = {Metric.UNIQUE_USERS: 1_000_000}
OTHER_PER_DAY = 1_000_000
MIN_EXCESS = {Metric.LOANS: 100, Metric.UNIQUE_USERS: 100}
NORMAL_METRICS = (Metric.LOANS, Metric.UNIQUE_USERS)
HELD, ACCEPTED, CORRECTED = "held", "accepted", "corrected"


def ceiling(metric: str, days: int) -> int:
    if metric in PER_PERIOD:
        return PER_PERIOD[metric]
    return PER_DAY.get(metric, OTHER_PER_DAY) * max(days, 1)


@dataclass
class Finding:
    figure: object  # importers.Figure
    platform: str
    verdict: plausibility.Verdict

    def sentence(self, filename: str) -> str:
        figure, verdict = self.figure, self.verdict
        number = formats.number_format
        where = _("%(file)s, line %(line)s, column “%(column)s”") % {
            "file": filename,
            "line": figure.line,
            "column": figure.column or "?",
        }
        what = _("%(platform)s, %(metric)s %(first)s–%(last)s: %(value)s") % {
            "platform": self.platform,
            "metric": str(Metric(figure.metric).label).lower(),
            "first": date_text(figure.start, "SHORT_DATE_FORMAT"),
            "last": date_text(figure.end, "SHORT_DATE_FORMAT"),
            "value": number(figure.value, 0, force_grouping=True),
        }
        if verdict.kind == plausibility.CEILING:
            why = _("above the ceiling of %(ceiling)s for the period") % {
                "ceiling": number(verdict.ceiling, 0, force_grouping=True)
            }
        else:
            why = _("far above the normal of %(normal)s (the median of %(n)d earlier periods)") % {
                "normal": number(round(verdict.median), 0, force_grouping=True),
                "n": verdict.history,
            }
        return f"{where}: {what}, {why}."


def check_figures(figures, platforms) -> tuple[list[Finding], list[str]]:
    """Findings for the file's figures, and the platforms with too little history."""
    series = lambda f, pk: (  # noqa: E731  (one key, used twice)
        pk,
        f.metric,
        f.material,
        f.age_band,
        f.method,
        period_kind(f.start, f.end),
    )
    history: dict[tuple, list[tuple]] = defaultdict(list)
    normal = [f for f in figures if f.metric in NORMAL_METRICS and not f.report]
    if normal:
        stored = DigitalFigure.objects.filter(
            platform_id__in={platforms[f.platform].pk for f in normal},
            metric__in=NORMAL_METRICS,
            key="",
            start__lt=max(f.start for f in normal),
        ).exclude(plausibility=HELD)
        for row in stored:
            key = (row.platform_id, row.metric, row.material, row.age_band, row.method, row.period)
            history[key].append((row.start, row.value))
        for f in normal:
            history[series(f, platforms[f.platform].pk)].append((f.start, f.value))
    findings, short = [], set()
    for f in figures:
        platform = platforms[f.platform]
        limit = ceiling(f.metric, (f.end - f.start).days + 1)
        past = []
        if f.metric in NORMAL_METRICS and not f.report:
            earlier = sorted(
                {(s, v) for s, v in history[series(f, platform.pk)] if s < f.start}, reverse=True
            )
            past = [v for _s, v in earlier[:HISTORY_PERIODS] if v > 0]
        verdict = plausibility.judge(
            f.value, past, ceiling=limit, min_excess=MIN_EXCESS.get(f.metric, 100)
        )
        if verdict.held and (f.metric in NORMAL_METRICS or verdict.kind == plausibility.CEILING):
            findings.append(Finding(f, platform.name, verdict))
        elif verdict.kind == plausibility.SHORT and f.metric in NORMAL_METRICS and not f.report:
            short.add(platform.name)
    return findings, sorted(short)


def explain_short(names: list[str]) -> list[str]:
    return [
        _(
            "%(platform)s has too little history for a normal (fewer than %(n)d earlier "
            "periods of the same kind): its figures were only checked against the ceiling."
        )
        % {"platform": name, "n": plausibility.MIN_HISTORY}
        for name in names
    ]


class DecisionError(ValueError):
    pass


@transaction.atomic
def decide(*, figure: DigitalFigure, accept: bool, corrected=None, user=None) -> DigitalFigure:
    """Accept a held figure as reported, or correct it (the reported value kept). Audited."""
    if accept:
        figure.plausibility = ACCEPTED
    else:
        text = str(corrected or "").replace(".", "").replace(" ", "").strip()
        if not text.isdigit():
            raise DecisionError(_("Write the correct figure as a whole number of 0 or more."))
        value = int(text)
        if value > ceiling(figure.metric, (figure.end - figure.start).days + 1):
            raise DecisionError(_("The corrected figure is above the ceiling too."))
        if figure.original_value is None:
            figure.original_value = figure.value
        figure.value, figure.plausibility = value, CORRECTED
    figure.entered_by, figure.updated_at = user, timezone.now()
    figure.save()  # audited: DigitalFigure is registered with the log
    return figure
