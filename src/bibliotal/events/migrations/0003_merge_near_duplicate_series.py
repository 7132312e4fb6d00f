"""Merge the series that are one club under several spellings (``events/series.py``).

Before, an import made a new series for every key a source gave, so the same club could be
there as "Bogcafé, Aulum Bibliotek" (typed) and "Bogcafé" (from the website), or twice from two
seasons of the website. Per organisation, series with the same title key at the same library
become one: the one with the most events stays (its title and key kept, a key taken from a
merged one where it has none), the others' events move to it, and the others are deleted.
Reversing keeps the merged series merged.
"""

from django.db import migrations


def merge(apps, schema_editor):
    from bibliotal.events.series import known_series

    EventSeries = apps.get_model("events", "EventSeries")
    EventOccurrence = apps.get_model("events", "EventOccurrence")
    Branch = apps.get_model("core", "Branch")
    Organisation = apps.get_model("core", "Organisation")
    for organisation_id in Organisation.objects.values_list("pk", flat=True):
        candidates, _libraries = known_series(
            series_model=EventSeries,
            occurrence_model=EventOccurrence,
            branch_model=Branch,
            organisation_id=organisation_id,
        )
        groups: dict[tuple, list] = {}
        for series, key, branch_id in candidates:
            groups.setdefault((key, branch_id), []).append(series)
        # A series without a library joins the one group of its title that has a library.
        for (key, branch_id), members in list(groups.items()):
            if branch_id is not None:
                continue
            placed = [k for k in groups if k[0] == key and k[1] is not None]
            if len(placed) == 1:
                groups[placed[0]].extend(groups.pop((key, branch_id)))
        for members in groups.values():
            if len(members) < 2:
                continue
            counts = {s.pk: EventOccurrence.objects.filter(series_id=s.pk).count() for s in members}
            members.sort(key=lambda s: (-counts[s.pk], not s.external_uid, s.pk))
            kept, merged = members[0], members[1:]
            EventOccurrence.objects.filter(series__in=[s.pk for s in merged]).update(series=kept)
            changed = []
            if not kept.external_uid:
                kept.external_uid = next((s.external_uid for s in merged if s.external_uid), "")
                changed.append("external_uid")
            if kept.event_type_id is None:
                kept.event_type_id = next(
                    (s.event_type_id for s in merged if s.event_type_id), None
                )
                changed.append("event_type")
            if changed:
                kept.save(update_fields=changed)
            EventSeries.objects.filter(pk__in=[s.pk for s in merged]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_eventoccurrence_imported_values_and_more"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(merge, migrations.RunPython.noop)]
