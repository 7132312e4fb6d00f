"""`bibliotal backup` and `bibliotal restore`: a backup brings back the same figures, on SQLite
and on PostgreSQL; restore refuses what is not a Bibliotal backup of its kind, asks first, and
migrates a backup of an older version."""

import os
import shutil
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from bibliotal.core import backup
from tests.core.conftest import bibliotal, command_env

GOALS = Path(__file__).resolve().parents[1] / "data" / "goals" / "maal-budget-2021.txt"
# An organisation with the year's goals; then where they stand, as JSON on standard output.
LOAD = f"""
import io, sys
from django.core.management import call_command
from bibliotal.core.models import Organisation
Organisation.objects.create(name="Testrup Bibliotekerne")
call_command("goals", "import", {str(GOALS)!r}, "--year", "2021", stdout=io.StringIO())
call_command("goals", "status", "2021", "--at", "2021-06-30", "--format", "json")
"""
STATUS = ["goals", "status", "2021", "--at", "2021-06-30", "--format", "json"]


def sqlite_settings(path: Path) -> dict:
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}


def row_counts(path: Path) -> dict[str, int]:
    database = sqlite3.connect(path)
    tables = [t for (t,) in database.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    counts = {t: database.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    database.close()
    return counts


def test_a_sqlite_backup_brings_back_the_same_goals_after_the_database_is_gone(data_dir, tmp_path):
    env = command_env(data_dir)
    loaded = bibliotal("shell", "--verbosity", "0", "-c", LOAD, env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert '"indicator": "guidance"' in loaded.stdout
    database = data_dir / "bibliotal.sqlite3"
    before = row_counts(database)
    folder = tmp_path / "backups"
    folder.mkdir()
    made = bibliotal("backup", str(folder), "--keep", "3", env=env)
    assert made.returncode == 0, made.stderr
    [file] = folder.iterdir()
    assert file.name.startswith("bibliotal-") and file.suffix == ".sqlite3"
    assert made.stdout.startswith(f"Backed up the SQLite database {database} to {file} (")

    for leftover in data_dir.glob("bibliotal.sqlite3*"):
        leftover.unlink()
    restored = bibliotal("restore", str(file), "--yes", env=env)
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout == f"Restored the SQLite database {database} from {file}.\n"
    assert bibliotal(*STATUS, env=env).stdout == loaded.stdout
    assert row_counts(database) == before


def test_restore_asks_first_and_an_answer_other_than_yes_changes_nothing(data_dir, tmp_path):
    database = data_dir / "bibliotal.sqlite3"
    saved = backup.backup(path=tmp_path / "saved.sqlite3", settings_dict=sqlite_settings(database))
    changed = sqlite3.connect(database)  # the database moves on after the backup
    changed.execute("DELETE FROM django_migrations WHERE app = 'axes'")
    changed.commit()
    changed.close()
    before = row_counts(database)
    asked = bibliotal("restore", str(saved), env=command_env(data_dir), stdin="no\n")
    assert asked.returncode == 1
    assert asked.stdout.startswith(f"Replace everything in the SQLite database {database} with")
    assert asked.stderr == "CommandError: Nothing was restored (answer yes, or give --yes).\n"
    assert row_counts(database) == before


def test_restore_refuses_files_that_are_not_bibliotal_backups_of_its_kind(data_dir, tmp_path):
    database = data_dir / "bibliotal.sqlite3"
    here = sqlite_settings(tmp_path / "restored.sqlite3")
    text = tmp_path / "notes.txt"
    text.write_text("not a backup")
    with pytest.raises(backup.BackupError, match="is not a Bibliotal backup"):
        backup.read(text, settings_dict=here)
    with pytest.raises(backup.BackupError, match="not a backup made by `bibliotal backup`"):
        backup.read(database, settings_dict=here)  # the database itself, copied by hand
    saved = backup.backup(path=tmp_path / "saved.sqlite3", settings_dict=sqlite_settings(database))
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "bibliotal"}
    with pytest.raises(backup.BackupError, match="this installation's database is PostgreSQL"):
        backup.read(saved, settings_dict=postgres)
    with pytest.raises(backup.BackupError, match="exists already"):
        backup.backup(path=saved, settings_dict=sqlite_settings(database))

    future = sqlite3.connect(saved)
    future.execute(
        "INSERT INTO django_migrations (app, name, applied) VALUES ('core', '9999_x', 0)"
    )
    future.commit()
    future.close()
    with pytest.raises(backup.BackupError, match=r"newer version of Bibliotal.*core\.9999_x"):
        backup.read(saved, settings_dict=here)
    assert not Path(here["NAME"]).exists()


def test_a_backup_of_an_older_version_is_migrated_after_restore(data_dir, tmp_path):
    env = command_env(data_dir)
    older = bibliotal("migrate", "axes", "0009_add_session_hash", "--verbosity", "0", env=env)
    assert older.returncode == 0, older.stderr
    saved = backup.backup(
        path=tmp_path / "older.sqlite3",
        settings_dict=sqlite_settings(data_dir / "bibliotal.sqlite3"),
    )
    elsewhere = tmp_path / "elsewhere"
    restored = bibliotal("restore", str(saved), "--yes", env=command_env(elsewhere))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.endswith(", then applied 1 newer migration.\n")
    with closing(sqlite3.connect(elsewhere / "bibliotal.sqlite3")) as database:
        latest = database.execute(
            "SELECT name FROM django_migrations WHERE app = 'axes' ORDER BY name DESC LIMIT 1"
        ).fetchone()
    assert latest == ("0010_accessattemptexpiration",)


def test_missing_postgresql_client_programs_are_named_with_the_package(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump here
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "bibliotal"}
    with pytest.raises(backup.BackupError) as refused:
        backup.backup(path=tmp_path / "b.pgdump", settings_dict=postgres)
    assert str(refused.value) == (
        "pg_dump is not installed: install PostgreSQL's client "
        "(Debian: apt install postgresql-client)."
    )
    assert not (tmp_path / "b.pgdump").exists()


# -- PostgreSQL: on the server of the PostgreSQL run, in databases of the test's own ----------

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="runs in the PostgreSQL run (DATABASE_URL)"
)


@pytest.fixture
def throwaway_database(db):
    """A new, empty database on the test run's server (dropped afterwards), as a URL; other
    tests may be using the server meanwhile."""
    server = connection.settings_dict
    name = f"bibliotal_backup_{uuid.uuid4().hex[:12]}"
    user = server.get("USER") or "postgres"
    password = f":{server['PASSWORD']}" if server.get("PASSWORD") else ""
    host = f"{server.get('HOST') or '127.0.0.1'}:{server.get('PORT') or 5432}"
    admin = f"postgresql://{user}{password}@{host}/postgres"

    with psycopg.connect(admin, autocommit=True) as session:
        session.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://{user}{password}@{host}/{name}", name
    with psycopg.connect(admin, autocommit=True) as session:
        session.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as session:
        listed = session.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [t for (t,) in listed]
        return {t: session.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


@needs_postgres
def test_a_postgresql_backup_brings_back_the_same_goals_over_a_changed_database(
    throwaway_database, tmp_path
):
    url, name = throwaway_database
    env = command_env(tmp_path / "var", DATABASE_URL=url)
    refused = bibliotal(*STATUS, env=env)
    assert refused.returncode == 1
    assert f"The PostgreSQL database '{name}' on " in refused.stderr
    assert "has no Bibliotal tables (it was never migrated)" in refused.stderr
    # The test run's own database, migrated and committed, gives the new one its tables
    # (restored into a database that was never migrated).
    schema = backup.backup(path=tmp_path / "schema.pgdump", settings_dict=connection.settings_dict)
    assert bibliotal("restore", str(schema), "--yes", env=env).returncode == 0

    loaded = bibliotal("shell", "--verbosity", "0", "-c", LOAD, env=env)
    assert loaded.returncode == 0, loaded.stderr
    before = postgres_counts(url)
    file = tmp_path / "bibliotal.pgdump"
    made = bibliotal("backup", str(file), env=env)
    assert made.returncode == 0, made.stderr
    assert file.read_bytes().startswith(b"PGDMP")

    # Goals deleted, and a table a newer version might add, referring to one of the backup's.
    with psycopg.connect(url, autocommit=True) as session:
        session.execute("DELETE FROM goals_target")
        session.execute("CREATE TABLE newer_feature (id int REFERENCES core_organisation (id))")
    restored = bibliotal("restore", str(file), "--yes", env=env)
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith(f"Restored the PostgreSQL database '{name}' on ")
    assert postgres_counts(url) == before
    assert bibliotal(*STATUS, env=env).stdout == loaded.stdout


@needs_postgres
def test_a_pg_dump_older_than_the_server_is_refused_with_the_versions(db, monkeypatch, tmp_path):
    old = tmp_path / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    server = connection.pg_version // 10000
    with pytest.raises(backup.BackupError) as refused:
        backup.backup(path=tmp_path / "b.pgdump", settings_dict=connection.settings_dict)
    assert str(refused.value).startswith(
        f"pg_dump is version 9, but the server runs PostgreSQL {server}: install PostgreSQL "
        f"{server}'s client or a newer one"
    )
    assert shutil.which("pg_dump") == str(old)
