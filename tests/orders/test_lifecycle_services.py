"""The order state machine through its services (orders.services.lifecycle, disputes, refunds,
terms). For every (status, move) pair: an allowed move succeeds and writes exactly the right
OrderEvent(s) — kind, actor, from, to; a refused one raises Conflict or PermissionDenied (or,
for the beat's services, returns False) and changes nothing: status, events, stock, capacity,
refunds, payment, dispute.

Orders are placed by the real checkout (stock taken) and moved on by the real services."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Role
from core.errors import Conflict, InvalidInput, PermissionDenied
from marketplace.models import Product, StockMovement
from orders.models import Dispute, Order, OrderEvent, Payment, PaymentEvent, Refund
from orders.services.disputes import dispute_resolve, dispute_respond, order_report_problem
from orders.services.lifecycle import (
    order_accept,
    order_auto_complete,
    order_cancel,
    order_complete,
    order_deliver,
    order_ship,
    payment_expire,
    payments_due_for_expiry,
)
from orders.services.refunds import refund_mark_succeeded
from orders.services.terms import TermsLine, order_place_on_terms
from orders.tasks import orders_expire_unpaid
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    ShippingSettingsFactory,
    UserFactory,
)
from tests.orders.conftest import Shop, checkout_body

pytestmark = pytest.mark.django_db

S = Order.Status
STATUS = OrderEvent.Kind.STATUS
ANSWERED = OrderEvent.Kind.DISPUTE_ANSWERED
RESOLVED = OrderEvent.Kind.DISPUTE_RESOLVED
FAR = datetime.timedelta(days=60)  # later than every expiry and auto-completion


# --- Orders in every status ---------------------------------------------------------------------


def company_of(user):
    """A verified industry organisation `user` may buy for."""
    company = OrganizationFactory(kind="industry", name="PT Tahu Makmur")
    MembershipFactory(user=user, organization=company, role=Role.OWNER)
    return company


def on_terms(shop: Shop, *, quantity: int = 2, payment_terms: str = "net_14", user=None) -> Order:
    user = user or shop.buyer
    company = company_of(user)
    return order_place_on_terms(
        user=user,
        data=checkout_body(shop.seller, buyer_organization=company.slug),
        lines=[TermsLine(product=shop.product, quantity=quantity, unit_price_amount=140_000)],
        payment_terms=payment_terms,
    )


def disputed(shop: Shop) -> Order:
    order = shop.delivered()
    order_report_problem(order=order, actor=shop.buyer, reason="damaged", description="Patah")
    return Order.objects.get(pk=order.pk)


def cancelled_paid(shop: Shop) -> Order:
    return order_cancel(order=shop.paid(), actor=shop.manager, reason="Mesin rusak")


def build(shop: Shop, status: str) -> Order:
    """An order of 2 units (Rp 300.000) in `status`, reached through the services."""
    if status == S.PENDING_PAYMENT:
        order = shop.place()
    elif status == S.PLACED_ON_TERMS:
        order = on_terms(shop)
    elif status == S.PAID:
        order = shop.paid()
    elif status == S.PROCESSING:
        order = shop.processing()
    elif status == S.SHIPPED:
        order = shop.shipped()
    elif status == S.DELIVERED:
        order = shop.delivered()
    elif status == S.COMPLETED:
        order = order_complete(order=shop.delivered(), actor=shop.buyer)
    elif status == "cancelled_unpaid":
        order = order_cancel(order=shop.place(), actor=shop.buyer)
    elif status == "cancelled_paid":
        order = cancelled_paid(shop)
    elif status == S.EXPIRED:
        order = shop.place()
        assert payment_expire(payment_id=order.payment_id, now=timezone.now() + FAR)
    elif status == S.IN_DISPUTE:
        order = disputed(shop)
    elif status == S.REFUNDED:
        order = cancelled_paid(shop)
        refund = shop.refund_ready(order.refunds.get())
        refund_mark_succeeded(refund=refund, actor=shop.platform, reference="TRF-0")
    elif status == S.PARTIALLY_REFUNDED:
        order = disputed(shop)
        dispute_resolve(order=order, actor=shop.platform, outcome="refund", amount=50_000, note="x")
        refund = shop.refund_ready(order.refunds.get())
        refund_mark_succeeded(refund=refund, actor=shop.platform, reference="TRF-0")
    else:  # pragma: no cover
        raise AssertionError(status)
    order = Order.objects.get(pk=order.pk)
    expected = {"cancelled_unpaid": S.CANCELLED, "cancelled_paid": S.CANCELLED}.get(status, status)
    assert order.status == expected
    return order


STATUSES = [
    S.PENDING_PAYMENT,
    S.PLACED_ON_TERMS,
    S.PAID,
    S.PROCESSING,
    S.SHIPPED,
    S.DELIVERED,
    S.COMPLETED,
    "cancelled_unpaid",
    "cancelled_paid",
    S.EXPIRED,
    S.IN_DISPUTE,
    S.REFUNDED,
    S.PARTIALLY_REFUNDED,
]


# --- Moves ------------------------------------------------------------------------------------


def later() -> datetime.datetime:
    return timezone.now() + FAR


MOVES = {
    "accept": lambda shop, order: order_accept(order=order, actor=shop.staff),
    "ship": lambda shop, order: order_ship(order=order, actor=shop.staff),
    "deliver": lambda shop, order: order_deliver(order=order, actor=shop.manager),
    "complete": lambda shop, order: order_complete(order=order, actor=shop.buyer),
    "cancel_by_buyer": lambda shop, order: order_cancel(order=order, actor=shop.buyer),
    "cancel_by_manager": lambda shop, order: order_cancel(
        order=order, actor=shop.manager, reason="Bahan habis"
    ),
    "report_problem": lambda shop, order: order_report_problem(
        order=order, actor=shop.buyer, reason="wrong_item", description="Salah barang"
    ),
    "dispute_respond": lambda shop, order: dispute_respond(
        order=order, actor=shop.manager, response="Kami ganti"
    ),
    "dispute_resolve_complete": lambda shop, order: dispute_resolve(
        order=order, actor=shop.platform, outcome="complete", note="Sesuai"
    ),
    "dispute_resolve_refund": lambda shop, order: dispute_resolve(
        order=order, actor=shop.platform, outcome="refund", amount=10_000, note="Sebagian"
    ),
    "payment_expire": lambda shop, order: payment_expire(payment_id=order.payment_id, now=later()),
    "auto_complete": lambda shop, order: order_auto_complete(order_id=order.pk, now=later()),
}

# Who acts in each move (None: the beat).
ACTOR = {
    "accept": "staff",
    "ship": "staff",
    "deliver": "manager",
    "complete": "buyer",
    "cancel_by_buyer": "buyer",
    "cancel_by_manager": "manager",
    "report_problem": "buyer",
    "dispute_respond": "manager",
    "dispute_resolve_complete": "platform",
    "dispute_resolve_refund": "platform",
    "payment_expire": None,
    "auto_complete": None,
}

# (status, move) → the events it writes: (kind, from, to). Anything absent is refused.
ALLOWED: dict[tuple[str, str], list[tuple[str, str, str]]] = {
    (S.PAID, "accept"): [(STATUS, S.PAID, S.PROCESSING)],
    (S.PLACED_ON_TERMS, "accept"): [(STATUS, S.PLACED_ON_TERMS, S.PROCESSING)],
    (S.PROCESSING, "ship"): [(STATUS, S.PROCESSING, S.SHIPPED)],
    (S.SHIPPED, "deliver"): [(STATUS, S.SHIPPED, S.DELIVERED)],
    (S.SHIPPED, "complete"): [
        (STATUS, S.SHIPPED, S.DELIVERED),
        (STATUS, S.DELIVERED, S.COMPLETED),
    ],
    (S.DELIVERED, "complete"): [(STATUS, S.DELIVERED, S.COMPLETED)],
    (S.PENDING_PAYMENT, "cancel_by_buyer"): [(STATUS, S.PENDING_PAYMENT, S.CANCELLED)],
    (S.PLACED_ON_TERMS, "cancel_by_buyer"): [(STATUS, S.PLACED_ON_TERMS, S.CANCELLED)],
    (S.PENDING_PAYMENT, "cancel_by_manager"): [(STATUS, S.PENDING_PAYMENT, S.CANCELLED)],
    (S.PLACED_ON_TERMS, "cancel_by_manager"): [(STATUS, S.PLACED_ON_TERMS, S.CANCELLED)],
    (S.PAID, "cancel_by_manager"): [(STATUS, S.PAID, S.CANCELLED)],
    (S.PROCESSING, "cancel_by_manager"): [(STATUS, S.PROCESSING, S.CANCELLED)],
    (S.SHIPPED, "report_problem"): [
        (STATUS, S.SHIPPED, S.DELIVERED),
        (STATUS, S.DELIVERED, S.IN_DISPUTE),
    ],
    (S.DELIVERED, "report_problem"): [(STATUS, S.DELIVERED, S.IN_DISPUTE)],
    (S.IN_DISPUTE, "dispute_respond"): [(ANSWERED, S.IN_DISPUTE, S.IN_DISPUTE)],
    (S.IN_DISPUTE, "dispute_resolve_complete"): [(STATUS, S.IN_DISPUTE, S.COMPLETED)],
    (S.IN_DISPUTE, "dispute_resolve_refund"): [(RESOLVED, S.IN_DISPUTE, S.IN_DISPUTE)],
    (S.PENDING_PAYMENT, "payment_expire"): [(STATUS, S.PENDING_PAYMENT, S.EXPIRED)],
    (S.DELIVERED, "auto_complete"): [(STATUS, S.DELIVERED, S.COMPLETED)],
}

# Refused with PermissionDenied rather than Conflict: the buyer may not cancel a paid order.
DENIED = {(S.PAID, "cancel_by_buyer"), (S.PROCESSING, "cancel_by_buyer")}

# The beat's services return False instead of raising.
QUIET = {"payment_expire", "auto_complete"}


def snapshot(order: Order) -> dict:
    """Everything a move could touch."""
    order = Order.objects.get(pk=order.pk)
    payment = Payment.objects.get(pk=order.payment_id)
    dispute = Dispute.objects.filter(order=order).values().first()
    return {
        "order": {
            name: getattr(order, name)
            for name in (
                "status",
                "carrier",
                "tracking_number",
                "paid_at",
                "accepted_at",
                "shipped_at",
                "delivered_at",
                "completed_at",
                "cancelled_at",
                "updated_at",
            )
        },
        "events": list(order.events.values_list("pk", flat=True)),
        "payment": (payment.status, payment.amount_due_amount, payment.updated_at),
        "payment_events": PaymentEvent.objects.filter(payment=payment).count(),
        "refunds": list(Refund.objects.filter(order=order).values_list("pk", "status")),
        "stock": list(Product.objects.order_by("pk").values_list("pk", "stock")),
        "movements": StockMovement.objects.count(),
        "dispute": dispute,
    }


CASES = [(status, move) for status in STATUSES for move in MOVES]


@pytest.mark.parametrize(("status", "move"), CASES, ids=[f"{s}-{m}" for s, m in CASES])
def test_every_move_from_every_status(shop, status, move):
    order = build(shop, status)
    before = snapshot(order)
    actor = getattr(shop, ACTOR[move]) if ACTOR[move] else None
    expected = ALLOWED.get((status, move))

    if expected is None:
        if move in QUIET:
            assert MOVES[move](shop, order) is False
        else:
            error = PermissionDenied if (status, move) in DENIED else Conflict
            with pytest.raises(error) as raised:
                MOVES[move](shop, order)
            assert raised.value.status_code == (403 if error is PermissionDenied else 409)
            assert str(raised.value.message)
        assert snapshot(order) == before
        return

    MOVES[move](shop, order)

    new = list(order.events.exclude(pk__in=before["events"]).order_by("created_at", "pk"))
    assert [(e.kind, e.from_status, e.to_status) for e in new] == expected
    assert all(event.actor == actor for event in new)
    order.refresh_from_db()
    assert order.status == expected[-1][2]


def test_every_pair_is_covered():
    allowed_statuses = {status for status, _move in ALLOWED}
    assert allowed_statuses <= set(STATUSES)
    assert {move for _status, move in ALLOWED} == set(MOVES)


# --- Roles ------------------------------------------------------------------------------------

# (status, move, role) refused with PermissionDenied: each move, by someone not allowed.
WRONG_ROLES = [
    (S.PAID, "accept", "buyer"),
    (S.PAID, "accept", "stranger"),
    (S.PROCESSING, "ship", "buyer"),
    (S.PROCESSING, "ship", "stranger"),
    (S.SHIPPED, "deliver", "staff"),
    (S.SHIPPED, "deliver", "buyer"),
    (S.DELIVERED, "complete", "manager"),
    (S.DELIVERED, "complete", "platform"),
    (S.DELIVERED, "complete", "stranger"),
    (S.PENDING_PAYMENT, "cancel", "staff"),
    (S.PENDING_PAYMENT, "cancel", "stranger"),
    (S.PAID, "cancel", "staff"),
    (S.PROCESSING, "cancel", "buyer"),
    (S.DELIVERED, "report_problem", "owner"),
    (S.DELIVERED, "report_problem", "platform"),
    (S.IN_DISPUTE, "dispute_respond", "staff"),
    (S.IN_DISPUTE, "dispute_respond", "buyer"),
    (S.IN_DISPUTE, "dispute_resolve", "owner"),
    (S.IN_DISPUTE, "dispute_resolve", "buyer"),
]

BY_ROLE = {
    "accept": lambda order, actor: order_accept(order=order, actor=actor),
    "ship": lambda order, actor: order_ship(order=order, actor=actor),
    "deliver": lambda order, actor: order_deliver(order=order, actor=actor),
    "complete": lambda order, actor: order_complete(order=order, actor=actor),
    "cancel": lambda order, actor: order_cancel(order=order, actor=actor, reason="Alasan"),
    "report_problem": lambda order, actor: order_report_problem(
        order=order, actor=actor, reason="other", description="Ada masalah"
    ),
    "dispute_respond": lambda order, actor: dispute_respond(
        order=order, actor=actor, response="Jawaban"
    ),
    "dispute_resolve": lambda order, actor: dispute_resolve(
        order=order, actor=actor, outcome="complete", note="Selesai"
    ),
}


@pytest.mark.parametrize(
    ("status", "move", "role"), WRONG_ROLES, ids=[f"{s}-{m}-{r}" for s, m, r in WRONG_ROLES]
)
def test_a_move_by_the_wrong_person_is_refused_and_changes_nothing(shop, status, move, role):
    order = build(shop, status)
    before = snapshot(order)

    with pytest.raises(PermissionDenied) as raised:
        BY_ROLE[move](order, getattr(shop, role))

    assert raised.value.status_code == 403
    assert snapshot(order) == before


def test_a_buyer_organisation_member_acts_for_the_buyer(shop):
    """Another member of the organisation the order was bought for is on the buyer side."""
    order = on_terms(shop)
    colleague = UserFactory()
    MembershipFactory(user=colleague, organization=order.buyer_organization, role=Role.STAFF)

    order_cancel(order=order, actor=colleague)

    order.refresh_from_db()
    assert order.status == S.CANCELLED
    assert order.events.last().actor == colleague


def test_a_courier_shipment_needs_the_courier_and_tracking_number(shop):
    order = shop.processing()
    Order.objects.filter(pk=order.pk).update(shipping_method="courier")
    before = snapshot(order)

    with pytest.raises(InvalidInput) as raised:
        order_ship(order=order, actor=shop.staff)

    assert set(raised.value.fields) == {"carrier", "tracking_number"}
    assert snapshot(order) == before

    order_ship(order=order, actor=shop.staff, carrier=" JNE ", tracking_number="JN 0012")
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_number) == (S.SHIPPED, "JNE", "JN0012")
    assert order.shipped_at is not None


def test_cancelling_a_paid_order_needs_a_reason(shop):
    order = shop.paid()
    before = snapshot(order)

    with pytest.raises(InvalidInput) as raised:
        order_cancel(order=order, actor=shop.manager, reason="  ")

    assert "reason" in raised.value.fields
    assert snapshot(order) == before


# --- Buyer cancel and the payment -------------------------------------------------------------


@pytest.fixture
def two_shops(shop, regions):
    """The conftest shop and a second Posyantek, both in one cart of the shop's buyer."""
    other = OrganizationFactory(name="Posyantek Kedua", slug="posyantek-kedua")
    ShippingSettingsFactory(organization=other)
    product = ProductFactory(seller=other, name="Alat Kedua", price_amount=100_000, stock=10)
    return shop, other, product


def place_two(shop, other, product):
    from orders.models import Cart, CartItem
    from orders.services.checkout import checkout_place

    cart, _created = Cart.objects.get_or_create(user=shop.buyer)
    CartItem.objects.create(cart=cart, product=shop.product, quantity=2)
    CartItem.objects.create(cart=cart, product=product, quantity=3)
    data = checkout_body(shop.seller)
    data["shipping"] = {shop.seller.slug: "pickup", other.slug: "pickup"}
    payment = checkout_place(user=shop.buyer, cart=cart, data=data)
    first = payment.orders.get(seller=shop.seller)
    second = payment.orders.get(seller=other)
    return payment, first, second


def test_buyer_cancelling_one_order_of_two_lowers_the_amount_due(two_shops):
    shop, other, product = two_shops
    payment, first, second = place_two(shop, other, product)
    assert payment.amount_due_amount == 300_000 + 300_000

    order_cancel(order=first, actor=shop.buyer)

    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert payment.amount_due_amount == 300_000
    assert PaymentEvent.objects.filter(payment=payment).last().to_status == "pending"
    second.refresh_from_db()
    assert second.status == S.PENDING_PAYMENT
    shop.product.refresh_from_db()
    product.refresh_from_db()
    assert (shop.product.stock, product.stock) == (20, 7)

    order_cancel(order=second, actor=shop.buyer)

    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELLED
    assert payment.amount_due_amount == 0
    assert payment.events.last().to_status == Payment.Status.CANCELLED
    product.refresh_from_db()
    assert product.stock == 10
    assert StockMovement.objects.filter(reason="cancel").count() == 2


def test_buyer_cannot_cancel_while_a_transfer_proof_awaits_confirmation(shop):
    """The payments issue moves a payment to awaiting_confirmation when a proof arrives; here
    the status is set directly (no PaymentEvent), which is all order_cancel reads."""
    order = shop.place()
    Payment.objects.filter(pk=order.payment_id).update(status=Payment.Status.AWAITING_CONFIRMATION)
    before = snapshot(order)

    with pytest.raises(Conflict) as raised:
        order_cancel(order=order, actor=shop.buyer)

    assert raised.value.code == "payment_awaiting_confirmation"
    assert snapshot(order) == before


# --- Seller cancel and refunds ----------------------------------------------------------------


def test_seller_cancel_of_a_paid_order_requests_one_refund_of_the_whole_total(shop):
    order = shop.processing()

    order_cancel(order=order, actor=shop.owner, reason="Mesin rusak")

    order.refresh_from_db()
    assert order.status == S.CANCELLED
    refund = Refund.objects.get(order=order)
    assert refund.status == Refund.Status.REQUESTED
    assert refund.reason == Refund.Reason.SELLER_CANCELLED
    assert refund.requested_by == shop.owner
    assert (refund.goods_amount, refund.shipping_amount, refund.ppn_amount) == (
        order.goods_amount,
        order.shipping_amount,
        order.ppn_amount,
    )
    assert refund.total_amount == order.total_amount == 300_000
    assert refund.events.get().to_status == Refund.Status.REQUESTED
    shop.product.refresh_from_db()
    assert shop.product.stock == 20
    payment = Payment.objects.get(pk=order.payment_id)
    assert payment.status == Payment.Status.PAID  # until the money is back


def test_a_pkp_seller_refund_splits_goods_shipping_and_ppn(regions):
    seller = OrganizationFactory(slug="posyantek-pkp", is_pkp=True)
    ShippingSettingsFactory(organization=seller)
    owner = UserFactory()
    MembershipFactory(user=owner, organization=seller, role=Role.OWNER)
    product = ProductFactory(seller=seller, price_amount=1_000_000, stock=5)
    shop = Shop(
        seller=seller,
        owner=owner,
        manager=owner,
        staff=owner,
        buyer=UserFactory(),
        stranger=UserFactory(),
        platform=UserFactory(is_staff=True),
        product=product,
    )
    order = shop.delivered(quantity=1)
    assert order.seller_is_pkp and order.ppn_amount > 0

    order_report_problem(order=order, actor=shop.buyer, reason="damaged", description="Retak")
    dispute_resolve(order=order, actor=shop.platform, outcome="refund", amount=555_000, note="Half")

    refund = Refund.objects.get(order=order)
    assert refund.total_amount == 555_000
    assert refund.goods_amount + refund.shipping_amount + refund.ppn_amount == 555_000
    # PPN in the order's proportion, rounded half up.
    assert refund.ppn_amount == (555_000 * order.ppn_amount * 2 + order.total_amount) // (
        2 * order.total_amount
    )
    assert refund.ppn_amount > 0 and refund.goods_amount > 0


def test_refund_succeeds_once(shop):
    order = cancelled_paid(shop)
    refund = shop.refund_ready(order.refunds.get())

    refund_mark_succeeded(refund=refund, actor=shop.platform, reference="TRF-1")
    with pytest.raises(Conflict):
        refund_mark_succeeded(refund=refund, actor=shop.platform, reference="TRF-1")

    order.refresh_from_db()
    assert order.status == S.REFUNDED
    assert order.events.filter(to_status=S.REFUNDED).count() == 1
    payment = Payment.objects.get(pk=order.payment_id)
    assert payment.status == Payment.Status.REFUNDED
    assert payment.events.filter(to_status=Payment.Status.REFUNDED).count() == 1
    refund.refresh_from_db()
    assert (refund.status, refund.provider_reference) == (Refund.Status.SUCCEEDED, "TRF-1")
    assert refund.events.filter(to_status=Refund.Status.SUCCEEDED).count() == 1


@pytest.mark.parametrize(
    ("amount", "final"), [(50_000, S.PARTIALLY_REFUNDED), (300_000, S.REFUNDED)]
)
def test_a_dispute_resolved_with_a_refund_stays_in_dispute_until_it_succeeds(shop, amount, final):
    order = disputed(shop)

    dispute = dispute_resolve(
        order=order, actor=shop.platform, outcome="refund", amount=amount, note="Rusak"
    )

    order.refresh_from_db()
    assert order.status == S.IN_DISPUTE
    assert dispute.is_resolved and dispute.refund_amount == amount
    refund = Refund.objects.get(order=order)
    assert (refund.status, refund.reason, refund.total_amount) == ("requested", "dispute", amount)
    # Resolved once: neither another resolution nor an answer any more.
    with pytest.raises(Conflict):
        dispute_resolve(order=order, actor=shop.platform, outcome="complete", note="Lagi")
    with pytest.raises(Conflict):
        dispute_respond(order=order, actor=shop.manager, response="Terlambat")

    refund = shop.refund_ready(refund)
    refund_mark_succeeded(refund=refund, actor=shop.platform, reference="TRF-2")

    order.refresh_from_db()
    assert order.status == final
    event = order.events.last()
    assert (event.from_status, event.to_status, event.actor) == (S.IN_DISPUTE, final, shop.platform)
    payment = Payment.objects.get(pk=order.payment_id)
    expected = "refunded" if final == S.REFUNDED else "partially_refunded"
    assert payment.status == expected


def test_a_refund_larger_than_the_order_is_refused(shop):
    order = disputed(shop)
    before = snapshot(order)

    with pytest.raises(InvalidInput) as raised:
        dispute_resolve(
            order=order, actor=shop.platform, outcome="refund", amount=300_001, note="x"
        )

    assert "amount" in raised.value.fields
    assert snapshot(order) == before


# --- Orders on terms --------------------------------------------------------------------------


@pytest.mark.parametrize(("terms", "days"), [("net_14", 14), ("net_30", 30)])
def test_an_order_on_terms_has_a_due_date_and_reserves_stock(shop, terms, days):
    order = on_terms(shop, payment_terms=terms)

    assert order.status == S.PLACED_ON_TERMS
    assert order.payment_terms == terms
    assert order.due_date == timezone.localdate() + datetime.timedelta(days=days)
    assert order.expires_at is None
    assert order.goods_amount == 280_000  # the agreed price, not the catalogue's
    payment = order.payment
    assert (payment.status, payment.due_date, payment.expires_at) == (
        Payment.Status.PENDING,
        order.due_date,
        None,
    )
    shop.product.refresh_from_db()
    assert shop.product.stock == 18
    event = order.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", S.PLACED_ON_TERMS, shop.buyer)


def test_the_due_date_counts_from_the_day_in_jakarta(monkeypatch):
    from orders.services.terms import due_date_for

    # 20:00 UTC on 31 Jan is 03:00 on 1 Feb in Jakarta.
    placed = datetime.datetime(2026, 1, 31, 20, 0, tzinfo=datetime.UTC)
    assert due_date_for(placed_at=placed, payment_terms="net_14") == datetime.date(2026, 2, 15)
    assert due_date_for(placed_at=placed, payment_terms="net_30") == datetime.date(2026, 3, 3)


def test_an_order_on_terms_never_expires(shop):
    order = on_terms(shop)

    assert payment_expire(payment_id=order.payment_id, now=timezone.now() + FAR) is False
    assert order.payment_id not in payments_due_for_expiry(timezone.now() + FAR)
    assert orders_expire_unpaid() == 0

    order.refresh_from_db()
    assert order.status == S.PLACED_ON_TERMS
    shop.product.refresh_from_db()
    assert shop.product.stock == 18


def test_an_order_on_terms_is_accepted_and_fulfilled(shop):
    order = on_terms(shop)

    order_accept(order=order, actor=shop.staff)
    order_ship(order=order, actor=shop.staff)
    order_deliver(order=order, actor=shop.owner)
    order_complete(order=order, actor=shop.buyer)

    order.refresh_from_db()
    assert order.status == S.COMPLETED
    assert [e.to_status for e in order.events.all()] == [
        S.PLACED_ON_TERMS,
        S.PROCESSING,
        S.SHIPPED,
        S.DELIVERED,
        S.COMPLETED,
    ]


def test_terms_are_refused_for_an_unverified_organisation(shop):
    company = OrganizationFactory(kind="industry", verification_status="pending")
    MembershipFactory(user=shop.buyer, organization=company, role=Role.OWNER)

    with pytest.raises(InvalidInput) as raised:
        order_place_on_terms(
            user=shop.buyer,
            data=checkout_body(shop.seller, buyer_organization=company.slug),
            lines=[TermsLine(product=shop.product, quantity=2, unit_price_amount=140_000)],
            payment_terms="net_14",
        )

    assert "buyer_organization" in raised.value.fields
    assert Order.objects.count() == 0
    shop.product.refresh_from_db()
    assert shop.product.stock == 20


def test_terms_are_refused_for_a_non_member(shop):
    company = OrganizationFactory(kind="industry")  # verified, but the buyer is not a member

    with pytest.raises(PermissionDenied):
        order_place_on_terms(
            user=shop.buyer,
            data=checkout_body(shop.seller, buyer_organization=company.slug),
            lines=[TermsLine(product=shop.product, quantity=2, unit_price_amount=140_000)],
            payment_terms="net_14",
        )

    assert Order.objects.count() == 0
    assert Payment.objects.count() == 0
    shop.product.refresh_from_db()
    assert shop.product.stock == 20


def test_terms_without_an_organisation_or_with_unknown_terms_are_refused(shop):
    with pytest.raises(InvalidInput) as raised:
        order_place_on_terms(
            user=shop.buyer,
            data=checkout_body(shop.seller),
            lines=[TermsLine(product=shop.product, quantity=2, unit_price_amount=140_000)],
            payment_terms="net_14",
        )
    assert "buyer_organization" in raised.value.fields

    company = company_of(shop.buyer)
    with pytest.raises(InvalidInput) as raised:
        order_place_on_terms(
            user=shop.buyer,
            data=checkout_body(shop.seller, buyer_organization=company.slug),
            lines=[TermsLine(product=shop.product, quantity=2, unit_price_amount=140_000)],
            payment_terms="net_60",
        )
    assert "payment_terms" in raised.value.fields
    assert Order.objects.count() == 0


# --- Auto-completion --------------------------------------------------------------------------


def test_auto_complete_waits_for_the_days(shop):
    order = shop.delivered()
    days = datetime.timedelta(days=settings.ORDER_AUTO_COMPLETE_DAYS)

    assert order_auto_complete(order_id=order.pk, now=order.delivered_at + days / 2) is False
    assert order_auto_complete(order_id=order.pk, now=order.delivered_at + days) is True
    assert order_auto_complete(order_id=order.pk, now=order.delivered_at + days) is False

    order.refresh_from_db()
    assert order.status == S.COMPLETED
    assert order.completed_at == order.delivered_at + days
    assert order.events.filter(to_status=S.COMPLETED).get().actor is None


def test_cancelling_an_accepted_order_on_terms_refunds_nothing(shop):
    """An order on terms is paid after delivery: cancelling it once accepted gives the stock
    back and cancels what is owed — there is no money to refund."""
    order = on_terms(shop)
    order_accept(order=order, actor=shop.staff)

    order_cancel(order=order, actor=shop.manager, reason="Bahan tidak tersedia")

    order.refresh_from_db()
    assert order.status == S.CANCELLED
    shop.product.refresh_from_db()
    assert shop.product.stock == 20
    assert not Refund.objects.filter(order=order).exists()
    payment = Payment.objects.get(pk=order.payment_id)
    assert (payment.status, payment.amount_due_amount) == (Payment.Status.CANCELLED, 0)


@pytest.mark.parametrize(
    ("amount", "expected"), [(100_000, S.PARTIALLY_REFUNDED), (None, S.REFUNDED)]
)
def test_a_dispute_on_an_unpaid_order_on_terms_lowers_what_is_owed(shop, amount, expected):
    """No money came in yet: staff's refund decision becomes a credit on the terms payment, the
    order is (partly) refunded at once, and no Refund is waiting for money to go back."""
    order = on_terms(shop)
    order_accept(order=order, actor=shop.staff)
    order = order_deliver(order=order_ship(order=order, actor=shop.staff), actor=shop.manager)
    order_report_problem(order=order, actor=shop.buyer, reason="damaged", description="Pecah")
    amount = amount or order.total_amount

    dispute_resolve(order=order, actor=shop.platform, outcome="refund", amount=amount, note="Ok")

    order.refresh_from_db()
    payment = Payment.objects.get(pk=order.payment_id)
    assert order.status == expected
    assert payment.amount_due_amount == order.total_amount - amount
    assert payment.status == Payment.Status.PENDING
    assert not Refund.objects.filter(order=order).exists()
    assert order.dispute.refund_amount == amount and order.dispute.is_resolved
