from pathlib import Path

from django.core.management.base import CommandError

from bibliotal.core.commands import AuditedCommand, organisation_named


class Command(AuditedCommand):
    help = "Import budget goal documents and show where the goals stand."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        importing = sub.add_parser("import", help="Import a budget goal document.")
        importing.add_argument("file", type=Path)
        importing.add_argument(
            "--year",
            type=int,
            help="Budget year of a document without a "
            "'## Mål for budget ÅR' heading, or the year to take from a file "
            "with several.",
        )
        importing.add_argument(
            "--section",
            help="The section of a budget book to read, by its heading or a part of it "
            "(default: the libraries' section).",
        )
        importing.add_argument("--dry-run", action="store_true", help="Show, save nothing.")
        importing.add_argument(
            "--organisation", help="Name of the organisation (needed when there are several)."
        )
        status = sub.add_parser("status", help="Where each target of a year stands.")
        status.add_argument("year", type=int)
        status.add_argument(
            "--at",
            help="Reference date YYYY-MM-DD (default: today, or the "
            "year's last day for a past year).",
        )
        status.add_argument("--format", choices=["table", "json", "csv"], default="table")
        status.add_argument("--organisation")
        backtest = sub.add_parser(
            "backtest",
            help="Replay the forecast on the organisation's own complete past years, from every "
            "month end, and tell how often the year ended inside the 80 % range.",
        )
        backtest.add_argument("--indicator", help="Only this indicator (e.g. visits).")
        backtest.add_argument(
            "--years", type=int, default=3, help="How many complete past years (default 3)."
        )
        backtest.add_argument(
            "--today",
            help="Pretend today is YYYY-MM-DD: the complete years are those before its year.",
        )
        backtest.add_argument("--format", choices=["table", "json"], default="table")
        backtest.add_argument("--organisation")

    def handle(self, *args, action, **options):
        organisation = organisation_named(options.pop("organisation", None))
        getattr(self, f"_{action}")(organisation=organisation, **options)

    def _import(self, *, organisation, file: Path, year, section, dry_run, **options):
        """The same as `bibliotal import goals FILE`: through core's importer registry."""
        from bibliotal.core import importers
        from bibliotal.core.imports import COMMAND, ImportRejected, said

        importer = importers.get("goals")
        try:
            chosen = importer.options(organisation, {"year": year, "section": section})
        except ValueError as error:
            raise CommandError(str(error)) from error
        try:
            upload = importers.Upload.from_path(file)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        try:
            step = importer.preview if dry_run else importer.apply
            result = step(upload=upload, limit=False, organisation=organisation, **chosen)
        except ImportRejected as exc:
            raise CommandError("\n".join(said(e, COMMAND) for e in exc.errors)) from exc
        finally:
            upload.close()
        for warning in result.warnings:
            self.stderr.write(warning)
        for line in importer.report(result)[len(result.warnings) :]:
            self.stdout.write(line)

    def _status(self, *, organisation, year, at, format, **options):
        if not 2000 <= year <= 2100:
            raise CommandError(f"{year} is not a budget year (2000–2100).")
        from bibliotal.goals.reporting import status_rows, write_status

        rows = status_rows(organisation=organisation, year=year, at=self._date(at))
        write_status(rows, format=format, stream=self.stdout)

    def _backtest(self, *, organisation, indicator, years, today, format, **options):
        from bibliotal.goals.backtest import organisation_backtest, write_backtest

        if not 1 <= years <= 20:
            raise CommandError(f"--years {years}: give 1 to 20 years.")
        try:
            found = organisation_backtest(
                organisation=organisation,
                indicator=indicator,
                today=self._date(today, option="--today"),
                years=years,
            )
        except KeyError as exc:
            raise CommandError(exc.args[0]) from exc
        write_backtest(found, format=format, stream=self.stdout)

    @staticmethod
    def _date(value, option="--at"):
        if value is None:
            return None
        from datetime import date

        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise CommandError(f"{option} {value!r} is not a date like 2021-06-30.") from exc
