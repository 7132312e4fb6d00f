"""Dates and numbers for people, in the active language: one helper for pages, documents, charts
and messages, so that a Danish reader always sees 1. dec. 2021, 09.00 and 62,5.

The formats themselves live in ``bibliotal/formats/<language>/formats.py`` under Django's names
and Bibliotal's own (``ABBR_DATE_FORMAT`` and the like); the helpers here take a format's name,
never a format string, so that each language writes a date its own way. Charts get the same
words and separators as a Vega locale (``chart_locale``), which the browser's vega-embed and
vl-convert both apply.
"""

from __future__ import annotations

from datetime import date, datetime
from datetime import time as time_of_day
from decimal import Decimal

from django.utils import dates, formats, timezone, translation
from django.utils.translation import pgettext_lazy

# Django's Danish catalogue writes March, April, June, July and September as "marts", "april",
# "juni", "juli" and "sept."; Danish dictionaries (and CLDR) abbreviate them mar., apr., jun.,
# jul. and sep. Named here so that makemessages puts Django's msgids into Bibliotal's catalogue,
# which Django reads before its own; the format character ``N`` prints them.
MONTH_ABBREVIATIONS = (
    pgettext_lazy("abbrev. month", "Jan."),
    pgettext_lazy("abbrev. month", "Feb."),
    pgettext_lazy("abbrev. month", "March"),
    pgettext_lazy("abbrev. month", "April"),
    pgettext_lazy("abbrev. month", "May"),
    pgettext_lazy("abbrev. month", "June"),
    pgettext_lazy("abbrev. month", "July"),
    pgettext_lazy("abbrev. month", "Aug."),
    pgettext_lazy("abbrev. month", "Sept."),
    pgettext_lazy("abbrev. month", "Oct."),
    pgettext_lazy("abbrev. month", "Nov."),
    pgettext_lazy("abbrev. month", "Dec."),
)


def date_text(value: date | datetime | None, name: str = "DATE_FORMAT") -> str:
    """A date (or the local date and time of an aware datetime) in the active language's format
    of that name: ``date_text(day, "ABBR_DATE_FORMAT")`` is "1. dec. 2021" in Danish."""
    if value is None:
        return "–"
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, name)


def time_text(value: time_of_day | datetime | None) -> str:
    """A time of day: 09.00 in Danish, 09:00 in English."""
    if value is None:
        return "–"
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.time_format(value, "TIME_FORMAT")


def number_text(value, decimals: int | None = None) -> str:
    """A figure for people: thousands grouped, the active language's decimal sign. Without
    ``decimals``, one decimal below 100 when the figure has one, else none (45.000; 62,5)."""
    if value is None or value == "":
        return "–"
    if decimals is None:
        value = float(value)
        decimals = 1 if abs(value) < 100 and round(value, 1) != round(value) else 0
    value = round(value if isinstance(value, Decimal) else float(value), decimals)
    return formats.number_format(value, decimal_pos=decimals, force_grouping=True)


def percent_text(ratio, decimals: int = 0) -> str:
    """A share as a percentage with a space before the sign, as Danish writes it (62 %)."""
    if ratio is None:
        return "–"
    return f"{number_text(float(ratio) * 100, decimals)}\u00a0%"


def chart_locale() -> dict | None:
    """Vega's number and time locale for the active language (``config.locale`` of a spec, and
    vega-embed's and vl-convert's ``formatLocale``/``timeFormatLocale``); None for English,
    which is Vega's own."""
    language = translation.get_language() or "da"
    if not language.startswith("da"):
        return None
    # Vega's weeks begin on Sunday; Django's WEEKDAYS on Monday.
    order = [6, 0, 1, 2, 3, 4, 5]
    return {
        "number": {
            "decimal": formats.get_format("DECIMAL_SEPARATOR"),
            "thousands": formats.get_format("THOUSAND_SEPARATOR"),
            "grouping": [3],
            "currency": ["", "\u00a0kr."],
            "minus": "\u2212",
        },
        "time": {
            "dateTime": "%A den %-d. %B %Y %H.%M.%S",
            "date": "%d.%m.%Y",
            "time": "%H.%M.%S",
            "periods": ["AM", "PM"],
            "days": [str(dates.WEEKDAYS[i]) for i in order],
            "shortDays": [f"{dates.WEEKDAYS_ABBR[i]}." for i in order],
            "months": [str(dates.MONTHS[i]) for i in range(1, 13)],
            "shortMonths": [str(m) for m in MONTH_ABBREVIATIONS],
        },
    }
