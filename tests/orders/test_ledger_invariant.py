"""DESIGN.md's ledger invariant over randomized sequences of money operations:

    Σ received on paid payments − Σ succeeded refunds
        = Σ seller balances + Σ platform fees + Σ payouts

checked after every step (orders.services.ledger.ledger_check), with a platform fee, a PKP and a
non-PKP seller, multi-Posyantek checkouts, transfers confirmed exactly, short, long and late,
rejections, cancellations before and after payment, disputes with partial refunds, refunds sent
and payouts (some refused for want of balance). Hypothesis draws the sequences; each example
runs in a savepoint rolled back at its end, on the same small world.
"""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from accounts.models import Role
from core.errors import ApplicationError, Conflict
from orders.models import Cart, CartItem, Order, Payment, Refund
from orders.services import lifecycle
from orders.services.checkout import checkout_place
from orders.services.disputes import dispute_resolve, order_report_problem
from orders.services.late_payments import payment_review_resolve
from orders.services.ledger import ledger_balance, ledger_check
from orders.services.payouts import payout_record
from orders.services.refunds import refund_account_give, refund_mark_succeeded, refund_submit
from orders.services.transfers import (
    payment_proof_upload,
    payment_transfer_confirm,
    payment_transfer_reject,
)
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    ShippingSettingsFactory,
    UserFactory,
)
from tests.orders.conftest import VILLAGE

pytestmark = pytest.mark.django_db

OPERATIONS = [
    "checkout",
    "checkout",
    "checkout_both",
    "proof",
    "reject",
    "confirm",
    "confirm",
    "confirm_short",
    "confirm_long",
    "review_honour",
    "review_refund",
    "expire",
    "late_confirm",
    "buyer_cancel",
    "accept",
    "ship",
    "deliver",
    "dispute_refund",
    "deliver",
    "dispute_complete",
    "deliver",
    "complete",
    "seller_cancel",
    "refund_send",
    "refund_send",
    "refund_send",
    "payout",
    "payout_too_much",
]


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()


class World:
    def __init__(self):
        self.sellers = []
        self.products = []
        for index, pkp in enumerate((False, True)):
            seller = OrganizationFactory(
                is_pkp=pkp,
                payout_bank_name="Bank BJB",
                payout_account_number=f"00123456789{index}",
                payout_account_holder=f"Posyantek {index}",
            )
            ShippingSettingsFactory(organization=seller)
            owner = UserFactory()
            MembershipFactory(user=owner, organization=seller, role=Role.OWNER)
            seller.owner = owner
            self.sellers.append(seller)
            self.products.append(
                ProductFactory(seller=seller, price_amount=150_000 + 35_000 * index, stock=500)
            )
        self.buyer = UserFactory()
        self.staff = UserFactory(is_staff=True)

    def body(self, sellers) -> dict:
        return {
            "contact_name": "Budi Santoso",
            "contact_phone": "081234567890",
            "contact_email": "budi@contoh.id",
            "address_line": "Jl. Raya Anyer No. 10",
            "village": VILLAGE,
            "payment_method": "bank_transfer",
            "shipping": {seller.slug: "pickup" for seller in sellers},
        }


def pick(queryset, seed: int):
    items = list(queryset.order_by("pk"))
    return items[seed % len(items)] if items else None


def run(world: World, operation: str, seed: int) -> None:
    staff, buyer = world.staff, world.buyer
    today = timezone.localdate()
    if operation in ("checkout", "checkout_both"):
        cart, _created = Cart.objects.get_or_create(user=buyer)
        chosen = world.products if operation == "checkout_both" else [world.products[seed % 2]]
        for product in chosen:
            CartItem.objects.create(cart=cart, product=product, quantity=1 + seed % 3)
        checkout_place(
            user=buyer, cart=cart, data=world.body([product.seller for product in chosen])
        )
        return
    pending = Payment.objects.filter(status=Payment.Status.PENDING)
    if operation == "proof":
        payment = pick(pending, seed)
        if payment:
            proof = SimpleUploadedFile("bukti.png", PNG, content_type="image/png")
            payment_proof_upload(payment=payment, actor=buyer, file=proof)
        return
    if operation == "reject":
        payment = pick(Payment.objects.filter(status=Payment.Status.AWAITING_CONFIRMATION), seed)
        if payment:
            payment_transfer_reject(payment=payment, actor=staff, reason="Buram, kirim ulang.")
        return
    if operation in ("confirm", "confirm_short", "confirm_long", "late_confirm"):
        statuses = (
            [Payment.Status.EXPIRED, Payment.Status.CANCELLED]
            if operation == "late_confirm"
            else [Payment.Status.PENDING, Payment.Status.AWAITING_CONFIRMATION]
        )
        payment = pick(Payment.objects.filter(status__in=statuses, due_date=None), seed)
        if payment is None:
            return
        amount = payment.amount_due_amount
        if operation == "confirm_short":
            amount -= 1 + seed % 5_000
        elif operation == "confirm_long":
            amount += 1 + seed % 5_000
        payment_transfer_confirm(
            payment=payment,
            actor=staff,
            amount=max(amount, 1),
            reference=f"BCA-{payment.code}-{seed}",
            received_on=today,
        )
        return
    if operation in ("review_honour", "review_refund"):
        payment = pick(Payment.objects.filter(status=Payment.Status.NEEDS_REVIEW), seed)
        if payment:
            decision = "honour" if operation == "review_honour" else "refund"
            payment_review_resolve(payment=payment, actor=staff, decision=decision, note="Cek")
        return
    if operation == "expire":
        payment = pick(pending, seed)
        if payment:
            Payment.objects.filter(pk=payment.pk).update(
                expires_at=timezone.now() - datetime.timedelta(minutes=1)
            )
            lifecycle.payment_expire(payment_id=payment.pk)
        return
    if operation == "refund_send":
        refund = pick(Refund.objects.filter(status__in=Refund.OPEN), seed)
        if refund is None:
            return
        refund_submit(refund_id=refund.pk)
        refund.refresh_from_db()
        if not refund.has_account:
            refund_account_give(
                refund=refund,
                actor=buyer,
                bank_name="BCA",
                account_number="1234567890",
                account_holder="Budi Santoso",
            )
        refund_mark_succeeded(refund=refund, actor=staff, reference=f"OUT-{refund.pk}")
        return
    if operation in ("payout", "payout_too_much"):
        seller = world.sellers[seed % 2]
        available = ledger_balance(organization=seller).available
        if operation == "payout_too_much":
            with pytest.raises(Conflict):
                payout_record(
                    organization=seller,
                    actor=staff,
                    amount=available + 1,
                    reference=f"PO-X-{seed}",
                    paid_on=today,
                )
            return
        if available > 0:
            payout_record(
                organization=seller,
                actor=staff,
                amount=1 + seed % available,
                reference=f"PO-{seed}-{available}",
                paid_on=today,
            )
        return
    order_status = {
        "buyer_cancel": Order.Status.PENDING_PAYMENT,
        "accept": Order.Status.PAID,
        "ship": Order.Status.PROCESSING,
        "deliver": Order.Status.SHIPPED,
        "complete": Order.Status.DELIVERED,
        "seller_cancel": Order.Status.PAID,
        "dispute_refund": Order.Status.DELIVERED,
        "dispute_complete": Order.Status.DELIVERED,
    }[operation]
    statuses = [order_status]
    if operation == "seller_cancel":
        statuses.append(Order.Status.PROCESSING)
    order = pick(Order.objects.filter(status__in=statuses).select_related("seller"), seed)
    if order is None:
        return
    owner = order.seller.memberships.get(role=Role.OWNER).user
    if operation == "buyer_cancel":
        lifecycle.order_cancel(order=order, actor=buyer)
    elif operation == "accept":
        lifecycle.order_accept(order=order, actor=owner)
    elif operation == "ship":
        lifecycle.order_ship(order=order, actor=owner)
    elif operation == "deliver":
        lifecycle.order_deliver(order=order, actor=owner)
    elif operation == "complete":
        lifecycle.order_complete(order=order, actor=buyer)
    elif operation == "seller_cancel":
        lifecycle.order_cancel(order=order, actor=owner, reason="Bahan habis")
    else:
        order_report_problem(order=order, actor=buyer, reason="damaged", description="Rusak")
        if operation == "dispute_complete":
            dispute_resolve(order=order, actor=staff, outcome="complete", note="Barang baik")
        else:
            amount = 1 + seed % order.total_amount
            dispute_resolve(order=order, actor=staff, outcome="refund", amount=amount, note="Ok")


def check(world: World) -> None:
    figures = ledger_check()
    assert figures.ok, figures
    for seller in world.sellers:
        assert ledger_balance(organization=seller).available >= 0


@pytest.fixture
def world(regions, settings):
    settings.PLATFORM_FEE_PERCENT = "2.5"
    return World()


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(OPERATIONS), st.integers(min_value=0, max_value=10**6)),
        min_size=4,
        max_size=30,
    )
)
def test_the_ledger_adds_up_after_every_operation(world, steps):
    with transaction.atomic():
        for operation, seed in steps:
            try:
                with transaction.atomic():
                    run(world, operation, seed)
            except ApplicationError:
                # A refusal (a short payment cannot be honoured, a move no longer allowed)
                # changes nothing; the invariant must still hold.
                pass
            check(world)
        transaction.set_rollback(True)


def test_a_long_fixed_story_adds_up(world):
    """One deterministic walk through every operation, so a failure here is easy to read."""
    seed = 7
    for operation in OPERATIONS * 3:
        try:
            with transaction.atomic():
                run(world, operation, seed)
        except ApplicationError:
            pass
        check(world)
        seed = (seed * 31 + 11) % 1_000_003
    assert Order.objects.exclude(status=Order.Status.PENDING_PAYMENT).exists()
