"""Stripe's webhook under real concurrency on PostgreSQL: the same event delivered five times
at once, and a payment's different success events processed at once. Each delivery runs in
its own thread and connection, released together by a barrier (tests/concurrency.py); the
unique (provider, event id) and the row locks decide: paid once, one sale in the ledger."""

import pytest
from django.test import Client

from orders.models import LedgerEntry, Order, Payment, WebhookEvent
from orders.payments import provider_get
from orders.services.ledger import ledger_check
from orders.services.webhooks import webhook_event_process, webhook_event_store
from tests.concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

URL = "/api/v1/payments/stripe/webhook/"


def paid_at_stripe(shop, fake_stripe) -> tuple[Order, str]:
    order = shop.place(payment_method="card")
    session_id = order.payment.attempts.get().provider_reference
    fake_stripe.complete(session_id)
    return order, session_id


@pytest.mark.parametrize("round_", range(3))
def test_the_same_event_delivered_five_times_at_once_pays_once(shop, fake_stripe, round_):
    order, session_id = paid_at_stripe(shop, fake_stripe)
    (event,) = fake_stripe.events_for(session_id, "checkout.session.completed")
    body, header = fake_stripe.signed(event)

    def deliver():
        response = Client().post(
            URL, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )
        return response.status_code, response.json()

    results = race([deliver] * 5)

    assert all(status == 200 for status, _body in results), results
    assert sorted(body["duplicate"] for _status, body in results) == [False] + [True] * 4
    stored = WebhookEvent.objects.get()
    assert stored.processed_at is not None
    payment = Payment.objects.get(pk=order.payment_id)
    assert (payment.status, payment.received_amount) == ("paid", 300_000)
    assert payment.events.filter(to_status="paid", kind="status").count() == 1
    assert LedgerEntry.objects.filter(order=order, kind="sale").count() == 1
    assert ledger_check().ok


def test_one_stored_event_processed_five_times_at_once_is_applied_once(shop, fake_stripe):
    order, session_id = paid_at_stripe(shop, fake_stripe)
    (raw,) = fake_stripe.events_for(session_id, "checkout.session.completed")
    event = provider_get("stripe").event_from_payload(raw)
    # Stored outside a request: its after-commit task has already run once.
    stored, created = webhook_event_store(event=event)
    assert created
    WebhookEvent.objects.filter(pk=stored.pk).update(processed_at=None, attempts=0)

    results = race([lambda: webhook_event_process(webhook_event_id=stored.pk)] * 5)

    assert not [r for r in results if isinstance(r, Exception)], results
    stored.refresh_from_db()
    assert stored.processed_at is not None
    assert stored.attempts == 1
    assert LedgerEntry.objects.filter(order=order, kind="sale").count() == 1
    assert ledger_check().ok


def test_different_success_events_of_one_payment_at_once_pay_once(shop, fake_stripe):
    order, session_id = paid_at_stripe(shop, fake_stripe)
    events = fake_stripe.events_for(session_id, "checkout.session.completed")
    events += fake_stripe.events_for(session_id, "payment_intent.succeeded")
    session = fake_stripe.session(session_id)
    events += [fake_stripe.event("checkout.session.async_payment_succeeded", session)]
    signed = [fake_stripe.signed(event) for event in events]

    def deliver(body, header):
        return lambda: (
            Client()
            .post(URL, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
            .status_code
        )

    results = race([deliver(body, header) for body, header in signed])

    assert results == [200, 200, 200]
    assert WebhookEvent.objects.filter(processed_at__isnull=False).count() == 3
    payment = Payment.objects.get(pk=order.payment_id)
    assert payment.status == "paid"
    assert payment.events.filter(to_status="paid", kind="status").count() == 1
    assert LedgerEntry.objects.filter(order=order, kind="sale").count() == 1
    assert ledger_check().ok
