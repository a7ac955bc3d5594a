"""Order notifications (orders.notifications): who gets an e-mail for each move, with a link
to the order and a WhatsApp link to the other party, at most once per event, never for a
rolled-back move. Setup happens outside `django_capture_on_commit_callbacks`, so only the move
under test sends mail (CELERY_TASK_ALWAYS_EAGER in tests).

The messages are in Bahasa Indonesia once translated: these tests assert on recipients, the
order number and links, never on English words."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from orders.models import Order, OrderEvent, Refund
from orders.notifications import order_event_send
from orders.services.disputes import dispute_resolve, dispute_respond, order_report_problem
from orders.services.lifecycle import (
    order_accept,
    order_auto_complete,
    order_cancel,
    order_complete,
    order_deliver,
    order_ship,
    payment_expire,
)
from orders.services.payments import payment_mark_paid
from orders.services.refunds import refund_mark_succeeded
from orders.services.terms import TermsLine, order_place_on_terms
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.orders.conftest import checkout_body

pytestmark = pytest.mark.django_db

SELLER_WA = "6281398765432"  # the Posyantek's WhatsApp
BUYER_WA = "6281234567890"  # the order's contact phone (0812-3456-7890 at checkout)
CONTACT = "budi@contoh.id"  # the order's contact e-mail (conftest checkout_body)


@pytest.fixture
def shop(shop):
    shop.seller.whatsapp = SELLER_WA
    shop.seller.save(update_fields=["whatsapp"])
    return shop


def outbox() -> dict[frozenset, mail.EmailMessage]:
    """The sent messages by their set of recipients (each set must occur once)."""
    messages = {frozenset(message.to): message for message in mail.outbox}
    assert len(messages) == len(mail.outbox), [m.to for m in mail.outbox]
    return messages


def payment_mails(payment) -> list[mail.EmailMessage]:
    """Take the payment's own messages (payment confirmed, refund account needed: their
    subject names the payment code) out of the outbox."""
    taken = [m for m in mail.outbox if payment.code in m.subject]
    mail.outbox[:] = [m for m in mail.outbox if m not in taken]
    return taken


def buyer_side(shop) -> frozenset:
    return frozenset({shop.buyer.email, CONTACT})


def managers(shop) -> frozenset:
    return frozenset({shop.owner.email, shop.manager.email})


def members(shop) -> frozenset:
    return frozenset({shop.owner.email, shop.manager.email, shop.staff.email})


def assert_to_buyer(message, order) -> None:
    """A buyer's message: the order number, its page, a WhatsApp link to the Posyantek."""
    assert order.number in message.subject
    assert order.number in message.body
    assert f"{settings.SITE_URL}/pesanan/{order.number}/" in message.body
    assert f"https://wa.me/{SELLER_WA}?text=" in message.body
    assert f"wa.me/{BUYER_WA}" not in message.body
    assert "&amp;" not in message.body and "&#x27;" not in message.body


def assert_to_seller(message, order) -> None:
    """A Posyantek's message: the order number, the order on its desk, a WhatsApp link to the
    buyer's contact phone."""
    assert order.number in message.subject
    assert order.number in message.body
    desk = f"{settings.SITE_URL}/organisasi/{order.seller.slug}/pesanan/{order.number}/"
    assert desk in message.body
    assert f"https://wa.me/{BUYER_WA}?text=" in message.body
    assert f"wa.me/{SELLER_WA}" not in message.body


# --- Each move ------------------------------------------------------------------------------


def test_a_new_unpaid_order_mails_nobody(shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        order = shop.place()

    assert not any("order_event_notify" in repr(callback) for callback in callbacks)
    assert mail.outbox == []
    event = order.events.get()
    assert event.to_status == Order.Status.PENDING_PAYMENT
    assert event.notified_at is None  # no task was queued for it
    assert order_event_send(event.pk) == 0  # and one would decide the same: nobody


def test_paid_order_tells_every_active_member_of_the_posyantek(
    shop, django_capture_on_commit_callbacks
):
    order = shop.place()
    gone = UserFactory(is_active=False)
    MembershipFactory(user=gone, organization=shop.seller, role=Role.STAFF)

    with django_capture_on_commit_callbacks(execute=True):
        payment_mark_paid(payment=order.payment, actor=shop.platform)

    (confirmed,) = payment_mails(order.payment)  # the buyer's "payment received"
    assert set(confirmed.to) == buyer_side(shop)
    messages = outbox()
    assert set(messages) == {members(shop)}
    assert_to_seller(messages[members(shop)], order)
    assert "Pakan Ternak Ampas Tahu" in messages[members(shop)].body


def test_accept_tells_the_buyer(shop, django_capture_on_commit_callbacks):
    order = shop.paid()

    with django_capture_on_commit_callbacks(execute=True):
        order_accept(order=order, actor=shop.staff, note="Mulai besok")

    messages = outbox()
    assert set(messages) == {buyer_side(shop)}
    assert_to_buyer(messages[buyer_side(shop)], order)
    assert "Mulai besok" in messages[buyer_side(shop)].body


def test_ship_tells_the_buyer_the_courier_and_tracking_number(
    shop, django_capture_on_commit_callbacks
):
    order = shop.processing()

    with django_capture_on_commit_callbacks(execute=True):
        order_ship(order=order, actor=shop.staff, carrier="JNE", tracking_number="JN 0012 3456")

    (message,) = mail.outbox
    assert set(message.to) == buyer_side(shop)
    assert_to_buyer(message, order)
    assert "JNE" in message.body
    assert "JN00123456" in message.body


def test_deliver_tells_the_buyer_how_long_it_has(shop, django_capture_on_commit_callbacks):
    order = shop.shipped()

    with django_capture_on_commit_callbacks(execute=True):
        order_deliver(order=order, actor=shop.manager)

    (message,) = mail.outbox
    assert set(message.to) == buyer_side(shop)
    assert_to_buyer(message, order)
    assert str(settings.ORDER_AUTO_COMPLETE_DAYS) in message.body


def test_buyer_confirming_a_shipped_order_tells_only_the_managers(
    shop, django_capture_on_commit_callbacks
):
    """Two events (delivered, completed) by the buyer: no mail to the buyer about its own
    action; the Posyantek's owners and managers learn it is completed."""
    order = shop.shipped()

    with django_capture_on_commit_callbacks(execute=True):
        order_complete(order=order, actor=shop.buyer)

    messages = outbox()
    assert set(messages) == {managers(shop)}
    assert_to_seller(messages[managers(shop)], order)
    new = order.events.filter(actor=shop.buyer).exclude(from_status="")
    assert [e.to_status for e in new] == ["delivered", "completed"]
    assert all(event.notified_at for event in new)  # both claimed; the first sent nothing


def test_automatic_completion_tells_both_sides(shop, django_capture_on_commit_callbacks):
    order = shop.delivered()
    later = timezone.now() + datetime.timedelta(days=settings.ORDER_AUTO_COMPLETE_DAYS + 1)

    with django_capture_on_commit_callbacks(execute=True):
        assert order_auto_complete(order_id=order.pk, now=later)

    messages = outbox()
    assert set(messages) == {managers(shop), buyer_side(shop)}
    assert_to_buyer(messages[buyer_side(shop)], order)
    assert_to_seller(messages[managers(shop)], order)


def test_buyer_cancelling_an_unpaid_order_tells_the_managers(
    shop, django_capture_on_commit_callbacks
):
    order = shop.place()

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, actor=shop.buyer, reason="Salah pesan")

    messages = outbox()
    assert set(messages) == {managers(shop)}
    assert_to_seller(messages[managers(shop)], order)
    assert "Salah pesan" in messages[managers(shop)].body


def test_seller_cancelling_a_paid_order_tells_the_buyer_about_the_refund(
    shop, django_capture_on_commit_callbacks
):
    order = shop.paid()

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, actor=shop.manager, reason="Mesin rusak")

    (account,) = payment_mails(order.payment)  # the refund waits for the buyer's account
    assert set(account.to) == buyer_side(shop)
    messages = outbox()
    assert set(messages) == {buyer_side(shop)}
    body = messages[buyer_side(shop)].body
    assert_to_buyer(messages[buyer_side(shop)], order)
    assert "Mesin rusak" in body
    assert "Rp 300.000" in body  # the refund of the whole total


def test_platform_staff_cancelling_tells_both_sides(shop, django_capture_on_commit_callbacks):
    order = shop.processing()

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, actor=shop.platform, reason="Penjual tidak aktif")

    payment_mails(order.payment)  # the refund waits for the buyer's account
    messages = outbox()
    assert set(messages) == {buyer_side(shop), managers(shop)}
    assert_to_buyer(messages[buyer_side(shop)], order)
    assert_to_seller(messages[managers(shop)], order)


def test_expiry_tells_the_buyer(shop, django_capture_on_commit_callbacks):
    order = shop.place()
    later = timezone.now() + datetime.timedelta(hours=settings.BANK_TRANSFER_EXPIRY_HOURS + 1)

    with django_capture_on_commit_callbacks(execute=True):
        assert payment_expire(payment_id=order.payment_id, now=later)

    messages = outbox()
    assert set(messages) == {buyer_side(shop)}
    assert_to_buyer(messages[buyer_side(shop)], order)


def test_problem_report_tells_the_managers_and_platform_staff(
    shop, django_capture_on_commit_callbacks
):
    order = shop.shipped()  # the buyer reports on a shipped order: delivered is recorded first
    other_staff = UserFactory(is_staff=True)

    with django_capture_on_commit_callbacks(execute=True):
        order_report_problem(
            order=order, actor=shop.buyer, reason="damaged", description="Pisau patah"
        )

    messages = outbox()
    staff = frozenset({shop.platform.email, other_staff.email})
    assert set(messages) == {managers(shop), staff}
    assert_to_seller(messages[managers(shop)], order)
    assert "Pisau patah" in messages[managers(shop)].body
    # Platform staff can reach both sides.
    assert f"wa.me/{BUYER_WA}" in messages[staff].body
    assert f"wa.me/{SELLER_WA}" in messages[staff].body
    assert f"{settings.SITE_URL}/staf/sengketa/{order.number}/" in messages[staff].body
    assert order.number in messages[staff].subject


def test_a_platform_staff_buyer_is_not_told_of_its_own_report(
    shop, django_capture_on_commit_callbacks
):
    shop.buyer.is_staff = True
    shop.buyer.save(update_fields=["is_staff"])
    order = shop.delivered()

    with django_capture_on_commit_callbacks(execute=True):
        order_report_problem(order=order, actor=shop.buyer, reason="other", description="Aneh")

    messages = outbox()
    assert set(messages) == {managers(shop), frozenset({shop.platform.email})}


def test_seller_answer_tells_the_buyer(shop, django_capture_on_commit_callbacks):
    order = shop.delivered()
    order_report_problem(order=order, actor=shop.buyer, reason="damaged", description="Patah")

    with django_capture_on_commit_callbacks(execute=True):
        dispute_respond(order=order, actor=shop.owner, response="Kami kirim pengganti")

    messages = outbox()
    assert set(messages) == {buyer_side(shop)}
    assert_to_buyer(messages[buyer_side(shop)], order)
    assert "Kami kirim pengganti" in messages[buyer_side(shop)].body


def test_dispute_resolved_with_a_refund_then_refunded(shop, django_capture_on_commit_callbacks):
    order = shop.delivered()
    order_report_problem(order=order, actor=shop.buyer, reason="incomplete", description="Kurang")

    with django_capture_on_commit_callbacks(execute=True):
        dispute_resolve(
            order=order, actor=shop.platform, outcome="refund", amount=50_000, note="Kurang 1"
        )

    payment_mails(order.payment)  # the refund waits for the buyer's account
    messages = outbox()
    assert set(messages) == {buyer_side(shop), managers(shop)}
    assert_to_buyer(messages[buyer_side(shop)], order)
    assert_to_seller(messages[managers(shop)], order)
    assert "Rp 50.000" in messages[buyer_side(shop)].body

    mail.outbox.clear()
    refund = shop.refund_ready(Refund.objects.get(order=order))
    with django_capture_on_commit_callbacks(execute=True):
        refund_mark_succeeded(refund=refund, actor=shop.platform, reference="TRF-77")

    messages = outbox()
    assert set(messages) == {buyer_side(shop)}
    assert_to_buyer(messages[buyer_side(shop)], order)
    assert "Rp 50.000" in messages[buyer_side(shop)].body
    assert "TRF-77" in messages[buyer_side(shop)].body


def test_dispute_resolved_without_refund_tells_both_sides(shop, django_capture_on_commit_callbacks):
    order = shop.delivered()
    order_report_problem(order=order, actor=shop.buyer, reason="other", description="Warna")

    with django_capture_on_commit_callbacks(execute=True):
        dispute_resolve(order=order, actor=shop.platform, outcome="complete", note="Sesuai foto")

    messages = outbox()
    assert set(messages) == {buyer_side(shop), managers(shop)}
    assert "Sesuai foto" in messages[managers(shop)].body


def test_an_order_on_terms_tells_the_members_and_confirms_to_the_buyer(
    shop, django_capture_on_commit_callbacks
):
    company = OrganizationFactory(kind="industry", name="PT Tahu Makmur", slug="pt-tahu-makmur")
    MembershipFactory(user=shop.buyer, organization=company, role=Role.OWNER)

    with django_capture_on_commit_callbacks(execute=True):
        order = order_place_on_terms(
            user=shop.buyer,
            data=checkout_body(shop.seller, buyer_organization=company.slug),
            lines=[TermsLine(product=shop.product, quantity=2, unit_price_amount=140_000)],
            payment_terms="net_30",
        )

    messages = outbox()
    assert set(messages) == {members(shop), buyer_side(shop)}
    assert_to_seller(messages[members(shop)], order)
    assert_to_buyer(messages[buyer_side(shop)], order)
    due = f"{order.due_date.day} "  # "j F Y" — the month name is translated
    assert due in messages[buyer_side(shop)].body
    assert str(order.due_date.year) in messages[buyer_side(shop)].body


# --- At most once ---------------------------------------------------------------------------


def test_an_event_is_sent_at_most_once(shop):
    order = shop.paid()  # on_commit callbacks were not run: the event is unsent
    event = order.events.get(to_status=Order.Status.PAID)
    assert event.notified_at is None

    assert order_event_send(event.pk) == 1
    assert order_event_send(event.pk) == 0

    assert len(mail.outbox) == 1
    event.refresh_from_db()
    assert event.notified_at is not None


def test_an_unknown_event_sends_nothing(db):
    assert order_event_send(987654) == 0
    assert mail.outbox == []


def test_a_failed_send_gives_the_claim_back_for_the_retry(shop, monkeypatch):
    order = shop.paid()
    event = order.events.get(to_status=Order.Status.PAID)

    def broken(**kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("orders.notifications.send_templated_email", broken)
    with pytest.raises(OSError):
        order_event_send(event.pk)
    event.refresh_from_db()
    assert event.notified_at is None

    monkeypatch.undo()
    assert order_event_send(event.pk) == 1


def test_a_rolled_back_move_sends_nothing(shop, django_capture_on_commit_callbacks):
    order = shop.paid()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        order_accept(order=order, actor=shop.staff)
        raise RuntimeError("something after the move failed")

    assert callbacks == []
    assert mail.outbox == []
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert not OrderEvent.objects.filter(order=order, to_status=Order.Status.PROCESSING).exists()
