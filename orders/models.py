"""Carts, shipping settings, orders and payments (DESIGN.md, orders).

Money is whole Rupiah in BigIntegerFields named `*_amount` (core.money holds the rules).
Statuses change only through orders.services, which lock the row, check the move against
ALLOWED_TRANSITIONS and write an event.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from core.storages import private_storage

# --- Shipping settings ------------------------------------------------------------------------


class ShippingMethod(models.TextChoices):
    PICKUP = "pickup", _("Pickup at the Posyantek")
    OWN_DELIVERY = "own_delivery", _("Delivery by the Posyantek")
    COURIER = "courier", _("Courier")


class ShippingSettings(BaseModel):
    """Which ways a Posyantek sends its products: pickup (free), its own delivery (a flat fee
    per regency served, OwnDeliveryRate) and courier (a rate per kg by destination province,
    CourierRate, and a minimum fee)."""

    organization = models.OneToOneField(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="shipping_settings",
        verbose_name=_("organisation"),
    )
    pickup_enabled = models.BooleanField(_("pickup at the Posyantek"), default=True)
    pickup_note = models.CharField(
        _("pickup instructions"),
        max_length=300,
        blank=True,
        help_text=_("Where and when buyers collect, e.g. 'Kantor kecamatan, Mon–Fri 08–15'."),
    )
    own_delivery_enabled = models.BooleanField(_("delivery by the Posyantek"), default=False)
    courier_enabled = models.BooleanField(_("courier"), default=False)
    courier_minimum_amount = models.BigIntegerField(_("minimum courier fee (Rp)"), default=0)

    class Meta:
        verbose_name = _("shipping settings")
        verbose_name_plural = _("shipping settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(courier_minimum_amount__gte=0),
                name="orders_shippingsettings_minimum_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organization)


class OwnDeliveryRate(BaseModel):
    """A regency the Posyantek delivers to itself, for a flat fee per order."""

    settings = models.ForeignKey(
        ShippingSettings, on_delete=models.CASCADE, related_name="delivery_rates"
    )
    regency = models.ForeignKey(
        "regions.Regency", on_delete=models.PROTECT, related_name="+", verbose_name=_("regency")
    )
    fee_amount = models.BigIntegerField(_("fee (Rp)"))

    class Meta:
        verbose_name = _("delivery fee")
        verbose_name_plural = _("delivery fees")
        ordering = ["regency_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["settings", "regency"], name="orders_owndeliveryrate_unique_regency"
            ),
            models.CheckConstraint(
                condition=Q(fee_amount__gte=0), name="orders_owndeliveryrate_fee_gte_0"
            ),
        ]


class CourierRate(BaseModel):
    """The courier rate per kilogram to a destination province."""

    settings = models.ForeignKey(
        ShippingSettings, on_delete=models.CASCADE, related_name="courier_rates"
    )
    province = models.ForeignKey(
        "regions.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    rate_per_kg_amount = models.BigIntegerField(_("rate per kg (Rp)"))

    class Meta:
        verbose_name = _("courier rate")
        verbose_name_plural = _("courier rates")
        ordering = ["province_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["settings", "province"], name="orders_courierrate_unique_province"
            ),
            models.CheckConstraint(
                condition=Q(rate_per_kg_amount__gte=0), name="orders_courierrate_rate_gte_0"
            ),
        ]


# --- Cart -------------------------------------------------------------------------------------


class Cart(BaseModel):
    """A signed-in user's cart, or an anonymous visitor's (by session key), merged into the
    user's at login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cart",
    )
    session_key = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(session_key__isnull=False),
                name="orders_cart_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"Cart {self.pk}"


class CartItem(BaseModel):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        "marketplace.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("cart item")
        verbose_name_plural = _("cart items")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="orders_cartitem_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_cartitem_qty_gte_1"),
        ]


# --- Payments ---------------------------------------------------------------------------------


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CARD = "card", _("Card")


class Provider(models.TextChoices):
    """Who moves the money for an attempt (orders.payments: one adapter each)."""

    BANK_TRANSFER = "bank_transfer", _("Bank transfer to the platform")
    STRIPE = "stripe", _("Stripe")


class Payment(BaseModel):
    """One per checkout (or per terms order): what the buyer owes for its orders."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting confirmation")
        PAID = "paid", _("Paid")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")
        NEEDS_REVIEW = "needs_review", _("Needs review")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
        REFUNDED = "refunded", _("Refunded")

    class ReviewReason(models.TextChoices):
        AMOUNT_MISMATCH = "amount_mismatch", _("The amount received differs from the amount due")
        LATE = "late", _("Money arrived after the payment expired or was cancelled")

    # Statuses in which the platform holds (or held) the buyer's money: the ledger invariant
    # counts received_amount on these.
    MONEY_KEPT = ("paid", "partially_refunded", "refunded")

    ALLOWED_TRANSITIONS: dict[str, set[str]] = {
        Status.PENDING: {
            Status.PAID,
            Status.AWAITING_CONFIRMATION,
            Status.EXPIRED,
            Status.CANCELLED,
            Status.NEEDS_REVIEW,
        },
        Status.AWAITING_CONFIRMATION: {Status.PAID, Status.PENDING, Status.NEEDS_REVIEW},
        Status.EXPIRED: {Status.NEEDS_REVIEW},
        Status.CANCELLED: {Status.NEEDS_REVIEW},
        Status.NEEDS_REVIEW: {Status.PAID, Status.REFUNDED},
        Status.PAID: {Status.PARTIALLY_REFUNDED, Status.REFUNDED},
        Status.PARTIALLY_REFUNDED: {Status.REFUNDED},
        Status.REFUNDED: set(),
    }

    code = models.CharField(
        _("payment code"),
        max_length=12,
        unique=True,
        help_text=_("Written in the transfer description (berita transfer)."),
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.PENDING
    )
    amount_due_amount = models.BigIntegerField(_("amount due (Rp)"))
    currency = models.CharField(max_length=3, default="IDR", editable=False)
    expires_at = models.DateTimeField(_("pay before"), null=True, blank=True)
    # A terms payment has a due date instead of an expiry (DESIGN.md: terms orders never expire).
    due_date = models.DateField(_("due date"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # What actually arrived (all attempts together), and the bank's or provider's reference.
    received_amount = models.BigIntegerField(_("amount received (Rp)"), default=0)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_reference = models.CharField(_("transfer reference"), max_length=100, blank=True)
    # A proof awaiting confirmation pauses the expiry: what was left of it, resumed on reject.
    expiry_remaining_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)
    review_reason = models.CharField(
        _("why it needs review"), max_length=20, choices=ReviewReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_due_amount__gte=0), name="orders_payment_amount_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(received_amount__gte=0), name="orders_payment_received_gte_0"
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return self.code


class PaymentAttempt(BaseModel):
    """One try at paying a Payment through one provider: a bank transfer awaiting its proof,
    a Stripe Checkout Session. A failed attempt leaves the payment pending; the buyer may try
    again or switch method, which cancels the attempt still pending."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    # expired | cancelled -> succeeded only for money that arrived late (DESIGN.md: the
    # late-payment service then decides); nothing ever leaves succeeded or failed.
    ALLOWED_TRANSITIONS: dict[str, set[str]] = {
        Status.PENDING: {Status.SUCCEEDED, Status.FAILED, Status.EXPIRED, Status.CANCELLED},
        Status.EXPIRED: {Status.SUCCEEDED},
        Status.CANCELLED: {Status.SUCCEEDED},
        Status.SUCCEEDED: set(),
        Status.FAILED: set(),
    }

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField(_("attempt"))
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    provider_reference = models.CharField(_("provider reference"), max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    amount_amount = models.BigIntegerField(_("amount (Rp)"))
    currency = models.CharField(max_length=3, default="IDR", editable=False)
    expires_at = models.DateTimeField(_("pay before"), null=True, blank=True)
    # What the buyer needs: transfer instructions (bank transfer) or where to go (a redirect).
    instructions = models.JSONField(default=dict, blank=True)
    redirect_url = models.URLField(max_length=2000, blank=True)
    received_amount = models.BigIntegerField(_("amount received (Rp)"), null=True, blank=True)
    failure_reason = models.TextField(_("why it failed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    succeeded_at = models.DateTimeField(_("succeeded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment attempt")
        verbose_name_plural = _("payment attempts")
        ordering = ["payment_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "number"], name="orders_paymentattempt_unique_number"
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="orders_paymentattempt_unique_reference",
            ),
            # One attempt in flight per payment: a new one cancels the pending one first.
            models.UniqueConstraint(
                fields=["payment"],
                condition=Q(status="pending"),
                name="orders_paymentattempt_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(amount_amount__gte=0), name="orders_paymentattempt_amount_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id}#{self.number}"


def transfer_proof_path(instance: "TransferProof", filename: str) -> str:
    return f"transfer-proofs/{filename}"


class TransferProof(BaseModel):
    """A buyer's proof of a bank transfer (a photo or PDF of the receipt; private), checked by
    platform staff: confirmed with the bank's reference and the amount received, or rejected
    with a reason (the buyer may upload again)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="proofs")
    attempt = models.ForeignKey(
        PaymentAttempt, on_delete=models.CASCADE, related_name="proofs", null=True, blank=True
    )
    file = models.FileField(
        _("transfer proof"), upload_to=transfer_proof_path, storage=private_storage, max_length=255
    )
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    sender_bank = models.CharField(_("from bank"), max_length=100, blank=True)
    sender_name = models.CharField(_("account holder"), max_length=150, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    rejection_reason = models.TextField(_("why it was rejected"), blank=True)

    class Meta:
        verbose_name = _("transfer proof")
        verbose_name_plural = _("transfer proofs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment"],
                condition=Q(status="submitted"),
                name="orders_transferproof_one_submitted",
            ),
        ]


class PaymentEvent(BaseModel):
    """One step in a payment's history: a status move, an attempt's move (attempt set, from/to
    are the attempt's statuses), or a transfer proof uploaded or rejected."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status changed")
        ATTEMPT = "attempt", _("Attempt changed")
        PROOF_UPLOADED = "proof_uploaded", _("Transfer proof uploaded")
        PROOF_REJECTED = "proof_rejected", _("Transfer proof rejected")
        REFUND_PENDING = "refund_pending", _("Refund awaits the buyer's bank account")
        REFUND_SENT = "refund_sent", _("Refund sent")
        LATE_REFUNDED = "late_refunded", _("Late payment refunded")

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STATUS)
    attempt = models.ForeignKey(
        PaymentAttempt, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(_("from"), max_length=24, blank=True)
    to_status = models.CharField(_("to"), max_length=24)
    note = models.TextField(_("note"), blank=True)
    # Set once by orders.tasks.payment_event_notify: at most one message per event.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")
        ordering = ["created_at", "id"]


class WebhookEvent(BaseModel):
    """A provider's notification (a Stripe event), stored once by (provider, event id) when its
    signature checks out; a duplicate delivery is acknowledged and ignored. Processed after
    the commit by orders.tasks.webhook_event_process through payment_apply_event —
    idempotently, retried by beat until it succeeds."""

    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    event_id = models.CharField(_("event id"), max_length=255)
    event_type = models.CharField(_("type"), max_length=100)
    payload = models.JSONField(_("payload"))
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("processing attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="orders_webhookevent_once"
            ),
        ]
        indexes = [models.Index(fields=["processed_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"


# --- Orders -----------------------------------------------------------------------------------


class Order(BaseModel):
    """What one buyer bought from one Posyantek in one checkout; prices, shipping, PPN and
    totals are frozen when it is placed."""

    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
        PLACED_ON_TERMS = "placed_on_terms", _("Placed on terms")
        PAID = "paid", _("Paid")
        PROCESSING = "processing", _("Processing")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        IN_DISPUTE = "in_dispute", _("In dispute")
        REFUNDED = "refunded", _("Refunded")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")

    ALLOWED_TRANSITIONS: dict[str, set[str]] = {
        Status.PENDING_PAYMENT: {Status.PAID, Status.CANCELLED, Status.EXPIRED},
        Status.PLACED_ON_TERMS: {Status.PROCESSING, Status.CANCELLED},
        Status.PAID: {Status.PROCESSING, Status.CANCELLED},
        Status.PROCESSING: {Status.SHIPPED, Status.CANCELLED},
        Status.SHIPPED: {Status.DELIVERED},
        Status.DELIVERED: {Status.COMPLETED, Status.IN_DISPUTE},
        Status.IN_DISPUTE: {Status.COMPLETED, Status.REFUNDED, Status.PARTIALLY_REFUNDED},
        Status.CANCELLED: {Status.REFUNDED, Status.PAID},
        Status.EXPIRED: {Status.PAID},
        Status.COMPLETED: set(),
        Status.REFUNDED: set(),
        Status.PARTIALLY_REFUNDED: set(),
    }

    class PaymentTerms(models.TextChoices):
        PREPAID = "prepaid", _("Prepaid")
        NET_14 = "net_14", _("Net 14 days")
        NET_30 = "net_30", _("Net 30 days")

    number = models.CharField(_("order number"), max_length=20, unique=True)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="orders", verbose_name=_("payment")
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("buyer"),
    )
    buyer_organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="purchases",
        verbose_name=_("buying for"),
    )
    seller = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="sales",
        verbose_name=_("seller"),
    )
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=Status.choices,
        default=Status.PENDING_PAYMENT,
        db_index=True,
    )
    payment_terms = models.CharField(
        _("payment terms"),
        max_length=10,
        choices=PaymentTerms.choices,
        default=PaymentTerms.PREPAID,
    )
    # Buyer contact and delivery address, as given at checkout.
    contact_name = models.CharField(_("recipient"), max_length=150)
    contact_phone = models.CharField(_("phone / WhatsApp"), max_length=20)
    contact_email = models.EmailField(_("e-mail"))
    address_line = models.CharField(_("address"), max_length=300)
    village = models.ForeignKey(
        "regions.Village", on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    district = models.ForeignKey(
        "regions.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    regency = models.ForeignKey(
        "regions.Regency", on_delete=models.PROTECT, related_name="+", verbose_name=_("regency")
    )
    province = models.ForeignKey(
        "regions.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    note = models.CharField(_("note for the seller"), max_length=500, blank=True)
    # Frozen at checkout.
    shipping_method = models.CharField(
        _("shipping method"), max_length=20, choices=ShippingMethod.choices
    )
    shipping_weight_grams = models.BigIntegerField(_("shipping weight (g)"), default=0)
    seller_is_pkp = models.BooleanField(_("seller is PKP"), default=False)
    goods_amount = models.BigIntegerField(_("goods (Rp)"))
    shipping_amount = models.BigIntegerField(_("shipping (Rp)"))
    dpp_amount = models.BigIntegerField(_("DPP (Rp)"), default=0)
    ppn_amount = models.BigIntegerField(_("PPN (Rp)"), default=0)
    total_amount = models.BigIntegerField(_("total (Rp)"))
    platform_fee_amount = models.BigIntegerField(_("platform fee (Rp)"), default=0)
    promised_date = models.DateField(_("promised date"))
    expires_at = models.DateTimeField(_("pay before"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # Fulfilment, set by orders.services.lifecycle.
    carrier = models.CharField(_("courier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["seller", "status"]),
            models.Index(fields=["buyer", "-created_at"]),
            # The beat jobs: unpaid orders past their expiry, delivered orders to complete.
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["status", "delivered_at"]),
            # Reports (reports.selectors.figures): a Posyantek's sales in a period, and whether
            # a buyer (the person, or the organisation bought for) had paid it before.
            models.Index(fields=["seller", "paid_at"]),
            models.Index(fields=["seller", "buyer", "paid_at"]),
            models.Index(fields=["seller", "buyer_organization", "paid_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(goods_amount__gte=0)
                & Q(shipping_amount__gte=0)
                & Q(ppn_amount__gte=0)
                & Q(platform_fee_amount__gte=0),
                name="orders_order_amounts_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(
                    total_amount=F("goods_amount") + F("shipping_amount") + F("ppn_amount")
                ),
                name="orders_order_total_is_sum",
            ),
            models.CheckConstraint(
                condition=Q(payment_terms="prepaid") | Q(due_date__isnull=False),
                name="orders_order_terms_have_due_date",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_on_terms(self) -> bool:
        return self.payment_terms != self.PaymentTerms.PREPAID

    # A terms order is still to be paid while its payment awaits money: nothing received and
    # no transfer proof awaiting confirmation (a proof or money under review is staff's turn).
    TERMS_UNPAID_PAYMENT_STATUSES = ("pending",)
    # Orders that no longer owe anything.
    TERMS_CLOSED_STATUSES = ("cancelled", "refunded", "expired")

    @property
    def is_payment_overdue(self) -> bool:
        """An unpaid order on terms past its due date (Asia/Jakarta): "Jatuh tempo terlewat".
        The same rule as orders.selectors.terms_overdue_q, for one loaded order."""
        from django.utils import timezone

        return bool(
            self.is_on_terms
            and self.due_date is not None
            and self.due_date < timezone.localdate()
            and self.status not in self.TERMS_CLOSED_STATUSES
            and self.payment.status in self.TERMS_UNPAID_PAYMENT_STATUSES
        )


class OrderLine(BaseModel):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "marketplace.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    product_name = models.CharField(_("product"), max_length=200)
    selling_unit = models.CharField(_("unit"), max_length=40)
    availability = models.CharField(_("availability"), max_length=20)
    unit_price_amount = models.BigIntegerField(_("unit price (Rp)"))
    quantity = models.PositiveIntegerField(_("quantity"))
    line_amount = models.BigIntegerField(_("amount (Rp)"))
    weight_per_unit_grams = models.BigIntegerField(_("weight per unit (g)"), default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_orderline_qty_gte_1"),
            models.CheckConstraint(
                condition=Q(line_amount=F("unit_price_amount") * F("quantity")),
                name="orders_orderline_amount_is_price_times_quantity",
            ),
        ]


class OrderEvent(BaseModel):
    """One step in an order's history: a status move, or (with the status unchanged) a step of
    its dispute."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status changed")
        DISPUTE_ANSWERED = "dispute_answered", _("Seller answered the problem report")
        DISPUTE_RESOLVED = "dispute_resolved", _("Dispute resolved")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STATUS)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(_("from"), max_length=24, blank=True)
    to_status = models.CharField(_("to"), max_length=24)
    note = models.TextField(_("note"), blank=True)
    # Set once by orders.tasks.order_event_notify: at most one message per event.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["created_at", "id"]


class CheckoutRequest(BaseModel):
    """An `Idempotency-Key` a user sent to checkout/: the same key returns the first result
    for 24 hours; the same key with a different body is refused (409)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    body_hash = models.CharField(max_length=64)
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="orders_checkoutrequest_unique"),
        ]


# --- Refunds ----------------------------------------------------------------------------------


class Refund(BaseModel):
    """Money going back to the buyer: for one order (a seller cancelled it after payment, or a
    dispute was resolved with a refund), split into goods, shipping and PPN
    (core.money.refund_split); or, with no order, for the payment itself (money that arrived
    too late to honour, an overpayment, a mismatched transfer refunded by staff), in
    `other_amount`. It goes to the buyer through the provider the money came by
    (orders.payments): a card refund succeeds at the provider; a bank transfer refund waits in
    pending_manual for the buyer's account and for staff to send it. `refund_mark_succeeded`
    is the one way it succeeds, and it moves the order, the payment and the ledger on."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        PENDING_MANUAL = "pending_manual", _("Awaiting manual transfer")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    ALLOWED_TRANSITIONS: dict[str, set[str]] = {
        Status.REQUESTED: {Status.PENDING_MANUAL, Status.SUCCEEDED, Status.FAILED},
        Status.PENDING_MANUAL: {Status.SUCCEEDED, Status.FAILED},
        Status.SUCCEEDED: set(),
        Status.FAILED: set(),
    }
    OPEN = (Status.REQUESTED, Status.PENDING_MANUAL)

    class Reason(models.TextChoices):
        SELLER_CANCELLED = "seller_cancelled", _("Cancelled by the seller after payment")
        DISPUTE = "dispute", _("Dispute resolved with a refund")
        LATE_PAYMENT = "late_payment", _("Late payment that could not be honoured")
        OVERPAYMENT = "overpayment", _("More was transferred than was due")
        PAYMENT_REVIEW = "payment_review", _("Payment refunded after review")

    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        related_name="refunds",
        verbose_name=_("order"),
        null=True,
        blank=True,
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.TextField(_("note"), blank=True)
    # The payment method the money came by; orders.payments routes the refund through it.
    provider = models.CharField(_("provider"), max_length=20, choices=PaymentMethod.choices)
    provider_reference = models.CharField(_("transfer reference"), max_length=100, blank=True)
    goods_amount = models.BigIntegerField(_("goods (Rp)"))
    shipping_amount = models.BigIntegerField(_("shipping (Rp)"))
    ppn_amount = models.BigIntegerField(_("PPN (Rp)"))
    other_amount = models.BigIntegerField(
        _("not for an order (Rp)"),
        default=0,
        help_text=_("An overpayment, or a payment that could not be honoured."),
    )
    total_amount = models.BigIntegerField(_("total (Rp)"))
    # Where a bank transfer refund goes: the buyer's account, given by the buyer.
    account_bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    account_number = models.CharField(_("account number"), max_length=34, blank=True)
    account_holder = models.CharField(_("account holder"), max_length=150, blank=True)
    account_given_at = models.DateTimeField(_("account given at"), null=True, blank=True)
    failure_reason = models.TextField(_("why it failed"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    succeeded_at = models.DateTimeField(_("succeeded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(goods_amount__gte=0)
                & Q(shipping_amount__gte=0)
                & Q(ppn_amount__gte=0)
                & Q(other_amount__gte=0)
                & Q(total_amount__gt=0),
                name="orders_refund_amounts_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    total_amount=F("goods_amount")
                    + F("shipping_amount")
                    + F("ppn_amount")
                    + F("other_amount")
                ),
                name="orders_refund_total_is_sum",
            ),
            # An order's refund is goods, shipping and PPN; a payment's own is other_amount.
            models.CheckConstraint(
                condition=(Q(order__isnull=False) & Q(other_amount=0))
                | (
                    Q(order__isnull=True)
                    & Q(goods_amount=0)
                    & Q(shipping_amount=0)
                    & Q(ppn_amount=0)
                ),
                name="orders_refund_order_or_payment",
            ),
            # One refund in flight per order (and per payment for a payment's own refund): a
            # retried cancel, resolution or review never doubles it.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status__in=["requested", "pending_manual"]),
                name="orders_refund_one_open_per_order",
            ),
            models.UniqueConstraint(
                fields=["payment"],
                condition=Q(order__isnull=True, status__in=["requested", "pending_manual"]),
                name="orders_refund_one_open_per_payment",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            # Reports: the refunds that succeeded in a period.
            models.Index(fields=["status", "succeeded_at"]),
        ]

    def __str__(self) -> str:
        label = self.order.number if self.order_id else self.payment.code
        return f"{label} {self.total_amount}"

    @property
    def idempotency_key(self) -> str:
        """Sent with the provider's refund call: a retried call never refunds twice."""
        return f"refund:{self.pk}"

    @property
    def has_account(self) -> bool:
        return bool(self.account_number and self.account_holder and self.account_bank_name)


class RefundEvent(BaseModel):
    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("refund event")
        verbose_name_plural = _("refund events")
        ordering = ["created_at", "id"]


# --- Disputes ---------------------------------------------------------------------------------


def dispute_photo_path(instance: "DisputePhoto", filename: str) -> str:
    return f"disputes/{filename}"


class Dispute(BaseModel):
    """A buyer's problem report on a delivered order (private to the parties and staff): the
    seller answers, platform staff resolve with an outcome and an amount."""

    class Reason(models.TextChoices):
        NOT_RECEIVED = "not_received", _("Not received")
        DAMAGED = "damaged", _("Arrived damaged")
        WRONG_ITEM = "wrong_item", _("Wrong product")
        INCOMPLETE = "incomplete", _("Quantity incomplete")
        NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        COMPLETE = "complete", _("No refund: complete the order")
        REFUND = "refund", _("Refund")

    order = models.OneToOneField(
        Order, on_delete=models.CASCADE, related_name="dispute", verbose_name=_("order")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    description = models.TextField(_("what happened"))
    seller_response = models.TextField(_("seller's answer"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    refund_amount = models.BigIntegerField(_("refund (Rp)"), default=0)
    resolution_note = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(refund_amount__gte=0), name="orders_dispute_refund_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.number}: {self.get_reason_display()}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class DisputePhoto(BaseModel):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(
        _("photo"), upload_to=dispute_photo_path, storage=private_storage, max_length=255
    )

    class Meta:
        verbose_name = _("dispute photo")
        verbose_name_plural = _("dispute photos")
        ordering = ["id"]


# --- Reviews ----------------------------------------------------------------------------------


class Review(BaseModel):
    """A buyer's review of a product it received in a completed order: one per buyer and
    product. orders.services.reviews keeps the product's rating_average and rating_count."""

    product = models.ForeignKey(
        "marketplace.Product",
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("product"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("order")
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("review"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "author"], name="orders_review_once"),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="orders_review_rating_1_5"
            ),
        ]


# --- Ledger and payouts -----------------------------------------------------------------------


class LedgerEntry(BaseModel):
    """One line of a Posyantek's money with the platform (DESIGN.md, orders: Ledger), written
    only by orders.services.ledger. A sale (+ the order total) and its platform fee (−) are
    pending from payment and become available when the order is completed — or, after a
    cancellation or a dispute, when its refund has succeeded; a refund (−) and a payout (−)
    follow. The balance is the sum of the amounts; payouts draw only on the available part."""

    class Kind(models.TextChoices):
        SALE = "sale", _("Sale")
        REFUND = "refund", _("Refund")
        PLATFORM_FEE = "platform_fee", _("Platform fee")
        PAYOUT = "payout", _("Payout")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        AVAILABLE = "available", _("Available")

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("Posyantek"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    amount = models.BigIntegerField(_("amount (Rp)"))
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    refund = models.ForeignKey(
        Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    payout = models.ForeignKey(
        "Payout", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    available_at = models.DateTimeField(_("available from"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["organization", "-created_at"]),
        ]
        constraints = [
            # Signs: a sale adds, a refund and a payout take away; a platform fee takes away
            # (or, reversed after a refund, gives back).
            models.CheckConstraint(
                condition=(Q(kind="sale") & Q(amount__gt=0))
                | (Q(kind__in=["refund", "payout"]) & Q(amount__lt=0))
                | (Q(kind="platform_fee") & ~Q(amount=0)),
                name="orders_ledgerentry_sign",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(available_at__isnull=False),
                name="orders_ledgerentry_available_has_date",
            ),
            # Once per order (sale, fee), per refund (refund, fee given back) and per payout.
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=Q(kind__in=["sale", "platform_fee"], refund__isnull=True),
                name="orders_ledgerentry_once_per_order",
            ),
            models.UniqueConstraint(
                fields=["refund", "kind"],
                condition=Q(refund__isnull=False),
                name="orders_ledgerentry_once_per_refund",
            ),
            models.UniqueConstraint(
                fields=["payout"],
                condition=Q(payout__isnull=False),
                name="orders_ledgerentry_once_per_payout",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.kind} {self.amount}"


class Payout(BaseModel):
    """Money the platform sent to a Posyantek's bank account, recorded by staff with the
    transfer reference (orders.services.payouts.payout_record). Draws only on the available
    balance."""

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="payouts",
        verbose_name=_("Posyantek"),
    )
    amount = models.BigIntegerField(_("amount (Rp)"))
    reference = models.CharField(_("transfer reference"), max_length=100)
    paid_on = models.DateField(_("transfer date"))
    # The account it went to, as it was then.
    bank_name = models.CharField(_("bank"), max_length=100)
    account_number = models.CharField(_("account number"), max_length=34)
    account_holder = models.CharField(_("account holder"), max_length=150)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="orders_payout_amount_gt_0"),
            # A form sent twice records one payout.
            models.UniqueConstraint(
                fields=["organization", "reference"], name="orders_payout_unique_reference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.amount} {self.reference}"


# --- Invoices ---------------------------------------------------------------------------------


class Invoice(BaseModel):
    """An order's invoice, numbered INV/{yyyy}/{mm}/{org code}/{nnnn} when the order is paid
    (at placement for a terms order), or a credit note CN/… for a refund of an invoiced order.
    The seller's legal details are copied at issue, so a later profile edit never changes an
    invoice; amounts are the order's (or the refund's) frozen figures."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    PREFIXES = {Kind.INVOICE: "INV", Kind.CREDIT_NOTE: "CN"}

    number = models.CharField(_("number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("order")
    )
    refund = models.OneToOneField(
        Refund,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_note",
        verbose_name=_("refund"),
    )
    credited_invoice = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes"
    )
    seller = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="invoices"
    )
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    issued_at = models.DateTimeField(_("issued at"))
    # The seller as it was at issue.
    seller_name = models.CharField(_("seller"), max_length=200)
    seller_code = models.CharField(max_length=10)
    seller_address = models.TextField(_("address"), blank=True)
    seller_nib = models.CharField(_("NIB"), max_length=13, blank=True)
    seller_npwp = models.CharField(_("NPWP"), max_length=16, blank=True)
    seller_is_pkp = models.BooleanField(_("PKP"), default=False)
    buyer_name = models.CharField(_("buyer"), max_length=200)
    buyer_organization_name = models.CharField(_("buying for"), max_length=200, blank=True)
    buyer_npwp = models.CharField(_("buyer's NPWP"), max_length=16, blank=True)
    goods_amount = models.BigIntegerField(_("goods (Rp)"))
    shipping_amount = models.BigIntegerField(_("shipping (Rp)"))
    dpp_amount = models.BigIntegerField(_("DPP (Rp)"))
    ppn_amount = models.BigIntegerField(_("PPN (Rp)"))
    total_amount = models.BigIntegerField(_("total (Rp)"))

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "kind", "year", "month", "sequence"],
                name="orders_invoice_unique_sequence",
            ),
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(kind="invoice"),
                name="orders_invoice_one_per_order",
            ),
            models.CheckConstraint(
                condition=(Q(kind="invoice") & Q(refund__isnull=True))
                | (Q(kind="credit_note") & Q(refund__isnull=False)),
                name="orders_invoice_credit_note_has_refund",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def url_number(self) -> str:
        """The number without slashes, as in its URL: INV-2026-11-PWK-0001."""
        return self.number.replace("/", "-")

    @staticmethod
    def number_from_url(value: str) -> str:
        return value.replace("-", "/")


class InvoiceCounter(models.Model):
    """The last number given per seller, kind and Asia/Jakarta month. Locked while a number is
    taken, in the transaction that issues the invoice: gap-free, even under concurrency."""

    seller = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Invoice.Kind.choices)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "kind", "year", "month"], name="orders_invoicecounter_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seller_id} {self.kind} {self.year}-{self.month:02d}: {self.last_number}"


# --- Terms reminders --------------------------------------------------------------------------


class TermsReminder(BaseModel):
    """One payment reminder of an unpaid terms order for one period: the due date itself, then
    each week while overdue (`period_start` = due date + 7·k days). The unique row is the claim
    that makes the daily beat send each period's reminder once, even when it runs twice at
    once; `sent_at` is set when the e-mails went out."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="terms_reminders", verbose_name=_("order")
    )
    period_start = models.DateField(_("period start"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment reminder")
        verbose_name_plural = _("payment reminders")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "period_start"], name="orders_termsreminder_unique_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.period_start}"
