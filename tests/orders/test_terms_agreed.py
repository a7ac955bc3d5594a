"""orders.services.terms.order_place_agreed: one order at agreed prices for a verified buyer
organisation, prepaid (pending_payment with an expiring Payment, like a checkout) or on terms
(placed_on_terms with a due date and an invoice); all or nothing; stock and capacity reserved.
"""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Role
from core.errors import Conflict, InvalidInput, PermissionDenied
from marketplace.capacity import booking_month
from marketplace.models import CapacityBooking, Product, StockMovement
from orders.models import Order, OrderEvent, OrderLine, Payment, PaymentAttempt, PaymentEvent
from orders.services.terms import TermsLine, order_place_agreed
from tests.factories import MembershipFactory, OrganizationFactory, ProductFactory, UserFactory
from tests.orders.conftest import Shop, checkout_body

pytestmark = pytest.mark.django_db


def company_of(user, **changes):
    company = OrganizationFactory(kind="industry", name="PT Pakan Cilegon", **changes)
    MembershipFactory(user=user, organization=company, role=Role.MANAGER)
    return company


def snapshot() -> dict:
    return {
        "orders": Order.objects.count(),
        "payments": Payment.objects.count(),
        "lines": OrderLine.objects.count(),
        "events": OrderEvent.objects.count(),
        "payment_events": PaymentEvent.objects.count(),
        "attempts": PaymentAttempt.objects.count(),
        "stock": list(Product.objects.order_by("pk").values_list("stock", flat=True)),
        "movements": StockMovement.objects.count(),
        "bookings": CapacityBooking.objects.count(),
    }


def place(shop: Shop, *, payment_terms="prepaid", quantity=3, price=120_000, user=None, **data):
    user = user or shop.buyer
    if "buyer_organization" not in data:
        data["buyer_organization"] = company_of(user).slug
    return order_place_agreed(
        user=user,
        data=checkout_body(shop.seller, **data),
        lines=[TermsLine(product=shop.product, quantity=quantity, unit_price_amount=price)],
        payment_terms=payment_terms,
    )


def test_prepaid_agreed_order_awaits_payment_at_the_agreed_price(shop):
    before = timezone.now()

    order = place(shop)

    order = Order.objects.select_related("payment").get(pk=order.pk)
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.payment_terms == Order.PaymentTerms.PREPAID
    assert order.due_date is None
    assert order.buyer_organization.name == "PT Pakan Cilegon"
    assert order.goods_amount == 360_000  # 3 × Rp 120.000, not the list price 150.000
    line = order.lines.get()
    assert (line.unit_price_amount, line.quantity, line.line_amount) == (120_000, 3, 360_000)
    payment = order.payment
    assert payment.status == Payment.Status.PENDING
    assert payment.method == "bank_transfer"
    assert payment.amount_due_amount == order.total_amount
    expiry = datetime.timedelta(hours=settings.BANK_TRANSFER_EXPIRY_HOURS)
    assert before + expiry <= payment.expires_at <= timezone.now() + expiry
    assert order.expires_at == payment.expires_at
    assert payment.attempts.get().status == PaymentAttempt.Status.PENDING
    assert not order.invoices.exists()  # a prepaid order is invoiced when paid
    shop.product.refresh_from_db()
    assert shop.product.stock == 17
    assert list(OrderEvent.objects.filter(order=order).values_list("to_status", flat=True)) == [
        Order.Status.PENDING_PAYMENT
    ]


@pytest.mark.parametrize(("terms", "days"), [("net_14", 14), ("net_30", 30)])
def test_agreed_order_on_terms_is_placed_with_due_date_and_invoice(shop, terms, days):
    order = place(shop, payment_terms=terms)

    order = Order.objects.select_related("payment").get(pk=order.pk)
    assert order.status == Order.Status.PLACED_ON_TERMS
    assert order.payment_terms == terms
    assert order.due_date == timezone.localdate() + datetime.timedelta(days=days)
    assert order.payment.due_date == order.due_date
    assert order.payment.expires_at is None
    assert order.invoices.get(kind="invoice").number.startswith("INV/")
    assert order.goods_amount == 360_000
    shop.product.refresh_from_db()
    assert shop.product.stock == 17


def test_card_is_refused_when_stripe_is_not_configured(shop, settings):
    settings.STRIPE_SECRET_KEY = ""
    from orders.payments import _load

    _load.cache_clear()
    before = snapshot()
    with pytest.raises(InvalidInput) as error:
        place(shop, payment_method="card")
    assert "payment_method" in error.value.fields
    assert snapshot() == before


def test_card_is_used_when_stripe_is_configured(shop, fake_stripe):
    order = place(shop, payment_method="card")

    payment = Payment.objects.get(pk=order.payment_id)
    assert payment.method == "card"
    assert payment.attempts.get().provider == "stripe"
    assert payment.expires_at <= timezone.now() + datetime.timedelta(hours=1)


def test_made_to_order_product_books_capacity_and_refuses_beyond_it(shop):
    product = ProductFactory(
        seller=shop.seller,
        availability=Product.Availability.MADE_TO_ORDER,
        monthly_capacity=5,
        stock=0,
        lead_time_days=3,
        price_amount=200_000,
    )
    user = shop.buyer
    company = company_of(user)

    def agreed(quantity):
        return order_place_agreed(
            user=user,
            data=checkout_body(shop.seller, buyer_organization=company.slug),
            lines=[TermsLine(product=product, quantity=quantity, unit_price_amount=190_000)],
            payment_terms="net_14",
        )

    order = agreed(4)
    booking = CapacityBooking.objects.get()
    assert (booking.quantity, booking.source_id) == (4, str(order.pk))
    assert booking.month == booking_month(at=timezone.now(), lead_time_days=3)
    before = snapshot()
    with pytest.raises(Conflict) as error:
        agreed(2)
    assert product.name in str(error.value.message)
    assert snapshot() == before


def test_out_of_stock_is_a_conflict_and_writes_nothing(shop):
    user = shop.buyer
    company = company_of(user)
    before = snapshot()
    with pytest.raises(Conflict) as error:
        place(shop, quantity=21, buyer_organization=company.slug)
    assert shop.product.name in str(error.value.message)
    assert snapshot() == before


def test_all_or_nothing_over_several_lines(shop):
    second = ProductFactory(seller=shop.seller, name="Pelet Ikan", stock=1, price_amount=10_000)
    company = company_of(shop.buyer)
    before = snapshot()
    with pytest.raises(Conflict):
        order_place_agreed(
            user=shop.buyer,
            data=checkout_body(shop.seller, buyer_organization=company.slug),
            lines=[
                TermsLine(product=shop.product, quantity=2, unit_price_amount=100_000),
                TermsLine(product=second, quantity=2, unit_price_amount=9_000),
            ],
            payment_terms="prepaid",
        )
    assert snapshot() == before


def test_buyer_organisation_is_required_even_when_prepaid(shop):
    before = snapshot()
    with pytest.raises(InvalidInput) as error:
        place(shop, buyer_organization="")
    assert "buyer_organization" in error.value.fields
    assert snapshot() == before


def test_unverified_organisation_cannot_order(shop):
    company = company_of(shop.buyer, verification_status="pending")
    before = snapshot()
    for terms in ("prepaid", "net_14"):
        with pytest.raises(InvalidInput) as error:
            place(shop, payment_terms=terms, buyer_organization=company.slug)
        assert "buyer_organization" in error.value.fields
    assert snapshot() == before


def test_a_stranger_cannot_order_for_someone_elses_organisation(shop):
    company = company_of(UserFactory())
    before = snapshot()
    with pytest.raises(PermissionDenied):
        place(shop, user=shop.stranger, buyer_organization=company.slug)
    assert snapshot() == before


@pytest.mark.parametrize(
    "payment_terms", ["", "net_7", None, 14, ["prepaid"], "prepaid\x00", {"a": 1}]
)
def test_garbage_payment_terms_are_invalid_input(shop, payment_terms):
    before = snapshot()
    with pytest.raises(InvalidInput):
        place(shop, payment_terms=payment_terms)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("quantity", "price"),
    [
        (0, 1),
        (-1, 1),
        ("x", 1),
        (2.5, 1),
        (10**30, 1),
        (1, -1),
        (1, "1000"),
        (1, 10**30),
        (1, True),
        (1, 1.5),
    ],
)
def test_garbage_lines_are_invalid_input(shop, quantity, price):
    before = snapshot()
    with pytest.raises(InvalidInput):
        place(shop, quantity=quantity, price=price)
    assert snapshot() == before


def test_lines_from_two_sellers_or_none_are_refused(shop):
    other = ProductFactory(seller=OrganizationFactory(), stock=5)
    company = company_of(shop.buyer)
    data = checkout_body(shop.seller, buyer_organization=company.slug)
    before = snapshot()
    for lines in (
        [],
        None,
        "abc",
        [
            TermsLine(product=shop.product, quantity=1, unit_price_amount=1),
            TermsLine(product=other, quantity=1, unit_price_amount=1),
        ],
        [
            TermsLine(product=shop.product, quantity=1, unit_price_amount=1),
            TermsLine(product=shop.product, quantity=1, unit_price_amount=1),
        ],
    ):
        with pytest.raises(InvalidInput):
            order_place_agreed(user=shop.buyer, data=data, lines=lines, payment_terms="net_14")
    assert snapshot() == before


def test_archived_product_is_refused(shop):
    shop.product.status = Product.Status.ARCHIVED
    shop.product.save(update_fields=["status"])
    before = snapshot()
    with pytest.raises(InvalidInput):
        place(shop, payment_terms="net_30")
    assert snapshot() == before


def test_garbage_delivery_data_is_invalid_input(shop):
    company = company_of(shop.buyer)
    line = [TermsLine(product=shop.product, quantity=1, unit_price_amount=1)]
    before = snapshot()
    for data in (
        None,
        [],
        "x",
        {"buyer_organization": company.slug},
        checkout_body(shop.seller, buyer_organization=company.slug, contact_name="a\x00b"),
        checkout_body(shop.seller, buyer_organization=company.slug, village=["36"]),
        checkout_body(shop.seller, buyer_organization=["x"]),
        checkout_body(shop.seller, buyer_organization=company.slug, shipping="pickup"),
    ):
        with pytest.raises(InvalidInput):
            order_place_agreed(user=shop.buyer, data=data, lines=line, payment_terms="prepaid")
    assert snapshot() == before


def test_a_terms_order_is_paid_when_its_payment_is_paid(shop):
    """Reports count a sale from Order.paid_at: a terms order gets it from its payment (it has
    no `paid` status to move to); until then it has none, and a cancelled one never does."""
    from orders.services.lifecycle import order_cancel
    from orders.services.payments import payment_mark_paid

    order = place(shop, payment_terms="net_14")
    cancelled = place(shop, payment_terms="net_30", quantity=1)
    order_cancel(order=cancelled, actor=shop.buyer, reason="Tidak jadi")
    assert Order.objects.get(pk=order.pk).paid_at is None

    paid_at = timezone.now() - datetime.timedelta(hours=2)
    payment_mark_paid(payment=order.payment, paid_at=paid_at)

    order.refresh_from_db()
    assert order.paid_at == paid_at
    assert order.status == Order.Status.PLACED_ON_TERMS  # its work goes on as before
    cancelled.refresh_from_db()
    assert cancelled.paid_at is None
