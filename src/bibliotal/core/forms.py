from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from bibliotal.core.models import Branch, OpeningCategory, Website, WebsiteBranch


class WebsiteForm(forms.ModelForm):
    url = forms.URLField(
        label=capfirst(Website._meta.get_field("url").verbose_name),
        help_text=Website._meta.get_field("url").help_text,
        assume_scheme="https",
    )

    class Meta:
        model = Website
        fields = ["url", "active", "events_days_back", "hours_days_ahead"]

    def clean_url(self):
        url = self.cleaned_data["url"].strip().rstrip("/")
        if not url.startswith("https://") and not url.startswith("http://127.0.0.1"):
            raise forms.ValidationError(_("The address must start with https://."))
        return url


class WebsiteBranchForm(forms.ModelForm):
    class Meta:
        model = WebsiteBranch
        fields = ["branch", "ignored"]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.filter(organisation=organisation)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("branch") and cleaned.get("ignored"):
            raise forms.ValidationError(_("Choose a library or mark it as not ours, not both."))
        return cleaned


class OpeningCategoryForm(forms.ModelForm):
    class Meta:
        model = OpeningCategory
        fields = ["kind"]


class WebsiteFileForm(forms.Form):
    KINDS = [
        ("events", _("Events (/api/v1/events)")),
        ("hours", _("Opening hours (/api/v1/opening_hours)")),
    ]
    kind = forms.ChoiceField(label=_("What the file holds"), choices=KINDS)
    file = forms.FileField(
        label=_("JSON file saved from the library website"),
        help_text=_("Importing the same file again changes nothing."),
    )
