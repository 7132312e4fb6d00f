"""Small validating helpers that read settings from the environment.

Settings must import without failing, so a bad value never raises here: it is recorded in
``PROBLEMS`` and a safe default is used instead. ``bibliotal.core.checks`` turns each problem
into a Django system check error with a stable id and a hint, so ``bibliotal check``,
``bibliotal migrate`` and ``bibliotal serve`` all stop and say what to fix.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Problem:
    check_id: str
    variable: str
    message: str
    hint: str


PROBLEMS: list[Problem] = []


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    PROBLEMS.append(
        Problem(
            "bibliotal.E001",
            name,
            f"{name}={raw!r} is not a yes/no value.",
            f"Use one of {', '.join(sorted(TRUE_WORDS))} or "
            f"{', '.join(sorted(FALSE_WORDS - {''}))}.",
        )
    )
    return default


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = None
    if value is None or (minimum is not None and value < minimum):
        PROBLEMS.append(
            Problem(
                "bibliotal.E007",
                name,
                f"{name}={raw!r} is not a whole number"
                + (f" of at least {minimum}." if minimum is not None else "."),
                f"Set {name} to a whole number such as {default}, or unset it.",
            )
        )
        return default
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def email_security(tls_name: str, tls: bool, ssl_name: str, ssl: bool) -> None:
    """STARTTLS and SSL exclude each other: the mail server speaks one of them on a port."""
    if tls and ssl:
        PROBLEMS.append(
            Problem(
                "bibliotal.E008",
                ssl_name,
                f"{tls_name} and {ssl_name} are both on; a mail server port speaks one of them.",
                f"Turn on {tls_name} for STARTTLS (usually port 587) or {ssl_name} for TLS from "
                "the start (usually port 465), not both.",
            )
        )


def data_dir(name: str, default: str) -> Path:
    path = Path(os.environ.get(name, default)).expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        PROBLEMS.append(
            Problem(
                "bibliotal.E003",
                name,
                f"The data directory {path} cannot be created: {exc.strerror}.",
                f"Set {name} to a directory the server's user may write to.",
            )
        )
    return path


def secret_key(name: str, directory: Path) -> str:
    """The secret key from the environment, or one generated once into the data directory."""
    key = os.environ.get(name)
    if key:
        if len(key) < 32:
            PROBLEMS.append(
                Problem(
                    "bibliotal.E004",
                    name,
                    f"{name} is only {len(key)} characters long.",
                    "Use at least 50 random characters, or unset it to let Bibliotal "
                    "generate one into the data directory.",
                )
            )
        return key
    path = directory / "secret_key"
    try:
        return _checked_key_file(name, path, path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    except OSError as exc:
        PROBLEMS.append(
            Problem(
                "bibliotal.E005",
                name,
                f"The secret key file {path} cannot be read: {exc.strerror}.",
                f"Make {path} readable by the server's user, or set {name}.",
            )
        )
        return secrets.token_urlsafe(50)
    key = secrets.token_urlsafe(50)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process is writing it: use theirs once it is there
        for _attempt in range(50):
            existing = path.read_text(encoding="ascii").strip()
            if existing:
                break
            time.sleep(0.01)
        return _checked_key_file(name, path, existing)
    except OSError as exc:
        PROBLEMS.append(
            Problem(
                "bibliotal.E005",
                name,
                f"The secret key file {path} cannot be written: {exc.strerror}.",
                f"Make the data directory writable, or set {name}.",
            )
        )
        return key
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def _checked_key_file(name: str, path: Path, key: str) -> str:
    if len(key) < 32:
        PROBLEMS.append(
            Problem(
                "bibliotal.E005",
                name,
                f"The secret key file {path} holds {len(key)} characters instead of a key.",
                f"Delete {path} to have a new key generated (sessions will end), or set {name}.",
            )
        )
    return key


def database(name: str, directory: Path) -> dict:
    """Django's DATABASES['default'] from a URL; SQLite in the data directory by default."""
    import dj_database_url

    sqlite_path = directory / "bibliotal.sqlite3"
    raw = os.environ.get(name, "").strip()
    if raw:
        scheme = raw.split(":", 1)[0].lower()
        if scheme in {"postgres", "postgresql", "pgsql"}:
            config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
            config["ENGINE"] = "django.db.backends.postgresql"
            return config
        if scheme == "sqlite":
            config = dj_database_url.parse(raw)
            return _sqlite(config["NAME"])
        PROBLEMS.append(
            Problem(
                "bibliotal.E002",
                name,
                f"{name} has the scheme {scheme!r}, which Bibliotal does not support.",
                "Use postgres://user:password@host:5432/name for PostgreSQL, or "
                "sqlite:////absolute/path.sqlite3, or unset it for the SQLite default.",
            )
        )
    return _sqlite(str(sqlite_path))


def _sqlite(path: str) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # WAL lets readers work while one writer writes; the busy timeout makes a second
            # writer wait instead of failing; IMMEDIATE takes the write lock at BEGIN so two
            # transactions never deadlock upgrading their locks. A 64 MB page cache (SQLite's
            # default is 2 MB) keeps the readings' index in memory during big counter imports:
            # a quarter less time writing a million readings (bench/visits_import.py).
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                "PRAGMA cache_size=-65536;"
            ),
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        },
    }
