from django.db.models.signals import post_save
from django.dispatch import receiver

from bibliotal.core.models import Organisation


@receiver(post_save, sender=Organisation, dispatch_uid="default-event-types")
def create_default_event_types(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from bibliotal.events.services import ensure_event_types

        ensure_event_types(organisation=instance)
