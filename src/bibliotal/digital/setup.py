"""Digital's part of setting up a new organisation (``core.setup``): the usual platforms."""

from django.utils.translation import ngettext


def default_platforms(organisation, branches) -> str:
    from bibliotal.digital.models import Platform, ensure_platforms

    ensure_platforms(organisation)
    names = list(Platform.objects.filter(organisation=organisation).values_list("name", flat=True))
    return ngettext(
        "%(count)d digital platform: %(names)s.",
        "%(count)d digital platforms: %(names)s.",
        len(names),
    ) % {"count": len(names), "names": ", ".join(names)}
