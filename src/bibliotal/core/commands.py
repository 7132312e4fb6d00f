"""A base for Bibliotal's management commands: what a command changes is audited as its own."""

import getpass

from django.core.management.base import BaseCommand

from bibliotal.core import audit


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
