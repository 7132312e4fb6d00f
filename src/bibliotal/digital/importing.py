"""The digital app's importer in core's registry: e-loans, Matomo, COUNTER R5, generic figures."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bibliotal.core import importers


def _arguments(parser) -> None:
    parser.add_argument(
        "--format",
        choices=["generic", "eloans", "matomo", "counter"],
        help="The file's format; recognised from the file when left out.",
    )
    parser.add_argument(
        "--platform",
        help="The platform of a file that does not name it (Matomo, an e-loan report).",
    )


def _options(organisation, options: dict) -> dict:
    from bibliotal.digital.models import Platform, ensure_platforms

    ensure_platforms(organisation)
    chosen = None
    if options.get("platform"):
        chosen = Platform.objects.filter(
            organisation=organisation, name__iexact=options["platform"]
        ).first()
        if chosen is None:
            names = ", ".join(
                Platform.objects.filter(organisation=organisation).values_list("name", flat=True)
            )
            raise ValueError(f"No platform is called {options['platform']!r}. Platforms: {names}.")
    return {"format": options.get("format"), "platform": chosen}


def run(*, organisation, upload, user=None, dry_run, progress=None, format=None, platform=None):
    from bibliotal.digital.importers import import_digital_file

    return import_digital_file(
        organisation=organisation,
        data=upload.read(),
        filename=upload.filename,
        format=format,
        platform=platform,
        user=user,
        dry_run=dry_run,
    )


def _report(result) -> list[str]:
    lines = []
    if not result.already_imported:
        lines.append(gettext("Read as: %(label)s.") % {"label": result.format_label})
    if result.new_platforms:
        lines.append(
            gettext("New platforms (licensed databases):") + " " + ", ".join(result.new_platforms)
        )
    return [*lines, *result.warnings, result.summary()]


def _detect(filename: str, head: bytes) -> bool:
    text = head.decode("utf-8", "replace").lower()
    words = ("report_id", "report_name", "nb_visits", "nb_uniq_visitors", "e-udlån", "eudlån")
    return any(word in text for word in words) or ("platform" in text and "udlån" in text)


def register() -> None:
    importers.register(
        importers.Importer(
            kind="digital",
            label=_("Digital statistics"),
            help="Import digital statistics: e-loans, a Matomo summary, a COUNTER R5 report "
            "(TSV, CSV, Excel, JSON) or generic figures.",
            run=run,
            capability="coordinate",
            formats=("csv", "tsv", "xlsx", "json"),
            detect=_detect,
            arguments=_arguments,
            options=_options,
            report=_report,
        )
    )
