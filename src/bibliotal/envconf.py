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


# A command that only looks (`bibliotal check`, `help`) or that is refused because there is no
# database must not leave an empty data directory and a secret key behind. The entry points
# (``bibliotal.__main__``, ``bibliotal.wsgi``) turn this on before the settings load and call
# ``create_data_dirs()`` once the command may go on; a directory that exists is used as ever.
DEFER_CREATING = False
_deferred_dirs: list[tuple[str, Path]] = []
_deferred_key: list[tuple[str, Path, str]] = []


def data_dir(name: str, default: str) -> Path:
    path = Path(os.environ.get(name, default)).expanduser().resolve()
    if DEFER_CREATING and not path.is_dir():
        _deferred_dirs.append((name, path))
        return path
    _make_dir(name, path)
    return path


def _make_dir(name: str, path: Path) -> None:
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


def create_data_dirs() -> None:
    """Create the data directories whose creation was deferred, and write the secret key the
    settings already hold into the new one (``DEFER_CREATING``)."""
    while _deferred_dirs:
        _make_dir(*_deferred_dirs.pop(0))
    while _deferred_key:
        name, path, key = _deferred_key.pop()
        if path.parent.is_dir():
            in_file = _write_key(name, path, key)
            if in_file != key:  # another process wrote its key first: use that one too
                from django.conf import settings

                settings.SECRET_KEY = in_file


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
    if DEFER_CREATING and not directory.is_dir():  # written by ``create_data_dirs``, if at all
        key = secrets.token_urlsafe(50)
        _deferred_key.append((name, path, key))
        return key
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
    return _write_key(name, path, secrets.token_urlsafe(50))


def _write_key(name: str, path: Path, key: str) -> str:
    """Write a new key file (mode 0600) unless one exists; the key in the file."""
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


# psycopg prepares a statement after this many runs unless told to at once; only
# ``core.fastsql.cursor`` tells it to, and no other statement runs this often on a connection.
PREPARE_ONLY_WHEN_ASKED = 2**31 - 1


def database(name: str, directory: Path, *, prepared: str | None = None) -> dict:
    """Django's DATABASES['default'] from a URL; SQLite in the data directory by default.
    ``prepared``: the yes/no variable that allows prepared statements on PostgreSQL (on when
    unset)."""
    import dj_database_url

    sqlite_path = directory / "bibliotal.sqlite3"
    raw = os.environ.get(name, "").strip()
    if raw:
        scheme = raw.split(":", 1)[0].lower()
        if scheme in {"postgres", "postgresql", "pgsql"}:
            config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
            config["ENGINE"] = "django.db.backends.postgresql"
            # The few hand-written statements of a tap are prepared on the server once per
            # connection (``core.fastsql.cursor``; the ORM's own client-side cursors never
            # prepare, whatever the threshold). Off for a pool that cannot keep prepared
            # statements (PgBouncer before 1.21 in transaction mode).
            if prepared is None or env_bool(prepared, True):
                config.setdefault("OPTIONS", {})["prepare_threshold"] = PREPARE_ONLY_WHEN_ASKED
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
        # A server thread keeps its connection (and its PRAGMAs) between requests: opening one
        # cost about 1 ms of every tap (bench/guidance_taps.py). Checked before reuse.
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
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


# Sign-in through OpenID Connect (``core/oidc.py``). The roles in rising order, as in
# ``core.models.Role`` (settings are read before the models can be imported).
OIDC_ROLES = ("staff", "coordinator", "manager", "administrator")
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class OidcGroup:
    """One group (or other claim value) and what it gives: a role and, for staff, libraries."""

    value: str
    role: str
    libraries: tuple[str, ...] = ()


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    groups_claim: str
    groups: tuple[OidcGroup, ...]
    organisation: str
    button_label: str
    local_passwords: bool
    provider_logout: bool


def oidc(
    *,
    issuer: str,
    client_id: str,
    client_secret: str,
    scopes: str,
    groups_claim: str,
    groups: str,
    organisation: str,
    button_label: str,
    local_passwords: str,
    provider_logout: str,
) -> OidcConfig | None:
    """Sign-in through the municipality's OpenID provider, or None (off, or misconfigured).

    Each argument names the environment variable of one setting. ``groups`` reads as
    ``group=role`` or ``group=role:Library, Other library``, entries separated by ``;`` or new
    lines; the group is everything before the last ``=`` (so an AD distinguished name works).
    """
    names = [issuer, client_id, client_secret, scopes, groups_claim, groups, organisation]
    raw_issuer = os.environ.get(issuer, "").strip()
    if not raw_issuer:
        stray = [name for name in names[1:] if os.environ.get(name, "").strip()]
        if stray:
            PROBLEMS.append(
                Problem(
                    "bibliotal.E020",
                    issuer,
                    f"{', '.join(stray)} is set but {issuer} is not, so sign-in through "
                    "OpenID Connect is off.",
                    f"Set {issuer} to the provider's issuer, e.g. "
                    "https://login.microsoftonline.com/<tenant id>/v2.0, or unset the others.",
                )
            )
        return None
    before = len(PROBLEMS)
    if not _oidc_address_ok(raw_issuer):
        PROBLEMS.append(
            Problem(
                "bibliotal.E021",
                issuer,
                f"{issuer}={raw_issuer!r} is not an https:// address.",
                "Use the issuer exactly as the provider's /.well-known/openid-configuration "
                "states it, e.g. https://login.microsoftonline.com/<tenant id>/v2.0 "
                "(http:// only for 127.0.0.1 or localhost).",
            )
        )
    for name in (client_id, client_secret):
        if not os.environ.get(name, "").strip():
            PROBLEMS.append(
                Problem(
                    "bibliotal.E020",
                    name,
                    f"{issuer} is set but {name} is empty.",
                    f"Set {name} from the application registered for Bibliotal at the "
                    "provider (Entra ID: the application (client) id and a client secret).",
                )
            )
    scope_list = tuple(os.environ.get(scopes, "openid email profile").split())
    if "openid" not in scope_list:
        PROBLEMS.append(
            Problem(
                "bibliotal.E020",
                scopes,
                f"{scopes}={' '.join(scope_list)!r} lacks the scope openid.",
                "Separate scopes with spaces and include openid, e.g. 'openid email profile'.",
            )
        )
    rules = _oidc_groups(groups, os.environ.get(groups, ""))
    claim = os.environ.get(groups_claim, "").strip() or "groups"
    on_passwords = env_bool(local_passwords, True)
    on_logout = env_bool(provider_logout, False)
    if len(PROBLEMS) > before:
        return None
    return OidcConfig(
        issuer=raw_issuer,
        client_id=os.environ[client_id].strip(),
        client_secret=os.environ[client_secret].strip(),
        scopes=scope_list,
        groups_claim=claim,
        groups=rules,
        organisation=os.environ.get(organisation, "").strip(),
        button_label=os.environ.get(button_label, "").strip(),
        local_passwords=on_passwords,
        provider_logout=on_logout,
    )


def _oidc_address_ok(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS


def _oidc_groups(name: str, raw: str) -> tuple[OidcGroup, ...]:
    example = (
        f"{name}='bib-ledere=manager; bib-herning=staff:Herning Bibliotek' "
        f"(roles: {', '.join(OIDC_ROLES)})"
    )
    entries = [e.strip() for e in raw.replace("\n", ";").split(";") if e.strip()]
    if not entries:
        PROBLEMS.append(
            Problem(
                "bibliotal.E022",
                name,
                f"{name} is empty: no group at the provider gives access, so nobody could sign in.",
                f"Map the provider's groups to roles, e.g. {example}.",
            )
        )
        return ()
    rules: dict[str, OidcGroup] = {}
    for entry in entries:
        value, equals, assignment = entry.rpartition("=")
        role, _colon, libraries = assignment.partition(":")
        role = role.strip().lower()
        value = value.strip()
        if not equals or not value or role not in OIDC_ROLES:
            PROBLEMS.append(
                Problem(
                    "bibliotal.E022",
                    name,
                    f"{name}: {entry!r} is not group=role or group=role:libraries.",
                    f"Write each entry like {example}.",
                )
            )
            continue
        if value.casefold() in rules:
            PROBLEMS.append(
                Problem(
                    "bibliotal.E022",
                    name,
                    f"{name} names the group {value!r} twice.",
                    "Give each group one entry; list all its libraries there, separated by commas.",
                )
            )
            continue
        names = tuple(n.strip() for n in libraries.split(",") if n.strip())
        rules[value.casefold()] = OidcGroup(value, role, names)
    return tuple(rules.values())
