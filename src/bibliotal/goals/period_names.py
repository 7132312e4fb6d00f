"""Reported periods in the words a manager reads: "januar–juni 2021", "1.–2. kvartal 2021",
"1. halvår 2021", and the notes that say which periods a provisional status compared."""

from __future__ import annotations

from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bibliotal.goals import period_figures as F

Span = tuple[date, date]


def _month(day: date) -> str:
    return formats.date_format(day, "F")


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _runs(spans: list[Span], step) -> list[list[Span]]:
    """Spans that follow each other without a gap, grouped."""
    runs: list[list[Span]] = []
    for span in sorted(spans):
        if runs and step(runs[-1][-1], span):
            runs[-1].append(span)
        else:
            runs.append([span])
    return runs


def _next_month(before: Span, after: Span) -> bool:
    last = before[1]
    return (after[0].year, after[0].month) == (
        last.year + (last.month == 12),
        last.month % 12 + 1,
    )


def _months(spans: list[Span]) -> str:
    """Whole months: "januar–juni 2021", "januar, marts og april 2021"."""
    runs = _runs(spans, _next_month)
    one_year = len({s[0].year for s in spans}) == 1 and all(
        r[0][0].year == r[-1][1].year for r in runs
    )
    labels = []
    for run in runs:
        first, last = run[0][0], run[-1][1]
        if one_year:
            labels.append(_month(first) if len(run) == 1 else f"{_month(first)}–{_month(last)}")
        elif len(run) == 1:
            labels.append(f"{_month(first)} {first.year}")
        elif first.year == last.year:
            labels.append(f"{_month(first)}–{_month(last)} {first.year}")
        else:
            labels.append(f"{_month(first)} {first.year}–{_month(last)} {last.year}")
    text = _and(labels)
    return f"{text} {spans[0][0].year}" if one_year else text


def _quarters(spans: list[Span]) -> str:
    def number(span: Span) -> int:
        return (span[0].month - 1) // 3 + 1

    def follows(before: Span, after: Span) -> bool:
        return after[0].year == before[0].year and number(after) == number(before) + 1

    labels = []
    for run in _runs(spans, follows):
        year = run[0][0].year
        if len(run) == 1:
            labels.append(_("Q%(number)d %(year)d") % {"number": number(run[0]), "year": year})
        else:
            labels.append(
                _("Q%(first)d–Q%(last)d %(year)d")
                % {"first": number(run[0]), "last": number(run[-1]), "year": year}
            )
    return _and(labels)


def _half_year(span: Span) -> str:
    if span[0].month == 1:
        return _("first half of %(year)d") % {"year": span[0].year}
    return _("second half of %(year)d") % {"year": span[0].year}


def span_words(start: date, end: date) -> str:
    """One span: a month, a run of whole months, a quarter, a half-year, a year, or dates."""
    kind = F.period_kind(start, end)
    if kind == F.YEAR:
        return str(start.year)
    if kind == F.QUARTER:
        return _quarters([(start, end)])
    if kind == F.HALF_YEAR:
        return _half_year((start, end))
    if start.day == 1 and F.period_kind(end.replace(day=1), end) == F.MONTH:
        if (start.year, start.month) == (end.year, end.month):
            return _months([(start, end)])
        if start.year == end.year:
            return f"{_month(start)}–{_month(end)} {start.year}"
        return f"{_month(start)} {start.year}–{_month(end)} {end.year}"
    if start == end:
        return formats.date_format(start, "DATE_FORMAT")
    last = formats.date_format(end, "DATE_FORMAT")
    if start.year == end.year:
        return f"{formats.date_format(start, 'MONTH_DAY_FORMAT')}–{last}"
    return f"{formats.date_format(start, 'DATE_FORMAT')}–{last}"


def spans_words(spans) -> str:
    """Several spans of one kind in words, runs of months or quarters joined up."""
    spans = sorted(spans)
    if not spans:
        return ""
    kinds = {F.period_kind(start, end) for start, end in spans}
    if kinds == {F.MONTH}:
        return _months(spans)
    if kinds == {F.QUARTER}:
        return _quarters(spans)
    return _and([span_words(start, end) for start, end in spans])


def _signed_percent(ratio: float) -> str:
    value = formats.number_format(round(abs(ratio) * 100), decimal_pos=0, use_l10n=True)
    sign = "+" if ratio >= 0 else "\u2212"  # the typographic minus sign
    return f"{sign}{value}\u00a0%"


def _rose(comparison: F.PeriodComparison) -> str:
    values = {
        "rose": comparison.rose,
        "count": comparison.compared,
        "change": _signed_percent((comparison.ratio or 1.0) - 1),
    }
    count = comparison.compared
    if comparison.kind == F.MONTH:
        text = ngettext(
            "The figure rose in %(rose)d of %(count)d month; the mean change is %(change)s.",
            "The figure rose in %(rose)d of %(count)d months; the mean change is %(change)s.",
            count,
        )
    elif comparison.kind == F.QUARTER:
        text = ngettext(
            "The figure rose in %(rose)d of %(count)d quarter; the mean change is %(change)s.",
            "The figure rose in %(rose)d of %(count)d quarters; the mean change is %(change)s.",
            count,
        )
    elif comparison.kind == F.HALF_YEAR:
        text = ngettext(
            "The figure rose in %(rose)d of %(count)d half-year; the mean change is %(change)s.",
            "The figure rose in %(rose)d of %(count)d half-years; the mean change is %(change)s.",
            count,
        )
    else:
        text = ngettext(
            "The figure rose in %(rose)d of %(count)d period; the mean change is %(change)s.",
            "The figure rose in %(rose)d of %(count)d periods; the mean change is %(change)s.",
            count,
        )
    return text % values


def provisional_note(comparison: F.PeriodComparison) -> str:
    """ "Provisional: January–June 2021 compared with January–June 2020. …" """
    current = spans_words([(now.start, now.end) for now, _before in comparison.pairs])
    baseline = spans_words([(before.start, before.end) for _now, before in comparison.pairs])
    text = _(
        "Provisional: %(current)s compared with %(baseline)s. The figure for the whole period "
        "decides once it is reported."
    ) % {"current": current, "baseline": baseline}
    if comparison.kind != F.TO_DATE and comparison.ratio is not None:
        text += " " + _rose(comparison)
    return text


def missing_note(comparison: F.PeriodComparison) -> str:
    return _(
        "The baseline year has no figure for %(periods)s, so they are left out of the comparison."
    ) % {"periods": spans_words(comparison.missing)}
