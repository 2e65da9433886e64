"""A new item version starts with a copy of the previous version's rule (rules are versioned with items)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from onevisit.catalog.models import ServiceItem


@receiver(post_save, sender=ServiceItem, dispatch_uid="rules_copy_to_new_version")
def copy_rule(sender, instance: ServiceItem, created: bool, raw: bool = False, **kwargs):
    if not created or raw or instance.version <= 1:
        return
    from onevisit.rules.models import AutoRule

    previous = (
        AutoRule.objects.filter(item__implementation_code=instance.implementation_code, item__version__lt=instance.version)
        .order_by("-item__version").first()
    )
    if previous is not None:
        AutoRule.objects.create(
            item=instance, definition=previous.definition, description=previous.description,
            licence_type_id=previous.licence_type_id, licence_action=previous.licence_action,
            licence_data=previous.licence_data,
        )
