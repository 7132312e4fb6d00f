from django.conf import settings

from bibliotal import __version__
from bibliotal.core.permissions import Capability, capabilities_of, organisation_of


def bibliotal(request):
    user = getattr(request, "user", None)
    capabilities = capabilities_of(user)
    return {
        "organisation": organisation_of(user) if capabilities else None,
        "can": {cap.value: cap in capabilities for cap in Capability},
        "bibliotal_version": __version__,
        "languages": settings.LANGUAGES,
    }
