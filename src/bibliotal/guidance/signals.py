from django.db.models.signals import post_save
from django.dispatch import receiver

from bibliotal.core.models import Organisation


@receiver(post_save, sender=Organisation, dispatch_uid="default-guidance-topics")
def create_default_topics(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from bibliotal.guidance.services import ensure_default_topics

        ensure_default_topics(organisation=instance)
