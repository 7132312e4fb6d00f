# Each record's organisation is its library's; an early undo's is its device's or its user's
# (one whose maker is gone is dropped: it only waited for a tap that would come within days).

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Branch = apps.get_model("core", "Branch")
    Membership = apps.get_model("core", "Membership")
    GuidanceRecord = apps.get_model("guidance", "GuidanceRecord")
    UndoneKey = apps.get_model("guidance", "UndoneKey")
    GuidanceRecord.objects.filter(organisation__isnull=True).update(
        organisation_id=Subquery(
            Branch.objects.filter(pk=OuterRef("branch_id")).values("organisation_id")[:1]
        )
    )
    for undone in UndoneKey.objects.filter(organisation__isnull=True):
        organisation_id = None
        if undone.device_id is not None:
            organisation_id = (
                Branch.objects.filter(service_points__kiosk_devices=undone.device_id)
                .values_list("organisation_id", flat=True)
                .first()
            )
        elif undone.user_id is not None:
            organisation_id = (
                Membership.objects.filter(user_id=undone.user_id)
                .values_list("organisation_id", flat=True)
                .first()
            )
        if organisation_id is None:
            undone.delete()
        else:
            undone.organisation_id = organisation_id
            undone.save(update_fields=["organisation"])


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('guidance', '0003_organisation_scoped_keys'),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
