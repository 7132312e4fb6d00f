"""Is the database there, reachable and migrated? One answer for the command line, the server,
the system checks and ``/healthz``.

A command run against a database that was never migrated would fail deep inside with "no such
table"; run from the wrong directory it would also have made an empty ``./var``. ``refusal``
says instead, in one line, where Bibliotal looked and what to run.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

MIGRATE = "Run `bibliotal migrate`"


@dataclass(frozen=True)
class DatabaseState:
    where: str  # "the SQLite database /srv/var/bibliotal.sqlite3", "the PostgreSQL database …"
    sqlite: bool
    exists: bool = True  # False: the SQLite file is not there (nothing was connected to)
    error: str = ""  # why it could not be reached, one line
    migrated: bool = False  # Bibliotal's tables are there (core's first migration is applied)
    pending: tuple[str, ...] = ()  # migrations of this version not applied, "core.0009_…"
    unknown: tuple[str, ...] = ()  # applied migrations this version does not know (newer)

    @property
    def reachable(self) -> bool:
        return self.exists and not self.error

    @property
    def ok(self) -> bool:
        return self.reachable and self.migrated and not self.pending


@dataclass(frozen=True)
class Refusal:
    message: str
    hint: str

    @property
    def line(self) -> str:
        return f"{self.message} {self.hint}"


def where(settings_dict: dict) -> str:
    """The database named for a person: the SQLite file's path, or PostgreSQL's host and name."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"the SQLite database {settings_dict['NAME']}"
    host = settings_dict.get("HOST") or "the local socket"
    port = settings_dict.get("PORT")
    at = f"{host}:{port}" if port and settings_dict.get("HOST") else host
    return f"the PostgreSQL database {settings_dict['NAME']!r} on {at}"


def inspect(alias: str = "default") -> DatabaseState:
    """Look without creating anything: a missing SQLite file is not opened (that would make it)."""
    from django.db import DatabaseError, connections

    connection = connections[alias]
    settings_dict = connection.settings_dict
    sqlite = settings_dict["ENGINE"].endswith("sqlite3")
    place = where(settings_dict)
    name = str(settings_dict["NAME"])
    if sqlite and not _in_memory(name) and not Path(name).is_file():
        return DatabaseState(place, sqlite, exists=False)
    try:
        applied = _applied(connection)
    except DatabaseError as exc:
        return DatabaseState(place, sqlite, error=_first_line(exc))
    known, replaced = _code_migrations()
    ours = {app for (app, _name), _replaces in known}
    names = {key for key, _replaces in known} | replaced
    unknown = tuple(
        sorted(f"{app}.{name}" for app, name in applied if app in ours and (app, name) not in names)
    )
    migrated = any(app == "core" for app, _name in applied)
    return DatabaseState(
        place, sqlite, migrated=migrated, pending=pending(applied), unknown=unknown
    )


def pending(applied: set[tuple[str, str]]) -> tuple[str, ...]:
    """The migrations of this version not among ``applied``, in the order ``migrate`` would
    apply them ("core.0009_…"); a squash counts as applied where all it replaces is."""
    known, _replaced = _code_migrations()
    return tuple(
        f"{app}.{name}"
        for (app, name), replaces in known
        if (app, name) not in applied and not (replaces and all(r in applied for r in replaces))
    )


def refusal(state: DatabaseState, *, migrated: bool = True) -> Refusal | None:
    """Why a command may not go on, or None. ``migrated=False``: the database need only be there
    and answer (``bibliotal shell``, ``backup``); otherwise it must be migrated to this
    version."""
    look = (
        "or set BIBLIOTAL_DATA_DIR (or DATABASE_URL) to the database you meant."
        if state.sqlite
        else "or set DATABASE_URL to the database you meant."
    )
    if not state.exists:
        return Refusal(
            f"{_capital(state.where)} does not exist.",
            f"{MIGRATE} to create it, {look}",
        )
    if state.error:
        return Refusal(
            f"Cannot open {state.where}: {state.error}.",
            "Check DATABASE_URL and that the database server answers."
            if not state.sqlite
            else "Check BIBLIOTAL_DATA_DIR and the file's permissions.",
        )
    if not migrated:
        return None
    if not state.migrated:
        return Refusal(
            f"{_capital(state.where)} has no Bibliotal tables (it was never migrated).",
            f"{MIGRATE} to create them, {look}",
        )
    if state.pending:
        count = len(state.pending)
        shown = ", ".join(state.pending[:3]) + (", …" if count > 3 else "")
        return Refusal(
            f"{_capital(state.where)} is {count} migration{'s' if count != 1 else ''} behind "
            f"this version of Bibliotal ({shown}).",
            f"{MIGRATE} first.",
        )
    return None


def _applied(connection) -> set[tuple[str, str]]:
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return set()
    return set(recorder.migration_qs.values_list("app", "name"))


@functools.cache
def _code_migrations() -> tuple[tuple[tuple[tuple[str, str], tuple], ...], frozenset]:
    """Every migration this version has, in the order ``migrate`` applies them, each with the
    migrations it replaces (a squash); and all the replaced ones. Read from disk once."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    graph = loader.graph
    order: dict[tuple[str, str], None] = {}
    for leaf in sorted(graph.leaf_nodes()):
        for key in graph.forwards_plan(leaf):
            order.setdefault(key, None)
    known = tuple((key, tuple(loader.disk_migrations[key].replaces or ())) for key in order)
    replaced = frozenset(r for _key, replaces in known for r in replaces)
    return known, replaced


def code_migrations() -> frozenset[tuple[str, str]]:
    """The migrations of this version (squashes and what they replace)."""
    known, replaced = _code_migrations()
    return frozenset(key for key, _replaces in known) | replaced


def _in_memory(name: str) -> bool:
    return name == ":memory:" or "mode=memory" in name


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0].rstrip(".") if text else type(exc).__name__


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
