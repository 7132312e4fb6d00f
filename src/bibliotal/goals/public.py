"""The public goals page: how the libraries are doing on a published year, for citizens.

Only what a citizen may read: the document's own words, each target's status in the
organisation's words with a plain sentence, the result against the target, the forecast while
the year runs, and the comments a manager marked as public. Nothing internal: no notes for the
staff, no reason for a status set by hand, no names, no values held out for review.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from bibliotal.core.public import PublicPage
from bibliotal.goals import progress, reporting
from bibliotal.goals.models import BudgetYear, FocusArea, Target, status_word


def _status_sentence(status: str, *, final: bool) -> str:
    if status == Target.Status.ACHIEVED:
        return _("The target was reached.") if final else _("The target is already reached.")
    if status == Target.Status.NOT_ACHIEVED:
        return _("The target was not reached.")
    if status == Target.Status.ON_TRACK:
        return _("The target looks set to be reached.")
    if status == Target.Status.AT_RISK:
        return _("It is uncertain whether the target will be reached.")
    if status == Target.Status.OFF_TRACK:
        return _("The target does not look set to be reached.")
    return _("There are no figures to follow the target with yet.")


def _number(value, normalisation: str) -> str:
    if value is None:
        return "–"
    decimals = 0 if normalisation == progress.NONE else 1
    return formats.number_format(
        round(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True
    )


def _rounded(value: float | None) -> float | None:
    """A forecast to three significant figures (36.302 reads as 36.300): it is an estimate, and
    its last digits would promise a precision it does not have."""
    if value is None or abs(value) < 1000:
        return value
    digits = len(str(int(abs(value)))) - 3
    return float(round(value, -digits))


def _rate(value: float) -> str:
    """A rate per day: whole numbers from 100, one decimal below (11,6)."""
    decimals = 0 if abs(value) >= 100 else 1
    return formats.number_format(
        round(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True
    )


def _unit(target: Target) -> str:
    indicator = target.indicator_object
    unit = str(indicator.unit) if indicator else ""
    if target.normalisation == progress.PER_OPEN_DAY:
        return _("%(unit)s per open day") % {"unit": unit}
    if target.normalisation == progress.PER_1000:
        return _("%(unit)s per 1,000 inhabitants") % {"unit": unit}
    return unit


def _day(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


@dataclass
class PublicTarget:
    wording: str  # what is counted, and where when not at every library
    status: str
    status_label: str  # the organisation's own word for the status
    status_sentence: str
    facts: list[tuple[str, str]]  # (label, value) in words a citizen reads
    progress: float | None
    has_figures: bool
    notes: list[str] = field(default_factory=list)  # only what a citizen needs to read a figure
    comment: str = ""

    @property
    def comment_paragraphs(self) -> list[str]:
        return [p.strip() for p in self.comment.split("\n\n") if p.strip()]


@dataclass
class PublicArea:
    area: FocusArea
    targets: list[PublicTarget]
    without_figures: list[str]  # goals in the document that no figure follows


@dataclass
class PublicYear:
    budget_year: BudgetYear
    at: date
    final: bool
    areas: list[PublicArea]

    @property
    def year(self) -> int:
        return self.budget_year.year

    @property
    def targets(self) -> list[PublicTarget]:
        return [t for area in self.areas for t in area.targets]

    @property
    def has_figures(self) -> bool:
        return any(t.has_figures for t in self.targets)


def _facts(computed: reporting.TargetProgress, *, final: bool) -> list[tuple[str, str]]:
    target, result = computed.target, computed.result
    norm = target.normalisation
    unit = _unit(target)

    def amount(value) -> str:
        return f"{_number(value, norm)} {unit}".strip() if value is not None else "–"

    def amount_rate(value) -> str:
        return f"{_rate(value)} {unit}".strip()

    facts = [(_("The target"), target.describe())]
    if target.kind == Target.Kind.INCREASE_PERCENT and result.target_value is not None:
        facts.append((_("That is"), amount(result.target_value)))
    if result.actual is None:
        actual_label = _("Result")
    elif computed.actual_period:
        actual_label = _("Result for %(period)s") % {"period": computed.actual_period}
    elif final:
        actual_label = _("Result for %(year)s") % {"year": target.year}
    else:
        actual_label = _("So far (to %(date)s)") % {"date": _day(computed.open_days_through)}
    facts.append((actual_label, amount(result.actual)))
    baseline = result.baseline
    if baseline is None and final:
        baseline = result.baseline_full
    if baseline is not None and target.baseline_year:
        if computed.baseline_period:
            label = _("For comparison, %(period)s") % {"period": computed.baseline_period}
        elif final:
            label = _("For comparison, %(year)s") % {"year": target.baseline_year}
        else:
            label = _("For comparison, the same period of %(year)s") % {
                "year": target.baseline_year
            }
        facts.append((label, amount(baseline)))

    closures = {progress.NOTE_CLOSURES, progress.NOTE_BASELINE_CLOSURES} & set(result.notes)
    if (
        closures
        and norm == progress.NONE
        and result.actual_per_open_day is not None
        and result.baseline_per_open_day is not None
        and target.baseline_year
    ):
        # Closed months make totals unfair to compare: the days the libraries were open too.
        facts.append(
            (
                _("Per day the libraries were open"),
                _("%(actual)s in %(year)s, against %(baseline)s in %(baseline_year)s")
                % {
                    "actual": amount_rate(result.actual_per_open_day),
                    "year": target.year,
                    "baseline": _rate(result.baseline_per_open_day),
                    "baseline_year": target.baseline_year,
                },
            )
        )
    if not final and result.forecast is not None:
        text = _("about %(forecast)s") % {"forecast": amount(_rounded(result.forecast))}
        low, high = _rounded(result.forecast_low), _rounded(result.forecast_high)
        if low is not None and high is not None and low != high:
            text += ", " + _("most likely between %(low)s and %(high)s") % {
                "low": _number(low, norm),
                "high": _number(high, norm),
            }
        facts.append((_("Expected for the whole year"), text))
    return facts


def _notes(computed: reporting.TargetProgress, *, final: bool) -> list[str]:
    result = computed.result
    notes = []
    if result.actual is None:
        notes.append(_("No figures have been recorded for this target yet."))
        return notes
    # While the year runs, the result's own label names the day the figures go to.
    if (
        final
        and result.data_through
        and result.data_through < min(computed.at, computed.target.period()[1])
    ):
        notes.append(
            _("The figures go to %(date)s; later days are not counted yet.")
            % {"date": _day(result.data_through)}
        )
    if {progress.NOTE_CLOSURES, progress.NOTE_BASELINE_CLOSURES} & set(result.notes):
        notes.append(
            _(
                "The libraries were closed for part of the time (for example during COVID-19), "
                "which lowers the totals."
            )
        )
    if progress.NOTE_ESTIMATES in result.notes:
        notes.append(_("Part of the figures are estimates, where a count was missing."))
    if not final and result.forecast is not None:
        notes.append(
            _(
                "The expected result is a forecast from the figures so far and earlier years: "
                "it may change as the year goes on."
            )
        )
    return notes


def _public_target(
    computed: reporting.TargetProgress, settings, *, final_year: bool
) -> PublicTarget:
    target, result = computed.target, computed.result
    final = result.final or final_year
    status = computed.status
    # The indicator's name: two targets read from one sentence of the document are told apart.
    wording = target.indicator_name
    if target.scope == Target.Scope.BRANCHES:
        wording += f" ({', '.join(b.name for b in target.branches.all())})"
    elif target.scope == Target.Scope.AREA_TYPE:
        wording += f" ({target.get_area_type_display()})"
    comment = target.comment.strip() if target.comment_public else ""
    return PublicTarget(
        wording=wording,
        status=status,
        status_label=status_word(status, settings),
        status_sentence=_status_sentence(status, final=final),
        facts=_facts(computed, final=final),
        progress=result.progress,
        has_figures=result.actual is not None,
        notes=_notes(computed, final=final),
        comment=comment,
    )


def public_year(budget_year: BudgetYear, *, at: date | None = None) -> PublicYear:
    year = budget_year.year
    at = at or reporting.default_reference_date(year)
    _by, pairs, settings = reporting.year_progress(
        organisation=budget_year.organisation, year=year, at=at
    )
    final_year = at >= date(year, 12, 31)
    by_area: dict[int, list[PublicTarget]] = {}
    without: dict[int, list[str]] = {}
    for target, computed in pairs:
        if computed is None:
            without.setdefault(target.focus_area_id, []).append(target.source_text.strip())
        else:
            by_area.setdefault(target.focus_area_id, []).append(
                _public_target(computed, settings, final_year=final_year)
            )
    areas = [
        PublicArea(area, by_area.get(area.pk, []), [t for t in without.get(area.pk, []) if t])
        for area in budget_year.focus_areas.all()
    ]
    final = final_year and all(computed.result.final for _t, computed in pairs if computed)
    return PublicYear(budget_year=budget_year, at=at, final=final, areas=areas)


def published_years(organisation) -> list[int]:
    return list(
        BudgetYear.objects.filter(organisation=organisation, published_at__isnull=False)
        .order_by("-year")
        .values_list("year", flat=True)
    )


def public_pages(*, organisation):
    """The core registry's provider: one public page per published year."""
    for year in published_years(organisation):
        yield PublicPage(
            key=f"goals.{year}",
            label=_("Goals %(year)s") % {"year": year},
            url=reverse("goals:public_year", args=[organisation.pk, year]),
            order=30,
        )


CACHE_SECONDS = 15 * 60


def cache_key(budget_year: BudgetYear, *, language: str, at: date) -> str:
    """The page's figures are the goals engine's, which takes a while: an anonymous page keeps
    them for a quarter of an hour. What a manager changes for the page (publishing, a comment
    or its public flag, a status set by hand, the status words) and every new figure (the start
    page's data stamp: imports, audited changes, taps) make a new key at once."""
    import hashlib

    from bibliotal.core.dashboard import data_stamp
    from bibliotal.goals.models import GoalSettings

    own = list(
        Target.objects.filter(focus_area__budget_year=budget_year)
        .order_by("pk")
        .values_list(
            "pk", "comment", "comment_public", "status_override", "kind", "threshold", "indicator"
        )
    )
    words = list(
        GoalSettings.objects.filter(organisation_id=budget_year.organisation_id).values_list()
    )
    published = budget_year.published_at.isoformat() if budget_year.published_at else ""
    figures = data_stamp(budget_year.organisation)
    fingerprint = hashlib.sha256(repr((own, words, published, figures)).encode()).hexdigest()[:24]
    return f"goals.public:{budget_year.pk}:{language}:{at.isoformat()}:{fingerprint}"
