"""The teaching app's public pages for the core registry (``core.public``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from bibliotal.core.public import PublicPage
from bibliotal.teaching.models import Course


def public_pages(*, organisation):
    """The course catalogue, where the organisation has published a course."""
    if Course.objects.filter(organisation=organisation, published=True).exists():
        yield PublicPage(
            key="teaching.catalogue",
            label=_("Teaching for schools"),
            url=reverse("teaching:catalogue_of", args=[organisation.pk]),
            order=20,
        )
