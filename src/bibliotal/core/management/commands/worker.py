from django.core.management import call_command

from bibliotal.core.commands import AuditedCommand
from bibliotal.core.tasks import schedule_nightly


class Command(AuditedCommand):
    help = (
        "Run background tasks from the database queue: the nightly sync of the library websites "
        "(scheduled for 02:30 when the worker starts). Run one as a service beside `serve`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="Run what is due now, then stop (for cron)."
        )

    def handle(self, *args, batch, **options):
        from django.utils import timezone

        moment = timezone.localtime(schedule_nightly())
        self.stdout.write(f"Next nightly sync: {moment:%Y-%m-%d %H:%M %Z}")
        call_command("db_worker", batch=batch, reload=False, startup_delay=False)
