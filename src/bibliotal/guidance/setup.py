"""Guidance's part of setting up a new organisation (``core.setup``): the default topics."""

from django.utils.translation import ngettext


def default_topics(organisation, branches) -> str:
    from bibliotal.guidance.services import ensure_default_topics

    topics = ensure_default_topics(organisation=organisation)
    return ngettext(
        "%(count)d guidance topic to tally at the desk: %(names)s.",
        "%(count)d guidance topics to tally at the desk: %(names)s.",
        len(topics),
    ) % {"count": len(topics), "names": ", ".join(t.name for t in topics)}
