"""Totals per open day beside the totals, where the libraries' open days matter. Pure.

An open day is a date on which at least one library in the target's scope was open to the
public, staffed or self-service: the series' ``open``, from ``core.opening.ScopeDays``, the one
definition every page uses. Both years cover the same period to date: the actual divided by the
open days from the period's first day to the last day with figures, and the baseline year's
same calendar days divided by its open days on them.
"""

from __future__ import annotations

from bibliotal.goals import progress as P
from bibliotal.goals.series import shift

NOTE_NO_BASELINE_OPEN_DAYS = "no_baseline_open_days"


def add_open_day_rates(spec, result, at, current, history):
    """Set ``result``'s open days and totals per open day for both years, and, where the
    figures ask for a comparison per open day, say why a rate is missing."""
    if not spec.additive or current is None:
        return result
    if current.open is None and not current.no_opening_hours:
        return result  # the activity does not need the libraries open (e-loans)
    through = result.data_through or min(at, spec.end)
    if not current.has_values(spec.start, through):
        return result
    asked = P.NOTE_BASELINE_CLOSURES in result.notes

    def note(code: str) -> None:
        if asked and code not in result.notes:
            result.notes.append(code)

    if current.no_opening_hours:
        note(P.NOTE_NO_RATE)
        return result
    days = current.open_days(spec.start, through)
    result.actual_open_days = days
    if days:
        result.actual_per_open_day = current.total(spec.start, through) / days
    else:
        note(P.NOTE_NO_OPEN_DAYS)
    base = history.get(spec.baseline_year) if spec.baseline_year else None
    if base is None:
        return result
    offset = spec.baseline_year - spec.start.year
    b_start, b_through = shift(spec.start, offset), shift(through, offset)
    if not base.has_values(b_start, shift(spec.end, offset)):
        return result  # "no figures for the baseline year" says it already
    if base.no_opening_hours or base.open is None:
        note(P.NOTE_NO_RATE)
        return result
    base_days = base.open_days(b_start, b_through)
    result.baseline_open_days = base_days
    if base_days:
        result.baseline_per_open_day = base.total(b_start, b_through) / base_days
    else:
        note(NOTE_NO_BASELINE_OPEN_DAYS)
    return result
