from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bibliotal.core.models import Branch
from bibliotal.core.widgets import DateInput
from bibliotal.goals import indicators
from bibliotal.goals.models import FocusArea, Target

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # a budget book of hundreds of pages as PDF


class DocumentUploadForm(forms.Form):
    document = forms.FileField(
        label=_("Goal document"),
        help_text=_(
            "The municipality's goal document or budget book: text, Word (.docx), PDF or a "
            "saved web page (.html)."
        ),
    )
    year = forms.IntegerField(
        label=_("Budget year"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("Only needed when the document has no '## Mål for budget ÅR' heading."),
    )

    def clean_document(self):
        document = self.cleaned_data["document"]
        if document.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is larger than 20 MB; upload the part of the budget book with "
                    "the libraries' goals."
                )
            )
        return document


class DocumentConfirmForm(forms.Form):
    # The file waits on the server (core.uploads) under a token only this session knows: a
    # budget book of megabytes never travels back and forth in the page.
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    year = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=2000, max_value=2100
    )


class TargetForm(forms.ModelForm):
    indicator = forms.ChoiceField(label=_("Indicator"), required=False)

    class Meta:
        model = Target
        fields = [
            "kind",
            "indicator",
            "threshold",
            "baseline_year",
            "percent",
            "measure",
            "normalisation",
            "scope",
            "branches",
            "area_type",
            "period_start",
            "period_end",
            "comment",
            "status_override",
            "override_reason",
        ]
        widgets = {
            "branches": forms.CheckboxSelectMultiple,
            "period_start": DateInput(),
            "period_end": DateInput(),
            "comment": forms.Textarea(attrs={"rows": 4}),
            "override_reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "—"), *indicators.choices()]
        self.fields["branches"].queryset = Branch.objects.filter(organisation=organisation)


class FocusAreaCommentForm(forms.ModelForm):
    class Meta:
        model = FocusArea
        fields = ["comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 5})}
