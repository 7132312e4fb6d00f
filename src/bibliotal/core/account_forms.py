"""Forms of the staff-account and API-token pages (``core.accounts``)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from bibliotal.core.models import Branch, Role

User = get_user_model()

# What each role may do, beside its name on the form (core.permissions has the rules).
ROLE_DESCRIPTIONS = {
    Role.STAFF: _("registers guidance and activity at the libraries chosen below"),
    Role.COORDINATOR: _("also events and teaching, at every library"),
    Role.MANAGER: _("also goals, reports, the audit log and the status e-mail"),
    Role.ADMINISTRATOR: _(
        "also the organisation's settings, libraries, staff accounts and API tokens"
    ),
}


def role_choices():
    return [
        (value, format_lazy("{} – {}", label, ROLE_DESCRIPTIONS[value]))
        for value, label in Role.choices
    ]


def _taken_email(email: str, *, exclude=None) -> bool:
    others = User.objects.filter(email__iexact=email)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.exists()


class AccountForm(forms.Form):
    """Name, e-mail, role and libraries: what an administrator sets on a staff account."""

    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput({"autocomplete": "off"})
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        required=False,
        widget=forms.TextInput({"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        required=False,  # accounts made before invitations may have none; an invitation needs one
        widget=forms.EmailInput({"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=role_choices, widget=forms.RadioSelect, initial=Role.STAFF
    )
    branches = forms.ModelMultipleChoiceField(
        label=_("Libraries"),
        queryset=Branch.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The libraries a staff member registers at. Coordinators, managers and "
            "administrators reach every library."
        ),
    )

    def __init__(self, *args, organisation, account=None, **kwargs):
        self.account = account
        super().__init__(*args, **kwargs)
        self.fields["branches"].queryset = Branch.objects.filter(organisation=organisation)

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"].strip())
        if email and _taken_email(email, exclude=self.account):
            raise ValidationError(
                _("An account with the e-mail address %(email)s already exists."),
                code="duplicate_email",
                params={"email": email},
            )
        return email

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.STAFF and not cleaned.get("branches"):
            self.add_error(
                "branches",
                ValidationError(
                    _(
                        "Choose at least one library: a staff member registers only at their "
                        "own libraries."
                    ),
                    code="no_library",
                ),
            )
        return cleaned


class InviteForm(AccountForm):
    """A new account: the person chooses the password from the link in the invitation."""

    field_order = ["first_name", "last_name", "email", "username", "role", "branches"]

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        required=False,
        widget=forms.TextInput({"autocomplete": "off", "autocapitalize": "none"}),
        help_text=_(
            "What the person logs in with. Empty: the part of the e-mail address before the @."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = _("The invitation is sent here.")

    def clean(self):
        cleaned = super().clean()
        typed = cleaned.get("username", "").strip()
        email = cleaned.get("email", "")
        username = typed or email.partition("@")[0].lower()
        if not username:
            return cleaned  # the e-mail address has its own error
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            self.add_error(
                "username",
                ValidationError(
                    _("A user name may hold letters, digits and the signs @ . + - _ only.")
                    if typed
                    else _(
                        "The part of the e-mail address before the @ cannot be a user name: "
                        "type one (letters, digits and @ . + - _)."
                    ),
                    code="invalid_username",
                ),
            )
            return cleaned
        if User.objects.filter(username__iexact=username).exists():
            self.add_error(
                "username",
                ValidationError(
                    _("The user name %(name)s is taken. Type another.")
                    if typed
                    else _(
                        "The user name %(name)s (from the e-mail address) is taken. Type another."
                    ),
                    code="duplicate_username",
                    params={"name": username},
                ),
            )
            return cleaned
        cleaned["username"] = username
        return cleaned


class TokenForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Account"),
        queryset=User.objects.none(),
        help_text=_("The token acts as this account, with its role: give it the least it needs."),
    )
    name = forms.CharField(
        label=_("What it is for"),
        max_length=100,
        help_text=_("For example: the people-counter script at Nord Bibliotek."),
        widget=forms.TextInput({"autocomplete": "off"}),
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        field.queryset = owners
        field.label_from_instance = _owner_label


def _owner_label(user) -> str:
    name = user.get_full_name()
    membership = getattr(user, "membership", None)
    role = membership.get_role_display() if membership is not None else ""
    text = f"{name} ({user.get_username()})" if name else user.get_username()
    return f"{text} – {role}" if role else text
