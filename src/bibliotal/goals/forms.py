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
    section = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300)


class SectionForm(DocumentConfirmForm):
    """Read another section of the same budget book: the kept file, and the section chosen among
    those found (each named with its pages)."""

    section = forms.CharField(
        label=_("Section of the budget book"),
        max_length=300,
        help_text=_("The goals are read from this section only."),
    )

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for section in sections:
            label = section.title
            if section.first_page:
                label = _("%(title)s (pages %(first)s–%(last)s)") % {
                    "title": section.title,
                    "first": section.first_page,
                    "last": section.last_page,
                }
            choices.append((section.title, label))
        self.fields["section"].widget = forms.Select(choices=choices)


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


class ReviewTargetForm(forms.Form):
    """One sentence read from a goal document, with what was read from it, to confirm or
    correct before the import saves it (``goals.views.document_import``). ``proposals`` are the
    preview's by their place, as (budget year, ``ProposedTarget``, whether the sentence keeps
    its targets); ``index`` is this sentence's place."""

    index = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    leave_out = forms.BooleanField(label=_("Leave this sentence out"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Target.Kind.choices)
    indicator = forms.ChoiceField(label=_("Indicator"), required=False)
    threshold = forms.DecimalField(
        label=_("Number"), required=False, max_digits=14, decimal_places=2
    )
    percent = forms.DecimalField(label=_("Percent"), required=False, max_digits=6, decimal_places=2)
    baseline_year = forms.IntegerField(
        label=_("Baseline year"), required=False, min_value=2000, max_value=2100
    )
    period_start = forms.DateField(label=_("Period start"), required=False, widget=DateInput())
    period_end = forms.DateField(label=_("Period end"), required=False, widget=DateInput())
    branches = forms.ModelMultipleChoiceField(
        label=_("Libraries"),
        required=False,
        queryset=Branch.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: the target is for all the libraries."),
    )

    def __init__(self, *args, organisation, proposals=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "—"), *indicators.choices()]
        self.fields["branches"].queryset = Branch.objects.filter(
            organisation=organisation
        ).order_by("name")
        self.proposals = proposals or {}
        index = self.data.get(self.add_prefix("index")) if self.is_bound else None
        if index is None:
            index = self.initial.get("index")
        try:
            self.proposal_index = int(index)
        except (TypeError, ValueError):
            self.proposal_index = None
        self.year, self.proposal, _kept = self.proposals.get(
            self.proposal_index, (None, None, False)
        )

    @property
    def sentence(self) -> str:
        return self.proposal.source_text if self.proposal else ""

    def clean_index(self):
        index = self.cleaned_data["index"]
        if index not in self.proposals:
            raise forms.ValidationError(_("This sentence is not in the document."))
        return index

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("leave_out") or self.proposal is None:
            return cleaned
        year, proposal = self.year, self.proposal
        target = Target(
            kind=cleaned.get("kind") or Target.Kind.QUALITATIVE,
            indicator=cleaned.get("indicator") or "",
            threshold=cleaned.get("threshold"),
            percent=cleaned.get("percent"),
            baseline_year=cleaned.get("baseline_year"),
            period_start=cleaned.get("period_start"),
            period_end=cleaned.get("period_end"),
            measure=proposal.measure,
            scope=Target.Scope.AREA_TYPE if proposal.area_type else Target.Scope.ALL,
            area_type=proposal.area_type,
        )
        try:
            target.clean()
        except forms.ValidationError as error:
            for name, messages in error.message_dict.items():
                field = name if name in self.fields else "indicator"
                for message in messages:
                    if field not in self.errors:
                        self.add_error(field, message)
        baseline = cleaned.get("baseline_year")
        if baseline and "baseline_year" not in self.errors and baseline >= year:
            self.add_error(
                "baseline_year",
                _("The baseline year must come before %(year)s.") % {"year": year},
            )
        return cleaned

    def reviewed(self) -> dict:
        """What ``import_budget_document(reviewed=…)`` takes for this sentence."""
        data = self.cleaned_data
        if data.get("leave_out"):
            return {"leave_out": True}
        return {
            key: data.get(key)
            for key in (
                "kind",
                "indicator",
                "threshold",
                "percent",
                "baseline_year",
                "period_start",
                "period_end",
                "branches",
            )
        }


ReviewFormSet = forms.formset_factory(ReviewTargetForm, extra=0)
