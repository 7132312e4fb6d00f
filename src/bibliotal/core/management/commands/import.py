"""`bibliotal import KIND FILE`: every importer the apps registered, through one door.

Each app registers its importers with ``bibliotal.core.importers``; this command lists their
kinds, their own options and help, and runs them the way the upload pages and the API do.
``bibliotal import auto FILE`` picks the importer from the file itself.
"""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from bibliotal.core import importers
from bibliotal.core.commands import AuditedCommand, ProgressBar, organisation_named
from bibliotal.core.imports import COMMAND, ImportRejected, said


class Command(AuditedCommand):
    help = (
        "Import a file: events, opening hours, people-counter files, new users, digital "
        "statistics, Statbank tables, institutions or budget goal documents."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        for importer in importers.all_importers():
            command = sub.add_parser(importer.kind, help=importer.help)
            self._file_argument(command, importer)
            importer.arguments(command)
            command.add_argument("--dry-run", action="store_true", help="Check, save nothing.")
            command.add_argument("--organisation", help="Needed when there are several.")
        auto = sub.add_parser("auto", help="Recognise the kind of file from the file itself.")
        auto.add_argument("file", type=Path)
        auto.add_argument("--dry-run", action="store_true", help="Check, save nothing.")
        auto.add_argument("--organisation", help="Needed when there are several.")

    @staticmethod
    def _file_argument(command, importer):
        # The events importer may read a configured feed instead of a file.
        nargs = "?" if importer.extra.get("file_optional") else None
        command.add_argument("file", type=Path, nargs=nargs)

    def handle(self, *args, kind, file=None, dry_run=False, **options):
        organisation = organisation_named(options.pop("organisation", None))
        upload = None
        if file is not None:
            try:
                upload = importers.Upload.from_path(file)
            except OSError as exc:
                raise CommandError(f"{file}: {exc.strerror}") from exc
        try:
            if kind == "auto":
                importer = self._detect(upload)
                run_options = {}
            else:
                importer = importers.get(kind)
                try:
                    run_options = importer.options(organisation, options)
                except ValueError as error:
                    raise CommandError(str(error)) from error
            if upload is None:
                if "run_without_file" not in importer.extra:
                    raise CommandError("Give a file.")
                try:
                    result = importer.extra["run_without_file"](
                        organisation=organisation, dry_run=dry_run, **run_options
                    )
                except ValueError as error:
                    raise CommandError(str(error)) from error
            else:
                self.stdout.write(f"Reading {upload.filename} ({upload.size:,} bytes) …")
                result = self._run(importer, upload, organisation, dry_run, run_options)
        except ImportRejected as error:
            raise CommandError("\n".join(said(e, COMMAND) for e in error.errors)) from error
        finally:
            if upload is not None:
                upload.close()
        for line in importer.report(result):
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was saved."))

    def _run(self, importer, upload, organisation, dry_run, run_options):
        # On stderr, so that the summary on stdout stays one clean block for scripts.
        bar = ProgressBar(self.stderr._out)  # drawn only on a terminal
        try:
            step = importer.preview if dry_run else importer.apply
            return step(
                upload=upload,
                limit=False,  # the command line reads national files: no upload limit
                organisation=organisation,
                user=None,
                progress=bar,
                **run_options,
            )
        finally:
            bar.close()

    def _detect(self, upload):
        if upload is None:
            raise CommandError("Give a file.")
        found = importers.detect(upload)
        if len(found) == 1:
            self.stdout.write(_("Read as: %(label)s.") % {"label": found[0].label})
            return found[0]
        kinds = ", ".join(i.kind for i in (found or importers.all_importers()))
        if not found:
            raise CommandError(f"{upload.filename}: the kind of file is not recognised ({kinds}).")
        raise CommandError(f"{upload.filename} could be any of: {kinds}. Name the kind.")
