"""The accessibility statement (tilgængelighedserklæring) every page's footer links to.

A Danish public body must publish one for its websites (lov om tilgængelighed af offentlige
organers websteder og mobilapplikationer). Most make it in the Agency for Digital Government's
WAS-Tool: when the organisation has set its address (``accessibility_statement_url``), the
footer links there. Otherwise it links to Bibliotal's own statement, readable without logging
in: the organisation's name, how far the pages comply with WCAG 2.1 AA (EN 301 549), the known
deviations (Bibliotal's own and the organisation's), where to report a problem, the complaint
body and the dates. Administrators keep it on ``accessibility_settings``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from bibliotal.core.models import AccessibilityStatus, Organisation
from bibliotal.core.permissions import Capability, has_capability, organisation_of, require
from bibliotal.core.widgets import DateInput

COMPLAINT_BODY_URL = "https://digst.dk/"

# What the pages of this version are known not to meet, whoever runs them.
KNOWN_DEVIATIONS = [
    _(
        "The follow-up report as PDF is not checked against PDF/UA: a screen reader may read "
        "its tables in the wrong order. The same report is on the page and as a Word document."
    ),
    _(
        "The administration for superusers (/admin/) is Django's own and is not part of the "
        "checks: the organisation's settings are also on Bibliotal's own pages."
    ),
    _(
        "Files that are uploaded to or downloaded from Bibliotal (CSV, Excel) are data, not "
        "pages, and are not covered by this statement."
    ),
]


def _url_field() -> forms.URLField:
    field = Organisation._meta.get_field("accessibility_statement_url")
    return forms.URLField(
        label=capfirst(field.verbose_name),
        help_text=field.help_text,
        required=False,
        assume_scheme="https",
    )


class AccessibilityForm(forms.ModelForm):
    accessibility_statement_url = _url_field()

    class Meta:
        model = Organisation
        fields = [
            "accessibility_statement_url",
            "accessibility_email",
            "accessibility_status",
            "accessibility_deviations",
            "accessibility_prepared",
            "accessibility_reviewed",
        ]
        widgets = {
            "accessibility_status": forms.RadioSelect,
            "accessibility_deviations": forms.Textarea(attrs={"rows": 4}),
            "accessibility_prepared": DateInput(),
            "accessibility_reviewed": DateInput(),
        }

    def clean(self):
        cleaned = super().clean()
        prepared = cleaned.get("accessibility_prepared")
        reviewed = cleaned.get("accessibility_reviewed")
        if prepared and reviewed and reviewed < prepared:
            self.add_error(
                "accessibility_reviewed",
                _("The statement cannot be reviewed before it was prepared."),
            )
        return cleaned


def statement_url(organisation: Organisation | None) -> str:
    """Where the footer's link goes: the organisation's own statement, else Bibliotal's."""
    if organisation is None:
        return reverse("core:accessibility")
    if organisation.accessibility_statement_url:
        return organisation.accessibility_statement_url
    return reverse("core:accessibility_of", args=[organisation.pk])


def footer_organisation(context) -> Organisation | None:
    """The organisation a page is about: the user's, the public page's, or the only one."""
    organisation = context.get("organisation") or context.get("public_org")
    if organisation is not None:
        return organisation
    organisations = list(Organisation.objects.order_by("name")[:2])
    return organisations[0] if len(organisations) == 1 else None


def statement(request):
    """The statement of the user's organisation, or of the only one; else a choice of them."""
    organisation = organisation_of(request.user)
    if organisation is None:
        organisations = list(Organisation.objects.order_by("name"))
        if len(organisations) != 1:
            return render(
                request,
                "core/accessibility_choose.html",
                {"organisations": organisations},
            )
        organisation = organisations[0]
    return _statement(request, organisation)


def statement_of(request, organisation_id: int):
    return _statement(request, get_object_or_404(Organisation, pk=organisation_id))


def _statement(request, organisation: Organisation):
    deviations = [
        line.strip() for line in organisation.accessibility_deviations.splitlines() if line.strip()
    ]
    administers = organisation_of(request.user) == organisation and has_capability(
        request.user, Capability.ADMINISTER
    )
    return render(
        request,
        "core/accessibility_statement.html",
        {
            "public_org": organisation,
            "statement": organisation,
            "full": organisation.accessibility_status == AccessibilityStatus.FULL,
            "partial": organisation.accessibility_status == AccessibilityStatus.PARTIAL,
            "known_deviations": KNOWN_DEVIATIONS,
            "own_deviations": deviations,
            "complaint_url": COMPLAINT_BODY_URL,
            "site": request.get_host(),
            "administers": administers,
        },
    )


@require(Capability.ADMINISTER)
def statement_settings(request):
    organisation = organisation_of(request.user)
    if organisation is None:
        return redirect("core:home")
    form = AccessibilityForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        form.save()  # audited: Organisation is a registered model
        messages.success(request, _("The accessibility statement is saved."))
        return redirect("core:accessibility_settings")
    status = 400 if form.errors else 200
    return render(
        request,
        "core/accessibility_settings.html",
        {"form": form, "statement_link": statement_url(organisation)},
        status=status,
    )
