from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from bibliotal.core import plausibility
from bibliotal.guidance.models import GuidanceRecord, GuidanceTopic
from bibliotal.guidance.services import LARGE_TOTAL, TYPED_DAY_CEILING, check_typed_total


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
    )

    def __init__(self, *args, service_points, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_point"].queryset = service_points
        self.fields["confirm_large"].help_text = _(
            "Needed when the day's total is far above the service point's normal for the "
            "weekday, or above %(n)d where it has too little history for a normal."
        ) % {"n": LARGE_TOTAL}
        self.warning = ""
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
        point, day = cleaned.get("service_point"), cleaned.get("day")
        if not (count and point and day):
            return cleaned
        check = check_typed_total(service_point=point, day=day, count=count)
        verdict, total = check.verdict, check.day_total
        self.warning = ""
        if verdict.kind == plausibility.CEILING:
            self.add_error(
                "count",
                _(
                    "%(total)s guidances at %(point)s on one day is more than any desk can "
                    "give (at most %(ceiling)s): check the number on the paper."
                )
                % {
                    "total": number_format(total, force_grouping=True),
                    "point": point.name,
                    "ceiling": number_format(TYPED_DAY_CEILING, force_grouping=True),
                },
            )
        elif verdict.kind == plausibility.OUTLIER:
            self.warning = _(
                "%(total)s guidances at %(point)s on %(weekday)s %(day)s is far above its "
                "normal of %(normal)s (the median of %(n)d earlier days on that weekday)."
            ) % {
                "total": number_format(total, force_grouping=True),
                "point": point.name,
                "weekday": WEEKDAYS[day.weekday()].lower(),
                "day": day.strftime("%d.%m.%Y"),
                "normal": number_format(round(verdict.median), force_grouping=True),
                "n": verdict.history,
            }
        elif verdict.kind == plausibility.SHORT and total > LARGE_TOTAL:
            self.warning = _(
                "%(point)s has too little history for a normal on this weekday yet: a day "
                "above %(n)d needs your confirmation."
            ) % {"point": point.name, "n": LARGE_TOTAL}
            if not cleaned.get("confirm_large"):
                self.add_error(
                    "confirm_large",
                    _(
                        "%(count)d guidances on one day is unusually many: tick the box if it "
                        "is right."
                    )
                    % {"count": total},
                )
        if verdict.kind == plausibility.OUTLIER and not cleaned.get("confirm_large"):
            self.add_error(
                "confirm_large",
                _("%(warning)s Tick the box if the number is right.") % {"warning": self.warning},
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
