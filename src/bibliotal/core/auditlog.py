"""The audit log as people read it: Danish field names and values, names instead of ids, local
times, and the notes and sources in the reader's language.

``core.audit`` writes the changes as the database holds them (an id for a foreign key, a choice's
value, ``true``, an ISO time in UTC), so that the log stays exact; this module says them at
display time. A foreign key is named by what its record is called now, or, when that record is
gone, by the name the log itself last recorded for it (every audited record's entries carry its
name), so an entry still reads right after the record it points to is deleted. The names of one
page of entries are looked up together: one query per kind of record, not one per line.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bibliotal.core.audit import SECRET

EMPTY = "—"

# Notes services write in English at write time, said in the reader's language at display time.
NOTES = {
    "undo": gettext_lazy("undone"),
    "typed total replaced": gettext_lazy("replaced by a typed total"),
    "invitation sent": gettext_lazy("invitation sent"),
    "invitation sent again": gettext_lazy("invitation sent again"),
    "invitation accepted, password chosen": gettext_lazy("invitation accepted, password chosen"),
    "teacher contact data deleted": gettext_lazy("the teacher's contact details deleted"),
    "password reset e-mail requested": gettext_lazy("an e-mail to reset the password asked for"),
    "password reset with an e-mail link": gettext_lazy("password reset with an e-mail link"),
}
# Changes services record under names that are no field of the record.
PSEUDO_FIELDS = {
    "calendar_hours": gettext_lazy("Opening hours by day"),
    "in/out": gettext_lazy("In / out"),
}
REPLACED_BY = re.compile(r"^replaced by (?P<file>.+)$")
SESSIONS_ENDED = re.compile(r"^(?P<n>\d+) session\(s\) ended$")


def note_text(note: str) -> str:
    if not note:
        return ""
    if note in NOTES:
        return str(NOTES[note])
    if found := REPLACED_BY.match(note):
        return _("replaced by %(file)s") % {"file": found["file"]}
    if found := SESSIONS_ENDED.match(note):
        n = int(found["n"])
        return ngettext("%(n)d session ended", "%(n)d sessions ended", n) % {"n": n}
    return note


def source_text(source: str) -> str:
    names = {
        "web": _("on the web"),
        "api": _("through the API"),
        "command": _("on the command line"),
        "oidc": _("at sign-in"),
        "system": _("by the system"),
    }
    return str(names.get(source, source))


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _parse_datetime(value: str):
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime.UTC)
    return timezone.localtime(parsed)


def _number(value) -> str:
    return formats.number_format(value, use_l10n=True, force_grouping=True)


class Names:
    """The names of the records the foreign keys of some entries point to."""

    def __init__(self, entries):
        wanted: dict[type, set[str]] = defaultdict(set)
        for entry in entries:
            model = _model(entry.model)
            for name, change in (entry.changes or {}).items():
                field = _field(model, name)
                if field is None or not field.is_relation or not field.many_to_one:
                    continue
                if not (isinstance(change, list) and len(change) == 2):
                    continue
                for value in change:
                    if value not in (None, "", SECRET):
                        wanted[field.related_model].add(str(value))
        self.names: dict[tuple[type, str], str] = {}
        for model, ids in wanted.items():
            pk = model._meta.pk
            try:
                keys = [pk.to_python(i) for i in ids]
            except Exception:  # an id the key cannot hold: said as it was recorded
                keys = []
            for record in model._base_manager.filter(pk__in=keys):
                self.names[(model, str(record.pk))] = str(record)
            missing = [i for i in ids if (model, i) not in self.names]
            if missing:
                from bibliotal.core.models import AuditEntry

                # Gone: the name the log last gave the record (oldest first, the latest wins).
                recorded = AuditEntry.objects.filter(
                    model=model._meta.label, object_id__in=missing
                ).order_by("at", "id")
                for object_id, name in recorded.values_list("object_id", "object_repr"):
                    self.names[(model, object_id)] = _("%(name)s (deleted)") % {"name": name}

    def of(self, model, value) -> str:
        found = self.names.get((model, str(value)))
        return found or _("#%(id)s (deleted)") % {"id": value}


def value_text(field, value, names: Names | None = None) -> str:
    """One recorded value as the reader says it."""
    if value is None or value == "":
        return EMPTY
    if value == SECRET:
        return SECRET
    if field is None:
        return " / ".join(map(str, value)) if isinstance(value, list) else str(value)
    if field.is_relation and field.many_to_one:
        return (names if names is not None else Names([])).of(field.related_model, value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(field, models.DateTimeField):
        moment = _parse_datetime(value) if isinstance(value, str) else value
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT") if moment else str(value)
    if isinstance(field, models.DateField):
        try:
            day = datetime.date.fromisoformat(value) if isinstance(value, str) else value
        except ValueError:
            return str(value)
        return formats.date_format(day, "SHORT_DATE_FORMAT")
    if isinstance(field, models.TimeField):
        try:
            moment = datetime.time.fromisoformat(value) if isinstance(value, str) else value
        except ValueError:
            return str(value)
        return formats.time_format(moment, "TIME_FORMAT")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float) or (
        isinstance(field, models.DecimalField | models.IntegerField | models.FloatField)
        and isinstance(value, str)
        and re.fullmatch(r"-?\d+(\.\d+)?", value)
    ):
        from decimal import Decimal

        return _number(Decimal(str(value)))
    if isinstance(value, dict):
        # A JSON field that keeps some of its record's fields (the values as last imported):
        # each said by its own field's label and rules.
        parts = []
        for key, inner in value.items():
            sub = _field(field.model, key)
            label = capfirst(str(sub.verbose_name)) if sub is not None else key
            parts.append(f"{label}: {value_text(sub, inner, names)}")
        return "; ".join(parts) or EMPTY
    if isinstance(value, list):
        if field.name == "flags" and hasattr(field.model, "Flag"):
            labels = dict(field.model.Flag.choices)
            return ", ".join(str(labels.get(v, v)) for v in value) or EMPTY
        return ", ".join(map(str, value)) or EMPTY
    return str(value)


def change_lines(entry, names: Names | None = None) -> list[tuple[str, str]]:
    """The changes of one entry as (field label, "old → new") lines for people to read."""
    verbs = {"added": _("added"), "removed": _("removed"), "cleared": _("cleared")}
    model = _model(entry.model)
    names = names if names is not None else Names([entry])
    lines = []
    for name, change in (entry.changes or {}).items():
        field = _field(model, name)
        if hasattr(field, "verbose_name"):
            label = capfirst(str(field.verbose_name))
        else:
            label = str(PSEUDO_FIELDS.get(name, name))
        if isinstance(change, list) and len(change) == 2:
            if name == "id" or all(v is None or v == "" for v in change):
                continue  # nothing a reader needs: the id is shown beside the record
            old, new = (value_text(field, v, names) for v in change)
            if entry.action == "create":
                lines.append((label, new))
            elif entry.action == "delete":
                lines.append((label, old))
            else:
                lines.append((label, f"{old} → {new}"))
        elif isinstance(change, dict):
            parts = [f"{verbs.get(k, k)}: {', '.join(map(str, v))}" for k, v in change.items()]
            lines.append((label, "; ".join(parts)))
        else:
            lines.append((label, str(change)))
    return lines


@dataclass(frozen=True)
class EntryLine:
    """One entry of the log page."""

    entry: object
    lines: list[tuple[str, str]]
    note: str
    source: str


def describe(entries) -> list[EntryLine]:
    """A page of entries, said for people, with the names of their records looked up at once."""
    entries = list(entries)
    names = Names(entries)
    return [
        EntryLine(e, change_lines(e, names), note_text(e.note), source_text(e.source))
        for e in entries
    ]


__all__ = ["EntryLine", "change_lines", "describe", "note_text", "source_text", "value_text"]
