"""mitra's one receiver of the catalogue's `product_changed` (marketplace.signals): sent after
commit when a product's category, price, capacity, certificates or status change — never for
plain stock changes. It only queues a task with the ids; the task finds the active needs the
product may re-rank and requests their recompute, debounced per need."""

from django.dispatch import receiver

from config.celery_app import dispatch_on_commit
from marketplace.signals import product_changed


@receiver(product_changed, dispatch_uid="mitra_rematch_on_product_changed")
def rematch_on_product_changed(sender, product_id: int, changed_fields, **kwargs) -> None:
    from mitra.tasks import needs_match_for_product_task

    dispatch_on_commit(needs_match_for_product_task, product_id, sorted(changed_fields))
