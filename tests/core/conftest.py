"""The `bibliotal` command run as an operator runs it: in its own process, with its own data
directory, on a database made for the test."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import django
import pytest
from django.apps import apps

BIN = Path(sys.executable).parent / "bibliotal"


def command_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment without Bibliotal's settings or libpq's: SQLite in ``data_dir``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BIBLIOTAL_", "DATABASE_URL", "PG"))
    }
    env["BIBLIOTAL_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def bibliotal(*args: str, env: dict[str, str], cwd: Path | None = None, stdin: str = ""):
    return subprocess.run(
        [str(BIN), *args],
        env=env,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _migrations_key() -> str:
    digest = hashlib.sha256(django.__version__.encode())
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        for path in sorted((Path(config.path) / "migrations").glob("*.py")):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def migrated_sqlite(request, tmp_path_factory) -> Path:
    """A SQLite database migrated by `bibliotal migrate` to this version. Migrating takes
    seconds, so it is made once and kept in pytest's cache until a migration changes."""
    cache = getattr(request.config, "cache", None)
    folder = cache.mkdir("bibliotal-migrated") if cache else tmp_path_factory.mktemp("migrated")
    kept = Path(folder) / f"{_migrations_key()}.sqlite3"
    if not kept.exists():
        data = tmp_path_factory.mktemp("migrate") / "var"
        run = bibliotal("migrate", "--verbosity", "0", env=command_env(data))
        assert run.returncode == 0, run.stderr
        partial = kept.with_suffix(f".{os.getpid()}.partial")
        origin, copy = sqlite3.connect(data / "bibliotal.sqlite3"), sqlite3.connect(partial)
        origin.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        origin.close()
        copy.close()
        os.replace(partial, kept)  # several test processes may have made it: any one will do
    return kept


@pytest.fixture
def data_dir(tmp_path, migrated_sqlite) -> Path:
    """A data directory holding a migrated database without an organisation."""
    folder = tmp_path / "var"
    folder.mkdir()
    shutil.copyfile(migrated_sqlite, folder / "bibliotal.sqlite3")
    return folder
