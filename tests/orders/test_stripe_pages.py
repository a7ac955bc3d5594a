"""The card pages (issue 10): the card at checkout only when Stripe is configured; on the
payment page "Pay by card" (to Stripe's page, reusing the attempt in flight), "Pay by bank
transfer instead", "Pay by card instead"; the way back from Stripe (?stripe=return re-checks
that attempt of this payment only, ?stripe=cancel says nothing was paid). Stripe is the local
stand-in (`fake_stripe`, tests/fakes/stripe_server.py): no test reaches the internet.

Assertions use status codes, ids, data attributes and the database, not wording."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from orders.models import Cart, CartItem, Payment, PaymentAttempt, PaymentMethod, Provider
from orders.services import payments as payment_services
from orders.services.checkout import checkout_place
from tests.orders.conftest import checkout_body

pytestmark = pytest.mark.django_db

Attempt = PaymentAttempt.Status


def pay_url(payment: Payment) -> str:
    return reverse("orders:payment_detail", args=[payment.code])


def fresh(instance):
    return type(instance).objects.get(pk=instance.pk)


def place(shop, method: str = "bank_transfer") -> Payment:
    cart, _created = Cart.objects.get_or_create(user=shop.buyer)
    CartItem.objects.create(cart=cart, product=shop.product, quantity=2)
    return checkout_place(
        user=shop.buyer, cart=cart, data=checkout_body(shop.seller, payment_method=method)
    )


def pending(payment: Payment) -> PaymentAttempt:
    return PaymentAttempt.objects.get(payment=payment, status=Attempt.PENDING)


def session_creates(fake_stripe) -> int:
    return sum(
        1
        for call in fake_stripe.requests
        if call.method == "POST" and call.path == "/v1/checkout/sessions"
    )


def fake_card_attempt(payment: Payment, *, reference: str = "cs_test_page") -> PaymentAttempt:
    """A card attempt written straight to the database (no Stripe behind it), for the pages'
    own checks: the bank transfer attempt in flight cancelled, the payment by card."""
    PaymentAttempt.objects.filter(payment=payment, status=Attempt.PENDING).update(
        status=Attempt.CANCELLED
    )
    Payment.objects.filter(pk=payment.pk).update(method=PaymentMethod.CARD)
    number = payment.attempts.count() + 1
    return PaymentAttempt.objects.create(
        payment=payment,
        number=number,
        method=PaymentMethod.CARD,
        provider=Provider.STRIPE,
        provider_reference=reference,
        idempotency_key=f"payment:{payment.pk}:attempt:{number}",
        status=Attempt.PENDING,
        amount_amount=payment.amount_due_amount,
        currency=payment.currency,
        expires_at=timezone.now() + datetime.timedelta(minutes=50),
        redirect_url=f"https://checkout.stripe.test/pay/{reference}",
    )


# --- Without Stripe keys (the laptop default) -------------------------------------------------


def test_without_keys_checkout_offers_bank_transfer_only(client, shop):
    cart, _created = Cart.objects.get_or_create(user=shop.buyer)
    CartItem.objects.create(cart=cart, product=shop.product, quantity=1)
    client.force_login(shop.buyer)
    response = client.get(reverse("orders:checkout"))
    assert response.status_code == 200
    form = response.context["form"]
    assert [value for value, _label in form.fields["payment_method"].choices] == ["bank_transfer"]
    assert form["payment_method"].value() == "bank_transfer"
    assert 'value="card"' not in response.content.decode()


def test_without_keys_the_payment_page_offers_no_card(client, shop):
    payment = place(shop)
    client.force_login(shop.buyer)
    response = client.get(pay_url(payment))
    assert response.status_code == 200
    assert not response.context["can_pay_card"]
    html = response.content.decode()
    assert 'id="card-instead"' not in html
    assert 'id="payment-instructions"' in html
    # Posting the card anyway is refused and changes nothing.
    response = client.post(pay_url(payment), {"action": "card"})
    assert response.status_code == 409
    assert 'id="action-error"' in response.content.decode()
    payment = fresh(payment)
    assert payment.method == PaymentMethod.BANK_TRANSFER
    assert pending(payment).method == PaymentMethod.BANK_TRANSFER


def test_a_card_payment_without_keys_can_switch_to_bank_transfer(client, shop):
    payment = place(shop)
    card = fake_card_attempt(payment)
    client.force_login(shop.buyer)
    page = client.get(pay_url(payment))
    html = page.content.decode()
    assert 'id="card-payment"' in html
    assert 'id="card-pay-form"' not in html  # the card is not available now
    assert 'id="card-unavailable"' in html
    assert 'id="switch-transfer-form"' in html
    response = client.post(pay_url(payment), {"action": "bank_transfer"})
    assert response.status_code == 302
    assert response["Location"] == pay_url(payment)
    payment = fresh(payment)
    assert payment.method == PaymentMethod.BANK_TRANSFER
    assert fresh(card).status == Attempt.CANCELLED
    assert pending(payment).method == PaymentMethod.BANK_TRANSFER
    assert 'id="payment-instructions"' in client.get(pay_url(payment)).content.decode()


def test_switching_to_bank_transfer_twice_starts_one_attempt(client, shop):
    payment = place(shop)
    client.force_login(shop.buyer)
    before = payment.attempts.count()
    assert client.post(pay_url(payment), {"action": "bank_transfer"}).status_code == 302
    assert payment.attempts.count() == before


def test_cancel_from_stripe_says_so(client, shop):
    payment = place(shop)
    fake_card_attempt(payment)
    client.force_login(shop.buyer)
    response = client.get(pay_url(payment) + "?stripe=cancel")
    assert response.status_code == 200
    assert response.context["card_notice"] == "cancelled"
    assert 'data-notice="cancelled"' in response.content.decode()
    assert fresh(payment).status == Payment.Status.PENDING


def test_the_return_rechecks_only_this_payments_attempt(client, shop, monkeypatch):
    payment = place(shop)
    card = fake_card_attempt(payment, reference="cs_test_mine")
    other = place(shop)
    theirs = fake_card_attempt(other, reference="cs_test_theirs")
    rechecked = []
    monkeypatch.setattr(
        payment_services,
        "payment_attempt_recheck",
        lambda *, attempt: rechecked.append(attempt.pk),
        raising=False,
    )
    client.force_login(shop.buyer)
    for session_id in ("cs_test_theirs", "cs_test_nope", "", "x" * 300):
        response = client.get(pay_url(payment), {"stripe": "return", "session_id": session_id})
        assert response.status_code == 200
        assert response.context["card_notice"] == "return_unknown"
    assert rechecked == []
    response = client.get(pay_url(payment), {"stripe": "return", "session_id": "cs_test_mine"})
    assert response.status_code == 200
    assert rechecked == [card.pk]
    assert response.context["card_notice"] == "return_pending"
    assert theirs.pk not in rechecked


@pytest.mark.parametrize("error", [ApplicationError("Stripe is down"), RuntimeError("boom")])
def test_a_failing_recheck_is_a_notice_not_an_error_page(client, shop, monkeypatch, error):
    payment = place(shop)
    fake_card_attempt(payment, reference="cs_test_down")

    def down(*, attempt):
        raise error

    monkeypatch.setattr(payment_services, "payment_attempt_recheck", down, raising=False)
    client.force_login(shop.buyer)
    response = client.get(pay_url(payment), {"stripe": "return", "session_id": "cs_test_down"})
    assert response.status_code == 200
    assert response.context["card_notice"] == "check_failed"
    assert 'id="card-notice"' in response.content.decode()
    assert fresh(payment).status == Payment.Status.PENDING


def test_only_the_buyer_side_moves_a_payment(client, shop, settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_test_x", "whsec_x"
    payment = place(shop)
    card = fake_card_attempt(payment)
    client.force_login(shop.stranger)
    assert client.post(pay_url(payment), {"action": "card"}).status_code == 404
    assert client.post(pay_url(payment), {"action": "bank_transfer"}).status_code == 404
    client.force_login(shop.platform)
    page = client.get(pay_url(payment))
    assert not page.context["can_pay_card"] and not page.context["can_switch_transfer"]
    assert client.post(pay_url(payment), {"action": "card"}).status_code == 403
    assert client.post(pay_url(payment), {"action": "bank_transfer"}).status_code == 403
    assert fresh(card).status == Attempt.PENDING
    assert fresh(payment).method == PaymentMethod.CARD


def test_pay_by_card_reuses_the_attempt_in_flight(client, shop, settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_test_x", "whsec_x"
    payment = place(shop)
    card = fake_card_attempt(payment)
    client.force_login(shop.buyer)
    page = client.get(pay_url(payment))
    assert 'id="card-pay-form"' in page.content.decode()
    for _twice in range(2):
        response = client.post(pay_url(payment), {"action": "card"})
        assert response.status_code == 302
        assert response["Location"] == card.redirect_url
    assert payment.attempts.count() == 2  # the bank transfer one and this card attempt


def test_a_paid_payment_offers_no_card(client, shop, settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_test_x", "whsec_x"
    order = shop.paid()
    client.force_login(shop.buyer)
    response = client.get(pay_url(order.payment))
    assert not response.context["can_pay_card"]
    assert 'id="card-instead"' not in response.content.decode()
    assert client.post(pay_url(order.payment), {"action": "card"}).status_code == 409
    response = client.get(pay_url(order.payment) + "?stripe=cancel")
    assert response.context["card_notice"] == ""


# --- With Stripe (the local stand-in) ---------------------------------------------------------


def test_checkout_offers_the_card_and_lands_on_the_card_page(client, shop, fake_stripe):
    cart, _created = Cart.objects.get_or_create(user=shop.buyer)
    CartItem.objects.create(cart=cart, product=shop.product, quantity=2)
    client.force_login(shop.buyer)
    response = client.get(reverse("orders:checkout"))
    form = response.context["form"]
    assert [value for value, _label in form.fields["payment_method"].choices] == [
        "bank_transfer",
        "card",
    ]
    assert form["payment_method"].value() == "bank_transfer"  # still the default
    assert 'value="card"' in response.content.decode()

    data = {
        "contact_name": "Budi Santoso",
        "contact_phone": "081234567890",
        "contact_email": "budi@contoh.id",
        "village_province": "36",
        "village_regency": "36.72",
        "village_district": "36.72.07",
        "village_village": "36.72.07.1004",
        "address_line": "Jl. Raya Anyer No. 10",
        "postal_code": "42431",
        "note": "",
        "payment_method": "card",
        f"shipping_{shop.seller.slug}": "pickup",
        "buyer_organization": "",
        "product_ids": form["product_ids"].value(),
        "idempotency_key": form["idempotency_key"].value(),
    }
    response = client.post(reverse("orders:checkout"), data)
    assert response.status_code == 302
    payment = Payment.objects.get(buyer=shop.buyer)
    assert response["Location"] == pay_url(payment)
    assert payment.method == PaymentMethod.CARD
    attempt = pending(payment)
    assert attempt.provider == Provider.STRIPE
    assert attempt.redirect_url.startswith(fake_stripe.url)

    page = client.get(pay_url(payment))
    html = page.content.decode()
    assert 'id="card-payment"' in html
    assert 'id="card-pay-form"' in html
    assert 'id="switch-transfer-form"' in html
    assert 'id="payment-instructions"' not in html
    assert 'id="proof-form"' not in html

    # "Pay by card": Stripe's page of the attempt in flight; no second session.
    creates = session_creates(fake_stripe)
    response = client.post(pay_url(payment), {"action": "card"})
    assert response.status_code == 302
    assert response["Location"] == attempt.redirect_url
    assert session_creates(fake_stripe) == creates
    assert payment.attempts.count() == 1


def test_pay_by_card_instead_of_a_transfer(client, shop, fake_stripe):
    payment = place(shop)
    transfer = pending(payment)
    client.force_login(shop.buyer)
    page = client.get(pay_url(payment))
    assert page.context["can_pay_card"]
    assert 'id="card-instead-form"' in page.content.decode()
    response = client.post(pay_url(payment), {"action": "card"})
    assert response.status_code == 302
    card = pending(payment)
    assert card.method == PaymentMethod.CARD
    assert response["Location"] == card.redirect_url
    assert response["Location"].startswith(f"{fake_stripe.url}/pay/")
    assert fresh(transfer).status == Attempt.CANCELLED
    assert fresh(payment).method == PaymentMethod.CARD
    assert session_creates(fake_stripe) == 1


def test_switch_from_card_to_bank_transfer(client, shop, fake_stripe):
    payment = place(shop, "card")
    card = pending(payment)
    client.force_login(shop.buyer)
    response = client.post(pay_url(payment), {"action": "bank_transfer"})
    assert response.status_code == 302
    assert response["Location"] == pay_url(payment)
    assert fresh(card).status == Attempt.CANCELLED
    assert fresh(payment).method == PaymentMethod.BANK_TRANSFER
    page = client.get(pay_url(payment))
    assert 'id="payment-instructions"' in page.content.decode()
    assert page.context["can_pay_card"]  # and back again is offered


def test_an_expired_card_page_starts_a_new_attempt(client, shop, fake_stripe):
    payment = place(shop, "card")
    first = pending(payment)
    PaymentAttempt.objects.filter(pk=first.pk).update(
        expires_at=timezone.now() + datetime.timedelta(seconds=30)
    )
    client.force_login(shop.buyer)
    response = client.post(pay_url(payment), {"action": "card"})
    assert response.status_code == 302
    second = pending(payment)
    assert second.pk != first.pk and second.number == 2
    assert response["Location"] == second.redirect_url != first.redirect_url
    assert fresh(first).status == Attempt.CANCELLED


def test_back_from_stripe_paid_shows_paid_before_the_webhook(client, shop, fake_stripe):
    payment = place(shop, "card")
    attempt = pending(payment)
    fake_stripe.complete(attempt.provider_reference)
    client.force_login(shop.buyer)
    response = client.get(
        pay_url(payment), {"stripe": "return", "session_id": attempt.provider_reference}
    )
    assert response.status_code == 200
    assert response.context["card_notice"] == "return_succeeded"
    assert response.context["state"] == "paid"
    assert 'id="payment-paid"' in response.content.decode()
    payment = fresh(payment)
    assert payment.status == Payment.Status.PAID
    assert fresh(attempt).status == Attempt.SUCCEEDED
    # Back again (a reload): no second change.
    again = client.get(
        pay_url(payment), {"stripe": "return", "session_id": attempt.provider_reference}
    )
    assert again.status_code == 200
    assert again.context["card_notice"] == "return_succeeded"


def test_back_from_stripe_unpaid_stays_pending(client, shop, fake_stripe):
    payment = place(shop, "card")
    attempt = pending(payment)
    client.force_login(shop.buyer)
    response = client.get(
        pay_url(payment), {"stripe": "return", "session_id": attempt.provider_reference}
    )
    assert response.status_code == 200
    assert response.context["card_notice"] == "return_pending"
    assert fresh(payment).status == Payment.Status.PENDING
    assert 'id="card-pay-form"' in response.content.decode()


def test_another_payments_session_is_not_applied(client, shop, fake_stripe):
    mine = place(shop, "card")
    other = place(shop, "card")
    theirs = pending(other)
    fake_stripe.complete(theirs.provider_reference)
    client.force_login(shop.buyer)
    response = client.get(
        pay_url(mine), {"stripe": "return", "session_id": theirs.provider_reference}
    )
    assert response.status_code == 200
    assert response.context["card_notice"] == "return_unknown"
    assert fresh(mine).status == Payment.Status.PENDING
    assert fresh(other).status == Payment.Status.PENDING  # only its own page re-checks it


def test_stripe_down_on_pay_by_card_is_a_message(client, shop, fake_stripe, settings):
    payment = place(shop)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    client.force_login(shop.buyer)
    response = client.post(pay_url(payment), {"action": "card"})
    assert response.status_code == 503
    assert 'id="action-error"' in response.content.decode()
    payment = fresh(payment)
    assert payment.method == PaymentMethod.BANK_TRANSFER
    assert pending(payment).method == PaymentMethod.BANK_TRANSFER


def test_stripe_down_on_return_is_a_notice(client, shop, fake_stripe, settings):
    payment = place(shop, "card")
    attempt = pending(payment)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    client.force_login(shop.buyer)
    response = client.get(
        pay_url(payment), {"stripe": "return", "session_id": attempt.provider_reference}
    )
    assert response.status_code == 200
    assert response.context["card_notice"] == "check_failed"
    assert fresh(payment).status == Payment.Status.PENDING
