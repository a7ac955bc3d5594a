"""Admin for orders, payments, refunds, disputes and reviews: read-only. Statuses and amounts
change only through actions that call the services ("Mark paid" →
orders.services.payments.payment_mark_paid, "Mark refund succeeded" →
orders.services.refunds.refund_mark_succeeded); orders are placed by checkout, never here;
events are read-only. Disputes are resolved on the staff dispute desk (/staf/sengketa/)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import ApplicationError
from orders.models import (
    Dispute,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentEvent,
    Refund,
    RefundEvent,
    Review,
)
from orders.services.payments import payment_mark_paid
from orders.services.refunds import refund_mark_succeeded


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Every field shown, none editable; nothing added or deleted here."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["code", "buyer", "method", "status", "amount_due_amount", "expires_at"]
    list_filter = ["status", "method"]
    search_fields = ["code", "buyer__email"]
    list_select_related = ["buyer"]
    inlines = [PaymentOrderInline, PaymentEventInline]
    actions = ["mark_paid"]

    @admin.action(description=_("Mark paid (the transfer arrived)"))
    def mark_paid(self, request, queryset):
        done = 0
        for payment in queryset.order_by("pk"):
            try:
                payment_mark_paid(
                    payment=payment, actor=request.user, note=_("Marked paid in the admin.")
                )
            except ApplicationError as error:
                self.message_user(request, f"{payment.code}: {error.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d payment marked paid.", "%(count)d payments marked paid.", done)
                % {"count": done},
                messages.SUCCESS,
            )


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
    list_display = ["order", "status", "reason", "provider", "total_amount", "created_at"]
    list_filter = ["status", "reason", "provider"]
    search_fields = ["order__number", "payment__code", "provider_reference"]
    list_select_related = ["order"]
    inlines = [RefundEventInline]
    actions = ["mark_succeeded"]

    @admin.action(description=_("Mark succeeded (the money is back with the buyer)"))
    def mark_succeeded(self, request, queryset):
        done = 0
        for refund in queryset.order_by("pk"):
            try:
                refund_mark_succeeded(
                    refund=refund, actor=request.user, note=_("Marked succeeded in the admin.")
                )
            except ApplicationError as error:
                self.message_user(request, f"{refund.order}: {error.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d refund marked succeeded.",
                    "%(count)d refunds marked succeeded.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )


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
