from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bibliotal.core.models import Branch
from bibliotal.core.widgets import DateInput, MonthInput
from bibliotal.visits.formats import PRESETS
from bibliotal.visits.models import CounterFormat, Sensor


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
    preset = forms.ChoiceField(
        label=_("Format"),
        required=False,
        help_text=_("Recognised from the file's header unless you choose one."),
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
        own = CounterFormat.objects.filter(organisation=organisation)
        self.fields["preset"].choices = [
            ("", _("Recognise it")),
            *[(name, preset.label) for name, preset in PRESETS.items()],
            *[(f.name, _("Your format “%(name)s”") % {"name": f.name}) for f in own],
        ]


class CounterFormatForm(forms.ModelForm):
    class Meta:
        model = CounterFormat
        fields = [
            "name",
            "timestamp_column",
            "date_column",
            "time_column",
            "timestamp_marks",
            "interval_minutes",
            "sensor_column",
            "sensor_name",
            "in_column",
            "out_column",
            "status_column",
            "ok_statuses",
        ]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation

    def clean_name(self):
        name = self.cleaned_data["name"]
        taken = CounterFormat.objects.filter(
            organisation=self.instance.organisation, name__iexact=name
        ).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("You have a format with this name already."))
        return name


class ManualCountForm(forms.Form):
    branch = forms.ModelChoiceField(queryset=None, label=_("Library"))
    day = forms.DateField(label=_("Date"), widget=DateInput())
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
        widget=MonthInput(),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )
    registrations = forms.IntegerField(
        label=_("New registered borrowers"), min_value=0, max_value=100_000
    )

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches


class NewUsersFileForm(forms.Form):
    file = forms.FileField(
        label=_("Export from the library system (CSV or Excel)"),
        help_text=_(
            "Columns: month (måned), library (filial or bibliotek) and new registrations "
            "(nye lånere). A month already entered is replaced."
        ),
    )


class SensorForm(forms.Form):
    """A manager's new sensor, or the change of one: its library, entrance, rule and whether it
    is in use (its name only when it is new: the files name it)."""

    name = forms.CharField(
        label=_("Name or serial"),
        max_length=100,
        help_text=_("As the counter's files name it, e.g. “Hovedindgang” or “AX-1042”."),
    )
    branch = forms.ModelChoiceField(queryset=None, label=_("Library"))
    entrance = forms.CharField(
        label=_("Entrance"),
        max_length=100,
        required=False,
        help_text=_("Where in the library it counts, e.g. “Main entrance”."),
    )
    rule = forms.ChoiceField(
        choices=Sensor.Rule.choices,
        label=_("What it counts"),
        help_text=_("The rule that turns its in and out into visits; never in + out."),
    )
    use = forms.BooleanField(
        label=_("In use"),
        required=False,
        help_text=_(
            "Take a sensor out of use when it is removed or replaced: its figures up to today "
            "are kept."
        ),
    )

    def __init__(self, *args, organisation, sensor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation, self.sensor = organisation, sensor
        self.fields["branch"].queryset = Branch.objects.filter(organisation=organisation)
        if sensor is not None:
            del self.fields["name"]
        else:
            del self.fields["use"]  # a new sensor is in use

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        # The import finds a sensor by its name in any case: two names alike would be one.
        if Sensor.objects.filter(organisation=self.organisation, name__iexact=name).exists():
            raise forms.ValidationError(_("You have a sensor with this name already."))
        return name
