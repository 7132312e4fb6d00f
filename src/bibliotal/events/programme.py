"""The public programme: which events a citizen sees, filtered by library, audience and date.

The page and its iCalendar feed read the same filters from the address (GET), so a filtered
programme can be bookmarked, shared and subscribed to, and works without JavaScript.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bibliotal.core.models import Branch
from bibliotal.core.public import PublicPage
from bibliotal.core.widgets import DateInput
from bibliotal.events.models import Audience, EventOccurrence

SHOWN_AT_MOST = 200
# An event that began a little while ago is still worth finding (it may run for hours).
STARTED_WITHIN = timedelta(hours=3)


class ProgrammeFilterForm(forms.Form):
    library = forms.ModelChoiceField(
        label=gettext_lazy("Library"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=gettext_lazy("All libraries"),
    )
    audience = forms.ChoiceField(
        label=gettext_lazy("For whom"),
        required=False,
        help_text=gettext_lazy("Events for everyone are always included."),
    )
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=DateInput(),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=DateInput(),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = Branch.objects.filter(organisation=organisation).order_by(
            "name"
        )
        self.fields["audience"].choices = [("", _("Everyone"))] + [
            (value, label) for value, label in Audience.choices if value != Audience.ALL
        ]
        today = timezone.localdate().isoformat()
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs["min"] = today

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The last day cannot come before the first."))
        return data

    @property
    def filtered(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)


def programme_occurrences(*, organisation, form: ProgrammeFilterForm | None = None, since=None):
    """The organisation's published events from ``since`` (default: a little before now), its
    library's own and co-organised ones (never an outside hirer's), narrowed by ``form``."""
    now = timezone.now()
    lower = since if since is not None else now - STARTED_WITHIN
    occurrences = EventOccurrence.objects.filter(organisation=organisation, published=True).exclude(
        organiser=EventOccurrence.Organiser.OUTSIDE_HIRER
    )
    if form is not None and form.is_valid():
        data = form.cleaned_data
        if data.get("library"):
            occurrences = occurrences.filter(branch=data["library"])
        if data.get("audience"):
            occurrences = occurrences.filter(audience__in=[data["audience"], Audience.ALL])
        zone = timezone.get_current_timezone()
        if data.get("date_from"):
            lower = max(lower, datetime.combine(data["date_from"], time(0), tzinfo=zone))
        if data.get("date_to"):
            upper = datetime.combine(data["date_to"] + timedelta(days=1), time(0), tzinfo=zone)
            occurrences = occurrences.filter(starts_at__lt=upper)
    return (
        occurrences.filter(starts_at__gte=lower)
        .select_related("branch", "event_type")
        .order_by("starts_at", "pk")
    )


def public_pages(*, organisation):
    """The core registry's provider: the organisation's programme."""
    yield PublicPage(
        key="events.programme",
        label=_("Events at the library"),
        url=reverse("events:programme_of", args=[organisation.pk]),
        order=10,
    )
