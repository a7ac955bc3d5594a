"""Stripe's webhook and what follows it, through the real `stripe` library and the local
stand-in (tests/fakes/stripe_server.py): signatures, duplicates, the rules of
payment_apply_event, late money, reconciliation by the beat and card refunds. The ledger
invariant holds after each."""

import datetime

import pytest
from django.utils import timezone

from orders.models import (
    LedgerEntry,
    Order,
    Payment,
    PaymentAttempt,
    Refund,
    WebhookEvent,
)
from orders.services.ledger import ledger_check
from orders.services.lifecycle import order_cancel, payment_expire
from orders.services.payments import payment_attempt_recheck
from orders.services.refunds import refund_request_for_payment, refund_submit
from orders.services.webhooks import payments_reconcile, webhook_event_process
from orders.tasks import payments_reconcile as payments_reconcile_task

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments/stripe/webhook/"
LATER = datetime.timedelta(hours=2)


def deliver(client, fake_stripe, event, *, key="whsec_test", timestamp=None, header=None):
    body, signature = fake_stripe.signed(event, key, timestamp=timestamp)
    extra = {} if header is False else {"HTTP_STRIPE_SIGNATURE": header or signature}
    return committed(client.post, URL, body, content_type="application/json", **extra)


def card_order(shop, quantity=2) -> Order:
    return shop.place(quantity, payment_method="card")


def attempt_of(order: Order) -> PaymentAttempt:
    return PaymentAttempt.objects.get(payment_id=order.payment_id, status="pending")


def one(fake_stripe, session_id, kind):
    (event,) = fake_stripe.events_for(session_id, kind)
    return event


def state(order: Order) -> tuple:
    payment = Payment.objects.get(pk=order.payment_id)
    return (
        payment.status,
        payment.received_amount,
        Order.objects.get(pk=order.pk).status,
        list(payment.attempts.values_list("status", flat=True)),
        LedgerEntry.objects.count(),
    )


@pytest.fixture
def now_commits(django_capture_on_commit_callbacks):
    """Run on-commit work (the processing task, refunds) as each delivery or service call
    ends, as it would after a real commit: `committed(...)` wraps a call."""
    global CAPTURE
    CAPTURE = django_capture_on_commit_callbacks
    yield
    CAPTURE = None


CAPTURE = None


def committed(call, *args, **kwargs):
    if CAPTURE is None:
        return call(*args, **kwargs)
    with CAPTURE(execute=True):
        return call(*args, **kwargs)


def test_a_valid_event_is_stored_once_and_pays_once(shop, fake_stripe, client, now_commits):
    order = card_order(shop)
    session_id = attempt_of(order).provider_reference
    fake_stripe.complete(session_id)
    event = one(fake_stripe, session_id, "checkout.session.completed")

    response = deliver(client, fake_stripe, event)

    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False}
    stored = WebhookEvent.objects.get()
    assert (stored.provider, stored.event_id, stored.event_type) == (
        "stripe",
        event["id"],
        "checkout.session.completed",
    )
    assert stored.payload == event
    assert stored.processed_at is not None and stored.attempts == 1
    payment = Payment.objects.get(pk=order.payment_id)
    assert payment.status == "paid"
    assert payment.received_amount == 300_000
    assert payment.received_reference.startswith("pi_")
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert LedgerEntry.objects.filter(order=order, kind="sale").count() == 1
    assert ledger_check().ok

    before = state(order)
    again = deliver(client, fake_stripe, event)
    assert again.status_code == 200
    assert again.json() == {"received": True, "duplicate": True}
    assert WebhookEvent.objects.count() == 1
    # The same payment told by its other events changes nothing either.
    for kind in ("payment_intent.succeeded", "charge.succeeded"):
        assert deliver(client, fake_stripe, one(fake_stripe, session_id, kind)).status_code == 200
    assert state(order) == before
    assert ledger_check().ok


@pytest.mark.parametrize("case", ["wrong_secret", "tampered", "old", "missing", "garbage"])
def test_bad_signatures_are_400_and_change_nothing(shop, fake_stripe, client, now_commits, case):
    order = card_order(shop)
    session_id = attempt_of(order).provider_reference
    fake_stripe.complete(session_id)
    event = one(fake_stripe, session_id, "checkout.session.completed")
    before = state(order)
    if case == "wrong_secret":
        response = deliver(client, fake_stripe, event, key="whsec_wrong")
    elif case == "tampered":
        body, header = fake_stripe.signed(event)
        body = body.replace(b'"amount_total": 30000000', b'"amount_total": 100')
        assert b"100" in body
        response = client.post(
            URL, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )
    elif case == "old":
        old = int(timezone.now().timestamp()) - 301
        response = deliver(client, fake_stripe, event, timestamp=old)
    elif case == "missing":
        response = deliver(client, fake_stripe, event, header=False)
    else:
        response = deliver(client, fake_stripe, event, header="t=1,v1=abc")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_notification"
    assert not WebhookEvent.objects.exists()
    assert state(order) == before


def test_a_timestamp_within_the_tolerance_is_accepted(shop, fake_stripe, client, now_commits):
    order = card_order(shop)
    session_id = attempt_of(order).provider_reference
    fake_stripe.complete(session_id)
    event = one(fake_stripe, session_id, "checkout.session.completed")
    recent = int(timezone.now().timestamp()) - 240
    assert deliver(client, fake_stripe, event, timestamp=recent).status_code == 200
    assert Payment.objects.get(pk=order.payment_id).status == "paid"


@pytest.mark.parametrize(
    "body", [b"", b"not json", b"{}", b"[]", b'{"id": 1}', b"\xff\xfe", b"null"]
)
def test_garbage_is_400_never_500(fake_stripe, client, body):
    import stripe

    header = stripe.WebhookSignature.generate_signature_header(body.decode("latin-1"), "whsec_test")
    response = client.post(URL, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_without_stripe_configured_the_webhook_is_400(shop, client, fake_stripe, settings):
    event = fake_stripe.event("checkout.session.completed", {"id": "cs_1"})
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert deliver(client, fake_stripe, event).status_code == 400


def test_only_post(client, fake_stripe):
    assert client.get(URL).status_code == 405


def test_an_event_about_no_attempt_of_ours_is_processed_with_a_note(
    fake_stripe, client, now_commits
):
    session = {
        "id": "cs_test_elsewhere",
        "object": "checkout.session",
        "payment_status": "paid",
        "amount_total": 100,
        "currency": "idr",
        "metadata": {},
    }
    event = fake_stripe.event("checkout.session.completed", session)
    assert deliver(client, fake_stripe, event).status_code == 200
    stored = WebhookEvent.objects.get()
    assert stored.processed_at is not None
    assert "nothing to apply" in stored.last_error


def test_a_failure_after_success_changes_nothing(shop, fake_stripe, client, now_commits):
    order = card_order(shop)
    session_id = attempt_of(order).provider_reference
    fake_stripe.complete(session_id)
    session = fake_stripe.session(session_id)
    intent = fake_stripe.objects[session["payment_intent"]]
    deliver(client, fake_stripe, one(fake_stripe, session_id, "checkout.session.completed"))
    before = state(order)
    assert before[0] == "paid"

    late_failures = [
        fake_stripe.event("checkout.session.async_payment_failed", session),
        fake_stripe.event("payment_intent.payment_failed", dict(intent, status="canceled")),
        fake_stripe.event("checkout.session.expired", dict(session, status="expired")),
    ]
    for event in late_failures:
        assert deliver(client, fake_stripe, event).status_code == 200
    assert state(order) == before
    assert WebhookEvent.objects.filter(processed_at__isnull=True).count() == 0
    assert ledger_check().ok


def test_a_declined_card_keeps_the_attempt_open_for_another_card(
    shop, fake_stripe, client, now_commits
):
    order = card_order(shop)
    session_id = attempt_of(order).provider_reference
    fake_stripe.fail(session_id)
    deliver(client, fake_stripe, one(fake_stripe, session_id, "payment_intent.payment_failed"))
    assert state(order)[0] == "pending" and state(order)[3] == ["pending"]
    fake_stripe.complete(session_id)  # another card
    deliver(client, fake_stripe, one(fake_stripe, session_id, "checkout.session.completed"))
    assert state(order)[0] == "paid"


def test_an_async_failure_fails_the_attempt_and_the_buyer_may_retry(
    shop, fake_stripe, client, now_commits
):
    order = card_order(shop)
    session = fake_stripe.session(attempt_of(order).provider_reference)
    deliver(
        client, fake_stripe, fake_stripe.event("checkout.session.async_payment_failed", session)
    )
    payment = Payment.objects.get(pk=order.payment_id)
    assert payment.status == "pending"
    assert list(payment.attempts.values_list("status", flat=True)) == ["failed"]


def test_another_amount_goes_to_review(shop, fake_stripe, client, now_commits):
    order = card_order(shop)
    session_id = attempt_of(order).provider_reference
    fake_stripe.complete(session_id, amount=29_000_000)
    deliver(client, fake_stripe, one(fake_stripe, session_id, "checkout.session.completed"))
    payment = Payment.objects.get(pk=order.payment_id)
    assert (payment.status, payment.review_reason, payment.received_amount) == (
        "needs_review",
        "amount_mismatch",
        290_000,
    )
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
    assert not LedgerEntry.objects.exists()
    assert ledger_check().ok


def test_a_fraction_of_a_rupiah_short_is_not_paid(shop, fake_stripe, client, now_commits):
    order = card_order(shop)
    session_id = attempt_of(order).provider_reference
    fake_stripe.complete(session_id, amount=29_999_950)
    deliver(client, fake_stripe, one(fake_stripe, session_id, "checkout.session.completed"))
    payment = Payment.objects.get(pk=order.payment_id)
    assert (payment.status, payment.received_amount) == ("needs_review", 299_999)


def test_another_currency_is_never_paid(shop, fake_stripe, client, now_commits):
    order = card_order(shop)
    session_id = attempt_of(order).provider_reference
    fake_stripe.complete(session_id)
    event = one(fake_stripe, session_id, "checkout.session.completed")
    event["data"]["object"]["currency"] = "usd"
    assert deliver(client, fake_stripe, event).status_code == 200
    assert state(order)[0] == "pending"
    assert "currency" in WebhookEvent.objects.get().last_error


# --- Late money -------------------------------------------------------------------------------


def expire(order: Order) -> None:
    assert payment_expire(payment_id=order.payment_id, now=timezone.now() + LATER)


def test_success_after_expiry_is_honoured_when_the_stock_is_back(
    shop, fake_stripe, client, now_commits
):
    order = card_order(shop)
    session_id = attempt_of(order).provider_reference
    expire(order)
    assert Order.objects.get(pk=order.pk).status == "expired"
    fake_stripe.complete(session_id)  # the buyer was still on Stripe's page

    deliver(client, fake_stripe, one(fake_stripe, session_id, "checkout.session.completed"))

    payment = Payment.objects.get(pk=order.payment_id)
    assert payment.status == "paid"
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert shop.product.__class__.objects.get(pk=shop.product.pk).stock == 18
    assert not Refund.objects.exists()
    assert ledger_check().ok


def test_success_after_expiry_is_refunded_through_stripe_when_the_stock_is_gone(
    shop, fake_stripe, client, now_commits
):
    order = card_order(shop)
    session_id = attempt_of(order).provider_reference
    expire(order)
    shop.place(20)  # someone else takes all the stock (bank transfer)
    fake_stripe.complete(session_id)

    deliver(client, fake_stripe, one(fake_stripe, session_id, "checkout.session.completed"))

    payment = Payment.objects.get(pk=order.payment_id)
    refund = Refund.objects.get(payment=payment)
    assert (refund.provider, refund.reason, refund.total_amount, refund.status) == (
        "card",
        "late_payment",
        300_000,
        "succeeded",
    )
    assert refund.provider_reference.startswith("re_")
    assert payment.status == "refunded"
    assert Order.objects.get(pk=order.pk).status == "expired"
    calls = [c for c in fake_stripe.requests if c.path == "/v1/refunds" and c.method == "POST"]
    assert len(calls) == 1
    assert calls[0].idempotency_key == f"refund:{refund.pk}"
    assert int(calls[0].params["amount"]) == 30_000_000
    assert calls[0].params["metadata"]["refund_id"] == str(refund.pk)
    # Stripe's charge.refunded arrives afterwards: nothing more happens.
    before = state(order)
    for event in fake_stripe.events_for(session_id, "charge.refunded"):
        assert deliver(client, fake_stripe, event).status_code == 200
    assert state(order) == before
    assert Refund.objects.get(pk=refund.pk).status == "succeeded"
    assert ledger_check().ok


# --- Re-checks and the beat -------------------------------------------------------------------


def test_the_success_page_recheck_applies_a_payment_before_the_webhook(shop, fake_stripe):
    order = card_order(shop)
    attempt = attempt_of(order)
    assert payment_attempt_recheck(attempt=attempt).status == "pending"  # not paid yet
    fake_stripe.complete(attempt.provider_reference)
    payment = payment_attempt_recheck(attempt=attempt)
    assert payment.status == "paid"
    assert payment_attempt_recheck(attempt=attempt).status == "paid"  # again: nothing
    assert LedgerEntry.objects.filter(order=order, kind="sale").count() == 1
    assert ledger_check().ok


def test_reconciliation_applies_a_success_the_webhook_missed(shop, fake_stripe, now_commits):
    order = card_order(shop)
    attempt = attempt_of(order)
    fake_stripe.complete(attempt.provider_reference)
    assert payments_reconcile()["attempts"] == 0  # too early to ask

    counts = committed(payments_reconcile, now=timezone.now() + datetime.timedelta(minutes=16))

    assert counts["attempts"] == 1
    assert state(order)[0] == "paid"
    assert ledger_check().ok
    # The webhook arriving afterwards changes nothing.
    before = state(order)
    payments_reconcile(now=timezone.now() + datetime.timedelta(minutes=30))
    assert state(order) == before


def test_reconciliation_expires_a_stale_attempt_at_stripe(shop, fake_stripe):
    order = card_order(shop)
    attempt = attempt_of(order)
    later = attempt.expires_at + datetime.timedelta(minutes=1)
    payments_reconcile(now=later)
    attempt.refresh_from_db()
    assert attempt.status == "expired"
    assert fake_stripe.session(attempt.provider_reference)["status"] == "expired"
    assert any(c.path.endswith("/expire") for c in fake_stripe.requests)


def test_reconciliation_retries_events_that_failed(shop, fake_stripe, client, monkeypatch):
    order = card_order(shop)
    session_id = attempt_of(order).provider_reference
    fake_stripe.complete(session_id)
    event = one(fake_stripe, session_id, "checkout.session.completed")
    deliver(client, fake_stripe, event)  # stored; its task is never run (no commit capture)
    stored = WebhookEvent.objects.get()
    assert stored.processed_at is None

    from orders.services import payments

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(payments, "payment_apply_event", broken)
    webhook_event_process(webhook_event_id=stored.pk)
    stored.refresh_from_db()
    assert (stored.processed_at, stored.attempts) == (None, 1)
    assert "database went away" in stored.last_error
    monkeypatch.undo()

    assert payments_reconcile()["events"] == 0  # under a minute old
    counts = payments_reconcile_task.apply().get()  # the beat's task
    assert counts["events"] == 0
    counts = payments_reconcile(now=timezone.now() + datetime.timedelta(minutes=2))
    assert counts["events"] == 1
    stored.refresh_from_db()
    assert stored.processed_at is not None and stored.attempts == 2
    assert state(order)[0] == "paid"


def test_the_beat_runs_reconciliation_every_ten_minutes():
    from config.celery_app import app

    entry = app.conf.beat_schedule["orders-payments-reconcile"]
    assert entry["task"] == "orders.tasks.payments_reconcile"
    assert entry["schedule"].minute == set(range(0, 60, 10))


# --- Refunds ----------------------------------------------------------------------------------


def paid_by_card(shop, client, fake_stripe) -> Order:
    order = card_order(shop)
    session_id = attempt_of(order).provider_reference
    fake_stripe.complete(session_id)
    deliver(client, fake_stripe, one(fake_stripe, session_id, "checkout.session.completed"))
    assert state(order)[0] == "paid"
    return Order.objects.get(pk=order.pk)


def refund_posts(fake_stripe):
    return [c for c in fake_stripe.requests if c.path == "/v1/refunds" and c.method == "POST"]


def test_a_card_refund_requested_twice_is_refunded_once(shop, fake_stripe, client, now_commits):
    from core.errors import Conflict

    order = paid_by_card(shop, client, fake_stripe)
    committed(order_cancel, order=order, actor=shop.owner, reason="Stok rusak")
    with pytest.raises(Conflict):
        order_cancel(order=Order.objects.get(pk=order.pk), actor=shop.owner, reason="lagi")

    refund = Refund.objects.get(order=order)
    assert (refund.provider, refund.status, refund.total_amount) == ("card", "succeeded", 300_000)
    assert refund.provider_reference.startswith("re_")
    assert len(refund_posts(fake_stripe)) == 1
    assert refund_submit(refund_id=refund.pk).status == "succeeded"  # a retried task
    assert len(refund_posts(fake_stripe)) == 1
    assert Order.objects.get(pk=order.pk).status == "refunded"
    assert Payment.objects.get(pk=order.payment_id).status == "refunded"
    assert LedgerEntry.objects.filter(order=order, kind="refund").count() == 1
    assert ledger_check().ok


def test_a_pending_card_refund_is_finished_by_charge_refunded(
    shop, fake_stripe, client, now_commits
):
    order = paid_by_card(shop, client, fake_stripe)
    fake_stripe.refund_status = "pending"
    payment = Payment.objects.get(pk=order.payment_id)
    committed(order_cancel, order=order, actor=shop.owner, reason="Stok rusak")
    refund = Refund.objects.get(order=order)
    assert refund.status == "requested"
    assert refund.provider_reference.startswith("re_")  # kept: never sent again

    refund_submit(refund_id=refund.pk)  # the beat's resubmission only looks it up
    assert len(refund_posts(fake_stripe)) == 1
    assert Refund.objects.get(pk=refund.pk).status == "requested"

    fake_stripe.refund_settle(refund.provider_reference)
    session_id = payment.attempts.get().provider_reference
    (event,) = fake_stripe.events_for(session_id, "charge.refunded")
    assert deliver(client, fake_stripe, event).status_code == 200

    refund.refresh_from_db()
    assert refund.status == "succeeded"
    assert Payment.objects.get(pk=payment.pk).status == "refunded"
    assert LedgerEntry.objects.filter(order=order, kind="refund").count() == 1
    # Delivered again (a new event id, the same news): nothing more.
    again = fake_stripe.event("charge.refunded", event["data"]["object"])
    assert deliver(client, fake_stripe, again).status_code == 200
    assert LedgerEntry.objects.filter(order=order, kind="refund").count() == 1
    assert ledger_check().ok


def test_a_refund_stripe_refuses_fails(shop, fake_stripe, client, now_commits):
    order = paid_by_card(shop, client, fake_stripe)
    payment = Payment.objects.get(pk=order.payment_id)
    fake_stripe.refund_status = "succeeded"
    # Refunded elsewhere (the Stripe dashboard): nothing left on the charge.
    intent = payment.received_reference
    fake_stripe.client().v1.refunds.create(params={"payment_intent": intent})
    refund = committed(
        refund_request_for_payment,
        payment=payment,
        amount=1_000,
        reason="overpayment",
        actor=shop.platform,
    )
    refund.refresh_from_db()
    assert refund.status == "failed"
    assert "already been refunded" in refund.failure_reason
