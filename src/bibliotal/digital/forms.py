from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bibliotal.core.widgets import DateInput, MonthInput
from bibliotal.digital.importers import FORMATS
from bibliotal.digital.models import Campaign, Platform, QuotaChange
from bibliotal.goals import indicators as registry


def date_input():
    return DateInput()


class DigitalFileForm(forms.Form):
    file = forms.FileField(
        label=_("Statistics file (CSV, Excel or JSON)"),
        help_text=_(
            "eReolen's monthly e-loan report (month; material type; age band; loans), a Matomo "
            "visits summary, a COUNTER Release 5 report (PR, DR, TR, IR or a view such as "
            "TR_B1) as TSV, CSV, Excel or JSON, or figures with the columns platform; period; "
            "metric; age band; value."
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        help_text=_("Recognised from the file unless you choose one."),
    )
    platform = forms.ModelChoiceField(
        queryset=Platform.objects.none(),
        required=False,
        label=_("Platform"),
        help_text=_(
            "For a file that does not name its platform (Matomo, an e-loan report without a "
            "platform column); for a COUNTER report it replaces the vendor's platform name."
        ),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [("", _("Recognise it")), *FORMATS.items()]
        self.fields["platform"].queryset = Platform.objects.filter(organisation=organisation)


class MonthForm(forms.Form):
    platform = forms.ModelChoiceField(queryset=Platform.objects.none(), label=_("Platform"))
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=MonthInput(),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = Platform.objects.filter(
            organisation=organisation, active=True
        )


class PlatformForm(forms.ModelForm):
    class Meta:
        model = Platform
        fields = ["name", "kind", "for_children", "headline", "active"]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.organisation = organisation

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = Platform.objects.filter(organisation=self.organisation, name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("A platform already has this name."))
        return name

    def save(self, commit=True):
        if self.cleaned_data.get("headline"):
            # Only one platform's unique users are the goal's figure.
            Platform.objects.filter(organisation=self.organisation, headline=True).exclude(
                pk=self.instance.pk
            ).update(headline=False)
        return super().save(commit)


class QuotaChangeForm(forms.ModelForm):
    class Meta:
        model = QuotaChange
        fields = ["platform", "day", "quota_before", "quota_after", "note"]
        widgets = {"day": date_input()}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = Platform.objects.filter(organisation=organisation)


def indicator_choices():
    return [(i.key, str(i.name)) for i in registry.all_indicators()]


class CampaignForm(forms.ModelForm):
    areas = forms.MultipleChoiceField(
        choices=Campaign.Area.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Areas"),
        help_text=_("Choose none for the whole municipality."),
    )
    indicators = forms.MultipleChoiceField(
        choices=indicator_choices,
        required=True,
        widget=forms.CheckboxSelectMultiple,
        label=_("Figures to compare"),
        help_text=_(
            "Compared with the same length of time before the campaign and with the same "
            "period a year earlier; marked on the goal charts of these figures."
        ),
    )

    class Meta:
        model = Campaign
        fields = [
            "title",
            "offer",
            "target_group",
            "areas",
            "channels",
            "start",
            "end",
            "indicators",
            "description",
        ]
        widgets = {
            "start": date_input(),
            "end": date_input(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.fields["offer"].queryset = Platform.objects.filter(organisation=organisation)
        self.fields["offer"].help_text = _("The digital offer the campaign promotes.")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end must not be before the start."))
        return data
