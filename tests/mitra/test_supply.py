"""Recurring supply (mitra.services.supply): period maths in Asia/Jakarta, one order per
period (placed) or a reported short period, capacity commitments never counted twice, and on
PostgreSQL two concurrent runs placing exactly one order per period."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.db.models import Sum

from marketplace.models import CapacityBooking, Product
from mitra.models import Partnership, PartnershipEvent, SupplyPeriod
from mitra.services import supply
from mitra.services.partnerships import (
    partnership_accept,
    partnership_propose,
    partnership_terminate,
)
from orders.models import Order
from tests.mitra.factories_partnerships import Clock, deal_build, recurring_data, wib

pytestmark = pytest.mark.django_db

MON = datetime.date(2027, 3, 1)  # a Monday; March 2027 has 31 days → 310 karung of capacity


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, wib(2027, 3, 1, 8, 0))


@pytest.fixture
def deal(regions):
    return deal_build()


def active(deal, **changes) -> Partnership:
    partnership = partnership_propose(
        organization=deal.partner,
        actor=deal.partner_manager,
        data=recurring_data(deal, start=MON, **changes),
    )
    return partnership_accept(partnership=partnership, actor=deal.posyantek_manager)


def booked(product, month, source_type=None) -> int:
    rows = CapacityBooking.objects.filter(product=product, month=month, cancelled=False)
    if source_type:
        rows = rows.filter(source_type=source_type)
    return rows.aggregate(total=Sum("quantity"))["total"] or 0


# --- Period maths -----------------------------------------------------------------------------


def test_weeks_start_on_monday_and_months_on_the_first():
    sunday = datetime.date(2027, 3, 7)
    assert supply.period_start_of(sunday, "weekly") == MON
    assert supply.period_start_of(MON, "weekly") == MON
    assert supply.period_start_of(datetime.date(2027, 3, 8), "weekly") == datetime.date(2027, 3, 8)
    assert supply.period_start_of(datetime.date(2027, 2, 28), "monthly") == datetime.date(
        2027, 2, 1
    )
    assert supply.period_after(datetime.date(2027, 2, 1), "monthly") == datetime.date(2027, 3, 1)
    assert supply.period_after(datetime.date(2027, 12, 1), "monthly") == datetime.date(2028, 1, 1)
    assert supply.period_after(datetime.date(2027, 12, 27), "weekly") == datetime.date(2028, 1, 3)


def test_the_period_follows_asia_jakarta_not_utc(deal, clock):
    partnership = active(deal)
    # Sunday 7 March 23:59 WIB is 16:59 UTC: still the week of 1 March (already placed below).
    assert supply.supply_periods_place(now=wib(2027, 3, 1, 8, 0)) == 1
    late_sunday = datetime.datetime(2027, 3, 7, 16, 59, tzinfo=datetime.UTC)
    clock.set(late_sunday)
    assert supply.supply_periods_place(now=late_sunday) == 0
    # Monday 8 March 00:15 WIB is Sunday 17:15 UTC: the new week's order goes out.
    monday = datetime.datetime(2027, 3, 7, 17, 15, tzinfo=datetime.UTC)
    clock.set(monday)
    assert supply.supply_periods_place(now=monday) == 1
    starts = sorted(partnership.supply_periods.values_list("period_start", flat=True))
    assert starts == [MON, datetime.date(2027, 3, 8)]


def test_monthly_delivery_day_and_schedule_bounds(deal, clock):
    partnership = active(
        deal,
        frequency="monthly",
        weekday=None,
        day_of_month=15,
        end_date="2027-04-30",
        lines=[{"product": deal.product.slug, "quantity": 20}],
    )
    assert partnership.day_of_month == 15
    assert supply.delivery_date_of(partnership, MON) == datetime.date(2027, 3, 15)
    assert supply.period_in_schedule(partnership, datetime.date(2027, 4, 1))
    assert not supply.period_in_schedule(partnership, datetime.date(2027, 5, 1))  # after end
    assert not supply.period_in_schedule(partnership, datetime.date(2027, 2, 1))  # before start


# --- Placed and short -------------------------------------------------------------------------


def test_the_current_period_is_placed_once_on_terms_at_the_agreed_price(deal, clock):
    partnership = active(deal)
    mail.outbox.clear()
    assert supply.supply_periods_place() == 1
    assert supply.supply_periods_place() == 0  # the second run finds the period done
    period = SupplyPeriod.objects.get(partnership=partnership)
    assert period.status == "placed"
    assert period.period_start == MON
    assert period.delivery_date == MON
    order = period.order
    assert order.status == Order.Status.PLACED_ON_TERMS
    assert order.payment_terms == "net_14"
    assert order.buyer == deal.partner_manager
    assert order.buyer_organization == deal.partner
    assert order.due_date == datetime.date(2027, 3, 15)
    line = order.lines.get()
    assert (line.quantity, line.unit_price_amount) == (20, 55_000)
    assert Order.objects.count() == 1
    assert partnership.events.filter(kind=PartnershipEvent.Kind.SUPPLY).count() == 1


def test_a_period_that_cannot_be_supplied_is_reported_to_both_sides(
    deal, clock, django_capture_on_commit_callbacks
):
    partnership = active(deal)
    Product.objects.filter(pk=deal.product.pk).update(status=Product.Status.ARCHIVED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert supply.supply_periods_place() == 1
    period = SupplyPeriod.objects.get(partnership=partnership)
    assert period.status == "short"
    assert period.order is None
    assert period.reason
    assert Order.objects.count() == 0
    event = partnership.events.get(kind=PartnershipEvent.Kind.SUPPLY)
    assert period.reason in event.note
    recipients = {address for message in mail.outbox for address in message.to}
    assert deal.partner_owner.email in recipients
    assert deal.posyantek_manager.email in recipients
    assert any(period.reason in message.body for message in mail.outbox)
    # Reported once: the next run does not try the period again.
    assert supply.supply_periods_place() == 0


def test_a_partner_no_longer_verified_makes_the_period_short(deal, clock):
    partnership = active(deal)
    type(deal.partner).objects.filter(pk=deal.partner.pk).update(verification_status="rejected")
    supply.supply_periods_place()
    period = SupplyPeriod.objects.get(partnership=partnership)
    assert period.status == "short"
    assert "verifi" in period.reason  # "verified", or "terverifikasi" in Indonesian


def test_a_period_short_of_capacity_is_short_and_books_nothing(deal, clock):
    partnership = active(deal)
    # The commitment was released (e.g. by hand) and other orders took all of March.
    CapacityBooking.objects.filter(source_type="partnership").update(cancelled=True)
    CapacityBooking.objects.create(
        product=deal.product, month=MON, quantity=310, source_type="order", source_id="x"
    )
    supply.supply_periods_place()
    period = SupplyPeriod.objects.get(partnership=partnership)
    assert period.status == "short"
    assert not CapacityBooking.objects.filter(source_type="order", cancelled=False).exclude(
        source_id="x"
    )
    assert booked(deal.product, MON) <= 310


def test_nothing_is_placed_before_the_start_or_after_the_end_or_once_ended(deal, clock):
    partnership = partnership_accept(
        partnership=partnership_propose(
            organization=deal.partner,
            actor=deal.partner_manager,
            data=recurring_data(deal, start=datetime.date(2027, 3, 8)),
        ),
        actor=deal.posyantek_owner,
    )
    assert supply.supply_periods_place() == 0  # starts next week
    clock.set(wib(2027, 3, 8, 0, 15))
    assert supply.supply_periods_place() == 1
    partnership_terminate(partnership=partnership, actor=deal.partner_owner)
    clock.set(wib(2027, 3, 15, 0, 15))
    assert supply.supply_periods_place() == 0
    assert SupplyPeriod.objects.count() == 1


# --- Capacity ---------------------------------------------------------------------------------


def test_capacity_commitments_are_booked_and_never_counted_twice(deal, clock):
    partnership = active(deal)
    april = datetime.date(2027, 4, 1)
    # Mondays of March: 1, 8, 15, 22, 29 → 5 × 20; of April: 5, 12, 19, 26 → 4 × 20.
    assert booked(deal.product, MON, "partnership") == 100
    assert booked(deal.product, april, "partnership") == 80
    supply.supply_periods_place()
    assert booked(deal.product, MON, "partnership") == 80
    assert booked(deal.product, MON, "order") == 20
    assert booked(deal.product, MON) == 100  # the same units, counted once
    # A week later: one more order, the commitment shrinks again.
    clock.set(wib(2027, 3, 8, 0, 15))
    supply.supply_periods_place()
    assert booked(deal.product, MON, "partnership") == 60
    assert booked(deal.product, MON) == 100
    # Terminating releases the coming periods; the orders keep their own.
    partnership_terminate(partnership=partnership, actor=deal.posyantek_manager)
    assert booked(deal.product, MON, "partnership") == 0
    assert booked(deal.product, april, "partnership") == 0
    assert booked(deal.product, MON, "order") == 40


def test_accepting_more_than_the_posyantek_can_produce_is_refused(deal, clock):
    from core.errors import Conflict

    partnership = partnership_propose(
        organization=deal.partner,
        actor=deal.partner_manager,
        data=recurring_data(
            deal, start=MON, lines=[{"product": deal.product.slug, "quantity": 70}]
        ),  # 5 × 70 = 350 > 310 in March
    )
    with pytest.raises(Conflict):
        partnership_accept(partnership=partnership, actor=deal.posyantek_manager)
    partnership.refresh_from_db()
    assert partnership.status == "proposed"
    assert not CapacityBooking.objects.exists()


def test_the_beat_tops_up_next_months_commitment(deal, clock):
    active(deal)
    may = datetime.date(2027, 5, 1)
    assert booked(deal.product, may, "partnership") == 0
    clock.set(wib(2027, 4, 1, 0, 15))
    supply.supply_periods_place()
    # Mondays of May 2027: 3, 10, 17, 24, 31.
    assert booked(deal.product, may, "partnership") == 100
    # March is over: its leftover commitment is released.
    assert booked(deal.product, MON, "partnership") == 0


# --- Concurrency (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.postgres  # row locks: fails under CI without PostgreSQL, skips elsewhere
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_place_exactly_one_order_per_period(regions, monkeypatch):
    from mitra import tasks

    Clock(monkeypatch, wib(2027, 3, 1, 8, 0))
    # Only the two racing runs place the period (not the task queued on acceptance).
    monkeypatch.setattr(tasks.supply_partnership_place_task, "delay", lambda *args: None)
    deal = deal_build()
    partnership = active(deal)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(supply.supply_periods_place())
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(results) == [0, 1]
    assert SupplyPeriod.objects.filter(partnership=partnership).count() == 1
    assert Order.objects.count() == 1
    assert booked(deal.product, MON) == 100


# --- Two real Celery workers running the beat task at once (PostgreSQL + Redis) ---------------


@pytest.fixture
def two_workers(transactional_db, tmp_path):
    import os
    import subprocess
    import sys
    import uuid

    import redis
    from django.conf import settings

    from tests.core.test_celery_worker import ROOT, database_url, wait_for

    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.REDIS_URL,
    }
    logs, processes = [], []
    try:
        for index in range(2):
            log = tmp_path / f"worker{index}.log"
            logs.append(log)
            with log.open("w") as output:
                processes.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "celery",
                            "-A",
                            "config",
                            "worker",
                            "--pool=solo",
                            "--prefetch-multiplier=1",
                            "--loglevel=INFO",
                            "--without-mingle",
                            "--without-gossip",
                            "--without-heartbeat",
                            "-n",
                            f"supply-{index}-{uuid.uuid4().hex[:8]}@%h",
                        ],
                        cwd=ROOT,
                        env=env,
                        stdout=output,
                        stderr=subprocess.STDOUT,
                    )
                )
        for log in logs:
            wait_for(lambda log=log: "ready." in log.read_text(), timeout=60, what="a worker")
        yield logs
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        connection.close()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # send_task: broker
def test_the_beat_task_twice_at_once_in_two_workers_places_one_order(
    regions, monkeypatch, two_workers
):
    from django.utils import timezone

    from config.celery_app import app
    from mitra import tasks
    from tests.core.test_celery_worker import wait_for

    # The workers read the real clock: the partnership starts today, delivered today.
    monkeypatch.setattr(tasks.supply_partnership_place_task, "delay", lambda *args: None)
    deal = deal_build()
    today = timezone.localdate()
    partnership = partnership_accept(
        partnership=partnership_propose(
            organization=deal.partner,
            actor=deal.partner_manager,
            data=recurring_data(deal, start=today, weekday=today.weekday()),
        ),
        actor=deal.posyantek_manager,
    )
    import re

    for _ in range(2):
        app.send_task("mitra.tasks.supply_periods_place_task")

    def finished() -> list[int]:
        text = "".join(log.read_text() for log in two_workers)
        pattern = r"supply_periods_place_task\[[^\]]+\] succeeded in [\d.]+s: (\d+)"
        return [int(n) for n in re.findall(pattern, text)]

    wait_for(lambda: len(finished()) == 2, timeout=90, what="both runs", log=two_workers[0])
    assert sorted(finished()) == [0, 1]
    # Each worker ran one of the two (they ran at once, not one after the other).
    assert all("supply_periods_place_task" in log.read_text() for log in two_workers)
    assert SupplyPeriod.objects.filter(partnership=partnership).count() == 1
    assert Order.objects.filter(supply_period__partnership=partnership).count() == 1
    assert Order.objects.count() == 1
