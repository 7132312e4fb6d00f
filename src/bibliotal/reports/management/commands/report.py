import sys
from datetime import date
from pathlib import Path

from django.core.management.base import CommandError

from bibliotal.core.commands import AuditedCommand, organisation_named
from bibliotal.reports import services
from bibliotal.reports.statistics import make_statistics


class Command(AuditedCommand):
    help = (
        "Write a year's goal follow-up (målopfølgning) as PDF, DOCX, XLSX or CSV, or with "
        "--statistics the figures for Danmarks Statistik as CSV or XLSX."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--format", choices=sorted(services.FORMATS), default="pdf")
        parser.add_argument(
            "--at",
            help="Figures per this date, YYYY-MM-DD (default: today, or the year's last day "
            "for a past year); before the year's end the report gives forecasts.",
        )
        parser.add_argument("--lang", choices=services.LANGUAGES, default="da")
        parser.add_argument(
            "--statistics",
            action="store_true",
            help="The year's figures as Danmarks Statistik's concepts (CSV or XLSX).",
        )
        parser.add_argument(
            "--comparison",
            action="store_true",
            help="Add the section on other municipalities: Danmarks Statistik's figures per "
            "1,000 inhabitants beside the chosen comparable municipalities and the whole "
            "country (PDF and DOCX).",
        )
        parser.add_argument(
            "-o",
            "--output",
            help="File to write (default: the report's own file name in this folder; - for "
            "standard output).",
        )
        parser.add_argument("--organisation")

    def handle(
        self, *args, year, format, at, lang, statistics: bool, output, comparison=False, **options
    ):
        if not 2000 <= year <= 2100:
            raise CommandError(f"{year} is not a budget year (2000–2100).")
        organisation = organisation_named(options.get("organisation"))
        reference = None
        if at:
            try:
                reference = date.fromisoformat(at)
            except ValueError as exc:
                raise CommandError(f"--at {at!r} is not a date (YYYY-MM-DD).") from exc
        if statistics:
            if format not in ("csv", "xlsx"):
                raise CommandError("The statistics come as csv or xlsx.")
            made = make_statistics(
                organisation=organisation, year=year, format=format, language=lang
            )
        else:
            made = services.make_report(
                organisation=organisation,
                year=year,
                format=format,
                at=reference,
                language=lang,
                comparison=comparison,
            )
        if output == "-":
            sys.stdout.buffer.write(made.data)
            sys.stdout.flush()
            return
        path = Path(output) if output else Path(made.filename)
        try:
            path.write_bytes(made.data)
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from exc
        self.stderr.write(f"{path} ({len(made.data):,} bytes)")
