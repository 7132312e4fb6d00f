from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bibliotal.guidance.models import GuidanceRecord, GuidanceTopic
from bibliotal.guidance.services import LARGE_TOTAL, day_total


class TypedTotalForm(forms.Form):
    # Issued with the form: the same form sent twice stores its total once.
    key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    service_point = forms.ModelChoiceField(queryset=None, label=_("Service point"))
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    topic = forms.ModelChoiceField(queryset=None, label=_("Topic"))
    channel = forms.ChoiceField(choices=GuidanceRecord.Channel.choices, label=_("Channel"))
    count = forms.IntegerField(label=_("Number of guidances"), min_value=1, max_value=100_000)
    confirm_large = forms.BooleanField(
        required=False,
        label=_("Yes, the number is right"),
        help_text=_("Needed for more than %(n)d on one day.") % {"n": LARGE_TOTAL},
    )

    def __init__(self, *args, service_points, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_point"].queryset = service_points
        self.fields["topic"].queryset = GuidanceTopic.objects.filter(
            organisation=organisation, active=True
        )

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date lies in the future."))
        if (timezone.localdate() - day).days > 400:
            raise forms.ValidationError(_("The date is more than 400 days ago."))
        return day

    def clean(self):
        cleaned = super().clean()
        count = cleaned.get("count")
        point, topic, day = (cleaned.get(k) for k in ("service_point", "topic", "day"))
        already = (
            day_total(service_point=point, topic=topic, day=day) if (point and topic and day) else 0
        )
        if count and count + already > LARGE_TOTAL and not cleaned.get("confirm_large"):
            self.add_error(
                "confirm_large",
                _("%(count)d guidances on one day is unusually many: tick the box if it is right.")
                % {"count": count + already},
            )
        return cleaned


class SummaryForm(forms.Form):
    GROUPS = [
        ("day", _("Day")),
        ("week", _("Week")),
        ("month", _("Month")),
        ("branch", _("Library")),
        ("service_point", _("Service point")),
        ("topic", _("Topic")),
        ("channel", _("Channel")),
    ]
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    group_by = forms.MultipleChoiceField(
        choices=GROUPS, label=_("Group by"), initial=["month"], widget=forms.CheckboxSelectMultiple
    )
    goal_only = forms.BooleanField(
        required=False, label=_("Only topics that count toward the goal")
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and (end < start or (end - start).days > 3 * 366):
            raise forms.ValidationError(
                _("Choose a period of at most three years, the end on or after the start.")
            )
        return cleaned
