from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bibliotal.core.models import Branch
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
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "ends_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
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
