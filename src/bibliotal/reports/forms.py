from django import forms
from django.utils.translation import gettext_lazy as _

from bibliotal.goals.models import GoalSettings, Target


class TargetCommentForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["comment"]
        labels = {"comment": _("Comment for the report")}
        help_texts = {
            "comment": _(
                "Explain the result to the committee. Leave a blank line between paragraphs."
            )
        }
        widgets = {"comment": forms.Textarea(attrs={"rows": 10})}


class StatusWordsForm(forms.ModelForm):
    class Meta:
        model = GoalSettings
        fields = [
            "word_achieved",
            "word_on_track",
            "word_at_risk",
            "word_off_track",
            "word_no_data",
            "at_risk_ratio",
        ]
