from django import forms

from bibliotal.core.mail.models import StatusSubscription


class StatusSubscriptionForm(forms.ModelForm):
    class Meta:
        model = StatusSubscription
        fields = ["email", "language"]
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email"})}

    def clean_email(self):
        return self.cleaned_data["email"].strip()
