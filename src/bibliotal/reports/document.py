"""What the committee documents (the PDF and the DOCX) make of the report's content.

A committee reads the cover and the one-page summary; the pages per target show a chart and the
figures; whatever holds for many targets (the year's closures, notes such as "all figures are
counted") is said once, in the appendix, which each target refers to. Build inside
``translation.override`` for the report's language, as ``content.build_report``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, time

from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext

from bibliotal import __version__
from bibliotal.core.opening import open_day_definition
from bibliotal.goals import progress
from bibliotal.reports import content, municipalities

# A summary comment longer than this is cut at a sentence (or a word) to stay one line or two.
COMMENT_CHARACTERS = 150
# The order of the statuses in the cover's overview.
STATUS_ORDER = [
    progress.ACHIEVED,
    progress.ON_TRACK,
    progress.AT_RISK,
    progress.OFF_TRACK,
    progress.NOT_ACHIEVED,
    progress.NO_DATA,
]


def municipality(report: content.Report) -> str:
    code = report.organisation.municipality_code
    return municipalities.area_name(code) if code else ""


def service_areas(report: content.Report) -> list[str]:
    """The service areas of the budget goals in the document's order, each once."""
    names = dict.fromkeys(area.area.service_area.strip() for area in report.areas)
    return [name for name in names if name]


def service_area_text(name: str) -> str:
    """ "14 Biblioteker" → "Serviceområde 14 Biblioteker"; a name that says so already stays."""
    word = _("Service area")
    if name.casefold().startswith(word.casefold()):
        return name
    return _("Service area %(name)s") % {"name": name}


def cover_facts(report: content.Report) -> list[tuple[str, str]]:
    facts = [(_("Organisation"), str(report.organisation))]
    if municipality(report):
        facts.append((_("Municipality"), municipality(report)))
    areas = service_areas(report)
    if areas:
        facts.append(
            (
                npgettext("cover fact", "Service area", "Service areas", len(areas)),
                ", ".join(areas),
            )
        )
    facts += [
        (_("Budget year"), str(report.year)),
        (_("Figures per"), formats.date_format(report.at, "DATE_FORMAT")),
        (_("Made"), formats.date_format(report.generated, "DATE_FORMAT")),
        (_("Made with"), f"Bibliotal {__version__}"),
    ]
    return facts


def status_counts(report: content.Report) -> list[tuple[str, str, int]]:
    """(status key, the organisation's word, how many targets) for the statuses that occur."""
    counts = Counter(entry.row["status"] for entry in report.entries)
    words = {entry.row["status"]: entry.status_label for entry in report.entries}
    order = [key for key in STATUS_ORDER if key in counts]
    order += [key for key in counts if key not in order]
    return [(key, words[key], counts[key]) for key in order]


def targets_count(report: content.Report) -> str:
    count = len(report.entries)
    return ngettext("%(count)d measurable target", "%(count)d measurable targets", count) % {
        "count": count
    }


# Summary


@dataclass
class SummaryRow:
    entry: content.TargetEntry
    title: str
    actual: str
    actual_note: str  # "(juni 2021)": the part of the period a figure covers, on its own line
    target: str
    forecast: str
    status: str
    status_label: str
    comment: str
    generated: bool  # the comment is Bibliotal's reading of the figures, not a person's


def summary_columns(report: content.Report) -> list[str]:
    columns = [_("Target"), _("Result"), _("Target value")]
    if not report.final:
        columns.append(_("Forecast"))
    return [*columns, _("Status"), _("Comment")]


def summary_rows(report: content.Report) -> list[SummaryRow]:
    rows = []
    for entry in report.entries:
        comment, generated = comment_line(entry)
        period = entry.computed.actual_period
        rows.append(
            SummaryRow(
                entry=entry,
                title=entry.title,
                actual=entry.number("actual"),
                actual_note=f"({period})" if period and entry.row["actual"] is not None else "",
                target=entry.target_text,
                # A target whose period is over has its result: no forecast, not even a dash.
                forecast="" if entry.final else entry.number("forecast"),
                status=entry.row["status"],
                status_label=entry.status_label,
                comment=comment,
                generated=generated,
            )
        )
    return rows


def summary_cells(report: content.Report, row: SummaryRow) -> list[str]:
    """A summary row as text, in the order of ``summary_columns`` (for the DOCX)."""
    actual = f"{row.actual} {row.actual_note}" if row.actual_note else row.actual
    cells = [row.title, actual, row.target]
    if not report.final:
        cells.append(row.forecast)
    return [*cells, row.status_label, row.comment]


def one_line(text: str, limit: int = COMMENT_CHARACTERS) -> str:
    """The first paragraph of a comment, cut after a sentence or a word to about ``limit``."""
    paragraphs = content.paragraphs(text)
    if not paragraphs:
        return ""
    first = paragraphs[0]
    if len(first) <= limit:
        return first
    sentences = re.split(r"(?<=[.!?])\s+", first)
    kept = ""
    for sentence in sentences:
        if len(kept) + len(sentence) + 1 > limit:
            break
        kept = f"{kept} {sentence}".strip()
    if kept:
        return kept
    return first[:limit].rsplit(" ", 1)[0].rstrip(",;:–-") + " …"


def comment_line(entry: content.TargetEntry) -> tuple[str, bool]:
    """The summary's comment: the report comment written for the target where there is one (its
    first sentences), else the reason given for a status set by hand, else a reading of the
    goals engine's verdict (marked as generated)."""
    written = one_line(entry.comment)
    if written:
        return written, False
    reason = one_line(entry.row["status_override_reason"] or "")
    if reason:
        return reason, False
    return verdict(entry), True


def _cumulative(entry: content.TargetEntry) -> bool:
    """A running total (visits so far) rather than a figure per period or a rate per day."""
    return entry.computed.periods is None and entry.target.normalisation != progress.PER_OPEN_DAY


def verdict(entry: content.TargetEntry) -> str:
    """The goals engine's verdict in a sentence: the result (or, before the end of the period,
    the forecast) as a share of the target value, and the change against the baseline year."""
    row, target = entry.row, entry.target
    if row["actual"] is None or row["target_value"] is None or row["progress"] is None:
        notes = entry.computed.notes
        return notes[0] if notes else _("There are no figures yet.")
    values = {"share": content.percent(row["progress"]), "year": target.baseline_year}
    change = entry.change_ratio is not None and bool(target.baseline_year)
    if change:
        values["change"] = content.percent(entry.change_ratio, signed_=True)
    if not entry.final and row["forecast"] is not None and row["target_value"]:
        values["forecast"] = content.percent(row["forecast"] / row["target_value"])
        if change:
            text = _(
                "Forecast %(forecast)s of the target value; so far %(change)s against %(year)s."
            )
        else:
            text = _("Forecast %(forecast)s of the target value.")
    elif not entry.final and _cumulative(entry):
        if change:
            text = _("%(share)s of the target value so far; %(change)s against %(year)s.")
        else:
            text = _("%(share)s of the target value so far.")
    elif change:
        text = _("%(share)s of the target value; %(change)s against %(year)s.")
    else:
        text = _("%(share)s of the target value.")
    return text % values


# Appendix


@dataclass
class ClosureRow:
    period: str
    libraries: str
    scope: str
    reason: str


@dataclass
class SharedNote:
    text: str
    targets: str  # the targets it holds for, in words


@dataclass
class TargetNotes:
    entry: content.TargetEntry
    number: int  # the anchor the target's page refers to
    rule: str  # how its indicator is counted
    lines: list[str]


@dataclass
class Appendix:
    closures: list[ClosureRow]
    closure_years: list[int]
    definitions: list[str]
    shared: list[SharedNote]
    targets: list[TargetNotes]


def _years(report: content.Report) -> list[int]:
    """The years the report's figures are read from: each target's period and its baseline."""
    years: set[int] = set()
    for entry in report.entries:
        start, end = entry.target.period()
        span = range(start.year, end.year + 1)
        years.update(span)
        if entry.target.baseline_year:
            offset = entry.target.baseline_year - start.year
            years.update(year + offset for year in span)
    return sorted(years)


def _clock(value: time) -> str:
    return formats.time_format(value, "TIME_FORMAT")


def _closure_period(closure) -> str:
    start, end = closure.start_date, closure.end_date
    if start == end:
        text = formats.date_format(start, "DATE_FORMAT")
    else:
        first, last = (formats.date_format(day, "DATE_FORMAT") for day in (start, end))
        text = f"{first} – {last}"
    if closure.start_time and closure.end_time:
        text += ", " + _("%(from)s–%(to)s") % {
            "from": _clock(closure.start_time),
            "to": _clock(closure.end_time),
        }
    elif closure.start_time:
        text += ", " + _("from %(time)s") % {"time": _clock(closure.start_time)}
    elif closure.end_time:
        text += ", " + _("until %(time)s") % {"time": _clock(closure.end_time)}
    return text


def closure_rows(report: content.Report, years: list[int]) -> list[ClosureRow]:
    """Every closure of the organisation in the years the figures come from, by date."""
    from bibliotal.core.models import Closure

    if not years:
        return []
    overlapping = Q()
    for year in years:
        overlapping |= Q(start_date__lte=date(year, 12, 31), end_date__gte=date(year, 1, 1))
    closures = (
        Closure.objects.filter(overlapping, organisation=report.organisation)
        .prefetch_related("branches")
        .order_by("start_date", "start_time", "pk")
    )
    rows = []
    for closure in closures:
        branches = [str(branch) for branch in closure.branches.all()]
        rows.append(
            ClosureRow(
                period=_closure_period(closure),
                libraries=", ".join(branches) if branches else _("All libraries"),
                scope=str(closure.get_scope_display()),
                reason=closure.reason,
            )
        )
    return rows


def _names(entries: list[content.TargetEntry], total: int) -> str:
    if len(entries) == total:
        return _("all targets")
    names = [entry.target.indicator_name for entry in entries]
    if len(set(names)) < len(names):  # one indicator in two targets: name the targets
        names = [entry.title for entry in entries]
    return ", ".join(names)


def _rule(entry: content.TargetEntry) -> str:
    indicator = entry.target.indicator_object
    return content.rule_text(indicator) if indicator is not None else ""


def appendix(report: content.Report) -> Appendix:
    """The notes said once: closures, definitions, notes shared by several targets, and for
    each target how its indicator is counted and what is left to say of it alone."""
    entries = report.entries
    lines = [content.provenance(entry.computed, shared=False) for entry in entries]
    seen = Counter(line for own in lines for line in set(own))
    shared = []
    for line in dict.fromkeys(line for own in lines for line in own):
        if seen[line] > 1:
            holders = [e for e, own in zip(entries, lines, strict=True) if line in own]
            shared.append(SharedNote(line, _names(holders, len(entries))))
    targets = [
        TargetNotes(entry, number, _rule(entry), [line for line in own if seen[line] == 1])
        for number, (entry, own) in enumerate(zip(entries, lines, strict=True), start=1)
    ]
    years = _years(report)
    closures = closure_rows(report, years)
    definitions = []
    if closures or any(entry.computed.per_open_day_asked for entry in entries):
        definitions.append(open_day_definition())
    return Appendix(closures, years, definitions, shared, targets)


def closure_columns() -> list[str]:
    return [_("When"), _("Libraries"), _("What closed"), _("Reason")]


def labels(report: content.Report) -> dict[str, str]:
    """The documents' headings and fixed sentences."""
    return {
        "summary": _("Summary of the targets"),
        "status": _("Status"),
        "comment": _("Comment"),
        "no_comment": _("No comment has been written yet."),
        "generated": _(
            "Comments in italics are Bibliotal's reading of the figures: no comment has been "
            "written for the target yet."
        ),
        "notes_ref": _(
            "How the figures are counted, estimates and closures: see the appendix, page %(page)s."
        )
        % {"page": "{page}"},
        "summary_ref": _(
            "How the figures are counted, closures and estimates: see the appendix “About the "
            "figures” from page %(page)s."
        )
        % {"page": "{page}"},
        # Without page numbers, for the DOCX (Word numbers its own pages).
        "notes_ref_plain": _(
            "How the figures are counted, estimates and closures: see the appendix “About the "
            "figures”."
        ),
        "needs_target": _("Goals without a measurable target"),
        "area_comment": _("Comment on the focus area"),
        "notes": _("Appendix: about the figures"),
        "closures": _("Closures"),
        "closures_intro": _(
            "The closures registered for the years the figures come from (%(years)s)."
        )
        % {"years": ", ".join(str(year) for year in _years(report))},
        "no_closures": _("No closures are registered for these years."),
        "shared": _("Notes that hold for several targets"),
        "per_target": _("How each target is counted"),
        "comparison": _("Comparison with other municipalities"),
        "contents": _("Contents"),
    }
