from pathlib import Path

from django.core.management.base import CommandError
from django.db import connections
from django.utils import timezone

from bibliotal.core import backup
from bibliotal.core.commands import AuditedCommand
from bibliotal.core.dbstate import where


class Command(AuditedCommand):
    help = (
        "Back up the database to FILE while Bibliotal runs: SQLite through its online backup, "
        "PostgreSQL through pg_dump (custom format). FILE may be a directory: the backup is "
        "then named by the time, such as bibliotal-2025-01-31T023000.sqlite3."
    )
    requires_system_checks = []  # any database, migrated or not; the checks would only delay it

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="A new file, or a directory.")
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="With a directory: keep only its N newest backups (older ones are deleted).",
        )

    def handle(self, *args, file, keep, **options):
        settings_dict = connections["default"].settings_dict
        kind = backup.kind_of(settings_dict)
        path = Path(file).expanduser()
        folder = path.is_dir()
        if keep is not None and (not folder or keep < 1):
            raise CommandError("--keep N needs a directory as FILE and N of at least 1.")
        if folder:
            path = path / backup.default_name(kind, timezone.localtime())
        try:
            backup.backup(path=path, settings_dict=settings_dict)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        size = path.stat().st_size
        self.stdout.write(f"Backed up {where(settings_dict)} to {path} ({_size(size)}).")
        if keep is not None:
            for old in backup.older_backups(path.parent, kind=kind, keep=keep):
                old.unlink()
                self.stdout.write(f"Deleted the older backup {old}.")


def _size(size: int) -> str:
    if size >= 10**6:
        return f"{size / 10**6:,.1f} MB"
    return f"{size / 10**3:,.0f} kB"
