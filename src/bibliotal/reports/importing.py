"""The reports app's importer in core's registry: tables saved from Danmarks Statistik."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bibliotal.core import importers

TABLES = ("BIB2B", "IBIB2", "FOLK1A")


def _arguments(parser) -> None:
    parser.add_argument(
        "--table",
        choices=list(TABLES),
        help="The file's table; read from the file name or title when left out.",
    )


def _options(organisation, options: dict) -> dict:
    return {"table": options.get("table")}


def run(*, organisation, upload, user=None, dry_run, progress=None, table=None, trigger="file"):
    from bibliotal.reports.statbank import import_statbank_csv

    return import_statbank_csv(
        organisation=organisation,
        data=upload.read(),
        filename=upload.filename,
        user=user,
        table=table,
        trigger=trigger,
        dry_run=dry_run,
    )


def _detect(filename: str, head: bytes) -> bool:
    text = head.decode("utf-8", "replace").upper()
    return any(name in filename.upper() or name in text for name in TABLES)


def register() -> None:
    importers.register(
        importers.Importer(
            kind="dst",
            label=_("Danmarks Statistik table"),
            help="Import a table saved from Danmarks Statistik's Statbank as semicolon CSV: "
            "BIB2B, IBIB2 or FOLK1A.",
            run=run,
            detect=_detect,
            arguments=_arguments,
            options=_options,
            formats=("csv",),
        )
    )
