from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from bibliotal.core import backup
from bibliotal.core.commands import AuditedCommand
from bibliotal.core.dbstate import pending, where


class Command(AuditedCommand):
    help = (
        "Replace the database with a backup made by `bibliotal backup`, then migrate it to this "
        "version. Asks first, unless --yes. Stop `serve` and `worker` before."
    )
    requires_system_checks = []  # the database may be missing or empty: that is what it fixes

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="The backup.")
        parser.add_argument(
            "--yes",
            "-y",
            "--no-input",
            "--noinput",
            action="store_true",
            dest="yes",
            help="Do not ask: replace the database.",
        )

    def handle(self, *args, file, yes, **options):
        settings_dict = connections["default"].settings_dict
        place = where(settings_dict)
        try:
            found = backup.read(Path(file).expanduser(), settings_dict=settings_dict)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        behind = len(pending(set(found.migrations)))
        if not yes:
            self._confirm(
                f"Replace everything in {place} with the backup {found.path}"
                + (f" ({found.made_by})" if found.made_by else "")
                + "? What the database holds now is lost. Type yes to go on: "
            )
        connections.close_all()
        try:
            backup.restore(found, settings_dict=settings_dict)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        connections.close_all()
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(
            f"Restored {place} from {found.path}"
            + (
                f", then applied {behind} newer migration{'s' if behind != 1 else ''}"
                if behind
                else ""
            )
            + "."
        )

    def _confirm(self, question: str) -> None:
        self.stdout.write(question, ending="")
        self.stdout.flush()
        try:
            answer = input()
        except EOFError:  # no one to ask (a script, a pipe): that is no yes
            self.stdout.write("")
            answer = ""
        if answer.strip().lower() not in {"yes", "y"}:
            raise CommandError("Nothing was restored (answer yes, or give --yes).")
