"""Refunds (DESIGN.md, orders: Refund). An order's refund is requested when a Posyantek
cancels a paid order or staff resolve a dispute with one; a payment's own refund (no order)
when money arrived too late to honour, more arrived than was due, or staff refund a payment
under review.

Every refund goes to the buyer through the provider the money came by (orders.payments):
`refund_request*` queue `refund_submit` after the commit, which calls the provider with the
refund's idempotency key — a card refund succeeds there; a bank transfer refund moves to
pending_manual, the buyer gives an account (`refund_account_give`) and staff record the
transfer they sent (`refund_mark_succeeded`). `refund_mark_succeeded` is the one way a
refund succeeds, and it moves the ledger, the credit note, the order and the payment on;
`refund_fail` and `refund_retry` handle a transfer that bounced.

Each refund happens once: one refund in flight per order (and per payment for its own),
submitting twice applies once, succeeding twice is a Conflict that changes nothing.

Locks follow orders.services.lifecycle: payment, then order, then refund.
"""

import datetime
import re

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from config.celery_app import dispatch_on_commit
from core.errors import Conflict, InvalidInput, PermissionDenied
from core.money import format_rupiah, refund_split
from orders.models import (
    Invoice,
    Order,
    Payment,
    PaymentAttempt,
    PaymentEvent,
    PaymentMethod,
    Refund,
    RefundEvent,
)
from orders.payments import provider_for_method
from orders.permissions import can_handle_money, can_pay
from orders.services.order_moves import clean_text, order_move, payment_lock

Status = Order.Status

MAX_REFERENCE_LENGTH = 100
MAX_BANK_LENGTH = 100
MAX_HOLDER_LENGTH = 150
STUCK_AFTER = datetime.timedelta(minutes=10)
ACCOUNT_NUMBER = re.compile(r"^[0-9][0-9 -]{3,32}[0-9]$")


def _succeeded_total(refunds) -> int:
    return (
        refunds.filter(status=Refund.Status.SUCCEEDED).aggregate(total=Sum("total_amount"))["total"]
        or 0
    )


def refunded_amount(order: Order) -> int:
    """What has already gone back to the buyer for this order."""
    return _succeeded_total(order.refunds)


def payment_refunded_amount(payment: Payment) -> int:
    """What has already gone back to the buyer from this payment (its orders' and its own)."""
    return _succeeded_total(payment.refunds)


def _queue_submit(refund: Refund) -> None:
    from orders import tasks  # tasks import the services: import here, not at the top

    dispatch_on_commit(tasks.refund_submit, refund.pk)


def _refund_open(*, busy: str, actor: User | None, note: str, **fields) -> Refund:
    """Create a `requested` Refund with its first event and queue its submission. The unique
    constraints allow one refund in flight per order (per payment for a payment's own): a
    twin is a Conflict with the message `busy`, and nothing is written."""
    try:
        with transaction.atomic():
            refund = Refund.objects.create(
                status=Refund.Status.REQUESTED, note=note, requested_by=actor, **fields
            )
    except IntegrityError:
        raise Conflict(busy, code="refund_in_progress") from None
    RefundEvent.objects.create(
        refund=refund, actor=actor, from_status="", to_status=Refund.Status.REQUESTED, note=note
    )
    _queue_submit(refund)
    return refund


def refund_request(
    *, order: Order, payment: Payment, amount: int, actor: User | None, reason: str, note: str = ""
) -> Refund:
    """A `requested` Refund of `amount` (goods, shipping and PPN in the order's proportions,
    core.money.refund_split), submitted to the provider after the commit. The caller holds
    the payment and order locks. One refund in flight per order (Conflict otherwise); never
    more than what is left of the order's total."""
    left = order.total_amount - refunded_amount(order)
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= left:
        raise InvalidInput(
            fields={
                "amount": [
                    _("Give an amount between Rp 1 and %(left)s.") % {"left": format_rupiah(left)}
                ]
            }
        )
    split = refund_split(
        amount=amount,
        goods_amount=order.goods_amount,
        shipping_amount=order.shipping_amount,
        ppn_amount=order.ppn_amount,
    )
    return _refund_open(
        busy=_("A refund for this order is already under way."),
        actor=actor,
        note=note,
        order=order,
        payment=payment,
        reason=reason,
        provider=_money_method(payment),
        goods_amount=split.goods_amount,
        shipping_amount=split.shipping_amount,
        ppn_amount=split.ppn_amount,
        total_amount=split.total_amount,
    )


def _money_method(payment: Payment) -> str:
    """The method the money came by: the succeeded attempt's, else the payment's."""
    method = (
        PaymentAttempt.objects.filter(payment=payment, status=PaymentAttempt.Status.SUCCEEDED)
        .order_by("-number")
        .values_list("method", flat=True)
        .first()
    )
    return method or payment.method


@transaction.atomic
def refund_request_for_payment(
    *, payment: Payment, amount: int, reason: str, actor: User | None, note: str = ""
) -> Refund:
    """A payment's own refund (no order; `other_amount`): late money, an overpayment, a
    payment refunded after review. At most what was received less what went back already;
    one in flight per payment (Conflict otherwise). Submitted after the commit."""
    locked = payment_lock(payment.pk)
    note = clean_text(note)
    left = locked.received_amount - payment_refunded_amount(locked)
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= left:
        raise InvalidInput(
            fields={
                "amount": [
                    _("Give an amount between Rp 1 and %(left)s.")
                    % {"left": format_rupiah(max(left, 0))}
                ]
            }
        )
    return _refund_open(
        busy=_("A refund of this payment is already under way."),
        actor=actor,
        note=note,
        order=None,
        payment=locked,
        reason=reason,
        provider=_money_method(locked),
        goods_amount=0,
        shipping_amount=0,
        ppn_amount=0,
        other_amount=amount,
        total_amount=amount,
    )


# --- Moves ------------------------------------------------------------------------------------


def _lock(refund: Refund) -> tuple[Payment, Order | None, Refund]:
    """Payment, order, refund — locked in that order."""
    payment = payment_lock(refund.payment_id)
    order = None
    if refund.order_id is not None:
        order = Order.objects.select_for_update().get(pk=refund.order_id)
    locked = Refund.objects.select_for_update().get(pk=refund.pk)
    return payment, order, locked


def _refund_move(
    refund: Refund,
    *,
    to_status: str,
    actor: User | None,
    note: str = "",
    fields: dict | None = None,
) -> None:
    if to_status not in Refund.ALLOWED_TRANSITIONS[refund.status]:
        raise Conflict(
            _("This refund is %(status)s; it cannot become %(to)s.")
            % {
                "status": refund.get_status_display().lower(),
                "to": Refund.Status(to_status).label.lower(),
            },
            code="refund_status",
        )
    from_status = refund.status
    changed = {"status": to_status, **(fields or {})}
    for name, value in changed.items():
        setattr(refund, name, value)
    refund.save(update_fields=[*changed, "updated_at"])
    RefundEvent.objects.create(
        refund=refund, actor=actor, from_status=from_status, to_status=to_status, note=note
    )


def _payment_event(payment: Payment, *, kind: str, note: str, actor: User | None = None) -> None:
    from orders.services.payments import payment_event_record

    payment_event_record(
        payment=payment,
        actor=actor,
        kind=kind,
        from_status=payment.status,
        to_status=payment.status,
        note=note,
        notify=True,
    )


def refund_submit(*, refund_id: int) -> Refund | None:
    """Send a requested refund to its provider (with its idempotency key), then apply the
    answer: pending_manual (the buyer is asked for an account), succeeded
    (refund_mark_succeeded) or failed. Only a requested refund is sent; a second run — a
    retried task, a twin worker — finds it moved on and changes nothing. The provider is
    called outside the row locks; the same key never refunds twice there."""
    refund = Refund.objects.filter(pk=refund_id).first()
    if refund is None or refund.status != Refund.Status.REQUESTED:
        return refund
    result = provider_for_method(refund.provider).refund(
        refund=refund, idempotency_key=refund.idempotency_key
    )
    with transaction.atomic():
        payment, _order, locked = _lock(refund)
        if locked.status != Refund.Status.REQUESTED:
            return locked
        _refund_apply_result(payment, locked, result)
        return locked


def _refund_apply_result(payment: Payment, locked: Refund, result) -> None:
    """Apply a provider's answer (RefundResult) to a locked open refund."""
    if result.status == Refund.Status.PENDING_MANUAL:
        if locked.status != Refund.Status.REQUESTED:
            return
        _refund_move(
            locked,
            to_status=Refund.Status.PENDING_MANUAL,
            actor=None,
            note=_("Waiting for the buyer's bank account and the transfer by staff."),
        )
        if not locked.has_account:
            _payment_event(
                payment,
                kind=PaymentEvent.Kind.REFUND_PENDING,
                note=_("Refund of %(amount)s: waiting for the buyer's bank account.")
                % {"amount": format_rupiah(locked.total_amount)},
            )
    elif result.status == Refund.Status.SUCCEEDED:
        refund_mark_succeeded(refund=locked, actor=None, reference=result.reference)
    elif result.status == Refund.Status.FAILED:
        _refund_move(
            locked,
            to_status=Refund.Status.FAILED,
            actor=None,
            note=result.failure_reason,
            fields={"failure_reason": result.failure_reason},
        )
    elif result.reference and not locked.provider_reference:
        # Sent, still pending at the provider (a card refund): keep its reference, so the
        # provider's notification or a re-check can finish it, and it is never sent again.
        locked.provider_reference = result.reference[:MAX_REFERENCE_LENGTH]
        locked.save(update_fields=["provider_reference", "updated_at"])


def refund_reconcile(*, refund_id: int) -> Refund | None:
    """Ask the provider where an open refund stands (a card refund: Stripe's `charge.refunded`
    or the beat) and apply it — succeeded through refund_mark_succeeded, once; failed; or
    its reference kept. A refund that is no longer open, or whose provider cannot be asked
    (a bank transfer), is left alone."""
    refund = Refund.objects.filter(pk=refund_id).first()
    if refund is None or refund.status not in Refund.OPEN:
        return refund
    fetch = getattr(provider_for_method(refund.provider), "fetch_refund", None)
    if fetch is None:
        return refund
    result = fetch(refund=refund)
    with transaction.atomic():
        payment, _order, locked = _lock(refund)
        if locked.status not in Refund.OPEN:
            return locked
        _refund_apply_result(payment, locked, result)
        return locked


def refunds_stuck(now: datetime.datetime | None = None) -> list[int]:
    """Ids of refunds still `requested` STUCK_AFTER after they were requested (their
    submit task was lost): the beat submits them again."""
    cutoff = (now or timezone.now()) - STUCK_AFTER
    return list(
        Refund.objects.filter(status=Refund.Status.REQUESTED, created_at__lte=cutoff)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def refund_account_give(
    *, refund: Refund, actor: User, bank_name: str, account_number: str, account_holder: str
) -> Refund:
    """The buyer side gives the bank account a bank transfer refund goes to (open refunds
    only; may be given again to correct it until staff send the money)."""
    errors: dict[str, list[str]] = {}
    bank_name = clean_text(bank_name, field="bank_name")
    account_holder = clean_text(account_holder, field="account_holder")
    number = clean_text(account_number, field="account_number")
    if not bank_name:
        errors["bank_name"] = [_("Name the bank, e.g. BRI or BCA.")]
    elif len(bank_name) > MAX_BANK_LENGTH:
        errors["bank_name"] = [_("Keep it under %(n)s characters.") % {"n": MAX_BANK_LENGTH}]
    if not ACCOUNT_NUMBER.match(number) or sum(c.isdigit() for c in number) < 5:
        errors["account_number"] = [
            _("Give the account number: 5 to 34 digits (dashes and spaces allowed).")
        ]
    if not account_holder:
        errors["account_holder"] = [_("Give the name on the account.")]
    elif len(account_holder) > MAX_HOLDER_LENGTH:
        errors["account_holder"] = [_("Keep it under %(n)s characters.") % {"n": MAX_HOLDER_LENGTH}]
    payment, _order, locked = _lock(refund)
    if not can_pay(actor, payment):
        raise PermissionDenied(_("Only the buyer can give the account for this refund."))
    if locked.status not in Refund.OPEN:
        raise Conflict(
            _("This refund is %(status)s; the account can no longer be changed.")
            % {"status": locked.get_status_display().lower()},
            code="refund_status",
        )
    if locked.provider != PaymentMethod.BANK_TRANSFER:
        raise Conflict(
            _("This refund goes back to your card; no account is needed."),
            code="account_not_needed",
        )
    if errors:
        raise InvalidInput(fields=errors)
    now = timezone.now()
    locked.account_bank_name = bank_name
    locked.account_number = number
    locked.account_holder = account_holder
    locked.account_given_at = now
    locked.save(
        update_fields=[
            "account_bank_name",
            "account_number",
            "account_holder",
            "account_given_at",
            "updated_at",
        ]
    )
    RefundEvent.objects.create(
        refund=locked,
        actor=actor,
        from_status=locked.status,
        to_status=locked.status,
        note=_("Account given: %(bank)s, %(holder)s.")
        % {"bank": bank_name, "holder": account_holder},
    )
    return locked


@transaction.atomic
def refund_mark_succeeded(
    *,
    refund: Refund,
    actor: User | None,
    reference: str = "",
    note: str = "",
    succeeded_at: datetime.datetime | None = None,
) -> Refund:
    """The money is back with the buyer: requested | pending_manual → succeeded, once. A bank
    transfer refund must be pending_manual with the buyer's account given, and needs the
    reference of the transfer staff sent. The ledger records the refund and the order's
    invoice gets its credit note first; then the order moves cancelled → refunded, or
    in_dispute → refunded (the whole total back) or partially_refunded; the payment →
    refunded when everything it received has gone back, else partially_refunded. A second
    call for the same refund is a Conflict and changes nothing, so a retried provider
    notification cannot refund twice."""
    note = clean_text(note)
    reference = clean_text(reference, field="reference")
    if len(reference) > MAX_REFERENCE_LENGTH:
        raise InvalidInput(
            fields={
                "reference": [_("Keep it under %(n)s characters.") % {"n": MAX_REFERENCE_LENGTH}]
            }
        )
    payment, order, locked = _lock(refund)
    if Refund.Status.SUCCEEDED not in Refund.ALLOWED_TRANSITIONS[locked.status]:
        raise Conflict(
            _("This refund is %(status)s; it cannot succeed again.")
            % {"status": locked.get_status_display().lower()},
            code="refund_status",
        )
    if locked.provider == PaymentMethod.BANK_TRANSFER:
        if locked.status != Refund.Status.PENDING_MANUAL:
            raise Conflict(
                _("This refund is not ready to be sent yet. Try again in a few minutes."),
                code="refund_not_ready",
            )
        if not locked.has_account:
            raise Conflict(
                _("The buyer has not given a bank account for this refund yet."),
                code="refund_no_account",
            )
        if not reference:
            raise InvalidInput(
                fields={"reference": [_("Give the reference of the transfer you sent.")]}
            )
    at = succeeded_at or timezone.now()
    fields = {"succeeded_at": at}
    if reference:
        fields["provider_reference"] = reference
    _refund_move(locked, to_status=Refund.Status.SUCCEEDED, actor=actor, note=note, fields=fields)

    if order is not None:
        _ledger_and_credit_note(locked, order, at=at)
        whole = refunded_amount(order) >= order.total_amount
        if order.status == Status.CANCELLED or (order.status == Status.IN_DISPUTE and whole):
            target = Status.REFUNDED
        elif order.status == Status.IN_DISPUTE:
            target = Status.PARTIALLY_REFUNDED
        else:
            target = None
        if target is not None:
            order_move(
                order,
                to_status=target,
                actor=actor,
                at=at,
                note=_("%(amount)s refunded.") % {"amount": format_rupiah(locked.total_amount)},
            )
    _payment_after_refund(payment, actor=actor)
    if order is None:
        _payment_event(
            payment,
            kind=PaymentEvent.Kind.REFUND_SENT,
            actor=actor,
            note=_("%(amount)s sent back to the buyer.")
            % {"amount": format_rupiah(locked.total_amount)},
        )
    refund.status, refund.succeeded_at = locked.status, locked.succeeded_at
    refund.provider_reference = locked.provider_reference
    return locked


def _ledger_and_credit_note(refund: Refund, order: Order, *, at: datetime.datetime) -> None:
    from orders.services.invoices import credit_note_issue
    from orders.services.ledger import ledger_record_refund

    ledger_record_refund(refund=refund, at=at)
    if Invoice.objects.filter(order=order, kind=Invoice.Kind.INVOICE).exists():
        credit_note_issue(refund=refund, at=at)


def _payment_after_refund(payment: Payment, *, actor: User | None) -> None:
    """The payment once a refund of it succeeded: under review → refunded when everything
    received went back; paid → partially_refunded / refunded by its orders' refunds (an
    overpayment sent back alone does not change it)."""
    sums = payment.refunds.filter(status=Refund.Status.SUCCEEDED).aggregate(
        orders=Sum("total_amount", filter=Q(order__isnull=False)),
        own=Sum("total_amount", filter=Q(order__isnull=True)),
    )
    for_orders, own = sums["orders"] or 0, sums["own"] or 0
    back = for_orders + own
    received = payment.received_amount or payment.amount_due_amount
    if payment.status == Payment.Status.NEEDS_REVIEW:
        if back < received:
            return
        target = Payment.Status.REFUNDED
    else:
        if not for_orders:
            return
        target = Payment.Status.REFUNDED if back >= received else Payment.Status.PARTIALLY_REFUNDED
    if target == payment.status or target not in Payment.ALLOWED_TRANSITIONS[payment.status]:
        return
    from orders.services.payments import payment_move

    payment_move(
        payment,
        to_status=target,
        actor=actor,
        note=_("%(amount)s refunded in all.") % {"amount": format_rupiah(back)},
    )


@transaction.atomic
def refund_fail(*, refund: Refund, actor: User, reason: str) -> Refund:
    """Platform staff record that an open refund could not be sent (e.g. the account is
    closed): → failed with the reason. A new one may then be requested (refund_retry)."""
    if not can_handle_money(actor):
        raise PermissionDenied(_("Only platform staff record refunds."))
    reason = clean_text(reason, field="reason", required=True)
    _payment, _order, locked = _lock(refund)
    if locked.status not in Refund.OPEN:
        raise Conflict(
            _("This refund is %(status)s; it cannot fail now.")
            % {"status": locked.get_status_display().lower()},
            code="refund_status",
        )
    _refund_move(
        locked,
        to_status=Refund.Status.FAILED,
        actor=actor,
        note=reason,
        fields={"failure_reason": reason},
    )
    refund.status = locked.status
    return locked


@transaction.atomic
def refund_retry(*, refund: Refund, actor: User) -> Refund:
    """Platform staff request a failed refund again: a new requested Refund of the same
    amounts, for the same order or payment (submitted after the commit). Conflict unless the
    refund failed, or when another one is already under way."""
    if not can_handle_money(actor):
        raise PermissionDenied(_("Only platform staff record refunds."))
    payment, order, locked = _lock(refund)
    if locked.status != Refund.Status.FAILED:
        raise Conflict(_("Only a failed refund can be requested again."), code="refund_status")
    note = _("Requested again after refund %(id)s failed.") % {"id": locked.pk}
    return _refund_open(
        busy=_("A refund for this is already under way."),
        actor=actor,
        note=note,
        order=order,
        payment=payment,
        reason=locked.reason,
        provider=locked.provider,
        goods_amount=locked.goods_amount,
        shipping_amount=locked.shipping_amount,
        ppn_amount=locked.ppn_amount,
        other_amount=locked.other_amount,
        total_amount=locked.total_amount,
    )
