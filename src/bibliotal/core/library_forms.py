"""Forms of the administrators' library pages (``core.library_admin``): a library with its other
names, its service points, an opening schedule with its weekly hours, and a closure."""

from __future__ import annotations

import re
from datetime import date, time
from itertools import pairwise

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from bibliotal.core.imports import FIRST_DAY, LAST_DAY, DateOutOfRange
from bibliotal.core.models import (
    Branch,
    BranchAlias,
    Closure,
    OpeningHours,
    OpeningSchedule,
    ServicePoint,
)
from bibliotal.core.places import branch_keys, normalise
from bibliotal.core.widgets import DateInput

POSTCODE = re.compile(r"\d{4}")
ISIL = re.compile(r"[A-Z]{2}-[A-Za-z0-9:/-]{1,16}")


def _date_widget():
    return DateInput()


def _time_widget():
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _plausible(value: date | None) -> date | None:
    if value is not None and not FIRST_DAY <= value <= LAST_DAY:
        raise forms.ValidationError(DateOutOfRange(value).rule)
    return value


# -- a library and its other names ---------------------------------------------------------------


class BranchForm(forms.ModelForm):
    class Meta:
        model = Branch
        fields = ["name", "street", "postcode", "city", "area_type", "isil", "active_from"]
        fields += ["active_to"]
        widgets = {"active_from": _date_widget(), "active_to": _date_widget()}
        help_texts = {
            "street": _("For example Østergade 8. Events at this address belong to the library."),
            "active_from": _("Empty: as long as Bibliotal has figures."),
            "active_to": _(
                "The last day the library was open. A library that closes down keeps its "
                "figures; after this day it counts as closed."
            ),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.instance.organisation = organisation
        self.fields["name"].widget.attrs["autocomplete"] = "off"
        self.fields["street"].widget.attrs["autocomplete"] = "street-address"
        self.fields["postcode"].widget.attrs.update(
            {"autocomplete": "postal-code", "inputmode": "numeric"}
        )
        self.fields["city"].widget.attrs["autocomplete"] = "address-level2"

    def _others(self):
        others = Branch.objects.filter(organisation=self.organisation)
        return others.exclude(pk=self.instance.pk) if self.instance.pk else others

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if self._others().filter(name__iexact=name).exists():
            raise forms.ValidationError(_("Another library already has this name."))
        return name

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip()
        if postcode and not POSTCODE.fullmatch(postcode):
            raise forms.ValidationError(_("A Danish postcode is four digits, e.g. 7400."))
        return postcode

    def clean_isil(self):
        isil = self.cleaned_data["isil"].strip()
        if not isil:
            return isil
        isil = isil[:2].upper() + isil[2:]
        if not ISIL.fullmatch(isil):
            raise forms.ValidationError(
                _("An ISIL code is a country code, a hyphen and the library's number: DK-765700.")
            )
        if self._others().filter(isil__iexact=isil).exists():
            raise forms.ValidationError(_("Another library already has this ISIL code."))
        return isil

    def clean_active_from(self):
        return _plausible(self.cleaned_data.get("active_from"))

    def clean_active_to(self):
        return _plausible(self.cleaned_data.get("active_to"))


class AliasForm(forms.ModelForm):
    class Meta:
        model = BranchAlias
        fields = ["text"]
        labels = {"text": _("Other name or address")}
        help_texts = {"text": ""}  # the rows' fieldset has the hint, once for every row

    def clean_text(self):
        text = " ".join(self.cleaned_data["text"].split())
        if text and not normalise(text):
            raise forms.ValidationError(_("Write a name or an address, not only punctuation."))
        return text


class BaseAliasFormSet(BaseInlineFormSet):
    """Other names must tell the library apart: one the library already goes by is left out,
    one another library goes by is refused (an import could not tell them apart)."""

    def __init__(self, *args, organisation, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        own = normalise(self.instance.name or "")
        others: dict[str, str] = {}
        branches = Branch.objects.filter(organisation=self.organisation).prefetch_related("aliases")
        for branch in branches:
            if branch.pk == self.instance.pk:
                continue
            texts = [a.text for a in branch.aliases.all()]
            for _kind, raw in branch_keys(branch, texts):
                others.setdefault(normalise(raw), branch.name)
        seen: set[str] = set()
        for form in self.forms:
            text = form.cleaned_data.get("text")
            if not text or self._should_delete_form(form):
                continue
            key = normalise(text)
            if key in seen:
                form.add_error("text", _("This name is in the list twice."))
            elif key == own:
                form.add_error("text", _("This is the library's own name."))
            elif key in others:
                form.add_error(
                    "text",
                    _("%(library)s already goes by this name or address.")
                    % {"library": others[key]},
                )
            seen.add(key)


AliasFormSet = inlineformset_factory(
    Branch,
    BranchAlias,
    form=AliasForm,
    formset=BaseAliasFormSet,
    fields=["text"],
    extra=2,
    can_delete=True,
)


# -- service points ------------------------------------------------------------------------------


class ServicePointForm(forms.ModelForm):
    class Meta:
        model = ServicePoint
        fields = ["name", "kind", "active"]
        help_texts = {
            "active": _("An inactive service point keeps its figures but takes no new ones.")
        }

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.branch = branch
        self.instance.branch = branch

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        others = ServicePoint.objects.filter(branch=self.branch, name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("The library already has a service point of this name."))
        return name


# -- opening hours -------------------------------------------------------------------------------

SEPARATORS = re.compile(r"\s*[-–—]\s*|\s+til\s+|\s+to\s+")
CLOCK = re.compile(r"(?:kl\.?\s*)?(\d{1,2})(?:[.:](\d{2}))?")


def format_periods(periods) -> str:
    """[(time(10), time(18))] → "10.00–18.00" (what the field shows)."""
    return ", ".join(f"{a:%H.%M}–{b:%H.%M}" for a, b in periods)


def _clock(raw: str) -> time:
    found = CLOCK.fullmatch(raw.strip().lower())
    if not found:
        raise forms.ValidationError(
            _("%(value)s is not a time of day; write e.g. 10.00 or 9.30."), params={"value": raw}
        )
    hours, minutes = int(found.group(1)), int(found.group(2) or 0)
    if hours == 24 and minutes == 0:
        raise forms.ValidationError(_("Write 23.59 for the end of the day, not 24.00."))
    if hours > 23 or minutes > 59:
        raise forms.ValidationError(
            _("%(value)s is not a time of day; write e.g. 10.00 or 9.30."), params={"value": raw}
        )
    return time(hours, minutes)


def parse_periods(raw: str) -> list[tuple[time, time]]:
    """``"10-12, 14.00–18.00"`` → two periods; empty is closed. The periods must not overlap."""
    periods = []
    for part in re.split(r"[,;]|\s+og\s+|\s+and\s+", raw or ""):
        part = part.strip()
        if not part:
            continue
        pieces = SEPARATORS.split(part)
        if len(pieces) != 2:
            raise forms.ValidationError(
                _(
                    "Write each period as opens–closes, e.g. 10.00–18.00; separate periods "
                    "by commas."
                )
            )
        opens, closes = _clock(pieces[0]), _clock(pieces[1])
        if closes <= opens:
            raise forms.ValidationError(
                _("%(period)s: the library must close after it opens."),
                params={"period": format_periods([(opens, closes)])},
            )
        periods.append((opens, closes))
    periods.sort()
    for (a_opens, a_closes), (b_opens, b_closes) in pairwise(periods):
        if b_opens < a_closes:
            raise forms.ValidationError(
                _("%(first)s and %(second)s overlap: write them as one period."),
                params={
                    "first": format_periods([(a_opens, a_closes)]),
                    "second": format_periods([(b_opens, b_closes)]),
                },
            )
    return periods


class PeriodsField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=200, **kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean(self, value):
        return parse_periods(super().clean(value))


KINDS = (OpeningHours.Kind.STAFFED, OpeningHours.Kind.SELF_SERVICE)


class ScheduleForm(forms.ModelForm):
    """A schedule's name and validity, and its week as 7 × 2 fields of periods: each weekday's
    staffed and self-service hours, several periods separated by commas."""

    class Meta:
        model = OpeningSchedule
        fields = ["name", "valid_from", "valid_to"]
        widgets = {"valid_from": _date_widget(), "valid_to": _date_widget()}
        help_texts = {
            "name": _("For example Normal opening hours or Summer 2024."),
            "valid_from": _(
                "On a day several schedules cover, the one that starts latest applies: summer "
                "hours override the normal hours without changing them."
            ),
            "valid_to": _("Empty: until further notice."),
        }

    def __init__(self, *args, branch, hours=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.branch = branch
        self.instance.branch = branch
        if hours is None and self.instance.pk:
            hours = self.instance.hours.all()
        by_cell: dict[tuple[int, str], list] = {}
        for item in sorted(hours or (), key=lambda h: (h.weekday, h.kind, h.opens)):
            by_cell.setdefault((item.weekday, item.kind), []).append((item.opens, item.closes))
        self.rows = []
        for weekday, day_name in OpeningHours.Weekday.choices:
            cells = []
            for kind in KINDS:
                name = self.cell_name(weekday, kind)
                self.fields[name] = PeriodsField(
                    label=capfirst(
                        _("%(day)s, %(kind)s")
                        % {"day": day_name, "kind": OpeningHours.Kind(kind).label.lower()}
                    ),
                )
                if (weekday, kind) in by_cell:
                    self.initial[name] = format_periods(by_cell[(weekday, kind)])
                cells.append(name)
            self.rows.append({"weekday": weekday, "name": day_name, "cells": cells})

    @staticmethod
    def cell_name(weekday: int, kind: str) -> str:
        return f"day{weekday}_{kind}"

    @property
    def grid(self) -> list[dict]:
        """The 7 rows with their two bound fields, for the template."""
        return [
            {"name": row["name"], "fields": [self[name] for name in row["cells"]]}
            for row in self.rows
        ]

    @property
    def period_fields(self) -> list[str]:
        return [name for row in self.rows for name in row["cells"]]

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_valid_from(self):
        valid_from = _plausible(self.cleaned_data["valid_from"])
        other = OpeningSchedule.objects.filter(branch=self.branch, valid_from=valid_from)
        if self.instance.pk:
            other = other.exclude(pk=self.instance.pk)
        other = other.first()
        if other is not None:
            raise forms.ValidationError(
                _(
                    "The schedule %(name)s of this library already starts on this day; choose "
                    "another day or change that schedule."
                ),
                params={"name": other.name},
            )
        return valid_from

    def clean_valid_to(self):
        return _plausible(self.cleaned_data.get("valid_to"))

    def wanted_hours(self) -> set[tuple[int, str, time, time]]:
        """(weekday, kind, opens, closes) of every period in the form."""
        wanted = set()
        for row in self.rows:
            for name in row["cells"]:
                kind = name.split("_", 1)[1]
                for opens, closes in self.cleaned_data.get(name) or []:
                    wanted.add((row["weekday"], kind, opens, closes))
        return wanted

    def save(self, commit=True):
        """The schedule, and its hours made equal to the form's: a period unchanged is kept, one
        removed is deleted, one added is created (each audited)."""
        schedule = super().save(commit=True)
        wanted = self.wanted_hours()
        for item in list(schedule.hours.all()):
            key = (item.weekday, item.kind, item.opens, item.closes)
            if key in wanted:
                wanted.discard(key)
            else:
                item.delete()
        for weekday, kind, opens, closes in sorted(wanted):
            OpeningHours.objects.create(
                schedule=schedule, weekday=weekday, kind=kind, opens=opens, closes=closes
            )
        return schedule


# -- closures ------------------------------------------------------------------------------------


class ClosureForm(forms.ModelForm):
    ALL, CHOSEN = "all", "chosen"
    which = forms.ChoiceField(
        label=_("Which libraries close"),
        choices=[(ALL, _("All libraries")), (CHOSEN, _("The libraries chosen below"))],
        widget=forms.RadioSelect,
        initial=ALL,
    )

    class Meta:
        model = Closure
        fields = ["reason", "start_date", "end_date", "start_time", "end_time", "scope"]
        fields += ["which", "branches"]
        widgets = {
            "start_date": _date_widget(),
            "end_date": _date_widget(),
            "start_time": _time_widget(),
            "end_time": _time_widget(),
            "scope": forms.RadioSelect,
            "branches": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "reason": _("For example COVID-19, Renovation or Staff day. Shown with the figures."),
            "end_date": _("Empty: the first day only."),
            "start_time": _(
                "Empty: from the start of the day. The hours apply to every day of the closure."
            ),
            "end_time": _("Empty: to the end of the day."),
            "branches": "",
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.fields["branches"].queryset = Branch.objects.filter(organisation=organisation)
        self.fields["branches"].label = capfirst(_("libraries"))
        self.fields["end_date"].required = False
        self.fields["scope"].choices = Closure.Scope.choices  # no empty choice
        if self.instance.pk:
            self.initial["which"] = self.CHOSEN if self.instance.branches.exists() else self.ALL

    def clean_start_date(self):
        return _plausible(self.cleaned_data.get("start_date"))

    def clean_end_date(self):
        return _plausible(self.cleaned_data.get("end_date"))

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("start_date")
            and not cleaned.get("end_date")
            and "end_date" not in (self.errors)
        ):
            cleaned["end_date"] = cleaned["start_date"]  # one day
        if cleaned.get("which") == self.CHOSEN and not cleaned.get("branches"):
            self.add_error(
                "branches", _("Choose at least one library, or choose all libraries above.")
            )
        if cleaned.get("which") == self.ALL:
            cleaned["branches"] = Branch.objects.none()
        return cleaned
