from ninja import NinjaAPI

from bibliotal import __version__
from bibliotal.api import completeness as completeness_api
from bibliotal.api import core, digital, events, goals, guidance, reports, teaching, visits
from bibliotal.api.auth import api_auth

api = NinjaAPI(
    title="Bibliotal API",
    version=__version__,
    description=(
        "Library activity measured against municipal budget goals. Authenticate with "
        "`Authorization: Bearer <token>` (create one with `bibliotal token create USERNAME`) "
        "or, in the browser, with your session."
    ),
    auth=api_auth,
    urls_namespace="api",
)
api.add_router("/", core.router)
api.add_router("/", goals.router, tags=["goals"])
api.add_router("/", guidance.router)
api.add_router("/", teaching.router)
api.add_router("/", events.router)
api.add_router("/", visits.router)
api.add_router("/", digital.router)
api.add_router("/", reports.router)
api.add_router("/", completeness_api.router)
