"""The local Stripe stand-in, proven through the real `stripe` library: what the adapter's
tests rely on must behave like Stripe's wire format (form-encoded nested params, JSON objects,
error shapes and status codes, idempotency, signed webhooks)."""

import time

import pytest
import requests
import stripe

from tests.fakes.stripe_server import API_VERSION, parse_form


@pytest.fixture
def client(fake_stripe) -> stripe.StripeClient:
    return stripe.StripeClient(
        "sk_test_fake",
        base_addresses={"api": fake_stripe.url},
        max_network_retries=0,
        stripe_version="2026-10-28.endive",
    )


def session_params(**changes) -> dict:
    params = {
        "mode": "payment",
        "client_reference_id": "42",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": "idr",
                    "unit_amount": 15_000_000,
                    "product_data": {"name": "Pembayaran PAY-0042"},
                },
            }
        ],
        "metadata": {"payment_id": "42", "attempt_id": "7", "payment_code": "PAY-0042"},
        "payment_intent_data": {"metadata": {"payment_id": "42", "attempt_id": "7"}},
        "expires_at": int(time.time()) + 3600,
        "success_url": "http://testserver/pembayaran/PAY-0042/?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://testserver/pembayaran/PAY-0042/?stripe=cancel",
    }
    params.update(changes)
    return params


def create(client, key="payment:42:attempt:1", **changes):
    return client.v1.checkout.sessions.create(
        params=session_params(**changes), options={"idempotency_key": key}
    )


def test_parse_form_nested_keys():
    text = (
        "metadata[payment_id]=42&line_items[0][price_data][product_data][name]=Pembayaran+X"
        "&line_items[0][quantity]=1&line_items[1][quantity]=2"
        "&payment_intent_data[metadata][attempt_id]=7&expand[]=a&expand[]=b&empty="
    )
    assert parse_form(text) == {
        "metadata": {"payment_id": "42"},
        "line_items": [
            {"price_data": {"product_data": {"name": "Pembayaran X"}}, "quantity": "1"},
            {"quantity": "2"},
        ],
        "payment_intent_data": {"metadata": {"attempt_id": "7"}},
        "expand": ["a", "b"],
        "empty": "",
    }


def test_session_create_and_retrieve(fake_stripe, client):
    session = create(client)

    assert session.id.startswith("cs_test_")
    assert session.object == "checkout.session"
    assert session.livemode is False
    assert (session.status, session.payment_status) == ("open", "unpaid")
    assert (session.amount_total, session.currency) == (15_000_000, "idr")
    assert session.client_reference_id == "42"
    assert session.metadata.to_dict() == {
        "payment_id": "42",
        "attempt_id": "7",
        "payment_code": "PAY-0042",
    }
    assert session.payment_intent is None
    assert session.url == f"{fake_stripe.url}/pay/{session.id}"

    call = fake_stripe.requests[-1]
    assert (call.method, call.path, call.status) == ("POST", "/v1/checkout/sessions", 200)
    assert call.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert call.headers["Authorization"] == "Bearer sk_test_fake"
    assert call.headers["Stripe-Version"] == API_VERSION
    assert call.idempotency_key == "payment:42:attempt:1"
    assert call.params["line_items"][0]["price_data"]["unit_amount"] == "15000000"
    assert call.params["payment_intent_data"]["metadata"] == {"payment_id": "42", "attempt_id": "7"}

    again = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["line_items"]})
    assert again.id == session.id
    assert again.line_items.data[0].description == "Pembayaran PAY-0042"
    assert again.line_items.data[0].amount_total == 15_000_000
    assert fake_stripe.requests[-1].params == {"expand": ["line_items"]}


def test_session_create_validates_expires_at(client):
    with pytest.raises(stripe.InvalidRequestError) as error:
        create(client, expires_at=int(time.time()) + 10 * 60)
    assert error.value.http_status == 400
    assert error.value.param == "expires_at"


def test_session_expire(fake_stripe, client):
    session = create(client)

    expired = client.v1.checkout.sessions.expire(session.id)

    assert (expired.status, expired.url) == ("expired", None)
    assert [e["type"] for e in fake_stripe.events_for(session.id)] == ["checkout.session.expired"]
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.checkout.sessions.expire(session.id)
    assert error.value.http_status == 400


def test_complete_pays_the_session(fake_stripe, client):
    session = create(client)

    fake_stripe.complete(session.id)

    paid = client.v1.checkout.sessions.retrieve(session.id)
    assert (paid.status, paid.payment_status) == ("complete", "paid")
    intent = client.v1.payment_intents.retrieve(paid.payment_intent)
    assert intent.id.startswith("pi_test_")
    assert (intent.status, intent.amount_received, intent.currency) == (
        "succeeded",
        15_000_000,
        "idr",
    )
    assert intent.metadata.to_dict() == {"payment_id": "42", "attempt_id": "7"}
    assert intent.latest_charge.startswith("ch_test_")
    types = [e["type"] for e in fake_stripe.events_for(session.id)]
    assert types == ["charge.succeeded", "payment_intent.succeeded", "checkout.session.completed"]
    with pytest.raises(ValueError):
        fake_stripe.complete(session.id)


def test_complete_with_another_amount(fake_stripe, client):
    session = create(client)

    fake_stripe.complete(session.id, amount=100)

    [event] = fake_stripe.events_for(session.id, "checkout.session.completed")
    assert event["data"]["object"]["amount_total"] == 100
    intent = client.v1.payment_intents.retrieve(event["data"]["object"]["payment_intent"])
    assert intent.amount_received == 100


def test_fail_declines_the_card(fake_stripe, client):
    session = create(client)

    intent = fake_stripe.fail(session.id)

    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"
    fetched = client.v1.payment_intents.retrieve(intent["id"])
    assert fetched.status == "requires_payment_method"
    assert fetched.last_payment_error.code == "card_declined"
    assert [e["type"] for e in fake_stripe.events_for(session.id)] == [
        "payment_intent.payment_failed"
    ]

    fake_stripe.complete(session.id)  # the buyer tries another card
    retried = client.v1.payment_intents.retrieve(intent["id"])
    assert (retried.status, retried.last_payment_error) == ("succeeded", None)


def test_refunds(fake_stripe, client):
    session = fake_stripe.complete(create(client).id)
    intent_id = session["payment_intent"]

    refund = client.v1.refunds.create(
        params={"payment_intent": intent_id, "amount": 5_000_000, "metadata": {"refund_id": "3"}},
        options={"idempotency_key": "refund:3"},
    )

    assert refund.id.startswith("re_test_")
    assert (refund.status, refund.amount, refund.payment_intent) == (
        "succeeded",
        5_000_000,
        intent_id,
    )
    assert refund.metadata["refund_id"] == "3"
    assert client.v1.refunds.retrieve(refund.id).amount == 5_000_000
    [charge_refunded] = fake_stripe.events_for(session["id"], "charge.refunded")
    assert charge_refunded["data"]["object"]["amount_refunded"] == 5_000_000

    rest = client.v1.refunds.create(params={"payment_intent": intent_id})
    assert rest.amount == 10_000_000
    listed = client.v1.refunds.list(params={"payment_intent": intent_id})
    assert [r.id for r in listed.data] == [rest.id, refund.id]
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.refunds.create(params={"payment_intent": intent_id})
    assert error.value.code == "charge_already_refunded"


def test_pending_refund_settles_later(fake_stripe, client):
    session = fake_stripe.complete(create(client).id)
    fake_stripe.refund_status = "pending"

    refund = client.v1.refunds.create(params={"payment_intent": session["payment_intent"]})

    assert refund.status == "pending"
    assert fake_stripe.events_for(session["id"], "charge.refunded") == []
    fake_stripe.refund_settle(refund.id)
    assert client.v1.refunds.retrieve(refund.id).status == "succeeded"
    [event] = fake_stripe.events_for(session["id"], "charge.refunded")
    assert event["data"]["object"]["refunded"] is True


def test_refund_of_an_unpaid_intent_is_refused(fake_stripe, client):
    intent = fake_stripe.fail(create(client).id)
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.refunds.create(params={"payment_intent": intent["id"]})
    assert error.value.http_status == 400


def test_idempotent_replay_and_mismatch(fake_stripe, client):
    first = create(client, key="payment:1:attempt:1")
    again = create(client, key="payment:1:attempt:1", expires_at=first.expires_at)

    assert again.id == first.id
    assert fake_stripe.requests[-1].replayed
    assert sum(o["object"] == "checkout.session" for o in fake_stripe.objects.values()) == 1

    with pytest.raises(stripe.IdempotencyError) as error:
        create(client, key="payment:1:attempt:1", client_reference_id="other")
    assert error.value.http_status == 400
    assert error.value.json_body["error"]["type"] == "idempotency_error"


@pytest.mark.parametrize("key", ["", "sk_test_wrong"])
def test_a_missing_or_wrong_key_is_401(fake_stripe, key):
    client = fake_stripe.client(api_key=key)
    with pytest.raises(stripe.AuthenticationError) as error:
        client.v1.checkout.sessions.retrieve("cs_test_x")
    assert error.value.http_status == 401
    assert fake_stripe.requests[-1].status == 401


@pytest.mark.parametrize(
    ("call", "kind"),
    [
        (lambda c: c.v1.checkout.sessions.retrieve("cs_test_nope"), "checkout.session"),
        (lambda c: c.v1.checkout.sessions.expire("cs_test_nope"), "checkout.session"),
        (lambda c: c.v1.payment_intents.retrieve("pi_test_nope"), "payment_intent"),
        (lambda c: c.v1.refunds.retrieve("re_test_nope"), "refund"),
        (
            lambda c: c.v1.refunds.create(params={"payment_intent": "pi_test_nope"}),
            "payment_intent",
        ),
    ],
)
def test_unknown_ids_are_404_resource_missing(client, call, kind):
    with pytest.raises(stripe.InvalidRequestError) as error:
        call(client)
    assert error.value.http_status == 404
    assert error.value.code == "resource_missing"
    body = error.value.json_body["error"]
    assert body["type"] == "invalid_request_error"
    assert body["message"].startswith(f"No such {kind}: ")


def test_signed_event_verifies_with_the_library(fake_stripe, client):
    session = fake_stripe.complete(create(client).id)
    [event] = fake_stripe.events_for(session["id"], "checkout.session.completed")
    assert event["id"].startswith("evt_test_")
    assert event["api_version"] == API_VERSION

    body, header = fake_stripe.signed(event, "whsec_test")
    verified = stripe.Webhook.construct_event(body, header, "whsec_test", tolerance=300)

    assert verified.id == event["id"]
    assert verified.type == "checkout.session.completed"
    assert verified.data.object.payment_status == "paid"
    assert verified.data.object.metadata["attempt_id"] == "7"
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, header, "whsec_other", tolerance=300)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body + b" ", header, "whsec_test", tolerance=300)
    old_body, old_header = fake_stripe.signed(event, timestamp=int(time.time()) - 301)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(old_body, old_header, "whsec_test", tolerance=300)


def test_event_builds_any_type(fake_stripe, client):
    session = create(client)
    event = fake_stripe.event(
        "checkout.session.async_payment_failed", fake_stripe.session(session.id)
    )
    assert event["type"] == "checkout.session.async_payment_failed"
    assert event["data"]["object"]["id"] == session.id
    assert "_line_items" not in event["data"]["object"]


def test_pay_page_completes_and_redirects(fake_stripe, client):
    session = create(client)

    page = requests.get(session.url, timeout=5)
    assert page.status_code == 200
    assert "<button" in page.text and "Pay" in page.text
    paid = requests.post(session.url, allow_redirects=False, timeout=5)

    assert paid.status_code == 303
    assert paid.headers["Location"].endswith(f"?session_id={session.id}")
    assert client.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"
