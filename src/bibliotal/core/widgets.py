"""Date widgets for the browser's own pickers: one place, so every date field renders alike.

``<input type="date">`` takes its value in ISO form only (``2026-11-30``); a value in the page's
language ("30.11.2026", Django's default under Danish) makes the browser show an empty field,
so a form loses its default day and a filter page forgets its period after "Show". These widgets
always render ISO, whatever the language; the browser shows the date in the user's own way.

Django's date fields parse ISO in every language, so a field needs no ``input_formats`` for
``DateInput``; a month field takes ``input_formats=MONTH_INPUT_FORMATS`` (``MonthInput`` sends
``2026-11``). ``tests/core/test_date_widgets.py`` walks every form and holds them to this.
"""

from __future__ import annotations

from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_MONTH = "%Y-%m"
ISO_DATETIME = "%Y-%m-%dT%H:%M"
MONTH_INPUT_FORMATS = [ISO_MONTH, ISO_DATE]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=format or ISO_DATE)


class MonthInput(forms.DateInput):
    """A month (``2026-11``) for a date field that keeps the month's first day."""

    input_type = "month"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=format or ISO_MONTH)


class DateTimeInput(forms.DateTimeInput):
    """A local date and time (``2026-11-30T14:00``)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=format or ISO_DATETIME)
