"""A base for Bibliotal's management commands: what a command changes is audited as its own."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from bibliotal.core import audit


def organisation_named(name: str | None):
    """The organisation a command works on: the one named, or the only one there is."""
    from bibliotal.core.models import Organisation

    organisations = Organisation.objects.all()
    if name:
        found = organisations.filter(name=name).first()
        if found is None:
            raise CommandError(f"No organisation is called {name!r}.")
        return found
    found = list(organisations[:2])
    if not found:
        raise CommandError("There is no organisation yet: run `bibliotal setup` to create it.")
    if len(found) > 1:
        raise CommandError("There are several organisations: name one with --organisation.")
    return found[0]


def refuse_a_database_not_ready() -> None:
    """The server and the worker start only on a database migrated to this version."""
    from bibliotal.core import dbstate

    refusal = dbstate.refusal(dbstate.inspect())
    if refusal is not None:
        raise CommandError(refusal.line)


class AuditedCommand(BaseCommand):
    def execute(self, *args, **options):
        try:
            operator = getpass.getuser()
        except (KeyError, OSError):
            operator = "unknown"
        with audit.acting(source="command", name=f"{operator} (bibliotal {self._name()})"):
            return super().execute(*args, **options)

    def _name(self) -> str:
        return self.__module__.rsplit(".", 1)[-1]


class ProgressBar:
    """A one-line bar on a terminal: "Skriver       [#########-----------]  45%  12,000 / 26,500".

    It is drawn only when the stream is a terminal (or ``force`` is set), so logs and pipes
    stay clean; a new phase starts a new line. Call it as ``progress(phase, done, total)``, with
    ``unit="bytes"`` when it counts bytes of a file.
    """

    WIDTH = 30

    def __init__(self, stream, *, force: bool = False):
        self.stream = stream
        self.enabled = force or (hasattr(stream, "isatty") and stream.isatty())
        self.phase = None

    def __call__(self, phase: str, done: int, total: int, unit: str = "") -> None:
        if not self.enabled:
            return
        if phase != self.phase and self.phase is not None:
            self.stream.write("\n")
        self.phase = phase
        share = done / total if total else 1.0
        filled = round(share * self.WIDTH)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        if unit == "bytes" and total >= 1e6:
            amount = f"{done / 1e6:,.1f} / {total / 1e6:,.1f} MB"
        elif unit == "bytes":
            amount = f"{done / 1e3:,.0f} / {total / 1e3:,.0f} kB"
        else:
            amount = f"{done:,} / {total:,}"
        self.stream.write(f"\r{phase:<13} [{bar}] {share:4.0%}  {amount}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.phase is not None:
            self.stream.write("\n")
            self.stream.flush()
        self.phase = None
