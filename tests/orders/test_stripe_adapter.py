"""The Stripe adapter (orders.payments.stripe) against the local stand-in
(tests/fakes/stripe_server.py): IDR conversion both ways, the Checkout Session a card attempt
creates, the card expiry extension, event mapping and status re-checks."""

import datetime
import json

import pytest
from django.utils import timezone

from orders.models import Order, PaymentAttempt
from orders.payments import methods_available, provider_get
from orders.payments.base import (
    EXPIRED,
    FAILED,
    IGNORED,
    REFUND_SUCCEEDED,
    SUCCEEDED,
    InvalidNotification,
)
from orders.payments.stripe import from_stripe_amount, to_stripe_amount
from orders.services.payments import payment_attempt_start

pytestmark = pytest.mark.django_db


def test_rupiah_converts_to_stripe_hundredths_and_back():
    assert to_stripe_amount(150_000) == 15_000_000
    assert from_stripe_amount(15_000_000) == 150_000
    assert to_stripe_amount(1) == 100
    assert from_stripe_amount(0) == 0
    for amount in (1, 7_500, 150_000, 123_456_789):
        assert from_stripe_amount(to_stripe_amount(amount)) == amount


@pytest.mark.parametrize("minor", [15_000_050, 1, -100, 1.5, "15000000", True, None])
def test_stripe_amounts_that_are_not_whole_rupiah_are_refused(minor):
    with pytest.raises(ValueError):
        from_stripe_amount(minor)


@pytest.mark.parametrize("rupiah", [-1, 1.5, "150000", True, None])
def test_only_whole_rupiah_goes_to_stripe(rupiah):
    with pytest.raises(ValueError):
        to_stripe_amount(rupiah)


def test_stripe_is_hidden_without_keys(settings):
    from orders.payments import _load

    _load.cache_clear()
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert "card" not in methods_available()
    assert not provider_get("stripe").is_available()
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    assert "card" not in methods_available()  # the webhook secret too
    settings.STRIPE_WEBHOOK_SECRET = "whsec_x"
    assert methods_available() == ["bank_transfer", "card"]


def test_a_card_checkout_creates_one_checkout_session(shop, fake_stripe, settings):
    order = shop.place(payment_method="card")
    payment = order.payment
    attempt = payment.attempts.get()
    calls = [c for c in fake_stripe.requests if c.path == "/v1/checkout/sessions"]
    assert len(calls) == 1
    call = calls[0]
    assert call.idempotency_key == f"payment:{payment.pk}:attempt:1" == attempt.idempotency_key
    params = call.params
    item = params["line_items"][0]
    assert item["price_data"]["currency"] == "idr"
    assert int(item["price_data"]["unit_amount"]) == payment.amount_due_amount * 100
    assert item["price_data"]["product_data"]["name"] == f"Pembayaran {payment.code}"
    assert int(item["quantity"]) == 1
    assert params["mode"] == "payment"
    assert params["client_reference_id"] == str(payment.pk)
    expected = {
        "payment_id": str(payment.pk),
        "attempt_id": str(attempt.pk),
        "payment_code": payment.code,
    }
    assert params["metadata"] == expected
    assert params["payment_intent_data"]["metadata"] == expected
    page = f"{settings.SITE_URL}/pembayaran/{payment.code}/"
    assert params["success_url"] == f"{page}?stripe=return&session_id={{CHECKOUT_SESSION_ID}}"
    assert params["cancel_url"] == f"{page}?stripe=cancel"
    # Never later than the payment's expiry.
    assert int(params["expires_at"]) <= payment.expires_at.timestamp()
    session = fake_stripe.session(attempt.provider_reference)
    assert session["amount_total"] == payment.amount_due_amount * 100
    assert attempt.redirect_url == session["url"]
    assert attempt.provider == "stripe" and attempt.method == "card"
    assert attempt.instructions == {}
    assert int(attempt.expires_at.timestamp()) == session["expires_at"]


def test_a_card_attempt_gives_the_payment_at_least_35_minutes(shop, fake_stripe):
    order = shop.place()  # bank transfer
    payment = order.payment
    soon = timezone.now() + datetime.timedelta(minutes=5)
    type(payment).objects.filter(pk=payment.pk).update(expires_at=soon)
    Order.objects.filter(pk=order.pk).update(expires_at=soon)
    payment.refresh_from_db()

    before = timezone.now()
    attempt = payment_attempt_start(payment=payment, method="card", actor=shop.buyer)

    payment.refresh_from_db()
    order.refresh_from_db()
    floor = before + datetime.timedelta(minutes=35)
    assert payment.expires_at >= floor
    assert order.expires_at == payment.expires_at
    assert payment.method == "card"
    session = fake_stripe.session(attempt.provider_reference)
    # Within Stripe's 30 minutes to 24 hours, no later than the payment.
    assert before.timestamp() + 30 * 60 <= session["expires_at"] <= payment.expires_at.timestamp()


def test_a_later_expiry_is_left_alone_and_the_session_lives_at_most_24_hours(shop, fake_stripe):
    order = shop.place()  # bank transfer: 24 hours or more
    payment = order.payment
    far = timezone.now() + datetime.timedelta(hours=30)
    type(payment).objects.filter(pk=payment.pk).update(expires_at=far)
    payment.refresh_from_db()

    attempt = payment_attempt_start(payment=payment, method="card", actor=shop.buyer)

    payment.refresh_from_db()
    assert payment.expires_at == far
    session = fake_stripe.session(attempt.provider_reference)
    assert session["expires_at"] <= timezone.now().timestamp() + 24 * 3600


def test_a_retried_session_create_is_one_session_at_stripe(shop, fake_stripe):
    order = shop.place(payment_method="card")
    attempt = order.payment.attempts.get()
    provider = provider_get("stripe")
    again = provider.start_attempt(payment=order.payment, attempt=attempt)
    assert again.provider_reference == attempt.provider_reference
    sessions = [o for o in fake_stripe.objects.values() if o["object"] == "checkout.session"]
    assert len(sessions) == 1


def test_stripe_down_at_checkout_is_a_503_and_nothing_is_written(shop, fake_stripe):
    from orders.payments.stripe import ProviderUnavailable

    fake_stripe.stop()
    with pytest.raises(ProviderUnavailable) as raised:
        shop.place(payment_method="card")
    assert raised.value.status_code == 503
    assert not Order.objects.exists()
    fake_stripe.start()


# --- Events -----------------------------------------------------------------------------------


def card_attempt(shop) -> PaymentAttempt:
    return shop.place(payment_method="card").payment.attempts.get()


def parse(fake_stripe, event, **options):
    body, header = fake_stripe.signed(event, **options)
    return provider_get("stripe").parse_notification(
        body=body, headers={"Stripe-Signature": header}
    )


def test_paid_session_events_are_successes_in_whole_rupiah(shop, fake_stripe):
    attempt = card_attempt(shop)
    fake_stripe.complete(attempt.provider_reference)
    for kind in ("checkout.session.completed", "payment_intent.succeeded"):
        (raw,) = fake_stripe.events_for(attempt.provider_reference, kind)
        event = parse(fake_stripe, raw)
        assert event.kind == SUCCEEDED
        assert event.amount == attempt.amount_amount == 300_000
        assert event.currency == "IDR"
        assert event.attempt_id == attempt.pk
        assert event.event_id == raw["id"]
        assert event.reference.startswith("pi_")
    session = fake_stripe.session(attempt.provider_reference)
    async_paid = parse(
        fake_stripe, fake_stripe.event("checkout.session.async_payment_succeeded", session)
    )
    assert async_paid.kind == SUCCEEDED


def test_other_session_events(shop, fake_stripe):
    attempt = card_attempt(shop)
    session = fake_stripe.session(attempt.provider_reference)
    unpaid = parse(fake_stripe, fake_stripe.event("checkout.session.completed", session))
    assert unpaid.kind == IGNORED  # complete but not paid yet (an async method)
    failed = parse(fake_stripe, fake_stripe.event("checkout.session.async_payment_failed", session))
    assert (failed.kind, failed.attempt_id) == (FAILED, attempt.pk)
    intent = fake_stripe.fail(attempt.provider_reference)
    declined = parse(
        fake_stripe,
        fake_stripe.events_for(attempt.provider_reference, "payment_intent.payment_failed")[0],
    )
    # A declined card leaves the session open: the buyer may try another card.
    assert declined.kind == IGNORED
    intent["status"] = "canceled"
    cancelled = parse(fake_stripe, fake_stripe.event("payment_intent.payment_failed", intent))
    assert (cancelled.kind, cancelled.raw["failure_reason"]) == (FAILED, "Your card was declined.")
    fake_stripe.expire(attempt.provider_reference)
    (raw,) = fake_stripe.events_for(attempt.provider_reference, "checkout.session.expired")
    assert parse(fake_stripe, raw).kind == EXPIRED
    other = parse(
        fake_stripe, fake_stripe.event("customer.created", {"id": "cus_1", "object": "customer"})
    )
    assert (other.kind, other.attempt_id) == (IGNORED, None)


def test_a_refunded_charge_is_a_refund_event(shop, fake_stripe):
    attempt = card_attempt(shop)
    fake_stripe.complete(attempt.provider_reference)
    (charge_event,) = fake_stripe.events_for(attempt.provider_reference, "charge.succeeded")
    charge = dict(charge_event["data"]["object"], amount_refunded=30_000_000, refunded=True)
    event = parse(fake_stripe, fake_stripe.event("charge.refunded", charge))
    assert (event.kind, event.amount, event.reference) == (
        REFUND_SUCCEEDED,
        300_000,
        charge["payment_intent"],
    )


@pytest.mark.parametrize(
    "case", ["wrong_secret", "tampered", "old", "missing", "garbage", "not_an_object"]
)
def test_bad_notifications_are_invalid(shop, fake_stripe, case):
    event = fake_stripe.event("checkout.session.completed", {"id": "cs_x", "object": "x"})
    body, header = fake_stripe.signed(event)
    headers = {"Stripe-Signature": header}
    if case == "wrong_secret":
        body, header = fake_stripe.signed(event, "whsec_other")
        headers = {"Stripe-Signature": header}
    elif case == "tampered":
        body = body.replace(b"cs_x", b"cs_y")
    elif case == "old":
        old = int(timezone.now().timestamp()) - 301
        body, header = fake_stripe.signed(event, timestamp=old)
        headers = {"Stripe-Signature": header}
    elif case == "missing":
        headers = {}
    elif case == "garbage":
        headers = {"Stripe-Signature": "nonsense"}
    elif case == "not_an_object":
        body, header = fake_stripe.signed([1, 2])
        headers = {"Stripe-Signature": header}
    with pytest.raises(InvalidNotification):
        provider_get("stripe").parse_notification(body=body, headers=headers)


def test_fetch_status_follows_the_session(shop, fake_stripe):
    attempt = card_attempt(shop)
    provider = provider_get("stripe")
    assert provider.fetch_status(attempt=attempt).status == "pending"
    fake_stripe.complete(attempt.provider_reference)
    status = provider.fetch_status(attempt=attempt)
    assert (status.status, status.amount, status.currency) == ("succeeded", 300_000, "IDR")
    assert status.reference.startswith("pi_")

    other = card_attempt_again(shop)
    fake_stripe.expire(other.provider_reference)
    assert provider.fetch_status(attempt=other).status == "expired"


def card_attempt_again(shop) -> PaymentAttempt:
    return shop.place(1, payment_method="card").payment.attempts.get()


def test_events_are_stored_as_sent(shop, fake_stripe):
    attempt = card_attempt(shop)
    fake_stripe.complete(attempt.provider_reference)
    (raw,) = fake_stripe.events_for(attempt.provider_reference, "checkout.session.completed")
    event = parse(fake_stripe, raw)
    assert json.loads(json.dumps(dict(event.raw))) == raw
