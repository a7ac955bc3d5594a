"""Hooks for higher apps (mitra's matching). Nothing in marketplace listens to these.

`product_changed` is sent after the transaction commits, by the services, when something that
matters to matching changed: category, price, capacity (availability, lead time, monthly
capacity, output), the selling unit and its weight (which units a need can be answered in),
certificates or status. Plain stock changes do not send it.

Keyword arguments: `product_id` (int) and `changed_fields` (a sorted list of field names;
"certifications" for a certificate added or removed, "status" for a status move). A receiver
should only queue a task with these ids.
"""

from django.db import transaction
from django.dispatch import Signal

product_changed = Signal()

# Fields whose change is announced by product_changed.
MATCHING_FIELDS = frozenset(
    {
        "category",
        "kind",
        "price_amount",
        "availability",
        "lead_time_days",
        "monthly_capacity",
        "output_quantity_kg",
        "output_period",
        "weight_per_unit_kg",
        "selling_unit",  # which need units the product can answer (pieces, volumes)
        "minimum_order",
        "certifications",
        "status",
    }
)


def send_product_changed_on_commit(product_id: int, changed_fields: set[str] | list[str]) -> None:
    fields = sorted(set(changed_fields))
    if not fields:
        return
    transaction.on_commit(
        lambda: product_changed.send(sender=None, product_id=product_id, changed_fields=fields)
    )
