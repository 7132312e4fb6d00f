import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.db import connections

from bibliotal.core import demo
from bibliotal.core.commands import AuditedCommand


class Command(AuditedCommand):
    help = (
        "Create the data directory, migrate, load the Herning Bibliotekerne demo (2019–2021) and "
        "serve it. Running it again duplicates nothing."
    )
    # The checks run in `migrate`, once there is a database: here they would only warn that
    # there is none yet (bibliotal.W010).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="Load the demo and stop.")

    def handle(self, *args, host, port, no_serve, **options):
        self.stdout.write(f"Data directory: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        context = demo.load_demo()
        for line in context.log:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Demo loaded: {demo.ORGANISATION_NAME}."))
        self.stdout.write("Demo assumptions: " + " ".join(demo.ASSUMPTIONS))
        display_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Open http://{display_host}:{port}/"))
        self.stdout.write("Demo logins (user name / password):")
        for username, role, password in context.users:
            self.stdout.write(f"  {username:<12} {password}   ({role})")
        self.stdout.write("")
        if not no_serve:
            from bibliotal.core import fakesite

            try:  # the demo's library website, for "Sync now" on the Integrations page
                fakesite.start(fakesite.PORT)
                self.stdout.write(
                    f"Fake library website (dpl-cms) on http://127.0.0.1:{fakesite.PORT}/"
                )
            except OSError:
                self.stdout.write(f"Port {fakesite.PORT} is taken: no fake library website.")
            # The server runs in a fresh process of its own: loading the demo used polars (the
            # counter readings' days and checks), whose thread pool does not survive gunicorn's
            # fork, so a counter import in a worker forked from this process waited forever.
            connections.close_all()
            served = subprocess.run(
                [sys.executable, "-m", "bibliotal", "serve", "--host", host, "--port", str(port)],
                check=False,
            )
            if served.returncode:
                raise SystemExit(served.returncode)
