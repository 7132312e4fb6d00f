from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bibliotal.core.models import Branch
from bibliotal.visits.models import Sensor


class CounterFileForm(forms.Form):
    file = forms.FileField(
        label=_("Counter file (CSV or Excel)"),
        help_text=_(
            "One row per sensor and interval (dato; tid; sensor; ind; ud), or one row per "
            "interval with a column pair per sensor (“Hovedindgang ind”; “Hovedindgang ud”). "
            "Danish or English names; a CSV file with ; or , in UTF-8 or Windows-1252, or the "
            "first sheet of an Excel (.xlsx) workbook."
        ),
    )
    branch = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Create unknown sensors at")
    )
    rule = forms.ChoiceField(
        choices=Sensor.Rule.choices, initial=Sensor.Rule.HALF, label=_("Rule for new sensors")
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.filter(organisation=organisation)


class ManualCountForm(forms.Form):
    branch = forms.ModelChoiceField(queryset=None, label=_("Library"))
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    visits = forms.IntegerField(label=_("Visits"), min_value=0, max_value=100_000)

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date lies in the future."))
        return day


class NewUsersForm(forms.Form):
    branch = forms.ModelChoiceField(queryset=None, label=_("Library"))
    month = forms.DateField(
        label=_("Month"),
        widget=forms.DateInput(attrs={"type": "month"}),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )
    registrations = forms.IntegerField(
        label=_("New registered borrowers"), min_value=0, max_value=100_000
    )

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
