import time

from bibliotal.core import fakesite
from bibliotal.core.commands import AuditedCommand


class Command(AuditedCommand):
    help = (
        "Serve a stand-in library website (dpl-cms events and opening hours) on 127.0.0.1 for "
        "the demo and for trying `bibliotal sync dplcms`; needs BIBLIOTAL_ALLOW_LOCAL_SOURCES."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=fakesite.PORT)

    def handle(self, *args, port, **options):
        server = fakesite.start(port)
        self.stdout.write(f"Fake library website on http://127.0.0.1:{port}/api/v1/events")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            server.shutdown()
