"""Core's own importer in the registry: opening hours saved from the library website."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from bibliotal.core import importers


def _arguments(parser) -> None:
    parser.add_argument(
        "--from",
        dest="start",
        type=date.fromisoformat,
        help="First day the file covers (default: its first date).",
    )
    parser.add_argument(
        "--to",
        dest="end",
        type=date.fromisoformat,
        help="Last day the file covers (default: its last date); days without hours are closed.",
    )


def _options(organisation, options: dict) -> dict:
    return {"start": options.get("start"), "end": options.get("end")}


def run(*, organisation, upload, user=None, dry_run, progress=None, start=None, end=None):
    from django.db import transaction

    from bibliotal.core.website import import_opening_hours

    # A dry run does everything and rolls it back: the calendar, its audit entries and all.
    with transaction.atomic():
        result = import_opening_hours(
            organisation=organisation,
            data=upload.read(),
            filename=upload.filename,
            from_date=start,
            to_date=end,
        )
        if dry_run:
            transaction.set_rollback(True)
    return result


def _detect(filename: str, head: bytes) -> bool:
    text = head.decode("utf-8", "replace")
    return filename.endswith(".json") and '"start_time"' in text and '"branch_id"' in text


def register() -> None:
    importers.register(
        importers.Importer(
            kind="opening-hours",
            label=_("Opening hours"),
            help="Import opening hours saved from the library website's /api/v1/opening_hours "
            "(dpl-cms JSON) as the libraries' day-level calendar.",
            run=run,
            capability="administer",
            formats=("json",),
            detect=_detect,
            arguments=_arguments,
            options=_options,
        )
    )
