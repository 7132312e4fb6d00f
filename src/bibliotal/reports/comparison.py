"""The library beside comparable municipalities and the whole country, per 1,000 inhabitants,
from Danmarks Statistik's published tables (see ``statbank.py``).

A measure names the table it comes from and how to find its rows among the table's variables,
by the words Danmarks Statistik uses (Danish or English): visitors are the BIB2B row that speaks
of "besøg"/"visit", e-loans the IBIB2 rows of loans ("udlån") on eReolen where the table
splits loans by where they were made. Every other variable is taken at its total ("I alt",
"Total") where the table has one, and added up where it has none; an age variable is added up
over the bands below the measure's age limit. Population is FOLK1A on 1 January.

A figure that is missing is None with the reason, never 0.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bibliotal.core.models import PopulationFigure
from bibliotal.reports import municipalities
from bibliotal.reports.models import StatbankFigure, peers_of

LICENCE = "CC BY 4.0"
TOTAL = re.compile(
    r"^(i alt|ialt|tot|total|alle|all)$|\bi alt$|\btotal$|^alle\b|^all\b", re.IGNORECASE
)
AGE_BAND = re.compile(r"^(\d+)\s*[-–]\s*(\d+)\s*(år|years?)?$", re.IGNORECASE)
AGE_FROM = re.compile(r"^(\d+)\s*(år|years?)\s*(og derover|and over|\+)$|^(\d+)\+$", re.IGNORECASE)
DIGITAL = r"e-?reolen|digital|elektronisk|e-?bog|e-?book|netlydbog|e-?lydbog"
OWN, PEER, COUNTRY = "own", "peer", "country"


def table_label(table: str) -> str:
    return {
        "BIB2B": _("the public libraries' activities"),
        "IBIB2": _("loans and borrowers by age, quarterly"),
        "FOLK1A": _("population on the first day of the quarter"),
    }.get(table, table)


@dataclass(frozen=True)
class Measure:
    key: str
    table: str
    label: Promise
    require: tuple[str, ...] = ()  # each must match one of a row's values
    exclude: tuple[str, ...] = ()  # none may match
    prefer: tuple[str, ...] = ()  # rows matching these win, where there are any
    ages_below: int | None = None
    noun: Promise | None = None  # in a sentence: "3,1 events per 1,000 inhabitants"

    @property
    def in_sentence(self) -> str:
        return str(self.noun) if self.noun else str(self.label).lower()


MEASURES = [
    Measure(
        "visitors",
        "BIB2B",
        gettext_lazy("Visitors"),
        require=(r"besøg|visit",),
        noun=gettext_lazy("visitors"),
    ),
    Measure(
        "events",
        "BIB2B",
        gettext_lazy("Events"),
        require=(r"arrangement|event",),
        exclude=(r"deltag|particip",),
        noun=gettext_lazy("events"),
    ),
    Measure(
        "user_education_lessons",
        "BIB2B",
        gettext_lazy("User education, lessons"),
        require=(r"brugerundervisning|user education|user training", r"lektion|lesson"),
        noun=gettext_lazy("user-education lessons"),
    ),
    Measure(
        "user_education_participants",
        "BIB2B",
        gettext_lazy("User education, participants"),
        require=(r"brugerundervisning|user education|user training", r"deltag|particip"),
        noun=gettext_lazy("participants in user education"),
    ),
    Measure(
        "eloans",
        "IBIB2",
        gettext_lazy("E-loans"),
        require=(r"udlån|loans?\b",),
        exclude=(r"lånere|borrowers",),
        prefer=(DIGITAL,),
        noun=gettext_lazy("e-loans"),
    ),
    Measure(
        "child_eloans",
        "IBIB2",
        gettext_lazy("E-loans by children and young people (0–19 years)"),
        require=(r"udlån|loans?\b",),
        exclude=(r"lånere|borrowers",),
        prefer=(DIGITAL,),
        ages_below=20,
        noun=gettext_lazy("e-loans by children and young people (0–19 years)"),
    ),
]
BY_KEY = {m.key: m for m in MEASURES}
POPULATION = Measure("population", "FOLK1A", gettext_lazy("Population, 1 January"))


def measure_named(key: str | None) -> Measure:
    return BY_KEY.get(key or "", MEASURES[0])


def _values(figure) -> list[str]:
    return [str(v).lower() for v in (figure.dimensions or {}).values()]


def _matches(figure, measure: Measure) -> bool:
    values = _values(figure)
    return all(any(re.search(p, v) for v in values) for p in measure.require) and not any(
        re.search(p, v) for p in measure.exclude for v in values
    )


def _band(text: str) -> tuple[int, float] | None:
    text = text.strip()
    found = AGE_BAND.match(text)
    if found:
        return int(found.group(1)), int(found.group(2))
    found = AGE_FROM.match(text)
    if found:
        return int(found.group(1) or found.group(4)), float("inf")
    return None


def _preferred(figure, measure: Measure) -> bool:
    return any(re.search(p, v) for p in measure.prefer for v in _values(figure))


def pick(figures, measure: Measure, *, preferred: bool | None = None) -> tuple[Decimal | None, str]:
    """The measure's value among one area's and one year's figures of its table, or None and
    why not.

    ``preferred`` says whether the rows must match the measure's ``prefer`` (True), or need not
    because its table has no such rows anywhere (False); ``comparison`` decides it for the whole
    table. None decides it from ``figures`` alone.
    """
    rows = [f for f in figures if _matches(f, measure)]
    if measure.prefer:
        if preferred is None:
            preferred = any(_preferred(f, measure) for f in rows)
        if preferred:
            if rows and not any(_preferred(f, measure) for f in rows):
                return None, _(
                    "no row for %(measure)s, though the table has such rows for other areas "
                    "or years"
                ) % {"measure": measure.in_sentence}
            rows = [f for f in rows if _preferred(f, measure)]
    if not rows:
        return None, _("no figure")
    columns = list(dict.fromkeys(c for f in rows for c in (f.dimensions or {})))
    aged = False
    for column in columns:
        values = {(f.dimensions or {}).get(column, "") for f in rows}
        if len(values) <= 1:
            continue
        bands = {v: _band(v) for v in values}
        if measure.ages_below is not None and sum(1 for b in bands.values() if b) >= 2:
            rows = [
                f
                for f in rows
                if (band := bands[(f.dimensions or {}).get(column, "")]) is not None
                and band[1] < measure.ages_below
            ]
            aged = True
            continue
        totals = sorted(v for v in values if TOTAL.search(v.strip()))
        if totals:
            rows = [f for f in rows if (f.dimensions or {}).get(column, "") == totals[0]]
    if measure.ages_below is not None and not aged:
        return None, _("the table has no age groups")
    if not rows:
        return None, _("no figure")
    # Rows that differ in what the measure looks for (two kinds of visits, say) are different
    # figures: adding them up would count twice. Other variables without a total (sex) add up.
    for column in columns:
        values = sorted({(f.dimensions or {}).get(column, "") for f in rows})
        if len(values) > 1 and any(
            re.search(p, v.lower()) for p in measure.require for v in values
        ):
            return None, _("several rows match: %(values)s") % {"values": ", ".join(values)}
    if any(f.value is None for f in rows):
        return None, _("not published by Danmarks Statistik")
    return sum((f.value for f in rows), Decimal(0)), ""


@dataclass
class Area:
    code: str
    name: str
    role: str

    @property
    def role_label(self) -> str:
        return {OWN: _("own municipality"), PEER: _("comparable"), COUNTRY: _("whole country")}[
            self.role
        ]


@dataclass
class Cell:
    area: Area
    year: int
    value: Decimal | None
    population: int | None
    per_1000: Decimal | None
    note: str = ""

    @property
    def per_1000_rounded(self) -> Decimal | None:
        if self.per_1000 is None:
            return None
        return self.per_1000.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Comparison:
    measure: Measure
    areas: list[Area]
    years: list[int]
    cells: list[Cell]
    sources: list[str] = field(default_factory=list)
    fetched_at: datetime | None = None
    notes: list[str] = field(default_factory=list)

    def cell(self, code: str, year: int) -> Cell | None:
        return next((c for c in self.cells if c.area.code == code and c.year == year), None)

    @property
    def has_data(self) -> bool:
        return any(c.per_1000 is not None for c in self.cells)

    def by_area(self) -> list[tuple[Area, list[Cell]]]:
        return [(area, [self.cell(area.code, year) for year in self.years]) for area in self.areas]

    @property
    def own(self) -> Area | None:
        return next((a for a in self.areas if a.role == OWN), None)

    @property
    def source_line(self) -> str:
        tables = ", ".join(
            f"{table} ({table_label(table)})" for table in (self.measure.table, "FOLK1A")
        )
        return _("Source: Danmarks Statistik, %(tables)s (%(licence)s).") % {
            "tables": tables,
            "licence": LICENCE,
        }

    @property
    def sources_line(self) -> str:
        """Where the figures came from: the files uploaded and the API's addresses."""
        return _("Figures from: %(sources)s.") % {"sources": ", ".join(self.sources)}

    @property
    def unit(self) -> str:
        return _("%(measure)s per 1,000 inhabitants") % {"measure": self.measure.label}


def areas_for(organisation) -> list[Area]:
    areas = []
    own = organisation.municipality_code
    if own:
        areas.append(Area(own, municipalities.area_name(own), OWN))
    areas += [Area(code, municipalities.area_name(code), PEER) for code in peers_of(organisation)]
    areas.append(
        Area(municipalities.COUNTRY, municipalities.area_name(municipalities.COUNTRY), COUNTRY)
    )
    return areas


def visible_figures(organisation):
    """The shared figures from the API and the organisation's own uploads."""
    return StatbankFigure.objects.filter(
        Q(organisation__isnull=True) | Q(organisation=organisation)
    )


def available_years(measure: Measure, codes, organisation=None) -> list[int]:
    return sorted(
        set(
            visible_figures(organisation)
            .filter(table=measure.table, area_code__in=codes)
            .values_list("year", flat=True)
        )
    )


def _source(rows, measure: Measure, preferred: bool) -> list:
    """Of one area's and year's rows: the organisation's own if any of them give the measure
    (for the population: if there are any), otherwise the shared ones from the API. The two are
    never added up, however differently they are worded."""
    own = [f for f in rows if f.organisation_id is not None]
    shared = [f for f in rows if f.organisation_id is None]
    if measure is POPULATION:
        return own or shared
    for source, strict in ((own, True), (shared, True), (own, False)):
        if any(
            _matches(f, measure) and not (strict and preferred and not _preferred(f, measure))
            for f in source
        ):
            return source
    return shared


def comparison(
    organisation,
    measure: Measure | str,
    years=None,
    *,
    last: int = 10,
    until: int | None = None,
) -> Comparison:
    """Per area (the own municipality, each peer, the country) and year: the value, the
    population and the value per 1,000 inhabitants.

    Without ``years``: the last ``last`` years with figures, up to ``until`` where given (the
    year of a report).
    """
    if isinstance(measure, str):
        measure = BY_KEY[measure]
    areas = areas_for(organisation)
    codes = [a.code for a in areas]
    if years is not None:
        years = sorted(years)
    else:
        years = [
            y for y in available_years(measure, codes, organisation) if until is None or y <= until
        ][-last:]
    figures = list(
        visible_figures(organisation).filter(
            table__in=[measure.table, POPULATION.table], area_code__in=codes, year__in=years
        )
    )
    grouped: dict[tuple, list] = defaultdict(list)
    for figure in figures:
        grouped[(figure.table, figure.area_code, figure.year)].append(figure)
    # Whether the rows must match ``prefer`` is decided for the whole table, never per area and
    # year: an area without an eReolen row has no e-loans, not all its loans as e-loans.
    preferred = bool(measure.prefer) and any(
        _preferred(f, measure) for f in figures if f.table == measure.table
    )
    typed = {
        p.year: p
        for p in PopulationFigure.objects.filter(organisation=organisation, year__in=years)
    }
    cells, notes, used = [], [], []
    for area in areas:
        for year in years:
            rows = _source(grouped.get((measure.table, area.code, year), []), measure, preferred)
            value, reason = pick(rows, measure, preferred=preferred)
            people = _source(
                grouped.get((POPULATION.table, area.code, year), []), POPULATION, False
            )
            population, _why = pick(people, POPULATION)
            used += rows + people
            if population is None and area.role == OWN and year in typed:
                population = Decimal(typed[year].population)
                notes.append(
                    _(
                        "The population of %(area)s in %(year)d is the organisation's own figure, "
                        "not FOLK1A's."
                    )
                    % {"area": area.name, "year": year}
                )
            per_1000, note = None, ""
            if value is None:
                note = reason
            elif population is None or population <= 0:
                note = _("no population figure")
            else:
                per_1000 = value * 1000 / population
            cells.append(
                Cell(
                    area,
                    year,
                    value,
                    int(population) if population is not None else None,
                    per_1000,
                    note,
                )
            )
    return Comparison(
        measure,
        areas,
        years,
        cells,
        sorted({f.source for f in used if f.source}),
        max((f.fetched_at for f in used if f.fetched_at), default=None),
        list(dict.fromkeys(notes)),
    )


# --- words and numbers for people ------------------------------------------------------------


def rate(value) -> str:
    """A figure per 1,000 inhabitants: one decimal, thousands grouped."""
    if value is None:
        return "–"
    return formats.number_format(
        Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
        decimal_pos=1,
        use_l10n=True,
        force_grouping=True,
    )


def count(value) -> str:
    if value is None:
        return "–"
    return formats.number_format(
        Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP),
        decimal_pos=0,
        use_l10n=True,
        force_grouping=True,
    )


def sentence(result: Comparison) -> str:
    """The latest year with the own municipality's figure, against the country and the peers."""
    own = result.own
    if own is None:
        return _("The organisation has no municipality code, so there is nothing to compare.")
    year = next(
        (
            y
            for y in reversed(result.years)
            if (c := result.cell(own.code, y)) and c.per_1000 is not None
        ),
        None,
    )
    if year is None:
        return _("There are no figures for %(area)s yet.") % {"area": own.name}
    own_cell = result.cell(own.code, year)
    text = _("In %(year)d %(area)s had %(rate)s %(measure)s per 1,000 inhabitants") % {
        "year": year,
        "area": own.name,
        "rate": rate(own_cell.per_1000),
        "measure": result.measure.in_sentence,
    }
    country = result.cell(municipalities.COUNTRY, year)
    if country and country.per_1000 is not None:
        text += _(", against %(rate)s in the whole country") % {"rate": rate(country.per_1000)}
    peers = [
        c.per_1000
        for c in result.cells
        if c.area.role == PEER and c.year == year and c.per_1000 is not None
    ]
    if len(peers) > 1:
        text += _(" and %(low)s–%(high)s in the comparable municipalities") % {
            "low": rate(min(peers)),
            "high": rate(max(peers)),
        }
    elif peers:
        text += _(" and %(rate)s in the comparable municipality") % {"rate": rate(peers[0])}
    return text + "."


def table_rows(result: Comparison) -> tuple[list[str], list[list[str]]]:
    """Areas × years, per 1,000 inhabitants, as text (for documents)."""
    columns = [_("Municipality"), *[str(y) for y in result.years]]
    rows = []
    for area, cells in result.by_area():
        rows.append([area.name, *[rate(c.per_1000) if c else "–" for c in cells]])
    return columns, rows


def chart(result: Comparison, *, document: bool = False):
    """A line per area, per 1,000 inhabitants by year: the own municipality thick and dark, the
    country dashed, the peers thin. The page's table holds the same numbers."""
    import altair as alt

    from bibliotal.goals.charts import ACTUAL, BASELINE, Chart, chart_config

    values = [
        {
            "year": str(c.year),
            "rate": float(c.per_1000_rounded),
            "area": c.area.name,
            "role": c.area.role,
        }
        for c in result.cells
        if c.per_1000 is not None
    ]
    if not values:
        return None
    peers = ["#4e79a7", "#59a14f", "#b07aa1", "#edc948", "#76b7b2", "#ff9da7", "#9c755f", "#e15759"]
    domain = [a.name for a in result.areas]
    colours, dashes, widths, peer = [], [], [], 0
    for area in result.areas:
        if area.role == OWN:
            colours.append(ACTUAL)
            dashes.append([1, 0])
            widths.append(4)
        elif area.role == COUNTRY:
            colours.append(BASELINE)
            dashes.append([6, 4])
            widths.append(2.5)
        else:
            colours.append(peers[peer % len(peers)])
            dashes.append([1, 0])
            widths.append(1.8)
            peer += 1
    names = ", ".join(a.name for a in result.areas if a.role == PEER)
    own = result.own
    description = _(
        "%(unit)s by year: %(own)s (thick line) against %(peers)s and the whole country (dashed)."
    ) % {
        "unit": result.unit,
        "own": own.name if own else "–",
        "peers": names or _("no comparable municipalities"),
    }
    spec = (
        alt.Chart(alt.Data(values=values))
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("rate:Q", title=_("per 1,000 inhabitants")),
            color=alt.Color(
                "area:N",
                title=None,
                scale=alt.Scale(domain=domain, range=colours),
                legend=alt.Legend(orient="bottom", columns=3),
            ),
            strokeDash=alt.StrokeDash(
                "area:N", legend=None, scale=alt.Scale(domain=domain, range=dashes)
            ),
            strokeWidth=alt.StrokeWidth(
                "area:N", legend=None, scale=alt.Scale(domain=domain, range=widths)
            ),
            tooltip=[
                alt.Tooltip("area:N", title=_("Municipality")),
                alt.Tooltip("year:O", title=_("Year")),
                alt.Tooltip("rate:Q", title=_("per 1,000 inhabitants"), format=",.1f"),
            ],
        )
        .properties(width="container", height=300, description=description)
        .to_dict()
    )
    spec["config"] = chart_config()
    if document:
        spec["width"] = 620
        spec["height"] = 260
        spec["config"] = {
            **spec["config"],
            "font": "Libertinus Serif, serif",
            "background": "white",
        }
    return Chart(spec, [], [], description)


@dataclass
class ReportSection:
    """One measure in the report's comparison section."""

    title: str
    sentence: str
    columns: list[str]
    rows: list[list[str]]
    chart: object | None
    source: str
    notes: list[str] = field(default_factory=list)  # under the table


def missing_notes(result: Comparison) -> list[str]:
    """Why each figure of the table is missing, for documents (the page shows it in the cell)."""
    return [
        _("%(area)s, %(year)d: %(reason)s")
        % {"area": c.area.name, "year": c.year, "reason": c.note}
        for area, cells in result.by_area()
        for c in cells
        if c is not None and c.per_1000 is None and c.note
    ]


def report_sections(
    organisation, *, charts: bool = True, last: int = 5, until: int | None = None
) -> list[ReportSection]:
    """Every measure with a figure for the own municipality, for the report (in the active
    language): the ``last`` years with figures up to ``until``, the report's year."""
    sections = []
    for measure in MEASURES:
        result = comparison(organisation, measure, last=last, until=until)
        own = result.own
        if own is None or not any(
            c.per_1000 is not None for c in result.cells if c.area.code == own.code
        ):
            continue
        columns, rows = table_rows(result)
        source = result.source_line
        if result.sources:
            source += " " + result.sources_line
        sections.append(
            ReportSection(
                title=result.unit,
                sentence=sentence(result),
                columns=columns,
                rows=rows,
                chart=chart(result, document=True) if charts else None,
                source=source,
                notes=[*result.notes, *missing_notes(result)],
            )
        )
    return sections
