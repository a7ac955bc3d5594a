"""Admin for orders, payments, refunds, disputes, reviews, the ledger, payouts and invoices:
everything shown, nothing editable, nothing added or deleted here. Money moves need a person's
input (the bank reference, the amount received, the account a refund went to), so they live on
the staff desks, which call the services: transfers /staf/transfer/, payments under review
/staf/tinjau-pembayaran/, refunds /staf/refund/, payouts /staf/payout/, disputes
/staf/sengketa/. Orders are placed by checkout, never here."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from orders.models import (
    Dispute,
    Invoice,
    LedgerEntry,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentAttempt,
    PaymentEvent,
    Payout,
    Refund,
    RefundEvent,
    Review,
    TermsReminder,
    TransferProof,
    WebhookEvent,
)


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = [
        "product",
        "product_name",
        "selling_unit",
        "unit_price_amount",
        "quantity",
        "line_amount",
        "weight_per_unit_grams",
    ]


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "actor", "kind", "from_status", "to_status", "note"]


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ["created_at", "status", "reason", "total_amount", "succeeded_at"]
    show_change_link = True


class PaymentEventInline(ReadOnlyInline):
    model = PaymentEvent
    fields = ["created_at", "actor", "from_status", "to_status", "note"]


class PaymentOrderInline(ReadOnlyInline):
    model = Order
    fields = ["number", "seller", "status", "total_amount"]
    show_change_link = True


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "buyer", "seller", "status", "total_amount", "created_at"]
    list_filter = ["status", "payment_terms", "shipping_method"]
    search_fields = ["number", "buyer__email", "seller__name", "payment__code", "contact_name"]
    list_select_related = ["buyer", "seller"]
    inlines = [OrderLineInline, RefundInline, OrderEventInline]
    raw_id_fields = ["village", "district", "regency", "province"]


class PaymentAttemptInline(ReadOnlyInline):
    model = PaymentAttempt
    fields = ["number", "method", "provider", "provider_reference", "status", "amount_amount"]


class TransferProofInline(ReadOnlyInline):
    # The file itself is private: staff open it on the transfer desk (/staf/transfer/).
    model = TransferProof
    fields = ["created_at", "original_name", "sender_bank", "sender_name", "status"]


class PaymentRefundInline(ReadOnlyInline):
    model = Refund
    fk_name = "payment"
    fields = ["created_at", "order", "status", "reason", "total_amount"]
    show_change_link = True


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "buyer",
        "method",
        "status",
        "amount_due_amount",
        "received_amount",
        "expires_at",
    ]
    list_filter = ["status", "method", "review_reason"]
    search_fields = ["code", "buyer__email", "received_reference"]
    list_select_related = ["buyer"]
    inlines = [
        PaymentOrderInline,
        PaymentAttemptInline,
        TransferProofInline,
        PaymentRefundInline,
        PaymentEventInline,
    ]


@admin.register(OrderEvent)
class OrderEventAdmin(ReadOnlyAdmin):
    list_display = ["order", "from_status", "to_status", "actor", "created_at"]
    list_select_related = ["order", "actor"]
    search_fields = ["order__number"]


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ["payment", "from_status", "to_status", "actor", "created_at"]
    list_select_related = ["payment", "actor"]
    search_fields = ["payment__code"]


class RefundEventInline(ReadOnlyInline):
    model = RefundEvent
    fields = ["created_at", "actor", "from_status", "to_status", "note"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "reason", "provider", "total_amount", "created_at"]
    list_filter = ["status", "reason", "provider"]
    search_fields = ["order__number", "payment__code", "provider_reference"]
    list_select_related = ["order", "payment"]
    inlines = [RefundEventInline]


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["order", "reason", "outcome", "created_at", "resolved_at"]
    list_filter = ["reason", "outcome"]
    search_fields = ["order__number"]
    list_select_related = ["order"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["product", "author", "rating", "created_at"]
    list_filter = ["rating"]
    search_fields = ["product__name", "author__email"]
    list_select_related = ["product", "author"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["organization", "kind", "amount", "status", "order", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["organization__name", "order__number"]
    list_select_related = ["organization", "order"]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["organization", "amount", "reference", "paid_on", "recorded_by"]
    search_fields = ["organization__name", "reference"]
    list_select_related = ["organization", "recorded_by"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "seller", "order", "total_amount", "issued_at"]
    list_filter = ["kind"]
    search_fields = ["number", "order__number", "seller__name"]
    list_select_related = ["seller", "order"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    """Provider notifications as they arrived: read-only (processing is the beat's job)."""

    list_display = ["event_id", "provider", "event_type", "processed_at", "attempts", "created_at"]
    list_filter = ["provider", "event_type", ("processed_at", admin.EmptyFieldListFilter)]
    search_fields = ["event_id", "event_type"]
    date_hierarchy = "created_at"


@admin.register(TermsReminder)
class TermsReminderAdmin(ReadOnlyAdmin):
    """Payment reminders of terms orders, one per order and period: read-only (the beat's)."""

    list_display = ["order", "period_start", "sent_at", "created_at"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["order__number"]
    list_select_related = ["order"]
