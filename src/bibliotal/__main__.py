"""The ``bibliotal`` command: Django's management commands under one name.

Before a command runs, the database is looked at (``core.dbstate``): a command that needs
Bibliotal's tables is refused in one line, naming the database and what to run, when they are
not there or not of this version. The data directory is made only by commands that make the
database or write into it; run from the wrong directory, nothing is left behind.
"""

import os
import sys

# Need no database at all; they leave no data directory behind either.
NO_DATABASE = {
    "help",
    "version",
    "check",
    "diffsettings",
    "makemigrations",
    "squashmigrations",
    "optimizemigration",
    "sqlmigrate",
    "compilemessages",
    "makemessages",
    "findstatic",
    "shell",
    "test",
    "startapp",
    "startproject",
    "fakesite",
}
# Make the database (or its data directory's files); they may create the data directory.
CREATING = {"migrate", "demo", "restore", "collectstatic", "createcachetable"}
# Need a database that answers, migrated or not.
ANY_DATABASE = {"dbshell", "showmigrations", "backup", "inspectdb"}
# Every other command needs a database migrated to this version.


def command_name(argv: list[str]) -> str:
    if len(argv) < 2 or argv[1] in {"-h", "--help", "--version"}:
        return "help"
    if any(arg in {"-h", "--help"} for arg in argv[2:]):
        return "help"
    return argv[1]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bibliotal.settings")
    argv = ["bibliotal", *sys.argv[1:]]
    name = command_name(argv)
    if os.environ["DJANGO_SETTINGS_MODULE"] == "bibliotal.settings":
        refused = prepare(name)
        if refused:
            sys.stderr.write(refused + "\n")
            sys.exit(1)
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


def prepare(name: str) -> str | None:
    """Load the settings without making the data directory; then the one line that refuses
    ``name``, or None after making the data directory where the command may need it."""
    from bibliotal import envconf

    envconf.DEFER_CREATING = True
    if name in NO_DATABASE:
        return None
    from django.conf import settings

    settings.DATA_DIR  # noqa: B018 (loads the settings: what they defer is known from here)
    if name not in CREATING:
        import django

        django.setup()
        from django.core.management import get_commands

        from bibliotal.core import dbstate

        if name not in get_commands():
            return None  # Django says it is unknown, and which command was meant
        # A bad setting (DATABASE_URL's scheme, say) is the problem to report: the command's
        # system checks name it, and the database looked at here would be the fallback.
        if not envconf.PROBLEMS:
            refusal = dbstate.refusal(dbstate.inspect(), migrated=name not in ANY_DATABASE)
            if refusal is not None:
                return refusal.line
    envconf.create_data_dirs()
    return None


if __name__ == "__main__":
    main()
