from bibliotal import __version__
from bibliotal.api import completeness as completeness_api
from bibliotal.api import (
    core,
    digital,
    events,
    goals,
    guidance,
    imports,
    reports,
    teaching,
    visits,
)
from bibliotal.api.auth import api_auth
from bibliotal.api.problems import BibliotalAPI, unknown_addresses

api = BibliotalAPI(
    title="Bibliotal API",
    version=__version__,
    description=(
        "Library activity measured against municipal budget goals. Authenticate with "
        "`Authorization: Bearer <token>` (create one with `bibliotal token create USERNAME`) "
        "or, in the browser, with your session. Every answer of 400 and above is a `Problem`: "
        "`detail` says what is wrong and `errors` lists each fault (a field that does not "
        "validate, a faulty row of a file)."
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
api.add_router("/", imports.router)
# Last: an address under /api/v1/ that none of the above answers is a 404 Problem, not a page.
api.add_router("/", unknown_addresses)
