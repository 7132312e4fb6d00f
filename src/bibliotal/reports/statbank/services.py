"""Writing Statbank figures: one transaction, the import contract, the population figure."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bibliotal.core.imports import fingerprint
from bibliotal.core.integrations import recording
from bibliotal.core.models import ImportBatch, Integration, PopulationFigure
from bibliotal.reports.comparison import POPULATION, pick
from bibliotal.reports.models import StatbankFigure
from bibliotal.reports.statbank.files import Parsed, parse_statbank

IMPORT_KIND = "statbank"
POPULATION_SOURCE = "Danmarks Statistik FOLK1A, 1. januar"

# --- --------------------------------------------------------------------------------


@dataclass
class StatbankResult:
    tables: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    not_published: int = 0
    areas: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unknown_areas: list[str] = field(default_factory=list)
    population: list[str] = field(default_factory=list)
    already_imported: bool = False
    dry_run: bool = False

    def summary(self) -> str:
        if self.already_imported:
            return _("This file was imported before: nothing changed.")
        if not self.years:
            text = _("Danmarks Statistik %(tables)s: no figure for a whole year.") % {
                "tables": ", ".join(self.tables) or "–"
            }
        else:
            first, last = min(self.years), max(self.years)
            text = _(
                "Danmarks Statistik %(tables)s, %(areas)s, %(years)s: %(created)d new "
                "figures, %(updated)d updated, %(unchanged)d unchanged."
            ) % {
                "tables": ", ".join(self.tables),
                "areas": ", ".join(self.areas),
                "years": str(first) if first == last else f"{first}–{last}",
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
            }
        if self.not_published:
            text += " " + ngettext(
                "%(count)d figure is not published by Danmarks Statistik (..).",
                "%(count)d figures are not published by Danmarks Statistik (..).",
                self.not_published,
            ) % {"count": self.not_published}
        if self.unknown_areas:
            text += " " + _("Not a municipality, left out: %(areas)s.") % {
                "areas": ", ".join(self.unknown_areas)
            }
        parts = [text, *self.notes, *self.population]
        if self.dry_run:
            parts.append(_("Dry run: nothing was saved."))
        return " ".join(parts)

    def changes(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "not_published": self.not_published,
        }


def _write(
    parsed_tables: list[Parsed],
    *,
    source_of,
    result: StatbankResult,
    dry_run: bool,
    organisation=None,
):
    """Write the figures: shared ones (``organisation`` None, from the API) or an organisation's
    own upload."""
    now = timezone.now()
    for parsed in parsed_tables:
        figures = parsed.figures
        existing = {
            (f.table, f.area_code, f.year, f.measure): f
            for f in StatbankFigure.objects.filter(
                organisation=organisation,
                table=parsed.table,
                area_code__in={f.area_code for f in figures},
                year__in={f.year for f in figures},
            )
        }
        new, changed, touched = [], [], []
        for figure in figures:
            found = existing.get(figure.key)
            if figure.value is None:
                result.not_published += 1
            if found is None:
                new.append(
                    StatbankFigure(
                        organisation=organisation,
                        table=figure.table,
                        area_code=figure.area_code,
                        area_name=figure.area_name,
                        year=figure.year,
                        measure=figure.measure,
                        dimensions=figure.dimensions,
                        period=figure.period,
                        value=figure.value,
                        source=source_of(parsed)[:500],
                        fetched_at=now,
                    )
                )
                continue
            same = found.value == figure.value and found.period == figure.period
            found.value, found.period = figure.value, figure.period
            found.area_name, found.dimensions = figure.area_name, figure.dimensions
            found.source, found.fetched_at = source_of(parsed)[:500], now
            (touched if same else changed).append(found)
        result.created += len(new)
        result.updated += len(changed)
        result.unchanged += len(touched)
        if parsed.table not in result.tables:
            result.tables.append(parsed.table)
        result.notes.extend(n for n in parsed.notes if n not in result.notes)
        result.unknown_areas.extend(
            a for a in parsed.unknown_areas if a not in result.unknown_areas
        )
        for figure in figures:
            if figure.area_name not in result.areas:
                result.areas.append(figure.area_name)
            if figure.year not in result.years:
                result.years.append(figure.year)
        if dry_run:
            continue
        StatbankFigure.objects.bulk_create(new, batch_size=1000)
        StatbankFigure.objects.bulk_update(
            changed + touched,
            ["value", "period", "area_name", "dimensions", "source", "fetched_at"],
            batch_size=1000,
        )


def _update_population(organisation, parsed_tables: list[Parsed], result, *, dry_run: bool):
    """The own municipality's FOLK1A population becomes the organisation's population figure,
    unless one was typed by hand: that one is kept and the difference told."""
    code = organisation.municipality_code
    folk = [p for p in parsed_tables if p.table == "FOLK1A"]
    if not code or not folk:
        return
    by_year = defaultdict(list)
    for parsed in folk:
        for figure in parsed.figures:
            if figure.area_code == code:
                by_year[figure.year].append(figure)
    for year, figures in sorted(by_year.items()):
        value, _reason = pick(figures, POPULATION)
        if value is None:
            continue
        population = int(value)
        current = PopulationFigure.objects.filter(organisation=organisation, year=year).first()
        if current is None:
            if not dry_run:
                PopulationFigure.objects.create(
                    organisation=organisation,
                    year=year,
                    population=population,
                    source=POPULATION_SOURCE,
                )
            result.population.append(
                _("Population %(year)d set to %(population)s from FOLK1A.")
                % {"year": year, "population": f"{population:,}".replace(",", ".")}
            )
        elif current.source.startswith("Danmarks Statistik FOLK1A"):
            if current.population != population:
                if not dry_run:
                    current.population = population
                    current.save(update_fields=["population"])
                result.population.append(
                    _("Population %(year)d updated to %(population)s from FOLK1A.")
                    % {"year": year, "population": f"{population:,}".replace(",", ".")}
                )
        elif current.population != population:
            result.population.append(
                _("Population %(year)d is kept as typed (%(typed)s); FOLK1A says %(population)s.")
                % {
                    "year": year,
                    "typed": f"{current.population:,}".replace(",", "."),
                    "population": f"{population:,}".replace(",", "."),
                }
            )


def import_statbank_csv(
    *,
    organisation,
    data: bytes,
    filename: str,
    user=None,
    table: str | None = None,
    trigger: str = "file",
    dry_run: bool = False,
) -> StatbankResult:
    """Import a Statbank CSV file (BIB2B, IBIB2 or FOLK1A): every row is checked first, then
    everything is written in one transaction. The same file twice changes nothing."""
    sha = fingerprint(data)
    if ImportBatch.objects.filter(organisation=organisation, kind=IMPORT_KIND, sha256=sha).exists():
        result = StatbankResult(already_imported=True)
        if not dry_run:
            with recording(
                organisation, Integration.STATBANK, source=filename, trigger=trigger
            ) as run:
                run.summary = result.summary()
        return result
    if dry_run:
        parsed = parse_statbank(data, filename=filename, table=table)
        result = StatbankResult(dry_run=True)
        _write(
            [parsed],
            source_of=lambda p: filename,
            result=result,
            dry_run=True,
            organisation=organisation,
        )
        _update_population(organisation, [parsed], result, dry_run=True)
        return result
    with recording(organisation, Integration.STATBANK, source=filename, trigger=trigger) as run:
        parsed = parse_statbank(data, filename=filename, table=table)
        result = StatbankResult()
        with transaction.atomic():
            _write(
                [parsed],
                source_of=lambda p: filename,
                result=result,
                dry_run=False,
                organisation=organisation,
            )
            _update_population(organisation, [parsed], result, dry_run=False)
            ImportBatch.objects.create(
                organisation=organisation,
                kind=IMPORT_KIND,
                filename=filename[:255],
                sha256=sha,
                imported_by=user if user is not None and user.is_authenticated else None,
                summary={"table": parsed.table, **result.changes()},
            )
        run.summary = result.summary()
        run.changes = result.changes()
        run.unmapped = result.unknown_areas
    return result
