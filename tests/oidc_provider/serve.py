"""Start the test provider: ``python -m tests.oidc_provider.serve DIRECTORY``.

Binds 127.0.0.1 at a free port first (the issuer names the port), creates the database, the
people and the client from ``DIRECTORY/setup.json``, prints the port and serves until killed.
"""

import json
import os
import sys
from pathlib import Path

from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler


def main() -> None:
    directory = Path(sys.argv[1])
    server = ThreadedWSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    port = server.server_port
    os.environ["OIDC_PROVIDER_DIR"] = str(directory)
    os.environ["OIDC_PROVIDER_ISSUER"] = f"http://127.0.0.1:{port}/o"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    setup = json.loads((directory / "setup.json").read_text(encoding="utf-8"))
    call_command("migrate", run_syncdb=True, verbosity=0)
    for person in setup["people"]:
        get_user_model().objects.create_user(**person)
    Application.objects.create(
        name="Bibliotal",
        client_id=setup["client_id"],
        client_secret=setup["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(setup["redirect_uris"]),
        post_logout_redirect_uris=" ".join(setup["post_logout_redirect_uris"]),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server.set_app(get_wsgi_application())
    print(port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
