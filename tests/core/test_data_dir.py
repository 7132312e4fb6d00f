"""A command run where there is no database, or one not migrated, says so in one line and
leaves nothing behind; the server and the worker do not start on a database behind this
version."""

import os
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings

from bibliotal import envconf
from tests.core.conftest import BIN, bibliotal, command_env


def lines(text: str) -> list[str]:
    return text.strip().splitlines()


def forget_migrations(data_dir, *names: str) -> None:
    """Make the database look as if ``core``'s migrations ``names`` were not applied yet."""
    database = sqlite3.connect(data_dir / "bibliotal.sqlite3")
    database.executemany(
        "DELETE FROM django_migrations WHERE app = 'core' AND name = ?", [(n,) for n in names]
    )
    database.commit()
    database.close()


def latest_core_migrations(count: int) -> list[str]:
    folder = settings.PACKAGE_DIR / "core" / "migrations"
    return sorted(p.stem for p in folder.glob("0*.py"))[-count:]


def test_a_command_run_where_there_is_no_database_says_where_it_looked_and_makes_nothing(
    tmp_path,
):
    env = command_env(tmp_path)
    del env["BIBLIOTAL_DATA_DIR"]  # the default, ./var, in an empty directory
    run = bibliotal("goals", "status", "2021", env=env, cwd=tmp_path)
    assert run.returncode == 1
    assert run.stdout == ""
    assert lines(run.stderr) == [
        f"The SQLite database {tmp_path / 'var' / 'bibliotal.sqlite3'} does not exist. "
        "Run `bibliotal migrate` to create it, or set BIBLIOTAL_DATA_DIR (or DATABASE_URL) to "
        "the database you meant."
    ]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["serve"], ["worker", "--batch"]])
def test_neither_the_server_nor_the_worker_starts_without_a_database(tmp_path, command):
    data = tmp_path / "var"
    run = bibliotal(*command, env=command_env(data))
    assert run.returncode == 1
    [line] = lines(run.stderr)
    assert str(data / "bibliotal.sqlite3") in line and "`bibliotal migrate`" in line
    assert not data.exists()


def test_help_version_and_check_need_no_database_and_check_reports_it_missing(tmp_path):
    data = tmp_path / "var"
    env = command_env(data)
    helped = bibliotal("goals", "--help", env=env)
    assert helped.returncode == 0 and "status" in helped.stdout
    check = bibliotal("check", env=env)
    assert check.returncode == 0  # a warning: `check` on a new machine is no failure
    assert "(bibliotal.W010)" in check.stderr and str(data / "bibliotal.sqlite3") in check.stderr
    assert "HINT: Run `bibliotal migrate`" in check.stderr
    assert not data.exists()


def test_a_migrated_database_without_organisation_points_to_setup_in_one_line(data_dir):
    env = command_env(data_dir)
    run = bibliotal("goals", "status", "2021", env=env)
    assert run.returncode == 1
    assert lines(run.stderr) == [
        "CommandError: There is no organisation yet: run `bibliotal setup` to create it."
    ]
    check = bibliotal("check", "--fail-level", "WARNING", env=env)
    assert check.returncode == 0, check.stderr
    assert "no issues" in check.stdout


def test_a_database_behind_this_version_stops_commands_the_server_and_the_wsgi_app(data_dir):
    forget_migrations(data_dir, *latest_core_migrations(2))
    env = command_env(data_dir)
    database = data_dir / "bibliotal.sqlite3"
    served = bibliotal("serve", "--port", "8799", env=env)
    assert served.returncode == 1
    [line] = lines(served.stderr)
    assert line.startswith(f"The SQLite database {database} is 2 migrations behind this version")
    assert line.endswith("Run `bibliotal migrate` first.")
    wsgi = subprocess.run(
        [sys.executable, "-c", "import bibliotal.wsgi"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wsgi.returncode == 4 and lines(wsgi.stderr) == [line]
    check = bibliotal("check", "--fail-level", "WARNING", env=env)
    assert check.returncode == 1
    assert "(bibliotal.W011)" in check.stderr and "2 migrations behind" in check.stderr


def test_gunicorn_stops_with_one_line_on_a_database_behind_this_version(data_dir):
    forget_migrations(data_dir, *latest_core_migrations(1))
    gunicorn = BIN.parent / "gunicorn"
    run = subprocess.run(
        [str(gunicorn), "bibliotal.wsgi:application", "--bind", "127.0.0.1:0", "--workers", "1"],
        env={**command_env(data_dir), "HOME": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 4  # gunicorn's "App failed to load": no restart loop
    ours = [line for line in lines(run.stderr) if "bibliotal" in line]
    assert len(ours) == 1 and "1 migration behind" in ours[0]
    assert "Traceback" not in run.stderr


def test_an_unreachable_postgresql_server_is_named_by_host_port_and_database(tmp_path):
    url = "postgres://bibliotal@127.0.0.1:9/bibliotal_nowhere"  # port 9: nothing listens
    run = bibliotal("goals", "status", "2021", env=command_env(tmp_path, DATABASE_URL=url))
    assert run.returncode == 1
    [line] = lines(run.stderr)
    assert line.startswith(
        "Cannot open the PostgreSQL database 'bibliotal_nowhere' on 127.0.0.1:9: "
    )
    assert line.endswith("Check DATABASE_URL and that the database server answers.")
    assert "PASSWORD" not in line


def test_the_settings_defer_making_the_data_directory_until_asked(monkeypatch, tmp_path):
    monkeypatch.setattr(envconf, "DEFER_CREATING", True)
    monkeypatch.setattr(envconf, "PROBLEMS", [])
    monkeypatch.delenv("BIBLIOTAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("BIBLIOTAL_DATA_DIR", str(tmp_path / "var"))
    folder = envconf.data_dir("BIBLIOTAL_DATA_DIR", "./var")
    key = envconf.secret_key("BIBLIOTAL_SECRET_KEY", folder)
    assert not folder.exists() and len(key) >= 50
    envconf.create_data_dirs()
    assert (folder / "secret_key").read_text().strip() == key
    assert oct(os.stat(folder / "secret_key").st_mode & 0o777) == "0o600"
    assert envconf.PROBLEMS == []
