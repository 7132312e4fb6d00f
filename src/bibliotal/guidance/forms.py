from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from bibliotal.core import plausibility
from bibliotal.core.formatting import date_text
from bibliotal.core.widgets import DateInput
from bibliotal.guidance.models import GuidanceRecord
from bibliotal.guidance.services import (
    LARGE_TOTAL,
    TYPED_DAY_CEILING,
    TypedDay,
    check_typed_total,
)


class TypedDayForm(forms.Form):
    """Which sheet: a service point and a day (sent with GET, so the page can be linked)."""

    service_point = forms.ModelChoiceField(queryset=None, label=_("Service point"))
    day = forms.DateField(label=_("Date"), widget=DateInput())

    def __init__(self, *args, service_points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_point"].queryset = service_points
        self.fields["service_point"].empty_label = None

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date lies in the future."))
        if (timezone.localdate() - day).days > 400:
            raise forms.ValidationError(_("The date is more than 400 days ago."))
        return day


def cell_name(topic_id: int, channel: str) -> str:
    return f"cell-{topic_id}-{channel}"


class TypedGridForm(forms.Form):
    """A paper sheet of one day at one service point: a number per topic and channel. Each
    number replaces the typed total of its cell; taps of the day are left as they are."""

    confirm_large = forms.BooleanField(required=False, label=_("Yes, the numbers are right"))

    def __init__(self, *args, service_point, day, topics, typed: TypedDay, **kwargs):
        super().__init__(*args, **kwargs)
        self.service_point, self.day, self.typed = service_point, day, typed
        self.channels = list(GuidanceRecord.Channel.choices)
        self.names = {}
        self.rows = []
        for topic in topics:
            cells = []
            for channel, channel_label in self.channels:
                name = cell_name(topic.pk, channel)
                label = f"{topic.name}, {channel_label}"
                self.names[(topic.pk, channel)] = label
                self.fields[name] = forms.IntegerField(
                    label=label,
                    required=False,
                    min_value=0,
                    max_value=TYPED_DAY_CEILING,
                    initial=typed.typed.get((topic.pk, channel)) or None,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "cell"}),
                )
                cells.append(
                    {
                        "name": name,
                        "channel": channel,
                        "shown": typed.typed.get((topic.pk, channel), 0),
                        "other": typed.other.get((topic.pk, channel), 0),
                    }
                )
            self.rows.append({"topic": topic, "cells": cells})
        self.fields["confirm_large"].help_text = _(
            "Needed when the day's total is far above the service point's normal for the "
            "weekday, or above %(n)d where it has too little history for a normal."
        ) % {"n": LARGE_TOTAL}
        self.order_fields([name for name in self.fields if name != "confirm_large"])
        self.warning = ""

    def cell_fields(self):
        for row in self.rows:
            row["fields"] = [(self[cell["name"]], cell) for cell in row["cells"]]
        return self.rows

    def shown(self) -> dict:
        """The typed totals the page showed, sent back with the grid (``shown-<cell>``)."""
        found = {}
        for cell in self.names:
            raw = self.data.get("shown-" + cell_name(*cell), "")
            found[cell] = int(raw) if raw.isdigit() else 0
        return found

    def values(self) -> dict:
        return {cell: self.cleaned_data.get(cell_name(*cell)) or 0 for cell in self.names}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        values, shown = self.values(), self.shown()
        # What the day comes to once saved: cells left as shown keep what they hold now.
        after = {
            cell: (self.typed.typed.get(cell, 0) if value == shown[cell] else value)
            for cell, value in values.items()
        }
        new_typed = sum(after.values())
        if new_typed <= self.typed.typed_total:
            return cleaned  # nothing more than before: nothing to question
        check = check_typed_total(
            service_point=self.service_point,
            day=self.day,
            count=new_typed,
            replacing=self.typed.typed_total,
        )
        judge_day_total(self, check, point=self.service_point, day=self.day)
        return cleaned


def judge_day_total(form, check, *, point, day, field="confirm_large") -> None:
    """Refuse a day total above the ceiling; ask for ``confirm_large`` where it is far above the
    weekday's normal, or large without enough history for a normal."""
    verdict, total = check.verdict, check.day_total
    form.warning = ""
    if verdict.kind == plausibility.CEILING:
        form.add_error(
            None,
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
        form.warning = _(
            "%(total)s guidances at %(point)s on %(weekday)s %(day)s is far above its "
            "normal of %(normal)s (the median of %(n)d earlier days on that weekday)."
        ) % {
            "total": number_format(total, force_grouping=True),
            "point": point.name,
            "weekday": WEEKDAYS[day.weekday()].lower(),
            "day": date_text(day, "SHORT_DATE_FORMAT"),
            "normal": number_format(round(verdict.median), force_grouping=True),
            "n": verdict.history,
        }
        if not form.cleaned_data.get(field):
            form.add_error(
                field,
                _("%(warning)s Tick the box if the number is right.") % {"warning": form.warning},
            )
    elif verdict.kind == plausibility.SHORT and total > LARGE_TOTAL:
        form.warning = _(
            "%(point)s has too little history for a normal on this weekday yet: a day "
            "above %(n)d needs your confirmation."
        ) % {"point": point.name, "n": LARGE_TOTAL}
        if not form.cleaned_data.get(field):
            form.add_error(
                field,
                _("%(count)d guidances on one day is unusually many: tick the box if it is right.")
                % {"count": total},
            )


class SummaryForm(forms.Form):
    ROWS = [
        ("topic", _("Topic")),
        ("service_point", _("Service point")),
        ("branch", _("Library")),
        ("channel", _("Channel")),
    ]
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())
    rows = forms.ChoiceField(choices=ROWS, label=_("Rows"), initial="topic")
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
