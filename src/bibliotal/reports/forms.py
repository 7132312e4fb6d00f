from django import forms
from django.utils.translation import gettext_lazy as _

from bibliotal.goals.models import GoalSettings, Target


class TargetCommentForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["comment", "comment_public"]
        labels = {
            "comment": _("Comment for the report"),
            "comment_public": _("Also show this comment to citizens on the public goals page"),
        }
        help_texts = {
            "comment": _(
                "Explain the result to the committee. Leave a blank line between paragraphs."
            ),
            "comment_public": _(
                "Only when the year is published. Leave it unticked for a comment meant for "
                "the committee alone."
            ),
        }
        widgets = {"comment": forms.Textarea(attrs={"rows": 10})}


# Words some councils judge their goals by, offered as a preset on the status words page.
# There is no final "partly achieved" status: "Delvis indfriet" is the word for at risk.
STATUS_WORD_PRESETS = {
    "indfriet": {
        "word_achieved": "Indfriet",
        "word_not_achieved": "Ikke indfriet",
        "word_on_track": "Forventes indfriet",
        "word_at_risk": "Delvis indfriet",
        "word_off_track": "Forventes ikke indfriet",
    },
}


class StatusWordsForm(forms.ModelForm):
    class Meta:
        model = GoalSettings
        fields = [
            "word_achieved",
            "word_not_achieved",
            "word_on_track",
            "word_at_risk",
            "word_off_track",
            "word_no_data",
            "at_risk_ratio",
        ]


class PeersForm(forms.Form):
    """The municipalities an organisation compares itself with."""

    peers = forms.MultipleChoiceField(
        label=_("Comparable municipalities"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organisation, **kwargs):
        from django.utils.translation import gettext

        from bibliotal.reports import municipalities

        super().__init__(*args, **kwargs)
        # Formatted here, in the language of the request, not once at import.
        self.fields["peers"].help_text = gettext(
            "Choose up to %(count)d municipalities of a size and kind like yours. The whole "
            "country is always shown."
        ) % {"count": 8}
        own = organisation.municipality_code
        self.fields["peers"].choices = municipalities.municipality_choices(
            leave_out={own} if own else set()
        )

    def clean_peers(self):
        from bibliotal.reports.models import ComparisonSettings

        peers = self.cleaned_data["peers"]
        if len(peers) > ComparisonSettings.MAX_PEERS:
            raise forms.ValidationError(
                _("Choose at most %(count)d municipalities: a chart with more cannot be read.")
                % {"count": ComparisonSettings.MAX_PEERS}
            )
        return peers


class StatbankUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File from Statbank (CSV)"),
        help_text=_(
            "Saved from statistikbanken.dk as semicolon-separated CSV, or from Statbank's API."
        ),
    )
    table = forms.ChoiceField(
        label=_("Table"),
        required=False,
        choices=[
            ("", _("Read from the file name or title")),
            ("BIB2B", "BIB2B"),
            ("IBIB2", "IBIB2"),
            ("FOLK1A", "FOLK1A"),
        ],
    )
