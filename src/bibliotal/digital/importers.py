"""Digital statistics in: generic CSV/XLSX, a Matomo-style visits summary, the monthly e-loan
report of eReolen's statistics tool, and COUNTER Release 5 reports (TSV, CSV, XLSX, JSON).

Every format becomes the same ``Figure`` rows. Every row is checked first, every error named
by file, line, column, value and rule; then all figures are written in one transaction, or
none. The same file twice changes nothing; a newer file with the same figures replaces their
values (a corrected report), and what it replaced is counted.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bibliotal.core import audit
from bibliotal.core.formatting import date_text
from bibliotal.core.imports import (
    ImportRejected,
    OutOfRange,
    RowError,
    bounded,
    fingerprint,
    limit_errors,
    missing_columns,
    open_table,
    parse_number,
    scan,
)
from bibliotal.core.models import ImportBatch
from bibliotal.digital import counter
from bibliotal.digital.models import (
    COUNTER_METRICS,
    AgeBand,
    DigitalFigure,
    Material,
    Method,
    Metric,
    Platform,
    ensure_platforms,
    item_key,
    period_kind,
)
from bibliotal.digital.periods import parse_period
from bibliotal.digital.plausibility import ACCEPTED, CORRECTED, HELD, check_figures

BATCH_KIND = "digital"
# No platform counts more than ten million of anything (loans, visits, page views, requests) for
# one library in a month (eReolen lends about 1.5 million e-books a month in all Denmark); a
# longer period may count ten million a month. The same ceiling on SQLite and PostgreSQL.
MAX_FIGURE_PER_MONTH = 10_000_000
TOO_LARGE = 10**18  # a figure of more than 18 digits: above every ceiling

FORMATS = {
    "generic": gettext_lazy("Generic figures (platform, period, metric, age band, value)"),
    "eloans": gettext_lazy("Monthly e-loan report (month, material type, age band, loans)"),
    "matomo": gettext_lazy("Matomo visits summary (web analytics)"),
    "counter": gettext_lazy("COUNTER Release 5 report (TSV, CSV, Excel or JSON)"),
}


def _words(mapping: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {word: code for code, words in mapping.items() for word in words}


METRIC_WORDS = _words(
    {
        Metric.LOANS: ("udlån", "loans", "lån", "loan", "antal udlån"),
        Metric.UNIQUE_USERS: ("unikke brugere", "unique users", "brugere", "users"),
        Metric.VISITS: ("besøg", "visits", "sessioner", "sessions"),
        Metric.PAGE_VIEWS: ("sidevisninger", "page views", "pageviews", "visninger"),
        Metric.ACTIONS: ("handlinger", "actions"),
        Metric.SEARCHES: ("søgninger", "searches"),
    }
) | {m.lower(): m for m in COUNTER_METRICS}
MATERIAL_WORDS = _words(
    {
        Material.NONE: ("", "alle", "i alt", "all", "total"),
        Material.EBOOK: ("e-bog", "ebog", "e-bøger", "ebøger", "e-book", "ebook", "e-books"),
        Material.EAUDIOBOOK: (
            "e-lydbog",
            "elydbog",
            "lydbog",
            "lydbøger",
            "e-lydbøger",
            "netlydbog",
            "e-audiobook",
            "eaudiobook",
            "audiobook",
            "audio book",
        ),
        Material.PODCAST: ("podcast", "podcasts"),
        Material.FILM: ("film", "movie", "movies", "streaming"),
    }
)
AGE_WORDS = _words(
    {
        AgeBand.ALL: ("", "alle", "i alt", "all", "total", "alle aldre"),
        AgeBand.CHILDREN: ("børn", "born", "children", "child", "0-13", "0–13", "børn 0-13"),
        AgeBand.YOUNG: ("unge", "young", "youth", "14-17", "14–17", "unge 14-17"),
        AgeBand.ADULTS: ("voksne", "adults", "adult", "18+", "voksne 18+", "over 18"),
        AgeBand.UNKNOWN: ("ukendt", "unknown", "ukendt alder"),
    }
)
METHOD_WORDS = _words(
    {
        Method.COOKIE: ("cookie", "cookies", "webanalyse", "web analytics", "cookie-baseret"),
        Method.LOGIN: ("login", "log-in", "login-baseret", "lånere", "borrowers"),
    }
)

PLATFORM_HEADERS = ("platform", "platforme", "tjeneste", "service")
PERIOD_HEADERS = ("periode", "period", "måned", "maaned", "month", "dato", "date", "år", "year")
METRIC_HEADERS = ("måling", "nøgletal", "metric", "metrik", "mål")
AGE_HEADERS = ("aldersgruppe", "alder", "age band", "age group", "age")
VALUE_HEADERS = ("værdi", "vaerdi", "value", "antal", "count")
MATERIAL_HEADERS = ("materialetype", "materiale", "material type", "material", "type")
METHOD_HEADERS = ("metode", "method", "opgørelse")
LOANS_HEADERS = ("udlån", "antal udlån", "loans", "lån")
MATOMO_COLUMNS = {
    "nb_uniq_visitors": (Metric.UNIQUE_USERS, Method.COOKIE),
    "unique visitors": (Metric.UNIQUE_USERS, Method.COOKIE),
    "unikke besøgende": (Metric.UNIQUE_USERS, Method.COOKIE),
    "nb_users": (Metric.UNIQUE_USERS, Method.LOGIN),
    "users": (Metric.UNIQUE_USERS, Method.LOGIN),
    "brugere": (Metric.UNIQUE_USERS, Method.LOGIN),
    "nb_visits": (Metric.VISITS, Method.NONE),
    "visits": (Metric.VISITS, Method.NONE),
    "besøg": (Metric.VISITS, Method.NONE),
    "nb_actions": (Metric.ACTIONS, Method.NONE),
    "actions": (Metric.ACTIONS, Method.NONE),
    "handlinger": (Metric.ACTIONS, Method.NONE),
    "nb_pageviews": (Metric.PAGE_VIEWS, Method.NONE),
    "pageviews": (Metric.PAGE_VIEWS, Method.NONE),
    "sidevisninger": (Metric.PAGE_VIEWS, Method.NONE),
    "nb_searches": (Metric.SEARCHES, Method.NONE),
    "searches": (Metric.SEARCHES, Method.NONE),
    "søgninger": (Metric.SEARCHES, Method.NONE),
}
MATOMO_PERIOD = ("date", "label", "dato", "periode", "period")


@dataclass
class Figure:
    line: int
    column: str
    platform: str
    metric: str
    start: date
    end: date
    value: int
    material: str = ""
    age_band: str = AgeBand.ALL
    method: str = ""
    report: str = ""
    item: str = ""
    attributes: str = ""

    def identity(self, platform_id: int) -> tuple:
        return (
            platform_id,
            self.metric,
            self.material,
            self.age_band,
            self.method,
            self.start,
            self.end,
            item_key(self.report, self.item, self.attributes),
        )


@dataclass
class DigitalImportResult:
    filename: str
    format: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    repeated: int = 0
    already_imported: bool = False
    dry_run: bool = False
    new_platforms: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    first: date | None = None
    last: date | None = None
    report: str = ""
    batch_id: int | None = None
    # Figures far outside their platform's normal or above the ceiling (digital.plausibility),
    # as sentences naming file, line, column, value and normal; platforms without a normal.
    implausible: list[str] = field(default_factory=list)
    short_history: list[str] = field(default_factory=list)

    @property
    def format_label(self) -> str:
        return str(FORMATS.get(self.format, self.format))

    def summary(self) -> str:
        if self.already_imported:
            return _("%(file)s was imported before: nothing changed.") % {"file": self.filename}
        text = _(
            "%(file)s: %(created)d figures added, %(updated)d replaced, %(unchanged)d unchanged."
        ) % {
            "file": self.filename,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.first and self.last:
            text += " " + _("Periods from %(first)s to %(last)s.") % {
                "first": date_text(self.first, "SHORT_DATE_FORMAT"),
                "last": date_text(self.last, "SHORT_DATE_FORMAT"),
            }
        if self.dry_run:
            text += " " + _("Dry run: nothing was saved.")
        return text


class _Rollback(Exception):
    pass


def import_digital_file(
    *,
    organisation,
    data: bytes,
    filename: str,
    format: str | None = None,
    platform: Platform | None = None,
    user=None,
    dry_run: bool = False,
) -> DigitalImportResult:
    """Import one statistics file; ``format`` is recognised from the file when left out, and
    ``platform`` names the platform of a file that does not (a Matomo summary, an e-loan report
    without a platform column). Raises ImportRejected with every faulty row; writes nothing
    then."""
    ensure_platforms(organisation)
    result = DigitalImportResult(filename=filename, dry_run=dry_run)
    digest = fingerprint(data)
    if ImportBatch.objects.filter(
        organisation=organisation, kind=BATCH_KIND, sha256=digest
    ).exists():
        result.already_imported = True
        return result
    figures, errors, result.format, warnings = _parse(data, filename, format)
    result.warnings.extend(warnings)
    errors = [*errors, *_over_ceiling(figures, filename)]
    if errors:
        raise ImportRejected(limit_errors(errors, filename))
    if not figures:
        raise ImportRejected(
            [RowError(filename, 1, "–", "", _("The file holds no figures to import."))]
        )
    figures = _unique(figures, filename, result)
    result.report = figures[0].report
    try:
        with transaction.atomic():
            platforms = _resolve_platforms(organisation, figures, platform, filename, result)
            findings, short = check_figures(figures, platforms)
            result.implausible = [f.sentence(filename) for f in findings]
            result.short_history = short
            held = {id(f.figure): f.sentence(filename) for f in findings}
            _write(organisation, figures, platforms, digest, filename, user, result, held)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    result.first = min(f.start for f in figures)
    result.last = max(f.end for f in figures)
    result.platforms = sorted({platforms[f.platform].name for f in figures}) if figures else []
    return result


def _parse(data: bytes, filename: str, format: str | None):
    if format and format not in FORMATS:
        raise ImportRejected(
            [
                RowError(
                    filename,
                    1,
                    "–",
                    format,
                    _("Unknown format; choose one of: %(names)s.") % {"names": ", ".join(FORMATS)},
                )
            ]
        )
    if counter.is_json(data):
        if format and format != "counter":
            raise ImportRejected(
                [RowError(filename, 1, "–", "JSON", _("Only COUNTER reports come as JSON."))]
            )
        report = counter.parse_json(data, filename=filename)
        return _from_counter(report), report.errors, "counter", _exceptions(report)
    source = io.BytesIO(data)
    table = open_table(source, filename=filename, encoding=scan(source).encoding)
    records = list(table.records)
    if not records:
        return [], [], format or "generic", []
    if format == "counter" or (format is None and counter.looks_like_counter(records[0][1])):
        report = counter.parse_table(records, filename=filename)
        return _from_counter(report), report.errors, "counter", _exceptions(report)
    header = [h.strip().lower().lstrip("\ufeff") for h in records[0][1]]
    chosen = format or _recognise(header)
    parser = {"generic": _generic, "eloans": _eloans, "matomo": _matomo}[chosen]
    figures, errors, warnings = parser(header, records[1:], filename)
    return figures, errors, chosen, warnings


def _months(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _over_ceiling(figures: list[Figure], filename: str) -> list[RowError]:
    """A figure above ``MAX_FIGURE_PER_MONTH`` for each month of its period is refused."""
    errors = []
    for figure in figures:
        try:
            bounded(
                figure.value,
                MAX_FIGURE_PER_MONTH * max(1, _months(figure.start, figure.end)),
                what=_("a figure for this period"),
            )
        except OutOfRange as exc:
            shown = str(figure.value) if figure.value < TOO_LARGE else "> 10^18"
            errors.append(
                RowError(filename, figure.line, figure.column, shown, capfirst(exc.rule) + ".")
            )
    return errors


def _exceptions(report) -> list[str]:
    return [_("The report states an exception: %(text)s") % {"text": e} for e in report.exceptions]


def _from_counter(report) -> list[Figure]:
    return [
        Figure(
            line=row.line,
            column=row.column,
            platform=row.platform,
            metric=row.metric,
            start=row.start,
            end=row.end,
            value=row.value,
            report=row.report,
            item=row.item,
            attributes=row.attributes,
        )
        for row in report.rows
    ]


def _recognise(header: list[str]) -> str:
    if _find(header, METRIC_HEADERS) and _find(header, VALUE_HEADERS):
        return "generic"
    if _find(header, LOANS_HEADERS) and _find(header, PERIOD_HEADERS):
        return "eloans"
    if any(column in MATOMO_COLUMNS for column in header):
        return "matomo"
    return "generic"


def _find(header: list[str], names: Iterable[str]) -> str | None:
    return next((name for name in names if name in header), None)


def _cells(header, values) -> dict[str, str]:
    return {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}


def _count(raw: str) -> int:
    number = parse_number(raw)
    if number < 0 or number != number.to_integral_value():
        raise ValueError(raw)
    return int(number)


class _Rows:
    """Collects the errors of one file as its rows are read."""

    def __init__(self, filename: str):
        self.filename = filename
        self.errors: list[RowError] = []

    def fail(self, line: int, column: str, value: str, message: str) -> None:
        self.errors.append(RowError(self.filename, line, column, value, message))

    def period(self, line, column, raw):
        try:
            return parse_period(raw)
        except ValueError:
            self.fail(
                line,
                column,
                raw,
                _(
                    "Not a period: write a month as 2021-03 or marts 2021, a quarter as 2021-Q1, "
                    "a year as 2021 or a day as 05-03-2021."
                ),
            )
            return None

    def count(self, line, column, raw):
        try:
            return _count(raw)
        except OutOfRange:
            return TOO_LARGE  # named by the ceiling, with the period's
        except ValueError:
            self.fail(line, column, raw, _("Must be a whole number of 0 or more."))
            return None

    def word(self, line, column, raw, words, rule):
        key = " ".join(raw.lower().split())
        if key not in words:
            self.fail(line, column, raw, rule)
            return None
        return words[key]


def _generic(header, records, filename):
    rows = _Rows(filename)
    columns = {
        "platform": _find(header, PLATFORM_HEADERS),
        "period": _find(header, PERIOD_HEADERS),
        "metric": _find(header, METRIC_HEADERS),
        "value": _find(header, VALUE_HEADERS),
    }
    missing = [name for name, column in columns.items() if column is None]
    if missing:
        raise missing_columns(filename, header, missing)
    age = _find(header, AGE_HEADERS)
    material = _find(header, MATERIAL_HEADERS)
    method = _find(header, METHOD_HEADERS)
    figures = []
    for line, values in records:
        cells = _cells(header, values)
        period = rows.period(line, columns["period"], cells[columns["period"]])
        metric = rows.word(
            line,
            columns["metric"],
            cells[columns["metric"]],
            METRIC_WORDS,
            _(
                "Not a metric: loans, unique users, visits, page views, actions, searches or a "
                "COUNTER metric type."
            ),
        )
        value = rows.count(line, columns["value"], cells[columns["value"]])
        band = _age(rows, line, age, cells)
        kind = _material(rows, line, material, cells)
        how = ""
        if metric == Metric.UNIQUE_USERS:
            raw = cells.get(method, "") if method else ""
            how = rows.word(
                line,
                method or "method",
                raw,
                METHOD_WORDS,
                _("Unique users need their method: cookie (web analytics) or login (borrowers)."),
            )
        platform = cells[columns["platform"]]
        if not platform:
            rows.fail(line, columns["platform"], "", _("Name the platform."))
            continue
        if None in (period, metric, value, band, kind, how):
            continue
        figures.append(
            Figure(
                line,
                columns["value"],
                platform,
                metric,
                *period,
                value,
                material=kind,
                age_band=band,
                method=how,
            )
        )
    return figures, rows.errors, []


def _age(rows, line, column, cells):
    if column is None:
        return AgeBand.ALL
    return rows.word(
        line,
        column,
        cells[column],
        AGE_WORDS,
        _("Not an age band: børn (0–13), unge (14–17), voksne (18+), ukendt, or empty for all."),
    )


def _material(rows, line, column, cells):
    if column is None:
        return Material.NONE
    return rows.word(
        line,
        column,
        cells[column],
        MATERIAL_WORDS,
        _("Not a material type: e-bog, e-lydbog, podcast, film, or empty."),
    )


def _eloans(header, records, filename):
    rows = _Rows(filename)
    columns = {
        "month": _find(header, PERIOD_HEADERS),
        "material": _find(header, MATERIAL_HEADERS),
        "loans": _find(header, LOANS_HEADERS),
    }
    missing = [name for name, column in columns.items() if column is None]
    if missing:
        raise missing_columns(filename, header, missing)
    age = _find(header, AGE_HEADERS)
    platform_column = _find(header, PLATFORM_HEADERS)
    figures = []
    for line, values in records:
        cells = _cells(header, values)
        period = rows.period(line, columns["month"], cells[columns["month"]])
        if period and period_kind(*period) != "month":
            rows.fail(
                line,
                columns["month"],
                cells[columns["month"]],
                _("The e-loan report has one row per month: write the month as 2021-03."),
            )
            period = None
        kind = _material(rows, line, columns["material"], cells)
        if kind == Material.NONE and cells[columns["material"]] == "":
            rows.fail(line, columns["material"], "", _("Name the material type."))
            kind = None
        band = _age(rows, line, age, cells)
        value = rows.count(line, columns["loans"], cells[columns["loans"]])
        if None in (period, kind, band, value):
            continue
        platform = cells.get(platform_column, "") if platform_column else ""
        figures.append(
            Figure(
                line,
                columns["loans"],
                platform,
                Metric.LOANS,
                *period,
                value,
                material=kind,
                age_band=band,
            )
        )
    return figures, rows.errors, []


def _matomo(header, records, filename):
    rows = _Rows(filename)
    period_column = _find(header, MATOMO_PERIOD)
    if period_column is None:
        raise missing_columns(filename, header, ["date"])
    used = [c for c in header if c in MATOMO_COLUMNS]
    if not used:
        raise missing_columns(filename, header, ["nb_visits", "nb_uniq_visitors"])
    ignored = [c for c in header if c not in MATOMO_COLUMNS and c != period_column and c]
    figures = []
    zero_users = False
    for line, values in records:
        cells = _cells(header, values)
        period = rows.period(line, period_column, cells[period_column])
        for column in used:
            raw = cells.get(column, "")
            if raw == "" or period is None:
                continue  # Matomo leaves unique visitors empty for periods it did not compute
            value = rows.count(line, column, raw)
            if value is None:
                continue
            metric, method = MATOMO_COLUMNS[column]
            if method == Method.LOGIN and value == 0:
                # Matomo reports 0 users where its User ID feature is not in use: not a count.
                zero_users = True
                continue
            figures.append(Figure(line, column, "", metric, *period, value, method=method))
    warnings = []
    if zero_users:
        warnings.append(
            _(
                "Logged-in users are 0: Matomo's User ID is not in use, so they were not "
                "imported as unique users."
            )
        )
    if ignored:
        warnings.append(_("Columns not imported: %(columns)s.") % {"columns": ", ".join(ignored)})
    return figures, rows.errors, warnings


def _unique(figures: list[Figure], filename: str, result) -> list[Figure]:
    """The same figure twice in a file counts once; twice with other values is an error."""
    seen: dict[tuple, Figure] = {}
    errors = []
    kept = []
    for figure in figures:
        key = (figure.platform.lower(), *figure.identity(0)[1:])
        other = seen.get(key)
        if other is None:
            seen[key] = figure
            kept.append(figure)
        elif other.value == figure.value:
            result.repeated += 1
        else:
            errors.append(
                RowError(
                    filename,
                    figure.line,
                    figure.column,
                    str(figure.value),
                    _("The same figure appears on line %(line)d with the value %(value)d.")
                    % {"line": other.line, "value": other.value},
                )
            )
    if errors:
        raise ImportRejected(limit_errors(errors, filename))
    return kept


def normalise(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", name.lower())


def _resolve_platforms(organisation, figures, chosen, filename, result) -> dict[str, Platform]:
    known = {}
    for platform in Platform.objects.filter(organisation=organisation):
        known[normalise(platform.name)] = platform
        known.setdefault(normalise(platform.kind), platform)
        known.setdefault(normalise(platform.get_kind_display()), platform)
    resolved: dict[str, Platform] = {}
    errors = []
    for figure in figures:
        name = figure.platform
        if name in resolved:
            continue
        if chosen is not None and (name == "" or figure.report):
            resolved[name] = chosen  # a COUNTER vendor's name for its platform may differ
        elif name == "":
            errors.append(
                RowError(
                    filename,
                    figure.line,
                    _("platform"),
                    "",
                    _("The file does not say which platform it is for: choose the platform."),
                )
            )
            resolved[name] = None
        elif normalise(name) in known:
            resolved[name] = known[normalise(name)]
        elif figure.report:  # a COUNTER platform seen for the first time: a new database
            created = Platform.objects.create(
                organisation=organisation, name=name[:100], kind=Platform.Kind.DATABASE
            )
            known[normalise(name)] = resolved[name] = created
            result.new_platforms.append(created.name)
        else:
            errors.append(
                RowError(
                    filename,
                    figure.line,
                    _("platform"),
                    name,
                    _("No platform has this name; add it under Digital offers → Platforms."),
                )
            )
            resolved[name] = None
    if errors:
        raise ImportRejected(limit_errors(errors, filename))
    return resolved


def _write(organisation, figures, platforms, digest, filename, user, result, held=None) -> None:
    """Write the figures; one in ``held`` (its sentence by ``id``) is held for review, and a
    decision already made on the same reported value stands."""
    held = held or {}
    batch = ImportBatch.objects.create(
        organisation=organisation,
        kind=BATCH_KIND,
        filename=filename[:255],
        sha256=digest,
        imported_by=user,
    )
    result.batch_id = None if result.dry_run else batch.pk
    platform_ids = {p.pk for p in platforms.values()}
    first = min(f.start for f in figures)
    last = max(f.end for f in figures)
    existing = {
        (
            f.platform_id,
            f.metric,
            f.material,
            f.age_band,
            f.method,
            f.start,
            f.end,
            f.key,
        ): f
        for f in DigitalFigure.objects.filter(
            platform_id__in=platform_ids,
            metric__in={f.metric for f in figures},
            start__gte=first,
            end__lte=last,
        )
    }
    now = timezone.now()
    new, changed, replaced = [], [], []
    for figure in figures:
        platform = platforms[figure.platform]
        identity = figure.identity(platform.pk)
        current = existing.get(identity)
        if current is None:
            new.append(
                DigitalFigure(
                    platform=platform,
                    metric=figure.metric,
                    material=figure.material,
                    age_band=figure.age_band,
                    method=figure.method,
                    start=figure.start,
                    end=figure.end,
                    period=period_kind(figure.start, figure.end),
                    value=figure.value,
                    report=figure.report,
                    item=figure.item,
                    attributes=figure.attributes,
                    key=identity[-1],
                    source=DigitalFigure.Source.IMPORTED,
                    batch=batch,
                    entered_by=user,
                    updated_at=now,
                    plausibility=HELD if id(figure) in held else "",
                    plausibility_note=held.get(id(figure), "")[:500],
                )
            )
        elif (
            current.plausibility in (ACCEPTED, CORRECTED)
            and figure.value in (current.original_value, current.value)
            and current.source == DigitalFigure.Source.IMPORTED
        ):
            result.unchanged += 1  # reviewed: the same reported value keeps its decision
        elif current.value != figure.value or current.source != DigitalFigure.Source.IMPORTED:
            replaced.append([current.pk, current.value, current.source, current.batch_id])
            current.value = figure.value
            current.source = DigitalFigure.Source.IMPORTED
            current.batch = batch
            current.updated_at = now
            current.plausibility = HELD if id(figure) in held else ""
            current.plausibility_note = held.get(id(figure), "")[:500]
            current.original_value = None
            changed.append(current)
        else:
            result.unchanged += 1
    DigitalFigure.objects.bulk_create(new, batch_size=2000)
    DigitalFigure.objects.bulk_update(
        changed,
        [
            "value",
            "source",
            "batch",
            "updated_at",
            "plausibility",
            "plausibility_note",
            "original_value",
        ],
        batch_size=2000,
    )
    result.created, result.updated = len(new), len(changed)
    batch.summary = {
        "format": result.format,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "new_platforms": result.new_platforms,
        # What the import replaced, so that undoing it can put the old values back.
        "replaced": replaced,
    }
    batch.save(update_fields=["summary"])


class UndoRefused(Exception):
    pass


@transaction.atomic
def undo_digital_import(*, batch: ImportBatch) -> int:
    """Take an import back: its new figures go, the values it replaced return. Refused when a
    later import or a typed change has since touched one of its figures. Returns the number
    of figures removed or restored; the file can then be imported again."""
    if batch.kind != BATCH_KIND:
        raise UndoRefused(_("This is not an import of digital statistics."))
    replaced = {row[0]: row for row in batch.summary.get("replaced", [])}
    own = DigitalFigure.objects.filter(batch=batch)
    expected = batch.summary.get("created", 0) + len(replaced)
    if own.count() != expected:
        raise UndoRefused(
            _(
                "Later imports or typed changes have touched figures of this import; undo "
                "those first."
            )
        )
    restored = 0
    for figure in own.filter(pk__in=replaced):
        _pk, value, source, previous = replaced[figure.pk]
        figure.value, figure.source, figure.batch_id = value, source, previous
        figure.save(update_fields=["value", "source", "batch"])
        restored += 1
    removed, _detail = own.exclude(pk__in=replaced).delete()
    audit.record(
        action="delete",
        instance=batch,
        organisation_id=batch.organisation_id,
        note=_("Import undone: %(removed)d figures removed, %(restored)d restored.")
        % {"removed": removed, "restored": restored},
    )
    batch.delete()
    return removed + restored
