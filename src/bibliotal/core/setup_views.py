"""The setup page: while the database has no organisation, the page at /setup/ does what
``bibliotal setup`` does (``core/setup.py``); on a fresh database (no organisation, no account)
every page leads there.

Whoever reaches a fresh server could otherwise make themselves its administrator, so the form
asks for the setup code (``core.setup.setup_code``): ``BIBLIOTAL_SETUP_CODE``, or the code
``bibliotal serve`` prints and keeps in the data directory. Once an organisation exists the page
is gone (404) and the code file is deleted.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bibliotal.core import audit, setup
from bibliotal.core.proxy import client_ip

# Paths served as usual on a database without an organisation: the setup page itself, the
# language switch it offers, the accessibility statement its footer links to, static files, the
# load balancer's health check, and the API (whose clients get its own answers, not a page).
OPEN_PATHS = ("/setup/", "/i18n/", "/accessibility/", "/healthz", "/api/")


class SetupMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if path.startswith((*OPEN_PATHS, settings.STATIC_URL)):
            return self.get_response(request)
        if not request.user.is_authenticated and setup.is_fresh():
            return redirect("core:setup")
        return self.get_response(request)


class SetupForm(forms.Form):
    setup_code = forms.CharField(
        label=gettext_lazy("Setup code"),
        help_text=gettext_lazy(
            "Printed by <code>bibliotal serve</code> when it starts, and kept in the file "
            "<code>setup-code</code> in Bibliotal's data directory (or the value of "
            "<code>BIBLIOTAL_SETUP_CODE</code>), so that only someone with access to the server "
            "can set it up."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    organisation = forms.CharField(
        label=gettext_lazy("Name of the library service"),
        help_text=gettext_lazy("For example Herning Bibliotekerne."),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    municipality = forms.ChoiceField(
        label=gettext_lazy("Municipality"),
        help_text=gettext_lazy(
            "Its code at Danmarks Statistik links the comparison with other municipalities."
        ),
    )
    libraries = forms.CharField(
        label=gettext_lazy("Libraries"),
        help_text=gettext_lazy(
            "One per line, for example Herning Bibliotek. Each gets a desk (Skranken) to tally "
            "guidance at. With the library website below its libraries are added too."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    website = forms.CharField(
        label=gettext_lazy("Library website (optional)"),
        help_text=gettext_lazy(
            "The address of the libraries' website on dpl-cms, e.g. https://herningbib.dk: "
            "Bibliotal reads the libraries and their opening hours from it."
        ),
        required=False,
        widget=forms.URLInput(attrs={"autocomplete": "url", "inputmode": "url"}),
    )
    username = forms.CharField(
        label=gettext_lazy("Administrator's user name"),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    email = forms.CharField(
        label=gettext_lazy("Administrator's e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=gettext_lazy("Password"),
        help_text=gettext_lazy(
            "At least 12 characters, not like the user name and not a common word or name with "
            "digits added."
        ),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("The password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [
            ("", _("Choose the municipality")),
            *setup.municipality_choices(),
        ]

    @staticmethod
    def _checked(check, *args, **kwargs):
        try:
            return check(*args, **kwargs)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None

    def clean_setup_code(self):
        if not setup.code_matches(self.cleaned_data["setup_code"]):
            raise forms.ValidationError(_("That is not the setup code."))
        return ""

    def clean_organisation(self):
        return self._checked(setup.check_organisation, self.cleaned_data["organisation"])

    def clean_municipality(self):
        return self._checked(setup.check_municipality, self.cleaned_data["municipality"])

    def clean_website(self):
        return self._checked(setup.check_website, self.cleaned_data["website"])

    def clean_username(self):
        return self._checked(setup.check_username, self.cleaned_data["username"])

    def clean_email(self):
        return self._checked(setup.check_email, self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        if "website" in cleaned:
            try:
                cleaned["libraries"] = setup.check_libraries(
                    cleaned.get("libraries", "").splitlines(), website=cleaned["website"]
                )
            except ValidationError as exc:
                self.add_error("libraries", exc.messages)
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first:
            try:
                setup.check_password(
                    first, username=cleaned.get("username", ""), email=cleaned.get("email", "")
                )
            except ValidationError as exc:
                self.add_error("password1", exc.messages)
            else:
                if second is not None and first != second:
                    self.add_error("password2", _("The two passwords differ."))
        return cleaned

    def request(self) -> setup.SetupRequest:
        data = self.cleaned_data
        return setup.SetupRequest(
            organisation=data["organisation"],
            municipality_code=data["municipality"],
            libraries=data["libraries"],
            website=data["website"],
            username=data["username"],
            email=data["email"],
            password=data["password1"],
        )


def _backend() -> str:
    """The backend the new administrator is logged in with: the password backend in use."""
    backends = [b for b in settings.AUTHENTICATION_BACKENDS if not b.startswith("axes.")]
    wanted = "django.contrib.auth.backends.ModelBackend"
    return wanted if wanted in backends else backends[-1]


def setup_page(request):
    if not setup.needs_setup():
        raise Http404
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Nobody is logged in yet: the log names the page and the address it was used from.
        name = f"{form.cleaned_data['username']} (setup page, {client_ip(request)})"
        try:
            with audit.acting(source="web", name=name[:150]):
                result = setup.set_up(form.request(), first_only=True, trigger="page")
        except setup.SetupError as exc:
            if not setup.needs_setup():  # someone else came first
                messages.info(request, str(exc))
                return redirect("core:login")
            fields = {"municipality_code": "municipality", "password": "password1"}
            for name, errors in exc.errors.items():
                form.add_error(fields.get(name, name), errors)
            if not exc.errors:  # the website could not be read
                form.add_error("website", str(exc))
        else:
            setup.forget_setup_code()
            login(request, result.user, backend=_backend())
            messages.success(request, " ".join([*result.lines[:2], *result.next_steps()]))
            return redirect(reverse("core:home"))
    return render(request, "core/setup.html", {"form": form})
