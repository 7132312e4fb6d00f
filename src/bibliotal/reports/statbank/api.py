"""Fetching the tables from Statbank's API (https://api.statbank.dk/v1).

The table's metadata (``tableinfo``) names its variables; the data request asks for the areas
and periods wanted and every value of the table's other variables, except FOLK1A's, whose sex,
age and marital status are left out so that Statbank sends their totals.
"""

from __future__ import annotations

import urllib.parse

from django.db import transaction
from django.utils.translation import gettext as _

from bibliotal.core.http import FetchError, fetch
from bibliotal.core.integrations import recording
from bibliotal.core.models import Integration
from bibliotal.reports import municipalities
from bibliotal.reports.models import peers_of
from bibliotal.reports.statbank.files import (
    AREA_COLUMNS,
    TABLES,
    TIME_COLUMNS,
    _period,
    parse_statbank,
)
from bibliotal.reports.statbank.services import StatbankResult, _update_population, _write

API_BASE = "https://api.statbank.dk/v1"
API_HOST = "api.statbank.dk"
# Variables left out of the API request, so that Statbank sends their total ("elimination").
ELIMINATE = {"FOLK1A"}

# --- --------------------------------------------------------------------------------


def table_info_url(table: str) -> str:
    return f"{API_BASE}/tableinfo/{urllib.parse.quote(table)}?" + urllib.parse.urlencode(
        {"lang": "da", "format": "JSON"}
    )


def data_url(table: str, selection: dict[str, str]) -> str:
    query = urllib.parse.urlencode({"lang": "da", **selection}, safe="*,")
    return f"{API_BASE}/data/{urllib.parse.quote(table)}/CSV?{query}"


def default_areas(organisation) -> list[str]:
    own = [organisation.municipality_code] if organisation.municipality_code else []
    return list(dict.fromkeys([*own, *peers_of(organisation), municipalities.COUNTRY]))


def _selection(table: str, info: dict, areas, first_year, last_year) -> tuple[dict, list[str]]:
    variables = info.get("variables") or []
    area = next(
        (
            v
            for v in variables
            if str(v.get("id", "")).upper() in AREA_COLUMNS
            or str(v.get("text", "")).lower() in ("område", "area")
        ),
        None,
    )
    time = next(
        (v for v in variables if v.get("time") or str(v.get("id", "")).upper() in TIME_COLUMNS),
        None,
    )
    if area is None or time is None:
        raise FetchError(
            _("Danmarks Statistik's table %(table)s has no area or no time variable.")
            % {"table": table}
        )
    offered = {str(v.get("id")) for v in area.get("values") or []}
    chosen = [code for code in areas if code in offered] if offered else list(areas)
    missing = [code for code in areas if code not in chosen]
    if not chosen:
        raise FetchError(
            _("Danmarks Statistik's table %(table)s has none of the areas %(areas)s.")
            % {"table": table, "areas": ", ".join(areas)}
        )
    selection = {str(area["id"]): ",".join(chosen)}
    periods = [str(v.get("id")) for v in time.get("values") or []]
    if first_year or last_year:
        low, high = first_year or 0, last_year or 9999
        periods = [p for p in periods if _period(p) and low <= _period(p)[0] <= high]
        if not periods:
            raise FetchError(
                _("Danmarks Statistik's table %(table)s has no periods in %(first)s–%(last)s.")
                % {"table": table, "first": first_year or "", "last": last_year or ""}
            )
        selection[str(time["id"])] = ",".join(periods)
    else:
        selection[str(time["id"])] = "*"
    for variable in variables:
        if variable is area or variable is time:
            continue
        if table in ELIMINATE and variable.get("elimination"):
            continue
        selection[str(variable["id"])] = "*"
    return selection, missing


def sync_statbank(
    *,
    organisation,
    tables: list[str] | None = None,
    areas: list[str] | None = None,
    first_year: int | None = None,
    last_year: int | None = None,
    trigger: str = "command",
) -> StatbankResult:
    """Fetch the tables from Statbank's API for the areas and years, then write them all in one
    transaction; a failure anywhere writes nothing and keeps the last good figures."""
    tables = [t.upper() for t in (tables or TABLES)]
    unknown = [t for t in tables if t not in TABLES]
    if unknown:
        raise FetchError(
            _("Bibliotal reads the Statbank tables %(tables)s, not %(unknown)s.")
            % {"tables": ", ".join(TABLES), "unknown": ", ".join(unknown)}
        )
    areas = list(dict.fromkeys(areas or default_areas(organisation)))
    bad = [code for code in areas if code not in municipalities.AREAS]
    if bad:
        raise FetchError(
            _("Not a municipality code of Danmarks Statistik: %(codes)s.")
            % {"codes": ", ".join(bad)}
        )
    with recording(organisation, Integration.STATBANK, source=API_BASE, trigger=trigger) as run:
        parsed_tables, urls, missing_notes = [], {}, []
        for table in tables:
            info = fetch(table_info_url(table), allowed_host=API_HOST).json()
            selection, missing = _selection(table, info, areas, first_year, last_year)
            if missing:
                missing_notes.append(
                    _("%(table)s has no figures for %(areas)s.")
                    % {"table": table, "areas": ", ".join(missing)}
                )
            url = data_url(table, selection)
            answer = fetch(url, allowed_host=API_HOST, accept="text/csv")
            parsed = parse_statbank(answer.data, filename=f"{table}.csv", table=table)
            urls[id(parsed)] = url
            parsed_tables.append(parsed)
        result = StatbankResult()
        result.notes.extend(missing_notes)
        with transaction.atomic():
            _write(parsed_tables, source_of=lambda p: urls[id(p)], result=result, dry_run=False)
            _update_population(organisation, parsed_tables, result, dry_run=False)
        run.summary = result.summary()
        run.changes = result.changes()
        run.unmapped = result.unknown_areas
    return result
