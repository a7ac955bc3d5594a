"""Payouts (orders.services.payouts.payout_record): staff record money sent to a Posyantek;
only the available balance can be paid out; a reference counts once; the owners and managers
are told by e-mail."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from core.errors import Conflict, InvalidInput, PermissionDenied
from orders.models import LedgerEntry, Payout
from orders.services.ledger import ledger_balance, ledger_check, ledger_order_settle
from orders.services.payouts import payout_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(shop):
    """The shop's Posyantek with a payout account, Rp 300.000 available (a settled sale) and
    Rp 150.000 pending (a paid order not completed yet)."""
    seller = shop.seller
    seller.payout_bank_name = "Bank BJB"
    seller.payout_account_number = "0012345678901"
    seller.payout_account_holder = "Posyantek Purwakarta"
    seller.save()
    settled = shop.paid(2)
    ledger_order_settle(order=settled, at=timezone.now())
    shop.paid(1)
    balance = ledger_balance(organization=seller)
    assert (balance.pending, balance.available) == (150_000, 300_000)
    return seller


def record(shop, seller, **changes):
    values = {
        "organization": seller,
        "actor": shop.platform,
        "amount": 200_000,
        "reference": "BJB-TRF-0001",
        "paid_on": timezone.localdate(),
        "note": "Pencairan November",
    }
    values.update(changes)
    return payout_record(**values)


def test_staff_record_a_payout_from_the_available_balance(
    shop, seller, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        payout = record(shop, seller)

    payout.refresh_from_db()
    assert (payout.amount, payout.reference, payout.recorded_by) == (
        200_000,
        "BJB-TRF-0001",
        shop.platform,
    )
    assert (payout.bank_name, payout.account_number, payout.account_holder) == (
        "Bank BJB",
        "0012345678901",
        "Posyantek Purwakarta",
    )
    entry = LedgerEntry.objects.get(payout=payout)
    assert (entry.kind, entry.amount, entry.status, entry.organization) == (
        LedgerEntry.Kind.PAYOUT,
        -200_000,
        LedgerEntry.Status.AVAILABLE,
        seller,
    )
    assert entry.available_at is not None
    balance = ledger_balance(organization=seller)
    assert (balance.pending, balance.available, balance.total) == (150_000, 100_000, 250_000)
    assert ledger_check().ok

    # One mail to the owner and the manager (not the staff member, not the platform).
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([shop.owner.email, shop.manager.email])
    assert "Rp 200.000" in message.subject
    assert "BJB-TRF-0001" in message.body
    assert "0012345678901" not in message.body  # only the account's last digits
    assert "8901" in message.body
    assert "Rp 100.000" in message.body  # available after the payout
    assert "/organisasi/posyantek-purwakarta/keuangan/" in message.body


def test_the_whole_available_balance_can_be_paid_out(shop, seller):
    record(shop, seller, amount=300_000)
    balance = ledger_balance(organization=seller)
    assert (balance.pending, balance.available) == (150_000, 0)


def test_more_than_available_is_refused_and_changes_nothing(shop, seller):
    with pytest.raises(Conflict) as error:
        record(shop, seller, amount=300_001)  # 450.000 in all, but 150.000 is pending
    assert error.value.code == "insufficient_balance"
    assert "Rp 300.000" in str(error.value.message)
    assert error.value.status_code == 409
    assert not Payout.objects.exists()
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYOUT).exists()
    assert ledger_balance(organization=seller).available == 300_000


def test_a_second_payout_draws_on_what_is_left(shop, seller):
    record(shop, seller, amount=200_000, reference="A-1")
    with pytest.raises(Conflict) as error:
        record(shop, seller, amount=100_001, reference="A-2")
    assert error.value.code == "insufficient_balance"
    assert "Rp 100.000" in str(error.value.message)
    record(shop, seller, amount=100_000, reference="A-3")
    assert ledger_balance(organization=seller).available == 0
    assert Payout.objects.count() == 2


def test_the_same_reference_twice_is_refused(shop, seller, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record(shop, seller, amount=50_000)
    with pytest.raises(Conflict) as error:
        record(shop, seller, amount=50_000)
    assert error.value.code == "duplicate_reference"
    assert Payout.objects.count() == 1
    assert ledger_balance(organization=seller).available == 250_000
    assert len(mail.outbox) == 1


def test_only_platform_staff_record_payouts(shop, seller):
    for user in (shop.owner, shop.manager, shop.buyer):
        with pytest.raises(PermissionDenied):
            record(shop, seller, actor=user)
    assert not Payout.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": "100000"}, "amount"),
        ({"amount": True}, "amount"),
        ({"reference": "   "}, "reference"),
        ({"reference": "x" * 101}, "reference"),
        ({"paid_on": "2026-11-01"}, "paid_on"),
        ({"paid_on": timezone.localdate() + datetime.timedelta(days=2)}, "paid_on"),
        ({"note": "x" * 301}, "note"),
    ],
)
def test_bad_input_is_refused(shop, seller, changes, field):
    with pytest.raises(InvalidInput) as error:
        record(shop, seller, **changes)
    assert field in error.value.fields
    assert not Payout.objects.exists()


def test_a_posyantek_without_a_payout_account_is_refused(shop, seller):
    seller.payout_account_number = ""
    seller.save()
    with pytest.raises(InvalidInput) as error:
        record(shop, seller)
    assert error.value.code == "no_payout_account"
    assert not Payout.objects.exists()
