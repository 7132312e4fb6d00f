"""Back up and restore the database: ``bibliotal backup FILE`` and ``bibliotal restore FILE``.

SQLite goes through sqlite3's online backup API: a consistent copy while the server and the
worker keep running (WAL lets them write meanwhile), marked as Bibliotal's by SQLite's
``application_id`` and kept as one self-contained file (journal mode DELETE). Restoring copies
it back through the same API, in one step that readers never see half done.

PostgreSQL goes through ``pg_dump`` in its custom format (``-Fc``), without owners and grants,
so that it restores under another role. Restoring pipes ``pg_restore --clean --if-exists`` into
``psql`` inside one transaction that first drops every table of the schema (tables a newer
version added too): the database is either the backup's or untouched. Both programs must be of
the server's major version or newer (Debian: ``postgresql-client``).

Restore refuses a file that is not a Bibliotal backup of the same kind, and one made by a newer
version of Bibliotal; the command migrates afterwards when the backup is older.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
POSTGRES_MAGIC = b"PGDMP"
# Stored in the SQLite header of a backup: "BTL1".
SQLITE_APPLICATION_ID = 0x42544C31
SUFFIX = {"sqlite": "sqlite3", "postgresql": "pgdump"}
KIND_NAME = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
CLIENT_PACKAGE = "Debian: apt install postgresql-client"


class BackupError(Exception):
    """Why a backup or a restore cannot be made, in one line."""


@dataclass(frozen=True)
class BackupFile:
    path: Path
    kind: str  # "sqlite" or "postgresql"
    migrations: frozenset[tuple[str, str]]
    made_by: str = ""  # PostgreSQL: "pg_dump 15.20 from PostgreSQL 15.20"


def kind_of(settings_dict: dict) -> str:
    return "sqlite" if settings_dict["ENGINE"].endswith("sqlite3") else "postgresql"


def default_name(kind: str, moment) -> str:
    """``bibliotal-2025-01-31T0230.sqlite3``: names that sort by time (``--keep``)."""
    return f"bibliotal-{moment:%Y-%m-%dT%H%M%S}.{SUFFIX[kind]}"


def backup(*, path: Path, settings_dict: dict) -> Path:
    """Write a backup of the database to ``path`` (a new file, written whole or not at all)."""
    if path.exists():
        raise BackupError(f"{path} exists already: name a new file, or a directory.")
    if not path.parent.is_dir():
        raise BackupError(f"The directory {path.parent} does not exist.")
    partial = path.with_name(f".{path.name}.partial")
    try:
        if kind_of(settings_dict) == "sqlite":
            _sqlite_backup(Path(settings_dict["NAME"]), partial)
        else:
            _postgres_backup(settings_dict, partial)
        _fsync(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def read(path: Path, *, settings_dict: dict) -> BackupFile:
    """The backup at ``path``, checked: Bibliotal's, of this database's kind, not newer than
    this version of Bibliotal."""
    from bibliotal.core.dbstate import code_migrations

    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"There is no file {path}.") from None
    except OSError as exc:
        raise BackupError(f"{path} cannot be read: {exc.strerror}.") from None
    if head.startswith(SQLITE_MAGIC):
        kind = "sqlite"
    elif head.startswith(POSTGRES_MAGIC):
        kind = "postgresql"
    else:
        raise BackupError(
            f"{path} is not a Bibliotal backup (neither SQLite nor PostgreSQL's custom format)."
        )
    wanted = kind_of(settings_dict)
    if kind != wanted:
        raise BackupError(
            f"{path} is a backup of a {KIND_NAME[kind]} database, but this installation's "
            f"database is {KIND_NAME[wanted]}: restore it where the database is "
            f"{KIND_NAME[kind]} (DATABASE_URL)."
        )
    found = _sqlite_read(path) if kind == "sqlite" else _postgres_read(path)
    newer = sorted(f"{app}.{name}" for app, name in found.migrations - code_migrations())
    ours = {app for app, _name in code_migrations()}
    newer = [key for key in newer if key.split(".", 1)[0] in ours]
    if newer:
        raise BackupError(
            f"{path} was made by a newer version of Bibliotal (it has {len(newer)} migration"
            f"{'s' if len(newer) != 1 else ''} this version lacks, such as {newer[0]}): "
            "install that version or a later one first."
        )
    return found


def restore(backup_file: BackupFile, *, settings_dict: dict) -> None:
    """Replace everything in the database with the backup (checked by ``read``)."""
    if backup_file.kind == "sqlite":
        _sqlite_restore(backup_file.path, Path(settings_dict["NAME"]))
    else:
        _postgres_restore(backup_file.path, settings_dict)


# -- SQLite ---------------------------------------------------------------------------------------


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"There is no database at {source}: nothing to back up.")
    try:
        origin = sqlite3.connect(source, timeout=20)
    except sqlite3.Error as exc:
        raise BackupError(f"{source} cannot be opened: {exc}.") from None
    try:
        copy = sqlite3.connect(target)
    except sqlite3.Error as exc:
        origin.close()
        raise BackupError(f"{target} cannot be written: {exc}.") from None
    try:
        origin.backup(copy)  # in one step: a consistent copy, whatever is written meanwhile
        copy.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
        copy.execute(f"PRAGMA application_id={SQLITE_APPLICATION_ID}")
        copy.commit()
        (verdict,) = copy.execute("PRAGMA quick_check").fetchone()
        if verdict != "ok":
            raise BackupError(f"The copy of {source} is damaged ({verdict}): nothing was kept.")
    except sqlite3.Error as exc:
        raise BackupError(f"{source} cannot be backed up: {exc}.") from None
    finally:
        copy.close()
        origin.close()


def _sqlite_read(path: Path) -> BackupFile:
    try:
        database = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            (application_id,) = database.execute("PRAGMA application_id").fetchone()
            if application_id != SQLITE_APPLICATION_ID:
                raise BackupError(
                    f"{path} is a SQLite database but not a backup made by `bibliotal backup`."
                )
            (verdict,) = database.execute("PRAGMA quick_check").fetchone()
            if verdict != "ok":
                raise BackupError(f"{path} is damaged ({verdict}).")
            rows = database.execute("SELECT app, name FROM django_migrations").fetchall()
        finally:
            database.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be read as a Bibliotal backup: {exc}.") from None
    return BackupFile(path, "sqlite", frozenset(rows))


def _sqlite_restore(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    backup_copy = sqlite3.connect(f"{source.absolute().as_uri()}?mode=ro", uri=True)
    try:
        database = sqlite3.connect(target, timeout=20)
    except sqlite3.Error as exc:
        backup_copy.close()
        raise BackupError(f"{target} cannot be opened: {exc}.") from None
    try:
        backup_copy.backup(database)  # one step: replaces every page, or none
        database.execute("PRAGMA application_id=0")  # the database itself is no backup
        database.commit()
        database.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as exc:
        raise BackupError(f"{target} cannot be restored: {exc}.") from None
    finally:
        database.close()
        backup_copy.close()


# -- PostgreSQL -----------------------------------------------------------------------------------

# Every table, view and sequence of the schema Bibliotal uses, dropped in the restore's own
# transaction: what a newer version added must not stand in the way of the backup's tables.
DROP_EVERYTHING = """
DO $bibliotal$
DECLARE item record;
BEGIN
  FOR item IN
    SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    ORDER BY c.relkind = 'S'  -- sequences last: those a column owns go with its table
  LOOP
    EXECUTE format(
      'DROP %s IF EXISTS %I.%I CASCADE',
      CASE item.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
        WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
      current_schema(), item.relname);
  END LOOP;
END
$bibliotal$;
"""

LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


def _postgres_env(settings_dict: dict) -> dict[str, str]:
    """The connection for the client programs, in libpq's variables (no password in argv)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for key, variable in {
        "HOST": "PGHOST",
        "PORT": "PGPORT",
        "USER": "PGUSER",
        "PASSWORD": "PGPASSWORD",
        "NAME": "PGDATABASE",
    }.items():
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    for key, value in (settings_dict.get("OPTIONS") or {}).items():
        if key in LIBPQ_OPTIONS and value not in (None, ""):
            env[LIBPQ_OPTIONS[key]] = str(value)
    return env


def _program(name: str) -> tuple[str, int]:
    """The client program's path and its major version."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: install PostgreSQL's client ({CLIENT_PACKAGE})."
        )
    run = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60)
    found = re.search(r"\)\s*(\d+)", run.stdout)
    if run.returncode != 0 or found is None:
        raise BackupError(f"{path} --version says no version: {_first_line(run.stderr)}.")
    return path, int(found.group(1))


def _server_major(settings_dict: dict) -> int:
    from django.db import DatabaseError, connections

    for connection in connections.all():
        if connection.settings_dict is settings_dict:
            break
    else:
        raise BackupError("The database is not one of this installation's.")
    try:
        return connection.pg_version // 10000
    except DatabaseError as exc:
        raise BackupError(
            f"The database server does not answer: {_first_line(str(exc))}."
        ) from None


def _postgres_backup(settings_dict: dict, target: Path) -> None:
    pg_dump, major = _program("pg_dump")
    server = _server_major(settings_dict)
    if major < server:
        raise BackupError(
            f"pg_dump is version {major}, but the server runs PostgreSQL {server}: install "
            f"PostgreSQL {server}'s client or a newer one (Debian: postgresql-client-{server})."
        )
    run = subprocess.run(
        [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
        env=_postgres_env(settings_dict),
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        raise BackupError(f"pg_dump failed: {_error_line(run.stderr)}.")


def _postgres_read(path: Path) -> BackupFile:
    pg_restore, major = _program("pg_restore")
    listing = subprocess.run(
        [pg_restore, "--list", str(path)], capture_output=True, text=True, timeout=600
    )
    if listing.returncode != 0:
        if "unsupported version" in listing.stderr:
            raise BackupError(
                f"{path} was written by a newer pg_dump than this pg_restore (version {major}): "
                f"install a newer PostgreSQL client ({CLIENT_PACKAGE})."
            )
        raise BackupError(f"{path} cannot be read: {_first_line(listing.stderr)}.")
    text = listing.stdout
    if not re.search(r"\bTABLE DATA \S+ django_migrations\b", text) or not re.search(
        r"\bTABLE \S+ core_organisation\b", text
    ):
        raise BackupError(f"{path} is a PostgreSQL dump, but not of a Bibliotal database.")
    dumped_by = re.search(r"Dumped by pg_dump version: (\S+)", text)
    dumped_from = re.search(r"Dumped from database version: (\S+)", text)
    made_by = (
        f"pg_dump {dumped_by.group(1)} from PostgreSQL {dumped_from.group(1)}"
        if dumped_by and dumped_from
        else ""
    )
    if dumped_by and int(dumped_by.group(1).split(".")[0]) > major:
        raise BackupError(
            f"{path} was written by pg_dump {dumped_by.group(1)}, newer than this pg_restore "
            f"(version {major}): install a newer PostgreSQL client ({CLIENT_PACKAGE})."
        )
    rows = subprocess.run(
        [pg_restore, "--data-only", "--table=django_migrations", "--file=-", str(path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if rows.returncode != 0:
        raise BackupError(f"{path} cannot be read: {_first_line(rows.stderr)}.")
    return BackupFile(path, "postgresql", _copied_migrations(rows.stdout), made_by)


def _copied_migrations(script: str) -> frozenset[tuple[str, str]]:
    """The (app, name) rows of django_migrations' COPY block in a pg_restore script."""
    found = set()
    inside = False
    for line in script.splitlines():
        if not inside:
            inside = line.startswith("COPY ") and "django_migrations" in line
            if inside:
                columns = line[line.index("(") + 1 : line.index(")")].split(", ")
                app, name = columns.index("app"), columns.index("name")
            continue
        if line == "\\.":
            break
        values = line.split("\t")
        found.add((values[app], values[name]))
    return frozenset(found)


def _postgres_restore(path: Path, settings_dict: dict) -> None:
    pg_restore, _major = _program("pg_restore")
    psql, _psql_major = _program("psql")
    # The backup as SQL, with a DROP … IF EXISTS before each object it creates.
    script_command = [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "-f-"]
    env = _postgres_env(settings_dict)
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as psql_errors:
        script = subprocess.Popen(
            [*script_command, str(path)],
            stdout=subprocess.PIPE,
            stderr=restore_errors,
        )
        session = subprocess.Popen(
            [psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--file=-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_errors,
            env=env,
        )
        assert script.stdout is not None and session.stdin is not None
        try:
            session.stdin.write(
                b"SET client_min_messages = warning;\nBEGIN;\n" + DROP_EVERYTHING.encode()
            )
            shutil.copyfileobj(script.stdout, session.stdin, 1 << 20)
            complete = script.wait() == 0
            if complete:  # a script cut short is never committed: psql's end rolls it back
                session.stdin.write(b"COMMIT;\n")
            session.stdin.close()
        except BrokenPipeError:  # psql stopped at an error (ON_ERROR_STOP)
            complete = script.wait() == 0
        finally:
            script.stdout.close()
        applied = session.wait() == 0
        if not complete:
            restore_errors.seek(0)
            message = _error_line(restore_errors.read().decode(errors="replace"))
            raise BackupError(f"pg_restore failed, nothing was changed: {message}.")
        if not applied:
            psql_errors.seek(0)
            message = _error_line(psql_errors.read().decode(errors="replace"))
            raise BackupError(f"The restore failed, nothing was changed: {message}.")


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0].rstrip(".") if lines else "no reason given"


def _error_line(text: str) -> str:
    """The line that says what went wrong (psql and pg_restore may warn before it)."""
    for line in text.splitlines():
        if "ERROR:" in line or "error:" in line:
            return _first_line(line)
    return _first_line(text)


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def older_backups(folder: Path, *, kind: str, keep: int) -> list[Path]:
    """The backups in ``folder`` beyond the ``keep`` newest (named by ``default_name``)."""
    named = sorted(folder.glob(f"bibliotal-*.{SUFFIX[kind]}"), reverse=True)
    return named[keep:]
