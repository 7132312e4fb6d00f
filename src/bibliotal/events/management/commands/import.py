from datetime import date
from pathlib import Path

from django.core.management.base import CommandError

from bibliotal.core.commands import AuditedCommand, ProgressBar, organisation_named
from bibliotal.core.imports import ImportRejected
from bibliotal.core.models import Branch


class Command(AuditedCommand):
    help = (
        "Import files: events from iCalendar (.ics), CSV, Excel (.xlsx) or the library "
        "website's JSON (dpl-cms), or from a configured feed; opening hours from the website; "
        "people-counter files (CSV or Excel); new users; digital statistics."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True)
        events = sub.add_parser(
            "events",
            help="Import events from an .ics, .csv, .xlsx or dpl-cms .json file, or "
            "--feed NAME for a feed an administrator configured.",
        )
        events.add_argument("file", type=Path, nargs="?")
        events.add_argument("--feed", help="Name of a configured event feed.")
        events.add_argument("--branch", help="Library for events that name none.")
        events.add_argument(
            "--from",
            dest="start",
            type=date.fromisoformat,
            help="First day to expand repeating events into (YYYY-MM-DD).",
        )
        events.add_argument(
            "--to",
            dest="end",
            type=date.fromisoformat,
            help="Last day to expand repeating events into.",
        )
        events.add_argument("--dry-run", action="store_true")
        events.add_argument("--organisation")
        hours = sub.add_parser(
            "opening-hours",
            help="Import opening hours saved from the library website's "
            "/api/v1/opening_hours (dpl-cms JSON) as the libraries' day-level calendar.",
        )
        hours.add_argument("file", type=Path)
        hours.add_argument(
            "--from",
            dest="start",
            type=date.fromisoformat,
            help="First day the file covers (default: its first date).",
        )
        hours.add_argument(
            "--to",
            dest="end",
            type=date.fromisoformat,
            help="Last day the file covers (default: its last date); days without hours are "
            "closed.",
        )
        hours.add_argument("--organisation")
        visits = sub.add_parser(
            "visits",
            help="Import a people-counter file (CSV or Excel; generic, Axis, Hella, saved).",
        )
        visits.add_argument("file", type=Path)
        visits.add_argument("--branch", help="Create unknown sensors at this library.")
        visits.add_argument(
            "--rule",
            choices=["in", "half", "out"],
            default="half",
            help="The rule of sensors created now (default half: (in+out)/2).",
        )
        visits.add_argument(
            "--preset",
            help=(
                "The file's format: generic, axis, hella, or the name of a saved format "
                "(Visits → File formats). Recognised from the header when left out."
            ),
        )
        visits.add_argument("--dry-run", action="store_true")
        visits.add_argument("--organisation")
        new_users = sub.add_parser(
            "new-users",
            help="Import new registered borrowers per month and library (library-system export).",
        )
        new_users.add_argument("file", type=Path)
        new_users.add_argument("--dry-run", action="store_true")
        new_users.add_argument("--organisation")
        digital = sub.add_parser(
            "digital",
            help="Import digital statistics: e-loans, a Matomo summary, a COUNTER R5 report "
            "(TSV, CSV, Excel, JSON) or generic figures.",
        )
        digital.add_argument("file", type=Path)
        digital.add_argument(
            "--format",
            choices=["generic", "eloans", "matomo", "counter"],
            help="The file's format; recognised from the file when left out.",
        )
        digital.add_argument(
            "--platform",
            help="The platform of a file that does not name it (Matomo, an e-loan report).",
        )
        digital.add_argument("--dry-run", action="store_true")
        digital.add_argument("--organisation")
        dst = sub.add_parser(
            "dst",
            help="Import a table saved from Danmarks Statistik's Statbank as semicolon CSV: "
            "BIB2B, IBIB2 or FOLK1A.",
        )
        dst.add_argument("file", type=Path)
        dst.add_argument(
            "--table",
            choices=["BIB2B", "IBIB2", "FOLK1A"],
            help="The file's table; read from the file name or title when left out.",
        )
        dst.add_argument("--dry-run", action="store_true")
        dst.add_argument("--organisation")

    def handle(self, *args, kind, **options):
        organisation = organisation_named(options.pop("organisation", None))
        if kind == "visits":
            return self._visits(organisation, **options)
        if kind == "opening-hours":
            return self._opening_hours(organisation, **options)
        if kind == "new-users":
            return self._new_users(organisation, **options)
        if kind == "digital":
            return self._digital(organisation, **options)
        if kind == "dst":
            return self._statbank(organisation, **options)
        from bibliotal.events.services import import_events_csv, import_events_ical

        if options.get("feed"):
            from bibliotal.events.feeds import FeedError, fetch_feed

            try:
                result = fetch_feed(
                    organisation=organisation, name=options["feed"], dry_run=options["dry_run"]
                )
            except FeedError as error:
                raise CommandError(str(error)) from error
            except ImportRejected as error:
                raise CommandError("\n".join(map(str, error.errors))) from error
            self.stdout.write(result.summary())
            return
        file = options.get("file")
        if file is None:
            raise CommandError("Give a file or --feed NAME.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        branch = None
        if options.get("branch"):
            branch = Branch.objects.filter(
                organisation=organisation, name=options["branch"]
            ).first()
            if branch is None:
                raise CommandError(f"No library is called {options['branch']!r}.")
        try:
            if file.suffix.lower() == ".json":
                from bibliotal.events.dplcms import import_events_dplcms

                result = import_events_dplcms(
                    organisation=organisation,
                    data=data,
                    filename=file.name,
                    from_date=options.get("start"),
                    to_date=options.get("end"),
                    dry_run=options["dry_run"],
                )
            elif file.suffix.lower() in {".csv", ".xlsx"}:
                result = import_events_csv(
                    organisation=organisation,
                    data=data,
                    filename=file.name,
                    dry_run=options["dry_run"],
                )
            else:
                result = import_events_ical(
                    organisation=organisation,
                    data=data,
                    filename=file.name,
                    default_branch=branch,
                    window_start=options.get("start"),
                    window_end=options.get("end"),
                    dry_run=options["dry_run"],
                )
        except ImportRejected as error:
            raise CommandError("\n".join(map(str, error.errors))) from error
        self.stdout.write(result.summary())

    def _opening_hours(self, organisation, *, file, start=None, end=None, **options):
        from bibliotal.core.website import import_opening_hours

        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        try:
            result = import_opening_hours(
                organisation=organisation,
                data=data,
                filename=file.name,
                from_date=start,
                to_date=end,
            )
        except ImportRejected as error:
            raise CommandError("\n".join(map(str, error.errors))) from error
        self.stdout.write(result.summary())

    def _visits(self, organisation, *, file, branch, rule, dry_run, preset=None, **options):
        from bibliotal.visits.importers import import_counter_file

        place = None
        if branch:
            place = Branch.objects.filter(organisation=organisation, name=branch).first()
            if place is None:
                raise CommandError(f"No library is called {branch!r}.")
        try:
            source = file.open("rb")  # streamed: a national file need not fit in memory
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        self.stdout.write(f"Reading {file.name} ({file.stat().st_size:,} bytes) …")
        # On stderr, so that the summary on stdout stays one clean block for scripts.
        bar = ProgressBar(self.stderr._out)  # drawn only on a terminal
        try:
            result = import_counter_file(
                organisation=organisation,
                data=source,
                filename=file.name,
                branch=place,
                rule=rule,
                preset=preset,
                dry_run=dry_run,
                progress=bar,
            )
        except ImportRejected as error:
            raise CommandError("\n".join(map(str, error.errors))) from error
        finally:
            bar.close()
            source.close()
        if result.new_sensors:
            self.stdout.write("New sensors: " + ", ".join(result.new_sensors))
        self.stdout.write(result.summary())
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")

    def _new_users(self, organisation, *, file, dry_run, **options):
        from bibliotal.visits.importers import import_new_users

        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        try:
            result = import_new_users(
                organisation=organisation, data=data, filename=file.name, dry_run=dry_run
            )
        except ImportRejected as error:
            raise CommandError("\n".join(map(str, error.errors))) from error
        self.stdout.write(result.summary())
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")

    def _digital(self, organisation, *, file, format, platform, dry_run, **options):
        from bibliotal.digital.importers import import_digital_file
        from bibliotal.digital.models import Platform, ensure_platforms

        ensure_platforms(organisation)
        chosen = None
        if platform:
            chosen = Platform.objects.filter(
                organisation=organisation, name__iexact=platform
            ).first()
            if chosen is None:
                names = ", ".join(
                    Platform.objects.filter(organisation=organisation).values_list(
                        "name", flat=True
                    )
                )
                raise CommandError(f"No platform is called {platform!r}. Platforms: {names}.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        try:
            result = import_digital_file(
                organisation=organisation,
                data=data,
                filename=file.name,
                format=format,
                platform=chosen,
                dry_run=dry_run,
            )
        except ImportRejected as error:
            raise CommandError("\n".join(map(str, error.errors))) from error
        from django.utils.translation import gettext as _

        if not result.already_imported:
            self.stdout.write(_("Read as: %(label)s.") % {"label": result.format_label})
        if result.new_platforms:
            self.stdout.write(
                _("New platforms (licensed databases):") + " " + ", ".join(result.new_platforms)
            )
        for warning in result.warnings:
            self.stdout.write(warning)
        self.stdout.write(result.summary())

    def _statbank(self, organisation, *, file, table, dry_run, **options):
        from bibliotal.reports.statbank import import_statbank_csv

        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        try:
            result = import_statbank_csv(
                organisation=organisation,
                data=data,
                filename=file.name,
                table=table,
                trigger="command",
                dry_run=dry_run,
            )
        except ImportRejected as error:
            raise CommandError("\n".join(map(str, error.errors))) from error
        self.stdout.write(result.summary())
