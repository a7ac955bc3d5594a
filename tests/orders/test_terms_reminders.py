"""Payment reminders of orders on terms (orders.services.terms.terms_reminders_send, the beat
task orders.tasks.terms_reminders_send): one on the due date and one each week while overdue,
to the buyer and the buyer organisation's owners and managers, exactly once per period — also
when two beat runs overlap (PostgreSQL, threads and a barrier)."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from orders.models import Order, TermsReminder
from orders.notifications import terms_reminder_send
from orders.services.lifecycle import order_cancel
from orders.services.payments import payment_mark_paid
from orders.services.terms import (
    TermsLine,
    order_place_agreed,
    terms_reminder_claim,
    terms_reminder_period,
    terms_reminders_send,
)
from orders.services.transfers import payment_proof_upload
from tests.concurrency import race
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.orders.conftest import Shop, checkout_body

DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(days=7)


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "bukti.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", "application/pdf"
    )


class Buyer:
    """A verified feed company with an owner, a manager and a staff member; the manager
    places the orders."""

    def __init__(self):
        self.company = OrganizationFactory(
            kind="industry", name="PT Pakan Cilegon", slug="pt-pakan-cilegon"
        )
        self.owner, self.manager, self.staff = UserFactory(), UserFactory(), UserFactory()
        for user, role in ((self.owner, Role.OWNER), (self.manager, Role.MANAGER)):
            MembershipFactory(user=user, organization=self.company, role=role)
        MembershipFactory(user=self.staff, organization=self.company, role=Role.STAFF)


def on_terms(shop: Shop, buyer: Buyer, *, payment_terms="net_14", quantity=2) -> Order:
    return order_place_agreed(
        user=buyer.manager,
        data=checkout_body(shop.seller, buyer_organization=buyer.company.slug),
        lines=[TermsLine(product=shop.product, quantity=quantity, unit_price_amount=125_000)],
        payment_terms=payment_terms,
    )


def send(today, callbacks) -> int:
    """One beat run on `today`, its after-commit e-mail tasks run (eager)."""
    with callbacks(execute=True):
        return terms_reminders_send(today=today)


@pytest.fixture
def buyer(shop) -> Buyer:
    return Buyer()


@pytest.fixture
def order(shop, buyer) -> Order:
    order = on_terms(shop, buyer)
    mail.outbox.clear()
    return order


# --- Periods --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_after", "period_days"),
    [(0, 0), (1, 0), (6, 0), (7, 7), (8, 7), (13, 7), (14, 14), (30, 28)],
)
def test_reminder_periods_are_the_due_date_then_each_week(days_after, period_days):
    due = datetime.date(2026, 12, 21)
    period = terms_reminder_period(due_date=due, today=due + days_after * DAY)
    assert period == due + period_days * DAY


# --- Who and when ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_nothing_before_the_due_date(order, django_capture_on_commit_callbacks):
    assert send(order.due_date - DAY, django_capture_on_commit_callbacks) == 0
    assert not TermsReminder.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_on_the_due_date_the_buyer_and_its_managers_get_one_reminder(
    shop, buyer, order, django_capture_on_commit_callbacks
):
    invoice = order.invoices.get(kind="invoice")

    assert send(order.due_date, django_capture_on_commit_callbacks) == 1

    reminder = TermsReminder.objects.get()
    assert (reminder.order, reminder.period_start) == (order, order.due_date)
    assert reminder.sent_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([buyer.manager.email, buyer.owner.email])
    assert buyer.staff.email not in message.to and shop.owner.email not in message.to
    assert order.number in message.subject
    body = message.body
    amount = f"Rp {order.total_amount:,}".replace(",", ".")
    assert amount in body
    assert invoice.number in body
    assert order.payment.code in body
    assert "0123-01-000456-30-7" in body  # the platform's collection account
    assert f"/pembayaran/{order.payment.code}/" in body
    assert "wa.me/6281234567890" in body  # the seller's WhatsApp
    assert order.due_date.strftime("%Y") in body


@pytest.mark.django_db
def test_a_second_run_the_same_day_or_week_sends_nothing(order, django_capture_on_commit_callbacks):
    send(order.due_date, django_capture_on_commit_callbacks)
    for days in range(0, 7):
        assert send(order.due_date + days * DAY, django_capture_on_commit_callbacks) == 0
    assert TermsReminder.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_each_week_while_overdue_a_new_reminder(order, django_capture_on_commit_callbacks):
    for days in range(0, 22):
        send(order.due_date + days * DAY, django_capture_on_commit_callbacks)

    periods = sorted(TermsReminder.objects.values_list("period_start", flat=True))
    assert periods == [
        order.due_date,
        order.due_date + WEEK,
        order.due_date + 2 * WEEK,
        order.due_date + 3 * WEEK,
    ]
    assert len(mail.outbox) == 4
    assert "21" in mail.outbox[-1].body  # days overdue in the last one


@pytest.mark.django_db
def test_a_missed_beat_catches_up_with_the_current_period_only(
    order, django_capture_on_commit_callbacks
):
    assert send(order.due_date + 10 * DAY, django_capture_on_commit_callbacks) == 1
    assert list(TermsReminder.objects.values_list("period_start", flat=True)) == [
        order.due_date + WEEK
    ]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_paid_cancelled_prepaid_or_proof_awaiting_orders_get_no_reminder(
    shop, buyer, order, django_capture_on_commit_callbacks
):
    paid = on_terms(shop, buyer)
    payment_mark_paid(payment=paid.payment, actor=shop.platform)
    cancelled = on_terms(shop, buyer)
    order_cancel(order=cancelled, actor=buyer.manager, reason="Tidak jadi")
    proof = on_terms(shop, buyer)
    payment_proof_upload(payment=proof.payment, actor=buyer.manager, file=pdf())
    prepaid = on_terms(shop, buyer, payment_terms="prepaid")
    mail.outbox.clear()

    assert send(order.due_date + 20 * DAY, django_capture_on_commit_callbacks) == 1

    assert list(TermsReminder.objects.values_list("order_id", flat=True)) == [order.pk]
    assert {paid.pk, cancelled.pk, proof.pk, prepaid.pk}.isdisjoint(
        TermsReminder.objects.values_list("order_id", flat=True)
    )
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_order_paid_after_the_claim_is_not_reminded(
    shop, order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        terms_reminders_send(today=order.due_date)
    payment_mark_paid(payment=order.payment, actor=shop.platform)
    mail.outbox.clear()
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    assert TermsReminder.objects.get().sent_at is not None


@pytest.mark.django_db
def test_a_failed_send_gives_the_claim_back_and_the_retry_sends_once(
    order, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        terms_reminders_send(today=order.due_date)
    reminder = TermsReminder.objects.get()

    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("orders.notifications.send_templated_email", broken)
    with pytest.raises(OSError):
        terms_reminder_send(reminder.pk)
    reminder.refresh_from_db()
    assert reminder.sent_at is None
    monkeypatch.undo()

    assert terms_reminder_send(reminder.pk) == 1
    assert terms_reminder_send(reminder.pk) == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_lost_mail_task_is_queued_again_by_the_next_run(
    order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        terms_reminders_send(today=order.due_date)  # the task never ran
    TermsReminder.objects.update(created_at=timezone.now() - datetime.timedelta(hours=2))

    assert send(order.due_date + DAY, django_capture_on_commit_callbacks) == 0

    assert len(mail.outbox) == 1
    assert TermsReminder.objects.get().sent_at is not None


@pytest.mark.django_db
def test_today_is_the_jakarta_date(order, monkeypatch, django_capture_on_commit_callbacks):
    """At 23:30 UTC the day before the due date it is already the due date in Jakarta."""
    due = order.due_date
    utc_evening = datetime.datetime.combine(
        due - DAY, datetime.time(23, 30), tzinfo=zoneinfo.ZoneInfo("UTC")
    )
    monkeypatch.setattr(timezone, "now", lambda: utc_evening)
    with django_capture_on_commit_callbacks(execute=True):
        assert terms_reminders_send() == 1
    assert TermsReminder.objects.get().period_start == due


@pytest.mark.django_db
def test_the_beat_task_is_registered_under_its_scheduled_name(order, settings):
    from config.celery_app import app

    entry = app.conf.beat_schedule["orders-terms-reminders"]
    assert entry["task"] == "orders.tasks.terms_reminders_send"
    assert entry["task"] in app.tasks
    # Eager in tests: the task runs the service for today (nothing due yet).
    assert app.tasks[entry["task"]].delay().get() == 0


# --- Overlapping beat runs on PostgreSQL -----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_beat_runs_at_once_send_each_reminder_once(shop):
    buyer = Buyer()
    orders = [on_terms(shop, buyer) for _ in range(3)]
    mail.outbox.clear()
    due = orders[0].due_date

    results = race([lambda: terms_reminders_send(today=due)] * 2)

    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == 3
    assert sorted(TermsReminder.objects.values_list("order_id", flat=True)) == sorted(
        order.pk for order in orders
    )
    assert TermsReminder.objects.filter(sent_at__isnull=True).count() == 0
    assert len(mail.outbox) == 3
    assert sorted(message.subject for message in mail.outbox) == sorted(
        {message.subject for message in mail.outbox}
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_runs_at_once_over_the_next_week_claim_one_more_each(shop):
    buyer = Buyer()
    order = on_terms(shop, buyer)
    due = order.due_date
    race([lambda: terms_reminders_send(today=due)] * 4)
    mail.outbox.clear()

    results = race([lambda: terms_reminders_send(today=due + WEEK)] * 4)

    assert sum(results) == 1, results
    assert sorted(TermsReminder.objects.values_list("period_start", flat=True)) == [
        due,
        due + WEEK,
    ]
    assert len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_claims_of_one_period_at_once_make_one_row(shop):
    """The claim itself, without the beat's pre-filter: the unique row makes the loser wait
    for the winner's commit and give up (IntegrityError inside its savepoint)."""
    order = on_terms(shop, Buyer())
    mail.outbox.clear()

    results = race([lambda: terms_reminder_claim(order_id=order.pk, today=order.due_date)] * 3)

    assert sum(isinstance(result, TermsReminder) for result in results) == 1, results
    assert sum(result is None for result in results) == 2, results
    assert TermsReminder.objects.get().period_start == order.due_date
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_reminders_are_read_only_in_the_admin(order, client, django_capture_on_commit_callbacks):
    admin_client = client
    admin_client.force_login(UserFactory(is_staff=True, is_superuser=True))
    send(order.due_date, django_capture_on_commit_callbacks)
    reminder = TermsReminder.objects.get()

    assert admin_client.get("/admin/orders/termsreminder/").status_code == 200
    assert admin_client.get(f"/admin/orders/termsreminder/{reminder.pk}/change/").status_code == 200
    assert admin_client.get("/admin/orders/termsreminder/add/").status_code == 403
