from django.core.management.base import CommandError

from bibliotal.core.commands import AuditedCommand, organisation_named
from bibliotal.core.http import FetchError
from bibliotal.core.imports import ImportRejected


def _codes(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


class Command(AuditedCommand):
    help = (
        "Bring data in from other systems: the library website (dpl-cms: events and opening "
        "hours) and Danmarks Statistik's Statbank. What the nightly task runs."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="source", required=True)
        website = sub.add_parser(
            "dplcms", help="Events and opening hours from the configured library website."
        )
        only = website.add_mutually_exclusive_group()
        only.add_argument("--events-only", action="store_true")
        only.add_argument("--hours-only", action="store_true")
        website.add_argument("--organisation")
        dst = sub.add_parser(
            "dst",
            help="Tables BIB2B, IBIB2 and FOLK1A from Danmarks Statistik's Statbank API for "
            "the organisation's municipality, its peers and the whole country.",
        )
        dst.add_argument(
            "--tables", type=_codes, help="Comma-separated, default BIB2B,IBIB2,FOLK1A."
        )
        dst.add_argument(
            "--municipalities",
            type=_codes,
            help="Comma-separated municipality codes; default: the organisation's own and its "
            "chosen peers, and the whole country.",
        )
        dst.add_argument("--from-year", type=int)
        dst.add_argument("--to-year", type=int)
        dst.add_argument("--organisation")

    def handle(self, *args, source, organisation=None, **options):
        organisation = organisation_named(organisation)
        try:
            if source == "dplcms":
                self._website(organisation, **options)
            else:
                self._statbank(organisation, **options)
        except (FetchError, ImportRejected) as exc:
            raise CommandError(str(exc)) from exc

    def _website(self, organisation, *, events_only, hours_only, **options):
        from bibliotal.core.website import sync_website, website_of

        website = website_of(organisation)
        if website is None:
            raise CommandError(
                "No library website is configured: an administrator enters its address under "
                "Integrations."
            )
        outcomes = sync_website(
            website=website, trigger="command", events=not hours_only, hours=not events_only
        )
        for outcome in outcomes:
            (self.stdout if outcome.ok else self.stderr).write(outcome.message)
        failures = [outcome.message for outcome in outcomes if not outcome.ok]
        if failures:
            raise CommandError("; ".join(failures))

    def _statbank(self, organisation, *, tables, municipalities, from_year, to_year, **options):
        from bibliotal.reports.statbank import sync_statbank

        result = sync_statbank(
            organisation=organisation,
            tables=tables,
            areas=municipalities,
            first_year=from_year,
            last_year=to_year,
            trigger="command",
        )
        self.stdout.write(result.summary())
