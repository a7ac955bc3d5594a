"""Scheduled reports (reports.services.scheduled, reports.tasks.scheduled): each verified
Posyantek's owners and managers get the previous month's report (summary and the month's
orders as CSV) and the previous week's digest of new matching needs — exactly once per period,
also when a run repeats, a send fails and is retried, or two beat runs overlap (PostgreSQL,
threads and a barrier)."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from config.celery_app import app
from mitra.models import Need, NeedNotification
from orders.models import Cart, CartItem, Order
from orders.services.checkout import checkout_place
from orders.services.payments import payment_mark_paid
from reports.models import ReportDispatch
from reports.periods import Period
from reports.services.scheduled import (
    monthly_period,
    monthly_report_send,
    monthly_reports_create,
    weekly_digest_send,
    weekly_digests_create,
    weekly_period,
)
from tests.concurrency import race
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    ShippingSettingsFactory,
    UserFactory,
)
from tests.mitra.factories import MatchFactory, NeedFactory
from tests.orders.conftest import checkout_body

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
DEC_1 = datetime.date(2026, 12, 1)
DEC_5 = datetime.date(2026, 12, 5)
MONDAY = datetime.date(2026, 12, 7)  # digests the week of 30 November – 6 December
NOVEMBER = Period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
LAST_WEEK = Period(datetime.date(2026, 11, 30), datetime.date(2026, 12, 6))


def wib(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=WIB)


class Posyantek:
    """A verified Posyantek with an owner, a manager and a staff member (who gets nothing)."""

    def __init__(self, **fields):
        self.org = OrganizationFactory(**fields)
        self.owner, self.manager, self.staff = UserFactory(), UserFactory(), UserFactory()
        for user, role in (
            (self.owner, Role.OWNER),
            (self.manager, Role.MANAGER),
            (self.staff, Role.STAFF),
        ):
            MembershipFactory(user=user, organization=self.org, role=role)

    @property
    def addresses(self) -> set[str]:
        return {self.owner.email, self.manager.email}


def paid_order(posyantek: Posyantek, product, at: datetime.datetime) -> Order:
    """An order placed through checkout and paid, moved to `at` (placed and paid then)."""
    buyer = UserFactory()
    cart = Cart.objects.create(user=buyer)
    CartItem.objects.create(cart=cart, product=product, quantity=1)
    payment = checkout_place(user=buyer, cart=cart, data=checkout_body(posyantek.org))
    payment_mark_paid(payment=payment, actor=UserFactory(is_staff=True))
    order = payment.orders.get()
    Order.objects.filter(pk=order.pk).update(created_at=at, paid_at=at)
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def seller(regions) -> Posyantek:
    posyantek = Posyantek(name="Posyantek Purwakarta", slug="posyantek-purwakarta")
    ShippingSettingsFactory(organization=posyantek.org)
    return posyantek


@pytest.fixture
def sales(seller):
    """Three paid orders: mid-November, 23:30 WIB on 30 November (still November) and
    00:30 WIB on 1 December (December)."""
    product = ProductFactory(seller=seller.org, price_amount=150_000, stock=20)
    orders = {
        "mid": paid_order(seller, product, wib(2026, 11, 15, 10, 0)),
        "last_evening": paid_order(seller, product, wib(2026, 11, 30, 23, 30)),
        "december": paid_order(seller, product, wib(2026, 12, 1, 0, 30)),
    }
    mail.outbox.clear()
    return orders


def run(create, today, callbacks) -> list[int]:
    """One beat run on `today`, its after-commit send tasks run (eager)."""
    with callbacks(execute=True):
        return create(today=today)


def recipients_of(messages) -> list[str]:
    return sorted(address for message in messages for address in message.to)


# --- Periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "today", [DEC_1, DEC_5, datetime.date(2026, 12, 31)], ids=["1st", "5th", "31st"]
)
def test_any_day_of_december_reports_november(today):
    assert monthly_period(today) == NOVEMBER


def test_january_reports_the_december_before():
    assert monthly_period(datetime.date(2027, 1, 1)) == Period(
        datetime.date(2026, 12, 1), datetime.date(2026, 12, 31)
    )


@pytest.mark.parametrize(
    ("today", "monday"),
    [
        (MONDAY, datetime.date(2026, 11, 30)),
        (datetime.date(2026, 12, 13), datetime.date(2026, 11, 30)),  # Sunday: still that week
        (datetime.date(2026, 12, 6), datetime.date(2026, 11, 23)),
    ],
)
def test_the_digest_covers_the_previous_monday_to_sunday(today, monday):
    assert weekly_period(today) == Period(monday, monday + datetime.timedelta(days=6))


# --- Monthly report ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_on_the_1st_owners_and_managers_get_novembers_report_with_its_orders_as_csv(
    sales, seller, django_capture_on_commit_callbacks
):
    created = run(monthly_reports_create, DEC_1, django_capture_on_commit_callbacks)

    dispatch = ReportDispatch.objects.get()
    assert created == [dispatch.pk]
    assert dispatch.organization == seller.org
    assert dispatch.kind == ReportDispatch.Kind.MONTHLY_REPORT
    assert dispatch.period_start == NOVEMBER.start
    assert dispatch.sent_at is not None
    assert dispatch.recipient_count == 2
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == seller.addresses
    assert seller.staff.email not in message.to
    assert "/dasbor/posyantek-purwakarta/?from=2026-11-01&to=2026-11-30" in message.body
    assert "Rp 300.000" in message.body  # gross: two orders of Rp 150.000 in November
    ((filename, content, mimetype),) = message.attachments
    assert filename.endswith(".csv") and "posyantek-purwakarta" in filename
    assert "2026-11-01" in filename and "2026-11-30" in filename
    assert mimetype == "text/csv"
    text = content.decode("utf-8") if isinstance(content, bytes) else content
    assert sales["mid"].number in text
    assert sales["last_evening"].number in text
    assert sales["december"].number not in text
    assert len(text.strip().splitlines()) == 3  # the header and November's two orders


@pytest.mark.django_db
def test_a_run_later_in_the_month_still_reports_the_previous_month_once(
    seller, django_capture_on_commit_callbacks
):
    assert len(run(monthly_reports_create, DEC_1, django_capture_on_commit_callbacks)) == 1
    assert run(monthly_reports_create, DEC_5, django_capture_on_commit_callbacks) == []
    assert run(monthly_reports_create, DEC_1, django_capture_on_commit_callbacks) == []

    assert ReportDispatch.objects.get().period_start == NOVEMBER.start
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_first_run_on_the_5th_reports_the_previous_month(
    seller, django_capture_on_commit_callbacks
):
    run(monthly_reports_create, DEC_5, django_capture_on_commit_callbacks)

    assert ReportDispatch.objects.get().period_start == NOVEMBER.start
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_each_posyantek_gets_its_own_report_and_only_those_with_someone_to_tell(
    seller, django_capture_on_commit_callbacks
):
    other = Posyantek(name="Posyantek Citangkil")
    OrganizationFactory(verification_status="pending")  # not verified
    staff_only = OrganizationFactory()
    MembershipFactory(organization=staff_only, role=Role.STAFF)
    gone = OrganizationFactory()
    MembershipFactory(organization=gone, role=Role.OWNER, user=UserFactory(is_active=False))
    partner = OrganizationFactory(kind="industry")
    MembershipFactory(organization=partner, role=Role.OWNER)

    run(monthly_reports_create, DEC_1, django_capture_on_commit_callbacks)

    assert set(ReportDispatch.objects.values_list("organization_id", flat=True)) == {
        seller.org.pk,
        other.org.pk,
    }
    assert len(mail.outbox) == 2
    by_org = {frozenset(message.to) for message in mail.outbox}
    assert by_org == {frozenset(seller.addresses), frozenset(other.addresses)}


@pytest.mark.django_db
def test_a_failed_send_gives_the_claim_back_and_the_retry_sends_once(
    sales, seller, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        (dispatch_id,) = monthly_reports_create(today=DEC_1)

    def broken(self, *args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with pytest.raises(OSError):
        monthly_report_send(dispatch_id=dispatch_id)
    dispatch = ReportDispatch.objects.get()
    assert dispatch.sent_at is None
    assert dispatch.recipient_count == 0
    monkeypatch.undo()

    assert monthly_report_send(dispatch_id=dispatch_id) == 1
    assert monthly_report_send(dispatch_id=dispatch_id) == 0
    assert len(mail.outbox) == 1
    assert ReportDispatch.objects.get().recipient_count == 2


@pytest.mark.django_db
def test_the_send_task_retries_a_failed_send_and_sends_once(
    seller, monkeypatch, django_capture_on_commit_callbacks
):
    """Through the task (eager): the first attempt fails, the retry sends."""
    from reports.tasks.scheduled import monthly_report_send_task

    with django_capture_on_commit_callbacks(execute=False):
        (dispatch_id,) = monthly_reports_create(today=DEC_1)
    original = __import__("django.core.mail", fromlist=["EmailMessage"]).EmailMessage.send
    attempts = []

    def flaky(self, *args, **kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("SMTP down")
        return original(self, *args, **kwargs)

    monkeypatch.setattr("django.core.mail.EmailMessage.send", flaky)
    # As a worker would: the Retry is not propagated, the task is run again (eagerly).
    result = monthly_report_send_task.apply(args=[dispatch_id], throw=False)

    assert result.get() == 1

    assert len(attempts) == 2
    assert len(mail.outbox) == 1
    assert ReportDispatch.objects.get().sent_at is not None


@pytest.mark.django_db
def test_a_lost_send_task_is_queued_again_by_the_next_run(
    seller, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        monthly_reports_create(today=DEC_1)  # the send task never ran
    assert run(monthly_reports_create, DEC_1, django_capture_on_commit_callbacks) == []
    assert mail.outbox == []  # too early to call it lost: it may still be queued

    ReportDispatch.objects.update(created_at=timezone.now() - datetime.timedelta(hours=2))
    assert run(monthly_reports_create, DEC_5, django_capture_on_commit_callbacks) == []

    assert len(mail.outbox) == 1
    assert ReportDispatch.objects.get().sent_at is not None


@pytest.mark.django_db
def test_a_dispatch_of_the_other_kind_is_not_sent_as_a_report(seller):
    dispatch = ReportDispatch.objects.create(
        organization=seller.org, kind=ReportDispatch.Kind.WEEKLY_DIGEST, period_start=MONDAY
    )
    assert monthly_report_send(dispatch_id=dispatch.pk) == 0
    assert monthly_report_send(dispatch_id=10**9) == 0
    assert mail.outbox == []


# --- Weekly digest -------------------------------------------------------------------------------


@pytest.fixture
def needs(seller):
    """Matches of the seller: two needs published last week (scores 70 and 90), one published
    the week before (not new), one published last week but already closed, one published
    earlier that the Posyantek was first told about last week (new to it)."""
    made = {
        "new_70": NeedFactory(published_at=wib(2026, 11, 30, 0, 5)),
        "new_90": NeedFactory(published_at=wib(2026, 12, 6, 23, 30)),
        "old": NeedFactory(published_at=wib(2026, 11, 29, 23, 30)),
        "closed": NeedFactory(published_at=wib(2026, 12, 2, 9, 0), status=Need.Status.CLOSED),
        "told": NeedFactory(published_at=wib(2026, 11, 1, 9, 0)),
        "next_week": NeedFactory(published_at=wib(2026, 12, 7, 0, 0)),
    }
    scores = {"new_70": 70, "new_90": 90, "old": 95, "closed": 99, "told": 60, "next_week": 97}
    for key, need in made.items():
        MatchFactory(need=need, posyantek=seller.org, score=scores[key])
    told = NeedNotification.objects.create(need=made["told"], posyantek=seller.org, score=60)
    NeedNotification.objects.filter(pk=told.pk).update(created_at=wib(2026, 12, 3, 8, 0))
    return made


@pytest.mark.django_db
def test_the_digest_lists_the_needs_new_last_week_best_first_with_links(
    needs, seller, django_capture_on_commit_callbacks
):
    created = run(weekly_digests_create, MONDAY, django_capture_on_commit_callbacks)

    dispatch = ReportDispatch.objects.get()
    assert created == [dispatch.pk]
    assert dispatch.kind == ReportDispatch.Kind.WEEKLY_DIGEST
    assert dispatch.period_start == LAST_WEEK.start
    assert dispatch.recipient_count == 2
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == seller.addresses
    body = message.body
    links = [f"/mitra/kebutuhan/{needs[key].pk}/" for key in ("new_90", "new_70", "told")]
    positions = [body.index(link) for link in links]
    assert positions == sorted(positions)  # best score first
    for key in ("old", "closed", "next_week"):
        assert f"/mitra/kebutuhan/{needs[key].pk}/" not in body
    assert "3" in message.subject


@pytest.mark.django_db
def test_a_week_without_new_matching_needs_sends_nothing_and_is_not_retried(
    seller, django_capture_on_commit_callbacks
):
    MatchFactory(need=NeedFactory(published_at=wib(2026, 11, 2, 9, 0)), posyantek=seller.org)

    run(weekly_digests_create, MONDAY, django_capture_on_commit_callbacks)
    ReportDispatch.objects.update(created_at=timezone.now() - datetime.timedelta(hours=2))
    run(weekly_digests_create, MONDAY, django_capture_on_commit_callbacks)

    assert mail.outbox == []
    dispatch = ReportDispatch.objects.get()
    assert dispatch.sent_at is not None
    assert dispatch.recipient_count == 0
    assert weekly_digest_send(dispatch_id=dispatch.pk) == 0


@pytest.mark.django_db
def test_the_digest_is_sent_once_per_week(needs, seller, django_capture_on_commit_callbacks):
    run(weekly_digests_create, MONDAY, django_capture_on_commit_callbacks)
    run(
        weekly_digests_create,
        MONDAY + datetime.timedelta(days=3),
        django_capture_on_commit_callbacks,
    )
    assert len(mail.outbox) == 1

    run(
        weekly_digests_create,
        MONDAY + datetime.timedelta(days=7),
        django_capture_on_commit_callbacks,
    )
    assert sorted(ReportDispatch.objects.values_list("period_start", flat=True)) == [
        LAST_WEEK.start,
        MONDAY,
    ]
    assert len(mail.outbox) == 2
    # The week of 7 December: only the need published at 00:00 WIB on the 7th is new.
    body = mail.outbox[1].body
    assert f"/mitra/kebutuhan/{needs['next_week'].pk}/" in body
    assert f"/mitra/kebutuhan/{needs['new_90'].pk}/" not in body


# --- Beat ------------------------------------------------------------------------------------


def test_beat_runs_both_on_schedule_with_registered_tasks():
    app.loader.import_default_modules()  # as a worker does at start
    monthly = app.conf.beat_schedule["reports-monthly"]
    weekly = app.conf.beat_schedule["reports-weekly-digest"]
    assert monthly["task"] == "reports.tasks.scheduled.monthly_reports_task"
    assert weekly["task"] == "reports.tasks.scheduled.weekly_digests_task"
    for entry in (monthly, weekly):
        assert entry["task"] in app.tasks
    for name in ("monthly_report_send_task", "weekly_digest_send_task"):
        assert f"reports.tasks.scheduled.{name}" in app.tasks
    # Asia/Jakarta (the app's timezone), every morning: the first run of a period sends, a
    # later one catches up what was missed and sends nothing twice.
    assert len(monthly["schedule"].day_of_month) == 31
    assert len(weekly["schedule"].day_of_week) == 7
    assert (monthly["schedule"].hour, monthly["schedule"].minute) == ({6}, {0})
    assert (weekly["schedule"].hour, weekly["schedule"].minute) == ({6}, {30})
    assert app.conf.timezone == "Asia/Jakarta"


@pytest.mark.django_db
def test_the_beat_tasks_run_the_services_for_today(seller, monkeypatch):
    """Eager in tests: 06:00 WIB on 1 December is still 30 November in UTC."""
    monkeypatch.setattr(timezone, "now", lambda: wib(2026, 12, 1, 6, 0))
    from reports.tasks.scheduled import monthly_reports_task, weekly_digests_task

    assert monthly_reports_task.delay().get() == 1
    assert ReportDispatch.objects.get().period_start == NOVEMBER.start
    assert weekly_digests_task.delay().get() == 1
    assert ReportDispatch.objects.get(kind="weekly_digest").period_start == datetime.date(
        2026, 11, 23
    )


# --- Overlapping beat runs on PostgreSQL -------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_monthly_runs_at_once_make_one_dispatch_and_one_email_per_recipient(regions):
    posyanteks = [Posyantek(), Posyantek(), Posyantek()]
    mail.outbox.clear()

    results = race([lambda: monthly_reports_create(today=DEC_1)] * 2)

    assert all(isinstance(result, list) for result in results), results
    assert sum(len(result) for result in results) == 3
    assert ReportDispatch.objects.count() == 3
    assert ReportDispatch.objects.filter(sent_at__isnull=True).count() == 0
    assert len(mail.outbox) == 3
    expected = sorted(address for p in posyanteks for address in p.addresses)
    assert recipients_of(mail.outbox) == expected


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_digest_runs_at_once_send_one_digest(regions):
    posyantek = Posyantek()
    MatchFactory(need=NeedFactory(published_at=wib(2026, 12, 1, 9, 0)), posyantek=posyantek.org)
    mail.outbox.clear()

    results = race([lambda: weekly_digests_create(today=MONDAY)] * 3)

    assert sum(len(result) for result in results) == 1, results
    assert ReportDispatch.objects.get().recipient_count == 2
    assert len(mail.outbox) == 1
    assert recipients_of(mail.outbox) == sorted(posyantek.addresses)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_send_tasks_of_one_dispatch_at_once_send_once(regions):
    posyantek = Posyantek()
    dispatch = ReportDispatch.objects.create(
        organization=posyantek.org,
        kind=ReportDispatch.Kind.MONTHLY_REPORT,
        period_start=NOVEMBER.start,
    )

    results = race([lambda: monthly_report_send(dispatch_id=dispatch.pk)] * 3)

    assert sorted(results) == [0, 0, 1], results
    assert len(mail.outbox) == 1
