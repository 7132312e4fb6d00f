from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from bibliotal.core.commands import AuditedCommand, refuse_a_database_not_ready


class Command(AuditedCommand):
    help = (
        "Serve Bibliotal with gunicorn and whitenoise (Django's development server only when "
        "BIBLIOTAL_DEBUG is on)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument("--workers", type=int, default=2, help="Worker processes.")
        parser.add_argument("--threads", type=int, default=4, help="Threads per worker.")

    def handle(self, *args, host, port, workers, threads, **options):
        if not 0 < port < 65536:
            raise CommandError(f"--port {port} is not a port number (1–65535).")
        refuse_a_database_not_ready()
        from bibliotal.core.setup import announcement

        if message := announcement(f"http://{host}:{port}"):
            self.stdout.write(message)
        if settings.DEBUG:
            call_command("runserver", f"{host}:{port}", use_reloader=True)
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        connections.close_all()  # no connection may be shared by forked workers
        from bibliotal.core.startup import prepare_process

        prepare_process()  # before the fork: the workers share what it compiled and froze
        from gunicorn.app.base import BaseApplication

        class Server(BaseApplication):
            def load_config(self):
                for key, value in {
                    "bind": f"{host}:{port}",
                    "workers": workers,
                    "threads": threads,
                    "worker_class": "gthread",
                    "accesslog": "-",
                    "errorlog": "-",
                    "timeout": 120,
                    "graceful_timeout": 20,
                    # Gunicorn 25+ opens a control socket in $HOME; Bibliotal does not use it,
                    # and a service account may have no writable home.
                    "control_socket_disable": True,
                }.items():
                    if key in self.cfg.settings:
                        self.cfg.set(key, value)

            def load(self):
                from bibliotal.wsgi import application

                return application

        Server().run()
