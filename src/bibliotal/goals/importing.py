"""The goals app's importer in core's registry: the municipality's budget goal documents."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bibliotal.core import importers
from bibliotal.goals.forms import MAX_DOCUMENT_BYTES


def _arguments(parser) -> None:
    parser.add_argument(
        "--year",
        type=int,
        help="Budget year of a document without a '## Mål for budget ÅR' heading, or the year "
        "to take from a file with several.",
    )
    parser.add_argument(
        "--section",
        help="The section of a budget book to read the goals from, by its heading or a part of "
        "it (e.g. 'Biblioteker'); the libraries' section is found without it.",
    )


def _options(organisation, options: dict) -> dict:
    year = options.get("year")
    if year is not None and not 2000 <= year <= 2100:
        raise ValueError(f"--year {year} is not a budget year (2000–2100).")
    section = (options.get("section") or "").strip() or None
    return {"year": year, "section": section}


def run(
    *,
    organisation,
    upload,
    user=None,
    dry_run,
    progress=None,
    year=None,
    section=None,
    reviewed=None,
):
    from bibliotal.goals.services import import_budget_document

    return import_budget_document(
        organisation=organisation,
        data=upload.read(),
        filename=upload.filename,
        user=user,
        year=year,
        dry_run=dry_run,
        section=section,
        reviewed=reviewed,
    )


def report(result) -> list[str]:
    lines = list(result.warnings)
    lines.extend(section_lines(result))
    if result.dry_run:
        for document in result.documents:
            for area in document.focus_areas:
                lines.append(f"{document.year} · {area.texts['title']}")
                for target in area.targets:
                    if target.is_qualitative:
                        needs = gettext("needs a target")
                        lines.append(f"    {needs}: {target.source_text}")
                    else:
                        detail = target.threshold or target.baseline_year
                        lines.append(f"    {target.indicator} {target.kind} {detail}")
    return [*lines, result.summary()]


def section_lines(result) -> list[str]:
    """Which section of a budget book the goals were read from, and the others to choose from
    with ``--section`` (or on the page)."""
    if result.section is None:
        return []
    chosen = result.section
    if chosen.first_page:
        lines = [
            gettext("Read from the section “%(title)s”, pages %(first)s–%(last)s.")
            % {"title": chosen.title, "first": chosen.first_page, "last": chosen.last_page}
        ]
    else:
        lines = [gettext("Read from the section “%(title)s”.") % {"title": chosen.title}]
    others = [s.title for s in result.sections if s.title != chosen.title]
    if others:
        lines.append(
            gettext("Other sections found: %(titles)s.")
            % {"titles": "; ".join(f"“{t}”" for t in others[:40])}
        )
    return lines


def _detect(filename: str, head: bytes) -> bool:
    text = head.decode("utf-8", "replace").lower()
    return "<b>fokusområde</b>" in text or "mål for budget" in text


def register() -> None:
    importers.register(
        importers.Importer(
            kind="goals",
            label=_("Budget goal document"),
            help="Import a budget goal document (the municipality's goals for the library).",
            run=run,
            detect=_detect,
            arguments=_arguments,
            options=_options,
            report=report,
            max_bytes=MAX_DOCUMENT_BYTES,
            formats=("txt", "docx", "pdf", "html"),
        )
    )
