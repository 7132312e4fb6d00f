"""Settings come from the environment; a bad value is a system check with an id and a hint."""

import os
import stat
import subprocess
import sys

import pytest

from bibliotal import envconf


@pytest.fixture
def problems(monkeypatch):
    found: list[envconf.Problem] = []
    monkeypatch.setattr(envconf, "PROBLEMS", found)
    return found


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("yes", True), ("ON", True), ("0", False), ("no", False), ("", False)],
)
def test_yes_and_no_words_are_understood(monkeypatch, problems, raw, expected):
    monkeypatch.setenv("BIBLIOTAL_DEBUG", raw)
    assert envconf.env_bool("BIBLIOTAL_DEBUG", not expected) is expected
    assert problems == []


def test_a_value_that_is_not_yes_or_no_is_a_problem_and_the_default_holds(monkeypatch, problems):
    monkeypatch.setenv("BIBLIOTAL_DEBUG", "maybe")
    assert envconf.env_bool("BIBLIOTAL_DEBUG", False) is False
    assert [p.check_id for p in problems] == ["bibliotal.E001"]
    assert "'maybe'" in problems[0].message


def test_sqlite_in_the_data_directory_is_the_default(monkeypatch, problems, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = envconf.database("DATABASE_URL", tmp_path)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "bibliotal.sqlite3")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["timeout"] == 20


def test_a_postgres_url_selects_postgresql(monkeypatch, problems, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://lib:secret@db.example:5433/bibliotal")
    config = envconf.database("DATABASE_URL", tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == (
        "db.example",
        5433,
        "bibliotal",
        "lib",
    )
    assert problems == []


def test_postgresql_prepares_the_hot_statements_unless_turned_off(monkeypatch, problems, tmp_path):
    """Prepared only when ``core.fastsql.cursor`` asks; off for a pool that cannot keep them."""
    monkeypatch.setenv("DATABASE_URL", "postgres://lib:secret@db.example:5433/bibliotal")
    monkeypatch.delenv("BIBLIOTAL_DB_PREPARED_STATEMENTS", raising=False)
    name = "BIBLIOTAL_DB_PREPARED_STATEMENTS"
    config = envconf.database("DATABASE_URL", tmp_path, prepared=name)
    assert config["OPTIONS"]["prepare_threshold"] == envconf.PREPARE_ONLY_WHEN_ASKED
    monkeypatch.setenv(name, "false")
    config = envconf.database("DATABASE_URL", tmp_path, prepared=name)
    assert "prepare_threshold" not in config.get("OPTIONS", {})
    monkeypatch.setenv(name, "sometimes")
    envconf.database("DATABASE_URL", tmp_path, prepared=name)
    assert [p.check_id for p in problems] == ["bibliotal.E001"]


def test_an_unknown_database_scheme_is_a_problem(monkeypatch, problems, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/bibliotal")
    envconf.database("DATABASE_URL", tmp_path)
    assert [p.check_id for p in problems] == ["bibliotal.E002"]
    assert "postgres://" in problems[0].hint


def test_the_secret_key_is_generated_once_with_mode_0600(monkeypatch, problems, tmp_path):
    monkeypatch.delenv("BIBLIOTAL_SECRET_KEY", raising=False)
    first = envconf.secret_key("BIBLIOTAL_SECRET_KEY", tmp_path)
    second = envconf.secret_key("BIBLIOTAL_SECRET_KEY", tmp_path)
    assert first == second and len(first) >= 50
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_a_short_secret_key_is_a_problem(monkeypatch, problems, tmp_path):
    monkeypatch.setenv("BIBLIOTAL_SECRET_KEY", "short")
    assert envconf.secret_key("BIBLIOTAL_SECRET_KEY", tmp_path) == "short"
    assert [p.check_id for p in problems] == ["bibliotal.E004"]


def test_allowed_hosts_are_a_comma_separated_list(monkeypatch):
    monkeypatch.setenv("BIBLIOTAL_ALLOWED_HOSTS", " bibliotek.herning.dk, ,localhost ")
    assert envconf.env_list("BIBLIOTAL_ALLOWED_HOSTS", []) == ["bibliotek.herning.dk", "localhost"]


def run_check(tmp_path, **env):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("BIBLIOTAL_", "DATABASE_URL"))
    }
    environment.update({"BIBLIOTAL_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-m", "bibliotal", "check"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bibliotal_check_names_the_bad_setting_with_id_and_hint(tmp_path):
    result = run_check(tmp_path, BIBLIOTAL_DEBUG="maybe", DATABASE_URL="mysql://x/y")
    assert result.returncode != 0
    assert "bibliotal.E001" in result.stderr and "BIBLIOTAL_DEBUG='maybe'" in result.stderr
    assert "bibliotal.E002" in result.stderr and "HINT:" in result.stderr


def test_bibliotal_check_passes_with_the_defaults(tmp_path):
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret_key").exists()


def test_an_empty_secret_key_file_is_a_problem(monkeypatch, problems, tmp_path):
    monkeypatch.delenv("BIBLIOTAL_SECRET_KEY", raising=False)
    (tmp_path / "secret_key").write_text("")
    envconf.secret_key("BIBLIOTAL_SECRET_KEY", tmp_path)
    assert [p.check_id for p in problems] == ["bibliotal.E005"]
    assert "Delete" in problems[0].hint
