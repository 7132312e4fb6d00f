from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bibliotal.core.models import Branch
from bibliotal.core.widgets import DateInput, DateTimeInput
from bibliotal.teaching.models import Booking, Course, GradeLevel, Institution, TeachingSession


class BookingForm(forms.ModelForm):
    """The teacher's request on the public page. ``website`` is a trap for robots."""

    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Booking
        fields = [
            "institution",
            "institution_name",
            "class_name",
            "grade",
            "expected_pupils",
            "teacher_name",
            "teacher_email",
            "wished_dates",
        ]
        widgets = {
            "wished_dates": forms.Textarea(attrs={"rows": 3}),
            "teacher_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "teacher_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }
        help_texts = {"wished_dates": _("Two or three dates and times that suit the class.")}

    def __init__(self, *args, course: Course, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        self.fields["institution"].queryset = Institution.objects.filter(
            organisation=course.organisation, active=True
        )
        self.fields["institution"].empty_label = _("— not in the list —")
        self.fields["grade"].choices = [
            (g, label) for g, label in GradeLevel.choices if g in course.grade_levels
        ]
        for name in ("teacher_name", "teacher_email"):
            self.fields[name].required = True

    def clean_expected_pupils(self):
        pupils = self.cleaned_data["expected_pupils"]
        if pupils > self.course.capacity:
            raise forms.ValidationError(
                _("The course takes at most %(n)d pupils.") % {"n": self.course.capacity}
            )
        return pupils

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("institution") and not cleaned.get("institution_name", "").strip():
            self.add_error("institution_name", _("Choose the school or write its name."))
        return cleaned


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Answer"),
        widget=forms.RadioSelect,
        choices=[
            (Booking.Status.ACCEPTED, _("Accept")),
            (Booking.Status.PROPOSED, _("Propose another time")),
            (Booking.Status.DECLINED, _("Decline")),
        ],
    )
    scheduled_at = forms.DateTimeField(
        label=_("Time"),
        required=False,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    note = forms.CharField(
        label=_("Message to the teacher"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") in {Booking.Status.ACCEPTED, Booking.Status.PROPOSED} and (
            not cleaned.get("scheduled_at")
        ):
            self.add_error("scheduled_at", _("Give the time that is agreed or proposed."))
        return cleaned


class CourseForm(forms.ModelForm):
    grade_levels = forms.MultipleChoiceField(
        label=_("Grade levels"), choices=GradeLevel.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Course
        fields = [
            "title",
            "theme",
            "grade_levels",
            "description",
            "learning_goals",
            "duration_minutes",
            "sessions",
            "place",
            "branch",
            "capacity",
            "active_from",
            "active_to",
            "published",
            "contact_email",
            "contact_phone",
        ]
        widgets = {
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "learning_goals": forms.Textarea(attrs={"rows": 4}),
            "active_from": DateInput(),
            "active_to": DateInput(),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.fields["branch"].queryset = Branch.objects.filter(organisation=organisation)


class SessionForm(forms.ModelForm):
    class Meta:
        model = TeachingSession
        fields = [
            "course",
            "day",
            "start_time",
            "branch",
            "place",
            "institution",
            "class_name",
            "grade",
            "theme",
            "pupils_present",
            "teachers_present",
            "staff",
        ]
        widgets = {
            "day": DateInput(),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "staff": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.filter(organisation=organisation)
        self.fields["branch"].queryset = Branch.objects.filter(organisation=organisation)
        self.fields["institution"].queryset = Institution.objects.filter(organisation=organisation)
        self.fields["staff"].queryset = (
            get_user_model()
            .objects.filter(membership__organisation=organisation, is_active=True)
            .order_by("username")
        )

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Register a session after it was taught."))
        return day


class InstitutionImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_(
            "Columns: navn; type; kommune; områdetype. A CSV file with semicolon or comma, "
            "UTF-8 or Windows-1252, or the first sheet of an Excel (.xlsx) workbook."
        ),
    )
