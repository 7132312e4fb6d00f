from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from bibliotal.core.models import Branch
from bibliotal.core.widgets import DateTimeInput
from bibliotal.events.models import CategoryMapping, EventOccurrence, EventSeries, EventType


class AttendanceForm(forms.ModelForm):
    class Meta:
        model = EventOccurrence
        fields = [
            "attendance_total",
            "attendance_children",
            "attendance_online",
            "attendance_first_time",
        ]
        widgets = {
            name: forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}) for name in fields
        }
        help_texts = {
            "attendance_total": _("Everyone who took part, online participants included."),
            "attendance_first_time": _(
                "If you asked: people at the library's event for the first time."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendance_total"].required = True
        if self.instance.mode == EventOccurrence.Mode.ON_SITE:
            del self.fields["attendance_online"]


class OccurrenceForm(forms.ModelForm):
    class Meta:
        model = EventOccurrence
        fields = [
            "title",
            "description",
            "event_type",
            "audience",
            "series",
            "starts_at",
            "ends_at",
            "branch",
            "place",
            "partners",
            "organiser",
            "mode",
            "capacity",
            "status",
            "published",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.fields["event_type"].queryset = EventType.objects.filter(
            organisation=organisation, active=True
        )
        self.fields["series"].queryset = EventSeries.objects.filter(organisation=organisation)
        self.fields["branch"].queryset = Branch.objects.filter(organisation=organisation)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class OccurrenceFilterForm(forms.Form):
    """The events list's filters, read from the address (GET), so a filtered month can be
    bookmarked and the month links keep the filter."""

    AWAITING = "awaiting"

    branch = forms.ModelChoiceField(
        label=_("Library"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("All libraries"),
    )
    event_type = forms.ModelChoiceField(
        label=_("Type"),
        queryset=EventType.objects.none(),
        required=False,
        empty_label=_("All types"),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.filter(organisation=organisation).order_by(
            "name"
        )
        self.fields["event_type"].queryset = EventType.objects.filter(organisation=organisation)
        self.fields["status"].choices = [
            ("", _("All statuses")),
            *EventOccurrence.Status.choices,
            (self.AWAITING, _("Awaiting attendance")),
        ]

    def filter(self, occurrences, *, now=None):
        """``occurrences`` narrowed by the valid filters; an unknown value filters nothing."""
        if not self.is_valid():
            return occurrences
        data = self.cleaned_data
        if data.get("branch"):
            occurrences = occurrences.filter(branch=data["branch"])
        if data.get("event_type"):
            occurrences = occurrences.filter(event_type=data["event_type"])
        if data.get("status") == self.AWAITING:
            occurrences = occurrences.awaiting_attendance(now=now)
        elif data.get("status"):
            occurrences = occurrences.filter(status=data["status"])
        return occurrences

    @property
    def filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.get(name) for name in self.fields)

    def query(self) -> str:
        """The filters as they stand in the address, for the month links ("" when none)."""
        if not self.is_valid():
            return ""
        values = {}
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if value:
                values[name] = value.pk if hasattr(value, "pk") else value
        return urlencode(values)


class EventImportForm(forms.Form):
    file = forms.FileField(
        label=_("Calendar, website, CSV or Excel file"),
        help_text=_(
            "An .ics file from the website's calendar, a .json file saved from the library "
            "website's /api/v1/events (dpl-cms), or a CSV or Excel (.xlsx) file with "
            "titel; dato; start; slut; bibliotek; type; målgruppe; arrangør."
        ),
    )
    branch = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Library for events that name none")
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.filter(organisation=organisation)


class CategoryMappingForm(forms.ModelForm):
    class Meta:
        model = CategoryMapping
        fields = ["event_type", "outside_hirer"]
