"""Payments and attempts through the services: the provider interface (bank transfer's
contract), attempt 1 at checkout, new attempts and method switches, payment_mark_paid's
bookkeeping, payment_apply_event's rules (idempotent, never backwards), and the attempt
following expiry and cancellation."""

import datetime

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from orders.models import (
    Invoice,
    LedgerEntry,
    Order,
    Payment,
    PaymentAttempt,
    PaymentEvent,
    Refund,
)
from orders.payments import methods_available, provider_for_method, provider_get
from orders.payments.bank_transfer import BankTransferProvider
from orders.payments.base import (
    AttemptStart,
    AttemptStatus,
    InvalidNotification,
    PaymentProvider,
    ProviderEvent,
    RefundResult,
)
from orders.services.ledger import ledger_check
from orders.services.lifecycle import order_cancel, payment_expire
from orders.services.payments import (
    payment_apply_event,
    payment_attempt_start,
    payment_mark_paid,
)
from tests.factories import ProductFactory
from tests.orders.conftest import checkout_body

pytestmark = pytest.mark.django_db

FAR = datetime.timedelta(days=2)
NO_BANK = {
    "PLATFORM_BANK_NAME": "",
    "PLATFORM_BANK_ACCOUNT_NUMBER": "",
    "PLATFORM_BANK_ACCOUNT_HOLDER": "",
}


def event_for(attempt: PaymentAttempt, *, amount: int, reference: str = "BRI-1", **changes):
    values = {
        "provider": "bank_transfer",
        "event_id": f"transfer:{attempt.pk}:{reference}",
        "kind": "succeeded",
        "attempt_id": attempt.pk,
        "provider_reference": "",
        "amount": amount,
        "currency": "IDR",
        "occurred_at": timezone.now(),
        "reference": reference,
    }
    values.update(changes)
    return ProviderEvent(**values)


def two_order_payment(shop) -> Payment:
    """One checkout, two Posyantek: two orders on one payment."""
    from orders.models import Cart, CartItem
    from orders.services.checkout import checkout_place
    from tests.factories import OrganizationFactory, ShippingSettingsFactory

    other = OrganizationFactory(name="Posyantek Kedua", slug="posyantek-kedua")
    ShippingSettingsFactory(organization=other)
    second = ProductFactory(seller=other, name="Alat Kedua", price_amount=50_000, stock=5)
    cart, _created = Cart.objects.get_or_create(user=shop.buyer)
    CartItem.objects.create(cart=cart, product=shop.product, quantity=1)
    CartItem.objects.create(cart=cart, product=second, quantity=2)
    body = checkout_body(shop.seller)
    body["shipping"] = {shop.seller.slug: "pickup", other.slug: "pickup"}
    return checkout_place(user=shop.buyer, cart=cart, data=body)


# --- The provider interface -------------------------------------------------------------------


def test_bank_transfer_implements_the_provider_interface(shop):
    provider = provider_get("bank_transfer")
    assert isinstance(provider, BankTransferProvider) and isinstance(provider, PaymentProvider)
    assert provider is provider_get("bank_transfer")  # cached
    assert provider_for_method("bank_transfer") is provider
    assert (provider.name, provider.method) == ("bank_transfer", "bank_transfer")
    assert provider.is_available()
    order = shop.place()
    payment = order.payment
    attempt = payment.attempts.get()

    start = provider.start_attempt(payment=payment, attempt=attempt)

    assert isinstance(start, AttemptStart)
    assert start.instructions == {
        "bank_name": "Bank Rakyat Indonesia (BRI)",
        "account_number": "0123-01-000456-30-7",
        "account_holder": "PT Mitra TTG Nusantara",
        "amount": 300_000,
        "code": payment.code,
        "expires_at": payment.expires_at.isoformat(),
    }
    assert (start.expires_at, start.redirect_url, start.provider_reference) == (
        payment.expires_at,
        "",
        "",
    )
    assert provider.fetch_status(attempt=attempt) == AttemptStatus(
        status="pending", amount=None, currency="IDR"
    )
    refund = Refund(pk=7, payment=payment, total_amount=1)
    assert provider.refund(refund=refund, idempotency_key="refund:7") == RefundResult(
        status="pending_manual"
    )


def test_bank_transfer_parses_a_staff_confirmation_into_one_event(shop):
    provider = provider_get("bank_transfer")
    today = timezone.localdate()
    body = {
        "attempt_id": 5,
        "amount": 300_000,
        "reference": " BRI-778 ",
        "received_on": today,
        "actor_id": shop.platform.pk,
    }

    event = provider.parse_notification(body=body, headers={})

    assert (event.provider, event.kind, event.event_id) == (
        "bank_transfer",
        "succeeded",
        "transfer:5:BRI-778",
    )
    assert (event.attempt_id, event.amount, event.currency, event.reference) == (
        5,
        300_000,
        "IDR",
        "BRI-778",
    )
    assert event.actor_id == shop.platform.pk
    assert provider.parse_notification(body=body, headers={}).event_id == event.event_id
    earlier = provider.parse_notification(
        body={**body, "received_on": today - datetime.timedelta(days=2)}, headers={}
    )
    assert timezone.localdate(earlier.occurred_at) == today - datetime.timedelta(days=2)


@pytest.mark.parametrize(
    "change",
    [
        {"attempt_id": "5"},
        {"amount": "300000"},
        {"amount": True},
        {"amount": -1},
        {"reference": "  "},
        {"received_on": "2026-11-01"},
        {"received_on": datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)},
    ],
)
def test_bank_transfer_refuses_a_malformed_confirmation(change):
    body = {
        "attempt_id": 5,
        "amount": 300_000,
        "reference": "BRI-1",
        "received_on": datetime.date(2026, 11, 1),
        "actor_id": None,
    }
    with pytest.raises(InvalidNotification):
        provider_get("bank_transfer").parse_notification(body={**body, **change}, headers={})


def test_methods_available_follow_the_configuration(settings):
    # Stripe is configured as a provider but offered only with both keys.
    assert provider_for_method("card").name == "stripe"
    assert methods_available() == ["bank_transfer"]
    with override_settings(**NO_BANK):
        assert methods_available() == []
    with override_settings(STRIPE_SECRET_KEY="sk_test_x", STRIPE_WEBHOOK_SECRET="whsec_x"):
        assert methods_available() == ["bank_transfer", "card"]
    with pytest.raises(NotFound):
        provider_get("midtrans")
    settings.PAYMENT_PROVIDERS = {"bank_transfer": settings.PAYMENT_PROVIDERS["bank_transfer"]}
    with pytest.raises(NotFound):
        provider_for_method("card")


# --- Attempts -------------------------------------------------------------------------------


def test_checkout_starts_attempt_one_with_the_transfer_instructions(shop):
    order = shop.place()
    payment = order.payment

    attempt = payment.attempts.get()
    assert (attempt.number, attempt.status, attempt.method, attempt.provider) == (
        1,
        "pending",
        "bank_transfer",
        "bank_transfer",
    )
    assert attempt.idempotency_key == f"payment:{payment.pk}:attempt:1"
    assert attempt.amount_amount == payment.amount_due_amount == 300_000
    assert attempt.instructions["code"] == payment.code
    assert attempt.instructions["amount"] == 300_000
    assert attempt.expires_at == payment.expires_at
    assert attempt.created_by == shop.buyer
    assert payment.events.filter(kind="attempt", attempt=attempt, to_status="pending").exists()


def test_checkout_refuses_a_method_that_is_not_available(shop):
    from orders.models import Cart, CartItem
    from orders.services.checkout import checkout_place

    cart, _created = Cart.objects.get_or_create(user=shop.buyer)
    CartItem.objects.create(cart=cart, product=shop.product, quantity=1)
    for method, settings in (("card", {}), ("bank_transfer", NO_BANK)):
        with override_settings(**settings), pytest.raises(InvalidInput) as raised:
            checkout_place(
                user=shop.buyer, cart=cart, data=checkout_body(shop.seller, payment_method=method)
            )
        assert "payment_method" in raised.value.fields
    assert not Payment.objects.exists() and not PaymentAttempt.objects.exists()
    assert cart.items.count() == 1


def test_a_new_attempt_cancels_the_one_in_flight(shop):
    payment = shop.place().payment
    first = payment.attempts.get()

    second = payment_attempt_start(payment=payment, method="bank_transfer", actor=shop.buyer)

    first.refresh_from_db()
    assert first.status == "cancelled"
    assert (second.number, second.status) == (2, "pending")
    assert second.idempotency_key == f"payment:{payment.pk}:attempt:2"
    assert list(payment.attempts.values_list("number", "status")) == [
        (1, "cancelled"),
        (2, "pending"),
    ]
    moves = payment.events.filter(kind="attempt").values_list("attempt__number", "to_status")
    assert list(moves) == [(1, "pending"), (1, "cancelled"), (2, "pending")]


def test_an_attempt_is_refused_to_others_and_when_not_pending(shop):
    payment = shop.place().payment
    before = list(PaymentAttempt.objects.values_list("pk", "status"))

    with pytest.raises(PermissionDenied):
        payment_attempt_start(payment=payment, method="bank_transfer", actor=shop.stranger)
    with pytest.raises(Conflict):
        payment_attempt_start(payment=payment, method="card", actor=shop.buyer)
    payment_mark_paid(payment=payment, actor=shop.platform)
    after_paid = list(PaymentAttempt.objects.values_list("pk", "status"))
    with pytest.raises(Conflict):
        payment_attempt_start(payment=payment, method="bank_transfer", actor=shop.buyer)

    assert before == [(before[0][0], "pending")]
    assert list(PaymentAttempt.objects.values_list("pk", "status")) == after_paid
    assert after_paid == [(before[0][0], "succeeded")]


# --- Paid -----------------------------------------------------------------------------------


def test_mark_paid_records_the_money_the_attempt_invoices_and_sales(
    shop, django_capture_on_commit_callbacks
):
    payment = two_order_payment(shop)
    due = payment.amount_due_amount
    at = timezone.now() - datetime.timedelta(hours=1)

    with django_capture_on_commit_callbacks(execute=True):
        payment_mark_paid(payment=payment, actor=shop.platform, paid_at=at, reference="BRI-9")

    payment.refresh_from_db()
    assert (payment.status, payment.received_amount, payment.received_reference) == (
        "paid",
        due,
        "BRI-9",
    )
    assert payment.received_at == at == payment.paid_at
    attempt = payment.attempts.get()
    assert (attempt.status, attempt.received_amount, attempt.succeeded_at) == (
        "succeeded",
        due,
        at,
    )
    orders = list(payment.orders.order_by("pk"))
    assert {order.status for order in orders} == {"paid"}
    for order in orders:
        assert Invoice.objects.filter(order=order, kind="invoice").count() == 1
        sale = LedgerEntry.objects.get(order=order, kind="sale")
        assert (sale.amount, sale.status, sale.organization_id) == (
            order.total_amount,
            "pending",
            order.seller_id,
        )
    assert ledger_check().ok
    confirmed = [m for m in mail.outbox if payment.code in m.subject]
    assert len(confirmed) == 1 and shop.buyer.email in confirmed[0].to


def test_apply_event_pays_once_and_never_moves_backwards(shop):
    payment = shop.place().payment
    attempt = payment.attempts.get()
    event = event_for(attempt, amount=300_000)

    payment_apply_event(event=event)
    payment_apply_event(event=event)  # the same notification again
    payment_apply_event(event=event_for(attempt, amount=1, reference="OTHER"))
    payment_apply_event(event=event_for(attempt, amount=300_000, kind="failed"))

    payment.refresh_from_db()
    assert payment.status == "paid"
    assert payment.events.filter(kind="status", to_status="paid").count() == 1
    assert Invoice.objects.filter(order__payment=payment).count() == 1
    assert LedgerEntry.objects.filter(order__payment=payment, kind="sale").count() == 1
    attempt.refresh_from_db()
    assert attempt.status == "succeeded"


def test_a_failed_attempt_leaves_the_payment_pending(shop):
    payment = shop.place().payment
    attempt = payment.attempts.get()

    payment_apply_event(
        event=event_for(attempt, amount=None, kind="failed", raw={"failure_reason": "declined"})
    )

    attempt.refresh_from_db()
    payment.refresh_from_db()
    assert (attempt.status, attempt.failure_reason) == ("failed", "declined")
    assert payment.status == "pending"
    again = payment_attempt_start(payment=payment, method="bank_transfer", actor=shop.buyer)
    assert again.number == 2 and again.status == "pending"


def test_apply_event_refuses_foreign_currency_and_unknown_attempts(shop):
    payment = shop.place().payment
    attempt = payment.attempts.get()
    with pytest.raises(InvalidNotification):
        payment_apply_event(event=event_for(attempt, amount=300_000, currency="USD"))
    with pytest.raises(NotFound):
        payment_apply_event(event=event_for(attempt, amount=300_000, attempt_id=attempt.pk + 99))
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert attempt.status == PaymentAttempt.objects.get(pk=attempt.pk).status == "pending"


# --- Expiry and cancellation ------------------------------------------------------------------


def test_expiry_expires_the_attempt_in_flight(shop):
    payment = shop.place().payment

    assert payment_expire(payment_id=payment.pk, now=timezone.now() + FAR)

    attempt = payment.attempts.get()
    assert attempt.status == "expired"
    assert payment.events.filter(kind="attempt", to_status="expired").count() == 1


def test_cancelling_the_last_order_cancels_the_attempt(shop):
    order = shop.place()

    order_cancel(order=order, actor=shop.buyer, reason="Salah pesan")

    assert order.payment.attempts.get().status == "cancelled"
    assert Payment.objects.get(pk=order.payment_id).status == "cancelled"


def test_cancelling_one_of_two_orders_restarts_the_attempt_for_the_lower_amount(shop):
    payment = two_order_payment(shop)
    first, second = payment.orders.order_by("pk")

    order_cancel(order=second, actor=shop.buyer)

    payment.refresh_from_db()
    assert payment.amount_due_amount == first.total_amount
    attempts = list(payment.attempts.order_by("number"))
    assert [(a.number, a.status) for a in attempts] == [(1, "cancelled"), (2, "pending")]
    assert attempts[1].amount_amount == attempts[1].instructions["amount"] == first.total_amount
    assert Order.objects.get(pk=first.pk).status == "pending_payment"
    assert PaymentEvent.objects.filter(payment=payment, kind="attempt").count() == 3


def test_a_payment_event_is_mailed_at_most_once(shop):
    from orders.notifications import payment_event_send

    payment = shop.place().payment
    payment_mark_paid(payment=payment, actor=shop.platform)  # no commit: nothing sent yet
    event = payment.events.get(kind="status", to_status="paid")
    mail.outbox.clear()

    assert payment_event_send(event.pk) == 1
    assert payment_event_send(event.pk) == 0

    assert len(mail.outbox) == 1
    assert PaymentEvent.objects.get(pk=event.pk).notified_at is not None
    # Events nobody is told about are claimed and send nothing.
    quiet = payment.events.filter(kind="attempt").first()
    assert payment_event_send(quiet.pk) == 0


def test_deploy_check_warns_when_nobody_can_pay(settings):
    from orders.checks import payment_methods_configured

    assert payment_methods_configured(None) == []
    settings.PLATFORM_BANK_ACCOUNT_NUMBER = ""
    warnings = payment_methods_configured(None)
    assert [warning.id for warning in warnings] == ["orders.W001"]
