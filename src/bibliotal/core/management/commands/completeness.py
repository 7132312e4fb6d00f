"""bibliotal completeness YEAR [--format table|json] [--organisation NAME]"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext

from bibliotal.core import sources
from bibliotal.core.commands import organisation_named
from bibliotal.core.completeness import YearError, overview, parse_year
from bibliotal.core.formatting import date_text

MONTH_LETTERS = "JFMAMJJASOND"


class Command(BaseCommand):
    help = (
        "Which figures of a year are counted, partly estimated, missing or not yet due: every "
        "source (sensor, platform, event attendance, teaching, guidance per service point) by "
        "month."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", help="The year, four digits (e.g. 2021).")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument(
            "--organisation", help="Name of the organisation (needed when there are several)."
        )

    def handle(self, *args, year, format, organisation, **options):
        today = timezone.localdate()
        try:
            chosen = parse_year(year, today=today)
        except YearError as error:
            raise CommandError(str(error)) from error
        found = overview(organisation=organisation_named(organisation), year=chosen, today=today)
        if format == "json":
            data = {
                "year": found.year,
                "sources": found.summary.sources,
                "missing": found.summary.missing,
                "summary": found.sentence,
                "where_figures_end": found.where_figures_end,
                "latest_figure": found.summary.latest_figure,
                "results": [sources.report_as_dict(r) for r in found.reports],
            }
            self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
            return
        self._table(found)

    def _table(self, found) -> None:
        write = self.stdout.write
        write(found.sentence + (f" {found.where_figures_end}" if found.where_figures_end else ""))
        write(
            "  ".join(
                f"{sources.STATE_SYMBOLS[s]} {sources.STATE_LABELS[s]}" for s in sources.STATES
            )
        )
        if not found.reports:
            return
        width = min(44, max(len(self._name(r)) for r in found.reports))
        kind_width = min(16, max(len(str(r.kind_name)) for r in found.reports))
        write(
            f"{'':{kind_width}}  {'':{width}}  {' '.join(MONTH_LETTERS)}  "
            f"{gettext('Latest figure')[:13]:13}  {gettext('Last import')[:16]:16}  "
            f"{gettext('Missing months')}"
        )
        for report in found.reports:
            cells = " ".join(m.symbol for m in report.months)
            latest = (
                date_text(report.latest_figure, "SHORT_DATE_FORMAT")
                if report.latest_figure
                else "–"
            )
            imported = (
                date_text(report.last_import, "SHORT_DATETIME_FORMAT")
                if report.last_import
                else "–"
            )
            missing = ",".join(str(m) for m in report.missing_months) or "–"
            write(
                f"{str(report.kind_name)[:kind_width]:{kind_width}}  "
                f"{self._name(report)[:width]:{width}}  {cells}  {latest:13}  {imported:16}  "
                f"{missing}"
            )

    @staticmethod
    def _name(report) -> str:
        return f"{report.library}: {report.name}" if report.library else report.name
