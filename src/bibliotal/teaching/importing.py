"""The teaching app's importer in core's registry: schools and other institutions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bibliotal.core import importers


def run(*, organisation, upload, user=None, dry_run, progress=None):
    from bibliotal.teaching.services import import_institutions

    return import_institutions(
        organisation=organisation,
        data=upload.read(),
        filename=upload.filename,
        user=user,
        dry_run=dry_run,
    )


def _report(result) -> list[str]:
    return [result.summary()]


def _detect(filename: str, head: bytes) -> bool:
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace").lower()
    return ("navn" in first or "name" in first) and ("type" in first) and "kommune" in first


def register() -> None:
    importers.register(
        importers.Importer(
            kind="institutions",
            label=_("Institutions"),
            help="Import schools and other institutions (CSV or Excel: navn, type, kommune, "
            "områdetype).",
            run=run,
            capability="coordinate",
            detect=_detect,
            report=_report,
        )
    )
