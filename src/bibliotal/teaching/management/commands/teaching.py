from pathlib import Path

from django.core.management.base import CommandError

from bibliotal.core.commands import AuditedCommand, organisation_named
from bibliotal.core.imports import ImportRejected


class Command(AuditedCommand):
    help = "Teaching: import institutions, delete teachers' contact data when due."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        institutions = sub.add_parser("import-institutions", help="Import schools from CSV.")
        institutions.add_argument("file", type=Path)
        institutions.add_argument("--dry-run", action="store_true")
        institutions.add_argument("--organisation")
        purge = sub.add_parser(
            "purge-contacts",
            help="Delete teachers' names and e-mails "
            "BIBLIOTAL_TEACHER_CONTACT_DAYS after the class was taught "
            "(`bibliotal worker` runs it every night).",
        )
        purge.add_argument("--days", type=int, help="Override the number of days.")

    def handle(self, *args, action, **options):
        if action == "purge-contacts":
            from bibliotal.teaching.services import purge_teacher_contacts

            try:
                count = purge_teacher_contacts(days=options.get("days"))
            except ValueError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"Contact data deleted from {count} bookings.")
            return
        from bibliotal.teaching.services import import_institutions

        organisation = organisation_named(options.get("organisation"))
        file = options["file"]
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        try:
            result = import_institutions(
                organisation=organisation, data=data, filename=file.name, dry_run=options["dry_run"]
            )
        except ImportRejected as error:
            raise CommandError("\n".join(map(str, error.errors))) from error
        if result.already_imported:
            self.stdout.write(f"{file.name} was imported before: nothing changed.")
            return
        verb = "would be" if options["dry_run"] else "were"
        self.stdout.write(
            f"{result.created} new, {result.updated} changed and "
            f"{result.unchanged} unchanged institutions {verb} imported."
        )
