from django.core.management import call_command

from bibliotal.core.commands import AuditedCommand, refuse_a_database_not_ready
from bibliotal.core.mail.tasks import schedule_delivery, schedule_status_mail
from bibliotal.core.tasks import schedule_nightly


class Command(AuditedCommand):
    help = (
        "Run background tasks from the database queue: the nightly sync of the library websites "
        "and the apps' nightly tasks, such as deleting teachers' contact data when due "
        "(scheduled for 02:30 when the worker starts), the monthly status e-mail (07:00 on the "
        "first working day of the month) and the outbox's deliveries and retries. Run one as a "
        "service beside `serve`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="Run what is due now, then stop (for cron)."
        )

    def handle(self, *args, batch, **options):
        from django.utils import timezone

        refuse_a_database_not_ready()
        moment = timezone.localtime(schedule_nightly())
        self.stdout.write(f"Next nightly sync: {moment:%Y-%m-%d %H:%M %Z}")
        moment = timezone.localtime(schedule_status_mail())
        self.stdout.write(f"Next monthly status e-mail: {moment:%Y-%m-%d %H:%M %Z}")
        schedule_delivery()  # the outbox: what waits for a retry is sent when it is due
        call_command("db_worker", batch=batch, reload=False, startup_delay=False)
