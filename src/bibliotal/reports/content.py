"""What the follow-up report (målopfølgning) says, gathered once for every format.

The numbers come from the goals engine exactly as ``bibliotal goals status`` gives them
(``reporting.status_row``); this module only adds words: the document's own texts, the status in
the organisation's words, the change against the baseline, provenance and the suggested facts a
director can start her comment from. Build it inside ``translation.override`` for the report's
language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from bibliotal.core.opening import open_day_definition
from bibliotal.goals import indicators, period_figures, period_names, progress, reporting
from bibliotal.goals.charts import Chart, progress_chart
from bibliotal.goals.models import BudgetYear, GoalSettings, Target, status_word


@dataclass
class TargetEntry:
    target: Target
    computed: reporting.TargetProgress
    row: dict
    status_label: str
    chart: Chart | None
    facts: list[str]
    provenance: list[str]

    @property
    def title(self) -> str:
        return f"{self.target.indicator_name}: {self.target.describe()}"

    @property
    def scope(self) -> str:
        target = self.target
        if target.scope == Target.Scope.BRANCHES:
            return ", ".join(str(b) for b in target.branches.all())
        if target.scope == Target.Scope.AREA_TYPE:
            return str(target.get_area_type_display())
        return str(target.get_scope_display())

    @property
    def unit(self) -> str:
        return unit_label(self.target)

    @property
    def change(self) -> float | None:
        actual, baseline = self.row["actual"], self.row["baseline"]
        if actual is None or baseline is None:
            return None
        return actual - baseline

    @property
    def change_ratio(self) -> float | None:
        change, baseline = self.change, self.row["baseline"]
        if change is None or not baseline:
            return None
        return change / baseline

    @property
    def final(self) -> bool:
        return self.computed.at >= self.target.period()[1]

    def number(self, key: str) -> str:
        return number(self.row[key], self.target.normalisation)

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return "–"
        text = signed(change, self.target.normalisation)
        if self.change_ratio is not None:
            text += f" ({percent(self.change_ratio, signed_=True)})"
        return text

    @property
    def target_text(self) -> str:
        return number(self.row["target_value"], self.target.normalisation)

    @property
    def forecast_text(self) -> str:
        if self.final or self.row["forecast"] is None:
            return ""
        low, high = self.row["forecast_low"], self.row["forecast_high"]
        text = number(self.row["forecast"], self.target.normalisation)
        if low is not None and high is not None:
            low_text = number(low, self.target.normalisation)
            high_text = number(high, self.target.normalisation)
            if low_text != high_text:  # a range the method gave, never a point dressed as one
                text += " " + _("(80 %% range %(low)s–%(high)s)") % {
                    "low": low_text,
                    "high": high_text,
                }
        return text

    @property
    def comment(self) -> str:
        return self.target.comment.strip()


@dataclass
class AreaEntry:
    area: object
    targets: list[TargetEntry]
    needs_target: list[Target]


@dataclass
class Report:
    organisation: object
    year: int
    at: date
    language: str
    generated: date
    budget_year: BudgetYear | None
    areas: list[AreaEntry] = field(default_factory=list)
    # The optional section on other municipalities: None when not asked for, else one part
    # per measure with figures (``comparison.ReportSection``), possibly none.
    comparison: list | None = None

    @property
    def entries(self) -> list[TargetEntry]:
        return [entry for area in self.areas for entry in area.targets]

    @property
    def final(self) -> bool:
        """The year is over for every target (a school-year target may run into the next)."""
        return self.at >= date(self.year, 12, 31) and all(e.final for e in self.entries)

    @property
    def title(self) -> str:
        return _("Goal follow-up %(year)s") % {"year": self.year}

    @property
    def subtitle(self) -> str:
        if self.final:
            return _("The year's result")
        return _("Status per %(date)s, with forecasts for the year") % {
            "date": formats.date_format(self.at, "DATE_FORMAT")
        }

    def counting_rules(self) -> list[tuple[str, str]]:
        """The appendix: how each indicator the report uses is counted."""
        keys = dict.fromkeys(entry.target.indicator for entry in self.entries)
        rules = []
        for key in keys:
            try:
                indicator = indicators.get(key)
            except KeyError:
                continue
            rules.append((str(indicator.name), rule_text(indicator)))
        return rules


COUNTING_RULES = {
    "visits": lambda: _(
        "A visit is a person entering a library, counted at every entry (ISO 2789, Danmarks "
        "Statistik). Counters that count both ways give (in + out) / 2, never in + out. A day "
        "with a missing count is estimated from the four previous same weekdays and marked as "
        "an estimate; counts on a closed day are set aside."
    ),
    "guidance": lambda: _(
        "Each time a member of staff helps a citizen with knowledge, literature, civic "
        "information, media, digital self-service or checking sources, in the topics that count "
        "toward the goal; purely practical questions (where, when) are left out. A tap sent twice "
        "counts once."
    ),
    "pupils_taught": lambda: _(
        "Pupils and students present at a taught session (attendances). Where the goal asks for "
        "unique pupils, a class taught several times counts once."
    ),
    "event_participants": lambda: _(
        "Participants at each held occurrence of the library's own events; bookings are not "
        "attendance, cancelled events and outside hirers' events do not count, and a hybrid "
        "session counts in-person plus online once."
    ),
    "events_held": lambda: _("Each held session of an event or series is one event."),
    "new_users": lambda: _(
        "New registered borrowers and people taking part for the first time, always as counts, "
        "never as persons."
    ),
    "digital_unique_users": lambda: _(
        "Unique users are unique only within their stated period and by their stated method "
        "(login-based or cookie-based); they are never added up across periods or platforms. The "
        "year is compared with the same period of the baseline year by the same method."
    ),
    "ebook_loans": lambda: _(
        "E-book loans on all platforms (eReolen, eReolen Go) as the platforms report them per "
        "month."
    ),
    "eaudiobook_loans": lambda: _(
        "E-audiobook loans on all platforms as the platforms report them per month."
    ),
    "child_ebook_loans": lambda: _(
        "E-book loans on children's platforms (eReolen Go) plus the 0–13 age band on the others."
    ),
}


def rule_text(indicator) -> str:
    if indicator.key in COUNTING_RULES:
        return COUNTING_RULES[indicator.key]()
    return str(indicator.description)


def unit_label(target: Target) -> str:
    indicator = target.indicator_object
    unit = str(indicator.unit) if indicator else ""
    if target.normalisation == progress.PER_OPEN_DAY:
        return _("%(unit)s per open day") % {"unit": unit}
    if target.normalisation == progress.PER_1000:
        return _("%(unit)s per 1,000 inhabitants") % {"unit": unit}
    return unit


def _decimals(normalisation: str) -> int:
    return 0 if normalisation == progress.NONE else 1


def number(value, normalisation: str = progress.NONE) -> str:
    if value is None:
        return "–"
    decimals = _decimals(normalisation)
    return formats.number_format(
        round(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True
    )


MINUS = "\u2212"  # the typographic minus sign, as printed reports write negative numbers


def signed(value, normalisation: str = progress.NONE) -> str:
    text = number(abs(value), normalisation)
    return ("+" if value >= 0 else MINUS) + text


def percent(ratio, *, signed_: bool = False) -> str:
    if ratio is None:
        return "–"
    value = formats.number_format(round(abs(ratio) * 100), decimal_pos=0, use_l10n=True)
    sign = ("+" if ratio >= 0 else MINUS) if signed_ else ("" if ratio >= 0 else MINUS)
    return f"{sign}{value}\u00a0%"


def _estimated_share(computed) -> float | None:
    series = computed.current
    if series is None:
        return None
    # ``estimated`` covers every figure of the period's series, so it is set against all of them
    # (a report per 30 June of a past year still holds the later months).
    total = sum(series.values.values())
    if total <= 0:
        return None
    return min(series.estimated / total, 1.0)


def provenance(computed, *, shared: bool = True) -> list[str]:
    """Where the numbers come from and what bends them: estimates, closures, open days.

    ``shared`` False leaves out what the documents say once for every target in their appendix:
    the closures of each year and the definition of an open day."""
    target = computed.target
    lines = []
    share = _estimated_share(computed)
    if share:
        lines.append(
            _("%(share)s of the figures for %(year)s are estimates.")
            % {"share": percent(share), "year": target.year}
        )
    elif computed.current is not None and computed.current.values:
        lines.append(
            _("All figures for %(year)s are counted, none estimated.") % {"year": target.year}
        )
    years = [(target.year, computed.current)]
    if target.baseline_year and computed.history:
        years.append((target.baseline_year, computed.history.get(target.baseline_year)))
    rates = per_open_day_text(computed)
    for year, series in years:
        if series is None:
            continue
        start = progress.shift(target.period()[0], year - target.year)
        # The open days the engine counts: to the last day with figures.
        end = progress.shift(computed.open_days_through, year - target.year)
        if series.closures and shared:
            lines.append(
                _("Closures in %(year)s: %(reasons)s.")
                % {"year": year, "reasons": "; ".join(series.closures)}
            )
        if series.open is not None and not rates:
            lines.append(
                _("Open days in %(year)s to %(date)s: %(days)s.")
                % {
                    "year": year,
                    "date": formats.date_format(end, "MONTH_DAY_FORMAT"),
                    "days": series.open_days(start, end),
                }
            )
    if rates:
        lines.extend([rates, open_day_definition()] if shared else [rates])
    lines.extend(computed.notes)
    return list(dict.fromkeys(lines))


def _open_days(days: int) -> str:
    return ngettext("%(days)d open day", "%(days)d open days", days) % {"days": days}


def per_open_day_text(computed) -> str:
    """The totals per open day of both years, where the notes ask to compare them, in one
    sentence or two; empty where they do not ask or no open day is known."""
    result, target = computed.result, computed.target
    if not computed.per_open_day_asked or result.actual_open_days is None:
        return ""
    indicator = target.indicator_object
    text = _("Per open day to %(date)s: %(rate)s %(unit)s in %(year)s (%(days)s).") % {
        "date": formats.date_format(computed.open_days_through, "MONTH_DAY_FORMAT"),
        "rate": number(result.actual_per_open_day, progress.PER_OPEN_DAY),
        "unit": str(indicator.unit) if indicator else "",
        "year": target.year,
        "days": _open_days(result.actual_open_days),
    }
    if result.baseline_open_days is not None:
        text += " " + _("The same period of %(year)s: %(rate)s per open day (%(days)s).") % {
            "year": target.baseline_year,
            "rate": number(result.baseline_per_open_day, progress.PER_OPEN_DAY),
            "days": _open_days(result.baseline_open_days),
        }
    return text


def suggested_facts(entry: TargetEntry) -> list[str]:
    """Sentences a director can start her comment from: result, change, closures, forecast."""
    target, row = entry.target, entry.row
    facts = []
    if row["actual"] is None:
        # Say why, in the engine's words: no figures, no population, not comparable yet, …
        facts = list(entry.computed.notes) or [
            _("There are no figures for %(year)s yet.") % {"year": target.year}
        ]
        if row["target_value"] is not None:
            facts.append(
                _("The value to reach is %(target)s %(unit)s.")
                % {"target": entry.target_text, "unit": entry.unit}
            )
        return facts
    when = (
        _("in %(year)s") % {"year": target.year}
        if entry.final
        else _("by %(date)s") % {"date": formats.date_format(entry.computed.at, "DATE_FORMAT")}
    )
    if entry.computed.actual_period:
        # A figure for a part of the period (unique users in June) is never the year's.
        when = _("for %(period)s") % {"period": entry.computed.actual_period}
    if row["target_value"] is None:
        facts.append(
            _("Result %(when)s: %(actual)s %(unit)s.")
            % {"when": when, "actual": entry.number("actual"), "unit": entry.unit}
        )
    else:
        facts.append(
            _("Result %(when)s: %(actual)s %(unit)s against a target of %(target)s.")
            % {
                "when": when,
                "actual": entry.number("actual"),
                "unit": entry.unit,
                "target": entry.target_text,
            }
        )
    if entry.change is not None and target.baseline_year:
        facts.append(
            _("That is %(change)s compared with the same period of %(year)s (%(baseline)s).")
            % {
                "change": entry.change_text,
                "year": target.baseline_year,
                "baseline": entry.number("baseline"),
            }
        )
    comparison = entry.computed.result.comparison
    if comparison is not None and period_figures.NOTE_PROVISIONAL in entry.computed.result.notes:
        facts.append(period_names.provisional_note(comparison))
    rates = per_open_day_text(entry.computed)
    if rates:
        facts.append(rates)
    for series, year in (
        (entry.computed.current, target.year),
        ((entry.computed.history or {}).get(target.baseline_year), target.baseline_year),
    ):
        if series is not None and series.closures:
            facts.append(
                _("In %(year)s the libraries were closed for: %(reasons)s.")
                % {"year": year, "reasons": "; ".join(series.closures)}
            )
    if entry.forecast_text:
        facts.append(_("Forecast for the year: %(forecast)s.") % {"forecast": entry.forecast_text})
    facts.append(_("Status: %(status)s.") % {"status": entry.status_label})
    return facts


def document_chart(chart: Chart | None) -> dict | None:
    """The page's Vega-Lite spec sized for paper: a fixed width instead of the container's."""
    if chart is None:
        return None
    spec = dict(chart.spec)
    spec["width"] = 620
    spec["height"] = 230
    config = dict(spec.get("config") or {})
    config["font"] = "Libertinus Serif, serif"
    config["background"] = "white"
    spec["config"] = config
    return spec


def _entry(target: Target, computed, settings, *, charts: bool) -> TargetEntry:
    row = reporting.status_row(computed)
    entry = TargetEntry(
        target=target,
        computed=computed,
        row=row,
        status_label=status_word(row["status"], settings),
        chart=progress_chart(computed) if charts else None,
        facts=[],
        provenance=provenance(computed),
    )
    entry.facts = suggested_facts(entry)
    return entry


def target_entry(target: Target, *, at: date) -> TargetEntry | None:
    """One target as the report shows it (for the comment page's suggested facts)."""
    if target.is_qualitative:
        return None
    organisation = target.focus_area.budget_year.organisation
    settings = GoalSettings.objects.filter(organisation=organisation).first()
    ratio = float(settings.at_risk_ratio) if settings else None
    computed = reporting.compute_target_progress(target, at=at, at_risk_ratio=ratio)
    return _entry(target, computed, settings, charts=False)


def build_report(
    *,
    organisation,
    year: int,
    at: date | None = None,
    language: str,
    charts: bool = True,
    comparison: bool = False,
) -> Report:
    """Everything the report says, in the active language (the caller overrides it).

    ``charts`` False leaves the charts out, for pages that show only the figures;
    ``comparison`` adds the section on other municipalities.
    """
    at = at or reporting.default_reference_date(year)
    budget_year, pairs, settings = reporting.year_progress(
        organisation=organisation, year=year, at=at
    )
    report = Report(organisation, year, at, language, timezone.localdate(), budget_year)
    if comparison:
        from bibliotal.reports.comparison import report_sections

        report.comparison = report_sections(organisation, charts=charts, until=year)
    if budget_year is None:
        return report
    by_area: dict[int, list[TargetEntry]] = {}
    needs: dict[int, list[Target]] = {}
    for target, computed in pairs:
        if computed is None:
            needs.setdefault(target.focus_area_id, []).append(target)
        else:
            entry = _entry(target, computed, settings, charts=charts)
            by_area.setdefault(target.focus_area_id, []).append(entry)
    report.areas = [
        AreaEntry(area, by_area.get(area.pk, []), needs.get(area.pk, []))
        for area in budget_year.focus_areas.all()
    ]
    return report


def summary_columns(report: Report) -> list[str]:
    columns = [
        _("Target"),
        _("Result"),
        _("Baseline"),
        pgettext("report", "Change"),
        _("Target value"),
    ]
    if not report.final:
        columns.append(_("Forecast"))
    return [*columns, _("Status")]


def summary_row(report: Report, entry: TargetEntry) -> list[str]:
    """One target in the summary table, as text; the status word comes last."""
    baseline = entry.number("baseline")
    if entry.computed.baseline_period:
        baseline = f"{baseline} ({entry.computed.baseline_period})"
    elif entry.target.baseline_year and entry.row["baseline"] is not None:
        baseline = f"{baseline} ({entry.target.baseline_year})"
    actual = entry.number("actual")
    if entry.computed.actual_period:
        actual = f"{actual} ({entry.computed.actual_period})"  # a part, never the year's
    cells = [
        entry.title,
        actual,
        baseline,
        entry.change_text,
        entry.target_text,
    ]
    if not report.final:
        # A target whose period is over has its result: no forecast, not even a dash.
        cells.append("" if entry.final else entry.number("forecast"))
    return [*cells, entry.status_label]


def figure_rows(
    entry: TargetEntry, *, status: bool = True, describe: bool = True
) -> list[tuple[str, str]]:
    """The target's figures as label and value, for the section under each target;
    ``describe`` False leaves out the target in words (where the heading says it)."""
    target, row = entry.target, entry.row
    start, end = target.period()
    rows = [
        *([(_("Target"), target.describe())] if describe else []),
        (_("Libraries"), entry.scope),
        (
            _("Period"),
            " – ".join(formats.date_format(d, "DATE_FORMAT") for d in (start, end)),
        ),
        (_("Unit"), entry.unit),
        (
            _("Result"),
            entry.number("actual")
            + (
                f" ({entry.computed.actual_period})"
                if entry.computed.actual_period
                else ""
                if entry.final
                else " " + _("(by %(date)s)") % {"date": formats.date_format(entry.computed.at)}
            ),
        ),
    ]
    rates = entry.computed.per_open_day_asked and entry.computed.result.actual_open_days is not None
    if rates:
        rows.append((_("Result per open day"), _per_open_day(entry, "actual")))
    if target.baseline_year:
        period = entry.computed.baseline_period
        rows.append(
            (
                _("Baseline %(year)s, same period") % {"year": target.baseline_year},
                entry.number("baseline") + (f" ({period})" if period else ""),
            )
        )
        if rates and entry.computed.result.baseline_open_days is not None:
            rows.append(
                (
                    _("Baseline %(year)s per open day, same period")
                    % {"year": target.baseline_year},
                    _per_open_day(entry, "baseline"),
                )
            )
        rows.append((pgettext("report", "Change"), entry.change_text))
        if row["baseline"] is None and row["baseline_full"] is not None:
            # No figure of the year yet: the baseline year's whole period the target builds on.
            rows.append(
                (
                    _("Baseline %(year)s, whole period") % {"year": target.baseline_year},
                    entry.number("baseline_full"),
                )
            )
    target_text = entry.target_text
    if entry.computed.actual_period and row["target_value"] is not None:
        target_text += " (" + _("for %(period)s") % {"period": entry.computed.actual_period} + ")"
    rows.append((_("Target value"), target_text))
    if row["progress"] is not None:
        rows.append((_("Share of the target reached"), percent(row["progress"])))
    if entry.forecast_text:
        rows.append((_("Forecast for the year"), entry.forecast_text))
    if row["data_through"]:
        rows.append(
            (
                _("Figures through"),
                formats.date_format(date.fromisoformat(row["data_through"]), "DATE_FORMAT"),
            )
        )
    if row["status_override_reason"]:
        rows.append((_("Status set by hand"), row["status_override_reason"]))
    if status:
        rows.append((_("Status"), entry.status_label))
    return rows


def _per_open_day(entry: TargetEntry, which: str) -> str:
    """``which`` is "actual" or "baseline": the total per open day with its open days."""
    result = entry.computed.result
    rate = getattr(result, f"{which}_per_open_day")
    days = getattr(result, f"{which}_open_days")
    return f"{number(rate, progress.PER_OPEN_DAY)} ({_open_days(days)})"


def needs_target_text(target: Target) -> str:
    """A goal still without a measurable target, with its comment and any status set by hand."""
    text = target.source_text.strip() or str(target.focus_area.title)
    if target.status_override:
        text += " — " + _("Status: %(status)s.") % {"status": target.get_status_override_display()}
        if target.override_reason:
            text += " " + target.override_reason.strip()
    if target.comment.strip():
        text += " — " + target.comment.strip()
    return text


def paragraphs(text: str) -> list[str]:
    """A text field's paragraphs (blank lines part them; single line breaks are kept as spaces)."""
    parts = [" ".join(line.strip() for line in part.splitlines()) for part in text.split("\n\n")]
    return [part for part in (p.strip() for p in parts) if part]


def area_sections(area) -> list[tuple[str, list[str]]]:
    """The focus area's texts in the budget document's own words, in its order."""
    sections = [
        (_("Challenge"), area.challenge),
        (_("Goal"), area.goal_text),
        (_("Ways to the goal"), area.ways),
    ]
    return [(title, paragraphs(text)) for title, text in sections if text.strip()]
