"""Events' part of setting up a new organisation (``core.setup``): the default event types."""

from django.utils.translation import ngettext


def default_event_types(organisation, branches) -> str:
    from bibliotal.events.services import ensure_event_types

    types = ensure_event_types(organisation=organisation)
    return ngettext(
        "%(count)d event type: %(names)s.",
        "%(count)d event types: %(names)s.",
        len(types),
    ) % {"count": len(types), "names": ", ".join(t.name for t in types)}
