"""Every date, month and date-time field of every form renders ISO into the browser's own input,
whatever the language: `<input type="date" value="30.11.2026">` shows an empty field."""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import date, datetime

import pytest
from django import forms
from django.utils import translation

import bibliotal
from bibliotal.core import widgets

SKIP = ("migrations", "management", "settings", "wsgi", "asgi", "__main__")
INPUTS = {"date": "2026-11-30", "month": "2026-11", "datetime-local": "2026-11-30T14:05"}


def all_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(bibliotal.__path__, "bibliotal."):
        if not any(part in SKIP for part in module.name.split(".")):
            importlib.import_module(module.name)
    found, todo = [], [forms.Form, forms.ModelForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("bibliotal."):
                found.append(sub)
    return found


def date_fields():
    for form in all_forms():
        for name, field in form.base_fields.items():
            if isinstance(field, forms.DateField | forms.DateTimeField):
                yield pytest.param(field, id=f"{form.__module__}.{form.__qualname__}.{name}")


@pytest.mark.parametrize("field", list(date_fields()))
def test_every_date_field_renders_iso_into_the_browsers_picker_in_danish(field):
    widget = field.widget
    assert isinstance(widget, widgets.DateInput | widgets.MonthInput | widgets.DateTimeInput), (
        f"{type(widget).__name__}: use bibliotal.core.widgets"
    )
    value = datetime(2026, 11, 30, 14, 5)
    if not isinstance(field, forms.DateTimeField):
        value = value.date()
    with translation.override("da"):
        html = widget.render("x", value)
    kind = re.search(r'type="([^"]+)"', html).group(1)
    assert f'value="{INPUTS[kind]}"' in html, html


@pytest.mark.parametrize("widget", [widgets.DateInput(), widgets.MonthInput()])
def test_the_value_sent_back_parses_in_danish(widget):
    field = forms.DateField(widget=widget, input_formats=widgets.MONTH_INPUT_FORMATS)
    if isinstance(widget, widgets.DateInput):
        field = forms.DateField(widget=widget)
    with translation.override("da"):
        sent = widget.format_value(date(2026, 11, 30))
        assert field.clean(sent) == (
            date(2026, 11, 30) if sent == "2026-11-30" else date(2026, 11, 1)
        )


def test_the_walk_finds_the_forms_of_every_app():
    modules = {form.__module__.split(".")[1] for form in all_forms()}
    assert {"core", "guidance", "visits", "digital", "goals", "teaching", "events"} <= modules
