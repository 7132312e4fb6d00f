"""Keep the organisation's invariants when records are deleted."""

from django.db.models import Count
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from bibliotal.core.models import Branch, Closure


@receiver(pre_delete, sender=Branch, dispatch_uid="closures-of-a-deleted-branch")
def delete_closures_of_only_this_branch(sender, instance, **kwargs):
    """A closure with no libraries closes every library, so a closure that named only the deleted
    library must go with it, or it would close all the others on its days."""
    own = Closure.objects.annotate(count=Count("branches")).filter(branches=instance, count=1)
    for closure in own:  # one by one, so each deletion is audited
        closure.delete()
