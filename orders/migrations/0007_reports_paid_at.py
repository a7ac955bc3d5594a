"""Terms orders get `paid_at` when their payment is paid (orders.services.payments), like
prepaid orders: reports count a sale from that moment. Orders already paid on terms take their
payment's time; indexes serve a Posyantek's sales in a period, its buyers' earlier orders
(new buyers) and the refunds that succeeded in a period."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def terms_orders_paid_at(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Payment = apps.get_model("orders", "Payment")
    Order.objects.filter(paid_at__isnull=True, payment__paid_at__isnull=False).exclude(
        payment_terms="prepaid"
    ).exclude(status__in=("pending_payment", "cancelled", "expired")).update(
        paid_at=Subquery(Payment.objects.filter(pk=OuterRef("payment_id")).values("paid_at")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0006_terms_reminders"),
    ]

    operations = [
        migrations.RunPython(terms_orders_paid_at, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["seller", "paid_at"], name="orders_orde_seller__3ccaf6_idx"),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["seller", "buyer", "paid_at"], name="orders_orde_seller__cc956d_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["seller", "buyer_organization", "paid_at"],
                name="orders_orde_seller__4f3441_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="refund",
            index=models.Index(
                fields=["status", "succeeded_at"], name="orders_refu_status_e5338b_idx"
            ),
        ),
    ]
